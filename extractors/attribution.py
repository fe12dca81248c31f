"""Which unit a figure belongs to: candidates → features → a model → the choice.

    choose_units(text, units, quantities, records) -> records with ``unit`` decided

The rules of ``records.py`` walk the discourse and propose one unit per
quantity (the topic they carry, officials, quotation speakers, ``theo …``
sources).  Their proposal is one feature among many here; the decision is a
ranking over every organization the document names plus "no unit", learned
from the annotated corpus (``provnews train``).  To add knowledge, add a
feature below; the model decides how much it counts.
"""
from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from .mentions import Quantity, Record, Unit
from .model_files import ranker
from .record_cues import trie_pattern

MODEL_FILE = "attribution.json"
# Bump when the features below change: the shipped model must be retrained.
FEATURE_VERSION = 8


def _cues() -> dict:
    import json

    from .unit_lexicon import data_text

    return json.loads(data_text("attribution_cues.json"))


def _words(words, flags=0) -> re.Pattern:
    """Any of the words, whole.  Only ever asked whether it occurs (``search`` as a yes or no), so the
    words are a tree of letters (``record_cues.trie_pattern``: the engine compares each letter once
    at every position it tries, not each word), which finds a word wherever the list would."""
    return re.compile(r"\b(?:" + trie_pattern(words, ignore_case=bool(flags & re.IGNORECASE)) + r")\b", flags)


_CUES = _cues()
_CONTEXT_WORDS = tuple(_CUES["context_words"])
_MEDIA_KINDS = frozenset(_CUES["media_kinds"])
# places, not units, open the sentence (`Toàn tỉnh có …`): the figure is the place's
_PLACE_AGENT = re.compile(r"^\W*(?:(?:Trong|Tính đến|Đến|Năm|Riêng|Hiện nay|Ngoài ra)[^,]{0,40},\s*)?"
                          r"(?:toàn|cả|tỉnh|huyện|thành phố|TP\.?|thị xã|xã|phường|quận|địa phương|"
                          r"nước|Việt Nam|thủ đô)\b", re.IGNORECASE)
_THEO = re.compile(r"(?:^|[\s,.(])(?:[Tt]heo|[Cc]ũng theo)(?:\s+(?:báo cáo|thông tin|thống kê|số liệu)(?:\s+\w+)?(?:\s+của)?)?\s")
_PERSON = _words(_CUES["people_before"], re.IGNORECASE)
# a person named in the figure's sentence (`Theo ông Mãi`, `ông Trung cho biết`): their given name
_NAMED_PERSON = re.compile(r"\b(?:" + "|".join(map(re.escape, _CUES["named_person_titles"]))
                           + r")\.?\s+((?:[A-ZĐ]\w*\s+){0,3}[A-ZĐ]\w*)")
_SPEECH = _words(_CUES["speech_verbs"], re.IGNORECASE)


@dataclass(frozen=True)
class _Context:
    """Per-document facts computed once: mentions by name, paragraphs, the title."""

    names: list[str]
    mentions: dict[str, list[Unit]]
    starts: dict[str, list[int]]
    first: str | None
    para_starts: list[int]
    title_end: int
    kinds: dict[str, str | None]
    parents: dict[str, str | None]
    count_rank: dict[str, int]
    lead_end: int
    sent_ends: list[int]
    # every unit mention by start, for "which unit opens this paragraph / sentence"
    all_starts: list[int]
    all_names: list[str]
    # share of the document's records the rules gave each name (None: no unit): its topic
    votes: dict = field(default_factory=dict)
    # text tests asked again for each candidate of a record, or for each record (key → answer)
    memo: dict = field(default_factory=dict)
    # the features of a candidate that do not depend on the record (name → features)
    of_name: dict = field(default_factory=dict)
    # the rules' unit of each record, by paragraph and in text order: the discourse around a figure
    para_votes: dict = field(default_factory=dict)
    rule_order: list = field(default_factory=list)


