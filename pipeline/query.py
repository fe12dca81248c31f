"""Read-only questions to the corpus store: SQL (``provnews query``) and grouped statistics (``provnews stats``).

Both open the store read-only (``mode=ro`` URI, ``PRAGMA query_only``) with an
authorizer that refuses every write, ATTACH and state-changing PRAGMA, so a
researcher cannot damage a corpus by mistake.  The library functions return
rows; the ``cli_*`` functions only format them.

Examples::

    provnews query "SELECT unit, count(*) FROM records GROUP BY unit" --format csv
    provnews stats --by unit,year --where unit_of_measure=cơ sở --search "kiểm tra"
"""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
import math
import shlex
import time
from pathlib import Path
from typing import Any, Iterable, Iterator

from pipeline.store import CorpusStore, StoreError, connect_readonly, search_clause, store_path

# Fields of the record_rows view a researcher may group or filter by.  Only
# these names ever reach SQL; user values are always bound parameters.
STATS_FIELDS: dict[str, str] = {
    "unit": "unit",
    "activity": "activity",
    "unit_of_measure": "unit_of_measure",
    "base_unit": "base_unit",
    "dimension": "dimension",
    "item": "item",
    "qualifier": "qualifier",
    "location": "location",
    "year": "year",
    "published_year": "published_year",
    "source": "source",
    "doc_id": "doc_id",
    "period_text": "period_text",
    "quarter": "quarter",
    "month": "month",
    "province": "province",
    "province_code": "province_code",
    "province_2025": "province_2025",
    "province_2025_code": "province_2025_code",
    "province_basis": "province_basis",
    "fact_group": "fact_group",
}
INTEGER_FIELDS = {"year", "published_year", "quarter", "month"}

# PRAGMAs that only read; any other PRAGMA (or one of these with a value) is refused.
_READ_PRAGMAS = {
    "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list",
    "user_version", "schema_version", "page_count", "page_size", "database_list", "compile_options",
    "collation_list", "function_list", "module_list", "pragma_list", "table_list", "encoding",
    "journal_mode", "foreign_keys", "data_version", "freelist_count", "integrity_check", "quick_check",
    "foreign_key_check",
}
# PRAGMAs whose argument names a table/index rather than setting a value.
_PRAGMAS_WITH_ARGUMENT = {
    "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list",
    "integrity_check", "quick_check", "foreign_key_check", "table_list",
}

_WRITE_ACTIONS = {
    getattr(sqlite3, name): name.removeprefix("SQLITE_").replace("_", " ") for name in (
        "SQLITE_INSERT", "SQLITE_UPDATE", "SQLITE_DELETE", "SQLITE_ATTACH", "SQLITE_DETACH",
        "SQLITE_CREATE_INDEX", "SQLITE_CREATE_TABLE", "SQLITE_CREATE_TEMP_INDEX",
        "SQLITE_CREATE_TEMP_TABLE", "SQLITE_CREATE_TEMP_TRIGGER", "SQLITE_CREATE_TEMP_VIEW",
        "SQLITE_CREATE_TRIGGER", "SQLITE_CREATE_VIEW", "SQLITE_CREATE_VTABLE", "SQLITE_DROP_INDEX",
        "SQLITE_DROP_TABLE", "SQLITE_DROP_TEMP_INDEX", "SQLITE_DROP_TEMP_TABLE",
        "SQLITE_DROP_TEMP_TRIGGER", "SQLITE_DROP_TEMP_VIEW", "SQLITE_DROP_TRIGGER", "SQLITE_DROP_VIEW",
        "SQLITE_DROP_VTABLE", "SQLITE_ALTER_TABLE", "SQLITE_REINDEX", "SQLITE_ANALYZE",
        "SQLITE_TRANSACTION", "SQLITE_SAVEPOINT",
    )
    if hasattr(sqlite3, name)
}


class QueryError(Exception):
    """A query that could not run; the message is one line."""


class ReadOnlyError(QueryError):
    """A statement that would change the store."""


def _authorizer_for(refusals: list[str]):
    def authorize(action, arg1, arg2, dbname, source):
        # FTS5 reads its shadow tables through internal statements; those are
        # reads (SELECT) and pass.  Writes by internal statements cannot
        # happen without a write at the top, which is refused here.
        if action == sqlite3.SQLITE_UPDATE and arg1 in ("sqlite_master", "sqlite_temp_master"):
            # SQLite itself reports this when it first loads an FTS5 table's
            # schema; a real schema write is still impossible: the connection
            # is mode=ro and query_only, and writable_schema is refused below.
            return sqlite3.SQLITE_OK
        if action in _WRITE_ACTIONS:
            # DROP/CREATE are first seen as a DELETE/INSERT on sqlite_master.
            schema = arg1 in ("sqlite_master", "sqlite_temp_master")
            refusals.append("a schema change" if schema else _WRITE_ACTIONS[action])
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_PRAGMA:
            name = (arg1 or "").lower()
            if name not in _READ_PRAGMAS or (arg2 is not None and name not in _PRAGMAS_WITH_ARGUMENT):
                refusals.append(f"PRAGMA {name}" + (f" = {arg2}" if arg2 is not None else ""))
                return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    return authorize


