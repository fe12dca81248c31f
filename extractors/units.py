"""Organizational units ("đơn vị"): head + name, abbreviations, back-references.

    find_units(text, doc) -> list[Unit]   one Unit per mention, in text order

Vietnamese organization names are a head word followed by a name
(``Sở`` + ``Khoa học và Công nghệ`` + ``tỉnh Cao Bằng``).  The heads, the
standard abbreviations, media names, places and cue words are data files in
``extractors/data/`` (``unit_heads.jsonl``, ``abbreviations.json``,
``unit_media.jsonl``, ``places.json``, ``unit_not_heads.txt``,
``unit_discourse.json``, ``unit_names.jsonl`` — national bodies whose names are
a closed list, so that they end a name and give one canonical spelling —, and
``unit_name_verbs.txt`` — verbs that are ordinary words inside a name).

One job per module:

- ``unit_lexicon.py``: the data files read once into a ``Lexicon``;
- ``unit_pieces.py``: the text as syllable pieces with their tokens' tags;
- ``unit_extent.py``: from a head word, where the name ends;
- ``units.py`` (this module): where the mentions are (heads, abbreviations,
  titles, media names, short references);
- ``unit_entities.py``: mentions grouped into organizations, back-references
  resolved, parents;
- ``unit_names.py``: how a name is written;
- ``unit_choice.py``: the learned decision on top (applied with the other models,
  never in ``--rules-only``): which name each organization is listed under.

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
from bisect import bisect_left
from functools import lru_cache

from .mentions import Unit
from .unit_foreign import foreign_names
from .unit_entities import UnitMention, complete_short_names, find_parents, resolve_entities
from .unit_extent import (abbr_qualifier_end, after_official_title, country_at, cut_person_name, end_of_known_name,
                          end_of_media_name, generic_name, lower_head_after_title, lower_name_end, match_head,
                          ends_number_name, place_at, province_at, scan_name, until_own_short_name)
from .unit_lexicon import Lexicon, data_text, ending_at, lexicon, norm, occurring
from .unit_pieces import NUMBER_LABEL, Piece, initials_match, is_abbr, raw_name, split_pieces, whole_word


def _unit_in_title(text: str, pieces: list[Piece], i: int, lex: Lexicon):
    """"Tổng cục phó Địa chất và Khoáng sản", "Cục trưởng Hàng không": an official's title
    made of the head + trưởng/phó, with the body's name right after it (not a repeated head,
    not the official's own name). Returns (mention, next index) or None."""
    n = len(pieces)
    for h in lex.heads_by_first.get(pieces[i].low, ()):
        m = i + len(h.pieces)
        if not (h.name_capital or h.division) or m + 1 >= n or pieces[i].text != h.pieces[0] \
                or any(pieces[i + k].low != h.pieces[k].lower() for k in range(len(h.pieces))) \
                or pieces[m].text not in ("trưởng", "phó"):
            continue
        q = pieces[m + 1]
        if q.newline_before or not (q.cap and q.word) or q.text in lex.surnames \
                or match_head(pieces, m + 1, lex) is not None or place_at(pieces, m + 1, lex):
            return None
        end, abbr, capital = scan_name(pieces, m + 1, lex, h, text)
        if end > m + 1 and capital:  # "Bộ trưởng Y tế Nguyễn Thanh Long": the official's name
            end = cut_person_name(pieces, m, end, lex)
        if end <= m + 1 or not capital:
            return None
        if end == m + 2 and not is_abbr(pieces[m + 1].text):
            return None  # "Bộ trưởng Long chia sẻ", "Bộ trưởng Thể": one syllable is the official's given name
        raw = " ".join(h.pieces) + " " + raw_name(text, pieces, m + 1, end)
        return UnitMention(pieces[i].start, pieces[end - 1].end, h.kind, raw, abbreviation=abbr,
                        subject=not _preceding(text, pieces[i].start, lex)), end
    return None


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


