"""Reporting periods, relative time and dates (spec sections 1 and 6)."""
from __future__ import annotations

import json
import unicodedata

import pytest

from conftest import DEV_GOLD, need_shared
from extractors.periods import document_period, find_dates, find_periods


def only(text: str):
    found = find_periods(text)
    assert len(found) == 1, found
    s, e, p = found[0]
    assert text[s:e] == p.text
    return p


@pytest.mark.parametrize("text, expr, start, end", [
    ("Trong 6 tháng đầu năm 2017, Sở đã", "6 tháng đầu năm 2017", "2017-01-01", "2017-06-30"),
    ("kết quả 9 tháng đầu năm 2020", "9 tháng đầu năm 2020", "2020-01-01", "2020-09-30"),
    ("trong 6 tháng cuối năm 2019", "6 tháng cuối năm 2019", "2019-07-01", "2019-12-31"),
    ("số liệu quý I/2023 cho thấy", "quý I/2023", "2023-01-01", "2023-03-31"),
    ("trong quý 4 năm 2024", "quý 4 năm 2024", "2024-10-01", "2024-12-31"),
    ("kế hoạch năm 2022 của tỉnh", "năm 2022", "2022-01-01", "2022-12-31"),
    ("báo cáo tháng 8/2011", "tháng 8/2011", "2011-08-01", "2011-08-31"),
    ("trong tháng 3 năm 2012", "tháng 3 năm 2012", "2012-03-01", "2012-03-31"),
    ("tháng 2-2024", "tháng 2-2024", "2024-02-01", "2024-02-29"),
    ("giai đoạn 2021 - 2030", "giai đoạn 2021 - 2030", "2021-01-01", "2030-12-31"),
    ("Từ năm 2016 đến 2020, tỉnh", "Từ năm 2016 đến 2020", "2016-01-01", "2020-12-31"),
    ("vụ đông xuân năm 2020-2021, toàn xã", "vụ đông xuân năm 2020-2021", "2020-10-01", "2021-06-30"),
])
def test_dated_periods(text, expr, start, end):
    p = only(text)
    assert (p.text, p.start, p.end) == (expr, start, end)


@pytest.mark.parametrize("text, expr", [
    ("cách đây hơn một năm, ông", "cách đây hơn một năm"),
    ("10 năm trước doanh nghiệp", "10 năm trước"),
    ("trong 7 ngày qua, cả nước", "trong 7 ngày qua"),
    ("sau hơn một năm qua, 4 cá nhân", "hơn một năm qua"),
    ("Nếu 20 ngày nữa số hành này", "20 ngày nữa"),
    ("2 năm vừa rồi, cây hành", "2 năm vừa rồi"),
    ("trong 6 tháng cuối năm, Sở", "6 tháng cuối năm"),
    ("giá năm nay thấp", "năm nay"),
])
def test_relative_and_undated_periods(text, expr):
    p = only(text)
    assert p.text == expr
    assert p.start is None and p.end is None


def test_offsets_hold_on_nfd_and_old_tone_marks():
    text = unicodedata.normalize("NFD", "Báo cáo quý II/2023 và giai đoạn 2021 - 2025")
    found = find_periods(text)
    assert [p.start for _, _, p in found] == ["2023-04-01", "2021-01-01"]
    for s, e, p in found:
        assert text[s:e] == p.text


def test_dates_are_not_periods():
    text = "Ngày 27/3/2012, Chi cục báo cáo; Quyết định số 1956/QĐ-TTg ngày 27/11/2009."
    assert [text[s:e] for s, e in find_dates(text)] == ["Ngày 27/3/2012", "ngày 27/11/2009"]
    assert find_periods(text) == []


def test_parts_are_not_dates():
    assert find_dates("đã có 14/14 tập thể và 61/62 cá nhân") == []


@pytest.mark.parametrize("text, expected", [
    ("Kết quả 6 tháng đầu năm 2017\n\nNăm 2017, Sở đã làm.", "6 tháng đầu năm 2017"),
    ("UBND tỉnh phê duyệt 20 đề án khuyến công năm 2017\n\nNội dung.", "năm 2017"),
    ("Nông dân được mùa.\nBộ kỳ vọng đến năm 2030 có một triệu nông dân.", None),
])
def test_document_period(text, expected):
    p = document_period(text)
    assert (p.text if p else None) == expected


def test_dev_gold_document_periods():
    """Where the dev gold states a period with dates, the document period agrees on them."""
    gold_dir = need_shared(DEV_GOLD)
    checked = 0
    for path in sorted(gold_dir.glob("*.gold.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        expected = gold.get("period")
        if not expected or not expected.get("start"):
            continue
        text = (gold_dir / gold["text_file"]).read_text(encoding="utf-8")
        exprs = {(p.start, p.end) for _, _, p in find_periods(text)}
        assert (expected["start"], expected["end"]) in exprs, path.name
        checked += 1
    assert checked >= 4


def test_a_year_opening_the_lead_is_the_documents_period():
    title = "Trung tâm tiêu thụ 8.000 hộp trà\n\n"
    lead = "Sản phẩm ngày càng được tin dùng.\nNăm 2020, Trung tâm đã tiêu thụ 8.000 hộp.\nTrung tâm thu mua 2.400 kg."
    p = document_period(title + lead)
    assert p is not None and (p.start, p.end) == ("2020-01-01", "2020-12-31")
    # deeper in the body, or not a fronted adverbial, a year is no document period
    assert document_period(title + "A.\nB.\nC.\nNăm 2020, Sở đã làm.") is None
    assert document_period(title + "Năm 2020 là năm khó khăn.") is None
