"""`provnews extract`: schema-valid output, offsets that slice back, bad input handled."""
from __future__ import annotations

import json

import jsonschema
import pytest

from conftest import ROOT, run_cli

SAMPLES = ROOT / "corpus" / "samples"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    out = tmp_path_factory.mktemp("extract") / "samples.jsonl"
    proc = run_cli("extract", str(SAMPLES), "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return docs


def test_one_document_per_input(extracted):
    inputs = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".txt", ".html"))
    assert len(extracted) == len(inputs)
    assert {d["url"] for d in extracted} == {p.resolve().as_uri() for p in inputs}


def test_every_document_validates_against_the_schema(extracted, schema):
    for doc in extracted:
        jsonschema.validate(doc, schema)


def test_offsets_slice_back(extracted):
    n = 0
    for doc in extracted:
        text = doc["text"]
        for m in doc["units"] + doc["quantities"]:
            assert text[m["start"]:m["end"]] == m["text"]
            n += 1
        for r in doc["records"]:
            assert text[r["start"]:r["end"]] == r["sentence"]
            assert 0 <= r["quantity"] < len(doc["quantities"])
            n += 1
    assert n > 0, "the samples must yield some mentions"


def test_text_file_title_and_text(extracted):
    doc = next(d for d in extracted if d["url"].endswith("qltt-nghe-an-quy1-2024.txt"))
    raw = (SAMPLES / "qltt-nghe-an-quy1-2024.txt").read_text(encoding="utf-8")
    assert doc["title"] == raw.splitlines()[0]
    assert doc["text"] == raw.strip("\n")


def test_html_title_is_first_line_and_boilerplate_dropped(extracted):
    doc = next(d for d in extracted if d["url"].endswith(".html"))
    assert doc["text"].startswith(doc["title"] + "\n\n")
    assert "95.000 liều" in doc["title"]
    assert "Điện thoại" not in doc["text"] and "Trang chủ" not in doc["text"]


def test_text_is_cleaned_nfc_without_invisible_characters(tmp_path):
    import unicodedata

    src = tmp_path / "nfd.txt"
    # NFD input, a no-break space between number and unit, a zero-width space and a BOM
    src.write_text("\ufeff" + unicodedata.normalize("NFD", "Sở Y tế kiểm tra 29\u00a0cơ\u200b sở") + "\n",
                   encoding="utf-8")
    out = tmp_path / "o.jsonl"
    proc = run_cli("extract", str(src), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["text"] == "Sở Y tế kiểm tra 29 cơ sở"
    assert unicodedata.is_normalized("NFC", doc["text"])


def test_bad_inputs_one_line_each_others_still_written(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Sở Tài chính tỉnh Nam Định\n\nSở đã chi 12 tỷ đồng.\n", encoding="utf-8")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Sá Y tê, Hà Nôi".encode("latin-1"))
    empty = tmp_path / "empty.txt"
    empty.write_text(" \n\n", encoding="utf-8")
    missing = tmp_path / "missing.txt"
    out = tmp_path / "out.jsonl"
    proc = run_cli("extract", str(good), str(binary), str(latin), str(empty), str(missing), "-o", str(out))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "wrote" not in line]
    assert len(errors) == 4, proc.stderr
    for path, reason in [(binary, "binary"), (latin, "UTF-8"), (empty, "empty"), (missing, "no such file")]:
        assert any(str(path) in line and reason in line for line in errors), (path, proc.stderr)
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [d["url"] for d in docs] == [good.resolve().as_uri()]


def test_no_inputs_is_a_usage_error():
    proc = run_cli("extract")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_oversized_documents_are_refused_in_one_line(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Sở Tài chính tỉnh Nam Định\n\nSở đã chi 12 tỷ đồng.\n", encoding="utf-8")
    huge = tmp_path / "huge.txt"            # 50 MB on one line: refused before it is read
    huge.write_bytes(b"a" * (50 * 1024 * 1024))
    long = tmp_path / "long.txt"            # small on disk, but over the character limit
    long.write_text("Sở Y tế " + "kiểm tra 29 cơ sở. " * 60_000, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = run_cli("extract", str(huge), str(long), str(good), "-o", str(out), timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "wrote" not in line]
    assert any(str(huge) in line and "too large for one document" in line for line in errors), proc.stderr
    assert any(str(long) in line and "characters is too large" in line for line in errors), proc.stderr
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [d["url"] for d in docs] == [good.resolve().as_uri()]


def test_html_in_another_charset_than_declared_is_refused(tmp_path):
    from tests.fixtures.portal.server import encode_windows_1258

    page = ("<html><head><meta charset='utf-8'><title>Hội nghị</title></head><body><h1>Hội nghị tổng kết</h1>"
            "<p>Sở Y tế đã kiểm tra 29 cơ sở kinh doanh thực phẩm trong quý I năm 2024.</p></body></html>")
    liar = tmp_path / "liar.html"
    liar.write_bytes(encode_windows_1258(page))        # windows-1258 bytes under a UTF-8 label
    honest = tmp_path / "honest.html"
    honest.write_bytes(encode_windows_1258(page.replace("utf-8", "windows-1258")))
    out = tmp_path / "out.jsonl"
    proc = run_cli("extract", str(liar), str(honest), "-o", str(out))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert [line for line in proc.stderr.splitlines()
            if str(liar) in line and "not utf-8 as the page declares" in line]
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [d["url"] for d in docs] == [honest.resolve().as_uri()] and "29 cơ sở" in docs[0]["text"]


def test_a_number_too_large_for_a_float_is_no_quantity_and_the_output_stays_json(tmp_path):
    """Four hundred digits are infinite as a float: written, that is ``Infinity``, which is not
    JSON. Such a number is no quantity; the figure beside it still is, and the output (also a line
    an older run left with Infinity, which a rerun must not keep) is standard JSON."""
    def refuse(name):
        raise ValueError(f"{name} in the output")

    src = tmp_path / "so-lon.txt"
    src.write_text("Sở Y tế tỉnh Nam Định\n\nSở đã kiểm tra 29 cơ sở và trồng " + "9" * 400 + " cây xanh.\n",
                   encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = run_cli("extract", str(src), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"), parse_constant=refuse)
    assert [q["text"] for q in doc["quantities"]] == ["29 cơ sở"]
    # the same document as an older provnews wrote it: kept lines are checked as strictly
    old = json.dumps(dict(doc, quantities=[dict(doc["quantities"][0], value=float("inf"))]), ensure_ascii=False)
    assert "Infinity" in old
    out.write_text(old + "\n", encoding="utf-8")
    proc = run_cli("extract", str(src), "-o", str(out))
    assert proc.returncode == 0 and "kept" not in proc.stderr, proc.stderr
    assert json.loads(out.read_text(encoding="utf-8"), parse_constant=refuse) == doc
