"""Organizational units ("đơn vị"): head + name, abbreviations, back-references.

    find_units(text, doc) -> list[Unit]   one Unit per mention, in text order

Vietnamese organization names are a head word followed by a name
(``Sở`` + ``Khoa học và Công nghệ`` + ``tỉnh Cao Bằng``).  The heads, the
standard abbreviations, media names, places and cue words are data files in
``extractors/data/`` (``unit_heads.jsonl``, ``abbreviations.json``,
``unit_media.jsonl``, ``places.json``, ``unit_not_heads.txt``,
``unit_discourse.json``, ``unit_names.jsonl`` — national bodies whose names are
a closed list, so that they end a name and give one canonical spelling —, and
``unit_name_verbs.txt`` — verbs that are ordinary words inside a name); this
module only walks the text.

The walk is over *syllables* (whitespace-separated pieces), because
underthesea's words do not always respect name boundaries (it may return
``Khoa học và`` as one word), while its POS tags still tell a verb that ends a
name (``Sở Công Thương tham mưu``) from a noun inside it
(``Trung tâm Dịch vụ việc làm``).

Mentions are then grouped into entities, so that every mention of one
organization carries one canonical ``name``: an abbreviation a document
defines (``Chi cục Quản lý thị trường (QLTT)``) is learned and expanded when
reused (``Chi cục QLTT``); a short back-reference (``Trung tâm``, ``Chi cục``,
``đơn vị này``) takes the name of the unit of that kind named last in a
subject position; a name with and without the document's home province
(``Sở Lao động … Điện Biên`` / ``Sở LĐ-TB&XH``) is one unit.  How a name is
*written* once found (abbreviations expanded, spelling variants unified, the
place split off for matching) is ``unit_names.py``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .mentions import Unit
from .segment import token_rows as _token_rows
from .unit_names import canonical as _canonical
from .unit_names import display_name as _display_name
from .unit_names import home_province as _home_province
from .unit_names import match_entity as _match_entity
from .unit_names import expand_abbreviations as _expand_abbreviations
from .unit_names import key as _key
from .unit_names import norm as _norm
from .unit_names import split_place as _split_place

# ---------------------------------------------------------------- data


def _data_text(name: str) -> str:
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
                                  # (Phòng Cảnh sát Môi trường Công an tỉnh An Giang is one unit)


@dataclass(frozen=True)
class Lexicon:
    heads: tuple[Head, ...]
    heads_by_first: dict
    not_heads: frozenset
    expansions: dict
    abbr_units: dict
    media: tuple
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


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    heads = []
    for line in _data_text("unit_heads.jsonl").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        heads.append(Head(tuple(d["pattern"].split()), d["kind"], d.get("place_body", False),
                          d.get("standalone", False), d.get("needs_capital", False),
                          d.get("backref_only", False), d.get("lower_ok", False),
                          tuple(d.get("requires_next", ())), d.get("name_capital", False),
                          d.get("named_after_people", False), d.get("national", False),
                          d.get("division", False), d.get("contains_divisions", False)))
    heads.sort(key=lambda h: -len(h.pieces))  # longest head first
    by_first: dict[str, list[Head]] = {}
    for h in heads:
        by_first.setdefault(h.pieces[0].lower(), []).append(h)
    not_heads = frozenset(
        l.strip().lower() for l in _data_text("unit_not_heads.txt").splitlines()
        if l.strip() and not l.startswith("#"))
    ab = json.loads(_data_text("abbreviations.json"))
    places = json.loads(_data_text("places.json"))
    media = []
    for l in _data_text("unit_media.jsonl").splitlines():
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
    cues = json.loads(_data_text("unit_discourse.json"))
    known = []
    for line in _data_text("unit_names.jsonl").splitlines():
        if line.strip():
            d = json.loads(line)
            for v in [d["name"], *d.get("variants", ())]:
                known.append((_norm(v), d["name"], len(_norm(v).split())))
    known.sort(key=lambda k: -len(k[0]))
    name_verbs = frozenset(l.strip() for l in _data_text("unit_name_verbs.txt").splitlines()
                           if l.strip() and not l.startswith("#"))
    # regions and countries end a name ("Hội Khuyến học Việt Nam", "Bộ Quốc phòng Nga"); longest first
    regions = sorted([*places["regions"], *places.get("countries", ())], key=len, reverse=True)
    return Lexicon(
        heads=tuple(heads), heads_by_first=by_first, not_heads=not_heads,
        expansions=ab["expansions"], abbr_units=ab["units"], media=media,
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
        canonical_places=tuple(sorted(places.get("canonical_places", {}).items(), key=lambda kv: -len(kv[0]))),
        inner_commas=tuple(tuple(_PIECE.findall(c.lower())) for c in cues.get("name_inner_commas", ())),
        media_credits=tuple(cues.get("media_credits", ())),
    )


# ---------------------------------------------------------------- pieces

# A piece: a syllable with its inner joiners (KH&CN, TC-ĐL-CL, TP.HCM), or one punctuation mark.
_PIECE = re.compile(r"\w+(?:[&\-+]\w+|\.(?=[A-ZĐ]{2})\w+)*\+?|[^\w\s]")
# Words that never belong inside a name: they end it.
_STOP_WORDS = frozenset("""
đã đang sẽ vừa mới cũng đều vẫn còn chưa không chỉ luôn được bị là có cho của với tại trên từ về theo
trong để đến thì mà nhưng nên vì do khi nếu này đó ấy kia các những mọi nhiều một số ra vào lên xuống
như cùng tới sau trước giữa qua bởi hay hoặc rằng nhằm gồm gồm có hiện nay hôm
""".split())
_STOP_TAGS = ("R", "E", "C", "P", "L", "M", "T", "CH", "I", "X", "SPACE")
# Capitalized function words that open a sentence: never inside a name, so one ends it
# where a flattened page runs two sentences together ("Báo Điện tử Chính phủ Theo …").
_SENTENCE_OPENERS = frozenset({"Theo", "Tại", "Trong", "Khi", "Nếu", "Sau", "Trước", "Hiện", "Còn", "Nhưng", "Tuy"})
_NUMBER_LABEL = re.compile(r"\d+[A-Za-z]?|[IVX]+")
_ABBR = re.compile(r"^(?=.*[A-ZĐ])[A-ZĐ0-9&\-.+]{2,}$|^[A-ZĐ][a-zđ]?[A-ZĐ][A-ZĐa-z&\-]*$")


@dataclass(slots=True)
class Piece:
    start: int
    end: int
    text: str
    tag: str = ""
    tok_start: int = 0
    tok_end: int = 0
    newline_before: bool = False
    cap: bool = False   # starts with a capital (text[:1].isupper()), read hundreds of times a piece
    word: bool = False  # starts with a letter or digit (text[:1].isalnum())


def _pieces(text: str, doc) -> list[Piece]:
    out = []
    tokens = [(a, b, tag) for a, b, _, tag in _token_rows(doc)] if doc is not None else []
    ti = 0
    prev_end = 0
    n_tokens = len(tokens)
    for m in _PIECE.finditer(text):
        s, e = m.span()
        while ti < n_tokens and tokens[ti][1] <= s:
            ti += 1
        tag, ts, te = "", s, e
        if ti < n_tokens and tokens[ti][0] <= s:
            ts, te, tag = tokens[ti]
        t = m.group()
        c = t[:1]
        out.append(Piece(s, e, t, tag, ts, te, text.find("\n", prev_end, s) >= 0, c.isupper(), c.isalnum()))
        prev_end = e
    return out


def _next_is_capital(text: str, pos: int) -> bool:
    """Does a capitalized word follow on the same line (a longer proper name goes on)?"""
    m = re.match(r"[ \t]+(\w)", text[pos:pos + 4])
    return bool(m) and m.group(1).isupper()


def _is_abbr(t: str) -> bool:
    return bool(_ABBR.match(t)) and not t.isdigit()


def _initials_match(words: list[str], abbr: str) -> bool:
    """Do the syllables' first letters spell the abbreviation (KH&CN ← Khoa học và Công nghệ)?"""
    letters = [c for c in abbr.upper() if c.isalpha()]
    inits = [w[0].upper() for w in words if w[:1].isalpha()]
    if not letters or not inits or inits[0] != letters[0]:
        return False
    # every letter of the abbreviation in order among the initials; skipped
    # initials may only be joining words (và, các)
    i = 0
    for w, c in zip([w for w in words if w[:1].isalpha()], inits):
        if i < len(letters) and c == letters[i]:
            i += 1
        elif w.lower() not in ("và", "các", "của"):
            return False
    return i == len(letters)


