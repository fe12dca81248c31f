"""Who speaks for which organization: named officials and quotations.

    find_officials(text, units) -> [(position, person, unit name | None)]
    lookup_official(officials, name, pos)     a later mention of an official by name
    quoted_speakers(text, units, officials) -> [(start, end, unit name | None)]

An official is introduced once with the office (``ông Nguyễn Trọng Khải, Giám
đốc Sở Y tế …``, ``Thứ trưởng Bộ TT&TT Nguyễn Huy Dũng``); later mentions by name
speak for the same organization; an unknown name is a private person.  A
quotation closed by its speaker (``"…", ông Thắng cho biết``) is the speaker's.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .mentions import Unit
from .record_cues import NOT_SUBJECT_KINDS, UPPER, cue_words, finditer_from, patterns, trie_pattern


_QUOTE_OPEN = "\"“"


_QUOTE_CLOSE = re.compile(r"[\"”]\s*,\s*")


def quoted_speakers(text: str, units: list[Unit], officials) -> list[tuple[int, int, str | None]]:
    """(start, end, unit) of quotations closed by their speaker (``"…", ông Thắng cho biết``).

    The figures inside a quotation are the speaker's: an official's organization,
    none for a private person.  The quotation opens at the nearest quote mark
    before the closing one (it may run over several paragraphs).
    """
    pats = patterns()
    out = []
    for m in _QUOTE_CLOSE.finditer(text):
        close = m.start()
        opener = max(text.rfind(q, 0, close) for q in _QUOTE_OPEN)
        if opener < 0 or close - opener > 3000:
            continue
        rest = text[m.end():m.end() + 200]
        line_end = rest.find("\n")
        rest = rest if line_end < 0 else rest[:line_end]
        unit, found = None, False
        pm = pats["person"].match(rest)
        tm = pats["titled_name"].match(rest)
        um = next((u for u in units if u.start == m.end()), None)
        if pm:
            got = official_tail_unit(text, m.end() + pm.end(), units)
            if got is not None:
                unit, found = (None if got[1] else got[0].name), True
            else:
                known, unit = lookup_official(officials, person_name(pm.group()), m.end())
                found = True  # a private person, or a known official
            end = pm.end()
        elif tm:
            found, unit = lookup_official(officials, tm.group(1), m.end())
            end = tm.end()
        elif um is not None and um.kind not in NOT_SUBJECT_KINDS:
            found, unit, end = True, um.name, um.end - m.end()
        if not found:
            continue
        if not pats["speech_after"].match(rest[end:]) and not _speech_later().match(rest[end:]):
            continue
        out.append((opener, close, unit))
    return out


@lru_cache(maxsize=1)
def _speech_later() -> re.Pattern:
    """A speech verb within the clause after a quotation's speaker (after a bracket, a comma, a few words)."""
    return re.compile(r"\s*(?:\([^()]*\)\s*)?,?[^,.;]{0,60}?(?:" + trie_pattern(cue_words()["speech_verbs"]) + r")\b")


def person_name(mention: str) -> str:
    """The name in a person mention without its title: "ông Nguyễn Trọng Khải" → "Nguyễn Trọng Khải"."""
    words = mention.split()
    while len(words) > 1 and not words[0][:1].isupper():
        words = words[1:]
    if len(words) > 1 and words[0].lower() in _person_titles_lower():
        words = words[1:]
    return " ".join(words)


@lru_cache(maxsize=1)
def _person_titles_lower() -> frozenset:
    return frozenset(t.lower() for t in cue_words()["person_titles"])


def official_tail_unit(text, end, units):
    """The unit an official's title names right after a person (", Giám đốc Sở Y tế …"), else None.

    Returns (unit, is_former) or None when no title follows.
    """
    pats = patterns()
    for u in units:
        if u.start > end and u.start - end < 60:
            tail = pats["official_tail"].match(text[end:u.start])
            if tail:
                return u, bool(tail.group(1))
            return None
    return None


def find_officials(text: str, units: list[Unit]) -> list[tuple[int, str, str | None]]:
    """(position, name, unit name) for every person the article introduces with an office.

    Vietnamese news names an official once in full with the office
    ("ông Nguyễn Trọng Khải, Giám đốc Sở Y tế tỉnh Hà Nam", "Thứ trưởng Bộ TT&TT
    Nguyễn Huy Dũng") and then by the given name or title alone ("ông Khải",
    "Thứ trưởng Nguyễn Huy Dũng"); those later mentions speak for the same
    organization.  A former official (``nguyên``) speaks for none.
    """
    pats = patterns()
    out = []
    for m in finditer_from(pats["person"], pats["person_start"], text, 0, len(text)):
        got = official_tail_unit(text, m.end(), units)
        if got is not None:
            u, former = got
            out.append((m.start(), person_name(m.group()), None if former else u.name))
    for u in units:
        before = text[max(0, u.start - 40):u.start]
        if pats["title_end"].search(before) and u.kind not in NOT_SUBJECT_KINDS:
            nm = re.match(rf"\s+({UPPER}[\w.]*(?:\s+{UPPER}[\w.]*){{1,3}})", text[u.end:u.end + 60])
            if nm and not any(v.start == u.end + nm.start(1) for v in units):
                former = re.search(r"(?:nguyên|cựu)\s+\S+(?:\s+\S+)?\s*$", before, re.IGNORECASE)
                out.append((u.start, nm.group(1), None if former else u.name))
    return sorted(out)


def lookup_official(officials, name: str, pos: int):
    """(found, unit) for a person named at ``pos``: by full name, else by given name."""
    if not name:
        return False, None
    given = name.split()[-1]
    hit = None
    for p, full, unit in officials:
        if p >= pos:
            break
        if full == name or (len(name.split()) == 1 and full.split()[-1] == given):
            hit = (True, unit)
    return hit or (False, None)
