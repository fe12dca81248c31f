"""Which numbers are quantities: the rules' candidates → features → a model → keep or drop.

    decided(text, tokens, quantities, vetoed, model=None) -> the quantities, in text order

``quantities.find_quantities`` reads every number and keeps it when it finds a
measure or a counted noun after it, unless a rule of judgement drops it: a
label before it (``Đợt 1``, but also ``được cấp 16.650 liều``), a proper name
(``Nghệ An 59 học sinh``), a vague word (``hàng``, but also ``đơn hàng 50.000
sản phẩm``), a word the tagger does not call a noun (``9 thiết kế``,
``306 chung cư``) … Each such rule was decided by hand on a few documents and
is right most of the time, but not always; here they become features.  Every
candidate, kept or dropped by the rules, is one row: the rule that dropped it,
the words and tags around it, its measure or noun and how the corpus uses it,
its form (digits, spelled, a year's shape); a binary LightGBM model learned
from the annotated corpus (``provnews train``: a candidate is positive when a
gold quantity of its value covers it) gives the probability that it is a
quantity.  A dropped candidate is taken back from ``ADD_FROM``; a kept one is
dropped below ``DROP_BELOW``.
"""
from __future__ import annotations

import math
from bisect import bisect_left

from .mentions import Quantity
from .model_files import ranker

MODEL_FILE = "quantity_keep.json"
# Bump when the features below change: the shipped model must be retrained.
FEATURE_VERSION = 1
# Probabilities (chosen by 5-fold cross-validation over train + dev, never test): a candidate the rules
# dropped is taken back from ADD_FROM; one the rules kept is dropped below DROP_BELOW.
ADD_FROM = 0.5
DROP_BELOW = 0.0

Token = tuple  # (start, end, text, POS)

_FIELD_LINE = ("link:", "source:", "published date:", "author:", "tags:", "# url", "# date", "# doc_id")


def _log_odds(p: float) -> float:
    if p <= 0:
        return -math.inf
    if p >= 1:
        return math.inf
    return -math.log(1 / p - 1)


def _magnitude(v: float | None) -> str:
    if v is None or v != v:
        return "none"
    if v == 0:
        return "0"
    return str(max(-2, min(12, int(math.floor(math.log10(abs(v)))))))


def rows(text: str, tokens: list[Token], candidates: list[tuple[Quantity, str | None]]
         ) -> list[dict[str, float]]:
    """The features of each ``(quantity, rule that dropped it or None)``."""
    uoms: dict[str, int] = {}
    for q, veto in candidates:
        if veto is None:
            key = (q.unit_of_measure or "").lower()
            uoms[key] = uoms.get(key, 0) + 1
    kept_starts = sorted(q.start for q, veto in candidates if veto is None)
    out = []
    for q, veto in candidates:
        uom = (q.unit_of_measure or "").lower()
        words = uom.split()
        f: dict[str, float] = {
            "veto=" + (veto or "none"): 1.0,
            "dim=" + (q.dimension or ""): 1.0,
            "uom=" + uom: 1.0,
            "uom_first=" + (words[0] if words else ""): 1.0,
            "uom_syllables": float(len(words)),
            "mag=" + _magnitude(q.value): 1.0,
            "integer": float(q.value is not None and q.value == int(q.value)),
            "range": float(q.value_max is not None),
            "total": float(q.total is not None),
            "qualified": float(q.qualifier not in ("=", None)),
            "digits": float(any(c.isdigit() for c in q.text)),
            "grouped": float(any(c.isdigit() for c in q.text) and "." in q.text),
            "chars": float(q.end - q.start),
            # how many quantities the rules kept with the same measure or noun in the document
            "same_uom:log": math.log1p(uoms.get(uom, 0) - (veto is None)),
        }
        i = bisect_left(tokens, (q.start,))
        j = bisect_left(tokens, (q.end,), i)
        prev = tokens[i - 1] if i else None
        nxt = tokens[j] if j < len(tokens) else None
        inner = tokens[i:j]
        f["prev=" + (prev[2].lower() if prev else "^")] = 1.0
        f["prev_tag=" + (prev[3] if prev else "^")] = 1.0
        f["next=" + (nxt[2].lower() if nxt else "$")] = 1.0
        f["next_tag=" + (nxt[3] if nxt else "$")] = 1.0
        if prev is not None and i > 1:
            f["prev2=" + tokens[i - 2][2].lower()] = 1.0
        f["tokens"] = float(len(inner))
        for k, t in enumerate(inner[:4]):
            f[f"tag{k}=" + t[3]] = 1.0
        if len(inner) > 1:
            f["last_tag=" + inner[-1][3]] = 1.0
        line_start = text.rfind("\n", 0, q.start) + 1
        head = text[line_start:q.start]
        f["line_offset:log"] = math.log1p(q.start - line_start)
        f["field_line"] = float(head.lower().startswith(_FIELD_LINE))
        f["in_brackets"] = float(head.count("(") > head.count(")"))
        f["after_colon"] = float(head.rstrip().endswith(":"))
        f["sentence_start"] = float(not head.strip() or head.rstrip()[-1:] in ".!?:;")
        k = bisect_left(kept_starts, q.start)
        near = [abs(kept_starts[x] - q.start) for x in (k - 1, k, k + 1)
                if 0 <= x < len(kept_starts) and kept_starts[x] != q.start]
        f["kept_near:log"] = math.log1p(min(near)) if near else 10.0
        out.append(f)
    return out


def decided(text: str, tokens: list[Token], quantities: list[Quantity],
            vetoed: list[tuple[Quantity, str]], model=None) -> list[Quantity]:
    """The rules' quantities less those the model drops, plus the dropped candidates it takes back
    (none overlapping a quantity kept: the surer first), in text order."""
    candidates = [(q, None) for q in quantities] + list(vetoed)
    if not candidates:
        return quantities
    model = model or ranker(MODEL_FILE, FEATURE_VERSION)
    scores = model.scores(rows(text, tokens, candidates))
    drop_below, add_from = _log_odds(DROP_BELOW), _log_odds(ADD_FROM)
    kept = [q for q, s in zip(quantities, scores) if s >= drop_below]
    changed = len(kept) < len(quantities)
    taken = sorted(((s, q) for (q, _), s in zip(vetoed, scores[len(quantities):]) if s >= add_from),
                   key=lambda x: (-x[0], x[1].start))
    spans = [(q.start, q.end) for q in kept]
    for _, q in taken:
        if not any(a < q.end and q.start < b for a, b in spans):
            kept.append(q)
            spans.append((q.start, q.end))
            changed = True
    return sorted(kept, key=lambda q: q.start) if changed else quantities
