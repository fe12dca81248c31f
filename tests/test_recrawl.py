"""Re-crawls of a portal that sends no ETag / Last-Modified: the revisit policy and sitemap lastmod.

Real ``provnews crawl`` subprocesses against the demo portal served without
validators (tests/fixtures/hostile, ``validators=False``).
"""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures.hostile.server import HostileServer  # noqa: E402
from tests.fixtures.portal.server import article_path  # noqa: E402
from tests.test_crawl import provnews  # noqa: E402

OVERSIZED = "/news/tin-tuc/so-lieu-thong-ke-day-du.html"


def crawl(site, out: Path, *extra: str):
    start = len(site.requests)
    run = provnews("crawl", site.url, "--out", str(out), "--delay", "0", "--quiet", *extra)
    assert run.returncode == 0, run.stderr
    return site.requests[start:]


def documents(out: Path) -> dict[str, str]:
    conn = sqlite3.connect(out / "corpus.sqlite")
    try:
        return {r[0]: r[1] for r in conn.execute("SELECT url, text FROM documents")}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def recrawls(tmp_path_factory):
    out = tmp_path_factory.mktemp("recrawl")
    with HostileServer(robots="plain", validators=False, hostile_links=False) as site:
        articles = {article_path(a) for a in site.articles}
        first = crawl(site, out)
        docs1 = documents(out)
        second = crawl(site, out)
        docs2 = documents(out)
        # one article is edited; the sitemap dates it after our copy
        edited = site.articles[0]
        edited["paragraphs"] = edited["paragraphs"] + ["Bài viết được cập nhật: thêm 12 cơ sở được kiểm tra."]
        edited["published"] = "2099-01-02T08:00"
        third = crawl(site, out)
        docs3 = documents(out)
        fourth = crawl(site, out, "--refresh-after", "0")
        yield {"site": site, "articles": articles, "logs": (first, second, third, fourth),
               "docs": (docs1, docs2, docs3), "edited": site.url.rstrip("/") + article_path(edited)}


def article_requests(log, articles) -> list[str]:
    return [r["path"] for r in log if r["path"].split("?")[0] in articles]


def test_default_recrawl_fetches_no_article(recrawls):
    first, second = recrawls["logs"][:2]
    assert len(article_requests(first, recrawls["articles"])) >= len(recrawls["articles"])
    assert article_requests(second, recrawls["articles"]) == []
    assert recrawls["docs"][1] == recrawls["docs"][0]
    # what may have changed is revisited: robots.txt, sitemaps, feed, listings, the seed
    assert {"/robots.txt", "/sitemap.xml", "/news/rss/", "/", "/news/thanh-tra/"} <= {r["path"] for r in second}
    print(f"re-crawl without validators: {len(second)} requests (first crawl {len(first)}), 0 articles")


def test_oversized_page_is_not_downloaded_again(recrawls):
    first, second, third, fourth = recrawls["logs"]
    assert len([r for r in first if r["path"] == OVERSIZED]) == 1
    assert [r for log in (second, third, fourth) for r in log if r["path"] == OVERSIZED] == []


def test_sitemap_lastmod_refetches_only_the_changed_article(recrawls):
    third = recrawls["logs"][2]
    edited_path = recrawls["edited"].split(str(recrawls["site"].port), 1)[1]
    assert article_requests(third, recrawls["articles"]) == [edited_path]
    docs2, docs3 = recrawls["docs"][1], recrawls["docs"][2]
    assert "thêm 12 cơ sở" in docs3[recrawls["edited"]] and "thêm 12 cơ sở" not in docs2[recrawls["edited"]]


def test_refresh_after_refetches_articles(recrawls):
    fourth = recrawls["logs"][3]
    fetched = {p.split("?")[0] for p in article_requests(fourth, recrawls["articles"])}
    assert fetched == recrawls["articles"]
