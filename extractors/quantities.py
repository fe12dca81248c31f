"""Quantities: every number that measures or counts something (spec sections 3 and 6).

Interface used by the rest of the NLP stage:
    find_quantities(text, doc) -> (list[Quantity], Period | None)
The second value is the document's reporting period, if one is stated.

How a number becomes a quantity, in order:
1. numerals are found on the folded text (``numbers.scan_numbers``: digits,
   multiplier words, spelled numbers); everything is matched there and mapped
   back, so NFD text and old tone placement work and offsets stay exact;
2. numbers inside dates, periods, relative time, codes (``ISO 9001:2008``,
   ``06/2008/NĐ-CP``, ``BN2384``), after label words (``Đợt 1``, ``bậc 4``,
   ``Chỉ thị 16``) or proper names (``Hải Vân 2``), and vague amounts are dropped;
3. a range (``3,42 - 3,73``, ``từ A đến B``) or a part (``61/62``) joins two numbers;
4. the unit of measure follows (``data/units_of_measure.json``, rates ``A/B``,
   ``A mỗi B``) or else the counted noun, found from the POS tags of the
   segmenter (``17 F1`` → ``f1``); a number with neither is no quantity;
5. qualifier from the words just before (``trên``, ``khoảng hơn``) or after
   (``trở lên``); the item (what is counted or measured) comes from ``items.py``.

Lexicons are data: ``data/quantity_words.json``, ``data/numerals.json``.
"""
from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from .items import item_of, phrase_candidates, share_items
from .mentions import Period, Quantity
from .numbers import (Folded, NumberSpan, SpanIndex, fold, fold_word, load_data, multipliers, parse_digits,
                      parse_spelled, scan_numbers)
from .periods import document_period, find_dates, find_periods

_WORDCHARS = re.compile(r"[^\W_]+(?:[-&][^\W_]+)*", re.UNICODE)
_NOUN_TAGS = {"N", "Nc", "Nu", "Ny", "Nb", "Np"}


# ---------------------------------------------------------------- lexicons


@dataclass(slots=True)
class UnitOfMeasure:
    canonical: str
    dimension: str
    base_unit: str | None
    factor: float | None


@lru_cache(maxsize=1)
def _units() -> tuple[dict[str, UnitOfMeasure], list[str], dict[str, UnitOfMeasure]]:
    """alias (folded) → unit; aliases longest first; rate-only denominators."""
    d = load_data("units_of_measure.json")
    table: dict[str, UnitOfMeasure] = {}
    for u in d["units"]:
        uom = UnitOfMeasure(u["canonical"], u["dimension"], u["base_unit"], u["factor"])
        for a in u["aliases"] + [u["canonical"]]:
            table.setdefault(fold_word(a), uom)
    _ONLY_BEFORE.update({fold_word(a).lower(): [fold_word(w).lower() for w in u["only_before"]]
                         for u in d["units"] if u.get("only_before") for a in u["aliases"]})
    by_canonical = {u.canonical: u for u in table.values()}
    denoms = {fold_word(k): by_canonical[v] for k, v in d["rate_denominators"].items() if not k.startswith("_")}
    return table, sorted(table, key=len, reverse=True), denoms


# alias → the words after which it is a unit (chỉ vàng); with none of them it is a unit only where
# the phrase ends (filled by _units from units_of_measure.json)
_ONLY_BEFORE: dict[str, list[str]] = {}


def to_base(value: float, unit_of_measure: str) -> tuple[float, str] | None:
    """The same amount in its base unit, from the unit table; None for counts and durations.

    >>> to_base(1.5, "tấn")
    (1500.0, 'kg')
    >>> to_base(69.3, "tạ/ha")
    (0.693, 'kg/m²')
    """
    table, _, denoms = _units()
    factor, base = 1.0, []
    for i, part in enumerate(unit_of_measure.split("/")):
        uom = _table_unit(table, denoms, part, i)
        if uom is None or uom.factor is None or uom.base_unit is None:
            return None
        factor = factor * uom.factor if i == 0 else factor / uom.factor
        base.append(uom.base_unit)
    return value * factor, "/".join(base)


def _table_unit(table: dict, denoms: dict, part: str, i: int):
    """The table's unit written ``part`` (the ``i``-th part of ``a/b``; after the first, a rate's
    denominator too), in any case as spec section 5 compares them (`Nhân dân tệ` is `nhân dân tệ`)."""
    key = fold_word(part.strip())
    return table.get(key) or table.get(key.lower()) or (denoms.get(key) if i else None)


def canonical_unit(unit_of_measure: str | None) -> str | None:
    """The table's canonical spelling of a unit of measure (``độ C`` → ``°C``, ``đô la Mỹ/tấn`` →
    ``USD/tấn``); None when a part is not in the table (a counted noun)."""
    if not unit_of_measure:
        return None
    table, _, denoms = _units()
    parts = []
    for i, part in enumerate(unit_of_measure.split("/")):
        uom = _table_unit(table, denoms, part, i)
        if uom is None:
            return None
        parts.append(uom.canonical)
    return "/".join(parts)


def _folded_list(words) -> list[str]:
    return sorted({fold_word(w).lower() for w in words}, key=len, reverse=True)


@lru_cache(maxsize=1)
def _words() -> dict:
    d = load_data("quantity_words.json")
    q = d["qualifiers"]
    quals = []
    for sym in (">", "<", "~", "="):
        for w in q[sym]:
            quals.append((fold_word(w).lower(), sym))
    quals.sort(key=lambda t: len(t[0]), reverse=True)
    return {
        "qualifiers": quals,
        "qualifier_phrases": tuple(p for p, _ in quals),  # for one str.endswith over them all
        "reporting_verbs": set(_folded_list(q["verbs"])),
        "lower_after": _folded_list(d["lower_bound_after"]),
        "upper_after": _folded_list(d["upper_bound_after"]),
        "comparatives": set(_folded_list(d["comparatives"]["words"])),
        "bound_adjectives": set(_folded_list(d["comparatives"]["bound_adjectives"])),
        "labels": _folded_list(d["label_before"]["words"]),
        "not_labels": _folded_list(d["label_before"]["not_labels"]),
        "describing": set(_folded_list(d["describing_units"]["words"])),
        "vague": set(_folded_list(d["vague_before"]["words"])),
        "numeral_word_before": set(_folded_list(d["numeral_word_before"]["words"])),
        "per": set(_folded_list(d["per_before"])),
        "time_after": set(_folded_list(d["time_of_day_after"])),
        "time_before": _folded_list(d["time_of_day_before"]),
        "counts": set(_folded_list(d["count_nouns"]["words"])),
        "counts_sorted": _folded_list(d["count_nouns"]["words"]),
        "per_counts": set(_folded_list(d["per_counts"]["words"])),
        "siblings": {fold_word(w).lower(): _folded_list(g) for g in d["sibling_counts"]["groups"] for w in g},
        "not_counts": set(_folded_list(d["count_nouns"]["not_counts"])),
        "rel_after": _folded_list(d["relative_time"]["after"]),
        "rel_before": _folded_list(d["relative_time"]["before"]),
        "rel_not_after": _folded_list(d["relative_time"]["not_after"]),
        "item_stops": set(_folded_list(d["item"]["stop_words"])),
        "place_nouns": set(_folded_list(d["place_nouns"]["words"])),
        "whole_nouns": set(_folded_list(d["whole_nouns"]["words"])),
        "money_context": _folded_list(d["money_context"]["words"]),
        "both_sides": set(_folded_list(d["both_sides"]["words"])),
        "duration_after_mot": _folded_list(d["duration_after_mot"]["words"]),
        "five_year": _folded_list(d["spelled_five_year_words"]["words"]),
        "unit_compounds": {fold_word(k).lower(): _folded_list(v) for k, v in d["unit_compounds"].items()
                           if not k.startswith("_")},
    }