def find_units(text: str, doc=None) -> list[Unit]:
    """Every organization mention in ``text``, in text order, with canonical names.

    >>> [u.name for u in find_units("UBND tỉnh Cao Bằng đã giao Sở KH&CN chủ trì.")]
    ['Ủy ban nhân dân tỉnh Cao Bằng', 'Sở Khoa học và Công nghệ']
    """
    if doc is None:
        from .segment import make_doc
        doc = make_doc(text)
    lex = lexicon()
    pieces = split_pieces(text, doc)
    learned = _learn_abbreviations(text, pieces, lex)
    _last_walk[:] = [text, pieces, learned]
    mentions = _find_mentions(text, pieces, lex, learned)
    mentions.extend(_find_media(text, pieces, lex, mentions))
    mentions.extend(_source_line(text, lex, mentions))
    mentions.extend(_ministry_list(text, lex, mentions))
    mentions.extend(foreign_names(text, lex, mentions, learned))
    mentions.sort(key=lambda m: m.start)
    complete_short_names(text, mentions, lex)
    resolve_entities(text, mentions, lex, learned)
    find_parents(text, mentions)
    return [Unit(text=text[m.start:m.end], start=m.start, end=m.end, name=m.name,
                 abbreviation=m.abbreviation, kind=m.kind, parent=m.extra.get("parent"))
            for m in mentions if m.name]


# The last text find_units walked, its pieces and the abbreviations it defines: the learned
# decision on names (unit_choice) runs right after the rules on the same text and reads them
# here instead of splitting the text again (a third of its cost).
_last_walk: list = [None, None, None]


def walk_of(text: str, tokens) -> tuple[list[Piece], dict]:
    """(pieces, abbreviations defined) of ``text``: those find_units made if it walked this text last."""
    last_text, pieces, learned = _last_walk
    if last_text is text or last_text == text:
        return pieces, learned
    from .segment import TokenDoc

    pieces = split_pieces(text, TokenDoc(text, list(tokens)))
    return pieces, _learn_abbreviations(text, pieces, lexicon())


def _learn_abbreviations(text: str, pieces: list[Piece], lex: Lexicon) -> dict:
    """'Long form (ABBR)' definitions in this document: ABBR → long form."""
    learned: dict[str, str] = {}
    for i, p in enumerate(pieces):
        if p.text != "(" or i + 2 >= len(pieces) or pieces[i + 2].text != ")":
            continue
        abbr = pieces[i + 1].text
        if not is_abbr(abbr):
            continue
        letters = sum(c.isalpha() for c in abbr)
        # the shortest run of preceding syllables whose initials spell it
        for size in range(letters, min(letters + 4, i) + 1):
            words = [q for q in pieces[i - size:i] if q.word]
            if any(q.newline_before for q in pieces[i - size + 1:i]):
                break
            if len(words) < letters:
                continue
            if initials_match([q.text for q in words], abbr):
                long = text[pieces[i - size].start:pieces[i - 1].end]
                if abbr not in learned:
                    learned[abbr] = long
                break
    return learned


def _preceding(text: str, start: int, lex: Lexicon) -> bool:
    """Is the unit at ``start`` in an object / place position (after tại, từ, của, …)?"""
    before = text[max(0, start - 25):start].rstrip().lower()
    return any(before.endswith(" " + w) or before == w
               for w in ending_at(lex.non_subject_before, before, len(before)))


def _title_ends_before(text: str, pos: int, lex: Lexicon) -> bool:
    """Does an official's title end text[:pos] (white space after it aside)?

    ``text[:pos].rstrip().endswith(title)``, read in place: slicing the text up to
    each candidate copies the whole document every time."""
    k = pos
    while k > 0 and text[k - 1].isspace():  # what rstrip() drops
        k -= 1
    return any(text.endswith(t, 0, k) for t in ending_at(lex.official_titles, text, k))


