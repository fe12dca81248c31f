"""Fact groups in the store: republished records grouped across documents whatever the order,
kept through re-extraction and deletion, counted once by stats, and the province columns."""
from __future__ import annotations

import copy
import sqlite3

import pytest

from pipeline.query import stats
from pipeline.records import make_doc_id, read_jsonl
from pipeline import store as store_module
from pipeline.store import SCHEMA_VERSION, CorpusStore
from tests.test_store import FIXTURE

HG_2023 = "https://hagiang.example.gov.vn/tin-tuc/tong-ket-2023.html"


def _docs():
    return {d.url: d for d in read_jsonl(FIXTURE) if d.url}


def _republished(doc, days_later: int = 2, host: str = "baohagiang.example.vn"):
    """The same article on a newspaper's site, a few days later."""
    copy_ = copy.deepcopy(doc)
    copy_.url = copy_.canonical_url = f"https://{host}/{doc.doc_id[:8]}.html"
    copy_.source = host
    copy_.doc_id = make_doc_id(copy_.url)
    copy_.published = f"2023-12-{28 + days_later:02d}" if doc.url == HG_2023 else doc.published
    return copy_


def _groups(store) -> dict[str, set[tuple[str, int]]]:
    groups: dict[str, set] = {}
    for r in store.conn.execute("SELECT fact_group, doc_id, idx FROM fact_groups"):
        groups.setdefault(r[0], set()).add((r[1], r[2]))
    return groups


def _partition(store) -> set[frozenset]:
    return {frozenset(members) for members in _groups(store).values() if len({d for d, _ in members}) > 1}


@pytest.mark.parametrize("order", ["original first", "copy first"])
def test_republished_records_grouped_in_either_order(tmp_path, order):
    original = _docs()[HG_2023]
    copy_ = _republished(original)
    with CorpusStore(tmp_path) as store:
        for doc in ([original, copy_] if order == "original first" else [copy_, original]):
            store.add_extracted_document(doc)
        partition = _partition(store)
        assert partition == {frozenset({(original.doc_id, i), (copy_.doc_id, i)}) for i in range(len(original.records))}
        # the original (published first) counts; the copy is the repeat
        rows = {(r["doc_id"], r["record_idx"]): r["repeated"]
                for r in store.conn.execute("SELECT doc_id, record_idx, repeated FROM record_rows")}
        assert all(rows[(original.doc_id, i)] == 0 and rows[(copy_.doc_id, i)] == 1
                   for i in range(len(original.records)))
    cols, rows = stats(tmp_path, "province,year", ["unit_of_measure=cơ sở"])
    got = [dict(zip(cols, r)) for r in rows]
    assert got == [{"province": "Hà Giang", "year": 2023, "measure": "cơ sở", "records": 2, "documents": 1,
                    "sum": 150.0, "min": 30.0, "max": 120.0, "repeats": 2}]
    cols, rows = stats(tmp_path, "province,year", ["unit_of_measure=cơ sở"], duplicates=True)
    assert [dict(zip(cols, r))["sum"] for r in rows] == [300.0]


def test_groups_survive_reextraction_and_deletion(tmp_path):
    original = _docs()[HG_2023]
    copies = [_republished(original, 1, "a.example.vn"), _republished(original, 2, "b.example.vn")]
    with CorpusStore(tmp_path) as store:
        for doc in [original, *copies]:
            store.add_extracted_document(doc)
        before = _partition(store)
        assert len(before) == len(original.records) and all(len(g) == 3 for g in before)
        # the document whose records name the groups is re-extracted (e.g. extract --all)
        store.mark_pending(original.doc_id)
        store.conn.execute("UPDATE documents SET extraction_sha1 = NULL WHERE doc_id = ?", (original.doc_id,))
        store.save_extraction(original)
        assert _partition(store) == before
        # and deleted: the copies stay grouped with each other
        store.delete_document(original.doc_id)
        after = _partition(store)
        assert after == {frozenset(m for m in g if m[0] != original.doc_id) for g in before}
        labels = {label for label in _groups(store)}
        members = {f"{d}:{i}" for g in _groups(store).values() for d, i in g}
        assert labels <= members  # every label still names one of its members


