"""Whether each organization the rules found is a unit at all: features → a model → keep or drop.

    dropped(text, units, groups, scores, model=None) -> the rules' names of the organizations to drop

The rules list every head word followed by a name (``units.py``), and
``unit_choice`` only picks the name each is listed under.  Annotators leave
out many of them: a body the article names in passing (``Bộ Tài chính``
once, in a quoted speaker's title), a place or a brand read as a name
(``trung tâm Amsterdam``, ``ngân hàng Bao giờ``), a generic phrase with a
head word (``Trung tâm Y tế tuyến huyện``, ``Ban Tổ chức``).  Each
organization is one row: its rules' candidate row of ``unit_choice`` (kind,
mentions, records, capitals, position), the names model's best score and its
margin over the rules' name, how its mentions are written and introduced, and
how often the same name and its words were units in the annotated corpus
(tables stored in the model file); a binary LightGBM model learned from the annotated corpus
(``provnews train``; an organization is positive when the name
``unit_choice`` lists it under is a gold unit's name or alias) gives the probability that it is a
unit, and one below ``DROP_BELOW`` is dropped.
"""
from __future__ import annotations

import math

from .mentions import Unit
from .model_files import ranker
from .unit_lexicon import norm
from .unit_pieces import is_abbr

MODEL_FILE = "unit_keep.json"
# Bump when the features below change: the shipped model must be retrained.
FEATURE_VERSION = 1
# An organization whose probability of being a unit is below this is dropped (5-fold CV x 3: units F1
# .8228 .8226 .8218 .8208 at 0.2 .25 .3 .35, .8213 without the model; records, quantities and activity
# unchanged).
DROP_BELOW = 0.2
# A word used by fewer organizations than this in the annotated corpus says nothing of them.
MIN_WORD_USES = 3
# How many characters before a mention are read for the word that introduces it.
_BEFORE = 12


def _prev_word(text: str, start: int) -> str:
    before = text[max(0, start - _BEFORE):start].split()
    return before[-1].lower().strip(",.:;“”\"()") if before else "^"


def name_keys(name: str, kind: str | None) -> tuple[str, list[str]]:
    """The normalized name and the words after its head: what the annotated corpus is asked about."""
    low = norm(name)
    k = len(kind.split()) if kind and low.startswith(norm(kind)) else 1
    return low, low.split()[k:]


def prior_features(f: dict, name: str, kind: str | None, names: dict, words: dict) -> None:
    """How often organizations of this name, and with these words, were units in the annotated corpus
    (``names``/``words``: [times not a unit, times a unit])."""
    low, rest = name_keys(name, kind)
    no, yes = names.get(low, (0, 0))
    f["prior_yes:log"], f["prior_no:log"] = math.log1p(yes), math.log1p(no)
    f["prior_share"] = yes / (yes + no) if yes + no else -1.0
    shares = [c[1] / (c[0] + c[1]) for w in rest if (c := words.get(w)) and c[0] + c[1] >= MIN_WORD_USES]
    f["word_share_min"] = min(shares) if shares else -1.0
    f["word_share_mean"] = sum(shares) / len(shares) if shares else -1.0


def org_rows(text: str, units: list[Unit], groups, scores, prior: tuple[dict, dict] | None = None
             ) -> list[tuple[str, dict[str, float]]]:
    """(rules' name, features) for each organization of ``unit_choice.ranked_groups``; ``prior``:
    the model's (names, words) tables (None: left to the caller, as in training)."""
    by_name: dict[str, list[Unit]] = {}
    for u in units:
        by_name.setdefault(u.name, []).append(u)
    parents = {u.parent for u in units if u.parent}
    rows = []
    at = 0
    for name, cands in groups:
        ms = by_name[name]
        own = scores[at:at + len(cands)]
        at += len(cands)
        f = {k: v for k, v in cands[0][1].items() if not k.startswith("from:")}
        f["candidates"] = float(len(cands))
        f["margin"] = max(own) - own[0]
        f["best_score"] = max(own)
        f["abbr_only"] = float(all(is_abbr(m.text.strip(",.")) for m in ms))
        f["defines_abbr"] = float(any(m.abbreviation for m in ms))
        f["has_parent"] = float(any(m.parent for m in ms))
        f["is_parent"] = float(name in parents)
        f["chars:log"] = math.log1p(len(name))
        first = ms[0]
        f["prev:" + _prev_word(text, first.start)] = 1.0
        f["after_theo"] = sum(_prev_word(text, m.start) == "theo" for m in ms) / len(ms)
        line = text.rfind("\n", 0, first.start) + 1
        f["quoted"] = float(text.count("“", line, first.start) > text.count("”", line, first.start))
        if prior is not None:
            prior_features(f, name, first.kind, *prior)
        rows.append((name, f))
    return rows


def dropped(text: str, units: list[Unit], groups, scores, model=None) -> set[str]:
    """The rules' names of the organizations the model says are not units."""
    if not groups:
        return set()
    model = model or ranker(MODEL_FILE, FEATURE_VERSION)
    rows = org_rows(text, units, groups, scores, (model.data["names"], model.data["words"]))
    below = -math.log(1 / DROP_BELOW - 1)  # the raw score (log-odds) of DROP_BELOW
    return {name for (name, _), s in zip(rows, model.scores([f for _, f in rows])) if s < below}


# What becomes of a dropped organization's records: "norec" drops only an organization no record is
# attributed to (its records keep it); "null" drops every one, its records left without a unit.
# 5-fold CV x 3 (first labelling, DROP_BELOW 0.1/0.15/0.2): units F1 .8216/.8218/.8217 either way
# (.8213 without the model), records F1 .7783 either way; one shuffle with the present labelling at
# 0.2/0.3: norec .8237/.8240, null .8239/.8242 with records .7828/.7826. "norec" leaves the records as
# attribution chose them. (Dropping before attribution, so that it chooses among the others, gave
# records .7826 against .7828 on one shuffle.)
POLICY = "norec"


def without(units: list[Unit], records, drop: set[str]):
    """The units (and records, in place) without the dropped organizations."""
    if not drop:
        return units, records
    if POLICY == "norec":
        drop = drop - {r.unit for r in records}
    else:
        for r in records:
            if r.unit in drop:
                r.unit = None
    return [u for u in units if u.name not in drop], records