# a table's unit of these dimensions is a measure even after a label or a name (``đường 5 km``,
# ``RAM 8GB``, ``Galaxy S24 6,2 inch``): only counts and durations can be the number of a label
_MEASURE_DIMS = {"mass", "area", "volume", "length", "money", "percent", "other"}


# ---------------------------------------------------------------- helpers


def _ends_with_word(before: str, phrases: list[str]) -> str | None:
    """The phrase from ``phrases`` that ``before`` ends with, as a whole word."""
    low = before.lower()
    for p in phrase_candidates(phrases, low, True):
        if low.endswith(p):
            i = len(low) - len(p)
            if i == 0 or not low[i - 1].isalnum():
                return p
            # camel-glued words: "Quảng TrịHơn 20 km"
            if before[i].isupper() and low[i - 1].isalpha() and before[i - 1].islower():
                return p
    return None


def _starts_with_word(after: str, phrases) -> str | None:
    low = after.lower()
    for p in phrase_candidates(phrases, low, False):
        if low.startswith(p) and (len(low) == len(p) or not low[len(p)].isalnum()):
            return p
    return None


class _Tokens:
    """The segmenter's tokens over the folded text: word extent and POS tag by position."""

    def __init__(self, doc, f: Folded | None):
        """``f`` maps the doc's offsets into the folded text; None when the doc is over it already."""
        # the tokens that cover text, in text order, and their starts: ``at`` bisects them (a few
        # dozen questions per document, where a table of every character costs more to fill)
        self._starts: list[int] = []
        self._covering: list[tuple[int, int, str]] = []
        self._cover: dict[int, tuple[int, int, str]] | None = None  # by character, if tokens overlap
        if doc is None:
            return
        from .segment import token_rows

        fo = f.from_original if f is not None else None
        last_end = 0
        # (the lists and the table as locals: this loop runs once per token of the document)
        starts, covering = self._starts, self._covering
        for s, e, word, tag in token_rows(doc):
            # "X": text the segmenter dropped or could not align; judge it from the text alone
            if tag in ("SPACE", "X") or not word.strip():
                continue
            if fo is not None:
                s, e = fo[s], fo[e]
            entry = (s, e, tag)
            if e > s:
                if s < last_end and self._cover is None:
                    # tokens overlapping (not met in practice): a table of every character, where
                    # the later token holds a position both cover
                    self._cover = {k: x for x in covering for k in range(x[0], x[1])}
                if self._cover is not None:
                    self._cover.update(dict.fromkeys(range(s, e), entry))
                starts.append(s)
                covering.append(entry)
                if e > last_end:
                    last_end = e

    @property
    def available(self) -> bool:
        return bool(self._covering)

    def at(self, pos: int) -> tuple[int, int, str] | None:
        if self._cover is not None:
            return self._cover.get(pos)
        i = bisect_right(self._starts, pos) - 1
        if i >= 0:
            entry = self._covering[i]
            if pos < entry[1]:
                return entry
        return None


# ---------------------------------------------------------------- units after a number


@dataclass(slots=True)
class _Unit:
    name: str
    end: int
    dimension: str
    base_unit: str | None
    factor: float | None
    is_count: bool
    src: tuple[int, int] | None = None  # folded span of a counted noun (its name is taken as written)


@lru_cache(maxsize=1)
def _aliases_by_first() -> dict[str, list[str]] | None:
    """The aliases (longest first, as ``_units`` orders them) grouped by their first letter, lower-cased.

    An alias can only match text that starts with the same letter in either
    case, so ``_measure_at`` tries just that group, in the same order.  None
    (try them all) if some alias's first letter lower-cases to more than one
    character or an alias is empty: grouping could then miss a match.
    """
    groups: dict[str, list[str]] = {}
    for a in _units()[1]:
        if not a or len(a[0].lower()) != 1:
            return None
        groups.setdefault(a[0].lower(), []).append(a)
    return groups


# compiled once: _measure_at runs at every number
_MULTIPLIER_BEFORE = re.compile(r"(?:nghìn|ngàn|vạn|triệu|tỷ|tỉ) $", re.IGNORECASE)


def _measure_at(t: str, p: int, glued: bool, toks: "_Tokens | None" = None) -> tuple[UnitOfMeasure, int] | None:
    table, aliases, _ = _units()
    groups = _aliases_by_first()
    if groups is not None:
        first = t[p:p + 1].lower()
        if len(first) == 1:
            aliases = groups.get(first, ())
            if not aliases:
                return None
        elif not first:
            return None
    # "55.000 tỷ đồng vốn ngân sách": after a multiplier word, đồng is money whatever follows
    after_multiplier = _MULTIPLIER_BEFORE.search(t[max(0, p - 7):p])
    for a in aliases:
        # short symbols are case-sensitive (g is a gram, G a label); words are not
        cand = t[p:p + len(a)]
        if (cand == a) if len(a) <= 2 else (cand.lower() == a.lower()):
            end = p + len(a)
            nxt = t[end:end + 1]
            if nxt and (nxt.isalnum() or nxt == "_"):
                continue
            if glued and a[0].isalpha() and len(a) > 3 and " " in a:
                continue
            only = _ONLY_BEFORE.get(a.lower())
            if only is not None and re.match(r" ?[^\W_]", t[end:end + 2]) \
                    and not _starts_with_word(t[end:end + 20].lstrip().lower(), only):
                continue  # "3 người chỉ có": chỉ is "only" here
            # "11 đồng đội" is not money
            if not after_multiplier and t[end:end + 1] == " " and _starts_with_word(t[end + 1:end + 20].lower(),
                                                           _words()["unit_compounds"].get(a.lower(), ())):
                continue
            return table[a], end
    return None


def _count_noun_at(t: str, p: int, toks: _Tokens, strict: bool = False) -> tuple[str, int] | None:
    """The counted noun starting at ``p``: (noun as written, end)."""
    w = _words()
    m = _WORDCHARS.match(t, p)
    if not m:
        return None
    low_rest = t[p:p + 40].lower()
    known = _starts_with_word(low_rest, w["counts_sorted"])
    tok = toks.at(p)
    if tok is not None:
        s, e, tag = tok
        word = t[p:e].strip()
        # the segmenter sometimes glues the number to its noun ("8.000 hộp")
        if not word or not word[0].isalnum():
            word = ""
        low = word.lower()
        if known and len(known) >= len(low):
            return t[p:p + len(known)], p + len(known)
        if known and tag not in _NOUN_TAGS and s == p:
            return None  # "lần lượt" (respectively) is one word, not a count of lần
        if not word or not word[0].isalpha() or low in w["not_counts"] or low.split()[0] in w["not_counts"]:
            return None
        if word[0].isupper() and tag != "Np" and not _sentence_initial(t, p):
            return None  # "gói thầu 5.10 Nhà ga": a capital mid-sentence starts a name
        if tag == "Np":
            # a counted code (17 F1) is a unit; a proper name (12 Lê Lợi) is not
            if re.fullmatch(r"[A-Za-z]{1,3}\d{0,2}", word) and any(c.isdigit() for c in word):
                return word, p + len(word)
            # a counted acronym (`2 SIM`, `18 SGK`), not a model's Roman numeral (`Xperia 5 III`)
            if re.fullmatch(r"[A-ZĐ]{2,5}", word) and not re.fullmatch(r"[IVX]+", word):
                return word, p + len(word)
            return None
        if tag == "FW" and word.isalpha() and word.islower() and " " not in word:
            # a borrowed noun, written lowercase (`4 camera`, `2 smartphone`): counted as a noun is
            return word, p + len(word)
        if tag in _NOUN_TAGS:
            if known and len(known) < len(low) and len(low.split()) >= 3:
                return t[p:p + len(known)], p + len(known)
            sylls = word.split(" ")
            for i in range(1, len(sylls)):
                if sylls[i][:1].isupper():  # "4 môn Toán", "93 giải Nhất": the name is not the noun
                    word = " ".join(sylls[:i])
                    break
            return word, p + len(word)
        return None
    if known:
        return t[p:p + len(known)], p + len(known)
    if strict:
        return None
    word = m.group(0)
    low = word.lower()
    if word[0].isupper() or low in w["not_counts"] or low in w["item_stops"] or not word.isalpha():
        return None
    return word, m.end()


