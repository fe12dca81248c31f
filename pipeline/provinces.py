"""The province of every document and record, as published and after the 2025 merger.

Vietnam had 63 provinces until 30 June 2025 and has 34 since 1 July 2025
(Nghị quyết 202/2025/QH15).  A figure from a 2017 report of Hà Giang and one of
2026 from Tuyên Quang must line up, so each record gets two provinces:

- ``province`` / ``province_code``: the province as it was when the document
  was published (one of the 63 before the merger, one of the 34 after);
- ``province_2025`` / ``province_2025_code``: the province it lies in since the
  merger (the 63 → 34 table of ``data/provinces.json``).

Where the province comes from (``basis``), first that applies:

1. the record's ``location`` (``huyện Hàm Yên`` → Tuyên Quang: district names
   come from underthesea's address tables, shipped offline in its package);
2. the record's unit (``Sở Y tế tỉnh Thái Nguyên``, ``UBND huyện Mường Chà``);
3. a place named in the record's sentence;
4. the document's province: its portal (``data/portal_domains.json``), else
   the province its title names, else the one its text names most — unless
   the unit is a national body (a ministry acts for the whole country).

Example::

    >>> doc = document_placement(text, title, source="sokhcn.caobang.gov.vn")
    >>> columns(record_placement(r.unit, r.location, r.sentence, doc), published="2017-05-02").province
    'Cao Bằng'
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

DATA = resources.files("pipeline.data")


@dataclass(frozen=True, slots=True)
class Province:
    """One provincial-level unit: code, name, approximate centroid."""

    code: str
    name: str
    kind: str
    lat: float
    lon: float
    code_2025: str | None = None   # only for the 63 pre-merger provinces


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a document or record is: the old province (or None) and how it was found."""

    old_code: str | None
    basis: str | None      # location, unit, sentence, source, title, text, document; None: unknown

    @property
    def known(self) -> bool:
        return self.old_code is not None


NOWHERE = Placement(None, None)


@dataclass(frozen=True, slots=True)
class ProvinceColumns:
    """What the store keeps per document or record."""

    province_code: str | None
    province: str | None
    province_2025_code: str | None
    province_2025: str | None
    basis: str | None


