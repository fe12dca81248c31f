"""Long pages: extraction stays linear in the length of the text (extractors/extract.py sections,
attribution's candidates on a page naming many organizations, numbers.SpanIndex)."""
from __future__ import annotations

import json
import random
from importlib import resources

import pytest

from conftest import SHARED, need_shared
from extractors import attribution
from extractors import extract as extract_module
from extractors.extract import extract, rules_pass, sections
from extractors.normalize import clean_text
from extractors.numbers import SpanIndex


def _articles(n: int) -> list[str]:
    folder = need_shared(SHARED / "data" / "vi-news" / "unc-dantri" / "articles")
    return [clean_text(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))[:n]]


def _as_dicts(ex, shift: int = 0, first_quantity: int = 0):
    """The extraction as plain dicts, offsets moved by ``shift`` (and quantity indexes by ``first_quantity``)."""
    units = [{**u.to_dict(), "start": u.start + shift, "end": u.end + shift} for u in ex.units]
    quantities = [{**q.to_dict(), "start": q.start + shift, "end": q.end + shift} for q in ex.quantities]
    records = [{**r.to_dict(), "start": r.start + shift, "end": r.end + shift,
                "quantity": r.quantity + first_quantity} for r in ex.records]
    return units, quantities, records


def test_sections_cover_the_text_and_cut_at_line_breaks():
    rng = random.Random(3)
    words = ["Sở", "Y", "tế", "kiểm", "tra", "29", "cơ", "sở.", "\n", "\n\n"]
    text = " ".join(rng.choice(words) for _ in range(5000))
    for size in (50, 333, 2000):
        got = sections(text, size)
        assert got[0][0] == 0 and got[-1][1] == len(text)
        for (a, b), (c, _) in zip(got, got[1:]):
            assert b - a <= size
            # at the last line break of the window, which belongs to neither section; else at a space
            cut = "\n" if "\n" in text[a + 1:a + size + 1] else " "
            assert text[b] == cut and c == b + 1 and cut not in text[b + 1:a + size + 1]
    # no line break: cut at a space; no space either: cut at the size
    assert sections("ab cd ef", 5) == [(0, 5), (6, 8)]
    assert sections("abcdefgh", 3) == [(0, 3), (3, 6), (6, 8)]
    assert sections("short", 50) == [(0, 5)]


def test_a_long_page_reads_each_section_as_that_text_alone(monkeypatch):
    """Two articles on one page longer than the section size: each is extracted exactly as on its
    own, offsets and record indexes pointing into the whole page."""
    b, a = sorted(_articles(12), key=len)[-2:]  # the longer first: the second fits in one section
    page = a + "\n" + b
    # the section size such that the last line break before it is the one between the articles
    monkeypatch.setattr(extract_module, "SECTION_CHARS", len(a) + b.index("\n"))
    assert sections(page, extract_module.SECTION_CHARS) == [(0, len(a)), (len(a) + 1, len(page))]
    whole = extract(page)
    alone_a, alone_b = extract(a), extract(b)
    ua, qa, ra = _as_dicts(alone_a)
    ub, qb, rb = _as_dicts(alone_b, len(a) + 1, len(alone_a.quantities))
    assert _as_dicts(whole) == (ua + ub, qa + qb, ra + rb)
    assert rb and ra  # both articles hold records: the test says something
    assert whole.period == alone_a.period


def test_a_long_page_keeps_every_offset_in_the_page():
    """A page of about 150,000 characters (30 real articles, three sections): every mention's text
    is the page's text at its offsets, and each record's quantity lies in the record's sentence."""
    page = "\n".join(_articles(40))
    page = page[:page.rfind("\n", 0, 150_000)]
    assert len(page) > 2 * extract_module.SECTION_CHARS
    ex = extract(page)
    assert len(ex.records) > 500
    for m in [*ex.units, *ex.quantities]:
        assert page[m.start:m.end] == m.text
    for r in ex.records:
        q = ex.quantities[r.quantity]
        assert r.start <= q.start and q.end <= r.end
        assert r.quantity_text == q.text


def test_span_index_agrees_with_a_scan():
    rng = random.Random(7)
    for _ in range(200):
        spans = [(s, s + rng.randint(1, 30)) for s in (rng.randint(0, 300) for _ in range(rng.randint(0, 12)))]
        index = SpanIndex(spans)
        for _ in range(40):
            a = rng.randint(0, 330)
            b = a + rng.randint(1, 20)
            assert index.overlaps(a, b) == any(x < b and a < y for x, y in spans), (spans, a, b)


def _provinces() -> list[str]:
    places = json.loads(resources.files("extractors.data").joinpath("places.json").read_text(encoding="utf-8"))
    return [p for p in places["provinces"] if " " in p][:70]


def test_a_page_naming_many_organizations_bounds_each_figure_s_candidates():
    """Past ``MAX_CANDIDATES`` names a figure is no longer ranked against every organization of the
    page: its candidates are bounded, and still hold its own paragraph's organization and the
    rules' choice, so the obvious owner still wins."""
    provinces = _provinces()
    assert len(provinces) > attribution.MAX_CANDIDATES + 5
    text = "\n".join(f"Sở Y tế tỉnh {p} đã kiểm tra {i + 3} cơ sở kinh doanh thực phẩm."
                     for i, p in enumerate(provinces))
    _, ex = rules_pass(text)
    names = {u.name for u in ex.units}
    assert len(names) > attribution.MAX_CANDIDATES
    rows = attribution.candidate_rows(text, ex.units, ex.quantities, ex.records)
    assert len(rows) == len(provinces)
    for ri, candidates in rows:
        rec = ex.records[ri]
        own = next(u.name for u in ex.units if rec.start <= u.start < rec.end)
        got = [name for name, _ in candidates]
        assert got[0] is None and own in got and (rec.unit is None or rec.unit in got)
        assert len(got) <= 1 + 24 + 8 + 4  # none, the recent, the topic, its paragraph's and the rules'
    chosen = attribution.choose_units(text, ex.units, ex.quantities, ex.records)
    right = sum(r.unit == next(u.name for u in ex.units if r.start <= u.start < r.end) for r in chosen)
    assert right == len(chosen)


@pytest.mark.parametrize("n", [attribution.MAX_CANDIDATES - 8])
def test_a_page_with_fewer_names_ranks_every_one(n):
    """Below the bound every organization of the page is a candidate of every figure, as in training."""
    provinces = _provinces()[:n]
    text = "\n".join(f"Sở Y tế tỉnh {p} đã kiểm tra {i + 3} cơ sở." for i, p in enumerate(provinces))
    _, ex = rules_pass(text)
    names = {u.name for u in ex.units}
    for _, candidates in attribution.candidate_rows(text, ex.units, ex.quantities, ex.records):
        assert {name for name, _ in candidates} == names | {None}
