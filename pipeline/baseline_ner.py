"""Baseline for the units score: underthesea's NER organizations.

``provnews eval --baseline underthesea-ner`` scores these spans against the
same gold as our unit extractor, so the gain of ``extractors.units`` over an
off-the-shelf tagger is measured, not assumed.  A unit here is a maximal
B-ORG/I-ORG run; its ``name`` is the surface text (no abbreviation expansion,
no back-references): exactly what the tagger gives.
"""
from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from extractors.mentions import Unit  # noqa: E402
from extractors.segment import align_words, sentence_spans  # noqa: E402


def ner_units(text: str) -> list[Unit]:
    """ORG spans of underthesea ``ner``, one Unit per span, offsets into ``text``.

    >>> [u.text for u in ner_units("Sở Y tế Hà Nội cho biết.")]  # doctest: +SKIP
    ['Sở Y tế Hà Nội']
    """
    from underthesea import ner

    units: list[Unit] = []
    for s, e in sentence_spans(text):
        try:
            tagged = ner(text[s:e])
        except Exception:  # the CRF featurizer rejects some odd inputs: no entities there
            continue
        pieces = [(row[0], row[-1]) for row in tagged]
        span = None
        for start, end, tag in align_words(text, s, e, pieces):
            if tag == "B-ORG" or (tag == "I-ORG" and span is None):
                if span:
                    units.append(_unit(text, *span))
                span = [start, end]
            elif tag == "I-ORG":
                span[1] = end
            else:
                if span:
                    units.append(_unit(text, *span))
                span = None
        if span:
            units.append(_unit(text, *span))
    return units


def _unit(text: str, start: int, end: int) -> Unit:
    surface = text[start:end]
    return Unit(text=surface, start=start, end=end, name=surface, kind=surface.split()[0])
