"""Engines give the same documents as a plain sequential run (local pool and Dask), and a
multi-worker extract stops cleanly on Ctrl-C and resumes where it stopped."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_cli


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("engine")
    texts = [
        "Sở Y tế kiểm tra 29 cơ sở\n\nSở Y tế tỉnh Nam Định đã kiểm tra 29 cơ sở, xử phạt 12 triệu đồng.",
        "Chi cục Thủy lợi nạo vét kênh\n\nChi cục Thủy lợi đã nạo vét 57 công trình, khoảng 1,1 triệu m3.",
        "Hợp tác xã thu mua lúa\n\nHợp tác xã Thạnh Phú thu mua 250 tấn lúa với giá 7.200 đồng/kg.",
    ]
    for i, t in enumerate(texts):
        (d / f"doc{i}.txt").write_text(t, encoding="utf-8")
    return d


def _run(inputs, out: Path, *extra):
    proc = run_cli("extract", str(inputs), "-o", str(out), *extra)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_process_pool_equals_sequential(inputs, tmp_path):
    sequential = _run(inputs, tmp_path / "one.jsonl", "--workers", "1")
    assert all(d["quantities"] and d["records"] for d in sequential)  # a comparison of real results
    assert _run(inputs, tmp_path / "two.jsonl", "--workers", "2") == sequential


def test_dask_engine_equals_sequential(inputs, tmp_path):
    pytest.importorskip("distributed", reason="extra [dask] not installed")
    assert _run(inputs, tmp_path / "dask.jsonl", "--engine", "dask", "--workers", "2") == \
        _run(inputs, tmp_path / "one.jsonl", "--workers", "1")


def test_dask_on_a_real_scheduler_with_two_worker_processes(inputs, tmp_path):
    pytest.importorskip("distributed", reason="extra [dask] not installed")
    dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or shutil.which("dask")
    if dask is None:
        pytest.skip("the dask command is not installed")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    scheduler_file = tmp_path / "scheduler.json"
    procs = [subprocess.Popen([dask, "scheduler", "--scheduler-file", str(scheduler_file), "--port", "0",
                               "--no-dashboard", "--host", "127.0.0.1"], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(2):  # two separate `dask worker` processes, one thread each
            procs.append(subprocess.Popen(
                [dask, "worker", "--scheduler-file", str(scheduler_file), "--nthreads", "1", "--no-nanny",
                 "--no-dashboard", "--host", "127.0.0.1"], env=env, cwd=tmp_path,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
            worker_pids = set(client.run(os.getpid).values())
        assert len(worker_pids) == 2
        on_cluster = _run(inputs, tmp_path / "cluster.jsonl", "--engine", "dask", "--scheduler", address)
        assert on_cluster == _run(inputs, tmp_path / "local.jsonl", "--workers", "1")
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.fixture(scope="module")
def many_inputs(tmp_path_factory):
    """24 long documents made of real articles (the bundled samples, eight times over).

    Long enough that the run goes on for seconds after its fourth document, so Ctrl-C
    lands mid-run even as extraction gets faster.
    """
    d = tmp_path_factory.mktemp("many")
    samples = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus" / "samples").glob("*.txt"))]
    assert samples
    for i in range(24):
        parts = samples[i % len(samples):] + samples[:i % len(samples)]
        (d / f"doc{i:03d}.txt").write_text(f"Bài {i}\n\n" + "\n\n".join(parts * 8), encoding="utf-8")
    return d


def _sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stops_workers_and_the_rerun_goes_on(many_inputs, tmp_path):
    psutil = pytest.importorskip("psutil")
    full = tmp_path / "full.jsonl"
    proc = run_cli("extract", str(many_inputs), "-o", str(full), "--workers", "2")
    assert proc.returncode == 0, proc.stderr
    total = len(full.read_text(encoding="utf-8").splitlines())
    assert total == 24

    part = tmp_path / "part.jsonl"
    cmd = [sys.executable, "-m", "pipeline.cli", "extract", str(many_inputs), "-o", str(part), "--workers", "2"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    # Ctrl-C's default meaning even when pytest itself runs as a background job, whose shell
    # started it with SIGINT ignored: an ignored SIGINT is inherited, and Python then keeps it so
    main = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_sigint_default)
    try:
        deadline = time.monotonic() + 300
        while (not part.exists() or part.read_text(encoding="utf-8").count("\n") < 4) \
                and time.monotonic() < deadline and main.poll() is None:
            time.sleep(0.05)
        workers = psutil.Process(main.pid).children(recursive=True)
        assert len(workers) >= 2 and main.poll() is None
        main.send_signal(signal.SIGINT)  # what Ctrl-C sends the main process
        _, err = main.communicate(timeout=60)
    finally:
        if main.poll() is None:
            main.kill()
    assert main.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == []  # no worker left behind
    done = part.read_text(encoding="utf-8").count("\n")
    assert 4 <= done < total

    rerun = run_cli("extract", str(many_inputs), "-o", str(part), "--workers", "2")
    assert rerun.returncode == 0, rerun.stderr
    assert f"kept {done} from an earlier run" in rerun.stderr
    assert part.read_bytes() == full.read_bytes()


def test_a_rerun_over_other_inputs_starts_afresh(inputs, tmp_path):
    out = tmp_path / "out.jsonl"
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.txt").write_text("Sở Tài chính\n\nSở Tài chính đã thẩm định 14 dự án.", encoding="utf-8")
    assert len(_run(other, out, "--workers", "1")) == 1
    # a line cut short and other inputs: nothing of the old file is kept that should not be
    first = _run(inputs, out, "--workers", "1")
    assert len(first) == 3
    with open(out, "a", encoding="utf-8") as fh:
        fh.write('{"doc_id": "cut sh')
    again = _run(inputs, out, "--workers", "1")
    assert again == first
    proc = run_cli("extract", str(inputs), "-o", str(out), "--workers", "1", "--restart")
    assert proc.returncode == 0 and "kept" not in proc.stderr
