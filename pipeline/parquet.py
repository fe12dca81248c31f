"""Flat tables → Parquet with proper column types (extra ``[parquet]``: pyarrow).

Column types come from what the spec says each field is — offsets and
indexes are integers, values are floats, dates are dates — checked against
the values: a column declared a date whose values are not all ISO dates stays
text rather than losing what was written.

A date-time is an instant: the column is ``timestamp[us, tz=UTC]``, so DuckDB,
pandas and Arrow show and group it in whatever zone the reader asks for
(``SET TimeZone = 'Asia/Ho_Chi_Minh'`` in DuckDB, ``tz_convert`` in pandas).
``published`` is also kept as the page said it in ``published_local`` (text:
``2021-11-05T15:30:00+07:00``, or a day alone), whose first ten characters are
the publication day on the site's calendar.  A day without a time of day is
its 00:00 UTC in the timestamp column — the same day in Vietnam (UTC+7).

Example::

    write_parquet(["doc_id", "value", "published"], rows, "outputs/records.parquet", "records")
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone, tzinfo
from pathlib import Path
from typing import Any, Iterable

# Integer fields of the spec and of the export tables (indexes, offsets, counts).
INTEGER_COLUMNS = {
    "start", "end", "quantity", "record", "mention", "idx", "record_idx", "quantity_idx",
    "units", "quantities", "records", "year", "published_year", "documents",
    "n_units", "n_quantities", "n_records", "n_chars", "doc_rowid",
}
FLOAT_COLUMNS = {"value", "value_max", "total", "base_value", "sum", "min", "max"}
# Columns that hold an ISO 8601 date or datetime when they hold anything.
# The value is the type used when a file has no value at all in the column, so
# files of the same table keep one schema: a column of dates only is date32, one
# with any time of day is a timestamp.
DATE_COLUMNS = {"published": "date", "fetched_at": "timestamp", "period_start": "date", "period_end": "date",
                "extracted_at": "timestamp", "added_at": "timestamp", "updated_at": "timestamp"}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


class ParquetUnavailable(ImportError):
    """pyarrow is not installed."""


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise ParquetUnavailable(
            "Parquet export needs pyarrow: pip install 'provnews[parquet]'", name="pyarrow"
        ) from None
    return pyarrow


def _as_datetime(text: str, naive_zone: tzinfo = timezone.utc) -> datetime:
    """The instant, in UTC; a date-time written without an offset is taken in ``naive_zone``.

    A day alone is its 00:00 UTC: the same calendar day in UTC and in Vietnam.
    """
    if _ISO_DATE.match(text):
        return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=naive_zone)
    return dt.astimezone(timezone.utc)


def _naive_zone(name: str) -> tzinfo:
    # a publication time without an offset is the portal's local time, as
    # pipeline.dates reads pages (Vietnam, UTC+7, no daylight saving)
    if name == "published":
        from pipeline.dates import VIETNAM_OFFSET

        return VIETNAM_OFFSET
    return timezone.utc


def _date_kind(values: list[Any]) -> str | None:
    """"date" if every value is an ISO date, "timestamp" if every one parses as ISO datetime/date, else None."""
    strings = [v for v in values if v is not None]
    if not strings or not all(isinstance(v, str) for v in strings):
        return None
    if all(_ISO_DATE.match(v) for v in strings):
        try:
            for v in strings:
                date.fromisoformat(v)
        except ValueError:
            return None
        return "date"
    if all(_ISO_DATE.match(v) or _ISO_DATETIME.match(v) for v in strings):
        try:
            for v in strings:
                _as_datetime(v)
        except ValueError:
            return None
        return "timestamp"
    return None


def _infer(name: str, values: list[Any]):
    """(arrow type, converter) for one column."""
    pa = _pyarrow()
    present = [v for v in values if v is not None]
    if name in DATE_COLUMNS:
        kind = _date_kind(values) if any(v is not None for v in values) else DATE_COLUMNS[name]
        if kind == "date":
            return pa.date32(), lambda v: None if v is None else date.fromisoformat(v)
        if kind == "timestamp":
            zone = _naive_zone(name)
            return pa.timestamp("us", tz="UTC"), lambda v: None if v is None else _as_datetime(v, zone)
    if name in FLOAT_COLUMNS and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pa.float64(), lambda v: None if v is None else float(v)
    if name in INTEGER_COLUMNS and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.int64(), lambda v: v
    if present and all(isinstance(v, bool) for v in present):
        return pa.bool_(), lambda v: v
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.int64(), lambda v: v
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pa.float64(), lambda v: None if v is None else float(v)
    return pa.string(), _to_text


def _to_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "to_dict"):
        return json.dumps(value.to_dict(), ensure_ascii=False)
    return str(value)


def write_parquet(columns: list[str], rows: Iterable[dict[str, Any]], path: str | Path, table: str) -> int:
    """Write rows (dicts keyed by column) as one Parquet file; returns the row count.

    Missing keys are nulls.  The file's metadata names the table
    (``provnews.table``) so a reader knows which of the flat tables it holds.
    """
    writer = ParquetTableWriter(columns, path, table)
    for row in rows:
        writer.add(row)
    return writer.close()


class ParquetTableWriter:
    """Rows in one at a time, one Parquet file out, in memory that does not grow with the rows.

    A column's type depends on all its values (one text value among dates
    keeps the column text), so the rows go to a temporary spool file while
    the kinds of values seen per column are noted; ``close`` then decides the
    types exactly as :func:`_infer` would on all the values and writes the
    rows back in record batches.
    """

    # Rows per record batch (and Parquet row group): peak memory grows with it
    # (2048: ~7 % more at 10k documents than at 1k; 16384: ~64 %).
    BATCH_ROWS = 2048

    def __init__(self, columns: list[str], path: str | Path, table: str):
        import pickle
        import tempfile

        self._pickle = pickle
        columns = list(columns)
        # ``published`` is an instant; the page's own wording of it stays beside it as text
        self._add_local = "published" in columns and "published_local" not in columns
        if self._add_local:
            columns.insert(columns.index("published") + 1, "published_local")
        self.columns, self.path, self.table = columns, Path(path), table
        self.rows = 0
        self._spool = tempfile.TemporaryFile()
        self._batch: list[tuple] = []
        # per column: one value of each kind seen (what _infer decides on)
        self._kinds: list[dict[tuple, Any]] = [{} for _ in self.columns]

    def _kind(self, name: str, value: Any) -> tuple:
        if isinstance(value, str) and name in DATE_COLUMNS:
            return str, _date_kind([value])
        return (type(value),)

    def add(self, row: dict[str, Any]) -> None:
        if self._add_local:
            row = {**row, "published_local": _to_text(row.get("published"))}
        values = tuple(row.get(c) for c in self.columns)
        for kinds, name, v in zip(self._kinds, self.columns, values):
            key = self._kind(name, v)
            if key not in kinds:
                kinds[key] = v
        self._batch.append(values)
        self.rows += 1
        if len(self._batch) >= self.BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            self._pickle.dump(self._batch, self._spool, protocol=self._pickle.HIGHEST_PROTOCOL)
            self._batch = []

    def _batches(self):
        self._flush()
        self._spool.seek(0)
        while True:
            try:
                yield self._pickle.load(self._spool)
            except EOFError:
                return

    def close(self) -> int:
        pa = _pyarrow()
        import pyarrow.parquet as pq

        try:
            types = [_infer(name, list(kinds.values())) for name, kinds in zip(self.columns, self._kinds)]
            schema = pa.schema([pa.field(name, t) for name, (t, _) in zip(self.columns, types)],
                               metadata={"provnews.table": self.table})
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with pq.ParquetWriter(self.path, schema) as writer:
                for batch in self._batches():
                    arrays = [pa.array([convert(row[k]) for row in batch], type=t)
                              for k, (t, convert) in enumerate(types)]
                    writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
        finally:
            self._spool.close()
        return self.rows
