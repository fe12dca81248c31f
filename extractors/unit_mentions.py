"""The learned decision on unit mentions: a BIO sequence labeller over the segmented words.

    labelled_spans(text, tokens, units) -> [(start, end)]   the model's mentions
    adjusted_units(text, tokens, units) -> units             the rules' units corrected by them

The rules find organizations from head words, abbreviations and lexicons
(``units.py``); most of their errors are mentions found or missed outright,
not names cut wrong.  This linear-chain CRF reads the same evidence as
features of each word (its shape and tag, whether it opens a head, is an
abbreviation, a place, a known media name) together with the rules' own
mention (B/I/O), so it learns where the rules go wrong rather than starting
over.  Its spans that no rules' mention touches are candidates for new units,
named by the rules' naming code (``unit_names.canonical``; one that names an
organization the rules named is left to them), and a second model (LightGBM,
over the span's probability, shape, head word and context) keeps the likely
ones.  Dropping rules' organizations the labeller rejects was tried and did not
help by cross-validation.

Trained by ``pipeline.train`` (CRFsuite, L-BFGS, deterministic) from the gold
names and aliases found in each training text; the file holds the weights, and
decoding (Viterbi) is done here, so extraction needs no CRFsuite.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .mentions import Unit
from .model_files import load_json_model
from .unit_lexicon import lexicon
from .unit_pieces import is_abbr

MODEL_FILE = "unit_mentions.json"
FEATURE_VERSION = 2
LABELS = ("O", "B", "I")
WINDOW = 2
# how the model's labels change the rules' units: "add" its mentions no rules' mention touches,
# "drop" organizations whose every mention it labels O, or both (chosen by cross-validation)
# a new mention is a candidate when each of its words is in a mention with at least this probability
ADD_MIN = 0.3

_SENTENCE_END = frozenset((".", "!", "?", "\n"))


def sentences(tokens) -> list[tuple[int, int]]:
    """(first, past-last) token index of each sentence: split after . ! ? and line breaks."""
    out, first = [], 0
    for i, t in enumerate(tokens):
        if t[2] in _SENTENCE_END or "\n" in t[2]:
            if i + 1 > first:
                out.append((first, i + 1))
            first = i + 1
    if first < len(tokens):
        out.append((first, len(tokens)))
    return out


def _shape(w: str) -> str:
    if not w:
        return "e"
    c = w[0]
    if c.isdigit():
        return "d"
    if not c.isalpha():
        return "p"
    if w.isupper() and len(w) > 1:
        return "A"
    if c.isupper():
        return "X" if all(s[:1].isupper() for s in w.split()) else "Xx"
    return "x"


def _word_features(w: str, tag: str, lex) -> list[str]:
    """The features of one word alone (kept per word: the words of the news repeat)."""
    low = w.lower()
    syl = low.split()
    f = ["w=" + low, "t=" + tag, "s=" + _shape(w)]
    heads = lex.heads_by_first.get(syl[0]) if syl else None
    if heads:
        f.append("hf")  # opens a head word
        for h in heads:
            if len(h.pieces) == len(syl) and [p.lower() for p in h.pieces] == syl:
                f.append("hk=" + h.kind)
                break
    if is_abbr(w):
        f.append("ab")
        if w in lex.abbr_units:
            f.append("abu")
        elif w in lex.expansions:
            f.append("abx")
    return f


class _Words(dict):
    LIMIT = 20000

    def __init__(self, lex):
        super().__init__()
        self.lex = lex

    def __missing__(self, key):
        if len(self) >= self.LIMIT:
            self.clear()
        got = self[key] = _word_features(key[0], key[1], self.lex)
        return got


_words_cache: dict = {}


def _words():
    lex = lexicon()
    w = _words_cache.get(id(lex))
    if w is None:
        w = _words_cache[id(lex)] = _Words(lex)
    return w


def _place_marks(text: str, tokens, lex) -> list[bool]:
    """Is each word (part of) a province written as such?"""
    provinces = _province_set(lex)
    out = [False] * len(tokens)
    for i, t in enumerate(tokens):
        if t[3] == "Np" and t[2] in provinces:
            out[i] = True
    return out


_prov_cache: dict = {}


def _province_set(lex) -> frozenset:
    s = _prov_cache.get(id(lex))
    if s is None:
        s = _prov_cache[id(lex)] = frozenset(lex.provinces)
    return s


def rule_tags(tokens, units, covering: list | None = None) -> list[str]:
    """B/I/O of the rules' mentions over the words (a word is in a mention when it overlaps it);
    ``covering`` (if given) gets the mention over each word, or None."""
    from bisect import bisect_left, bisect_right

    out = ["O"] * len(tokens)
    starts = [t[0] for t in tokens]
    ends = [t[1] for t in tokens]
    for u in units:
        a = bisect_right(ends, u.start)  # first word ending after the mention starts
        b = bisect_left(starts, u.end)  # first word starting at or after its end
        for k in range(a, b):
            out[k] = "I" if k > a else "B"
            if covering is not None:
                covering[k] = u
    return out


def features(text: str, tokens, units, covering: list | None = None) -> list[list[str]]:
    """Each word's features: its own, its neighbours' (±WINDOW) and the rules' B/I/O around it;
    ``covering`` (if given, one None per word) gets the rules' mention over each word."""
    lex = lexicon()
    words = _words()
    own = [words[(t[2], t[3])] for t in tokens]
    if covering is None:
        covering = [None] * len(tokens)
    rules = rule_tags(tokens, units, covering)
    uses: dict[str, int] = {}
    for u in units:
        uses[u.name] = uses.get(u.name, 0) + 1
    place = _place_marks(text, tokens, lex)
    n = len(tokens)
    out = []
    for i in range(n):
        f = list(own[i])
        r = rules[i]
        f.append("r=" + r)
        u = covering[i]
        if u is not None:
            # what the rules know of the organization: its kind, how often it is named, whether this
            # mention is written as its name (not a short form or a back-reference)
            f.append("rk=" + (u.kind or ""))
            f.append("rn=" + str(min(uses[u.name], 3)))
            if u.text != u.name:
                f.append("rx")
        if place[i]:
            f.append("pl")
        for d in (-2, -1, 1, 2):
            j = i + d
            if 0 <= j < n:
                o = own[j]
                f.append(f"{d}w={o[0][2:]}")
                f.append(f"{d}s={o[2][2:]}")
                f.append(f"{d}t={o[1][2:]}")
                f.append(f"{d}r={rules[j]}")
                if len(o) > 3 and o[3] == "hf":
                    f.append(f"{d}hf")
            else:
                f.append(f"{d}w=<>")
        f.append("r-1r=" + (rules[i - 1] if i else "<") + r)
        out.append(f)
    return out


