"""``provnews show FILE [--html OUT]``: one document with its mentions highlighted.

FILE is a ``.txt`` (read as UTF-8, cleaned, first line = title, extracted
now), an ``.html`` page (through ``pipeline.ingest``), or a JSONL written by
``provnews extract`` (its first document, mentions as stored).

With ``--html`` the document is rendered by displaCy's span visualizer: units
(``UNIT``), quantities (``QTY``) and, for each record, its activity verb
(``ACT``) are marked, overlapping freely, and a table of records follows.
Without it a plain terminal summary is printed: one line per record,
``unit | activity | quantity | item``.
"""
from __future__ import annotations

import html
import json
import sys
from pathlib import Path

from pipeline.records import Document, make_doc_id

COLORS = {"UNIT": "#7aecec", "QTY": "#feca74", "ACT": "#c887fb"}


class ShowError(Exception):
    """The file cannot be shown; the message names the reason."""


def load_document(path: Path) -> Document:
    """The document to show: extracted now (.txt, .html, ``-`` for stdin) or as stored (.jsonl)."""
    if str(path) == "-":
        from extractors.extract import extract
        from pipeline.ingest import STDIN, InputError, read_document

        try:
            doc = read_document(STDIN)
        except InputError as exc:
            raise ShowError(str(exc)) from None
        return doc.with_extraction(extract(doc.text))
    if not path.exists():
        raise ShowError("no such file")
    if not path.is_file():
        raise ShowError("not a regular file")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json"):
        from pipeline.records import read_jsonl

        try:
            docs = read_jsonl(path)
        except UnicodeDecodeError:
            raise ShowError("not UTF-8 text") from None
        except (ValueError, TypeError, KeyError) as exc:
            raise ShowError(f"not a JSONL of extracted documents ({exc})") from None
        if not docs:
            raise ShowError("no documents in the file")
        if problem := _offset_problem(docs[0]):
            raise ShowError(f"document {docs[0].doc_id}: {problem}")
        return docs[0]
    if suffix in (".txt", ".html", ".htm"):
        # read as extract reads its inputs: the same size limits, decoding and refusals
        from pipeline.ingest import InputError, extract_document, read_document

        try:
            return extract_document(read_document(path))
        except InputError as exc:
            raise ShowError(str(exc)) from None
    raise ShowError(f"unsupported file type {suffix or '(none)'}; expected .txt, .html or .jsonl")


def _offset_problem(doc: Document) -> str | None:
    """Why a stored document's mentions cannot be drawn over its text (None: they can): each
    start and end a whole number, in order, inside the text."""
    for field in ("units", "quantities", "records"):
        for i, m in enumerate(getattr(doc, field)):
            s, e = getattr(m, "start", None), getattr(m, "end", None)
            if not (isinstance(s, int) and isinstance(e, int) and 0 <= s <= e <= len(doc.text)):
                return f"{field}[{i}] at {s!r}..{e!r} does not fit its text of {len(doc.text)} characters"
    return None


def spans_of(doc: Document) -> list[dict]:
    """displaCy manual spans: units, quantities and the activity verbs of the records."""
    spans = []
    for u in doc.units:
        label = "UNIT" if u.name == u.text else f"UNIT: {u.name}"
        spans.append({"start_token": u.start, "end_token": u.end, "label": label, "kind": "UNIT"})
    for q in doc.quantities:
        spans.append({"start_token": q.start, "end_token": q.end, "label": "QTY", "kind": "QTY"})
    seen = set()
    for r in doc.records:
        if not r.activity:
            continue
        pos = _activity_offset(doc.text, r)
        if pos is not None and pos not in seen:
            seen.add(pos)
            spans.append({"start_token": pos, "end_token": pos + len(r.activity), "label": "ACT", "kind": "ACT"})
    return spans


def _activity_offset(text: str, r) -> int | None:
    """Where the record's activity is written: the occurrence nearest before its quantity."""
    sent = text[r.start:r.end]
    best = None
    i = sent.find(r.activity)
    while i >= 0:
        best = r.start + i if best is None or r.start + i <= _quantity_start(text, r) else best
        i = sent.find(r.activity, i + 1)
    return best