def _find_mentions(text, pieces, lex, learned) -> list[UnitMention]:
    out: list[UnitMention] = []
    n = len(pieces)
    heads, abbr_units = lex.heads_by_first, lex.abbr_units
    i = 0
    while i < n:
        p = pieces[i]
        # Most pieces open nothing: skip them with the dictionary look-ups every branch
        # below starts with (an abbreviation, a head word, a lower-case head before a
        # capital, a head + trưởng/phó) instead of calling each finder on them.
        if not p.word or (p.low not in heads and p.text not in abbr_units and p.text not in learned
                          and (p.cap or i + 1 >= n or not pieces[i + 1].cap)):
            i += 1
            continue
        # an abbreviation that names a whole organization (WB, CDC) or a learned one
        # the dictionary look-ups first: few pieces are known abbreviations, the pattern is dearer
        if p.word and (p.text in lex.abbr_units or p.text in learned and _learned_unit(p.text, learned, lex)) \
                and is_abbr(p.text):
            info = lex.abbr_units.get(p.text) or _learned_unit(p.text, learned, lex)
            if not (i > 0 and pieces[i - 1].text == "(" and out and out[-1].end >= pieces[i - 1].start - 1):
                j = i + 1
                end = j
                if info.get("place_body"):
                    w = place_at(pieces, j, lex)
                    if w and not pieces[j].newline_before:
                        end = j + w
                if end == j:
                    end = abbr_qualifier_end(text, pieces, j, lex)
                raw = info["name"] + (" " + text[pieces[j].start:pieces[end - 1].end] if end > j else "")
                out.append(UnitMention(p.start, pieces[end - 1].end, info["kind"], raw,
                                    subject=not _preceding(text, p.start, lex)))
                i = end
                continue
        head = match_head(pieces, i, lex) if p.word else None
        if head is None and p.word and not p.cap:
            head = lower_head_after_title(text, pieces, i, lex)
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
        if prev is not None and prev.word and prev.cap and not prev.newline_before and not is_abbr(prev.text) \
                and prev.end < p.start and not out_ends_at(out, prev.end) \
                and not _title_ends_before(text, p.start, lex) \
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
        if head.name_capital and j < n and not (pieces[j].cap or is_abbr(pieces[j].text)) \
                and place_at(pieces, j, lex) == 0:
            # "Bộ đặt mục tiêu": the head alone, a back-reference
            out.append(UnitMention(p.start, pieces[j - 1].end, head.kind, "", backref=True,
                                subject=not _preceding(text, p.start, lex)))
            i = j
            continue
        if head.number_name and head_cap and j < n and not pieces[j].newline_before \
                and NUMBER_LABEL.fullmatch(pieces[j].text) \
                and (ends_number_name(pieces, j) or j + 1 < n and pieces[j + 1].word and pieces[j + 1].cap):
            # a body named by its number: Quân khu 5, Trung đoàn 94, Bệnh viện 199
            out.append(UnitMention(p.start, pieces[j].end, head.kind, raw_name(text, pieces, i, j + 1),
                                   subject=not _preceding(text, p.start, lex)))
            i = j + 1
            continue
        if head.needs_capital or not head_cap:
            nxt = pieces[j] if j < n else None
            if nxt is None or not (nxt.cap or is_abbr(nxt.text)) or nxt.newline_before:
                i = j
                continue
        if head.standalone:
            # Tỉnh ủy, Chính phủ: complete names; only a place may follow (Tỉnh ủy Quảng Nam),
            # never the official's name (Bí thư Tỉnh ủy Lê Trường Lưu)
            w = place_at(pieces, j, lex) if j < n and not pieces[j].newline_before and not head.national else 0
            if head.national and (c := country_at(text, pieces, j, lex)):
                end, abbr, capital = j + c, None, True  # Chính phủ Mỹ: another country's body
            elif w and (province_at(pieces, j, lex) or not pieces[j].cap):
                end, abbr, capital = j + w, None, True
            else:
                end, abbr, capital = j, None, False
        else:
            end, abbr, capital = scan_name(pieces, j, lex, head, text) if not head.backref_only else (j, None, False)
        if not (end > j and capital) and head_cap and not head.place_body and not head.standalone \
                and not head.backref_only and not head.needs_capital and not head.name_capital:
            low_end = lower_name_end(pieces, j, lex, head, text)
            if low_end > j:
                end, capital = low_end, True
        if end > j and capital:
            end = until_own_short_name(text, pieces, i, end, head)
        start = p.start
        if end > j and capital and (after_official_title(text, p.start, lex) or not head.named_after_people):
            end = cut_person_name(pieces, j, end, lex, strict=not after_official_title(text, p.start, lex))
        if end > j and capital:
            end = end_of_known_name(text, pieces, i, end, lex)
        if end > j and capital and head.kind == "Báo":
            end = end_of_media_name(text, pieces, j, end, lex)
        if end > j and capital and head.not_place_alone and (
                place_at(pieces, j, lex) >= end - j
                or not head_cap and end - j <= 3 and all(q.cap and not is_abbr(q.text) for q in pieces[j:end] if q.word)):
            # "trung tâm Hà Nội", "Trung tâm TP HCM", "trung tâm Amsterdam": the centre of a place, not a
            # body (a centre written lower-case is one only with the field it serves: trung tâm y tế …)
            i = end
            continue
        if end > j and capital and generic_name(text[pieces[j].start:pieces[end - 1].end], head, lex):
            i = end  # "các trường THPT", "Công ty TNHH": a type of body, no name
            continue
        if end > j and capital:
            raw = raw_name(text, pieces, i, end)
            raw = raw[:1].upper() + raw[1:]  # "Phó cục trưởng cục Tin học hóa": the head as a name starts
            out.append(UnitMention(start, pieces[end - 1].end, head.kind, raw, abbreviation=abbr,
                                subject=not _preceding(text, start, lex)))
            i = end
            continue
        if head.standalone and head_cap:
            out.append(UnitMention(start, pieces[j - 1].end, head.kind, raw_name(text, pieces, i, j),
                                subject=not _preceding(text, start, lex)))
            i = j
            continue
        if head_cap and not head.place_body and not head.needs_capital or head.backref_only:
            # a short back-reference (Trung tâm, Chi cục, Sở): resolved later
            out.append(UnitMention(start, pieces[j - 1].end, head.kind, "", backref=True,
                                subject=not _preceding(text, start, lex)))
        i = j
    # "đơn vị này" refers back to the last unit named
    for m in re.finditer(r"\b[Đđ]ơn vị (?:này|trên)\b", text):
        out.append(UnitMention(m.start(), m.end(), "", "", backref=True,
                            subject=not _preceding(text, m.start(), lex)))
    out.extend(_short_refs_found(text, pieces, lex, out))
    out.sort(key=lambda m: m.start)
    return out


