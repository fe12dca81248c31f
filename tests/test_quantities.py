"""Quantities (spec sections 3 and 6): what is one, its value, unit, qualifier, item."""
from __future__ import annotations

import json
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DEV_GOLD, need_shared
from extractors.normalize import clean_text
from extractors.quantities import find_quantities
from extractors.segment import make_doc


def quantities(text: str):
    qs, _ = find_quantities(text, make_doc(text))
    for q in qs:
        assert text[q.start:q.end] == q.text
    return qs


def summary(text: str):
    """(value, value_max, total, unit_of_measure, qualifier) of each quantity."""
    return [(q.value, q.value_max, q.total, q.unit_of_measure, q.qualifier) for q in quantities(text)]


# ---------------------------------------------------------------- what is a quantity, and its value

CASES = [
    # notation and units
    ("đã sản xuất được 8.069 hộp trà", [(8069, None, None, "hộp", "=")]),
    ("thu mua được 1.511 kg nguyên liệu", [(1511, None, None, "kg", "=")]),
    ("thu được 0,4g tinh bột nghệ", [(0.4, None, None, "g", "=")]),
    ("trên diện tích 1500m2 , cung cấp", [(1500, None, None, "m²", "=")]),
    ("tỷ lệ đạt 95,08% kế hoạch", [(95.08, None, None, "%", "=")]),
    ("năng suất đạt 69,3 tạ/ha.", [(69.3, None, None, "tạ/ha", "=")]),
    ("tổng kinh phí 2,078 tỷ đồng.", [(2.078e9, None, None, "đồng", "=")]),
    ("diện tích 1,7 triệu ha lúa", [(1.7e6, None, None, "ha", "=")]),
    ("vốn 6.200 tỷ đồng.", [(6.2e12, None, None, "đồng", "=")]),
    ("đàn gia cầm 7 triệu 520 nghìn con.", [(7_520_000, None, None, "con", "=")]),
    ("Xuất khẩu 5,3 triệu USD.", [(5.3e6, None, None, "USD", "=")]),
    ("mật độ 350 người/km2.", [(350, None, None, "người/km²", "=")]),
    ("chạy 60 km/h trên đường", [(60, None, None, "km/h", "=")]),
    ("Có 02 cơ sở vi phạm", [(2, None, None, "cơ sở", "=")]),
    ("Giá 1.234.567 đồng", [(1234567, None, None, "đồng", "=")]),
    ("Giá 1,234,567 đồng", [(1234567, None, None, "đồng", "=")]),
    # spelled numbers
    ("có hai tập thể và mười lăm hộ", [(2, None, None, "tập thể", "="), (15, None, None, "hộ", "=")]),
    ("Bốn trường hợp trên đều là con", [(4, None, None, "trường hợp", "=")]),
    ("tổng cộng một trăm linh năm người", [(105, None, None, "người", "=")]),
    ("đề án một triệu ha lúa", [(1e6, None, None, "ha", "=")]),
    ("thu hoạch một tấn thóc", [(1, None, None, "tấn", "=")]),
    # ranges and parts
    ("năng suất 3,42 - 3,73 tấn/ha", [(3.42, 3.73, None, "tấn/ha", "=")]),
    ("thu nhập từ 11 đến 12 triệu đồng/ha", [(11e6, 12e6, None, "đồng/ha", "=")]),
    ("giá vé 40.000 - 70.000 đồng/lượt", [(40000, 70000, None, "đồng/lượt", "=")]),
    ("ổn định từ 30.000 đồng đến 60.000 đồng/kg nên", [(30000, 60000, None, "đồng/kg", "=")]),
    ("đã có 14/14 tập thể và 61/62 cá nhân", [(14, None, 14, "tập thể", "="), (61, None, 62, "cá nhân", "=")]),
    ("giảm 20-25% chi phí", [(20, 25, None, "%", "=")]),
    # multiples
    ("lãi gần gấp đôi so với trước", [(2, None, None, "lần", "~")]),
    ("tăng gấp 5,6 lần", [(5.6, None, None, "lần", "=")]),
    ("đền bù gấp ba kinh phí", [(3, None, None, "lần", "=")]),
    # qualifiers
    ("tiêu thụ được trên 8.000 hộp", [(8000, None, None, "hộp", ">")]),
    ("giá xuống dưới 10.000 đồng/kg", [(10000, None, None, "đồng/kg", "<")]),
    ("cho khoảng 4.348 lao động", [(4348, None, None, "lao động", "~")]),
    ("kinh phí gần 162,5 triệu đồng.", [(162.5e6, None, None, "đồng", "~")]),
    ("dự kiến khoảng hơn 3.000 người", [(3000, None, None, "người", ">")]),
    ("dao động trên dưới 10.000 đồng.", [(10000, None, None, "đồng", "~")]),
    ("phải có ít nhất 95% số hộ", [(95, None, None, "%", ">")]),
    ("tối đa 200km", [(200, None, None, "km", "<")]),
    ("diện tích từ 25m2 trở lên", [(25, None, None, "m²", ">")]),
    ("giá cao hơn thị trường 1.000 đồng mỗi kg", [(1000, None, None, "đồng/kg", "=")]),
    ("có giá cao hơn 40-50% so với", [(40, 50, None, "%", "=")]),
    ("bình quân 45 triệu đồng/người/năm", [(45e6, None, None, "đồng/người/năm", "=")]),
    ("kiểm tra trên 80 lượt, 130 cây", [(80, None, None, "lượt", ">"), (130, None, None, "cây", "=")]),
    ("Quảng TrịHơn 20 km bờ biển", [(20, None, None, "km", ">")]),
    # durations and ages
    ("tập huấn 3 ngày cho cán bộ", [(3, None, None, "ngày", "=")]),
    ("tuy nhiên sau 1,5 năm, 4 cá nhân", [(1.5, None, None, "năm", "="), (4, None, None, "cá nhân", "=")]),
    ("thời gian thu hồi vốn khoảng 25 năm.", [(25, None, None, "năm", "~")]),
    ("Ông Liêm (69 tuổi ở xã Cát Hải)", [(69, None, None, "tuổi", "=")]),
    ("quản lý dưới 40 tuổi có 219 người", [(40, None, None, "tuổi", "<"), (219, None, None, "người", "=")]),
    # counts of unknown nouns, thresholds
    ("Có 17 F1 được cách ly", [(17, None, None, "f1", "=")]),
    ("đào tạo 300 thạc sĩ, 20 tiến sĩ", [(300, None, None, "thạc sĩ", "="), (20, None, None, "tiến sĩ", "=")]),
    ("cấm xe dưới 12 ghế ngồi", [(12, None, None, "ghế ngồi", "<")]),
    ("mở rộng lên 4 làn xe", [(4, None, None, "làn xe", "=")]),
    ("đã cập nhật được 259 tin, bài; viết", [(259, None, None, "tin, bài", "=")]),
    ("kiểm định 354 phương tiện đo tại", [(354, None, None, "phương tiện đo", "=")]),
    # a count and its share
    ("chỉ có 117 người (6,19%) có chứng chỉ", [(117, None, None, "người", "="), (6.19, None, None, "%", "=")]),
    ("số cán bộ là 1.890 người.", [(1890, None, None, "người", "=")]),
    # NFD and old tone marks
    (unicodedata.normalize("NFD", "thu hoạch 144 ha hành, lãi 50-70 triệu đồng"),
     [(144, None, None, "ha", "="), (50e6, 70e6, None, "đồng", "=")]),
    ("thuỷ sản đạt 1.200 tấn", [(1200, None, None, "tấn", "=")]),
    ("8.069\u00a0hộp trà", [(8069, None, None, "hộp", "=")]),
    # more units, rates and bounds
    ("xe container 40 feet đi qua", [(40, None, None, "feet", "=")]),
    ("uống 3 lần/ngày", [(3, None, None, "lần/ngày", "=")]),
    ("giá 12.000đ/kg", [(12000, None, None, "đồng/kg", "=")]),
    ("thu nhập khoảng 1,5 - 2 triệu đồng/tháng", [(1.5e6, 2e6, None, "đồng/tháng", "~")]),
    ("chưa đến 10 người", [(10, None, None, "người", "<")]),
    ("tối thiểu 3 tháng", [(3, None, None, "tháng", ">")]),
    ("cao tốc dài hơn 37 km", [(37, None, None, "km", ">")]),
    ("trên địa bàn 9 huyện", [(9, None, None, "huyện", "=")]),
    ("khoản vay $5 triệu", [(5e6, None, None, "USD", "=")]),
    ("hai trăm năm mươi hộ", [(250, None, None, "hộ", "=")]),
    ("giải ngân đạt 2.477/10.825 tỷ đồng", [(2.477e12, None, 10.825e12, "đồng", "=")]),
    ("lưu lượng lũ 775,57 m3/s", [(775.57, None, None, "m³/s", "=")]),
    ("tổng vốn 8.200 tỷ đồng bằng vốn ngân sách", [(8.2e12, None, None, "đồng", "=")]),
    # a bare number after a label that names what is counted, in its clause
    ("Tổng số nguyện vọng ĐKXT là 2.494.210, giảm 3,14%.",
     [(2494210, None, None, "nguyện vọng", "="), (3.14, None, None, "%", "=")]),
    ("Tổng số mẫu đã xét nghiệm là 2.452.", [(2452, None, None, "mẫu", "=")]),
]


