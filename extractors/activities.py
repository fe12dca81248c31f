"""Which verb reports a figure: candidates → features → a model → the choice.

    choose_activities(text, tokens, units, quantities, records) -> records with ``activity`` decided

Candidates are the rules' own verb group (``records.py``) and every verb of the
quantity's sentence (underthesea's ``V`` words, words of the reporting-verb
lexicon ``data/activity_verbs.txt`` that the tagger often calls nouns, the word
after a passive ``được``/``bị``, and the nouns training found annotators take
as activities, kept in the model file as ``noun_verbs``), the verbs of the line
opening a list for a list item, and ``là``/``có``, which annotators give to a
figure no verb governs (an age in an apposition).  A LightGBM ranker trained on
the annotated corpus (``provnews train``) scores each candidate from its
position, the punctuation, prepositions, brackets and verbs between it and the
figure, the words around both, and the verb itself; the best one is the activity.
"""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from functools import lru_cache
from importlib import resources
from itertools import accumulate, compress
from operator import and_, itemgetter, or_

from .mentions import Quantity, Record, Unit
from .model_files import ranker

MODEL_FILE = "activity.json"
FEATURE_VERSION = 11

Token = tuple[int, int, str, str]  # start, end, text, POS tag

LEXICAL = 1.0  # weight of the verb's identity as a feature
WINDOW = 20  # tokens after the figure where its verb is looked for
# and before it: a list's items share the verb that opens it ("gồm 1 giải ...; 4 giải ...; 10 giải ...");
# 20, 35 and 50 tried by 5-fold CV x 3 (activity .7640 .7667 .7660)
WINDOW_BEFORE = 35
# (trees, rows): the first 80 of the model's 400 trees score every candidate of a figure, and only
# its 3 best go on through the other 320.  A figure has some 17 candidates, so this is about a third
# of the trees' work.  Held-out 5-fold CV activity, all 400 trees on every row: .7798; (120, 4) .7796,
# (80, 6) .7793, (100, 4) .7794, (150, 3) .7793, (200, 2) .7793, (120, 3) .7790, (50, 4) .7782.
# With the models of 2026-12-08 (the same folds' models, only this changed): (120, 4) .7711,
# (100, 3) .7711, (80, 3) .7714, (60, 4) .7706, (60, 3) .7701, (40, 4) .7693, (80, 2) .7679,
# (40, 3) .7678; (80, 3) costs 4.7-5.2 ms per document against 5.9-6.2 for (120, 4).
PRUNE_AFTER = (80, 3)
_AUX = frozenset("đã đang sẽ được bị vừa mới cũng tiếp tục đều chưa không đạt".split())


@lru_cache(maxsize=1)
def _verb_lexicon() -> frozenset:
    text = resources.files("extractors.data").joinpath("activity_verbs.txt").read_text(encoding="utf-8")
    return frozenset(l.strip().lower() for l in text.splitlines() if l.strip() and not l.startswith("#"))


@lru_cache(maxsize=1)
def _light_verbs() -> frozenset:
    text = resources.files("extractors.data").joinpath("light_verbs.txt").read_text(encoding="utf-8")
    return frozenset(l.strip().lower() for l in text.splitlines() if l.strip() and not l.startswith("#"))


def doc_tokens(doc) -> list[Token]:
    from .segment import token_rows  # the rows make_doc keeps with the doc (no walk over spaCy tokens)

    return list(token_rows(doc))


_ALWAYS = frozenset("có là còn đạt chiếm gồm tăng giảm".split())
_NEGATION = frozenset("không chưa chẳng".split())
_IMPLICIT = ("là", "có")
_PASSIVE = frozenset(("được", "bị"))
_JOIN = frozenset(("và", "hoặc", "nhưng", "còn"))  # words that start another clause without a comma
_VERB_TAGS = frozenset(("V", "A"))  # the tags of a verb candidate (``_is_candidate``)


def _is_candidate(tok: Token, lex: frozenset) -> bool:
    return tok[3] in ("V", "A") or _in_lexicon(tok[2])


@lru_cache(maxsize=8)
def _candidate_words(learned: frozenset) -> frozenset:
    """The lowercased words ``_is_candidate`` takes whatever their tag, and the model's ``noun_verbs``."""
    return _verb_lexicon() | _ALWAYS | learned


@lru_cache(maxsize=65536)
def _in_lexicon(word: str) -> bool:
    w = word.lower()
    return w in _verb_lexicon() or w in _ALWAYS


def _bucket(n: int) -> str:
    return str(n) if n < 4 else ("4-7" if n < 8 else "8+")