@lru_cache(maxsize=1)
def _short_ref_table() -> dict:
    return json.loads(data_text("unit_short_refs.json"))


def _short_refs_found(text, pieces, lex, found) -> list[UnitMention]:
    """Generic nouns that may refer back to one named organization (nhà trường, HTX, doanh nghiệp này).

    Resolved in ``resolve_entities`` only when exactly one organization they can mean was named before.
    """
    table = _short_ref_table()
    not_after = tuple(sorted(table["not_after"], key=len, reverse=True))
    starts: dict[int, Piece] = {}
    piece_starts: list[int] = []
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
                if not piece_starts:  # (made at the first match: most documents have none)
                    starts.update((p.start, p) for p in pieces)
                    piece_starts.extend(p.start for p in pieces)
                p = starts.get(s)
                if p is None or p.tok_start != s:
                    continue  # inside a longer word (thị trường, môi trường)
                # (pieces do not overlap: only the last one starting before e can reach it)
                k = bisect_left(piece_starts, e) - 1
                last = pieces[k] if k >= 0 and e <= pieces[k].end else None
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
                out.append(UnitMention(s, e, "", "", backref=True, subject=not _preceding(text, s, lex),
                                    extra={"short_ref": ref}))
                taken.append((s, e))
    return out


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


_MEDIA_REPORTS = re.compile(r"\s+(?:đã\s+|từng\s+)?(?:đưa tin|phản ánh|thông tin|đăng tải|đăng tin)\b")


@lru_cache(maxsize=None)
def _phrase_pattern(phrase: str) -> re.Pattern:
    """A short reference as a whole word; its first letter in either case when written lower-case."""
    return re.compile(whole_word(phrase), flags=re.I if phrase[:1].islower() else 0)