@pytest.mark.parametrize("text, expected", CASES, ids=[c[0][:40] for c in CASES])
def test_quantity_cases(text, expected):
    got = summary(text)
    assert len(got) == len(expected), got
    for g, e in zip(got, expected):
        assert g[0] == pytest.approx(e[0], rel=1e-9)
        assert (g[1] is None) == (e[1] is None) and (e[1] is None or g[1] == pytest.approx(e[1]))
        assert g[2:] == e[2:]


NOT_QUANTITIES = [
    # dates, years, periods, relative time, times of day
    "Ngày 27/3/2012, Chi cục báo cáo.", "trong 6 tháng đầu năm 2017 toàn tỉnh", "số liệu quý I/2023",
    "10 năm trước doanh nghiệp đã", "trong 7 ngày qua không có ca", "cách đây hơn một năm ông về",
    "sau hơn một năm qua, họ", "Nếu 20 ngày nữa không bán", "lúc 8 giờ sáng", "khoảng 18h hôm qua", "vào 6h30 sáng",
    "tính đến 16 giờ ngày 1/5", "lúc 8 giờ 30 phút", "Chiều 4/2 (25 tháng Chạp), ông về",
    # codes, references, ids, phones, versions
    "theo tiêu chuẩn ISO 9001:2008", "tiêu chuẩn TCVN 5699", "Quyết định số 123/QĐ-UBND",
    "Nghị định 57/2018/NĐ-CP", "bệnh nhân BN2384", "xe biển số 43A-123.45", "gọi 0912 345 678",
    "phiên bản 2.1.3", "gói thầu 5.10 Nhà ga", "tại Km 48+200 tuyến cao tốc",
    # ordinals, levels, labels
    "lần thứ 7", "Đợt 1 cấy được", "nấm sò cấp 1 và cấp 2", "Đại hội khóa XIX", "chứng chỉ B2 (bậc 4)",
    "hạng II", "Khối thi đua II", "phục vụ 24/7", "mạng 4G", "theo Chỉ thị 16", "trạm Hải Vân 2 đã",
    "giống lúa ST 25, chủ ruộng", "loại 2 còn xuống", "Ban Chỉ đạo 24 tỉnh Thanh Hóa đã",
    # bare numbers and vague amounts
    "Nam Định (1)", "(Lý Nhân 337, Bình Lục 15)", "hàng trăm hộ", "nhiều cơ sở", "hàng chục ngàn doanh nghiệp",
    "vài ba người", "một nửa số hộ", "trả tối thiểu 1/10 tổng kinh phí", "cho khoảng 1/3 dân số Hà Nội",
    "Chỉ một tỷ lệ nhỏ trái chủ", "bệnh nhân Covid - 19 sức khỏe ổn định", "đại hội đồng cổ đông 2021 mới đây",
    "năm 2017, 2018 lần lượt là", "quy hoạch chi tiết tỷ lệ 1/500 khu đô thị",
    "Số tài khoản: 000170406123456.", "- Hà Nội: 73\n- Hưng Yên: 34",
    # một as an article or "per"
    "một doanh nghiệp", "một tài xế", "Một vụ trừ hết", "lợi nhuận trên một ha lúa", "một số nông dân",
    "Hành hương khô có năm người dân bán với giá cao nhưng năm nay",
]


