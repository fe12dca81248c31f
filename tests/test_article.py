"""Page → article (pipeline/article.py) and site profiles (pipeline/sites/).

Fixtures in tests/fixtures/article/ are pages written for these tests in the
markup of the portal families (NukeViet's h1.title, span.h5, .hometext,
#news-bodyhtml, link rel=canonical) with our own Vietnamese sentences; the
expected values below are read off those pages by hand.
"""
from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import lxml.html
import pytest

from pipeline.article import Page, decode_html, html_to_text, parse_page
from pipeline.sites import ProfileError, css_to_xpath, load_profiles, match_profile, parse_profile
from tests.conftest import SHARED, need_shared

FIXTURES = Path(__file__).parent / "fixtures" / "article"
BENCHMARK = SHARED / "data" / "article-extraction-benchmark"

NUKEVIET_URL = "https://snnptnt.example.gov.vn/news/khuyen-nong/tram-khuyen-nong-bao-lac-ho-tro-giong-ngo-2345.html"
NUKEVIET_TITLE = "Trạm Khuyến nông huyện Bảo Lạc hỗ trợ 1.250 kg giống ngô lai"
NUKEVIET_PARAGRAPHS = (
    "Vụ xuân năm 2023, Trạm Khuyến nông huyện Bảo Lạc đã cấp giống ngô lai cho các xã vùng cao.",
    "Theo kế hoạch, Trạm Khuyến nông huyện Bảo Lạc hỗ trợ 1.250 kg giống ngô lai cho 320 hộ dân tại 5 xã.",
    "Diện tích gieo trồng dự kiến đạt 62,5 ha, năng suất bình quân ước đạt 45 tạ/ha.",
    "Cán bộ kỹ thuật đã mở 4 lớp tập huấn cho bà con về quy trình chăm sóc và phòng trừ sâu keo mùa thu.",
    "Xã | Số hộ | Giống (kg)",
    "Xã Cô Ba | 85 | 330",
    "Xã Thượng Hà | 72 | 285",
)
# Page furniture of the fixtures: menus, breadcrumbs, view and visitor
# counters, share buttons, related and newest lists, footer address/phone,
# an inline script, a like button, an image caption.
NUKEVIET_BOILERPLATE = [
    "Trang chủ", "Chăn nuôi thú y", "Lượt xem", "2.468", "Thống kê truy cập", "Đang truy cập",
    "3.118.442", "Chia sẻ", "Những tin cũ hơn", "Mô hình trồng cỏ voi", "Tập huấn kỹ thuật trồng chè",
    "Tin mới", "Tiêm phòng", "Cơ quan chủ quản", "Địa chỉ", "Điện thoại", "0206 3852 777",
    "Quảng cáo", "Thích 0", "Ảnh minh họa", "Tác giả bài viết", "Ma Thị Lan", "nv_base_siteurl",
    "font-size",
]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def assert_text_shape(page: Page) -> None:
    """text = title, a blank line, then the paragraphs one per line; NFC."""
    expected = page.title + ("\n\n" + "\n".join(page.paragraphs) if page.paragraphs else "")
    assert page.text == expected
    assert unicodedata.is_normalized("NFC", page.text)


# --------------------------------------------------------------------------- NukeViet

@pytest.fixture(scope="module")
def nukeviet_page() -> Page:
    return parse_page(fixture("nukeviet_article.html"), "https://snnptnt.example.gov.vn/news/khuyen-nong/x-2345.html?utm_source=rss")


def test_nukeviet_article_metadata(nukeviet_page):
    page = nukeviet_page
    assert page.kind == "article"
    assert page.profile == "nukeviet/V1"
    assert page.title == NUKEVIET_TITLE
    assert page.published == "2023-03-07T14:20:00+07:00"
    assert page.author == "Ma Thị Lan"
    assert page.canonical_url == NUKEVIET_URL


def test_nukeviet_article_text_is_title_lead_and_body(nukeviet_page):
    assert nukeviet_page.paragraphs == NUKEVIET_PARAGRAPHS
    assert_text_shape(nukeviet_page)
    assert nukeviet_page.text.startswith(NUKEVIET_TITLE + "\n\n")


@pytest.mark.parametrize("furniture", NUKEVIET_BOILERPLATE)
def test_nukeviet_boilerplate_never_reaches_text(nukeviet_page, furniture):
    assert furniture not in nukeviet_page.text


def test_str_and_bytes_give_the_same_page(nukeviet_page):
    as_str = parse_page(fixture("nukeviet_article.html").decode("utf-8"),
                        "https://snnptnt.example.gov.vn/news/khuyen-nong/x-2345.html?utm_source=rss")
    assert as_str == nukeviet_page