# ---------------------------------------------------------------- mentions


@dataclass
class _Mention:
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


def _match_head(pieces: list[Piece], i: int, lex: Lexicon) -> Head | None:
    p = pieces[i]
    for h in lex.heads_by_first.get(p.text.lower(), ()):
        n = len(h.pieces)
        if i + n > len(pieces):
            continue
        ok = True
        for k, hp in enumerate(h.pieces):
            q = pieces[i + k]
            if k > 0 and q.newline_before:
                ok = False
                break
            if k == 0:
                # lower case only for multi-syllable heads (công ty, trung tâm) and the few
                # one-syllable ones that are not also common words (trường; not bộ, vụ, ban)
                lower_ok = (len(h.pieces) > 1 and not h.needs_capital) or h.lower_ok
                if q.text != hp and not (lower_ok and q.text == hp[0].lower() + hp[1:]):
                    ok = False
                    break
            elif q.text.lower() != hp.lower():
                ok = False
                break
        if not ok:
            continue
        nxt = pieces[i + n] if i + n < len(pieces) else None
        if nxt is not None and not nxt.newline_before:
            if f"{pieces[i + n - 1].text} {nxt.text}".lower() in lex.not_heads:
                continue
        if h.requires_next:
            after = " ".join(q.text.lower() for q in pieces[i + n:i + n + 3]) + " "
            if not any(after.startswith(w + " ") or after.startswith(w) and w.endswith(" ")
                       for w in h.requires_next):
                continue
        # underthesea glued the head to a lower-case syllable: an ordinary word (Hội nghị)
        if n == 1 and nxt is not None and not nxt.cap and p.tok_end > p.end and nxt.start < p.tok_end:
            continue
        return h
    return None


def _place_at(pieces: list[Piece], i: int, lex: Lexicon) -> int:
    """Pieces taken by a place phrase starting at i (``tỉnh Cao Bằng``, ``Đắk Lắk``), else 0."""
    n = len(pieces)
    for lv in lex.levels:
        lvp = lv.split()
        if i + len(lvp) <= n and all(pieces[i + k].text == lvp[k] or
                                     pieces[i + k].text == lvp[k].capitalize() and i + k > 0
                                     for k in range(len(lvp))):
            j = i + len(lvp)
            if j + 1 < n and pieces[j].text == "." and pieces[j].start == pieces[j - 1].end \
                    and len(lvp) == 1 and len(lv) <= 2 and lv[:1].isupper() and pieces[j + 1].cap and pieces[j + 1].word and not pieces[j + 1].newline_before:
                j += 1  # an abbreviated level with its full stop: "UBND TP. Phú Quốc"
            prov = _province_at(pieces, j, lex) if j < n else 0
            if prov:
                return j - i + prov  # a known province ends the place (… tỉnh Sóc Trăng Trần Văn Lâu; TP. HCM)
            if j + 2 < n and pieces[j].text in lex.surnames and all(
                    pieces[q].cap and pieces[q].word and not pieces[q].newline_before for q in (j + 1, j + 2)) \
                    and not (j + 3 < n and pieces[j + 3].cap and pieces[j + 3].word):
                return len(lvp)  # "… phòng, chống dịch tỉnh Trần Xuân Dưỡng": the official's name follows
            k = j
            while k < n and pieces[k].cap and pieces[k].word and not pieces[k].newline_before and k - j < 3 \
                    and not (k > j and pieces[k].text in lex.surnames and k + 1 < n and pieces[k + 1].cap
                             and pieces[k + 1].word and not pieces[k + 1].newline_before):
                if _match_head(pieces, k, lex) is not None and k > j:
                    break
                k += 1
                # a hyphenated province name: Bà Rịa - Vũng Tàu
                if k + 1 < n and pieces[k].text in "-–" and pieces[k + 1].cap and k - j >= 2:
                    k += 1
            return k - i if k > j else len(lvp)
    return _province_at(pieces, i, lex)


@lru_cache(maxsize=4)
def _provinces_by_first_piece(provinces: tuple) -> dict[str, list[list[str]]]:
    """Each province's pieces, under its first piece, in lexicon order (first match wins)."""
    out: dict[str, list[list[str]]] = {}
    for prov in provinces:
        pp = _PIECE.findall(prov)
        assert pp, f"province {prov!r} has no words"
        out.setdefault(pp[0], []).append(pp)
    return out


def _province_at(pieces: list[Piece], i: int, lex: Lexicon) -> int:
    if i >= len(pieces):
        return 0
    for pp in _provinces_by_first_piece(lex.provinces).get(pieces[i].text, ()):
        if i + len(pp) <= len(pieces) and all(pieces[i + k].text == pp[k] for k in range(1, len(pp))):
            return len(pp)
    return 0


# Words that open the predicate after a subject: the lower-case words before them may end its name.
_PREDICATE_OPENERS = frozenset("cho đã đang sẽ vừa cũng đều vẫn".split())
# Time nouns after a name are a date, not part of the name ("Bộ Y tế ngày 5/3").
_TIME_NOUNS = frozenset("ngày tháng năm quý tuần sáng chiều tối trưa đêm hôm lúc dịp đợt kỳ giai đoạn".split())


def _noun_tail(pieces: list[Piece], end: int, k: int, verbs_in_run: int, capital: bool) -> int:
    """A short lower-case run of nouns left open when the scan stops at a boundary (a bracket,
    a comma, the sentence end, the parent body): the rest of the name, written lower-case
    ("Cục Quản lý đăng ký kinh doanh (Bộ …)", "Tổng cục Thi hành án dân sự Bộ Tư pháp").
    Returns the new end (``end`` when the run is not a name's tail)."""
    run = pieces[end:k]
    if not capital or not run or len(run) > 4 or verbs_in_run > 1:
        return end
    if verbs_in_run and not run[0].tag.startswith("N"):
        return end  # a run that opens with a verb is a predicate; the tagger may call a
                    # later word of a noun run a verb (án dân sự)
    if not (pieces[end - 1].cap or pieces[end - 1].tok_start < pieces[end - 1].start):
        return end
    if any(not q.word or q.cap or q.newline_before or q.text.lower() in _STOP_WORDS
           or q.text.lower() in _TIME_NOUNS or _NUMBER_LABEL.fullmatch(q.text)
           or (q.tag and not q.tag.startswith(("N", "A", "V"))) for q in run):
        return end
    if run[-1].tok_end > run[-1].end:
        return end  # the run stops inside a word: not a boundary
    return k


