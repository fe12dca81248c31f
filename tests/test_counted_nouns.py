"""The counted noun's extent (extractors/counted_nouns.py with the shipped model)."""
from __future__ import annotations

import pytest

from extractors.extract import extract


def units(text: str) -> list[str]:
    return [q.unit_of_measure for q in extract(text).quantities]


@pytest.mark.parametrize("text", [
    # a verb or a function word after the noun is never part of it, whatever noun it follows
    "Ôtô chở ông cùng 36 người khi chạy trên quốc lộ 14.",
    "Xe giường nằm chở 37 người chạy trên quốc lộ 14.",
    "Vụ tai nạn làm 3 người chết trên tuyến cao tốc.",
    "Dân số tăng khoảng 42.500 người so với quy hoạch cũ.",
    "Qua xác minh, có tổng cộng 9 người trú tại thôn Kỳ Nơi.",
])
def test_the_noun_stops_before_what_only_follows_nouns(text):
    assert units(text) == ["người"]


def test_a_classifier_takes_its_noun():
    assert units("đã cấp giấy chứng nhận với 25 thửa đất cho các hộ.") == ["thửa đất"]


def test_the_model_has_the_later_syllable_table():
    from extractors import counted_nouns
    from extractors.model_files import load_json_model

    model = load_json_model(counted_nouns.MODEL_FILE, counted_nouns.FEATURE_VERSION)
    took, stopped = model["later"]["so"]
    assert stopped > took
