"""Shared test helpers: where ../shared is, and how to run the real CLI."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

# Ctrl-C keeps its meaning in the CLI processes the tests interrupt, even when pytest runs as a
# shell's background job: that shell starts it with SIGINT ignored, every child inherits an ignored
# signal, and Python then leaves it ignored (a Ctrl-C test's `query` ran on for 30 s)
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parents[1]

# pywb's own top-level ``tests`` package would hide this folder (see the function)
sys.path.insert(0, str(ROOT))
from pipeline.demo import pin_tests_package  # noqa: E402

pin_tests_package()
SHARED = ROOT.parent / "shared"
SPEC_SCHEMA = SHARED / "spec" / "record.schema.json"
DEV_GOLD = SHARED / "gold" / "dev"


def need_shared(path: Path = SHARED) -> Path:
    """The path inside ../shared, or skip (fail on CI, where shared/ must be present)."""
    if path.exists():
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"{path} is missing: CI must have ../shared beside the checkout")
    pytest.skip(f"{path} not present (../shared is only beside the checkout on dev machines and CI)")


@pytest.fixture
def shared_dir() -> Path:
    return need_shared()


@pytest.fixture(scope="session")
def schema():
    """The schema shipped in the package (tests/test_schema.py checks it is the spec's)."""
    from pipeline.records import load_schema

    return load_schema()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    """Run ``provnews`` as a real subprocess (the installed console script's module)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1", **kw.pop("env", {})}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, **kw)


def interrupt(proc: subprocess.Popen, what: str, timeout: float = 30) -> tuple[str, str]:
    """Ctrl-C a running CLI process and wait for it to end; fail (killing it) if it does not."""
    import signal

    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError(f"Ctrl-C did not stop {what}") from None
