"""Vietnamese numerals → values, and the folded text they are matched on.

Vietnamese notation (spec sections 3 and 6): ``.`` groups thousands and ``,``
is the decimal mark (``8.069`` = 8069, ``0,4`` = 0.4, ``2,078`` = 2.078);
English grouping only when unambiguous (``1,234,567``, ``1,511.5``).
Multiplier words scale (``1,7 triệu`` = 1 700 000; ``7 triệu 520 nghìn`` =
7 520 000) and spelled numbers count (``hai mươi mốt`` = 21,
``một trăm linh năm`` = 105).

Matching runs on a *folded* copy of the text (:func:`fold`): NFC per
character cluster, one tone-mark placement (``hoà``/``hòa``, ``thuỷ``/``thủy``)
and plain spaces, with a map back to the original offsets, so NFD input and
old-style spelling match the same rules while offsets stay exact.

>>> parse_digits("8.069"), parse_digits("0,4"), parse_digits("1,234,567")
(8069.0, 0.4, 1234567.0)
>>> [(n.value, n.kind) for n in scan_numbers(fold("7 triệu 520 nghìn con").text)]
[(7520000.0, 'digits')]
"""
from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import accumulate

# ---------------------------------------------------------------- folding

# Old-style tone placement on the first vowel of oa/oe/uy is folded to one
# form; which form does not matter as long as text and lexicons are folded alike.
_TONES_A = "àáảãạ"
_TONES_E = "èéẻẽẹ"
_TONES_Y = "ỳýỷỹỵ"
_TONES_O = "òóỏõọ"
_TONES_U = "ùúủũụ"
_INVISIBLE = set("\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff")
_SPACE_LIKE = set("\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t")


# where _retone has anything to do: an o before a toned a/e, a u before a toned y
_RETONE_AT = re.compile("[oO](?=[%s])|[uU](?=[%s])" % (
    _TONES_A + _TONES_E + (_TONES_A + _TONES_E).upper(), _TONES_Y + _TONES_Y.upper()))


def _retone(chars: list[str], text: str | None = None) -> None:
    """oà → òa, oé → óe, uỷ → ủy (in place, length kept).

    ``text`` is ``"".join(chars)`` when the caller has it: only the places
    ``_RETONE_AT`` finds are then looked at (a pass in C instead of Python).
    """
    at = range(len(chars) - 1) if text is None else (m.start() for m in _RETONE_AT.finditer(text))
    for i in at:
        a, b = chars[i], chars[i + 1]
        lower_a, lower_b = a.lower(), b.lower()
        if lower_a == "o" and (lower_b in _TONES_A or lower_b in _TONES_E):
            tones = _TONES_A if lower_b in _TONES_A else _TONES_E
            k = tones.index(lower_b)
            o = _TONES_O[k]
            chars[i] = o.upper() if a.isupper() else o
            plain = "a" if tones is _TONES_A else "e"
            chars[i + 1] = plain.upper() if b.isupper() else plain
        elif lower_a == "u" and lower_b in _TONES_Y:
            k = _TONES_Y.index(lower_b)
            u = _TONES_U[k]
            chars[i] = u.upper() if a.isupper() else u
            chars[i + 1] = "Y" if b.isupper() else "y"


@dataclass(slots=True)
class Folded:
    """Folded text plus, for each of its characters, the original span it came from."""

    text: str
    starts: list[int]
    ends: list[int]
    original_length: int
    _from_original: list[int] | None = field(default=None, repr=False, compare=False)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the folded span [start, end)."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else self.original_length
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    @property
    def from_original(self) -> list[int]:
        """For each original offset, the folded offset at or after it (computed once)."""
        if self._from_original is None:
            self._from_original = self._map_from_original()
        return self._from_original

    def _map_from_original(self) -> list[int]:
        n = len(self.text)
        if n == self.original_length and self.ends[-1:] == [n] and self.starts == _IDENTITY[:n]:
            return list(range(n + 1))  # nothing was folded away: offsets map to themselves
        out = [len(self.text)] * (self.original_length + 1)
        for i in range(len(self.text) - 1, -1, -1):
            for j in range(self.starts[i], self.ends[i]):
                out[j] = i
        for j in range(self.original_length - 1, -1, -1):
            if out[j] == len(self.text) and out[j + 1] < len(self.text):
                out[j] = out[j + 1]
        return out


# 0, 1, 2 … for the offsets of text that folding leaves in place (grown on demand)
_IDENTITY: list[int] = []


def _identity(n: int) -> list[int]:
    global _IDENTITY
    if len(_IDENTITY) < n + 1:
        _IDENTITY = list(range(max(n + 1, 2 * len(_IDENTITY))))
    return _IDENTITY


