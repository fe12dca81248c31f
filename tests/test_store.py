"""The corpus store on real SQLite files: schema, foreign keys, idempotent ingest,
atomic re-extraction, full-text search with and without diacritics, round trips."""
from __future__ import annotations

import copy
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.mentions import Period, Quantity, Record, Unit
from pipeline.records import Document, make_doc_id, read_jsonl
from pipeline.store import SCHEMA_VERSION, CorpusStore, StoreError

FIXTURE = Path(__file__).parent / "fixtures" / "store" / "documents.jsonl"


def build_fixture_corpus(path: Path) -> Path:
    """A corpus folder holding the extracted fixture documents (used by the query and serve tests)."""
    with CorpusStore(path) as store:
        for doc in read_jsonl(FIXTURE):
            store.add_extracted_document(doc)
    return path


@pytest.fixture
def docs() -> list[Document]:
    return read_jsonl(FIXTURE)


@pytest.fixture
def store(tmp_path):
    with CorpusStore(tmp_path / "corpus") as s:
        yield s


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _mentions(store: CorpusStore, doc_id: str) -> dict[str, list[tuple]]:
    return {t: [tuple(r) for r in store.conn.execute(f"SELECT * FROM {t} WHERE doc_id = ? ORDER BY idx", (doc_id,))]
            for t in ("units", "quantities", "records")}


def test_fixture_offsets_slice_back(docs):
    # The fixture is hand-written: check it is self-consistent before trusting it.
    assert len(docs) == 6
    for doc in docs:
        for m in doc.units + doc.quantities:
            assert doc.text[m.start:m.end] == m.text
        for r in doc.records:
            assert doc.text[r.start:r.end] == r.sentence
            assert doc.quantities[r.quantity].text == r.quantity_text


def test_schema(store):
    conn = store.conn
    names = {r["name"]: r["type"] for r in conn.execute("SELECT name, type FROM sqlite_master")}
    for table in ("documents", "units", "quantities", "records", "documents_fts", "documents_fts_folded"):
        assert names.get(table) == "table", table
    for view in ("record_rows", "quantity_rows", "document_rows"):
        assert names.get(view) == "view", view
    for index in ("records_unit", "records_activity", "records_unit_of_measure", "records_base_unit",
                  "records_period", "documents_source", "documents_published", "quantities_unit_of_measure"):
        assert names.get(index) == "index", index
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == store.schema_version
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    record_columns = [r["name"] for r in conn.execute("PRAGMA table_info(records)")]
    for field in ("unit", "activity", "quantity", "quantity_text", "item", "value", "value_max", "total",
                  "unit_of_measure", "qualifier", "base_value", "base_unit", "period_text", "period_start",
                  "period_end", "location", "sentence", "start", "end", "doc_id", "idx"):
        assert field in record_columns
    view_columns = [r["name"] for r in conn.execute("PRAGMA table_info(record_rows)")]
    for field in ("doc_id", "url", "title", "published", "year", "source", "warc_record_id", "sentence"):
        assert field in view_columns
    assert store.path.name == "corpus.sqlite"


def test_reopen_keeps_data_and_refuses_newer_schema(tmp_path, docs):
    with CorpusStore(tmp_path) as s:
        s.add_extracted_document(docs[0])
    with CorpusStore(tmp_path) as s:
        assert s.count_documents() == 1
        s.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        CorpusStore(tmp_path)


def test_migration_from_version_1(tmp_path, docs):
    # A version-1 store: same tables, record_rows without in_title/restated.
    with CorpusStore(tmp_path) as s:
        s.add_extracted_document(docs[0])
        s.conn.execute("DROP VIEW record_rows")
        s.conn.execute("CREATE VIEW record_rows AS SELECT r.*, d.url FROM records r JOIN documents d USING (doc_id)")
        s.conn.execute("PRAGMA user_version = 1")
    with pytest.raises(StoreError, match="older"):
        CorpusStore(tmp_path, readonly=True)
    with CorpusStore(tmp_path) as s:
        assert s.schema_version == SCHEMA_VERSION
        columns = [r["name"] for r in s.conn.execute("PRAGMA table_info(record_rows)")]
        assert "restated" in columns and "warc_record_id" in columns
        assert list(s.iter_documents()) == [docs[0]]
    with CorpusStore(tmp_path, readonly=True) as ro:
        assert ro.count_documents() == 1


