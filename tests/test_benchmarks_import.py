"""Every benchmark script imports in a fresh interpreter, as ``make bench`` runs it.

Benchmarks are not run by the suite (they print numbers and take minutes), so a
broken import would only show at ``make bench``: e.g. pywb's top-level
``tests`` package hiding this repository's test servers.
"""
from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

SCRIPTS = sorted(p for p in (ROOT / "benchmarks").glob("*.py") if not p.name.startswith("_"))

# Loads each script as a module not named __main__: its imports run, its main() does not.
LOAD = """
import importlib.util, sys
for path in sys.argv[1:]:
    for name in [m for m in sys.modules if m.split(".")[0] in ("tests", "benchmarks")]:
        del sys.modules[name]  # each script finds its tests package on its own, as when run alone
    spec = importlib.util.spec_from_file_location("bench_" + path.rsplit("/", 1)[-1][:-3], path)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
"""


def test_every_benchmark_imports_outside_pytest():
    assert len(SCRIPTS) >= 10
    done = subprocess.run([sys.executable, "-c", LOAD, *map(str, SCRIPTS)], cwd=ROOT / "benchmarks",
                          capture_output=True, text=True, timeout=300, env={"HF_HUB_OFFLINE": "1", "PATH": ""})
    assert done.returncode == 0, done.stderr[-2000:]
