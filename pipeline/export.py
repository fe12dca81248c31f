"""Exporters: documents → JSON, JSONL, CSV or Parquet files.

A format → exporter map (as scrapy's FEED_EXPORTERS): each exporter has
``start`` / ``write`` / ``finish``.  JSON formats write whole documents (the
schema's JSON); the table formats (CSV, Parquet) write one of four flat
tables — records, quantities, units, documents — each row carrying its
document's metadata and provenance so a researcher can trace every number.
"""
from __future__ import annotations

import csv
import os
import re
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from pipeline.records import Document, NotJSON, iter_jsonl, read_jsonl

DOC_COLUMNS = ["doc_id", "url", "title", "published", "source", "fetched_at", "warc_file", "warc_record_id"]
PERIOD_COLUMNS = ["period_text", "period_start", "period_end"]
RECORD_COLUMNS = ["record", "unit", "activity", "quantity", "quantity_text", "value", "value_max", "total",
                  "unit_of_measure", "item", "qualifier", "base_value", "base_unit", *PERIOD_COLUMNS,
                  "location", "sentence", "start", "end"]
QUANTITY_COLUMNS = ["quantity", "text", "start", "end", "value", "value_max", "total", "unit_of_measure",
                    "item", "qualifier", "dimension", "base_value", "base_unit"]
UNIT_COLUMNS = ["mention", "text", "start", "end", "name", "abbreviation", "kind", "parent"]
DOCUMENT_COLUMNS = ["doc_id", "url", "canonical_url", "source", "title", "published", "author", "fetched_at",
                    "warc_file", "warc_record_id", *PERIOD_COLUMNS, "units", "quantities", "records", "text"]

TABLES = {
    "records": DOC_COLUMNS + RECORD_COLUMNS,
    "quantities": DOC_COLUMNS + QUANTITY_COLUMNS,
    "units": DOC_COLUMNS + UNIT_COLUMNS,
    "documents": DOCUMENT_COLUMNS,
}


def _period(p) -> dict[str, Any]:
    return {"period_text": p.text if p else None, "period_start": p.start if p else None,
            "period_end": p.end if p else None}


def table_rows(docs: Iterable[Document], table: str) -> tuple[list[str], Iterator[dict[str, Any]]]:
    """The columns and the rows of one flat table."""
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; choose one of {', '.join(TABLES)}")

    def rows() -> Iterator[dict[str, Any]]:
        for doc in docs:
            meta = {c: getattr(doc, c) for c in DOC_COLUMNS}
            if table == "documents":
                yield {**{c: getattr(doc, c) for c in DOCUMENT_COLUMNS if hasattr(doc, c) and c not in
                          ("units", "quantities", "records")},
                       **_period(doc.period), "units": len({u.name for u in doc.units}),
                       "quantities": len(doc.quantities), "records": len(doc.records)}
            elif table == "records":
                for i, r in enumerate(doc.records):
                    d = r.to_dict()
                    d.pop("period", None)
                    yield {**meta, "record": i, **d, **_period(r.period)}
            elif table == "quantities":
                for i, q in enumerate(doc.quantities):
                    yield {**meta, "quantity": i, **q.to_dict()}
            else:
                for i, u in enumerate(doc.units):
                    yield {**meta, "mention": i, **u.to_dict()}

    return TABLES[table], rows()


# OWASP "CSV injection": a text cell a spreadsheet would run as a formula —
# one starting with = + - or @ (or their full-width forms, which Excel and
# LibreOffice take for them under East Asian input) — gets a leading
# apostrophe. Spreadsheets skip blanks and quotes before the formula sign
# (" =1+1", "\n=1+1", '"=1+1'), so those are looked through. Not neutralized:
# what no spreadsheet runs — a sign alone (the qualifier "=") or a plain
# number ("-5", "+84"), which stays readable as it was written.
_FORMULA_SIGNS = "=+-@\uff1d\uff0b\uff0d\uff20"
_SKIPPED_BEFORE_SIGN = " \t\r\n\"\u00a0\u3000"
_PLAIN_NUMBER = re.compile(r"[+\-]?\d+(?:[.,]\d+)*")


def excel_safe(value: Any) -> Any:
    """Neutralize the text cells a spreadsheet would run as formulas; numbers stay numbers.

    >>> excel_safe("=HYPERLINK(1)"), excel_safe(" =1+1"), excel_safe("="), excel_safe(-5.0)
    ("'=HYPERLINK(1)", "' =1+1", '=', -5.0)
    """
    if not isinstance(value, str):
        return value
    rest = value.lstrip(_SKIPPED_BEFORE_SIGN)
    if len(rest) >= 2 and rest[0] in _FORMULA_SIGNS and not _PLAIN_NUMBER.fullmatch(rest):
        return "'" + value
    return value