_SENTENCE_INITIAL_END = re.compile(r"(?:^|[.!?:;\n\"“(…]\s*|\|\s*)(?:[^\W\d_]+\s+)?[\d.,/ -]*\s*$")


def _sentence_initial(t: str, p: int) -> bool:
    return bool(_SENTENCE_INITIAL_END.search(t[max(0, p - 40):p]))


def _unit_after(t: str, p: int, toks: _Tokens, allow_count: bool = True) -> _Unit | None:
    """Unit of measure (with rate) or counted noun right after a number ending at ``p``."""
    glued = p < len(t) and t[p] != " "
    q = p + 1 if t[p:p + 1] == " " else p
    m = _measure_at(t, q, glued, toks)
    if m is not None:
        uom, end = m
        unit = _Unit(uom.canonical, end, uom.dimension, uom.base_unit, uom.factor, False)
        return _rate(t, unit, toks)
    if glued and allow_count and _glued_count(t, p):
        # "6cơ sở": a typo that glues a known counted noun to its number
        noun = _glued_count(t, p)
        return _Unit(noun, p + len(noun), "count", None, None, True, (p, p + len(noun)))
    if glued or not allow_count:
        return None
    c = _count_noun_at(t, q, toks)
    if c is None:
        return None
    noun, end = c
    name = noun.lower()
    # "tin, bài", "chương trình, đề án": two counted nouns sharing one number
    m2 = _COMMA_SPACE.match(t, end)
    if m2:
        w = _words()
        b0 = m2.end()
        second = _starts_with_word(t[b0:b0 + 30].lower(), w["counts_sorted"])
        tok2 = toks.at(b0)
        if second and t[b0:b0 + 1].islower() and second not in w["not_counts"] \
                and re.match(r"\s*(?:[,;.)]|$)", t[b0 + len(second):b0 + len(second) + 3]) \
                and (tok2 is None or tok2[1] == b0 + len(second)):
            name = f"{name}, {second}"
            end = b0 + len(second)
    if "," not in name:
        name, end = _sibling_nouns(t, name, end)
    unit = _Unit(name, end, "count", None, None, True, (q, end))
    return _rate(t, unit, toks)


def _sibling_nouns(t: str, name: str, end: int) -> tuple[str, int]:
    """``46 tỉnh, thành phố``, ``8 cán bộ, công chức``: nouns of the counted noun's kind listed after it
    with commas share its number; (the whole list, its end)."""
    kinds = _words()["siblings"]
    words = kinds.get(fold_word(name).lower())
    while words:
        if t[end:end + 2] != ", " or not t[end + 2:end + 3].islower():
            break
        nxt = _starts_with_word(t[end + 2:end + 32].lower(), words)
        if not nxt:
            break
        name, end = f"{name}, {t[end + 2:end + 2 + len(nxt)]}", end + 2 + len(nxt)
    return name, end


def _glued_count(t: str, p: int) -> str | None:
    """A known counted noun of two or more letters glued to the number ending at ``p`` (``6cơ sở``)."""
    if not t[p:p + 1].islower():
        return None
    got = _starts_with_word(t[p:p + 30].lower(), _words()["counts_sorted"])
    return got if got and len(got) >= 2 and got not in _words()["not_counts"] else None


def _rate(t: str, unit: _Unit, toks: _Tokens) -> _Unit:
    """``tạ/ha``, ``đồng/người/tháng``, ``1.000 đồng mỗi kg``, ``35 triệu đồng một ha``."""
    if unit.dimension == "percent":
        # a share is written per year or per order (`8%/năm`, `7% mỗi năm`) but stays a share: of
        # 1,639 percentages in the train+dev gold, 5 are annotated as a rate
        return unit
    _, _, denoms = _units()
    parts = [unit]
    end = unit.end
    while True:
        # "4 người/1 phòng", "lượt du khách/ 1 ngày đêm": a written 1 before the denominator
        m = _SLASH.match(t, end)
        if not m:
            break
        q = m.end()
        um = _measure_at(t, q, False)
        written = None
        if um is None:
            d = _starts_with_word(t[q:q + 10], sorted(denoms, key=len, reverse=True))
            if d:
                um, written = (denoms[d], q + len(d)), d  # km/h keeps its h
        if um is not None:
            uom, e = um
            parts.append(_Unit(written or uom.canonical, e, uom.dimension, uom.base_unit, uom.factor, False))
            end = e
            continue
        c = _count_noun_at(t, q, toks, strict=True)
        if c is None:
            break
        parts.append(_Unit(c[0].lower(), c[1], "count", None, None, True))
        end = c[1]
    if len(parts) == 1 and (not unit.is_count or unit.name == "lần"):
        for _ in range(2):  # "1,3 triệu đồng mỗi người một ngày"
            per = _per_unit(t, end, toks, money=unit.dimension == "money")
            if per is None:
                break
            parts.append(per)
            end = per.end
    if len(parts) == 1:
        return unit
    name = "/".join(p.name for p in parts)
    src = parts[0].src if parts[0].is_count else None
    factor, base = parts[0].factor, parts[0].base_unit
    if parts[0].is_count:
        factor, base = 1.0, parts[0].name
    for d in parts[1:]:
        if factor is None:
            break
        if d.is_count:
            base = f"{base}/{d.name}"
        elif d.factor is None or d.base_unit is None:
            factor = None
        else:
            factor = factor / d.factor
            base = f"{base}/{d.base_unit}"
    return _Unit(name, end, "rate", base if factor is not None else None, factor, False, src)


_PER = re.compile(r" (?:mỗi|một|trên một) ")


def _per_unit(t: str, p: int, toks: _Tokens, money: bool) -> _Unit | None:
    """The denominator of ``1.000 đồng mỗi kg``, ``6 tấn trên một ha``, ``2.050 USD mỗi ounce``, and for
    money a counted one (``10 - 20 triệu đồng một người``); None if ``p`` starts no "per" phrase."""
    m = _PER.match(t, p)
    if not m:
        return None
    um = _measure_at(t, m.end(), False)
    if um is not None and (um[0].dimension in _MEASURE_DIMS or um[0].dimension == "duration"):
        uom, e = um
        return _Unit(uom.canonical, e, uom.dimension, uom.base_unit, uom.factor, False)
    if not money or um is not None:
        return None
    c = _count_noun_at(t, m.end(), toks, strict=True)
    if c is None or fold_word(c[0]).lower() not in _words()["per_counts"]:
        return None
    return _Unit(c[0].lower(), c[1], "count", None, None, True)


# ---------------------------------------------------------------- qualifiers