@lru_cache(maxsize=None)
def _media_pattern(surface: str) -> re.Pattern:
    return re.compile(whole_word(surface))


def _find_media(text, pieces, lex, mentions) -> list[UnitMention]:
    """Newspapers and stations named without a head word (PV Dân trí, '… - VnExpress')."""
    taken = [(m.start, m.end) for m in mentions]
    first_line_end = text.find("\n") if "\n" in text else len(text)
    out = []
    named = occurring(text, lex.media_surfaces)
    for med in lex.media:
        surf = med["surface"]
        if surf not in named:  # most documents name few papers: skip the others' regexes
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
            out.append(UnitMention(s, e, med["kind"], med["name"], standalone_name=med["name"],
                                subject=not _preceding(text, s, lex)))
            taken.append((s, e))
    return out


_MINISTRY_LIST = re.compile(r"(?<= )[Bb]ộ\s*:?\s*(?=[A-ZĐ])")  # after one of _LIST_OPENERS
_LIST_OPENERS = re.compile(r"(?<!\w)(?:[Cc]ác|[Ll]iên|[Hh]ai|[Bb]a|[Bb]ốn|[Nn]hiều) $")
_LIST_WORD = re.compile(r"[^\s,;:.()\-–]+")
_LIST_SEP = re.compile(r"\s*(?:\([^()\n]{0,30}\)\s*)?(?:,|và|-|–)\s*")


@lru_cache(maxsize=1)
def _ministries() -> dict[str, str]:
    """Each ministry's name without "Bộ" (its written variants, as ``norm`` keys) → its name."""
    return {v[3:]: name for v, name, _ in lexicon().known_names if name.startswith("Bộ ") and v.startswith("bộ ")}


def _ministry_list(text, lex, mentions) -> list[UnitMention]:
    """"Các Bộ: Kế hoạch và Đầu tư, Tài nguyên và Môi trường, Xây dựng": one head, several ministries,
    each a unit when its name is a known ministry's."""
    out: list[UnitMention] = []
    known = _ministries()
    most = max((len(k.split()) for k in known), default=0)
    for lm in _MINISTRY_LIST.finditer(text):
        if not _LIST_OPENERS.search(text, max(0, lm.start() - 6), lm.start()):
            continue
        pos = lm.end()
        while True:
            words, best = [], None
            for w in _LIST_WORD.finditer(text, pos):
                gap = text[words[-1].end():w.start()] if words else ""
                if len(words) >= most + 2 or words and not gap.isspace() and not re.fullmatch(r"\s*[-–&]\s*", gap):
                    break
                words.append(w)
                name = known.get(norm(text[pos:w.end()]))
                if name is not None:
                    best = (w.end(), name)
            if best is None:
                break
            end, name = best
            if not any(u.start < end and pos < u.end for u in mentions):
                out.append(UnitMention(pos, end, "Bộ", "Bộ " + text[pos:end], standalone_name=name,
                                       subject=not _preceding(text, pos, lex)))
            sep = _LIST_SEP.match(text, end)
            if sep is None or not text[sep.end():sep.end() + 1].isupper():
                break
            pos = sep.end()
    return out


_SOURCE_LINE = re.compile(r"^Source:[ \t]*(\S[^\n]*?)[ \t]*$", re.MULTILINE)


def _source_line(text, lex, mentions) -> list[UnitMention]:
    """The paper a crawled page names in its header (``Source: Vietnam.vn``): a unit, named as written
    (or by its usual name when it is a known paper), whether or not a head word opens it."""
    m = _SOURCE_LINE.search(text, 0, 2000)
    if m is None or "http" in m.group(1) or len(m.group(1).split()) > 8:
        return []
    s, e = m.span(1)
    if any(u.start < e and s < u.end for u in mentions):
        return []  # already found (Báo Quảng Ninh, VnExpress)
    surface = m.group(1)
    known = next((med for med in lex.media if med["surface"] == surface), None)
    name = known["name"] if known else surface
    return [UnitMention(s, e, known["kind"] if known else "Báo", name, standalone_name=name, subject=False)]


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