def _context(text: str, units: list[Unit]) -> _Context:
    mentions: dict[str, list[Unit]] = {}
    for u in sorted(units, key=lambda u: u.start):
        mentions.setdefault(u.name, []).append(u)
    para_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    title_end = _title_end(text)
    kinds = {n: next((u.kind for u in ms if u.kind), None) for n, ms in mentions.items()}
    parents = {n: next((u.parent for u in ms if u.parent), None) for n, ms in mentions.items()}
    first = min(mentions, key=lambda n: mentions[n][0].start) if mentions else None
    count_rank = {n: r for r, n in enumerate(sorted(mentions, key=lambda n: (-len(mentions[n]), mentions[n][0].start)))}
    # the lead: the title and the first two paragraphs after it
    lead_paras = [p for p in para_starts if p >= title_end][:3]
    lead_end = lead_paras[-1] if lead_paras else title_end
    sent_ends = [m.end() for m in re.finditer(r"[.!?…][\"”']?(?=\s)|\n", text)]
    flat = sorted((u.start, u.name) for u in units)
    return _Context(list(mentions), mentions, {n: [u.start for u in ms] for n, ms in mentions.items()},
                    first, para_starts, title_end, kinds, parents, count_rank, lead_end, sent_ends,
                    [a for a, _ in flat], [n for _, n in flat])


def _title_end(text: str) -> int:
    """End of the headline: the first line that is not a ``#`` header (or the ``Title:`` line)."""
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip() and not line.startswith("#") and not line.startswith("Source"):
            return end
        pos = end + 1
    return 0


def _bucket(x: float, edges: tuple[float, ...]) -> str:
    for e, label in zip(edges, _labels(edges)):
        if x <= e:
            return label
    return f">{edges[-1]:g}"


@lru_cache(maxsize=4096)
def _int_bucket(x: int, edges: tuple[float, ...]) -> str:
    """``_bucket`` of a count, kept: the same few counts come back for every candidate."""
    return _bucket(x, edges)


@lru_cache(maxsize=None)
def _labels(edges: tuple[float, ...]) -> list[str]:
    """``_bucket``'s label of each edge, formatted once."""
    return [f"≤{e:g}" for e in edges]


@lru_cache(maxsize=1)
def _context_patterns() -> list[tuple[str, re.Pattern]]:
    """The context words, longest first, each as a pattern ending the text before a name."""
    return [(w, re.compile(r"(?:^|\W)" + re.escape(w) + r"\s*$"))
            for w in sorted(_CONTEXT_WORDS, key=len, reverse=True)]


def _theo_in(text: str, start: int, end: int) -> bool:
    """Does a ``theo …`` source lead (``_THEO``) lie within text[start:end]?

    Every match holds "heo" ([Tt]heo, [Cc]ũng theo) at most 7 characters after
    its start, so the pattern is tried from there (the whole paragraph holds none, mostly)."""
    h = text.find("heo", start, end)
    return h >= 0 and _THEO.search(text, max(start, h - 7), end) is not None


def _left_word(text: str, pos: int) -> str:
    before = text[max(0, pos - 20):pos].lower()
    for w, pattern in _context_patterns():
        if w in before and pattern.search(before):
            return w
    return "other"


def _memo(ctx: _Context, key, compute):
    memo = ctx.memo
    got = memo.get(key, memo)
    if got is memo:
        got = memo[key] = compute()
    return got


# "recency:" + the rank (4 and more as 4), or "recency:none" (index 5)
_RECENCY = ("recency:0", "recency:1", "recency:2", "recency:3", "recency:4", "recency:none")