def labels_for(tokens, spans) -> list[str]:
    """B/I/O of character spans over the words (the training labels)."""
    return rule_tags(tokens, [Unit("", s, e, "") for s, e in spans])


class Labeller:
    """A linear-chain CRF's weights (attribute → weight per label, transitions), decoded by Viterbi."""

    def __init__(self, data: dict):
        from .model_files import ranker_from

        self.data = data
        # the second stage: which of its new mentions to keep (a LightGBM binary model)
        self.filter = ranker_from(data["filter"]) if "filter" in data else None
        self.keep_from: float = data.get("keep_from", 0.0)
        self.labels: list[str] = data["labels"]
        if len(self.labels) != 3:
            raise ValueError("the unit-mention labeller has three labels (O, B, I)")
        self._sums: dict = {}  # (word, tag) → its row of _table
        self._table = None
        self.weights: dict[str, list[float]] = data["weights"]
        self.transitions: list[list[float]] = data["transitions"]

    def word_scores(self, text: str, tokens, units, covering: list) -> list[list[float]]:
        """``state_scores(features(text, tokens, units, covering))`` without making the feature strings:
        the weights of a word's own features, and of its features as a neighbour at each offset, are
        summed once per word and kept (the words of the news repeat); the rules' tags add by table
        lookups over the whole document (numpy); only the few features of the rules' mentions are
        looked up per word.  The same sums, added in another order."""
        import numpy as np

        n = len(tokens)
        if not n:
            return []
        get = self.weights.get
        zero = (0.0, 0.0, 0.0)
        # each word's sums are a row of a table kept across documents (word → row)
        cache = self._sums
        table = self._table
        if table is None or len(cache) + n > len(table):
            cache.clear()
            table = self._table = np.zeros((max(_Words.LIMIT, n), 5, 3))
        rows = []
        for t in tokens:
            k = (t[2], t[3])
            v = cache.get(k)
            if v is None:
                v = cache[k] = len(cache)
                table[v] = self._word_sums(_words()[k])
            rows.append(v)
        W = table[rows]  # (word, own / as neighbour at -2 -1 1 2, label)
        rules = rule_tags(tokens, units, covering)
        code = {"O": 0, "B": 1, "I": 2}
        r = np.array([code[x] for x in rules])
        prev = np.empty(n, dtype=np.int64)
        prev[0] = 3  # "<": no word before
        prev[1:] = r[:-1]
        t = self._tables()
        out = W[:, 0, :] + t["here"][r] + t["pair"][prev, r]
        for x, d in enumerate((-2, -1, 1, 2)):
            near = W[:, x + 1, :] + t["near"][x][r]  # what word j adds to the word d away from it
            if d < 0:
                out[-d:] += near[:d]
                out[:-d] += t["edge"][x]
            else:
                out[:-d] += near[d:]
                out[n - d:] += t["edge"][x]
        uses: dict[str, int] = {}
        for u in units:
            uses[u.name] = uses.get(u.name, 0) + 1
        for i, u in enumerate(covering):
            if u is not None:
                out[i] += get("rk=" + (u.kind or ""), zero)
                out[i] += get("rn=" + str(min(uses[u.name], 3)), zero)
                if u.text != u.name:
                    out[i] += get("rx", zero)
        place = _place_marks(text, tokens, lexicon())
        pl = get("pl")
        if pl is not None and any(place):
            out[np.array(place)] += pl
        return out.tolist()

    def _tables(self) -> dict:
        """The weights of the rules'-tag features as arrays indexed by tag (O B I, then < for none)."""
        t = getattr(self, "_tag_tables", None)
        if t is None:
            import numpy as np

            get = self.weights.get
            zero = (0.0, 0.0, 0.0)
            t = self._tag_tables = {
                "here": np.array([get("r=" + r, zero) for r in LABELS]),
                "pair": np.array([[get("r-1r=" + p + r, zero) for r in LABELS] for p in (*LABELS, "<")]),
                "near": [np.array([get(f"{d}r={r}", zero) for r in LABELS]) for d in (-2, -1, 1, 2)],
                "edge": np.array([get(f"{d}w=<>", zero) for d in (-2, -1, 1, 2)]),
            }
        return t

    def _word_sums(self, own: list[str]) -> tuple:
        """(own features' summed weights, then its features' as the neighbour at -2, -1, 1, 2)."""
        get = self.weights.get
        zero = (0.0, 0.0, 0.0)

        def total(names):
            a = b = c = 0.0
            for k in names:
                v = get(k, zero)
                a += v[0]; b += v[1]; c += v[2]  # noqa: E702
            return (a, b, c)

        out = [total(own)]
        for d in (-2, -1, 1, 2):
            names = [f"{d}w={own[0][2:]}", f"{d}s={own[2][2:]}", f"{d}t={own[1][2:]}"]
            if len(own) > 3 and own[3] == "hf":
                names.append(f"{d}hf")
            out.append(total(names))
        return tuple(out)

    def state_scores(self, rows: list[list[str]]) -> list[list[float]]:
        w = self.weights
        L = len(self.labels)
        scores = []
        for f in rows:
            s = [0.0] * L
            for k in f:
                v = w.get(k)
                if v is not None:
                    for j in range(L):
                        s[j] += v[j]
            scores.append(s)
        return scores

    def outside(self, scores: list[list[float]]) -> list[float]:
        """P(label O) of each word (forward-backward, in probabilities rescaled at each word rather
        than in logs: three exponentials a word instead of twelve, and the same marginals)."""
        import math

        exp = math.exp
        E = getattr(self, "_exp_transitions", None)
        if E is None:
            E = self._exp_transitions = [[exp(x) for x in row] for row in self.transitions]
        (e00, e01, e02), (e10, e11, e12), (e20, e21, e22) = E
        o = self.labels.index("O")
        emit = []
        for s0, s1, s2 in scores:
            m = max(s0, s1, s2)
            emit.append((exp(s0 - m), exp(s1 - m), exp(s2 - m)))
        x, y, z = emit[0]
        t = x + y + z
        fw = [(x / t, y / t, z / t)]
        for f0, f1, f2 in emit[1:]:
            a0, a1, a2 = fw[-1]
            x = f0 * (a0 * e00 + a1 * e10 + a2 * e20)
            y = f1 * (a0 * e01 + a1 * e11 + a2 * e21)
            z = f2 * (a0 * e02 + a1 * e12 + a2 * e22)
            t = x + y + z
            fw.append((x / t, y / t, z / t))
        n = len(scores)
        bw = [(1.0, 1.0, 1.0)] * n
        b0 = b1 = b2 = 1.0
        for k in range(n - 1, 0, -1):
            f0, f1, f2 = emit[k]
            g0, g1, g2 = f0 * b0, f1 * b1, f2 * b2
            x = e00 * g0 + e01 * g1 + e02 * g2
            y = e10 * g0 + e11 * g1 + e12 * g2
            z = e20 * g0 + e21 * g1 + e22 * g2
            t = x + y + z
            b0, b1, b2 = x / t, y / t, z / t
            bw[k - 1] = (b0, b1, b2)
        out = []
        for a, b in zip(fw, bw):
            p0, p1, p2 = a[0] * b[0], a[1] * b[1], a[2] * b[2]
            out.append((p0, p1, p2)[o] / (p0 + p1 + p2))
        return out

    def tag(self, rows: list[list[str]], scores=None) -> list[str]:
        """The best labelling (Viterbi; the first best label wins a tie, as in CRFsuite)."""
        if not rows:
            return []
        if scores is None:
            scores = self.state_scores(rows)
        (t00, t01, t02), (t10, t11, t12), (t20, t21, t22) = self.transitions
        x, y, z = scores[0]
        back = []
        for s0, s1, s2 in scores[1:]:
            # into each label: the best previous (ties to the lower label)
            a, b, c = x + t00, y + t10, z + t20
            p0 = 0 if a >= b and a >= c else (1 if b >= c else 2)
            m0 = a if p0 == 0 else (b if p0 == 1 else c)
            a, b, c = x + t01, y + t11, z + t21
            p1 = 0 if a >= b and a >= c else (1 if b >= c else 2)
            m1 = a if p1 == 0 else (b if p1 == 1 else c)
            a, b, c = x + t02, y + t12, z + t22
            p2 = 0 if a >= b and a >= c else (1 if b >= c else 2)
            m2 = a if p2 == 0 else (b if p2 == 1 else c)
            x, y, z = m0 + s0, m1 + s1, m2 + s2
            back.append((p0, p1, p2))
        j = 0 if x >= y and x >= z else (1 if y >= z else 2)
        path = [j]
        for bp in reversed(back):
            j = bp[j]
            path.append(j)
        labels = self.labels
        return [labels[j] for j in reversed(path)]


