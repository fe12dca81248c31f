"""The rules' activity of a quantity: the verb group that governs it.

    rule_activity(text, s, q, prev_q, prev_act, toks, tok_starts) -> str | None

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

The learned choice among these candidates is ``activities.py``.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from importlib import resources

from .record_cues import cue_words, trie_pattern
from .record_events import CLAUSE_COLON, clause_start, strip_adverbials


@lru_cache(maxsize=1)
def _verb_lexicon() -> frozenset:
    lines = resources.files("extractors.data").joinpath("activity_verbs.txt").read_text(encoding="utf-8")
    return frozenset(l.strip() for l in lines.splitlines() if l.strip() and not l.startswith("#"))


def is_verb(tok, not_act) -> bool:
    t0, t1, tag, word = tok
    low = word.lower()
    if low in not_act or not any(ch.isalpha() for ch in word) or tag == "CAP":
        return False
    return tag.startswith("V") or low in _verb_lexicon()


_QUALIFIER_WORDS = r"(?:khoảng|gần|hơn|trên|dưới|xấp xỉ|ước|ước tính|tối đa|tối thiểu|ít nhất|chỉ|từ|đến|lên|còn)"


@lru_cache(maxsize=1)
def not_activity() -> frozenset:
    """Words that are never an activity (``cue_words()["not_activity"]``)."""
    return frozenset(cue_words()["not_activity"])


@lru_cache(maxsize=1)
def _light_verbs() -> frozenset:
    return frozenset(cue_words()["light_verbs"])


@lru_cache(maxsize=1)
def _cue_patterns() -> dict[str, re.Pattern]:
    """The patterns ``rule_activity`` and ``_activity_core`` build from the cue words, compiled once."""
    c = cue_words()
    negations = trie_pattern(c["negations"], ignore_case=True)
    return {
        # an adjective predicating a measurement, qualifiers after it, ending the text
        "dimension_adjective": re.compile(
            rf"(?:^|\s)({trie_pattern(c['dimension_adjectives'], ignore_case=True)})(?:\s+{_QUALIFIER_WORDS})*\s*$", re.IGNORECASE),
        "duration_lead": re.compile(
            rf"(?:^|\s)(?:{trie_pattern(c['duration_leads'], ignore_case=True)})(?:\s+{_QUALIFIER_WORDS})*\s*$", re.IGNORECASE),
        "negation_group": re.compile(rf"(?:^|\s)((?:{negations})\s+)$", re.IGNORECASE),
        "negation_end": re.compile(rf"(?:^|\s)(?:{negations})\s*$", re.IGNORECASE),
    }


# rule_activity's and _activity_core's fixed patterns, compiled once: they run for every
# quantity, and ``re``'s own cache costs a look-up per call
_DIMENSION_NOUN_END = re.compile(r"(?:chiều|độ|bề)\s*$", re.IGNORECASE)
_NOMINALIZED_OF_END = re.compile(r"(?:^|\s)sự\s+([^\s,;:]+(?:\s+[^\s,;:]+)?)\s+của\s*$", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
_OPEN_BRACKET = re.compile(r"\s*\(\s*")
_WITH_END = re.compile(r"\bvới(?:\s+(?:số lượng|tổng số|tổng|tổng cộng))?\s*$")
_ABOUT = re.compile(r"(?:^|\s)về\s")
_PLACE_PHRASE_END = re.compile(r"(?:^|\s)(?:tại|ở|trên|tới)(?:\s+\w+){0,2}\s*$")
_COPULA_END = re.compile(r"(?:^|\s)là\s*$")
_CLAUSE_END = re.compile(r"[;:.!?\n]")


def rule_activity(text, s, q, prev_q, prev_act, toks, tok_starts) -> str | None:
    """The verb that governs the quantity, with a negation before it (``chưa có``)."""
    c = cue_words()
    pats = _cue_patterns()
    not_act = not_activity()
    before = text[max(s, q.start - 40):q.start]
    # a measurement predicated by an adjective: "Toàn tuyến dài gần 32 km", "Mỗi trạm rộng 5 ha"
    m = pats["dimension_adjective"].search(before)
    if m and not _DIMENSION_NOUN_END.search(before[:m.start(1)]):
        # only as the clause's predicate: after a verb it modifies the object
        # ("làm đường rộng 7-12 m", "đạt cao đến 105 tạ/ha")
        cs = clause_start(text, s, q.start)
        adj_at = q.start - len(before) + m.start(1)
        lo = bisect_right(tok_starts, cs - 1)
        if not any(is_verb(t, not_act) and t[3].lower() not in ("có", "là")
                   for t in toks[lo:bisect_right(tok_starts, adj_at - 1)] if t[0] >= cs):
            return m.group(1)
    # a nominalized verb owned by the figure: "với sự tham dự của trên 500 đại biểu"
    m = _NOMINALIZED_OF_END.search(before)
    if m and m.group(1).lower() in _verb_lexicon():
        return m.group(1)
    # a duration after "sau"/"qua" measures the verb after it: "sau gần 10 ngày phát động"
    if (q.unit_of_measure or "") in ("ngày", "tháng", "năm", "tuần", "giờ") and pats["duration_lead"].search(before):
        k = bisect_right(tok_starts, q.end - 1)
        while k < len(toks) and toks[k][0] < q.end:
            k += 1
        if k < len(toks) and toks[k][0] - q.end <= 2 and is_verb(toks[k], not_act):
            return _extend(text, toks, k, k, toks[k][0], q, not_act, forward=True, stop=_clause_end(text, q.end))
    # a qualifier that is a verb ("khối ngành III vượt 79% chỉ tiêu", "Quản lý Kinh tế (vượt
    # 96,6%)"): it governs the figure when its phrase has no verb of its own
    lead = _WORD.match(q.text)
    if lead and lead.group().lower() in c.get("qualifier_verbs", ()):
        seg = max(clause_start(text, s, q.start), *(text.rfind(ch, s, q.start) + 1 for ch in ",("))
        if not any(is_verb(t, not_act) for t in toks[bisect_right(tok_starts, seg - 1):bisect_right(tok_starts, q.start - 1)]
                   if seg <= t[0] and t[1] <= q.start):
            return lead.group()
    act = _activity_core(text, s, q, prev_q, prev_act, toks, tok_starts)
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
            if toks[k][1] <= q.start and is_verb(toks[k], not_act):
                act = _extend(text, toks, k, k, s, q, not_act)
                break
    if act:
        at = text.rfind(act, s, q.start)  # the verb's own occurrence: the last before the figure
        at = at if at >= 0 else text.find(act, q.end)
        if at >= 0:
            neg = pats["negation_group"].search(text[max(s, at - 14):at])
            if neg:
                act = neg.group(1) + act
    return act


def _activity_core(text, s, q, prev_q, prev_act, toks, tok_starts) -> str | None:
    not_act = not_activity()
    cs = clause_start(text, s, q.start)
    # a share in brackets, or the next item of a list: the previous figure's verb
    if prev_q is not None:
        between = text[prev_q.end:q.start]
        if _OPEN_BRACKET.fullmatch(between):
            return prev_act
        if _WITH_END.search(between) and prev_q.start >= cs - 200:
            return prev_act  # "kiểm tra … tại 29 cơ sở … với 29 lượt": the same act
        if _LIST_BETWEEN.fullmatch(between) and \
                not _has_verb(text, prev_q.end, q.start, toks, tok_starts, not_act):
            return prev_act
        labelled = _LABELLED_ITEM.fullmatch(between)
        label_toks = [t for t in toks[bisect_right(tok_starts, prev_q.end - 1):bisect_right(tok_starts, q.start - 1)]
                      if labelled and prev_q.end + labelled.start(2) <= t[0] < q.start]
        if labelled and label_toks and label_toks[0][2] in ("N", "Nc", "Np") \
                and _LIST_BETWEEN.fullmatch(labelled.group(1)) and prev_q.start >= s \
                and not any(t[2] == "NAME" or t[3].lower() in cue_words()["predicate_markers"] for t in label_toks) and not any(
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
        if is_verb(toks[k], not_act):
            nearest = k
            break
    after = _verb_after(text, toks, i, q, not_act)
    seg_start = max(cs, text.rfind(",", cs, q.start) + 1)
    opens = not _WORD_CHAR.search(strip_adverbials(text[seg_start:q.start]))
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
            if toks[k][0] >= q.end and is_verb(toks[k], not_act):
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
            if toks[k][1] <= vm.start() and toks[k][0] >= cs and is_verb(toks[k], not_act) \
                    and toks[k][3].lower() not in ("có", "là") \
                    and not (k > 0 and toks[k - 1][2] in ("N", "Nc") and toks[k - 1][0] >= cs):
                # (a verb right after a noun modifies it: dự án đầu tư, hàng hóa vi phạm)
                nearest = k
                break
    about = _ABOUT.search(text[max(cs, toks[nearest][0] - 60):toks[nearest][0]].lower())
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
    if _PLACE_PHRASE_END.search(before):
        # a place or object phrase: the clause's first verb governs it (kiểm tra … tại 29 cơ sở)
        for k in range(first, nearest + 1):
            if toks[k][0] >= cs and is_verb(toks[k], not_act):
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
                    group - k <= 8 or k > 0 and toks[k - 1][3].lower() in cue_words()["nominalizers"]):
                # ("nhu cầu đào tạo giáo viên … là 599 người": a nominalized verb heads the
                # subject however long its complement)
                # a verb inside the noun subject ("tổng số tiền thu nộp … là 312 triệu"):
                # the phrase up to the copula, which names both
                return text[toks[k][0]:toks[group][1]]
    if word == "là" and prev_act and prev_q is not None and prev_q.start >= s \
            and _COPULA_END.search(text[s:prev_q.start]) and not _has_verb(
                text, prev_q.end, toks[group][0], toks, tok_starts, not_act):
        # a parallel item "…; viên chức là 11.533 người" repeats the previous "bồi dưỡng … là"
        return prev_act
    if word == "có" and not _WORD_CHAR.search(text, toks[group][1], q.start) and not _cue_patterns()[
            "negation_end"].search(text[max(cs, toks[group][0] - 10):toks[group][0]]):
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
    words = cue_words()["value_markers"]
    return re.compile(rf"(?<!\w)(?:{trie_pattern(words, ignore_case=True)})(?=\s)", re.IGNORECASE)


def _verb_after(text, toks, i, q, not_act):
    """The verb right after a quantity's noun phrase (adverbs allowed between), or None."""
    stop = _clause_end(text, q.end)
    k = i + 1
    while k < len(toks) and toks[k][1] <= q.end:
        k += 1
    while k < len(toks) and toks[k][0] < stop and toks[k][2].startswith("R"):
        k += 1
    if k < len(toks) and toks[k][0] < stop and is_verb(toks[k], not_act):
        return k
    return None


