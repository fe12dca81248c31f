"""Vietnamese POS tags: underthesea's shipped CRF model, featurized in Rust.

``underthesea.pos_tag`` (its default model) builds the CRF features in pure
Python, rebuilding every column of the sentence for every template of every
token: its cost per token grows with the clause (70 µs/token at 25 tokens,
475 µs at 400).  underthesea_core's ``CRFFeaturizer`` computes the same
template features in Rust in a few µs per token.  The tags stay identical
because the features are identical, with one exception handled here: Rust's
``istitle`` is true for digits and punctuation, underthesea's Python one
(``text_istitle``: every syllable starts with a title-case letter) is not,
so those three features are computed in Python.

Faster still, ``crf_features.TemplateFeaturizer`` builds the same strings in
Python from per-word tables (the Rust featurizer remakes every string for
every template), with underthesea's ``text_istitle`` and the dummy ``X``
column; it is used when it matches the Rust route on probe sentences, and
``rust_features`` stays the reference.

The model, the template list and ``text_istitle`` are underthesea's own, so
a change there carries over.  ``tests/test_postag.py`` checks the tags equal
``underthesea.pos_tag`` over the dev gold and real news texts.

>>> pos_tag("Sở đã kiểm tra 29 cơ sở")
[('Sở', 'N'), ('đã', 'R'), ('kiểm tra', 'V'), ('29', 'M'), ('cơ sở', 'N')]
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from struct import error as struct_error

os.environ.setdefault("HF_HUB_OFFLINE", "1")

# a template applying ``istitle`` to the token at an offset: T[0].istitle, T[-1].istitle …
_ISTITLE = re.compile(r"^T\[(-?\d+)\]\.istitle$")


class RustPosTagger:
    """underthesea's default POS model with its features computed by ``CRFFeaturizer``."""

    def __init__(self):
        from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor
        from underthesea.pipeline.pos_tag.tagged_feature import text_istitle
        from underthesea_core import CRFFeaturizer

        predictor = CRFPOSTagPredictor.Instance()
        self._crf = predictor.model
        templates = list(predictor.transformer.template)
        # (position in the feature list, token offset, {value: feature string}) of each istitle
        # feature: a feature has only four possible values, so its strings are made once
        self._istitle = [(k, int(m.group(1)), {v: f"{t}={v}" for v in ("BOS", "EOS", True, False)})
                         for k, t in enumerate(templates) if (m := _ISTITLE.match(t))]
        self._text_istitle = lru_cache(maxsize=65536)(text_istitle)
        self._featurizer = CRFFeaturizer(templates, set())
        self._python = _pos_featurizer(templates, text_istitle, self.rust_features)

    def features(self, words: list[str]) -> list[list[str]]:
        """The CRF features of each word, as underthesea's Python featurizer writes them."""
        if self._python is not None and words:
            return self._python.sentence(words)
        return self.rust_features(words)

    def rust_features(self, words: list[str]) -> list[list[str]]:
        """``features`` through underthesea_core's featurizer, its ``istitle`` columns redone in Python."""
        if not words:
            return []
        rows = self._featurizer.process([[[w, "X"] for w in words]])[0]
        n = len(words)
        titles = [self._text_istitle(w) for w in words]
        for k, offset, feature in self._istitle:
            # the feature of word i is that of word i + offset, BOS / EOS past either end
            values = [feature[t] for t in titles]
            if offset < 0:
                column = [feature["BOS"]] * min(-offset, n) + values[:max(n + offset, 0)]
            elif offset > 0:
                column = values[offset:] + [feature["EOS"]] * min(offset, n)
            else:
                column = values
            for row, value in zip(rows, column):
                row[k] = value
        return rows

    def tag_words(self, words: list[str]) -> list[str]:
        """One POS tag per already-segmented word."""
        if not words:
            return []
        return self._crf.tag(self.features(words))


def _pos_featurizer(templates: list[str], text_istitle, reference):
    """``TemplateFeaturizer`` for the POS templates (Python ``istitle``, the dummy ``"X"`` column),
    None unless it gives ``reference``'s features on the probe sentences."""
    from .crf_features import TemplateFeaturizer

    try:
        python = TemplateFeaturizer(templates, set(), istitle=lambda w: str(text_istitle(w)), constants={1: "X"})
        return python if python.check(reference, [p.split(" ") for p in _PROBES]) else None
    except ValueError:
        return None