class JsonExporter:
    """A JSON array of documents, as the schema defines one document."""

    def __init__(self, path: Path, table: str, bom: bool):
        self.path, self.first = path, True

    def start(self) -> None:
        self.fh = open(self.path, "w", encoding="utf-8")
        self.fh.write("[\n")

    def write(self, doc: Document) -> None:
        self.fh.write(("" if self.first else ",\n") + doc.to_json())
        self.first = False

    def finish(self) -> None:
        self.fh.write("\n]\n")
        self.fh.close()


class JsonLinesExporter(JsonExporter):
    def start(self) -> None:
        self.fh = open(self.path, "w", encoding="utf-8")

    def write(self, doc: Document) -> None:
        self.fh.write(doc.to_json() + "\n")

    def finish(self) -> None:
        self.fh.close()


class CsvExporter:
    """One flat table as CSV that Excel opens correctly (UTF-8 with BOM by default)."""

    def __init__(self, path: Path, table: str, bom: bool):
        self.path, self.table, self.bom = path, table, bom

    def start(self) -> None:
        self.fh = open(self.path, "w", encoding="utf-8-sig" if self.bom else "utf-8", newline="")
        self.writer = csv.DictWriter(self.fh, fieldnames=TABLES[self.table], extrasaction="ignore")
        self.writer.writeheader()

    def write(self, doc: Document) -> None:
        _, rows = table_rows([doc], self.table)
        for row in rows:
            self.writer.writerow({k: excel_safe(v) for k, v in row.items()})

    def finish(self) -> None:
        self.fh.close()


class ParquetExporter:
    """One flat table as Parquet with typed columns (extra ``[parquet]``), in bounded memory."""

    def __init__(self, path: Path, table: str, bom: bool):
        self.path, self.table = path, table

    def start(self) -> None:
        from pipeline.parquet import ParquetTableWriter

        self.writer = ParquetTableWriter(TABLES[self.table], self.path, self.table)

    def write(self, doc: Document) -> None:
        for row in table_rows([doc], self.table)[1]:
            self.writer.add(row)

    def finish(self) -> None:
        self.writer.close()


EXPORTERS = {"json": JsonExporter, "jsonl": JsonLinesExporter, "csv": CsvExporter, "parquet": ParquetExporter}


class ExportError(Exception):
    pass


class LeftOut:
    """The stored documents an export passes over — unreadable in the store, or holding a number
    the format cannot (JSON and NaN) — each named once on stderr, however often the corpus is read
    (``len``: how many, for the command's status)."""

    def __init__(self, where: Path):
        self.where, self.messages = str(where), set()

    def __call__(self, exc: Exception) -> None:
        message = str(exc) if str(exc).startswith(self.where) else f"{self.where}: {exc}"
        if message not in self.messages:
            print(f"provnews export: {message}; left out of the export", file=sys.stderr)
            self.messages.add(message)

    def __len__(self) -> int:
        return len(self.messages)


class _Documents:
    """The documents of a JSONL file or a corpus folder, read one at a time (and re-readable)."""

    def __init__(self, source: Path):
        self.source = source
        self.left_out = LeftOut(source / "corpus.sqlite") if source.is_dir() else None

    def __iter__(self) -> Iterator[Document]:
        if self.source.is_dir():
            from pipeline.store import CorpusStore

            with CorpusStore(self.source, readonly=True) as store:
                yield from store.iter_documents(unreadable=self.left_out)
            return
        try:
            yield from iter_jsonl(self.source)
        except UnicodeDecodeError:
            raise ExportError(f"{self.source}: not UTF-8 text") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise ExportError(f"{self.source}: not a JSONL file of provnews documents ({exc})") from None


