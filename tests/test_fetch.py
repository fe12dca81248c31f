"""Fetching against the demo portal on 127.0.0.1: hooks one by one, retries, limits, charsets."""
from __future__ import annotations

import socket
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.fetch import (  # noqa: E402
    ConditionalHook, Fetcher, FetchRequest, PolitenessHook, RobotsHook, UserAgentHook, decode_html,
)
from pipeline.settings import DEFAULT_USER_AGENT, Settings  # noqa: E402
from tests.fixtures.portal.server import PortalServer, article_path, encode_windows_1258  # noqa: E402

CRAWL_DELAY = 0.2


@pytest.fixture(scope="module")
def portal():
    with PortalServer(crawl_delay=CRAWL_DELAY) as server:
        yield server


def article(portal, ident: int) -> dict:
    return next(a for a in portal.articles if a["id"] == ident)


def requests_to(portal, path: str) -> list[dict]:
    return [r for r in portal.requests if r["path"] == path]


def test_default_fetch_sends_a_descriptive_user_agent(portal):
    fetcher = Fetcher(Settings(delay=0))
    ex = fetcher.fetch(FetchRequest(portal.url + "gioi-thieu.html"))
    assert ex.ok and ex.status == 200 and ex.is_html()
    # the body is kept as sent (gzip), and decoded for reading
    assert ex.header("Content-Encoding") == "gzip" and ex.body[:2] == b"\x1f\x8b"
    assert "Giới thiệu" in ex.text()
    sent = requests_to(portal, "/gioi-thieu.html")[-1]["headers"]["User-Agent"]
    # the product and its version; no contact URL of ours (none that is real): operators add theirs
    from pipeline import __version__
    assert sent == DEFAULT_USER_AGENT == f"provnews/{__version__}"
    assert ex.request_line == "GET /gioi-thieu.html HTTP/1.1"
    assert ("Host", f"127.0.0.1:{portal.port}") in ex.request_headers


def test_robots_hook_blocks_without_a_request(portal):
    fetcher = Fetcher(Settings(delay=0))
    before = len(requests_to(portal, "/admin/"))
    ex = fetcher.fetch(FetchRequest(portal.url + "admin/"))
    assert ex.blocked == "robots" and not ex.ok
    assert len(requests_to(portal, "/admin/")) == before
    assert fetcher.delay_for(f"127.0.0.1:{portal.port}") == CRAWL_DELAY   # max(Crawl-delay, --delay=0)
    assert Fetcher(Settings(delay=1.5)).delay_for("x") == 1.5


def test_each_hook_alone(portal):
    # no hooks at all: a bare session (no robots, no user agent of ours)
    bare = Fetcher(Settings(), hooks=[])
    assert bare.fetch(FetchRequest(portal.url + "admin/")).status == 200
    # user agent alone
    ua = Fetcher(Settings(), hooks=[UserAgentHook("tester/9 (+http://t)")])
    ua.fetch(FetchRequest(portal.url + "lien-he.html"))
    assert requests_to(portal, "/lien-he.html")[-1]["headers"]["User-Agent"] == "tester/9 (+http://t)"
    # robots alone
    robots = RobotsHook("provnews/0.1")
    assert Fetcher(Settings(), hooks=[robots]).fetch(FetchRequest(portal.url + "search/?q=a")).blocked == "robots"
    # conditional alone: the ETag we hold gives a 304 and no body
    first = bare.fetch(FetchRequest(portal.url + "gioi-thieu.html"))
    etag = first.header("ETag")
    again = Fetcher(Settings(), hooks=[ConditionalHook()]).fetch(FetchRequest(portal.url + "gioi-thieu.html", etag=etag))
    assert etag and again.status == 304 and again.body == b""
    assert requests_to(portal, "/gioi-thieu.html")[-1]["headers"]["If-None-Match"] == etag


def test_last_modified_gives_304(portal):
    a = article(portal, 114)
    fetcher = Fetcher(Settings(delay=0))
    first = fetcher.fetch(FetchRequest(portal.url.rstrip("/") + article_path(a)))
    lm = first.header("Last-Modified")
    assert lm
    again = fetcher.fetch(FetchRequest(portal.url.rstrip("/") + article_path(a), last_modified=lm))
    assert again.status == 304


def test_politeness_hook_spaces_requests_to_one_host(portal):
    hook = PolitenessHook(lambda host: 0.3)
    fetcher = Fetcher(Settings(), hooks=[hook])
    start = len(portal.requests)
    for _ in range(3):
        assert fetcher.fetch(FetchRequest(portal.url + "lien-he.html")).status == 200
    times = [r["time"] for r in portal.requests[start:]]
    assert len(times) == 3
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.3


