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


def test_a_body_cut_by_the_server_is_archived_truncated_and_retried_next_run(tmp_path):
    """What the server sent before it closed the connection is kept, marked ``WARC-Truncated:
    disconnect``, with its request; the URL stays failed, named on stderr in words; the next run asks
    again, and an answer that arrives whole then is an ordinary record."""
    out = tmp_path / "c"
    with RawSite(site_routes(**{"cut.html": CUT, "cut-chunked.html": CUT_CHUNKED})) as site:
        run = crawl(site, out)
        assert run.returncode == 0, run.stderr
        assert "Traceback" not in run.stderr
        assert f"provnews crawl: {site.url}/cut.html: connection closed after 600 of {len(ARTICLE):,} bytes" \
            in run.stderr.splitlines(), run.stderr
        assert f"provnews crawl: {site.url}/cut-chunked.html: connection closed in the middle of the chunked " \
               "body, after 500 bytes" in run.stderr.splitlines(), run.stderr
        recs = records(out)
        for name, got in (("cut.html", ARTICLE[:600]), ("cut-chunked.html", ARTICLE[:500])):
            url = f"{site.url}/{name}"
            response = [r for r in recs if r["uri"] == url and r["type"] == "response"]
            assert len(response) == 1
            assert response[0]["warc"].get_header("WARC-Truncated") == "disconnect"
            assert response[0]["http"].get_statuscode() == "200"
            assert response[0]["payload"] == got
            record_id = response[0]["warc"].get_header("WARC-Record-ID")
            assert [r for r in recs if r["uri"] == url and r["type"] == "request"
                    and r["warc"].get_header("WARC-Concurrent-To") == record_id]
            row = url_row(out, url)
            assert row["state"] == "failed" and row["status"] == 200
            assert row["warc_record_id"] is None        # a truncated answer is no capture to revisit against
        for warc in (out / "warcs").glob("*.warc.gz"):
            verdict = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", str(warc)],
                                     capture_output=True, text=True)
            assert verdict.returncode == 0, verdict.stdout + verdict.stderr

        # the server is mended: the next run asks again and gets the whole page
        site.routes["/cut.html"] = whole()
        asked = site.requests.count("/cut.html")
        again = crawl(site, out)
        assert again.returncode == 0, again.stderr
        assert site.requests.count("/cut.html") == asked + 1
    url = f"{site.url}/cut.html"
    responses = [r for r in records(out) if r["uri"] == url and r["type"] == "response"]
    assert len(responses) == 2
    assert responses[1]["warc"].get_header("WARC-Truncated") is None and responses[1]["payload"] == ARTICLE
    row = url_row(out, url)
    assert row["state"] == "done" and row["warc_record_id"] == responses[1]["warc"].get_header("WARC-Record-ID")


def test_a_redirect_with_an_unreadable_location_is_archived_and_named(tmp_path):
    out = tmp_path / "c"
    with RawSite(site_routes(**{"badloc": BAD_LOCATION})) as site:
        run = crawl(site, out)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    url = f"{site.url}/badloc"
    assert f"provnews crawl: {url}: redirect with an invalid Location header" in run.stderr.splitlines(), run.stderr
    recs = [r for r in records(out) if r["uri"] == url]
    assert sorted(r["type"] for r in recs) == ["metadata", "request", "response"]
    response = next(r for r in recs if r["type"] == "response")
    assert response["http"].get_statuscode() == "302"
    assert response["http"].get_header("Location") == "http://[::1:bad/x"
    assert url_row(out, url)["state"] == "failed"


def test_headers_too_large_are_named_once_not_archived_not_asked_again(tmp_path):
    """Nothing usable came (http.client refuses the headers): no record, one line naming the URL, and
    one request: the same headers would come again on every retry."""
    out = tmp_path / "c"
    with RawSite(site_routes(**{"huge.html": HUGE_HEADERS})) as site:
        run = crawl(site, out)
        asked = site.requests.count("/huge.html")
    assert run.returncode == 0, run.stderr
    url = f"{site.url}/huge.html"
    assert f"provnews crawl: {url}: response headers too large (a line of more than 65,536 bytes)" \
        in run.stderr.splitlines(), run.stderr
    assert asked == 1
    assert not [r for r in records(out) if r["uri"] == url]
    assert url_row(out, url)["state"] == "failed"


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


def test_a_utf16_page_that_says_so_is_text(tmp_path):
    """UTF-16 is full of NUL bytes; a page in the UTF-16 it declares, with its byte-order mark, is
    text all the same. UTF-16 bytes under a UTF-8 label stay refused."""
    page = ARTICLE.decode("utf-8").replace("<meta charset='utf-8'>", "").encode("utf-16")
    said = _answer("200 OK", [b"Content-Type: text/html; charset=utf-16", b"Content-Length: %d" % len(page)], page)
    lying = _answer("200 OK", [b"Content-Type: text/html; charset=utf-8", b"Content-Length: %d" % len(page)], page)
    out = tmp_path / "c"
    with RawSite(site_routes(**{"utf16.html": said, "lie.html": lying})) as site:
        run = crawl(site, out)
    assert run.returncode == 0, run.stderr
    assert f"{site.url}/utf16.html" not in run.stderr
    assert f"provnews crawl: {site.url}/lie.html: the body is binary, not text: archived, not stored" \
        in run.stderr.splitlines(), run.stderr
    conn = sqlite3.connect(out / "corpus.sqlite")
    try:
        docs = dict(conn.execute("SELECT url, text FROM documents").fetchall())
    finally:
        conn.close()
    assert list(docs) == [f"{site.url}/utf16.html"]
    assert "Chi cục Quản lý thị trường tỉnh Cao Bằng" in docs[f"{site.url}/utf16.html"]


