"""Items (spec section 3): what a quantity counts or measures, from the words around it.

Every sentence here is constructed for one general rule of ``extractors/items.py``;
the expected item is what the rule says a reader would write, checked by hand.
"""
from __future__ import annotations

import pytest

from extractors.quantities import find_quantities
from extractors.segment import make_doc


def items(text: str) -> dict[str, str | None]:
    qs, _ = find_quantities(text, make_doc(text))
    for q in qs:
        assert text[q.start:q.end] == q.text
    return {q.text: q.item for q in qs}


@pytest.mark.parametrize("text, quantity, item", [
    # the spec's own examples: the noun phrase after the unit, without the unit
    ("Đã sản xuất được 8.069 hộp trà giảo cổ lam thành phẩm.", "8.069 hộp", "trà giảo cổ lam thành phẩm"),
    ("thu mua được 1.511 kg nguyên liệu nghệ vàng tươi; tổ chức", "1.511 kg", "nguyên liệu nghệ vàng tươi"),
    ("theo Nghị định với tổng số tiền phạt 198 triệu đồng; đồng thời", "198 triệu đồng", "tiền phạt"),
])
def test_spec_examples(text, quantity, item):
    assert items(text)[quantity] == item


@pytest.mark.parametrize("text, quantity, item", [
    # the activity after the duration
    ("Sau gần 15 ngày triển khai, xã đã hoàn thành việc tiêm vắc xin.", "gần 15 ngày", "thời gian triển khai"),
    # the activity before it
    ("Toàn bộ người dân trong khu phố phải cách ly y tế 21 ngày.", "21 ngày", "thời gian cách ly y tế"),
    # already named as a time
    ("Thời gian thi công dự kiến là 18 tháng.", "18 tháng", "Thời gian thi công"),
    # no activity named: what is measured is still time
    ("Sau 2 năm, dự án vẫn chưa hoàn thành.", "2 năm", "thời gian"),
])
def test_a_length_of_time_measures_the_time_of_an_activity(text, quantity, item):
    assert items(text)[quantity] == item


def test_an_age_is_of_the_person_not_a_time():
    assert items("Ông Nguyễn Văn Bình (72 tuổi ở xã Hòa Bình) cho biết")["72 tuổi"] == "Ông Nguyễn Văn Bình"


def test_a_figure_in_brackets_qualifies_the_phrase_before_them():
    got = items("Dự án dùng vốn của tỉnh (300 tỷ đồng) và vốn xã hội hóa (200 tỷ đồng).")
    assert got["300 tỷ đồng"] == "vốn của tỉnh"
    assert got["200 tỷ đồng"] == "vốn xã hội hóa"


def test_a_count_in_a_breakdown_belongs_to_the_group_named_before_it():
    got = items("Toàn tỉnh có 500 lớp học, trong đó bậc tiểu học 320 lớp, bậc trung học cơ sở 180 lớp.")
    assert got["320 lớp"] == "bậc tiểu học"
    assert got["180 lớp"] == "bậc trung học cơ sở"


def test_a_verb_before_a_count_makes_it_an_object_not_a_group():
    # "kiểm tra 14 vụ." names no group: nothing before the number is the item
    assert items("Trong tháng, đội đã kiểm tra 14 vụ.")["14 vụ"] is None


def test_a_count_that_says_how_many_the_subject_has():
    got = items("Số viên chức là 900 người (viên chức trẻ dưới 35 tuổi có 240 người).")
    assert got["240 người"] == "viên chức trẻ dưới 35 tuổi"


def test_a_discourse_opener_is_no_subject():
    assert items("Kết quả đã có 12 hộ.")["12 hộ"] is None


def test_the_subject_is_the_head_of_its_clause_not_a_time_adjunct():
    text = "Nhu cầu tuyển dụng giáo viên tiểu học để bố trí cho năm học 2025 - 2026 là 350 người."
    assert items(text)["350 người"] == "Nhu cầu tuyển dụng giáo viên tiểu học"


def test_a_share_with_chiem_is_of_its_subject():
    assert items("Năm 2024, kinh tế số chiếm 15% GRDP của tỉnh.")["15%"] == "kinh tế số"


def test_a_bound_after_a_share_is_skipped_and_a_place_kept():
    text = "Mục tiêu là 80% trở lên hồ sơ tại cấp huyện được xử lý trực tuyến."
    assert items(text)["80%"] == "hồ sơ tại cấp huyện"


