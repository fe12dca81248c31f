"""Attribution (spec sections 4 and 6) on short constructed paragraphs.

Quantities come from the real ``find_quantities``; a quantity it does not
(yet) return is built from its surface text, so these tests measure the
attribution rules, not the quantity stage.  Expected units and verbs were
decided by reading each paragraph.
"""
from __future__ import annotations

import pytest

from extractors.mentions import Period, Quantity
from extractors.quantities import find_quantities
from extractors.records import attribute
from extractors.segment import make_doc
from extractors.units import find_units


def records(text: str, wanted: list[str], period: Period | None = None):
    """Records of the quantities written ``wanted`` (in text order), by surface text."""
    doc = make_doc(text)
    found, _ = find_quantities(text, doc)
    qs, pos = [], 0
    for w in wanted:
        i = text.index(w, pos)
        q = next((q for q in found if q.start == i and q.end == i + len(w)), None)
        qs.append(q or Quantity(text=w, start=i, end=i + len(w), value=1.0, unit_of_measure=None))
        pos = i + len(w)
    recs = attribute(text, doc, find_units(text, doc), qs, period)
    assert [r.quantity_text for r in recs] == wanted
    for r in recs:
        assert text[r.start:r.end] == r.sentence
        assert r.start <= qs[r.quantity].start < r.end
    return {r.quantity_text if wanted.count(r.quantity_text) == 1 else (r.quantity_text, r.quantity): r
            for r in recs}


def test_paragraph_subject_owns_every_clause():
    text = ("Chi cục Thú y tỉnh Long An đã tiêm 12.000 liều vắc xin; kiểm tra 35 cơ sở giết mổ, "
            "xử phạt 4 cơ sở.\nNăm 2020, Chi cục kiểm tra 5 chợ.")
    r = records(text, ["12.000 liều", "35 cơ sở", "4 cơ sở", "5 chợ"])
    assert {x.unit for x in r.values()} == {"Chi cục Thú y tỉnh Long An"}
    assert r["12.000 liều"].activity == "tiêm"
    assert r["35 cơ sở"].activity == "kiểm tra"
    assert r["4 cơ sở"].activity == "xử phạt"
    assert r["5 chợ"].activity == "kiểm tra"


def test_back_reference_keeps_the_unit():
    text = ("Trung tâm Khuyến nông tỉnh Sơn La đã chuyển giao 3 giống lúa mới. "
            "Hiện nay Trung tâm đang chủ trì thực hiện 5 mô hình.")
    r = records(text, ["3 giống", "5 mô hình"])
    assert r["5 mô hình"].unit == "Trung tâm Khuyến nông tỉnh Sơn La"
    assert "chủ trì" in r["5 mô hình"].activity


def test_unit_after_a_preposition_is_not_the_subject():
    text = ("Sở Công Thương tỉnh Bắc Kạn đã kiểm tra 15 cửa hàng tại Công ty Xăng dầu Bắc Kạn; "
            "tiếp nhận 2 giống nấm từ Trung tâm Ứng dụng tiến bộ KH&CN tỉnh Thái Nguyên; trình UBND tỉnh 3 đề án.")
    r = records(text, ["15 cửa hàng", "2 giống", "3 đề án"])
    assert {x.unit for x in r.values()} == {"Sở Công Thương tỉnh Bắc Kạn"}
    assert r["2 giống"].activity == "tiếp nhận"


def test_quantity_in_a_place_phrase_belongs_to_the_subject_and_its_verb():
    text = "Chi cục QLTT Lạng Sơn tiến hành kiểm tra chất lượng hàng hóa tại 29 cơ sở sản xuất."
    r = records(text, ["29 cơ sở"])
    assert r["29 cơ sở"].unit == "Chi cục Quản lý thị trường Lạng Sơn"
    assert "kiểm tra" in r["29 cơ sở"].activity


def test_a_list_shares_its_activity():
    text = ("Chi cục đã kiểm tra 29 cơ sở, trong đó có: 04 cơ sở kinh doanh gas; "
            "11 cơ sở kinh doanh xăng dầu, 02 cơ sở sản xuất men rượu.")
    r = records(text, ["29 cơ sở", "04 cơ sở", "11 cơ sở", "02 cơ sở"])
    assert [x.activity for x in r.values()] == ["kiểm tra"] * 4


