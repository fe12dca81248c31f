"""``provnews query`` stops a runaway statement at its time limit (real store, real CLI)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.query import QueryTimeout, run_query
from tests.conftest import interrupt, run_cli
from tests.test_store import build_fixture_corpus

ENDLESS = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return build_fixture_corpus(tmp_path_factory.mktemp("corpus"))


def test_recursive_cte_is_stopped_by_the_library(corpus):
    with pytest.raises(QueryTimeout, match="stopped after 0.5 s"):
        run_query(corpus, ENDLESS, timeout=0.5)
    # an ordinary query under the same limit still answers
    cols, rows = run_query(corpus, "SELECT count(*) AS n FROM documents", timeout=0.5)
    assert cols == ["n"] and rows[0][0] > 0


def test_cli_default_limit_stops_a_recursive_cte(corpus):
    started = time.monotonic()
    proc = run_cli("query", ENDLESS, "--corpus", str(corpus), timeout=120)
    took = time.monotonic() - started
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "provnews query: stopped after 5 s (the time limit; --timeout to change it)"]
    assert "Traceback" not in proc.stderr
    assert took < 60      # not a timing claim: a guard so that a regression fails instead of hanging


def test_cli_timeout_option(corpus):
    proc = run_cli("query", ENDLESS, "--corpus", str(corpus), "--timeout", "1", timeout=120)
    assert proc.returncode == 1 and "stopped after 1 s" in proc.stderr


def test_ctrl_c_stops_a_query_without_a_time_limit(corpus):
    """With ``--timeout 0`` SQLite runs without a deadline; Ctrl-C must still stop it (rc 130, one line)."""
    import os
    import subprocess

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "query", ENDLESS, "--corpus", str(corpus),
                             "--timeout", "0"], cwd=Path(__file__).resolve().parents[1], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)  # well into the endless statement (the interpreter starts in about a second)
    out, err = interrupt(proc, "the query")
    assert proc.returncode == 130, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_large_result_is_streamed_and_a_table_is_bounded(corpus):
    """CSV gives every row as it comes; the text table shows its first rows with cut cells."""
    from pipeline import query

    many = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r LIMIT 25000) SELECT n, " \
           "printf('%.*c', 500, 'x') AS wide FROM r"
    cols, rows = query.iter_query(corpus, many)
    first = next(rows)  # read one: the rest are not fetched yet
    assert cols == ["n", "wide"] and first[0] == 1
    rows.close()
    proc = run_cli("query", many, "--corpus", str(corpus), "--format", "csv", timeout=120)
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 25001
    table = run_cli("query", many, "--corpus", str(corpus), timeout=120).stdout.splitlines()
    assert table[-1] == f"(first {query.TABLE_MAX_ROWS} rows; --format csv or json for all)"
    assert len(table) == query.TABLE_MAX_ROWS + 3
    assert max(len(x) for x in table) < query.TABLE_MAX_CELL + 20 and table[2].rstrip().endswith("…")