@pytest.mark.parametrize("text, quantity, item", [
    ("Hội đã tổ chức 3 lớp tập huấn về an toàn thực phẩm cho nông dân.", "3 lớp", "tập huấn về an toàn thực phẩm"),
    ("Huyện nhân rộng 12 mô hình sản xuất của hợp tác xã.", "12 mô hình", "sản xuất của hợp tác xã"),
])
def test_an_owner_or_a_topic_after_the_item_stays_with_it(text, quantity, item):
    assert items(text)[quantity] == item


def test_a_per_unit_modifier_stays_inside_the_item():
    assert items("Chủ ruộng thu về 50 triệu đồng lợi nhuận mỗi năm.")["50 triệu đồng"] == "lợi nhuận mỗi năm"


def test_the_previous_quantity_bounds_the_clause_before_a_number():
    text = "Năm ngoái giá lúa là 7.000 đồng/kg thì năm nay lúa khô chỉ còn 5.500 đồng/kg."
    got = items(text)
    # the second price is of this year's dry paddy; the first figure and its "thì" are not part of it
    assert got["5.500 đồng/kg"] == "giá năm nay lúa khô"


def test_money_per_month_is_no_price():
    got = items("Mỗi sinh viên sư phạm được hỗ trợ 3,6 triệu đồng/tháng.")
    assert got["3,6 triệu đồng/tháng"] is None or not got["3,6 triệu đồng/tháng"].startswith("giá")


def test_a_name_with_a_number_does_not_end_the_item():
    # (the segmenter gives "mắc COVID-19" as one word; the place after it is a modifier)
    assert items("Xã có 3 người mắc COVID-19 trong khu phố.")["3 người"] == "người mắc COVID-19 trong khu phố"
    assert items("Tỉnh ghi nhận 5 ca dương tính với SARS-CoV-2.")["5 ca"] == "dương tính với SARS-CoV-2"


def test_a_time_or_a_price_after_the_item_is_not_a_modifier():
    assert items("Đội phát hiện 12 vụ vi phạm trong tháng.")["12 vụ"] == "vi phạm"
    assert items("Chị bán 5 tấn hành tím với giá 15.000 đồng/kg.")["5 tấn"] == "hành tím"


def test_a_bracketed_aside_does_not_end_the_counted_phrase():
    text = "Có 60% viên chức (trong đó 50% là lãnh đạo) đạt trình độ ngoại ngữ bậc 4 trở lên."
    assert items(text)["60%"] == "viên chức đạt trình độ ngoại ngữ bậc 4 trở lên"


def test_a_threshold_says_which_ones_are_counted():
    text = "Chỉ có 117 người có chứng chỉ ngoại ngữ từ B2 trở lên."
    assert items(text)["117 người"] == "người có chứng chỉ ngoại ngữ từ B2 trở lên"


def test_a_quantity_of_what_the_clause_before_made():
    text = "Sở đã in ấn tài liệu hướng dẫn kỹ thuật trồng chè, với số lượng 500 cuốn."
    got = items(text)["500 cuốn"]
    # "số lượng" (the number of) points back at the thing the clause made
    assert got is not None and got.endswith("tài liệu hướng dẫn kỹ thuật trồng chè")


def test_items_of_a_share_in_brackets_follow_its_count():
    got = items("Có 117 người (6,19%) có chứng chỉ tin học.")
    assert got["6,19%"] == got["117 người"] == "người có chứng chỉ tin học"


def test_a_hanging_preposition_or_verb_before_the_number_is_dropped():
    got = items("Hôm nay, giá vàng tại các doanh nghiệp ở Nghệ An dao động trong khoảng 76,6 triệu đồng/lượng.")
    assert got["khoảng 76,6 triệu đồng/lượng"] == "giá vàng tại các doanh nghiệp ở Nghệ An"


def test_a_plural_marker_after_a_share_is_no_stop():
    got = items("Có khoảng 30% các tour hủy đặt phòng tại Sầm Sơn.")
    assert got["khoảng 30%"] == "tour hủy đặt phòng tại Sầm Sơn"


def test_whose_they_are_says_which_ones_are_counted():
    # nothing but the owner follows the counted noun: the noun and its owner are the item
    assert items("7 lĩnh vực của tỉnh sẽ được ưu tiên.")["7 lĩnh vực"] == "lĩnh vực của tỉnh"


