"""Vietnamese numerals: notation, multiplier words, spelled numbers, text folding."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from extractors.numbers import fold, parse_digits, parse_spelled, scan_numbers

# ---------------------------------------------------------------- renderers (the reference)

_DIGIT = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def vn_grouped(n: int) -> str:
    """8069 → '8.069' (Vietnamese thousands dots)."""
    return f"{n:,}".replace(",", ".")


def _tens(n: int, after_hundred: bool) -> list[str]:
    """0 < n < 100, as read after a hundreds digit (linh) or alone."""
    t, u = divmod(n, 10)
    if t == 0:
        return (["linh"] if after_hundred else []) + [_DIGIT[u]]
    if t == 1:
        return ["mười"] + ([] if u == 0 else ["lăm" if u == 5 else _DIGIT[u]])
    unit = {0: [], 1: ["mốt"], 4: ["tư"], 5: ["lăm"]}.get(u, [_DIGIT[u]])
    return [_DIGIT[t], "mươi"] + unit


def _below_thousand(n: int, full: bool) -> list[str]:
    h, rest = divmod(n, 100)
    if h == 0 and not full:
        return _tens(rest, False) if rest else []
    words = [_DIGIT[h], "trăm"]
    return words + (_tens(rest, True) if rest else [])


def spell(n: int) -> str:
    """Vietnamese reading of 0 < n < 10**12 (the way a reporter writes it out)."""
    groups = []
    for name, size in (("tỷ", 10**9), ("triệu", 10**6), ("nghìn", 10**3), ("", 1)):
        g, n = divmod(n, size)
        groups.append((g, name))
    words: list[str] = []
    for g, name in groups:
        if g == 0:
            continue
        words += _below_thousand(g, full=bool(words)) + ([name] if name else [])
    return " ".join(words)


def single(text: str):
    spans = scan_numbers(fold(text).text)
    assert len(spans) == 1, (text, spans)
    return spans[0]


# ---------------------------------------------------------------- properties


@given(st.integers(min_value=0, max_value=10**13))
def test_dot_grouped_integers_parse_back(n):
    assert parse_digits(vn_grouped(n)) == n


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=999),
       st.integers(min_value=1, max_value=3))
def test_comma_decimals_parse_back(whole, frac, width):
    frac_s = str(frac).zfill(width)[-width:]
    s = f"{vn_grouped(whole)},{frac_s}"
    assert parse_digits(s) == pytest.approx(float(f"{whole}.{frac_s}"), rel=1e-12)


@given(st.integers(min_value=1_000_000, max_value=10**12))
def test_english_grouping_with_two_comma_groups(n):
    assert parse_digits(f"{n:,}") == n


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=99),
       st.sampled_from([("nghìn", 1e3), ("ngàn", 1e3), ("vạn", 1e4), ("triệu", 1e6), ("tỷ", 1e9), ("tỉ", 1e9)]))
def test_multiplier_words(whole, frac, mult):
    word, factor = mult
    s = f"{whole},{frac:02d} {word} đồng" if frac else f"{whole} {word} đồng"
    expected = float(f"{whole}.{frac:02d}") * factor
    assert single(s).value == pytest.approx(expected, rel=1e-9)


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=1, max_value=999))
def test_compound_multipliers(millions, thousands):
    span = single(f"{millions} triệu {thousands} nghìn con")
    assert span.value == millions * 1_000_000 + thousands * 1000


@given(st.integers(min_value=1, max_value=10**12 - 1))
@settings(max_examples=300)
def test_spelled_numbers_parse_back(n):
    words = spell(n).split()
    parsed = parse_spelled(words + ["người"])
    assert parsed is not None
    assert parsed == (float(n), len(words)), spell(n)


@given(st.integers(min_value=2, max_value=999_999))
def test_spelled_numbers_found_in_text(n):
    text = f"Có {spell(n)} hộ tham gia."
    spans = [s for s in scan_numbers(fold(text).text) if s.kind == "spelled"]
    assert [s.value for s in spans] == [n]


@given(st.text(alphabet=st.sampled_from("aăâeêoôơuưyđ\u0300\u0301\u0303\u0309\u0323 0123456789.,%/-AĐHx\u00a0"),
               max_size=60))
def test_fold_maps_every_character_back(text):
    f = fold(text)
    assert len(f.starts) == len(f.text) == len(f.ends)
    for i in range(len(f.text)):
        s, e = f.span(i, i + 1)
        assert 0 <= s < e <= len(text)
        assert unicodedata.normalize("NFC", text[s:e]).strip() or text[s:e].isspace() or f.text[i] == " "


# ---------------------------------------------------------------- table of real notations


@pytest.mark.parametrize("raw, value", [
    ("8.069", 8069), ("1.511", 1511), ("0,4", 0.4), ("95,08", 95.08), ("6.200", 6200),
    ("02", 2), ("04", 4), ("2,078", 2.078), ("2,52", 2.52), ("1,234,567", 1234567),
    ("1,511.5", 1511.5), ("450.000", 450000), ("20.272", 20272), ("1.5", 1.5),
    # a lone 0 never leads a group of thousands: an English decimal
    ("0.586", 0.586), ("0.001", 0.001), ("10.586", 10586),
])
def test_digit_notation(raw, value):
    assert parse_digits(raw) == pytest.approx(value)


@pytest.mark.parametrize("raw", ["1.2.3", "27.3.2012", "1,2,3", "9001:2008"])
def test_not_numbers(raw):
    assert parse_digits(raw) is None


@pytest.mark.parametrize("text, value", [
    ("1,7 triệu ha", 1_700_000), ("6.200 tỷ đồng", 6.2e12), ("7 triệu 520 nghìn con", 7_520_000),
    ("2,035 tỉ đồng", 2_035_000_000), ("262,5 triệu đồng", 262_500_000), ("2 nghìn tỷ đồng", 2e12),
    ("2 triệu rưỡi", 2_500_000), ("1 tỷ 200 triệu đồng", 1_200_000_000),
    ("hai mươi mốt", 21), ("mười lăm", 15), ("một trăm linh năm", 105), ("một trăm hai mươi", 120),
    ("ba nghìn", 3000), ("Bốn", 4), ("hai mươi tư", 24), ("một nghìn không trăm linh năm", 1005),
])
def test_numbers_in_text(text, value):
    assert single(text).value == pytest.approx(value)


def test_ten_years_is_not_fifteen():
    # 5 after mười/mươi is written lăm: "mười năm" is ten years
    spans = scan_numbers(fold("mười năm").text)
    assert spans[0].value == 10 and spans[0].end == 4


def test_fold_nfd_and_old_tone_placement():
    nfc = "Thủy lợi hòa bình"
    old = "Thuỷ lợi hoà bình"
    nfd = unicodedata.normalize("NFD", nfc)
    assert fold(old).text == fold(nfc).text == fold(nfd).text
    f = fold(nfd)
    s, e = f.span(0, 4)
    assert unicodedata.normalize("NFC", nfd[s:e]) == "Thủy"


def _fold_char_by_char(text: str):
    """fold() as first written: every cluster looked at, then every pair of characters retoned."""
    from extractors.numbers import _INVISIBLE, _SPACE_LIKE, _retone

    chars, starts, ends, i, n = [], [], [], 0, len(text)
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
        cluster = " " if cluster in _SPACE_LIKE else unicodedata.normalize("NFC", cluster)
        for c in cluster:
            chars.append(c)
            starts.append(i)
            ends.append(j)
        i = j
    _retone(chars)
    return "".join(chars), starts, ends


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("oOuUaàÀáảẠeèÉẻyỳÝỷ hòa thuỷ Hoà\u0300\u0301\u0323\u00a0\u200b\t"
                                            "\u212b\u0958Ω1,.")), max_size=60))
def test_fold_shortcuts_equal_the_character_by_character_fold(text):
    # fold() skips the cluster walk for texts of plain characters and retones
    # only where a regex points; both shortcuts must not change the result
    f = fold(text)
    assert (f.text, f.starts, f.ends) == _fold_char_by_char(text)
    expected = [len(f.text)] * (len(text) + 1)  # the map back as first written
    for i in range(len(f.text) - 1, -1, -1):
        for j in range(f.starts[i], f.ends[i]):
            expected[j] = i
    for j in range(len(text) - 1, -1, -1):
        if expected[j] == len(f.text) and expected[j + 1] < len(f.text):
            expected[j] = expected[j + 1]
    assert f.from_original == expected