def _word(tok: Token) -> bool:
    return tok[2][:1].isalpha()


_BULLETS = "-+•*–"


def _list_heading(text: str, pos: int) -> tuple[int, int] | None:
    """Span of the line opening the list whose item holds ``pos``, if that line ends with a colon."""
    ls = text.rfind("\n", 0, pos) + 1
    if not text[ls:pos].lstrip()[:1] in tuple(_BULLETS) or not text[ls:pos].strip():
        return None
    mark = text[ls:pos].lstrip()[0]
    for _ in range(30):  # sibling items back to the heading
        if ls == 0:
            return None
        ps = text.rfind("\n", 0, ls - 1) + 1
        line = text[ps:ls - 1].strip()
        if not line.startswith(mark):
            return (ps, ls - 1) if line.endswith(":") else None
        ls = ps
    return None


def token_flags(toks: list[Token], in_unit, learned: frozenset = frozenset()
                ) -> tuple[list[bool], list[bool], tuple[list[int], ...]]:
    return _flags_and_lower(toks, in_unit, learned)[:3]


def _flags_and_lower(toks: list[Token], in_unit, learned: frozenset = frozenset()) -> tuple:
    """For each token of a sentence: is it a verb candidate (``_is_candidate``), is it outside
    every unit mention; and running counts of punctuation, sentence ends, verb candidates,
    numbers, prepositions, brackets and clause joins (``counts[k]`` of the tokens before k), so that what lies
    between a verb and the figure is two look-ups.  ``learned``: the model's ``noun_verbs``.
    Then what every record of the sentence reads again: the lowercased words, the positions of
    , ; : and of the free verb candidates, and each token's own features (made when first asked)."""
    texts, tags = list(map(itemgetter(2), toks)), list(map(itemgetter(3), toks))
    lower = list(map(str.lower, texts))
    # (``_is_candidate`` or a learned word, on the lowercased words: one set look-up per token)
    words = _candidate_words(learned)
    verb = list(map(or_, map(_VERB_TAGS.__contains__, tags), map(words.__contains__, lower)))
    # the verb of a passive "được/bị X" reports the figure whatever its tag ("được kiểm định")
    for k in compress(range(1, len(toks)), map(_PASSIVE.__contains__, lower)):
        if not verb[k] and texts[k][:1].isalpha():
            verb[k] = True
    # (str.__contains__: the same test as ``text in ",;:"``; each count made in one C-level pass)
    is_punct = list(map(",;:".__contains__, texts))
    counts = (list(accumulate(is_punct, initial=0)),
              list(accumulate(map(".!?".__contains__, texts), initial=0)),
              list(accumulate(verb, initial=0)),
              list(accumulate(map("M".__eq__, tags), initial=0)),
              list(accumulate(map("E".__eq__, tags), initial=0)),
              list(accumulate(map("()[]".__contains__, texts), initial=0)),
              list(accumulate(map(_JOIN.__contains__, lower), initial=0)))
    free = [not in_unit(t[0]) for t in toks]
    punct_at = list(compress(range(len(toks)), is_punct))
    free_verbs = list(compress(range(len(toks)), map(and_, verb, free)))
    return verb, free, counts, lower, punct_at, free_verbs, [None] * len(toks)


def _token_features(sent: list[Token], lower: list[str], i: int, lex: frozenset, light_verbs: frozenset) -> dict:
    """The features of candidate token i that do not depend on the figure."""
    t, key = sent[i], lower[i]
    prev_key = lower[i - 1] if i else ""
    return {
        "tag=" + t[3]: 1.0,
        "in_lexicon": float(key in lex),
        "always": float(key in _ALWAYS),
        "aux_before": float(i > 0 and prev_key in _AUX),
        "cap": float(t[2][:1].isupper() and i > 0),
        "syllables": float(len(key.split())),
        "v=" + key: LEXICAL,
        "after_passive": float(i > 0 and prev_key in _PASSIVE),
        "prev=" + prev_key: 1.0,
        "light": float(key in light_verbs),
    }


class _FormDigit(dict):
    """Does a form hold a digit (``str.isdigit``, superscripts too), as 1.0 / 0.0: a document offers
    the same forms for many figures, and a look-up costs less than testing each character again
    (bounded: cleared when full)."""

    def __missing__(self, form: str) -> float:
        if len(self) > 100_000:
            self.clear()
        got = self[form] = float(any(c.isdigit() for c in form))
        return got


_form_digit = _FormDigit()


