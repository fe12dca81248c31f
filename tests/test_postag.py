"""POS tags through underthesea_core's Rust featurizer are underthesea's own tags,
and ``postag.word_tokenize`` (fewer Python layers) gives underthesea's own words.

``extractors.postag`` drives underthesea's shipped POS model with features
computed in Rust; these tests compare it with ``underthesea.pos_tag`` itself
(its Python featurizer) on the dev gold and real news texts: the same
features, the same tags, and the same extraction output either way.
"""
from __future__ import annotations

import dataclasses
import re

import pytest

from conftest import DEV_GOLD, SHARED, need_shared
from extractors import segment
from extractors.extract import extract
from extractors.normalize import clean_text
from extractors.postag import pos_tag, tagger, word_tokenize as fast_word_tokenize

VI_NEWS = SHARED / "data" / "vi-news"


def _texts(every: int) -> list[str]:
    files = sorted(need_shared(DEV_GOLD).glob("*.txt"))
    files += sorted(need_shared(VI_NEWS).glob("*/articles/*.txt"))[::every]
    assert len(files) > 20
    return [clean_text(f.read_text(encoding="utf-8")) for f in files]


def _clauses(text: str):
    for line in text.split("\n"):
        for chunk in re.split(r"(?<=;)", line):
            if chunk.strip():
                yield chunk


def test_features_and_tags_equal_underthesea():
    from underthesea import pos_tag as underthesea_pos_tag, word_tokenize
    from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor

    python_featurizer = CRFPOSTagPredictor.Instance().transformer
    clauses = digits_titled = 0
    for text in _texts(every=12):
        for chunk in _clauses(text):
            words = word_tokenize(chunk)
            expected = python_featurizer.transform([[(w, "X") for w in words]])[0][0]
            assert tagger().features(words) == expected, chunk
            assert pos_tag(chunk) == underthesea_pos_tag(chunk), chunk
            clauses += 1
            digits_titled += any(w[:1].isdigit() for w in words)
    # the case the Python istitle exists for (Rust calls digits title case) was exercised
    assert clauses > 500 and digits_titled > 100


def test_extraction_is_the_same_with_either_featurizer(monkeypatch):
    from underthesea import pos_tag as underthesea_pos_tag

    texts = _texts(every=25)
    rust = [dataclasses.asdict(extract(t)) for t in texts]
    monkeypatch.setattr(segment, "_pos_tag", underthesea_pos_tag)
    python = [dataclasses.asdict(extract(t)) for t in texts]
    assert sum(len(d["records"]) for d in rust) > 50  # real output, not empty lists
    for t, a, b in zip(texts, rust, python):
        assert a == b, t[:80]


def test_word_tokenize_equals_underthesea():
    from underthesea import word_tokenize

    lines = 0
    for text in _texts(every=6):
        for line in text.split("\n"):
            for chunk in [line, *_clauses(line)]:
                assert fast_word_tokenize(chunk) == word_tokenize(chunk), chunk
            lines += 1
    assert lines > 1000


ODD = ["", " ", ";", "1", "Sở 12 cán bộ", "x" * 300, "🙂 và 越南", "http://a.vn/x?y=1 a@b.vn 09/10/2020",
       "Ô tô ôtô Ðà Nẵng", "TP.HCM, v.v... 1.500,5 tỷ đồng; 30% (+2)", "\u0301a\u0300 ca\u0301c"]


@pytest.mark.parametrize("text", ODD)
def test_odd_inputs_tag_like_underthesea(text):
    from underthesea import pos_tag as underthesea_pos_tag, word_tokenize

    assert fast_word_tokenize(text) == word_tokenize(text)
    assert pos_tag(text) == underthesea_pos_tag(text)


def test_segmenter_features_equal_underthesea_core():
    """The Python template featurizer writes underthesea_core's strings, token for token."""
    from extractors.postag import word_tokenizer

    wt = word_tokenizer()
    assert wt._features is not None, "the Python featurizer failed its probes"
    sentences = [[wt._token_normalize(m.group()) for m in wt._patterns.finditer(wt._normalize_text(chunk))]
                 for text in _texts(every=12) for chunk in _clauses(text)]
    # Rust's isdigit is an i32 parse and its istitle is true for digits and punctuation
    sentences += [s.split(" ") for s in ["+5 -7 2147483647 2147483648 -2147483648 -2147483649 007 ½ ²",
                                         "ΑΣ Σ ß ǅ İ ǆ Ⅰ ﬁ 𝐀 ᾈ ( ) “ ” …", "a", "1", "Y tế"]]
    assert sum(map(len, sentences)) > 20000
    for tokens in sentences:
        assert wt._features.sentence(tokens) == wt._process([[[t] for t in tokens]])[0], tokens


def test_pos_features_from_the_python_tables():
    """The POS features come from the Python template tables, and equal the Rust route's."""
    t = tagger()
    assert t._python is not None, "the Python POS featurizer failed its probes"
    words = [fast_word_tokenize(chunk) for text in _texts(every=25) for chunk in _clauses(text)]
    assert sum(map(len, words)) > 5000
    for w in words:
        assert t.features(w) == t.rust_features(w), w


def test_segmenter_decoded_here_tags_like_underthesea_core():
    """``crf_model.LinearChainCRF`` reads underthesea's segmenter weights and labels as its CRFTagger does."""
    from extractors.postag import word_tokenizer

    wt = word_tokenizer()
    assert wt._crf is not None, "the CRF decoder failed its probes"
    sentences = [[wt._token_normalize(m.group()) for m in wt._patterns.finditer(wt._normalize_text(chunk))]
                 for text in _texts(every=6) for chunk in _clauses(text)]
    sentences += [s.split(" ") for s in ["+5 -7 2147483647 2147483648 007 ½ ²", "BOS EOS True False =",
                                         "T[0]=x a=b", "a", "Y tế", "Hà Nội Hà Nội Hà Nội"]]
    assert sum(map(len, sentences)) > 40000
    inside = 0
    for tokens in sentences:
        expected = wt.tag_reference(tokens)
        assert wt._crf.tag(tokens) == expected, tokens
        inside += expected.count("I-W")
    assert inside > 5000  # words of several syllables were joined, not only single syllables


def test_crfsuite_file_read_and_bad_files_refused(tmp_path):
    from extractors.crf_model import LinearChainCRF, read_crfsuite
    from extractors.postag import _segmenter_folder

    model = f"{_segmenter_folder()}/models.bin"
    labels, state, transition = read_crfsuite(model)
    assert labels == ["B-W", "I-W"] and len(transition) == 2
    assert len(state) > 40000 and "T[0]=BOS" not in state and "T[-1]=BOS" in state
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"not a model" * 10)
    with pytest.raises(ValueError, match="not a CRFsuite model"):
        read_crfsuite(bad)
    pos = _segmenter_folder().rsplit("/word_tokenize/", 1)[0] + "/pos_tag/pos_crf_2017_10_11.bin"  # 20 labels
    with pytest.raises(ValueError, match="only two-label"):
        LinearChainCRF(pos, ["T[0]"])