def test_flaky_page_is_retried_after_the_host_delay(portal):
    a = article(portal, 105)          # 503 once, then 200
    url = portal.url.rstrip("/") + article_path(a)
    fetcher = Fetcher(Settings(delay=0, backoff_factor=0))
    ex = fetcher.fetch(FetchRequest(url))
    assert ex.status == 200 and a["title"] in ex.text()
    hits = requests_to(portal, article_path(a))
    assert len(hits) == 2
    # urllib3 alone would retry at once; the retry waits the host's Crawl-delay
    assert hits[1]["time"] - hits[0]["time"] >= CRAWL_DELAY


def test_429_waits_for_retry_after(portal):
    a = article(portal, 108)          # 429 with Retry-After: 1 once, then 200
    fetcher = Fetcher(Settings(delay=0))
    ex = fetcher.fetch(FetchRequest(portal.url.rstrip("/") + article_path(a)))
    assert ex.status == 200
    hits = requests_to(portal, article_path(a))
    assert len(hits) == 2 and hits[1]["time"] - hits[0]["time"] >= 1.0


def test_retry_after_beyond_the_cap_gives_up(portal):
    fetcher = Fetcher(Settings(delay=0, max_retry_after=5))
    ex = fetcher.fetch(FetchRequest(portal.url + "qua-tai.html"))   # 429, Retry-After: 3600
    # not waited for, not retried: the 429 comes back at once and the crawler records the failure
    assert ex.status == 429 and ex.header("Retry-After") == "3600"
    assert len(requests_to(portal, "/qua-tai.html")) == 1


def test_oversized_body_is_cut_at_the_limit(portal):
    fetcher = Fetcher(Settings(delay=0, max_body_bytes=200_000))
    ex = fetcher.fetch(FetchRequest(portal.url + "news/tin-tuc/so-lieu-thong-ke-day-du.html"))
    assert ex.status == 200 and ex.truncated and len(ex.body) == 200_000


def test_redirects_are_not_followed(portal):
    ex = Fetcher(Settings(delay=0)).fetch(FetchRequest(portal.url + "old/tin-bai-106"))
    assert ex.status == 301
    assert ex.location == article_path(article(portal, 106))


def test_pdf_is_fetched_but_not_html(portal):
    ex = Fetcher(Settings(delay=0)).fetch(FetchRequest(portal.url + "uploads/bao-cao-tong-ket-2021.pdf"))
    assert ex.status == 200 and ex.content_type == "application/pdf" and not ex.is_html()
    assert ex.body.startswith(b"%PDF")


def test_legacy_charset_page_decodes_to_nfc(portal):
    a = article(portal, 112)
    assert a["charset"] == "windows-1258"
    ex = Fetcher(Settings(delay=0)).fetch(FetchRequest(portal.url.rstrip("/") + article_path(a)))
    assert ex.header("Content-Type") == "text/html"              # no charset in the header: the <meta> says it
    assert ex.body == encode_windows_1258(ex.body.decode("cp1258"))  # raw bytes kept as sent
    text = ex.text()
    assert a["title"] in text and a["paragraphs"][0] in text
    assert unicodedata.is_normalized("NFC", text)


def test_decode_html_order_header_meta_guess():
    vi = "Trung tâm kiểm định 1.250 phương tiện đo"
    cp = encode_windows_1258(vi)
    assert unicodedata.normalize("NFD", cp.decode("cp1258")) == unicodedata.normalize("NFD", vi)
    # the header wins over the meta
    assert decode_html(vi.encode("utf-8") + b'<meta charset="windows-1258">', "text/html; charset=utf-8").startswith(vi)
    # the meta when the header says nothing
    assert decode_html(b'<meta charset="windows-1258">' + cp, "text/html").endswith(vi)
    # a server's default Latin-1 label on a UTF-8 page is not believed…
    assert decode_html(vi.encode("utf-8"), "text/html; charset=ISO-8859-1") == vi
    # …but a real Latin-1 page still is
    assert decode_html("Café".encode("latin-1"), "text/html; charset=ISO-8859-1") == "Café"
    # undeclared UTF-8, and NFD input comes out NFC
    assert decode_html(unicodedata.normalize("NFD", vi).encode("utf-8")) == vi


def test_unreachable_host_is_a_one_line_error():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()                     # nothing listens there now
    ex = Fetcher(Settings(delay=0, retries=0)).fetch(FetchRequest(f"http://127.0.0.1:{port}/", skip_robots=True))
    assert not ex.ok and ex.error and "\n" not in ex.error
    assert "refused" in ex.error.lower()
