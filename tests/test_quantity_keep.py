"""Which numbers are quantities (extractors/quantity_keep.py): the rules' candidates, the rows, the
decision, its labels in training, and the shipped model on new text."""
from __future__ import annotations

import math

import pytest

from extractors import quantity_keep
from extractors.extract import extract, rules_pass
from extractors.model_files import load_json_model
from extractors.quantities import find_quantities
from extractors.segment import make_token_doc

# each number here is dropped by one rule of judgement (named), though an annotator counts it
VETOED = [
    ("Đợt này, tỉnh Gia Lai được cấp 16.650 liều vắc xin.", "16.650 liều", "label"),
    ("Vĩnh Phúc có 61 học sinh, Nghệ An 59 học sinh, Hải Dương có 53 học sinh.", "59 học sinh", "proper_name"),
    ("Cơ sở của anh phải hoàn thành đơn hàng 50.000 sản phẩm chén, đĩa.", "50.000 sản phẩm", "vague"),
    ("Thành phố có 306 chung cư cũ độc lập.", "306 chung cư", "no_noun"),
]


def _candidates(text):
    vetoed = []
    quantities, _ = find_quantities(text, make_token_doc(text), vetoed)
    return quantities, vetoed


@pytest.mark.parametrize("text, quantity, rule", VETOED)
def test_a_rule_of_judgement_names_what_it_drops_and_the_rules_output_is_unchanged(text, quantity, rule):
    quantities, vetoed = _candidates(text)
    assert [(q.text, r) for q, r in vetoed if q.text == quantity] == [(quantity, rule)]
    assert quantity not in [q.text for q in quantities]
    plain, _ = find_quantities(text, make_token_doc(text))
    assert [q.to_dict() for q in plain] == [q.to_dict() for q in quantities]


def test_rules_of_form_drop_for_good():
    # a date, the second half of a range, a phone number: not candidates at all
    _, vetoed = _candidates("Ngày 12/3/2021, gọi 0917 61 2020 về 3-4 ngày nghỉ.")
    assert [q.text for q, _ in vetoed] == []


def test_rows_name_the_rule_and_read_the_words_around():
    text = VETOED[1][0]
    tokens, _ = rules_pass(text)
    quantities, vetoed = _candidates(text)
    rows = quantity_keep.rows(text, tokens, [(q, None) for q in quantities] + vetoed)
    by_text = dict(zip([q.text for q in quantities] + [q.text for q, _ in vetoed], rows))
    f = by_text["59 học sinh"]
    assert f["veto=proper_name"] == 1.0 and f["prev=nghệ an"] == 1.0
    assert f["uom=học sinh"] == 1.0
    assert f["same_uom:log"] == math.log1p(2)  # the two quantities of học sinh the rules kept
    assert by_text["61 học sinh"]["veto=none"] == 1.0
    assert by_text["61 học sinh"]["same_uom:log"] == math.log1p(1)  # (not counting itself)


class _Scores:
    def __init__(self, scores):
        self.out = scores

    def scores(self, rows):
        assert len(rows) == len(self.out)
        return self.out


def test_the_decision_takes_back_above_the_threshold_and_never_over_a_kept_quantity(monkeypatch):
    text = "Tỉnh có 61 học sinh, Nghệ An 59 học sinh và đơn hàng 50.000 sản phẩm."
    tokens, _ = rules_pass(text)
    quantities, vetoed = _candidates(text)
    assert [q.text for q in quantities] == ["61 học sinh"]
    assert [q.text for q, _ in vetoed] == ["59 học sinh", "50.000 sản phẩm"]
    monkeypatch.setattr(quantity_keep, "ADD_FROM", 0.5)
    monkeypatch.setattr(quantity_keep, "DROP_BELOW", 0.0)
    got = quantity_keep.decided(text, tokens, quantities, vetoed, _Scores([-9.0, 2.0, -1.0]))
    assert [q.text for q in got] == ["61 học sinh", "59 học sinh"]  # a kept one is never dropped at 0
    monkeypatch.setattr(quantity_keep, "DROP_BELOW", 0.5)
    got = quantity_keep.decided(text, tokens, quantities, vetoed, _Scores([-9.0, 2.0, 1.0]))
    assert [q.text for q in got] == ["59 học sinh", "50.000 sản phẩm"]
    # one dropped and one taken back: as many quantities as before, but not the same ones
    got = quantity_keep.decided(text, tokens, quantities, vetoed, _Scores([-9.0, 2.0, -1.0]))
    assert [q.text for q in got] == ["59 học sinh"]
    # nothing changes: the rules' own list comes back (the caller need not make the records again)
    monkeypatch.setattr(quantity_keep, "DROP_BELOW", 0.0)
    assert quantity_keep.decided(text, tokens, quantities, vetoed, _Scores([1.0, -2.0, -2.0])) is quantities
    # a candidate overlapping a kept quantity is not taken
    from dataclasses import replace
    over = [(replace(vetoed[0][0], start=quantities[0].start + 1, end=quantities[0].end + 3), "label")]
    assert quantity_keep.decided(text, tokens, quantities, over, _Scores([1.0, 5.0])) is quantities


def test_training_labels_follow_the_gold_value_and_noun():
    from pipeline.evaluate import GoldDoc
    from pipeline.train import RuleRun, quantity_labels

    text = "Thành phố có 306 chung cư cũ, 12 người dân và 2021 lượt."
    quantities, vetoed = _candidates(text)
    tokens, ex = rules_pass(text)
    gold = GoldDoc(doc_id="t", path=None, text=text, data={"units": [], "quantities": [
        {"text": "306 chung cư", "value": 306, "unit_of_measure": "chung cư"},
        {"text": "12 người", "value": 12, "unit_of_measure": "người"},  # the noun cut shorter: still a quantity
    ]})
    cands = [(q, None) for q in quantities] + vetoed
    labels = dict(zip([q.text for q, _ in cands], quantity_labels(RuleRun(gold, ex, tokens, vetoed), cands)))
    assert labels["306 chung cư"] == 1
    assert labels["12 người dân"] == 1
    assert all(v == 0 for k, v in labels.items() if k not in ("306 chung cư", "12 người dân"))


@pytest.mark.parametrize("text, quantity", [
    # new sentences, in no annotated document: a list that drops its verb after a place's name, and
    # nouns the tagger does not call nouns
    ("Hà Tĩnh có 45 học sinh đoạt giải, Quảng Bình 38 học sinh, Nghệ An có 52 học sinh.", "38 học sinh"),
    ("Huyện hiện có 215 chung cư và 48 trường học.", "215 chung cư"),
    ("Công ty vừa công bố 12 thiết kế mẫu nhà ở xã hội mới.", "12 thiết kế"),
])
def test_the_shipped_model_takes_back_what_a_rule_dropped(text, quantity):
    assert quantity not in [q.text for q in extract(text, learned=False).quantities]
    ex = extract(text)
    assert quantity in [q.text for q in ex.quantities]
    # and the record is made for it as for any quantity
    i = [q.text for q in ex.quantities].index(quantity)
    assert [r.quantity for r in ex.records].count(i) == 1


def test_the_shipped_model_leaves_labels_alone():
    text = "Theo Chỉ thị 16 của Thủ tướng, đợt 3 kéo dài đến hết tháng."
    assert [q.text for q in extract(text).quantities] == []


def test_model_file_records_its_features():
    data = load_json_model(quantity_keep.MODEL_FILE, quantity_keep.FEATURE_VERSION)
    assert data["kind"] == "LightGBM binary" and "veto=label" in data["features"]