class SentenceFlags(dict):
    """``token_flags`` of each sentence (by token range), made for its first record only.

    The records of a sentence share them: ``choose_activities`` hands one of
    these to ``candidates``, which otherwise asks again for each record.
    """

    def __init__(self, toks: list[Token], in_unit, learned: frozenset = frozenset()):
        super().__init__()
        self.toks, self.in_unit, self.learned = toks, in_unit, learned

    def __missing__(self, span: tuple[int, int]) -> tuple:
        got = self[span] = _flags_and_lower(self.toks[span[0]:span[1]], self.in_unit, self.learned)
        return got


def candidates(text: str, toks: list[Token], q: Quantity, rec: Record,
               in_unit, flags: SentenceFlags | None = None, learned: frozenset = frozenset()
               ) -> list[tuple[str, dict[str, float]]]:
    """(activity text, features): the rule's group, each verb of the sentence, and short verb phrases.

    A verb phrase is the verb with the word after it (``lấy mẫu``, ``có kết quả``) or the two
    words after it (``lấy mẫu xét nghiệm``, ``làm thủ tục nhập cảnh``), or with a negation before
    it (``không ghi nhận``), as annotators write them.  A verb the figure's own text opens with
    (``ước tính gần 25 tỷ USD``) is a candidate too.
    """
    lex = _verb_lexicon()
    s, e = rec.start, rec.end
    out: list[tuple[str, dict[str, float]]] = []
    seen = set()
    # the sentence's tokens (toks are in text order: two bisections, not a scan per record)
    lo_s, hi_s = bisect_left(toks, (s,)), bisect_left(toks, (e,))
    sent = toks[lo_s:hi_s]
    verb, free, (n_punct, n_end, n_verbs, n_numbers, n_preps, n_brackets, n_joins), lower, punct_at, \
        free_verbs, own = flags[lo_s, hi_s] if flags is not None else _flags_and_lower(sent, in_unit, learned)
    light_verbs = _light_verbs()
    qi = bisect_left(sent, (q.start,))  # the first token at or after the figure
    qn = bisect_left(sent, (q.end,))  # the first token after the figure's text: qi to qn - 1 lie inside it
    rule_key = (rec.activity or "").lower()
    rule_first = rule_key.split(",")[0].strip()

    # the quantity's clause: from the last , ; : before it to the next one after it
    k = bisect_left(punct_at, qi)
    cs = punct_at[k - 1] + 1 if k else 0
    k = bisect_left(punct_at, qn, k)
    ce = punct_at[k] if k < len(punct_at) else len(sent)
    # the verb candidates outside the figure, by bisection on the sentence's free verbs
    # (those inside it, fv_q to fv_n - 1, are left out)
    fv_q, fv_n = bisect_left(free_verbs, qi), bisect_left(free_verbs, qn)
    nearest_before = free_verbs[fv_q - 1] if fv_q else None
    first_after = free_verbs[fv_n] if fv_n < len(free_verbs) else None
    verb_before_in_clause = nearest_before is not None and nearest_before >= cs
    fv_cs = bisect_left(free_verbs, cs)
    first_in_clause = free_verbs[fv_cs] if fv_cs < fv_q else (
        first_after if first_after is not None and first_after < ce else None)
    # the implicit "là"/"có" candidates read how many verbs the clause and sentence hold
    n_inside = fv_n - fv_q
    verbs_in_sentence = len(free_verbs) - n_inside
    verbs_in_clause = bisect_left(free_verbs, ce, fv_n) - fv_cs - n_inside
    # a verb just after the counted noun, in the figure's clause, makes the figure its subject
    # ("khiến 2 phụ nữ thiệt mạng"): then the verb before is often only existential or causative
    subj_verb = first_after if first_after is not None and first_after < ce and first_after - qn <= 4 \
        and n_joins[first_after] == n_joins[qn] else None
    q_feats = {"q_clause_offset": float(qi - cs), "q_subject": float(not verb_before_in_clause),
               "q_sentence_offset": float(qi), "q_subj_verb": float(subj_verb is not None)}
    if verb_before_in_clause:
        nb_key = lower[nearest_before]
        q_feats["q_nb=" + nb_key] = 1.0
        q_feats["q_nb_light"] = float(nb_key in light_verbs)
    # the words around the figure tell a subject ("có 2 ca tử vong") from an object ("kiểm tra 29 cơ sở")
    q_feats["q_prev=" + (lower[qi - 1] if qi else "")] = 1.0
    q_feats["q_prev_tag=" + (sent[qi - 1][3] if qi else "")] = 1.0
    q_feats["q_next_tag=" + (sent[qn][3] if qn < len(sent) else "")] = 1.0
    lo_w, hi_w = max(0, qi - WINDOW_BEFORE), min(len(sent), qi + WINDOW + 1)
    # a verb the figure's own text opens with, before its number ("ước tính gần 25 tỷ USD",
    # "dao động khoảng 1 triệu đồng", "gấp 3 lần") reports it: the first number ends that lead
    lead_end = qi
    while lead_end < qn and sent[lead_end][3] != "M" and not sent[lead_end][2][:1].isdigit():
        lead_end += 1
    # the candidates: the free verbs of the window outside the figure or leading it, and any free
    # word the rule's activity starts with (inside the figure too)
    if rule_first:
        # (``rule_first.startswith(word)`` as a set look-up: the words the rule's activity starts with)
        heads = set(accumulate(rule_first))
        heads.add("")
        # the window's verbs, those inside the figure (after its leading verb) left out
        outside = verb[lo_w:hi_w]
        a, b = max(lead_end, lo_w) - lo_w, min(qn, hi_w) - lo_w
        if a < b:
            outside[a:b] = [False] * (b - a)
        at = list(compress(range(lo_w, hi_w), map(and_, free[lo_w:hi_w],
                                                  map(or_, map(heads.__contains__, lower[lo_w:hi_w]), outside))))
    else:
        heads = ()
        at = [i for i in free_verbs[bisect_left(free_verbs, lo_w):bisect_left(free_verbs, hi_w)]
              if not lead_end <= i < qn]
    q_start = q.start
    for i in at:
        t = sent[i]
        key = lower[i]
        is_rule_head = key in heads  # (rule_first.startswith(key), rule_first not empty)
        before = i < qi
        lo, hi = (i + 1, qi) if before else (qi, i)
        n_between = hi - lo if hi > lo else 0
        a, b = lo, hi if hi > lo else lo  # what lies between: tokens a to b - 1
        prev_key = lower[i - 1] if i else ""
        got = own[i]
        if got is None:
            got = own[i] = _token_features(sent, lower, i, lex, light_verbs)
        base = {
            "in_rule_group": 1.0 if rule_key and key in rule_key else 0.0,
            "inside_quantity": 1.0 if qi <= i < qn else 0.0,
            "quantity_lead": 1.0 if qi <= i < lead_end else 0.0,
            "before": 1.0 if before else 0.0,
            ("dist:b" if before else "dist:a") + _bucket(n_between): 1.0,
            "tokens_between": float(n_between),
            "punct_between": 1.0 if n_punct[b] > n_punct[a] else 0.0,
            "sent_end_between": 1.0 if n_end[b] > n_end[a] else 0.0,
            "verbs_between": float(n_verbs[b] - n_verbs[a]),
            "numbers_between": 1.0 if n_numbers[b] > n_numbers[a] else 0.0,
            "logdist": math.log1p(abs(t[0] - q_start)) / 10,
            "nearest_before": 1.0 if i == nearest_before else 0.0,
            "first_after": 1.0 if i == first_after else 0.0,
            "same_clause": 1.0 if cs <= i < ce else 0.0,
            # a preposition or a bracket between puts the figure in another phrase ("với 4 tầng")
            "prep_between": 1.0 if n_preps[b] > n_preps[a] else 0.0,
            "bracket_between": 1.0 if n_brackets[b] > n_brackets[a] else 0.0,
            "first_in_clause": 1.0 if i == first_in_clause else 0.0,
            "subj_verb": 1.0 if i == subj_verb else 0.0,
            "join_between": 1.0 if n_joins[b] > n_joins[a] else 0.0,
            **got,  # the token's own features (tag, word, the word before it)
            **q_feats,
        }
        forms = [(t[2] if not is_rule_head else rec.activity, {"rule": float(is_rule_head), "form:verb": 1.0})]
        if is_rule_head and verb[i]:
            # the verb alone too: the rules' group may have run over a subject or a number
            forms.append((t[2], {"form:verb": 1.0}))
        nxt = sent[i + 1] if i + 1 < len(sent) else None
        has_next = nxt is not None and _word(nxt) and nxt[0] == t[1] + 1 and not (q.start <= nxt[0] < q.end) \
            and free[i + 1]
        if has_next:
            forms.append((text[t[0]:nxt[1]], {"form:next": 1.0, "next_tag=" + nxt[3]: 1.0}))
            nxt2 = sent[i + 2] if i + 2 < len(sent) else None
            if nxt2 is not None and _word(nxt2) and nxt2[0] == nxt[1] + 1 and not (q.start <= nxt2[0] < q.end) \
                    and free[i + 2]:
                # a verb with its object and a second verb or complement: "lấy mẫu xét nghiệm",
                # "làm thủ tục nhập cảnh", "đi chung xe"
                forms.append((text[t[0]:nxt2[1]], {"form:next2": 1.0, "next_tag=" + nxt[3]: 1.0,
                                                    "next2_tag=" + nxt2[3]: 1.0}))
        if before and nearest_before is not None and i < nearest_before and cs <= i \
                and nearest_before - i <= 5 and not any(x[2] in ",;:.\"“”()" for x in sent[i:nearest_before]):
            # a verb group up to the verb nearest the figure: "tiến hành lấy mẫu", "tổ chức kiểm tra"
            forms.append((text[t[0]:sent[nearest_before][1]], {"form:group": 1.0,
                                                               "group_len": float(nearest_before - i + 1)}))
        prv = sent[i - 1] if i else None
        if prv is not None and prev_key in _NEGATION:
            forms.append((text[prv[0]:t[1]], {"form:negated": 1.0}))
        last = len(forms) - 1
        for j, (form, extra) in enumerate(forms):
            k = form.lower()
            if k in seen:
                continue
            seen.add(k)
            # a long form, or one holding a number, is a clause the rules ran on, not a verb group
            extra["form_syllables"] = float(k.count(" ") + 1)
            extra["form_digit"] = _form_digit[k]
            if j == last:  # the last form takes base itself (same keys, same order): one copy fewer
                base.update(extra)
                out.append((form, base))
            else:
                out.append((form, {**base, **extra}))
    # a list item ("+ Lần 1: 11", "- Cách ly tập trung tại bệnh viện: 531") is governed by the
    # verb of the line that opens its list ("Số ca âm tính với SARS-CoV-2:")
    head = _list_heading(text, q.start)
    if head is not None:
        hs, he = head
        for t in toks[bisect_left(toks, (hs,)):bisect_left(toks, (he,))]:
            key = t[2].lower()
            if key in seen or not _word(t) or not (_is_candidate(t, lex) or key in learned) or in_unit(t[0]):
                continue
            seen.add(key)
            out.append((t[2], {"heading": 1.0, "v=" + key: LEXICAL, "tag=" + t[3]: 1.0,
                               "in_lexicon": float(key in lex), "always": float(key in _ALWAYS),
                               "heading_verbs_in_item": float(verbs_in_sentence), **q_feats}))
    if rec.activity and not any(f.get("rule") for _, f in out):
        out.append((rec.activity, {"rule": 1.0, "rule_unplaced": 1.0}))
    # Annotators write "là"/"có" for a figure no verb governs (an age in an apposition, an
    # attribute in brackets): offered even when absent from the text, the model learns when.
    before_q = text[max(s, q.start - 3):q.start]
    implicit = {"implicit": 1.0, "imp:paren": float("(" in before_q), "imp:comma": float("," in before_q),
                "imp:colon": float(":" in before_q), "imp:dim=" + (q.dimension or ""): 1.0,
                "imp:uom=" + (q.unit_of_measure or "").lower(): 1.0,
                "imp:verbs_in_clause": float(verbs_in_clause),
                "imp:verbs_in_sentence": float(verbs_in_sentence), **q_feats}
    for form in _IMPLICIT:
        if form not in seen:
            out.append((form, {**implicit, "imp=" + form: 1.0}))
    return out