def test_a_share_in_brackets_takes_the_count_s_verb():
    text = "UBND huyện Trần Văn Thời có 117 người (6,19%) đạt chuẩn."
    r = records(text, ["117 người", "6,19%"])
    assert r["6,19%"].activity == r["117 người"].activity
    assert r["6,19%"].unit == "Ủy ban nhân dân huyện Trần Văn Thời"


def test_copula_when_nothing_more_specific_governs():
    text = "Theo UBND tỉnh Cà Mau, số cán bộ cấp tỉnh là 1.890 người."
    r = records(text, ["1.890 người"])
    assert r["1.890 người"].activity == "là"
    assert r["1.890 người"].unit == "Ủy ban nhân dân tỉnh Cà Mau"


def test_named_official_gives_the_figures_to_the_organization():
    text = "Ông Nguyễn Văn An, Phó Giám đốc Sở Y tế Hà Nội, cho biết thành phố ghi nhận 24 ca mắc mới."
    r = records(text, ["24 ca"])
    assert r["24 ca"].unit == "Sở Y tế Hà Nội"
    assert r["24 ca"].activity == "ghi nhận"


def test_a_former_official_and_a_private_person_have_no_unit():
    text = ("Sở NN&PTNT tỉnh Bình Định đã hỗ trợ 30 hộ. "
            "Ông Trần Văn Bình, nguyên Chủ tịch UBND tỉnh An Giang, nói nông dân lãi 30 triệu đồng. "
            "Ông Lê Văn Lũy ở xã Mỹ Châu vừa thu hoạch 4 sào hành tím.")
    r = records(text, ["30 hộ", "30 triệu đồng", "4 sào"])
    assert r["30 hộ"].unit == "Sở Nông nghiệp và Phát triển nông thôn tỉnh Bình Định"
    assert r["30 triệu đồng"].unit is None
    assert r["4 sào"].unit is None
    assert r["4 sào"].activity == "thu hoạch"
    assert r["4 sào"].location == "xã Mỹ Châu"


def test_a_place_acting_as_agent_is_a_location_not_a_unit():
    text = "Sở Nội vụ đã gửi 2 văn bản.\nTrước đó, tỉnh Quảng Ngãi triển khai 3 đề án đào tạo."
    r = records(text, ["2 văn bản", "3 đề án"])
    assert r["2 văn bản"].unit == "Sở Nội vụ"
    assert r["3 đề án"].unit is None
    assert r["3 đề án"].location == "tỉnh Quảng Ngãi"
    assert r["3 đề án"].activity == "triển khai"


def test_private_people_in_a_new_paragraph_end_the_unit_s_report():
    text = ("Theo thống kê của UBND xã Cát Hải, toàn xã trồng 144 ha hành.\n"
            "Năm nay người dân chỉ bán được với giá 7.000 đồng/kg.")
    r = records(text, ["144 ha", "7.000 đồng/kg"])
    assert r["144 ha"].unit == "Ủy ban nhân dân xã Cát Hải"
    assert r["144 ha"].activity == "trồng"
    assert r["7.000 đồng/kg"].unit is None


def test_private_people_inside_the_unit_s_paragraph_stay_its_figures():
    text = ("Ông Lâm Trọng Nghĩa, Phó Giám đốc Trung tâm Dịch vụ nông nghiệp huyện Tam Nông, cho biết "
            "mô hình giảm 20% chi phí. Ngoài ra, nông dân bán vịt lời thêm 20 triệu đồng.")
    r = records(text, ["20%", "20 triệu đồng"])
    assert {x.unit for x in r.values()} == {"Trung tâm Dịch vụ nông nghiệp huyện Tam Nông"}
    assert r["20%"].activity == "giảm"


def test_title_figures_belong_to_the_title_subject():
    text = ("Sở Lao động - Thương binh và Xã hội Hòa Bình: Giải quyết việc làm cho 4.348 lao động\n\n"
            "Trong 6 tháng đầu năm, toàn tỉnh đã giải quyết việc làm cho 4.348 lao động.")
    r = records(text, ["4.348 lao động", "4.348 lao động"])
    units = {x.unit for x in r.values()}
    assert units == {"Sở Lao động - Thương binh và Xã hội Hòa Bình"}


def test_no_organization_named_gives_null():
    text = "Hơn 20 km bờ biển xuất hiện dầu vón cục."
    r = records(text, ["Hơn 20 km"])
    assert r["Hơn 20 km"].unit is None
    assert r["Hơn 20 km"].activity == "xuất hiện"