def _lower_name_end(pieces: list[Piece], j: int, lex: Lexicon, head: Head, text: str) -> int:
    """A name written all lower-case after a capitalized head: "Trung tâm dịch vụ việc làm,",
    "Ban quản lý khu công nghiệp tỉnh". Only when the name opens with a field of work
    (``unit_name_verbs.txt``: dịch vụ, quản lý …) or the head ends with one (Ban Quản lý),
    so that "Trung tâm thương mại" (a building) and "Trung tâm thành phố" stay out; and only
    up to a boundary (punctuation, a place, a function word), never into a predicate.
    Returns the end index (``j`` when there is no such name)."""
    n = len(pieces)
    if j >= n or pieces[j].newline_before or pieces[j].cap or not pieces[j].word \
            or pieces[j].tok_start != pieces[j].start:
        return j
    first = text[pieces[j].tok_start:pieces[j].tok_end].lower()
    if first not in lex.name_verbs and " ".join(head.pieces[1:]).lower() not in lex.name_verbs:
        return j
    k = j
    while k < n and k - j < 6:
        q = pieces[k]
        low = q.text.lower()
        if q.newline_before or not q.word or q.cap or low in _STOP_WORDS or low in _TIME_NOUNS \
                or _NUMBER_LABEL.fullmatch(q.text) or (q.tag or "N").startswith(_STOP_TAGS) \
                or (q.tok_start == q.start and _place_at(pieces, k, lex)):
            break
        if q.tag.startswith("V") and q.tok_start == q.start \
                and text[q.tok_start:q.tok_end].lower() not in lex.name_verbs:
            return j  # a predicate: "Trung tâm quản lý tốt …" is not a name
        k += 1
    if k == j or pieces[k - 1].tok_end > pieces[k - 1].end or k - j >= 6:
        return j
    if k < n and not pieces[k].newline_before:
        w = _place_at(pieces, k, lex) if pieces[k].word else 0
        if w:
            return k + w
        if pieces[k].word and pieces[k].text.lower() not in _STOP_WORDS:
            return j
    return k


def _unit_in_title(text: str, pieces: list[Piece], i: int, lex: Lexicon):
    """"Tổng cục phó Địa chất và Khoáng sản", "Cục trưởng Hàng không": an official's title
    made of the head + trưởng/phó, with the body's name right after it (not a repeated head,
    not the official's own name). Returns (mention, next index) or None."""
    n = len(pieces)
    for h in lex.heads_by_first.get(pieces[i].text.lower(), ()):
        m = i + len(h.pieces)
        if not (h.name_capital or h.division) or m + 1 >= n or pieces[i].text != h.pieces[0] \
                or any(pieces[i + k].text.lower() != h.pieces[k].lower() for k in range(len(h.pieces))) \
                or pieces[m].text not in ("trưởng", "phó"):
            continue
        q = pieces[m + 1]
        if q.newline_before or not (q.cap and q.word) or q.text in lex.surnames \
                or _match_head(pieces, m + 1, lex) is not None or _place_at(pieces, m + 1, lex):
            return None
        end, abbr, capital = _scan_name(pieces, m + 1, lex, h, text)
        if end > m + 1 and capital:  # "Bộ trưởng Y tế Nguyễn Thanh Long": the official's name
            end = _cut_person_name(pieces, m, end, lex)
        if end <= m + 1 or not capital:
            return None
        raw = " ".join(h.pieces) + " " + _raw_name(text, pieces, m + 1, end)
        return _Mention(pieces[i].start, pieces[end - 1].end, h.kind, raw, abbreviation=abbr,
                        subject=not _preceding(text, pieces[i].start, lex)), end
    return None


_LIST_WORDS = frozenset({"các", "và", "của", "những"})


def _until_own_short_name(text: str, pieces: list[Piece], i: int, end: int, head: Head) -> int:
    """"Ban Chỉ đạo Nhà nước các công trình, dự án quan trọng quốc gia, trọng điểm ngành giao
    thông vận tải (Ban Chỉ đạo)": a long name with lower-case words and commas, which the
    article closes itself by defining its short name — the head again — in brackets. The name
    runs up to the bracket (the bracket included), if nothing between looks like a clause."""
    n = len(pieces)
    k = end
    while k < n and k - end < 30:
        q = pieces[k]
        if q.newline_before:
            return end
        if q.text == "(":
            break
        if q.word and q.text.lower() in _STOP_WORDS and q.text.lower() not in _LIST_WORDS:
            return end
        if not q.word and q.text not in ",-–":
            return end
        k += 1
    else:
        return end
    close = k + 1
    while close < n and pieces[close].text != ")" and close - k <= 5:
        close += 1
    if k == end or close >= n or pieces[close].text != ")" or close - k - 1 < len(head.pieces):
        return end
    if any(pieces[k + 1 + t].text.lower() != hp.lower() for t, hp in enumerate(head.pieces)):
        return end
    return close + 1


def _lower_head_after_title(text: str, pieces: list[Piece], i: int, lex: Lexicon) -> Head | None:
    """"Phó cục trưởng cục Tin học hóa", "Giám đốc sở Tài chính": a one-syllable head
    (Cục, Sở, Bộ) written lower-case is a head right after an official's title, when a
    capitalized name follows; elsewhere "cục", "sở", "bộ" are common words."""
    if i + 1 >= len(pieces) or not (pieces[i + 1].cap and pieces[i + 1].word) or pieces[i + 1].newline_before:
        return None
    # the head first (a dictionary look-up), the titles before it only for a head
    head = next((h for h in lex.heads_by_first.get(pieces[i].text.capitalize().lower(), ())
                 if len(h.pieces) == 1 and h.name_capital and pieces[i].text == h.pieces[0].lower()), None)
    if head is None:
        return None
    before = text[max(0, pieces[i].start - 25):pieces[i].start].rstrip().lower()
    if not any(before.endswith(t.lower()) and (len(before) == len(t) or not before[-len(t) - 1].isalpha())
               for t in lex.official_titles if t[:1].isupper()):
        return None
    return head


def _title_at(text: str, pos: int, lex: Lexicon) -> bool:
    """Does an official's or a person's title start at pos ("…, Cố vấn cao cấp …")?"""
    low = text[pos:pos + 30].lower()
    return any(low.startswith(t.lower() + " ") for t in (*lex.end_titles, *lex.person_titles))


def _generic_then_head(pieces: list[Piece], i: int, lex: Lexicon) -> bool:
    """Does one lower-case word (cơ quan, lực lượng) and then a head start at i? After "và" it
    is a second body ("Trung tâm Kiểm soát Bệnh tật và cơ quan Công an"), not the name going on."""
    if i >= len(pieces) or pieces[i].cap or not pieces[i].word:
        return False
    k = i + 1
    while k < len(pieces) and pieces[k].start < pieces[i].tok_end and pieces[k].word:
        k += 1
    return k < len(pieces) and pieces[k].cap and not pieces[k].newline_before \
        and _match_head(pieces, k, lex) is not None


