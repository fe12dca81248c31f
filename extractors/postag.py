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

    def features(self, words: list[str]) -> list[list[str]]:
        """The CRF features of each word, as underthesea's Python featurizer writes them."""
        if not words:
            return []
        rows = self._featurizer.process([[[w, "X"] for w in words]])[0]
        n = len(words)
        titles = [self._text_istitle(w) for w in words]
        for k, offset, feature in self._istitle:
            for i, row in enumerate(rows):
                j = i + offset
                row[k] = feature["BOS"] if j < 0 else feature["EOS"] if j >= n else feature[titles[j]]
        return rows

    def tag_words(self, words: list[str]) -> list[str]:
        """One POS tag per already-segmented word."""
        if not words:
            return []
        return self._crf.tag(self.features(words))


@lru_cache(maxsize=1)
def tagger() -> RustPosTagger:
    return RustPosTagger()


def pos_tag(sentence: str) -> list[tuple[str, str]]:
    """(word, tag) pairs, as ``underthesea.pos_tag(sentence)`` gives them."""
    from underthesea import word_tokenize

    words = word_tokenize(sentence)
    return list(zip(words, tagger().tag_words(words)))