def test_quantity_as_subject_takes_the_verb_after_it():
    text = "Sở Tư pháp cho biết, 4 cá nhân chỉ trả được 2,8 tỷ đồng."
    r = records(text, ["4 cá nhân", "2,8 tỷ đồng"])
    assert r["4 cá nhân"].activity.startswith("trả")
    assert r["2,8 tỷ đồng"].activity.startswith("trả")


def test_period_is_the_sentence_s_own_else_the_document_s():
    doc_period = Period(text="năm 2017", start="2017-01-01", end="2017-12-31")
    text = "Sở Y tế tỉnh Hà Nam đã khám cho 300 người. Trong quý I năm 2018, Sở khám cho 120 người."
    r = records(text, ["300 người", "120 người"], period=doc_period)
    assert r["300 người"].period == doc_period
    own = r["120 người"].period
    assert own is not None and own.start == "2018-01-01" and own.end == "2018-03-31"


def test_activity_from_the_colon_list():
    text = ("UBND tỉnh Phú Yên phê duyệt: nhóm hỗ trợ ứng dụng máy móc vào sản xuất gồm 13 chương trình; "
            "nhóm xây dựng thương hiệu gồm 3 chương trình.")
    r = records(text, ["13 chương trình", "3 chương trình"])
    assert [x.activity for x in r.values()] == ["phê duyệt", "phê duyệt"]


@pytest.mark.parametrize("text, wanted, unit", [
    ("Qua thống kê của Sở Nội vụ tỉnh Kon Tum, toàn tỉnh có 2.403 viên chức.", "2.403 viên chức",
     "Sở Nội vụ tỉnh Kon Tum"),
    ("Theo đánh giá của Ngân hàng Thế giới (WB), thu nhập có thể tăng 50%.", "50%", "Ngân hàng Thế giới"),
    ("Lãnh đạo Chi cục Kiểm lâm tỉnh Gia Lai cho biết, đơn vị này đã phát hiện 12 vụ.", "12 vụ",
     "Chi cục Kiểm lâm tỉnh Gia Lai"),
])
def test_source_lead_ins(text, wanted, unit):
    assert records(text, [wanted])[wanted].unit == unit


def test_a_light_verb_gives_way_to_the_verb_that_says_what_was_done():
    text = "Sở Khoa học và Công nghệ tỉnh Tuyên Quang đã tổ chức nghiệm thu 7 đề tài."
    assert records(text, ["7 đề tài"])["7 đề tài"].activity == "nghiệm thu"


def test_a_value_phrase_takes_the_verb_of_the_thing_valued():
    text = ("Chi cục QLTT tỉnh Hà Giang đã tịch thu hàng hóa vi phạm có trị giá 96 triệu đồng; "
            "Ban Quản lý đã cấp mới 12 dự án đầu tư với tổng vốn đăng ký 450 triệu USD.")
    r = records(text, ["96 triệu đồng", "12 dự án", "450 triệu USD"])
    assert r["96 triệu đồng"].activity == "tịch thu"
    assert r["12 dự án"].activity == "cấp mới"
    assert r["450 triệu USD"].activity == "cấp mới"


def test_existential_co_gives_way_to_the_reporting_verb_after_the_figures():
    text = "Khối thi đua đã có 14 tập thể và 61 cá nhân tham gia đăng ký thi đua; có 28 vụ vi phạm về giá."
    r = records(text, ["14 tập thể", "61 cá nhân", "28 vụ"])
    assert "đăng ký" in r["14 tập thể"].activity
    assert "đăng ký" in r["61 cá nhân"].activity
    assert r["28 vụ"].activity == "có"


def test_copula_after_a_verb_phrase_and_after_a_noun_subject():
    text = ("Đối với cán bộ cấp xã, bồi dưỡng ngoại ngữ là 447 người. "
            "Tổng số tiền thu nộp ngân sách là 312 triệu đồng.")
    r = records(text, ["447 người", "312 triệu đồng"])
    assert r["447 người"].activity == "bồi dưỡng"
    assert "thu nộp" in r["312 triệu đồng"].activity and r["312 triệu đồng"].activity.endswith("là")


def test_counted_people_are_not_the_speaker():
    text = ("Trung tâm Khuyến nông tỉnh Cao Bằng chuyển giao quy trình cho 18 hộ dân tại huyện Trùng Khánh.\n"
            "Sản lượng nấm tươi thu hoạch đạt 9,6 tấn.")
    r = records(text, ["18 hộ", "9,6 tấn"])
    assert r["9,6 tấn"].unit == "Trung tâm Khuyến nông tỉnh Cao Bằng"
