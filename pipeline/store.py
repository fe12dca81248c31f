"""The corpus store: one SQLite file per corpus (``DIR/corpus.sqlite``).

Tables mirror ``shared/spec/records.md`` field for field:

- ``documents``: metadata, provenance, text and the document period
  (``period_text``, ``period_start``, ``period_end``), plus bookkeeping
  (``text_sha1``, ``extraction_sha1``, ``extracted_at``);
- ``units``, ``quantities``, ``records``: the mention lists, each row keyed by
  ``(doc_id, idx)`` where ``idx`` is the position in the document's list, so a
  Document read back is equal to the one written; ``records.quantity`` is a
  foreign key to ``quantities.idx`` of the same document;
- views joining records to their documents (``record_rows``) so every figure
  reaches its sentence, URL, publication date and WARC record id;
- two FTS5 indexes over title and text: ``documents_fts`` keeps diacritics
  (``kiểm`` does not find ``kiếm``), ``documents_fts_folded`` folds them so
  ``kiem dinh`` finds ``kiểm định``.

Every write to the store goes through :class:`CorpusStore`, one transaction
per document.  Other modules may keep their own tables in the same file (the
crawl frontier); WAL mode lets their connection and ours work side by side.

Example::

    with CorpusStore("corpus/crawl") as store:
        if store.add_document(doc):
            ...
        for doc in store.pending_documents():
            store.save_extraction(doc.with_extraction(extract(doc.text)))
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
import threading
import unicodedata
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from extractors.mentions import Period, Quantity, Record, Unit
from pipeline.records import Document

log = logging.getLogger(__name__)

STORE_FILENAME = "corpus.sqlite"
SCHEMA_VERSION = 4  # PRAGMA user_version; bump it and add a step to _MIGRATIONS

# Records of other documents compared with each new record for the same fact (see _group_facts).
FACT_CANDIDATES = 200

# The crawler writes while the extractor reads (and vice versa): wait for the
# other connection's transaction instead of failing at once.
BUSY_TIMEOUT_MS = 60_000

DOCUMENT_COLUMNS = (
    "doc_id", "url", "canonical_url", "source", "title", "published", "author",
    "fetched_at", "warc_file", "warc_record_id", "text",
)
UNIT_COLUMNS = ("text", "start", "end", "name", "abbreviation", "kind", "parent")
QUANTITY_COLUMNS = (
    "text", "start", "end", "value", "value_max", "total", "unit_of_measure", "item",
    "qualifier", "dimension", "base_value", "base_unit",
)
RECORD_COLUMNS = (
    "unit", "activity", "quantity", "quantity_text", "item", "value", "value_max", "total",
    "unit_of_measure", "qualifier", "base_value", "base_unit", "location", "sentence",
    "start", "end",
)
# Record.period is flattened into these three columns (period_text NULL = no period).
PERIOD_COLUMNS = ("period_text", "period_start", "period_end")

_SCHEMA = """
CREATE TABLE documents (
    id              INTEGER PRIMARY KEY AUTOINCREMENT, -- FTS rowid; never reused
    doc_id          TEXT NOT NULL UNIQUE,
    url             TEXT,
    canonical_url   TEXT,
    source          TEXT,
    title           TEXT,
    published       TEXT,
    author          TEXT,
    fetched_at      TEXT,
    warc_file       TEXT,
    warc_record_id  TEXT,
    text            TEXT NOT NULL,
    period_text     TEXT,
    period_start    TEXT,
    period_end      TEXT,
    text_sha1       TEXT NOT NULL,
    extraction_sha1 TEXT,
    extracted_at    TEXT,              -- NULL: pending extraction
    extraction_error TEXT,             -- last failure, kept until a success
    added_at        TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX documents_source ON documents(source);
CREATE INDEX documents_published ON documents(published);
CREATE INDEX documents_pending ON documents(id) WHERE extracted_at IS NULL;

CREATE TABLE units (
    doc_id       TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    idx          INTEGER NOT NULL,
    text         TEXT NOT NULL,
    start        INTEGER NOT NULL,
    "end"        INTEGER NOT NULL,
    name         TEXT NOT NULL,
    abbreviation TEXT,
    kind         TEXT,
    parent       TEXT,
    PRIMARY KEY (doc_id, idx)
);
CREATE INDEX units_name ON units(name);
CREATE INDEX units_kind ON units(kind);

CREATE TABLE quantities (
    doc_id          TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    idx             INTEGER NOT NULL,
    text            TEXT NOT NULL,
    start           INTEGER NOT NULL,
    "end"           INTEGER NOT NULL,
    value           REAL NOT NULL,
    value_max       REAL,
    total           REAL,
    unit_of_measure TEXT,
    item            TEXT,
    qualifier       TEXT NOT NULL,
    dimension       TEXT NOT NULL,
    base_value      REAL,
    base_unit       TEXT,
    PRIMARY KEY (doc_id, idx)
);
CREATE INDEX quantities_unit_of_measure ON quantities(unit_of_measure);
CREATE INDEX quantities_base_unit ON quantities(base_unit);
CREATE INDEX quantities_dimension ON quantities(dimension);

CREATE TABLE records (
    doc_id          TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    idx             INTEGER NOT NULL,
    unit            TEXT,
    activity        TEXT,
    quantity        INTEGER NOT NULL,
    quantity_text   TEXT NOT NULL,
    item            TEXT,
    value           REAL NOT NULL,
    value_max       REAL,
    total           REAL,
    unit_of_measure TEXT,
    qualifier       TEXT NOT NULL,
    base_value      REAL,
    base_unit       TEXT,
    period_text     TEXT,
    period_start    TEXT,
    period_end      TEXT,
    location        TEXT,
    sentence        TEXT NOT NULL,
    start           INTEGER NOT NULL,
    "end"           INTEGER NOT NULL,
    PRIMARY KEY (doc_id, idx),
    FOREIGN KEY (doc_id, quantity) REFERENCES quantities(doc_id, idx) ON DELETE CASCADE
);
CREATE INDEX records_quantity ON records(doc_id, quantity);
CREATE INDEX records_unit ON records(unit);
CREATE INDEX records_activity ON records(activity);
CREATE INDEX records_unit_of_measure ON records(unit_of_measure);
CREATE INDEX records_base_unit ON records(base_unit);
CREATE INDEX records_period ON records(period_start, period_end);

-- Exact words, diacritics kept: external content, kept in sync by triggers.
CREATE VIRTUAL TABLE documents_fts USING fts5(
    title, text, content='documents', content_rowid='id',
    tokenize='unicode61 remove_diacritics 0'
);
CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
    INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
END;
CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;

-- Words without diacritics.  unicode61's remove_diacritics strips every tone
-- and vowel mark but does not decompose đ (a letter of its own, not d plus a
-- mark), so the indexed text has đ/Đ replaced by d/D in SQL — the same
-- replacement is applied to queries (fold_query, and the canned query).
CREATE VIRTUAL TABLE documents_fts_folded USING fts5(
    title, text, content='', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER documents_fts_folded_insert AFTER INSERT ON documents BEGIN
    INSERT INTO documents_fts_folded(rowid, title, text) VALUES (
        new.id,
        replace(replace(new.title, 'đ', 'd'), 'Đ', 'D'),
        replace(replace(new.text, 'đ', 'd'), 'Đ', 'D'));
END;
CREATE TRIGGER documents_fts_folded_delete AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts_folded(documents_fts_folded, rowid, title, text) VALUES (
        'delete', old.id,
        replace(replace(old.title, 'đ', 'd'), 'Đ', 'D'),
        replace(replace(old.text, 'đ', 'd'), 'Đ', 'D'));
END;
CREATE TRIGGER documents_fts_folded_update AFTER UPDATE OF title, text ON documents BEGIN
    INSERT INTO documents_fts_folded(documents_fts_folded, rowid, title, text) VALUES (
        'delete', old.id,
        replace(replace(old.title, 'đ', 'd'), 'Đ', 'D'),
        replace(replace(old.text, 'đ', 'd'), 'Đ', 'D'));
    INSERT INTO documents_fts_folded(rowid, title, text) VALUES (
        new.id,
        replace(replace(new.title, 'đ', 'd'), 'Đ', 'D'),
        replace(replace(new.text, 'đ', 'd'), 'Đ', 'D'));
END;

"""

# Provinces and fact groups (version 3): derived from the records by
# pipeline.provinces and pipeline.facts when an extraction is saved, so they
# live beside the spec's tables, never in them.
_PLACES_SCHEMA = """
CREATE TABLE IF NOT EXISTS provinces (
    code            TEXT PRIMARY KEY,  -- official two-digit code (63 provinces, before 1 July 2025)
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,     -- tỉnh or thành phố
    latitude        REAL NOT NULL,     -- approximate centroid
    longitude       REAL NOT NULL,
    code_2025       TEXT NOT NULL      -- the province it belongs to since 1 July 2025
);
CREATE TABLE IF NOT EXISTS provinces_2025 (
    code            TEXT PRIMARY KEY,  -- official two-digit code (34 provinces, Nghị quyết 202/2025/QH15)
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    latitude        REAL NOT NULL,
    longitude       REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS document_places (
    doc_id             TEXT PRIMARY KEY REFERENCES documents(doc_id) ON DELETE CASCADE,
    province_code      TEXT,   -- as published: one of the 63 before 1 July 2025, of the 34 after
    province           TEXT,
    province_2025_code TEXT,
    province_2025      TEXT,
    basis              TEXT    -- source, title, text
);
CREATE TABLE IF NOT EXISTS record_places (
    doc_id             TEXT NOT NULL,
    idx                INTEGER NOT NULL,
    province_code      TEXT,
    province           TEXT,
    province_2025_code TEXT,
    province_2025      TEXT,
    basis              TEXT,   -- location, unit, sentence, document
    PRIMARY KEY (doc_id, idx),
    FOREIGN KEY (doc_id, idx) REFERENCES records(doc_id, idx) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS record_places_province ON record_places(province);
CREATE INDEX IF NOT EXISTS record_places_province_2025 ON record_places(province_2025);
-- Records of different documents stating the same fact share a fact_group
-- (pipeline.facts.same_fact); the label is the first member's doc_id:idx.
CREATE TABLE IF NOT EXISTS fact_groups (
    doc_id      TEXT NOT NULL,
    idx         INTEGER NOT NULL,
    fact_group  TEXT NOT NULL,
    PRIMARY KEY (doc_id, idx),
    FOREIGN KEY (doc_id, idx) REFERENCES records(doc_id, idx) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS fact_groups_group ON fact_groups(fact_group);
CREATE INDEX IF NOT EXISTS records_amount ON records(coalesce(base_value, value));
"""

# What _group_facts looks up for each new record (version 4): the records that
# can stand for a fact (in no group, or the one its group is labelled after),
# by amount, measure and publication day, kept up to date by triggers.  Its
# index finds the records nearest in time with the same amount without reading
# every record of that amount (small amounts recur in thousands: the lookup
# went over all of them, and ingest grew with the square of the store).
# Records with no unit, period or item are left out: pipeline.facts.can_match
# says they never match anything (the WHEN and WHERE below are its SQL form).
_FACT_KEYS_SCHEMA = """
CREATE TABLE IF NOT EXISTS fact_keys (
    doc_id        TEXT NOT NULL,
    idx           INTEGER NOT NULL,
    amount        REAL,              -- coalesce(base_value, value)
    measure       TEXT,              -- coalesce(base_unit, unit_of_measure)
    day           REAL,              -- julianday of the document's publication date
    doc_row       INTEGER NOT NULL,  -- documents.id
    period_start  TEXT,
    period_end    TEXT,
    member        INTEGER NOT NULL DEFAULT 0,  -- 1: in a group labelled after another record
    PRIMARY KEY (doc_id, idx),
    FOREIGN KEY (doc_id, idx) REFERENCES records(doc_id, idx) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS fact_keys_lookup ON fact_keys(amount, measure, member, day, doc_row, idx);

CREATE TRIGGER IF NOT EXISTS fact_keys_record AFTER INSERT ON records
WHEN coalesce(new.unit, '') != '' OR new.period_start IS NOT NULL OR coalesce(new.item, '') != '' BEGIN
    INSERT INTO fact_keys (doc_id, idx, amount, measure, day, doc_row, period_start, period_end)
    SELECT new.doc_id, new.idx, coalesce(new.base_value, new.value), coalesce(new.base_unit, new.unit_of_measure),
           julianday(substr(d.published, 1, 10)), d.id, new.period_start, new.period_end
    FROM documents d WHERE d.doc_id = new.doc_id;
END;
CREATE TRIGGER IF NOT EXISTS fact_keys_published AFTER UPDATE OF published ON documents BEGIN
    UPDATE fact_keys SET day = julianday(substr(new.published, 1, 10)) WHERE doc_id = new.doc_id;
END;
CREATE TRIGGER IF NOT EXISTS fact_keys_grouped AFTER INSERT ON fact_groups BEGIN
    UPDATE fact_keys SET member = (new.fact_group != new.doc_id || ':' || new.idx)
    WHERE doc_id = new.doc_id AND idx = new.idx;
END;
CREATE TRIGGER IF NOT EXISTS fact_keys_regrouped AFTER UPDATE OF fact_group ON fact_groups BEGIN
    UPDATE fact_keys SET member = (new.fact_group != new.doc_id || ':' || new.idx)
    WHERE doc_id = new.doc_id AND idx = new.idx;
END;
CREATE TRIGGER IF NOT EXISTS fact_keys_ungrouped AFTER DELETE ON fact_groups BEGIN
    UPDATE fact_keys SET member = 0 WHERE doc_id = old.doc_id AND idx = old.idx;
END;
"""

_FILL_FACT_KEYS = """
INSERT OR REPLACE INTO fact_keys
SELECT r.doc_id, r.idx, coalesce(r.base_value, r.value), coalesce(r.base_unit, r.unit_of_measure),
       julianday(substr(d.published, 1, 10)), d.id, r.period_start, r.period_end,
       coalesce(g.fact_group != r.doc_id || ':' || r.idx, 0)
FROM records r JOIN documents d ON d.doc_id = r.doc_id
LEFT JOIN fact_groups g ON g.doc_id = r.doc_id AND g.idx = r.idx
WHERE coalesce(r.unit, '') != '' OR r.period_start IS NOT NULL OR coalesce(r.item, '') != '';
"""

# Views are recreated by every migration (they hold no data), so changing one
# is a version bump with no step of its own.
_VIEWS = """
-- One row per record with its quantity's dimension and its document's
-- provenance.  `year` is the year the figure is about: the record's period
-- (the sentence's, else the document's) when one is known, else the year of
-- publication; `published_year` is always the latter.
-- `in_title`: the record's sentence is the headline (the text starts with the
-- title).  `restated`: a headline figure the body states again (same value and
-- unit of measure) — portals put the main figure in the headline, so summing
-- every record would count it twice; statistics leave these out.
-- `quarter`/`month`: when the record's period lies within one quarter/month.
-- `province…`: see pipeline.provinces.  `repeated`: a record of a fact that an
-- earlier document states too (same fact_group; the first document's records
-- all count); statistics count a fact once.
CREATE VIEW record_rows AS
SELECT
    r.doc_id, r.idx AS record_idx,
    r.unit, r.activity, r.quantity, r.quantity_text, r.item, r.value, r.value_max, r.total,
    r.unit_of_measure, r.qualifier, r.base_value, r.base_unit, q.dimension,
    r.period_text, r.period_start, r.period_end, r.location,
    r.sentence, r.start, r."end",
    CAST(substr(coalesce(r.period_start, d.published), 1, 4) AS INTEGER) AS year,
    CAST(substr(d.published, 1, 4) AS INTEGER) AS published_year,
    (t.title_end IS NOT NULL AND r.start < t.title_end) AS in_title,
    (t.title_end IS NOT NULL AND r.start < t.title_end AND EXISTS (
        SELECT 1 FROM records b
        WHERE b.doc_id = r.doc_id AND b.start >= t.title_end
          AND b.value = r.value AND b.unit_of_measure IS r.unit_of_measure
    )) AS restated,
    CASE WHEN substr(r.period_start, 1, 4) = substr(r.period_end, 1, 4)
          AND (CAST(substr(r.period_start, 6, 2) AS INTEGER) - 1) / 3
            = (CAST(substr(r.period_end, 6, 2) AS INTEGER) - 1) / 3
         THEN (CAST(substr(r.period_start, 6, 2) AS INTEGER) - 1) / 3 + 1 END AS quarter,
    CASE WHEN substr(r.period_start, 1, 7) = substr(r.period_end, 1, 7)
         THEN CAST(substr(r.period_start, 6, 2) AS INTEGER) END AS month,
    p.province, p.province_code, p.province_2025, p.province_2025_code, p.basis AS province_basis,
    g.fact_group, coalesce(gn.documents, 1) AS fact_documents, coalesce(g.doc_rank > 1, 0) AS repeated,
    d.url, d.canonical_url, d.title, d.published, d.source, d.author, d.fetched_at,
    d.warc_file, d.warc_record_id, d.id AS doc_rowid
FROM records r
JOIN documents d ON d.doc_id = r.doc_id
JOIN (SELECT id,
             CASE WHEN length(title) > 0 AND substr(text, 1, length(title)) = title
                  THEN length(title) END AS title_end
      FROM documents) t ON t.id = d.id
LEFT JOIN quantities q ON q.doc_id = r.doc_id AND q.idx = r.quantity
LEFT JOIN record_places p ON p.doc_id = r.doc_id AND p.idx = r.idx
-- Each group's documents ranked by publication (computed once per query, not
-- per row): the first document's records count, the later ones repeat them.
LEFT JOIN (SELECT m.doc_id, m.idx, m.fact_group,
                  dense_rank() OVER (PARTITION BY m.fact_group
                                     ORDER BY coalesce(md.published, '9999'), md.id) AS doc_rank
           FROM fact_groups m JOIN documents md ON md.doc_id = m.doc_id) g
       ON g.doc_id = r.doc_id AND g.idx = r.idx
LEFT JOIN (SELECT fact_group, count(DISTINCT doc_id) AS documents FROM fact_groups GROUP BY fact_group) gn
       ON gn.fact_group = g.fact_group;

-- Every record that shares a fact with a record of another document, with
-- its sentence and provenance: the way back from a figure counted once to
-- each document that states it.
CREATE VIEW fact_group_rows AS
SELECT fact_group, fact_documents, repeated, doc_id, record_idx, unit, activity, quantity_text,
       value, unit_of_measure, item, period_text, province, province_2025, sentence,
       title, url, published, source, warc_record_id
FROM record_rows
WHERE fact_documents > 1;

-- A statistic per province since 2025, on the province's centroid (the map):
-- records counted once (no restated headline figure, no repeat of a fact
-- another document stated first) and the documents behind them.
CREATE VIEW province_totals AS
SELECT n.name AS province_2025, n.code AS province_2025_code,
       coalesce(t.records, 0) AS records, coalesce(t.documents, 0) AS documents,
       coalesce(t.repeats, 0) AS repeats, n.latitude, n.longitude
FROM provinces_2025 n
LEFT JOIN (SELECT province_2025_code,
                  sum(NOT repeated) AS records,
                  count(DISTINCT CASE WHEN NOT repeated THEN doc_id END) AS documents,
                  sum(repeated) AS repeats
           FROM record_rows WHERE NOT restated AND province_2025_code IS NOT NULL
           GROUP BY province_2025_code) t ON t.province_2025_code = n.code
ORDER BY records DESC, n.code;

-- The same per province as published and year, on the as-published
-- province's centroid (63 before 1 July 2025, 34 after).
CREATE VIEW province_year_totals AS
SELECT r.province, r.province_code, r.province_2025, r.year,
       count(*) AS records, count(DISTINCT r.doc_id) AS documents,
       coalesce(o.latitude, n.latitude) AS latitude, coalesce(o.longitude, n.longitude) AS longitude
FROM record_rows r
LEFT JOIN provinces o ON o.code = r.province_code AND o.name = r.province
LEFT JOIN provinces_2025 n ON n.code = r.province_code AND n.name = r.province
WHERE r.province IS NOT NULL AND NOT r.restated AND NOT r.repeated
GROUP BY r.province, r.province_code, r.year
ORDER BY r.year, r.province;

-- Every quantity (with or without a record) with its document's provenance.
CREATE VIEW quantity_rows AS
SELECT
    q.doc_id, q.idx AS quantity_idx, q.text, q.start, q."end", q.value, q.value_max,
    q.total, q.unit_of_measure, q.item, q.qualifier, q.dimension, q.base_value, q.base_unit,
    CAST(substr(d.published, 1, 4) AS INTEGER) AS published_year,
    d.url, d.title, d.published, d.source, d.warc_record_id, d.id AS doc_rowid
FROM quantities q
JOIN documents d ON d.doc_id = q.doc_id;

-- Documents with their extraction state and mention counts.
CREATE VIEW document_rows AS
SELECT
    d.id AS doc_rowid, d.doc_id, d.url, d.canonical_url, d.source, d.title, d.published,
    CAST(substr(d.published, 1, 4) AS INTEGER) AS published_year, d.author,
    d.fetched_at, d.warc_file, d.warc_record_id,
    d.period_text, d.period_start, d.period_end, d.extracted_at, d.extraction_error,
    dp.province, dp.province_2025, dp.basis AS province_basis,
    (SELECT count(*) FROM units u WHERE u.doc_id = d.doc_id) AS n_units,
    (SELECT count(*) FROM quantities q WHERE q.doc_id = d.doc_id) AS n_quantities,
    (SELECT count(*) FROM records r WHERE r.doc_id = d.doc_id) AS n_records,
    length(d.text) AS n_chars
FROM documents d
LEFT JOIN document_places dp ON dp.doc_id = d.doc_id;
"""
_VIEW_NAMES = ("record_rows", "quantity_rows", "document_rows", "fact_group_rows", "province_totals",
               "province_year_totals")

# Steps from version N to N+1, applied in order in one transaction each.
# Version 2 added record_rows.in_title/restated (views only); version 3 the
# province and fact-group tables (filled for the stored records by _backfill_v3).
# (step 2 backfills fact groups, which look records up in fact_keys: it makes the table too)
_MIGRATIONS: dict[int, str] = {1: "", 2: _PLACES_SCHEMA + _FACT_KEYS_SCHEMA + _FILL_FACT_KEYS,
                               3: _FACT_KEYS_SCHEMA + _FILL_FACT_KEYS}


class StoreError(Exception):
    """A corpus store that cannot be opened or written (message is one line)."""


class UnreadableDocument(StoreError):
    """One stored document whose row SQLite cannot give back as text (bytes that are not UTF-8,
    written by another tool): the row is left as it is, and the other documents can still be read."""


# sqlite3's message for a TEXT value that is not UTF-8 (the value itself follows, mangled: not shown)
_NOT_UTF8 = re.compile(r"Could not decode to UTF-8 column '([^']*)'")


def store_path(corpus_dir: str | Path) -> Path:
    """``DIR/corpus.sqlite`` for a corpus folder (or the file itself if given)."""
    p = Path(corpus_dir)
    return p if p.suffix in (".sqlite", ".db", ".sqlite3") else p / STORE_FILENAME


def fold_query(text: str) -> str:
    """The text as the folded index sees it: đ/Đ → d/D (the tokenizer strips the rest)."""
    return text.replace("đ", "d").replace("Đ", "D")


def fts_expression(words: str) -> str:
    """A safe FTS5 MATCH expression for what a user typed.

    Plain words are one phrase (Vietnamese words are several syllables:
    ``giảo cổ lam``); commas separate phrases that must all occur
    (``kiểm định, đồng hồ``).  Nothing the user types is FTS syntax, so no
    input raises a syntax error.
    """
    phrases = []
    for part in words.split(","):
        tokens = re.findall(r"\w+", unicodedata.normalize("NFC", part))
        if tokens:
            phrases.append('"' + " ".join(tokens) + '"')
    if not phrases:
        raise ValueError(f"nothing to search for in {words!r}")
    return " AND ".join(phrases)


def has_diacritics(text: str) -> bool:
    decomposed = unicodedata.normalize("NFD", text)
    return any(unicodedata.combining(c) for c in decomposed) or "đ" in text or "Đ" in text


def search_clause(words: str, rowid_column: str = "d.id") -> tuple[str, list[Any]]:
    """SQL condition + parameters: documents whose title or text match ``words``.

    With diacritics in the query the exact index is used (``kiểm`` is not
    ``kiếm``); without any, the folded one (``kiem dinh`` finds ``kiểm định``).
    """
    expression = fts_expression(words)
    if has_diacritics(words):
        return f"{rowid_column} IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)", [expression]
    return (
        f"{rowid_column} IN (SELECT rowid FROM documents_fts_folded WHERE documents_fts_folded MATCH ?)",
        [fold_query(expression)],
    )


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _extraction_sha1(doc: Document) -> str:
    payload = {
        "period": doc.period.to_dict() if doc.period else None,
        "units": [u.to_dict() for u in doc.units],
        "quantities": [q.to_dict() for q in doc.quantities],
        "records": [r.to_dict() for r in doc.records],
    }
    return _sha1(json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str))


@contextmanager
def immediate_transaction(conn: sqlite3.Connection):
    """One write transaction on ``conn``, rolled back on any error.

    IMMEDIATE takes the write lock at once, so two writers (the crawler's
    frontier and the store share one file) queue on busy_timeout instead of
    one failing on lock upgrade mid-transaction.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """A connection that cannot write: ``mode=ro`` URI plus ``PRAGMA query_only``."""
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"{path}: no corpus store here (run provnews crawl or extract --corpus first)")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA query_only = 1")
    conn.row_factory = sqlite3.Row
    return conn


class CorpusStore:
    """The SQLite corpus of one crawl: documents, their mentions, full-text indexes."""

    def __init__(self, corpus_dir: str | Path, readonly: bool = False):
        self.path: Path = store_path(corpus_dir)
        self.readonly = readonly
        self._lock = threading.RLock()
        if readonly:
            self.conn = connect_readonly(self.path)
        else:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # Autocommit mode: transactions are opened explicitly (BEGIN IMMEDIATE).
                self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = NORMAL")
            except (sqlite3.Error, OSError) as exc:
                raise StoreError(f"{self.path}: cannot open the corpus store ({exc})") from None
            self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys = ON")
        self._check_schema()

    # -- schema ------------------------------------------------------------
    def _check_schema(self) -> None:
        try:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            has_documents = self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='documents'"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a corpus store ({exc})") from None
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: store schema version {version} is newer than this provnews "
                f"({SCHEMA_VERSION}); upgrade provnews"
            )
        if self.readonly:
            if not has_documents:
                raise StoreError(f"{self.path}: not a corpus store (no documents table)")
            if version < SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: store schema version {version} is older than {SCHEMA_VERSION}; "
                    "open it once for writing (e.g. provnews extract --corpus) to migrate it"
                )
            return
        if version == 0 and not has_documents:
            with self._transaction():
                # Another process may have created it since we looked (crawl and
                # extract started together): decide again under the write lock.
                if not self.conn.execute("SELECT 1 FROM sqlite_master WHERE name='documents'").fetchone():
                    for statement in _split_sql(_SCHEMA + _PLACES_SCHEMA + _FACT_KEYS_SCHEMA + _VIEWS):
                        self.conn.execute(statement)
                    self._load_provinces()
                    self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return
        if version == 0:
            raise StoreError(f"{self.path}: has a documents table but no provnews schema version")
        while version < SCHEMA_VERSION:
            with self._transaction():
                version = self.conn.execute("PRAGMA user_version").fetchone()[0]
                if version >= SCHEMA_VERSION:  # migrated by another process meanwhile
                    break
                for view in _VIEW_NAMES:
                    self.conn.execute(f"DROP VIEW IF EXISTS {view}")
                for statement in _split_sql(_MIGRATIONS[version]):
                    self.conn.execute(statement)
                if version == 2:
                    self._load_provinces()
                    self._backfill_v3()
                version += 1
                if version == SCHEMA_VERSION:
                    for statement in _split_sql(_VIEWS):
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {version}")

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def _transaction(self):
        if self.readonly:
            raise StoreError(f"{self.path}: opened read-only")
        # The connection may be shared by threads (check_same_thread=False):
        # one transaction at a time on it.
        with self._lock:
            with immediate_transaction(self.conn) as conn:
                yield conn

    # -- writing -----------------------------------------------------------
    def add_document(self, doc: Document) -> bool:
        """Insert or update a document's metadata, text and provenance.

        Returns True when the document is new or its text changed: its old
        mentions are then cleared and it is pending extraction.  Metadata-only
        changes are saved and return False (mentions stay valid: offsets point
        into the same text).  An identical document changes nothing.  The
        document's own mentions are ignored here (see :meth:`save_extraction`
        and :meth:`add_extracted_document`).
        """
        with self._transaction():
            return self._add_document(doc)

    def _add_document(self, doc: Document) -> bool:
        _check_document(doc)
        values = {c: getattr(doc, c) for c in DOCUMENT_COLUMNS}
        text_sha1 = _sha1(doc.text)
        row = self.conn.execute(
            "SELECT " + ", ".join(DOCUMENT_COLUMNS) + ", text_sha1 FROM documents WHERE doc_id = ?",
            (doc.doc_id,),
        ).fetchone()
        now = _now()
        if row is None:
            columns = DOCUMENT_COLUMNS + ("text_sha1", "added_at", "updated_at")
            self.conn.execute(
                f"INSERT INTO documents ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [*values.values(), text_sha1, now, now],
            )
            return True
        if row["text_sha1"] != text_sha1:
            self._clear_mentions(doc.doc_id)
            assignments = {**values, "text_sha1": text_sha1, "updated_at": now,
                           "period_text": None, "period_start": None, "period_end": None,
                           "extraction_sha1": None, "extracted_at": None, "extraction_error": None}
            self._update_document(doc.doc_id, assignments)
            return True
        changed = {c: v for c, v in values.items() if row[c] != v}
        if changed:
            self._update_document(doc.doc_id, {**changed, "updated_at": now})
        return False

    def _update_document(self, doc_id: str, assignments: dict[str, Any]) -> None:
        sets = ", ".join(f"{c} = ?" for c in assignments)
        self.conn.execute(f"UPDATE documents SET {sets} WHERE doc_id = ?", [*assignments.values(), doc_id])

    def _clear_mentions(self, doc_id: str) -> None:
        self._release_fact_groups(doc_id)
        for table in ("record_places", "document_places",
                      "records", "quantities", "units"):  # children first
            self.conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))

    def save_extraction(self, doc: Document) -> None:
        """Replace the document's units, quantities, records and period, atomically.

        The document must already be in the store with the same text (its
        mentions' offsets point into that text).  On any error nothing
        changes: the old mentions stay.  Saving the same extraction twice
        changes nothing.
        """
        with self._transaction():
            self._save_extraction(doc)

    def _save_extraction(self, doc: Document) -> None:
        row = self.conn.execute(
            "SELECT text_sha1, extraction_sha1, extracted_at FROM documents WHERE doc_id = ?",
            (doc.doc_id,),
        ).fetchone()
        if row is None:
            raise StoreError(f"document {doc.doc_id} ({doc.url or 'no URL'}): not in the store; add it first")
        if row["text_sha1"] != _sha1(doc.text):
            raise StoreError(
                f"document {doc.doc_id} ({doc.url or 'no URL'}): text differs from the stored text; "
                "add the new text first"
            )
        extraction_sha1 = _extraction_sha1(doc)
        if row["extraction_sha1"] == extraction_sha1 and row["extracted_at"] is not None:
            return
        self._clear_mentions(doc.doc_id)
        try:
            self.conn.executemany(
                f"INSERT INTO units (doc_id, idx, {_cols(UNIT_COLUMNS)}) VALUES ({_marks(2 + len(UNIT_COLUMNS))})",
                [(doc.doc_id, i, *(getattr(u, c) for c in UNIT_COLUMNS)) for i, u in enumerate(doc.units)],
            )
            self.conn.executemany(
                f"INSERT INTO quantities (doc_id, idx, {_cols(QUANTITY_COLUMNS)}) "
                f"VALUES ({_marks(2 + len(QUANTITY_COLUMNS))})",
                [(doc.doc_id, i, *(getattr(q, c) for c in QUANTITY_COLUMNS))
                 for i, q in enumerate(doc.quantities)],
            )
            self.conn.executemany(
                f"INSERT INTO records (doc_id, idx, {_cols(RECORD_COLUMNS + PERIOD_COLUMNS)}) "
                f"VALUES ({_marks(2 + len(RECORD_COLUMNS) + len(PERIOD_COLUMNS))})",
                [(doc.doc_id, i, *(getattr(r, c) for c in RECORD_COLUMNS), *_period_values(r.period))
                 for i, r in enumerate(doc.records)],
            )
        except sqlite3.IntegrityError as exc:
            raise StoreError(
                f"document {doc.doc_id} ({doc.url or 'no URL'}): mentions rejected ({exc}); "
                "a record's quantity must index into quantities"
            ) from None
        except (sqlite3.InterfaceError, sqlite3.ProgrammingError) as exc:
            raise StoreError(f"document {doc.doc_id} ({doc.url or 'no URL'}): bad mention value ({exc})") from None
        self._update_document(doc.doc_id, {
            **dict(zip(PERIOD_COLUMNS, _period_values(doc.period))),
            "extraction_sha1": extraction_sha1, "extracted_at": _now(), "extraction_error": None,
        })
        self._place_document(doc.doc_id)
        self._group_facts(doc.doc_id)

    # -- provinces and fact groups (derived; see pipeline.provinces, pipeline.facts) --------
    def _load_provinces(self) -> None:
        from pipeline import provinces as pv

        self.conn.execute("DELETE FROM provinces")
        self.conn.execute("DELETE FROM provinces_2025")
        self.conn.executemany("INSERT INTO provinces VALUES (?, ?, ?, ?, ?, ?)",
                              [(p.code, p.name, p.kind, p.lat, p.lon, p.code_2025) for p in pv.provinces().values()])
        self.conn.executemany("INSERT INTO provinces_2025 VALUES (?, ?, ?, ?, ?)",
                              [(p.code, p.name, p.kind, p.lat, p.lon) for p in pv.provinces_2025().values()])

    def _place_document(self, doc_id: str) -> None:
        """Province of the document and of each of its records (as published and since 2025)."""
        from pipeline import provinces as pv

        d = self.conn.execute("SELECT title, text, source, published FROM documents WHERE doc_id = ?",
                              (doc_id,)).fetchone()
        placement = pv.document_placement(d["text"], d["title"], d["source"])
        c = pv.columns(placement, d["published"])
        self.conn.execute("DELETE FROM record_places WHERE doc_id = ?", (doc_id,))
        self.conn.execute("INSERT OR REPLACE INTO document_places VALUES (?, ?, ?, ?, ?, ?)",
                          (doc_id, c.province_code, c.province, c.province_2025_code, c.province_2025, c.basis))
        rows = []
        for r in self.conn.execute("SELECT idx, unit, location, sentence FROM records WHERE doc_id = ? ORDER BY idx",
                                   (doc_id,)):
            rc = pv.columns(pv.record_placement(r["unit"], r["location"], r["sentence"], placement), d["published"])
            rows.append((doc_id, r["idx"], rc.province_code, rc.province, rc.province_2025_code, rc.province_2025,
                         rc.basis))
        self.conn.executemany("INSERT INTO record_places VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    _FACT_SQL = """
        SELECT r.doc_id, r.idx, coalesce(r.base_value, r.value) AS amount,
               CASE WHEN r.base_unit IS NOT NULL THEN r.value_max * r.base_value / r.value
                    ELSE r.value_max END AS amount_max,
               coalesce(r.base_unit, r.unit_of_measure) AS measure, r.unit, r.item,
               r.period_start, r.period_end, p.province_2025_code, d.published, g.fact_group,
               p.basis AS province_basis
        FROM records r JOIN documents d ON d.doc_id = r.doc_id
        LEFT JOIN record_places p ON p.doc_id = r.doc_id AND p.idx = r.idx
        LEFT JOIN fact_groups g ON g.doc_id = r.doc_id AND g.idx = r.idx
    """

    @staticmethod
    def _fact(row) -> "FactRow":
        from pipeline.facts import FactRow

        return FactRow(row["doc_id"], row["amount"], row["amount_max"],
                       row["measure"], row["unit"], row["item"], row["period_start"], row["period_end"],
                       row["province_2025_code"], row["published"], row["province_basis"])

    def _group_facts(self, doc_id: str) -> None:
        """Put each record of the document in one fact group with every record of another document stating the same fact.

        Candidates share the amount (indexed), so this stays cheap on large
        stores.  Groups merge: a record matching two groups joins them into one,
        so the result does not depend on the order documents were extracted in.
        """
        from pipeline.facts import can_match, same_fact

        self._release_fact_groups(doc_id)
        mine = self.conn.execute(self._FACT_SQL + " WHERE r.doc_id = ? ORDER BY r.idx", (doc_id,)).fetchall()
        for row in mine:
            a = self._fact(row)
            if not can_match(a):
                continue
            # What SQL can decide cheaply it decides (amount through its index,
            # measure, period); same_fact decides the rest.  Small
            # amounts (1 trường hợp, 2 hộ) recur in thousands of records: the
            # nearest in time are the plausible repeats, so the list is capped.
            candidates = self._fact_candidates(row, doc_id)
            matches, matched_groups = [], set()
            for c in candidates:
                # one member of a group that matched stands for the whole group
                if c["fact_group"] is not None and c["fact_group"] in matched_groups:
                    continue
                if same_fact(a, self._fact(c)):
                    matches.append(c)
                    if c["fact_group"] is not None:
                        matched_groups.add(c["fact_group"])
            if not matches:
                continue
            # labels may have changed while this document's earlier records merged groups
            labels = {(m["doc_id"], m["idx"]): self._group_of(m["doc_id"], m["idx"]) for m in matches}
            group = next((g for g in labels.values() if g), f"{matches[0]['doc_id']}:{matches[0]['idx']}")
            for (other_doc, other_idx), label in labels.items():
                if label is None:
                    self.conn.execute("INSERT INTO fact_groups VALUES (?, ?, ?)", (other_doc, other_idx, group))
                elif label != group:
                    self.conn.execute("UPDATE fact_groups SET fact_group = ? WHERE fact_group = ?", (group, label))
            own = self._group_of(doc_id, row["idx"])
            if own is None:
                self.conn.execute("INSERT INTO fact_groups VALUES (?, ?, ?)", (doc_id, row["idx"], group))
            elif own != group:
                self.conn.execute("UPDATE fact_groups SET fact_group = ? WHERE fact_group = ?", (group, own))

    def _fact_candidates(self, row, doc_id: str) -> list:
        """Up to FACT_CANDIDATES records of other documents that may state ``row``'s fact.

        Same amount and measure, a compatible period, one record per group (the
        one it is labelled after); nearest in publication date first (undated
        ones before all, as SQL sorts NULL), then in store order.  Each side of
        the date is read from the fact_keys index, nearest first, so the cost
        does not grow with how often the amount occurs.
        """
        where = (" WHERE k.amount = ? AND k.measure IS ? AND k.member = 0 AND k.doc_id != ?"
                 " AND (k.period_start IS NULL OR ? IS NULL OR (k.period_start = ? AND k.period_end IS ?))")
        args = [row["amount"], row["measure"], doc_id, row["period_start"], row["period_start"], row["period_end"]]
        select = self._FACT_SQL.replace("FROM records r", "FROM fact_keys k JOIN records r "
                                        "ON r.doc_id = k.doc_id AND r.idx = k.idx", 1)
        select = select.replace("SELECT ", "SELECT k.day AS day_, k.doc_row AS row_, ", 1)
        limit = f" LIMIT {FACT_CANDIDATES}"
        day = self.conn.execute("SELECT julianday(substr(?, 1, 10))", (row["published"],)).fetchone()[0]
        if day is None:  # every distance is NULL: store order alone
            return self.conn.execute(select + where + " ORDER BY k.doc_row, k.idx" + limit, args).fetchall()
        undated = self.conn.execute(select + where + " AND k.day IS NULL ORDER BY k.doc_row, k.idx" + limit,
                                    args).fetchall()
        before = self.conn.execute(select + where + " AND k.day <= ? ORDER BY k.day DESC, k.doc_row, k.idx" + limit,
                                   [*args, day]).fetchall()
        after = self.conn.execute(select + where + " AND k.day > ? ORDER BY k.day, k.doc_row, k.idx" + limit,
                                  [*args, day]).fetchall()
        dated = sorted(before + after, key=lambda c: (abs(c["day_"] - day), c["row_"], c["idx"]))
        return (undated + dated)[:FACT_CANDIDATES]

    def _release_fact_groups(self, doc_id: str) -> None:
        """Take the document's records out of their fact groups.

        A group's label names one of its members (the one candidates see); a
        group labelled after a record of this document is relabelled after a
        member that stays.
        """
        for (label,) in self.conn.execute(
                "SELECT DISTINCT fact_group FROM fact_groups WHERE doc_id = ? AND fact_group LIKE ? || ':%'",
                (doc_id, doc_id)).fetchall():
            heir = self.conn.execute(
                "SELECT doc_id || ':' || idx FROM fact_groups WHERE fact_group = ? AND doc_id != ? "
                "ORDER BY doc_id, idx LIMIT 1", (label, doc_id)).fetchone()
            if heir is not None:
                self.conn.execute("UPDATE fact_groups SET fact_group = ? WHERE fact_group = ?", (heir[0], label))
        self.conn.execute("DELETE FROM fact_groups WHERE doc_id = ?", (doc_id,))

    def _group_of(self, doc_id: str, idx: int) -> str | None:
        row = self.conn.execute("SELECT fact_group FROM fact_groups WHERE doc_id = ? AND idx = ?",
                                (doc_id, idx)).fetchone()
        return row[0] if row else None

    def _backfill_v3(self) -> None:
        """Provinces and fact groups of the records stored before version 3."""
        doc_ids = [r[0] for r in self.conn.execute(
            "SELECT doc_id FROM documents WHERE extracted_at IS NOT NULL ORDER BY id")]
        for doc_id in doc_ids:
            self._place_document(doc_id)
        for doc_id in doc_ids:
            self._group_facts(doc_id)

    def regroup_facts(self) -> None:
        """Recompute every province and fact group (after the province tables or the rules changed)."""
        with self._transaction():
            self._load_provinces()
            self.conn.execute("DELETE FROM fact_groups")
            self._backfill_v3()

    def add_extracted_document(self, doc: Document) -> bool:
        """Document and its mentions in one transaction (e.g. from a JSONL of extracted documents).

        Returns True when anything changed.  Ingesting the same document
        twice changes nothing.
        """
        with self._transaction():
            before = self.conn.total_changes
            self._add_document(doc)
            self._save_extraction(doc)
            return self.conn.total_changes != before

    def record_failure(self, doc_id: str, message: str) -> None:
        """Note why extraction failed; the document stays pending and keeps its old mentions."""
        with self._transaction():
            self.conn.execute("UPDATE documents SET extraction_error = ? WHERE doc_id = ?", (message, doc_id))

    def mark_pending(self, doc_id: str | None = None) -> int:
        """Make one document (or all) pending again, e.g. for ``extract --all``; their mentions stay until replaced."""
        with self._transaction():
            if doc_id is None:
                return self.conn.execute("UPDATE documents SET extracted_at = NULL").rowcount
            return self.conn.execute("UPDATE documents SET extracted_at = NULL WHERE doc_id = ?", (doc_id,)).rowcount

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document and (by cascade) its mentions."""
        with self._transaction():
            self._release_fact_groups(doc_id)
            return self.conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,)).rowcount > 0

    # -- reading -----------------------------------------------------------
    def pending_documents(self, unreadable: Callable[[UnreadableDocument], None] | None = None
                          ) -> Iterator[Document]:
        """Documents not yet extracted (text and metadata, no mentions), oldest first.

        Ids are read first, so saving extractions while iterating is safe.
        ``unreadable``: called with each document that cannot be read (UnreadableDocument), which is
        then passed over; without it, the first one stops the iteration.
        """
        for doc_id in self._doc_ids("WHERE extracted_at IS NULL", unreadable):
            try:
                row = self.conn.execute(
                    f"SELECT {_cols(DOCUMENT_COLUMNS)} FROM documents WHERE doc_id = ? AND extracted_at IS NULL",
                    (doc_id,),
                ).fetchone()
            except sqlite3.OperationalError as exc:
                _pass_over(self._unreadable(doc_id, "documents", exc), unreadable)
                continue
            if row is not None:
                yield Document(**{c: row[c] for c in DOCUMENT_COLUMNS})

    def iter_documents(self, doc_ids: list[str] | None = None,
                       unreadable: Callable[[UnreadableDocument], None] | None = None) -> Iterator[Document]:
        """Every document (or those named) with its mentions, in insertion order.

        ``unreadable``: as for :meth:`pending_documents`.
        """
        if doc_ids is None:
            doc_ids = self._doc_ids("", unreadable)
        for doc_id in doc_ids:
            try:
                doc = self.get_document(doc_id)
            except UnreadableDocument as exc:
                _pass_over(exc, unreadable)
                continue
            if doc is not None:
                yield doc

    def _doc_ids(self, where: str, unreadable: Callable[[UnreadableDocument], None] | None) -> list[str]:
        """The doc_ids of the documents ``where`` says, in insertion order, read first (so that saving
        while iterating is safe). A doc_id that is not UTF-8 (bytes another tool wrote) is handed to
        ``unreadable`` as the document at its row, named by its URL, and left out."""
        ids = []
        for row_id, raw, url in self.conn.execute(
                f"SELECT id, CAST(doc_id AS BLOB), CAST(url AS BLOB) FROM documents {where} ORDER BY id"):
            try:
                ids.append(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
            except UnicodeDecodeError:
                url = url.decode("utf-8", "replace") if url is not None else None
                _pass_over(UnreadableDocument(
                    f"{self.path}: document at row {row_id}" + (f" ({url})" if url else "")
                    + ": documents.doc_id is not UTF-8 text, so it cannot be read (the store keeps it as it is)"),
                    unreadable)
        return ids

    def get_document(self, doc_id: str) -> Document | None:
        """One document with its mentions, or None; UnreadableDocument when a value of its rows is
        not text SQLite can decode."""
        with self._lock:
            return self._get_document(doc_id)

    def _get_document(self, doc_id: str) -> Document | None:
        table = "documents"
        try:
            row = self.conn.execute(
                f"SELECT {_cols(DOCUMENT_COLUMNS + PERIOD_COLUMNS)} FROM documents WHERE doc_id = ?", (doc_id,)
            ).fetchone()
            if row is None:
                return None
            doc = Document(**{c: row[c] for c in DOCUMENT_COLUMNS}, period=_period(row))
            table = "units"
            doc.units = [
                Unit(**{c: r[c] for c in UNIT_COLUMNS})
                for r in self.conn.execute(
                    f"SELECT {_cols(UNIT_COLUMNS)} FROM units WHERE doc_id = ? ORDER BY idx", (doc_id,))
            ]
            table = "quantities"
            doc.quantities = [
                Quantity(**{c: r[c] for c in QUANTITY_COLUMNS})
                for r in self.conn.execute(
                    f"SELECT {_cols(QUANTITY_COLUMNS)} FROM quantities WHERE doc_id = ? ORDER BY idx", (doc_id,))
            ]
            table = "records"
            doc.records = [
                Record(**{c: r[c] for c in RECORD_COLUMNS}, period=_period(r))
                for r in self.conn.execute(
                    f"SELECT {_cols(RECORD_COLUMNS + PERIOD_COLUMNS)} FROM records WHERE doc_id = ? ORDER BY idx",
                    (doc_id,))
            ]
        except sqlite3.OperationalError as exc:
            raise self._unreadable(doc_id, table, exc) from None
        return doc

    def _unreadable(self, doc_id: str, table: str, exc: sqlite3.OperationalError) -> Exception:
        """UnreadableDocument naming the store, the document (and its URL) and the column, when
        ``exc`` is SQLite failing to decode a value of ``table``; else ``exc`` itself."""
        m = _NOT_UTF8.search(str(exc))
        if m is None:
            return exc
        # the URL only names the document here: bytes that are not UTF-8 in it are shown replaced
        row = self.conn.execute("SELECT CAST(url AS BLOB) FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        url = row[0].decode("utf-8", "replace") if row is not None and row[0] is not None else None
        return UnreadableDocument(
            f"{self.path}: document {doc_id}" + (f" ({url})" if url else "")
            + f": {table}.{m.group(1)} is not UTF-8 text, so it cannot be read (the store keeps it as it is)")

    def has_document(self, doc_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchone() is not None

    def count_documents(self) -> int:
        return self.conn.execute("SELECT count(*) FROM documents").fetchone()[0]

    def count_pending(self) -> int:
        return self.conn.execute("SELECT count(*) FROM documents WHERE extracted_at IS NULL").fetchone()[0]

    def counts(self) -> dict[str, int]:
        """Rows per table: documents, pending, units, quantities, records."""
        out = {t: self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
               for t in ("documents", "units", "quantities", "records")}
        out["pending"] = self.count_pending()
        return out

    def search(self, words: str, limit: int | None = None) -> list[str]:
        """doc_ids of documents whose title or text contain ``words`` (see :func:`search_clause`)."""
        clause, params = search_clause(words)
        sql = f"SELECT d.doc_id FROM documents d WHERE {clause} ORDER BY d.id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [r[0] for r in self.conn.execute(sql, params)]

    # -- lifecycle ---------------------------------------------------------
    def close(self) -> None:
        if self.conn is not None:
            if not self.readonly:
                try:
                    self.conn.execute("PRAGMA optimize")
                except sqlite3.Error:
                    pass
            self.conn.close()
            self.conn = None  # type: ignore[assignment]

    def __enter__(self) -> "CorpusStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _pass_over(exc: Exception, unreadable: Callable[[UnreadableDocument], None] | None) -> None:
    """Hand an unreadable document to the caller's ``unreadable``; raise anything else."""
    if unreadable is None or not isinstance(exc, UnreadableDocument):
        raise exc
    unreadable(exc)


def _check_document(doc: Document) -> None:
    if not doc.doc_id:
        raise StoreError(f"document {doc.url or '(no URL)'}: empty doc_id")
    if not isinstance(doc.text, str):
        raise StoreError(f"document {doc.doc_id} ({doc.url or 'no URL'}): text is not a string")


def _period_values(period: Period | None) -> tuple[str | None, str | None, str | None]:
    if period is None:
        return (None, None, None)
    return (period.text, period.start, period.end)


def _period(row: sqlite3.Row) -> Period | None:
    if row["period_text"] is None:
        return None
    return Period(text=row["period_text"], start=row["period_start"], end=row["period_end"])


def _cols(columns) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _split_sql(script: str) -> list[str]:
    """Statements of a script, trigger bodies kept whole (sqlite3.complete_statement)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not current.strip():
            continue
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements
