"""Canonical names of organizational units: one spelling per organization.

    canonical(raw, kind, learned, lex) -> str   abbreviations expanded, typos and variants unified
    split_place(name, lex) -> (base, level, place)
    key(base, kind) -> str                      what two written forms of one body share
    home_province(text, lex) -> str | None      the province an article is about
    match_entity(entities, base, level, place, home) -> int | None   which named body a mention is
    display_name(entity) -> str                 the fullest written form

Split from ``units.py`` (which finds the mentions) so that the rules deciding
how a name is *written* sit apart from the rules deciding where a name *is*.
The lexicon (``unit_lexicon.lexicon()``) is passed in; this module reads no data itself.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from itertools import compress
from operator import ne

from .unit_lexicon import Lexicon, lexicon, norm, occurring
from .unit_pieces import whole_word


_TP_DOT = re.compile(r"\b(TP|Tp)\. (?=[A-ZĐ])")
_CAPITAL_LEVEL = re.compile(
    r"(?<=\S )(Tỉnh|Thành phố|Huyện|Quận|Thị xã|Xã|Phường|Thị trấn)(?= (?![Đđ]oàn|[ỦủUu][ỷy]\b)[^\W\d_]|$)")


def canonical(raw: str, kind: str, learned: dict, lex: Lexicon) -> str:
    """Abbreviations expanded, 'Uỷ' spelled 'Ủy', repeated words once, spaces single."""
    company = kind in ("Công ty", "Tổng công ty", "Tập đoàn", "Ngân hàng", "Doanh nghiệp tư nhân")
    if "TP. " in raw or "Tp. " in raw:  # (sub would parse its template even with nothing to replace)
        raw = _TP_DOT.sub(r"\1 ", raw)  # "UBND TP. Phú Quốc" = "UBND TP Phú Quốc"
    out = []
    for w in raw.split():
        core = w.rstrip(",")
        tail = w[len(core):]
        if not company:
            std = lex.expansions.get(core) if core not in lex.kept_in_names else None
            exp = None
            if core in learned and not (std and norm(std) == norm(learned[core])):
                exp = learned[core]
            elif std:
                exp = std
            if exp is not None:
                # "Trung tâm TTXTĐT" where TTXTĐT = "Trung tâm Xúc tiến Đầu tư": the head once
                ew = exp.split()
                for n in range(min(len(ew), len(out)), 0, -1):
                    if [w.lower() for w in out[-n:]] == [w.lower() for w in ew[:n]]:
                        del out[-n:]
                        break
                core = exp
        out.append(core + tail)
    # a doubled word is a typo (Thông tin và và Thống kê)
    words = " ".join(out).split()
    lows = list(map(str.lower, words))
    s = " ".join(compress(words, map(ne, lows, [None, *lows])))  # (each word unless the one before is it)
    s = s.replace("Uỷ", "Ủy").replace("uỷ", "ủy").replace("Toà", "Tòa").replace("toà", "tòa")
    s = _TONE_MISPLACED.sub(_move_tone, s)
    # a level word written capitalized inside a name (UBND Tỉnh, Đảng bộ Thành phố): lower case
    s = _CAPITAL_LEVEL.sub(lambda m: m.group(1).lower() if (m.end() == len(s) and m.group(1) not in ("Xã", "Phường"))
                           or m.end() < len(s) and s[m.end() + 1].isupper() else m.group(1), s)
    for variant, canon in lex.canonical_places:
        if variant in s:  # (the pattern matches the variant as written: no need to build it otherwise)
            s = re.sub(r"(?<!\w)" + re.escape(variant) + r"(?!\w)", canon, s)
    if not company:
        s = known_canonical(s, lex)
    # a name starts with a capital, however the head was written (trường, hộ kinh doanh)
    return s[:1].upper() + s[1:]


def known_canonical(s: str, lex: Lexicon) -> str:
    """A known national body's variant (Bộ Giao thông, Bộ GTVT) → its official name; a country may follow."""
    known, provinces, firsts = _known_tables(lex)
    # every prefix of the name starts with the name's first normalized word (or is empty): a name
    # whose first word begins no known name has no prefix to look up (most names)
    if firsts is not None and norm(s).split(" ", 1)[0] not in firsts:
        return s
    words = s.split()
    for m in range(len(words), 1, -1):
        canon = known.get(norm(" ".join(words[:m])))
        if canon is not None:
            rest = words[m:]
            if not words[m - 1][:1].isalnum():
                return s
            if not rest or " ".join(rest) in lex.regions or rest[0] in lex.bare_levels \
                    or norm(" ".join(rest)) in provinces:
                return " ".join([canon, *rest])
            return s
    return s


_KNOWN_TABLES: dict = {}


def known_name_keys(lex: Lexicon) -> dict:
    """The normalized forms of the known national bodies (``lex.known_names``), as dict keys."""
    return _known_tables(lex)[0]


