"""Provinces (pipeline.provinces) and the same fact across documents (pipeline.facts).

The province tables are checked against underthesea's own address tables; the
resolver against a hand annotation of the gold sets' records; the fact
grouping against annotated pairs that include near misses.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from pipeline import provinces as pv
from pipeline.facts import FactRow, same_fact, same_unit
from tests.conftest import ROOT, need_shared

FIXTURES = Path(__file__).parent / "fixtures" / "provinces"


# -- the tables --------------------------------------------------------------------------

def test_63_provinces_and_34_since_the_merger():
    old, new = pv.provinces(), pv.provinces_2025()
    assert len(old) == 63 and len(new) == 34
    assert all(len(c) == 2 and c.isdigit() for c in [*old, *new])
    assert {p.code_2025 for p in old.values()} == set(new)
    merged = {code: sorted(p.name for p in old.values() if p.code_2025 == code) for code in new}
    assert merged["08"] == ["Hà Giang", "Tuyên Quang"]
    assert merged["79"] == ["Bà Rịa - Vũng Tàu", "Bình Dương", "Hồ Chí Minh"]
    assert sum(len(v) == 1 for v in merged.values()) == 11  # the provinces left as they were
    for p in [*old.values(), *new.values()]:  # centroids inside Vietnam's bounding box
        assert 8.3 < p.lat < 23.5 and 102.0 < p.lon < 110.0, p


def test_merger_table_agrees_with_underthesea_convert_address():
    from underthesea.address import convert_address

    for p in pv.provinces().values():
        level = "Thành phố" if p.kind == "thành phố" or p.code == "46" else "Tỉnh"
        name = "Huế" if p.code == "46" else p.name  # a city since 1 January 2025
        result = convert_address(f"{level} {name}")
        assert result.new.province.endswith(pv.provinces_2025()[p.code_2025].name), (p.name, result)


def test_portal_hosts():
    assert pv.province_of_host("sokhcn.caobang.gov.vn") == "04"
    assert pv.province_of_host("www.baothainguyen.vn") == "19"
    assert pv.province_of_host("vnexpress.net") is None
    assert pv.province_of_host("gov.vn") is None


# -- names in text -----------------------------------------------------------------------

@pytest.mark.parametrize("text, codes", [
    ("Sở Y tế tỉnh Thái Nguyên", ["19"]),
    ("UBND huyện Hàm Yên", ["08"]),                        # a district's province
    ("thị xã Vĩnh Châu (tỉnh Sóc Trăng)", ["94", "94"]),
    ("Chi cục QLTT Đắk Lắk và TP.HCM", ["66", "79"]),
    ("tư tưởng Hồ Chí Minh, đường Hồ Chí Minh", []),       # the president and the road, not the city
    ("thành phố Hồ Chí Minh", ["79"]),
    ("Thái Bình Dương", []),                                 # the Pacific
    ("huyện Châu Thành", []),                                # in eight provinces: undecided
])
def test_find_provinces(text, codes):
    assert [c for _, c, _ in pv.find_provinces(text)] == codes


def test_record_order_location_unit_sentence_document():
    doc = pv.Placement("04", "source")
    assert pv.record_placement("Sở Y tế tỉnh Hà Giang", "huyện Hàm Yên", "", doc).old_code == "08"
    assert pv.record_placement("Sở Y tế tỉnh Hà Giang", None, "", doc) == pv.Placement("02", "unit")
    assert pv.record_placement("Sở Y tế", None, "tại tỉnh Lạng Sơn có 3 ca", doc).old_code == "20"
    assert pv.record_placement("Sở Y tế", None, "có 3 ca", doc) == pv.Placement("04", "document")
    # a ministry acts nationally: no province from the article around it
    assert pv.record_placement("Bộ Y tế", None, "cả nước có 3 ca", doc) == pv.NOWHERE
    # a repeated district name takes the document's province
    assert pv.record_placement(None, "huyện Châu Thành", "", pv.Placement("82", "text")).old_code == "82"


def test_as_published_and_after_the_merger():
    hg = pv.Placement("02", "unit")
    before = pv.columns(hg, "2024-12-31")
    assert (before.province_code, before.province, before.province_2025) == ("02", "Hà Giang", "Tuyên Quang")
    after = pv.columns(hg, "2025-07-01T08:00:00+07:00")
    assert (after.province_code, after.province, after.province_2025) == ("08", "Tuyên Quang", "Tuyên Quang")
    assert pv.columns(pv.NOWHERE, "2020-01-01").province is None


def test_document_placement():
    assert pv.document_placement("…", None, "skhcn.hagiang.gov.vn") == pv.Placement("02", "source")
    assert pv.document_placement("tỉnh Cao Bằng … tỉnh Cao Bằng … Hà Nội", "Tin tức", None).old_code == "04"
    assert pv.document_placement("Hà Nội, Hà Nam, Nam Định", "Tin", None) == pv.NOWHERE  # spread out


# -- accuracy on the gold sets -----------------------------------------------------------

def _province_accuracy():
    spec = importlib.util.spec_from_file_location("province_accuracy", ROOT / "benchmarks" / "province_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gold_annotation_covers_every_gold_record():
    need_shared()
    rows = _province_accuracy().gold_rows()
    gold_files = [*(ROOT / "tests" / "gold").glob("*.gold.json"), *(ROOT / "tests" / "gold_holdout").glob("*.gold.json"),
                  *(ROOT.parent / "shared" / "gold" / "dev").glob("*.gold.json")]
    expected = sum(1 for f in gold_files for q in json.loads(f.read_text(encoding="utf-8"))["quantities"]
                   if q.get("record"))
    assert len(rows) == expected


# Floors at what the resolver reaches (benchmarks/province_accuracy.py prints the
# table); they only go up.
PROVINCE_FLOORS = {"tests/gold": 0.87, "tests/gold_holdout": 0.83, "../shared/gold/dev": 0.84}


def test_province_accuracy_on_gold():
    need_shared()
    scores = _province_accuracy().accuracy(_province_accuracy().gold_rows())
    for gold_set, floor in PROVINCE_FLOORS.items():
        assert scores[gold_set]["as_published"] >= floor, (gold_set, scores[gold_set])
        assert scores[gold_set]["post_2025"] >= scores[gold_set]["as_published"]  # merging only forgives


# -- the same fact -----------------------------------------------------------------------

def test_same_unit():
    assert same_unit("Chi cục TĐC tỉnh Cao Bằng", "Chi cục Tiêu chuẩn Đo lường Chất lượng tỉnh Cao Bằng")
    assert same_unit("Sở Khoa học và Công nghệ Tuyên Quang", "Sở Khoa học và Công nghệ tỉnh Tuyên Quang")
    assert not same_unit("Chi cục Quản lý thị trường tỉnh Cao Bằng", "Chi cục Tiêu chuẩn Đo lường Chất lượng tỉnh Cao Bằng")
    assert not same_unit("Sở Y tế tỉnh Cao Bằng", "Sở Khoa học và Công nghệ tỉnh Cao Bằng")


def _row(doc, **kw):
    base = dict(doc_id=doc, amount=29.0, amount_max=None, measure="cơ sở", unit="Chi cục TĐC tỉnh Cao Bằng",
                item="cơ sở kinh doanh xăng dầu", period_start="2020-12-01", period_end="2020-12-31",
                province_2025_code="04", published="2021-01-15", province_basis="unit")
    base.update(kw)
    return FactRow(**base)


def test_same_fact_rules():
    a = _row("a")
    assert same_fact(a, _row("b", published="2021-01-18"))
    assert not same_fact(a, _row("a"))                                          # one document
    assert not same_fact(a, _row("b", period_start="2022-01-01", period_end="2022-12-31"))
    assert not same_fact(a, _row("b", unit="Chi cục Quản lý thị trường tỉnh Cao Bằng"))
    assert not same_fact(a, _row("b", province_2025_code="08"))
    assert not same_fact(a, _row("b", item="cơ sở giết mổ gia súc"))
    assert not same_fact(a, _row("b", measure="hộ"))
    # no period on either side: only within weeks of each other
    undated = dict(period_start=None, period_end=None)
    assert same_fact(_row("a", **undated), _row("b", published="2021-02-01", **undated))
    assert not same_fact(_row("a", **undated), _row("b", published="2022-01-15", **undated))
    # an unknown date vetoes nothing; a province guessed from the sentence does not veto either
    assert same_fact(_row("a", **undated), _row("b", published=None, **undated))
    assert same_fact(a, _row("b", province_2025_code="08", province_basis="sentence"))
    # without a unit, an equal stated period backs the match; without either, items must be close
    assert same_fact(a, _row("b", unit=None, item=None))
    assert not same_fact(_row("a", unit=None, **undated), _row("b", unit=None, item=None, **undated))


def _fact_of(side: dict) -> FactRow | None:
    from extractors.extract import extract
    from extractors.normalize import clean_text

    text = clean_text(side["text"])
    extraction = extract(text)
    record = next((r for r in extraction.records if r.quantity_text == side["quantity"]), None)
    if record is None:  # not extracted: the pipeline cannot group it
        return None
    placement = pv.record_placement(record.unit, record.location, record.sentence,
                                    pv.document_placement(text, None, None))
    columns = pv.columns(placement, side["published"])
    period = record.period
    amount_max = (record.value_max * record.base_value / record.value
                  if record.value_max is not None and record.base_unit else record.value_max)
    return FactRow(side["text"], record.base_value if record.base_value is not None else record.value, amount_max,
                   record.base_unit or record.unit_of_measure, record.unit, record.item,
                   period.start if period else None, period.end if period else None, columns.province_2025_code,
                   side["published"], columns.basis)


def score_pairs() -> dict:
    pairs = json.loads((FIXTURES / "fact_pairs.json").read_text(encoding="utf-8"))["pairs"]
    tp = fp = fn = tn = 0
    misses = []
    for p in pairs:
        a, b = _fact_of(p["a"]), _fact_of(p["b"])
        decided = a is not None and b is not None and same_fact(a, b)
        tp += decided and p["same"]
        fp += decided and not p["same"]
        fn += (not decided) and p["same"]
        tn += (not decided) and not p["same"]
        if decided != p["same"]:
            misses.append(p["why"] + ("" if a and b else " (a quantity was not extracted)"))
    return {"pairs": len(pairs), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
            "misses": misses}


def test_fact_grouping_precision_and_recall_on_annotated_pairs():
    scores = score_pairs()
    print(json.dumps(scores, ensure_ascii=False))
    assert scores["tp"] + scores["fn"] >= 10 and scores["fp"] + scores["tn"] >= 10  # both kinds present
    assert scores["precision"] >= 0.9, scores
    assert scores["recall"] >= 0.8, scores


def test_fact_grouping_on_real_news_clusters(tmp_path):
    """Several outlets telling one story (../shared/data/vi-news phenikaa-mds clusters), through the real
    extractor and store; pairs annotated in tests/fixtures/provinces/fact_pairs_real.json."""
    need_shared()
    spec = importlib.util.spec_from_file_location("fact_groups_real", ROOT / "benchmarks" / "fact_groups_real.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    store = module.build_corpus(tmp_path)
    try:
        pairs = module.candidate_pairs(store)
    finally:
        store.close()
    scores = module.score(pairs)
    print(json.dumps({k: v for k, v in scores.items() if k != "errors"}))
    # the annotation names records by their sentence: an extractor change may leave a few pairs unnamed
    assert scores["unannotated"] <= 0.2 * len(pairs), scores["unannotated"]
    assert scores["same"] >= 100 and scores["near_misses"] >= 30
    assert scores["precision"] >= 0.95, scores
    assert scores["recall"] >= 0.75, scores