def _scan_name(pieces: list[Piece], j: int, lex: Lexicon, head: Head, text: str):
    """Extend a name from piece j (just after the head); (end index, abbreviation, has_capital)."""
    n = len(pieces)
    k = j
    end = j              # pieces[j:end] belong to the name
    abbr = None
    capital = False
    place_done = False
    verbs_in_run = 0
    inner_heads = 0
    while k < n and k - j < 24:  # no organization name is longer; stops runaway capitals
        p = pieces[k]
        if p.newline_before:
            break
        t = p.text
        if t == "(":
            close = k + 1
            while close < n and pieces[close].text != ")" and close - k < 8:
                close += 1
            inner = pieces[k + 1:close]
            inner_text = text[inner[0].start:inner[-1].end] if inner else ""
            if (close < n and pieces[close].text == ")" and len(inner) == 1
                    and _is_abbr(inner_text)
                    and (capital or _initials_match([q.text for q in pieces[j:k] if q.word], inner_text))):
                abbr = inner_text
                k = close + 1
                end = k
                capital = True
                continue
            end = _noun_tail(pieces, end, k, verbs_in_run, capital)
            break
        if not p.word:
            if t == "." and k > j and pieces[k - 1].text in lex.levels and p.start == pieces[k - 1].end \
                    and len(pieces[k - 1].text) <= 2 and pieces[k - 1].text[:1].isupper() \
                    and k + 1 < n and pieces[k + 1].cap and pieces[k + 1].word and not pieces[k + 1].newline_before:
                k += 1  # "UBND TP. Phú Quốc": the abbreviated level's full stop
                continue
            if t == "," and k > j and any(_phrase_at(pieces, k - c.index(","), c) for c in lex.inner_commas):
                k += 1  # "Ban Chỉ đạo phòng, chống dịch …": a fixed pair, the name goes on
                continue
            if t in ",":
                nxt = pieces[k + 1] if k + 1 < n else None
                if (nxt is not None and nxt.cap and nxt.word and not place_done
                        and _match_head(pieces, k + 1, lex) is None
                        and _province_at(pieces, k + 1, lex) == 0
                        and _place_at(pieces, k + 1, lex) == 0  # "Công ty Việt Thắng Jean, TP Thủ Đức": where it is
                        and not any(text.startswith(r, nxt.start) for r in lex.regions)
                        and nxt.text.lower() not in lex.person_titles
                        and not _title_at(text, nxt.start, lex)  # "Cục Y tế Dự phòng, Cố vấn …"
                        and k == end and capital):
                    k += 1
                    continue
                if nxt is not None and nxt.word and not nxt.cap and k == end and capital and not place_done:
                    # "Hiệp hội Cà phê, ca cao Việt Nam": a list of lower-case fields inside
                    # the name, closed by the country or region the body covers
                    m = k + 1
                    while m < n and m - k <= 4 and pieces[m].word and not pieces[m].cap \
                            and not pieces[m].newline_before and pieces[m].text.lower() not in _STOP_WORDS \
                            and not (pieces[m].tag or "N").startswith(("V", "R", "E", "C")):
                        m += 1
                    if m > k + 1 and m < n and not pieces[m].newline_before and any(
                            r[:1].isupper() and text.startswith(r, pieces[m].start) for r in lex.regions):
                        k += 1
                        continue
                end = _noun_tail(pieces, end, k, verbs_in_run, capital)
                break
            if t in "-–&" and k + 1 < n and pieces[k + 1].word and not place_done:
                spaced = p.start > pieces[k - 1].end if k > 0 else False
                if t in "-–" and spaced and not (pieces[k + 1].cap or _is_abbr(pieces[k + 1].text)) and k > j \
                        and pieces[k - 1].cap:
                    break  # "Tập đoàn Đèo Cả - chủ đầu tư dự án": an apposition, not the name
                k += 1
                continue
            if t in ".;:!?":
                end = _noun_tail(pieces, end, k, verbs_in_run, capital)
            break
        if place_done:
            break
        if t in ("Ông", "Bà", "GS", "PGS", "TS", "ThS") and k > j:
            break
        if t in _SENTENCE_OPENERS and k > j:
            break  # a flattened page runs sentences together: "Báo Điện tử Chính phủ Theo …"
        if p.cap and k > j and any(text.startswith(ti + " ", p.start) for ti in lex.end_titles):
            break  # an official's title: Báo Điện tử Chính phủ | Thủ tướng …
        if p.cap or _is_abbr(t):
            if abbr is not None and not _place_at(pieces, k, lex) and not any(
                    r[:1].isupper() and text.startswith(r, p.start) for r in lex.regions):
                break  # "Tổ chức Y tế Thế giới (WHO) Tedros …": the defined name is complete
            inner = _match_head(pieces, k, lex) if k > j else None
            # a division written with its body (Phòng Cảnh sát Môi trường Công an tỉnh …,
            # Vụ Quy hoạch kiến trúc Bộ Xây dựng) is one name, however long the division's name
            division_of = (inner is not None and head.division and inner.contains_divisions
                           and inner.kind != head.kind and not inner_heads
                           and (k == end or verbs_in_run == 0 and k - end <= 3  # "… kiến trúc Bộ": nouns only
                                and all(q.word for q in pieces[end:k])))  # not "Cục … - Bộ Y tế": two units
            if inner is not None and not division_of and (
                    k > end or inner_heads or k - j > 3 or inner.kind == head.kind
                    or k > j and not head.division and not head.named_after_people
                    and not inner.standalone and not inner.place_body):  # "Bộ Công thương Tổng cục …": a list
                # a new organization after lower-case words (Sở … yêu cầu Trung tâm), or a
                # run of names (Bộ Tư pháp Bộ Giao thông vận tải): only one level of
                # nesting right after the head (Văn phòng UBND tỉnh, Ban Tổ chức Tỉnh ủy)
                if inner.contains_divisions and k > end:
                    end = _noun_tail(pieces, end, k, verbs_in_run, capital)
                break
            if inner is not None:
                inner_heads += 1
            region = next((r for r in lex.regions if r[:1].isupper() and text.startswith(r, p.start)
                           and not text[p.start + len(r):p.start + len(r) + 1].isalnum()), None)
            if region in lex.countries and (_province_at(pieces, k, lex) or _next_is_capital(text, p.start + len(region))):
                region = None  # Lào Cai, Sơn Mỹ Lan: a country's name inside a longer name
            elif region in lex.countries and p.tok_end > p.start + len(region):
                region = None  # Mỹ thuật: one word with the next syllable
            if region is not None and k > j:
                while k < n and pieces[k].end <= p.start + len(region):
                    k += 1
                end = k
                capital = True
                place_done = True  # Hội Khuyến học Việt Nam | dự đại hội …
                continue
            w = _place_at(pieces, k, lex) if p.cap else 0
            if w and _province_at(pieces, k, lex):
                k += w
                end = k
                capital = True
                place_done = True
                continue
            k += 1
            end = k
            capital = True
            verbs_in_run = 0
            continue
        # lower case; a level word inside a longer word (nông thôn) is not a place
        w = _place_at(pieces, k, lex) if p.tok_start == p.start else 0
        if w:
            if w == 1 or (w == len(t.split())):  # a bare level: UBND tỉnh, … việc làm tỉnh
                if t in lex.bare_levels or text[p.start:pieces[k + w - 1].end] in lex.bare_levels:
                    k += w
                    end = k
                    capital = capital or head.place_body
                    # a bare level ends the name unless its place name follows, maybe after
                    # the abbreviation: "Trung tâm Kiểm soát bệnh tật tỉnh (CDC) Hà Nam"
                    abbr_then_place = k + 3 < n and pieces[k].text == "(" and pieces[k + 2].text == ")" \
                        and _is_abbr(pieces[k + 1].text) and pieces[k + 3].cap and pieces[k + 3].word
                    if k < n and not (pieces[k].cap and pieces[k].word) and not abbr_then_place or k >= n:
                        break
                    continue
                break
            k += w
            end = k
            capital = True
            place_done = True
            continue
        if t == "và" and k + 1 < n and pieces[k + 1].text[:1].isdigit():
            break  # "Đại học Sư phạm và 33 đầu sách": a count, not part of the name
        if t == "và" and k + 2 < n and (_place_at(pieces, k + 1, lex) > 1 and pieces[k + 2].text.lower() != "hội"
                                         or _match_head(pieces, k + 1, lex)
                                         or pieces[k + 1].text in lex.abbr_units
                                         # "… Bệnh tật và cơ quan Công an": a generic noun, then a body
                                         or _generic_then_head(pieces, k + 1, lex)
                                         or any(text.startswith(ti + " ", pieces[k + 1].start) for ti in lex.end_titles)):
            break  # "Sở GD&ĐT và Thành phố Hà Nội", "Bộ Y tế và Bộ Công an": two bodies
        # the rest of a capitalized word (Quản lý, Tuyên giáo): same underthesea token — but
        # not after a title-case proper name or an abbreviation (Phan Thiết gắn, GD&ĐT tặng)
        same_tok = [q for q in pieces[j:k] if q.start >= p.tok_start]
        cap_run = 0  # capitalized syllables of this word before p: 2+ is a title-case proper name
        while cap_run < len(same_tok) and same_tok[-1 - cap_run].cap and not _is_abbr(same_tok[-1 - cap_run].text):
            cap_run += 1
        if end == k and capital and p.tok_start < p.start and any(q.cap for q in same_tok) \
                and cap_run <= 1 and not (same_tok and _is_abbr(same_tok[-1].text)):
            k += 1
            end = k
            continue
        low = t.lower()
        if k > end and _match_head(pieces, k, lex) is not None and p.tok_start == p.start:
            break  # a new organization after lower-case words (… đánh giá cao trường Cao đẳng …)
        if text[p.tok_start:p.tok_end].lower() in lex.name_stop_verbs and p.tok_start == p.start:
            break  # a reporting verb ends the name (Ngân hàng Thế giới dự báo …)
        if _NUMBER_LABEL.fullmatch(t) and k > j and verbs_in_run == 0 and not head.place_body and not capital \
                and _ends_number_name(pieces, k):
            # a body named by a number after lower-case words: "Bệnh viện quân y 175", "Bệnh viện
            # dã chiến cấp 2 (số 1)"; after a capitalized name it is a branch ("Bạch Mai cơ sở 2")
            k = end = k + 1
            capital = True
            break
        if low in _STOP_WORDS and low != "và":
            if low == "các" and k == j and not head.place_body:
                k += 1  # Ban Quản lý các khu công nghiệp …, Liên hiệp các Hội …
                continue
            if low in _PREDICATE_OPENERS:
                end = _noun_tail(pieces, end, k, verbs_in_run, capital)  # "cục Tin học hóa cho biết"
            break
        if p.tag.startswith(_STOP_TAGS) and low != "và":
            break
        if head.place_body and not capital:
            break  # UBND + a lower-case word: not a named body
        # noun-like lower-case syllables stay if a capitalized word follows, or
        # if they finish a capitalized word (Phát triển nông thôn, Dịch vụ việc làm)
        # one lower-case word that ends the name right after a capitalized one
        # (Cục Quản lý Khám chữa bệnh,) — not one that a further lower-case word follows
        if (end == k and capital and p.tag.startswith("N") and p.tok_start == p.start
                and p.tok_end > p.end  # a compound (việc làm), not a lone syllable (nơi, thành)
                and (pieces[k - 1].cap or pieces[k - 1].tok_start < pieces[k - 1].start)
                and not _is_abbr(pieces[k - 1].text)):
            w_end = k + 1
            while w_end < n and pieces[w_end].tok_start == p.tok_start and pieces[w_end].word:
                w_end += 1
            nxt = pieces[w_end] if w_end < n else None
            if nxt is not None and nxt.text == "(":
                k = end = w_end  # "(QLTT) tỉnh Gia Lai" may still follow
                continue
            if nxt is not None and nxt.text == "và":
                pass  # a joiner: the name may go on (Thống kê khoa học và công nghệ)
            elif nxt is None or nxt.newline_before or not nxt.word or nxt.text.lower() in _STOP_WORDS \
                    or (nxt.tag.startswith(("V", "R", "E", "C")) and not nxt.cap and not _is_abbr(nxt.text)):
                k = end = w_end
                break
        # a lower-case run is kept only if a capitalized word follows; a run with a
        # verb in it is a predicate, not part of a name, once it is longer than a word or two
        if p.tag.startswith("V") and p.tok_start == p.start \
                and text[p.tok_start:p.tok_end].lower() not in lex.name_verbs:
            verbs_in_run += 1
            if verbs_in_run > 1 or k - end > 2:
                break
        if k - end > 8:
            break
        k += 1
        if k - j > 16:
            break
    # do not end on a joiner
    while end > j and pieces[end - 1].text.lower() in ("và", "-", "–", "&", ","):
        end -= 1
    # a numbered unit: "Đội Quản lý thị trường số 1", "Trường THCS số 2"
    if capital and end > j and end + 1 < n and pieces[end].text == "số" and _NUMBER_LABEL.fullmatch(pieces[end + 1].text) \
            and not pieces[end].newline_before and not pieces[end + 1].newline_before:
        end += 2
    return end, abbr, capital