def _record_rows(text: str, ctx: _Context, q: Quantity, rec: Record, recency: dict[str, int],
                 names: list[str]) -> list[tuple[str | None, dict[str, float]]]:
    """(candidate, features) of one record: "no unit" (None) first, then each of ``names``.

    What depends on the record alone (its facts, the offices its sentence names) is read once
    here for all its candidates."""
    s, e = rec.start, rec.end
    qs = q.start
    memo = ctx.memo
    facts = memo.get(("record", s, e, qs))
    if facts is None:
        facts = memo["record", s, e, qs] = _record_facts(text, ctx, q, s, e)
    (place_agent, person_before, para, pstart, para_end, in_title, q_sent, opens_para, opens_sentence,
     sent_words, colon_at, neighbours, persons) = facts
    # the offices the sentence names, and the latest unit named of each kind
    offices = memo.get(("offices", s, e))
    if offices is None:
        offices = memo["offices", s, e] = _sentence_offices(text, s, e)
    latest = None
    if offices:
        latest = memo.get(("kind_latest", qs))
        if latest is None:
            latest = memo["kind_latest", qs] = _kind_latest(ctx, recency)
    f = _null_features(text, ctx, q, rec, facts)
    if offices:
        f["null:titled_kind_named"] = 1.0 if any(k in latest for k in offices) else 0.0
    rows: list[tuple[str | None, dict[str, float]]] = [(None, f)]
    of_record = memo.get(("of_record", s, e, qs))
    if of_record is None:
        of_record = memo["of_record", s, e, qs] = {
            "rule_is_null": float(rec.unit is None), "in_title": float(in_title),
            "place_agent": place_agent, "person_before": person_before}
    unit = rec.unit
    parents, kinds = ctx.parents, ctx.kinds
    unit_parent = parents.get(unit) if unit is not None else None  # (a name is never None)
    unit_low = unit.lower() if unit is not None else ""
    sent_ends, all_mentions, all_starts = ctx.sent_ends, ctx.mentions, ctx.starts
    qe = q.end
    for name in names:
        starts = all_starts[name]
        i = bisect_left(starts, qs)
        # what depends on the candidate's mentions before q and the paragraph alone (the same for
        # every record of the paragraph up to the candidate's next mention)
        fixed = memo.get(("fixed", name, i, para))
        if fixed is None:
            fixed = memo["fixed", name, i, para] = _fixed_features(text, ctx, name, i, para, pstart, para_end)
        r = recency.get(name)
        # the name written otherwise in the sentence (`ngành y tế Hòa Bình`, `Minh Tien Coffee`)
        words = _name_words(name)
        # (one dict display: a literal costs less than a store per feature)
        f = {
            **fixed,
            **of_record,
            "rule": 1.0 if unit == name else 0.0,
            _RECENCY[5 if r is None else r if r < 4 else 4]: 1.0,
            "rule_parent": 1.0 if unit_parent == name else 0.0,
            "rule_child": 1.0 if unit is not None and parents.get(name) == unit else 0.0,
            "opens_para": 1.0 if opens_para == name else 0.0,
            "first_in_sentence": 1.0 if opens_sentence == name else 0.0,
            "neighbours_rule": ((neighbours[0] == name) + (neighbours[1] == name)) / 2,
            "name_words_in_sentence": len(words & sent_words) / len(words) if words else 0.0,
        }
        if i > 0:
            prev = all_mentions[name][i - 1]
            ps, pe = prev.start, prev.end
            clause_start = max(text.rfind(",", s, ps), text.rfind(";", s, ps), text.rfind(":", s, ps)) + 1
            speech = memo.get(("speech", pe, e))
            if speech is None:
                speech = memo["speech", pe, e] = float(bool(_SPEECH.search(text, pe, min(e, pe + 80))))
            f["prev:same_sentence"] = 1.0 if ps >= s else 0.0
            f["prev:logdist"] = math.log1p(max(qs - pe, 0)) / 10
            f["prev:clause_subject"] = 1.0 if len(text[max(s, clause_start):ps].split()) <= 2 else 0.0
            f["prev:sentence_subject"] = 1.0 if len(text[s:ps].split()) <= 3 else 0.0
            f["prev:sents_back:" + _int_bucket(q_sent - bisect_right(sent_ends, pe), (0, 1, 2, 4, 8))] = 1.0
            f["prev:before_colon"] = 1.0 if colon_at >= 0 and pe <= colon_at and ps >= s else 0.0
            f["prev:speech_after"] = speech
            if persons:
                # (the answer for the first i mentions, kept: the next records ask it again)
                got = memo.get(("near_any", name, i, persons))
                if got is None:
                    got = memo["near_any", name, i, persons] = float(any(
                        _memo(ctx, ("near", m.start, persons), lambda m=m: _near_person(text, m.start, m.end, persons))
                        for m in all_mentions[name][:i]))
                f["prev:person_official"] = got
        if i < len(starts) and starts[i] < e:
            ns = starts[i]
            f["next:same_sentence"] = 1.0
            left = memo.get(("left", ns))
            if left is None:
                left = memo["left", ns] = _left_word(text, ns)
            f["next:left:" + left] = 1.0
            f["next:logdist"] = math.log1p(max(ns - qe, 0)) / 10
        if unit is not None and unit != name:
            b = name.lower()
            f["rule_name_overlap"] = 1.0 if unit_low.startswith(b) or b.startswith(unit_low) else 0.0
        if offices:
            kind = kinds.get(name)
            if kind in offices:
                f["disc:titled_kind"] = 1.0
                f["disc:titled_kind_latest"] = 1.0 if latest.get(kind) == name else 0.0
        rows.append((name, f))
    return rows