@pytest.mark.parametrize("text", NOT_QUANTITIES)
def test_not_quantities(text):
    assert summary(text) == []


def test_bare_numbers_of_a_list_take_the_count_its_heading_names():
    text = ("Tổng số người tiếp xúc gần đang được theo dõi (cách ly): 40.846, trong đó:\n"
            "- Cách ly tập trung tại bệnh viện: 514\n- Cách ly tại nhà, nơi lưu trú: 14.972\n"
            "Về tình hình điều trị:\n- Số ca âm tính với SARS-CoV-2:\n+ Lần 1: 13\n+ Lần 2: 15\n"
            "- Số ca tử vong: 35 ca.")
    assert [(q[0], q[3]) for q in summary(text)] == [
        (40846, "người"), (514, "người"), (14972, "người"), (13, "ca"), (15, "ca"), (35, "ca")]
    # a list under a heading that names no count stays bare numbers (spec: not quantities)
    assert summary("Các địa phương ghi nhận:\n- Hà Nội: 73\n- Hưng Yên: 34") == []


def test_unit_word_inside_a_longer_noun_is_a_count():
    # "đồng đội" (teammates) is not money
    assert summary("Trung cùng 11 đồng đội được gọi lên") == [(11, None, None, "đồng đội", "=")]


def test_per_mot_joins_the_rate():
    assert summary("nâng tiền lời lên 35 triệu đồng một ha.") == [(35e6, None, None, "đồng/ha", "=")]


