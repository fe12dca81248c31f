"""Discovery: canonical URLs, scope, robots, sitemaps, feeds, links, trap signatures."""
from __future__ import annotations

import gzip
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.discover import (  # noqa: E402
    Robots, Scope, canonicalize, extract_links, link_signature, parse_feed, parse_sitemap, url_kind, url_template,
)
from tests.fixtures.portal.server import PortalServer  # noqa: E402


# --- canonical URLs -------------------------------------------------------------

def test_canonicalize_drops_fragment_and_tracking_and_sorts_query():
    url = "HTTP://Khcn.CaoBang.gov.vn:80/news/a-1.html?utm_source=fb&z=2&fbclid=IwAR&a=1&utm_medium=x#comment"
    assert canonicalize(url) == "http://khcn.caobang.gov.vn/news/a-1.html?a=1&z=2"


def test_canonicalize_keeps_meaningful_params_and_default_path():
    assert canonicalize("https://a.gov.vn") == "https://a.gov.vn/"
    assert canonicalize("https://a.gov.vn:443/x?page=2") == "https://a.gov.vn/x?page=2"
    assert canonicalize("http://a.gov.vn:8080/x") == "http://a.gov.vn:8080/x"
    # two spellings of one Vietnamese path give one URL
    assert canonicalize("http://a.vn/tin-t%E1%BB%A9c") == canonicalize("http://a.vn/tin-tức")


def test_canonicalize_upgrades_hosts_seen_redirecting_to_https():
    assert canonicalize("http://a.gov.vn/x.html", {"a.gov.vn"}) == "https://a.gov.vn/x.html"
    assert canonicalize("http://b.gov.vn/x.html", {"a.gov.vn"}) == "http://b.gov.vn/x.html"


def test_canonicalize_rejects_what_is_not_a_web_url():
    for bad in ("mailto:a@b.vn", "javascript:void(0)", "ftp://a.vn/x", "not a url", "http://", "http://[::1"):
        assert canonicalize(bad) is None, bad


def test_url_template_collapses_numbers_only():
    assert url_template("http://a.vn/news/page-7") == url_template("http://a.vn/news/page-12")
    assert url_template("http://a.vn/lich/?thang=2021-11") == url_template("http://a.vn/lich/?thang=2019-01")
    assert url_template("http://a.vn/news/bai-mot-12.html") != url_template("http://a.vn/news/bai-hai-13.html")


def test_url_kind():
    assert url_kind("http://a.vn/uploads/logo.PNG") == "asset"
    assert url_kind("http://a.vn/uploads/bao-cao.pdf") == "document"
    assert url_kind("http://a.vn/news/bai-1.html") == "page"
    assert url_kind("http://a.vn/news/") == "page"


def test_scope_is_seed_hosts_plus_allowed_domains():
    scope = Scope.from_seeds(["http://127.0.0.1:8000/"], ["khcn.gov.vn"])
    assert scope.allows("http://127.0.0.1:8000/news/x.html")
    assert not scope.allows("http://127.0.0.1:9000/news/x.html")      # another port is another site
    assert not scope.allows("http://example.com/")
    assert scope.allows("https://www.khcn.gov.vn/a")
    assert not scope.allows("https://notkhcn.gov.vn/a")


# --- robots.txt ----------------------------------------------------------------

ROBOTS = """User-agent: provnews
Disallow: /admin/
Crawl-delay: 0.5

User-agent: *
Disallow: /
Crawl-delay: 30

Sitemap: http://a.vn/sitemap.xml
"""


def test_robots_reads_the_section_for_our_agent():
    robots = Robots.parse(ROBOTS, "provnews/0.1 (+https://example.org)")
    assert robots.allowed("http://a.vn/news/x.html")
    assert not robots.allowed("http://a.vn/admin/login")
    assert robots.crawl_delay == 0.5
    assert robots.sitemaps == ["http://a.vn/sitemap.xml"]
    other = Robots.parse(ROBOTS, "otherbot/1.0")
    assert not other.allowed("http://a.vn/news/x.html")
    assert other.crawl_delay == 30