def _abbr_qualifier_end(text: str, pieces: list[Piece], j: int, lex: Lexicon) -> int:
    """After an abbreviation that names a body: the capitalized words that say which one
    ("VKSND Tối cao", "CDC Đông Anh"), up to 3 syllables; j if none.

    Not a new organization, an official's title, a person's name or a sentence opener.
    """
    n = len(pieces)
    k = j
    while k < n and k - j < 3 and pieces[k].word and pieces[k].cap and not pieces[k].newline_before \
            and not _is_abbr(pieces[k].text) and pieces[k].text not in _SENTENCE_OPENERS \
            and _match_head(pieces, k, lex) is None \
            and not any(text.startswith(t, pieces[k].start) for t in lex.end_titles) \
            and not (k == j and pieces[k].text in lex.surnames):
        k += 1
        while k < n and pieces[k].word and pieces[k].start < pieces[k - 1].tok_end:
            k += 1  # the rest of the word: "Tối cao"
    if k < n and pieces[k].word and pieces[k].cap and not pieces[k].newline_before:
        return j  # a longer capitalized run: a heading or a list, not a qualifier
    return k


def _after_credit(text: str, pos: int, lex: Lexicon) -> bool:
    """Does a caption credit end just before pos ("Ảnh: Lê Tuyết | Công ty …")? A flattened page
    runs the credit into the next sentence; the head then opens that sentence."""
    before = text[max(0, pos - 50):pos]
    for credit in lex.media_credits:
        at = before.rfind(credit)
        if at < 0:
            continue
        m = re.match(r"\s*:\s*((?:\w+\.?\s+){1,4})$", before[at + len(credit):])
        if m and all(w[:1].isupper() for w in m.group(1).split()):
            return True
    return False


def _ends_compound(pieces: list[Piece], i: int, size: int) -> bool:
    """Are the ``size`` syllables before piece i the end of a longer word (yêu cầu, not cầu)?"""
    first = i - size
    return first >= 1 and pieces[first].tok_start < pieces[first].start


