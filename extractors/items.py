"""Items: what a quantity counts or measures (spec section 3, ``item``).

Interface used by ``quantities.py``:
    item_of(text, f, t, start, end, unit, toks, floor) -> str | None
    share_items(quantities, text)   # a share in brackets takes the item of its count

The item is read from the words around the quantity, in this order:
- the noun phrase after the unit (``8.069 hộp trà giảo cổ lam thành phẩm`` →
  ``trà giảo cổ lam thành phẩm``), stopping at a verb, a preposition that starts
  a predicate, a number or punctuation; after a counted noun a relative clause
  may follow and then the noun belongs to the item
  (``1.811 lao động nông thôn được hỗ trợ học nghề``);
- for a figure in brackets, the noun phrase the brackets qualify
  (``vốn của Trung ương (4.000 tỷ đồng)``);
- else the words before the number: the subject of ``là/đạt/có``
  (``số lượng cán bộ, công chức là 1.890 người``), the noun phrase right
  before it (``tổng số tiền phạt 198 triệu đồng`` → ``tiền phạt``), or the
  clause that leads to it (``bà H. phải hoàn trả 2 tỷ đồng``);
- a length of time measures the time of an activity: ``thời gian`` + the
  activity (``sau gần 10 ngày phát động`` → ``thời gian phát động``); money per
  thing is a price: ``giá`` + the thing (``hành khô còn 7.000 đồng/kg``).

After the item, an owner, place, topic or accompaniment still says which ones
are counted (``7 lĩnh vực của Đắk Lắk``, ``dương tính với SARS-CoV-2``), and so
do a per-unit modifier (``lợi nhuận mỗi năm``) and a threshold
(``chứng chỉ từ B2 trở lên``). Before the number, nothing reaches past the
previous quantity (``floor``): its words are that quantity's.

Everything here works on the folded text ``t`` (see ``numbers.fold``) with the
segmenter's words and POS tags from ``toks`` (``.at(pos) -> (start, end, tag)``
or None, ``.available``); results are sliced from the original ``text``.
Word lists are data: the ``item`` section of ``data/quantity_words.json``.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .numbers import Folded, fold_word, load_data
from .unit_lexicon import ending_at, starting_at

_WORDCHARS = re.compile(r"[^\W_]+(?:[-&][^\W_]+)*", re.UNICODE)
_NOUN_TAGS = {"N", "Nc", "Nu", "Ny", "Nb", "Np"}
_MEASURE_DIMS = {"mass", "area", "volume", "length", "money", "percent"}


def _folded_list(words) -> list[str]:
    return sorted({fold_word(w).lower() for w in words}, key=len, reverse=True)


@lru_cache(maxsize=1)
def _words() -> dict:
    d = load_data("quantity_words.json")
    it = d["item"]
    quals = [fold_word(w).lower() for sym in (">", "<", "~", "=") for w in d["qualifiers"][sym]]
    units = load_data("units_of_measure.json")["units"]
    return {
        "qualifiers": set(quals),
        "comparatives": set(_folded_list(d["comparatives"]["words"])),
        "unit_aliases": {fold_word(a) for u in units for a in u["aliases"] + [u["canonical"]]},
        "item_stops": set(_folded_list(it["stop_words"])),
        "lead_strip": _folded_list(it["lead_strip"]),
        "item_max": int(it["max_words"]),
        "clause_max": int(it["clause_max_words"]),
        "per_words": set(_folded_list(it["per_words"])),
        "relational_heads": set(_folded_list(it["relational_heads"])),
        "trail_strip": _folded_list(it["trail_strip"]),
        "locatives": set(_folded_list(it["locatives"])),
        "modifier_preps": _folded_list(it["modifier_preps"]),
        "labels": set(_folded_list(d["label_before"]["words"])),
        "modifier_not_before": set(_folded_list(it["modifier_not_before"])),
        "count_subject_verbs": _folded_list(it["count_subject_verbs"]),
        "time_head": it["time_head"],
        "price_head": it["price_head"],
        "price_words": set(_folded_list(it["price_words"])),
        "money_units": {u["canonical"] for u in units if u["dimension"] == "money"},
        "unit_dimensions": {fold_word(a): u["dimension"] for u in units for a in u["aliases"] + [u["canonical"]]},
        "priced_dimensions": {"mass", "area", "volume", "length", "count"},
        "time_nouns": _folded_list(it["time_nouns"]),
        "ages": set(_folded_list(it["ages"])),
        "rel_time_after": set(_folded_list(d["relative_time"]["after"])),
        "classifiers": set(_folded_list(it["classifiers"])),
        "noun_modifiers": set(_folded_list(it["noun_modifiers"])),
        "occurrences": set(_folded_list(it["occurrences"])),
        "trade_verbs": _folded_list(it["trade_verbs"]),
        "count_nouns": set(_folded_list(d["count_nouns"]["words"])),
    }


# Word lists under their phrases' first (last) character, in list order: the word tests
def phrase_candidates(phrases, low: str, last: bool):
    """The phrases of ``phrases`` that may open (close, when ``last``) ``low``, in their order.

    (starts_with_word here, quantities' _starts_with_word and _ends_with_word run for every
    number against lists of dozens of phrases, and only those that start (end) with the
    text's first (last) character can match: the lexicons' index by character serves.)
    """
    if len(phrases) < 8:  # (a short list costs less to scan than to index)
        return phrases
    return ending_at(phrases, low, len(low)) if last else starting_at(phrases, low, 0)


def starts_with_word(after: str, phrases) -> str | None:
    """The phrase from ``phrases`` that ``after`` starts with, as a whole word."""
    low = after.lower()
    for p in phrase_candidates(phrases, low, False):
        if low.startswith(p) and (len(low) == len(p) or not low[len(p)].isalnum()):
            return p
    return None


def share_items(quantities: list, text: str) -> None:
    """``117 người (6,19%) có chứng chỉ``: a share in brackets is of the same people; the
    second of two like amounts with no item of its own (``1,2 tỷ đồng và 1 tỷ đồng``) too."""
    for prev, q in zip(quantities, quantities[1:]):
        if q.dimension == "percent" and text[prev.end:q.start].strip() == "(" and prev.item:
            q.item = prev.item
        elif q.item is None and prev.item and q.unit_of_measure == prev.unit_of_measure \
                and text[prev.end:q.start] in (" và ", ", "):
            # "lần lượt là gần 1,2 tỷ đồng và 1 tỷ đồng": the second amount of a pair is of the same thing
            q.item = prev.item


# ---------------------------------------------------------------- items

# POS tags that end a noun phrase: prepositions, conjunctions, pronouns,
# particles, determiners, numerals (underthesea tag set)
_PHRASE_END_TAGS = {"E", "C", "CC", "P", "T", "L", "I", "X", "Z"}
_YEAR = re.compile(r"(?:19|20)\d{2}")
# "từ B2 (bậc 4) trở lên" after "từ": a threshold, not a source
_THRESHOLD = re.compile(r" [^,;.()\d]{0,12}[^\W_]{1,4}(?: \([^()]{1,20}\))? trở (?:lên|xuống)\b")


def item_of(text: str, f: Folded, t: str, start: int, end: int, unit, toks, floor: int = 0) -> str | None:
    """What the quantity at ``t[start:end]`` counts or measures, as written in ``text``.

    ``floor`` is where the previous quantity ends: words before it belong to that one.

    >>> from extractors.quantities import find_quantities
    >>> [q.item for q in find_quantities("Sau gần 10 ngày phát động, đã bán 315 tấn hành tím.")[0]]
    ['thời gian phát động', 'hành tím']
    """
    w = _words()
    if unit.dimension == "duration" and unit.name not in w["ages"]:
        return _time_of(text, f, t, start, end, unit, toks, floor)
    if unit.name in w["ages"]:
        # an age is of the person or group named before it, not of what follows
        before = _phrase_before(t, start, toks, unit, floor)
        if before:
            s, e = f.span(before[0], before[1])
            return text[s:e]
    got = _item(text, f, t, start, end, unit, toks, floor)
    parts = unit.name.split("/")
    if got and unit.dimension == "rate" and parts[0] in w["money_units"] \
            and w["unit_dimensions"].get(fold_word(parts[-1]), "count") in w["priced_dimensions"] \
            and (_traded_thing(got) != got or not any(h in got.lower().split() for h in w["price_words"])):
        # "hành khô còn 7.000 đồng/kg": money per thing is its price (per month is no price)
        return f"{w['price_head']} {_lower_initial(_traded_thing(got))}"
    return got


def _traded_thing(clause: str) -> str:
    """``thương lái thu mua hành tím khô ở mức cực thấp`` → ``hành tím khô``: a price is of
    the thing bought or sold, the object of the trade verb in the clause before it."""
    w = _words()
    low = clause.lower()
    for verb in w["trade_verbs"]:
        m = re.search(r"(?:^|\s)" + re.escape(verb) + r"\s", low)
        if not m:
            continue
        words = clause[m.end():].split(" ")
        keep = []
        for word in words:
            if word.lower() in w["item_stops"] or not word[:1].isalpha():
                break
            keep.append(word)
        if keep:
            return " ".join(keep)
    return clause


def _lower_initial(phrase: str) -> str:
    """``Nhiều hộ bán`` → ``nhiều hộ bán`` after a head word; names (``Hà Nam``, ``HCNN``) keep theirs."""
    words = phrase.split()
    name = len(words) > 1 and words[1][:1].isupper()
    if words and words[0][:1].isupper() and words[0][1:].islower() and not name:
        return phrase[:1].lower() + phrase[1:]
    return phrase


def _time_of(text: str, f: Folded, t: str, start: int, end: int, unit, toks, floor: int) -> str:
    """A length of time measures the time of an activity: ``thời gian`` + the activity.

    Annotators write ``thời gian thu hồi``, ``thời gian cách ly``: the activity follows
    the duration (``sau 1,5 năm triển khai``) or leads to it (``cách ly y tế 28 ngày``);
    when the sentence names none, what is measured is still time.
    """
    w = _words()
    span = _activity_after(t, end, toks)
    if span is not None:
        s, e = f.span(*span)
        got = text[s:e]
    else:
        got = _item(text, f, t, start, end, unit, toks, floor)
    if not got:
        return w["time_head"]
    if starts_with_word(got.lower(), w["time_nouns"]):
        return got
    return f"{w['time_head']} {_lower_initial(got)}"


def _activity_after(t: str, p: int, toks) -> tuple[int, int] | None:
    """``gần 10 ngày phát động``, ``gần 2 tháng không ai mua``: the verb phrase after a duration."""
    if t[p:p + 1] != " ":
        return None
    pos = start = p + 1
    first = _next_word(t, pos, toks)
    if first is None or first[1] not in ("V", "R") or not t[pos:first[0]][:1].isalpha():
        return None
    if t[pos:first[0]].lower() in _words()["rel_time_after"]:
        return None
    end, n = None, 0
    while n < 6:
        nw = _next_word(t, pos, toks)
        if nw is None:
            break
        e, tag = nw
        low = t[pos:e].lower()
        # "gần 2 tháng không ai mua": a pronoun inside the clause is its subject
        if not low[:1].isalpha() or low in _HARD_STOPS or (
                tag in _PHRASE_END_TAGS and low not in _AUX and not (tag == "P" and end is not None)):
            break
        end, n = e, n + 1
        if t[e:e + 1] != " ":
            break
        pos = e + 1
    return (start, end) if end is not None else None


# _item's patterns, compiled once (it runs for every quantity; ``re``'s own cache costs a look-up per call)
_SHARE_IN_BRACKETS = re.compile(r" ?\(\s*\d+(?:[.,]\d+)?\s?%\s*\)")
_BOUND_AFTER = re.compile(r" trở (?:lên|xuống)(?= [^\W\d_])")
_PLURAL_AFTER = re.compile(r" (?:các|những|mọi)(?= [^\W\d_])", re.IGNORECASE)
_SECOND_NOUN = re.compile(r", ([^\W\d_]+(?: [^\W\d_]+)?)(?= [^\W\d_])")
_ASIDE = re.compile(r" \([^()]{1,100}\)")
_PLACE_AFTER = re.compile(r" (?:cho|vào|trong|tại|ở|về|từ|đến|trên)(?: (?:các|những|mọi))?(?= [^\W\d_])")
_COMPARED = re.compile(r" (so với|so) [^\W\d_]")
_PLURAL_AFTER_SO = re.compile(r" (?:các|những)(?= [^\W\d_])", re.IGNORECASE)


def _item(text: str, f: Folded, t: str, start: int, end: int, unit, toks, floor: int = 0) -> str | None:
    """What is counted or measured.

    - the noun phrase after the unit (``8.069 hộp trà giảo cổ lam`` → ``trà giảo cổ lam``);
    - a counted noun followed by a relative clause is itself the item with its
      clause (``1.811 lao động nông thôn được hỗ trợ học nghề``);
    - else the noun phrase before the number (``tổng số tiền phạt 198 triệu đồng`` →
      ``tiền phạt``; ``số lượng cán bộ, công chức là 1.890 người``).
    """
    w = _words()
    u = unit
    q_end = end
    # "117 người (6,19%) có chứng chỉ": the share in brackets does not end the phrase
    m = _SHARE_IN_BRACKETS.match(t, end)
    if m:
        end = m.end()
    clause = u.is_count or u.dimension == "percent"
    if u.dimension == "percent":
        # "kinh tế số chiếm 20% GRDP": the share is the subject's, of the whole after it
        share = _subject_before(t, start, toks, ("chiếm",))
        if share:
            s, e = f.span(*share)
            return text[s:e]
    bound = _BOUND_AFTER.match(t, end)
    if bound:
        end = bound.end()  # "từ 90% trở lên hồ sơ công việc": the bound is the qualifier's
    det = _PLURAL_AFTER.match(t, end) if clause else None
    if det:
        end = det.end()  # "khoảng 30% các tour hủy đặt phòng": a plural marker, not a stop
    span = _phrase_after(t, end, toks, clause)
    pair = _SECOND_NOUN.match(t, end) if u.is_count else None
    if span is None and pair and _is_count_noun(pair.group(1)) \
            and not re.search(r"\d", re.sub(r"năm (?:19|20)\d\d", "", re.match(r"[^,;.()\n]*", t[pair.end():]).group(0))):
        # "20 chương trình, đề án khuyến công": two counted nouns share the number and the
        # phrase after the second; a number further on means a list instead (905 người, giáo viên tiểu học 2.431 người)
        span = _phrase_after(t, pair.end(), toks, clause)
    if span is not None:
        a, b, is_clause = span
        b = _modifiers_after(t, b, toks)
        s, e = f.span(a, b)
        aside = _ASIDE.match(t, b) if clause and not is_clause else None
        if aside:
            # "60% viên chức (trong đó 50% …) đạt trình độ bậc 4": the aside does not end the
            # phrase; the predicate after it says which ones are counted
            rest = _phrase_after(t, aside.end(), toks, True)
            nxt = _next_word(t, aside.end() + 1, toks)
            if rest is not None and rest[2] and nxt is not None and nxt[1] == "V":
                rs, re_ = f.span(rest[0], rest[1])
                return f"{text[s:e]} {text[rs:re_]}"
        if is_clause and u.is_count and t[q_end - len(u.name):q_end].lower() == u.name:
            if end != q_end:  # skipped "(6,19%)": the noun and its clause, without the share
                ns, ne = f.span(q_end - len(u.name), q_end)
                return f"{text[ns:ne]} {text[s:e]}"
            s, _ = f.span(q_end - len(u.name), q_end)
        elif u.is_count and a == q_end + 1 and t[q_end - len(u.name):q_end].lower() == u.name \
                and u.name not in w["classifiers"] and _only_modifies(t, a, toks):
            # "hai mỏ ở Trà Vinh", "110 công nhân nam": a place or a quality after the noun only
            # says which ones; what is counted is still the noun (a classifier such as
            # "hộp" never is: "hộp trà")
            s, _ = f.span(q_end - len(u.name), q_end)
        return text[s:e]
    if u.is_count and t[q_end - len(u.name):q_end].lower() == u.name:
        b = _modifiers_after(t, q_end, toks)
        if b > q_end and t[q_end + 1:q_end + 5].lower() == "của ":
            # "7 lĩnh vực của Đắk Lắk": whose they are says which ones are counted
            s, e = f.span(q_end - len(u.name), b)
            return text[s:e]
    if u.is_count:
        place = _PLACE_AFTER.match(t, end)
        if place:
            # "tuyển dụng 285 người vào các đơn vị hành chính": where the counted went
            span = _phrase_after(t, place.end(), toks, False)
            if span is not None:
                s, e = f.span(end + 1, span[1])
                if end == q_end and t[q_end - len(u.name):q_end].lower() == u.name \
                        and u.name not in w["classifiers"] and _only_modifies(t, end + 1, toks):
                    s, _ = f.span(q_end - len(u.name), q_end)  # "3 mỏ ở huyện X": where the counted are
                return text[s:e]
    compared = _COMPARED.match(t, end)
    if compared:
        # "tăng 0,29% so với cùng kỳ năm 2016": what the figure is measured against
        span = _phrase_after(t, compared.end(0) - 2, toks, False)
        det = _PLURAL_AFTER_SO.match(t, compared.end(0) - 2)
        if span is None and det:  # "so với các thị trường khác": a plural marker, not a stop
            span = _phrase_after(t, det.end(), toks, False)
        if span is not None:
            s, e = f.span(end + 1, span[1])
            return text[s:e]
    if re.search(r"\(\s*$", t[max(0, start - 3):start]) and re.match(r"\s*\)", t[end:end + 3]):
        # "vốn của Trung ương (4.000 tỷ đồng)": a figure in brackets qualifies the phrase before them
        owner = _noun_phrase_before(t, t.rfind("(", 0, start), toks, floor)
        if owner:
            s, e = f.span(*owner)
            return text[s:e]
    before = _phrase_before(t, start, toks, u, floor)
    if before:
        s, e = f.span(before[0], before[1])
        if len(before) == 3:  # a price or amount and the clause that owns it
            os_, oe = f.span(*before[2])
            return f"{text[s:e]} {text[os_:oe]}"
        return text[s:e]
    return None


def _modifiers_after(t: str, b: int, toks) -> int:
    """``7 lĩnh vực của Đắk Lắk``, ``hồ sơ công việc tại cấp tỉnh``: an owner or a place
    right after a counted thing still says which ones are counted."""
    w = _words()
    for _ in range(2):
        prep = starts_with_word(t[b + 1:b + 12], w["modifier_preps"]) if t[b:b + 1] == " " else None
        if not prep:
            break
        q = b + 1 + len(prep)  # the space after the preposition
        if not re.match(r" [^\W\d_]", t[q:q + 2]):
            break
        first = _next_word(t, q + 1, toks)
        # "về an toàn thực phẩm", "của hợp tác xã": a noun phrase, whatever its first tag
        if first is None or (toks.available and first[1] not in _NOUN_TAGS | {"V", "A"}):
            break
        head = t[q + 1:first[0]].lower()
        if head in w["modifier_not_before"] or (prep == "với" and head in w["relational_heads"]):
            break  # "trong tháng", "với giá 15.000 đồng": a time or a price, not which ones
        span = _phrase_after(t, q, toks, False, lists=False)
        if span is None:
            break
        b = span[1]
    return b


def _is_count_noun(phrase: str) -> bool:
    """A counted noun from the lexicon (``đề án``, ``cơ sở``), as a whole."""
    return phrase.lower() in _words()["count_nouns"]


def _only_modifies(t: str, a: int, toks) -> bool:
    """The phrase at ``a`` opens with a place preposition or an adjective: it modifies a noun
    before it and names no thing of its own (``ở Trà Vinh``, ``nam``, ``lớn``)."""
    nw = _next_word(t, a, toks)
    if nw is None:
        return False
    low = t[a:nw[0]].lower()
    return low in _words()["locatives"] or low in _words()["noun_modifiers"] or nw[1] == "A"


def _like_after(t: str, e: int, toks, prev_tag: str | None) -> bool:
    """``cơ sở sản xuất và kinh doanh``: và joins a word like the one before it (same tag,
    no number, no new predicate), so the pair names one kind of thing."""
    nxt = _next_word(t, e + 1, toks) if t[e:e + 1] == " " else None
    if nxt is None or prev_tag is None or nxt[1] != prev_tag or not toks.available:
        return False
    word = t[e + 1:nxt[0]]
    if not word[:1].isalpha() or word[:1].isupper() or _is_stop(t, e + 1, nxt[0], word.lower()):
        return False
    # the joined word must end the phrase or go on as a noun phrase, not open a clause
    after = _next_word(t, nxt[0] + 1, toks) if t[nxt[0]:nxt[0] + 1] == " " else None
    return after is None or after[1] not in ("V", "R") or prev_tag == "V"


def _next_is_noun(t: str, e: int, toks) -> bool:
    nxt = _next_word(t, e + 1, toks) if t[e:e + 1] == " " else None
    return bool(nxt and nxt[1] in _NOUN_TAGS and t[e + 1:e + 2].isalpha())


@lru_cache(maxsize=8)
def _verb_last_patterns(verbs: tuple[str, ...]) -> tuple[re.Pattern, re.Pattern, int]:
    """A clause ending with one of ``verbs`` right before the number; the verb alone ending the text
    (what every match ends with), and how far from the end that can start."""
    alts = "|".join(re.escape(v) for v in verbs)
    return (re.compile(r"(?:^|[.;:(\n]\s*)([^.;:()\n]{3,240}?)\s(?:" + alts + r")\s$", re.IGNORECASE),
            re.compile(r"\s(?:" + alts + r")\s$", re.IGNORECASE), max(map(len, verbs)) + 3)


def _subject_before(t: str, start: int, toks, verbs: tuple[str, ...]) -> tuple[int, int] | None:
    """The subject of the verb right before the number (``kinh tế số chiếm 20%``)."""
    seg = t[max(0, start - 250):start]
    seg_start = start - len(seg)
    pattern, verb_last, longest = _verb_last_patterns(verbs)
    if not verb_last.search(seg, max(0, len(seg) - longest)):
        return None  # (the whole pattern tries every start of the segment with a lazy run: mostly in vain)
    m = pattern.search(seg)
    if not m or m.group(1).rstrip().endswith(","):
        return None
    got = _subject_of(t, seg_start + m.start(1), seg_start + m.end(1), toks)
    if got and t[got[0]:got[1]].lower() in _OPENERS:
        return None  # "kết quả đã có 14/14 tập thể": a discourse opener is no subject
    return got


def _next_word(t: str, pos: int, toks) -> tuple[int, str] | None:
    """(end, tag) of the word at ``pos`` (the segmenter's word when there is one)."""
    tok = toks.at(pos)
    if tok is not None:
        return tok[1], tok[2]
    m = _WORDCHARS.match(t, pos)
    if m:
        return m.end(), "?"
    if pos < len(t) and not t[pos].isspace():
        return pos + 1, "CH"
    return None


_AUX = {"được", "không", "đã", "chưa", "đang", "sẽ", "bị"}
_MODALS = {"phải", "cần", "vừa", "mới"}
# predicates that never start a counted thing's clause
# "25% cán bộ … đạt trình độ …", "117 người (6,19%) có chứng chỉ …": a population and its predicate
_PREDICATES = {"có", "đạt"}
_HARD_STOPS = {"là", "chỉ", "cũng", "đều", "thì", "mà", "nhưng", "nên", "khi", "nếu", "vì", "do", "này",
               "đó", "kia", "ấy", "nói", "trên", "cho", "của", "với", "tại", "trong", "từ", "đến", "và", "hay",
               "hoặc", "so", "theo", "để", "bằng", "như", "gồm", "bao gồm", "còn", "lại", "rồi", "mỗi", "một"}


@lru_cache(maxsize=1)
def _multiword_stops() -> list[str]:
    """The stop words of more than one syllable, in the order the set of stop words gives them."""
    return [x for x in _words()["item_stops"] if " " in x]


def _is_stop(t: str, pos: int, e: int, low: str) -> bool:
    w = _words()
    if low in w["item_stops"]:
        return True
    hit = starts_with_word(t[pos:pos + 20].lower(), _multiword_stops())
    return bool(hit and len(hit) >= e - pos)


def _phrase_after(t: str, p: int, toks, clause: bool, lists: bool = True) -> tuple[int, int, bool] | None:
    """(start, end, is_clause) of the phrase after ``p``.

    In clause mode (after a counted noun or a share) a relative clause may
    follow (``lao động nông thôn được hỗ trợ học nghề``): then is_clause is
    True and the counted noun belongs to the item.
    """
    w = _words()
    if t[p:p + 1] != " ":
        return None
    start = pos = p + 1
    end = None
    n_words = 0
    first_tag = prev_tag = None
    prev_low = ""
    is_clause = False
    used_predicate = False
    seen_verb = False
    while n_words < w["item_max"]:
        nw = _next_word(t, pos, toks)
        if nw is None:
            break
        e, tag = nw
        word = t[pos:e]
        low = word.lower()
        if not word[:1].isalnum():
            if word == "," and end is not None and lists:
                # "sản xuất, kinh doanh", "cán bộ, công chức": a list of like words
                nxt = _next_word(t, e + 1, toks) if t[e:e + 1] == " " else None
                like = _NOUN_TAGS | {"V", "A"} if clause else _NOUN_TAGS | {prev_tag}
                # "thành phẩm, tiêu thụ được …" starts a new clause, not a list of like words
                after = _next_word(t, nxt[0] + 1, toks) if nxt and t[nxt[0]:nxt[0] + 1] == " " else None
                # and so does "lúa, chủ ruộng xả lũ …": a noun followed by its own verb
                new_clause = after is not None and (after[1] == "R" or t[nxt[0] + 1:after[0]].lower() in _AUX
                                                    or (not clause and nxt[1] in _NOUN_TAGS and after[1] == "V"))
                if nxt and not new_clause and nxt[1] in like and nxt[1] not in _PHRASE_END_TAGS \
                        and not any(c.isdigit() for c in t[e + 1:nxt[0]]) \
                        and not _is_stop(t, e + 1, nxt[0], t[e + 1:nxt[0]].lower()):
                    pos = e + 1
                    continue
            if word == "(" and end is not None:
                close = t.find(")", e, e + 60)
                inner = t[e:close] if close > 0 else ""
                if inner and not any(c.isdigit() for c in inner) and "(" not in inner:
                    end = close + 1
            break
        if low == "trở" and end is not None and re.match(r" (?:lên|xuống)\b", t[e:e + 7]):
            end = e + 4 if t[e + 1:e + 4] == "lên" else e + 6
            break  # "B2 trở lên" closes the phrase
        if any(c.isdigit() for c in word):
            # a year after "năm" and codes such as B2 or F0 stay; a number ends the phrase
            code = bool(re.fullmatch(r"[^\W\d_]{1,3}\d{1,2}", word))
            # "mắc Covid-19": a name with a number in it is a word, not a new figure
            named = bool(re.search(r"[^\W\d_]-\d+$", word))
            # "bậc 4", "mức độ 4": a number after a label word names a level, it stays
            label = prev_low in w["labels"] and word.isdigit()
            if not named and (end is None or not ((prev_low == "năm" and _YEAR.fullmatch(word)) or code or label)):
                break
            if named and clause and tag == "V" and end is None:
                is_clause = True  # "người mắc COVID-19" (one word from the segmenter): a relative clause
        elif low == "từ" and end is not None and _THRESHOLD.match(t[e:e + 50]):
            pass  # "chứng chỉ ngoại ngữ từ B2 trở lên": a threshold that says which ones
        elif low in w["per_words"] and end is not None and _next_is_noun(t, e, toks):
            pass  # "40-50 triệu đồng lợi nhuận mỗi năm": a per-unit modifier stays inside
        elif _is_stop(t, pos, e, low) and not (low == "và" and end is not None and _like_after(t, e, toks, prev_tag)):
            if not clause or low in _HARD_STOPS:
                break
            if low in _AUX and seen_verb:
                break  # "người mắc Covid-19 đã được cách ly": the clause's own verb came; this is the predicate
            if low in _AUX or (tag == "V" and (end is None or (low in _PREDICATES and not used_predicate))):
                is_clause = True
                used_predicate = used_predicate or low in _PREDICATES
            else:
                break
        elif tag == "R" and not (clause and low in _AUX):
            break
        elif tag in _PHRASE_END_TAGS and not (low == "và" and end is not None):
            break
        if low == "và":
            nxt = _next_word(t, e + 1, toks) if t[e:e + 1] == " " else None
            if not nxt or nxt[1] in _PHRASE_END_TAGS or any(c.isdigit() for c in t[e + 1:nxt[0]]) \
                    or _is_stop(t, e + 1, nxt[0], t[e + 1:nxt[0]].lower()):
                break
        if end is None and not clause and tag in ("V", "R"):
            # a measure's item is a noun phrase; "0,4g tinh bột nghệ" (tagged V) still is
            nxt = _next_word(t, e + 1, toks) if t[e:e + 1] == " " else None
            if tag == "R" or not nxt or nxt[1] not in _NOUN_TAGS:
                break
        if first_tag is None:
            first_tag = tag
        seen_verb = seen_verb or tag == "V"
        if low != "và":
            prev_tag = tag
        prev_low = low
        end = e
        n_words += len(word.split())
        if t[e:e + 1] in (",", "("):
            pos = e
        elif t[e:e + 1] == " " and t[e + 1:e + 2] == "(":
            pos = e + 1
        elif t[e:e + 1] != " ":
            break
        else:
            pos = e + 1
    if end is None:
        return None
    return start, end, is_clause


_OPENERS = ("theo", "qua", "trong", "tại", "với", "đối với", "ngoài ra", "bên cạnh", "riêng", "cụ thể", "kết quả",
            "tuy nhiên", "trong đó", "còn", "nhưng", "và", "thì", "mà", "đồng thời")


def _noun_phrase_before(t: str, p: int, toks, floor: int) -> tuple[int, int] | None:
    """The noun phrase ending just before ``p`` (``vốn của Trung ương`` before a bracket)."""
    w = _words()
    seg_start = max(floor, p - 80)
    words = list(_WORDCHARS.finditer(t, seg_start, p))
    picked: list = []
    for mw in reversed(words):
        gap = t[mw.end():(picked[-1].start() if picked else p)]
        if gap.strip() or len(picked) >= 6:
            break
        low = mw.group(0).lower()
        tok = toks.at(mw.start())
        tag = tok[2] if tok is not None else "?"
        if low == "của" and picked:
            picked.append(mw)  # "vốn của Trung ương": the owner stays with the noun
            continue
        if any(c.isdigit() for c in low) or low in w["item_stops"] or tag in _PHRASE_END_TAGS or tag in ("V", "R"):
            break
        picked.append(mw)
    while picked and picked[-1].group(0).lower() == "của":
        picked.pop()
    if not picked:
        return None
    return _strip_lead(t, picked[-1].start(), picked[0].end())


# X là / đạt / bằng (cao, lên … đến, mức) before the number, and that ending alone (at most 20 characters)
_SUBJECT_OF_COPULA = re.compile(r"(?:^|[.;:(\n]\s*)([^.;:()\n]{3,240}?)\s(?:là|đạt|bằng)"
                                r"(?:\s(?:cao|thấp|lên|xuống))?(?:\s(?:đến|tới|mức))?\s$", re.IGNORECASE)
_COPULA_LAST = re.compile(r"\s(?:là|đạt|bằng)(?:\s(?:cao|thấp|lên|xuống))?(?:\s(?:đến|tới|mức))?\s$", re.IGNORECASE)
# a group listing its members (… gồm, bao gồm), and that ending alone (at most 12 characters)
_MEMBERS_OF = re.compile(r"(?:^|[.;:\n]\s*)([^.;:()\n\d]{3,300}?)\s(?:gồm|bao gồm)\s$")
_MEMBERS_LAST = re.compile(r"\s(?:gồm|bao gồm)\s$")


def _phrase_before(t: str, start: int, toks, unit, floor: int = 0) -> tuple[int, int] | None:
    """The item when nothing follows the unit, from the words before the number:

    - ``Ông Nguyễn Liêm (69 tuổi``: the person an age belongs to;
    - ``X là / đạt / bằng / có 1.890 người``: X;
    - ``giải quyết việc làm mới cho 4.348 lao động``: what was given to the people counted;
    - ``tổng số tiền phạt 198 triệu đồng``: the noun phrase right before a measure;
    - else, for a measure, the clause that leads to it (``bà H. phải hoàn trả 2 tỷ đồng``).
    """
    w = _words()
    seg = t[max(0, start - 250):start]
    seg_start = start - len(seg)
    # initials (bà H.T.L.V.) are not sentence ends; same length, so offsets hold
    seg = re.sub(r"(?<=[A-ZĐ])\.", "·", seg)
    # the subject of "là" may hold a threshold ("dưới 40 tuổi là 66 người") and an amount's
    # owner a count ("trả 2 đợt với số tiền"); other phrases stop at the previous quantity
    full_seg, full_start = seg, seg_start
    if floor > seg_start:
        seg, seg_start = seg[floor - seg_start:], floor
    if unit.name == "tuổi":
        m = re.search(r"((?i:ông|bà|anh|chị|em|cháu|cụ|bé)?\s*[A-ZĐ][^\W\d_]*(?: [A-ZĐ][^\W\d_]*)*) \($", full_seg) \
            if full_seg.endswith((" (", " (\n")) else None
        if m and m.group(1)[-1:].isalpha():
            return full_start + m.start(1), full_start + m.end(1)
        got = _person_before(t, seg, seg_start, toks)
        if got:
            return got
    # (the whole pattern tries every start of the segment with a lazy run: first the ending it needs)
    m = _SUBJECT_OF_COPULA.search(full_seg) if _COPULA_LAST.search(full_seg, max(0, len(full_seg) - 20)) else None
    if m and m.group(1).rstrip().endswith(","):
        m = None  # ", đạt 20 triệu tấn": the subject is further back
    if m:
        got = _subject_of(t, full_start + m.start(1), full_start + m.end(1), toks)
        if got:
            return got
    count_group = False
    if unit.is_count:
        # anchored at a real boundary (not at the previous quantity) and not "X, gồm A, B":
        # that lists the members of the previous figure
        m = _MEMBERS_OF.search(full_seg) if _MEMBERS_LAST.search(full_seg, max(0, len(full_seg) - 12)) else None
        if m and (full_start + m.start(1) < floor or m.group(1).rstrip().endswith(",")
                  or (m.start() == 0 and full_start > 0 and t[full_start - 1] not in ".;:\n")):
            m = None
        words_ = m.group(1).lower().split() if m else []
        if m and len(words_) <= 40 and "là" not in words_ \
                and not any(m.group(1).lower().startswith(o + " ") for o in _OPENERS + ("cũng theo",)):
            # "; nhóm hỗ trợ xây dựng, đăng ký thương hiệu, … gồm 3 chương trình": a group that
            # lists its members is named by the whole clause, commas and all
            got = _strip_lead(t, full_start + m.start(1), full_start + m.end(1))
            if got:
                return got
        # "(giữ chức vụ lãnh đạo, quản lý dưới 40 tuổi có 219 người)", "nhóm … gồm 2 chương
        # trình": a count that only says how many the subject has or holds
        got = _subject_before(t, start, toks, tuple(w["count_subject_verbs"]))
        if got:
            return got
        m = re.search(r"(?:^|\s)(?:với )?số lượng $", seg) if seg.endswith(("số lượng ", "số lượng \n")) else None
        if m:
            # "xuất bản Lịch khoa học năm 2017, với số lượng 2.000 cuốn": what was counted
            b = seg_start + m.start()
            while b > full_start and t[b - 1] in " ,":
                b -= 1
            owner = _clause_before(t, t[full_start:b] + " ", full_start, allow_digits=True)
            if owner:
                return owner
        m = re.search(r"(?:^|[\s,;:(])((?:[^\W\d_]+ ){1,5})cho $", seg) if seg.endswith(("cho ", "cho \n")) else None
        if m:
            words = m.group(1).split()
            keep: list[str] = []
            for word in reversed(words):
                if word.lower() in w["item_stops"] or word.lower() in _AUX:
                    break
                keep.insert(0, word)
            if keep:
                b = start - len(" cho ")
                return _strip_lead(t, b - len(" ".join(keep)), b)
        if unit.name in w["occurrences"] and not t[start:start + 3].lower() == "gấp":
            # "bà H. trả 2 đợt", "phun thuốc 3 lần": a count of occurrences counts what the
            # clause before did
            got = _clause_before(t, seg, seg_start)
            if got:
                return got
        # "trong đó bậc học mầm non 234.717 học sinh": the group a count belongs to is the
        # noun phrase right before it; a verb there ("kiểm tra 114 vụ") makes it an object
        last = re.search(r"(\S+) $", seg)
        tok = toks.at(seg_start + last.start(1)) if last else None
        prev = toks.at(tok[0] - 2) if tok is not None and tok[0] >= 2 else None
        # the tagger reads some compounds as verbs ("giáo viên mầm non"): a noun before still leads
        if tok is None or not (tok[2] in _NOUN_TAGS or (tok[2] == "V" and prev is not None and prev[2] == "N")):
            return None
        count_group = True
    if not seg.endswith(" "):
        return None
    words = list(_WORDCHARS.finditer(seg))
    picked = []
    rev = list(reversed(words))
    for i, mw in enumerate(rev):
        gap = seg[mw.end():(picked[-1].start() if picked else len(seg))]
        if gap.strip():
            break
        low = mw.group(0).lower()
        if picked and low == "hơn" and i + 2 < len(rev) and rev[i + 1].group(0).lower() in w["comparatives"]:
            # "giá cao hơn thị trường 1.000 đồng": the comparison is part of what is measured
            picked += [mw, rev[i + 1], rev[i + 2]]
            break
        if picked and low in w["per_words"]:
            picked.append(mw)  # "tiền lời mỗi vụ": a per-unit modifier stays inside the phrase
            continue
        if low in w["item_stops"] or any(c.isdigit() for c in low) or len(picked) >= 6:
            break
        if low in w["qualifiers"] or low in w["unit_aliases"]:
            break  # a qualifier or the unit of an earlier number ("từ 600 ha lên")
        tok = toks.at(seg_start + mw.start())
        if not picked and tok is not None and tok[2] not in _NOUN_TAGS and not count_group:
            # "tiền phạt 198 triệu": a verb right before the number may close a noun compound
            prev = toks.at(seg_start + mw.start() - 2) if mw.start() >= 2 else None
            if not (tok[2] == "V" and prev is not None and prev[2] in _NOUN_TAGS):
                break
        if tok is not None and (tok[2] in _PHRASE_END_TAGS or tok[2] == "R"):
            break
        picked.append(mw)
    if picked:
        picked.reverse()
        got = _strip_lead(t, seg_start + picked[0].start(), seg_start + picked[-1].end())
        if got and t[got[0]:got[1]].lower() in w["relational_heads"]:
            owner = _owner_clause(t, full_seg, full_start, got[0])
            if owner:
                return got[0], got[1], owner
        if got:
            return got
    if unit.dimension in _MEASURE_DIMS or unit.dimension == "rate":
        # numbers left in the clause are no quantities (those end at ``floor``): "loại 2 còn xuống"
        got = _clause_before(t, seg, seg_start, allow_digits=True)
        # a clause naming nothing ("tăng 5%") is no item
        if got and (not toks.available or any(
                (tok := toks.at(k)) is not None and tok[2] in _NOUN_TAGS for k in range(got[0], got[1]))):
            return got
    return None


_PHRASE_RUN = re.compile(r"[^.;:()\n\"“”\d%]{3,120}$")


def _person_before(t: str, seg: str, seg_start: int, toks) -> tuple[int, int] | None:
    """Whose age it is: ``ông Nguyễn Văn Đức, 58 tuổi`` (an apposition), ``đối tượng lãnh đạo,
    quản lý dưới 40 tuổi``, ``nhận lao động đến 45 tuổi`` (the noun phrase right before).

    Walking back over the segmenter's words: nouns, and verbs used as nouns in a list
    (``lãnh đạo, quản lý``); a verb before a noun (``nhận lao động``) takes it as its object
    and ends the phrase."""
    w = _words()
    m = _PHRASE_RUN.search(seg, max(0, len(seg) - 121))  # (a match of at most 120 ends at the end)
    if not m:
        return None
    a0 = seg_start + m.start()
    b = seg_start + len(seg.rstrip())
    if t[b - 1:b] == ",":  # an apposition: the last comma part before the number
        b -= 1
        a0 = max(a0, t.rfind(",", a0, b) + 1)
        # "xe do tài xế Phan Nhật, 34 tuổi": the person is after the last function word
        for m2 in re.finditer(r"[^\W\d_]+", t[a0:b]):
            if m2.group(0).lower() in w["item_stops"]:
                a0 = a0 + m2.end()
        got = _strip_lead(t, a0, b)
        if got and len(t[got[0]:got[1]].split()) <= 8:
            return got
        return None
    if not toks.available:
        return None
    picked: list[tuple[int, str]] = []  # (start, tag) from the end
    pos = b
    while pos > a0 and len(picked) < 8:
        k = pos - 1
        while k > a0 and t[k] == " ":
            k -= 1
        if t[k] == ",":
            if not picked:
                break
            picked.append((k, ","))
            pos = k
            continue
        tok = toks.at(k)
        if tok is None or tok[0] < a0:
            break
        s_, e_, tag = tok
        low = t[s_:e_].lower()
        if low in w["item_stops"] or low in w["qualifiers"] or any(c.isdigit() for c in low):
            break
        first = next((tg for _, tg in reversed(picked) if tg != ","), None) if picked else None
        if tag in _NOUN_TAGS:
            picked.append((s_, tag))
        elif tag in ("V", "A") and (not picked or picked[-1][1] in (",", "V", "A") or first in ("V", "A")):
            picked.append((s_, tag))
        else:
            break
        pos = s_
    while picked and picked[-1][1] == ",":
        picked.pop()
    if not picked or not any(tg in _NOUN_TAGS for _, tg in picked):
        return None
    return _strip_lead(t, picked[-1][0], b)


def _owner_clause(t: str, seg: str, seg_start: int, head: int) -> tuple[int, int] | None:
    """``bà H.T.L.V. trả 2 đợt với`` (số tiền …): the clause a price or amount belongs to."""
    before = seg[:head - seg_start]
    if before.endswith(", "):
        before = before[:-2] + " "  # "khu vực X, quy mô khoảng 17 ha": the owner sits before the comma
    # "các địa điểm … gồm khu vực Bãi Khem với quy mô": a long clause owns through its last listing verb
    m = re.search(r"(?:^|\s)(?:gồm|bao gồm|là|có)\s(?=[^,.;:()\n]{3,}$)", before)
    long_clause = len(re.split(r"[,.;:()\n]", before)[-1].split()) > _words()["clause_max"]
    if m and len(before[m.end():].split()) >= 2 and (long_clause or "gồm" in m.group(0)):
        before, seg_start = before[m.end():], seg_start + m.end()
    got = _clause_before(t, before, seg_start, allow_digits=True)
    if not got:
        return None
    a, b = got
    labels = _words()["labels"]
    for m in re.finditer(r"(\S+)\s\S*\d", t[a:b]):
        if m.group(1).lower() not in labels:  # "phường 1" is a name, "trả 1 đợt" a count
            b = a + m.end(1)
            break
    b = a + len(re.sub(r"\s+(?:với|ở|bằng|theo)$", "", t[a:b].rstrip()))
    return (a, b) if b > a else None


def _subject_of(t: str, a: int, b: int, toks) -> tuple[int, int] | None:
    """The subject before là/đạt: the last comma part, with short like parts before it."""
    w = _words()
    parts = t[a:b].split(", ")
    last = parts[-1]
    last_start = b - len(last)
    cut = 0
    first_stop = None
    pos = last_start
    while pos < b:  # word by word (the segmenter's words: "thu hồi" is not "thu")
        nw = _next_word(t, pos, toks)
        if nw is None:
            pos += 1
            continue
        e = min(nw[0], b)
        low = t[pos:e].lower()
        # "dưới 40 tuổi" and "năm nay" stay inside the subject
        # auxiliaries and modals ("kinh phí phải thu hồi") sit inside a subject, they do not open one
        if low in w["item_stops"] and low not in ("và", "nay", "này") and low not in _AUX and low not in _MODALS \
                and not t[e + 1:e + 2].isdigit() \
                and not (low in w["locatives"] and pos > last_start):
            cut = e - last_start + 1
            if first_stop is None and pos > last_start:
                first_stop = pos - last_start
        pos = e + 1
    if cut >= len(last):
        cut = 0
    if cut and first_stop and _BARE_PERIOD.fullmatch(last[cut:].strip()):
        # "Nhu cầu đào tạo giáo viên … để đáp ứng … cho năm học 2024 - 2025 là": the
        # subject is the head of the clause, not the time adjunct at its end
        b = last_start + first_stop - 1
        if all(x.lower() in w["item_stops"] for x in t[last_start:b].split()):
            return None
        return _strip_lead(t, last_start, b)
    keep = [last[cut:]] if cut < len(last) else []
    if cut == 0:
        for part in reversed(parts[:-1]):
            words_ = [x.lower() for x in part.split()]
            if len(words_) > 8 or any(x in w["item_stops"] for x in words_) or any(ch.isdigit() for ch in part):
                break
            keep.insert(0, part)
    if not keep or not keep[-1].strip():
        return None
    a = b - len(", ".join(keep))
    first = toks.at(a)
    if first is not None and first[2] == "P":
        return None  # "Đây là 62 người": a pronoun names nothing
    return _strip_lead(t, a, b)


def _clause_before(t: str, seg: str, seg_start: int, allow_digits: bool = False) -> tuple[int, int] | None:
    """``bà H.T.L.V. buộc phải hoàn trả`` (hơn 2 tỷ đồng): the clause that leads to a measure."""
    w = _words()
    m = re.search(r"(?:^|[,.;:(\n\"“]\s*)([^,.;:()\n\"“”]{3,120}?)\s$", seg)
    if not m:
        return None
    a, b = seg_start + m.start(1), seg_start + m.end(1)
    while a < b and not t[a].isalnum():
        a += 1
    phrase = t[a:b]
    low = phrase.lower()
    for opener in sorted(_OPENERS, key=len, reverse=True):
        if low.startswith(opener + " "):
            a += len(opener) + 1
            low = t[a:b].lower()
    words = t[a:b].split()
    if not words or len(words) > w["clause_max"] or (not allow_digits and any(c.isdigit() for c in t[a:b])):
        return None
    return _strip_lead(t, a, b)


_BARE_PERIOD = re.compile(r"(?:(?:đến|tới|hết|trong|từ|sau|cuối|đầu)\s+)*"
                          r"(?:năm học|năm|tháng|quý|ngày|giai đoạn)\s+[\d/ -]+", re.IGNORECASE)


def _strip_lead(t: str, a: int, b: int) -> tuple[int, int] | None:
    w = _words()
    while a < b and not t[a].isalnum():
        a += 1  # ", bậc THPT 113.350 học sinh": the comma after the previous quantity
    changed = True
    while changed:
        changed = False
        low = t[a:b].lower()  # (b moves only when a trail is cut, and then the scan starts again)
        for trail in w["trail_strip"]:
            if low.endswith(" " + trail) and not re.search(r"\btrở$", t[a:b - len(trail) - 1]):
                b -= len(trail) + 1  # ("bậc 3 trở lên" keeps its lên)
                changed = True
                break
    if _BARE_PERIOD.fullmatch(t[a:b]):
        return None
    changed = True
    while changed:
        changed = False
        phrase = t[a:b].lower()
        for lead in w["lead_strip"]:
            if phrase.startswith(lead + " "):
                a += len(lead) + 1
                changed = True
                break
    if a >= b or t[a:b].lower() in w["lead_strip"]:
        return None
    return a, b
