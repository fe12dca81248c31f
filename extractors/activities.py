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
from itertools import accumulate

from .mentions import Quantity, Record, Unit
from .model_files import ranker

MODEL_FILE = "activity.json"
FEATURE_VERSION = 9

Token = tuple[int, int, str, str]  # start, end, text, POS tag

LEXICAL = 1.0  # weight of the verb's identity as a feature
WINDOW = 20  # tokens either side of the figure where its verb is looked for
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


def _is_candidate(tok: Token, lex: frozenset) -> bool:
    return tok[3] in ("V", "A") or _in_lexicon(tok[2])


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
    between a verb and the figure is two look-ups.  ``learned``: the model's ``noun_verbs``."""
    lex = _verb_lexicon()
    texts, tags = [t[2] for t in toks], [t[3] for t in toks]
    lower = [x.lower() for x in texts]
    verb = [_is_candidate(t, lex) or w in learned for t, w in zip(toks, lower)]
    # the verb of a passive "được/bị X" reports the figure whatever its tag ("được kiểm định")
    for k in range(1, len(toks)):
        if not verb[k] and lower[k - 1] in _PASSIVE and texts[k][:1].isalpha():
            verb[k] = True
    # (str.__contains__: the same test as ``text in ",;:"``; each count made in one C-level pass)
    counts = (list(accumulate(map(",;:".__contains__, texts), initial=0)),
              list(accumulate(map(".!?".__contains__, texts), initial=0)),
              list(accumulate(verb, initial=0)),
              list(accumulate(map("M".__eq__, tags), initial=0)),
              list(accumulate(map("E".__eq__, tags), initial=0)),
              list(accumulate(map("()[]".__contains__, texts), initial=0)),
              list(accumulate(map(_JOIN.__contains__, lower), initial=0)))
    return verb, [not in_unit(t[0]) for t in toks], counts, lower


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

    A verb phrase is the verb with the word after it (``lấy mẫu``, ``có kết quả``)
    or with a negation before it (``không ghi nhận``), as annotators write them.
    """
    lex = _verb_lexicon()
    s, e = rec.start, rec.end
    out: list[tuple[str, dict[str, float]]] = []
    seen = set()
    # the sentence's tokens (toks are in text order: two bisections, not a scan per record)
    lo_s, hi_s = bisect_left(toks, (s,)), bisect_left(toks, (e,))
    sent = toks[lo_s:hi_s]
    verb, free, (n_punct, n_end, n_verbs, n_numbers, n_preps, n_brackets, n_joins), lower = \
        flags[lo_s, hi_s] if flags is not None else _flags_and_lower(sent, in_unit, learned)
    light_verbs = _light_verbs()
    qi = bisect_left(sent, (q.start,))  # the first token at or after the figure
    rule_key = (rec.activity or "").lower()
    rule_first = rule_key.split(",")[0].strip()

    # the quantity's clause: from the last , ; : before it to the next one after it
    cs = next((j for j in range(qi - 1, -1, -1) if sent[j][2] in ",;:"), -1) + 1
    ce = next((j for j in range(qi, len(sent)) if sent[j][2] in ",;:" and sent[j][0] >= q.end), len(sent))
    # the implicit "là"/"có" candidates read how many verbs the clause and sentence hold
    qs, qe = q.start, q.end
    cand_at = [v and f and not (qs <= t[0] < qe) for v, f, t in zip(verb, free, sent)]
    nearest_before = next((j for j in range(qi - 1, -1, -1) if cand_at[j]), None)
    first_after = next((j for j in range(qi, len(sent)) if cand_at[j]), None)
    verb_before_in_clause = nearest_before is not None and nearest_before >= cs
    first_in_clause = next((j for j in range(cs, ce) if cand_at[j]), None)
    qn = bisect_left(sent, (q.end,))  # the first token after the figure's text
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
    lo_w, hi_w = max(0, qi - WINDOW), min(len(sent), qi + WINDOW + 1)
    for i in range(lo_w, hi_w):
        if not free[i]:
            continue  # inside a unit's name
        t = sent[i]
        key = lower[i]
        is_rule_head = bool(rule_first) and rule_first.startswith(key)
        if not (is_rule_head or verb[i]) or (q.start <= t[0] < q.end and not is_rule_head):
            continue
        before = t[0] < q.start
        lo, hi = (i + 1, qi) if before else (qi, i)
        n_between = max(hi - lo, 0)
        a, b = lo, max(hi, lo)  # what lies between: tokens a to b - 1
        prev_key = lower[i - 1] if i else ""
        base = {
            "in_rule_group": float(bool(rule_key) and key in rule_key),
            "inside_quantity": float(q.start <= t[0] < q.end),
            "before": float(before),
            "dist:" + ("b" if before else "a") + _bucket(n_between): 1.0,
            "tokens_between": float(n_between),
            "punct_between": float(n_punct[b] > n_punct[a]),
            "sent_end_between": float(n_end[b] > n_end[a]),
            "verbs_between": float(n_verbs[b] - n_verbs[a]),
            "numbers_between": float(n_numbers[b] > n_numbers[a]),
            "tag=" + t[3]: 1.0,
            "in_lexicon": float(key in lex),
            "always": float(key in _ALWAYS),
            "aux_before": float(i > 0 and prev_key in _AUX),
            "cap": float(t[2][:1].isupper() and i > 0),
            "syllables": float(len(key.split())),
            "v=" + key: LEXICAL,
            "logdist": math.log1p(abs(t[0] - q.start)) / 10,
            "nearest_before": float(i == nearest_before),
            "first_after": float(i == first_after),
            "same_clause": float(cs <= i < ce),
            # a preposition or a bracket between puts the figure in another phrase ("với 4 tầng")
            "prep_between": float(n_preps[b] > n_preps[a]),
            "bracket_between": float(n_brackets[b] > n_brackets[a]),
            "first_in_clause": float(i == first_in_clause),
            "after_passive": float(i > 0 and prev_key in _PASSIVE),
            "prev=" + prev_key: 1.0,
            "subj_verb": float(i == subj_verb),
            "light": float(key in light_verbs),
            "join_between": float(n_joins[b] > n_joins[a]),
            **q_feats,
        }
        forms = [(t[2] if not is_rule_head else rec.activity, {"rule": float(is_rule_head), "form:verb": 1.0})]
        nxt = sent[i + 1] if i + 1 < len(sent) else None
        if nxt is not None and _word(nxt) and nxt[0] == t[1] + 1 and not (q.start <= nxt[0] < q.end) \
                and free[i + 1]:
            forms.append((text[t[0]:nxt[1]], {"form:next": 1.0, "next_tag=" + nxt[3]: 1.0}))
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
                               "heading_verbs_in_item": float(sum(cand_at)), **q_feats}))
    if rec.activity and not any(f.get("rule") for _, f in out):
        out.append((rec.activity, {"rule": 1.0, "rule_unplaced": 1.0}))
    # Annotators write "là"/"có" for a figure no verb governs (an age in an apposition, an
    # attribute in brackets): offered even when absent from the text, the model learns when.
    before_q = text[max(s, q.start - 3):q.start]
    implicit = {"implicit": 1.0, "imp:paren": float("(" in before_q), "imp:comma": float("," in before_q),
                "imp:colon": float(":" in before_q), "imp:dim=" + (q.dimension or ""): 1.0,
                "imp:uom=" + (q.unit_of_measure or "").lower(): 1.0,
                "imp:verbs_in_clause": float(sum(cand_at[cs:ce])),
                "imp:verbs_in_sentence": float(sum(cand_at)), **q_feats}
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
    scores = iter(model.scores([f for _, cands in groups for _, f in cands]))  # one batched call
    for rec, cands in groups:
        if cands:
            scored = [(next(scores), i) for i in range(len(cands))]
            rec.activity = cands[max(scored)[1]][0]
    return records
