"""Make ``import tests.…`` find this checkout's tests folder.

pywb (extra [replay]) installs a top-level package named ``tests`` into
site-packages; a regular package wins over this repository's ``tests`` folder
(a namespace package) whatever sys.path says, so benchmarks that reuse the
test servers would import pywb's tests instead.  tests/conftest.py pins the
name the same way for pytest.
"""
from __future__ import annotations

import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

if getattr(sys.modules.get("tests"), "__path__", None) != [str(ROOT / "tests")]:
    _tests = types.ModuleType("tests")
    _tests.__path__ = [str(ROOT / "tests")]
    sys.modules["tests"] = _tests
