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


def test_pages_with_no_sentence_are_archived_but_not_stored(tmp_path):
    """A crawl meets link-only home pages, calendar months with no event, empty search results and
    folder pages ("/deep/a/b/…"): each is archived, none becomes a document; the articles do, a
    one-sentence story included."""
    from tests.test_crawl import _Site, _site_routes

    def page(title: str, body: str) -> tuple[int, str, bytes]:
        return 200, "text/html; charset=utf-8", (f"<html><head><title>{title}</title></head>"
                                                 f"<body>{body}</body></html>").encode()

    story = ("<h1>Kiểm tra xăng dầu tháng {n}</h1><p>Trong tháng {n}/2020, Chi cục Quản lý thị trường tỉnh Cao "
             "Bằng đã kiểm tra {n}0 cơ sở kinh doanh xăng dầu trên địa bàn tỉnh.</p>")
    routes = _site_routes(["/trang-chu", "/lich/2021-11", "/tim-kiem?q=xang", "/deep/a/", "/tin/1.html"])
    routes.update({
        "/trang-chu": page("Trang chủ", '<ul><li><a href="/tin-tuc">Tin tức</a></li></ul>'),
        "/tin-tuc": page("Tin tức", '<a href="/tin/2.html">Kiểm tra xăng dầu tháng 2</a>'),
        "/tim-kiem?q=xang": page("Tìm kiếm", '<h1>Kết quả</h1><a href="/tim-kiem?q=xangg">more</a>'),
        "/tim-kiem?q=xangg": page("Tìm kiếm", "<h1>Kết quả</h1><p>Không tìm thấy</p>"),
        "/tin/1.html": page("Kiểm tra xăng dầu tháng 1", story.format(n=1) + "<p>Các cơ sở đều chấp hành tốt "
                            "quy định về niêm yết giá và bảo đảm chất lượng xăng dầu bán ra.</p>"),
        "/tin/2.html": page("Kiểm tra xăng dầu tháng 2", story.format(n=2)),
    })
    for month in ("2021-10", "2021-11", "2021-12"):
        routes[f"/lich/{month}"] = page(f"Lịch {month}", f"<h1>Lịch công tác {month}</h1><p>Không có sự kiện</p>"
                                        '<a href="/lich/2021-10">prev</a> <a href="/lich/2021-12">next</a>')
    deep = "/deep/a/"
    for letter in "bcdefg":  # (distinct folders: a path writing one segment thrice is a trap, not followed)
        routes[deep] = page("Thư mục", f'<h1>Thư mục</h1><a href="{deep}{letter}/">deeper</a>')
        deep += letter + "/"
    with _Site(routes) as site:
        out = tmp_path / "crawl"
        run = provnews("crawl", site.url + "/", "--out", str(out), "--delay", "0", "--quiet")
    assert run.returncode == 0, run.stderr
    conn = sqlite3.connect(out / "corpus.sqlite")
    stored = {r[0] for r in conn.execute("SELECT url FROM documents")}
    conn.close()
    assert stored == {site.url + "/tin/1.html", site.url + "/tin/2.html"}
    archived = set()
    for warc in (out / "warcs").glob("*.warc.gz"):
        with open(warc, "rb") as fh:
            archived |= {rec.rec_headers.get_header("WARC-Target-URI") for rec in ArchiveIterator(fh)
                         if rec.rec_type == "response"}
    pages = {site.url + path for path, (status, ctype, _) in routes.items() if ctype.startswith("text/html")}
    assert pages <= archived, pages - archived
