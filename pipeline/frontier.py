"""Frontier state: which URLs are known, queued, fetched — in the corpus SQLite file.

The tables live in ``DIR/corpus.sqlite`` beside the store's (WAL mode lets the
two connections share it).  They make a crawl resumable after any stop,
``kill -9`` included, because of the order the crawler keeps for each fetch:

1. WARC records written and flushed (the archive only appends);
2. the article, if any, stored (one store transaction; re-storing the same
   text changes nothing);
3. one frontier transaction: the URL done, its validators and WARC
   coordinates, the links it revealed, and how far its WARC file is now
   *committed*.

On start, a WARC longer than its committed size has a tail written after the
last commit (a fetch whose step 3 never happened): it is cut off, and the
URL, still queued, is fetched again.

A later crawl of the same site re-queues, with their ETag/Last-Modified, only
what changes (the revisit policy): robots.txt, sitemaps, feeds, listings and
the seeds, plus whatever failed.  Articles and other pages are not fetched
again unless a sitemap gives them a ``lastmod`` newer than our copy, or
``refresh_after`` days have passed; a page found oversized never is.  Many
provincial CMSs send no validators, so without this every re-crawl would
download every article again.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator

from pipeline.archive import PriorCapture
from pipeline.store import immediate_transaction

BUSY_TIMEOUT_MS = 30_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS crawl_urls (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,          -- canonical form (discover.canonicalize)
    host TEXT NOT NULL,
    kind TEXT NOT NULL,                -- robots | sitemap | feed | page | document
    state TEXT NOT NULL,               -- queued | done | failed | skipped
    priority INTEGER NOT NULL,         -- lower first: robots, sitemaps and feeds, then pages
    depth INTEGER NOT NULL,
    hops TEXT NOT NULL DEFAULT '',     -- Heritrix-style hop path: L link, R redirect, X sitemap/feed, P prerequisite
    via TEXT,                          -- the URL it was found on
    template TEXT,                     -- discover.url_template
    parent_sig TEXT,                   -- link signature of a parent of the same template
    run INTEGER NOT NULL,              -- the run that last queued or fetched it
    status INTEGER,
    error TEXT,
    etag TEXT,
    last_modified TEXT,
    payload_digest TEXT,
    warc_file TEXT,
    warc_record_id TEXT,
    warc_date TEXT,
    doc_id TEXT,
    fetched_at TEXT,
    discovered_at TEXT NOT NULL,
    page_kind TEXT                     -- article | listing | other | oversized (what the last fetch found)
);
CREATE INDEX IF NOT EXISTS crawl_urls_queue ON crawl_urls(state, host, priority, depth, id);
CREATE INDEX IF NOT EXISTS crawl_urls_template ON crawl_urls(template);
CREATE TABLE IF NOT EXISTS crawl_hosts (
    host TEXT PRIMARY KEY,
    robots_txt TEXT,                   -- NULL: none (everything allowed)
    robots_run INTEGER,                -- the run that fetched it
    https INTEGER NOT NULL DEFAULT 0   -- seen redirecting http → https
);
CREATE TABLE IF NOT EXISTS crawl_warcs (
    name TEXT PRIMARY KEY,
    committed INTEGER NOT NULL         -- bytes known to hold only committed records
);
CREATE TABLE IF NOT EXISTS crawl_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    state TEXT NOT NULL,               -- running | paused | interrupted | finished
    seeds TEXT NOT NULL
);
"""

PRIORITY = {"robots": 0, "sitemap": 1, "feed": 1, "page": 2, "document": 3}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(slots=True)
class QueuedURL:
    id: int
    url: str
    host: str
    kind: str
    depth: int
    hops: str
    via: str | None
    template: str | None
    parent_sig: str | None
    etag: str | None
    last_modified: str | None
    prior: PriorCapture | None


@dataclass(slots=True)
class NewURL:
    url: str
    host: str
    kind: str
    hops: str
    via: str | None
    template: str | None
    parent_sig: str | None = None
    priority: int | None = None


