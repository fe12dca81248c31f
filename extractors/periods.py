"""Reporting periods and other time expressions (spec sections 1 and 6).

``find_periods(text)`` gives every period expression with its offsets and, when
the text fixes it, its first and last day:

    6 tháng đầu năm 2017 → 2017-01-01 … 2017-06-30
    quý I/2023 → 2023-01-01 … 2023-03-31        năm 2022 → 2022-01-01 … 2022-12-31
    tháng 8/2011, tháng 3 năm 2012 → the month  giai đoạn 2021 - 2030 → 2021-01-01 … 2030-12-31
    vụ đông xuân năm 2020-2021 → the crop season (see data/period_words.json)

Relative time (``10 năm trước``, ``trong 7 ngày qua``, ``cách đây hơn một năm``,
``năm nay``) is a period too, with unknown dates.  ``find_dates`` gives calendar
dates (``27/3/2012``, ``ngày 19/4``), which are neither periods nor quantities.
``document_period`` picks the period a whole article reports on.

>>> [(p.text, p.start, p.end) for _, _, p in find_periods("Trong 6 tháng đầu năm 2017, quý I/2023")]
[('6 tháng đầu năm 2017', '2017-01-01', '2017-06-30'), ('quý I/2023', '2023-01-01', '2023-03-31')]
"""
from __future__ import annotations

import calendar
import re
from functools import lru_cache

from .mentions import Period
from .numbers import fold, fold_word, load_data, parse_spelled
from .record_cues import trie_pattern

_YEAR = r"(?:19|20)\d{2}"
_DASH = r"\s*[-–—]\s*"


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern, re.Pattern | None]]:
    d = load_data("period_words.json")
    seasons = "|".join(sorted((re.escape(fold_word(s)) for s in d["seasons"]), key=len, reverse=True))
    # (as a tree of letters: the pattern opens with it and is tried at every position, see trie_pattern)
    relative = trie_pattern([fold_word(s) for s in d["relative_words"]], ignore_case=True)
    qual = r"(?:(?:hơn|gần|khoảng|trên|dưới|chưa đầy|chưa đến|ngót|suốt|gần như)\s+)?"
    num = r"(?:\d+(?:,\d+)?|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười(?:\s+(?:một|hai|ba|bốn|lăm|sáu|bảy|tám|chín))?|vài|mấy|nhiều|hàng chục|mươi)"
    unit = r"(?:ngày|tuần|tháng|năm|thập kỷ|thập niên|thế kỷ|giờ|tiếng|quý|mùa|vụ)"
    # A pattern that opens with alternatives (a number or a word) makes the regex engine try
    # every position of the text; where all its matches hold a part that opens with a literal
    # word, that part is looked for first (the engine finds it fast) and a text without it is
    # not scanned with the whole pattern.  (kind, pattern, part every match holds or None)
    pats = [
        # 6 tháng đầu năm 2017, 9 tháng cuối năm
        ("months", rf"(?P<n>\d{{1,2}}|ba|sáu|chín|mười một|mười)\s+tháng\s+(?P<half>đầu|cuối)\s+năm(?:\s+(?P<y>{_YEAR}))?",
         r"tháng\s+(?:đầu|cuối)\s+năm"),
        # quý I/2023, quý 2 năm 2023, quý IV
        ("quarter", rf"quý\s+(?P<q>IV|I{{1,3}}|[1-4]|một|hai|ba|bốn|tư)\b(?:\s*(?:/|-|năm|,\s*năm)\s*(?P<y>{_YEAR}))?", None),
        # vụ đông xuân (năm) 2020-2021
        ("season", rf"vụ\s+(?P<s>{seasons})(?:\s+(?:năm\s+)?(?P<y1>{_YEAR})(?:{_DASH}(?P<y2>{_YEAR}))?)?", None),
        # giai đoạn 2021 - 2030, từ năm 2016 đến (năm) 2020, năm 2020-2021
        ("years", rf"(?:giai đoạn|thời kỳ|nhiệm kỳ|niên khóa|năm học)\s+(?P<y1>{_YEAR}){_DASH}(?P<y2>{_YEAR})",
         rf"{_YEAR}{_DASH}{_YEAR}"),
        ("years", rf"từ\s+năm\s+(?P<y1>{_YEAR})\s+(?:đến|tới)\s+(?:năm\s+)?(?P<y2>{_YEAR})", None),
        ("years", rf"năm\s+(?P<y1>{_YEAR}){_DASH}(?P<y2>{_YEAR})", None),
        # từ tháng 4 đến (tháng) 10 (năm 2020)
        ("monthrange", rf"(?:từ\s+)?tháng\s+(?P<m1>1[0-2]|0?[1-9])\s*(?:đến|tới|-)\s*(?:tháng\s+)?(?P<m2>1[0-2]|0?[1-9])"
                       rf"(?:\s*(?:/|năm)\s*(?P<y>{_YEAR}))?(?![\d/])",
         r"tháng\s+(?:1[0-2]|0?[1-9])\s*(?:đến|tới|-)"),
        # tháng 8/2011, tháng 8-2011, tháng 3 năm 2012, tháng 3
        ("month", rf"tháng\s+(?P<m>1[0-2]|0?[1-9])(?:\s*(?:/|-|\.|năm|,\s*năm)\s*(?P<y>{_YEAR}))?(?![\d/])", None),
        ("year", rf"năm\s+(?P<y>{_YEAR})(?!\d)", None),
        # relative time: 10 năm trước, trong 7 ngày qua, cách đây hơn một năm, 20 ngày nữa
        # (but "10 năm trước khi phẫu thuật" measures the time before an event)
        ("relative", rf"cách đây\s+{qual}{num}\s+{unit}", None),
        ("relative", rf"(?:trong\s+)?{qual}{num}\s+{unit}\s+(?:qua|trước đây|trước đó|trước(?!\s+khi)|vừa qua|vừa rồi|gần đây|nữa|tới|sắp tới|về trước|trở lại đây|sau)\b",
         rf"\s{unit}\s+(?:qua|trước|vừa|gần đây|nữa|tới|sắp tới|về trước|trở lại đây|sau)"),  # (white space leads: fast too)
        ("relative", rf"(?:{relative})(?:\s+{_YEAR})?", None),
    ]
    # patterns are folded like the text (đoạn and đọan must both match)
    return [(kind, re.compile(_word_start(fold_word(p)) + r"(?![\w])", re.IGNORECASE),
             re.compile(fold_word(needed), re.IGNORECASE) if needed else None) for kind, p, needed in pats]


