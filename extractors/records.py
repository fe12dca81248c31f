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
- a place acting as an agent (``tỉnh Quảng Ngãi triển khai``, ``Huyện Yên Định
  có 26 đơn vị``) sets it to none and becomes the record's ``location``; so does a
  level word alone with an auxiliary (``thành phố đang quản lý``, ``TP cũng đã``)
  unless the sentence names its source (``Cũng theo Phó Chủ tịch UBND …, tỉnh sẽ``);
- a clause about private people (``người dân bán``, ``thương lái mua``) sets it
  to none when the subject came from an earlier paragraph; inside the
  paragraph of a unit's report they are that unit's figures; people that are
  counted (``số học sinh``, ``tổng số hộ``) are no agent;
- an official is remembered by name: introduced once with the office
  (``ông Nguyễn Trọng Khải, Giám đốc Sở Y tế …``, ``Thứ trưởng Bộ TT&TT Nguyễn
  Huy Dũng``), later mentions (``Cũng theo ông Khải``, ``Thứ trưởng Nguyễn Huy
  Dũng cho hay``) speak for the same organization, also after a participial
  lead (``Trao đổi với PV, bà …, Phó Giám đốc Sở …``); an unknown name is a
  private person;
- a quotation closed by its speaker (``"…", ông Thắng cho biết``) is the
  speaker's, over however many sentences it runs;
- a kind word alone as a clause subject before a verb (``Năm 2018, trường tiếp
  tục tuyển thêm …``) takes it for the one unit of that kind named earlier;
- a sentence that opens in another country or region (``Tại Campuchia, …``,
  ``Ở miền Tây, …``) is another story: it sets the subject to none, the place
  becomes the location;
- a named document as source (``Theo Tiêu chuẩn thiết kế …,``), a media
  credit (``Ảnh: …``) and a header field (``Content:``) end the subject;
- within a clause: a figure said to be a unit's (``15 triệu đồng của Ban
  ATGT``) and a unit made the agent of a causative (``cho Trung tâm Y tế mua
  10.000 khẩu trang``) take that unit;
- afterwards, a figure with no stated owner that repeats an attributed one
  (same amount, unit of measure and verb) is the same fact (spec section 6).

The activity is the verb group that governs the quantity: the nearest verbs
before it in its clause (``cung cấp, tiêu thụ được 200 kg`` → ``cung cấp, tiêu
thụ``), the clause's own verb when the quantity sits in a place phrase
(``kiểm tra … tại 29 cơ sở``), and the previous quantity's verb for a list
item or a share in brackets (``04 cơ sở …; 11 cơ sở …``, ``117 người (6,19%)``),
also after a verbless label (``trong đó bậc học mầm non 294 người``).  A
negation belongs to the verb (``chưa có``); an adjective predicating a
measurement is the activity (``dài gần 200 km``); a duration after ``sau``
measures the verb after it; a causative gives way to the caused event
(``làm 3 người tử vong``), and list items that each have their verb after them
keep their own (``3 người chết, 17 người bị thương``).  A qualifier that is a verb
(``vượt 79% chỉ tiêu``) is the activity when its phrase has no other verb; the
reporting verb after an existential ``có`` stops at a preposition; a word
capitalized inside a sentence belongs to a name and is never the activity.
Cue words are data: ``data/activity_cues.json``, ``data/unit_discourse.json``.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .mentions import Period, Quantity, Record, Unit
from .segment import sentence_spans, token_rows


@lru_cache(maxsize=1)
def _cues() -> dict:
    files = resources.files("extractors.data")
    cues = json.loads(files.joinpath("activity_cues.json").read_text(encoding="utf-8"))
    cues.update(json.loads(files.joinpath("unit_discourse.json").read_text(encoding="utf-8")))
    places = json.loads(files.joinpath("places.json").read_text(encoding="utf-8"))
    cues["levels"] = places["levels"]
    cues["bare_levels"] = places["bare_levels"]
    cues["countries"] = places["countries"]
    cues["regions"] = places["regions"]
    return cues


