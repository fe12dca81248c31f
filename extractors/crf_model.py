"""underthesea's word-segmentation CRF decoded here: template weights summed per token, then Viterbi.

underthesea segments with a CRFsuite model (an ``lCRF`` file) through
underthesea_core's ``CRFTagger``, which takes every feature of every token as
a string: 43 strings per syllable to make and hand to Rust, which was most of
the segmenter's cost, though the model itself is small (a weight per feature
and label, and a 2 × 2 transition table).  ``LinearChainCRF`` reads those
weights from the same file and scores a sentence without any feature string:
a feature's weights are found by template and value, the single-word
templates at one offset are summed once per word and kept, and Viterbi is
CRFsuite's (``crf1dc_viterbi``: the first best label wins a tie).  Measured on
80 real articles: the segmenter's words in 8 ms per article instead of 17.

The feature semantics are ``crf_features.TemplateFeaturizer``'s (underthesea_core's
featurizer), and ``postag`` uses a ``LinearChainCRF`` only after it gave
``CRFTagger.tag``'s labels on probe sentences; ``tests/test_postag.py``
compares the labels on real texts and the words with ``underthesea.word_tokenize``.
The weights are added in another order than CRFsuite's, so two labels within a
rounding error of each other could come out the other way; no sentence of the
news corpus (6,439 lines, 370,666 syllables) does.

The file format (``crf1dm_*`` in CRFsuite's ``crf1d_model.c``): a 48-byte
header, a ``FEAT`` chunk of (type, source, destination, weight) records
(type 0: attribute → label; type 1: label → label), and two CQDB string
tables, labels and attributes, read here through their id → record arrays.
"""
from __future__ import annotations

import struct
from itertools import repeat
from pathlib import Path

from .crf_features import _TEMPLATE, _rust_isdigit, _rust_istitle


def _cqdb_strings(buf: bytes, off: int) -> list[str | None]:
    """The strings of the CQDB table at ``off``, by id."""
    if buf[off:off + 4] != b"CQDB":
        raise ValueError("no CQDB table where the header points")
    _size, _flag, _order, count, backward = struct.unpack_from("<5I", buf, off + 4)
    out: list[str | None] = [None] * count
    for i, (at,) in enumerate(struct.iter_unpack("<I", buf[off + backward:off + backward + 4 * count])):
        if at:
            key_id, key_size = struct.unpack_from("<II", buf, off + at)
            if key_id != i:
                raise ValueError("a CQDB record out of place")
            out[i] = buf[off + at + 8:off + at + 7 + key_size].decode("utf-8")  # key_size counts the NUL
    return out


def read_crfsuite(path: str | Path) -> tuple[list[str], dict[str, list[float]], list[list[float]]]:
    """(labels, attribute → weight per label, transition[from][to]) of a CRFsuite model file."""
    buf = Path(path).read_bytes()
    (magic, _size, kind, _version, _nf, n_labels, _na,
     off_features, off_labels, off_attrs, _off_lrefs, _off_arefs) = struct.unpack_from("<4sI4sI8I", buf, 0)
    if magic != b"lCRF" or kind != b"FOMC" or buf[off_features:off_features + 4] != b"FEAT":
        raise ValueError(f"{path}: not a CRFsuite model")
    labels = _cqdb_strings(buf, off_labels)
    attrs = _cqdb_strings(buf, off_attrs)
    (count,) = struct.unpack_from("<I", buf, off_features + 8)
    state: dict[str, list[float]] = {}
    transition = [[0.0] * n_labels for _ in range(n_labels)]
    records = buf[off_features + 12:off_features + 12 + 20 * count]
    for kind_, src, dst, weight in struct.iter_unpack("<iiid", records):
        if kind_ == 0:
            name = attrs[src]
            row = state.get(name)
            if row is None:
                row = state[name] = [0.0] * n_labels
            row[dst] += weight
        else:
            transition[src][dst] += weight
    return labels, state, transition


class _WordSums(dict):
    """word → the summed weights of the single-word templates at one offset; bounded like ``_Words``."""

    LIMIT = 50000

    def __init__(self, members):
        super().__init__()
        self.members = members  # (kind, table, yes, no) of each template at this offset

    def __missing__(self, word: str) -> complex:
        if len(self) >= self.LIMIT:
            self.clear()
        total = 0j
        lowered = None
        for kind, table, yes, no in self.members:
            if kind is None:
                total += table.get(word, 0j)
            elif kind == "lower":
                lowered = word.lower() if lowered is None else lowered
                total += table.get(lowered, 0j)
            else:
                total += yes if table(word) == "True" else no
        self[word] = total
        return total


def _column(values: list, o1: int, o2: int, n: int, bos, eos) -> list:
    """A template's value at each of ``n`` tokens: ``values`` by window start, BOS/EOS past either end."""
    b = min(n, max(0, -o1))  # tokens whose window starts before the sentence
    hi = min(n - 1, n - 1 - o2)  # the last token whose window ends inside it
    mid = values[b + o1:hi + o1 + 1] if hi >= b else []
    return [bos] * b + mid + [eos] * (n - b - len(mid))