def fold(text: str) -> str:
    """Lower case, no tone or vowel marks, đ → d: ``Hà Giang`` → ``ha giang``."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in text if not unicodedata.combining(c))).lower()


@lru_cache(maxsize=1)
def load_table() -> dict:
    return json.loads(DATA.joinpath("provinces.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def provinces() -> dict[str, Province]:
    """The 63 pre-merger provinces by code."""
    return {p["code"]: Province(p["code"], p["name"], p["kind"], p["lat"], p["lon"], p["code_2025"])
            for p in load_table()["provinces"]}


@lru_cache(maxsize=1)
def provinces_2025() -> dict[str, Province]:
    """The 34 provinces since 1 July 2025 by code."""
    return {p["code"]: Province(p["code"], p["name"], p["kind"], p["lat"], p["lon"])
            for p in load_table()["provinces_2025"]}


def merger_date() -> str:
    return load_table()["merger_date"]


@lru_cache(maxsize=1)
def portal_domains() -> dict[str, str]:
    return json.loads(DATA.joinpath("portal_domains.json").read_text(encoding="utf-8"))["domains"]


def province_of_host(host: str | None) -> str | None:
    """Old province code of a portal host (``sokhcn.caobang.gov.vn`` → ``04``), or None."""
    if not host:
        return None
    host = host.lower().rstrip(".")
    domains = portal_domains()
    parts = host.split(".")
    for i in range(len(parts) - 1):
        code = domains.get(".".join(parts[i:]))
        if code:
            return code
    return None


# -- names in text ------------------------------------------------------------------------

# "Hồ Chí Minh" alone is the president, a road, an ideology or a youth union far
# more often than the city: the city needs its level word or an abbreviation.
_NEEDS_LEVEL = {"Hồ Chí Minh"}
# Words after (or before) a province name that make it something else:
# Thái Bình Dương is the Pacific, Bình Dương inside it too.
_NOT_AFTER = {"Thái Bình": ("Dương",)}
_NOT_BEFORE = {"Bình Dương": ("Thái",)}


@lru_cache(maxsize=1)
def _province_pattern() -> tuple[re.Pattern, dict[str, str]]:
    names: dict[str, str] = {}
    for p in load_table()["provinces"]:
        for name in [p["name"], *p["aliases"]]:
            names[name] = p["code"]
    alternatives = []
    for name in sorted(names, key=len, reverse=True):
        body = re.escape(name).replace(r"\ ", r"\s+")
        if name in _NEEDS_LEVEL:
            body = rf"(?<=thành phố )(?:{body})|(?<=Thành phố )(?:{body})|(?<=TP\. )(?:{body})|(?<=TP )(?:{body})|(?<=Tp\. )(?:{body})"
        after = "".join(rf"(?!\s+{w}\b)" for w in _NOT_AFTER.get(name, ()))
        before = "".join(rf"(?<!{w} )" for w in _NOT_BEFORE.get(name, ()))
        alternatives.append(f"{before}(?:{body}){after}")
    pattern = re.compile(r"(?<![\w.])(?:" + "|".join(alternatives) + r")(?![\w])")
    return pattern, {re.sub(r"\s+", " ", k): v for k, v in names.items()}


@lru_cache(maxsize=1)
def _districts() -> tuple[re.Pattern, dict[str, set[str]]]:
    """District-level names of the 63 provinces (``huyện Hàm Yên`` → {``08``}).

    From underthesea's address tables (its package ships them; nothing is
    downloaded).  Many names repeat across provinces (``huyện Châu Thành``):
    those give every candidate and the caller decides.
    """
    old_codes = {fold(p["name"]).replace(" ", ""): p["code"] for p in load_table()["provinces"]}
    by_name: dict[str, set[str]] = {}
    try:
        mapping = json.loads(resources.files("underthesea.address").joinpath("data/mapping.json")
                             .read_text(encoding="utf-8"))
    except (ModuleNotFoundError, FileNotFoundError):  # underthesea without its address tables
        mapping = {"old_province_names": {}, "ward_mapping": []}
    key_to_code = {k: v["code"] for k, v in mapping["old_province_names"].items()}
    for row in mapping["ward_mapping"]:
        code = key_to_code.get(row["old_province_key"]) or old_codes.get(row["old_province_key"])
        district = row.get("old_district") or ""
        m = re.match(r"(Huyện|Quận|Thị xã|Thành phố)\s+(.+)", district)
        if code and m:
            by_name.setdefault(f"{m.group(1).lower()} {fold(m.group(2))}", set()).add(code)
    levels = r"(?:huyện|quận|thị xã|thành phố|tp\.?)"
    pattern = re.compile(rf"(?<!\w)({levels})\s+((?:[0-9]+|[A-ZÀ-Ỹ][\w]*)(?:\s+[A-ZÀ-Ỹ][\w]*)*)",
                         re.UNICODE)
    return pattern, by_name


def _district_codes(level: str, name: str) -> set[str]:
    _, by_name = _districts()
    level = level.lower().rstrip(".")
    level = "thành phố" if level == "tp" else level
    words = name.split()
    # the longest run of capitalized words that is a district: "huyện Hàm Yên Tuyên Quang"
    for n in range(len(words), 0, -1):
        codes = by_name.get(f"{level} {fold(' '.join(words[:n]))}")
        if codes:
            return codes
    return set()


def find_provinces(text: str | None) -> list[tuple[int, str, str]]:
    """Every place in the text that fixes a province: (offset, old code, how).

    ``how`` is ``province`` for a province's own name, ``district`` for a
    district found in exactly one province.

    >>> [c for _, c, _ in find_provinces("tại huyện Hàm Yên và tỉnh Cao Bằng")]
    ['08', '04']
    """
    if not text:
        return []
    pattern, names = _province_pattern()
    found = [(m.start(), names[re.sub(r"\s+", " ", m.group())], "province") for m in pattern.finditer(text)]
    district_pattern, _ = _districts()
    for m in district_pattern.finditer(text):
        codes = _district_codes(m.group(1), m.group(2))
        if len(codes) == 1:
            code = next(iter(codes))
            if not any(start == m.start(2) for start, _, _ in found):
                found.append((m.start(), code, "district"))
    return sorted(found)


def _ambiguous_district_codes(text: str | None) -> list[set[str]]:
    if not text:
        return []
    pattern, _ = _districts()
    return [codes for m in pattern.finditer(text) if len(codes := _district_codes(m.group(1), m.group(2))) > 1]


def _first(text: str | None, prefer: str | None = None) -> str | None:
    """The province a short text (a unit name, a location) names: the first one,
    or a repeated district name resolved by the document's province."""
    hits = find_provinces(text)
    if hits:
        return hits[0][1]
    if prefer:
        for codes in _ambiguous_district_codes(text):
            if prefer in codes:
                return prefer
    return None