def _windows_1258(text: str) -> bytes:
    """Vietnamese in windows-1258 as old portals send it: a base letter, then a combining tone mark."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out.append((base + "".join(c for c in parts if c in tones)).encode("cp1258"))
    return b"".join(out)


def test_windows_1258_page_decodes_to_the_same_nfc_text(nukeviet_page):
    html = fixture("nukeviet_article.html").decode("utf-8").replace('charset="utf-8"', 'charset="windows-1258"')
    data = _windows_1258(html)
    assert data != html.encode("utf-8")
    page = parse_page(data, NUKEVIET_URL)
    assert page.title == NUKEVIET_TITLE
    assert page.paragraphs == NUKEVIET_PARAGRAPHS
    assert page.author == "Ma Thị Lan"   # metadata is NFC too, not only the text
    assert unicodedata.is_normalized("NFC", page.text)


def test_decomposed_unicode_page_gives_nfc_text():
    html = unicodedata.normalize("NFD", fixture("nukeviet_article.html").decode("utf-8"))
    page = parse_page(html, NUKEVIET_URL)
    assert page.title == NUKEVIET_TITLE
    assert page.paragraphs == NUKEVIET_PARAGRAPHS
    assert page.author == "Ma Thị Lan"
    assert page.published == "2023-03-07T14:20:00+07:00"


def test_nukeviet_listing_is_a_listing():
    page = parse_page(fixture("nukeviet_listing.html"), "https://snnptnt.example.gov.vn/news/khuyen-nong/page-2")
    assert page.kind == "listing"
    assert page.canonical_url == "https://snnptnt.example.gov.vn/news/khuyen-nong/page-2"


@pytest.mark.parametrize("main, kind", [
    # a category page past its end: no teasers, still the pager
    ('<h1 class="title">Khuyến nông</h1><p class="alert alert-info">Không có bài viết nào trong mục này.</p>'
     '<ul class="pagination"><li><a href="/news/khuyen-nong/page-8">8</a></li></ul>', "listing"),
    # a static page and a calendar of the same site: neither article nor listing
    ('<div class="page panel"><h1 class="title">Giới thiệu</h1><p>Cổng thông tin điện tử của Sở Nông nghiệp '
     'và Phát triển nông thôn tỉnh, cung cấp thông tin chỉ đạo, điều hành của ngành.</p></div>', "other"),
    ('<h1 class="title">Lịch công tác tháng 11/2021</h1><table class="calendar"><tr><td>Không có sự kiện.</td></tr></table>',
     "other"),
])
def test_nukeviet_pages_without_article_layout(main, kind):
    html = ('<html lang="vi"><head><meta charset="utf-8"><meta name="generator" content="NukeViet v4.5">'
            f'<title>Trang</title></head><body><nav id="menusite"><a href="/">Trang chủ</a></nav>{main}</body></html>')
    assert parse_page(html, "https://snnptnt.example.gov.vn/trang").kind == kind


def test_page_with_only_a_title_and_its_figures():
    page = parse_page(fixture("nukeviet_title_only.html"),
                      "https://sokhcn.example.gov.vn/news/tin-tuc/trong-moi-2150-ha-rung-77.html")
    assert page.kind == "article"
    assert page.title == "Năm 2022, toàn tỉnh trồng mới 2.150 ha rừng tập trung"
    assert page.paragraphs == ()
    assert page.text == "Năm 2022, toàn tỉnh trồng mới 2.150 ha rừng tập trung"
    assert page.published == "2023-01-08T07:05:00+07:00"
    assert "Hôm nay" not in page.text


# --------------------------------------------------------------------------- other sites

def test_generic_vietnamese_news_page():
    page = parse_page(fixture("generic_vn_article.html"), "https://baotintinh.example.vn/kinh-te/4711.html?ref=home")
    assert page.kind == "article"
    assert page.profile == "generic-vn/V1"
    assert page.title == "Hợp tác xã chè Tân Cương xuất bán 18 tấn chè búp khô"
    assert page.published == "2024-02-05T23:41:00+07:00"
    assert page.author == "Minh Châu"
    assert page.canonical_url == "https://baotintinh.example.vn/kinh-te/htx-che-tan-cuong-xuat-ban-18-tan-4711.html"
    assert page.paragraphs == (
        "Năm 2023, Hợp tác xã chè Tân Cương tiêu thụ 18 tấn chè búp khô, doanh thu đạt 4,2 tỷ đồng.",
        "Hợp tác xã hiện có 46 thành viên với tổng diện tích chè 27 ha, trong đó 12 ha đạt chứng nhận VietGAP.",
        "Giám đốc hợp tác xã cho biết giá chè búp khô bình quân đạt 230.000 đồng/kg, tăng 8% so với năm trước.",
        "Năm 2024, hợp tác xã đặt mục tiêu mở rộng thêm 5 ha chè hữu cơ.",
    )
    assert_text_shape(page)
    for furniture in ("Trang chủ", "Chia sẻ", "Gửi bài", "Tin liên quan", "Giá chè búp tươi", "Đọc nhiều",
                      "Không khí lạnh", "Tòa soạn", "Điện thoại", "Giấy phép", "Minh Châu"):
        assert furniture not in page.text


def test_page_without_profile_goes_to_trafilatura():
    page = parse_page(fixture("plain_article.html"), "https://muongnhe.example.gov.vn/tin-tuc/cap-ga-giong")
    assert page.kind == "article"
    assert page.profile == "trafilatura"
    assert page.title == "Huyện Mường Nhé cấp 2.400 con gà giống cho hộ nghèo"
    # the date line's own time, not a date-only guess
    assert page.published == "2023-06-05T08:30:00+07:00"
    assert page.paragraphs[0].startswith("Ủy ban nhân dân huyện Mường Nhé vừa tổ chức cấp 2.400 con gà giống")
    assert page.paragraphs[-1].startswith("Trong thời gian tới, huyện sẽ tiếp tục theo dõi")
    assert len(page.paragraphs) == 4
    assert page.canonical_url == "https://muongnhe.example.gov.vn/tin-tuc/cap-ga-giong"
    assert_text_shape(page)
    for furniture in ("Trang chủ", "Liên hệ", "Bài viết mới", "Chung Chải", "Địa chỉ", "Điện thoại"):
        assert furniture not in page.text


def test_generic_listing_is_a_listing():
    page = parse_page(fixture("generic_listing.html"), "https://baotintinh.example.vn/xa-hoi/")
    assert page.kind == "listing"


def test_english_article_with_inline_links_is_not_a_listing():
    links = " ".join(f'<p>Paragraph {i} of the report cites <a href="/r{i}">the annual survey of regional '
                     f'farm output number {i}</a> and explains the figures at length for readers.</p>' for i in range(8))
    html = f'<html lang="en"><head><title>Farm output</title></head><body><article><h1>Farm output</h1>{links}</article></body></html>'
    assert parse_page(html, "https://news.example.com/2024/farm-output").kind == "article"


@pytest.mark.parametrize("html", [
    "", b"", "   \n ", "<html></html>", "<html><body></body></html>",
    "<html><body><script>var a = 1;</script></body></html>", b"\xef\xbb\xbf",
])
def test_empty_pages_are_other_with_no_text(html):
    page = parse_page(html, "https://example.gov.vn/broken")
    assert page.kind == "other"
    assert page.text == ""
    assert page.paragraphs == ()


@pytest.mark.parametrize("html", [
    b"\x00\x01\x02\xff\xfe garbage \x00", "<<<>>>", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "<div><p>Lỗi 404</p>",
    "<html><body><p>Không tìm thấy trang.</p></body></html>",
])
def test_broken_pages_are_other_without_crashing(html):
    assert parse_page(html, "https://example.gov.vn/broken").kind == "other"


def test_html_to_text_for_local_files():
    title, text, published = html_to_text(fixture("nukeviet_article.html"), "file:///tmp/bai.html")
    assert title == NUKEVIET_TITLE
    assert text.startswith(NUKEVIET_TITLE + "\n\nVụ xuân năm 2023")
    assert published == "2023-03-07T14:20:00+07:00"


def test_decode_html_charsets():
    declared = decode_html(_windows_1258("<meta charset='windows-1258'><p>Hội nghị tổng kết</p>"))
    assert unicodedata.normalize("NFC", declared).endswith("<p>Hội nghị tổng kết</p>")
    # no declaration: UTF-8
    assert decode_html("<p>Sở Khoa học</p>".encode("utf-8")) == "<p>Sở Khoa học</p>"
    # a charset name nobody knows does not stop a UTF-8 page
    assert decode_html("<meta charset='x-nonsense'><p>Sở</p>".encode("utf-8")).endswith("<p>Sở</p>")


# --------------------------------------------------------------------------- profiles as data

FIXTURE_OF_PROFILE = {"nukeviet": "nukeviet_article.html", "generic-vn": "generic_vn_article.html"}


@pytest.mark.parametrize("profile", load_profiles(), ids=lambda p: p.name)
def test_every_profile_has_a_fixture_it_parses(profile):
    """Adding a site profile demands a fixture page (fundus tests every publisher)."""
    assert profile.name in FIXTURE_OF_PROFILE, f"add a fixture page for profile {profile.name}"
    page = parse_page(fixture(FIXTURE_OF_PROFILE[profile.name]), "https://example.vn/bai-viet.html")
    assert page.profile.split("/")[0] == profile.name
    assert page.kind == "article" and page.title and page.published and page.paragraphs


def test_vietnamese_profile_does_not_take_an_english_page():
    html = ('<html lang="en"><head><title>Report</title></head><body><h1>Report</h1>'
            '<div class="article-content"><p>' + "An English sentence about farm output. " * 12 + '</p></div></body></html>')
    page = parse_page(html, "https://news.example.com/report")
    assert page.profile == "trafilatura"


def test_css_subset():
    tree = lxml.html.fromstring('<div><div class="a b" id="x"><h1 class="title big">T</h1>'
                                '<meta name="generator" content="NukeViet v4"></div></div>')
    assert [e.text for e in tree.xpath(css_to_xpath("div.b > h1.title"))] == ["T"]
    assert len(tree.xpath(css_to_xpath("#x h1, .missing"))) == 1
    assert len(tree.xpath(css_to_xpath("meta[name=generator][content*=NukeViet]"))) == 1
    assert tree.xpath(css_to_xpath("h1.titl")) == []
    for bad in ("div:first-child", "a ~ b", "", "div >"):
        with pytest.raises(ProfileError):
            css_to_xpath(bad)


def _versioned_profile():
    return parse_profile({
        "name": "demo", "versions": [
            {"version": "V2", "valid_until": None, "signature": ["#content-v2"], "body": ["#content-v2"]},
            {"version": "V1", "valid_until": "2020-12-31", "signature": ["#bodyhtml"], "body": ["#bodyhtml"]},
        ]}, "demo.json")


def test_profile_versions_follow_layout_and_valid_until():
    profile = _versioned_profile()
    old = lxml.html.fromstring('<html><body><div id="bodyhtml"><p>Cũ</p></div></body></html>')
    new = lxml.html.fromstring('<html><body><div id="content-v2"><p>Mới</p></div></body></html>')
    assert match_profile(new, profiles=(profile,))[1].version == "V2"
    assert match_profile(old, day=date(2019, 5, 1), profiles=(profile,))[1].version == "V1"
    # an old layout crawled after its valid_until is no longer trusted to this profile
    assert match_profile(old, day=date(2022, 5, 1), profiles=(profile,)) is None


@pytest.mark.parametrize("raw", [
    {"versions": [{"version": "V1", "body": ["#b"]}]},                                   # no name
    {"name": "x", "versions": [{"version": "V1", "valid_until": "31/12/2020", "body": ["#b"]}]},
    {"name": "x", "versions": [{"version": "V1"}]},                                       # no body
    {"name": "x", "versions": [{"version": "V1", "body": ["#b"]}, {"version": "V1", "body": ["#c"]}]},
    {"name": "x", "versions": [{"version": "V1", "body": ["p:nth-child(2)"]}]},
])
def test_bad_profiles_fail_loudly(raw):
    with pytest.raises(ProfileError):
        parse_profile(raw, "bad.json")


# --------------------------------------------------------------------------- the benchmark

def test_benchmark_subset_ours_not_below_trafilatura():
    """On the first 10 pages of the article-extraction benchmark (not timed)."""
    need_shared(BENCHMARK)
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        import article_benchmark as bench
    finally:
        sys.path.pop(0)
    pages = bench.load_benchmark(BENCHMARK, limit=10)
    assert len(pages) == 10
    results = bench.run(pages)
    assert results["provnews"]["f1"] >= results["trafilatura"]["f1"]
    assert results["provnews"]["f1"] > 0.9


def test_benchmark_metric_by_hand():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        import article_benchmark as bench
    finally:
        sys.path.pop(0)
    # truth has 5 tokens → 2 shingles; prediction adds one token → 3 shingles, 2 shared
    tp, fp, fn = bench.page_scores("a b c d e", "a b c d e f")
    assert (tp, fp, fn) == pytest.approx((2 / 3, 1 / 3, 0))
    assert bench.page_scores("", "") == (0.0, 0.0, 0.0)
    # an empty prediction counts for recall (0) but not for precision
    metrics = bench.aggregate([bench.page_scores("a b c d", ""), bench.page_scores("a b c d", "a b c d")])
    assert metrics["precision"] == 1.0 and metrics["recall"] == 0.5
    assert metrics["f1"] == pytest.approx(2 * 1.0 * 0.5 / 1.5)
