"""Records: attribute each quantity to a unit, an activity, a period and a place.

    attribute(text, doc, units, quantities, period) -> list[Record]

Attribution follows the discourse as a reader does (spec sections 4 and 6).
Walking the text in order, a *current subject* is kept:

- a unit in subject position takes it: at the start of a clause, after
  adverbials (``Trong tháng, Chi cục QLTT đã …``), or named as the source
  (``Theo báo cáo của Sở …,``, ``lãnh đạo Chi cục``, ``Báo cáo của Ngân hàng
  Thế giới``); a unit after a preposition (``tại``, ``từ``, ``trên``, ``do``) or
  as an object (``trình UBND tỉnh``) does not;
- a named official takes it for the organization (``ông Hạnh, Phó Giám đốc
  Sở Y tế Hà Nội,``); a former official (``nguyên chủ tịch …``) or a private
  person (``ông Liêm``, ``GS Võ Tòng Xuân``) sets it to none;
- a place acting as an agent (``tỉnh Quảng Ngãi triển khai``) sets it to none
  and becomes the record's ``location``;
- a clause about private people (``người dân bán``, ``thương lái mua``) sets it
  to none when the subject came from an earlier paragraph; inside the
  paragraph of a unit's report they are that unit's figures.

The activity is the verb group that governs the quantity: the nearest verbs
before it in its clause (``cung cấp, tiêu thụ được 200 kg`` → ``cung cấp, tiêu
thụ``), the clause's own verb when the quantity sits in a place phrase
(``kiểm tra … tại 29 cơ sở``), and the previous quantity's verb for a list
item or a share in brackets (``04 cơ sở …; 11 cơ sở …``, ``117 người (6,19%)``).
Cue words are data: ``data/activity_cues.json``, ``data/unit_discourse.json``.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .mentions import Period, Quantity, Record, Unit
from .segment import sentence_spans


@lru_cache(maxsize=1)
def _cues() -> dict:
    files = resources.files("extractors.data")
    cues = json.loads(files.joinpath("activity_cues.json").read_text(encoding="utf-8"))
    cues.update(json.loads(files.joinpath("unit_discourse.json").read_text(encoding="utf-8")))
    places = json.loads(files.joinpath("places.json").read_text(encoding="utf-8"))
    cues["levels"] = places["levels"]
    return cues


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def _patterns() -> dict:
    c = _cues()
    cap = r"[A-ZĐÀ-Ỹ][\w.]*"
    titles = _alt(c["official_titles"])
    person = _alt([t for t in c["person_titles"]] + [t.capitalize() for t in c["person_titles"]])
    levels = _alt(c["levels"] + [l.capitalize() for l in c["levels"]])
    return {
        "person": re.compile(rf"(?:(?<!\w)|(?<=[a-zđà-ỹ])(?=[ÔB]))(?:{person})\s+{cap}(?:\s+{cap}){{0,4}}"),
        "official_tail": re.compile(rf"^\s*(?:\([^()]*\)\s*)?,\s*((?:{_alt(c['former'])})\s+)?(?:{titles})(?:\s+\w+){{0,3}}?\s*$",
                                    re.IGNORECASE),
        "adverbial": re.compile(rf"^(?:{_alt(c['adverbial_starters'])})\b[^,;:]{{0,80}},\s*", re.IGNORECASE),
        "source_lead": re.compile(
            r"^(?:(?:theo|qua)(?:\s+[^,;:]{0,60}?)?(?:\s+của)?"
            r"|(?:báo cáo|thống kê|kế hoạch|số liệu|đánh giá)(?:\s+[^,;:]{0,40}?)?\s+của"
            r"|(?:các\s+)?(?:lãnh đạo|đại diện)|(?:các\s+)?đơn vị\s+(?:trong|thuộc|trực thuộc)"
            r"|hiện nay|hiện|sau đó|đồng thời|cụ thể|trong đó)\s*$", re.IGNORECASE),
        "source_end": re.compile(
            r"(?:^|\s)(?:(?:các\s+)?đơn vị\s+(?:trong|thuộc|trực thuộc)|lãnh đạo|đại diện)$", re.IGNORECASE),
        "people_subject": re.compile(
            rf"(?<!\w)(?:{_alt(c['people_nouns'])})(?:\s+(?:này|đó|ấy|trên))?\s+(?:(?:đã|đang|sẽ|vừa|mới|cũng|chỉ|còn|đều|lại|thì)\s+)*(?=[a-zđà-ỹ])",
            re.IGNORECASE),
        "people": re.compile(
            rf"^(?:(?:một số|nhiều|các|những|mọi|toàn bộ|hầu hết|\w+)\s+)?(?:{_alt(c['people_nouns'])})(?!\w)",
            re.IGNORECASE),
        "place_agent": re.compile(rf"^(?:{levels})\s+{cap}(?:\s+{cap})*"),
        "place": re.compile(rf"(?<!\w)(?:{levels})\s+{cap}(?:\s+{cap}){{0,3}}"),
        "speech_after": re.compile(rf"^\s*(?:\([^()]*\)\s*)?(?:,[^,;]{{0,60}},\s*)?(?:đã\s+|vừa\s+)?(?:{_alt(c['speech_verbs'])})\b"),
    }


# A newspaper reports figures; it is never the organization they belong to.
_NOT_SUBJECT_KINDS = frozenset(["Báo", "Tạp chí", "Thông tấn xã"])


@dataclass
class _Event:
    pos: int
    unit: str | None
    soft: bool = False       # people nouns: only end a subject from an earlier paragraph
    whole_sentence: bool = False
    location: str | None = None


def attribute(text: str, doc, units: list[Unit], quantities: list[Quantity],
              period: Period | None) -> list[Record]:
    """One record per quantity: who, did what, how much, when, where.

    >>> from extractors.mentions import Quantity, Unit
    >>> t = "Chi cục QLTT đã kiểm tra 29 cơ sở."
    >>> q = Quantity("29 cơ sở", 25, 33, 29.0, "cơ sở")
    >>> u = Unit("Chi cục QLTT", 0, 12, "Chi cục Quản lý thị trường", kind="Chi cục")
    >>> r = attribute(t, None, [u], [q], None)[0]
    >>> (r.unit, r.activity)
    ('Chi cục Quản lý thị trường', 'kiểm tra')
    """
    if doc is None:
        from .segment import make_doc
        doc = make_doc(text)
    sents = sentence_spans(text)
    para_of = _paragraph_index(text)
    # words inside a unit's name are never its activity (Trung tâm Ứng dụng …)
    spans = sorted((u.start, u.end) for u in units)
    starts_ = [a for a, _ in spans]

    def in_unit(pos: int) -> bool:
        j = bisect_right(starts_, pos) - 1
        return j >= 0 and spans[j][0] <= pos < spans[j][1]
    toks = _split_tokens(text, doc, spans, quantities, in_unit)
    tok_starts = [t[0] for t in toks]
    periods = _own_periods(text)
    units = sorted(units, key=lambda u: u.start)

    records: list[Record] = []
    current: str | None = None
    current_para = -1
    qi = 0
    order = sorted(range(len(quantities)), key=lambda i: quantities[i].start)
    for s, e in sents:
        events = _events(text, s, e, units)
        whole = next((ev for ev in events if ev.whole_sentence), None)
        sent_qs = []
        while qi < len(order) and quantities[order[qi]].start < e:
            if quantities[order[qi]].start >= s:
                sent_qs.append(order[qi])
            qi += 1
        para = para_of(s)
        ev_i = 0
        prev_q, prev_act = None, None
        for idx in sent_qs:
            q = quantities[idx]
            while ev_i < len(events) and events[ev_i].pos <= q.start:
                current, current_para = _apply(events[ev_i], current, current_para, para)
                ev_i += 1
            unit = whole.unit if whole is not None else current
            agent_place = next((ev.location for ev in reversed(events[:ev_i]) if ev.location), None)
            act = _activity(text, s, q, prev_q, prev_act, toks, tok_starts)
            loc = (agent_place if unit is None and agent_place else None) or _location(text, s, e, q, units)
            own = _own_period(periods, s, e, q)
            records.append(Record.for_quantity(
                idx, q, unit=unit, activity=act, sentence=text[s:e], start=s, end=e,
                period=own or period, location=loc))
            prev_q, prev_act = q, act
        for ev in events[ev_i:]:
            current, current_para = _apply(ev, current, current_para, para)
    # quantities outside every sentence (should not happen): plain records
    done = {r.quantity for r in records}
    for i, q in enumerate(quantities):
        if i not in done:
            records.append(Record.for_quantity(i, q, unit=None, activity=None, sentence=q.text,
                                               start=q.start, end=q.end, period=period))
    records.sort(key=lambda r: r.quantity)
    return records


def _split_tokens(text, doc, spans, quantities, in_unit):
    """(start, end, tag, text) per word, cut where a unit or a quantity begins or ends.

    underthesea sometimes glues a word to a name or a number ("Thái Nguyên tiêm",
    "125.000 liều"); cut there so the verb stands alone.  Words inside a unit's
    name are tagged NAME: they are never its activity.
    """
    cuts = set()
    for a, b in spans:
        cuts.update((a, b))
    for q in quantities:
        cuts.update((q.start, q.end))
    out = []
    for t in doc:
        if t.is_space:
            continue
        a, b, tag = t.idx, t.idx + len(t.text), t.tag_
        inner = sorted(c for c in cuts if a < c < b)
        for lo, hi in zip([a] + inner, inner + [b]):
            piece = text[lo:hi]
            stripped = piece.strip()
            if not stripped:
                continue
            lo2 = lo + piece.index(stripped)
            hi2 = lo2 + len(stripped)
            out.append((lo2, hi2, "NAME" if in_unit(lo2) else tag, stripped))
    return out


def _apply(ev: _Event, current, current_para, para):
    if ev.soft:
        if current is not None and current_para != para:
            return None, para
        return current, current_para
    return ev.unit, para


def _paragraph_index(text: str):
    starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def para_of(pos: int) -> int:
        return bisect_right(starts, pos) - 1
    return para_of


_CLAUSE_COLON = re.compile(r":(?!\d)")


def _clause_start(text: str, s: int, pos: int) -> int:
    paren = text.rfind("(", s, pos)
    if paren >= 0 and text.find(")", paren, pos) >= 0:
        paren = -1  # a closed bracket before the position does not open its clause
    colon = max((m.start() for m in _CLAUSE_COLON.finditer(text, s, pos)), default=-1)
    cut = max(text.rfind(";", s, pos), colon, paren)
    m = None
    for m in re.finditer(r"(?:cho biết|cho hay|nêu rõ|thông tin)\s*,", text[s:pos]):
        pass
    if m is not None:
        cut = max(cut, s + m.end() - 1)
    return s if cut < 0 else cut + 1


def _strip_adverbials(prefix: str) -> str:
    pat = _patterns()["adverbial"]
    prev = None
    prefix = prefix.lstrip(" ,\"“”'")
    while prev != prefix:
        prev = prefix
        prefix = pat.sub("", prefix, count=1).lstrip()
    return prefix


def _events(text: str, s: int, e: int, units: list[Unit]) -> list[_Event]:
    """Who takes the subject where, in one sentence."""
    pats = _patterns()
    c = _cues()
    events: list[_Event] = []
    sent_units = [u for u in units if s <= u.start < e]
    official_units: set[int] = set()
    # named people, and officials of an organization
    for m in pats["person"].finditer(text, s, e):
        cs = _clause_start(text, s, m.start())
        prefix = _strip_adverbials(text[cs:m.start()]).strip().lower()
        if m.start() > 0 and text[m.start() - 1].isalpha():
            prefix = ""  # glued to a photo caption: "Ảnh: Trần ThanhÔng Lâm …" starts anew
        if prefix and not pats["source_lead"].match(prefix) and not prefix.endswith(("là", "theo")):
            if not re.search(r"(?:^|\s)(?:theo|là)$", prefix):
                continue
        unit = None
        for u in sent_units:
            if u.start > m.end() and u.start - m.end() < 60:
                tail = pats["official_tail"].match(text[m.end():u.start])
                if tail:
                    official_units.add(u.start)
                    unit = None if tail.group(1) else u.name
                break
        whole = bool(pats["speech_after"].match(text[m.end():e])) and m.start() > s + 20
        events.append(_Event(m.start(), unit, whole_sentence=whole and unit is not None))
    for u in sent_units:
        if u.start in official_units or u.kind in _NOT_SUBJECT_KINDS:
            continue
        cs = _clause_start(text, s, u.start)
        raw_prefix = text[cs:u.start]
        prefix = _strip_adverbials(raw_prefix).strip().lower()
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
    for m in re.finditer(r"(?:^|(?<=[.;:,]))\s*", text[s:e]):
        pos = s + m.end()
        if pos >= e:
            continue
        cs = _clause_start(text, s, pos)
        rest = _strip_adverbials(text[pos:e])
        start = e - len(rest)
        if any(ev.pos == start for ev in events) or any(u.start == start for u in sent_units):
            continue
        if pos != cs and not text[s:pos].rstrip().endswith(","):
            continue
        pm = pats["place_agent"].match(rest)
        if pm and not any(u.start <= start < u.end for u in sent_units):
            after = rest[pm.end():pm.end() + 30]
            if re.match(r"\s+(?!và\b|có\b|là\b)(?:đã\s+|vừa\s+|sẽ\s+|đang\s+)?[a-zđà-ỹ]", after):
                events.append(_Event(start, None, location=pm.group().strip()))
                continue
        pp = pats["people"].match(rest)
        if pp:
            events.append(_Event(start, None, soft=True))
    # private people as the subject of a verb anywhere in the sentence (người dân bán …)
    for m in pats["people_subject"].finditer(text, s, e):
        nxt = re.match(r"\w+", text[m.end():m.end() + 12])
        if nxt and nxt.group().lower() in _NOT_A_PREDICATE:
            continue  # "cho 18 hộ dân tại huyện …": the people are an object or a place's
        if re.search(r"\d\s*$", text[max(s, m.start() - 4):m.start()]):
            continue  # counted people ("18 hộ dân") are a figure, not the speaker
        if not any(ev.pos == m.start() for ev in events) and not _preceding_prep(text, m.start()):
            events.append(_Event(m.start(), None, soft=True))
    events.sort(key=lambda ev: ev.pos)
    return events


_NOT_A_PREDICATE = frozenset("tại ở trên trong của với cho về từ đến theo và hoặc là thuộc".split())


def _preceding_prep(text: str, pos: int) -> bool:
    before = text[max(0, pos - 12):pos].rstrip().lower()
    return bool(re.search(r"(?:^|\s)(?:cho|của|với|giúp|để|từ|tại|và|các|những)$", before))


# ---------------------------------------------------------------- activity


@lru_cache(maxsize=1)
def _verb_lexicon() -> frozenset:
    lines = resources.files("extractors.data").joinpath("activity_verbs.txt").read_text(encoding="utf-8")
    return frozenset(l.strip() for l in lines.splitlines() if l.strip() and not l.startswith("#"))


def _is_verb(tok, not_act) -> bool:
    t0, t1, tag, word = tok
    low = word.lower()
    if low in not_act or not any(ch.isalpha() for ch in word):
        return False
    return tag.startswith("V") or low in _verb_lexicon()


def _activity(text, s, q, prev_q, prev_act, toks, tok_starts) -> str | None:
    not_act = set(_cues()["not_activity"])
    cs = _clause_start(text, s, q.start)
    # a share in brackets, or the next item of a list: the previous figure's verb
    if prev_q is not None:
        between = text[prev_q.end:q.start]
        if re.fullmatch(r"\s*\(\s*", between):
            return prev_act
        if re.search(r"\bvới(?:\s+(?:số lượng|tổng số|tổng|tổng cộng))?\s*$", between) and prev_q.start >= cs - 200:
            return prev_act  # "kiểm tra … tại 29 cơ sở … với 29 lượt": the same act
        if _LIST_BETWEEN.fullmatch(between) and \
                not _has_verb(text, prev_q.end, q.start, toks, tok_starts, not_act):
            return prev_act
    first = bisect_right(tok_starts, cs - 1)
    i = bisect_right(tok_starts, q.start) - 1
    colon_verb = _colon_list_verb(text, s, q, toks, tok_starts, not_act)
    if colon_verb is not None:
        return colon_verb
    nearest = None
    for k in range(i, first - 1, -1):
        if toks[k][1] > q.start or toks[k][0] < cs:
            continue
        if _is_verb(toks[k], not_act):
            nearest = k
            break
    after = _verb_after(text, toks, i, q, not_act)
    seg_start = max(cs, text.rfind(",", cs, q.start) + 1)
    opens = not re.search(r"\w", _strip_adverbials(text[seg_start:q.start]))
    if opens and after is None and not (prev_q is not None and prev_q.start >= s):
        after = _first_verb_after(text, toks, i, q, not_act, reporting=True)
    if after is not None and opens:
        # the quantity opens its clause: it is the subject (4 cá nhân chỉ trả được …)
        return _extend(text, toks, after, after, cs, q, not_act, forward=True, stop=_clause_end(text, q.end))
    if nearest is None:
        if prev_act is not None and prev_q is not None and prev_q.start >= s:
            return prev_act
        stop = _clause_end(text, q.end)
        for k in range(i + 1, len(toks)):
            if toks[k][0] >= stop:
                break
            if toks[k][0] >= q.end and _is_verb(toks[k], not_act):
                return _extend(text, toks, k, k, cs, q, not_act, forward=True, stop=stop)
        return None
    # a value phrase ("… với tổng số tiền phạt 198 triệu", "… có trị giá 81 triệu"): the
    # verb that governs the thing valued, before the phrase
    vm = None
    if nearest is not None:
        # the marker at most a few words before the quantity
        window = max(cs, q.start - 40, toks[nearest][0] if toks[nearest][3].lower() == "có" else cs)
        vm = _value_marker().search(text, window, q.start)
    if vm is not None:
        for k in range(bisect_right(tok_starts, vm.start()) - 1, first - 1, -1):
            if toks[k][1] <= vm.start() and toks[k][0] >= cs and _is_verb(toks[k], not_act) \
                    and toks[k][3].lower() not in ("có", "là") \
                    and not (k > 0 and toks[k - 1][2] in ("N", "Nc") and toks[k - 1][0] >= cs):
                # (a verb right after a noun modifies it: dự án đầu tư, hàng hóa vi phạm)
                nearest = k
                break
    group = nearest
    before = text[toks[nearest][1]:q.start].lower()
    if re.search(r"(?:^|\s)(?:tại|ở|trên|tới)(?:\s+\w+){0,2}\s*$", before):
        # a place or object phrase: the clause's first verb governs it (kiểm tra … tại 29 cơ sở)
        for k in range(first, nearest + 1):
            if toks[k][0] >= cs and _is_verb(toks[k], not_act):
                group = k
                break
    word = toks[group][3].lower()
    if word == "là":
        # a copula after a verb phrase: the verb is the activity (bồi dưỡng … là 443 người)
        seg = max(cs, text.rfind(",", cs, toks[group][0]) + 1)
        k = bisect_right(tok_starts, seg - 1)
        while k < group and toks[k][2].startswith(("R", "CH")):
            k += 1
        if k < group and toks[k][3].lower() in _verb_lexicon() and toks[k][3].lower() not in ("có", "là"):
            # the clause opens with the verb: "bồi dưỡng … là 443 người" reports the verb
            return _extend(text, toks, k, k, cs, q, not_act, forward=True, stop=toks[group][0])
        for k in range(k, group):
            if toks[k][3].lower() in _verb_lexicon() and toks[k][3].lower() not in ("có", "là") and group - k <= 8:
                # a verb inside the noun subject ("tổng số tiền thu nộp … là 312 triệu"):
                # the phrase up to the copula, which names both
                return text[toks[k][0]:toks[group][1]]
    if word == "là" and prev_act and prev_q is not None and prev_q.start >= s \
            and re.search(r"(?:^|\s)là\s*$", text[s:prev_q.start]) and not _has_verb(
                text, prev_q.end, toks[group][0], toks, tok_starts, not_act):
        # a parallel item "…; viên chức là 11.533 người" repeats the previous "bồi dưỡng … là"
        return prev_act
    if word == "có" and not re.search(r"\w", text[toks[group][1]:q.start]):
        # existential "có 14 tập thể tham gia đăng ký": the reporting verb after the figures
        k = _first_verb_after(text, toks, i, q, not_act, reporting=True)
        if k is not None:
            return _extend(text, toks, k, k, cs, q, not_act, forward=True, stop=_clause_end(text, q.end))
    return _extend(text, toks, group, group, cs, q, not_act)


_LIST_BETWEEN = re.compile(
    r"[^;:()]{0,80}?(?:,|;|\bvà|\bhoặc|(?:trong đó|bao gồm|gồm|cụ thể)(?:\s+có)?\s*:?)\s*(?:thậm chí\s+|chỉ\s+)?")


@lru_cache(maxsize=1)
def _value_marker():
    words = _cues()["value_markers"]
    return re.compile(rf"(?<!\w)(?:{_alt(words)})(?=\s)", re.IGNORECASE)


def _verb_after(text, toks, i, q, not_act):
    """The verb right after a quantity's noun phrase (adverbs allowed between), or None."""
    stop = _clause_end(text, q.end)
    k = i + 1
    while k < len(toks) and toks[k][1] <= q.end:
        k += 1
    while k < len(toks) and toks[k][0] < stop and toks[k][2].startswith("R"):
        k += 1
    if k < len(toks) and toks[k][0] < stop and _is_verb(toks[k], not_act):
        return k
    return None


