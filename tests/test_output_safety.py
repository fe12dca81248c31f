"""What is already written survives: a failed or interrupted ``extract -o`` keeps the output it
finds, ``export`` never replaces a link, a pipe or a device, and an output path that cannot take
a file gets one line (real CLI runs, real files)."""
from __future__ import annotations

import json
import os
import threading

from conftest import run_cli

from pipeline.ingest import ResumableOutput
from pipeline.records import Document

TEXT = "Sở Tài chính tỉnh Nam Định\n\nSở đã chi 12 tỷ đồng cho 29 cơ sở.\n"


def _inputs(tmp_path, n=3):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(n):
        (folder / f"d{i}.txt").write_text(TEXT.replace("12", str(12 + i)), encoding="utf-8")
    return folder


def _one_line_error(proc, *words):
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and all(w in lines[0] for w in words), proc.stderr


def test_a_run_whose_inputs_all_fail_keeps_the_existing_output(tmp_path):
    out = tmp_path / "keep.jsonl"
    assert run_cli("extract", str(_inputs(tmp_path)), "-o", str(out)).returncode == 0
    before = out.read_bytes()
    proc = run_cli("extract", str(tmp_path / "missing.txt"), "-o", str(out))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert out.read_bytes() == before


def test_an_interrupted_rerun_keeps_the_lines_it_had_not_checked_yet(tmp_path):
    """Ctrl-C while a rerun is still checking the lines of the earlier run: none is lost."""
    out = tmp_path / "done.jsonl"
    lines = [Document(doc_id=f"d{i}", url=f"file:///d{i}", title="", text=f"t{i}").to_json() + "\n"
             for i in range(5)]
    out.write_text("".join(lines), encoding="utf-8")
    output = ResumableOutput(out)
    assert output.already_done(Document(doc_id="d0", url="file:///d0", title="", text="t0"))
    output.close(finished=False)  # what the CLI does on Ctrl-C
    assert out.read_text(encoding="utf-8") == "".join(lines)
    # a finished run with fewer inputs drops the lines it no longer writes (what a fresh run writes)
    output = ResumableOutput(out)
    assert output.already_done(Document(doc_id="d0", url="file:///d0", title="", text="t0"))
    output.close(finished=True)
    assert out.read_text(encoding="utf-8") == lines[0]


def test_extract_output_that_cannot_take_a_file_is_one_line(tmp_path):
    folder = _inputs(tmp_path, 1)
    a_file = tmp_path / "a.txt"
    a_file.write_text("x", encoding="utf-8")
    _one_line_error(run_cli("extract", str(folder), "-o", str(tmp_path)), str(tmp_path), "folder")
    _one_line_error(run_cli("extract", str(folder), "-o", str(a_file / "x.jsonl")), str(a_file / "x.jsonl"))
    # a pipe (or a device) is refused before anything is read from it: the earlier output a
    # rerun checks would be read from a pipe nobody writes to (forever) or from /dev/zero (no end)
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    _one_line_error(run_cli("extract", str(folder), "-o", str(fifo), timeout=60), str(fifo), "not a regular file")
    assert fifo.is_fifo()
    # a missing folder is made
    deep = tmp_path / "new" / "deeper" / "x.jsonl"
    assert run_cli("extract", str(folder), "-o", str(deep)).returncode == 0 and deep.exists()


def _exported_jsonl(tmp_path):
    src = tmp_path / "docs.jsonl"
    assert run_cli("extract", str(_inputs(tmp_path, 2)), "-o", str(src)).returncode == 0
    return src


def test_export_writes_through_a_link_and_keeps_it(tmp_path):
    src = _exported_jsonl(tmp_path)
    target = tmp_path / "real.csv"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    proc = run_cli("export", str(src), "-f", "csv", "-o", str(link))
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes().startswith(b"\xef\xbb\xbf") and target.read_text(encoding="utf-8-sig") != "old"


def test_export_into_a_pipe_streams_and_leaves_the_pipe(tmp_path):
    src = _exported_jsonl(tmp_path)
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    proc = run_cli("export", str(src), "-f", "jsonl", "-o", str(fifo), timeout=120)
    reader.join(30)
    assert proc.returncode == 0, proc.stderr
    assert fifo.is_fifo()
    assert [json.loads(x)["doc_id"] for x in got[0].decode().splitlines()] == \
        [json.loads(x)["doc_id"] for x in src.read_text(encoding="utf-8").splitlines()]


def test_export_to_a_full_device_is_one_line_and_leaves_the_device(tmp_path):
    """A device of its own in tmp_path (the kernel's "full" device, 1:7: every write fails with
    ENOSPC), so that a regression replaces that node, never the system's /dev/full."""
    import stat

    import pytest

    src = _exported_jsonl(tmp_path)
    full = tmp_path / "full"
    try:
        os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    except (PermissionError, AttributeError):
        pytest.skip("making a device node needs root")
    _one_line_error(run_cli("export", str(src), "-f", "csv", "-o", str(full)), str(full))
    assert full.is_char_device()  # still the device, not a file of that name


def test_every_output_treats_a_missing_or_unusable_folder_alike(tmp_path):
    """extract -o, export -o and show --html share one rule (ingest.output_problem): a missing folder
    is made (by design: extract's and run's outputs rely on it), and a folder in the path that is a
    file is one line naming it, before anything is written."""
    folder = _inputs(tmp_path, 1)
    src = tmp_path / "docs.jsonl"
    assert run_cli("extract", str(folder), "-o", str(src)).returncode == 0
    a_file = tmp_path / "a.txt"
    a_file.write_text("x", encoding="utf-8")
    commands = {
        "extract": lambda out: run_cli("extract", str(folder), "-o", str(out)),
        "export": lambda out: run_cli("export", str(src), "-f", "csv", "-o", str(out)),
        "show": lambda out: run_cli("show", str(src), "--html", str(out)),
    }
    for name, run in commands.items():
        made = tmp_path / f"new-{name}" / "deeper" / "out.x"
        proc = run(made)
        assert proc.returncode == 0 and made.is_file(), (name, proc.stderr)
        under_a_file = a_file / "sub" / "out.x"
        proc = run(under_a_file)
        _one_line_error(proc, f"provnews {name}: {under_a_file}: {a_file} is not a folder")
        assert a_file.read_text(encoding="utf-8") == "x"