def test_readonly_store(tmp_path, docs):
    with pytest.raises(StoreError, match="no corpus store"):
        CorpusStore(tmp_path / "nowhere", readonly=True)
    assert not (tmp_path / "nowhere").exists()
    with CorpusStore(tmp_path) as s:
        s.add_extracted_document(docs[0])
    with CorpusStore(tmp_path, readonly=True) as ro:
        assert [d.doc_id for d in ro.iter_documents()] == [docs[0].doc_id]
        with pytest.raises(StoreError, match="read-only"):
            ro.add_document(docs[1])
        with pytest.raises(sqlite3.OperationalError):
            ro.conn.execute("DELETE FROM documents")


def test_round_trip(store, docs):
    for doc in docs:
        assert store.add_extracted_document(doc) is True
    back = list(store.iter_documents())
    assert back == docs
    assert [d.to_json() for d in back] == [d.to_json() for d in docs]
    assert store.count_documents() == 6
    assert store.counts() == {"documents": 6, "units": 5, "quantities": 12, "records": 12, "pending": 0}


def test_add_document_then_save_extraction(store, docs):
    doc = docs[0]
    bare = Document(**{f: getattr(doc, f) for f in ("doc_id", "text", "url", "canonical_url", "source", "title",
                                                    "published", "author", "fetched_at", "warc_file",
                                                    "warc_record_id")})
    assert store.add_document(doc) is True  # its mentions are ignored by add_document
    assert store.get_document(doc.doc_id) == bare
    assert [d.doc_id for d in store.pending_documents()] == [doc.doc_id]
    assert list(store.pending_documents()) == [bare]
    store.save_extraction(doc)
    assert list(store.pending_documents()) == []
    assert store.get_document(doc.doc_id) == doc


def test_idempotent_ingest(store, docs):
    for doc in docs:
        store.add_extracted_document(doc)
    before = _dump(store.path)
    changes = store.conn.total_changes
    for doc in docs:
        assert store.add_extracted_document(copy.deepcopy(doc)) is False
        assert store.add_document(doc) is False
        store.save_extraction(doc)
    assert store.conn.total_changes == changes
    assert _dump(store.path) == before


def test_metadata_change_keeps_mentions(store, docs):
    doc = docs[1]
    store.add_extracted_document(doc)
    changed = copy.deepcopy(doc)
    changed.title = "Tiêu đề mới"
    changed.warc_record_id = "<urn:uuid:11111111-2222-4333-8444-555555555555>"
    assert store.add_document(changed) is False
    back = store.get_document(doc.doc_id)
    assert back.title == "Tiêu đề mới" and back.warc_record_id == changed.warc_record_id
    assert back.records == doc.records and back.quantities == doc.quantities
    assert store.count_pending() == 0
    assert store.search("Tiêu đề mới") == [doc.doc_id]  # the FTS follows the new title


def test_text_change_clears_mentions_and_makes_pending(store, docs):
    doc = docs[2]
    store.add_extracted_document(doc)
    new = copy.deepcopy(doc)
    new.text = doc.text.replace("8.069", "9.000")
    assert store.add_document(new) is True
    back = store.get_document(doc.doc_id)
    assert (back.units, back.quantities, back.records, back.period) == ([], [], [], None)
    assert [d.text for d in store.pending_documents()] == [new.text]
    # the old mentions' offsets pointed into the old text: refuse them
    with pytest.raises(StoreError, match="text differs"):
        store.save_extraction(doc)
    assert store.search("8.069") == [] and store.search("9.000") == [doc.doc_id]


def test_reextraction_replaces_mentions(store, docs):
    doc = docs[0]
    store.add_extracted_document(doc)
    fewer = copy.deepcopy(doc)
    fewer.quantities = fewer.quantities[:1]
    fewer.records = fewer.records[:1]
    fewer.records[0].activity = "kiểm tra, xử lý"
    store.save_extraction(fewer)
    assert store.get_document(doc.doc_id) == fewer
    assert store.conn.execute("SELECT count(*) FROM records WHERE doc_id = ?", (doc.doc_id,)).fetchone()[0] == 1


