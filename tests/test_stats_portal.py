"""End to end: crawl the demo portal, extract, and check ``provnews stats``
against the figures each article's data file says a human reads in it (``facts``).

The expected totals are computed here from ``tests/fixtures/portal/articles/*.json``
alone, converting with the spec's table of base units (records.md section 3),
never from the pipeline's output.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import run_cli

PORTAL_DIR = Path(__file__).parent / "fixtures" / "portal"

# Spec section 3: unit of measure → (base unit, factor).  Units without a base
# (counts, USD — an exchange rate is not a constant) are their own measure.
BASE = {
    "kg": ("kg", 1.0), "g": ("kg", 1e-3), "tấn": ("kg", 1000.0), "tạ": ("kg", 100.0), "yến": ("kg", 10.0),
    "m²": ("m²", 1.0), "ha": ("m²", 1e4), "km²": ("m²", 1e6),
    "m³": ("m³", 1.0), "lít": ("m³", 1e-3), "ml": ("m³", 1e-6),
    "m": ("m", 1.0), "km": ("m", 1000.0), "cm": ("m", 0.01), "mm": ("m", 0.001),
    "đồng": ("đồng", 1.0), "%": ("%", 1.0),
}


def _missing(what: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing on CI")
    pytest.skip(f"{what} not available yet", allow_module_level=True)


if not (PORTAL_DIR / "server.py").exists():
    _missing("the demo portal (tests/fixtures/portal/server.py)")
for module in ("pipeline.crawl", "pipeline.ingest", "extractors.extract"):
    if importlib.util.find_spec(module) is None:
        _missing(module)

from tests.fixtures.portal.server import PortalServer, article_path, load_articles  # noqa: E402


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


@pytest.fixture(scope="module")
def portal_corpus(tmp_path_factory):
    """The portal crawled and extracted into a corpus; (corpus dir, articles in the store)."""
    corpus = tmp_path_factory.mktemp("portal-corpus")
    with PortalServer(crawl_delay=0) as portal:
        crawl = run_cli("crawl", portal.url, "--out", str(corpus), "--delay", "0", "--max-pages", "300",
                        "--quiet", timeout=300)
        assert crawl.returncode == 0, crawl.stderr[-3000:]
        host = portal.url.split("//")[1].split(":")[0]
    extract = run_cli("extract", "--corpus", str(corpus), timeout=600)
    assert extract.returncode == 0, extract.stderr[-3000:]
    out = run_cli("query", "--corpus", str(corpus), "SELECT url, canonical_url FROM documents", "--format", "json")
    assert out.returncode == 0, out.stderr
    stored_paths = set()
    for row in json.loads(out.stdout):
        for url in (row["url"], row["canonical_url"]):
            if url:
                stored_paths.add("/" + url.split("/", 3)[3].split("?")[0])
    articles = [a for a in load_articles() if article_path(a) in stored_paths]
    return corpus, host, articles


def _facts(articles, host) -> list[dict]:
    rows = []
    for a in articles:
        text = _fold(" ".join([a["title"], a.get("hometext", ""), *a["paragraphs"]]))
        for f in a["facts"]:
            measure, factor = BASE.get(f["unit_of_measure"], (f["unit_of_measure"], 1.0))
            rows.append({"unit": f["unit"], "activity": f["activity"], "measure": measure,
                         "amount": f["value"] * factor, "published_year": int(a["published"][:4]),
                         "source": host, "doc": a["id"], "text": text})
    return rows


def _expected(facts, by: list[str], keep=lambda f: True) -> dict[tuple, tuple[int, int, float]]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for f in facts:
        if keep(f):
            groups[tuple(f[k] for k in by) + (f["measure"],)].append(f)
    return {k: (len(v), len({f["doc"] for f in v}), sum(f["amount"] for f in v)) for k, v in groups.items()}


def _stats(corpus, by: list[str], *options: str) -> dict[tuple, tuple[int, int, float]]:
    out = run_cli("stats", "--corpus", str(corpus), "--by", ",".join(by), *options, "--format", "json")
    assert out.returncode == 0, out.stderr
    return {tuple(r[k] for k in by) + (r["measure"],): (r["records"], r["documents"], r["sum"])
            for r in json.loads(out.stdout)}


def _assert_same(got: dict, expected: dict) -> None:
    assert set(got) == set(expected), {"missing": sorted(set(expected) - set(got), key=str),
                                       "unexpected": sorted(set(got) - set(expected), key=str)}
    for key, (records, documents, total) in expected.items():
        assert got[key][:2] == (records, documents), key
        assert got[key][2] == pytest.approx(total, rel=1e-9), key


def test_every_article_is_crawled_and_extracted(portal_corpus):
    corpus, _, articles = portal_corpus
    assert sorted(a["id"] for a in articles) == sorted(a["id"] for a in load_articles())
    out = run_cli("query", "--corpus", str(corpus), "SELECT count(*) AS n FROM document_rows "
                  "WHERE n_records = 0 OR warc_record_id IS NULL OR published IS NULL OR extracted_at IS NULL",
                  "--format", "json")
    assert json.loads(out.stdout) == [{"n": 0}]


@pytest.mark.parametrize("measure", ["đồng", "kg", "m²", "m³"])
def test_totals_by_year_in_base_units(portal_corpus, measure):
    corpus, host, articles = portal_corpus
    facts = _facts(articles, host)
    got = _stats(corpus, ["published_year"], "--where", f"base_unit={measure}")
    _assert_same(got, _expected(facts, ["published_year"], lambda f: f["measure"] == measure))


def test_mass_by_source(portal_corpus):
    corpus, host, articles = portal_corpus
    got = _stats(corpus, ["source"], "--where", "dimension=mass")
    _assert_same(got, _expected(_facts(articles, host), ["source"], lambda f: f["measure"] == "kg"))


def test_money_of_articles_about_inspections(portal_corpus):
    corpus, host, articles = portal_corpus
    phrase = re.compile(r"\bkiểm tra\b")
    got = _stats(corpus, ["published_year"], "--where", "base_unit=đồng", "--search", "kiem tra")
    expected = _expected(_facts(articles, host), ["published_year"],
                         lambda f: f["measure"] == "đồng" and phrase.search(f["text"]) is not None)
    assert expected  # the portal has such articles: the check is not vacuous
    _assert_same(got, expected)


# Needs the extractors to give the facts' canonical unit names, activities and
# units of measure exactly: see the store engineer's report for the current
# differences (e.g. "Chi cục An tòan vệ sinh thực phẩm Điện Biên" for "Chi cục
# An toàn vệ sinh thực phẩm tỉnh Điện Biên").  strict: remove this marker as
# soon as it passes.
@pytest.mark.xfail(strict=True, reason="extraction does not yet reproduce the facts' names and activities")
def test_records_by_unit_and_activity(portal_corpus):
    corpus, host, articles = portal_corpus
    got = _stats(corpus, ["unit", "activity"])
    _assert_same(got, _expected(_facts(articles, host), ["unit", "activity"]))


def test_money_by_unit(portal_corpus):
    corpus, host, articles = portal_corpus
    got = _stats(corpus, ["unit"], "--where", "base_unit=đồng")
    _assert_same(got, _expected(_facts(articles, host), ["unit"], lambda f: f["measure"] == "đồng"))


@pytest.mark.parametrize("table", ["records", "quantities", "units", "documents"])
def test_csv_and_parquet_exports_round_trip(portal_corpus, tmp_path, table):
    """Every row of the store reaches both exports, with numbers typed as numbers."""
    import csv

    corpus = portal_corpus[0]
    store_rows = json.loads(run_cli("query", "--corpus", str(corpus), "--format", "json",
                                    f"SELECT count(*) AS n FROM {table}").stdout)[0]["n"]
    assert store_rows > 0
    out_csv = tmp_path / f"{table}.csv"
    proc = run_cli("export", str(corpus), "--format", "csv", "--table", table, "--output", str(out_csv))
    assert proc.returncode == 0, proc.stderr
    with out_csv.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == store_rows
    numeric = {"records": "value", "quantities": "value", "units": "start", "documents": "quantities"}[table]
    assert all(float(r[numeric]) >= 0 for r in rows)  # numbers stay numbers (no leading ')
    pq = pytest.importorskip("pyarrow.parquet")
    out_pq = tmp_path / f"{table}.parquet"
    proc = run_cli("export", str(corpus), "--format", "parquet", "--table", table, "--output", str(out_pq))
    assert proc.returncode == 0, proc.stderr
    parquet = pq.read_table(out_pq)
    assert parquet.num_rows == store_rows
    assert str(parquet.schema.field(numeric).type) in ("double", "int64")
    assert parquet.column("doc_id").to_pylist() == [r["doc_id"] for r in rows]
