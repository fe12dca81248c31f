"""The NLP stage in one call: text → units, quantities, records, period.

    normalize → segment + tag → quantities → units → records

``extractors`` never imports ``pipeline``: it takes text and returns mentions,
so it runs alone and on any worker.
"""
from __future__ import annotations

from .mentions import Extraction
from .normalize import clean_text
from . import quantities as _quantities, records as _records, segment as _segment, units as _units


def extract(text: str) -> Extraction:
    """Extract all mentions from already-cleaned text (see ``normalize.clean_text``).

    Offsets of every mention point into ``text``.
    """
    if text != clean_text(text):
        raise ValueError("extract() takes cleaned text: call normalize.clean_text first")
    doc = _segment.make_doc(text)
    quantities, period = _quantities.find_quantities(text, doc)
    units = _units.find_units(text, doc)
    records = _records.attribute(text, doc, units, quantities, period)
    return Extraction(units=units, quantities=quantities, records=records, period=period)