def _colon_list_verb(text, s, q, toks, tok_starts, not_act):
    """'UBND tỉnh phê duyệt: nhóm … gồm 13 chương trình; nhóm … 3 chương trình': the verb before the colon.

    Applies when the quantity's clause (after the colon or a ';') opens with a
    noun, i.e. it is an item of what the verb introduced, not a new predicate.
    """
    colon = max((m.start() for m in _CLAUSE_COLON.finditer(text, s, q.start)), default=-1)
    if colon < 0:
        return None
    k = bisect_right(tok_starts, colon) - 1
    while k >= 0 and toks[k][0] >= colon:
        k -= 1
    if k < 0 or toks[k][0] < s or not _is_verb(toks[k], not_act) or toks[k][3].lower() in ("có", "là"):
        return None
    item_start = max(colon, text.rfind(";", colon, q.start)) + 1
    j = bisect_right(tok_starts, item_start - 1)
    while j < len(toks) and toks[j][3] in (",", "-", "–", "+", "("):
        j += 1
    if j >= len(toks) or toks[j][0] >= q.start or _is_verb(toks[j], not_act) or toks[j][2] in ("M", "NAME"):
        return None
    lo = k
    while lo - 1 >= 0 and toks[lo - 1][0] >= s and _is_verb(toks[lo - 1], not_act):
        lo -= 1
    return text[toks[lo][0]:toks[k][1]]


