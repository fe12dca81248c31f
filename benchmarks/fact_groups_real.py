"""Fact grouping on real news: articles of one story from several outlets.

The phenikaa-mds clusters of ``../shared/data/vi-news`` gather articles about
one event from several outlets (the 657.000 tỷ đồng of public investment told
by five sites, one crash told by four).  Each chosen cluster goes through the
real pipeline (extraction, then the corpus store, where provinces and fact
groups are computed) and every pair of records of two articles with the same
amount and measure — the pairs the grouping must decide — is compared with a
hand annotation (``tests/fixtures/provinces/fact_pairs_real.json``: same fact,
or a near miss).

    python benchmarks/fact_groups_real.py              # precision and recall
    python benchmarks/fact_groups_real.py --candidates # every candidate pair with its sentences (to annotate)
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors.extract import extract  # noqa: E402
from extractors.normalize import clean_text  # noqa: E402
from pipeline.records import Document, make_doc_id, source_of  # noqa: E402
from pipeline.store import CorpusStore  # noqa: E402

MDS = ROOT.parent / "shared" / "data" / "vi-news" / "phenikaa-mds"
ANNOTATION = ROOT / "tests" / "fixtures" / "provinces" / "fact_pairs_real.json"
CLUSTERS = ("Cluster_016", "Cluster_034", "Cluster_053", "Cluster_055", "Cluster_067")


def _published(text: str) -> str | None:
    m = re.search(r"(\d{1,2})/(\d{1,2})/(\d{4})", text or "")
    return f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}" if m else None


def build_corpus(folder: Path, clusters=CLUSTERS) -> CorpusStore:
    """The clusters' articles extracted into a corpus store (provinces and fact groups included)."""
    store = CorpusStore(folder)
    with (MDS / "index.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["file"].split("/")[1].split("__")[0] in clusters]
    for r in rows:
        text = clean_text((MDS / r["file"]).read_text(encoding="utf-8"))
        doc = Document(doc_id=make_doc_id(r["url"]), text=text, url=r["url"], canonical_url=r["url"],
                       source=source_of(r["url"]), title=r["title"], published=_published(r["published"]))
        store.add_extracted_document(doc.with_extraction(extract(text)))
    return store


def _key(row) -> str:
    """A record named so an annotation survives re-extraction: file, quantity, start of its sentence."""
    return f"{row['file']}|{row['quantity_text']}|{row['sentence'][:60]}"


def candidate_pairs(store: CorpusStore) -> list[tuple[dict, dict, bool]]:
    """Records of two articles of one cluster with the same amount and measure; True when grouped."""
    rows = [dict(r) for r in store.conn.execute(
        "SELECT r.doc_id, r.record_idx, r.url, r.quantity_text, r.sentence, r.unit, r.period_text, r.published,"
        " r.province, coalesce(r.base_value, r.value) AS amount, coalesce(r.base_unit, r.unit_of_measure) AS measure,"
        " r.fact_group FROM record_rows r ORDER BY r.url, r.record_idx")]
    with (MDS / "index.csv").open(encoding="utf-8") as fh:
        files = {r["url"]: r["file"].split("/")[1].removesuffix(".txt") for r in csv.DictReader(fh)}
    for r in rows:
        r["file"] = files[r["url"]]
    pairs = []
    for i, a in enumerate(rows):
        for b in rows[i + 1:]:
            if (a["doc_id"] != b["doc_id"] and a["file"].split("__")[0] == b["file"].split("__")[0]
                    and a["amount"] == b["amount"] and a["measure"] == b["measure"]):
                pairs.append((a, b, a["fact_group"] is not None and a["fact_group"] == b["fact_group"]))
    return pairs


def score(pairs, annotation: Path = ANNOTATION) -> dict:
    labels = {(p["a"], p["b"]): p["same"] for p in json.loads(annotation.read_text(encoding="utf-8"))["pairs"]}
    tp = fp = fn = tn = 0
    unannotated, errors = 0, []
    for a, b, grouped in pairs:
        same = labels.get((_key(a), _key(b)), labels.get((_key(b), _key(a))))
        if same is None:
            unannotated += 1
            continue
        tp += grouped and same
        fp += grouped and not same
        fn += same and not grouped
        tn += not same and not grouped
        if grouped != same:
            errors.append(f"{'FP' if grouped else 'FN'} {a['quantity_text']} | {a['file']} / {b['file']}")
    return {"pairs": tp + fp + fn + tn, "same": tp + fn, "near_misses": fp + tn, "tp": tp, "fp": fp, "fn": fn,
            "tn": tn, "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
            "unannotated": unannotated, "errors": errors}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", action="store_true", help="print every candidate pair as JSON lines")
    args = parser.parse_args()
    if not MDS.exists():
        print(f"fact_groups_real: {MDS} not found (../shared is beside the checkout on dev machines and CI)")
        return 0
    with tempfile.TemporaryDirectory(prefix="provnews-facts-") as tmp:
        store = build_corpus(Path(tmp))
        pairs = candidate_pairs(store)
        store.close()
    if args.candidates:
        for a, b, grouped in pairs:
            print(json.dumps({"a": _key(a), "b": _key(b), "grouped": grouped,
                              "a_unit": a["unit"], "b_unit": b["unit"], "a_period": a["period_text"],
                              "b_period": b["period_text"], "a_sentence": a["sentence"], "b_sentence": b["sentence"]},
                             ensure_ascii=False))
        return 0
    print(json.dumps(score(pairs), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