def _open(path: str | Path) -> tuple[sqlite3.Connection, list[str]]:
    try:
        conn = connect_readonly(store_path(path))
    except sqlite3.Error as exc:
        raise QueryError(f"{store_path(path)}: cannot open the corpus store ({exc})") from None
    refusals: list[str] = []
    conn.set_authorizer(_authorizer_for(refusals))
    return conn, refusals


DEFAULT_QUERY_TIMEOUT = 5.0      # seconds; Datasette's default time limit too


class QueryTimeout(QueryError):
    """A query stopped at its time limit."""


def _stop_after(conn: sqlite3.Connection, seconds: float | None) -> dict[str, bool]:
    """Interrupt the statement running on ``conn`` once ``seconds`` have passed, or on Ctrl-C.

    SQLite calls the handler every N virtual-machine steps; a non-zero return
    aborts the statement, so even a runaway recursive CTE stops.  The handler
    is installed even without a time limit: while SQLite runs, Python only sees
    a Ctrl-C in this callback, so without it an endless query ignores Ctrl-C.
    """
    fired = {"timeout": False, "interrupt": False}
    deadline = time.monotonic() + seconds if seconds and seconds > 0 else math.inf

    def check() -> int:
        try:
            if time.monotonic() > deadline:
                fired["timeout"] = True
                return 1
            return 0
        except KeyboardInterrupt:  # raised here by Python's SIGINT handler
            fired["interrupt"] = True
            return 1

    conn.set_progress_handler(check, 10_000)
    return fired


def run_query(store: str | Path, sql: str, params: Iterable[Any] = (),
              timeout: float | None = DEFAULT_QUERY_TIMEOUT) -> tuple[list[str], list[tuple]]:
    """Run one read-only SQL statement; returns (column names, rows).

    Raises ReadOnlyError for any statement that would write (INSERT, UPDATE,
    DELETE, DROP, CREATE, ATTACH, a PRAGMA that sets something), QueryTimeout
    when it runs longer than ``timeout`` seconds (None or 0: no limit) and
    QueryError for any other failure.

    >>> cols, rows = run_query("corpus/crawl", "SELECT count(*) AS n FROM records")
    """
    columns, rows = iter_query(store, sql, params, timeout)
    return columns, list(rows)


def iter_query(store: str | Path, sql: str, params: Iterable[Any] = (),
               timeout: float | None = DEFAULT_QUERY_TIMEOUT) -> tuple[list[str], Iterator[tuple]]:
    """``run_query`` with the rows read as they are used (a few hundred at a time), so a
    large result is never all in memory; the store stays open until they are all read."""
    conn, refusals = _open(store)
    fired = _stop_after(conn, timeout)

    def failure(exc: Exception) -> Exception:
        # (a Ctrl-C may also be raised as the handler is entered, before its ``try``: SQLite then
        # reports the statement "interrupted" as it does for any handler that fails)
        if fired["interrupt"] or (not fired["timeout"] and str(exc) == "interrupted"):
            return KeyboardInterrupt()
        if fired["timeout"]:
            return QueryTimeout(f"stopped after {timeout:g} s (the time limit; --timeout to change it)")
        if refusals:
            return ReadOnlyError(f"refused: the store is read-only here ({refusals[0]} is not allowed); "
                                 "provnews query runs SELECT statements only")
        message = str(exc)
        if any(w in message for w in ("readonly", "read-only", "query_only", "may not be modified")):
            return ReadOnlyError(f"refused: the store is read-only here ({message})")
        if "not a database" in message or "malformed" in message:
            return QueryError(f"{store_path(store)}: not a readable corpus store ({message})")
        return QueryError(f"SQL error: {message}")

    try:
        cursor = conn.execute(sql, tuple(params))
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise failure(exc) from None
    except sqlite3.Warning as exc:  # several statements at once
        conn.close()
        raise QueryError(f"SQL error: {exc}") from None
    except BaseException:
        conn.close()
        raise
    columns = [d[0] for d in cursor.description] if cursor.description else []

    def rows() -> Iterator[tuple]:
        try:
            while True:
                try:
                    batch = cursor.fetchmany(500)
                except sqlite3.DatabaseError as exc:
                    raise failure(exc) from None
                if not batch:
                    return
                yield from map(tuple, batch)
        finally:
            conn.close()

    return columns, rows()


