"""Whether each organization the rules found is a unit (extractors/unit_keep.py): rows, decision, shipping."""
from __future__ import annotations

import math

from extractors import unit_choice, unit_keep
from extractors.extract import extract, rules_pass
from extractors.mentions import Record
from extractors.model_files import load_json_model

TEXT = ("Chi cục Quản lý thị trường tỉnh Nghệ An đã kiểm tra 29 cơ sở. "
        "Theo Bộ Tài chính, giá xăng tăng 5 lần.")


def _rows(text=TEXT, prior=({}, {})):
    tokens, ex = rules_pass(text)
    groups, scores = unit_choice.ranked_groups(text, tokens, ex.units, ex.records)
    return ex, groups, scores, unit_keep.org_rows(text, ex.units, groups, scores, prior)


def test_one_row_per_organization_with_how_it_is_written_and_introduced():
    ex, groups, _, rows = _rows()
    assert [n for n, _ in rows] == [n for n, _ in groups] == list(dict.fromkeys(u.name for u in ex.units))
    f = dict(rows)
    assert f["Bộ Tài chính"]["after_theo"] == 1.0 and f["Bộ Tài chính"]["prev:theo"] == 1.0
    assert f["Chi cục Quản lý thị trường tỉnh Nghệ An"]["after_theo"] == 0.0
    assert all(r["margin"] >= 0 and r["prior_share"] == -1.0 for r in f.values())  # names never seen: no prior


def test_the_annotated_corpus_tables_give_the_prior():
    f = {}
    names, words = {"bộ tài chính": [1, 3]}, {"tài": [0, 5], "chính": [4, 1]}
    unit_keep.prior_features(f, "Bộ Tài chính", "Bộ", names, words)
    assert f["prior_share"] == 0.75 and f["prior_yes:log"] == math.log1p(3)
    assert f["word_share_min"] == 0.2 and f["word_share_mean"] == 0.6


class _Model:
    """A keep model that says "not a unit" for the organizations named in ``no``."""

    data = {"names": {}, "words": {}}

    def __init__(self, rows, no):
        self.out = [-5.0 if name in no else 5.0 for name, _ in rows]

    def scores(self, rows):
        return self.out


def test_organizations_below_the_threshold_are_dropped():
    ex, groups, scores, rows = _rows()
    model = _Model(rows, {"Bộ Tài chính"})
    assert unit_keep.dropped(TEXT, ex.units, groups, scores, model=model) == {"Bộ Tài chính"}
    assert unit_keep.dropped(TEXT, [], [], [], model=model) == set()


def _record(unit):
    return Record(unit=unit, activity=None, quantity=0, value=1.0, unit_of_measure=None, sentence="", start=0, end=1)


def test_what_a_dropped_organizations_records_become(monkeypatch):
    ex, *_ = _rows()
    kept_name = "Chi cục Quản lý thị trường tỉnh Nghệ An"
    recs = [_record("Bộ Tài chính"), _record(kept_name)]
    drop = {"Bộ Tài chính", kept_name}
    monkeypatch.setattr(unit_keep, "POLICY", "norec")
    units, _ = unit_keep.without(ex.units, recs[1:], drop)  # only the organization no record names goes
    assert {u.name for u in units} == {kept_name}
    monkeypatch.setattr(unit_keep, "POLICY", "null")
    units, got = unit_keep.without(ex.units, recs, {"Bộ Tài chính"})
    assert {u.name for u in units} == {kept_name} and [r.unit for r in got] == [None, kept_name]


def test_a_clear_unit_is_kept():
    assert "Chi cục Quản lý thị trường tỉnh Nghệ An" in {u.name for u in extract(TEXT).units}


def test_model_file_records_its_features_and_tables():
    data = load_json_model(unit_keep.MODEL_FILE, unit_keep.FEATURE_VERSION)
    assert data["kind"] == "LightGBM binary" and "margin" in data["features"]
    assert data["names"] and data["words"]