def _quantity_start(text: str, r) -> int:
    i = text.find(r.quantity_text, r.start, r.end) if r.quantity_text else -1
    return i if i >= 0 else r.end


def render_html(doc: Document) -> str:
    """A standalone HTML page: the text with spans marked, then units and records as tables."""
    from spacy import displacy

    # displaCy's entity style renders the text exactly as it is (character
    # offsets, line breaks kept); it needs non-overlapping spans, so a
    # quantity wins over a unit, and both over an activity verb.
    priority = {"QTY": 0, "UNIT": 1, "ACT": 2}
    chosen: list[dict] = []
    for sp in sorted(spans_of(doc), key=lambda sp: (priority[sp["kind"]], sp["start_token"])):
        a, b = sp["start_token"], sp["end_token"]
        if all(b <= c["start"] or a >= c["end"] for c in chosen):
            chosen.append({"start": a, "end": b, "label": sp["kind"]})
    chosen.sort(key=lambda c: c["start"])
    data = {"text": doc.text, "ents": chosen, "title": None}
    body = displacy.render(data, style="ent", manual=True, page=False, options={"colors": COLORS})
    units = "\n".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(kind or '')}</td><td>{html.escape(abbr or '')}</td>"
        f"<td>{html.escape(parent or '')}</td><td>{n}</td></tr>"
        for (name, kind, abbr, parent), n in _unit_rows(doc))
    rows = "\n".join(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
            html.escape(r.unit or "—"), html.escape(r.activity or "—"), html.escape(r.quantity_text),
            html.escape(r.item or ""), html.escape(r.location or ""))
        for r in doc.records)
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{html.escape(doc.title or doc.doc_id)}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.2em .5em}}</style></head><body>
<h1>{html.escape(doc.title or doc.doc_id)}</h1>
<p>{len(doc.units)} unit mentions, {len(doc.quantities)} quantities, {len(doc.records)} records</p>
{body}
<h2>Units</h2>
<table><tr><th>name</th><th>kind</th><th>abbreviation</th><th>parent</th><th>mentions</th></tr>
{units}
</table>
<h2>Records</h2>
<table><tr><th>unit</th><th>activity</th><th>quantity</th><th>item</th><th>location</th></tr>
{rows}
</table></body></html>
"""


def _unit_rows(doc: Document):
    """Distinct units (by canonical name) with their number of mentions, in order of appearance."""
    seen: dict[str, list] = {}
    for u in doc.units:
        row = seen.setdefault(u.name, [(u.name, u.kind, u.abbreviation, u.parent), 0])
        row[1] += 1
        if u.abbreviation or u.parent:
            row[0] = (u.name, u.kind, u.abbreviation or row[0][2], u.parent or row[0][3])
    return [tuple(r) for r in seen.values()]


def summary_lines(doc: Document) -> list[str]:
    """One line per record: unit | activity | quantity | item."""
    lines = [f"{doc.title or doc.doc_id}",
             f"units: {', '.join(sorted({u.name for u in doc.units})) or '—'}"]
    for r in doc.records:
        lines.append(" | ".join([r.unit or "—", r.activity or "—", r.quantity_text, r.item or "—"]))
    return lines


def cli_show(args) -> int:
    path = Path(args.file)
    try:
        doc = load_document(path)
    except ShowError as exc:
        print(f"provnews show: {'stdin' if str(path) == '-' else path}: {exc}", file=sys.stderr)
        return 2
    if args.html == "-":
        sys.stdout.write(render_html(doc))
        return 0
    if args.html:
        from pipeline.ingest import output_problem

        out = Path(args.html)
        if problem := output_problem(out, [args.file]):
            print(f"provnews show: {out}: {problem}", file=sys.stderr)
            return 2
        try:
            out.write_text(render_html(doc), encoding="utf-8")     # (output_problem made its folder)
        except OSError as exc:
            print(f"provnews show: {out}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        print(f"wrote {out}")
        return 0
    for line in summary_lines(doc):
        print(line)
    return 0