class Frontier:
    """The crawl's URL table and run bookkeeping, on its own SQLite connection."""

    def __init__(self, db_path: str | Path):
        self.path = Path(db_path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        with self.transaction():
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.conn.execute(statement)
            columns = {r["name"] for r in self.conn.execute("PRAGMA table_info(crawl_urls)")}
            if "page_kind" not in columns:     # a store from before the revisit policy
                self.conn.execute("ALTER TABLE crawl_urls ADD COLUMN page_kind TEXT")
        self.run_id: int | None = None

    def transaction(self):
        return immediate_transaction(self.conn)

    def close(self) -> None:
        self.conn.close()

    # --- runs -------------------------------------------------------------------
    def start_run(self, seeds: list[str], in_scope: Callable[[str], bool] = lambda host: True,
                  refresh_after: float | None = None) -> tuple[int, bool]:
        """Resume the last run if it did not finish, else start a new one.

        A new run re-queues the known URLs of the hosts ``in_scope`` that the
        revisit policy (module docstring) says may have changed, with their
        validators; ``refresh_after`` (days) also re-queues articles and other
        pages fetched longer ago than that.  Other sites crawled into the same
        folder earlier are left alone.  Returns (run id, resumed).
        """
        last = self.conn.execute("SELECT id, state FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
        with self.transaction():
            if last is not None and last["state"] != "finished":
                self.run_id = last["id"]
                self.conn.execute("UPDATE crawl_runs SET state='running' WHERE id=?", (self.run_id,))
                return self.run_id, True
            cur = self.conn.execute("INSERT INTO crawl_runs (started_at, state, seeds) VALUES (?, 'running', ?)",
                                    (_now(), "\n".join(seeds)))
            self.run_id = cur.lastrowid
            hosts = [r[0] for r in self.conn.execute("SELECT DISTINCT host FROM crawl_urls")]
            older_than = None
            if refresh_after is not None:
                older_than = (datetime.now(timezone.utc) - timedelta(days=refresh_after)).isoformat(
                    timespec="seconds").replace("+00:00", "Z")
            for host in filter(in_scope, hosts):
                self.conn.execute(
                    "UPDATE crawl_urls SET state='queued', run=?, error=NULL WHERE host=? AND state != 'queued'"
                    " AND (state = 'failed' OR kind IN ('robots', 'sitemap', 'feed') OR hops = ''"
                    "      OR (kind = 'page' AND COALESCE(page_kind, 'listing') = 'listing')"
                    "      OR (? IS NOT NULL AND COALESCE(page_kind, '') != 'oversized'"
                    "          AND COALESCE(fetched_at, '') < ?))",
                    (self.run_id, host, older_than, older_than))
        return self.run_id, False

    def end_run(self, state: str) -> None:
        with self.transaction():
            self.conn.execute("UPDATE crawl_runs SET state=?, finished_at=? WHERE id=?",
                              (state, _now(), self.run_id))

    # --- WARC files --------------------------------------------------------------
    def register_warc(self, name: str, size: int) -> None:
        with self.transaction():
            self.conn.execute("INSERT OR REPLACE INTO crawl_warcs (name, committed) VALUES (?, ?)", (name, size))

    def committed_warcs(self) -> dict[str, int]:
        return {r["name"]: r["committed"] for r in self.conn.execute("SELECT name, committed FROM crawl_warcs")}

    # --- hosts ------------------------------------------------------------------
    def host_robots(self, host: str) -> tuple[bool, str | None]:
        """(fetched in this run, robots.txt text)."""
        row = self.conn.execute("SELECT robots_txt, robots_run FROM crawl_hosts WHERE host=?", (host,)).fetchone()
        if row is None:
            return False, None
        return row["robots_run"] == self.run_id, row["robots_txt"]

    def seed_redirect_hosts(self) -> set[str]:
        """Hosts that seeds redirected to (hop paths of R only): part of the crawl's scope."""
        rows = self.conn.execute(
            "SELECT DISTINCT host FROM crawl_urls WHERE kind='page' AND hops != '' AND hops NOT GLOB '*[^R]*'")
        return {r[0] for r in rows}

    def https_hosts(self) -> set[str]:
        return {r["host"].split(":")[0] for r in self.conn.execute("SELECT host FROM crawl_hosts WHERE https=1")}

    # --- the queue -------------------------------------------------------------
    def add(self, urls: list[NewURL]) -> int:
        """Queue unknown URLs (in its own transaction). Returns how many were new."""
        with self.transaction():
            return self._add(urls)

    def _add(self, urls: list[NewURL]) -> int:
        added = 0
        now = _now()
        for u in urls:
            cur = self.conn.execute(
                "INSERT OR IGNORE INTO crawl_urls (url, host, kind, state, priority, depth, hops, via, template,"
                " parent_sig, run, discovered_at) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)",
                (u.url, u.host, u.kind, u.priority if u.priority is not None else PRIORITY.get(u.kind, 2),
                 len(u.hops), u.hops, u.via, u.template, u.parent_sig, self.run_id, now))
            added += cur.rowcount
        return added

    def known(self, url: str) -> bool:
        return self.conn.execute("SELECT 1 FROM crawl_urls WHERE url=?", (url,)).fetchone() is not None

    def via_of(self, url: str) -> str | None:
        row = self.conn.execute("SELECT via FROM crawl_urls WHERE url=?", (url,)).fetchone()
        return row[0] if row else None

    def count_template(self, template: str) -> int:
        return self.conn.execute("SELECT count(*) FROM crawl_urls WHERE template=?", (template,)).fetchone()[0]

    def count_host(self, host: str) -> int:
        return self.conn.execute("SELECT count(*) FROM crawl_urls WHERE host=?", (host,)).fetchone()[0]

    def queued_hosts(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT host FROM crawl_urls WHERE state='queued'")]

    def count_queued(self) -> int:
        return self.conn.execute("SELECT count(*) FROM crawl_urls WHERE state='queued'").fetchone()[0]

    def next_for_host(self, host: str, exclude: set[int] = frozenset()) -> QueuedURL | None:
        """The host's next URL: robots.txt first, then sitemaps and feeds, then pages breadth-first."""
        rows = self.conn.execute(
            "SELECT * FROM crawl_urls WHERE state='queued' AND host=? ORDER BY priority, depth, id LIMIT ?",
            (host, len(exclude) + 1))
        for row in rows:
            if row["id"] in exclude:
                continue
            prior = None
            if row["warc_record_id"] and row["warc_date"]:
                prior = PriorCapture(row["warc_record_id"], row["warc_date"], row["payload_digest"], row["url"])
            return QueuedURL(row["id"], row["url"], row["host"], row["kind"], row["depth"], row["hops"],
                             row["via"], row["template"], row["parent_sig"], row["etag"], row["last_modified"],
                             prior)
        return None

    def doc_for_url(self, url: str) -> str | None:
        row = self.conn.execute("SELECT doc_id FROM crawl_urls WHERE url=?", (url,)).fetchone()
        return row["doc_id"] if row else None

    # --- one fetch, committed at once ------------------------------------------------
    def commit_fetch(self, item: QueuedURL, *, state: str, status: int | None = None, error: str | None = None,
                     etag: str | None = None, last_modified: str | None = None, payload_digest: str | None = None,
                     warc_file: str | None = None, warc_record_id: str | None = None, warc_date: str | None = None,
                     warc_end: int | None = None, doc_id: str | None = None, fetched_at: str | None = None,
                     new_urls: list[NewURL] = (), robots: tuple[str, str | None] | None = None,
                     https_host: str | None = None, keep_capture: bool = False, page_kind: str | None = None,
                     changed: list[tuple[str, str]] = ()) -> int:
        """Step 3 of the order above. Returns how many new URLs were queued.

        ``keep_capture``: a revisit — the URL keeps pointing at the capture
        that holds its payload, and its validators stay unless new ones came.
        ``changed``: (URL, UTC time) pairs a sitemap dates later than our copy
        may be: re-queued when fetched before that time.
        """
        with self.transaction():
            if keep_capture:
                self.conn.execute(
                    "UPDATE crawl_urls SET state=?, status=?, error=?, run=?, fetched_at=?,"
                    " etag=COALESCE(?, etag), last_modified=COALESCE(?, last_modified) WHERE id=?",
                    (state, status, error, self.run_id, fetched_at, etag, last_modified, item.id))
            else:
                self.conn.execute(
                    "UPDATE crawl_urls SET state=?, status=?, error=?, run=?, fetched_at=COALESCE(?, fetched_at),"
                    " etag=?, last_modified=?, payload_digest=COALESCE(?, payload_digest),"
                    " warc_file=COALESCE(?, warc_file), warc_record_id=COALESCE(?, warc_record_id),"
                    " warc_date=COALESCE(?, warc_date), doc_id=COALESCE(?, doc_id),"
                    " page_kind=COALESCE(?, page_kind) WHERE id=?",
                    (state, status, error, self.run_id, fetched_at, etag, last_modified, payload_digest,
                     warc_file, warc_record_id, warc_date, doc_id, page_kind, item.id))
            added = self._add(list(new_urls))
            for url, modified in changed:
                self.conn.execute(
                    "UPDATE crawl_urls SET state='queued', run=? WHERE url=? AND state='done'"
                    " AND COALESCE(page_kind, '') != 'oversized' AND COALESCE(fetched_at, '') < ?",
                    (self.run_id, url, modified))
            if warc_file is not None and warc_end is not None:
                self.conn.execute("UPDATE crawl_warcs SET committed=? WHERE name=?", (warc_end, warc_file))
            if robots is not None:
                host, text = robots
                self.conn.execute(
                    "INSERT INTO crawl_hosts (host, robots_txt, robots_run) VALUES (?, ?, ?)"
                    " ON CONFLICT(host) DO UPDATE SET robots_txt=excluded.robots_txt, robots_run=excluded.robots_run",
                    (host, text, self.run_id))
            if https_host is not None:
                self.conn.execute(
                    "INSERT INTO crawl_hosts (host, https) VALUES (?, 1)"
                    " ON CONFLICT(host) DO UPDATE SET https=1", (https_host,))
        return added

    def stats(self) -> dict[str, int]:
        out = {r["state"]: r["n"] for r in
               self.conn.execute("SELECT state, count(*) AS n FROM crawl_urls GROUP BY state")}
        return out

    def rows(self) -> Iterator[sqlite3.Row]:
        yield from self.conn.execute("SELECT * FROM crawl_urls ORDER BY id")