def _null_features(text: str, ctx: _Context, q: Quantity, rec: Record, facts: tuple) -> dict[str, float]:
    """The features of "no unit" for one record (``facts``: its ``_record_facts``)."""
    s, e = rec.start, rec.end
    (place_agent, person_before, para, pstart, para_end, in_title, q_sent, opens_para, opens_sentence,
     sent_words, colon_at, neighbours, persons) = facts
    f: dict[str, float] = {}
    f["null"] = 1.0
    f["null:rule"] = float(rec.unit is None)
    # "a mention starts in [a, b)": two bisections on the sorted starts of every mention
    starts, at_q = ctx.all_starts, bisect_left(ctx.all_starts, q.start)
    f["null:unit_in_sentence_before"] = float(bisect_left(starts, s) < at_q)
    f["null:unit_in_sentence_after"] = float(bisect_left(starts, q.end) < bisect_left(starts, e))
    f["null:place_agent"] = place_agent
    f["null:person"] = person_before
    f["null:location"] = float(rec.location is not None)
    f["null:no_units_in_doc"] = float(not ctx.names)
    f["null:rule_share"] = ctx.votes.get(None, 0.0)
    # what the figure measures: an age or a price belongs to no unit more often than a count of tests
    f["null:dim=" + (q.dimension or "")] = 1.0
    f["null:uom=" + (q.unit_of_measure or "").lower()] = 1.0
    f["null:doc_pos"] = q.start / max(len(text), 1)
    f["null:in_lead"] = float(q.start < ctx.lead_end)
    f["null:in_title"] = float(in_title)
    f["null:unit_in_para_before"] = float(bisect_left(starts, pstart) < at_q)
    f["null:para_rule_share"] = ctx.para_votes.get((para, None), 0.0)
    f["null:neighbours_rule"] = ((neighbours[0] is None) + (neighbours[1] is None)) / 2
    f["null:theo_in_para"] = float(_theo_in(text, pstart, q.start))
    nearest = starts[at_q - 1] if at_q else None
    f["null:dist:" + _bucket(math.log1p(q.start - nearest) if nearest is not None else 99,
                             (3, 5, 6, 7, 8))] = 1.0
    if nearest is not None:
        f["null:paras_back:" + _bucket(para - (bisect_right(ctx.para_starts, nearest) - 1), (0, 1, 2, 4))] = 1.0
    return f


