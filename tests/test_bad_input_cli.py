"""Bad input to every command is one line naming the file and the reason, never a traceback
(real CLI runs on real broken files: a store that is not SQLite or lost a table, JSON that is not
a document, gold files of the wrong shape, absurd option values)."""
from __future__ import annotations

import shutil
import sqlite3

import pytest
from conftest import ROOT, run_cli

from pipeline.ingest import MAX_DOCUMENT_CHARS

STORE_FIXTURE = ROOT / "tests" / "fixtures" / "store" / "documents.jsonl"


def _one_line(proc, *words):
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert all(w in lines[0] for w in words), (words, proc.stderr)
    return lines[0]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from tests.test_store import build_fixture_corpus

    return build_fixture_corpus(tmp_path_factory.mktemp("good"))


def test_a_store_that_is_not_sqlite(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "corpus.sqlite").write_bytes(b"garbage, not a database\n" * 100)
    for args in (("export", str(bad), "-f", "csv", "-o", str(tmp_path / "x.csv")),
                 ("extract", "--corpus", str(bad))):
        _one_line(run_cli(*args), str(bad))
    assert not (tmp_path / "x.csv").exists()


def test_a_store_that_lost_a_table(store, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(store, broken)
    with sqlite3.connect(broken / "corpus.sqlite") as conn:
        conn.execute("DROP TABLE records")
    _one_line(run_cli("export", str(broken), "-f", "csv", "-o", str(tmp_path / "x.csv")), str(broken))


def test_json_lines_that_are_not_documents(tmp_path):
    for body, why in (("[1, 2, 3]\n", "line 1"), ('{"doc_id": "a", "text": "x"}\n{"a": 1}\n', "line 2"),
                      ("[" * 100_000 + "\n", "line 1")):
        src = tmp_path / "bad.jsonl"
        src.write_text(body, encoding="utf-8")
        _one_line(run_cli("export", str(src), "-f", "csv", "-o", str(tmp_path / "x.csv")), str(src), why)
        _one_line(run_cli("show", str(src)), str(src), why)


@pytest.mark.parametrize("gold, why", [
    ("[1, 2, 3]", "not an object"),
    ('{"units": null}', "units is not a list"),
    ('{"units": [1, 2]}', "units[0]"),
    ('{"quantities": [{"value": "abc"}]}', "quantities[0].value"),
])
def test_gold_files_of_the_wrong_shape(tmp_path, gold, why):
    (tmp_path / "d.txt").write_text("Sở Y tế có 3 ca.\n", encoding="utf-8")
    (tmp_path / "d.gold.json").write_text(gold, encoding="utf-8")
    _one_line(run_cli("eval", str(tmp_path)), "d.gold.json", why)


def test_a_manifest_of_the_wrong_shape(tmp_path):
    manifest = tmp_path / "m.json"
    for body in ('{"splits": ["a"]}', '{"splits": {"test": [5]}}'):
        manifest.write_text(body, encoding="utf-8")
        _one_line(run_cli("eval", str(manifest)), str(manifest), "not a splits manifest")
        _one_line(run_cli("train", str(manifest), "--out", str(tmp_path / "models")), str(manifest))


def test_worker_counts_out_of_range(tmp_path):
    for n in ("0", "-1", "100000", "two"):
        proc = run_cli("extract", str(tmp_path), "--workers", n)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr and "--workers" in proc.stderr


def test_show_refuses_a_text_too_large_for_one_document(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("Sở Y tế có 3 ca. " * (MAX_DOCUMENT_CHARS // 16 + 10), encoding="utf-8")
    _one_line(run_cli("show", str(big), timeout=60), str(big), "too large")


def test_query_and_stats_on_a_file_that_is_not_a_store_name_it(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "corpus.sqlite").write_bytes(b"garbage, not a database\n" * 100)
    _one_line(run_cli("query", "SELECT count(*) FROM records", "--corpus", str(bad)), str(bad), "not a")
    _one_line(run_cli("stats", "--corpus", str(bad)), str(bad))


def test_stats_on_a_sqlite_file_without_the_tables_names_it(tmp_path):
    """An empty SQLite file (or any database that is not a store) is named with what it lacks, not
    "SQL error: no such table: record_rows"."""
    (tmp_path / "corpus.sqlite").write_bytes(b"")
    line = _one_line(run_cli("stats", "--corpus", str(tmp_path), "--by", "unit"),
                     str(tmp_path / "corpus.sqlite"), "not a corpus store", "no documents table")
    assert "SQL error" not in line


def test_run_checks_its_outputs_folder_before_crawling(tmp_path):
    a_file = tmp_path / "outputs"
    a_file.write_text("x", encoding="utf-8")
    # nothing listens on port 9: a crawl would fail later with another message
    _one_line(run_cli("run", "http://127.0.0.1:9/", "--out", str(tmp_path / "c"), "--outputs", str(a_file)),
              str(a_file), "must be a folder")
    assert not (tmp_path / "c").exists()


def test_eval_and_train_options_name_what_is_wrong(tmp_path):
    _one_line(run_cli("eval", str(tmp_path), "--min-f1", "units=abc"), "--min-f1", "'abc' is not a number")
    missing = tmp_path / "nope.json"
    _one_line(run_cli("train", str(missing), "--out", str(tmp_path / "m")), str(missing), "no such file")


def test_export_takes_the_store_file_as_query_does(store, tmp_path):
    by_folder, by_file = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert run_cli("export", str(store), "-f", "jsonl", "-o", str(by_folder)).returncode == 0
    proc = run_cli("export", str(store / "corpus.sqlite"), "-f", "jsonl", "-o", str(by_file))
    assert proc.returncode == 0, proc.stderr
    assert by_file.read_bytes() == by_folder.read_bytes() and by_file.stat().st_size > 0


def test_outputs_never_write_over_an_input_or_a_corpus(store, tmp_path):
    """A mistyped -o must not destroy the store, a WARC or the command's own input."""
    import hashlib

    def digest(p):
        return hashlib.sha256(p.read_bytes()).hexdigest()

    copy = tmp_path / "c"
    shutil.copytree(store, copy)
    sqlite = copy / "corpus.sqlite"
    before = digest(sqlite)
    src = tmp_path / "d.jsonl"
    assert run_cli("export", str(copy), "-f", "jsonl", "-o", str(src)).returncode == 0
    text = tmp_path / "a.txt"
    text.write_text("Sở Y tế có 3 ca.\n", encoding="utf-8")
    link = tmp_path / "link.jsonl"
    link.symlink_to(src)
    src_before = digest(src)
    for args, target, why in [
        (("export", str(copy), "-f", "csv", "-o", str(sqlite)), sqlite, "SQLite"),
        (("extract", str(text), "-o", str(sqlite)), sqlite, "SQLite"),
        (("show", str(text), "--html", str(sqlite)), sqlite, "SQLite"),
        (("export", str(src), "-f", "csv", "-o", str(src)), src, "input"),
        (("export", str(src), "-f", "json", "-o", str(link)), src, "input"),
        (("extract", str(text), "-o", str(text)), text, "input"),
    ]:
        keep = text.read_bytes() if target == text else None
        _one_line(run_cli(*args), str(args[-1]), why)
        if keep is not None:
            assert text.read_bytes() == keep
    assert digest(sqlite) == before and digest(src) == src_before
    warcs = sorted((copy / "warcs").glob("*.warc.gz"))
    if warcs:
        w = digest(warcs[0])
        _one_line(run_cli("export", str(copy), "-f", "csv", "-o", str(warcs[0])), "web archive")
        assert digest(warcs[0]) == w


def test_extract_corpus_with_an_output_is_a_usage_error(store):
    _one_line(run_cli("extract", "--corpus", str(store), "-o", "x.jsonl"), "--output", "--corpus")


def test_query_timeouts_that_are_no_limit_by_accident(store):
    for value in ("-1", "nan", "inf"):
        proc = run_cli("query", "SELECT 1", "--corpus", str(store), "--timeout", value)
        assert proc.returncode == 2 and "--timeout" in proc.stderr and "Traceback" not in proc.stderr


def test_eval_predictions_that_are_not_documents(tmp_path):
    (tmp_path / "d.txt").write_text("Sở Y tế có 3 ca.\n", encoding="utf-8")
    (tmp_path / "d.gold.json").write_text('{"units": [], "quantities": []}', encoding="utf-8")
    preds = tmp_path / "p.jsonl"
    for body, why in (("[1, 2]\n", "line 1: not a JSON object"), ("{\n", "line 1: not JSON")):
        preds.write_text(body, encoding="utf-8")
        _one_line(run_cli("eval", str(tmp_path), "--predictions", str(preds)), str(preds), why)


def test_show_names_a_stored_document_whose_offsets_do_not_fit(tmp_path):
    import json

    src = tmp_path / "d.jsonl"
    assert run_cli("extract", str(_text(tmp_path)), "-o", str(src)).returncode == 0
    doc = json.loads(src.read_text(encoding="utf-8"))
    assert run_cli("show", str(src)).returncode == 0
    for start in (99999, "x", None):
        bad = dict(doc, quantities=[dict(doc["quantities"][0], start=start)] + doc["quantities"][1:])
        src.write_text(json.dumps(bad, ensure_ascii=False) + "\n", encoding="utf-8")
        _one_line(run_cli("show", str(src)), str(src), doc["doc_id"], "quantities[0]", "does not fit")


def _text(tmp_path):
    text = tmp_path / "a.txt"
    text.write_text("Sở Y tế tỉnh Nam Định\n\nSở đã kiểm tra 29 cơ sở.\n", encoding="utf-8")
    return text


def _exported_but_one(broken, tmp_path, named: str) -> list[str]:
    """Export the store as JSONL and CSV: each names one document (``named`` starts the line), says
    one was left out and exits 1. The doc_ids of the JSONL export."""
    import json

    for fmt in ("jsonl", "csv"):
        out = tmp_path / f"out.{fmt}"
        proc = run_cli("export", str(broken), "-f", fmt, "-o", str(out))
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 2 and lines[0].startswith(named), proc.stderr
        assert lines[1].endswith("; 1 stored documents left out (named above)"), proc.stderr
    return [json.loads(line)["doc_id"] for line in (tmp_path / "out.jsonl").read_text().splitlines()]


def test_a_stored_document_whose_text_is_not_utf8_is_named_and_left_out(store, tmp_path):
    """A row another tool wrote as bytes that are not UTF-8: export and extract --corpus name the
    store and the document, go on with the others, say how many they left out and exit 1; the row
    is still in the store, byte for byte (never lose what is stored)."""
    broken = tmp_path / "broken"
    shutil.copytree(store, broken)
    db = broken / "corpus.sqlite"
    with sqlite3.connect(db) as conn:
        doc_id, url = conn.execute("SELECT doc_id, url FROM documents ORDER BY id LIMIT 1 OFFSET 1").fetchone()
        total = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        conn.execute("UPDATE documents SET text = CAST(x'fffe41' AS TEXT) WHERE doc_id = ?", (doc_id,))
    named = f"provnews export: {db}: document {doc_id} ({url}): documents.text is not UTF-8 text"
    exported = _exported_but_one(broken, tmp_path, named)
    assert len(exported) == total - 1 and doc_id not in exported

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE documents SET extracted_at = NULL")
    proc = run_cli("extract", "--corpus", str(broken), "--workers", "1")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert [x for x in proc.stderr.splitlines() if doc_id in x] == [
        named.replace("export", "extract", 1) + ", so it cannot be read (the store keeps it as it is); not extracted"]
    assert f"extracted {total - 1} documents" in proc.stderr and "; 1 failed" in proc.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM documents WHERE extracted_at IS NULL").fetchone()[0] == 1
        assert conn.execute("SELECT CAST(text AS BLOB), extracted_at FROM documents WHERE doc_id = ?",
                            (doc_id,)).fetchone() == (b"\xff\xfeA", None)


def test_a_stored_doc_id_that_is_not_utf8_is_named_by_its_row_and_url_and_left_out(store, tmp_path):
    """The same for the doc_id itself: the document is named by its row and URL (its id cannot be
    shown), the others are exported and extracted, and the row stays as it is."""
    broken = tmp_path / "broken"
    shutil.copytree(store, broken)
    db = broken / "corpus.sqlite"
    with sqlite3.connect(db) as conn:
        row, doc_id, url = conn.execute("SELECT id, doc_id, url FROM documents ORDER BY id LIMIT 1 OFFSET 1").fetchone()
        total = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        for table in ("documents", "units", "quantities", "records"):
            conn.execute(f"UPDATE {table} SET doc_id = CAST(x'ff41' AS TEXT) WHERE doc_id = ?", (doc_id,))
    named = f"{db}: document at row {row} ({url}): documents.doc_id is not UTF-8 text"
    assert len(_exported_but_one(broken, tmp_path, "provnews export: " + named)) == total - 1

    proc = run_cli("extract", "--corpus", str(broken), "--all", "--workers", "1")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert any(x.startswith("provnews extract: " + named) and x.endswith("; not extracted")
               for x in proc.stderr.splitlines()), proc.stderr
    assert f"extracted {total - 1} documents" in proc.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT CAST(doc_id AS BLOB) FROM documents WHERE id = ?", (row,)).fetchone() == (b"\xffA",)


def _strict_json(text: str):
    """Parse as standard JSON: NaN and ±Infinity (which Python's json takes) are refused."""
    import json

    def refuse(name):
        raise ValueError(f"{name} in the output")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("number", ["Infinity", "-Infinity", "NaN", "1e400"])
def test_json_lines_holding_a_number_json_has_not_are_refused(tmp_path, number):
    """Python's json reads NaN and ±Infinity (and 1e400 as infinity) and would write them back as
    Infinity, which is not JSON: the reading stops at once, naming the file and the line, and no
    output is written."""
    import json

    doc = json.loads(STORE_FIXTURE.read_text(encoding="utf-8").splitlines()[0])
    good = json.dumps(doc, ensure_ascii=False)
    bad = json.dumps(dict(doc, quantities=[dict(doc["quantities"][0], value=12.0)] + doc["quantities"][1:]),
                     ensure_ascii=False).replace('"value": 12.0', f'"value": {number}', 1)
    assert number in bad
    src = tmp_path / "bad.jsonl"
    src.write_text(good + "\n" + bad + "\n", encoding="utf-8")
    for fmt in ("json", "jsonl", "csv"):
        out = tmp_path / f"x.{fmt}"
        _one_line(run_cli("export", str(src), "-f", fmt, "-o", str(out)), str(src), "line 2", number)
        assert not out.exists()
    _one_line(run_cli("show", str(src)), str(src), "line 2", number)


def test_a_stored_number_json_cannot_hold_leaves_its_document_out_of_json_exports(store, tmp_path):
    """An infinite value in the store (SQLite keeps one; an older extraction wrote them): the JSON
    exports name the document and leave it out, in standard JSON, exit 1; CSV keeps it."""
    import json

    copy = tmp_path / "inf"
    shutil.copytree(store, copy)
    db = copy / "corpus.sqlite"
    with sqlite3.connect(db) as conn:
        doc_id, url = conn.execute("SELECT d.doc_id, d.url FROM documents d JOIN quantities q USING (doc_id) "
                                   "ORDER BY d.id LIMIT 1").fetchone()
        total = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        conn.execute("UPDATE quantities SET value = 9e999 WHERE doc_id = ? AND idx = 0", (doc_id,))
    for fmt in ("json", "jsonl"):
        out = tmp_path / f"out.{fmt}"
        proc = run_cli("export", str(copy), "-f", fmt, "-o", str(out))
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.splitlines()[0] == (
            f"provnews export: {db}: document {doc_id} ({url}): a number in it is NaN or infinite, which JSON "
            "cannot hold; left out of the export"), proc.stderr
        text = out.read_text(encoding="utf-8")
        docs = _strict_json(text) if fmt == "json" else [_strict_json(line) for line in text.splitlines()]
        assert len(docs) == total - 1 and doc_id not in {d["doc_id"] for d in docs}
    proc = run_cli("export", str(copy), "-f", "csv", "--table", "documents", "-o", str(tmp_path / "out.csv"))
    assert proc.returncode == 0, proc.stderr
    assert doc_id in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