# -- the resolver -------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _national_heads() -> tuple[str, ...]:
    return tuple(load_table()["national_unit_heads"])


def is_national_unit(unit: str | None) -> bool:
    """A body acting for the whole country (Bộ Y tế, Chính phủ, Tổng cục Thống kê)."""
    return bool(unit) and unit.startswith(_national_heads()) and not find_provinces(unit)


def document_placement(text: str, title: str | None = None, source: str | None = None) -> Placement:
    """The province a document is about: its portal's, else its title's, else its text's most named.

    A text whose places are spread over several provinces (no province named in
    half of the mentions, nor more than twice as often as the next) has none:
    its records must find their own.
    """
    code = province_of_host(source)
    if code:
        return Placement(code, "source")
    if title:
        title_hits = Counter(c for _, c, _ in find_provinces(title))
        if len(title_hits) == 1:
            return Placement(next(iter(title_hits)), "title")
    hits = Counter(c for _, c, _ in find_provinces(text))
    if hits:
        ranked = hits.most_common(2)
        top, n = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0
        if n * 2 >= sum(hits.values()) or n >= 2 * second + 1:
            return Placement(top, "text")
    return NOWHERE


def record_placement(unit: str | None, location: str | None, sentence: str | None,
                     document: Placement) -> Placement:
    """The province of one record (see the module docstring for the order)."""
    prefer = document.old_code
    code = _first(location, prefer)
    if code:
        return Placement(code, "location")
    code = _first(unit, prefer)
    if code:
        return Placement(code, "unit")
    hits = find_provinces(sentence)
    if hits:
        # several places in one sentence: the document's own province if it is
        # among them, else a province's own name before a district's (district
        # names repeat across provinces: huyện Phong Điền, tỉnh Thừa Thiên Huế)
        codes = [c for _, c, how in sorted(hits, key=lambda h: (h[2] != "province", h[0]))]
        return Placement(prefer if prefer in codes else codes[0], "sentence")
    if is_national_unit(unit):
        return NOWHERE
    if document.known:
        return Placement(document.old_code, "document")
    return NOWHERE


def columns(placement: Placement, published: str | None) -> ProvinceColumns:
    """The store's columns: the province as published (new list on or after the merger) and since 2025."""
    if not placement.known:
        return ProvinceColumns(None, None, None, None, None)
    old = provinces()[placement.old_code]
    new = provinces_2025()[old.code_2025]
    if published and published[:10] >= merger_date():
        return ProvinceColumns(new.code, new.name, new.code, new.name, placement.basis)
    return ProvinceColumns(old.code, old.name, new.code, new.name, placement.basis)
