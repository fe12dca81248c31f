"""Exports: JSON/JSONL round trips, CSV that Excel opens safely, every table."""
from __future__ import annotations

import csv
import io
import json

import jsonschema
import pytest

from conftest import run_cli
from extractors.mentions import Period, Quantity, Record, Unit
from pipeline.export import TABLES, excel_safe, export, table_rows
from pipeline.records import Document, read_jsonl


def make_doc() -> Document:
    text = "=HYPERLINK(\"http://x\")\n\nChi cục QLTT đã kiểm tra 29 cơ sở; thu -5 triệu đồng."
    i = text.index("29 cơ sở")
    q = Quantity(text="29 cơ sở", start=i, end=i + 8, value=29.0, unit_of_measure="cơ sở", item="@cơ sở", dimension="count")
    u0 = text.index("Chi cục QLTT")
    unit = Unit(text="Chi cục QLTT", start=u0, end=u0 + 12, name="Chi cục Quản lý thị trường", kind="Chi cục")
    s0 = text.index("Chi cục")
    rec = Record.for_quantity(0, q, unit=unit.name, activity="kiểm tra", sentence=text[s0:], start=s0,
                              end=len(text), period=Period("quý I/2024", "2024-01-01", "2024-03-31"))
    return Document(doc_id="d1", text=text, url="file:///tmp/x.txt", title='=HYPERLINK("http://x")',
                    units=[unit], quantities=[q], records=[rec])


# what a spreadsheet runs (OWASP): a formula sign, also behind blanks, line
# breaks or a quote, also in its full-width form
FORMULAS = ("=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", " =1+1", "\n=1+1", '"=1+1', '  "@SUM(1)',
            "\uff1d1+1", "\uff0b1+1", " \uff1d1+1", "==", "-A1", "+84 206 3852 131")
# what it does not: a sign alone, plain numbers, text
NOT_FORMULAS = ("=", " =", "-", "+", "@", "-5", "+84", "-1.5", "Sở Y tế", "\tx", "\rx", "a=1+1", "'=1+1", "")


@pytest.mark.parametrize("text", FORMULAS)
def test_excel_safe_neutralizes_formulas(text):
    assert excel_safe(text) == "'" + text


@pytest.mark.parametrize("text", NOT_FORMULAS)
def test_excel_safe_leaves_what_no_spreadsheet_runs(text):
    assert excel_safe(text) == text


def test_excel_safe_keeps_numbers():
    assert excel_safe(-5.0) == -5.0 and excel_safe(29) == 29


def test_csv_has_bom_by_default_and_neutralized_cells(tmp_path):
    path = tmp_path / "r.csv"
    export([make_doc()], "csv", path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["title"].startswith("'=HYPERLINK")
    assert row["item"] == "'@cơ sở"
    assert row["value"] == "29.0"  # a number, not neutralized
    assert row["unit"] == "Chi cục Quản lý thị trường"
    assert row["period_start"] == "2024-01-01"
    assert list(rows[0].keys()) == TABLES["records"]


def test_csv_no_bom(tmp_path):
    path = tmp_path / "r.csv"
    export([make_doc()], "csv", path, bom=False)
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("table,expected", [("records", 1), ("quantities", 1), ("units", 1), ("documents", 1)])
def test_every_table_has_its_rows(table, expected):
    cols, rows = table_rows([make_doc(), Document(doc_id="empty", text="x")], table)
    rows = list(rows)
    assert len(rows) == expected + (1 if table == "documents" else 0)
    assert all(set(r) <= set(cols) for r in rows)


def test_jsonl_and_json_round_trip_and_validate(tmp_path, schema):
    doc = make_doc()
    export([doc], "jsonl", tmp_path / "d.jsonl")
    back = read_jsonl(tmp_path / "d.jsonl")
    assert back[0].to_dict() == doc.to_dict()
    export([doc, doc], "json", tmp_path / "d.json")
    arr = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    assert len(arr) == 2
    for d in arr:
        jsonschema.validate(d, schema)


def test_cli_export_csv_tables(tmp_path):
    src = tmp_path / "d.jsonl"
    export([make_doc()], "jsonl", src)
    for table in TABLES:
        out = tmp_path / f"{table}.csv"
        proc = run_cli("export", str(src), "--format", "csv", "--table", table, "--output", str(out))
        assert proc.returncode == 0, proc.stderr
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_cli_export_bad_source_is_one_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    for src in (bad, tmp_path / "missing.jsonl"):
        proc = run_cli("export", str(src), "--format", "csv", "--output", str(tmp_path / "o.csv"))
        assert proc.returncode == 2
        assert "Traceback" not in proc.stderr and str(src) in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
