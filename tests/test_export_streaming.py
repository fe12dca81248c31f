"""Exports stream: documents are read one at a time, Parquet goes out in record batches with
the types all the values call for, and a failure midway leaves no half-written file."""
from __future__ import annotations

import json

import pytest

from conftest import run_cli
from pipeline.export import ExportError, export, load_documents
from pipeline.records import Document


def _doc(i: int, published: str | None) -> Document:
    return Document(doc_id=f"d{i}", text=f"Văn bản {i}", url=f"file:///tmp/{i}.txt", published=published)


def _write_jsonl(path, docs, tail: str = "") -> None:
    path.write_text("".join(d.to_json() + "\n" for d in docs) + tail, encoding="utf-8")


def test_documents_are_read_lazily_and_again(tmp_path):
    src = tmp_path / "docs.jsonl"
    _write_jsonl(src, [_doc(i, None) for i in range(3)], tail="not json\n")
    docs = iter(load_documents(src))
    assert next(docs).doc_id == "d0"  # the bad last line is not read yet
    with pytest.raises(ExportError, match="not a JSONL file"):
        list(docs)
    _write_jsonl(src, [_doc(i, None) for i in range(3)])
    again = load_documents(src)
    assert [d.doc_id for d in again] == [d.doc_id for d in again] == ["d0", "d1", "d2"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_a_failure_midway_leaves_no_file(tmp_path, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    src = tmp_path / "docs.jsonl"
    _write_jsonl(src, [_doc(i, None) for i in range(3)], tail='{"doc_id": "cut\n')
    out = tmp_path / f"out.{fmt}"
    proc = run_cli("export", str(src), "--format", fmt, "--table", "documents", "--output", str(out))
    assert proc.returncode == 2 and "not a JSONL file" in proc.stderr and "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == [src]  # neither the export nor a partial file


def test_parquet_batches_keep_the_types_of_all_values(tmp_path, monkeypatch):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    from pipeline.parquet import ParquetTableWriter

    monkeypatch.setattr(ParquetTableWriter, "BATCH_ROWS", 4)
    # dates in every batch but the last, whose one value is not a date: the column stays text
    docs = [_doc(i, f"2021-01-{i + 1:02d}") for i in range(10)] + [_doc(10, "15/01/2021")]
    export(docs, "parquet", tmp_path / "mixed.parquet", table="documents")
    mixed = pq.read_table(tmp_path / "mixed.parquet")
    assert mixed.schema.field("published").type == pa.string()
    assert mixed.column("published").to_pylist()[-2:] == ["2021-01-10", "15/01/2021"]
    assert pq.ParquetFile(tmp_path / "mixed.parquet").num_row_groups == 3
    # all dates (and a missing one): a date column, every row in order
    docs = [_doc(i, f"2021-02-{i + 1:02d}" if i != 5 else None) for i in range(10)]
    export(docs, "parquet", tmp_path / "dates.parquet", table="documents")
    dates = pq.read_table(tmp_path / "dates.parquet")
    assert dates.schema.field("published").type == pa.date32()
    assert [d and d.day for d in dates.column("published").to_pylist()] == [1, 2, 3, 4, 5, None, 7, 8, 9, 10]
    assert dates.column("doc_id").to_pylist() == [f"d{i}" for i in range(10)]


def test_export_corpus_reads_the_store_once_per_file(tmp_path):
    from pipeline.export import export_corpus
    from pipeline.store import CorpusStore

    with CorpusStore(tmp_path / "corpus") as store:
        for i in range(3):
            store.add_document(_doc(i, "2021-03-01"))
    written = export_corpus(tmp_path / "corpus", tmp_path / "out")
    lines = (tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["doc_id"] for x in lines] == ["d0", "d1", "d2"]
    assert (tmp_path / "out" / "documents.csv").read_text(encoding="utf-8-sig").count("\n") == 4
    assert len(written) == 5