def _fixed_features(text: str, ctx: _Context, name: str, i: int, para: int, pstart: int,
                    para_end: int) -> dict[str, float]:
    """The features of candidate ``name`` for a figure after its first ``i`` mentions, in paragraph
    ``para``: those of the name, of its last mention before the figure, and of its mentions in the paragraph."""
    memo = ctx.memo
    of_name = ctx.of_name.get(name)
    if of_name is None:
        of_name = ctx.of_name[name] = _name_features(ctx, name)
    starts, ms = ctx.starts[name], ctx.mentions[name]
    in_para = ms[bisect_left(starts, pstart):i]  # its mentions in the paragraph, before q
    f = {
        **of_name,
        "mentions_before:log": math.log1p(i),
        "mentions_after:log": math.log1p(len(starts) - i),
        "para_mentions:log": math.log1p(bisect_left(starts, para_end) - bisect_left(starts, pstart)),
        "para_rule_share": ctx.para_votes.get((para, name), 0.0),
        "frame:theo_in_para": float(any(_memo(ctx, ("theo", pstart, m.start), lambda: _theo_in(
            text, max(pstart, m.start - 25), m.start)) for m in in_para)),
        "frame:para_opening": float(any(m.start - pstart < 60 for m in in_para)),
    }
    if i == 0:
        f["prev:none"] = 1.0
        return f
    ps = ms[i - 1].start
    # what depends on the mention alone: its paragraph, the words before it
    got = memo.get(("mention", ps))
    if got is None:
        got = memo["mention", ps] = _mention_features(text, ctx, ps)
    prev_para, of_prev = got
    f.update(of_prev)
    f["prev:same_para"] = float(prev_para == para)
    f["prev:paras_back:" + _int_bucket(para - prev_para, (0, 1, 2, 4))] = 1.0
    return f


def _mention_features(text: str, ctx: _Context, ps: int) -> tuple[int, dict[str, float]]:
    """A mention starting at ``ps`` as the candidate's last one before a figure: its paragraph, and
    the features that depend on it alone (the word before it, a ``theo …`` lead, an official's title)."""
    left = _memo(ctx, ("left", ps), lambda: _left_word(text, ps))
    # the mention is a `theo …` source, or an official's organization (`ông X, Giám đốc Sở …`):
    # a frame that may cover sentences after it, whatever the paragraphs
    theo = _memo(ctx, ("theo", 0, ps), lambda: _theo_in(text, max(0, ps - 25), ps))
    return bisect_right(ctx.para_starts, ps) - 1, {
        "prev:left:" + left: 1.0,
        "prev:in_title": float(ps < ctx.title_end),
        "prev:theo_lead": float(theo),
        "prev:official": float(bool(_PERSON.search(text, max(0, ps - 60), ps))),
    }


@lru_cache(maxsize=4096)
def _name_words(name: str) -> frozenset:
    return frozenset(_plain(name).split())


class _PlainChars(dict):
    """``str.translate`` table, filled as characters are met: each letter without its marks
    (NFD, combining marks dropped; đ is d); anything but a-z, digits and spaces dropped."""

    def __missing__(self, c: int) -> str:
        ch = chr(c)
        base = "d" if ch == "đ" else "".join(x for x in unicodedata.normalize("NFD", ch)
                                             if not unicodedata.combining(x))
        got = self[c] = "".join(x for x in base if ("a" <= x <= "z") or x.isdigit() and x.isascii() or x.isspace())
        return got


_PLAIN_CHARS = _PlainChars()


def _plain(text: str) -> str:
    """Lowercase syllables without diacritics: the same name however it is accented or cased."""
    return text.lower().translate(_PLAIN_CHARS)


def _record_facts(text: str, ctx: _Context, q: Quantity, s: int, e: int) -> tuple:
    """What every candidate of a record reads: its regex tests, paragraph, sentence and first mentions."""
    place_agent = float(bool(_PLACE_AGENT.match(text, s)))
    person_before = float(bool(_PERSON.search(text[s:q.start])))
    para = bisect_right(ctx.para_starts, q.start) - 1
    pstart = ctx.para_starts[para]
    para_end = ctx.para_starts[para + 1] if para + 1 < len(ctx.para_starts) else len(text)
    # the name of the first mention of the paragraph (if before q) and of the sentence
    starts, names = ctx.all_starts, ctx.all_names
    k = bisect_left(starts, pstart)
    opens_para = names[k] if k < len(starts) and starts[k] < q.start else None
    k = bisect_left(starts, s)
    opens_sentence = names[k] if k < len(starts) and starts[k] < e else None
    # per sentence: its plain syllables and the people it names (several figures share a sentence)
    sent_words, persons = _memo(ctx, ("sentence", s, e), lambda: (
        frozenset(_plain(text[s:e]).split()),
        tuple({m.group(1).split()[-1] for m in _NAMED_PERSON.finditer(text, s, e)})))
    # a colon before the figure in its sentence: what stands before it introduces a list
    colon_at = text.rfind(":", s, q.start)
    # the rules' units of the records just before and after this one
    order = ctx.rule_order
    k = bisect_left(order, (q.start,))
    neighbours = (order[k - 1][1] if k else "", order[k + 1][1] if k + 1 < len(order) else "")
    return (place_agent, person_before, para, pstart, para_end, q.start < ctx.title_end,
            bisect_right(ctx.sent_ends, q.start), opens_para, opens_sentence, sent_words, colon_at,
            neighbours, persons)