def _condition(field: str, op: str, value: str) -> tuple[str, list[Any]]:
    column = STATS_FIELDS[field]
    if op == "=" and value == "":
        return f"{column} IS NULL", []
    if op == "~":
        return f"{column} LIKE ? ESCAPE '\\'", ["%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"]
    if field in INTEGER_FIELDS:
        try:
            bound: Any = int(value)
        except ValueError:
            raise QueryError(f"--where {field}{op}{value}: {field} is a number") from None
    else:
        bound = value
    return (f"{column} = ?" if op == "=" else f"({column} IS NULL OR {column} != ?)"), [bound]


def parse_where(items: Iterable[str]) -> list[tuple[str, str, str]]:
    """``FIELD=VALUE`` (``FIELD=`` means empty/NULL), ``FIELD!=VALUE``, ``FIELD~TEXT`` (contains).

    ``~`` is SQLite's LIKE: case-insensitive for ASCII letters only, so
    ``unit~quản lý thị trường`` matches ``Quản lý`` but ``đ`` does not match ``Đ``.
    """
    out = []
    for item in items:
        for op in ("!=", "=", "~"):
            field, sep, value = item.partition(op)
            if sep and field and not any(c in field for c in "!=~"):
                field = field.strip()
                if field not in STATS_FIELDS:
                    raise QueryError(f"--where {item}: unknown field {field!r}; choose from {', '.join(STATS_FIELDS)}")
                out.append((field, op, value.strip()))
                break
        else:
            raise QueryError(f"--where {item}: expected FIELD=VALUE, FIELD!=VALUE or FIELD~TEXT")
    return out


def parse_by(by: str | Iterable[str]) -> list[str]:
    fields = [f.strip() for f in (by.split(",") if isinstance(by, str) else by) if f.strip()]
    for f in fields:
        if f not in STATS_FIELDS:
            raise QueryError(f"--by {f}: unknown field; choose from {', '.join(STATS_FIELDS)}")
    if len(set(fields)) != len(fields):
        raise QueryError(f"--by {','.join(fields)}: a field is repeated")
    return fields


def stats(store: str | Path, by: str | Iterable[str] = ("unit",),
          where: Iterable[str | tuple[str, str, str]] = (), search: str | None = None,
          restated: bool = False, duplicates: bool = False) -> tuple[list[str], list[tuple]]:
    """Counts and sums of records grouped by fields of ``record_rows``.

    Each row: the group fields, ``measure`` (the base unit when the quantity
    has one, else its unit of measure: sums never mix kg with hộ), ``records``,
    ``documents`` (distinct documents behind the row), ``sum`` (of
    ``base_value``, or of ``value`` where there is no base unit), ``min`` and
    ``max`` of the same.  Rows come sorted by the number of records, largest
    first, then by the group fields.

    A headline figure the body states again (``record_rows.restated``) is
    left out unless ``restated`` is true: portals repeat the main figure in
    the title, and counting it twice would double the totals.  Likewise a
    fact that an earlier document states too (``record_rows.repeated``: a
    republished article, a summary of the same report) is counted once
    unless ``duplicates`` is true; ``repeats`` says how many more records of
    other documents state the row's facts (``fact_group_rows`` lists them).

    >>> stats("corpus/crawl", by="unit,year", where=["unit_of_measure=cơ sở"], search="kiểm tra")
    """
    fields = parse_by(by)
    conditions: list[str] = [] if restated else ["NOT restated"]
    if not duplicates:
        conditions.append("NOT repeated")
    params: list[Any] = []
    for w in where:
        field, op, value = parse_where([w])[0] if isinstance(w, str) else w
        if field not in STATS_FIELDS:
            raise QueryError(f"--where: unknown field {field!r}")
        sql, p = _condition(field, op, value)
        conditions.append(sql)
        params.extend(p)
    if search:
        try:
            clause, p = search_clause(search, rowid_column="doc_rowid")
        except ValueError as exc:
            raise QueryError(f"--search: {exc}") from None
        conditions.append(clause)
        params.extend(p)
    group = [STATS_FIELDS[f] for f in fields]
    measure = "coalesce(base_unit, unit_of_measure)"
    amount = "coalesce(base_value, value)"
    select = [*(f"{c} AS {f}" for f, c in zip(fields, group)), f"{measure} AS measure",
              "count(*) AS records", "count(DISTINCT doc_id) AS documents",
              f"sum({amount}) AS sum", f"min({amount}) AS min", f"max({amount}) AS max",
              "sum(CASE WHEN repeated THEN 0 ELSE fact_documents - 1 END) AS repeats"]
    sql = f"SELECT {', '.join(select)} FROM record_rows"
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    group_by = [*group, measure]
    sql += " GROUP BY " + ", ".join(group_by)
    sql += " ORDER BY records DESC, " + ", ".join(f"{c} IS NULL, {c}" for c in group_by)
    return run_query(store, sql, params)