@lru_cache(maxsize=4096)
def _kept_as_is(c: str) -> bool:
    """Does fold() copy this character unchanged when no combining mark follows it?"""
    return not unicodedata.combining(c) and c not in _INVISIBLE and c not in _SPACE_LIKE \
        and (c.isascii() or unicodedata.normalize("NFC", c) == c)


@lru_cache(maxsize=8)
def fold(text: str) -> Folded:
    """NFC per cluster, one tone placement, plain spaces, no invisible characters.

    The extractors fold the same document several times (numbers, periods,
    quantities, dates), so the last few results are kept; a ``Folded`` is
    never changed after it is made.

    >>> f = fold("tho\\u0309 hoà")
    >>> f.text, f.span(0, 3)
    ('thỏ hòa', (0, 4))
    """
    n = len(text)
    if all(_kept_as_is(c) for c in set(text)):
        # The common case (NFC text, no odd spaces): every character is its own
        # cluster and is kept, so only the tone placement can change.
        chars = list(text)
        _retone(chars, text)
        ident = _identity(n)
        # every offset maps to itself: from_original is known without _map_from_original's comparison
        return Folded("".join(chars), ident[:n], ident[1:n + 1], n, list(range(n + 1)))
    return _fold_clusters(text)


def _fold_clusters(text: str) -> Folded:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = text[i:j]
        if cluster in _INVISIBLE:
            if ends:
                ends[-1] = j
            i = j
            continue
        if cluster in _SPACE_LIKE:
            cluster = " "
        elif len(cluster) > 1 or not cluster.isascii():
            cluster = unicodedata.normalize("NFC", cluster)
        for c in cluster:
            chars.append(c)
            starts.append(i)
            ends.append(j)
        i = j
    _retone(chars, "".join(chars))
    return Folded("".join(chars), starts, ends, n)


@lru_cache(maxsize=65536)
def fold_word(s: str) -> str:
    """Fold a lexicon entry the same way as the text.

    Kept in a cache of its own: through ``fold``'s, the words folded while a document is read
    (nouns, items) pushed the document's own fold out, and the next step folded it again."""
    return fold.__wrapped__(s).text


# ---------------------------------------------------------------- lexicon


@lru_cache(maxsize=None)
def load_data(name: str) -> dict:
    """A JSON lexicon from ``extractors/data`` (loaded once)."""
    with resources.files("extractors.data").joinpath(name).open(encoding="utf-8") as f:
        return json.load(f)


@lru_cache(maxsize=1)
def _numerals() -> dict:
    d = load_data("numerals.json")
    return {
        "digits": {fold_word(k): v for k, v in d["digits"].items()},
        "compound_only": {fold_word(k): v for k, v in d["compound_only"].items()},
        "ten": fold_word(d["ten"]),
        "tens_marker": fold_word(d["tens_marker"]),
        "hundred": fold_word(d["hundred"]),
        "zero_tens": {fold_word(w) for w in d["zero_tens"]},
        "multipliers": {fold_word(k): float(v) for k, v in d["multipliers"].items()},
        "tens_multiplier": {fold_word(k): float(v) for k, v in d["tens_multiplier"].items()},
        "not_multipliers": [fold_word(w) for w in d["not_multipliers"]["words"]],
    }


@lru_cache(maxsize=1)
def _not_multipliers_by_first() -> dict[str, list[str]]:
    """``not_multipliers`` under their first character (in list order): a word can only start
    with its own first character, and ``_is_other_word`` runs at every word after a number."""
    out: dict[str, list[str]] = {}
    for w in _numerals()["not_multipliers"]:
        out.setdefault(w[:1], []).append(w)
    return out


def _is_other_word(text: str, pos: int) -> bool:
    """The multiplier at ``pos`` starts another word (tỷ lệ, triệu phú)."""
    low = text[pos:pos + 12].lower()
    for w in _not_multipliers_by_first().get(low[:1], ()) if low else _numerals()["not_multipliers"]:
        if low.startswith(w) and (len(low) == len(w) or not low[len(w)].isalnum()):
            return True
    return False


def multipliers() -> dict[str, float]:
    return _numerals()["multipliers"]


# ---------------------------------------------------------------- digits

