"""The Document: one article, its metadata and provenance, and its mentions.

Serializes to exactly one JSON document of the record schema, shipped in the
package as ``pipeline/record.schema.json`` (a copy of the project's spec;
``docs/record-model.md`` explains every field).
"""
from __future__ import annotations

import hashlib
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

from extractors.mentions import Extraction, Period, Quantity, Record, Unit

# The order of keys in every JSON output (the spec's order).
DOCUMENT_FIELDS = (
    "doc_id", "url", "canonical_url", "source", "title", "published", "author",
    "fetched_at", "warc_file", "warc_record_id", "text", "period",
)


SCHEMA_PATH = Path(__file__).with_name("record.schema.json")


def load_schema() -> dict:
    """The JSON Schema of one document, its ``$id`` the packaged file's own URI (so it resolves).

    >>> load_schema()["title"]
    'One extracted document: article metadata, units, quantities and records'
    """
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    schema["$id"] = SCHEMA_PATH.resolve().as_uri()
    return schema


def cli_schema(args) -> int:
    """``provnews schema``: the packaged schema on stdout (``--path``: where it is)."""
    if args.path:
        print(SCHEMA_PATH.resolve())
    else:
        sys.stdout.write(json.dumps(load_schema(), ensure_ascii=False, indent=1) + "\n")
    return 0


def make_doc_id(canonical_url: str | None, text: str = "") -> str:
    """sha1 of the canonical URL, or of the normalized text when there is no URL."""
    key = canonical_url if canonical_url else text
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def source_of(url: str | None) -> str | None:
    """The host of a web URL (``khcncaobang.gov.vn``); None for local files."""
    if not url:
        return None
    parts = urlsplit(url)
    return parts.hostname if parts.scheme in ("http", "https") else None


class NotJSON(ValueError):
    """A document that standard JSON cannot hold (a number that is NaN or infinite)."""


@dataclass(slots=True)
class Document:
    doc_id: str
    text: str
    url: str | None = None
    canonical_url: str | None = None
    source: str | None = None
    title: str | None = None
    published: str | None = None
    author: str | None = None
    fetched_at: str | None = None
    warc_file: str | None = None
    warc_record_id: str | None = None
    period: Period | None = None
    units: list[Unit] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)

    def with_extraction(self, extraction: Extraction) -> "Document":
        """This document with the NLP stage's mentions (replacing any earlier ones)."""
        self.units = list(extraction.units)
        self.quantities = list(extraction.quantities)
        self.records = list(extraction.records)
        self.period = extraction.period
        return self

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in DOCUMENT_FIELDS:
            value = getattr(self, name)
            out[name] = value.to_dict() if isinstance(value, Period) else value
        out["units"] = [u.to_dict() for u in self.units]
        out["quantities"] = [q.to_dict() for q in self.quantities]
        out["records"] = [r.to_dict() for r in self.records]
        return out

    def to_json(self) -> str:
        """One line of standard JSON; ValueError naming the document when one of its numbers is
        NaN or infinite (Python would write ``Infinity``, which no other JSON reader takes)."""
        try:
            return json.dumps(self.to_dict(), ensure_ascii=False, allow_nan=False)
        except ValueError:
            raise NotJSON(f"document {self.doc_id}" + (f" ({self.url})" if self.url else "")
                          + ": a number in it is NaN or infinite, which JSON cannot hold") from None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Document":
        period = data.get("period")
        return cls(
            **{k: data.get(k) for k in DOCUMENT_FIELDS if k not in ("period",)},
            period=Period.from_dict(period) if period else None,
            units=[Unit.from_dict(u) for u in data.get("units", [])],
            quantities=[Quantity.from_dict(q) for q in data.get("quantities", [])],
            records=[Record.from_dict(r) for r in data.get("records", [])],
        )


class _NotAJSONNumber(ValueError):
    pass


def _refuse_constant(name: str):
    # Python's json reads NaN, Infinity and -Infinity, which are not JSON: taken in, they would be
    # written out again into files no other JSON reader opens
    raise _NotAJSONNumber(f"{name} is not a JSON number")


def json_lines(path) -> Iterator[tuple[int, object]]:
    """(line number, parsed JSON) of each non-blank line of a file (``-``: stdin); ValueError
    naming the line for one that is not (standard) JSON."""
    if str(path) == "-":
        fh = open(sys.stdin.fileno(), encoding="utf-8", closefd=False)
    else:
        fh = open(path, encoding="utf-8")
    with fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                data = loads_strict(line)
            except _NotAJSONNumber as exc:
                raise ValueError(f"line {n}: {exc}") from None
            except ValueError as exc:
                raise ValueError(f"line {n}: not JSON ({exc})") from None
            except RecursionError:
                raise ValueError(f"line {n}: JSON nested too deeply") from None
            yield n, data


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):        # 1e400: standard JSON, but infinite as a float
        raise _NotAJSONNumber(f"{text} is too large a number (infinite as a float)")
    return value


def loads_strict(text: str | bytes) -> object:
    """``json.loads`` that refuses NaN, ±Infinity and numbers too large for a float (ValueError)."""
    return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)


def iter_jsonl(path) -> Iterator[Document]:
    """Documents from a JSONL file written by ``provnews extract``, one line at a time (``-``: stdin)."""
    for n, data in json_lines(path):
        # (a line that is JSON but not a document, an array or {"a": 1}, is refused here rather
        # than becoming a document without id or text further on)
        if not isinstance(data, dict) or not isinstance(data.get("doc_id"), str) \
                or not isinstance(data.get("text"), str):
            raise ValueError(f"line {n}: not a provnews document (an object with doc_id and text)")
        try:
            yield Document.from_dict(data)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise ValueError(f"line {n}: not a provnews document ({type(exc).__name__}: {exc})") from None


def read_jsonl(path) -> list[Document]:
    """Documents from a JSONL file written by ``provnews extract``."""
    return list(iter_jsonl(path))
