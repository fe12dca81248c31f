"""The annotated corpus is well formed, and `annotations/check.py` catches what it says it catches."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEV_GOLD, ROOT, need_shared

sys.path.insert(0, str(ROOT / "annotations"))
from check import problems  # noqa: E402

from pipeline.evaluate import load_splits  # noqa: E402

CHECK = ROOT / "annotations" / "check.py"
MANIFEST = ROOT / "annotations" / "splits.json"
IN_REPO_TEXT = "news_business_003"  # a round-4 text kept in annotations/texts/


def test_every_gold_file_of_the_split_is_well_formed():
    need_shared(DEV_GOLD)
    files = [p for paths in load_splits(MANIFEST).values() for p in paths]
    bad = [line for f in files for line in problems(f)]
    assert not bad, "\n".join(bad[:20])


def test_every_text_kept_in_the_repo_is_annotated_and_listed():
    listed = {p.resolve() for paths in load_splits(MANIFEST).values() for p in paths}
    texts = sorted((ROOT / "annotations" / "texts").rglob("*.txt"))
    texts = [t for t in texts if not t.name.startswith("LICENSE")]
    assert texts
    for text in texts:
        gold = ROOT / "annotations" / "vi-news" / (text.stem + ".gold.json")
        assert gold.resolve() in listed, f"{text.name} has no listed gold file"
        data = json.loads(gold.read_text(encoding="utf-8"))
        assert (gold.parent / data["text_file"]).resolve() == text.resolve()


def _copy(tmp_path: Path, edit) -> Path:
    src = ROOT / "annotations" / "vi-news" / f"{IN_REPO_TEXT}.gold.json"
    data = json.loads(src.read_text(encoding="utf-8"))
    data["text_file"] = str((src.parent / data["text_file"]).resolve())
    edit(data)
    out = tmp_path / src.name
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return out


def _run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECK), *map(str, args)], capture_output=True, text=True)


def test_a_clean_file_passes(tmp_path):
    proc = _run(_copy(tmp_path, lambda d: None))
    assert proc.returncode == 0, proc.stdout
    assert "1 files, 0 problems" in proc.stderr


@pytest.mark.parametrize("edit, expect", [
    (lambda d: d["quantities"].reverse(), "out of text order"),
    (lambda d: d["quantities"][0].update(text="999.999 con voi"), "not in the text"),
    (lambda d: d["quantities"][0]["record"].update(unit="Bộ Không Có Thật"), "not a listed organization"),
    (lambda d: d["quantities"][0].update(value="12"), "'value' must be a number"),
    (lambda d: d["quantities"][0].update(qualifier="about"), "'qualifier' must be one of"),
    (lambda d: d["units"].append({"name": "Tổng công ty Không Có Thật", "aliases": []}),
     "neither the name nor an alias occurs"),
])
def test_each_kind_of_problem_is_one_line_naming_the_file(tmp_path, edit, expect):
    path = _copy(tmp_path, edit)
    proc = _run(path)
    assert proc.returncode == 1
    lines = [ln for ln in proc.stdout.splitlines() if expect in ln]
    assert lines and all(ln.startswith(str(path)) for ln in lines), proc.stdout


def test_an_unreadable_file_is_one_line_exit_2(tmp_path):
    broken = tmp_path / "x.gold.json"
    broken.write_text("{not json", encoding="utf-8")
    proc = _run(broken)
    assert proc.returncode == 2
    assert str(broken) in proc.stderr and "Traceback" not in proc.stderr
