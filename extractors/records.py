"""Records: attribute each quantity to a unit, an activity, a period and a place.

Interface: attribute(text, doc, units, quantities, period) -> list[Record]
STUB: replaced by the records issue.
"""
from __future__ import annotations

from .mentions import Period, Quantity, Record, Unit
from .segment import sentence_spans


def attribute(text: str, doc, units: list[Unit], quantities: list[Quantity],
              period: Period | None) -> list[Record]:
    spans = sentence_spans(text)
    out = []
    for i, q in enumerate(quantities):
        s, e = next(((s, e) for s, e in spans if s <= q.start < e), (q.start, q.end))
        out.append(Record.for_quantity(i, q, unit=None, activity=None, sentence=text[s:e],
                                       start=s, end=e, period=period))
    return out