def test_qualifier_does_not_carry_to_next_list_item():
    assert [q for *_, q in summary("có trên 20 hộ, 15 hộ nghèo")] == [">", "="]


@pytest.mark.parametrize("text, quantity, item", [
    ("đã sản xuất được 8.069 hộp trà giảo cổ lam thành phẩm, tiêu thụ được trên 8.000 hộp",
     "8.069 hộp", "trà giảo cổ lam thành phẩm"),
    ("thu mua được 1.511 kg nguyên liệu nghệ vàng tươi; tổ chức", "1.511 kg", "nguyên liệu nghệ vàng tươi"),
    ("theo Nghị định với tổng số tiền phạt 198 triệu đồng; đồng thời", "198 triệu đồng", "tiền phạt"),
    ("kiểm tra tại 29 cơ sở sản xuất, kinh doanh với 29 lượt", "29 cơ sở", "sản xuất, kinh doanh"),
    ("Số lượng viên chức cấp tỉnh và huyện là 20.272 người thì", "20.272 người", "viên chức cấp tỉnh và huyện"),
    ("Trong số này có 1.811 lao động nông thôn được hỗ trợ học nghề theo chính sách",
     "1.811 lao động", "lao động nông thôn được hỗ trợ học nghề"),
    ("đã cập nhật được 259 tin, bài; viết", "259 tin, bài", None),
    ("bà H.T.L.V. trả 2 đợt với số tiền 410 triệu đồng; bà N.", "410 triệu đồng", "số tiền bà H.T.L.V. trả"),
    ("tuyển dụng 285 người vào các đơn vị hành chính, sự nghiệp; thông qua", "285 người",
     "vào các đơn vị hành chính, sự nghiệp"),
    ("Ông Nguyễn Liêm (69 tuổi ở xã Cát Hải)", "69 tuổi", "Ông Nguyễn Liêm"),
    ("giá cao hơn thị trường 1.000 đồng mỗi kg", "1.000 đồng mỗi kg", "giá cao hơn thị trường"),
    ("tăng 0,29% so với cùng kỳ năm 2016.", "0,29%", "so với cùng kỳ năm 2016"),
])
def test_items(text, quantity, item):
    by_text = {q.text: q for q in quantities(text)}
    assert by_text[quantity].item == item


