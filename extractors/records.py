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

One job per module: ``record_cues.py`` (the cue words and patterns, from the
data files), ``record_speakers.py`` (officials and the organizations they speak
for, quotations and their speakers), ``record_events.py`` (what in a sentence
sets the current subject), ``record_activity.py`` (the rules' activity), and
this module, which walks the text and makes the records.
Cue words are data: ``data/activity_cues.json``, ``data/unit_discourse.json``.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from .mentions import Period, Quantity, Record, Unit
from .segment import sentence_spans, token_rows
from .record_activity import is_verb, not_activity, rule_activity
from .record_cues import NOT_SUBJECT_KINDS, patterns
from .record_events import apply_event, clause_start, elsewhere_event, find_events, kind_backrefs, mid_sentence, paragraph_index
from .record_speakers import find_officials, quoted_speakers


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
    para_of = paragraph_index(text)
    # words inside a unit's name are never its activity (Trung tâm Ứng dụng …)
    spans = sorted((u.start, u.end) for u in units)
    # A position is in a unit when the unit that starts last at or before it reaches it.
    # The positions that holds for, as a set: one look-up per word instead of a bisect.
    inside: set[int] = set()
    for j, (a, b) in enumerate(spans):
        nxt = spans[j + 1][0] if j + 1 < len(spans) else b
        if nxt != a:  # (of units starting together, the last in this order is the one)
            inside.update(range(a, min(b, nxt)))
    toks = _split_tokens(text, doc, spans, quantities, inside.__contains__)
    tok_starts = [t[0] for t in toks]
    periods = _own_periods(text)
    units = sorted(units, key=lambda u: u.start)
    unit_starts = [u.start for u in units]

    officials = find_officials(text, units)
    quoted = quoted_speakers(text, units, officials)
    records: list[Record] = []
    explicit: set[int] = set()  # records whose null unit the sentence itself states
    current: str | None = None
    current_para = -1
    qi = 0
    order = sorted(range(len(quantities)), key=lambda i: quantities[i].start)
    for s, e in sents:
        events = find_events(text, s, e, units, officials)
        backrefs = kind_backrefs(text, s, e, units, toks, tok_starts)
        away = elsewhere_event(text, s, e)
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
        if patterns()["field_line"].match(text, s):
            # "Summary:", "Content:" … open a new part of the record: nothing carries over
            current, current_para = None, para
        ev_i = 0
        prev_q, prev_act = None, None
        places = None  # the sentence's places outside units, found at its first quantity that needs them
        for idx in sent_qs:
            q = quantities[idx]
            while ev_i < len(events) and events[ev_i].pos <= q.start:
                current, current_para = apply_event(events[ev_i], current, current_para, para)
                ev_i += 1
            unit = whole.unit if whole is not None else current
            owner = _owner_after(text, q, units)
            speaker = next(((u,) for a, b, u in quoted if a <= q.start < b), None)
            pivot = _pivot_agent(text, s, q, units, unit_starts, toks, tok_starts)
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
            act = rule_activity(text, s, q, prev_q, prev_act, toks, tok_starts)
            if unit is None and agent_place:
                loc = agent_place
            else:
                if places is None:
                    places = _places(text, s, e, units)
                loc = _location(places, q)
            own = _own_period(periods, s, e, q)
            records.append(Record.for_quantity(
                idx, q, unit=unit, activity=act, sentence=text[s:e], start=s, end=e,
                period=own or period, location=loc))
            prev_q, prev_act = q, act
        for ev in events[ev_i:]:
            current, current_para = apply_event(ev, current, current_para, para)
    # quantities outside every sentence (should not happen): plain records
    done = {r.quantity for r in records}
    for i, q in enumerate(quantities):
        if i not in done:
            records.append(Record.for_quantity(i, q, unit=None, activity=None, sentence=q.text,
                                               start=q.start, end=q.end, period=period))
    records.sort(key=lambda r: r.quantity)
    _same_fact(records, quantities, explicit)
    return records


def _pivot_agent(text, s, q, units, unit_starts, toks, tok_starts) -> str | None:
    """A unit that is the object of a causative verb and the agent of the next one.

    ``… đồng ý cho Trung tâm Y tế mua 10.000 khẩu trang``, ``giao Sở Tài chính cấp
    2 tỷ đồng``: the figure is what the unit after ``cho``/``giao``/``yêu cầu`` does,
    within that clause only.
    """
    cs = clause_start(text, s, q.start)
    not_act = not_activity()
    # (units in text order, ``unit_starts`` their starts: only those starting in the clause up to
    # the figure are looked at)
    for u in units[bisect_left(unit_starts, cs):bisect_right(unit_starts, q.start)]:
        if not (cs <= u.start and u.end <= q.start) or u.kind in NOT_SUBJECT_KINDS:
            continue
        if not patterns()["pivot"].search(text[max(cs, u.start - 14):u.start]):
            continue
        k = bisect_right(tok_starts, u.end - 1)
        while k < len(toks) and toks[k][0] < u.end:
            k += 1
        if k < len(toks) and toks[k][0] < q.start and toks[k][3][:1].islower() and is_verb(toks[k], not_act) \
                and not _COMMA.search(text, u.end, q.start):
            return u.name
    return None


_COMMA = re.compile(r"[,;]")
_OF_AFTER = re.compile(r"\s*của\s+")  # compiled once: _owner_after runs for every quantity


def _owner_after(text: str, q: Quantity, units: list[Unit]) -> str | None:
    """The unit a figure is said to belong to right after it (``15 triệu đồng của Ban ATGT tỉnh``)."""
    m = _OF_AFTER.match(text[q.end:q.end + 12])
    if not m:
        return None
    at = q.end + m.end()
    u = next((u for u in units if u.start == at), None)
    return u.name if u is not None and u.kind not in NOT_SUBJECT_KINDS else None


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
    n_cuts = len(cuts)
    out = []
    # ci: how many cuts lie at or before the word's start (bisect_right(cuts, a)), moved along
    # with the words, which come in text order: most words have no cut inside and need no bisect
    ci, prev_a = 0, -1
    for a, b, word, tag in token_rows(doc):
        if word.isspace():
            continue
        if a < prev_a:  # (rows out of order: find the place again)
            ci = bisect_right(cuts, a)
        prev_a = a
        while ci < n_cuts and cuts[ci] <= a:
            ci += 1
        if (ci == n_cuts or cuts[ci] >= b) and word and " " not in word and not word[0].isspace() \
                and not word[-1].isspace():
            # the usual word: one syllable, nothing cut inside, no white space around it
            if in_unit(a):
                out.append((a, b, "NAME", word))
            elif word[:1].isupper() and mid_sentence(text, a):
                out.append((a, b, "CAP", word))  # a capital inside a sentence starts a name
            else:
                out.append((a, b, tag, word))
            continue
        i0, i1 = ci, bisect_left(cuts, b, ci)  # the cuts strictly inside the word
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
            # how many syllables from the first are capitalized (most words: none)
            n_cap = next((k for k, w in enumerate(words) if not w[:1].isupper()), len(words)) \
                if words and words[0][:1].isupper() else 0
            if words and 0 < n_cap < len(words) and (
                    n_cap > 1 or words[0].isupper() or any(ch.isdigit() for ch in words[0])):
                # a name glued to the next word by the segmenter ("huyện Phù Mỹ trồng"):
                # the name, then the word with the segment's tag
                cut = lo2 + len(" ".join(words[:n_cap]))
                out.append((lo2, cut, "CAP", text[lo2:cut]))
                lo2 = cut + 1
                stripped = text[lo2:hi2]
            elif stripped[:1].isupper() and mid_sentence(text, lo2):
                tag = "CAP"  # a capital inside a sentence starts a name (ngành Quản lý công, thị xã Phú Mỹ)
            out.append((lo2, hi2, tag, stripped))
    return out


def _places(text, s, e, units) -> list[tuple[int, str]]:
    """(start, text) of each place named in text[s:e] outside a unit's name."""
    return [(m.start(), m.group().strip()) for m in patterns()["place"].finditer(text, s, e)
            if not any(u.start <= m.start() < u.end for u in units)]


def _location(places, q) -> str | None:
    """The place nearest the quantity (the first of two as near)."""
    best = None
    for at, place in places:
        d = abs(at - q.start)
        if best is None or d < best[0]:
            best = (d, place)
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
