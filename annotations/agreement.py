"""Agreement between two independent annotations of the same articles.

    python annotations/agreement.py [SECOND_DIR] [--first DIR] [--per-doc]

Each article of SECOND_DIR (default ``annotations/second``) is scored against
its annotation in ``--first`` (default ``annotations/vi-news``) with
``provnews eval``'s own matching: the first annotation plays the prediction, the
second the gold (F1 is symmetric; accuracies are over matched pairs).  Run it
before adjudication: once the first folder holds the adjudicated files the
figure measures adjudication, not agreement.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pipeline.evaluate import GoldError, _gold_positions, evaluate, format_report, load_gold  # noqa: E402


def as_prediction(gold) -> dict:
    """An annotation in the shape of an extracted document (what eval scores)."""
    starts = _gold_positions(gold.text, gold.quantities)
    quantities = [{**q, "start": s} for q, s in zip(gold.quantities, starts)]
    records = [{"quantity": i, "unit": q["record"].get("unit"), "activity": q["record"].get("activity")}
               for i, q in enumerate(gold.quantities) if q.get("record") is not None]
    return {"units": [{"name": u["name"]} for u in gold.units], "quantities": quantities, "records": records}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("second", nargs="?", type=Path, default=HERE / "second")
    parser.add_argument("--first", type=Path, default=HERE / "vi-news")
    parser.add_argument("--per-doc", action="store_true")
    args = parser.parse_args(argv)
    try:
        second = load_gold(args.second)
        first = {g.doc_id: g for g in load_gold(args.first)}
    except GoldError as exc:
        print(f"agreement: {exc}", file=sys.stderr)
        return 2
    missing = [g.doc_id for g in second if g.doc_id not in first]
    if missing:
        print(f"agreement: {args.first}: no first annotation of {', '.join(missing)}", file=sys.stderr)
        return 2
    result = evaluate(second, {g.doc_id: as_prediction(first[g.doc_id]) for g in second})
    print(format_report(result, per_doc=args.per_doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
