"""The crawler against hostile servers on 127.0.0.1, through the real ``provnews crawl`` command.

One crawl of the hostile portal (tests/fixtures/hostile) in a subprocess,
which reports its own peak memory (``VmHWM``); then what it left:
the server's request log, the WARC files (warcio), the store, and stderr.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.discover import Robots, is_token, parse_sitemap, TooLarge  # noqa: E402
from tests.fixtures.hostile.server import (  # noqa: E402
    DISALLOWED_PAGES, PAGE_BOMB_PREFIX, SITEMAP_BOMB_PREFIX, HostileServer, gzip_bomb,
)
from tests.fixtures.portal.server import article_path  # noqa: E402

MAX_RESPONSE_SECONDS = 3
MAX_DOCUMENT_CHARS = 30_000
PEAK_RSS_LIMIT = 200 * 1024 * 1024


# The CLI run in a fresh interpreter that reports its own peak RSS (VmHWM, the
# high-water mark of this process's memory since exec).  Not ru_maxrss from
# wait4: on Linux that also counts the pages of the forked parent — pytest —
# before exec, whatever the crawl itself used.
RUN_AND_REPORT_PEAK = """
import sys
from pipeline.cli import main
code = main(sys.argv[2:])
with open("/proc/self/status") as status:
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
with open(sys.argv[1], "w") as out:
    out.write(str(peak_kb * 1024))
