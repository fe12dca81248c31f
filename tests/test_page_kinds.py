"""Page kind, title, date, body start/end and no boilerplate on real pages (benchmarks/page_kinds.py).

Pages rendered from NukeViet's own theme templates (v4.5 and the NukeViet 3
theme), WordPress's default theme (Twenty Twenty-Four) and Liferay 6.2's asset
publisher, with real Vietnamese articles — articles, category pages with one or
two teasers, the news home — and the real pages of the article-extraction
benchmark.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.page_kinds import benchmark_pages, check, ours, real_fixtures  # noqa: E402
from tests.conftest import need_shared  # noqa: E402

FIXTURES = real_fixtures()
# Of the 181 benchmark pages, how many ours gets right (trafilatura alone: 120, 133, 152),
# measured with benchmarks/page_kinds.py; these only go up.
FLOORS = {"start": 149, "end": 139, "clean": 166}


def test_template_pages_are_rendered():
    need_shared(ROOT.parent / "shared" / "data" / "vi-news")
    assert len(FIXTURES) == 10


@pytest.mark.parametrize("name,html,expected", FIXTURES, ids=[f[0] for f in FIXTURES])
def test_real_template_page(name, html, expected):
    result = ours(html, expected["url"])
    failed = {c: ok for c, ok in check(result, expected).items() if ok is False}
    assert failed == {}, (result["kind"], result["title"], result["date"], result["body"][:200])


def test_listings_are_not_stored_by_the_crawler_path():
    # the kinds above are what the crawler stores: only articles become documents
    kinds = {name: ours(html, exp["url"])["kind"] for name, html, exp in FIXTURES}
    assert {n for n, k in kinds.items() if k == "article"} == {
        n for n, _, exp in FIXTURES if exp["kind"] == "article"}


def test_benchmark_pages_are_articles_with_their_start_and_end():
    data = need_shared(ROOT.parent / "shared" / "data" / "article-extraction-benchmark")
    assert data.exists()
    pages = benchmark_pages()
    results = {name: check(ours(html, exp["url"]), exp) for name, html, exp in pages}
    assert [n for n, r in results.items() if not r["kind"]] == []
    assert sum(r["start"] for r in results.values()) >= FLOORS["start"]
    assert sum(r["end"] for r in results.values()) >= FLOORS["end"]
    assert sum(r["clean"] for r in results.values()) >= FLOORS["clean"]

