"""The NLP stage in one call: text → units, quantities, records, period.

    normalize → segment + tag → quantities (rules' candidates; which are quantities: ``quantity_keep``)
              → units → records (rules: candidates, features)
              → learned decisions: the extent of counted nouns (``counted_nouns``),
                the name of each organization (``unit_choice``), whether it is a unit (``unit_keep``),
                the unit of each record (``attribution``), the verb that reports it (``activities``),
                the organizations the rules missed (``unit_mentions``)

``extractors`` never imports ``pipeline``: it takes text and returns mentions,
so it runs alone and on any worker.
"""
from __future__ import annotations

from dataclasses import fields
from operator import attrgetter

from .mentions import Extraction, Quantity
from .normalize import clean_text
from . import activities as _activities, attribution as _attribution, counted_nouns as _counted_nouns
from . import quantities as _quantities, records as _records, segment as _segment, units as _units
from . import unit_choice as _unit_choice, unit_keep as _unit_keep, unit_mentions as _unit_mentions
from . import quantity_keep as _quantity_keep


_quantity_fields = attrgetter(*(f.name for f in fields(Quantity)))  # every field, in __init__'s order


def check_models() -> None:
    """Load every shipped model once: a missing or stale one raises ``ModelError`` now, not mid-run."""
    from .model_files import load_json_model, ranker

    ranker(_quantity_keep.MODEL_FILE, _quantity_keep.FEATURE_VERSION)
    ranker(_counted_nouns.MODEL_FILE, _counted_nouns.FEATURE_VERSION)
    ranker(_attribution.MODEL_FILE, _attribution.FEATURE_VERSION)
    ranker(_activities.MODEL_FILE, _activities.FEATURE_VERSION)
    ranker(_unit_choice.MODEL_FILE, _unit_choice.FEATURE_VERSION)
    ranker(_unit_keep.MODEL_FILE, _unit_keep.FEATURE_VERSION)
    load_json_model(_unit_mentions.MODEL_FILE, _unit_mentions.FEATURE_VERSION)


def rules_pass(text: str, *, checked: bool = False, quantity_model=None, vetoed: list | None = None):
    """The rules: ``(tokens, Extraction)``; tokens are (start, end, text, POS).
    ``checked``: the caller already made sure the text is cleaned (a section of a checked text).
    ``quantity_model``: which numbers are quantities is decided by this ``quantity_keep`` model
    (``True``: the shipped one) before the records are made; None: by the rules alone.
    ``vetoed``: a list to receive the candidates the rules dropped, ``(Quantity, rule)``."""
    if not checked and text != clean_text(text):
        raise ValueError("extract() takes cleaned text: call normalize.clean_text first")
    doc = _segment.make_token_doc(text)  # the token rows alone: no spaCy Doc
    dropped = [] if quantity_model is not None or vetoed is not None else None
    quantities, period = _quantities.find_quantities(text, doc, dropped)
    tokens = _activities.doc_tokens(doc)
    if quantity_model is not None:
        quantities = _quantity_keep.decided(text, tokens, quantities, dropped,
                                            None if quantity_model is True else quantity_model)
    if vetoed is not None:
        vetoed.extend(dropped)
    units = _units.find_units(text, doc)
    records = _records.attribute(text, doc, units, quantities, period)
    return tokens, Extraction(units=units, quantities=quantities, records=records, period=period)


def apply_models(text: str, tokens, ex: Extraction) -> Extraction:
    """The learned decisions over the rules' candidates (models from ``provnews train``)."""
    # The models were trained on the rules' output (``pipeline.train``), so each reads that:
    # names chosen on the rules' records, counts adjusted on copies, units and activities
    # chosen among the rules' names and quantities; the adjusted counts and chosen names come last.
    chosen, drop = {}, set()
    if ex.units:
        groups, scores = _unit_choice.ranked_groups(text, tokens, ex.units, ex.records)
        chosen = _unit_choice.chosen_from(groups, scores)
        drop = _unit_keep.dropped(text, ex.units, groups, scores)
    quantities = [Quantity(*_quantity_fields(q)) for q in ex.quantities]  # (= copy(q), at a third of its cost)
    _counted_nouns.adjust_counts(text, tokens, quantities)
    for r in ex.records:
        r.refresh(quantities[r.quantity])
    # organizations the rules missed: candidates for the records too (attribution was trained with them)
    new = _unit_mentions.new_units(text, tokens, ex.units)
    records = _attribution.choose_units(text, _unit_mentions.with_new(ex.units, new), ex.quantities, ex.records)
    records = _activities.choose_activities(text, tokens, ex.units, ex.quantities, records)
    units, records = _unit_keep.without(ex.units, records, drop)
    units, records = _unit_choice.renamed(units, records, chosen)
    units = _unit_mentions.with_new(units, new)
    return Extraction(units=units, quantities=quantities, records=records, period=ex.period)


# Longer texts are read in sections of whole paragraphs.  Several decisions weigh each figure
# against the whole document (every organization it names is a candidate owner, how often a
# phrase recurs in it), so their cost grows with the square of its length: a whole year's
# reports pasted into one page took a minute and a gigabyte.  News articles stay far below
# (the longest of 1,400 annotated ones has 20,000 characters) and are read whole, as the models
# were trained; a section loses only what links it to the sections before it.
SECTION_CHARS = 50_000


def extract(text: str, *, learned: bool = True) -> Extraction:
    """Extract all mentions from already-cleaned text (see ``normalize.clean_text``).

    Offsets of every mention point into ``text``.  ``learned=False`` keeps the
    rules' own decisions (the candidates and features the models start from).
    """
    if len(text) > SECTION_CHARS:
        if text != clean_text(text):
            raise ValueError("extract() takes cleaned text: call normalize.clean_text first")
        return _joined([(start, _extract_whole(text[start:end], learned, checked=True))
                        for start, end in sections(text, SECTION_CHARS)])
    return _extract_whole(text, learned)


def _extract_whole(text: str, learned: bool, checked: bool = False) -> Extraction:
    if not learned:
        return rules_pass(text, checked=checked)[1]
    tokens, ex = rules_pass(text, checked=checked, quantity_model=True)
    return apply_models(text, tokens, ex)


def sections(text: str, size: int) -> list[tuple[int, int]]:
    """``(start, end)`` of consecutive pieces of at most ``size`` characters covering ``text``,
    each ending at a line break (kept out of both pieces), else at a space, else anywhere."""
    out, start, n = [], 0, len(text)
    while n - start > size:
        limit = start + size
        cut = text.rfind("\n", start + 1, limit + 1)  # (the break itself may stand just past the size)
        if cut < 0:
            cut = text.rfind(" ", start + 1, limit + 1)
        if cut < 0:
            out.append((start, limit))
            start = limit
        else:
            out.append((start, cut))
            start = cut + 1
    out.append((start, n))
    return out


def _joined(parts: list[tuple[int, Extraction]]) -> Extraction:
    """One extraction of the whole text from those of its sections (``(section start, extraction)``):
    offsets moved to the whole text, records pointing at their quantities in the joined list;
    the document's period is the first section's (its title and lead)."""
    units, quantities, records = [], [], []
    for start, ex in parts:
        for u in ex.units:
            u.start += start
            u.end += start
        for r in ex.records:
            r.start += start
            r.end += start
            r.quantity += len(quantities)
        for q in ex.quantities:
            q.start += start
            q.end += start
        units += ex.units
        quantities += ex.quantities
        records += ex.records
    return Extraction(units=units, quantities=quantities, records=records,
                      period=next((ex.period for _, ex in parts if ex.period is not None), None))