def test_near_miss_not_grouped(tmp_path):
    original = _docs()[HG_2023]
    other_year = _republished(original, 2)
    other_year.published = "2024-12-30"
    for r in other_year.records:
        r.period = type(r.period)(text="Năm 2024", start="2024-01-01", end="2024-12-31")
    with CorpusStore(tmp_path) as store:
        store.add_extracted_document(original)
        store.add_extracted_document(other_year)
        assert _partition(store) == set()


def test_provinces_of_documents_and_records(tmp_path):
    docs = _docs()
    with CorpusStore(tmp_path) as store:
        for doc in docs.values():
            store.add_extracted_document(doc)
        rows = store.conn.execute("SELECT url, province, province_2025, province_basis FROM document_rows").fetchall()
        by_url = {r[0]: tuple(r[1:]) for r in rows}
        # example.gov.vn hosts are not real portals: the province comes from the title or text
        assert by_url[HG_2023][:2] == ("Hà Giang", "Tuyên Quang")
        hb = store.conn.execute("SELECT DISTINCT province, province_basis FROM record_rows "
                                "WHERE unit = 'Hợp tác xã Giảo cổ lam Hòa Bình'").fetchall()
        assert [tuple(r) for r in hb] == [("Hòa Bình", "unit")]
        assert store.conn.execute("SELECT count(*) FROM provinces").fetchone()[0] == 63
        assert store.conn.execute("SELECT count(*) FROM provinces_2025").fetchone()[0] == 34