def _ends_number_name(pieces: list[Piece], k: int) -> bool:
    """Does the number at k end a name, rather than count something ("… 175 đã", not "… 5 km")?"""
    nxt = pieces[k + 1] if k + 1 < len(pieces) else None
    if nxt is None or nxt.newline_before:
        return True
    if not nxt.word:  # "175," but not "19/5", "2.000", "1,5"
        after = pieces[k + 2] if k + 2 < len(pieces) else None
        return nxt.text != "%" and not (after is not None and after.start == nxt.end and after.text[:1].isdigit())
    return nxt.text == "số" or nxt.text.lower() in _STOP_WORDS \
        or (nxt.tag.startswith(("V", "R", "E", "C")) and not nxt.cap)


def _phrase_at(pieces: list[Piece], i: int, phrase: tuple) -> bool:
    """Do the pieces from i spell ``phrase`` (lower-case pieces)?"""
    return i >= 0 and i + len(phrase) <= len(pieces) and all(
        pieces[i + q].text.lower() == phrase[q] for q in range(len(phrase)))


# ---------------------------------------------------------------- the finder


def find_units(text: str, doc=None) -> list[Unit]:
    """Every organization mention in ``text``, in text order, with canonical names.

    >>> [u.name for u in find_units("UBND tỉnh Cao Bằng đã giao Sở KH&CN chủ trì.")]
    ['Ủy ban nhân dân tỉnh Cao Bằng', 'Sở Khoa học và Công nghệ']
    """
    if doc is None:
        from .segment import make_token_doc
        doc = make_token_doc(text)
    lex = lexicon()
    pieces = _pieces(text, doc)
    learned = _learn_abbreviations(text, pieces, lex)
    mentions = _find_mentions(text, pieces, lex, learned)
    mentions.extend(_find_media(text, pieces, lex, mentions))
    mentions.sort(key=lambda m: m.start)
    _complete_short_names(text, mentions, lex)
    _resolve(text, mentions, lex, learned)
    _parents(text, mentions)
    return [Unit(text=text[m.start:m.end], start=m.start, end=m.end, name=m.name,
                 abbreviation=m.abbreviation, kind=m.kind, parent=m.extra.get("parent"))
            for m in mentions if m.name]


def _complete_short_names(text: str, mentions: list[_Mention], lex: Lexicon) -> None:
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


def _learn_abbreviations(text: str, pieces: list[Piece], lex: Lexicon) -> dict:
    """'Long form (ABBR)' definitions in this document: ABBR → long form."""
    learned: dict[str, str] = {}
    for i, p in enumerate(pieces):
        if p.text != "(" or i + 2 >= len(pieces) or pieces[i + 2].text != ")":
            continue
        abbr = pieces[i + 1].text
        if not _is_abbr(abbr):
            continue
        letters = sum(c.isalpha() for c in abbr)
        # the shortest run of preceding syllables whose initials spell it
        for size in range(letters, min(letters + 4, i) + 1):
            words = [q for q in pieces[i - size:i] if q.word]
            if any(q.newline_before for q in pieces[i - size + 1:i]):
                break
            if len(words) < letters:
                continue
            if _initials_match([q.text for q in words], abbr):
                long = text[pieces[i - size].start:pieces[i - 1].end]
                if abbr not in learned:
                    learned[abbr] = long
                break
    return learned


def _preceding(text: str, start: int, lex: Lexicon) -> bool:
    """Is the unit at ``start`` in an object / place position (after tại, từ, của, …)?"""
    before = text[max(0, start - 25):start].rstrip().lower()
    return any(before.endswith(" " + w) or before == w for w in lex.non_subject_before)


def _find_mentions(text, pieces, lex, learned) -> list[_Mention]:
    out: list[_Mention] = []
    n = len(pieces)
    i = 0
    while i < n:
        p = pieces[i]
        # an abbreviation that names a whole organization (WB, CDC) or a learned one
        if p.word and _is_abbr(p.text) and (p.text in lex.abbr_units or _learned_unit(p.text, learned, lex)):
            info = lex.abbr_units.get(p.text) or _learned_unit(p.text, learned, lex)
            if not (i > 0 and pieces[i - 1].text == "(" and out and out[-1].end >= pieces[i - 1].start - 1):
                j = i + 1
                end = j
                if info.get("place_body"):
                    w = _place_at(pieces, j, lex)
                    if w and not pieces[j].newline_before:
                        end = j + w
                if end == j:
                    end = _abbr_qualifier_end(text, pieces, j, lex)
                raw = info["name"] + (" " + text[pieces[j].start:pieces[end - 1].end] if end > j else "")
                out.append(_Mention(p.start, pieces[end - 1].end, info["kind"], raw,
                                    subject=not _preceding(text, p.start, lex)))
                i = end
                continue
        head = _match_head(pieces, i, lex) if p.word else None
        if head is None and p.word and not p.cap:
            head = _lower_head_after_title(text, pieces, i, lex)
        if head is None:
            titled = _unit_in_title(text, pieces, i, lex) if p.word and p.cap else None
            if titled is not None:
                out.append(titled[0])
                i = titled[1]
                continue
            i += 1
            continue
        if p.tok_start != p.start:
            i += 1  # inside a longer word (thị trường, chiến trường)
            continue
        prev = pieces[i - 1] if i > 0 else None
        if prev is not None and prev.word and prev.cap and not prev.newline_before and not _is_abbr(prev.text) \
                and prev.end < p.start and not out_ends_at(out, prev.end) \
                and not any(text[:p.start].rstrip().endswith(t) for t in lex.official_titles) \
                and not (i < 2 or prev.newline_before or pieces[i - 2].text in ".!?:;\"“(-–,") \
                and not _after_credit(text, p.start, lex):
            # (a capitalized word that opens its sentence is just capitalized: Theo Sở …)
            i += len(head.pieces)  # inside a proper name (Bí thư Lê Trường Lưu)
            continue
        before = text[max(0, p.start - 12):p.start].rstrip().lower()
        if any(before.endswith(w) and (len(before) == len(w) or not before[-len(w) - 1].isalpha())
               and not _ends_compound(pieces, i, len(w.split()))
               for w in lex.not_unit_after):
            i += len(head.pieces)  # a street or a person (đường Trường Chinh, ông Trường)
            continue
        j = i + len(head.pieces)
        head_cap = p.cap
        if head.name_capital and j < n and not (pieces[j].cap or _is_abbr(pieces[j].text)) \
                and _place_at(pieces, j, lex) == 0:
            # "Bộ đặt mục tiêu": the head alone, a back-reference
            out.append(_Mention(p.start, pieces[j - 1].end, head.kind, "", backref=True,
                                subject=not _preceding(text, p.start, lex)))
            i = j
            continue
        if head.needs_capital or not head_cap:
            nxt = pieces[j] if j < n else None
            if nxt is None or not (nxt.cap or _is_abbr(nxt.text)) or nxt.newline_before:
                i = j
                continue
        # "Thủ tướng Chính phủ" is an office, not the Government acting
        if head.kind == "Chính phủ" and text[max(0, p.start - 10):p.start].rstrip().endswith("Thủ tướng"):
            i = j
            continue
        if head.standalone:
            # Tỉnh ủy, Chính phủ: complete names; only a place may follow (Tỉnh ủy Quảng Nam),
            # never the official's name (Bí thư Tỉnh ủy Lê Trường Lưu)
            w = _place_at(pieces, j, lex) if j < n and not pieces[j].newline_before and not head.national else 0
            if w and (_province_at(pieces, j, lex) or not pieces[j].cap):
                end, abbr, capital = j + w, None, True
            else:
                end, abbr, capital = j, None, False
        else:
            end, abbr, capital = _scan_name(pieces, j, lex, head, text) if not head.backref_only else (j, None, False)
        if not (end > j and capital) and head_cap and not head.place_body and not head.standalone \
                and not head.backref_only and not head.needs_capital and not head.name_capital:
            low_end = _lower_name_end(pieces, j, lex, head, text)
            if low_end > j:
                end, capital = low_end, True
        if end > j and capital:
            end = _until_own_short_name(text, pieces, i, end, head)
        start = p.start
        if end > j and capital and (_after_official_title(text, p.start, lex) or not head.named_after_people):
            end = _cut_person_name(pieces, j, end, lex, strict=not _after_official_title(text, p.start, lex))
        if end > j and capital:
            end = _end_of_known_name(text, pieces, i, end, lex)
        if end > j and capital and head.kind == "Báo":
            end = _end_of_media_name(text, pieces, j, end, lex)
        if end > j and capital and _generic_name(text[pieces[j].start:pieces[end - 1].end], head, lex):
            i = end  # "các trường THPT", "Công ty TNHH": a type of body, no name
            continue
        if end > j and capital:
            raw = _raw_name(text, pieces, i, end)
            raw = raw[:1].upper() + raw[1:]  # "Phó cục trưởng cục Tin học hóa": the head as a name starts
            out.append(_Mention(start, pieces[end - 1].end, head.kind, raw, abbreviation=abbr,
                                subject=not _preceding(text, start, lex)))
            i = end
            continue
        if head.standalone and head_cap:
            out.append(_Mention(start, pieces[j - 1].end, head.kind, _raw_name(text, pieces, i, j),
                                subject=not _preceding(text, start, lex)))
            i = j
            continue
        if head_cap and not head.place_body and not head.needs_capital or head.backref_only:
            # a short back-reference (Trung tâm, Chi cục, Sở): resolved later
            out.append(_Mention(start, pieces[j - 1].end, head.kind, "", backref=True,
                                subject=not _preceding(text, start, lex)))
        i = j
    # "đơn vị này" refers back to the last unit named
    for m in re.finditer(r"\b[Đđ]ơn vị (?:này|trên)\b", text):
        out.append(_Mention(m.start(), m.end(), "", "", backref=True,
                            subject=not _preceding(text, m.start(), lex)))
    out.extend(_short_refs_found(text, pieces, lex, out))
    out.sort(key=lambda m: m.start)
    return out


