"""Cross-validated scores of the learned decisions, for choosing features and settings.

    python benchmarks/cv_models.py [--folds 5] [--seeds 1] [--json]

Runs the rules once over the train + dev documents of annotations/splits.json (never test), then
for each fold trains every model on the other folds and scores the held-out one; the counts of all
folds are pooled before the F1s are taken.  ``--seeds 3`` repeats with three fold shuffles and
prints the mean, which is what a feature change should be judged by (one shuffle moves by ~0.005).
The rules-only figures of the same documents are printed beside them.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.evaluate import evaluate, load_gold  # noqa: E402
from pipeline.train import _summary, predictions, predictions_with, run_rules, train_models  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def folds(n: int, k: int, seed: int) -> list[list[int]]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]


def cross_validate(runs, k: int, seed: int, extra=()) -> dict:
    """Pooled scores of k held-out folds over ``runs``; ``extra`` runs are always trained on."""
    golds, preds = [], {}
    for held in folds(len(runs), k, seed):
        held_set = set(held)
        models = train_models([r for i, r in enumerate(runs) if i not in held_set] + list(extra))
        test_runs = [runs[i] for i in held]
        golds += [r.gold for r in test_runs]
        preds.update(predictions_with(test_runs, models))
    return _summary(evaluate(golds, preds))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", default=str(ROOT / "annotations/splits.json"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--folds-over", metavar="MANIFEST",
                    help="draw the folds over this (older) manifest's train+dev documents only, and add "
                         "the documents --manifest has beyond them to every fold's training: the same "
                         "held-out documents and folds as that manifest's CV, so the figures compare")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    docs = load_gold(args.manifest, "train") + load_gold(args.manifest, "dev")
    extra_docs: list = []
    if args.folds_over:
        scored = load_gold(args.folds_over, "train") + load_gold(args.folds_over, "dev")
        known = {d.path.resolve() for d in scored}
        extra_docs = [d for d in docs if d.path.resolve() not in known]
        docs = scored
    runs = run_rules(docs)
    extra = run_rules(extra_docs) if extra_docs else []
    rules = _summary(evaluate(docs, predictions(runs)))
    rows = [cross_validate(runs, args.folds, 20261205 + s, extra) for s in range(args.seeds)]
    mean = {k: round(sum(r[k] for r in rows) / len(rows), 4) for k in rows[0]}
    out = {"documents": len(runs), "always_trained": len(extra), "folds": args.folds, "seeds": args.seeds, "rules_only": rules,
           "cv_mean": mean, "cv_by_seed": rows, "seconds": round(time.perf_counter() - t0, 1)}
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        print(f"{len(runs)} train+dev documents, {args.folds}-fold x {args.seeds} shuffles "
              f"({out['seconds']} s)" + (f"; {len(extra)} more always trained on" if extra else ""))
        print(f"{'':12}{'units F1':>10}{'qty F1':>8}{'rec F1':>8}{'activity':>10}")
        for name, s in [("rules only", rules), ("CV mean", mean)] + [(f"  seed {i}", r) for i, r in enumerate(rows)]:
            print(f"{name:12}{s['units_f1']:>10.4f}{s['quantities_f1']:>8.4f}{s['records_f1']:>8.4f}"
                  f"{s['activity']:>10.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
