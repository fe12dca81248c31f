"""How many syllables a count's noun takes: ``352 hộ`` or ``352 hộ dân``, ``ba cây`` or ``ba cây cầu``.

    adjust_counts(text, quantities) -> quantities with the counted noun's extent decided

For a count the spec's unit of measure is "the counted noun, as written",
and where that noun ends is a convention: a classifier takes the noun after
it (``bức tượng``, ``căn nhà``, ``cây cầu``), a noun that stands alone drops
its modifier (``hộ dân`` → ``hộ``, ``ca mắc`` → ``ca``, ``người lớn`` → ``người``).
The rules' candidate is the tagger's word; the decision is a table learned
from the annotated corpus (``provnews train``): for the noun's first syllable,
how many syllables annotators take, used where it was seen often enough.
"""
from __future__ import annotations

import re

from .mentions import Quantity
from .model_files import load_json_model

MODEL_FILE = "counted_nouns.json"
FEATURE_VERSION = 1
MAX_SYLLABLES = 3

_SYLLABLE = re.compile(r"[^\W\d_]+", re.UNICODE)


def noun_syllables(text: str, start: int, limit: int = MAX_SYLLABLES) -> list[re.Match]:
    """The letter syllables that follow ``start`` on the same line, separated by single spaces."""
    out, pos = [], start
    while len(out) < limit:
        m = _SYLLABLE.match(text, pos)
        if m is None:
            break
        out.append(m)
        if text[m.end():m.end() + 1] != " ":
            break
        pos = m.end() + 1
    return out


def count_noun_start(q: Quantity) -> int | None:
    """Offset of the counted noun inside ``q`` (where its unit of measure is written), if found."""
    if q.dimension != "count" or not q.unit_of_measure:
        return None
    i = q.text.lower().rfind(q.unit_of_measure.split(",")[0].split()[0])
    return q.start + i if i >= 0 else None


def adjust_counts(text: str, quantities: list[Quantity], table: dict | None = None) -> list[Quantity]:
    """Quantities whose counted noun is cut or extended to the learned length (in place)."""
    if table is None:
        table = load_json_model(MODEL_FILE, FEATURE_VERSION)["lengths"]
    for q in quantities:
        at = count_noun_start(q)
        if at is None or "," in (q.unit_of_measure or ""):
            continue
        syl = noun_syllables(text, at)
        if not syl:
            continue
        first = syl[0].group().lower()
        want = table.get(first)
        if want is None or want > len(syl):
            continue
        end = syl[want - 1].end()
        if end == q.end or (end > q.end and _crosses(text, q.end, end)):
            continue
        q.unit_of_measure = text[at:end].lower()
        q.end = end
        q.text = text[q.start:end]
    return quantities


def _crosses(text: str, a: int, b: int) -> bool:
    """Extending over punctuation or a line break would leave the phrase."""
    return bool(re.search(r"[^\w ]", text[a:b]))