def load_documents(source: str | Path) -> Iterable[Document]:
    """Documents from a JSONL file written by ``provnews extract`` (``-``: stdin), or from a corpus folder.

    They are read as they are used, one at a time, so exports stay flat in
    memory however large the source; iterating again reads them again (stdin
    is read once, into memory: it cannot be read twice).
    """
    if str(source) == "-":
        try:
            return read_jsonl("-")
        except (ValueError, KeyError, TypeError) as exc:
            raise ExportError(f"stdin: not a JSONL of provnews documents ({exc})") from None
        except UnicodeDecodeError:
            raise ExportError("stdin: not UTF-8 text") from None
    source = Path(source)
    if source.is_file() and source.name == "corpus.sqlite":  # the store's file: its corpus, as query takes it
        source = source.parent
    if source.is_dir():
        if not (source / "corpus.sqlite").exists():
            raise ExportError(f"{source}: no corpus here (corpus.sqlite missing)")
    elif not source.exists():
        raise ExportError(f"{source}: no such file or directory")
    return _Documents(source)


def export(docs: Iterable[Document], fmt: str, path: str | Path, table: str = "records", bom: bool = True,
           left_out: Callable[[Exception], None] | None = None) -> int:
    """Write documents in a format; returns the number of documents written.

    Documents stream through one at a time.  The file appears under its name
    only when complete: a failure midway leaves no half-written export.
    ``left_out``: called with a document the format cannot hold (NotJSON),
    which is passed over; without it, that stops the export.
    """
    if fmt not in EXPORTERS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(EXPORTERS)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    exporter = EXPORTERS[fmt](partial, table, bom)
    n = 0
    try:
        exporter.start()
        for doc in docs:
            try:
                exporter.write(doc)
            except NotJSON as exc:
                if left_out is None:
                    raise
                left_out(exc)
                continue
            n += 1
        exporter.finish()
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return n


def export_corpus(corpus_dir: str | Path, outputs_dir: str | Path) -> list[Path]:
    """The standard set of exports of a corpus: documents JSONL and the four CSV tables."""
    outputs_dir = Path(outputs_dir)
    docs = load_documents(corpus_dir)  # read again for each file, never all held at once
    written = [outputs_dir / "documents.jsonl"]
    export(docs, "jsonl", written[0], left_out=docs.left_out)
    for table in TABLES:
        written.append(outputs_dir / f"{table}.csv")
        export(docs, "csv", written[-1], table=table, left_out=docs.left_out)
    return written


def _export_to(args, path) -> tuple[int, int]:
    """(documents written, stored documents left out because they cannot be read)."""
    if args.format == "wacz":
        from pipeline.wacz import WaczError, write_wacz

        if not Path(args.source).is_dir():
            raise ExportError(f"{args.source}: wacz packages a corpus folder (its WARCs), not a JSONL file")
        try:
            return write_wacz(args.source, path), 0
        except WaczError as exc:
            raise ExportError(str(exc)) from None
    docs = load_documents(args.source)
    left_out = getattr(docs, "left_out", None)
    n = export(docs, args.format, path, table=args.table, bom=not args.no_bom, left_out=left_out)
    return n, len(left_out or ())


def _write_through(args, stream) -> tuple[int, int]:
    """Export into a stream (stdout, a pipe, a device): written whole to a temporary file, then
    copied, as sqlite-utils and trafilatura do (Parquet and WACZ need a seekable file)."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export.{args.format}"
        counts = _export_to(args, path)
        with open(path, "rb") as fh:
            shutil.copyfileobj(fh, stream)
        stream.flush()
    return counts


def cli_export(args) -> int:
    try:
        out = Path(args.output)
        if args.output == "-":
            n, skipped = _write_through(args, sys.stdout.buffer)
        elif out.exists() and not out.is_file() and not out.is_dir():
            # a pipe or a device is written into, never replaced by a file of the same name
            with open(out, "wb") as stream:
                n, skipped = _write_through(args, stream)
        else:
            from pipeline.ingest import output_problem

            if problem := output_problem(out, [args.source]):
                raise ExportError(f"{args.output}: {problem}")
            # a link's target gets the new file (the new file replaces the target, not the link)
            n, skipped = _export_to(args, out.resolve() if out.is_symlink() else out)
    except ExportError as exc:
        print(f"provnews export: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        print(f"provnews export: {args.format} needs an optional extra ({exc.name} missing): "
              f"pip install 'provnews[{args.format}]'", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"provnews export: {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    what = {"json": "documents", "jsonl": "documents", "wacz": "pages (stored documents) with their WARCs"}.get(
        args.format, f"documents as table {args.table}")
    if not getattr(args, "quiet", False) or skipped:
        where = "stdout" if args.output == "-" else args.output
        print(f"provnews export: wrote {n} {what} to {where}"
              + (f"; {skipped} stored documents left out (named above)" if skipped else ""),
              file=sys.stderr)
    # the others are exported all the same, as extract does with the inputs that did not fail
    return 1 if skipped else 0
