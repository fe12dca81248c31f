"""Broken answers from a real server on 127.0.0.1, through the real ``provnews crawl``: what the archive
keeps of them (warcio reads it back), what the frontier records, and what stderr names.

The server writes each answer as raw bytes, so it can do what ``http.server`` will not: close the
connection in the middle of a body, send raw UTF-8 in a header, a Location no URL parser reads.
"""
from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import run_cli  # noqa: E402

ARTICLE = ("<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'><title>Báo cáo tháng 12</title></head>"
           "<body><h1>Báo cáo tháng 12</h1>" + "<p>Chi cục Quản lý thị trường tỉnh Cao Bằng đã kiểm tra 45 cơ sở "
           "kinh doanh xăng dầu, phát hiện 3 cơ sở vi phạm và xử phạt 45 triệu đồng.</p>" * 8
           + "</body></html>").encode("utf-8")


def _answer(status: str, headers: list[bytes], body: bytes) -> bytes:
    return b"HTTP/1.1 " + status.encode() + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + body


def whole(body: bytes = ARTICLE, *extra: bytes) -> bytes:
    return _answer("200 OK", [b"Content-Type: text/html; charset=utf-8", *extra,
                              b"Content-Length: %d" % len(body)], body)


# cut in the middle: the Content-Length announces the whole article, half of it comes, then the close
CUT = _answer("200 OK", [b"Content-Type: text/html; charset=utf-8", b"Content-Length: %d" % len(ARTICLE)],
              ARTICLE[:600])
CUT_CHUNKED = _answer("200 OK", [b"Content-Type: text/html; charset=utf-8", b"Transfer-Encoding: chunked"],
                      b"%x\r\n" % len(ARTICLE) + ARTICLE[:500])
BAD_LOCATION = _answer("302 Found", [b"Location: http://[::1:bad/x", b"Content-Length: 0"], b"")
HUGE_HEADERS = _answer("200 OK", [b"Content-Type: text/html", b"X-Huge: " + b"b" * 200_000,
                                  b"Content-Length: %d" % len(ARTICLE)], ARTICLE)
NON_ASCII_HEADER = "X-Title: Sở Y tế".encode("utf-8")


class RawSite:
    """``routes``: path → the bytes of the whole answer; the connection is closed after each one.
    ``requests`` counts what was asked for; ``routes`` can be changed between two crawls."""

    def __init__(self, routes: dict[str, bytes]):
        self.routes = routes
        self.hold: dict[str, float] = {}        # path → seconds the connection stays open, silent, after the answer
        self.requests: list[str] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket):
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            path = data.split(b" ", 2)[1].decode()
            self.requests.append(path)
            answer = self.routes.get(path, _answer("404 Not Found", [b"Content-Length: 0"], b""))
            try:
                conn.sendall(answer)
                time.sleep(self.hold.get(path, 0))      # a server that stalls mid-body
                conn.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()


def site_routes(**pages: bytes) -> dict[str, bytes]:
    """robots.txt, the sitemap and feed addresses the crawl guesses, and a home page linking ``pages``."""
    links = "".join(f'<a href="/{name}">{name}</a>' for name in pages)
    home = (f'<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml"></head>'
            f"<body>{links}</body></html>").encode()
    routes = {
        "/robots.txt": _answer("200 OK", [b"Content-Type: text/plain", b"Content-Length: 24"],
                               b"User-agent: *\nAllow: /\n\n"),
        "/sitemap.xml": whole(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                              b"</urlset>"),
        "/rss.xml": whole(b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'),
        "/": whole(home),
    }
    routes.update({f"/{name}": answer for name, answer in pages.items()})
    return routes


def records(out: Path) -> list[dict]:
    """Every WARC record, read back by warcio: type, URI, WARC headers, HTTP headers, raw block."""
    found = []
    for warc in sorted((out / "warcs").glob("*.warc.gz")):
        with open(warc, "rb") as fh:
            for rec in ArchiveIterator(fh):
                found.append({"type": rec.rec_type, "uri": rec.rec_headers.get_header("WARC-Target-URI"),
                              "warc": rec.rec_headers, "http": rec.http_headers,
                              "payload": rec.content_stream().read()})
    return found


def url_row(out: Path, url: str) -> sqlite3.Row:
    conn = sqlite3.connect(out / "corpus.sqlite")
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM crawl_urls WHERE url=?", (url,)).fetchone()
    finally:
        conn.close()


def crawl(site: RawSite, out: Path):
    return run_cli("crawl", site.url + "/", "--out", str(out), "--delay", "0")


def test_non_ascii_header_bytes_are_archived_as_received(tmp_path):
    """HTTP headers are bytes; a Vietnamese server sends raw UTF-8 in them (a file name, a title).
    The record's header block holds those very bytes, not a re-encoding of them."""
    out = tmp_path / "c"
    page = whole(ARTICLE, NON_ASCII_HEADER)
    with RawSite(site_routes(**{"tieu-de.html": page})) as site:
        run = crawl(site, out)
    assert run.returncode == 0, run.stderr
    url = f"{site.url}/tieu-de.html"
    for warc in sorted((out / "warcs").glob("*.warc.gz")):
        with open(warc, "rb") as fh:
            for rec in ArchiveIterator(fh, no_record_parse=True):
                if rec.rec_type == "response" and rec.rec_headers.get_header("WARC-Target-URI") == url:
                    block = rec.content_stream().read()
                    break
    head = block.split(b"\r\n\r\n", 1)[0]
    sent = page.split(b"\r\n\r\n", 1)[0]
    assert head == sent
    # and warcio's parsed view reads the header as the text it is
    response = next(r for r in records(out) if r["uri"] == url and r["type"] == "response")
    assert response["http"].get_header("X-Title") == "Sở Y tế"
