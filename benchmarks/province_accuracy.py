"""Province accuracy on the gold sets' records: pipeline.provinces against a hand annotation.

For every record of tests/gold, tests/gold_holdout and ../shared/gold/dev the
resolver sees what the pipeline would give it — the gold record's unit and
location, the sentence around the quantity, the article's text and its URL's
host — and its province is compared with tests/fixtures/provinces/gold_provinces.json
(annotated by hand from the articles).  Both the province as published (all
these articles predate the 1 July 2025 merger) and the post-2025 province
are scored; "none" (national, foreign, spread over provinces) must be answered
none.

    python benchmarks/province_accuracy.py            # accuracy per gold set
    python benchmarks/province_accuracy.py --records  # plus one line per record
    python benchmarks/province_accuracy.py --portals  # also crawl both demo sites: one line per fact
    python benchmarks/province_accuracy.py --extracted  # end to end: the extractor's records instead of gold

``--portals`` crawls the demo portal and the newspaper (tests/fixtures/) into a
temporary corpus and compares each fact's annotated province with the one the
pipeline gave the record it extracted for it.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import benchmarks._local_tests  # noqa: E402,F401  (before any tests.… import)

from pipeline import provinces as pv  # noqa: E402

ANNOTATION = ROOT / "tests" / "fixtures" / "provinces" / "gold_provinces.json"
NAME_TO_CODE = {p.name: p.code for p in pv.provinces().values()}


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(c, 0, start) for c in ".!?\n") + 1
    rights = [i for i in (text.find(c, end) for c in ".!?\n") if i >= 0]
    return text[left:min(rights) + 1 if rights else len(text)].strip()


def _metadata(text: str) -> tuple[str | None, str | None]:
    """Host and publication date from the '# url = …' / '# date = 20210430' header some gold texts keep."""
    url = re.search(r"^# url = (\S+)", text, re.M)
    date = re.search(r"^# date = (\d{4})(\d{2})(\d{2})", text, re.M)
    host = urlsplit(url.group(1)).hostname if url else None
    return host, "-".join(date.groups()) if date else None


def _extracted_records(text: str) -> list:
    from extractors.extract import extract
    from extractors.normalize import clean_text

    return extract(clean_text(text)).records


def gold_rows(annotation: Path = ANNOTATION, extracted: bool = False) -> list[dict]:
    """One row per annotated gold record: expected and resolved provinces.

    ``extracted``: resolve the records the extractor finds instead of the gold
    records (matched to the gold quantities by their text, in order); gold
    records the extractor misses are left out.
    """
    docs = json.loads(annotation.read_text(encoding="utf-8"))["documents"]
    rows = []
    for name, ann in docs.items():
        gold_path = (ROOT / f"{name}.gold.json").resolve()
        if not gold_path.exists():
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        text = (gold_path.parent / gold["text_file"]).read_text(encoding="utf-8")
        title = text.split("\n", 1)[0]
        host, published = _metadata(text)
        document = pv.document_placement(text, title, host)
        pool = _extracted_records(text) if extracted else None
        pos = 0
        for i, q in enumerate(gold["quantities"]):
            record = q.get("record")
            if record is None:
                continue
            start = text.find(q["text"], pos)
            if start < 0:
                start = text.find(q["text"])
            else:
                pos = start + 1
            sentence = _sentence(text, start, start + len(q["text"])) if start >= 0 else ""
            if pool is not None:
                found = next((r for r in pool if r.quantity_text == q["text"]), None)
                if found is None:
                    continue
                pool.remove(found)
                placement = pv.record_placement(found.unit, found.location, found.sentence, document)
            else:
                placement = pv.record_placement(record.get("unit"), record.get("location"), sentence, document)
            got = pv.columns(placement, published)
            expected = ann.get("records", {}).get(str(i), ann["default"])
            expected_2025 = (pv.provinces_2025()[pv.provinces()[NAME_TO_CODE[expected]].code_2025].name
                             if expected else None)
            rows.append({"set": name.rsplit("/", 1)[0], "doc": name.rsplit("/", 1)[1], "index": i,
                         "quantity": q["text"], "unit": record.get("unit"), "expected": expected,
                         "got": got.province, "expected_2025": expected_2025, "got_2025": got.province_2025,
                         "basis": got.basis})
    return rows


def accuracy(rows: list[dict]) -> dict[str, dict[str, float]]:
    by_set: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_set[r["set"]].append(r)
        by_set["all"].append(r)
    return {s: {"records": len(rs),
                "as_published": sum(r["got"] == r["expected"] for r in rs) / len(rs),
                "post_2025": sum(r["got_2025"] == r["expected_2025"] for r in rs) / len(rs)}
            for s, rs in by_set.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", action="store_true", help="print every record")
    parser.add_argument("--portals", action="store_true", help="also score the two demo sites, fact by fact")
    parser.add_argument("--extracted", action="store_true",
                        help="resolve the extractor's records (units and locations as extracted) instead of the gold ones")
    args = parser.parse_args()
    rows = gold_rows(extracted=args.extracted)
    if args.records:
        for r in rows:
            mark = "ok " if r["got"] == r["expected"] else "XX "
            print(f"{mark}{r['set']}/{r['doc']}#{r['index']:<3} {r['quantity'][:22]:22} expected={r['expected']} "
                  f"got={r['got']} ({r['basis']}) | 2025: expected={r['expected_2025']} got={r['got_2025']}")
    print(f"{'gold set':24} {'records':>7} {'as published':>13} {'post-2025':>10}")
    for s, a in accuracy(rows).items():
        print(f"{s:24} {a['records']:7d} {a['as_published']:13.3f} {a['post_2025']:10.3f}")
    if args.portals:
        portal_table()
    return 0


def portal_table() -> None:
    import subprocess
    import tempfile

    from tests.fixtures.newspaper.server import NewspaperServer
    from tests.fixtures.portal.server import PortalServer
    from tests.test_provinces_portals import province_table

    with tempfile.TemporaryDirectory(prefix="provnews-provinces-") as tmp:
        cli = [sys.executable, "-m", "pipeline.cli"]
        with PortalServer(crawl_delay=0) as portal, NewspaperServer(crawl_delay=0) as paper:
            subprocess.run([*cli, "crawl", portal.url, paper.url, "--out", tmp, "--delay", "0", "--quiet"],
                           check=True, cwd=ROOT)
        subprocess.run([*cli, "extract", "--corpus", tmp], check=True, cwd=ROOT, capture_output=True)
        table = province_table(tmp)
    print(f"\n{'site':6} {'article':>7} {'fact':22} {'expected':14} {'got':14} {'2025 expected':14} {'2025 got':14} basis")
    for t in table:
        print(f"{t['site']:6} {t['article']:7d} {t['fact'][:22]:22} {t['expected']:14} {str(t['got']):14} "
              f"{t['expected_2025']:14} {str(t['got_2025']):14} {t['basis'] if t['matched'] else '(not extracted)'}")
    matched = [t for t in table if t["matched"]]
    print(f"demo sites: {len(table)} facts, {len(matched)} extracted; province right "
          f"{sum(t['got'] == t['expected'] for t in matched)}/{len(matched)} as published, "
          f"{sum(t['got_2025'] == t['expected_2025'] for t in matched)}/{len(matched)} post-2025")


if __name__ == "__main__":
    sys.exit(main())