def _first_verb_after(text, toks, i, q, not_act, reporting=False):
    """The first verb after the quantity in its clause, brackets skipped.

    With ``reporting``, the first verb of the reporting lexicon other than có/là,
    within a dozen words (other verbs there modify the counted noun).
    """
    stop = _clause_end(text, q.end)
    depth = 0
    seen = 0
    for k in range(i + 1, len(toks)):
        seen += 1
        if reporting and seen > 14:
            break
        t0, t1, tag, word = toks[k]
        if t0 >= stop:
            break
        if t0 < q.end:
            continue
        if word == "(":
            depth += 1
        elif word == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and _is_verb(toks[k], not_act):
            if not reporting:
                return k
            low = toks[k][3].lower()
            if low in ("có", "là"):
                return None  # "117 người có chứng chỉ": the existential stands
            if low in _verb_lexicon():
                return k
    return None


# Directional complements that complete a verb (thu về, tăng lên, giảm xuống, đưa ra).
_DIRECTIONAL = frozenset(["về", "ra", "lên", "xuống", "vào", "thêm"])


def _extend(text, toks, lo, hi, cs, q, not_act, forward=False, stop=None) -> str:
    """The verb group around toks[lo..hi]: adjacent verbs, and verbs joined by a comma or và."""
    while lo - 1 >= 0 and toks[lo - 1][0] >= cs:
        t = toks[lo - 1]
        if _is_verb(t, not_act):
            lo -= 1
        elif t[3] in (",", "và") and lo - 2 >= 0 and toks[lo - 2][0] >= cs and _is_verb(toks[lo - 2], not_act) \
                and not (lo - 3 >= 0 and toks[lo - 3][2] in ("N", "Nc")):
            # coordinated verbs (phát hiện, xử lý); not a verb inside the previous
            # object's noun phrase (cơ sở giết mổ, xử phạt 4 cơ sở)
            lo -= 2
        else:
            break
    limit = stop if forward else q.start
    lex = _verb_lexicon()
    while hi + 1 < len(toks) and toks[hi + 1][1] <= limit:
        nxt = toks[hi + 1]
        joined = text[toks[hi][0]:nxt[1]].lower()
        if _is_verb(nxt, not_act) and (nxt[3].lower() in lex or nxt[2] == "V" and forward):
            hi += 1
        elif joined.split()[-2:] and " ".join(joined.split()[-2:]) in lex:
            hi += 1  # a two-word verb split by the tagger (cấp mới)
        elif nxt[3].lower() in _DIRECTIONAL and (hi + 2 >= len(toks) or toks[hi + 2][0] >= q.start >= nxt[1]):
            hi += 1  # thu về 40 triệu, tăng lên 5%: a direction right before the figure
        elif toks[hi + 1][3] in (",", "và") and hi + 2 < len(toks) and toks[hi + 2][1] <= limit \
                and _is_verb(toks[hi + 2], not_act):
            hi += 2
        else:
            break
    # a light verb before the verb that says what was done: "tổ chức nghiệm thu" → "nghiệm thu"
    light = set(_cues()["light_verbs"])
    while lo < hi and toks[lo][3].lower() in light | {","} and any(
            _is_verb(t, not_act) and t[3].lower() not in light for t in toks[lo + 1:hi + 1]):
        lo += 1
    while lo < hi and toks[lo][3] in (",", "và"):
        lo += 1
    return text[toks[lo][0]:toks[hi][1]]


