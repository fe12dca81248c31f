"""How many syllables a count's noun takes: ``352 hộ`` or ``352 hộ dân``, ``ba cây`` or ``ba cây cầu``.

    adjust_counts(text, tokens, quantities) -> quantities with the counted noun's extent decided

For a count the spec's unit of measure is "the counted noun, as written",
and where that noun ends is a convention: a classifier takes the noun after
it (``bức tượng``, ``căn nhà``, ``cây cầu``), a noun that stands alone drops
its modifier (``hộ dân`` → ``hộ``, ``ca mắc`` → ``ca``, ``người lớn`` → ``người``),
and a word that only follows the noun is never part of it (``8 trường liên
cấp``, ``3 đoàn với``).  Candidates are the first one to four syllables
after the number; features are the tagger's words and tags around them and
how annotators wrote the same noun in the training corpus (by its first
syllable and as a whole phrase) and how often the document itself writes
each candidate phrase; a LightGBM ranking model trained by
``provnews train`` chooses.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_right
from operator import itemgetter

from .mentions import Quantity
from .model_files import load_json_model, ranker_from

MODEL_FILE = "counted_nouns.json"
FEATURE_VERSION = 4
MAX_SYLLABLES = 4

_SYLLABLE = re.compile(r"[^\W\d_]+", re.UNICODE)
_NOT_WORD = re.compile(r"[^\w ]")  # punctuation or a line break

Token = tuple[int, int, str, str]  # (start, end, text, POS)


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
    if q.dimension != "count" or not q.unit_of_measure or "," in q.unit_of_measure:
        return None
    # the last place the noun is written as whole syllables (a letter neither before nor after it; a
    # digit may be: ``6cơ sở``): in ``3 ô tô`` the noun ``ô tô`` starts at ``ô``, not inside ``tô``
    low, uom = q.text.lower(), q.unit_of_measure.lower()
    for needle in (uom, uom.split()[0]):
        at = _last_whole(low, needle)
        if at >= 0:
            return q.start + at
    return None


def _is_letter(c: str) -> bool:
    r"""``[^\W\d_]`` for one character: a word character that is neither a digit nor ``_``."""
    return c.isalnum() and not c.isdecimal()


def _last_whole(low: str, needle: str) -> int:
    r"""Start of the last of the left-to-right, non-overlapping occurrences of ``needle`` with no letter
    right before or after it (what ``re.finditer`` of ``(?<![^\W\d_])needle(?![^\W\d_])`` finds
    last), or -1; str.find instead of a pattern built for each figure."""
    last, n, i = -1, len(needle), low.find(needle)
    while i >= 0:
        j = i + n
        if (i == 0 or not _is_letter(low[i - 1])) and (j >= len(low) or not _is_letter(low[j])):
            last = i
            i = low.find(needle, j if n else j + 1)
        else:
            i = low.find(needle, i + 1)
    return last


def phrase(syllables: list[re.Match], k: int) -> str:
    return " ".join(m.group().lower() for m in syllables[:k])


def _token_at(tokens: list[Token], starts: list[int], pos: int) -> Token | None:
    i = bisect_right(starts, pos) - 1
    return tokens[i] if i >= 0 and tokens[i][0] <= pos < tokens[i][1] else None


class DocPhrases:
    """How often a phrase is written in the document as whole words: a noun the writer keeps using
    as a unit (``thai phụ``, ``đơn vị hành chính``) is one; a modifier that happens to follow a
    number once (``người thân``) is rarely repeated."""

    def __init__(self, text: str):
        self.low = text.lower()
        self._seen: dict[str, int] = {}

    def count(self, phrase: str) -> int:
        got = self._seen.get(phrase)
        if got is None:
            # str.find over the occurrences, a whole word where no letter or digit touches it (a
            # regex per phrase cost 20 times more)
            low, n, got = self.low, len(phrase), 0
            i = low.find(phrase)
            while i >= 0:
                j = i + n
                if (i == 0 or not low[i - 1].isalnum()) and (j == len(low) or not low[j].isalnum()):
                    got += 1
                i = low.find(phrase, j)
            self._seen[phrase] = got
        return got


def candidates(text: str, tokens: list[Token], starts: list[int], q: Quantity, syl: list[re.Match],
               stats: dict, doc: DocPhrases | None = None) -> list[tuple[int, dict[str, float]]]:
    """(end offset, features) for the noun taking 1 to MAX_SYLLABLES of the syllables ``syl``."""
    if doc is None:
        doc = DocPhrases(text)
    first = syl[0].group().lower()
    n_doc_first = max(1, doc.count(first))
    by_first = stats["first"].get(first) or [0] * MAX_SYLLABLES
    n_first = sum(by_first)
    out = []
    lows = [m.group().lower() for m in syl]  # (each syllable lowercased once, not once per length)
    at = [_token_at(tokens, starts, m.start()) for m in syl]  # the token of each syllable
    first_tok = at[0]
    phrases = stats["phrases"]
    later = stats.get("later") or {}
    for k in range(1, len(syl) + 1):
        end = syl[k - 1].end()
        if end > q.end and _NOT_WORD.search(text, q.end, end):
            break  # extending over punctuation or a line break would leave the phrase
        words = " ".join(lows[:k])
        last_tok = at[k - 1]
        if k < len(syl):
            nxt, next_tok = syl[k], at[k]
        else:
            nxt = _SYLLABLE.match(text, end + 1) if text[end:end + 1] == " " else None
            next_tok = _token_at(tokens, starts, nxt.start()) if nxt is not None else None
        gold, seen = phrases.get(words, (0, 0))
        f = {
            "k": float(k), f"k{k}": 1.0,
            "rules": float(end == q.end),
            "ends_word": float(last_tok is not None and last_tok[1] == end),
            "splits_word": float(last_tok is not None and last_tok[1] > end),
            "one_word": float(first_tok is not None and first_tok[1] >= end),
            "first_share": ((by_first[k - 1] if k <= len(by_first) else 0) + 0.5) / (n_first + 1.5),
            "first_seen": math.log1p(n_first),
            "phrase_gold": math.log1p(gold),
            "phrase_rate": (gold + 0.1) / (seen + 1.0),
            "last_capital": float(syl[k - 1].group()[:1].isupper()),
            "next_none": float(nxt is None),
        }
        in_doc = doc.count(words)
        f["doc_count"] = math.log1p(in_doc)
        f["doc_share"] = in_doc / n_doc_first
        # (_later_features, on the syllables lowercased above)
        for name, j in (("last", k - 1), ("after", k)):
            if 1 <= j < len(syl):
                took, stopped = later.get(lows[j], (0, 0))
                f[name + "_taken"] = (took + 0.5) / (took + stopped + 1.0)
                f[name + "_seen"] = math.log1p(took + stopped)
        if last_tok is not None:
            f["last_tag_" + (last_tok[3][:1] or "X")] = 1.0
        if next_tok is not None:
            f["next_tag_" + (next_tok[3][:1] or "X")] = 1.0
        out.append((end, f))
    return out


def _later_features(stats: dict, syl: list[re.Match], k: int) -> dict[str, float]:
    """How often annotators let a noun take its last syllable here, and the syllable after it: a word
    that only follows nouns (``người thuộc``, ``người này``, ``người so``) is rarely taken, whatever
    noun it follows."""
    later = stats.get("later") or {}
    out = {}
    for name, j in (("last", k - 1), ("after", k)):
        if 1 <= j < len(syl):
            took, stopped = later.get(syl[j].group().lower(), (0, 0))
            out[name + "_taken"] = (took + 0.5) / (took + stopped + 1.0)
            out[name + "_seen"] = math.log1p(took + stopped)
    return out


_RANKERS: dict[int, tuple[dict, object]] = {}


def _ranker_for(model: dict):
    """One ranker per model dict (the shipped one is loaded once per process)."""
    got = _RANKERS.get(id(model))
    if got is None or got[0] is not model:
        got = _RANKERS[id(model)] = (model, ranker_from(model))
    return got[1]


def adjust_counts(text: str, tokens: list[Token], quantities: list[Quantity],
                  model: dict | None = None) -> list[Quantity]:
    """Quantities whose counted noun is cut or extended to the chosen length (in place)."""
    if model is None:
        model = load_json_model(MODEL_FILE, FEATURE_VERSION)
    ranker = _ranker_for(model)
    starts = list(map(itemgetter(0), tokens))
    doc = DocPhrases(text)
    groups, rows = [], []
    for q in quantities:
        at = count_noun_start(q)
        if at is None:
            continue
        syl = noun_syllables(text, at)
        if not syl:
            continue
        cands = candidates(text, tokens, starts, q, syl, model, doc)
        if len(cands) > 1:
            groups.append((q, at, [end for end, _ in cands]))
            rows.extend(f for _, f in cands)
    scores = ranker.scores(rows) if rows else []
    i = 0
    for q, at, ends in groups:
        best = max(range(len(ends)), key=lambda j: scores[i + j])
        i += len(ends)
        end = ends[best]
        if end != q.end:
            q.unit_of_measure = text[at:end].lower()
            q.end = end
            q.text = text[q.start:end]
    return quantities