def _known_tables(lex: Lexicon) -> tuple[dict, frozenset, frozenset | None]:
    """The known names by their normalized form (the first listed wins), the normalized provinces
    and the first words of the known names (None if one is empty), built once per lexicon: every
    name the finders and the name model write goes through here."""
    got = _KNOWN_TABLES.get(id(lex))
    if got is None or got[0] is not lex:
        known: dict[str, str] = {}
        for kn, canon, _ in lex.known_names:
            known.setdefault(kn, canon)
        firsts = None if "" in known else frozenset(k.split(" ", 1)[0] for k in known)
        got = _KNOWN_TABLES[id(lex)] = (lex, known, frozenset(norm(p) for p in lex.provinces), firsts)
    return got[1], got[2], got[3]


# A tone mark on the first vowel of oa/oe/uy before a final consonant is a typo
# in every spelling style ("An tòan" for "An toàn"): it belongs on the second vowel.
_TONES = {"ò": ("o", "\u0300"), "ó": ("o", "\u0301"), "ỏ": ("o", "\u0309"), "õ": ("o", "\u0303"),
          "ọ": ("o", "\u0323"), "ù": ("u", "\u0300"), "ú": ("u", "\u0301"), "ủ": ("u", "\u0309"),
          "ũ": ("u", "\u0303"), "ụ": ("u", "\u0323")}
_TONE_MISPLACED = re.compile(r"([òóỏõọ])([ae])(?=[cmnpt])|([ùúủũụ])(y)(?=[cnt])")


def _move_tone(m: re.Match) -> str:
    first, second = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    base, tone = _TONES[first]
    return base + unicodedata.normalize("NFC", second + tone)


_LEVEL_SPLIT = re.compile(r"^(.*\S)\s+(%s)(?:\s+(\S.*))?$" % "|".join(re.escape(l) for l in sorted(
    ["tỉnh", "thành phố", "huyện", "quận", "thị xã", "thị trấn", "xã", "phường"], key=len, reverse=True)))


_SUFFIXES: dict = {}


def _province_suffixes(lex: Lexicon) -> tuple[str, ...]:
    """" " + province for each province of the lexicon, in its order (built once per lexicon)."""
    got = _SUFFIXES.get(id(lex))
    if got is None or got[0] is not lex:
        got = _SUFFIXES[id(lex)] = (lex, tuple(" " + p for p in lex.provinces))
    return got[1]


def split_place(name: str, lex: Lexicon):
    """(base, level, place) of a canonical name: 'Sở Y tế tỉnh Thái Nguyên' → ('Sở Y tế', 'tỉnh', 'Thái Nguyên')."""
    m = _LEVEL_SPLIT.match(name)
    if m and (m.group(3) is None or m.group(3)[:1].isupper()):
        base, level, place = m.group(1), m.group(2), m.group(3)
        if len(base.split()) >= 1:
            return base, level, place
    suffixes = _province_suffixes(lex)
    if name.endswith(suffixes):  # (one test in C for the usual name that ends with no province)
        for prov, suffix in zip(lex.provinces, suffixes):
            if name.endswith(suffix) and len(name) > len(prov) + 2:
                # a bare province name says nothing of the level (Cần Thơ is a city): None
                return name[: -len(prov) - 1].rstrip(" ,"), None, prov
    if name.endswith(" Việt Nam") and len(name.split()) > 3:
        return name[: -len(" Việt Nam")], None, "Việt Nam"  # Cục Hàng không (Việt Nam)
    return name, None, None


_LEGAL_FORM = re.compile(r"\b(?:thương mại cổ phần|tmcp|cổ phần|cp|trách nhiệm hữu hạn|tnhh|một thành viên|mtv|"
                         r"thương mại|tm|dịch vụ|dv|jsc)\b")


_DISEASE_WORDS = re.compile(r"\b(?:dịch bệnh|dịch|covid 19|covid|ncov|sars cov 2)\b")


@lru_cache(maxsize=1)
def _kept_spelled_out() -> dict[str, str]:
    """The abbreviations a name keeps as written (THPT), each with its spelled-out form, as ``norm`` keys."""
    lex = lexicon()
    return {norm(a): norm(lex.expansions[a]) for a in lex.kept_in_names if a in lex.expansions}


_SCHOOL_OF_UNIVERSITY = re.compile(r"^trường (?=đại học )")


