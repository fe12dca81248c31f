"""underthesea's CRF template features (``T[-1]``, ``T[0,1].lower``, ``T[0].is_in_dict`` …), built from tables.

underthesea_core's ``CRFFeaturizer`` makes every feature of every token
separately (for each template: a fresh ``BOS``/``EOS`` string, the n-gram
joined again, lowercased again, looked up again), about 19 µs per token for the
word segmenter's 43 templates: most of ``word_tokenize``'s time.  Here the
strings of the single-word templates at each offset are made once per word and
kept (``_Words``: the words of the news repeat), each n-gram of a sentence is
joined once, and a row is its offsets' tuples put back in template order by
one ``itemgetter``: the same strings, in the same order, in about a quarter of
the time.  ``postag`` uses it for the word segmenter and the POS tagger.

The semantics are the Rust featurizer's, not Python's: ``isdigit`` is "parses
as an ``i32``" (a sign is allowed, 2147483648 is not a digit), ``istitle`` is
"every space-separated part starts with a character equal to its upper case"
(so digits and punctuation are title; the POS tagger passes underthesea's
Python ``text_istitle`` instead), ``is_in_dict`` looks the lowercased text up.
``postag`` uses a ``TemplateFeaturizer`` only after ``check`` found it equal to
the featurizer it replaces on probe sentences; ``tests/test_postag.py``
compares them feature by feature on real texts.
"""
from __future__ import annotations

import re
from functools import lru_cache
from operator import itemgetter

_TEMPLATE = re.compile(r"T\[(-?\d+)(?:,(-?\d+))?\](?:\[(\d+)\])?(?:\.(\w+))?\Z")
_INT = re.compile(r"[+-]?[0-9]+\Z")


def _rust_isdigit(text: str) -> str:
    """``"True"`` when Rust's ``text.parse::<i32>()`` succeeds."""
    return "True" if _INT.match(text) and -2 ** 31 <= int(text) < 2 ** 31 else "False"


def _rust_istitle(text: str) -> str:
    """``"True"`` when each space-separated part starts with a character equal to its upper case."""
    for part in text.split(" "):
        c = part[:1]
        if not c:
            raise ValueError("empty part")  # Rust panics here; the caller falls back to it
        if c != c.upper():
            return "False"
    return "True"


class _Words(dict):
    """The feature strings of one word offset (``T[-1]``, ``T[-1].lower``, ``T[-1].istitle`` …) for each word.

    Made once per word: looking a word up costs less than making (and later
    freeing) its strings again, and the words of the news repeat (97 % of the
    tokens of the test corpus were seen before).  Bounded: emptied when it
    grows past ``LIMIT`` words, so a long run does not pile up rare ones.
    """

    LIMIT = 20000

    def __init__(self, members: list[tuple[str, object]]):
        super().__init__()
        self.members = members  # (template + "=", function or None) in template order

    def __missing__(self, word: str) -> tuple[str, ...]:
        if len(self) >= self.LIMIT:
            self.clear()
        got = self[word] = tuple(prefix + (word if fn is None else fn(word)) for prefix, fn in self.members)
        return got


def _column(values: list, o1: int, o2: int, n: int, bos, eos) -> list:
    """A template's value for each of ``n`` tokens: ``values`` are by window start, BOS/EOS past either end."""
    b = min(n, max(0, -o1))  # tokens whose window starts before the sentence
    hi = n - 1 - o2  # the last token whose window ends inside it
    mid = values[b + o1:hi + o1 + 1] if hi >= b else []
    return [bos] * b + mid + [eos] * (n - b - len(mid))


