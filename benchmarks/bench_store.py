"""Corpus store speed: ingest, re-ingest, stats, full-text search on a synthetic corpus.

Prints numbers; asserts nothing (timings belong here, not in tests).

    python benchmarks/bench_store.py --documents 5000
"""
from __future__ import annotations

import argparse
import copy
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.query import run_query, stats  # noqa: E402
from pipeline.records import make_doc_id, read_jsonl  # noqa: E402
from pipeline.store import CorpusStore  # noqa: E402

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "store" / "documents.jsonl"


def synthetic(n: int):
    """n documents cycling through the store fixture, each with its own URL and padded text."""
    base = read_jsonl(FIXTURE)
    filler = " Hội nghị tổng kết công tác năm với sự tham dự của đại diện các sở, ban, ngành." * 20
    for i in range(n):
        doc = copy.deepcopy(base[i % len(base)])
        doc.url = doc.canonical_url = f"https://site{i % 40}.example.gov.vn/tin/{i}.html"
        doc.source = f"site{i % 40}.example.gov.vn"
        doc.text = doc.text + filler  # offsets stay valid: text only grows at the end
        doc.doc_id = make_doc_id(doc.url)
        yield doc


def timed(label: str, fn, unit: str = "", count: int | None = None):
    t = time.perf_counter()
    result = fn()
    dt = time.perf_counter() - t
    rate = f"  ({count / dt:,.0f} {unit}/s)" if count else ""
    print(f"{label:<42} {dt * 1000:10.1f} ms{rate}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=5000)
    args = parser.parse_args()
    docs = list(synthetic(args.documents))
    with tempfile.TemporaryDirectory() as tmp:
        with CorpusStore(tmp) as store:
            timed(f"ingest {len(docs)} documents + mentions", lambda: [store.add_extracted_document(d) for d in docs],
                  "docs", len(docs))
            timed("re-ingest the same (no change)", lambda: [store.add_extracted_document(d) for d in docs],
                  "docs", len(docs))
            timed("iter_documents (all, with mentions)", lambda: sum(1 for _ in store.iter_documents()),
                  "docs", len(docs))
            timed("search 'kiểm tra' (exact index)", lambda: store.search("kiểm tra"))
            timed("search 'kiem tra' (folded index)", lambda: store.search("kiem tra"))
        size = sum(p.stat().st_size for p in Path(tmp).glob("corpus.sqlite*"))
        print(f"{'store size (db + wal)':<42} {size / 1e6:10.1f} MB")
        timed("stats --by unit,activity,year", lambda: stats(tmp, "unit,activity,year"))
        timed("stats --by source --search 'kiem tra'", lambda: stats(tmp, "source", [], "kiem tra"))
        timed("query count(*) record_rows", lambda: run_query(tmp, "SELECT count(*) FROM record_rows"))


if __name__ == "__main__":
    main()