def noun_verbs(model) -> frozenset:
    """The words training found to be activities although the tagger calls them nouns (the model file's
    ``noun_verbs``): they are verb candidates too."""
    got = getattr(model, "_noun_verbs", None)
    if got is None:
        got = frozenset(getattr(model, "data", {}).get("noun_verbs", ()))
        try:
            model._noun_verbs = got
        except AttributeError:
            pass
    return got


def choose_activities(text: str, toks: list[Token], units: list[Unit], quantities: list[Quantity],
                      records: list[Record], model=None) -> list[Record]:
    """Records with ``activity`` set to the model's best candidate (in place; returned)."""
    if not records:
        return records
    model = model or ranker(MODEL_FILE, FEATURE_VERSION)
    spans = sorted((u.start, u.end) for u in units)
    span_starts = [a for a, _ in spans]

    def in_unit(pos: int) -> bool:
        i = bisect_right(span_starts, pos) - 1
        return i >= 0 and pos < spans[i][1]

    learned = noun_verbs(model)
    flags = SentenceFlags(toks, in_unit, learned)
    groups = [(rec, candidates(text, toks, quantities[rec.quantity], rec, in_unit, flags, learned))
              for rec in records]
    best = model.best_in_groups([[f for _, f in cands] for _, cands in groups], *PRUNE_AFTER)
    for (rec, cands), i in zip(groups, best):
        if cands:
            rec.activity = cands[i][0]
    return records
