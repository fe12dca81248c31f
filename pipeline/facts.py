"""The same fact in several documents: grouping records so statistics count it once.

Provincial reports are republished by newspapers and national sites, and
summaries repeat a report's figures: the same figure for the same unit, item
and period then appears in two or three documents.  Two records (of different
documents) state the same fact when

- their amounts are equal in the same measure (base unit, else unit of measure),
  range upper bounds included;
- their provinces (post-2025) agree when both come from the records' own
  location or unit (a province guessed from the sentence or the article does
  not veto);
- their units are the same organization when both are named (names compared
  without diacritics, level words and place names: ``Chi cục TĐC tỉnh Cao Bằng``
  and ``Chi cục Tiêu chuẩn Đo lường Chất lượng Cao Bằng`` agree through the
  acronym); when a record has no unit, an equal stated period must back the
  match, or else both must have items sharing most of their words (a bare
  number is not enough);
- their periods are equal when both are known; otherwise the two documents
  were published within :data:`UNDATED_WINDOW_DAYS` of each other (when a
  date is unknown, the other conditions decide);
- their items do not contradict: two items of two syllables or more with no
  two-syllable word in common are two things (``cơ sở kinh doanh xăng dầu``
  and ``cơ sở giết mổ``; ``dự án đường sắt`` and ``dự án đường bộ``); a
  one-syllable item (``tiền``) says too little to tell.

A near miss (same value, another period; same value, another unit) is not the
same fact.  :func:`same_fact` is the whole decision, so the precision and
recall measured on annotated pairs (tests/fixtures/fact_pairs.json) are its.

Example::

    >>> same_fact(FactRow(...), FactRow(...))
    True
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from pipeline.provinces import find_provinces, fold

# Without a stated period, a republication follows its original within weeks;
# the same count a year apart is another year's count.
UNDATED_WINDOW_DAYS = 92

# Words that say where or what level, not which organization.
_LEVEL_WORDS = {"tinh", "thanh", "pho", "tp", "huyen", "quan", "thi", "xa", "va", "&"}


@dataclass(frozen=True, slots=True)
class FactRow:
    """What the decision looks at in one record."""

    doc_id: str
    amount: float
    amount_max: float | None
    measure: str | None
    unit: str | None
    item: str | None
    period_start: str | None
    period_end: str | None
    province_2025_code: str | None
    published: str | None
    province_basis: str | None = None   # pipeline.provinces: location, unit, sentence, document


# A province read from the record's own location or unit is evidence; one read
# from a place its sentence happens to name, or from the article, is a guess
# (a national figure's sentence names the provinces a project crosses).
STRONG_PROVINCE_BASES = {"location", "unit"}


@lru_cache(maxsize=16384)
def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", fold(text)))


@lru_cache(maxsize=4096)
def _unit_words(unit: str) -> tuple[str, ...]:
    # Drop place names ("tỉnh Cao Bằng", "Hà Giang"): the province is compared on its own.
    spans = []
    for start, _, _ in find_provinces(unit):
        spans.append(start)
    cut = min(spans) if spans else len(unit)
    return tuple(w for w in _words(unit[:cut]) if w not in _LEVEL_WORDS)


def _abbreviates(acronym: str, words: tuple[str, ...]) -> bool:
    """``tdc`` abbreviates ``tieu chuan do luong chat luong``: one letter per word of one to three syllables."""
    if not acronym:
        return not words
    if not words or words[0][0] != acronym[0]:
        return False
    return any(_abbreviates(acronym[1:], words[n:]) for n in (2, 1, 3) if n <= len(words))


@lru_cache(maxsize=16384)
def same_unit(a: str, b: str) -> bool:
    """Same organization, allowing abbreviations and a dropped place name.

    >>> same_unit("Chi cục TĐC tỉnh Cao Bằng", "Chi cục Tiêu chuẩn Đo lường Chất lượng Cao Bằng")
    True
    """
    wa, wb = _unit_words(a), _unit_words(b)
    if not wa or not wb:
        return fold(a) == fold(b)
    if wa == wb:
        return True
    # one name abbreviates part of the other: "chi cuc tdc" ~ "chi cuc tieu chuan do luong chat luong"
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    prefix = 0
    while prefix < len(short) and short[prefix] == long_[prefix]:
        prefix += 1
    rest_short, rest_long = short[prefix:], long_[prefix:]
    if prefix and len(rest_short) == 1 and _abbreviates(rest_short[0], rest_long):
        return True
    sa, sb = set(wa), set(wb)
    return len(sa & sb) / len(sa | sb) >= 0.75


def _overlap(a: str, b: str, measure: str | None) -> tuple[int, int, int]:
    # the counted noun is the measure, not the item: "cơ sở kinh doanh xăng dầu" vs "cơ sở giết mổ"
    noise = set(_words(measure or ""))
    wa, wb = set(_words(a)) - noise, set(_words(b)) - noise
    return len(wa & wb), len(wa), len(wb)


def _bigrams(text: str, measure: str | None) -> set[tuple[str, str]]:
    noise = set(_words(measure or ""))
    words = [w for w in _words(text) if w not in noise]
    return set(zip(words, words[1:]))


def same_item(a: str | None, b: str | None, measure: str | None = None) -> bool:
    """Items that do not contradict each other (see the module docstring).

    Vietnamese words are mostly two syllables, so items are compared by
    syllable pairs: "đường sắt" and "đường bộ cao tốc" share a syllable but
    no word.
    """
    if not a or not b:
        return True
    pa, pb = _bigrams(a, measure), _bigrams(b, measure)
    return not pa or not pb or bool(pa & pb)


def close_items(a: str | None, b: str | None, measure: str | None = None) -> bool:
    """Items sharing at least half the words of the longer one."""
    if not a or not b:
        return False
    common, na, nb = _overlap(a, b, measure)
    return common * 2 >= max(na, nb) and common > 0


def _days_apart(a: str | None, b: str | None) -> float:
    """Days between two publication dates; 0 when either is unknown (nothing to veto with)."""
    if not a or not b:
        return 0
    try:
        return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days)
    except ValueError:
        return 0


def can_match(a: FactRow) -> bool:
    """False for a record that same_fact pairs with nothing: no unit, no period, no item.

    A number in common is never enough on its own, so the store neither looks
    such records up nor offers them as candidates (keep the two in step).
    """
    return bool(a.unit) or a.period_start is not None or bool(a.item)


def same_fact(a: FactRow, b: FactRow) -> bool:
    """The decision described in the module docstring."""
    if a.doc_id == b.doc_id or a.measure != b.measure:
        return False
    if not math.isclose(a.amount, b.amount, rel_tol=1e-9, abs_tol=1e-12):
        return False
    if (a.amount_max is None) != (b.amount_max is None) or (
            a.amount_max is not None and not math.isclose(a.amount_max, b.amount_max, rel_tol=1e-9)):
        return False
    if (a.province_2025_code and b.province_2025_code and a.province_2025_code != b.province_2025_code
            and a.province_basis in STRONG_PROVINCE_BASES and b.province_basis in STRONG_PROVINCE_BASES):
        return False
    both_periods = a.period_start is not None and b.period_start is not None
    if both_periods:
        if (a.period_start, a.period_end) != (b.period_start, b.period_end):
            return False
    elif _days_apart(a.published, b.published) > UNDATED_WINDOW_DAYS:
        return False  # an unknown date vetoes nothing: _days_apart is then 0
    if a.unit and b.unit:
        if not same_unit(a.unit, b.unit):
            return False
    elif not both_periods and not close_items(a.item, b.item, a.measure):
        return False  # without a unit or a stated period, a number in common is not enough
    return same_item(a.item, b.item, a.measure)
