"""Quantities: every number that measures or counts something (spec section 3).

Interface used by the rest of the NLP stage:
    find_quantities(text, doc) -> (list[Quantity], Period | None)
The second value is the document's reporting period, if one is stated.
STUB: replaced by the quantities issue.
"""
from __future__ import annotations

from .mentions import Period, Quantity


def find_quantities(text: str, doc=None) -> tuple[list[Quantity], Period | None]:
    return [], None
