"""Organizations written as a Latin-script name with no Vietnamese head word (Apple, Kitco News, WHO).

    foreign_names(text, lex, mentions, learned) -> list[UnitMention]

Heads find Vietnamese names; a foreign company, agency or paper is written as
its own name.  A capitalized Latin-script word is also a person (Rooney), a
place (Ukraine), a Vietnamese word written without its marks (Nam, Lan), a
code (BN2899) or a unit of measure (USD), so a name is proposed only where it
acts as an organization does: before a report verb (``Kitco News cho biết``)
or after ``của``, ``theo``, ``hãng`` (cues: ``data/unit_foreign.json``).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache

from .unit_entities import UnitMention
from .unit_lexicon import data_text
from .unit_pieces import initials_match

# A word of a foreign name: Latin letters (no Vietnamese marks), digits, & . - ' inside.
_WORD = r"(?:[A-Z][A-Za-z0-9&'\-]*[A-Za-z0-9&]|[A-Z])"
# Up to four such words, not inside a longer word.  The first word's capital comes first and the
# test of the character before it after it (a look-behind over both), so that the regex engine
# skips to capitals instead of trying every position; ``[A-Z](?:…[A-Za-z0-9&])?`` is _WORD's
# two alternatives in the same order (the longer first).
_NAME = re.compile(r"([A-Z](?<![\w&\-.][A-Z])(?:[A-Za-z0-9&'\-]*[A-Za-z0-9&])?(?:[ ]" + _WORD + r"){0,3})"
                   r"(?![\w&\-])")
# A Vietnamese syllable written without its marks (Nam, Lan, Thanh, Nguyen): a person or a place, not a firm.
_VI_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
                          r"[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]{1,3}\d+|\d.*")


@lru_cache(maxsize=1)
def _cues():
    d = json.loads(data_text("unit_foreign.json"))
    after = re.compile(r"\s*,?\s*(?:đã\s+|vừa\s+|cũng\s+|mới\s+)?(?:" +
                       "|".join(re.escape(v) for v in sorted(set(d["after"]), key=len, reverse=True)) + r")(?!\w)")
    before = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(v) for v in sorted(set(d["before"]), key=len, reverse=True))
                        + r")\s+$")
    known = set(d["not_names"])
    uom = json.loads(data_text("units_of_measure.json"))
    for u in uom["units"]:
        known.add(u["canonical"])
        known.update(u.get("aliases", ()))
    not_org_before = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(v) for v in sorted(
        set(d["person_before"]) | set(d["place_before"]), key=len, reverse=True)) + r")\s+$")
    weak = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(v) for v in d["weak_before"]) + r")\s+$")
    return after, before, weak, not_org_before, frozenset(known)


def _vietnamese_like(name: str) -> bool:
    words = name.split()
    return all(_VI_SYLLABLE.fullmatch(w) and not w.isupper() or len(w) == 1 for w in words)


# foreign_names' fixed patterns, compiled once (they run for every capitalized run of the text)
_LONG_WORD = re.compile(r"\w{3,}")
_INITIAL_OR_NUMBER = re.compile(r"\.\S| \d")
_CAPITAL_NEXT = re.compile(r"\s[A-ZĐÀ-Ỹ]")


def foreign_names(text: str, lex, mentions: list[UnitMention], learned: dict) -> list[UnitMention]:
    after, before, weak, not_org_before, not_names = _cues()
    known = not_names.union(lex.provinces, lex.regions)  # places (regions include countries) name no firm
    taken = [(m.start, m.end) for m in mentions]
    # the words of the organizations the heads found: Vietjet after "Công ty … Vietjet", HCDC after
    # its spelled-out name, is that organization again, not a new one
    named = [text[m.start:m.end] for m in mentions]
    named_words = {w.lower() for t in named for w in _LONG_WORD.findall(t)}
    out = []
    for m in _NAME.finditer(text):
        s, e = m.span(1)
        name = m.group(1)
        if any(a < e and s < b for a, b in taken):
            continue
        words = name.split()
        while len(words) > 1 and words[0] in known:  # "Theo Kitco News": an opener before the name
            s += len(words[0]) + 1
            words = words[1:]
            name = " ".join(words)
        # a word that opens a longer Vietnamese name (Ngân hàng Vietcombank is the rules')
        if name in known or any(w in known or w in lex.expansions or any(ch.isdigit() for ch in w) for w in words) \
                or _vietnamese_like(name) or _CODE.fullmatch(words[0]):
            continue
        if s > 0 and text[s - 1] not in " \n(\"“'" or _INITIAL_OR_NUMBER.match(text[e:e + 2]):
            continue  # Robert W. T'Souvas, Th.S, TCVN ISO 9001: a person's initials, a title, a standard
        if any(len(w) < 3 and not w.isupper() for w in words):
            continue
        if _CAPITAL_NEXT.match(text[e:e + 2]) and not after.match(text, e):
            continue  # runs on into a Vietnamese-written capitalized word: part of something longer
        if not (after.match(text, e) or before.search(text, max(0, s - 20), s)
                or (len(words) > 1 or name.isupper() and len(name) >= 3) and weak.search(text, max(0, s - 20), s)):
            continue
        if name in lex.surnames or words[0] in lex.surnames or not_org_before.search(text, max(0, s - 30), s):
            continue
        if any(w.lower() in named_words for w in words if len(w) >= 3) \
                or name.isupper() and any(initials_match(t.split(), name) for t in named) \
                or name in learned:
            continue
        out.append(UnitMention(s, e, "", name, standalone_name=name))
        taken.append((s, e))
    return out