sys.exit(code)
"""


def crawl_measured(url: str, out: Path, *extra: str, settings: str = "") -> dict:
    """Run ``provnews crawl`` in a subprocess; its exit status, stderr, peak RSS and duration."""
    conf = out.parent / f"{out.name}-settings.toml"
    conf.write_text("[crawl]\n" + settings, encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PROVNEWS_SETTINGS": str(conf)}
    err_path = out.parent / f"{out.name}-stderr.txt"
    peak_path = out.parent / f"{out.name}-peak.txt"
    started = time.monotonic()
    with open(err_path, "w") as err:
        proc = subprocess.run([sys.executable, "-c", RUN_AND_REPORT_PEAK, str(peak_path), "crawl", url,
                               "--out", str(out), "--delay", "0", "--quiet", *extra], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=err, timeout=600)
    return {"returncode": proc.returncode, "stderr": err_path.read_text(),
            "peak_rss": int(peak_path.read_text()) if peak_path.exists() else None,
            "seconds": time.monotonic() - started}


def warc_responses(out: Path) -> dict[str, list]:
    found: dict[str, list] = {}
    for warc in sorted((out / "warcs").glob("*.warc.gz")):
        with open(warc, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type in ("response", "revisit"):
                    found.setdefault(rec.rec_headers.get_header("WARC-Target-URI"), []).append(rec.rec_headers)
                rec.content_stream().read()
    return found


def stored_urls(out: Path) -> list[str]:
    conn = sqlite3.connect(out / "corpus.sqlite")
    try:
        return [r[0] for r in conn.execute("SELECT url FROM documents")]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    gzip_bomb(SITEMAP_BOMB_PREFIX)          # build the bombs before the crawl asks for them
    gzip_bomb(PAGE_BOMB_PREFIX)
    with HostileServer(robots="bom") as site:
        out = tmp_path_factory.mktemp("hostile") / "crawl"
        run = crawl_measured(site.url, out, settings=f"max_response_seconds = {MAX_RESPONSE_SECONDS}\n"
                                                    f"max_document_chars = {MAX_DOCUMENT_CHARS}\n")
        paths = [r["path"] for r in site.requests]
        yield {**run, "site": site, "out": out, "paths": paths, "articles": list(site.articles)}


def test_crawl_finishes_cleanly(hostile):
    assert hostile["returncode"] == 0, hostile["stderr"]
    assert "Traceback" not in hostile["stderr"]


def test_gzip_bombs_stay_under_200_mb(hostile):
    # the page bomb (Content-Encoding: gzip) and the gzipped sitemap bomb were both fetched
    assert "/bomb.html" in hostile["paths"] and "/sitemap-bomb.xml.gz" in hostile["paths"]
    print(f"peak RSS of the crawl with two 1 MB→1 GiB gzip bombs: {hostile['peak_rss'] / 2**20:.0f} MB")
    assert hostile["peak_rss"] < PEAK_RSS_LIMIT
    lines = hostile["stderr"].splitlines()
    assert any("/bomb.html: larger than" in line for line in lines)
    assert any("/sitemap-bomb.xml.gz: sitemap unpacks to more than" in line for line in lines)
    bomb = warc_responses(hostile["out"])[hostile["site"].url + "bomb.html"][0]
    assert bomb.get_header("WARC-Truncated") == "length"


def test_drip_does_not_hold_the_host(hostile):
    site, out = hostile["site"], hostile["out"]
    drip = warc_responses(out)[site.url + "drip.html"][0]
    assert drip.get_header("WARC-Truncated") == "time"
    assert any(f"/drip.html: still arriving after {MAX_RESPONSE_SECONDS} s" in line
               for line in hostile["stderr"].splitlines())
    # every article of the same host was still fetched and stored
    stored = set(stored_urls(out))
    missing = [a["id"] for a in hostile["articles"] if site.url.rstrip("/") + article_path(a) not in stored]
    assert missing == []
    print(f"crawl with a 1 byte/s page in it finished in {hostile['seconds']:.1f} s")


def test_robots_with_a_byte_order_mark_is_obeyed(hostile):
    forbidden = [p for p in hostile["paths"] if p.startswith(("/rieng/", "/admin/", "/search/"))]
    assert forbidden == []
    # the pages were linked, so the rule (not chance) kept them out
    assert all(p.startswith("/rieng/") for p in DISALLOWED_PAGES)
    robots = Robots.parse("\ufeffUser-agent: *\nDisallow: /rieng/\nCrawl-delay: 4\n", "provnews/0.1")
    assert not robots.allowed("http://x/rieng/1.html") and robots.crawl_delay == 4.0


def test_token_url_space_stores_nothing(hostile):
    stored = stored_urls(hostile["out"])
    assert [u for u in stored if "/phien/" in u] == []
    visited = [p for p in hostile["paths"] if p.startswith("/phien/")]
    assert 1 <= len(visited) <= 3, visited
    assert len(hostile["site"].portal.tokens_served) == len(visited)


def test_binary_and_lying_charset_pages_are_not_text(hostile):
    stored = stored_urls(hostile["out"])
    assert not [u for u in stored if u.endswith(("/ngau-nhien.html", "/sai-ma.html"))]
    lines = hostile["stderr"].splitlines()
    assert [line for line in lines if "/ngau-nhien.html: the body is binary, not text" in line]
    assert [line for line in lines if "/sai-ma.html: the bytes are not utf-8 as the page declares" in line]
    # archived all the same
    responses = warc_responses(hostile["out"])
    assert hostile["site"].url + "ngau-nhien.html" in responses and hostile["site"].url + "sai-ma.html" in responses


def test_document_text_size_limit(hostile):
    assert not [u for u in stored_urls(hostile["out"]) if u.endswith("/bai-dai.html")]
    assert [line for line in hostile["stderr"].splitlines()
            if "/bai-dai.html: text of" in line and f"over the {MAX_DOCUMENT_CHARS:,} limit" in line]


def test_robots_redirect_to_another_host_is_a_fetch_of_the_crawl(tmp_path):
    with HostileServer(robots="redirect", hostile_links=False) as site:
        out = tmp_path / "crawl"
        run = crawl_measured(site.url, out, "--max-pages", "12")
        assert run["returncode"] == 0, run["stderr"]
        moved = [r for r in site.requests if r["path"] == "/robots-that-moved.txt"]
        assert len(moved) == 1
        # fetched by the crawl's own session (our user agent), and archived
        assert moved[0]["headers"]["User-Agent"].startswith("provnews/")
        assert moved[0]["headers"]["Host"] == f"localhost:{site.port}"
        target = site.portal.alias_url + "/robots-that-moved.txt"
        assert target in warc_responses(out)
        # its rules hold for the host that redirected: nothing disallowed was fetched
        assert [r["path"] for r in site.requests if r["path"].startswith(("/admin/", "/search/"))] == []
        # and it came before any page of that host
        first_page = next(i for i, r in enumerate(site.requests) if r["path"] == "/")
        assert site.requests.index(moved[0]) < first_page


def test_seed_redirect_to_another_host_is_recorded_not_followed(tmp_path):
    with HostileServer(robots="plain", hostile_links=False) as site:
        out = tmp_path / "crawl"
        run = crawl_measured(site.url + "chuyen-di", out)
        assert run["returncode"] == 0, run["stderr"]
        other_host = [r for r in site.requests if r["headers"].get("Host") == f"localhost:{site.port}"]
        assert other_host == []
        # what was stored came from the seed's own host (its sitemap), none from the other one
        assert stored_urls(out) and all(u.startswith(site.url) for u in stored_urls(out))
        assert site.url + "chuyen-di" in warc_responses(out)
        assert [line for line in run["stderr"].splitlines()
                if "chuyen-di: redirects to" in line and "--allow-domain localhost" in line]
        # allowed explicitly, the other host is crawled
        allowed = crawl_measured(site.url + "chuyen-di", tmp_path / "allowed", "--allow-domain", "localhost",
                                 "--max-pages", "10")
        assert allowed["returncode"] == 0
        assert len([r for r in site.requests if r["headers"].get("Host") == f"localhost:{site.port}"]) > 1


def test_sitemap_bomb_is_refused_in_memory_bounds():
    with pytest.raises(TooLarge):
        parse_sitemap(gzip_bomb(SITEMAP_BOMB_PREFIX), max_bytes=10 * 1024 * 1024)


@pytest.mark.parametrize("segment,token", [
    ("qhxkzmvwtrplbnfd", True), ("lit3py55t21z5v55vlm25s55", True), ("5f3a9c2b1d4e6f708192a3b4", True),
    ("thongtinkhoahoccongnghe", False), ("ChiTietTinTucSuKien", False), ("tin-tuc-su-kien-2023", False),
    ("1Ahm4rnaZIIQ", False),   # a Liferay portlet instance id: stable, 12 characters
    ("20231105", False), ("index.php", False),
])
def test_token_segments(segment, token):
    assert is_token(segment) is token


def test_decode_checked_tells_text_from_what_is_not():
    from pipeline.fetch import decode_checked
    from tests.fixtures.portal.server import encode_windows_1258

    page = "<html><head><meta charset='windows-1258'></head><body><p>Hội nghị tổng kết năm 2021</p></body></html>"
    legacy = encode_windows_1258(page)
    # a real windows-1258 page, declared in its <meta>: text
    text, problem = decode_checked(legacy)
    assert problem is None and "Hội nghị tổng kết" in text
    # UTF-8 bytes under a legacy label (a theme left at its default): read as UTF-8
    text, problem = decode_checked(page.encode("utf-8"), "text/html; charset=windows-1258")
    assert problem is None and "Hội nghị tổng kết" in text
    # windows-1258 bytes labelled UTF-8: refused, not stored as replacement characters
    text, problem = decode_checked(legacy, "text/html; charset=utf-8")
    assert text is None and problem.startswith("the bytes are not utf-8 as the page declares")
    # random bytes
    import random
    text, problem = decode_checked(random.Random(3).randbytes(5000), "text/html")
    assert text is None and problem == "the body is binary, not text"


def test_headers_dripping_a_byte_a_second_are_cut_at_the_deadline():
    from pipeline.fetch import Fetcher, FetchRequest
    from pipeline.settings import Settings

    with HostileServer(robots="plain", hostile_links=False) as site:
        fetcher = Fetcher(Settings(delay=0, max_response_seconds=2, retries=2))
        ex = fetcher.fetch(FetchRequest(site.url + "drip-headers.html", skip_robots=True))
        assert ex.error == "no complete answer within 2 s (max_response_seconds)"
        # the host is free again: the next fetch answers
        assert fetcher.fetch(FetchRequest(site.url + "lien-he.html", skip_robots=True)).status == 200
        # urllib3's retries did not start the wait again: one request reached the server
        assert len([r for r in site.requests if r["path"] == "/drip-headers.html"]) <= 1