_models: dict = {}  # the shipped model's data (loaded once) → its Labeller


def _model(data: dict) -> Labeller:
    m = _models.get(id(data))
    if m is None or m.data is not data:
        m = _models[id(data)] = Labeller(data)
    return m


def labelled(text: str, tokens, units, model: Labeller) -> tuple[list[str], list[float | None]]:
    """The model's B/I/O for every word, and P(O) of each word of a sentence where it labels
    words no rules' mention covers (None elsewhere: forward-backward is dearer than Viterbi)."""
    covering: list = [None] * len(tokens)
    scores = model.word_scores(text, tokens, units, covering)
    tags: list[str] = []
    po: list[float | None] = []
    for a, b in sentences(tokens):
        sc = scores[a:b]
        got = model.tag(sc, sc)
        tags += got
        if any(t != "O" and covering[k] is None for k, t in enumerate(got, a)):
            po += model.outside(sc)
        else:
            po += [None] * (b - a)
    return tags, po


def spans_of(tokens, tags: list[str]) -> list[tuple[int, int, int, int]]:
    """(start, end, first word, past-last word) of each B I* run."""
    out, open_ = [], None
    for i, t in enumerate(tags):
        if t == "B" or (t == "I" and open_ is None):
            if open_ is not None:
                out.append(open_)
            open_ = [tokens[i][0], tokens[i][1], i, i + 1]
        elif t == "I":
            open_[1], open_[3] = tokens[i][1], i + 1
        else:
            if open_ is not None:
                out.append(open_)
            open_ = None
    if open_ is not None:
        out.append(open_)
    return [tuple(s) for s in out]


