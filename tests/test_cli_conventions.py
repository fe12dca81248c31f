"""The conventions of the field's command-line tools: ``-`` for stdin/stdout,
``--quiet``, one progress display that redraws in place on a terminal and
prints plain lines otherwise, and ``--version`` (tests/test_schema.py)."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli
from pipeline.progress import CrawlCounts, Progress

SAMPLE = next((ROOT / "corpus" / "samples").glob("*.txt"))


def test_extract_reads_stdin_and_writes_stdout():
    ran = run_cli("extract", "-", "-o", "-", "--quiet", input=SAMPLE.read_text(encoding="utf-8"))
    assert ran.returncode == 0, ran.stderr
    docs = [json.loads(line) for line in ran.stdout.splitlines()]
    assert len(docs) == 1 and docs[0]["url"] is None and docs[0]["records"]
    assert docs[0]["title"] == SAMPLE.read_text(encoding="utf-8").splitlines()[0].strip()
    assert ran.stderr == ""                                   # --quiet: nothing but errors


def test_extract_from_stdin_recognizes_html():
    page = ("<!DOCTYPE html><html><head><title>Sở Y tế kiểm tra 12 cơ sở</title></head><body><article>"
            "<h1>Sở Y tế kiểm tra 12 cơ sở</h1><p>Sở Y tế tỉnh Cao Bằng đã kiểm tra 12 cơ sở kinh doanh thực "
            "phẩm trong tháng 3 năm 2024.</p></article></body></html>")
    ran = run_cli("extract", "-", "--quiet", input=page)
    assert ran.returncode == 0, ran.stderr
    doc = json.loads(ran.stdout)
    assert "<" not in doc["text"] and "12 cơ sở" in doc["text"]


def test_export_pipes_from_stdin_to_stdout():
    extracted = run_cli("extract", str(SAMPLE), "--quiet").stdout
    ran = run_cli("export", "-", "--format", "csv", "-o", "-", "--quiet", input=extracted)
    assert ran.returncode == 0, ran.stderr
    rows = list(csv.DictReader(io.StringIO(ran.stdout.lstrip("\ufeff"))))
    assert rows and len(rows) == len(json.loads(extracted)["records"])
    binary = subprocess.run([sys.executable, "-m", "pipeline.cli", "export", "-", "--format", "parquet", "-o", "-"],
                            input=extracted.encode("utf-8"), capture_output=True, cwd=ROOT)
    if binary.returncode == 0:
        assert binary.stdout[:4] == b"PAR1" and binary.stdout[-4:] == b"PAR1"
    else:
        pytest.importorskip("pyarrow")
        pytest.fail(binary.stderr.decode())
    # and no file named "-" was left behind
    assert not (ROOT / "-").exists()


def test_show_reads_stdin():
    ran = run_cli("show", "-", input=SAMPLE.read_text(encoding="utf-8"))
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines()[0] == SAMPLE.read_text(encoding="utf-8").splitlines()[0].strip()


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_redraws_one_line_on_a_terminal():
    term = Terminal()
    progress = Progress(stream=term, label="extract", total=50, every=0)
    for _ in range(50):
        progress.step()
    progress.finish()
    out = term.getvalue()
    assert "\r" in out and "50/50" in out
    assert out.count("\n") <= 1                             # redrawn in place, one line left at the end


def test_progress_prints_plain_lines_into_a_file():
    log = io.StringIO()
    progress = Progress(stream=log, label="extract", total=3, every=0)
    for _ in range(3):
        progress.step()
    crawl = Progress(stream=log, every=0)
    crawl.update(CrawlCounts(fetched=2, queued=1, stored=1))
    crawl.finish(CrawlCounts(fetched=3, stored=2))
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue() and "\x1b" not in log.getvalue()
    assert lines[:3] == [line for line in lines[:3] if line.startswith("extract: ")] and "3/3" in lines[2]
    assert lines[3].startswith("crawl: fetched 2") and lines[-1].startswith("crawl: fetched 3")


def test_quiet_progress_prints_nothing():
    term = Terminal()
    progress = Progress(stream=term, quiet=True, label="extract", total=10, every=0)
    for _ in range(10):
        progress.step()
    progress.update(CrawlCounts(fetched=1))
    progress.finish(CrawlCounts())
    assert term.getvalue() == ""