def _qualifier_before(t: str, start: int, floor: int, dimension: str | None = None) -> tuple[str, int]:
    """(qualifier, new start) from the words just before ``start`` (stacked: khoảng hơn)."""
    w = _words()
    found: list[str] = []
    pos = start
    for _ in range(3):
        before = t[max(floor, pos - 30):pos]
        if not before.endswith(" ") and pos > floor and t[pos - 1:pos].isalnum():
            break
        stripped = before.rstrip(" ")
        low = stripped.lower()
        if not low.endswith(w["qualifier_phrases"]):  # the usual case: no qualifier at all
            break
        hit = None
        for phrase, sym in w["qualifiers"]:
            if low.endswith(phrase) and _ends_with_word(stripped, [phrase]):
                hit = (phrase, sym)
                break
        if hit is None:
            break
        phrase, sym = hit
        qstart = pos - (len(before) - len(stripped)) - len(phrase)
        if phrase == "hơn" or phrase == "trên":
            # comparative: "cao hơn 40-50%" reads =, and "hơn" is not part of the number
            prev = t[max(floor, qstart - 15):qstart].rstrip().lower().split(" ")
            if prev and prev[-1] in w["comparatives"] and not (
                    prev[-1] in w["bound_adjectives"] and dimension in ("length", "area", "mass", "volume", "duration")):
                break
        if phrase in w["reporting_verbs"]:
            break
        found.append(sym)
        pos = qstart
        if phrase in ("từ",):
            break
    if not found:
        return "=", start
    if ">" in found or "<" in found:
        sym = next(s for s in found if s in "<>")
    elif "~" in found:
        sym = "~"
    else:
        sym = "="
    return sym, pos


# ---------------------------------------------------------------- the extractor


@dataclass(slots=True)
class _Found:
    start: int
    end: int
    value: float
    value_max: float | None
    total: float | None
    unit: _Unit
    qualifier: str
    num_start: int
    veto: str | None = None  # why the rules would drop it (``find_quantities(vetoed=…)`` keeps it)


def _blocked_spans(text: str, f: Folded) -> SpanIndex:
    """The periods and dates of the text, in folded offsets: no number inside one is a quantity."""
    fo = f.from_original
    spans = []
    for s, e, _p in find_periods(text):
        spans.append((fo[s], fo[e] if e < len(fo) else len(f.text)))
    for s, e in find_dates(text):
        spans.append((fo[s], fo[e] if e < len(fo) else len(f.text)))
    return SpanIndex(spans)


def _chunk(t: str, n: NumberSpan) -> str:
    """The non-space run around a digit number, without surrounding punctuation."""
    a = n.start
    while a > 0 and not t[a - 1].isspace():
        a -= 1
    b = n.end
    while b < len(t) and not t[b].isspace():
        b += 1
    return t[a:b].strip(",;.:()[]\"“”'!?…")


# _is_code's patterns, compiled once (it runs for every number)
_LEADING_ZERO = re.compile(r"0\d{2,}")
_RANGE_TAIL = re.compile(r"[-–/]\d+(?:[.,]\d+)*(?:[^\W\d_]{0,4}\d?|%)?(?:/[^\W\d_]+\d?)*")
_CODE_TAIL = re.compile(r"\d[/:]\d")


def _is_code(t: str, n: NumberSpan) -> bool:
    if n.kind == "code":
        return True
    if n.kind != "digits":
        return False
    if _LEADING_ZERO.fullmatch(n.raw):
        return True  # "028-3930…", "000170406…": a phone or account number (a count writes 02, 04)
    glued_word = _glued_after_word(t, n.start)
    if n.start > 0 and (t[n.start - 1].isalpha() and not glued_word or t[n.start - 1] in "_#@"):
        return True
    if n.start > 0 and t[n.start - 1] in "-/:" and n.start > 1 and t[n.start - 2].isalnum():
        # second half of a range or part is handled by the first number
        return not (t[n.start - 1] in "-/" and t[n.start - 2].isdigit())
    chunk = _chunk(t, n)
    raw = n.raw
    i = chunk.find(raw)
    head, tail = chunk[:i], chunk[i + len(raw):]
    if head and (head[-1].isalnum() and not glued_word or head[-1] in "-/:_#@&."):
        return True
    if not tail:
        return False
    if _RANGE_TAIL.fullmatch(tail):
        return False  # 3-4, 14/14, 20-25%, 450.000-550.000
    if tail[0] in "%":
        return False
    if tail[0].isalpha():
        if _measure_at(t, n.end, True) is not None:
            return False
        if not head and _glued_count(t, n.end):
            return False
        if _multiplier_glued(tail):
            return False
        return True
    if tail[0] in ":":
        return True
    if tail[0] in "/" and tail[1:2].isalpha():
        return False  # 60.000đ/kg handled as a rate; "20/người" rare
    return bool(_CODE_TAIL.search(tail)) or tail.count("/") > 1 or tail.count("-") > 1


def _glued_after_word(t: str, start: int) -> bool:
    """``Hà Nội40 cựu chiến binh``, ``tỷ lệ0,49%``, ``với2 ga``: a space lost between a word and
    the number (pasted datelines, badly joined paragraphs).  A code glues its number to capitals
    (``BN2384``, ``H5N1``) or to a unit symbol (``m2``, ``km2``); an ordinary word of two or more
    letters ending in a lower-case letter does not."""
    m = _LETTERS_BEFORE.search(t, max(0, start - 20), start)
    if m is None:
        return False
    run = m.group(0)
    if len(run) < 2 or not run[-1].islower():
        return False
    if run.isascii() and not (len(run) >= 4 or len(run) == 3 and run[0].isupper() and run[1:].islower()):
        return False  # "cm2", "kwh3", "Lv3": a unit or a short code; "Nai5" is Đồng Nai
    a = m.start()
    if a > 0 and (t[a - 1].isdigit() or t[a - 1] in "-_#@/."):
        return False  # "SARS-CoV2", "covid_19": part of a code
    return run.lower() not in _unit_words()


_LETTERS_BEFORE = re.compile(r"[^\W\d_]+$")


@lru_cache(maxsize=1)
def _unit_words() -> frozenset[str]:
    return frozenset(k.lower() for k in _units()[0])


def _multiplier_glued(tail: str) -> bool:
    m = re.match(r"[^\W\d_]+", tail)
    return bool(m and m.group(0).lower() in multipliers())