def _kind_of(text: str, lex) -> str:
    syl = text.split()
    if not syl:
        return ""
    for h in lex.heads_by_first.get(syl[0].lower(), ()):
        if [s.lower() for s in syl[:len(h.pieces)]] == [p.lower() for p in h.pieces]:
            return h.kind
    return ""


_titles_cache: dict = {}


def _titled(raw: str, lex) -> bool:
    t = _titles_cache.get(id(lex))
    if t is None:
        t = _titles_cache[id(lex)] = (tuple(sorted({x.lower() + " " for x in lex.official_titles})),
                                      frozenset(lex.person_titles))
    low = raw.lower()
    return (low + " ").startswith(t[0]) or low.split()[0] in t[1]


def _head_length(text: str, lex) -> int:
    syl = [s.lower() for s in text.split()]
    for h in lex.heads_by_first.get(syl[0], ()) if syl else ():
        if syl[:len(h.pieces)] == [p.lower() for p in h.pieces]:
            return len(h.pieces) + (1 if len(syl) > len(h.pieces) and syl[len(h.pieces)] in ("trưởng", "phó") else 0)
    return 0


def _entities(units: list[Unit], lex) -> tuple[list[dict], list[Unit]]:
    """The rules' organizations as ``unit_names.match_entity`` compares them (one per name)."""
    from .unit_names import key, split_place

    seen: dict[str, Unit] = {}
    for u in units:
        seen.setdefault(u.name, u)
    ents = []
    for name, u in seen.items():
        base, level, place = split_place(name, lex)
        ents.append({"base": key(base, u.kind or ""), "level": level, "place": place, "kind": u.kind})
    return ents, list(seen.values())