def test_decode_checked_reads_declared_utf16_and_utf32_with_a_bom():
    from pipeline.fetch import decode_checked

    page = "<html><body><p>Sở Y tế tỉnh Cao Bằng kiểm tra 45 cơ sở</p></body></html>"
    for charset, codec in (("utf-16", "utf-16"), ("UTF-16", "utf-16"), ("utf-32", "utf-32"),
                           ("utf-16be", "utf-16")):
        assert decode_checked(page.encode(codec), f"text/html; charset={charset}") == (page, None), charset
    # no byte-order mark: the byte order would be a guess
    assert decode_checked(page.encode("utf-16-le"), "text/html; charset=utf-16")[0] is None
    # binary behind a BOM is still binary, or not UTF-16 at all
    assert decode_checked(b"\xff\xfe" + bytes(range(256)) * 40, "text/html; charset=utf-16")[0] is None
    assert decode_checked(b"\xff\xfe" + "\x01\x02\x03 abc".encode("utf-16-le") * 100,
                          "text/html; charset=utf-16") == (None, "the body is binary, not text")


def test_failure_reasons_are_words_not_exception_reprs():
    """The Fetcher's own reasons, for the crawl's lines and the frontier's error column."""
    from pipeline.fetch import Fetcher, FetchRequest
    from pipeline.settings import Settings
    from tests.conftest import free_port

    fetcher = Fetcher(Settings(delay=0, read_timeout=1, retries=1))
    with RawSite({"/stall.html": CUT, "/cut.html": CUT}) as site:
        site.hold["/stall.html"] = 3
        stalled = fetcher.fetch(FetchRequest(site.url + "/stall.html", skip_robots=True))
        cut = fetcher.fetch(FetchRequest(site.url + "/cut.html", skip_robots=True))
    assert stalled.error == "no data for 1 s (read_timeout) after 600 bytes of the body"
    assert stalled.truncated_reason == "time" and stalled.body == ARTICLE[:600] and stalled.status == 200
    assert cut.error == f"connection closed after 600 of {len(ARTICLE):,} bytes"
    assert cut.truncated_reason == "disconnect" and cut.body == ARTICLE[:600]
    refused = fetcher.fetch(FetchRequest(f"http://127.0.0.1:{free_port()}/", skip_robots=True))
    assert refused.error == "connection refused" and refused.status == 0


def _redirect_followed(routes: dict[str, bytes], out: Path, target: str):
    """Crawl ``routes`` into ``out``: the redirect's ``target`` was asked for and fetched. (site, run)"""
    with RawSite(routes) as site:
        run = crawl(site, out)
        assert run.returncode == 0, run.stderr
    assert target in site.requests, (site.requests, run.stderr)
    assert url_row(out, site.url + target)["state"] == "done"
    return site, run


def test_a_cut_body_fails_only_an_answer_whose_body_is_the_point(tmp_path):
    """A robots.txt 404 and a redirect whose (unneeded) bodies are cut short: the 404 still allows the
    whole host (RFC 9309: 4xx is no rules) and the redirect is still followed; both are archived
    truncated. Only a 2xx answer cut short is a failure of its URL."""
    not_found_cut = _answer("404 Not Found", [b"Content-Type: text/html", b"Content-Length: 100"], b"<html")
    routes = site_routes(**{"cu.html": _answer("301 Moved Permanently", [
        b"Location: /moi.html", b"Content-Type: text/html", b"Content-Length: 100"], b"<html")})
    routes["/robots.txt"] = not_found_cut
    routes["/moi.html"] = whole()
    out = tmp_path / "c"
    site, run = _redirect_followed(routes, out, "/moi.html")
    assert url_row(out, site.url + "/cu.html")["state"] == "done"
    assert " 0 errors, 0 disallowed by robots.txt" in run.stderr and "provnews crawl: http" not in run.stderr, \
        run.stderr
    cut = {r["uri"]: r["warc"].get_header("WARC-Truncated") for r in records(out) if r["type"] == "response"}
    assert cut[site.url + "/robots.txt"] == "disconnect" and cut[site.url + "/cu.html"] == "disconnect", cut


def test_a_location_written_in_raw_utf8_is_followed_as_the_server_meant_it(tmp_path):
    """Old CMSs write a Vietnamese path into Location as raw UTF-8 bytes (HTTP says ASCII; the standard
    library reads the bytes as Latin-1). The redirect goes to the page the server meant, percent-encoded,
    as browsers and requests do; the archive keeps the header's bytes as they came."""
    moved = _answer("301 Moved Permanently", [
        "Location: /tin-tức/báo-cáo.html".encode("utf-8"), b"Content-Length: 0"], b"")
    routes = site_routes(**{"cu.html": moved})
    routes["/tin-t%E1%BB%A9c/b%C3%A1o-c%C3%A1o.html"] = whole()
    out = tmp_path / "c"
    site, _ = _redirect_followed(routes, out, "/tin-t%E1%BB%A9c/b%C3%A1o-c%C3%A1o.html")
    for warc in sorted((out / "warcs").glob("*.warc.gz")):
        with open(warc, "rb") as fh:
            for rec in ArchiveIterator(fh, no_record_parse=True):
                if rec.rec_type == "response" and rec.rec_headers.get_header("WARC-Target-URI") == site.url + "/cu.html":
                    block = rec.content_stream().read()
    assert block.split(b"\r\n\r\n", 1)[0] == moved.split(b"\r\n\r\n", 1)[0]
