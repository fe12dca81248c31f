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
    pa = _pyarrow()
    import pyarrow.parquet as pq

    rows = list(rows)
    arrays, fields = [], []
    names = []
    for name in columns:
        names.append(name)
        if name == "published" and "published_local" not in columns:
            names.append("published_local")
    for name in names:
        if name == "published_local" and "published_local" not in columns:
            values = [_to_text(row.get("published")) for row in rows]
            arrays.append(pa.array(values, type=pa.string()))
            fields.append(pa.field(name, pa.string()))
            continue
        values = [row.get(name) for row in rows]
        arrow_type, convert = _infer(name, values)
        arrays.append(pa.array([convert(v) for v in values], type=arrow_type))
        fields.append(pa.field(name, arrow_type))
    schema = pa.schema(fields, metadata={"provnews.table": table})
    table_data = pa.Table.from_arrays(arrays, schema=schema)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table_data, path)
    return len(rows)