@lru_cache(maxsize=1)
def _short_ref_table() -> dict:
    return json.loads(_data_text("unit_short_refs.json"))


def _short_refs_found(text, pieces, lex, found) -> list[_Mention]:
    """Generic nouns that may refer back to one named organization (nhà trường, HTX, doanh nghiệp này).

    Resolved in ``_resolve`` only when exactly one organization they can mean was named before.
    """
    table = _short_ref_table()
    not_after = tuple(sorted(table["not_after"], key=len, reverse=True))
    starts = {p.start: p for p in pieces}
    taken = [(m.start, m.end) for m in found]
    out = []
    for ref in table["refs"]:
        for phrase in ref["phrases"]:
            if phrase[1:] not in text:  # every match kept below has phrase[1:] as written
                continue
            for m in _phrase_pattern(phrase).finditer(text):
                s, e = m.span()
                if m.group()[1:] != phrase[1:]:
                    continue  # only the first letter may be capitalized (sentence start)
                p = starts.get(s)
                if p is None or p.tok_start != s:
                    continue  # inside a longer word (thị trường, môi trường)
                last = next((q for q in pieces if q.start < e <= q.end), None)
                if last is None or last.tok_end > e:
                    continue  # the start of a longer word (trường hợp, công ty con is fine)
                if any(a < e and s < b for a, b in taken):
                    continue
                before = text[max(0, s - 12):s].rstrip().lower()
                if any(before.endswith(w) and (len(before) == len(w) or not before[-len(w) - 1].isalpha())
                       for w in not_after):
                    continue
                nxt = re.match(r"[ \t]+(\w)", text[e:e + 4])
                if nxt and (nxt.group(1).isupper() or nxt.group(1).isdigit()):
                    continue  # a name follows ("lực lượng CSGT Đội 6"): not a bare reference
                dets = ref.get("determiners")
                if dets:
                    after = text[e:e + 12].lstrip(" ")
                    if not any(after.startswith(d) and not after[len(d):len(d) + 1].isalpha() for d in dets):
                        continue
                out.append(_Mention(s, e, "", "", backref=True, subject=not _preceding(text, s, lex),
                                    extra={"short_ref": ref}))
                taken.append((s, e))
    return out


def _short_ref_target(ref: dict, entities: list[dict]) -> int | None:
    """The one entity named so far that a short reference can mean, else None."""
    kinds = set(ref.get("kinds", ()))
    has = ref.get("name_has", ())
    hits = [i for i, ent in enumerate(entities)
            if ent["kind"] in kinds or any(h.lower() in n.lower() for h in has for n in ent["names"])]
    return hits[0] if len(hits) == 1 else None


_LEGAL_FORMS = frozenset({"tnhh", "cp", "cổ phần", "tnhh mtv", "mtv", "trách nhiệm hữu hạn", "một thành viên",
                          "tmcp", "thương mại cổ phần", "tnhh một thành viên", "cổ phần đầu tư"})


def _generic_name(after_head: str, head: Head, lex: Lexicon) -> bool:
    """Is the "name" only the type of the body (trường THPT, trường Đại học, Công ty TNHH)?"""
    words = _norm(_expand_abbreviations(after_head, lex))
    if head.requires_next:
        types = {_norm(t) for t in head.requires_next} | {
            _norm(_expand_abbreviations(t.upper(), lex)) for t in head.requires_next}
        # "trường THPT", "trường ĐH, CĐ", "trường tiểu học và THCS": types only
        parts = [_norm(w) for w in re.split(r",|\bvà\b", _expand_abbreviations(after_head.replace(",", " , "), lex))]
        return all(p in types for p in parts if p)
    if head.kind in ("Công ty", "Tổng công ty"):
        return words in _LEGAL_FORMS
    return False


def _after_official_title(text: str, pos: int, lex: Lexicon) -> bool:
    before = text[max(0, pos - 25):pos].rstrip()
    return any(before.endswith(t) for t in lex.official_titles)


def _cut_person_name(pieces: list[Piece], j: int, end: int, lex: Lexicon, strict: bool = False) -> int:
    """'Bộ trưởng Bộ GD&ĐT Nguyễn Kim Sơn': the name ends before the official's own name.

    Without an official's title before the unit (``strict``), only a full
    person's name (surname + 2-3 syllables, each capitalized, at the end of the
    name) after at least two name syllables is cut: "Sở Xây dựng Phùng Phú Phong".
    """
    for k in range(j + 1, end - 1):
        if pieces[k].text in lex.surnames and all(q.cap and q.word for q in pieces[k:end]) and 2 <= end - k <= 4 \
                and not _province_at(pieces, k, lex) \
                and pieces[k - 1].text not in "-–&":
            after_level = pieces[k - 1].text.lower() in lex.bare_levels \
                or any(pieces[k - 1].text.lower() == lv.split()[-1] for lv in lex.levels)
            if after_level and pieces[k - 1].text.lower() != "tỉnh":
                continue  # "xã Trần Phú", "phường Phạm Ngũ Lão": places named after people; every
                          # province is known, so "tỉnh Vương Quốc Tuấn" is the official's name
            if strict and (after_level or end - k < 3 or k - j < 2 or any(_is_abbr(q.text) for q in pieces[k:end])):
                continue
            return k
    return end


