"""The lexicon of organization names, read once from the data files.

    lexicon() -> Lexicon

Heads (``unit_heads.jsonl``), standard abbreviations (``abbreviations.json``),
media names (``unit_media.jsonl``), places (``places.json``), words that look
like heads but are not (``unit_not_heads.txt``), discourse cues
(``unit_discourse.json``), national bodies with a closed list of names
(``unit_names.jsonl``) and verbs that are ordinary words inside a name
(``unit_name_verbs.txt``), all in ``extractors/data/``.  ``norm`` is the
comparison key every name table uses.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .unit_pieces import PIECE


def data_text(name: str) -> str:
    return resources.files("extractors.data").joinpath(name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Head:
    pieces: tuple[str, ...]
    kind: str
    place_body: bool = False      # UBND, Công an, …: the name is a place ("UBND tỉnh Cao Bằng")
    standalone: bool = False      # Chính phủ, Tỉnh ủy: a complete name by itself
    needs_capital: bool = False   # Báo, Đài, Trạm: only before a capitalized name
    backref_only: bool = False    # Khối: only ever a short reference
    lower_ok: bool = False        # a one-syllable head that may be written lower-case (trường, báo)
    requires_next: tuple = ()     # Trường, Đài: only before a school / station type (not Trường Giang, Đài Loan)
    name_capital: bool = False    # Bộ, Sở, Cục: the name starts capitalized; "Bộ đặt mục tiêu" is a back-reference
    named_after_people: bool = False  # Trường, Công ty: a person's name may be the name (Trường THPT Chu Văn An)
    national: bool = False        # Quốc hội, Chính phủ: one in the country, no place follows
    division: bool = False        # Phòng, Vụ, Đội: a division, often named with its body after it
    contains_divisions: bool = False  # Công an, Bộ, Sở: a body whose name may end a division's name
    number_name: bool = False     # Trung đoàn, Quân khu: a number right after the head is the name (Quân khu 5)
    not_place_alone: bool = False  # Trung tâm: the head + a place alone is the place's centre (trung tâm Hà Nội)


@dataclass(frozen=True)
class Lexicon:
    heads: tuple[Head, ...]
    heads_by_first: dict
    not_heads: frozenset
    expansions: dict
    abbr_units: dict
    media: tuple
    media_surfaces: tuple         # each media entry's surface, in the same order
    provinces: tuple
    levels: tuple
    bare_levels: frozenset
    regions: tuple
    official_titles: frozenset
    person_titles: frozenset
    former: frozenset
    non_subject_before: tuple
    not_unit_after: frozenset
    surnames: frozenset
    name_stop_verbs: frozenset
    name_verbs: frozenset
    end_titles: tuple             # offices that end a name (Báo Điện tử Chính phủ | Thủ tướng …)
    known_names: tuple            # (normalized variant, canonical name, variant word count), longest first
    canonical_places: tuple       # (variant, canonical spelling), longest first
    countries: frozenset
    inner_commas: tuple = ()      # "phòng, chống": a comma that does not end a name
    media_credits: tuple = ()     # "Ảnh", "Video": a caption credit, a person's name follows
    cities: frozenset = frozenset()             # centrally governed cities: no "tỉnh" added
    level_added_kinds: frozenset = frozenset()  # bodies named "… tỉnh X" when written "… X"
    kept_in_names: frozenset = frozenset()      # THPT, THCS: kept as written in a canonical name


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    heads = []
    for line in data_text("unit_heads.jsonl").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        heads.append(Head(tuple(d["pattern"].split()), d["kind"], d.get("place_body", False),
                          d.get("standalone", False), d.get("needs_capital", False),
                          d.get("backref_only", False), d.get("lower_ok", False),
                          tuple(d.get("requires_next", ())), d.get("name_capital", False),
                          d.get("named_after_people", False), d.get("national", False),
                          d.get("division", False), d.get("contains_divisions", False),
                          d.get("number_name", False), d.get("not_place_alone", False)))
    heads.sort(key=lambda h: -len(h.pieces))  # longest head first
    by_first: dict[str, list[Head]] = {}
    for h in heads:
        by_first.setdefault(h.pieces[0].lower(), []).append(h)
    not_heads = frozenset(
        l.strip().lower() for l in data_text("unit_not_heads.txt").splitlines()
        if l.strip() and not l.startswith("#"))
    ab = json.loads(data_text("abbreviations.json"))
    places = json.loads(data_text("places.json"))
    media = []
    for l in data_text("unit_media.jsonl").splitlines():
        if not l.strip():
            continue
        med = json.loads(l)
        if "template" not in med:
            media.append(med)
            continue
        # one entry per province: "{province} TV" → "Hà Nam TV", the provincial station
        for prov in places["provinces"]:
            if " " in prov and prov[:1].isupper() and "-" not in prov:
                canon = places.get("canonical_places", {}).get(prov, prov)
                media.append({**med, "surface": med["template"].format(province=prov),
                              "name": med["name"].format(province=canon)})
    media = tuple(media)
    cues = json.loads(data_text("unit_discourse.json"))
    known = []
    for line in data_text("unit_names.jsonl").splitlines():
        if line.strip():
            d = json.loads(line)
            for v in [d["name"], *d.get("variants", ())]:
                known.append((norm(v), d["name"], len(norm(v).split())))
    known.sort(key=lambda k: -len(k[0]))
    name_verbs = frozenset(l.strip() for l in data_text("unit_name_verbs.txt").splitlines()
                           if l.strip() and not l.startswith("#"))
    # regions and countries end a name ("Hội Khuyến học Việt Nam", "Bộ Quốc phòng Nga"); longest first
    regions = sorted([*places["regions"], *places.get("countries", ())], key=len, reverse=True)
    return Lexicon(
        heads=tuple(heads), heads_by_first=by_first, not_heads=not_heads,
        expansions=ab["expansions"], abbr_units=ab["units"], media=media,
        media_surfaces=tuple(m["surface"] for m in media),
        provinces=tuple(sorted(places["provinces"], key=len, reverse=True)),
        levels=tuple(sorted(places["levels"], key=len, reverse=True)),
        bare_levels=frozenset(places["bare_levels"]), regions=tuple(regions),
        official_titles=frozenset(cues["official_titles"]),
        person_titles=frozenset(t.lower() for t in cues["person_titles"]),
        former=frozenset(cues["former"]),
        non_subject_before=tuple(sorted(cues["non_subject_before"], key=len, reverse=True)),
        not_unit_after=frozenset(cues["not_unit_after"]),
        surnames=frozenset(places["surnames"]),
        name_stop_verbs=frozenset(cues["name_stop_verbs"]),
        name_verbs=name_verbs,
        end_titles=tuple(t for t in (*cues["official_titles"], *cues.get("name_end_titles", ())) if t[:1].isupper()),
        known_names=tuple(known),
        countries=frozenset(places.get("countries", ())),
        cities=frozenset(places.get("centrally_governed_cities", ())),
        level_added_kinds=frozenset(places.get("level_added_kinds", ())),
        kept_in_names=frozenset(ab.get("kept_in_names", ())),
        canonical_places=tuple(sorted(places.get("canonical_places", {}).items(), key=lambda kv: -len(kv[0]))),
        inner_commas=tuple(tuple(PIECE.findall(c.lower())) for c in cues.get("name_inner_commas", ())),
        media_credits=tuple(cues.get("media_credits", ())),
    )


@lru_cache(maxsize=65536)
def norm(s: str) -> str:
    """The comparison key of a name: NFC, case-folded, punctuation and spaces collapsed.

    Kept per string: the name finders ask again for the same prefixes of a name."""
    s = unicodedata.normalize("NFC", s).casefold()
    return re.sub(r"[\W_]+", " ", s).strip()


# The finders ask, at many pieces, "does one of these words (regions, titles) start here / end
# there?"; a word can only start where its first character is (end where its last one is), so
# they try just the words under that character instead of the whole list (same order, so the
# first match found is the same one).

# kept by the list's id (hashing a long tuple at each question costs what the grouping saves);
# the list itself is kept too, so its id is not reused while the entry lives
_GROUPS: dict[tuple[int, bool], tuple[object, dict[str, tuple[str, ...]]]] = {}


def _by_char(words: tuple | frozenset, last: bool) -> dict[str, tuple[str, ...]]:
    got = _GROUPS.get((id(words), last))
    if got is not None and got[0] is words:
        return got[1]
    out: dict[str, list[str]] = {}
    for w in words:
        if not w:
            raise ValueError("empty word in a lexicon list")  # it would match anywhere
        out.setdefault(w[-1] if last else w[0], []).append(w)
    groups = {c: tuple(ws) for c, ws in out.items()}
    _GROUPS[(id(words), last)] = (words, groups)
    return groups


# (strings, one alternation of them, the strings by first character) by the strings' id, the
# strings kept so that the id is never another collection's
_OCCURRING: dict[int, tuple] = {}


def occurring(text: str, strings: tuple | frozenset) -> set[str]:
    """The strings that occur in ``text``: ``{s for s in strings if s in text}`` in one scan,
    where a substring test per string reads the whole text once for each (a lexicon's list
    of provinces or media names: about a hundred).  The alternation of all finds each place
    where one may start (searched again from the next character, so that an occurrence
    overlapping another is found too); there the strings with that first character are
    compared."""
    got = _OCCURRING.get(id(strings))
    if got is None or got[0] is not strings:
        words = sorted(set(strings), key=len, reverse=True)
        if not words or "" in words:  # (nothing to look for, or a string found everywhere)
            return {s for s in strings if s in text}
        by_first: dict[str, list[str]] = {}
        for w in words:
            by_first.setdefault(w[0], []).append(w)
        got = _OCCURRING[id(strings)] = (strings, re.compile("|".join(map(re.escape, words))), by_first)
    _, pattern, by_first = got
    found: set[str] = set()
    m = pattern.search(text)
    while m is not None:
        at = m.start()
        found.update(w for w in by_first[text[at]] if text.startswith(w, at))
        m = pattern.search(text, at + 1)
    return found


def starting_at(words: tuple | frozenset, text: str, pos: int) -> tuple[str, ...]:
    """The words (in their order) that may start at text[pos]: those whose first character is there."""
    return _by_char(words, False).get(text[pos:pos + 1], ())


def ending_at(words: tuple | frozenset, text: str, end: int) -> tuple[str, ...]:
    """The words that may end at text[end - 1]: those whose last character is there."""
    return _by_char(words, True).get(text[end - 1:end] if end > 0 else "", ())