@pytest.mark.parametrize("text, quantity, item", [
    # a place or a quality after a counted noun only says which ones: the noun is counted
    ("Tỉnh phát hiện 3 mỏ ở huyện Tuy Phong.", "3 mỏ", "mỏ ở huyện Tuy Phong"),
    ("Nhà máy tuyển thêm 50 công nhân nữ.", "50 công nhân", "công nhân nữ"),
    # a classifier or container never is the item (spec: 8.069 hộp trà …)
    ("Hợp tác xã bán 200 hộp chè xanh.", "200 hộp", "chè xanh"),
])
def test_a_modifier_after_a_counted_noun_keeps_the_noun(text, quantity, item):
    assert items(text)[quantity] == item


def test_va_joins_like_words_inside_the_item():
    got = items("Đoàn kiểm tra tại 15 cơ sở chế biến và bảo quản nông sản.")
    assert got["15 cơ sở"] == "chế biến và bảo quản nông sản"


@pytest.mark.parametrize("text, quantity, item", [
    ("Ngày 3/5, bà Nguyễn Thị Hoa, 71 tuổi, cho biết.", "71 tuổi", "bà Nguyễn Thị Hoa"),
    ("Đề án hỗ trợ 30% cán bộ trẻ và 10% đối tượng giáo viên, nhân viên dưới 35 tuổi học tiếng Anh.",
     "dưới 35 tuổi", "đối tượng giáo viên, nhân viên"),
])
def test_an_age_belongs_to_the_person_or_group_before_it(text, quantity, item):
    assert items(text)[quantity] == item


def test_a_size_names_the_place_it_is_of():
    got = items("Dự án gồm khu vực Bãi Trước - phường 1 với quy mô khoảng 12,5 ha; "
                "khu vực Mũi Nghinh Phong, quy mô khoảng 8 ha.")
    assert got["khoảng 12,5 ha"] == "quy mô khu vực Bãi Trước - phường 1"
    assert got["khoảng 8 ha"] == "quy mô khu vực Mũi Nghinh Phong"


def test_a_conditional_or_a_hanging_word_is_not_part_of_the_item():
    got = items("Nếu tính sản lượng thì đạt 3 tấn/sào.")
    assert got["3 tấn/sào"] == "tính sản lượng"


def test_a_group_that_lists_its_members_is_named_by_the_whole_clause():
    got = items("Các đề án chia thành hai nhóm: nhóm hỗ trợ đào tạo nghề, tư vấn khởi nghiệp gồm 5 đề án; "
                "nhóm xây dựng thương hiệu gồm 2 đề án.")
    assert got["5 đề án"] == "nhóm hỗ trợ đào tạo nghề, tư vấn khởi nghiệp"
    assert got["2 đề án"] == "nhóm xây dựng thương hiệu"
    # "X, gồm A, B": the members of the figure before, not a group of their own
    assert items("Tỉnh có 170 đơn vị hành chính cấp xã, gồm 40 phường và 130 xã.")["40 phường"] is None


def test_occurrences_count_what_the_clause_before_did():
    assert items("Trong đó, ông A. chỉ trả 1 đợt với số tiền 20 triệu đồng.")["1 đợt"] == "ông A. chỉ trả"


def test_two_counted_nouns_share_the_phrase_after_the_second():
    # the two nouns are of one kind, so they are one unit of measure (as gold writes "chương trình, đề án")
    assert items("Tỉnh duyệt 12 chương trình, đề án khuyến nông năm 2023.")["12 chương trình, đề án"] == \
        "khuyến nông năm 2023"


def test_the_second_of_two_like_amounts_shares_the_item():
    got = items("bà X. và ông Y. đã trả với số tiền lần lượt là 1,2 tỷ đồng và 1 tỷ đồng.")
    assert got["1 tỷ đồng"] == got["1,2 tỷ đồng"] is not None


def test_a_price_is_of_the_thing_traded():
    got = items("Thương lái chỉ thu mua khoai lang tím ở mức 3.000 - 4.000 đồng/kg.")
    assert got["3.000 - 4.000 đồng/kg"] == "giá khoai lang tím"


def test_a_comparison_with_a_plural_marker_is_still_the_reference():
    got = items("Giá bán cao hơn 15% so với các tỉnh lân cận.")
    assert got["15%"] == "so với các tỉnh lân cận"  # comparative hơn: =, outside the span
