"""Vietnamese dates as written on news pages → ISO 8601.

Vietnamese always writes the day first (``07/02/2024`` is 7 February), which
generic date finders trained on English pages get wrong for days ≤ 12. Forms
seen on provincial portals and national papers::

    ngày 12 tháng 3 năm 2024          → 2024-03-12
    12/03/2024 10:15                  → 2024-03-12T10:15:00+07:00
    Thứ hai, 7/2/2024, 23:41 (GMT+7)  → 2024-02-07T23:41:00+07:00
    Thứ sáu - 15/01/2021 09:30        → 2021-01-15T09:30:00+07:00
    15-01-2021                        → 2021-01-15
    Cập nhật: 08:30 ngày 05/06/2023   → 2023-06-05T08:30:00+07:00

A time of day makes the result a datetime with a UTC offset: the one written
on the page (``GMT+7``, ``+07:00``) or Vietnam's (+07:00, no daylight saving)
when none is written. A date alone stays a date.

>>> parse_date("Thứ sáu - 15/01/2021 09:30")
'2021-01-15T09:30:00+07:00'
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

# Vietnam has used UTC+7 without daylight saving since 1975.
VIETNAM_OFFSET = timezone(timedelta(hours=7))

# Years outside this window are page furniture (copyright ranges, phone
# numbers split by dots), not publication dates.
MIN_YEAR, MAX_YEAR = 1990, 2100

_D = r"(?P<d>[0-3]?\d)"
_M = r"(?P<m>[01]?\d)"
_Y = r"(?P<y>(?:19|20|21)\d\d)"

# Each form names its groups d, m, y; the numeric form requires the same
# separator twice so that "1/2-2024" or a fraction followed by a year is no date.
_DATE_FORMS = [
    # ISO first: 2024-03-12, possibly with its own time and offset (meta tags, <time datetime>).
    re.compile(r"(?<!\d)" + _Y + r"-(?P<m>[01]\d)-(?P<d>[0-3]\d)"
               r"(?:[T ](?P<H>[0-2]\d):(?P<Mi>[0-5]\d)(?::(?P<S>[0-5]\d)(?:\.\d+)?)?"
               r"(?P<tz>Z|[+-][01]\d:?[0-5]\d)?)?(?!\d)"),
    # ngày 12 tháng 3 năm 2024 / 12 tháng 03, 2024 / ngày 12 tháng 3/2024
    re.compile(r"(?<!\d)" + _D + r"\s+tháng\s+" + _M + r"(?:\s*(?:,|/)\s*|\s+)(?:năm\s+)?" + _Y + r"(?!\d)",
               re.IGNORECASE),
    # 12/03/2024, 15-01-2021, 15.01.2021
    re.compile(r"(?<![\d/.\-])" + _D + r"\s?(?P<sep>[/.\-])\s?" + _M + r"\s?(?P=sep)\s?" + _Y + r"(?![\d/])"),
]

# A time of day: 09:30, 9:30:15, 09h30, 9 giờ 30, with an optional AM/PM in
# English or Vietnamese (SA = sáng, CH = chiều on Vietnamese-locale sites).
_TIME = (r"(?P<H>[0-2]?\d)\s*(?::|h|g|giờ)\s*(?P<Mi>[0-5]\d)(?:\s*(?::|phút)\s*(?P<S>[0-5]\d))?"
         r"(?:\s*(?P<ampm>AM|PM|SA|CH|sáng|chiều|tối)\b)?")
_OFFSET = r"\s*\(?\s*(?:GMT|UTC)\s*(?P<off>[+-]\s*\d{1,2})(?::?(?P<offm>\d\d))?\s*\)?"
# Between a date and a time that follows it: commas, dashes, bars, "lúc".
_TIME_AFTER = re.compile(r"^[\s,|\-–—]*(?:lúc\s+)?" + _TIME + r"(?:" + _OFFSET + r")?", re.IGNORECASE)
# A time before its date: "08:30 ngày 05/06/2023", "09:30 | 15/01/2021".
_TIME_BEFORE = re.compile(_TIME + r"(?:" + _OFFSET + r")?[\s,|\-–—]*(?:ngày\s*)?$", re.IGNORECASE)


# Words that open a publication date line on Vietnamese pages: a label or
# the weekday NukeViet and most papers print before the date.
DATE_LABELS = (
    "cập nhật", "ngày đăng", "đăng ngày", "đăng lúc", "đăng tải", "ngày xuất bản", "xuất bản",
    "thời gian đăng", "ngày cập nhật", "thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu",
    "thứ bảy", "chủ nhật", "published", "updated", "posted",
)
_LABEL = re.compile(r"^\W*(?:" + "|".join(re.escape(label) for label in DATE_LABELS) + r")\b", re.IGNORECASE)


def has_date_label(text: str) -> bool:
    """Whether a line opens like a publication date (``Cập nhật: …``, ``Thứ sáu - …``).

    >>> has_date_label("Cập nhật: 08:30 ngày 05/06/2023"), has_date_label("Ngày 5/6, tỉnh …")
    (True, False)
    """
    return bool(_LABEL.match(unicodedata.normalize("NFC", text)))


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date found in a string: its ISO 8601 value and where it was written."""
    iso: str
    start: int
    end: int
    has_time: bool


