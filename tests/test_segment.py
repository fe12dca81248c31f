"""The segmenter keeps the text exactly, tags words, and finds sentences."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractors.segment import make_doc, sentence_spans, word_breaks

TRICKY = [
    "",
    " ",
    "\n\n",
    "  Sở KH&CN  tỉnh Cao Bằng\t đã kiểm tra 29 cơ sở.  ",
    "Chi cục TC-ĐL-CL (TC-ĐL-CL) kiểm định 354 phương tiện đo;\n\n 04 cơ sở kinh doanh gas; 11 cơ sở",
    "Giá 40.000 - 50.000 đồng/kg, năng suất 69,3 tạ/ha (tăng 6,19%).",
    "“Trích dẫn” và 'nháy đơn' — gạch ngang… dấu ba chấm???",
    "Ảnh: Trần ThanhÔng Lâm Trọng Nghĩa cho biết.Báo cáo của WB",
    "x" * 300,
    "🙂 emoji 🇻🇳 và chữ Hán 越南",
    unicodedata.normalize("NFD", "Uỷ ban nhân dân tỉnh Hoà Bình"),
    "1;2;3;;;;",
    "\u00a0\u200b lạ",
]


@pytest.mark.parametrize("text", TRICKY)
def test_doc_text_is_the_input(text):
    doc = make_doc(text)
    assert doc.text == text
    for tok in doc:  # every token slices back to the text
        assert text[tok.idx:tok.idx + len(tok.text)] == tok.text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyÀÁẠẢÃàáạảãệộ ,.;:()%/-\n0123456789Sở")),
               max_size=120))
def test_doc_text_is_the_input_for_random_text(text):
    assert make_doc(text).text == text


def test_pos_tags_are_underthesea_tags():
    doc = make_doc("Trung tâm đã tiêu thụ 8.069 hộp trà.")
    tags = {t.text: t.tag_ for t in doc}
    assert tags["tiêu thụ"] == "V"
    assert tags["đã"] == "R"
    assert all(t.tag_ for t in doc)


def test_sentences_split_at_stops_and_lines():
    text = "Câu một có 3 vụ. Câu hai có 4 vụ!\nDòng ba"
    assert [text[s:e] for s, e in sentence_spans(text)] == ["Câu một có 3 vụ.", "Câu hai có 4 vụ!", "Dòng ba"]
    doc = make_doc(text)
    assert [s.text.strip() for s in doc.sents] == ["Câu một có 3 vụ.", "Câu hai có 4 vụ!", "Dòng ba"]


def test_glued_sentences_are_split_but_abbreviations_are_not():
    text = "hiệu quả hơn.Cụ thể, TP.HCM có 3 vụ. Ông nói:\"tốt.\"Xong"
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got[0] == "hiệu quả hơn."
    assert got[1].startswith("Cụ thể, TP.HCM có 3 vụ.")


def test_a_glued_quote_opening_with_a_number_starts_a_sentence():
    text = 'việc làm hơn."450.000 ha đất có thể được chuyển đổi'
    assert [text[s:e] for s, e in sentence_spans(text)] == ['việc làm hơn."', "450.000 ha đất có thể được chuyển đổi"]


@pytest.mark.parametrize("text,words", [
    ("Hà TĩnhÔtô bị lật", ["Ôtô"]),                 # lower → Upper inside a syllable
    ("TP HCMXe Lexus bốc cháy", ["HCM", "Xe"]),     # an acronym, then a capitalized word
    ("Quảng TrịHơn 20 km đường", ["Hơn"]),
    ("do Covid-19của tỉnh", ["của"]),               # a number glued to a word
    ("trong năm 2020.Theo đó", ["Theo"]),          # a stop glued to the next sentence
])
def test_glued_words_become_separate_tokens(text, words):
    doc = make_doc(text)
    assert doc.text == text
    toks = [t.text for t in doc]
    for w in words:
        assert w in toks, toks


@pytest.mark.parametrize("word", ["TP.HCM", "KH&CN", "iPhone", "McDonald", "1500m2", "0,4g", "COVID-19", "F1",
                                  "TTKS", "VnExpress", "PGS.TS", "VinFast", "TikTok", "HDBank", "YouTube", "ĐT741", "UPCoM", "ePi"])
def test_legit_mixed_forms_are_not_split(word):
    assert word_breaks(f"Theo {word} hôm nay") == []
    if not word[0].isdigit():  # underthesea itself splits a number from its unit (1500 m2)
        assert word in [t.text for t in make_doc(f"Theo {word} hôm nay")]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aăbcdđeêhiklmnoôơtuưxyàáãạảệộ TĩnhÔtôHCMXeUBND.!?,;:()\"“”'/%–…-"
                                             "0123456789\n")),
               max_size=80), st.integers(0, 6))
def test_word_breaks_skipping_plain_runs_equals_looking_everywhere(text, margin):
    # word_breaks looks only where _break_candidates points; looking at every offset must agree
    from extractors import segment

    lo, hi = min(margin, len(text)), max(len(text) - margin, min(margin, len(text)))
    fast = (word_breaks(text), word_breaks(text, lo, hi))
    original = segment._break_candidates
    segment._break_candidates = lambda t, s, e: range(s, e)
    try:
        assert (word_breaks(text), word_breaks(text, lo, hi)) == fast
    finally:
        segment._break_candidates = original