def test_missing_robots_allows_everything():
    robots = Robots.parse(None, "provnews/0.1")
    assert robots.allowed("http://a.vn/anything") and robots.crawl_delay is None


# --- sitemaps and feeds ------------------------------------------------------------

def test_parse_sitemap_index_urlset_and_gzip():
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>http://a.vn/s1.xml.gz</loc></sitemap></sitemapindex>"""
    urlset = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc> http://a.vn/a-1.html </loc><lastmod>2021-01-15</lastmod></url><url><loc>http://a.vn/b-2.html</loc></url></urlset>"""
    parsed = parse_sitemap(index)
    assert parsed.kind == "index" and parsed.urls == [("http://a.vn/s1.xml.gz", None)]
    parsed = parse_sitemap(gzip.compress(urlset))
    assert parsed.kind == "urlset"
    assert parsed.urls == [("http://a.vn/a-1.html", "2021-01-15"), ("http://a.vn/b-2.html", None)]
    assert parse_sitemap(b"<html><body>404</body></html>") is None


def test_parse_feed_rss_and_atom():
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><title>A</title><link>http://a.vn/a-1.html?utm_source=rss</link></item>
    <item><title>B</title><link>http://a.vn/b-2.html</link></item></channel></rss>"""
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
    <entry><link rel="alternate" href="http://a.vn/c-3.html"/><link rel="edit" href="http://a.vn/edit"/></entry></feed>"""
    assert parse_feed(rss) == ["http://a.vn/a-1.html?utm_source=rss", "http://a.vn/b-2.html"]
    assert parse_feed(atom) == ["http://a.vn/c-3.html"]
    assert parse_feed(b"<html></html>") is None


def test_extract_links_from_html():
    page = """<html><head><link rel="canonical" href="/news/a-1.html">
    <link rel="alternate" type="application/rss+xml" href="/news/rss/"><link rel="next" href="/news/page-2"></head>
    <body><a href="/news/b-2.html">B</a><a href="javascript:void(0)">x</a><a href="mailto:a@b.vn">m</a>
    <a href="#top">top</a><a href="c-3.html">C</a><a href="/news/b-2.html">again</a></body></html>"""
    found = extract_links(page, "http://a.vn/news/list/")
    assert found.canonical == "http://a.vn/news/a-1.html"
    assert found.feeds == ["http://a.vn/news/rss/"]
    assert found.next_pages == ["http://a.vn/news/page-2"]
    assert found.links == ["http://a.vn/news/b-2.html", "http://a.vn/news/list/c-3.html"]
    assert extract_links("", "http://a.vn/").links == []


def test_link_signature_tells_an_empty_pager_page_from_a_full_one():
    nav = ["http://a.vn/", "http://a.vn/gioi-thieu.html"]
    template = url_template("http://a.vn/news/page-4")
    empty4 = link_signature(nav + ["http://a.vn/news/page-5"], template)
    empty5 = link_signature(nav + ["http://a.vn/news/page-4", "http://a.vn/news/page-6"], template)
    full3 = link_signature(nav + ["http://a.vn/news/bai-9.html", "http://a.vn/news/page-4"], template)
    assert empty4 == empty5          # nothing but the pager and the menu: same signature
    assert full3 != empty4


def test_portal_sitemaps_through_http():
    """The demo portal's sitemap index is nested and partly gzipped, and lists only the newest articles."""
    with PortalServer() as portal:
        index = parse_sitemap(requests.get(portal.url + "sitemap.xml", timeout=5).content)
        assert index.kind == "index"
        locs = [loc for loc, _ in index.urls]
        assert any(loc.endswith(".xml.gz") for loc in locs)
        news = parse_sitemap(requests.get(next(l for l in locs if l.endswith(".gz")), timeout=5).content)
        assert news.kind == "urlset" and 0 < len(news.urls) < len(portal.articles)
        nested = parse_sitemap(requests.get(next(l for l in locs if not l.endswith(".gz")), timeout=5).content)
        assert nested.kind == "index"
