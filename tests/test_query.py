"""Read-only SQL and grouped statistics on a real store, through the library and the real CLI.

Expected numbers are worked out by hand from tests/fixtures/store/make_documents.py:
the market-surveillance sub-departments (Chi cục Quản lý thị trường) inspected
45 businesses in Cao Bằng (6 months of 2023), 120 in Hà Giang (2023) and 60
in Hà Giang (an article of 2022 with no stated period).
"""
from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3

import pytest

from pipeline.query import QueryError, ReadOnlyError, run_query, stats
from pipeline.records import read_jsonl
from pipeline.store import SCHEMA_VERSION, CorpusStore
from tests.conftest import run_cli
from tests.test_store import FIXTURE, build_fixture_corpus

QLTT_CB = "Chi cục Quản lý thị trường tỉnh Cao Bằng"
QLTT_HG = "Chi cục Quản lý thị trường tỉnh Hà Giang"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return build_fixture_corpus(tmp_path_factory.mktemp("corpus"))


def _dump(corpus) -> list[str]:
    conn = sqlite3.connect(corpus / "corpus.sqlite")
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _rows(result) -> list[dict]:
    columns, rows = result
    return [dict(zip(columns, r)) for r in rows]


def test_select(corpus):
    columns, rows = run_query(corpus, "SELECT count(*) AS n, count(DISTINCT doc_id) AS docs FROM records")
    assert columns == ["n", "docs"] and rows == [(12, 6)]
    rows = _rows(run_query(corpus, "SELECT unit, value, sentence, url, published, warc_record_id FROM record_rows "
                                   "WHERE activity = 'kiểm định'"))
    assert len(rows) == 1
    assert rows[0]["value"] == 1511.0
    assert rows[0]["sentence"].endswith("đã kiểm định 1.511 phương tiện đo.")
    assert rows[0]["url"] == "https://hagiang.example.gov.vn/tin-tuc/tong-ket-2023.html"
    assert rows[0]["published"] == "2023-12-28"
    assert rows[0]["warc_record_id"].startswith("<urn:uuid:")
    # read pragmas and full-text search work on the read-only connection
    assert run_query(corpus, "PRAGMA user_version")[1] == [(SCHEMA_VERSION,)]
    assert "unit" in [r[1] for r in run_query(corpus, "PRAGMA table_info(records)")[1]]
    assert run_query(corpus, "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'giảo'")[1] == [(1,)]


WRITES = [
    "INSERT INTO documents (doc_id, text, text_sha1, added_at, updated_at) VALUES ('x', 'y', 'z', '', '')",
    "UPDATE records SET value = 0",
    "DELETE FROM records",
    "DROP TABLE records",
    "DROP VIEW record_rows",
    "CREATE TABLE evil (a)",
    "CREATE TEMP TABLE evil (a)",
    "ALTER TABLE records ADD COLUMN evil",
    "REPLACE INTO units SELECT * FROM units",
    "WITH x AS (SELECT 1) DELETE FROM records",
    "ATTACH DATABASE '{tmp}/other.sqlite' AS other",
    "PRAGMA user_version = 7",
    "PRAGMA journal_mode = DELETE",
    "PRAGMA writable_schema = 1",
    "PRAGMA foreign_keys = OFF",
    "VACUUM",
    "INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')",
    "BEGIN IMMEDIATE",
]


@pytest.mark.parametrize("sql", WRITES)
def test_writes_are_refused(corpus, tmp_path, sql):
    before = _dump(corpus)
    with pytest.raises(ReadOnlyError, match="read-only"):
        run_query(corpus, sql.format(tmp=tmp_path))
    assert _dump(corpus) == before
    assert not (tmp_path / "other.sqlite").exists()


@pytest.mark.parametrize("sql", ["INSERT INTO records (doc_id) VALUES ('x')", "DROP TABLE records",
                                 "ATTACH DATABASE 'x.sqlite' AS x", "PRAGMA user_version = 3",
                                 "UPDATE documents SET title = 'x'"])
