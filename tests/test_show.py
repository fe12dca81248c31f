"""``provnews show``: a real run of the CLI on a .txt and on an extracted JSONL."""
from __future__ import annotations

import json

from conftest import run_cli

ARTICLE = (
    "Chi cục QLTT Lạng Sơn xử lý 103 vụ vi phạm\n\n"
    "Trong tháng, Chi cục Quản lý thị trường (QLTT) tỉnh Lạng Sơn đã kiểm tra 114 vụ; "
    "phát hiện và xử lý 103 vụ vi phạm, xử phạt 198 triệu đồng.\n"
)


def test_show_writes_html_with_the_marked_spans(tmp_path):
    src = tmp_path / "bai.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out" / "bai.html"
    proc = run_cli("show", str(src), "--html", str(out))
    assert proc.returncode == 0, proc.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert 'class="entities"' in page              # displaCy entity markup
    assert "UNIT" in page and "QTY" in page and "ACT" in page
    assert "Chi cục Quản lý thị trường" in page    # the unit's canonical name is shown
    for surface in ("114 vụ", "198 triệu đồng"):    # the record table lists each quantity
        assert f"<td>{surface}</td>" in page
    assert "<td>kiểm tra</td>" in page


def test_show_prints_one_line_per_record(tmp_path):
    src = tmp_path / "bai.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    proc = run_cli("show", str(src))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "Chi cục QLTT Lạng Sơn xử lý 103 vụ vi phạm"
    rec = [l for l in lines if " | 114 vụ | " in l]
    assert len(rec) == 1
    unit, activity, qty, item = rec[0].split(" | ")
    assert unit.startswith("Chi cục Quản lý thị trường")
    assert activity == "kiểm tra"


def test_show_reads_the_first_document_of_a_jsonl(tmp_path):
    doc = {
        "doc_id": "x1", "text": "Sở Y tế đã khám 300 người.", "title": "Khám bệnh",
        "units": [{"text": "Sở Y tế", "start": 0, "end": 7, "name": "Sở Y tế", "kind": "Sở"}],
        "quantities": [{"text": "300 người", "start": 16, "end": 25, "value": 300.0,
                        "unit_of_measure": "người"}],
        "records": [{"unit": "Sở Y tế", "activity": "khám", "quantity": 0, "value": 300.0,
                     "unit_of_measure": "người", "sentence": "Sở Y tế đã khám 300 người.", "start": 0,
                     "end": 26, "quantity_text": "300 người"}],
    }
    src = tmp_path / "docs.jsonl"
    src.write_text(json.dumps(doc, ensure_ascii=False) + "\n" + json.dumps({**doc, "doc_id": "x2", "title": "Hai"},
                                                                        ensure_ascii=False) + "\n",
                   encoding="utf-8")
    proc = run_cli("show", str(src))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "Khám bệnh"
    assert "Sở Y tế | khám | 300 người | —" in proc.stdout
    out = tmp_path / "d.html"
    assert run_cli("show", str(src), "--html", str(out)).returncode == 0
    assert "<td>300 người</td>" in out.read_text(encoding="utf-8")


def test_show_bad_input_is_one_clear_line(tmp_path):
    missing = tmp_path / "nope.txt"
    proc = run_cli("show", str(missing))
    assert proc.returncode != 0
    assert proc.stderr.strip() == f"provnews show: {missing}: no such file"
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00bad")
    proc = run_cli("show", str(bad))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert str(bad) in proc.stderr
