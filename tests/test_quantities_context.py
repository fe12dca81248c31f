"""Quantities decided by the words around the number (issue 9e): labels, names and named periods."""
from __future__ import annotations

import pytest

from extractors.quantities import find_quantities
from extractors.segment import make_doc


def summary(text: str):
    qs, _ = find_quantities(text, make_doc(text))
    return [(q.value, q.unit_of_measure) for q in qs]


@pytest.mark.parametrize("text, expected", [
    # an age or a seat count right after the name it describes
    ("Ông Phan Đình Quý 46 tuổi, cùng vợ Lê Thị Hạnh 41 tuổi.", [(46, "tuổi"), (41, "tuổi")]),
    ("Chiếc ôtô Ford Everest 7 chỗ bị biến dạng.", [(7, "chỗ")]),
    ("Năm 19 tuổi, Quý trốn nhà đi làm.", [(19, "tuổi")]),
    # "trong số", "nhóm": the whole a part is taken from, the members of a group
    ("Trong số 203 người ứng cử có nhiều doanh nhân.", [(203, "người")]),
    ("Ông nằm trong nhóm 21 người bị truy tố.", [(21, "người")]),
])
def test_counts_after_a_name_or_a_counting_phrase(text, expected):
    assert summary(text) == expected


@pytest.mark.parametrize("text", [
    # the days or years a count names: a period
    "Đơn vị tổ chức tiêm trong 2 ngày 4 và 5/5.",
    "Đơn vị tổ chức tiêm trong 2 ngày (4-5/5).",
    "Số vụ đuối nước trong hai năm 2020-2021 ít hơn.",
    # an anniversary or a reviewed span
    "Hội nghị Tổng kết 5 năm thực hiện Quyết định 281.",
    "nhân dịp kỷ niệm 47 năm Ngày Giải phóng miền Nam.",
])
def test_named_periods_are_no_quantities(text):
    assert summary(text) == []


def test_labels_still_label():
    assert summary("Đợt 1 có 5 hộ; số 12 đường Lê Lợi.") == [(5, "hộ")]


@pytest.mark.parametrize("text, expected", [
    ("Vàng duy trì trên 2.050 USD mỗi ounce vào 31/1.", [(2050, "USD/ounce")]),
    ("có đơn vị chỉ 10 - 20 triệu đồng một người.", [(10e6, "đồng/người")]),
    ("với phí 1,3 triệu đồng mỗi người một ngày là quá cao.", [(1.3e6, "đồng/người/ngày")]),
    ("năng suất vượt 6 tấn trên một ha.", [(6, "tấn/ha")]),
    ("họ đòi ở 4 người/1 phòng, điều này trái quy định.", [(4, "người/phòng")]),
    # "cho mỗi em" gives the amount to each, "một cách" is a manner: no rate
    ("phần thưởng là 1 triệu đồng cho mỗi em.", [(1e6, "đồng")]),
    ("giá giảm 1.000 đồng một cách nhanh chóng.", [(1000, "đồng")]),
])
def test_rates_written_with_per_words(text, expected):
    got = summary(text)
    assert [u for _, u in got] == [u for _, u in expected]
    assert [v for v, _ in got] == pytest.approx([v for v, _ in expected])


@pytest.mark.parametrize("text, expected", [
    ("dự án đi qua 8 quận, huyện với tổng vốn lớn.", [(8, "quận, huyện")]),
    ("tiêm cho gần 210.000 người tại 25 tỉnh, thành phố.", [(210000, "người"), (25, "tỉnh, thành phố")]),
    ("cùng 15 y tá, hộ lý đến hiện trường.", [(15, "y tá, hộ lý")]),
    ("xác nhận trách nhiệm của 8 cán bộ, công chức liên quan.", [(8, "cán bộ, công chức")]),
    # a noun of another kind after the comma is the next item, not the same count
    ("có 5 xe máy, ôtô bị cháy.", [(5, "xe máy")]),
])
def test_nouns_of_one_kind_share_the_number(text, expected):
    assert summary(text) == expected


@pytest.mark.parametrize("text, expected", [
    # a time limit, not a round ("vòng 2") nor relative time
    ("theo dõi sức khỏe tại nhà trong vòng 24 giờ và tiếp tục.", [(24, "giờ")]),
    ("cho cách ly tại nhà trong vòng 14 ngày.", [(14, "ngày")]),
    # the time before an event, not "10 years ago"
    ("Suốt 10 năm trước khi phẫu thuật, anh phải bò.", [(10, "năm")]),
])
def test_measured_times_before_a_limit_or_an_event(text, expected):
    assert summary(text) == expected


@pytest.mark.parametrize("text", ["10 năm trước doanh nghiệp đã", "đội vào vòng 2 với nhiều đội khác"])
def test_relative_time_and_rounds_stay_out(text):
    assert summary(text) == []


@pytest.mark.parametrize("text, expected", [
    ("đi bộ nửa ngày vào thôn Mã Hoàng Phìn.", [(0.5, "ngày")]),
    ("và mất hơn nửa năm dò mìn làm sạch đất.", [(0.5, "năm")]),
])
def test_half_a_length_of_time_is_a_duration(text, expected):
    assert summary(text) == expected


@pytest.mark.parametrize("text", [
    "một nửa số hộ", "nửa năm qua doanh thu giảm", "lúc nửa đêm",
    # ngã ba: a junction, not three roads
    "khu đất ven biển ngã ba đường Võ Văn Kiệt", "có ngã ba kết nối các trục giao thông",
])
def test_halves_of_a_whole_and_junctions_are_no_quantities(text):
    assert summary(text) == []


def test_a_part_of_a_counted_whole_is_a_part_quantity():
    qs, _ = find_quantities("CPJ cho biết 72 trong số 99 nhà báo thiệt mạng.", make_doc("CPJ cho biết 72 trong số 99 nhà báo thiệt mạng."))
    assert [(q.text, q.value, q.total, q.unit_of_measure) for q in qs] == [("72 trong số 99 nhà báo", 72, 99, "nhà báo")]
    assert summary("đã cứu được 3 trong số nhóm 6 người bị đuối nước") == [(3, "người")]
    # "1 trong 4 người" is a part too, as annotators read "1 trong N" (18 of 22 in the training
    # documents); "một trong hai hộp đen" is one of them, the whole alone (35 of 51)
    text = "chị Th. (1 trong 4 người đi trên xe tải), một trong hai hộp đen và 1 trong ba mẫu xe"
    qs, _ = find_quantities(text, make_doc(text))
    assert [(q.text, q.value, q.total) for q in qs] == [("1 trong 4 người", 1, 4), ("hai hộp", 2, None),
                                                        ("1 trong ba mẫu", 1, 3)]


def test_organisations_count_though_the_tagger_reads_a_verb():
    assert summary("Tính đến ngày 17/3/2023, đã có 69 tổ chức phát hành chậm trả.") == [(69, "tổ chức")]
    assert summary("Kỳ thi tốt nghiệp THPT năm 2021 tổ chức thực hiện tại địa phương.") == []