def test_cli_refuses_writes(corpus, tmp_path, sql):
    before = _dump(corpus)
    result = run_cli("query", "--corpus", str(corpus), sql, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("provnews query: refused"), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert _dump(corpus) == before
    assert not (tmp_path / "x.sqlite").exists()


def test_cli_query_formats(corpus):
    sql = "SELECT unit, sum(value) AS total FROM records WHERE activity = 'kiểm tra' GROUP BY unit ORDER BY unit"
    out = run_cli("query", "--corpus", str(corpus), sql, "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [{"unit": QLTT_CB, "total": 45.0}, {"unit": QLTT_HG, "total": 180.0}]
    out = run_cli("query", "--corpus", str(corpus), sql, "--format", "csv")
    assert list(csv.reader(io.StringIO(out.stdout))) == [["unit", "total"], [QLTT_CB, "45"], [QLTT_HG, "180"]]
    out = run_cli("query", "--corpus", str(corpus), sql)
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["unit", "total"] and QLTT_HG in lines[3] and lines[3].endswith("180")
    assert lines[-1] == "(2 rows)"


def test_cli_query_errors(corpus, tmp_path):
    out = run_cli("query", "--corpus", str(corpus), "SELEC 1")
    assert out.returncode == 1 and out.stderr.strip() == 'provnews query: SQL error: near "SELEC": syntax error'
    out = run_cli("query", "--corpus", str(tmp_path / "none"), "SELECT 1")
    assert out.returncode == 1 and "no corpus store" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "none").exists()
    out = run_cli("query", "--corpus", str(corpus), "SELECT 1; DROP TABLE records")
    assert out.returncode != 0 and len(out.stderr.strip().splitlines()) == 1


def test_stats_inspections_by_unit_and_year(corpus):
    rows = _rows(stats(corpus, "unit,year", ["activity=kiểm tra", "unit_of_measure=cơ sở"]))
    assert rows == [
        {"unit": QLTT_CB, "year": 2023, "measure": "cơ sở", "records": 1, "documents": 1, "sum": 45.0, "min": 45.0, "max": 45.0, "repeats": 0},
        {"unit": QLTT_HG, "year": 2022, "measure": "cơ sở", "records": 1, "documents": 1, "sum": 60.0, "min": 60.0, "max": 60.0, "repeats": 0},
        {"unit": QLTT_HG, "year": 2023, "measure": "cơ sở", "records": 1, "documents": 1, "sum": 120.0, "min": 120.0, "max": 120.0, "repeats": 0},
    ]
    rows = _rows(stats(corpus, ["unit"], ["activity=kiểm tra"]))
    assert [(r["unit"], r["records"], r["documents"], r["sum"]) for r in rows] == [
        (QLTT_HG, 2, 2, 180.0), (QLTT_CB, 1, 1, 45.0)]


def test_stats_year_is_the_period_year(corpus):
    # The giảo cổ lam article was published in 2024 about "Năm 2023".
    rows = _rows(stats(corpus, "year,published_year", ["unit~Giảo cổ lam"]))
    assert {(r["year"], r["published_year"], r["measure"], r["sum"]) for r in rows} == {
        (2023, 2024, "hộp", 8069.0), (2023, 2024, "kg", 2500.0)}


def test_stats_sums_in_base_units(corpus):
    rows = _rows(stats(corpus, "unit_of_measure", []))
    by = {r["unit_of_measure"]: r for r in rows}
    assert by["km"]["measure"] == "m" and by["km"]["sum"] == 23000.0 and by["km"]["documents"] == 2
    assert by["tấn"]["measure"] == "kg" and by["tấn"]["sum"] == 2500.0
    assert by["đồng"]["sum"] == 150e6
    assert by["cơ sở"]["records"] == 5 and by["cơ sở"]["sum"] == 45 + 12 + 120 + 30 + 60
    assert sum(r["records"] for r in rows) == 12
    # by a base unit: mass from tấn and kg together
    rows = _rows(stats(corpus, "base_unit,dimension", ["dimension=mass"]))
    assert rows == [{"base_unit": "kg", "dimension": "mass", "measure": "kg", "records": 2, "documents": 2,
                     "sum": 3000.0, "min": 500.0, "max": 2500.0, "repeats": 0}]


def test_stats_where_forms(corpus):
    rows = _rows(stats(corpus, "activity", ["unit="]))  # no unit named
    assert {(r["activity"], r["sum"]) for r in rows} == {("xuất hiện", 20000.0), ("làm", 3000.0)}
    rows = _rows(stats(corpus, "unit", ["unit~Quản lý thị trường"]))
    assert sum(r["records"] for r in rows) == 7
    rows = _rows(stats(corpus, "source", ["source!=caobang.example.gov.vn", "dimension=count"]))
    assert {(r["source"], r["measure"], r["records"]) for r in rows} == {
        ("hagiang.example.gov.vn", "cơ sở", 3), ("hagiang.example.gov.vn", "phương tiện đo", 1)}
    # != keeps rows where the field is empty (the local file has no source)
    rows = _rows(stats(corpus, "source", ["source!=caobang.example.gov.vn", "dimension=length"]))
    assert {(r["source"], r["sum"]) for r in rows} == {("baoquangngai.example.vn", 20000.0), (None, 3000.0)}
    rows = _rows(stats(corpus, "year", ["year=2022"]))
    assert [(r["year"], r["measure"], r["sum"]) for r in rows] == [(2022, "cơ sở", 60.0), (2022, "kg", 500.0)]
    # values never become SQL
    assert stats(corpus, "unit", ["unit=x' OR 1=1 --"])[1] == []
    assert stats(corpus, "unit", ["unit~%"])[1] == []


def test_stats_search(corpus):
    rows = _rows(stats(corpus, "unit", [], search="giao co lam"))
    assert {r["unit"] for r in rows} == {"Hợp tác xã Giảo cổ lam Hòa Bình"}
    rows = _rows(stats(corpus, "source", ["activity=kiểm tra"], search="kiểm tra"))
    assert {(r["source"], r["sum"]) for r in rows} == {("hagiang.example.gov.vn", 180.0),
                                                       ("caobang.example.gov.vn", 45.0)}
    assert stats(corpus, "unit", [], search="xăng dầu, Cao Bằng")[1] == []
    assert _rows(stats(corpus, "unit", [], search="xang dau"))[0]["sum"] == 60.0


@pytest.mark.parametrize("by, where", [
    ("unit; DROP TABLE records", []), ("unit,unit", []), ("sentence", []), ("", ["bogus=1"]),
    ("unit", ["unit"]), ("unit", ["year=abc"]),
])
def test_stats_rejects_bad_fields(corpus, by, where):
    with pytest.raises(QueryError):
        stats(corpus, by or "unit", where)


def test_cli_stats(corpus):
    out = run_cli("stats", "--corpus", str(corpus), "--by", "unit,year", "--where", "activity=kiểm tra",
                  "--where", "unit_of_measure=cơ sở", "--search", "kiem tra", "--format", "json")
    assert out.returncode == 0, out.stderr
    got = {(r["unit"], r["year"]): (r["sum"], r["documents"]) for r in json.loads(out.stdout)}
    assert got == {(QLTT_CB, 2023): (45.0, 1), (QLTT_HG, 2023): (120.0, 1), (QLTT_HG, 2022): (60.0, 1)}
    out = run_cli("stats", "--corpus", str(corpus), "--by", "unit,activity,unit_of_measure,year", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(table) == 12 and sum(int(r["records"]) for r in table) == 12
    out = run_cli("stats", "--corpus", str(corpus), "--by", "unit;drop")
    assert out.returncode == 2 and out.stderr.startswith("provnews stats: --by unit;drop: unknown field")


def test_cli_stats_says_when_documents_are_not_extracted_yet(tmp_path):
    """A store that was crawled but not extracted has no records: stats says so on stderr and names
    the command that extracts it, instead of an empty table that looks like a corpus without figures.
    Once part of it is extracted, the rows come with the count of the documents still left out."""
    from pipeline.records import Document, make_doc_id

    crawled = tmp_path / "crawled"
    with CorpusStore(crawled) as store:
        for i in range(2):
            url = f"https://p.example/tin-{i}.html"
            store.add_document(Document(doc_id=make_doc_id(url), text=f"Năm 2023, Sở Y tế kiểm tra {i + 3} cơ sở.",
                                        url=url, source="p.example", title=f"Tin {i}"))
    out = run_cli("stats", "--corpus", str(crawled), "--by", "unit")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[-1] == "(0 rows)"
    assert out.stderr.splitlines() == [
        f"provnews stats: {crawled / 'corpus.sqlite'}: 2 documents not extracted yet, not counted: "
        f"run provnews extract --corpus {crawled}"]

    partly = build_fixture_corpus(tmp_path / "partly")
    with CorpusStore(partly) as store:
        store.add_document(Document(doc_id=make_doc_id("https://p.example/moi.html"), text="Tin mới.",
                                    url="https://p.example/moi.html", source="p.example", title="Tin mới"))
    out = run_cli("stats", "--corpus", str(partly), "--by", "unit", "--format", "json")
    assert out.returncode == 0 and json.loads(out.stdout), out.stderr
    assert out.stderr == (f"provnews stats: {partly / 'corpus.sqlite'}: 1 document not extracted yet, not counted: "
                          f"run provnews extract --corpus {partly}\n")
    out = run_cli("stats", "--corpus", str(build_fixture_corpus(tmp_path / "done")), "--by", "unit")
    assert out.returncode == 0 and out.stderr == ""


def _headline_doc():
    """A portal article: the headline restates one body figure and has one of its own."""
    from extractors.mentions import Quantity, Record
    from pipeline.records import Document, make_doc_id

    title = "Chi cục Kiểm lâm trồng 1.820 ha rừng, tuần tra 5 lượt"
    text = title + "\n\nNăm 2021, Chi cục Kiểm lâm tỉnh Lào Cai đã trồng 1.820 ha rừng."
    doc = Document(doc_id=make_doc_id("https://p.example/a"), text=text, url="https://p.example/a",
                   source="p.example", title=title, published="2021-08-09")
    unit = "Chi cục Kiểm lâm tỉnh Lào Cai"
    for surface, value, uom, base, base_unit, activity in [
            ("1.820 ha", 1820.0, "ha", 18_200_000.0, "m²", "trồng"), ("5 lượt", 5.0, "lượt", None, None, "tuần tra"),
            ("1.820 ha", 1820.0, "ha", 18_200_000.0, "m²", "trồng")]:
        start = text.index(surface, doc.quantities[-1].end if doc.quantities else 0)
        q = Quantity(text=surface, start=start, end=start + len(surface), value=value, unit_of_measure=uom,
                     base_value=base, base_unit=base_unit, dimension="area" if base else "count")
        in_title = start < len(title)
        s_start, s_end = (0, len(title)) if in_title else (len(title) + 2, len(text))
        doc.quantities.append(q)
        doc.records.append(Record.for_quantity(len(doc.quantities) - 1, q, unit=unit, activity=activity,
                                               sentence=text[s_start:s_end], start=s_start, end=s_end))
    return doc


def test_headline_figures_are_counted_once(tmp_path):
    with CorpusStore(tmp_path) as store:
        store.add_extracted_document(_headline_doc())
    rows = _rows(run_query(tmp_path, "SELECT quantity_text, in_title, restated FROM record_rows ORDER BY record_idx"))
    assert [(r["quantity_text"], r["in_title"], r["restated"]) for r in rows] == [
        ("1.820 ha", 1, 1), ("5 lượt", 1, 0), ("1.820 ha", 0, 0)]
    got = {r["measure"]: (r["records"], r["sum"]) for r in _rows(stats(tmp_path, "unit", []))}
    assert got == {"m²": (1, 18_200_000.0), "lượt": (1, 5.0)}  # the title-only figure stays
    got = {r["measure"]: (r["records"], r["sum"]) for r in _rows(stats(tmp_path, "unit", [], restated=True))}
    assert got == {"m²": (2, 36_400_000.0), "lượt": (1, 5.0)}


def test_query_while_store_is_written(corpus, tmp_path):
    # A copy being written by a crawler can be queried at the same time (WAL).
    copy_dir = tmp_path / "live"
    copy_dir.mkdir()
    shutil.copy(corpus / "corpus.sqlite", copy_dir / "corpus.sqlite")
    docs = read_jsonl(FIXTURE)
    with CorpusStore(copy_dir) as store:
        store.delete_document(docs[0].doc_id)
        store.conn.execute("BEGIN IMMEDIATE")  # a writer holds the lock
        try:
            assert run_query(copy_dir, "SELECT count(*) FROM documents")[1] == [(5,)]
        finally:
            store.conn.execute("ROLLBACK")


def test_json_output_is_standard_json_for_infinities(corpus):
    proc = run_cli("query", "SELECT 1e999 AS big, -1e999 AS small, 1.5 AS x", "--corpus", str(corpus),
                   "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "Infinity" not in proc.stdout
    assert json.loads(proc.stdout) == [{"big": None, "small": None, "x": 1.5}]