class WordTokenizer:
    """``underthesea.word_tokenize(sentence)`` with fewer Python layers, same words.

    The same steps on underthesea's own objects and model: its character
    normalization, its token regex, its ``token_normalize``, its CRF model.
    Three things are cheaper: each regex match's text is ``m.group()`` (every
    alternative of underthesea's pattern is one named group spanning the
    whole match, so the first matched group, which underthesea finds by
    building ``m.groupdict()``, is the match itself), ``token_normalize``,
    a pure function of the token, is memoized, and the CRF labels come from
    ``crf_model.LinearChainCRF``, which reads the model's weights and needs no
    feature strings (half the time of the fastest string route), whenever it
    gives underthesea_core's labels on probe sentences.  The string route
    stays as ``tag_reference``: ``crf_features.TemplateFeaturizer``'s strings
    (a quarter of the time of underthesea_core's featurizer) into
    underthesea_core's ``CRFTagger``.  ``tests/test_postag.py`` checks the
    words equal ``underthesea.word_tokenize`` on real texts.
    """

    def __init__(self):
        import sys

        from underthesea import word_tokenize
        from underthesea.pipeline.word_tokenize import regex_tokenize

        word_tokenize("Khởi động")  # underthesea loads its model on first use
        model = sys.modules["underthesea.pipeline.word_tokenize"].word_tokenize_model
        self._process = model.featurizer.process
        self._tag = model.estimator.tag
        self._patterns = regex_tokenize.patterns
        self._normalize_text = regex_tokenize.normalize_characters_in_text
        self._token_normalize = lru_cache(maxsize=65536)(regex_tokenize.token_normalize)
        self._features = _template_featurizer(model.featurizer)
        self._crf = _linear_chain(model, self.tag_reference)

    def tag_reference(self, tokens: list[str]) -> list[str]:
        """The B-W / I-W label of each token through underthesea_core's tagger."""
        return self._tag(self.features(tokens))

    def tag(self, tokens: list[str]) -> list[str]:
        """The B-W / I-W label of each token: ``tag_reference``'s labels, decoded here when possible."""
        if self._crf is not None:
            try:
                return self._crf.tag(tokens)
            except ValueError:  # a token underthesea_core itself would fail on: let it
                pass
        return self.tag_reference(tokens)

    def features(self, tokens: list[str]) -> list:
        """The CRF features of each token, as underthesea_core's featurizer writes them."""
        if self._features is not None:
            try:
                return self._features.sentence(tokens)
            except ValueError:  # a token underthesea_core itself would fail on: let it
                pass
        return self._process([[[token] for token in tokens]])[0]

    def __call__(self, sentence: str) -> list[str]:
        text = self._normalize_text(sentence)
        normalize = self._token_normalize
        tokens = [normalize(m.group()) for m in self._patterns.finditer(text)]
        tags = self.tag(tokens)
        output: list[str] = []
        for tag, token in zip(tags, tokens):
            if tag == "I-W" and output:
                output[-1] = output[-1] + " " + token
            else:
                output.append(token)
        return output


# probe sentences on which the Python featurizer must equal underthesea_core's before it is used:
# title case, digits with signs and past i32, punctuation, dictionary words and n-grams
_PROBES = ["Sở Y tế tỉnh Quảng Ninh đã kiểm tra 29 cơ sở , thu 2.500.000 đồng ( 12 % ) .",
           "+5 -7 2147483647 2147483648 007 ½ “ Bộ Tài chính ” cho biết : ngày 3/4/2024 …",
           "a", "TP. HCM có 1 ca mắc COVID-19 mới"]


def _segmenter_folder() -> str:
    """The model folder underthesea's word_tokenize loads (its objects do not expose templates or paths)."""
    from os.path import dirname, join

    import underthesea.pipeline.word_tokenize as ws

    return join(dirname(ws.__file__), "models", "ws_crf_vlsp2013_20230727")


def _template_featurizer(featurizer):
    """``TemplateFeaturizer`` for underthesea's segmenter, None unless it matches ``featurizer`` on probes."""
    from os.path import join

    import joblib

    from .crf_features import TemplateFeaturizer

    base = _segmenter_folder()
    try:
        python = TemplateFeaturizer(joblib.load(join(base, "features.bin")), joblib.load(join(base, "dictionary.bin")))
        probes = [p.split(" ") for p in _PROBES]
        return python if python.check(lambda words: featurizer.process([[[w] for w in words]])[0], probes) else None
    except (OSError, ValueError):
        return None


def _linear_chain(model, reference):
    """``crf_model.LinearChainCRF`` for underthesea's segmenter, None unless it tags the probes as ``reference``."""
    from os.path import join

    import joblib

    from .crf_model import LinearChainCRF

    try:
        base = _segmenter_folder()
        crf = LinearChainCRF(join(base, "models.bin"), joblib.load(join(base, "features.bin")),
                             joblib.load(join(base, "dictionary.bin")))
        probes = [p.split(" ") for p in _PROBES]
        return crf if all(crf.tag(tokens) == reference(tokens) for tokens in probes) else None
    except (AttributeError, OSError, ValueError, struct_error):
        return None


@lru_cache(maxsize=1)
def word_tokenizer() -> WordTokenizer:
    return WordTokenizer()


def word_tokenize(sentence: str) -> list[str]:
    """The words of ``sentence``, as ``underthesea.word_tokenize(sentence)`` gives them."""
    return word_tokenizer()(sentence)


@lru_cache(maxsize=1)
def tagger() -> RustPosTagger:
    return RustPosTagger()


def pos_tag(sentence: str) -> list[tuple[str, str]]:
    """(word, tag) pairs, as ``underthesea.pos_tag(sentence)`` gives them."""
    words = word_tokenize(sentence)
    return list(zip(words, tagger().tag_words(words)))