def test_dimensions_and_base_values():
    qs = quantities("thu 1,5 tấn lúa, 3 ha đất, 2 lít dầu, 5 km đường, 105 tạ/ha, 20% hộ, 3 ngày, 12 hộp")
    got = [(q.dimension, q.base_value, q.base_unit) for q in qs]
    assert got == [
        ("mass", 1500, "kg"), ("area", 30000, "m²"), ("volume", pytest.approx(0.002), "m³"),
        ("length", 5000, "m"), ("rate", pytest.approx(1.05), "kg/m²"), ("percent", 20, "%"),
        ("duration", None, None), ("count", None, None),
    ]


# ---------------------------------------------------------------- robustness


_ALPHABET = st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyAĐHKM0123456789.,;:%/-–()[]\"“”…\n ")
                            + ["\u00a0", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323", "\u200b", "🙂", "ẞ", "İ",
                               " triệu ", " tỷ ", " đồng", " ha", " người", " khoảng ", " hơn ", " gấp ", "năm "])


@given(st.lists(_ALPHABET, max_size=40).map("".join))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_text_never_crashes_and_offsets_slice_back(text):
    qs, _ = find_quantities(text)
    for q in qs:
        assert text[q.start:q.end] == q.text
        assert q.start < q.end
        assert q.qualifier in "=<>~"


@given(st.text(max_size=80))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_unicode_never_crashes(text):
    qs, _ = find_quantities(text, None)
    for q in qs:
        assert text[q.start:q.end] == q.text


def test_nfd_text_gives_the_same_quantities():
    text = "Trong 6 tháng đầu năm 2017, Chi cục kiểm tra 29 cơ sở, thu hồi khoảng 1,5 tỷ đồng và 300 kg hàng hoá."
    nfd = unicodedata.normalize("NFD", text)
    a, b = summary(text), summary(nfd)
    assert a == b and len(a) == 3


# ---------------------------------------------------------------- the dev gold


