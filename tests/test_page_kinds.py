"""Page kind, title, date, body start/end and no boilerplate on real pages (benchmarks/page_kinds.py).

Pages rendered from NukeViet's own theme templates (v4.5 and the NukeViet 3
theme), WordPress's default theme (Twenty Twenty-Four) and Liferay 6.2's asset
publisher, with real Vietnamese articles — articles, category pages with one or
two teasers, the news home — real Vietnamese pages saved by others in public
repositories, and the real pages of the article-extraction benchmark.

The saved pages come in two sets. Those from a repository whose licence lets
them be redistributed are committed (tests/fixtures/article/real/licensed/,
with its SOURCE.md) and always tested: a missing one fails. The others
(tests/fixtures/article/real/saved/SOURCE.md) are git-ignored; their tests
run where someone copied them and skip where none is, and
test_saved_pages_are_all_here fails on a partial copy.
"""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.page_kinds import (LICENSED_DIR, REAL, SAVED_DIRS, benchmark_pages, check,  # noqa: E402
                                   licensed_bytes, licensed_fixtures, licensed_names, ours, real_fixtures,
                                   saved_fixtures, saved_names)
from tests.conftest import need_shared  # noqa: E402

FIXTURES = real_fixtures()
SAVED = saved_fixtures()
LICENSED = licensed_fixtures()
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


def _check_saved(html, expected):
    result = ours(html, expected["url"])
    failed = {c: ok for c, ok in check(result, expected).items() if ok is False}
    assert failed == {}, (result["kind"], result["title"], result["date"], result["body"][:300],
                          result["body"][-300:])


@pytest.mark.parametrize("name,html,expected", LICENSED, ids=[f[0] for f in LICENSED])
def test_real_licensed_page(name, html, expected):
    _check_saved(html, expected)


@pytest.mark.parametrize("name,html,expected", SAVED, ids=[f[0] for f in SAVED])
def test_real_saved_page(name, html, expected):
    _check_saved(html, expected)


# Licences under which a page may be committed (licensed/SOURCE.md's licence column starts with one).
REDISTRIBUTABLE = ("Apache-2.0", "MIT", "BSD-2-Clause", "BSD-3-Clause", "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0")