def test_failed_reextraction_leaves_old_mentions(store, docs):
    doc = docs[0]
    store.add_extracted_document(doc)
    before = _mentions(store, doc.doc_id)
    # Units and quantities are written before the bad record: the whole write must roll back.
    bad = copy.deepcopy(doc)
    bad.units.append(Unit(text="Chi cục", start=0, end=7, name="Chi cục Mới"))
    bad.records[-1].quantity = 99
    with pytest.raises(StoreError, match="quantity"):
        store.save_extraction(bad)
    assert _mentions(store, doc.doc_id) == before
    assert store.get_document(doc.doc_id) == doc
    # A value sqlite cannot bind, in the middle of the list.
    bad = copy.deepcopy(doc)
    bad.quantities[1].item = object()  # type: ignore[assignment]
    with pytest.raises(StoreError, match="bad mention value"):
        store.save_extraction(bad)
    assert _mentions(store, doc.doc_id) == before
    # The store is still usable afterwards (no transaction left open).
    store.add_extracted_document(docs[1])
    assert store.count_documents() == 2


def test_exception_inside_transaction_rolls_back(store, docs):
    doc = docs[3]
    store.add_extracted_document(doc)
    before = _dump(store.path)
    with pytest.raises(RuntimeError):
        with store._transaction():
            store._clear_mentions(doc.doc_id)
            raise RuntimeError("crash in the middle of a write")
    assert _dump(store.path) == before


def test_foreign_keys_and_cascade(store, docs):
    for doc in docs:
        store.add_extracted_document(doc)
    conn = store.conn
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO units (doc_id, idx, text, start, \"end\", name) VALUES ('nope', 0, 'x', 0, 1, 'x')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE records SET quantity = 42 WHERE doc_id = ? AND idx = 0", (docs[1].doc_id,))
    assert store.delete_document(docs[1].doc_id) is True
    for table in ("units", "quantities", "records"):
        assert conn.execute(f"SELECT count(*) FROM {table} WHERE doc_id = ?", (docs[1].doc_id,)).fetchone()[0] == 0
    assert store.counts()["records"] == 9
    assert store.search("Đo lường") == []  # gone from the full-text index too
    assert store.search("do luong") == []


def test_save_extraction_of_unknown_document(store, docs):
    with pytest.raises(StoreError, match="not in the store"):
        store.save_extraction(docs[0])


def test_pending_iteration_while_saving(store, docs):
    for doc in docs:
        store.add_document(doc)
    by_id = {d.doc_id: d for d in docs}
    seen = []
    for pending in store.pending_documents():
        seen.append(pending.doc_id)
        store.save_extraction(by_id[pending.doc_id])
    assert seen == [d.doc_id for d in docs]
    assert store.count_pending() == 0
    store.mark_pending(docs[0].doc_id)
    assert [d.doc_id for d in store.pending_documents()] == [docs[0].doc_id]
    # re-saving the same mentions marks it extracted again
    store.save_extraction(docs[0])
    assert store.count_pending() == 0


def test_full_text_search(store, docs):
    for doc in docs:
        store.add_extracted_document(doc)
    ids = [d.doc_id for d in docs]
    assert store.search("giảo cổ lam") == [ids[2]]
    assert store.search("giao co lam") == [ids[2]]
    assert store.search("GIẢO CỔ LAM") == [ids[2]]
    assert store.search("kiểm định") == [ids[1]]
    assert store.search("kiem dinh") == [ids[1]]
    # with diacritics the tone counts: kiếm (sword) is not kiểm
    assert store.search("kiếm định") == []
    # đ is a letter of its own that unicode61 does not fold: handled
    assert store.search("Đo lường") == [ids[1]]
    assert store.search("do luong") == [ids[1]]
    assert store.search("đường") == [ids[5]]
    assert store.search("duong") == [ids[5]]
    # a phrase: words adjacent, in order
    assert store.search("cổ lam giảo") == []
    # commas separate phrases that must all occur
    assert store.search("kiểm tra, xăng dầu") == [ids[3]]
    assert store.search("kiểm tra") == [ids[0], ids[1], ids[3]]
    # titles are indexed too
    assert store.search("Tổng kết") == [ids[1]]
    # FTS syntax in user input is just text
    assert store.search('"kiểm" OR NOT (') == []
    with pytest.raises(ValueError):
        store.search("  ;; ")


