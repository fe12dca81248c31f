"""Page kind, title, date, body start/end and no boilerplate on real pages (benchmarks/page_kinds.py).

Pages rendered from NukeViet's own theme templates (v4.5 and the NukeViet 3
theme), WordPress's default theme (Twenty Twenty-Four) and Liferay 6.2's asset
publisher, with real Vietnamese articles — articles, category pages with one or
two teasers, the news home — real Vietnamese pages saved by others in public
repositories (sources in tests/fixtures/article/real/saved/SOURCE.md; the
pages themselves are not committed, see benchmarks/page_kinds.py) and the real
pages of the article-extraction benchmark.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.page_kinds import (REAL, SAVED_DIRS, benchmark_pages, check, ours, real_fixtures,  # noqa: E402
                                   saved_fixtures, saved_names)
from tests.conftest import need_shared  # noqa: E402

FIXTURES = real_fixtures()
SAVED = saved_fixtures()
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


def _need_saved_pages():
    if not SAVED:
        pytest.skip("no saved page in " + " or ".join(str(d) for d in SAVED_DIRS)
                    + " (see tests/fixtures/article/real/saved/SOURCE.md)")


@pytest.mark.parametrize("name,html,expected", SAVED, ids=[f[0] for f in SAVED])
def test_real_saved_page(name, html, expected):
    result = ours(html, expected["url"])
    failed = {c: ok for c, ok in check(result, expected).items() if ok is False}
    assert failed == {}, (result["kind"], result["title"], result["date"], result["body"][:300],
                          result["body"][-300:])


def test_saved_pages_are_all_here():
    _need_saved_pages()
    assert sorted(name for name, _, _ in SAVED) == sorted(saved_names())


def test_saved_pages_cover_the_kinds_and_have_their_source():
    names = saved_names()
    kinds = [exp["kind"] for name, exp in json.loads((REAL / "expected.json").read_text(encoding="utf-8")).items()
             if name in names]
    assert kinds.count("article") >= 3 and kinds.count("listing") >= 5
    source = (REAL / "saved" / "SOURCE.md").read_text(encoding="utf-8")
    assert [n for n in names if f"`{n.split('/', 1)[1]}`" not in source] == []


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



# The rules the saved pages needed, on markup small enough to read (the pages
# themselves are not committed; these run everywhere).

from pipeline.article import _teaser_share, parse_page  # noqa: E402

_HEADLINES = [f"Sở Thông tin và Truyền thông triển khai nhiệm vụ số {i} trong năm 2022" for i in range(6)]
_TEASERS = "".join(f'<div class="item"><h3><a href="/tin-{i}.html">{h}</a></h3><span>0{i}/08/2022</span></div>'
                   for i, h in enumerate(_HEADLINES))


def test_a_common_body_container_on_a_portal_home_does_not_make_an_article():
    # Liferay puts journal-content-article around every web-content portlet, home pages included
    html = (f'<html lang="vi"><body><div class="journal-content-article"><h1>Tin nổi bật</h1></div>'
            f'<div class="list">{_TEASERS}</div></body></html>')
    page = parse_page(html, "https://sotttt.example.gov.vn/web/so/trang-chu")
    assert page.profile == "generic-vn/V1" and page.kind == "listing"


def test_a_paragraph_gluing_teasers_together_counts_as_teaser_text():
    glued = "Trang chủ Liên hệ " + " ".join(_HEADLINES) + " © Cổng thông tin"
    assert _teaser_share([glued], _HEADLINES) > 0.8
    assert _teaser_share(["Một câu của bài viết không nhắc tới tin nào khác."], _HEADLINES) == 0.0


# A portal's contact block: more than MIN_ARTICLE_CHARS of text, no sentence.
_CONTACT = "".join(f"<p>{line}</p>" for line in (
    "Bản quyền website thuộc về Ủy ban nhân dân tỉnh", "Địa chỉ: 135 Nam Kỳ Khởi Nghĩa, quận 1, TP. Hồ Chí Minh",
    "Điện thoại: 080. 85037 - 080. 85038 - 080. 85039 - Fax: 080.85008", "Email: lienhe@portal.example.gov.vn",
    "Ghi rõ nguồn Cổng thông tin điện tử tỉnh khi phát hành lại thông tin từ các nguồn này",
    "Chịu trách nhiệm chính: Chánh Văn phòng Ủy ban nhân dân tỉnh"))


def test_teasers_with_no_sentence_around_them_are_a_listing_and_a_short_story_is_an_article():
    menu = "".join(f"<li><a href='/m{i}.aspx'>Mục {i}</a></li>" for i in range(8))
    listing = (f"<html><head><title>Tin tức - Sự kiện</title></head><body><form id='aspnetForm'>"
               f"<ul>{menu}</ul><div class='news'>{_TEASERS}</div>{_CONTACT}"
               f"</form></body></html>")
    assert parse_page(listing, "https://portal.example.gov.vn/vi-vn/tin-tuc.aspx").kind == "listing"
    sentence = ("Chiều ngày 03/4/2018, đoàn đại biểu các nước tiểu vùng sông Mê Công đã đến thăm và tìm hiểu "
                "về di tích lịch sử, được cán bộ bảo tàng giới thiệu về lịch sử và kiến trúc của công trình. "
                "Đoàn đã tham quan phòng trưng bày và ghi sổ lưu niệm.")
    article = listing.replace("<div class='news'>", f"<div class='article'><h1>Đoàn đại biểu tham quan</h1>"
                                                    f"<p>{sentence}</p></div><div class='news'>")
    assert parse_page(article, "https://portal.example.gov.vn/vi-vn/tin-tuc/doan-dai-bieu.aspx").kind == "article"