class TemplateFeaturizer:
    """``CRFFeaturizer(templates, dictionary).process([[[t] for t in tokens]])[0]`` for one sentence.

    Single-word templates come from a per-offset table of each word's strings
    (``_Words``); n-gram templates (``T[0,1]``, ``T[-1,1].is_in_dict``), whose
    texts repeat less, are made per sentence, each n-gram joined once.
    """

    def __init__(self, templates: list[str], dictionary: set[str], istitle=_rust_istitle,
                 constants: dict[int, str] | None = None):
        """``istitle``: text → ``"True"``/``"False"`` (Rust's by default); ``constants``: the value of
        every token in the other columns (the POS tagger passes each word with a dummy ``"X"``)."""
        self.dictionary = dictionary = frozenset(dictionary)
        constants = constants or {}
        functions = {
            None: None,
            "lower": str.lower,
            "isdigit": _rust_isdigit,
            "istitle": istitle,
            "is_in_dict": lambda text: "True" if text.lower() in dictionary else "False",
        }
        words: dict[int, list] = {}  # offset → [(template index, template, function)]
        self.ngrams = []  # (template index, offset1, offset2, length, function name, prefix, BOS, EOS)
        for k, t in enumerate(templates):
            m = _TEMPLATE.match(t)
            column = int(m.group(3) or 0) if m is not None else 0
            if m is None or m.group(4) not in functions or column and column not in constants:
                raise ValueError(f"unsupported template {t!r}")
            o1 = int(m.group(1))
            o2 = int(m.group(2)) if m.group(2) is not None else o1
            if o2 < o1:
                raise ValueError(f"unsupported template {t!r}")
            fn = functions[m.group(4)]
            if column:  # the same text at every token: one string, made here
                text = " ".join([constants[column]] * (o2 - o1 + 1))
                value = t + "=" + (text if fn is None else fn(text))
                self.ngrams.append((k, o1, o2, o2 - o1 + 1, "constant", value, t + "=BOS", t + "=EOS"))
            elif o1 == o2:
                words.setdefault(o1, []).append((k, t, fn))
            else:
                self.ngrams.append((k, o1, o2, o2 - o1 + 1, m.group(4), t + "=", t + "=BOS", t + "=EOS"))
        self.words = []  # (offset, _Words, BOS strings, EOS strings)
        order = []  # template index of each string of a row as built: word offsets, then n-grams
        for o, members in words.items():
            order += [k for k, _, _ in members]
            self.words.append((o, _Words([(t + "=", fn) for _, t, fn in members]),
                               tuple(t + "=BOS" for _, t, _ in members),
                               tuple(t + "=EOS" for _, t, _ in members)))
        order += [k for k, *_ in self.ngrams]
        at = {k: i for i, k in enumerate(order)}
        self._order = itemgetter(*[at[k] for k in range(len(templates))])
        self._istitle = lru_cache(maxsize=65536)(istitle)

    def _ngram_columns(self, tokens: list[str]) -> list[list[str]]:
        n = len(tokens)
        texts, lowered, titles = {}, {}, None
        columns = []
        for _, o1, o2, length, function, prefix, bos, eos in self.ngrams:
            if function == "constant":  # prefix is the whole string
                columns.append(_column([prefix] * max(n - length + 1, 0), o1, o2, n, bos, eos))
                continue
            if length not in texts:
                texts[length] = [" ".join(tokens[j:j + length]) for j in range(n - length + 1)]
            windows = texts[length]
            if function is None:
                values = [prefix + x for x in windows]
            elif function == "lower" or function == "is_in_dict":
                if length not in lowered:
                    lowered[length] = [x.lower() for x in windows]
                if function == "lower":
                    values = [prefix + x for x in lowered[length]]
                else:
                    yes, no, d = prefix + "True", prefix + "False", self.dictionary
                    values = [yes if x in d else no for x in lowered[length]]
            elif function == "istitle":
                # an n-gram's space-separated parts are its words' parts: title when each word is
                # (with either istitle: an empty part is not title, or fails, in both)
                if titles is None:
                    titles = [self._istitle(x) == "True" for x in tokens]
                yes, no = prefix + "True", prefix + "False"
                values = [yes if all(titles[j:j + length]) else no for j in range(n - length + 1)]
            else:  # isdigit: Rust's i32 parse of the joined text
                values = [prefix + _rust_isdigit(x) for x in windows]
            columns.append(_column(values, o1, o2, n, bos, eos))
        return columns

    def sentence(self, tokens: list[str]) -> list[list[str]]:
        """One list of feature strings per token, in template order."""
        n = len(tokens)
        if not n:
            return []
        columns = [_column([table[x] for x in tokens], o, o, n, bos, eos) for o, table, bos, eos in self.words]
        if self.ngrams:
            columns.append(list(zip(*self._ngram_columns(tokens))))
        order = self._order
        # lists, not tuples: underthesea_core's tagger reads them faster, more than paying for list()
        return [list(order(sum(parts, ()))) for parts in zip(*columns)]

    def check(self, reference, sentences: list[list[str]]) -> bool:
        """True when ``reference(tokens)`` (the featurizer replaced) gives the same features on ``sentences``."""
        return all(self.sentence(tokens) == reference(tokens) for tokens in sentences)
