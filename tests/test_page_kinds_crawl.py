"""A crawl of sites built from the CMSs' own templates: listings are archived, only articles are stored.

The pages of tests/fixtures/article/real (NukeViet 4.5 and 3, WordPress's
default theme, Liferay 6.2's asset publisher, with real Vietnamese articles)
are served on 127.0.0.1 under their own paths; ``provnews crawl`` starts from
the home and category pages.
"""
from __future__ import annotations

import sqlite3
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.page_kinds import real_fixtures  # noqa: E402
from tests.conftest import need_shared  # noqa: E402
from tests.test_crawl import provnews  # noqa: E402

SITES = ("https://sokhcn.example.gov.vn", "https://sotttt.example.gov.vn", "https://sonnptnt.example.gov.vn")


@pytest.fixture(scope="module")
def served():
    need_shared(ROOT.parent / "shared" / "data" / "vi-news")
    pages: dict[str, bytes] = {}
    kinds: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = pages.get(self.path.split("?")[0])
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    for name, html, expected in real_fixtures():
        for site in SITES:
            html = html.replace(site, base)
        path = urlsplit(expected["url"]).path
        pages[path] = html.encode("utf-8")
        kinds[base + path] = expected["kind"]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base, kinds
    server.shutdown()
    server.server_close()


def test_only_articles_become_documents(served, tmp_path):
    base, kinds = served
    seeds = [url for url, kind in kinds.items() if kind == "listing"]
    out = tmp_path / "crawl"
    run = provnews("crawl", *seeds, "--out", str(out), "--delay", "0", "--quiet")
    assert run.returncode == 0, run.stderr
    conn = sqlite3.connect(out / "corpus.sqlite")
    stored = {r[0] for r in conn.execute("SELECT url FROM documents")}
    conn.close()
    articles = {url for url, kind in kinds.items() if kind == "article"}
    # every article is linked from a listing: all are stored, and nothing else
    assert stored == articles
    assert not stored & set(seeds)
    archived = set()
    for warc in (out / "warcs").glob("*.warc.gz"):
        with open(warc, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "response":
                    archived.add(rec.rec_headers.get_header("WARC-Target-URI"))
    # the listings were archived all the same
    assert set(seeds) <= archived