# -- formatting ----------------------------------------------------------------

def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.15g}" if not value.is_integer() or abs(value) >= 1e16 else str(int(value))
    return str(value)


# A text table is for reading: its first rows only, each cell cut short (CSV and JSON give all)
TABLE_MAX_ROWS = 10_000
TABLE_MAX_CELL = 200


def format_rows(columns: list[str], rows: Iterable[tuple], fmt: str) -> str:
    """Rows as an aligned text table, CSV or a JSON array of objects."""
    out = io.StringIO()
    write_rows(columns, rows, fmt, out)
    return out.getvalue()


def write_rows(columns: list[str], rows: Iterable[tuple], fmt: str, out) -> None:
    """Write rows as ``format_rows`` formats them, CSV and JSON row by row as they come."""
    if fmt == "json":
        out.write("[")
        for i, r in enumerate(rows):
            # (SQLite's infinities have no JSON form: null, as JavaScript's JSON.stringify writes them)
            row = {c: None if isinstance(v, float) and not math.isfinite(v) else v for c, v in zip(columns, r)}
            out.write(("," if i else "") + "\n" + json.dumps(row, ensure_ascii=False, allow_nan=False,
                                                             default=_json_cell))
        out.write("\n]\n")
        return
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([_cell(v) for v in r])
        return
    cells, numeric, more = [], [True] * len(columns), False
    for r in rows:
        if len(cells) == TABLE_MAX_ROWS:
            more = True
            break
        row = []
        for i, v in enumerate(r):
            c = _cell(v).replace("\n", " ")
            row.append(c if len(c) <= TABLE_MAX_CELL else c[:TABLE_MAX_CELL - 1] + "…")
            numeric[i] = numeric[i] and (isinstance(v, (int, float)) or v is None)
        cells.append(row)
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(values):
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)).rstrip()

    out.write("\n".join([line(columns), line(["-" * w for w in widths])] + [line(r) for r in cells]) + "\n")
    out.write(f"(first {len(cells)} rows; --format csv or json for all)\n" if more
              else f"({len(cells)} row{'s' if len(cells) != 1 else ''})\n")


def _json_cell(value: Any):
    return value.hex() if isinstance(value, bytes) else str(value)


def _emit(columns, rows, fmt) -> None:
    write_rows(columns, rows, fmt, sys.stdout)


def cli_query(args) -> int:
    """``provnews query "SELECT …" [--corpus DIR] [--format table|csv|json]``."""
    try:
        columns, rows = iter_query(args.corpus, args.sql, timeout=getattr(args, "timeout", DEFAULT_QUERY_TIMEOUT))
        _emit(columns, rows, args.format)
    except ReadOnlyError as exc:
        print(f"provnews query: {exc}", file=sys.stderr)
        return 2
    except (QueryError, StoreError) as exc:
        print(f"provnews query: {exc}", file=sys.stderr)
        return 1
    return 0


def not_extracted(store: str | Path) -> int:
    """How many documents of ``store`` are not extracted yet (StoreError naming the file if it is
    no corpus store: stats reads views a SQLite file without the schema lacks)."""
    with CorpusStore(store, readonly=True) as corpus:
        return corpus.count_pending()


def cli_stats(args) -> int:
    """``provnews stats --by unit,activity,unit_of_measure,year [--where F=V]... [--search WORDS]``."""
    try:
        pending = not_extracted(args.corpus)
        columns, rows = stats(args.corpus, args.by, args.where, args.search,
                              restated=getattr(args, "count_restated", False),
                              duplicates=getattr(args, "count_duplicates", False))
    except (QueryError, StoreError) as exc:
        print(f"provnews stats: {exc}", file=sys.stderr)
        return 2
    _emit(columns, rows, args.format)
    if pending:
        # A crawl stores documents; only extraction makes records: without this an empty table
        # would look like a corpus that states no figures.
        print(f"provnews stats: {store_path(args.corpus)}: {pending} document{'s' if pending != 1 else ''} "
              f"not extracted yet, not counted: run provnews extract --corpus {shlex.quote(str(args.corpus))}", file=sys.stderr)
    return 0
