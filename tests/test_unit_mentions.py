"""The unit-mention labeller: its features and labels line up with the words, it decodes as a CRF does,
and training teaches it mentions the rules' features alone do not give."""
from __future__ import annotations

import math

import pytest

from extractors import unit_mentions as um
from extractors.mentions import Unit
from extractors.model_files import ModelError, load_json_model


def _tokens(text: str):
    """(start, end, word, tag) of each whitespace-separated word (a stand-in for the segmenter's)."""
    out, pos = [], 0
    for w in text.split(" "):
        out.append((pos, pos + len(w), w, "Np" if w[:1].isupper() else "N"))
        pos += len(w) + 1
    return out


def test_labels_follow_the_words_a_span_overlaps():
    text = "Theo Sở Y tế tỉnh Nam Định , hôm nay"
    toks = _tokens(text)
    s = text.index("Sở")
    e = text.index(" ,")
    assert um.labels_for(toks, [(s, e)]) == ["O", "B", "I", "I", "I", "I", "I", "O", "O", "O"]
    assert um.labels_for(toks, []) == ["O"] * len(toks)


def test_sentences_end_after_stops_and_line_breaks():
    toks = [(0, 1, "A", "N"), (1, 2, ".", "CH"), (3, 4, "B", "N"), (4, 5, "\n", "SPACE"), (5, 6, "C", "N")]
    assert um.sentences(toks) == [(0, 2), (2, 4), (4, 5)]


def test_features_carry_the_rules_mention_and_the_window():
    text = "Theo Sở Y tế hôm nay"
    toks = _tokens(text)
    rows = um.features(text, toks, [Unit("Sở Y tế", 5, 12, "Sở Y tế", kind="Sở")])
    assert "r=O" in rows[0] and "1r=B" in rows[0]
    assert "r=B" in rows[1] and "hf" in rows[1] and "rk=Sở" in rows[1]
    assert "r=I" in rows[2] and "-1w=sở" in rows[2]
    assert "-2w=<>" in rows[0] and "2w=<>" in rows[-1]


def _model(weights, transitions=None):
    return um.Labeller({"labels": ["O", "B", "I"], "weights": weights,
                        "transitions": transitions or [[0.0] * 3 for _ in range(3)]})


def test_viterbi_follows_the_weights_and_transitions():
    m = _model({"w=x": [0.0, 2.0, 1.0], "w=y": [0.0, 1.0, 1.5]},
               [[0.0, 0.0, -9.0], [0.0, -1.0, 1.0], [0.0, 0.0, 0.0]])  # no O → I
    assert m.tag([["w=x"], ["w=y"], ["w=z"]]) == ["B", "I", "O"]
    assert m.tag([["w=y"]]) == ["I"]  # alone, the best state wins
    assert m.tag([]) == []


def test_outside_probabilities_are_marginals():
    m = _model({})
    assert all(abs(p - 1 / 3) < 1e-9 for p in m.outside(m.state_scores([["a"], ["b"]])))
    m = _model({"w=x": [0.0, 3.0, 0.0]})
    po = m.outside(m.state_scores([["w=x"], ["w=q"]]))
    assert math.isclose(po[0], 1 / (1 + math.exp(3) + 1)) and math.isclose(po[1], 1 / 3)


def test_spans_are_runs_of_b_and_i():
    toks = _tokens("a b c d e")
    assert um.spans_of(toks, ["B", "I", "O", "B", "B"]) == [(0, 3, 0, 2), (6, 7, 3, 4), (8, 9, 4, 5)]
    assert um.spans_of(toks, ["O", "I", "I", "O", "O"]) == [(2, 5, 1, 3)]


def test_a_new_mention_is_named_by_the_rules_or_left_to_them():
    text = "Hội đồng quốc gia về Khoa học công nghệ do ông làm Chủ tịch , Bộ trưởng phát biểu"
    toks = _tokens(text)
    po = [0.0] * len(toks)
    found = [(0, text.index(" do"), 0, 8), (text.index("Bộ"), text.index(" phát"), 13, 15)]
    got = um.new_mentions(text, toks, [], found, po)
    assert [u.name for u, _ in got] == ["Hội đồng quốc gia về Khoa học công nghệ"]  # "Bộ trưởng": a title
    assert got[0][0].kind == "Hội đồng" and got[0][1]["head"] == 1.0
    # a span the rules' mention touches is theirs
    assert um.new_mentions(text, toks, [Unit("Hội đồng", 0, 8, "X")], found, po) == []


def test_a_new_mention_reads_what_tells_a_person_from_an_organization():
    text = "Theo ông Michael Coates , nhà nghiên cứu , cho biết . Coates nói Ocean Infinity đã nhận 3 tàu ."
    toks = _tokens(text)
    po = [0.0] * len(toks)
    person = text.index("Michael"), text.index(" , nhà"), 2, 4
    org = text.index("Ocean"), text.index(" đã"), 14, 16
    got = {u.text: f for u, f in um.new_mentions(text, toks, [], [person, org], po)}
    f = got["Michael Coates"]
    assert f["title_before"] == f["named_title_before"] == 1.0 and f["before2=theo"] == 1.0
    assert f["last_word_alone"] == 1.0  # "Coates nói": people go by their surname
    g = got["Ocean Infinity"]
    assert g["title_before"] == g["named_title_before"] == 0.0 and g["last_word_alone"] == 0.0
    assert g["after=đã"] == 1.0
    text = "Bà Lan Anh cho biết giá tăng."
    toks = _tokens(text)
    got = um.new_mentions(text, toks, [], [(3, 10, 1, 3)], [0.0] * len(toks))
    assert got[0][1]["speech_after"] == 1.0


def test_the_shipped_model_loads_and_a_missing_one_is_refused(monkeypatch, tmp_path):
    data = load_json_model(um.MODEL_FILE, um.FEATURE_VERSION)
    assert data["labels"] == ["O", "B", "I"] and "filter" in data
    from extractors import model_files

    monkeypatch.setattr(model_files, "MODEL_DIR", tmp_path)
    load_json_model.cache_clear()
    try:
        with pytest.raises(ModelError, match="make train"):
            load_json_model(um.MODEL_FILE, um.FEATURE_VERSION)
    finally:
        load_json_model.cache_clear()


def test_training_teaches_a_mention_the_rules_miss():
    """A CRF trained on sentences where a word after "của" is an organization finds one in a new
    sentence, with no rules' mention there: the labeller adds to the rules, it does not copy them."""
    pytest.importorskip("pycrfsuite")
    from pipeline import train

    sents = []
    for name in ["Vinamilk", "Dabaco", "Masan", "Vietjet", "Hòa Phát", "Sabeco"] * 3:
        text = f"Sản phẩm của {name} tăng mạnh ."
        toks = _tokens(text)
        s = text.index(name)
        sents.append((um.features(text, toks, []), um.labels_for(toks, [(s, s + len(name))])))

    class Runs(list):
        pass

    orig = train.unit_mention_sequences
    try:
        train.unit_mention_sequences = lambda runs: iter(sents)
        crf = um.Labeller(train._crf(Runs([None])))
    finally:
        train.unit_mention_sequences = orig
    text = "Sản phẩm của Vinaseed tăng mạnh ."
    toks = _tokens(text)
    tags = crf.tag(um.features(text, toks, []))
    assert tags[3] == "B" and tags.count("O") == len(toks) - 1