def test_two_connections_share_the_file(tmp_path, docs):
    # The crawler's frontier lives in the same file on its own connection (WAL).
    with CorpusStore(tmp_path) as s:
        other = sqlite3.connect(s.path, timeout=10)
        other.execute("CREATE TABLE IF NOT EXISTS frontier (url TEXT PRIMARY KEY)")
        other.execute("INSERT INTO frontier VALUES ('https://a.example/')")
        other.commit()
        s.add_extracted_document(docs[0])
        reader = CorpusStore(tmp_path, readonly=True)
        assert reader.count_documents() == 1
        other.execute("INSERT INTO frontier VALUES ('https://b.example/')")  # open write txn on `other`
        assert reader.count_documents() == 1  # reading is not blocked by a writer
        other.commit()
        other.close()
        reader.close()


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60)
_opt_text = st.none() | _text
_float = st.floats(allow_nan=False, allow_infinity=False)
_opt_float = st.none() | _float


@st.composite
def documents(draw):
    text = draw(_text)
    n = len(text)
    url = draw(st.none() | st.text("abc/-", max_size=10).map(lambda path: "https://x.example.gov.vn/" + path))
    period = draw(st.none() | st.builds(Period, text=_text, start=_opt_text, end=_opt_text))
    quantities = draw(st.lists(st.builds(
        Quantity, text=_text, start=st.integers(0, n), end=st.integers(0, n), value=_float,
        unit_of_measure=_opt_text, qualifier=st.sampled_from(["=", ">", "<", "~"]),
        dimension=st.sampled_from(["count", "mass", "money", "rate"]), value_max=_opt_float,
        total=_opt_float, item=_opt_text, base_value=_opt_float, base_unit=_opt_text), max_size=4))
    records = []
    for i, q in enumerate(quantities):
        if draw(st.booleans()):
            records.append(Record.for_quantity(
                i, q, unit=draw(_opt_text), activity=draw(_opt_text), sentence=draw(_text), start=0, end=n,
                period=draw(st.none() | st.builds(Period, text=_text, start=_opt_text, end=_opt_text)),
                location=draw(_opt_text)))
    units = draw(st.lists(st.builds(Unit, text=_text, start=st.integers(0, n), end=st.integers(0, n), name=_text,
                                    abbreviation=_opt_text, kind=_opt_text, parent=_opt_text), max_size=3))
    return Document(doc_id=make_doc_id(url, text), text=text, url=url, title=draw(_opt_text),
                    published=draw(_opt_text), author=draw(_opt_text), period=period,
                    units=units, quantities=quantities, records=records)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(documents(), min_size=1, max_size=3, unique_by=lambda d: d.doc_id))
def test_round_trip_property(generated):
    with tempfile.TemporaryDirectory() as tmp:
        with CorpusStore(tmp) as s:
            for doc in generated:
                s.add_extracted_document(doc)
            assert list(s.iter_documents()) == generated
            assert all(s.add_extracted_document(doc) is False for doc in generated)


# -- the store's tables exported to Parquet (pipeline/parquet.py) -------------

def test_parquet_export_of_a_store(tmp_path, docs):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa
    from datetime import date, datetime, timezone

    from tests.conftest import run_cli

    with CorpusStore(tmp_path / "corpus") as s:
        for doc in docs:
            s.add_extracted_document(doc)
    out = tmp_path / "records.parquet"
    result = run_cli("export", str(tmp_path / "corpus"), "--format", "parquet", "--table", "records",
                     "--output", str(out))
    assert result.returncode == 0, result.stderr
    table = pq.read_table(out)
    types = {f.name: f.type for f in table.schema}
    assert types["start"] == types["end"] == types["quantity"] == pa.int64()
    assert types["value"] == types["base_value"] == types["value_max"] == pa.float64()
    assert types["period_start"] == types["period_end"] == pa.date32()
    # one article has a time of day with an offset: the column is a timestamp of instants (UTC)
    assert types["published"] == pa.timestamp("us", tz="UTC") and types["published_local"] == pa.string()
    assert types["unit"] == types["sentence"] == types["warc_record_id"] == pa.string()
    rows = table.to_pylist()
    assert len(rows) == 12
    row = next(r for r in rows if r["quantity_text"] == "1.511 phương tiện đo")
    assert row["value"] == 1511.0 and row["published"] == datetime(2023, 12, 28, tzinfo=timezone.utc)
    assert row["published_local"] == "2023-12-28"
    assert row["period_start"] == date(2023, 1, 1) and row["url"].startswith("https://hagiang.")
    assert row["warc_record_id"].startswith("<urn:uuid:") and row["sentence"].endswith("phương tiện đo.")
    first = next(r for r in rows if r["quantity_text"] == "45 cơ sở")
    assert first["published"] == datetime(2023, 7, 10, 1, 30, tzinfo=timezone.utc)  # 08:30 +07:00
    assert first["published_local"].startswith("2023-07-10T08:30")
    local = next(r for r in rows if r["quantity_text"] == "3 km")
    assert local["published"] is None and local["url"] is None and local["base_value"] == 3000.0


