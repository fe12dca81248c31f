"""Unit mentions grouped into organizations: one canonical name per organization.

    complete_short_names(text, mentions, lex)   a name cut short completed from a fuller mention
    resolve_entities(text, mentions, lex, learned)   canonical names, back-references resolved
    find_parents(text, mentions)                "X, đơn vị trực thuộc Sở …", Khoa … of its hospital

A short back-reference (``Trung tâm``, ``Chi cục``, ``đơn vị này``) takes the
unit of that kind named last in a subject position; a generic noun
(``nhà trường``, ``HTX``) the one organization it can mean; a name with and
without the document's home province is one organization.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .unit_names import canonical as _canonical
from .unit_names import display_name as _display_name
from .unit_names import canon_province as _canon_province, home_province as _home_province
from .unit_names import match_entity as _match_entity
from .unit_names import key as _key
from .unit_names import split_place as _split_place
from .unit_lexicon import Lexicon, data_text


@dataclass
class UnitMention:
    start: int
    end: int
    kind: str
    raw: str                         # the name as written, parenthetical abbreviations removed
    abbreviation: str | None = None
    backref: bool = False
    standalone_name: str | None = None
    subject: bool = True             # not after a preposition: a candidate antecedent
    name: str = ""
    entity: int = -1
    parent_start: int | None = None
    extra: dict = field(default_factory=dict)


def complete_short_names(text: str, mentions: list[UnitMention], lex: Lexicon) -> None:
    """A name cut short where the tagger saw a verb (a title: "Trung tâm Ứng dụng tiến bộ
    khoa học và công nghệ tiêu thụ …") is completed from a fuller mention of the same article."""
    fulls = set()
    for m in mentions:
        if m.raw and not m.backref and not m.standalone_name and len(m.raw.split()) >= 3:
            base = _split_place(m.raw, lex)[0]
            fulls.add(base)
    starts = sorted(m.start for m in mentions)
    for m in mentions:
        if m.backref or m.standalone_name or not m.raw:
            continue
        for full in sorted(fulls, key=len, reverse=True):
            end = m.start + len(full)
            if len(full) <= m.end - m.start or text[m.start:end].lower() != full.lower():
                continue
            if end < len(text) and text[end].isalnum():
                continue
            if any(m.start < st < end for st in starts):
                continue
            m.end, m.raw = end, full
            break
    # overlapping mentions after completion keep the first
    mentions.sort(key=lambda m: m.start)


def short_ref_target(ref: dict, entities: list[dict]) -> int | None:
    """The one entity named so far that a short reference can mean, else None."""
    kinds = set(ref.get("kinds", ()))
    has = ref.get("name_has", ())
    hits = [i for i, ent in enumerate(entities)
            if ent["kind"] in kinds or any(h.lower() in n.lower() for h in has for n in ent["names"])]
    return hits[0] if len(hits) == 1 else None


def _city_written(text: str, home: str, lex) -> bool:
    """Is the home province a centrally governed city the text names as a city (thành phố Hà Nội, TPHCM)?"""
    if home not in lex.cities:
        return False
    for prov in lex.provinces:
        if prov in text and _canon_province(prov, lex) == home and (prov.startswith(("TP", "Tp")) or re.search(
                r"(?<!\w)(?:[Tt]hành phố|TP\.?|Tp\.?)\s*" + re.escape(prov) + r"(?!\w)", text)):
            return True
    return False


def resolve_entities(text, mentions, lex, learned):
    """Canonical names; one entity (one name) per organization; back-references resolved."""
    home = _home_province(text, lex)
    entities: list[dict] = []   # {base, level, place, names: [..], kind}
    last_by_kind: dict[str, int] = {}
    last_subject_by_kind: dict[str, int] = {}
    last_entity = None
    last_subject_entity = None
    for m in mentions:
        if m.backref:
            if "short_ref" in m.extra:
                e = short_ref_target(m.extra["short_ref"], entities)
            elif m.kind:
                e = last_subject_by_kind.get(m.kind, last_by_kind.get(m.kind))
            else:
                e = last_subject_entity if last_subject_entity is not None else last_entity
            if e is None:
                continue
            m.entity = e
        else:
            name = m.standalone_name or _canonical(m.raw, m.kind, learned, lex)
            base, level, place = _split_place(name, lex)
            e = _match_entity(entities, _key(base, m.kind), level, place, home)
            if e is None:
                e = _body_left_out(name, entities, lex)
            if e is None:
                entities.append({"base": _key(base, m.kind), "level": level, "place": place,
                                 "names": [], "kind": m.kind})
                e = len(entities) - 1
            ent = entities[e]
            if place and not ent["place"]:
                ent["place"], ent["level"] = place, level
            elif place and place == ent["place"] and level and not ent["level"]:
                ent["level"] = level  # the written level is preferred (Sở Y tế tỉnh Hà Nam)
            ent["names"].append(name)
            m.entity = e
        last_by_kind[entities[m.entity]["kind"]] = m.entity
        last_entity = m.entity
        if m.subject:
            last_subject_by_kind[entities[m.entity]["kind"]] = m.entity
            last_subject_entity = m.entity
    for ent in entities:
        if ent["place"] is None and ent["level"] == "tỉnh" and home and re.search(
                r"(?<!\w)tỉnh " + re.escape(home) + r"(?!\w)", text):
            # "UBND tỉnh", "Công an tỉnh" in an article about one province: that province's body
            ent["place"] = home
            ent["names"].insert(0, f"{ent['names'][0]} {home}")
        elif ent["place"] is None and ent["level"] == "thành phố" and home and _city_written(text, home, lex):
            # "UBND thành phố" in an article about Hà Nội, Cần Thơ …: that city's body
            ent["place"] = home
            ent["names"].insert(0, f"{ent['names'][0]} {home}")
    abbr_of: dict[int, str] = {}
    for m in mentions:
        if m.entity >= 0 and m.abbreviation:
            abbr_of.setdefault(m.entity, m.abbreviation)
    for m in mentions:
        ent = entities[m.entity] if m.entity >= 0 else None
        if ent is not None and ent["place"] is None and ent["level"] in _LOCAL_LEVELS:
            m.entity = -1  # "Trạm Y tế xã", "UBND phường" with no commune named: a kind of body, no unit
            continue
        if ent is not None:
            m.name = _display_name(ent, lex)
            m.kind = m.kind or entities[m.entity]["kind"]
            # the short form the article defines belongs to the unit, on every mention
            m.abbreviation = m.abbreviation or abbr_of.get(m.entity)


def _body_left_out(name: str, entities: list[dict], lex: Lexicon) -> int | None:
    """"Thanh tra Bộ" after "Thanh tra Bộ GTVT": a division named with its body's head word
    alone means the one division of that body named before (None if none or several)."""
    last = name.split()[-1]
    if not any(h.name_capital and len(h.pieces) == 1 for h in lex.heads_by_first.get(last.lower(), ())) \
            or not last[:1].isupper() or len(name.split()) < 2:
        return None
    hits = [i for i, ent in enumerate(entities)
            if any(nm.startswith(name + " ") and nm[len(name) + 1:][:1].isupper() for nm in ent["names"])]
    return hits[0] if len(hits) == 1 else None


# Levels with thousands of bodies: named only by the place ("UBND xã Tân Hòa"), never by the level alone.
_LOCAL_LEVELS = frozenset({"xã", "phường", "thị trấn"})


# Departments (Khoa) and the bodies they sit in: a data fact of unit_heads.jsonl.
_DIVISION_PARENTS = {json.loads(l)["kind"]: tuple(json.loads(l)["parent_kinds"])
                     for l in data_text("unit_heads.jsonl").splitlines()
                     if l.strip() and "parent_kinds" in json.loads(l)}


# find_parents' patterns, compiled once (they run between every two mentions)
_UNDER_BETWEEN = re.compile(r"\s*,?\s*(?:là\s+)?(?:một\s+)?(?:đơn vị\s+|cơ quan\s+)?(?:trực thuộc|thuộc)\s+")
_DIVISION_BETWEEN = re.compile(r"\s*(?:\(|,|của|thuộc|tại)?\s*")


def find_parents(text, mentions):
    """'X, đơn vị trực thuộc Sở Công Thương' / 'đơn vị trực thuộc Sở … là: X; Y' → parent."""
    for i, m in enumerate(mentions):
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        if nxt is None:
            continue
        between = text[m.end:nxt.start]
        if _UNDER_BETWEEN.fullmatch(between):
            m.extra["parent"] = nxt.name
        elif m.kind in _DIVISION_PARENTS and nxt.kind in _DIVISION_PARENTS[m.kind] \
                and _DIVISION_BETWEEN.fullmatch(between):
            # "Khoa Kiểm soát bệnh tật (Bệnh viện Bạch Mai)", "Khoa Nhi của Bệnh viện …": a department of it
            m.extra["parent"] = nxt.name
    for i, m in enumerate(mentions):
        if m.kind in _DIVISION_PARENTS and "parent" not in m.extra:
            # a department named on its own belongs to the one hospital (institute, school) named before it
            before = [p for p in mentions[:i] if p.kind in _DIVISION_PARENTS[m.kind] and p.name]
            if len({p.name for p in before}) == 1:
                m.extra["parent"] = before[0].name
    for mt in re.finditer(r"(?:đơn vị|cơ quan)\s+(?:trực thuộc|thuộc)\s+", text):
        par = next((m for m in mentions if m.start == mt.end()), None)
        if par is None:
            continue
        stop = text.find(".", par.end)
        stop = len(text) if stop < 0 else stop
        colon = text.find(":", par.end, stop)
        if colon < 0:
            continue
        for m in mentions:
            if colon < m.start < stop and not m.backref and "parent" not in m.extra and m.name != par.name:
                m.extra["parent"] = par.name