def _near_person(text: str, start: int, end: int, persons: tuple) -> bool:
    """Is one of the given names written next to this mention (`ông Lâm Trọng Nghĩa, Phó giám đốc …`)?"""
    around = text[max(0, start - 90):end + 40]
    return any(re.search(r"\b" + re.escape(p) + r"\b", around) for p in persons)


def _name_features(ctx: _Context, name: str) -> dict[str, float]:
    """The features of candidate ``name`` that are the same for every record of the document."""
    kind = ctx.kinds.get(name) or "none"
    return {
        "count_rank:" + str(min(ctx.count_rank[name], 3)): 1.0,
        "in_lead": float(ctx.mentions[name][0].start < ctx.lead_end),
        "mentions:log": math.log1p(len(ctx.starts[name])),
        "first_in_doc": float(name == ctx.first),
        "kind:" + kind: 1.0,
        "media": float(kind in _MEDIA_KINDS),
        "candidates:log": math.log1p(len(ctx.names)),
        "rule_share": ctx.votes.get(name, 0.0),
        "title_mention": float(ctx.mentions[name][0].start < ctx.title_end),
    }


def _recency(ctx: _Context, pos: int) -> dict[str, int]:
    """Rank of each candidate by its last mention before ``pos`` (0 = most recent)."""
    last = {}
    for n, sts in ctx.starts.items():
        j = bisect_left(sts, pos)
        if j:
            last[n] = sts[j - 1]
    return {n: r for r, n in enumerate(sorted(last, key=last.get, reverse=True))}


# ---------------------------------------------------------------- offices standing for their organization
# A figure's sentence often names an office, not the organization (`Bộ trưởng cho biết …`,
# `Hiệu trưởng nhà trường`, `Giám đốc Sở khẳng định …`): the figure belongs to the unit of
# that office's kind named most recently before it.  The offices and their kinds are data
# (``title_kinds`` of unit_discourse.json); the model learns how much they count.


@lru_cache(maxsize=1)
def _title_kinds() -> tuple[re.Pattern, dict[str, frozenset]]:
    """Offices (``title_kinds`` of unit_discourse.json) as one pattern, and the unit kinds each implies."""
    import json

    from .unit_lexicon import data_text

    table = json.loads(data_text("unit_discourse.json"))["title_kinds"]
    # (a tree of letters: the longest office first at each place, as the sorted alternation it replaced)
    pattern = re.compile(r"(?<!\w)(?:" + trie_pattern(list(table), ignore_case=True) + r")(?!\w)", re.IGNORECASE)
    return pattern, {w.lower(): frozenset(k) for w, k in table.items()}


def _sentence_offices(text: str, s: int, e: int) -> frozenset:
    """The unit kinds the offices named in text[s:e] belong to."""
    pattern, table = _title_kinds()
    kinds: set = set()
    for m in pattern.finditer(text, s, e):
        kinds |= table.get(m.group().lower(), frozenset())
    return frozenset(kinds)


def _kind_latest(ctx: _Context, recency: dict[str, int]) -> dict:
    """The most recently mentioned name of each kind (before the figure)."""
    best: dict = {}
    for n, r in recency.items():
        k = ctx.kinds.get(n)
        if k and (k not in best or r < recency[best[k]]):
            best[k] = n
    return best