# a pattern's leading literal words ("tháng", "cách đây"), where it has some
_LEADING_WORDS = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)*(?![|?*+{)])")


def _word_start(p: str) -> str:
    """``p`` matched only where no word character or ``/`` comes before it.

    When ``p`` opens with literal words the test goes after them, as a look-behind over the
    words too: the same matches, but the engine then scans for the words' first letter
    instead of testing every position of the text."""
    m = _LEADING_WORDS.match(p)
    if m is None:
        return r"(?<![\w/])" + p
    words = m.group()
    return words + r"(?<![\w/]" + words + ")" + p[m.end():]


def _iso(y: int, m: int, d: int) -> str:
    return f"{y:04d}-{m:02d}-{d:02d}"


def _month_end(y: int, m: int) -> str:
    return _iso(y, m, calendar.monthrange(y, m)[1])


def _small_number(s: str) -> int | None:
    s = s.lower()
    if s.isdigit():
        return int(s)
    parsed = parse_spelled(s.split())
    return int(parsed[0]) if parsed else None


def _dates(kind: str, m: re.Match) -> tuple[str | None, str | None]:
    g = m.groupdict()
    if kind == "months":
        n = _small_number(g["n"])
        if not g.get("y") or not n or n > 12:
            return None, None
        y = int(g["y"])
        if g["half"].lower() == "đầu":
            return _iso(y, 1, 1), _month_end(y, n)
        return _iso(y, 13 - n, 1), _iso(y, 12, 31)
    if kind == "quarter":
        q = load_data("period_words.json")["quarters"].get(g["q"].lower())
        if not g.get("y") or not q:
            return None, None
        y = int(g["y"])
        return _iso(y, 3 * q - 2, 1), _month_end(y, 3 * q)
    if kind == "season":
        if not g.get("y1"):
            return None, None
        seasons = {fold_word(k): v for k, v in load_data("period_words.json")["seasons"].items()}
        start_m, end_m = seasons[g["s"].lower()]
        y1 = int(g["y1"])
        y2 = int(g["y2"]) if g.get("y2") else (y1 + 1 if end_m < start_m else y1)
        if end_m < start_m and not g.get("y2"):
            # "vụ đông xuân 2021" names the harvest year
            y1, y2 = y1 - 1, y1
        return _iso(y1, start_m, 1), _month_end(y2, end_m)
    if kind == "years":
        y1, y2 = int(g["y1"]), int(g["y2"])
        if y2 < y1:
            return None, None
        return _iso(y1, 1, 1), _iso(y2, 12, 31)
    if kind == "monthrange":
        m1, m2 = int(g["m1"]), int(g["m2"])
        if not g.get("y") or m2 < m1:
            return None, None
        y = int(g["y"])
        return _iso(y, m1, 1), _month_end(y, m2)
    if kind == "month":
        if not g.get("y"):
            return None, None
        y, mo = int(g["y"]), int(g["m"])
        return _iso(y, mo, 1), _month_end(y, mo)
    if kind == "year":
        y = int(g["y"])
        return _iso(y, 1, 1), _iso(y, 12, 31)
    return None, None