class LinearChainCRF:
    """A CRFsuite model and its feature templates: ``tag(tokens)`` = ``CRFTagger.tag(features(tokens))``.

    Two-label models only (the word segmenter's B-W / I-W).  A feature's
    weights are looked up by template, then by value (``T[0,1]`` → ``"Sở Y"``
    → weights), so no feature string is ever made.  A pair of weights is one
    complex number (real part: the first label, imaginary: the second):
    Python adds complex numbers part by part, the same float additions, in one
    operation.  The single-word templates at one offset are summed once per
    word and kept (the words repeat); Viterbi runs on plain floats.

    The POS tagger's model (20 labels) decoded the same way, its Viterbi in
    numpy, gave the same tags but was no faster than underthesea_core's
    (numpy's per-call cost, 4 µs per word), so it stays on ``CRFTagger``.
    """

    def __init__(self, path: str | Path, templates: list[str], dictionary=frozenset(), istitle=_rust_istitle):
        labels, state, transition = read_crfsuite(path)
        if len(labels) != 2:
            raise ValueError(f"{path}: {len(labels)} labels; only two-label models are decoded here")
        self.labels = labels
        self.transition = transition
        self.zero = zero = 0j
        tables: dict[str, dict[str, complex]] = {}  # template → value → weights
        for name, (w0, w1) in state.items():
            template, _, value = name.partition("=")
            tables.setdefault(template, {})[value] = complex(w0, w1)
        self.dictionary = dictionary = frozenset(dictionary)
        self._istitle = istitle
        functions = {None: None, "lower": str.lower, "isdigit": _rust_isdigit, "istitle": istitle,
                     "is_in_dict": lambda text: "True" if text.lower() in dictionary else "False"}
        words: dict[int, list] = {}  # offset → [(kind, table or function, weights if True, if False)]
        edges: dict[int, list] = {}  # offset → [(BOS weights, EOS weights)] of its templates
        self.ngrams = []  # (offset1, offset2, kind, table, weights if True, if False, BOS, EOS)
        for t in templates:
            m = _TEMPLATE.match(t)
            if m is None or m.group(4) not in functions:
                raise ValueError(f"unsupported template {t!r}")
            o1 = int(m.group(1))
            o2 = int(m.group(2)) if m.group(2) is not None else o1
            column = int(m.group(3) or 0)
            kind = m.group(4)
            if o2 < o1 or column:  # a second column (the POS tagger's dummy one) is not decoded here
                raise ValueError(f"unsupported template {t!r}")
            table = tables.get(t, {})
            yes, no, bos, eos = (table.get(v, zero) for v in ("True", "False", "BOS", "EOS"))
            if o1 == o2:
                words.setdefault(o1, []).append((kind, table if kind in (None, "lower") else functions[kind],
                                                 yes, no))
                edges.setdefault(o1, []).append((bos, eos))
            else:
                self.ngrams.append((o1, o2, kind, table, yes, no, bos, eos))
        self.words = [(o, _WordSums(members), sum(b for b, _ in edges[o]), sum(e for _, e in edges[o]))
                      for o, members in words.items()]

    def _columns(self, tokens: list[str]) -> list[list]:
        """Each template group's weights at each token."""
        n = len(tokens)
        zero = self.zero
        columns = [_column(list(map(sums.__getitem__, tokens)), o, o, n, bos, eos)
                   for o, sums, bos, eos in self.words]
        texts: dict[int, list[str]] = {1: tokens}  # window length → each window's text, joined once
        lowered: dict[int, list[str]] = {}
        titles = None
        for o1, o2, kind, table, yes, no, bos, eos in self.ngrams:
            k = o2 - o1 + 1
            windows = texts.get(k)
            if windows is None:
                if k == 2:
                    windows = [a + " " + b for a, b in zip(tokens, tokens[1:])]
                else:
                    windows = [" ".join(tokens[j:j + k]) for j in range(n - k + 1)]
                texts[k] = windows
            if kind is None:
                values = list(map(table.get, windows, repeat(zero)))
            elif kind == "lower" or kind == "is_in_dict":
                low = lowered.get(k)
                if low is None:
                    low = lowered[k] = [x.lower() for x in windows]
                if kind == "lower":
                    values = list(map(table.get, low, repeat(zero)))
                else:
                    d = self.dictionary
                    values = [yes if x in d else no for x in low]
            elif kind == "istitle":
                # an n-gram's space-separated parts are its words' parts: title when each word is
                if titles is None:
                    titles = [self._istitle(x) == "True" for x in tokens]
                values = [yes if all(titles[j:j + k]) else no for j in range(n - k + 1)]
            else:  # isdigit of the (joined) text
                values = [yes if _rust_isdigit(x) == "True" else no for x in windows]
            columns.append(_column(values, o1, o2, n, bos, eos))
        return columns

    def tag(self, tokens: list[str]) -> list[str]:
        """The best label sequence: CRFsuite's Viterbi (``crf1dc_viterbi``), the first label winning a tie."""
        if not tokens:
            return []
        state = list(map(sum, zip(*self._columns(tokens))))
        (t00, t01), (t10, t11) = self.transition
        s0, s1 = state[0].real, state[0].imag
        back = []
        for e in state[1:]:
            a, b = s0 + t00, s1 + t10  # into label 0 from 0, from 1
            c, d = s0 + t01, s1 + t11  # into label 1
            back.append((a < b, c < d))
            s0 = (b if a < b else a) + e.real
            s1 = (d if c < d else c) + e.imag
        k = 1 if s0 < s1 else 0
        path = [k]
        for step in reversed(back):
            k = int(step[k])
            path.append(k)
        path.reverse()
        labels = self.labels
        return [labels[k] for k in path]