def test_migration_from_version_2_fills_provinces_and_groups(tmp_path):
    original = _docs()[HG_2023]
    with CorpusStore(tmp_path) as store:
        store.add_extracted_document(original)
        store.add_extracted_document(_republished(original))
        expected = _partition(store)
        # back to a version-2 store: no province or fact-group tables
        for view in ("record_rows", "quantity_rows", "document_rows", "fact_group_rows", "province_totals",
                     "province_year_totals"):
            store.conn.execute(f"DROP VIEW {view}")
        for trigger in ("fact_keys_record", "fact_keys_published"):
            store.conn.execute(f"DROP TRIGGER {trigger}")
        for table in ("fact_keys", "fact_groups", "record_places", "document_places", "provinces", "provinces_2025"):
            store.conn.execute(f"DROP TABLE {table}")
        store.conn.execute("PRAGMA user_version = 2")
    with CorpusStore(tmp_path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert _partition(store) == expected
        assert store.conn.execute("SELECT count(*) FROM record_places WHERE province = 'Hà Giang'").fetchone()[0] > 0
    with sqlite3.connect(tmp_path / "corpus.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM province_totals").fetchone()[0] == 34


def _fact_keys(store) -> list[tuple]:
    return [tuple(r) for r in store.conn.execute("SELECT * FROM fact_keys ORDER BY doc_id, idx")]


def test_migration_from_version_3_fills_the_fact_lookup(tmp_path):
    original = copy.deepcopy(_docs()[HG_2023])
    # a figure with nothing to tell it apart (no unit, item or period) is never looked up
    original.records[0].unit = original.records[0].item = original.records[0].period = None
    with CorpusStore(tmp_path) as store:
        store.add_extracted_document(original)
        store.add_extracted_document(_republished(original))
        expected_keys, expected = _fact_keys(store), _partition(store)
        matchable = [r for r in original.records if r.unit or r.item or (r.period and r.period.start)]
        assert 0 < len(matchable) < len(original.records)  # both kinds are exercised
        assert len(expected_keys) == 2 * len(matchable)
        for view in ("record_rows", "quantity_rows", "document_rows", "fact_group_rows", "province_totals",
                     "province_year_totals"):
            store.conn.execute(f"DROP VIEW {view}")
        for trigger in ("fact_keys_record", "fact_keys_published"):
            store.conn.execute(f"DROP TRIGGER {trigger}")
        store.conn.execute("DROP TABLE fact_keys")
        store.conn.execute("PRAGMA user_version = 3")
    with CorpusStore(tmp_path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert _fact_keys(store) == expected_keys
        # and it is kept up to date from then on: a third copy joins the groups
        third = _republished(original, days_later=3, host="vnexpress.example.vn")
        store.add_extracted_document(third)
        assert _partition(store) == {m | {(third.doc_id, d_idx)} for m in expected
                                     for d_idx in {i for _, i in m}}


# The candidate lookup as one query over every record of the amount: what
# _fact_candidates must return, read from its index instead.
_REFERENCE = (CorpusStore._FACT_SQL + " WHERE coalesce(r.base_value, r.value) = ? AND r.doc_id != ?"
              " AND coalesce(r.base_unit, r.unit_of_measure) IS ?"
              " AND (r.period_start IS NULL OR ? IS NULL OR (r.period_start = ? AND r.period_end IS ?))"
              " AND (g.fact_group IS NULL OR g.fact_group = r.doc_id || ':' || r.idx)"
              " AND (coalesce(r.unit, '') != '' OR r.period_start IS NOT NULL OR coalesce(r.item, '') != '')"
              " ORDER BY abs(julianday(substr(d.published, 1, 10)) - julianday(substr(?, 1, 10))), d.id, r.idx"
              " LIMIT ?")


@pytest.mark.parametrize("cap", [1, 2, 200])
def test_fact_candidates_are_the_nearest_in_time(tmp_path, monkeypatch, cap):
    monkeypatch.setattr(store_module, "FACT_CANDIDATES", cap)
    original = _docs()[HG_2023]
    others = [_republished(original, days_later=d, host=f"site{d}.example.vn") for d in (3, 1, 2)]
    undated = _republished(original, host="undated.example.vn")
    undated.published = None
    probe_dates = ["2023-12-29", "2024-01-30", None]
    with CorpusStore(tmp_path) as store:
        for doc in [original, *others, undated]:
            store.add_extracted_document(doc)
        store.conn.execute("DELETE FROM fact_groups")  # every record a candidate: the ordering decides
        for published in probe_dates:
            probe = _republished(original, host="probe.example.vn")
            probe.published = published
            store.add_extracted_document(probe)
            rows = store.conn.execute(CorpusStore._FACT_SQL + " WHERE r.doc_id = ? ORDER BY r.idx",
                                      (probe.doc_id,)).fetchall()
            store.conn.execute("DELETE FROM fact_groups")
            for row in rows:
                want = store.conn.execute(_REFERENCE, (row["amount"], probe.doc_id, row["measure"],
                                                       row["period_start"], row["period_start"],
                                                       row["period_end"], row["published"], cap)).fetchall()
                got = store._fact_candidates(row, probe.doc_id)
                assert [(c["doc_id"], c["idx"]) for c in got] == [(c["doc_id"], c["idx"]) for c in want]
            assert len(want) == min(cap, 5)
            store.delete_document(probe.doc_id)


def test_records_that_cannot_match_match_nothing():
    """The store leaves out of the lookup what can_match rejects: same_fact must agree."""
    from dataclasses import replace

    from pipeline.facts import FactRow, can_match, same_fact

    rows = []
    for doc in _docs().values():
        for r in doc.records:
            rows.append(FactRow(doc.doc_id, 1.0, None, "người", r.unit, r.item,
                                r.period.start if r.period else None, r.period.end if r.period else None,
                                None, doc.published))
    # the same figure read from another document, with and without each piece of evidence
    variants = [replace(a, doc_id="other", unit=u, item=i, period_start=p, period_end=p)
                for a in rows[:40] for u in (None, a.unit) for i in (None, a.item)
                for p in (None, a.period_start)]
    lonely = [a for a in rows + variants if not can_match(a)]
    matched = [(a, b) for a in rows + variants for b in rows + variants if same_fact(a, b)]
    assert lonely and matched  # both outcomes occur, so the check below means something
    assert not [(a, b) for a, b in matched if not can_match(a) or not can_match(b)]