def _source_rows(folder: Path) -> dict[str, dict[str, str]]:
    """The SOURCE.md table of a folder: file name -> {column: cell}."""
    rows, header = {}, None
    for line in (folder / "SOURCE.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif line.startswith("| `") and len(cells) == len(header):
            rows[cells[0].strip("`")] = dict(zip(header, cells))
    return rows


def test_licensed_pages_are_committed_with_a_licence_that_allows_it():
    names = [n.split("/", 1)[1] for n in licensed_names()]
    rows = _source_rows(LICENSED_DIR)
    assert sorted(rows) == sorted(names)   # each page has its source row, and each row its expectations
    for name in names:
        row = rows[name]
        assert (LICENSED_DIR / name).is_file(), name
        assert row["licence"].startswith(REDISTRIBUTABLE), (name, row["licence"])
        assert re.fullmatch(r"[0-9a-f]{40}", row["commit"]) and "/" in row["repository"], row
        # the bytes are the repository's file at that commit: its git blob id
        data = licensed_bytes("licensed/" + name)
        assert hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() == row["blob"], name
    # the files are tracked (not caught by the saved pages' git-ignore rule)
    ignored = subprocess.run(["git", "check-ignore", *[str(LICENSED_DIR / n) for n in names]],
                             cwd=ROOT, capture_output=True, text=True)
    assert ignored.stdout.strip() == "", ignored.stdout


def test_licensed_pages_cover_the_kinds_and_the_national_sites():
    kinds = [exp["kind"] for _, _, exp in LICENSED]
    assert kinds.count("article") >= 8 and kinds.count("listing") >= 8
    hosts = {urlsplit(exp["url"]).hostname.removeprefix("www.") for _, _, exp in LICENSED}
    assert {"vietnamnet.vn", "tuoitre.vn", "vnexpress.net", "dantri.com.vn", "baochinhphu.vn"} <= hosts
    # every article entry says what it is: title, date, first and last sentence, boilerplate
    for name, _, exp in LICENSED:
        if exp["kind"] == "article":
            assert {"title", "date", "first", "last", "boilerplate"} <= set(exp), name


def test_saved_pages_are_all_here_or_none():
    # the git-ignored pages: all of them (a full copy) or none (CI); a partial copy is an error
    if not SAVED:
        pytest.skip("no git-ignored saved page in " + " or ".join(str(d) for d in SAVED_DIRS)
                    + " (see tests/fixtures/article/real/saved/SOURCE.md); the licensed ones ran")
    assert sorted(name for name, _, _ in SAVED) == sorted(saved_names())


def test_saved_pages_cover_the_kinds_and_have_their_source():
    names = saved_names() + licensed_names()
    kinds = [exp["kind"] for name, exp in json.loads((REAL / "expected.json").read_text(encoding="utf-8")).items()
             if name in names]
    assert kinds.count("article") >= 3 and kinds.count("listing") >= 5
    rows = {**_source_rows(REAL / "saved"), **_source_rows(LICENSED_DIR)}
    assert sorted(n.split("/", 1)[1] for n in names) == sorted(rows)
    # no page is in both sets, and the unlicensed set says so
    assert not set(_source_rows(REAL / "saved")) & set(_source_rows(LICENSED_DIR))
    assert not any(r["licence"].startswith(REDISTRIBUTABLE) for r in _source_rows(REAL / "saved").values())


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


# Rules the committed real category pages needed (tests/fixtures/article/real/licensed/), on small markup.

def _category(extra: str = "", og_type: str = "article", teaser=None) -> str:
    teaser = teaser or (lambda i, h: f'<div class="item"><h3><a href="/tin-{i}.html">{h}</a></h3>'
                                      f'<div class="sapo">Tóm tắt của tin số {i} về hoạt động của Sở.</div></div>')
    return (f'<html lang="vi"><head><title>Kinh doanh</title><meta property="og:type" content="{og_type}"></head>'
            f'<body><h1>Kinh doanh</h1>{extra}<div class="list">'
            + "".join(teaser(i, h) for i, h in enumerate(_HEADLINES)) + "</div></body></html>")


def test_teasers_and_no_body_at_all_are_a_listing_even_when_og_type_says_article():
    # dantri.com.vn's category pages: og:type=article, a body container with nothing in it
    html = _category('<div class="singular-content"></div>')
    assert parse_page(html, "https://dantri.example.vn/kinh-doanh.htm").kind == "listing"


def test_a_popup_with_sentences_does_not_make_a_category_page_an_article():
    # tuoitre.vn: a login form and a promotion in pop-ups are the only full sentences of the page
    promo = "".join(f"<p>Từ ngày 1-1-2023, báo giới thiệu phiên bản đặc biệt số {i} dành riêng cho các thành viên "
                    f"với nhiều chuyên mục và trải nghiệm thú vị hơn cho bạn đọc.</p>" for i in range(2))
    html = _category(f'<div class="modal_introduce"><div class="popup">{promo}</div></div>', og_type="website")
    html = html.replace("</body>", f'<div class="footer">{_CONTACT}</div></body>')
    assert parse_page(html, "https://tuoitre.example.vn/kinh-doanh.htm").kind == "listing"
    # the same promotion shown in the page, not in a pop-up, is read as the page's text
    shown = html.replace('class="modal_introduce"', 'class="introduce"').replace('class="popup"', 'class="box"')
    assert parse_page(shown, "https://tuoitre.example.vn/kinh-doanh.htm").kind == "article"


def test_a_page_switch_named_modal_is_not_a_popup():
    from pipeline.article import _is_overlay

    assert _is_overlay("popup") and _is_overlay("modal_introduce") and _is_overlay("wrapPopup")
    assert not _is_overlay("box article modal-enabled") and not _is_overlay("penci-enable-lightbox")
    assert not _is_overlay("modal-trigger")


def test_a_headline_glued_to_its_summary_is_teaser_text_but_a_roundup_paragraph_is_not():
    from pipeline.article import _parse_tree, _teasers

    # baodautu.vn: headline, category label, summary; the extractor reads headline and summary as one line
    html = _category(teaser=lambda i, h: f'<div class="desc"><a href="/tin-{i}.html">{h}</a>'
                                         f'<div class="label"><a href="/dau-tu/">Đầu tư tài chính</a></div>'
                                         f'<div class="sapo">Tóm tắt của tin số {i}.</div></div>')
    _, items, headlines = _teasers(_parse_tree(html))
    glued = [f"{h}Tóm tắt của tin số {i}." for i, h in enumerate(_HEADLINES)]
    assert _teaser_share(glued, items, headlines) == 1.0
    # a roundup article: each paragraph opens with a link and goes on with its own sentences
    roundup = _category(teaser=lambda i, h: f'<p><a href="/tin-{i}.html">{h}</a>. Bài viết kể lại diễn biến '
                                            f'của sự việc số {i} và ý kiến của các bên liên quan.</p>')
    _, items, headlines = _teasers(_parse_tree(roundup))
    paragraphs = [f"{h}. Bài viết kể lại diễn biến của sự việc số {i} và ý kiến của các bên liên quan."
                  for i, h in enumerate(_HEADLINES)]
    assert _teaser_share([p.replace(". B", ".B") for p in paragraphs], items, headlines) == 0.0


# Pages with a title and hardly a word besides: what a crawl meets between articles.
_NEAR_EMPTY = {
    "a home of one link": ("https://portal.example.gov.vn/",
                           '<html><head><title>Trang chủ</title></head><body><ul>'
                           '<li><a href="/Pages/danh-sach.aspx?Page=1">Tin tức</a></li></ul></body></html>'),
    "a page of links": ("https://portal.example.gov.vn/links.html",
                        "<html><head><title>Liên kết</title></head><body><ul>"
                        + "".join(f'<li><a href="/l{i}.html">liên kết</a></li>' for i in range(25)) + "</ul></body></html>"),
    "a calendar month": ("https://portal.example.gov.vn/cal/2021-11",
                         "<html><head><title>Lịch 2021-11</title></head><body><h1>Lịch công tác 2021-11</h1>"
                         '<p>Không có sự kiện</p><a href="/cal/2021-10">prev</a> <a href="/cal/2021-12">next</a>'
                         "</body></html>"),
    "an empty search": ("https://portal.example.gov.vn/grow?q=aaa",
                        "<html><head><title>Tìm aaa</title></head><body><h1>Kết quả</h1>"
                        '<a href="/grow?q=aaaa">more</a> <a href="/grow?q=aaab&amp;x=1">more2</a></body></html>'),
    "a folder": ("https://portal.example.gov.vn/deep/a/a/",
                 '<html><head><title>Deep</title></head><body><h1>Thư mục</h1><a href="/deep/a/a/a/">deeper</a>'
                 "</body></html>"),
}
_SHORT_STORY = ("<html><head><title>Kiểm tra xăng dầu</title>{meta}</head><body><h1>Kiểm tra xăng dầu</h1>"
                "<p>{body}</p></body></html>")


@pytest.mark.parametrize("name", list(_NEAR_EMPTY))
def test_a_title_over_link_labels_or_a_few_words_is_no_article(name):
    url, html = _NEAR_EMPTY[name]
    assert parse_page(html, url).kind == "other"
    # nor when the page calls itself an article, if all it shows besides its title is links
    tagged = html.replace("</head>", '<meta property="og:type" content="article"></head>')
    assert parse_page(tagged, url).kind == ("article" if name == "a calendar month" else "other")


def test_a_short_story_of_one_sentence_is_still_an_article():
    sentence = "Năm 2023, Chi cục Quản lý thị trường tỉnh Cao Bằng đã kiểm tra 120 cơ sở kinh doanh xăng dầu."
    page = parse_page(_SHORT_STORY.format(meta="", body=sentence), "https://portal.example.gov.vn/tin/1.html")
    assert page.kind == "article" and page.paragraphs == (sentence,)
    # a few words without a sentence: an article only where the page says it is one
    caption = "Ảnh: Đoàn kiểm tra tại cửa hàng"
    assert parse_page(_SHORT_STORY.format(meta="", body=caption), "https://portal.example.gov.vn/tin/2.html"
                      ).kind == "other"
    assert parse_page(_SHORT_STORY.format(meta='<meta property="og:type" content="article">', body=caption),
                      "https://portal.example.gov.vn/tin/2.html").kind == "article"