def candidate_rows(text: str, units: list[Unit], quantities: list[Quantity],
                   records: list[Record]):
    """For each record: (record index, [(candidate name or None, features)])."""
    ctx = _context(text, units)
    if records:
        votes: dict = {}
        for rec in records:
            votes[rec.unit] = votes.get(rec.unit, 0) + 1
        ctx.votes.update({n: c / len(records) for n, c in votes.items()})
        per_para: dict = {}
        for rec in records:
            at = quantities[rec.quantity].start
            per_para.setdefault(bisect_right(ctx.para_starts, at) - 1, []).append(rec.unit)
            ctx.rule_order.append((at, rec.unit))
        ctx.rule_order.sort(key=lambda t: t[0])
        for para, got in per_para.items():
            for n in set(got):
                ctx.para_votes[para, n] = got.count(n) / len(got)
    out = []
    many = len(ctx.names) > MAX_CANDIDATES
    for ri, rec in enumerate(records):
        q = quantities[rec.quantity]
        recency = _recency(ctx, q.start)
        names = _names_near(text, ctx, q, rec, recency) if many else ctx.names
        out.append((ri, _record_rows(text, ctx, q, rec, recency, names)))
    return out


# Every name of the document is a candidate of every figure, which is what the model was trained
# on (no annotated document names more than about 30 organizations).  A page naming hundreds (a
# whole year's reports pasted into one article, a directory) would make that a row per figure per
# name: time and memory growing with the square of the page.  There, a figure's candidates are the
# names that can still win: the most recently named, those of its paragraph, the rules' choice and
# the document's own topic (first, most named, in the title).
MAX_CANDIDATES = 48
_RECENT_KEPT = 24
_TOPIC_KEPT = 8


def _names_near(text: str, ctx: _Context, q: Quantity, rec: Record, recency: dict[str, int]) -> list[str]:
    """The candidates of one figure in a document naming more than ``MAX_CANDIDATES`` units, in
    the document's order of names (as ``ctx.names``, so ties break as they would among all)."""
    para = bisect_right(ctx.para_starts, q.start) - 1
    pstart = ctx.para_starts[para]
    pend = ctx.para_starts[para + 1] if para + 1 < len(ctx.para_starts) else len(text)
    starts = ctx.all_starts
    keep = set(ctx.all_names[bisect_left(starts, pstart):bisect_left(starts, pend)])
    keep.update(n for n, r in recency.items() if r < _RECENT_KEPT)
    keep.update(_memo(ctx, "topic names", lambda: {  # the same for every figure of the document
        n for n in ctx.names if ctx.count_rank[n] < _TOPIC_KEPT or ctx.mentions[n][0].start < ctx.title_end}))
    keep.update((ctx.first, rec.unit, ctx.parents.get(rec.unit) if rec.unit is not None else None))
    keep.update(n for n, p in ctx.parents.items() if p is not None and p == rec.unit)
    return [n for n in ctx.names if n in keep]


def choose_units(text: str, units: list[Unit], quantities: list[Quantity],
                 records: list[Record], model=None) -> list[Record]:
    """Records with ``unit`` set to the model's best-ranked candidate (in place; returned)."""
    if not records:
        return records
    if not units:
        # "no unit" is then every record's only candidate: the model cannot choose otherwise
        for rec in records:
            rec.unit = None
        return records
    model = model or ranker(MODEL_FILE, FEATURE_VERSION)
    groups = candidate_rows(text, units, quantities, records)
    flat = [f for _, cands in groups for _, f in cands]
    scores = iter(model.scores(flat))  # one call for the document: tree models are batched
    for ri, cands in groups:
        scored = [(next(scores), i) for i in range(len(cands))]
        scored[0] = (scored[0][0] + NONE_OFFSET, 0)  # "no unit" is always the first candidate
        records[ri].unit = cands[max(scored)[1]][0]
    return records


# Added to the score of "no unit" before the choice.  The ranker says "no unit" where annotators
# name an organization the page is about about four times as often as the reverse (held-out CV:
# 1,187 against 303), and a lower "no unit" trades some of the first for fewer of the second.
# Held-out 5-fold CV records F1 (the ranker retrained per fold, the offset applied after):
# 0: .7264, -0.15: .7298, -0.22: .7295, -0.3: .7302, -0.38: .7305, -0.45: .7302, -0.6: .7289,
# -1.0: .7158; the middle of the plateau is taken.
NONE_OFFSET = -0.3