# Vietnamese capitals and small letters.  A range such as À-Ỹ would mix both cases
# (Latin Extended Additional alternates capital and small: Ạ ạ Ả ả …, and đ lies
# inside it), so that "tỉnh đã" read as a place name and "ông Quang cho" as a person.
_UP = "[" + "".join(ch for ch in map(chr, range(0x41, 0x1EFA)) if ch.isalpha() and ch.isupper()) + "]"
_LOW = "[" + "".join(ch for ch in map(chr, range(0x61, 0x1EFA)) if ch.isalpha() and ch.islower()) + "]"


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def _patterns() -> dict:
    c = _cues()
    cap = _UP + r"[\w.]*"
    titles = _alt(c["official_titles"])
    person = _alt([t for t in c["person_titles"]] + [t.capitalize() for t in c["person_titles"]])
    levels = _alt(c["levels"] + [l.capitalize() for l in c["levels"]])
    return {
        "credit": re.compile(rf"(?<!\w)(?:{_alt(c['media_credits'])})\s*:\s*"),
        "field_line": re.compile(rf"(?:{_alt(c['header_fields'])})\s*:"),
        "pivot": re.compile(rf"(?:^|\s)(?:{_alt(c['causative_pivots'])})\s*$", re.IGNORECASE),
        "titled_name": re.compile(rf"(?<!\w)(?:{titles})\s+({cap}(?:\s+{cap}){{1,3}})"),
        "title_end": re.compile(rf"(?:^|\s)(?:{titles})(?:\s+(?:thường trực|phụ trách))?\s*$", re.IGNORECASE),
        "named_document": re.compile(r"^(?:[Cc]ũng\s+)?[Tt]heo\s+(?:các\s+|những\s+)?" + _UP),
        "person": re.compile(rf"(?:(?<!\w)|(?<={_LOW})(?=[ÔB]))(?:{person})\s+{cap}(?:\s+{cap}){{0,4}}"),
        "official_tail": re.compile(rf"^\s*(?:\([^()]*\)\s*)?,\s*((?:{_alt(c['former'])})\s+)?(?:{titles})(?:\s+\w+){{0,3}}?\s*$",
                                    re.IGNORECASE),
        "adverbial": re.compile(rf"^(?:{_alt(c['adverbial_starters'])})\b[^,;:]{{0,80}},\s*", re.IGNORECASE),
        "source_lead": re.compile(
            r"^(?:(?:cũng\s+)?(?:theo|qua)(?:\s+[^,;:]{0,60}?)?(?:\s+của)?"
            r"|(?:báo cáo|thống kê|kế hoạch|số liệu|đánh giá)(?:\s+[^,;:]{0,40}?)?\s+của"
            r"|(?:các\s+)?(?:lãnh đạo|đại diện)|(?:các\s+)?đơn vị\s+(?:trong|thuộc|trực thuộc)"
            r"|hiện nay|hiện|sau đó|đồng thời|cụ thể|trong đó|trước đây|trước đó|mới đây|vừa qua|năm nay)\s*$",
            re.IGNORECASE),
        "source_end": re.compile(
            r"(?:^|\s)(?:(?:các\s+)?đơn vị\s+(?:trong|thuộc|trực thuộc)|lãnh đạo|đại diện)$", re.IGNORECASE),
        "people_subject": re.compile(
            rf"(?<!\w)(?:{_alt(c['people_nouns'])})(?:\s+(?:này|đó|ấy|trên))?\s+(?:(?:đã|đang|sẽ|vừa|mới|cũng|chỉ|còn|đều|lại|thì)\s+)*(?={_LOW})",
            re.IGNORECASE),
        "people": re.compile(
            rf"^(?:(?:một số|nhiều|các|những|mọi|toàn bộ|hầu hết|\w+)\s+)?(?:{_alt(c['people_nouns'])})(?!\w)",
            re.IGNORECASE),
        "place_agent": re.compile(rf"^(?:{levels})\s+{cap}(?:\s+{cap})*"),
        "bare_place_agent": re.compile(
            rf"^(?:{_alt(c['bare_levels'])})(?:\s+(?:này|nhà))?\s+(?:{_alt(c['place_agent_followers'])})(?!\w)",
            re.IGNORECASE),
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
        from .segment import make_token_doc
        doc = make_token_doc(text)
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

    officials = _officials(text, units)
    quoted = _quoted_speakers(text, units, officials)
    records: list[Record] = []
    explicit: set[int] = set()  # records whose null unit the sentence itself states
    current: str | None = None
    current_para = -1
    qi = 0
    order = sorted(range(len(quantities)), key=lambda i: quantities[i].start)
    for s, e in sents:
        events = _events(text, s, e, units, officials)
        backrefs = _kind_backrefs(text, s, e, units, toks, tok_starts)
        away = _elsewhere(text, s, e)
        if away is not None and not any(ev.pos <= away.pos for ev in events):
            events.insert(0, away)
        if backrefs:
            taken = {ev.pos for ev in events}
            events = sorted(events + [ev for ev in backrefs if ev.pos not in taken], key=lambda ev: ev.pos)
        whole = next((ev for ev in events if ev.whole_sentence), None)
        sent_qs = []
        while qi < len(order) and quantities[order[qi]].start < e:
            if quantities[order[qi]].start >= s:
                sent_qs.append(order[qi])
            qi += 1
        para = para_of(s)
        if _patterns()["field_line"].match(text, s):
            # "Summary:", "Content:" … open a new part of the record: nothing carries over
            current, current_para = None, para
        ev_i = 0
        prev_q, prev_act = None, None
        for idx in sent_qs:
            q = quantities[idx]
            while ev_i < len(events) and events[ev_i].pos <= q.start:
                current, current_para = _apply(events[ev_i], current, current_para, para)
                ev_i += 1
            unit = whole.unit if whole is not None else current
            owner = _owner_after(text, q, units)
            speaker = next(((u,) for a, b, u in quoted if a <= q.start < b), None)
            pivot = _pivot_agent(text, s, q, units, toks, tok_starts)
            if owner is not None:
                unit = owner  # "15 triệu đồng của Ban ATGT tỉnh": the owner's own figure
            elif pivot is not None:
                unit = pivot  # "đồng ý cho Trung tâm Y tế mua 10.000 khẩu trang": the unit that buys
            elif speaker is not None:
                unit = speaker[0]  # inside a quote: the speaker's figure
            if unit is None and (speaker is not None or any(
                    ev.unit is None for ev in events[:ev_i]) or (whole is not None)):
                explicit.add(idx)
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
    _same_fact(records, quantities, explicit)
    return records


def _pivot_agent(text, s, q, units, toks, tok_starts) -> str | None:
    """A unit that is the object of a causative verb and the agent of the next one.

    ``… đồng ý cho Trung tâm Y tế mua 10.000 khẩu trang``, ``giao Sở Tài chính cấp
    2 tỷ đồng``: the figure is what the unit after ``cho``/``giao``/``yêu cầu`` does,
    within that clause only.
    """
    cs = _clause_start(text, s, q.start)
    not_act = set(_cues()["not_activity"])
    for u in units:
        if not (cs <= u.start and u.end <= q.start) or u.kind in _NOT_SUBJECT_KINDS:
            continue
        if not _patterns()["pivot"].search(text[max(cs, u.start - 14):u.start]):
            continue
        k = bisect_right(tok_starts, u.end - 1)
        while k < len(toks) and toks[k][0] < u.end:
            k += 1
        if k < len(toks) and toks[k][0] < q.start and toks[k][3][:1].islower() and _is_verb(toks[k], not_act) \
                and not re.search(r"[,;]", text[u.end:q.start]):
            return u.name
    return None


def _owner_after(text: str, q: Quantity, units: list[Unit]) -> str | None:
    """The unit a figure is said to belong to right after it (``15 triệu đồng của Ban ATGT tỉnh``)."""
    m = re.match(r"\s*của\s+", text[q.end:q.end + 12])
    if not m:
        return None
    at = q.end + m.end()
    u = next((u for u in units if u.start == at), None)
    return u.name if u is not None and u.kind not in _NOT_SUBJECT_KINDS else None


_QUOTE_OPEN = "\"“"
_QUOTE_CLOSE = re.compile(r"[\"”]\s*,\s*")


def _quoted_speakers(text: str, units: list[Unit], officials) -> list[tuple[int, int, str | None]]:
    """(start, end, unit) of quotations closed by their speaker (``"…", ông Thắng cho biết``).

    The figures inside a quotation are the speaker's: an official's organization,
    none for a private person.  The quotation opens at the nearest quote mark
    before the closing one (it may run over several paragraphs).
    """
    pats = _patterns()
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
            got = _official_tail_unit(text, m.end() + pm.end(), units)
            if got is not None:
                unit, found = (None if got[1] else got[0].name), True
            else:
                known, unit = _lookup_official(officials, _person_name(pm.group()), m.end())
                found = True  # a private person, or a known official
            end = pm.end()
        elif tm:
            found, unit = _lookup_official(officials, tm.group(1), m.end())
            end = tm.end()
        elif um is not None and um.kind not in _NOT_SUBJECT_KINDS:
            found, unit, end = True, um.name, um.end - m.end()
        if not found:
            continue
        if not pats["speech_after"].match(rest[end:]) and not re.match(
                r"\s*(?:\([^()]*\)\s*)?,?[^,.;]{0,60}?(?:" + _alt(_cues()["speech_verbs"]) + r")\b", rest[end:]):
            continue
        out.append((opener, close, unit))
    return out


def _same_fact(records: list[Record], quantities: list[Quantity], explicit: set[int]) -> None:
    """A figure with no stated owner that repeats one the article attributes takes that unit.

    News states a figure in the title, lead or a summary sentence and attributes it
    later (``Có khoảng 30% các tour hủy`` … ``ông Đạt, Phó chủ tịch UBND thành
    phố: các tour hủy khoảng 30%``), spec section 6.  The same fact is the same
    amount in the same unit of measure reported by the same verb; the nearest
    attributed occurrence wins.
    """
    def verbs(act):
        return {w for w in (act or "").lower().replace(",", " ").split() if w not in ("là", "có", "được", "đã")}

    for r in records:
        if r.unit is not None or r.quantity in explicit:
            continue
        q = quantities[r.quantity]
        best = None
        for o in records:
            if o.unit is None or o is r:
                continue
            p = quantities[o.quantity]
            if (p.value, p.value_max, p.total, (p.unit_of_measure or "").lower()) != \
                    (q.value, q.value_max, q.total, (q.unit_of_measure or "").lower()):
                continue
            if not verbs(r.activity) & verbs(o.activity):
                continue
            d = abs(p.start - q.start)
            if best is None or d < best[0]:
                best = (d, o.unit)
        if best is not None:
            r.unit = best[1]


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
    cuts = sorted(cuts)
    out = []
    for a, b, word, tag in token_rows(doc):
        if word.isspace():
            continue
        i0, i1 = bisect_right(cuts, a), bisect_left(cuts, b)  # the cuts strictly inside the word
        bounds = ((a, b),) if i0 >= i1 else zip([a] + cuts[i0:i1], cuts[i0:i1] + [b])
        for lo, hi in bounds:
            piece = word if lo == a and hi == b else text[lo:hi]
            stripped = piece.strip()
            if not stripped:
                continue
            lo2 = lo + piece.index(stripped)
            hi2 = lo2 + len(stripped)
            if in_unit(lo2):
                out.append((lo2, hi2, "NAME", stripped))
                continue
            # (a one-syllable word has nothing glued to it: straight to the capital check)
            words = stripped.split(" ") if " " in stripped else None
            n_cap = words and next((k for k, w in enumerate(words) if not w[:1].isupper()), len(words))
            if words and 0 < n_cap < len(words) and (
                    n_cap > 1 or words[0].isupper() or any(ch.isdigit() for ch in words[0])):
                # a name glued to the next word by the segmenter ("huyện Phù Mỹ trồng"):
                # the name, then the word with the segment's tag
                cut = lo2 + len(" ".join(words[:n_cap]))
                out.append((lo2, cut, "CAP", text[lo2:cut]))
                lo2 = cut + 1
                stripped = text[lo2:hi2]
            elif stripped[:1].isupper() and _mid_sentence(text, lo2):
                tag = "CAP"  # a capital inside a sentence starts a name (ngành Quản lý công, thị xã Phú Mỹ)
            out.append((lo2, hi2, tag, stripped))
    return out


def _mid_sentence(text: str, pos: int) -> bool:
    """Is ``pos`` inside a sentence: after a word, a comma or an opening bracket (not after a stop, colon, quote or dash)?"""
    k = pos - 1
    while k >= 0 and text[k] in " \t":
        k -= 1
    return k >= 0 and (text[k].isalnum() or text[k] in ",%(")


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


def _person_name(mention: str) -> str:
    """The name in a person mention without its title: "ông Nguyễn Trọng Khải" → "Nguyễn Trọng Khải"."""
    words = mention.split()
    while len(words) > 1 and not words[0][:1].isupper():
        words = words[1:]
    if len(words) > 1 and words[0].lower() in _person_titles_lower():
        words = words[1:]
    return " ".join(words)


@lru_cache(maxsize=1)
def _person_titles_lower() -> frozenset:
    return frozenset(t.lower() for t in _cues()["person_titles"])


def _official_tail_unit(text, end, units):
    """The unit an official's title names right after a person (", Giám đốc Sở Y tế …"), else None.

    Returns (unit, is_former) or None when no title follows.
    """
    pats = _patterns()
    for u in units:
        if u.start > end and u.start - end < 60:
            tail = pats["official_tail"].match(text[end:u.start])
            if tail:
                return u, bool(tail.group(1))
            return None
    return None


def _officials(text: str, units: list[Unit]) -> list[tuple[int, str, str | None]]:
    """(position, name, unit name) for every person the article introduces with an office.

    Vietnamese news names an official once in full with the office
    ("ông Nguyễn Trọng Khải, Giám đốc Sở Y tế tỉnh Hà Nam", "Thứ trưởng Bộ TT&TT
    Nguyễn Huy Dũng") and then by the given name or title alone ("ông Khải",
    "Thứ trưởng Nguyễn Huy Dũng"); those later mentions speak for the same
    organization.  A former official (``nguyên``) speaks for none.
    """
    pats = _patterns()
    out = []
    for m in pats["person"].finditer(text):
        got = _official_tail_unit(text, m.end(), units)
        if got is not None:
            u, former = got
            out.append((m.start(), _person_name(m.group()), None if former else u.name))
    for u in units:
        before = text[max(0, u.start - 40):u.start]
        if pats["title_end"].search(before) and u.kind not in _NOT_SUBJECT_KINDS:
            nm = re.match(rf"\s+({_UP}[\w.]*(?:\s+{_UP}[\w.]*){{1,3}})", text[u.end:u.end + 60])
            if nm and not any(v.start == u.end + nm.start(1) for v in units):
                former = re.search(r"(?:nguyên|cựu)\s+\S+(?:\s+\S+)?\s*$", before, re.IGNORECASE)
                out.append((u.start, nm.group(1), None if former else u.name))
    return sorted(out)


def _lookup_official(officials, name: str, pos: int):
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


def _events(text: str, s: int, e: int, units: list[Unit], officials=()) -> list[_Event]:
    """Who takes the subject where, in one sentence."""
    pats = _patterns()
    c = _cues()
    events: list[_Event] = []
    sent_units = [u for u in units if s <= u.start < e]
    official_units: set[int] = set()
    # a media credit ("Ảnh: Ban Quản lý dự án …", "Đồ hoạ: Khánh Hoàng") closes a section of a
    # flattened article: the organization it names is no subject, and what follows starts afresh
    credits = [m for m in pats["credit"].finditer(text, s, e)]
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
                or re.search(r"(?:^|\s)(?:theo|là)$", prefix):
            return True
        return known_official and prefix.endswith(",")

    # named people, and officials of an organization
    for m in pats["person"].finditer(text, s, e):
        cs = after_credit(_clause_start(text, s, m.start()), m.start())
        prefix = _strip_adverbials(text[cs:m.start()]).strip().lower()
        if m.start() > 0 and text[m.start() - 1].isalpha():
            prefix = ""  # glued to a photo caption: "Ảnh: Trần ThanhÔng Lâm …" starts anew
        unit, known = None, False
        got = _official_tail_unit(text, m.end(), sent_units)
        if got is not None:
            official_units.add(got[0].start)
            unit, known = (None if got[1] else got[0].name), True
        else:
            known, unit = _lookup_official(officials, _person_name(m.group()), m.start())
        if not opens_clause(prefix, known and unit is not None):
            continue
        whole = bool(pats["speech_after"].match(text[m.end():e])) and m.start() > s + 20
        events.append(_Event(m.start(), unit, whole_sentence=whole and unit is not None))
    # an official named by title and name only ("Thứ trưởng Nguyễn Huy Dũng cho biết")
    for m in pats["titled_name"].finditer(text, s, e):
        if any(u.start <= m.start(1) < u.end for u in sent_units) or any(ev.pos <= m.start() < ev.pos + 40 for ev in events):
            continue
        known, unit = _lookup_official(officials, m.group(1), m.start())
        if not known:
            continue
        cs = _clause_start(text, s, m.start())
        prefix = _strip_adverbials(text[cs:m.start()]).strip().lower()
        if not opens_clause(prefix, unit is not None):
            continue
        whole = bool(pats["speech_after"].match(text[m.end():e])) and m.start() > s + 20
        events.append(_Event(m.start(), unit, whole_sentence=whole and unit is not None))
    for u in sent_units:
        if u.start in official_units or u.kind in _NOT_SUBJECT_KINDS or u.start in credit_units:
            continue
        cs = after_credit(_clause_start(text, s, u.start), u.start)
        raw_prefix = text[cs:u.start]
        prefix = _strip_adverbials(raw_prefix).strip().lower()
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
        if pats["named_document"].match(rest) and not any(ev.pos >= start and ev.pos < start + 40 for ev in events) \
                and not any(start < u.start < start + 12 for u in sent_units):
            # "Theo Tiêu chuẩn thiết kế …," / "Theo Nghị định …,": a named document, not
            # an organization, is the source; the figures are nobody's report
            events.append(_Event(start, None))
            continue
        pm = pats["place_agent"].match(rest)
        if pm and re.search(rf"(?:{_alt(c['levels'])})\s+[A-ZĐÀ-Ỹ][\w.]*(?:\s+[A-ZĐÀ-Ỹ][\w.]*)*\s*,\s*$",
                            text[max(s, pos - 60):pos], re.IGNORECASE):
            pm = None  # one more place of an address (xã Đạo Lý, huyện Lý Nhân), not an agent
        if pm and not any(u.start <= start < u.end for u in sent_units):
            after = rest[pm.end():pm.end() + 30]
            if re.match(rf"\s+(?!và\b)(?:đã\s+|vừa\s+|sẽ\s+|đang\s+)?{_LOW}", after):
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
        if pp and (re.match(r"(?:tổng\s+)?số(?:\s+lượng)?\s", pp.group(), re.IGNORECASE)
                   or _counted(text, start + pp.start())):
            pp = None
        if pp:
            events.append(_Event(start, None, soft=True))
    # private people as the subject of a verb anywhere in the sentence (người dân bán …)
    for m in pats["people_subject"].finditer(text, s, e):
        nxt = re.match(r"\w+", text[m.end():m.end() + 12])
        if nxt and nxt.group().lower() in _NOT_A_PREDICATE:
            continue  # "cho 18 hộ dân tại huyện …": the people are an object or a place's
        if re.search(r"\d\s*$", text[max(s, m.start() - 4):m.start()]):
            continue  # counted people ("18 hộ dân") are a figure, not the speaker
        if _counted(text, m.start()):
            continue  # "số học sinh …", "tổng số hộ dân …": the people are what is counted
        if not any(ev.pos == m.start() for ev in events) and not _preceding_prep(text, m.start()):
            events.append(_Event(m.start(), None, soft=True))
    events.sort(key=lambda ev: ev.pos)
    return events


@lru_cache(maxsize=1)
def _elsewhere_pattern():
    c = _cues()
    places = [p for p in c["countries"] + c["regions"] if p.lower() not in ("việt nam", "quốc tế")]
    return re.compile(
        rf"\W*(?:(?:{_alt(c['elsewhere_leads'])})\s*,?\s*)?(?:tại|ở)\s+(?:khu vực\s+|nước\s+)?"
        rf"({_alt(places)})(?!\w)", re.IGNORECASE)


def _elsewhere(text: str, s: int, e: int) -> _Event | None:
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


def _kind_backrefs(text, s, e, units, toks, tok_starts) -> list[_Event]:
    """A kind word alone as a clause subject refers back to the one unit of that kind.

    ``Năm 2018, trường tiếp tục tuyển thêm 342 sinh viên`` after ``Trường ĐH Kinh
    doanh và Công nghệ Hà Nội`` was named: the school did it, not the inspectorate
    whose report the paragraph carries.  Only in subject position (the clause start
    after adverbials, or after ``khi``/``nhưng``/``còn`` …), only before a verb (so
    not ``trường hợp``, ``trung tâm thành phố``), and only when exactly one
    organization of that kind was named before: otherwise the reader cannot tell.
    """
    c = _cues()
    kinds = {k.lower() for k in c["bare_kind_subjects"]}
    openers = set(c["bare_kind_openers"])
    out = []
    k = bisect_right(tok_starts, s - 1)
    while k < len(toks) and toks[k][0] < e:
        a, b, tag, word = toks[k]
        k += 1
        low = word.lower()
        if low not in kinds or not tag.startswith("N"):
            continue
        cs = _clause_start(text, s, a)
        prefix = _strip_adverbials(text[cs:a]).strip().lower()
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


def _counted(text: str, pos: int) -> bool:
    """People nouns after "số", "tổng số", "số lượng": what a figure counts, not an agent."""
    return bool(re.search(r"(?:^|\s)(?:tổng\s+)?số(?:\s+lượng)?\s*$", text[max(0, pos - 16):pos], re.IGNORECASE))


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
    if low in not_act or not any(ch.isalpha() for ch in word) or tag == "CAP":
        return False
    return tag.startswith("V") or low in _verb_lexicon()


_QUALIFIER_WORDS = r"(?:khoảng|gần|hơn|trên|dưới|xấp xỉ|ước|ước tính|tối đa|tối thiểu|ít nhất|chỉ|từ|đến|lên|còn)"


def _activity(text, s, q, prev_q, prev_act, toks, tok_starts) -> str | None:
    """The verb that governs the quantity, with a negation before it (``chưa có``)."""
    c = _cues()
    before = text[max(s, q.start - 40):q.start]
    # a measurement predicated by an adjective: "Toàn tuyến dài gần 32 km", "Mỗi trạm rộng 5 ha"
    m = re.search(rf"(?:^|\s)({_alt(c['dimension_adjectives'])})(?:\s+{_QUALIFIER_WORDS})*\s*$", before,
                  re.IGNORECASE)
    if m and not re.search(r"(?:chiều|độ|bề)\s*$", before[:m.start(1)], re.IGNORECASE):
        # only as the clause's predicate: after a verb it modifies the object
        # ("làm đường rộng 7-12 m", "đạt cao đến 105 tạ/ha")
        cs = _clause_start(text, s, q.start)
        adj_at = q.start - len(before) + m.start(1)
        not_act = set(c["not_activity"])
        lo = bisect_right(tok_starts, cs - 1)
        if not any(_is_verb(t, not_act) and t[3].lower() not in ("có", "là")
                   for t in toks[lo:bisect_right(tok_starts, adj_at - 1)] if t[0] >= cs):
            return m.group(1)
    # a nominalized verb owned by the figure: "với sự tham dự của trên 500 đại biểu"
    m = re.search(r"(?:^|\s)sự\s+([^\s,;:]+(?:\s+[^\s,;:]+)?)\s+của\s*$", before, re.IGNORECASE)
    if m and m.group(1).lower() in _verb_lexicon():
        return m.group(1)
    # a duration after "sau"/"qua" measures the verb after it: "sau gần 10 ngày phát động"
    if (q.unit_of_measure or "") in ("ngày", "tháng", "năm", "tuần", "giờ") and re.search(
            rf"(?:^|\s)(?:{_alt(c['duration_leads'])})(?:\s+{_QUALIFIER_WORDS})*\s*$", before, re.IGNORECASE):
        not_act = set(c["not_activity"])
        k = bisect_right(tok_starts, q.end - 1)
        while k < len(toks) and toks[k][0] < q.end:
            k += 1
        if k < len(toks) and toks[k][0] - q.end <= 2 and _is_verb(toks[k], not_act):
            return _extend(text, toks, k, k, toks[k][0], q, not_act, forward=True, stop=_clause_end(text, q.end))
    # a qualifier that is a verb ("khối ngành III vượt 79% chỉ tiêu", "Quản lý Kinh tế (vượt
    # 96,6%)"): it governs the figure when its phrase has no verb of its own
    lead = re.match(r"\w+", q.text)
    if lead and lead.group().lower() in c.get("qualifier_verbs", ()):
        not_act = set(c["not_activity"])
        seg = max(_clause_start(text, s, q.start), *(text.rfind(ch, s, q.start) + 1 for ch in ",("))
        if not any(_is_verb(t, not_act) for t in toks[bisect_right(tok_starts, seg - 1):bisect_right(tok_starts, q.start - 1)]
                   if seg <= t[0] and t[1] <= q.start):
            return lead.group()
    act = _activity_core(text, s, q, prev_q, prev_act, toks, tok_starts)
    not_act = set(c["not_activity"])
    i = bisect_right(tok_starts, q.start) - 1
    if act and any(act.lower() == cv or act.lower().endswith(" " + cv) for cv in c["causatives"]) and (q.unit_of_measure or "").lower() in c["person_counters"]:
        # "làm 3 người tử vong", "khiến 2 người bị thương": the caused event is reported
        k = _verb_after(text, toks, i, q, not_act)
        if k is not None:
            act = _extend(text, toks, k, k, toks[k][0], q, not_act, forward=True, stop=_clause_end(text, q.end))
    if act is not None and act == prev_act and prev_q is not None and prev_q.start >= s:
        # a list whose items each carry their own verb after them ("làm 1 người tử vong và
        # 2 người bị thương", "3 người chết, 17 người bị thương"): when the previous item's
        # activity was the verb right after it, this item's verb after it is its own
        k = _verb_after(text, toks, i, q, not_act)
        kp = _verb_after(text, toks, bisect_right(tok_starts, prev_q.start) - 1, prev_q, not_act)
        if k is not None and kp is not None and prev_act.lower().split()[0] == toks[kp][3].lower().split()[0]:
            act = _extend(text, toks, k, k, toks[k][0], q, not_act, forward=True, stop=_clause_end(text, q.end))
    if act is None:
        # no verb in the figure's clause: the sentence's verb before it (a fronted
        # participle, "Khánh thành giữa năm 2023, hai đoạn cao tốc … gần 200 km")
        for k in range(i, -1, -1):
            if toks[k][0] < s:
                break
            if toks[k][1] <= q.start and _is_verb(toks[k], not_act):
                act = _extend(text, toks, k, k, s, q, not_act)
                break
    if act:
        at = text.rfind(act, s, q.start)  # the verb's own occurrence: the last before the figure
        at = at if at >= 0 else text.find(act, q.end)
        if at >= 0:
            neg = re.search(rf"(?:^|\s)((?:{_alt(c['negations'])})\s+)$", text[max(s, at - 14):at], re.IGNORECASE)
            if neg:
                act = neg.group(1) + act
    return act


def _activity_core(text, s, q, prev_q, prev_act, toks, tok_starts) -> str | None:
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
        labelled = _LABELLED_ITEM.fullmatch(between)
        label_toks = [t for t in toks[bisect_right(tok_starts, prev_q.end - 1):bisect_right(tok_starts, q.start - 1)]
                      if labelled and prev_q.end + labelled.start(2) <= t[0] < q.start]
        if labelled and label_toks and label_toks[0][2] in ("N", "Nc", "Np") \
                and _LIST_BETWEEN.fullmatch(labelled.group(1)) and prev_q.start >= s \
                and not any(t[2] == "NAME" or t[3].lower() in _cues()["predicate_markers"] for t in label_toks) and not any(
                t[3].lower() in _verb_lexicon() for t in toks[bisect_right(tok_starts, prev_q.end - 1):
                                                              bisect_right(tok_starts, q.start - 1)]
                if prev_q.end <= t[0] < q.start):
            # a labelled item "…, trong đó bậc mầm non 234.717 học sinh, bậc tiểu học 6.135 lớp":
            # a label without a verb of its own shares the head figure's verb
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
    about = re.search(r"(?:^|\s)về\s", text[max(cs, toks[nearest][0] - 60):toks[nearest][0]].lower())
    if about is not None:
        # a verb inside the topic phrase ("thiệt hại về doanh thu ăn uống khoảng 160 tỷ"):
        # the word the phrase is about, when it reports figures
        at = max(cs, toks[nearest][0] - 60) + about.start()
        for k in range(nearest - 1, first - 1, -1):
            if toks[k][1] <= at and toks[k][0] >= cs:
                if toks[k][3].lower() in _verb_lexicon() and toks[k][3].lower() not in ("có", "là"):
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
            if toks[k][3].lower() in _verb_lexicon() and toks[k][3].lower() not in ("có", "là") and (
                    group - k <= 8 or k > 0 and toks[k - 1][3].lower() in _cues()["nominalizers"]):
                # ("nhu cầu đào tạo giáo viên … là 599 người": a nominalized verb heads the
                # subject however long its complement)
                # a verb inside the noun subject ("tổng số tiền thu nộp … là 312 triệu"):
                # the phrase up to the copula, which names both
                return text[toks[k][0]:toks[group][1]]
    if word == "là" and prev_act and prev_q is not None and prev_q.start >= s \
            and re.search(r"(?:^|\s)là\s*$", text[s:prev_q.start]) and not _has_verb(
                text, prev_q.end, toks[group][0], toks, tok_starts, not_act):
        # a parallel item "…; viên chức là 11.533 người" repeats the previous "bồi dưỡng … là"
        return prev_act
    if word == "có" and not re.search(r"\w", text[toks[group][1]:q.start]) and not re.search(
            rf"(?:^|\s)(?:{_alt(_cues()['negations'])})\s*$", text[max(cs, toks[group][0] - 10):toks[group][0]],
            re.IGNORECASE):
        # (a negated existential, "chưa có 2 trạm y tế đạt chuẩn", is itself the report)
        # existential "có 14 tập thể tham gia đăng ký": the reporting verb after the figures
        k = _first_verb_after(text, toks, i, q, not_act, reporting=True)
        if k is not None:
            return _extend(text, toks, k, k, cs, q, not_act, forward=True, stop=_clause_end(text, q.end))
    return _extend(text, toks, group, group, cs, q, not_act)


# A list item led by a short label before its figure ("bậc tiểu học 6.135 lớp").
_LABELLED_ITEM = re.compile(r"(.*?[,;]\s*(?:trong đó\s*,?\s*)?)([^\d,;:()]{1,40})", re.DOTALL)

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
        if reporting and depth == 0 and word.lower() in _REPORTING_STOPS:
            # the figure's own phrase ends at a preposition: "có 11 thành viên sáng lập với
            # mục đích hướng tới sản xuất" (not at a comma: "có 25% cán bộ, công chức … đạt")
            break
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


# Words that open a new phrase after a counted noun: a verb beyond them is not what the figure did.
_REPORTING_STOPS = frozenset("với để nhằm cho của tại ở trong từ theo về nhưng song".split())


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
        elif t[2] == "N" and " " not in t[3] and lo - 2 >= 0 and toks[lo - 2][0] >= cs \
                and toks[lo - 2][2] == "V" and _is_verb(toks[lo - 2], not_act) \
                and toks[lo - 2][3].lower() not in ("có", "là"):
            # a verb with its one-word object before the verb of purpose: "lấy mẫu xét nghiệm",
            # "cho đất nghỉ" name one act
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