def _dev_docs():
    gold_dir = need_shared(DEV_GOLD)
    for path in sorted(gold_dir.glob("*.gold.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        text = clean_text((gold_dir / gold["text_file"]).read_text(encoding="utf-8"))
        yield path.name, gold, text


def test_dev_gold_not_quantities_are_never_predicted():
    """Every not_quantities string of the dev gold: no predicted quantity overlaps any occurrence."""
    checked = 0
    for name, gold, text in _dev_docs():
        qs = quantities(text)
        for nq in gold.get("not_quantities", []):
            occurrences = [m.span() for m in re.finditer(re.escape(nq), text)]
            assert occurrences, f"{name}: {nq!r} not in text"
            for s, e in occurrences:
                hits = [q.text for q in qs if q.start < e and s < q.end]
                assert not hits, f"{name}: {nq!r} is (part of) predicted {hits}"
            checked += 1
    assert checked >= 40


def _matches(q, g) -> bool:
    def close(a, b):
        return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 1e-6 * max(abs(b), 1))

    def norm(s):
        return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFC", s).casefold()).strip()

    units = {norm(u) for u in [g["unit_of_measure"], *g.get("unit_of_measure_aliases", [])]}
    return (close(q.value, g["value"]) and close(q.value_max, g["value_max"]) and close(q.total, g["total"])
            and norm(q.unit_of_measure or "") in units)


def test_dev_gold_quantities_f1_floor():
    """Micro F1 over the dev gold stays at or above the project's 0.97 target, and 0.90 per document."""
    tp = npred = ngold = 0
    for name, gold, text in _dev_docs():
        qs = quantities(text)
        free = list(gold["quantities"])
        hits = 0
        for q in qs:
            for i, g in enumerate(free):
                if _matches(q, g):
                    hits += 1
                    del free[i]
                    break
        f1 = 2 * hits / (len(qs) + len(gold["quantities"]))
        assert f1 >= 0.90, f"{name}: F1 {f1:.3f}"
        tp, npred, ngold = tp + hits, npred + len(qs), ngold + len(gold["quantities"])
    assert 2 * tp / (npred + ngold) >= 0.97


# ---------------------------------------------------------------- round 3: rules checked on unseen articles


@pytest.mark.parametrize("text, expected", [
    # punctuation between a name and a number parts them: the number is no label of the name
    ("Ông Trần Văn Bình, 62 tuổi, sống ở xã bên.", [(62, None, None, "tuổi", "=")]),
    ("Theo bà Lan, 3 trường hợp đã xuất viện.", [(3, None, None, "trường hợp", "=")]),
    ("Bắc Giang: 12 ca bệnh mới trong ngày.", [(12, None, None, "ca bệnh", "=")]),
    # an acronym naming a group in a breakdown, then a known counted noun: the count stands
    ("bậc THCS 1.204 người, bậc THPT 87 người.", [(1204, None, None, "người", "="), (87, None, None, "người", "=")]),
    # the southern land unit công, and công in compounds is no unit
    ("Nhà tôi trồng 4 công lúa, thuê thêm 12 công nhân.", [(4, None, None, "công", "="), (12, None, None, "công nhân", "=")]),
    # a typo gluing a known counted noun to its number
    ("Đoàn đã kiểm tra 9cơ sở kinh doanh.", [(9, None, None, "cơ sở", "=")]),
    ("với tổng số 120 hộ tương ứng 415 nhân khẩu.", [(120, None, None, "hộ", "="), (415, None, None, "nhân khẩu", "=")]),
    # lên đến / lên tới report the figure (=) and stay out of the span
    ("công suất phòng lên tới 70-75% vào cuối tuần", [(70, 75, None, "%", "=")]),
    # a bound inside a range: từ A đến trên B is one range
    ("lương từ 6 đến trên 9 triệu đồng", [(6e6, 9e6, None, "đồng", "=")]),
    # spelled một with a length of time after sau / mất measures the time
    ("Sau một tuần thi công, cầu đã thông xe.", [(1, None, None, "tuần", "=")]),
])
def test_round3_cases(text, expected):
    got = summary(text)
    assert [(v, vm, t, u, q) for v, vm, t, u, q in got] == expected, got


@pytest.mark.parametrize("text", [
    "Hàng cây xanh được trồng ở hai bên đường.",        # both sides, not a count
    "kè đá hai bờ sông và cả hai hướng tuyến",          # both banks / directions
    "Siêu thị 0 đồng mở cửa cho người nghèo.",          # free of charge: a label
    "Trong hai ngày mùng 2 và mùng 3 Tết, lãnh đạo",    # the days named: a period
    "Trong 3 ngày nghỉ lễ 2/9, du khách",               # a holiday: a period
    "văn bằng 2 khối ngành kinh tế",                    # văn bằng 2 = a second degree
    "diễn ra đêm 23 tháng chạp tại sân đình",           # a lunar date
    "tuyến đường 19 tháng 5 được mở rộng",              # a date naming a street
    "Bệnh nhân cho biết trước đó 5 ngày có đi chợ.",    # relative time
])
def test_round3_not_quantities(text):
    assert summary(text) == []


def test_a_known_count_after_a_proper_name_stays_a_label():
    # "Hải Vân 2" and per-place breakdowns are still no quantities
    assert summary("hầm Hải Vân 2 thông xe; (Lý Nhân 337, Bình Lục 15)") == []


def test_a_spelled_number_in_capitals_is_a_code_in_ordinary_text():
    assert summary("Các mã HQC, HAI hôm nay vẫn giảm sàn.") == []
    assert summary("Hai người bị thương.") == [(2, None, None, "người", "=")]


@pytest.mark.parametrize("text, qtext, value", [
    ("Tổng kinh phí hỗ trợ là 15,4 triệu, do ngân sách tỉnh chi trả.", "15,4 triệu", 15_400_000),
    ("Doanh thu năm nay đạt 2 tỷ, tăng 10%.", "2 tỷ", 2_000_000_000),
    ("Số tiền phạt hơn 200 triệu.", "hơn 200 triệu", 200_000_000),
])
def test_money_without_dong_in_a_money_clause(text, qtext, value):
    qs = [q for q in find_quantities(text)[0] if q.text == qtext]
    assert len(qs) == 1, [q.text for q in find_quantities(text)[0]]
    assert (qs[0].value, qs[0].unit_of_measure, qs[0].base_unit) == (value, "đồng", "đồng")


@pytest.mark.parametrize("text", [
    "Dân số của tỉnh khoảng 1,2 triệu, mật độ cao.",   # people, not money: no money word in the clause
    "Thành phố đón 2 triệu lượt khách.",                # a counted noun follows
])
def test_millions_outside_money_clauses_are_not_money(text):
    assert all(q.unit_of_measure != "đồng" for q in find_quantities(text)[0])


@pytest.mark.parametrize("text, expected", [
    # a space lost between a word and its number (pasted datelines, joined paragraphs)
    ("Content: Hà Nội40 cựu chiến binh Đồn 33 về thăm.", [(40, None, None, "cựu chiến binh", "=")]),
    ("Đồng Nai5 ôtô tông liên hoàn trên cao tốc.", [(5, None, None, "ôtô", "=")]),
    ("Kiểm toán nhà nước đóng góp (chiếm tỷ lệ0,49%).", [(0.49, None, None, "%", "=")]),
])
def test_a_number_glued_to_the_word_before_it(text, expected):
    assert summary(text) == expected


@pytest.mark.parametrize("text", [
    "bệnh nhân BN2384 đã khỏi bệnh",     # a code glues its number to capitals
    "Điện thoại: 028-3930.6262",         # a leading zero and three digits: a phone number
    "Số tài khoản: 000170406123456 Nội dung chuyển khoản",
])
def test_codes_phones_and_accounts_are_no_quantities(text):
    assert summary(text) == []


def test_the_chi_of_gold_is_a_mass_and_only_otherwise():
    assert summary("mở bán với các trọng lượng từ 1 chỉ, 2 chỉ, 5 chỉ…") == [
        (1, None, None, "chỉ", "="), (2, None, None, "chỉ", "="), (5, None, None, "chỉ", "=")]
    qs = quantities("doanh nghiệp mua 44 chỉ vàng 9999 để tặng công nhân")
    assert [(q.value, q.unit_of_measure, q.base_unit) for q in qs] == [(44, "chỉ", "kg")]
    assert abs(qs[0].base_value - 0.165) < 1e-9
    assert summary("Có 3 người chỉ có 2 người đi làm.") == [(3, None, None, "người", "="), (2, None, None, "người", "=")]


@pytest.mark.parametrize("text, expected", [
    ("thụ án ba năm rưỡi cho đến khi được ân xá.", [(3.5, None, None, "năm", "=")]),
    ("thu được 2 tấn rưỡi lúa", [(2.5, None, None, "tấn", "=")]),
    ("tăng trưởng âm 23% so với cùng kỳ", [(-23, None, None, "%", "=")]),
    ("có 12 người âm tính", [(12, None, None, "người", "=")]),
])
def test_and_a_half_after_the_unit_and_negative_numbers(text, expected):
    assert summary(text) == expected


@pytest.mark.parametrize("text, expected", [
    # phone, computer and energy news: symbols glued or spaced, after a product's name too
    ("Máy có RAM 8GB, bộ nhớ 256 GB và pin 5.000mAh.",
     [(8, None, None, "GB", "="), (256, None, None, "GB", "="), (5000, None, None, "mAh", "=")]),
    ("Galaxy S24 có màn hình 6,2 inch, tần số quét 120Hz và camera 50MP.",
     [(6.2, None, None, "inch", "="), (120, None, None, "Hz", "="), (50, None, None, "MP", "=")]),
    ("Sạc nhanh 67W, chip 3nm chạy ở 3,2GHz, mạng 150Mbps.",
     [(67, None, None, "W", "="), (3, None, None, "nm", "="), (3.2, None, None, "GHz", "="),
      (150, None, None, "Mbps", "=")]),
    ("Camera chính 12 megapixel, gói cước 10 GB/tháng.",
     [(12, None, None, "MP", "="), (10, None, None, "GB/tháng", "=")]),
    ("Doanh thu đạt 1.000 tỷ won.", [(1e12, None, None, "KRW", "=")]),
])
def test_digital_electrical_and_optical_units(text, expected):
    assert summary(text) == expected


def test_metric_lengths_and_masses_of_small_things_have_a_base():
    (chip,), (dose,) = quantities("Chip 5nm."), quantities("Mỗi viên chứa 25mcg.")
    assert (chip.base_unit, chip.base_value) == ("m", pytest.approx(5e-9))
    assert (dose.base_unit, dose.base_value) == ("kg", pytest.approx(2.5e-8))


# ---------------------------------------------------------------- found by error analysis of held-out CV
# predictions over train+dev (never the test split)

@pytest.mark.parametrize("text, expected", [
    # a borrowed noun the tagger calls foreign, and a counted acronym, are counted nouns
    ("Máy có cụm 3 camera ở mặt lưng.", [(3, None, None, "camera", "=")]),
    ("Máy hỗ trợ 2 SIM vật lý.", [(2, None, None, "sim", "=")]),
    # ... but a model's Roman numeral is not
    ("Xperia 5 III có cấu hình mạnh mẽ.", []),
    # `mã` after a number counts stock codes even where the tagger calls it a verb
    ("Thị trường có 440 mã tăng giá.", [(440, None, None, "mã", "=")]),
    # an age written before its number, alone or as a range
    ("Ông qua đời ở tuổi 48, tại quê nhà.", [(48, None, None, "tuổi", "=")]),
    ("Khách mua sắm online ở độ tuổi 18-29.", [(18, 29, None, "tuổi", "=")]),
    # `đầu` after a duration does not make it relative time
    ("Trẻ cần được tiêm trong 24 giờ đầu.", [(24, None, None, "giờ", "=")]),
    # a percentage stays a share even when written per year
    ("Lãi suất tăng 8%/năm.", [(8, None, None, "%", "=")]),
    ("Giá tăng khoảng 7% mỗi năm.", [(7, None, None, "%", "~")]),
    # the thousands said once for both ends of a range
    ("Giá khoảng 250-280.000 đồng/kg.", [(250000, 280000, None, "đồng/kg", "~")]),
    ("Có từ 2 - 10.000 người tham gia.", [(2, 10000, None, "người", "=")]),
    ("Thiên hà cách 55 triệu năm ánh sáng.", [(55e6, None, None, "năm ánh sáng", "=")]),
    ("Vụ nổ bao phủ 100.000 km vuông.", [(100000, None, None, "km²", "=")]),
])
def test_cases_found_on_held_out_predictions(text, expected):
    assert summary(text) == expected


def test_bare_millions_are_dong_where_the_document_counts_in_dong():
    text = 'Bị cáo nhận 27 tỷ đồng, sau đó khai thêm hơn 15 tỷ nữa. "Tôi mất hơn 200 triệu", Sang nói.'
    assert summary(text) == [(27e9, None, None, "đồng", "="), (15e9, None, None, "đồng", ">"),
                             (200e6, None, None, "đồng", ">")]
    # with no amount in đồng anywhere, a bare million is not read as money
    assert summary('"Tôi mất hơn 200 triệu", Sang nói.') == []
