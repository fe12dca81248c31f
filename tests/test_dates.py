"""Vietnamese dates → ISO 8601 (pipeline/dates.py): day first, always; +07:00 with a time."""
from __future__ import annotations

import unicodedata

import pytest

from pipeline.dates import find_dates, has_date_label, is_day_month_swap, parse_date

# (as written on a page, expected ISO 8601); expected values worked out by hand.
FORMS = [
    # the forms of the brief
    ("ngày 12 tháng 3 năm 2024", "2024-03-12"),
    ("12/03/2024 10:15", "2024-03-12T10:15:00+07:00"),
    ("Thứ hai, 7/2/2024, 23:41 (GMT+7)", "2024-02-07T23:41:00+07:00"),
    ("Thứ sáu - 15/01/2021 09:30", "2021-01-15T09:30:00+07:00"),
    ("15-01-2021", "2021-01-15"),
    ("Cập nhật: 08:30 ngày 05/06/2023", "2023-06-05T08:30:00+07:00"),
    # day ≤ 12 and month ≤ 12: day first, never month first
    ("07/02/2024", "2024-02-07"),
    ("3/4/2023", "2023-04-03"),
    ("01/12/2022", "2022-12-01"),
    # other separators and word forms
    ("15.01.2021", "2021-01-15"),
    ("Ngày 5 tháng 11 năm 2019", "2019-11-05"),
    ("NGÀY 05 THÁNG 11 NĂM 2019", "2019-11-05"),
    ("12 tháng 3, 2024", "2024-03-12"),
    ("ngày 12 tháng 3/2024", "2024-03-12"),
    ("Hà Nội, ngày 30 tháng 4 năm 2021", "2021-04-30"),
    # times around the date
    ("Thứ Năm, ngày 05/06/2023 - 14:05", "2023-06-05T14:05:00+07:00"),
    ("ngày 5/6/2023 lúc 8 giờ 30", "2023-06-05T08:30:00+07:00"),
    ("09h30 15/01/2021", "2021-01-15T09:30:00+07:00"),
    ("15/01/2021 | 09:30:45", "2021-01-15T09:30:45+07:00"),
    ("15/1/2021 9:30 PM", "2021-01-15T21:30:00+07:00"),
    ("15/1/2021 9:30 CH", "2021-01-15T21:30:00+07:00"),
    ("15/1/2021 12:10 SA", "2021-01-15T00:10:00+07:00"),
    ("Đăng lúc 16:45, 20/10/2020", "2020-10-20T16:45:00+07:00"),
    # an offset written on the page wins over Vietnam's
    ("05/06/2023 14:05 GMT+9", "2023-06-05T14:05:00+09:00"),
    ("05/06/2023 14:05 (UTC+07:00)", "2023-06-05T14:05:00+07:00"),
    # ISO as in meta tags and <time datetime>
    ("2021-01-15", "2021-01-15"),
    ("2021-01-15T09:30:00+07:00", "2021-01-15T09:30:00+07:00"),
    ("2023-06-05T01:30:00Z", "2023-06-05T01:30:00+00:00"),
    ("2023-06-05 01:30", "2023-06-05T01:30:00+07:00"),
    # the first date of a longer text
    ("Lượt xem: 1.027 - Thứ ba - 07/03/2023 14:20", "2023-03-07T14:20:00+07:00"),
]

NOT_DATES = [
    "",
    "31/02/2024",            # no 31st of February
    "15/13/2021",            # no 13th month
    "1/2",                   # no year
    "tháng 10/2021",         # a month, not a day
    "Quyết định số 123/2024/QĐ-UBND",
    "Điện thoại: 0206.3852.2021",
    "Tỷ lệ 12/25 đạt 48%",
    "01/01/1850",            # outside any publication date
    "Lượt xem: 2.468",
]


@pytest.mark.parametrize("text, expected", FORMS)
def test_vietnamese_date_forms(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", NOT_DATES)
def test_not_dates(text):
    assert parse_date(text) is None


def test_decomposed_input_parses_like_composed():
    text = "Cập nhật: 08:30 ngày 05/06/2023"
    assert parse_date(unicodedata.normalize("NFD", text)) == "2023-06-05T08:30:00+07:00"


def test_find_dates_in_order_with_offsets():
    text = "Ban hành ngày 02/01/2024, có hiệu lực từ ngày 15 tháng 2 năm 2024."
    found = find_dates(text)
    assert [d.iso for d in found] == ["2024-01-02", "2024-02-15"]
    assert text[found[0].start:found[0].end] == "02/01/2024"
    assert text[found[1].start:found[1].end] == "15 tháng 2 năm 2024"
    assert not any(d.has_time for d in found)


def test_time_is_kept_in_the_mention_span():
    text = "Thứ sáu - 15/01/2021 09:30"
    (mention,) = find_dates(text)
    assert mention.has_time and text[mention.start:mention.end] == "15/01/2021 09:30"


def test_day_month_swap_detection():
    assert is_day_month_swap("2024-07-02", "2024-02-07T23:41:00+07:00")
    assert not is_day_month_swap("2024-02-07", "2024-02-07")
    assert not is_day_month_swap("2024-05-05", "2024-05-05")   # same either way
    assert not is_day_month_swap("2023-07-02", "2024-02-07")
    assert not is_day_month_swap(None, "2024-02-07")


@pytest.mark.parametrize("line, expected", [
    ("Cập nhật: 08:30 ngày 05/06/2023", True),
    ("Thứ sáu - 15/01/2021 09:30", True),
    ("Ngày đăng: 12/03/2024", True),
    ("Ngày 5/6, tỉnh tổ chức hội nghị", False),
    ("Năm 2023, sản lượng đạt 12 tấn", False),
])
def test_date_labels(line, expected):
    assert has_date_label(line) is expected