@lru_cache(maxsize=8)
def _find(text: str) -> list[tuple[int, int, str, Period]]:
    # cached: quantities, records and the document period all ask for the same
    # text's periods; callers copy the list and never change a Period
    f = fold(text)
    found: list[tuple[int, int, str, Period]] = []
    taken: list[tuple[int, int]] = []
    for kind, pat, needed in _patterns():
        if needed is not None and needed.search(f.text) is None:
            continue  # no match can be found without that part
        for m in pat.finditer(f.text):
            a, b = m.span()
            if any(x < b and a < y for x, y in taken):
                continue
            s, e = f.span(a, b)
            start, end = _dates(kind, m)
            found.append((s, e, kind, Period(text=text[s:e], start=start, end=end)))
            taken.append((a, b))
    found.sort(key=lambda t: t[0])
    return found


def find_periods(text: str) -> list[tuple[int, int, Period]]:
    """Every period expression in ``text``: (start, end, Period), in text order.

    Dates are None when the text does not fix them (``6 tháng cuối năm``,
    ``năm nay``, ``10 năm trước``).

    >>> [(s, e, p.start) for s, e, p in find_periods("trong tháng 3 năm 2012")]
    [(6, 22, '2012-03-01')]
    """
    return [(s, e, p) for s, e, _, p in _find(text)]


_DATE = re.compile(
    r"(?<![\w/.,-])(?:(?P<d>[0-3]?\d)[/.-](?P<m>[01]?\d)[/.-](?P<y>(?:19|20)\d{2})"
    r"|(?:ngày|hôm|sáng|chiều|tối|đêm|trưa|rạng sáng|mùng|mồng)\s+(?P<d2>[0-3]?\d)\s*[/-]\s*(?P<m2>[01]?\d)"
    r"(?:\s*[/-]\s*(?P<y2>(?:19|20)\d{2}))?"
    r"|ngày\s+(?P<d3>[0-3]?\d)\s+tháng\s+(?P<m3>[01]?\d)(?:\s+năm\s+(?P<y3>(?:19|20)\d{2}))?"
    r"|(?P<d4>[0-3]?\d)/(?P<m4>[01]?\d)(?=\s*(?:[,.;()]|\s(?:vừa|tới|qua|và|đến|tại|năm|hằng|hàng|,)\b))"
    # 25 tháng Chạp (lunar), 5 tháng 6 năm 2020
    r"|(?:(?<=ngày )|(?<=mùng )|(?<=mồng )|(?<=\()|(?<=, ))?(?P<d5>[0-3]?\d)\s+tháng\s+"
    r"(?:(?-i:(?P<lunar>Giêng|Chạp|Một|Hai|Ba|Tư|Năm|Sáu|Bảy|Tám|Chín|Mười(?: một)?))(?![\w])"
    r"|(?P<m5>[01]?\d)\s+năm\s+(?:19|20)\d{2}"
    # lunar months are written lower-case too (24 tháng chạp); a day then a month number
    # with no year is still a date (đường 23 tháng 8, ngày 30 tháng 4)
    r"|(?P<lunar2>giêng|chạp)|(?P<m6>1[0-2]|0?[1-9])(?!\d|[.,]\d|/|\s*(?:%|tuổi|năm|ngày|tháng|lần))))"
    r"(?![\w/])",
    re.IGNORECASE,
)


