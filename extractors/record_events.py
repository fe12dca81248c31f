"""What in a sentence sets the current subject of the attribution walk (``records.py``).

    find_events(text, s, e, units, officials) -> [_Event]   units in subject position, officials,
                                                           places acting as agents, private people …
    apply_event(ev, current, current_para, para)          the subject after an event
    clause_start(text, s, pos)                            where the clause of a position starts

Also the sentence that opens in another country (``elsewhere_event``) and a
kind word alone as a subject (``kind_backrefs``).
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from .mentions import Unit
from .record_cues import LOWER, NOT_SUBJECT_KINDS, alt_pattern, cue_words, finditer_from, patterns, trie_pattern
from .record_speakers import lookup_official, official_tail_unit, person_name


@dataclass
class _Event:
    pos: int
    unit: str | None
    soft: bool = False       # people nouns: only end a subject from an earlier paragraph
    whole_sentence: bool = False
    location: str | None = None


def mid_sentence(text: str, pos: int) -> bool:
    """Is ``pos`` inside a sentence: after a word, a comma or an opening bracket (not after a stop, colon, quote or dash)?"""
    k = pos - 1
    while k >= 0 and text[k] in " \t":
        k -= 1
    return k >= 0 and (text[k].isalnum() or text[k] in ",%(")


def apply_event(ev: _Event, current, current_para, para):
    if ev.soft:
        if current is not None and current_para != para:
            return None, para
        return current, current_para
    return ev.unit, para


def paragraph_index(text: str):
    starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def para_of(pos: int) -> int:
        return bisect_right(starts, pos) - 1
    return para_of


CLAUSE_COLON = re.compile(r":(?!\d)")
_SPEECH_COMMA = re.compile(r"(?:cho biết|cho hay|nêu rõ|thông tin)\s*,")


def clause_start(text: str, s: int, pos: int) -> int:
    paren = text.rfind("(", s, pos)
    if paren >= 0 and text.find(")", paren, pos) >= 0:
        paren = -1  # a closed bracket before the position does not open its clause
    # the last colon CLAUSE_COLON finds before pos (not before a digit; pos ends the text it reads)
    colon = text.rfind(":", s, pos)
    while colon >= 0 and colon + 1 < pos and text[colon + 1].isdecimal():
        colon = text.rfind(":", s, colon)
    cut = max(text.rfind(";", s, pos), colon, paren)
    m = None
    if text.find(",", s, pos) >= 0:  # (every "cho biết ," holds its comma)
        for m in _SPEECH_COMMA.finditer(text, s, pos):
            pass
    if m is not None:
        cut = max(cut, m.end() - 1)
    return s if cut < 0 else cut + 1


def strip_adverbials(prefix: str) -> str:
    pat = patterns()["adverbial"]
    prev = None
    prefix = prefix.lstrip(" ,\"“”'")
    while prev != prefix:
        prev = prefix
        prefix = pat.sub("", prefix, count=1).lstrip()
    return prefix


_THEO_LA_END = re.compile(r"(?:^|\s)(?:theo|là)$")
_CLAUSE_MARK = re.compile(r"[.;:,]\s*")


def _clause_openings(text: str, s: int, e: int):
    """Where a clause of text[s:e] may open: after the white space at the sentence start and after
    each . ; : , (the ends of ``(?:^|(?<=[.;:,]))\\s*`` over the sentence, found from the marks)."""
    sentence = text[s:e]
    yield s + len(sentence) - len(sentence.lstrip())
    for m in _CLAUSE_MARK.finditer(text, s, e):
        yield m.end()
# a verb (after an auxiliary) right after a place: the place acts
_VERB_AFTER = re.compile(rf"\s+(?!và\b)(?:đã\s+|vừa\s+|sẽ\s+|đang\s+)?{LOWER}")
_COUNT_WORD = re.compile(r"(?:tổng\s+)?số(?:\s+lượng)?\s", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_DIGIT_END = re.compile(r"\d\s*$")


@lru_cache(maxsize=1)
def _address_end() -> re.Pattern:
    """A place of an address ending the text before a clause (``xã Đạo Lý,``)."""
    return re.compile(rf"(?:{alt_pattern(cue_words()['levels'])})\s+[A-ZĐÀ-Ỹ][\w.]*(?:\s+[A-ZĐÀ-Ỹ][\w.]*)*\s*,\s*$",
                      re.IGNORECASE)


@lru_cache(maxsize=1)
def _opening_cue() -> re.Pattern:
    """Does a clause open with a named document, a place (with or without its name) or people
    (``find_events``' four tests at a clause opening)?  One match instead of four where none does."""
    pats = patterns()
    return re.compile("|".join(
        ("(?i:%s)" if pats[k].flags & re.IGNORECASE else "(?:%s)") % pats[k].pattern
        for k in ("named_document", "place_agent", "bare_place_agent", "people")))


def find_events(text: str, s: int, e: int, units: list[Unit], officials=()) -> list[_Event]:
    """Who takes the subject where, in one sentence."""
    pats = patterns()
    events: list[_Event] = []
    sent_units = [u for u in units if s <= u.start < e]
    official_units: set[int] = set()
    # a media credit ("Ảnh: Ban Quản lý dự án …", "Đồ hoạ: Khánh Hoàng") closes a section of a
    # flattened article: the organization it names is no subject, and what follows starts afresh
    # (every credit holds a colon: most sentences have none to scan for)
    credits = list(pats["credit"].finditer(text, s, e)) if text.find(":", s, e) >= 0 else []
    credit_units = {u.start for u in sent_units if any(m.end() == u.start for m in credits)}
    credit_ends = [u.end for u in sent_units if u.start in credit_units]
    for m in credits:
        events.append(_Event(m.start(), None))

    def after_credit(cs: int, pos: int) -> int:
        return max([cs] + [ce for ce in credit_ends if ce <= pos])

    def opens_clause(prefix: str, known_official: bool) -> bool:
        # the person is the clause's subject: nothing before it but adverbials or a
        # source lead ("Theo …", "Cũng theo …"); an official may also follow a
        # participial lead ("Trao đổi với PV, bà …, Phó Giám đốc Sở …, cho biết")
        if not prefix or pats["source_lead"].match(prefix) or prefix.endswith(("là", "theo")) \
                or _THEO_LA_END.search(prefix):
            return True
        return known_official and prefix.endswith(",")

    # named people, and officials of an organization
    for m in finditer_from(pats["person"], pats["person_start"], text, s, e):
        cs = after_credit(clause_start(text, s, m.start()), m.start())
        prefix = strip_adverbials(text[cs:m.start()]).strip().lower()
        if m.start() > 0 and text[m.start() - 1].isalpha():
            prefix = ""  # glued to a photo caption: "Ảnh: Trần ThanhÔng Lâm …" starts anew
        unit, known = None, False
        got = official_tail_unit(text, m.end(), sent_units)
        if got is not None:
            official_units.add(got[0].start)
            unit, known = (None if got[1] else got[0].name), True
        else:
            known, unit = lookup_official(officials, person_name(m.group()), m.start())
        if not opens_clause(prefix, known and unit is not None):
            continue
        whole = bool(pats["speech_after"].match(text[m.end():e])) and m.start() > s + 20
        events.append(_Event(m.start(), unit, whole_sentence=whole and unit is not None))
    # an official named by title and name only ("Thứ trưởng Nguyễn Huy Dũng cho biết")
    for m in finditer_from(pats["titled_name"], pats["titled_name_start"], text, s, e):
        if any(u.start <= m.start(1) < u.end for u in sent_units) or any(ev.pos <= m.start() < ev.pos + 40 for ev in events):
            continue
        known, unit = lookup_official(officials, m.group(1), m.start())
        if not known:
            continue
        cs = clause_start(text, s, m.start())
        prefix = strip_adverbials(text[cs:m.start()]).strip().lower()
        if not opens_clause(prefix, unit is not None):
            continue
        whole = bool(pats["speech_after"].match(text[m.end():e])) and m.start() > s + 20
        events.append(_Event(m.start(), unit, whole_sentence=whole and unit is not None))
    for u in sent_units:
        if u.start in official_units or u.kind in NOT_SUBJECT_KINDS or u.start in credit_units:
            continue
        cs = after_credit(clause_start(text, s, u.start), u.start)
        raw_prefix = text[cs:u.start]
        prefix = strip_adverbials(raw_prefix).strip().lower()
        titled = pats["title_end"].search(prefix)
        if titled:
            # an official named by office ("Thứ trưởng Bộ TT&TT Nguyễn Huy Dũng cho biết"):
            # the office's organization, after any participial lead ("Phát biểu tại …,")
            prefix = prefix[:titled.start()].strip()
            if prefix.endswith(","):
                prefix = ""
        subject = (not prefix or pats["source_lead"].match(prefix) is not None
                   or pats["source_end"].search(prefix) is not None)
        if subject and prefix == "" and raw_prefix.strip() == "" and cs > s:
            # after ';' or ':' a unit opens a new clause only when a verb follows
            subject = True
        if not subject:
            continue
        whole = bool(pats["speech_after"].match(text[u.end:e])) and u.start > s + 20
        events.append(_Event(u.start, u.name, whole_sentence=whole))
    # places acting as agents; private people as a clause subject
    for pos in _clause_openings(text, s, e):
        if pos >= e:
            continue
        # a clause opens here after a comma, or where clause_start says one does (the comma is
        # read first, without copying the sentence: most openings follow one)
        k = pos
        while k > s and text[k - 1].isspace():
            k -= 1
        if not (k > s and text[k - 1] == ",") and clause_start(text, s, pos) != pos:
            continue  # (tested first: it needs no stripping of adverbials)
        rest = strip_adverbials(text[pos:e])
        start = e - len(rest)
        if any(ev.pos == start for ev in events) or any(u.start == start for u in sent_units):
            continue
        if _opening_cue().match(rest) is None:
            continue  # none of the four patterns below opens the clause (most clauses): nothing to add
        if pats["named_document"].match(rest) and not any(ev.pos >= start and ev.pos < start + 40 for ev in events) \
                and not any(start < u.start < start + 12 for u in sent_units):
            # "Theo Tiêu chuẩn thiết kế …," / "Theo Nghị định …,": a named document, not
            # an organization, is the source; the figures are nobody's report
            events.append(_Event(start, None))
            continue
        pm = pats["place_agent"].match(rest)
        if pm and _address_end().search(text[max(s, pos - 60):pos]):
            pm = None  # one more place of an address (xã Đạo Lý, huyện Lý Nhân), not an agent
        if pm and not any(u.start <= start < u.end for u in sent_units):
            after = rest[pm.end():pm.end() + 30]
            if _VERB_AFTER.match(after):
                events.append(_Event(start, None, location=pm.group().strip()))
                continue
        bare = pats["bare_place_agent"].match(rest)
        if bare and not any(u.start <= start < u.end for u in sent_units) \
                and not any(ev.unit is not None and ev.pos < start for ev in events):
            # the province or city named by its level alone ("thành phố đang quản lý
            # 17 trường hợp", "TP cũng đã tiếp nhận", "tỉnh đã triển khai"): a place acting
            # as an agent, whatever unit held the subject in earlier sentences; not when
            # the sentence itself names its source ("Cũng theo Phó Chủ tịch UBND …, tỉnh sẽ …")
            events.append(_Event(start, None))
            continue
        pp = pats["people"].match(rest)
        if pp and (_COUNT_WORD.match(pp.group())
                   or _counted(text, start + pp.start())):
            pp = None
        if pp:
            events.append(_Event(start, None, soft=True))
    # private people as the subject of a verb anywhere in the sentence (người dân bán …)
    for m in pats["people_subject"].finditer(text, s, e):
        nxt = _WORD.match(text[m.end():m.end() + 12])
        if nxt and nxt.group().lower() in _NOT_A_PREDICATE:
            continue  # "cho 18 hộ dân tại huyện …": the people are an object or a place's
        if _DIGIT_END.search(text[max(s, m.start() - 4):m.start()]):
            continue  # counted people ("18 hộ dân") are a figure, not the speaker
        if _counted(text, m.start()):
            continue  # "số học sinh …", "tổng số hộ dân …": the people are what is counted
        if not any(ev.pos == m.start() for ev in events) and not _preceding_prep(text, m.start()):
            events.append(_Event(m.start(), None, soft=True))
    events.sort(key=lambda ev: ev.pos)
    return events


@lru_cache(maxsize=1)
def _elsewhere_pattern():
    c = cue_words()
    places = [p for p in c["countries"] + c["regions"] if p.lower() not in ("việt nam", "quốc tế")]
    return re.compile(
        rf"\W*(?:(?:{trie_pattern(c['elsewhere_leads'], ignore_case=True)})\s*,?\s*)?(?:tại|ở)\s+(?:khu vực\s+|nước\s+)?"
        rf"({trie_pattern(places, ignore_case=True)})(?!\w)", re.IGNORECASE)


def elsewhere_event(text: str, s: int, e: int) -> _Event | None:
    """A sentence that opens in another country or region starts another story.

    ``Ví dụ tại Ấn Độ, trong 24 giờ qua đã phát hiện thêm 340.000 ca``, ``Ở miền Tây,
    riêng hai dự án … cần khoảng 40 triệu m3 cát``: the ministry whose report the
    paragraph carried did not count these; the subject ends there (a unit named in
    the sentence still takes it) and the place is the record's location.  Places
    inside one province (``Tại xã Thạnh An, …``) continue the report.
    """
    m = _elsewhere_pattern().match(text, s, e)
    if m is None:
        return None
    return _Event(s, None, location=m.group(1))


@lru_cache(maxsize=1)
def _bare_kind_words() -> tuple[frozenset, frozenset]:
    """The kind words that may stand alone as a subject (lower case), and the words that may open their clause."""
    c = cue_words()
    return frozenset(k.lower() for k in c["bare_kind_subjects"]), frozenset(c["bare_kind_openers"])


# (tokens, indices) of the last document: kind_backrefs runs once per sentence over the same tokens
_last_kind_tokens: list = [None, []]


def _kind_tokens(toks, kinds) -> list[int]:
    """Indices of the nouns among ``toks`` that are kind words: found once per document, not per sentence."""
    if _last_kind_tokens[0] is not toks:  # (kept alive here, so another list never has its id)
        _last_kind_tokens[:] = [toks, [k for k, t in enumerate(toks) if t[2].startswith("N") and t[3].lower() in kinds]]
    return _last_kind_tokens[1]


def kind_backrefs(text, s, e, units, toks, tok_starts) -> list[_Event]:
    """A kind word alone as a clause subject refers back to the one unit of that kind.

    ``Năm 2018, trường tiếp tục tuyển thêm 342 sinh viên`` after ``Trường ĐH Kinh
    doanh và Công nghệ Hà Nội`` was named: the school did it, not the inspectorate
    whose report the paragraph carries.  Only in subject position (the clause start
    after adverbials, or after ``khi``/``nhưng``/``còn`` …), only before a verb (so
    not ``trường hợp``, ``trung tâm thành phố``), and only when exactly one
    organization of that kind was named before: otherwise the reader cannot tell.
    """
    kinds, openers = _bare_kind_words()
    out = []
    cands = _kind_tokens(toks, kinds)
    c = bisect_left(cands, bisect_right(tok_starts, s - 1))
    while c < len(cands) and toks[cands[c]][0] < e:
        k = cands[c] + 1  # (the token after it, as below)
        c += 1
        a, b, tag, word = toks[k - 1]
        low = word.lower()
        cs = clause_start(text, s, a)
        prefix = strip_adverbials(text[cs:a]).strip().lower()
        if prefix and prefix.split()[-1] not in openers:
            continue
        # a verb next, or after one adverb or manner word (trường không được …, trường tự ý tổ chức …)
        nxt = toks[k:k + 2]
        if not nxt or not (nxt[0][2].startswith("V") or (
                nxt[0][2][:1] in "RA" and len(nxt) > 1 and nxt[1][2].startswith("V"))):
            continue
        named = {u.name for u in units if u.end <= a and (u.kind or "").lower() == low}
        if len(named) == 1:
            out.append(_Event(a, named.pop()))
    return out


_COUNT_END = re.compile(r"(?:^|\s)(?:tổng\s+)?số(?:\s+lượng)?\s*$", re.IGNORECASE)
_PREP_END = re.compile(r"(?:^|\s)(?:cho|của|với|giúp|để|từ|tại|và|các|những)$")


def _counted(text: str, pos: int) -> bool:
    """People nouns after "số", "tổng số", "số lượng": what a figure counts, not an agent."""
    return bool(_COUNT_END.search(text[max(0, pos - 16):pos]))


_NOT_A_PREDICATE = frozenset("tại ở trên trong của với cho về từ đến theo và hoặc là thuộc".split())


def _preceding_prep(text: str, pos: int) -> bool:
    before = text[max(0, pos - 12):pos].rstrip().lower()
    return bool(_PREP_END.search(before))