def find_quantities(text: str, doc=None, vetoed: list | None = None) -> tuple[list[Quantity], Period | None]:
    """Quantities in text order, with exact offsets, and the document's reporting period.

    ``vetoed``: a list to receive ``(Quantity, rule)`` for each number a rule of judgement
    dropped (a label before it, a proper name, no counted noun …), for the learned decision
    (``quantity_keep``).  The quantities returned are the same either way.

    >>> qs, period = find_quantities("Đã sản xuất được 8.069 hộp trà giảo cổ lam thành phẩm.")
    >>> [(q.text, q.value, q.unit_of_measure, q.item) for q in qs]
    [('8.069 hộp', 8069.0, 'hộp', 'trà giảo cổ lam thành phẩm')]
    """
    if not text or not text.strip():
        return [], None
    f = fold(text)
    t = f.text
    if doc is None or t != text and not unicodedata.is_normalized("NFC", text):
        # NFD or odd input: the segmenter reads the folded text (it expects NFC)
        toks = _Tokens(_make_doc(t), None)
    else:
        toks = _Tokens(doc, f)
    blocked = _blocked_spans(text, f)
    numbers = scan_numbers(t)
    found: list[_Found] = []
    dropped: list[_Found] = []
    covered = -1
    by_start = {n.start: n for n in numbers}
    soft = vetoed is not None
    for n in numbers:
        if n.start < covered:
            continue
        try:
            q = _read(t, n, by_start, toks, blocked, soft)
        except (ValueError, IndexError, KeyError):  # never let one odd number stop the document
            q = None
        if q is None:
            continue
        if q.veto is not None:
            dropped.append(q)  # (the numbers after it are read as if it were not there)
        else:
            found.append(q)
            covered = q.end
    found.extend(_gap_multiples(t, found, by_start, toks, blocked))
    found.extend(_half_durations(t, found, blocked))
    found.sort(key=lambda q: q.start)
    out, floor = [], 0
    for q in found:
        quantity = _to_quantity(text, f, t, q, toks, floor)
        floor = q.end  # words before this point belong to the previous quantity's item
        # a number of hundreds of digits is infinite as a float: no value the schema (JSON) can hold
        if all(v is None or math.isfinite(v)
               for v in (quantity.value, quantity.value_max, quantity.total, quantity.base_value)):
            out.append(quantity)
    share_items(out, text)
    if soft:
        ends = [q.end for q in found]  # (found is in text order: each item stops at the quantity before)
        for q in dropped:
            k = bisect_right(ends, q.start)
            quantity = _to_quantity(text, f, t, q, toks, ends[k - 1] if k else 0)
            if all(v is None or math.isfinite(v) for v in (quantity.value, quantity.value_max, quantity.total,
                                                         quantity.base_value)):
                vetoed.append((quantity, q.veto))
    try:
        period = document_period(text)
    except Exception:  # a period is a bonus; never fail extraction over it
        period = None
    return out, period


def _make_doc(text: str):
    try:
        from .segment import make_token_doc

        return make_token_doc(text)
    except Exception:
        return None


# _read's patterns, compiled once (it runs for every number; ``re``'s own cache costs a look-up per call)
_DIGIT_GROUP_BEFORE = re.compile(r"(?:^|\s)\d+ $")
_HOUR_BEFORE = re.compile(r"\d ?(?:giờ|h) ?$", re.IGNORECASE)
_NAME_DASH_BEFORE = re.compile(r"[^\W\d_] ?[-–] ?$")
_YEAR_BEFORE = re.compile(r"(?:19|20)\d\d(?:,| và| hoặc| đến| -)\s*$")
_YEAR_DIGITS = re.compile(r"(?:19|20)\d\d")
_ENGLISH_DECIMAL = re.compile(r"\d+\.\d{1,2}")


_PLACE_DONG = re.compile(r" ?Đồng [A-ZĐ]")
_CAMEL_BEFORE = re.compile(r"(?<![\w])[a-z]+[A-Z]\w* $")


def _read(t: str, n: NumberSpan, by_start: dict[int, NumberSpan], toks: _Tokens, blocked,
          soft: bool = False) -> _Found | None:
    """The quantity the number ``n`` starts, or None.  ``soft``: where a rule of judgement (not of
    form) would drop it, return it with the rule's name in ``veto`` (the learned decision weighs it)."""
    w = _words()
    veto = None
    if math.isnan(n.value) or blocked.overlaps(n.start, n.end) or _is_code(t, n):
        return None
    if n.kind == "spelled" and not _spelled_ok(t, n, toks):
        return None
    if n.start > 1 and t[n.start - 1] in "/-–+" and t[n.start - 2].isdigit():
        return None  # the second half of 61/62 or 3-4 belongs to the first
    if _DIGIT_GROUP_BEFORE.search(t[max(0, n.start - 12):n.start]):
        return None  # a run of digit groups: a phone number (0917 61 2020)
    if _HOUR_BEFORE.search(t[max(0, n.start - 8):n.start]):
        return None  # "8 giờ 30 (phút)", "18h30": the minutes of a time of day
    if n.kind == "digits" and _NAME_DASH_BEFORE.search(t[max(0, n.start - 4):n.start]):
        if not soft:
            return None  # "Covid - 19", "SARS-CoV-2": part of a name
        veto = "name_dash"
    if _YEAR_DIGITS.fullmatch(n.raw) and _YEAR_BEFORE.search(t[max(0, n.start - 14):n.start]):
        return None  # "năm 2017, 2018": the second year of a list
    before = t[max(0, n.start - 40):n.start]
    # vague amounts and "per": hàng trăm, vài ba, mỗi một
    prev_word = before.rstrip().split(" ")[-1].lower() if before.strip() else ""
    if prev_word in w["vague"] or prev_word in w["numeral_word_before"]:
        if not soft:
            return None
        veto = veto or "vague"
    end = n.end
    value, value_max, total = n.value, None, None
    # part x/y
    nxt = by_start.get(n.end + 1)
    if t[n.end:n.end + 1] == "/" and nxt is not None and nxt.kind == "digits" and not t[nxt.end:nxt.end + 1] == "/":
        unit = _unit_after(t, nxt.end, toks)
        if unit is None or unit.dimension == "duration" or unit.name in w["whole_nouns"]:
            return None  # "1/2 số người", "1/3 dân số": a fraction of a whole
        total, end = nxt.value, nxt.end
        if nxt.multiplied and not n.multiplied and _raw_value(nxt):
            value = n.value * nxt.value / _raw_value(nxt)  # "2.477/10.825 tỷ đồng"
    elif (part := _part_of_whole(t, n, by_start, toks)) is not None:
        total, unit = part
        end = unit.end
    else:
        unit = _unit_after(t, n.end, toks)
        rng = _range_after(t, n, unit, by_start, toks)
        if rng is not None:
            value, value_max, end, unit = rng
        elif unit is None and _AGE_BEFORE.search(before) and (age := _age_after_word(t, n, by_start)):
            value, value_max, end, unit = age
        elif unit is None and n.start > 0 and t[n.start - 1] == "$":
            usd = _units()[0]["USD"]
            unit = _Unit(usd.canonical, n.end, usd.dimension, usd.base_unit, usd.factor, False)
            end = n.end
        elif unit is None and n.multiplied and _money_context(t, n):
            dong = _units()[0]["đồng"]
            unit = _Unit(dong.canonical, n.end, dong.dimension, dong.base_unit, dong.factor, False)
            end = n.end
        elif unit is None:
            noun = _noun_before(t, n, toks)
            if noun is not None:
                unit = _Unit(noun, n.end, "count", None, None, True)
                end = n.end
            elif not soft or (unit := _next_word(t, n.end, toks)) is None:
                return None
            else:  # "9 thiết kế", "3.700 nhân sự": a word the rules do not take for a counted noun
                veto = veto or "no_noun"
                end = unit.end
    if unit is None:
        return None
    if unit.dimension == "money" and _PLACE_DONG.match(t, n.end):
        return None  # "thôn 5 Đồng Yên": a place named Đồng …, not đồng
    if unit.is_count and _CAMEL_BEFORE.search(t, max(0, n.start - 20), n.start):
        return None  # "iPhone 12 series", "iPad 9 mini": a model's name
    if value == 0 and unit.dimension == "money" and value_max is None:
        return None  # "nhà vệ sinh 0 đồng", "siêu thị 0 đồng": free of charge, a label
    if unit.is_count and _YEAR_DIGITS.fullmatch(n.raw) and unit.name not in w["counts"]:
        return None  # "đại hội đồng cổ đông 2021 mới đây": a year, not 2021 of something
    if unit.is_count and n.kind == "digits" and _ENGLISH_DECIMAL.fullmatch(n.raw):
        if not soft:
            return None  # "gói thầu 5.10": English decimals only where they measure something
        veto = veto or "english_decimal"
    unit_end = max(unit.end, end)
    negative = prev_word == "âm" and not unit.is_count and value_max is None and total is None and value > 0
    if negative:
        value = -value  # "tăng trưởng âm 23%", "âm 5 độ C": a negative number
    half = _HALF_AFTER.match(t, unit_end)
    if half and value_max is None and total is None and not unit.is_count and unit.dimension != "rate" \
            and not n.multiplied and value == int(value):
        value += 0.5  # "ba năm rưỡi", "2 tấn rưỡi": and a half of the unit just named
        unit_end = half.end()
    # labels: Đợt 1, cấp 1, Chỉ thị 16, số 123 (unless a real measure follows: đường 5 km)
    if unit.dimension not in _MEASURE_DIMS and unit.dimension != "rate" and not _describes(unit):
        label = _label_before(before)
        if label:
            lstart = n.start - 1 - len(label)
            tok = toks.at(lstart)
            # "trên địa bàn 9 huyện": bàn ends a longer word here, it is no label
            if tok is None or tok[0] >= lstart or tok[1] != lstart + len(label):
                if not soft:
                    return None
                veto = veto or "label"
        if _after_proper_name(t, n.start, toks) and not (unit.is_count and _known_count(unit.name)
                                                          and _after_acronym(t, n.start)):
            if not soft:
                return None
            veto = veto or "proper_name"
    if n.kind == "spelled" and n.value == 1 and not n.multiplied:
        # một: an article or "per" unless it carries a unit of measure (một tấn)
        if unit.is_count or prev_word in w["per"]:
            return None
        if unit.dimension == "duration":
            q, _ = _qualifier_before(t, n.start, 0)
            # "sau một ngày đoàn kiểm tra nhắc nhở": after sau/mất/kéo dài it is a measured time
            if q == "=" and not _ends_with_word(before.rstrip(), w["duration_after_mot"]):
                if not soft:
                    return None
                veto = veto or "mot_duration"
    if unit.is_count and unit.name in w["place_nouns"] and n.value > 1 and _names_one_place(t, unit.end):
        if not soft:
            return None
        veto = veto or "one_place"
    if n.kind == "spelled" and n.value == 2 and unit.is_count and unit.name.split(" ")[0] in w["both_sides"]:
        if not soft:
            return None  # "hai bên đường", "hai bờ kênh", "cả hai hướng": both sides, not a count
        veto = veto or "both_sides"
    if unit.dimension == "duration" and not _duration_ok(t, n, unit, blocked):
        if not soft:
            return None
        veto = veto or "duration"
    if unit.name == "giờ" and re.match(r" ?\d", t[unit.end:unit.end + 2]):
        return None  # 8 giờ 30: a time of day
    qual, qstart = _qualifier_before(t, n.start, 0, unit.dimension)
    if negative:
        a = max(0, n.start - 6)
        qstart = min(qstart, a + t[a:n.start].lower().rfind("âm"))
    rest = t[unit_end:unit_end + 12].lower().lstrip()
    if _starts_with_word(rest, w["lower_after"]):
        qual = ">" if qual in ("=", "~") else qual
    elif _starts_with_word(rest, w["upper_after"]):
        qual = "<" if qual in ("=", "~") else qual
    return _Found(qstart, unit_end, value, value_max, total, unit, qual, n.start, veto)


