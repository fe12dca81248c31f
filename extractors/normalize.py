"""Unicode clean-up before anything else reads the text.

Offsets in every output point into the *cleaned* text, so this runs once,
first, and everything downstream sees only its result.
"""
from __future__ import annotations

import re
import unicodedata

# Zero-width and other invisible format characters that CMS editors leave in
# copied text; they split words for the segmenter and break regexes.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u202a-\u202e\u2066-\u2069]")
# Every kind of space except newline becomes a plain space (NBSP above all:
# Vietnamese CMSs put it between a number and its unit).
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\x0b\x0c]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Invisible characters removed, odd spaces made plain, CRLF made LF, then NFC.

    Idempotent: ``clean_text(clean_text(x)) == clean_text(x)`` for any string.
    NFC comes last because removing a character can bring a letter and a
    combining tone mark together (``a\\u200b\\u0301``): composed before the
    removal, they would compose only on a second cleaning, and text that a
    second cleaning changes is refused downstream as "not cleaned".

    >>> clean_text("8.069\\u00a0hộp")
    '8.069 hộp'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)
