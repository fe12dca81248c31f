"""End to end over two sites: the demo portal and a provincial newspaper that
republishes some of its articles (``tests/fixtures/newspaper/``).

Expected figures come from the fixtures' ``facts`` alone — each fact carries
the province and year a human reads in its article, and a republished fact
names the fact it repeats (``same_as``) — never from the pipeline's output.
"""
from __future__ import annotations

import json
from collections import defaultdict

import pytest

from tests.conftest import run_cli
from tests.fixtures.newspaper.server import NewspaperServer, load_newspaper_articles
from tests.fixtures.portal.server import PortalServer, article_path, load_articles
from tests.test_stats_portal import BASE

from pipeline import provinces as pv

OLD_TO_NEW = {p.name: pv.provinces_2025()[p.code_2025].name for p in pv.provinces().values()}


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("two-sites")
    with PortalServer(crawl_delay=0) as portal, NewspaperServer(crawl_delay=0) as paper:
        crawl = run_cli("crawl", portal.url, paper.url, "--out", str(corpus), "--delay", "0",
                        "--max-pages", "400", "--quiet", timeout=300)
        assert crawl.returncode == 0, crawl.stderr[-3000:]
        hosts = {"portal": portal.url.split("//")[1].split(":")[0], "paper": paper.url.split("//")[1].split(":")[0]}
    extract = run_cli("extract", "--corpus", str(corpus), timeout=600)
    assert extract.returncode == 0, extract.stderr[-3000:]
    return corpus, hosts


def _facts() -> list[dict]:
    rows = []
    for site, articles in (("portal", load_articles()), ("paper", load_newspaper_articles())):
        for a in articles:
            for i, f in enumerate(a["facts"]):
                measure, factor = BASE.get(f["unit_of_measure"], (f["unit_of_measure"], 1.0))
                rows.append({**f, "site": site, "article": a["id"], "index": i, "path": article_path(a),
                             "measure": measure, "amount": f["value"] * factor,
                             "province_2025": OLD_TO_NEW[f["province"]], "repeat": "same_as" in f})
    return rows


def _expected(by: list[str], measure: str, count_repeats: bool = False) -> dict[tuple, tuple[int, int, float]]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for f in _facts():
        if f["measure"] == measure and (count_repeats or not f["repeat"]):
            groups[tuple(f[k] for k in by) + (measure,)].append(f)
    return {k: (len(v), len({(f["site"], f["article"]) for f in v}), sum(f["amount"] for f in v))
            for k, v in groups.items()}


def _stats(corpus, by: list[str], *options: str) -> dict[tuple, tuple[int, int, float]]:
    out = run_cli("stats", "--corpus", str(corpus), "--by", ",".join(by), *options, "--format", "json")
    assert out.returncode == 0, out.stderr
    return {tuple(r[k] for k in by) + (r["measure"],): (r["records"], r["documents"], r["sum"])
            for r in json.loads(out.stdout)}


def _assert_same(got: dict, expected: dict) -> None:
    assert expected  # never vacuous
    assert set(got) == set(expected), {"missing": sorted(set(expected) - set(got), key=str),
                                       "unexpected": sorted(set(got) - set(expected), key=str)}
    for key, (records, documents, total) in expected.items():
        assert got[key][:2] == (records, documents), key
        assert got[key][2] == pytest.approx(total, rel=1e-9), key


MEASURES = ["đồng", "m²", "m³", pytest.param("kg", marks=pytest.mark.xfail(
    strict=True, reason="the 2.400 kg of giảo cổ lam follow a sentence saying 'Năm 2020'; the extractor "
                        "gives that sentence no period, so its year falls back to publication (2021)"))]


@pytest.mark.parametrize("measure", MEASURES)
def test_stats_by_province_and_year_count_each_fact_once(two_sites, measure):
    corpus, _ = two_sites
    got = _stats(corpus, ["province", "year"], "--where", f"base_unit={measure}")
    _assert_same(got, _expected(["province", "year"], measure))


@pytest.mark.parametrize("measure", ["đồng", "m²", "m³"])
def test_stats_by_province_2025(two_sites, measure):
    corpus, _ = two_sites
    got = _stats(corpus, ["province_2025", "year"], "--where", f"base_unit={measure}")
    _assert_same(got, _expected(["province_2025", "year"], measure))


def test_count_duplicates_counts_every_document(two_sites):
    corpus, _ = two_sites
    got = _stats(corpus, ["province", "year"], "--where", "base_unit=đồng", "--count-duplicates")
    _assert_same(got, _expected(["province", "year"], "đồng", count_repeats=True))
    counted_once = _stats(corpus, ["province"], "--where", "base_unit=đồng", "--where", "province=Cao Bằng")
    assert counted_once[("Cao Bằng", "đồng")][2] == pytest.approx(
        sum(f["amount"] for f in _facts() if f["measure"] == "đồng" and f["province"] == "Cao Bằng"
            and not f["repeat"]))