# (a lone 0 never leads a thousands group: `0.586%`, `0.001 micromet` are English decimals)
_VN_GROUPED = re.compile(r"(?!0\.)\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_VN_DECIMAL = re.compile(r"\d+,\d+")
_EN_GROUPED = re.compile(r"\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?|\d{1,3}(?:,\d{3})+\.\d+")
_DOT_DECIMAL = re.compile(r"\d+\.(?:\d{1,2}|\d{4,})|0\.\d+")
_PLAIN = re.compile(r"\d+")


def parse_digits(s: str) -> float | None:
    """Value of a number written in digits, or None when the notation is not a number.

    >>> parse_digits("6.200"), parse_digits("95,08"), parse_digits("02"), parse_digits("1,511.5")
    (6200.0, 95.08, 2.0, 1511.5)
    >>> parse_digits("1.2.3") is None
    True
    """
    if _PLAIN.fullmatch(s):
        return float(s)
    if _VN_GROUPED.fullmatch(s):
        whole, _, frac = s.partition(",")
        return float(whole.replace(".", "") + ("." + frac if frac else ""))
    if _VN_DECIMAL.fullmatch(s):
        return float(s.replace(",", "."))
    if _EN_GROUPED.fullmatch(s):
        return float(s.replace(",", ""))
    if _DOT_DECIMAL.fullmatch(s):
        return float(s)
    return None


# ---------------------------------------------------------------- spelled


def parse_spelled(words: list[str]) -> tuple[float, int] | None:
    """(value, words used) of the longest spelled number at the start of ``words``.

    ``words`` are folded, lower-case syllables.

    >>> parse_spelled("hai mươi mốt xã".split())
    (21.0, 3)
    >>> parse_spelled("một trăm linh năm người".split())
    (105.0, 4)
    """
    nm = _numerals()
    best: tuple[float, int] | None = None
    total = 0.0
    i = 0
    group_limit = float("inf")
    while i < len(words):
        small = _below_thousand(words, i, nm)
        if small is None:
            break
        value, used = small
        j = i + used
        mult = 1.0
        k = j
        while k < len(words) and words[k] in nm["multipliers"]:
            mult *= nm["multipliers"][words[k]]
            k += 1
        if k < len(words) and words[k] in nm["tens_multiplier"] and mult == 1.0:
            mult = nm["tens_multiplier"][words[k]]
            k += 1
        if mult >= group_limit:
            break
        total += value * mult
        best = (total, k)
        i = k
        if mult == 1.0:
            break
        group_limit = mult
    return best


def _below_thousand(words: list[str], i: int, nm: dict) -> tuple[float, int] | None:
    digits, comp = nm["digits"], nm["compound_only"]
    w = words[i] if i < len(words) else None
    if w is None:
        return None
    if w in digits and digits[w] > 0 or (w == "không" and i + 1 < len(words) and words[i + 1] == nm["hundred"]):
        d = digits[w]
        if i + 1 < len(words) and words[i + 1] == nm["hundred"]:
            value, used = d * 100.0, 2
            nxt = words[i + 2] if i + 2 < len(words) else None
            if nxt in nm["zero_tens"] and i + 3 < len(words) and words[i + 3] in digits and digits[words[i + 3]] > 0:
                return value + digits[words[i + 3]], 4
            tens = _tens(words, i + 2, nm)
            if tens is not None:
                return value + tens[0], used + tens[1]
            return value, used
        tens = _tens(words, i, nm)
        if tens is not None:
            return tens
        return float(d), 1
    tens = _tens(words, i, nm)
    if tens is not None:
        return tens
    return None


def _tens(words: list[str], i: int, nm: dict) -> tuple[float, int] | None:
    digits, comp = nm["digits"], nm["compound_only"]
    if i >= len(words):
        return None
    w = words[i]
    unit_word = words[i + 1] if i + 1 < len(words) else None
    if w == nm["ten"]:
        if unit_word is not None and unit_word != "một" and (
            (unit_word in digits and digits[unit_word] > 0 and unit_word != "năm")
            or unit_word in ("lăm", "nhăm")
        ):
            v = digits.get(unit_word, comp.get(unit_word))
            return 10.0 + v, 2
        if unit_word == "một":
            return 11.0, 2
        return 10.0, 1
    if w in digits and digits[w] >= 2 and unit_word == nm["tens_marker"]:
        base = digits[w] * 10.0
        last = words[i + 2] if i + 2 < len(words) else None
        # 5 after mươi is lăm/nhăm: "hai mươi năm" is twenty years
        if last in comp or (last in digits and digits[last] > 0 and last != "năm"):
            v = comp.get(last, digits.get(last))
            return base + v, 3
        return base, 2
    return None


# ---------------------------------------------------------------- scanning


@dataclass(slots=True)
class NumberSpan:
    """One number found in folded text: [start, end) with its value.

    ``kind`` is ``digits`` or ``spelled``; ``raw`` the digits as written;
    ``multiplied`` whether a multiplier word was applied.
    """

    start: int
    end: int
    value: float
    kind: str
    raw: str
    multiplied: bool = False


_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# read at every number (compiled once: ``re``'s own cache costs a look-up per call)
_NEXT_WORD = re.compile(r"[ ]?([^\W\d_]+)")  # a multiplier word after a number
_DIGIT_GROUP = re.compile(r" (\d{1,3}(?:,\d+)?) ")  # the 520 of "7 triệu 520 nghìn"
_HALF = re.compile(r" rưỡi\b")


def _multiplier_tail(text: str, pos: int) -> tuple[float, int, bool]:
    """Multiplier words after ``pos``: (factor, new end, found). ``nghìn tỷ`` multiplies."""
    mults = multipliers()
    factor, end, found = 1.0, pos, False
    p = pos
    while True:
        m = _NEXT_WORD.match(text, p)
        if not m:
            break
        w = m.group(1).lower()
        if _is_other_word(text, m.start(1)):
            break
        if w in mults and (m.group(0).startswith(" ") or not found and p == pos):
            factor *= mults[w]
            end = p = m.end()
            found = True
            continue
        if w == "trăm" and not found:
            factor *= 100.0
            end = p = m.end()
            found = True
            continue
        break
    return factor, end, found


def _compound_rest(text: str, pos: int, limit: float) -> tuple[float, int]:
    """``7 triệu 520 nghìn``: further (digits + smaller multiplier) groups, and ``rưỡi``."""
    added = 0.0
    end = pos
    while True:
        m = _DIGIT_GROUP.match(text, end)
        if not m:
            break
        v = parse_digits(m.group(1))
        factor, mend, found = _multiplier_tail(text, m.end() - 1)
        if v is None or not found or factor >= limit:
            break
        added += v * factor
        end = mend
        limit = factor
    m = _HALF.match(text, end)
    if m and added == 0.0:
        added += 0.5 * limit
        end = m.end()
    return added, end


def scan_numbers(text: str) -> list[NumberSpan]:
    """Every number in folded ``text``: digits (with multipliers) and spelled numbers.

    Digits glued inside a code (``BN2384``, ``06/2008/NĐ-CP``) are still
    returned; deciding what is a quantity is the caller's job.
    """
    out: list[NumberSpan] = []
    covered = -1
    for m in _DIGITS.finditer(text):
        if m.start() < covered:  # the 520 of "7 triệu 520 nghìn"
            continue
        raw = m.group(0)
        value = parse_digits(raw)
        if value is None:
            out.append(NumberSpan(m.start(), m.end(), float("nan"), "code", raw))
            continue
        factor, end, found = _multiplier_tail(text, m.end())
        if found:
            added, end2 = _compound_rest(text, end, factor)
            out.append(NumberSpan(m.start(), end2, value * factor + added, "digits", raw, True))
            covered = end2
        else:
            out.append(NumberSpan(m.start(), m.end(), value, "digits", raw))
    digits = SpanIndex((s.start, s.end) for s in out)
    for sp in _scan_spelled(text):
        if not digits.overlaps(sp.start, sp.end):
            out.append(sp)
    out.sort(key=lambda s: s.start)
    return out


class SpanIndex:
    """Spans ``(start, end)``, asked whether any overlaps ``[a, b)``: a bisection, not a scan of
    them all (a long page holds thousands of numbers and dates, and each is asked about)."""

    def __init__(self, spans):
        spans = sorted(spans)
        self.starts = [a for a, _ in spans]
        # the furthest end among the spans starting up to each one (they may nest or overlap)
        self.reach = list(accumulate((b for _, b in spans), max))

    def overlaps(self, a: int, b: int) -> bool:
        k = bisect_left(self.starts, b)  # the spans starting before b
        return k > 0 and self.reach[k - 1] > a


@lru_cache(maxsize=1)
def _starter_pattern() -> re.Pattern:
    """Whole words that may open a spelled number, in any case.

    A prefilter only: each match is checked as ``_scan_spelled`` always did (its lower-case
    form among the starters), so the text's other words are never looked at in Python."""
    nm = _numerals()
    starters = (set(nm["digits"]) | {nm["ten"]}) - {"không"}
    alts = "|".join(re.escape(w) for w in sorted(starters, key=len, reverse=True))
    return re.compile(r"(?<![^\W\d_])(?:" + alts + r")(?![^\W\d_])", re.IGNORECASE)


def _scan_spelled(text: str) -> list[NumberSpan]:
    nm = _numerals()
    starters = set(nm["digits"]) | {nm["ten"]}
    out = []
    resume = 0  # the end of the last number read: its syllables open nothing
    for sm in _starter_pattern().finditer(text):
        s = sm.start()
        w = sm.group(0).lower()
        if s < resume or w not in starters or w == "không":
            continue
        # syllables of one run: only single spaces between them
        run, ends = [w], [sm.end()]
        for m in _WORD.finditer(text, sm.end()):
            if len(run) >= 12 or text[ends[-1]:m.start()] != " " or _is_other_word(text, m.start()):
                break
            run.append(m.group(0).lower())
            ends.append(m.end())
        parsed = parse_spelled(run)
        if parsed is None:
            continue
        value, used = parsed
        end = ends[used - 1]
        out.append(NumberSpan(s, end, value, "spelled", text[s:end], used > 1 and any(
            x in nm["multipliers"] for x in run[:used])))
        resume = end
    return out