def _colon_list_verb(text, s, q, toks, tok_starts, not_act):
    """'UBND tỉnh phê duyệt: nhóm … gồm 13 chương trình; nhóm … 3 chương trình': the verb before the colon.

    Applies when the quantity's clause (after the colon or a ';') opens with a
    noun, i.e. it is an item of what the verb introduced, not a new predicate.
    """
    colon = max((m.start() for m in CLAUSE_COLON.finditer(text, s, q.start)), default=-1)
    if colon < 0:
        return None
    k = bisect_right(tok_starts, colon) - 1
    while k >= 0 and toks[k][0] >= colon:
        k -= 1
    if k < 0 or toks[k][0] < s or not is_verb(toks[k], not_act) or toks[k][3].lower() in ("có", "là"):
        return None
    item_start = max(colon, text.rfind(";", colon, q.start)) + 1
    j = bisect_right(tok_starts, item_start - 1)
    while j < len(toks) and toks[j][3] in (",", "-", "–", "+", "("):
        j += 1
    if j >= len(toks) or toks[j][0] >= q.start or is_verb(toks[j], not_act) or toks[j][2] in ("M", "NAME"):
        return None
    lo = k
    while lo - 1 >= 0 and toks[lo - 1][0] >= s and is_verb(toks[lo - 1], not_act):
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
        elif depth == 0 and is_verb(toks[k], not_act):
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
        if is_verb(t, not_act):
            lo -= 1
        elif t[3] in (",", "và") and lo - 2 >= 0 and toks[lo - 2][0] >= cs and is_verb(toks[lo - 2], not_act) \
                and not (lo - 3 >= 0 and toks[lo - 3][2] in ("N", "Nc")):
            # coordinated verbs (phát hiện, xử lý); not a verb inside the previous
            # object's noun phrase (cơ sở giết mổ, xử phạt 4 cơ sở)
            lo -= 2
        elif t[2] == "N" and " " not in t[3] and lo - 2 >= 0 and toks[lo - 2][0] >= cs \
                and toks[lo - 2][2] == "V" and is_verb(toks[lo - 2], not_act) \
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
        if is_verb(nxt, not_act) and (nxt[3].lower() in lex or nxt[2] == "V" and forward):
            hi += 1
        elif joined.split()[-2:] and " ".join(joined.split()[-2:]) in lex:
            hi += 1  # a two-word verb split by the tagger (cấp mới)
        elif nxt[3].lower() in _DIRECTIONAL and (hi + 2 >= len(toks) or toks[hi + 2][0] >= q.start >= nxt[1]):
            hi += 1  # thu về 40 triệu, tăng lên 5%: a direction right before the figure
        elif toks[hi + 1][3] in (",", "và") and hi + 2 < len(toks) and toks[hi + 2][1] <= limit \
                and is_verb(toks[hi + 2], not_act):
            hi += 2
        else:
            break
    # a light verb before the verb that says what was done: "tổ chức nghiệm thu" → "nghiệm thu"
    light = _light_verbs()
    while lo < hi and (toks[lo][3].lower() in light or toks[lo][3].lower() == ",") and any(
            is_verb(t, not_act) and t[3].lower() not in light for t in toks[lo + 1:hi + 1]):
        lo += 1
    while lo < hi and toks[lo][3] in (",", "và"):
        lo += 1
    return text[toks[lo][0]:toks[hi][1]]


def _clause_end(text: str, pos: int) -> int:
    m = _CLAUSE_END.search(text, pos)
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
            if prev_sep and is_verb(toks[i], not_act):
                return True
            prev_sep = False
        i += 1
    return False