def test_repeats_link_back_to_every_sentence(two_sites):
    corpus, hosts = two_sites
    out = run_cli("query", "--corpus", str(corpus), "--format", "json",
                  "SELECT fact_group, source, url, sentence, value, repeated FROM fact_group_rows "
                  "WHERE unit_of_measure = 'đồng' ORDER BY fact_group, published")
    rows = json.loads(out.stdout)
    groups = defaultdict(list)
    for r in rows:
        groups[r["fact_group"]].append(r)
    # the two republished money facts (45 and 198 triệu đồng): one group each, portal first
    assert sorted(g[0]["value"] for g in groups.values()) == [45e6, 198e6]
    for members in groups.values():
        assert [m["source"] for m in members] == [hosts["portal"], hosts["paper"]]
        assert [m["repeated"] for m in members] == [0, 1]
        assert all(m["sentence"] and m["url"] for m in members)
    # the near misses stay apart: 29 cơ sở of 2022, and of another unit
    out = run_cli("query", "--corpus", str(corpus), "--format", "json",
                  "SELECT count(DISTINCT coalesce(fact_group, doc_id || record_idx)) AS n FROM record_rows "
                  "WHERE value = 29 AND NOT restated AND NOT repeated")
    assert json.loads(out.stdout) == [{"n": 3}]


def test_quarter_and_month_where_the_text_says_them(two_sites):
    corpus, _ = two_sites
    got = _stats(corpus, ["province", "year", "quarter"], "--where", "base_unit=đồng", "--where", "quarter=1")
    # Hà Giang's and Bắc Kạn's quý I/2021 money figures
    assert {k[0] for k in got} == {"Hà Giang", "Bắc Kạn"}
    got = _stats(corpus, ["province", "month"], "--where", "month=12", "--where", "base_unit=đồng")
    assert set(got) == {("Cao Bằng", 12, "đồng")}  # tháng 12/2020


def province_table(corpus) -> list[dict]:
    """Each fact of both sites with the province the pipeline gave its record (None when unmatched)."""
    out = run_cli("query", "--corpus", str(corpus), "--format", "json",
                  "SELECT url, canonical_url, value, base_value, quantity_text, province, province_2025, "
                  "province_basis FROM record_rows")
    records = json.loads(out.stdout)
    table = []
    for f in _facts():
        matches = [r for r in records if (r["canonical_url"] or r["url"]).endswith(f["path"])
                   and f["amount"] in (r["value"], r["base_value"])]
        got = matches[0] if matches else {}
        table.append({"site": f["site"], "article": f["article"], "fact": f["quantity_text"],
                      "expected": f["province"], "got": got.get("province"),
                      "expected_2025": f["province_2025"], "got_2025": got.get("province_2025"),
                      "basis": got.get("province_basis"), "matched": bool(matches)})
    return table


def test_province_of_every_record(two_sites):
    corpus, _ = two_sites
    table = province_table(corpus)
    matched = [t for t in table if t["matched"]]
    assert len(matched) >= 0.9 * len(table)  # facts the extractor found at all
    wrong = [t for t in matched if (t["got"], t["got_2025"]) != (t["expected"], t["expected_2025"])]
    assert not wrong, wrong


def test_before_and_after_the_merger_line_up(two_sites):
    """Hà Giang's 2021 money and Tuyên Quang's 2025 money (after Hà Giang merged into it)."""
    corpus, _ = two_sites
    as_published = _stats(corpus, ["province", "year"], "--where", "base_unit=đồng",
                          "--where", "province_2025=Tuyên Quang")
    assert {k[:2] for k in as_published} == {("Hà Giang", 2021), ("Tuyên Quang", 2021), ("Tuyên Quang", 2025)}
    merged = _stats(corpus, ["province_2025", "year"], "--where", "base_unit=đồng", "--where", "province_2025=Tuyên Quang")
    assert merged[("Tuyên Quang", 2021, "đồng")][2] == pytest.approx(312e6 + 96e6 + 3.2e9)
    assert merged[("Tuyên Quang", 2025, "đồng")][2] == pytest.approx(2.7e9)
    out = run_cli("query", "--corpus", str(corpus), "--format", "json",
                  "SELECT DISTINCT province_code, province, province_2025_code FROM record_rows "
                  "WHERE published >= '2026' AND province IS NOT NULL")
    assert json.loads(out.stdout) == [{"province_code": "08", "province": "Tuyên Quang", "province_2025_code": "08"}]