def _offset(hours: str | None, minutes: str | None) -> timezone:
    if hours is None:
        return VIETNAM_OFFSET
    sign = -1 if hours.strip().startswith("-") else 1
    delta = timedelta(hours=abs(int(hours.replace(" ", ""))), minutes=int(minutes or 0))
    return timezone(sign * delta)


def _hour(hour: int, ampm: str | None) -> int:
    if not ampm:
        return hour
    ampm = ampm.lower()
    if ampm in ("pm", "ch", "chiều", "tối") and hour < 12:
        return hour + 12
    if ampm in ("am", "sa", "sáng") and hour == 12:
        return 0
    return hour


def _iso(day: date, time_match: re.Match | None, tz: timezone | None) -> str | None:
    if time_match is None:
        return day.isoformat()
    hour = _hour(int(time_match["H"]), time_match.groupdict().get("ampm"))
    if hour > 23:
        return day.isoformat()
    moment = datetime(day.year, day.month, day.day, hour, int(time_match["Mi"]),
                      int(time_match["S"] or 0), tzinfo=tz or VIETNAM_OFFSET)
    return moment.isoformat()


def _iso_tz(text: str) -> timezone:
    if text == "Z":
        return timezone.utc
    text = text.replace(":", "")
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(text[1:3]), minutes=int(text[3:5])))


def find_dates(text: str) -> list[DateMention]:
    """Every valid date in ``text``, in text order, with the time next to it if any.

    Offsets point into the NFC form of ``text`` (pages may send decomposed
    Vietnamese; ``clean_text`` gives the same NFC form).

    >>> [d.iso for d in find_dates("Cập nhật: 08:30 ngày 05/06/2023; đăng 7/2/2024")]
    ['2023-06-05T08:30:00+07:00', '2024-02-07']
    """
    text = unicodedata.normalize("NFC", text)
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for form in _DATE_FORMS:
        for match in form.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            try:
                day = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:  # 31/02, 13th month: not a date
                continue
            if not MIN_YEAR <= day.year <= MAX_YEAR:
                continue
            groups = match.groupdict()
            if groups.get("H"):
                # ISO with its own time (and maybe offset): keep both as written.
                tz = _iso_tz(groups["tz"]) if groups.get("tz") else VIETNAM_OFFSET
                iso = _iso(day, match, tz)
                has_time = True
            else:
                time_match, tz = None, None
                after = _TIME_AFTER.match(text[end:end + 40])
                if after:
                    time_match = after
                    tz = _offset(after["off"], after["offm"]) if after["off"] else None
                    end += after.end()
                else:
                    window_start = max(0, start - 40)
                    before = _TIME_BEFORE.search(text[window_start:start])
                    if before:
                        time_match = before
                        tz = _offset(before["off"], before["offm"]) if before["off"] else None
                        start = window_start + before.start()
                iso = _iso(day, time_match, tz)
                has_time = time_match is not None
            found.append(DateMention(iso, start, end, has_time))
            taken.append(match.span())
    found.sort(key=lambda m: m.start)
    return found


def parse_date(text: str | None) -> str | None:
    """The first date written in ``text`` as ISO 8601, or None.

    >>> parse_date("ngày 12 tháng 3 năm 2024")
    '2024-03-12'
    >>> parse_date("Thứ hai, 7/2/2024, 23:41 (GMT+7)")
    '2024-02-07T23:41:00+07:00'
    """
    if not text:
        return None
    dates = find_dates(text)
    return dates[0].iso if dates else None


def same_day(a: str | None, b: str | None) -> bool:
    """Whether two ISO 8601 values name the same calendar day (times ignored)."""
    return bool(a and b and a[:10] == b[:10])


def is_day_month_swap(candidate: str | None, vietnamese: str | None) -> bool:
    """Whether ``candidate`` is ``vietnamese`` read month-first (2024-07-02 vs 2024-02-07).

    htmldate and other English-trained finders read ``07/02/2024`` as July 2nd;
    a Vietnamese page means 7 February.
    """
    if not candidate or not vietnamese or len(candidate) < 10 or len(vietnamese) < 10:
        return False
    y1, m1, d1 = candidate[:10].split("-")
    y2, m2, d2 = vietnamese[:10].split("-")
    return y1 == y2 and m1 == d2 and d1 == m2 and m1 != d1
