"""Text cleaning: what it removes, and that a second cleaning changes nothing."""
from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.normalize import clean_text  # noqa: E402

# Characters that cleaning touches, mixed with Vietnamese letters and tone marks,
# so that random strings often put an invisible character between a letter and its mark.
TRICKY = list("aăâeêioôơuưyAĐđ \n\r\t") + ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0302", "\u0306",
                                          "\u031b", "\u200b", "\u200c", "\u200d", "\u00ad", "\ufeff", "\u2060",
                                          "\u00a0", "\u2000", "\u2001", "\u202f", "\x00", "\x1f", "\x7f",
                                          "\u212b", "\u1fef"]


def test_invisible_between_letter_and_tone_mark_is_stable():
    once = clean_text("a\u200b\u0301")
    assert once == "á" and clean_text(once) == once
    assert clean_text("Ho\u0302\u00ad\u0323i nghi\u200b\u0323") == "Hội nghị"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(TRICKY), max_size=40))
def test_cleaning_is_idempotent_on_tricky_strings(text):
    once = clean_text(text)
    assert clean_text(once) == once
    assert unicodedata.is_normalized("NFC", once)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60))
def test_cleaning_is_idempotent_on_any_string(text):
    once = clean_text(text)
    assert clean_text(once) == once
