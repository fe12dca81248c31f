"""Organizational units ("đơn vị"): head + name, abbreviations, back-references.

Interface: find_units(text, doc) -> list[Unit]  (one entry per mention, in text order)
STUB: replaced by the units issue.
"""
from __future__ import annotations

from .mentions import Unit


def find_units(text: str, doc=None) -> list[Unit]:
    return []