_HALF_AFTER = re.compile(r" rưỡi(?![^\W\d_])", re.IGNORECASE)


def _describes(unit: _Unit) -> bool:
    """``Phan Đình Quý 46 tuổi``, ``Ford Everest 7 chỗ``: a unit that describes what was just named."""
    return fold_word(unit.name).lower() in _words()["describing"]


def _label_before(before: str) -> str | None:
    """The label word (``Đợt``, ``số``) that ``before`` ends with, unless it ends a counting phrase
    (``trong số 203 người``)."""
    if not before.endswith(" "):
        return None
    stripped = before.rstrip()
    if _ends_with_word(stripped, _words()["not_labels"]):
        return None
    return _ends_with_word(stripped, _words()["labels"])


_MONEY_MULTIPLIER = re.compile(r"(?:triệu|tỷ|tỉ)$", re.IGNORECASE)
_DONG_AMOUNT = re.compile(r"\d ?(?:nghìn|ngàn|triệu|tỷ|tỉ) ?đồng(?!\w)", re.IGNORECASE)


def _money_context(t: str, n: NumberSpan) -> bool:
    """``kinh phí hỗ trợ là 15,4 triệu``: millions or billions of nothing named, in a clause about money
    or in a document that writes its amounts in đồng elsewhere (``27 tỷ đồng`` … ``khai thêm hơn 15 tỷ
    nữa``, ``mất hơn 200 triệu``)."""
    if not _MONEY_MULTIPLIER.search(t[n.start:n.end]):
        return False
    clause = re.split(r"[.;:!?\n]", t[max(0, n.start - 80):n.start])[-1].lower()
    if any(re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", clause) for w in _words()["money_context"]):
        return True
    return _DONG_AMOUNT.search(t) is not None


def _spelled_ok(t: str, n: NumberSpan, toks: _Tokens) -> bool:
    """Spelled numerals must be words of their own (``Ba kích`` is a plant, ``một số`` is "some")."""
    tok = toks.at(n.start)
    raw = t[n.start:n.end]
    if raw.isupper() and len(raw) > 1:
        return False  # "HAI", "BA": a ticker or code, not a spelled number
    first = raw.split(" ")[0].lower()
    if first == "năm" and _starts_with_word(t[n.end + 1:n.end + 20].lower(), _words()["five_year"]):
        return False  # "năm tài chính", "năm học": the noun year
    if tok is not None:
        s, e, tag = tok
        if s < n.start or e > n.end:
            return False
        if first == "năm" and tag != "M":
            return False  # "năm" is far more often "year" than five
        return True
    if first == "năm":
        nxt = _WORDCHARS.match(t, n.end + 1)
        return bool(nxt and nxt.group(0).lower() in _words()["counts"])
    nxt = _WORDCHARS.match(t, n.end + 1)
    if first == "một" and nxt and nxt.group(0).lower() in {"số", "vài", "cách", "chút", "ít", "nửa"}:
        return False
    return True


# _unit_after's, _rate's and _after_proper_name's patterns, compiled once (they run for
# every number; ``re``'s own cache costs a look-up per call)
_COMMA_SPACE = re.compile(r", ")
_SLASH = re.compile(r"\s?/\s?(?:1 ?(?=[^\W\d_]))?")
_WORD_SPACE_END = re.compile(r"([^\W\d_][^\s]*) $")
_OPENING_END = re.compile(r"(^|[.!?:;\n\"“(…-]\s*)$")


def _after_proper_name(t: str, start: int, toks: _Tokens) -> bool:
    """``Hải Vân 2``, ``ST 25``, ``Bình Lục 15``: a number naming something."""
    m = _WORD_SPACE_END.search(t[max(0, start - 30):start])
    if not m:
        return False
    word = m.group(1)
    if not word[0].isupper() or not word[-1].isalnum():
        return False  # "ông Đức, 58 tuổi", "Quảng Nam: 8 ca": punctuation parts the name from the number
    if word.lower() in {q for q, _ in _words()["qualifiers"]}:
        return False
    # sentence-initial capitals are ordinary words ("Có 60% viên chức")
    wstart = start - len(word) - 1
    pre = t[max(0, wstart - 3):wstart]
    if wstart <= 0 or _OPENING_END.search(pre) or pre.endswith("\n"):
        return False
    if word.isupper() and len(word) <= 4:
        return True
    tok = toks.at(wstart)
    if tok is not None and tok[2] != "Np":
        return False
    return True


def _known_count(name: str) -> bool:
    return fold_word(name).lower() in _words()["counts"]


def _after_acronym(t: str, start: int) -> bool:
    """``bậc THPT 2.698 lớp``, ``khối THCS 390 người``: an acronym names the group a
    counted list item belongs to; with a known counted noun after it the number counts."""
    return bool(re.search(r"(?:^|\s)[A-ZĐ]{2,5} $", t[max(0, start - 8):start]))


def _names_one_place(t: str, p: int) -> bool:
    """``24 tỉnh Thanh Hóa``: one named place after a plural count is a label, not a count."""
    m = re.compile(r" ((?:[A-ZĐ][^\W\d_]*)(?: [A-ZĐ][^\W\d_]*)*)").match(t, p)
    if not m:
        return False
    return not re.match(r"\s*(?:,|và|;|\))", t[m.end():m.end() + 5])


# days followed by the dates or the holiday they are: a period, not a measured time
_NAMED_DAYS = re.compile(r" (?:nghỉ )?(?:lễ|tết|mùng|mồng|\d{1,2}/\d{1,2}(?![\d/]))", re.IGNORECASE)
# "trong 2 ngày 26 và 27/4", "2 ngày (4-5/5)", "hai năm 2020-2021": the count then the days or years it
# names, a period
_NAMED_SPAN = re.compile(r" \(?(?:\d{1,2}|(?:19|20)\d\d)(?: và |, ?| ?[-–] ?| đến )\d")


def _duration_ok(t: str, n: NumberSpan, unit: _Unit, blocked) -> bool:
    """A measured length of time, not relative time or a time of day."""
    w = _words()
    after = t[unit.end:unit.end + 20].lower().lstrip(" ")
    if _starts_with_word(after, w["rel_after"]) and not _starts_with_word(after, w["rel_not_after"]):
        return False
    if unit.name == "ngày" and _NAMED_DAYS.match(t, unit.end):
        return False  # "trong hai ngày mùng 3 và mùng 4 Tết", "4 ngày nghỉ lễ 30/4 và 1/5": the days named
    if unit.name in ("ngày", "năm") and _NAMED_SPAN.match(t, unit.end):
        return False
    if unit.name == "giờ":
        if _starts_with_word(after, w["time_after"]):
            return False
        if _ends_with_word(t[max(0, n.start - 15):n.start].rstrip(), w["time_before"]):
            return False
    before = t[max(0, n.start - 20):n.start].rstrip().lower()
    # cách đây hơn một năm: skip qualifiers then look for the relative marker
    stripped = before
    for phrase, _s in w["qualifiers"]:
        if stripped.endswith(" " + phrase) or stripped == phrase:
            stripped = stripped[: -len(phrase)].rstrip()
            break
    if _ends_with_word(stripped, w["rel_before"]):
        return False
    return True


# compiled once: _range_after runs at every number
_RANGE_JOINER = re.compile(r"\s?[-–—]\s?|\s(?:đến|tới)\s(?:(?:dưới|trên|hơn)\s)?")


def _range_after(t: str, n: NumberSpan, unit: _Unit | None, by_start, toks):
    """``3,42 - 3,73 tấn/ha``, ``từ 11 đến 12 triệu đồng/ha``, ``40.000 - 50.000 đồng/kg``."""
    p = unit.end if unit is not None else n.end
    m = _RANGE_JOINER.match(t, p)
    if not m:
        return None
    n2 = by_start.get(m.end())
    if n2 is None or math.isnan(n2.value) or n2.kind == "code":
        return None
    unit2 = _unit_after(t, n2.end, toks)
    if unit is not None:
        if unit2 is None:
            return None
        if unit2.name != unit.name and not unit2.name.startswith(unit.name + "/"):
            return None
        if "-" in m.group(0) and unit.dimension == "count" and unit.is_count:
            return None  # "12 tin - 6 phóng sự" style lists
    if unit2 is None:
        return None
    v1 = n.value
    f2 = n2.value / _raw_value(n2) if n2.multiplied and _raw_value(n2) else 1.0
    if not n.multiplied and f2 != 1.0:
        v1 = n.value * f2
    elif n.raw.isdigit() and n2.raw.endswith(".000") and n2.value / 2 <= n.value * 1000 < n2.value:
        v1 = n.value * 1000  # `250-280.000 đồng/kg`, `từ 400 đến 600.000 đồng`: the thousands said once
    if not v1 < n2.value:
        return None
    return v1, n2.value, max(unit2.end, n2.end), unit2


# `ở tuổi 48`, `độ tuổi 18-29`, `nhóm tuổi 20-39`: the age written before its number
_AGE_BEFORE = re.compile(r"(?:^|[\s(])tuổi $", re.IGNORECASE)
_BARE_AFTER = re.compile(r"(?:[\s,.;:)!?\n]|$)")


def _age_after_word(t: str, n: NumberSpan, by_start) -> tuple[float, float | None, int, _Unit] | None:
    """(value, value_max, end, unit) of an age written ``tuổi N`` or ``tuổi A-B``, the number bare."""
    if n.kind != "digits" or n.multiplied or not 0 < n.value < 130:
        return None
    age = _units()[0]["tuổi"]
    value_max, end = None, n.end
    m = _RANGE_JOINER.match(t, n.end)
    n2 = by_start.get(m.end()) if m else None
    if n2 is not None and n2.kind == "digits" and n.value < n2.value < 130:
        value_max, end = n2.value, n2.end
    if not _BARE_AFTER.match(t, end):
        return None  # the number runs on into letters or digits (`tuổi 18x`): not an age
    return n.value, value_max, end, _Unit(age.canonical, end, age.dimension, age.base_unit, age.factor, False)


def _raw_value(n: NumberSpan) -> float | None:
    if n.kind == "digits":
        return parse_digits(n.raw)
    first = parse_spelled(n.raw.lower().split()[:1])
    return first[0] if first else None


# "tổng số thí sinh đăng ký xét tuyển ĐH, CĐ là 642.945", "Tổng số người … (cách ly): 40.846":
# a label naming what is counted, then the bare number; the label stays within its clause.
_COUNT_LABEL = re.compile(r"(?:(?<!\w)tổng số|(?<!\w)số lượng|(?<!\w)số)\s+(?=[^\W\d_])([^.;!?\n\d]{1,100}?)"
                          r"(?:\s(?:là|đạt|lên tới|khoảng)\s|:\s?)$", re.IGNORECASE)
# a list item "- Cách ly tại nhà: 14.985", "+ Lần 1: 13": a label, a colon, the number, the line's end
_LIST_ITEM = re.compile(r"^[ \t]*[-+•*–][ \t]*[^:\n\d]{1,60}(?:\d{1,2})?[ \t]*:[ \t]*$")
_BULLET = re.compile(r"^[ \t]*([-+•*–])")
_BARE_NUMBER_END = re.compile(r"[ \t]*(?:[,.;)\n]|$)")
_LONG_LEADING_ZERO = re.compile(r"0\d{3,}")


def _next_word(t: str, p: int, toks: _Tokens) -> _Unit | None:
    """The lower-case word after a number ending at ``p`` as its counted noun, whatever its tag:
    the candidate where the rules found no counted noun or measure."""
    if t[p:p + 1] != " ":
        return None
    q = p + 1
    tok = toks.at(q)
    if tok is not None and tok[0] == q:
        word = t[q:tok[1]]
    else:
        m = _WORDCHARS.match(t, q)
        word = m.group(0) if m else ""
    if not word[:1].isalpha() or not word[:1].islower() or not word.replace(" ", "").isalpha():
        return None
    return _Unit(word.lower(), q + len(word), "count", None, None, True, (q, q + len(word)))


def _noun_before(t: str, n: NumberSpan, toks: _Tokens) -> str | None:
    """``số cán bộ là 1.890`` with no noun after the number: the counted noun of its label.

    Also a list item of bare numbers under a heading that names the count ("- Số ca âm tính:"
    then "+ Lần 1: 13"; "Tổng số người …: 40.846, trong đó:" then "- Cách ly tại nhà: 14.985").
    """
    if not _BARE_NUMBER_END.match(t[n.end:n.end + 3]) or _LONG_LEADING_ZERO.fullmatch(n.raw):
        return None  # (a leading zero: an account or phone number, "Số tài khoản: 0001704…")
    line_start = t.rfind("\n", 0, n.start) + 1
    before = t[max(line_start, n.start - 140):n.start]
    m = _COUNT_LABEL.search(before)
    if m:
        c = _count_noun_at(t, n.start - len(before) + m.start(1), toks)
        if c:
            return c[0].lower()
    if not _LIST_ITEM.match(t[line_start:n.start]) or t[n.end:t.find("\n", n.end) % (len(t) + 1)].strip(" .;"):
        return None
    return _heading_count(t, line_start, _BULLET.match(t[line_start:n.start]).group(1), toks)


def _heading_count(t: str, line_start: int, bullet: str, toks: _Tokens) -> str | None:
    """The counted noun of the heading a list item sits under: the nearest line before it that is
    not a sibling item (same bullet), if it names a count (``số ca``) and opens the list."""
    end = line_start - 1
    for _ in range(30):  # siblings of a long list
        if end <= 0:
            return None
        start = t.rfind("\n", 0, end) + 1
        line = t[start:end]
        b = _BULLET.match(line)
        if b and b.group(1) == bullet:
            end = start - 1
            continue
        if not re.search(r"(?::|trong đó:?|gồm:?)\s*$", line):
            return None
        m = re.search(r"(?<!\w)(?:tổng số|số lượng|số)\s+(?=[^\W\d_])", line, re.IGNORECASE)
        if not m:
            return None
        c = _count_noun_at(t, start + m.end(), toks)
        return c[0].lower() if c else None
    return None


_PART_OF = re.compile(r" trong (?:tổng số |số )?(?:nhóm )?(?=\w)", re.IGNORECASE)


def _part_of_whole(t: str, n: NumberSpan, by_start, toks: _Tokens) -> tuple[float, _Unit] | None:
    """``72 trong số 99 nhà báo``, ``3 trong 9 người``, ``1 trong ba mẫu xe``: a part of a counted whole,
    like ``72/99`` (the total, the whole's counted noun).  Annotators read ``1 trong N`` so too (18 of
    22 in the training documents), but ``một trong N`` as "one of them", the whole alone (35 of 51)."""
    m = _PART_OF.match(t, n.end)
    if not m or n.kind != "digits" or n.value < 1 or n.value != int(n.value) or n.multiplied:
        return None
    whole = by_start.get(m.end())
    if whole is None or whole.kind not in ("digits", "spelled") or whole.multiplied or not whole.value > n.value:
        return None
    unit = _unit_after(t, whole.end, toks)
    return (whole.value, unit) if unit is not None and unit.is_count else None


# "gấp" not inside a longer word, the test of the character before it written after the word (a
# look-behind over both): the regex engine then skips to the word's letter instead of trying
# every position of the text
_GAP = re.compile(r"gấp(?<!\wgấp)\s+(đôi|rưỡi)(?![\w])", re.IGNORECASE)
_GAP_BEFORE = re.compile(r"gấp(?<!\wgấp)\s+", re.IGNORECASE)
_TIMES_AFTER = re.compile(r" lần(?![\w])")


def _gap_multiples(t: str, found: list[_Found], by_start, toks, blocked) -> list[_Found]:
    """``gấp đôi`` (2), ``gấp rưỡi`` (1.5), ``gấp ba`` / ``gấp 5,6 lần`` are quantities in ``lần``."""
    out = []
    taken = [(q.start, q.end) for q in found]
    for m in _GAP.finditer(t):
        value = 2.0 if m.group(1).lower() == "đôi" else 1.5
        out.append((m.start(), m.end(), value))
    for m in _GAP_BEFORE.finditer(t):
        n = by_start.get(m.end())
        if n is None or math.isnan(n.value) or n.kind == "code":
            continue
        end = n.end
        lm = _TIMES_AFTER.match(t, end)
        if lm:
            end = lm.end()
        elif n.kind != "spelled":
            continue
        # gấp 5,6 lần may already be a "lần" count: replace it
        taken = [(a, b) for a, b in taken if not (a <= n.start < b)]
        found[:] = [q for q in found if not (q.num_start == n.start)]
        out.append((m.start(), end, n.value))
    res = []
    for s, e, v in out:
        if any(a < e and s < b for a, b in taken) or blocked.overlaps(s, e):
            continue
        qual, qs = _qualifier_before(t, s, 0)
        res.append(_Found(qs, e, v, None, None, _Unit("lần", e, "count", None, None, True), qual, s))
    return res


_HALF = re.compile(r"nửa(?<!\wnửa) (?=[^\W\d_])", re.IGNORECASE)  # (the look-behind after the word: see _GAP)


def _half_durations(t: str, found: list[_Found], blocked) -> list[_Found]:
    """``nửa ngày``, ``hơn nửa năm``: half of a length of time is a duration of 0.5 (``một nửa số hộ``,
    half of a whole, is no quantity)."""
    out = []
    for m in _HALF.finditer(t):
        um = _measure_at(t, m.end(), False)
        if um is None or um[0].dimension != "duration" or t[max(0, m.start() - 4):m.start()].lower() == "một ":
            continue
        uom, end = um
        if any(q.start < end and m.start() < q.end for q in found) or blocked.overlaps(m.start(), end) \
                or _starts_with_word(t[end:end + 20].lower().lstrip(" "), _words()["rel_after"]):
            continue
        qual, qs = _qualifier_before(t, m.start(), 0, uom.dimension)
        unit = _Unit(uom.canonical, end, uom.dimension, uom.base_unit, uom.factor, False)
        out.append(_Found(qs, end, 0.5, None, None, unit, qual, m.start()))
    return out


def _to_quantity(text: str, f: Folded, t: str, q: _Found, toks: _Tokens, floor: int = 0) -> Quantity:
    if q.start > 0 and t[q.start - 1] == "$":
        q.start -= 1  # "$5 triệu"
    s, e = f.span(q.start, q.end)
    u = q.unit
    name = u.name
    if u.src is not None and u.dimension == "count":
        ns, ne = f.span(*u.src)
        name = unicodedata.normalize("NFC", text[ns:ne]).lower()
    elif u.dimension == "rate" and u.src is not None:
        ns, ne = f.span(*u.src)
        name = unicodedata.normalize("NFC", text[ns:ne]).lower() + u.name[len(u.name.split("/")[0]):]
    base_value = None
    if u.factor is not None and u.base_unit is not None:
        base_value = q.value * u.factor
    return Quantity(
        text=text[s:e], start=s, end=e, value=q.value, unit_of_measure=name,
        qualifier=q.qualifier, dimension=u.dimension, value_max=q.value_max, total=q.total,
        item=item_of(text, f, t, q.start, q.end, u, toks, floor), base_value=base_value,
        base_unit=u.base_unit if base_value is not None else None,
    )