def find_dates(text: str) -> list[tuple[int, int]]:
    """(start, end) of calendar dates: ``27/3/2012``, ``ngày 19/4``, ``ngày 5 tháng 6 năm 2020``.

    >>> find_dates("Ngày 27/3/2012, Chi cục")
    [(0, 14)]
    """
    f = fold(text)
    out = []
    for m in _DATE.finditer(f.text):
        g = m.groupdict()
        d = g["d"] or g["d2"] or g["d3"] or g["d4"] or g["d5"]
        mo = g["m"] or g["m2"] or g["m3"] or g["m4"] or g["m5"] or g["m6"] or "1"
        if g["m6"] and int(d) < 13:
            continue  # "6 tháng 2 …" may be six months and a count; from the 13th on it is a day
        if not (1 <= int(d) <= 31 and 1 <= int(mo) <= 12):
            continue
        out.append(f.span(*m.span()))
    return out


_TARGET_BEFORE = re.compile(r"(?:đến|tới|hết|trước|sau|từ|đến hết|định hướng đến)\s*$", re.IGNORECASE)
_REPORT_BEFORE = re.compile(r"(?:trong|báo cáo|sơ kết|tổng kết|kết quả|công tác|thống kê|tính đến|kế hoạch)\b[^.;\n]{0,40}$",
                            re.IGNORECASE)
_SPECIFICITY = {"months": 3, "quarter": 3, "season": 3, "month": 2, "years": 2, "year": 1}


def _opens_lead(text: str, s: int, e: int, first_line_end: int) -> bool:
    """Does the period open one of the two lead paragraphs after the title, as a fronted
    adverbial (``Năm 2020, Trung tâm đã …``)?"""
    line_start = text.rfind("\n", 0, s) + 1
    if line_start <= first_line_end or text[line_start:s].strip() or text[e:e + 1] != ",":
        return False
    lead = [m.start() for m in re.finditer(r"(?m)^(?=\S)", text[first_line_end + 1:])][:2]
    return line_start - first_line_end - 1 in lead


def document_period(text: str) -> Period | None:
    """The period an article reports on: a dated period in the title or lead, or one
    introduced as a report's span (``báo cáo … 6 tháng đầu năm 2017``); targets
    (``đến năm 2030``) and dates of single events are left out.

    >>> document_period("Kết quả 6 tháng đầu năm 2017\\n\\nNăm 2017, Sở đã ...").text
    '6 tháng đầu năm 2017'
    """
    f = fold(text)
    first_line_end = text.find("\n") if "\n" in text else len(text)
    best: tuple[float, int, Period] | None = None
    fo = f.from_original
    for s, e, kind, p in _find(text):
        if kind == "relative" or not p.start:
            continue
        before = f.text[max(0, fo[s] - 50):fo[s]]
        if _TARGET_BEFORE.search(before):
            continue
        score = _SPECIFICITY.get(kind, 0)
        if s < first_line_end:
            score += 3
        elif s < 600:
            score += 1
        if _REPORT_BEFORE.search(before):
            score += 2
        if s < 600 and _opens_lead(text, s, e, first_line_end):
            score += 2  # "Năm 2020, Trung tâm đã …" opening the lead: the year the article reports on
        if score >= 4 and (best is None or score > best[0]):
            best = (score, s, p)
    return best[2] if best else None
