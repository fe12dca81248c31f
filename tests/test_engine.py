"""Engines give the same documents as a plain sequential run (local pool and Dask)."""
from __future__ import annotations

import json

import pytest

from conftest import run_cli


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


def _run(inputs, tmp_path, *extra):
    out = tmp_path / "out.jsonl"
    proc = run_cli("extract", str(inputs), "-o", str(out), *extra)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_process_pool_equals_sequential(inputs, tmp_path):
    sequential = _run(inputs, tmp_path)
    assert all(d["quantities"] and d["records"] for d in sequential)  # a comparison of real results
    assert _run(inputs, tmp_path, "--workers", "2") == sequential


def test_dask_engine_equals_sequential(inputs, tmp_path):
    pytest.importorskip("distributed", reason="extra [dask] not installed")
    assert _run(inputs, tmp_path, "--engine", "dask", "--workers", "2") == _run(inputs, tmp_path)