def _end_of_known_name(text: str, pieces: list[Piece], i: int, end: int, lex: Lexicon) -> int:
    """A known national body (Bộ Nội vụ) ends its name unless a place or country follows.

    "Bộ Nội vụ thừa lệnh …", "Bộ LĐ-TB&XH quy định …": the lower-case word is the predicate.
    """
    known = {kn for kn, _, _ in lex.known_names}
    # a known name the scan stopped short of (Cục Quản lý Khám, chữa bệnh): completed
    for k in range(min(end + 4, len(pieces)) - 1, end - 1, -1):
        if any(q.newline_before for q in pieces[end:k + 1]):
            continue
        if pieces[k].word and _norm(_expand_abbreviations(text[pieces[i].start:pieces[k].end], lex)) in known:
            return k + 1
    best = None
    for k in range(i + 1, end - 1):
        key = _norm(_expand_abbreviations(text[pieces[i].start:pieces[k].end], lex))
        if key in known:
            best = k
    if best is None:
        return end
    whole = _norm(_expand_abbreviations(text[pieces[i].start:pieces[end - 1].end], lex))
    if any(whole == kn for kn, _, _ in lex.known_names):
        return end
    nxt = pieces[best + 1]
    if nxt.text == ",":
        return best + 1  # "Bộ Tài chính, ICISE …": a list, the known name is complete
    if nxt.text in lex.surnames and not _province_at(pieces, best + 1, lex):
        return best + 1  # "Thứ trưởng Bộ Y tế Đỗ xuân Tuyên": the official's name
    if nxt.cap or _is_abbr(nxt.text) or not nxt.word or nxt.text.lower() in ("và", "&") \
            or _place_at(pieces, best + 1, lex):
        return end
    return best + 1


def _end_of_media_name(text: str, pieces: list[Piece], j: int, end: int, lex: Lexicon) -> int:
    """"Báo Người Lao Động Bạn đọc …": a known newspaper's name ends where its title ends
    (footers run capitalized words together)."""
    best = end
    for med in lex.media:
        surf = med["surface"]
        if text.startswith(surf, pieces[j].start) or text[pieces[j].start:].lower().startswith(surf.lower() + " "):
            stop = pieces[j].start + len(surf)
            k = j
            while k < end and pieces[k].end <= stop:
                k += 1
            if k < end and k > j:
                best = k if best == end else max(best, k)
    return best


def out_ends_at(out: list, pos: int) -> bool:
    """Does a unit found so far end at ``pos`` (two units side by side)?"""
    return bool(out) and out[-1].end == pos


def _learned_unit(abbr: str, learned: dict, lex: Lexicon):
    """A learned abbreviation whose long form is itself a unit name (Ngân hàng Thế giới (WB))."""
    long = learned.get(abbr)
    if not long:
        return None
    first = long.split()[0].lower()
    for h in lex.heads_by_first.get(first, ()):
        if long.split()[: len(h.pieces)] == list(h.pieces) and len(long.split()) > len(h.pieces):
            return {"name": long, "kind": h.kind}
    return None


def _raw_name(text, pieces, i, end) -> str:
    """The name as written, without a parenthetical abbreviation inside it."""
    s = text[pieces[i].start:pieces[end - 1].end]
    s = re.sub(r"\s*\([^()]{1,20}\)\s*", " ", s)
    return re.sub(r"\s+", " ", s).strip()


_MEDIA_REPORTS = re.compile(r"\s+(?:đã\s+|từng\s+)?(?:đưa tin|phản ánh|thông tin|đăng tải|đăng tin)\b")


@lru_cache(maxsize=None)
def _phrase_pattern(phrase: str) -> re.Pattern:
    """A short reference as a whole word; its first letter in either case when written lower-case."""
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", flags=re.I if phrase[:1].islower() else 0)


@lru_cache(maxsize=None)
def _media_pattern(surface: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(surface) + r"(?!\w)")


def _find_media(text, pieces, lex, mentions) -> list[_Mention]:
    """Newspapers and stations named without a head word (PV Dân trí, '… - VnExpress')."""
    taken = [(m.start, m.end) for m in mentions]
    first_line_end = text.find("\n") if "\n" in text else len(text)
    out = []
    for med in lex.media:
        surf = med["surface"]
        if surf not in text:  # most documents name few papers: skip the others' regexes
            continue
        for m in _media_pattern(surf).finditer(text):
            s, e = m.span()
            if any(a <= s < b or a < e <= b for a, b in taken):
                continue
            before = text[max(0, s - 20):s]
            cue = (re.search(r"(?:\bPV|phóng viên|Phóng viên|[Tt]heo|[Bb]áo|\b[Vv]ới|[Ảả]nh\s*:|[Nn]guồn\s*:|\bNguồn"
                             r"|\b[Nn]hư(?: trước đó| đã)?)\s*$", before)
                   or (e == first_line_end and re.search(r"\s[-–|]\s*$", before))
                   # the paper reporting: "như Dân trí đã phản ánh", "Dân trí đưa tin"
                   or _MEDIA_REPORTS.match(text, e)
                   # a dateline: the paper's name opens the lead ("Dân trí Thanh tra Bộ …", "(Dân trí) -")
                   or (s == 0 or text[s - 1] == "\n") and re.match(r" [A-ZĐÀ-Ỹ]", text[e:e + 2])
                   or text[s - 1:s] == "(" and text.startswith(")", e) and (s < 2 or text[s - 2] == "\n"))
            if not (med["distinctive"] or cue):
                continue
            out.append(_Mention(s, e, med["kind"], med["name"], standalone_name=med["name"],
                                subject=not _preceding(text, s, lex)))
            taken.append((s, e))
    return out


def _resolve(text, mentions, lex, learned):
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
                e = _short_ref_target(m.extra["short_ref"], entities)
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
                     for l in _data_text("unit_heads.jsonl").splitlines()
                     if l.strip() and "parent_kinds" in json.loads(l)}


def _parents(text, mentions):
    """'X, đơn vị trực thuộc Sở Công Thương' / 'đơn vị trực thuộc Sở … là: X; Y' → parent."""
    for i, m in enumerate(mentions):
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        if nxt is None:
            continue
        between = text[m.end:nxt.start]
        if re.fullmatch(r"\s*,?\s*(?:là\s+)?(?:một\s+)?(?:đơn vị\s+|cơ quan\s+)?(?:trực thuộc|thuộc)\s+", between):
            m.extra["parent"] = nxt.name
        elif m.kind in _DIVISION_PARENTS and nxt.kind in _DIVISION_PARENTS[m.kind] \
                and re.fullmatch(r"\s*(?:\(|,|của|thuộc|tại)?\s*", between):
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


# ---------------------------------------------------------------- spaCy component


def _register_component() -> None:
    """``nlp.add_pipe("provnews_units")``: the units of a Doc as ``doc.spans["units"]``.

    The finder walks syllables rather than running a Matcher over tokens,
    because underthesea's words cross name boundaries ("Khoa học và" is one
    word to it); the spans are aligned to the Doc's tokens afterwards
    (expanded to whole tokens), each labelled with its kind, and the Unit
    objects themselves are kept in ``doc.user_data["units"]``.
    """
    from spacy.language import Language

    if "provnews_units" in Language.factories:
        return

    @Language.component("provnews_units")
    def units_component(doc):
        found = find_units(doc.text, doc)
        spans = []
        for u in found:
            span = doc.char_span(u.start, u.end, label=u.kind or "UNIT", alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans["units"] = spans
        doc.user_data["units"] = found
        return doc


_register_component()