def new_mentions(text: str, tokens, units: list[Unit], found, po: list, add_min: float = 0.0):
    """(Unit, features) of each span of the model that no rules' mention touches, named as the rules
    name theirs (another mention of an organization the rules named takes its name)."""
    from .unit_names import canonical, home_province, key, match_entity, split_place
    from .units import walk_of

    lex = lexicon()
    learned = entities = home = None
    out = []
    for s, e, a, b in found:
        if any(u.start < e and s < u.end for u in units):
            continue
        p = [1 - po[k] for k in range(a, b)]
        if min(p) < add_min:
            continue
        raw = text[s:e].strip(" ,.;:-–()\"“”")
        if not raw or not any(c.isupper() for c in raw):
            continue
        if _titled(raw, lex):
            continue  # an official or a person (Trưởng phòng Kinh tế …, GS.TS): the rules' call
        kind = _kind_of(raw, lex)
        if kind and len(raw.split()) <= _head_length(raw, lex):
            continue  # a head alone ("Bộ", "Bộ trưởng"): a back-reference or a title, not a name
        if learned is None:
            learned = walk_of(text, tokens)[1]
            entities, names = _entities(units, lex)
            home = home_province(text, lex)
        name = canonical(raw, kind, learned, lex)
        if not name:
            continue
        base, level, place = split_place(name, lex)
        k = match_entity(entities, key(base, kind), level, place, home)
        if k is None:
            k = next((j for j, u in enumerate(names) if u.abbreviation == raw), None)
        words = raw.split()
        f = _person_cues(text, tokens, e, a, b, words)
        f.update({"p_min": min(p), "p_mean": sum(p) / len(p), "words": len(words),
             "capital_words": sum(w[:1].isupper() for w in words) / len(words),
             "abbr": float(any(is_abbr(w) for w in words)), "head": float(bool(kind)),
             "same_org": float(k is not None), "written": float(text.count(raw)),
             "before=" + (tokens[a - 1][2].lower() if a else ""): 1.0,
             "tag=" + tokens[a][3]: 1.0, "first": s / max(1, len(text))})
        if kind:
            f["kind=" + kind] = 1.0
        if k is not None:  # another mention of an organization the rules named: its name
            u = names[k]
            name, kind = u.name, u.kind
        out.append((Unit(text=text[s:e], start=s, end=e, name=name, kind=kind or None), f))
    return out