def key(base: str, kind: str) -> str:
    """What two written forms of one organization share: case, punctuation, "và"/"&" and,
    for a company, its legal form aside (Công ty TNHH TM DV Đại Ngân = Công ty Đại Ngân)."""
    k = norm(base.replace("&", " và "))
    kept = _kept_spelled_out()
    if kept:
        k = " ".join(kept.get(w, w) for w in k.split())  # Trường THPT X = Trường Trung học phổ thông X
    if kind in ("Công ty", "Tổng công ty", "Tập đoàn", "Ngân hàng"):
        k = _LEGAL_FORM.sub(" ", k)
    k = _SCHOOL_OF_UNIVERSITY.sub("", k)  # Trường Đại học FPT = Đại học FPT
    if kind == "Ban Chỉ đạo":
        # one steering board, its disease written several ways: "phòng, chống dịch tỉnh Hà Nam"
        # = "phòng, chống Covid-19 tỉnh Hà Nam" = "phòng chống dịch Covid-19"
        k = _DISEASE_WORDS.sub(" ", k)
    return " ".join(w for w in k.split() if w != "và")


def expand_abbreviations(s: str, lex: Lexicon) -> str:
    return " ".join(lex.expansions.get(w, w) for w in s.split())


def canon_province(prov: str, lex: Lexicon) -> str:
    """TPHCM, TP.HCM, HCM → Hồ Chí Minh; Đăk Lăk → Đắk Lắk (the spelling canonical names use)."""
    if "HCM" in prov:
        return "Hồ Chí Minh"
    return dict(lex.canonical_places).get(prov, prov)


def display_name(ent, lex: Lexicon | None = None) -> str:
    """The fullest written form: with the place, and with its level (tỉnh Cao Bằng) if ever written.

    A provincial body written with the bare province (``Sở Y tế Hà Nam``) is named
    with its level (``Sở Y tế tỉnh Hà Nam``), as annotators name it; a centrally
    governed city (Hà Nội, Hồ Chí Minh …) gets no added word.
    """
    names = ent["names"]
    with_place = [n for n in names if ent["place"] and n.endswith(ent["place"])]
    with_level = [n for n in with_place if ent["level"] and n.endswith(f"{ent['level']} {ent['place']}")]
    name = (with_level or with_place or names)[0]
    place = ent["place"]
    if lex is not None and not with_level and with_place and ent["level"] in (None, "tỉnh") \
            and ent.get("kind") in lex.level_added_kinds and place not in lex.cities \
            and any(place == canon_province(p, lex) for p in lex.provinces) \
            and not re.search(r"(?:tỉnh|thành phố|TP\.?|Tp\.?|[Uu]ỷ|[Uu]ỷ ban|ủy)\s+" + re.escape(place) + "$", name,
                              re.IGNORECASE):
        name = name[: -len(place)] + "tỉnh " + place
    return name


@lru_cache(maxsize=None)
def _word_pattern(name: str) -> re.Pattern:
    return re.compile(whole_word(name))


# (text, lexicon, answer) of the last call: the unit finders and the name model ask for the same
# document one after the other; one entry, so nothing piles up as documents stream through
_last_home: list = [None, None, None]


def home_province(text: str, lex: Lexicon) -> str | None:
    """The province the article names most often (its variants counted as one), or None."""
    last_text, last_lex, got = _last_home
    if last_lex is lex and (last_text is text or last_text == text):
        return got
    got = _home_province(text, lex)
    _last_home[:] = [text, lex, got]
    return got


def _home_province(text: str, lex: Lexicon) -> str | None:
    counts = Counter()
    named = occurring(text, lex.provinces)
    for prov in lex.provinces:
        if prov not in named:  # a text names few of the provinces: skip the others' regexes
            continue
        c = len(_word_pattern(prov).findall(text))
        if c:
            counts[prov] = c
    if not counts:
        return None
    canon = Counter()
    for prov, c in counts.items():
        canon[canon_province(prov, lex)] += c
    return canon.most_common(1)[0][0]


def match_entity(entities, base, level, place, home):
    best = None
    for idx, ent in enumerate(entities):
        if ent["base"] != base:
            continue
        if (ent["place"], ent["level"]) == (place, level):
            return idx
        if place is None and ent["place"] is None and (level == ent["level"] or None in (level, ent["level"])):
            return idx  # not "UBND tỉnh" = "UBND TP": two levels, two bodies
        if place is not None and place == ent["place"] and (level is None or ent["level"] is None):
            return idx  # Sở Y tế Hà Nam = Sở Y tế tỉnh Hà Nam
        if "Việt Nam" in (place, ent["place"]) and None in (place, ent["place"]):
            best = idx if best is None else best  # Cục Hàng không = Cục Hàng không Việt Nam
        # one side says only the level (UBND tỉnh) or nothing; the other names the home province
        side_a, side_b = (place, level), (ent["place"], ent["level"])
        for named, bare in ((side_a, side_b), (side_b, side_a)):
            if named[0] is not None and bare[0] is None:
                same_level = bare[1] is None or named[1] is None or bare[1] == named[1]
                if same_level and (named[0] == home or home is None):
                    best = idx
                elif bare[1] is not None and same_level and best is None and sum(
                        1 for o in entities if o["base"] == base and o["level"] == named[1] and o["place"]) <= 1:
                    # "UBND thành phố" after the only "UBND thành phố Phú Quốc" of the article
                    best = idx
    return best
