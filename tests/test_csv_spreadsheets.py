"""CSV as LibreOffice Calc reads it: converted headless (CSV → CSV of the cell
values, formulas evaluated on import) and read back.  Nothing we write runs,
and what we leave alone (a lone ``=``, plain numbers) reads back as written.

Needs ``soffice`` (Debian: ``apt-get install libreoffice-calc-nogui``, which
.ci/run installs); skipped where it is absent.
"""
from __future__ import annotations

import csv
import re
import shutil
import subprocess

import pytest

from pipeline.export import export
from pipeline.records import Document
from tests.test_export import FORMULAS, NOT_FORMULAS

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")

# comma, double quote, UTF-8 (76), from line 1, evaluate formulas (13th token) on import
IMPORT_UTF8 = "CSV:44,34,76,1,,0,false,true,false,false,false,false,true"
EXPORT_VALUES = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false"


def calc_values(path, tmp_path) -> list[list[str]]:
    """The cell values LibreOffice Calc shows for a CSV file, as rows."""
    out = tmp_path / "calc"
    profile = tmp_path / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", f"--infilter={IMPORT_UTF8}",
                    "--convert-to", EXPORT_VALUES, "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=180)
    with open(out / path.name, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_calc_runs_a_raw_formula(tmp_path):
    """The control: unneutralized, Calc evaluates the cell (so the test below can fail)."""
    raw = tmp_path / "raw.csv"
    raw.write_text("title\n=1+1\n", encoding="utf-8")
    assert calc_values(raw, tmp_path) == [["title"], ["2"]]


def test_calc_reads_back_every_cell_as_written(tmp_path):
    texts = list(FORMULAS) + [t for t in NOT_FORMULAS if t.strip()] + ["Sở Khoa học và Công nghệ tỉnh Cao Bằng"]
    docs = [Document(doc_id=f"d{i}", text="x", title=t) for i, t in enumerate(texts)]
    path = tmp_path / "documents.csv"
    export(docs, "csv", path, table="documents")           # UTF-8 with a BOM, as users get it
    with open(path, encoding="utf-8-sig", newline="") as fh:
        written = list(csv.reader(fh))
    shown = calc_values(path, tmp_path)
    title = written[0].index("title")
    assert len(shown) == len(written) == len(texts) + 1
    for text, calc_row, our_row in zip(texts, shown[1:], written[1:]):
        expected = "'" + text if text in FORMULAS else text
        assert our_row[title] == expected
        if re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
            # a plain number is read as that number (Calc shows "+84" as 84): nothing ran
            assert float(calc_row[title]) == float(text)
        else:
            # Calc keeps a carriage return inside a cell as its line break (LF): not a formula either
            assert calc_row[title] == expected.replace("\r", "\n")