@lru_cache(maxsize=1)
def _person_words() -> tuple[frozenset, frozenset, re.Pattern]:
    """The words that introduce a person (``ông``, ``GS``, ``bác sĩ``), and what people say (``cho biết``):
    ``attribution_cues.json``, which attribution reads too."""
    import json

    from .unit_lexicon import data_text

    cues = json.loads(data_text("attribution_cues.json"))
    titles = frozenset(w.lower() for w in cues["named_person_titles"] + cues["people_before"])
    speech = re.compile(r"\W{0,3}(?:" + "|".join(map(re.escape, cues["speech_verbs"])) + r")\b", re.IGNORECASE)
    return titles, frozenset(t.lower().rstrip(".") for t in cues["named_person_titles"]), speech


def _person_cues(text: str, tokens, e: int, a: int, b: int, words: list[str]) -> dict[str, float]:
    """What tells a person's name (``Michael Coates``, ``Darren Jones``) from an organization's: a title
    before it, speech after it, its last word written alone elsewhere (people go by their surname),
    and the words around it (tokens ``a`` to ``b`` - 1, ending at ``e``)."""
    titles, named_titles, speech = _person_words()
    before = [tokens[k][2].lower().rstrip(".") for k in (a - 1, a - 2) if k >= 0]
    after = tokens[b][2].lower() if b < len(tokens) else ""
    f = {"before2=" + (before[1] if len(before) > 1 else ""): 1.0, "after=" + after: 1.0,
         "title_before": float(any(w in titles for w in before)),
         "named_title_before": float(bool(before) and before[0] in named_titles),
         "speech_after": float(bool(speech.match(text, e)))}
    last = words[-1] if len(words) > 1 else ""
    if last[:1].isupper():
        alone = len(re.findall(r"(?<!\w)" + re.escape(last) + r"(?!\w)", text))
        f["last_word_alone"] = float(alone > text.count(" ".join(words)))
    return f


def new_units(text: str, tokens, units: list[Unit], model: Labeller | None = None) -> list[Unit]:
    """Organizations the rules missed: the labeller's mentions no rules' mention touches, kept when
    the filter (trained on such mentions of the annotated documents) finds them likely enough and
    they name no organization the rules named."""
    model = model or _model(load_json_model(MODEL_FILE, FEATURE_VERSION))
    if model.filter is None:
        return []  # trained on too few documents to learn which to keep
    tags, po = labelled(text, tokens, units, model)
    found = [sp for sp in spans_of(tokens, tags) if po[sp[2]] is not None]
    if not found:
        return []
    cands = new_mentions(text, tokens, units, found, po, ADD_MIN)
    if not cands:
        return []
    return kept(cands, model.filter.scores([f for _, f in cands]), units, model.keep_from)


def kept(cands: list[tuple[Unit, dict]], scores: list[float], units: list[Unit], keep_from: float) -> list[Unit]:
    """The new mentions the filter keeps: scored at least ``keep_from``, and naming no organization
    the rules named (training picks the units it adds to its documents by the same rule)."""
    named = {u.name for u in units}
    return [u for (u, _), s in zip(cands, scores) if s >= keep_from and u.name not in named]


def with_new(units: list[Unit], new: list[Unit] | None) -> list[Unit]:
    """The units with the labeller's new ones, in text order."""
    return sorted(units + new, key=lambda u: u.start) if new else units