def _clause_end(text: str, pos: int) -> int:
    m = re.compile(r"[;:.!?\n]").search(text, pos)
    return m.start() if m else len(text)


def _has_verb(text, a, b, toks, tok_starts, not_act) -> bool:
    """Does a new predicate (a verb right after a separator) start between a and b?"""
    i = bisect_right(tok_starts, a)
    prev_sep = False  # the words right after a figure are its own noun phrase
    while i < len(toks) and toks[i][0] < b:
        word = toks[i][3]
        if word in (",", ";") or word.lower() in ("và", "hoặc"):
            prev_sep = True
        else:
            if prev_sep and _is_verb(toks[i], not_act):
                return True
            prev_sep = False
        i += 1
    return False


# ---------------------------------------------------------------- location, period


def _location(text, s, e, q, units) -> str | None:
    best = None
    for m in _patterns()["place"].finditer(text, s, e):
        if any(u.start <= m.start() < u.end for u in units):
            continue
        d = abs(m.start() - q.start)
        if best is None or d < best[0]:
            best = (d, m.group().strip())
    return best[1] if best else None


def _own_period(periods, s, e, q) -> Period | None:
    """The period the sentence states for this quantity: the last one before it, else the first after."""
    inside = [(ps, p) for ps, pe, p in periods if s <= ps and pe <= e]
    before = [p for ps, p in inside if ps < q.start]
    if before:
        return before[-1]
    return inside[0][1] if inside else None


def _own_periods(text: str):
    """Period expressions in the text, from the quantities stage's periods module when present."""
    try:
        from .periods import find_periods
    except ImportError:
        return []
    try:
        return list(find_periods(text))
    except Exception:  # the sibling module is being written: never fail attribution for it
        return []