def test_write_parquet_types(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa
    from datetime import date

    from pipeline.parquet import write_parquet

    columns = ["doc_id", "published", "fetched_at", "value", "start", "period", "note", "period_start"]
    rows = [
        {"doc_id": "a", "published": "2021-01-15", "value": 2, "start": 0, "period": {"text": "năm 2021"},
         "note": "=SUM(A1)", "period_start": None},
        {"doc_id": "b", "published": None, "value": 0.5, "start": 7},
    ]
    assert write_parquet(columns, rows, tmp_path / "t.parquet", "records") == 2
    table = pq.read_table(tmp_path / "t.parquet")
    types = {f.name: f.type for f in table.schema}
    assert types == {"doc_id": pa.string(), "published": pa.date32(), "published_local": pa.string(),
                     "fetched_at": pa.timestamp("us", tz="UTC"),
                     "value": pa.float64(), "start": pa.int64(), "period": pa.string(), "note": pa.string(),
                     "period_start": pa.date32()}
    assert table.schema.metadata[b"provnews.table"] == b"records"
    got = table.to_pylist()
    assert got[0]["published"] == date(2021, 1, 15) and got[0]["value"] == 2.0
    assert got[0]["period"] == '{"text": "năm 2021"}' and got[0]["note"] == "=SUM(A1)"
    # a date column with a value that is not ISO keeps the text as written
    write_parquet(["published"], [{"published": "15/01/2021"}, {"published": "2021-01-16"}],
                  tmp_path / "u.parquet", "documents")
    u = pq.read_table(tmp_path / "u.parquet")
    assert u.schema.field("published").type == pa.string()
    assert u.column("published").to_pylist() == ["15/01/2021", "2021-01-16"]
    # no rows: still a file with the typed columns
    write_parquet(["doc_id", "value", "published"], [], tmp_path / "empty.parquet", "records")
    empty = pq.read_table(tmp_path / "empty.parquet")
    assert empty.num_rows == 0 and empty.schema.field("value").type == pa.float64()


def test_missing_optional_extras_give_one_line(tmp_path, docs):
    import subprocess
    import sys

    from tests.conftest import ROOT

    with CorpusStore(tmp_path / "corpus") as s:
        s.add_extracted_document(docs[0])
    # Run the real CLI with the extra's package made unimportable.
    for blocked, args, hint in [
        ("pyarrow", ["export", str(tmp_path / "corpus"), "--format", "parquet", "--output", str(tmp_path / "x.parquet")],
         "provnews[parquet]"),
        ("datasette", ["serve", "--corpus", str(tmp_path / "corpus"), "--port", "9"], "provnews[serve]"),
    ]:
        code = (f"import sys; sys.modules[{blocked!r}] = None; from pipeline.cli import main; "
                f"sys.exit(main({args!r}))")
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and hint in lines[0] and "Traceback" not in result.stderr, result.stderr
    assert not (tmp_path / "x.parquet").exists()


def test_processes_creating_one_store_at_once(tmp_path, docs):
    # crawl and extract (or several workers) may open a fresh corpus at the same moment
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = ("import sys; from pipeline.store import CorpusStore; from pipeline.records import read_jsonl; "
            "docs = read_jsonl(sys.argv[2]); s = CorpusStore(sys.argv[1]); "
            "s.add_extracted_document(docs[int(sys.argv[3])]); s.close()")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path), str(FIXTURE), str(i)], cwd=ROOT,
                              stderr=subprocess.PIPE, text=True) for i in range(len(docs))]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * len(docs), errors
    with CorpusStore(tmp_path, readonly=True) as s:
        assert sorted(d.doc_id for d in s.iter_documents()) == sorted(d.doc_id for d in docs)
        assert s.schema_version == SCHEMA_VERSION
