"""``make run`` (``python -m pipeline.demo``) end to end in a fresh interpreter, as on a new machine.

The demo imports the test fixtures' servers; with the [replay] extra installed,
pywb's own top-level ``tests`` package once hid them and ``make run`` failed
with "No module named 'tests.fixtures'" although every test passed.
"""
from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys

from conftest import ROOT


def test_make_run_crawls_both_sites_and_exports(tmp_path):
    corpus, outputs = tmp_path / "corpus", tmp_path / "outputs"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    done = subprocess.run([sys.executable, "-m", "pipeline.demo", "--corpus", str(corpus), "--outputs", str(outputs)],
                          cwd=ROOT, env={**env, "HF_HUB_OFFLINE": "1"}, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (done.stdout[-1500:], done.stderr[-1500:])
    with sqlite3.connect(corpus / "corpus.sqlite") as conn:
        sources = {s for (s,) in conn.execute("SELECT DISTINCT source FROM documents")}
        records = conn.execute("SELECT count(*) FROM records").fetchone()[0]
    assert len(sources) == 2 and records > 0  # the portal and the newspaper, extracted
    with open(outputs / "samples-records.csv", encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.DictReader(fh))) > 0
    assert "Corpus totals:" in done.stdout
