"""The text as the unit finders walk it: syllable pieces with their tokens' tags.

    split_pieces(text, doc) -> list[Piece]

A piece is a syllable with its inner joiners (``KH&CN``, ``TC-ĐL-CL``,
``TP.HCM``) or one punctuation mark, carrying the underthesea token it sits in
(its span and POS tag), because underthesea's words do not always respect
name boundaries while its tags still tell a verb from a noun.  Also the
small tests on pieces every finder shares (is it an abbreviation, do these
initials spell it).
"""
from __future__ import annotations

import re

from .segment import token_rows as _token_rows


# A piece: a syllable with its inner joiners (KH&CN, TC-ĐL-CL, TP.HCM), or one punctuation mark.
PIECE = re.compile(r"\w+(?:[&\-+]\w+|\.(?=[A-ZĐ]{2})\w+)*\+?|[^\w\s]")


# Words that never belong inside a name: they end it.
STOP_WORDS = frozenset("""
đã đang sẽ vừa mới cũng đều vẫn còn chưa không chỉ luôn được bị là có cho của với tại trên từ về theo
trong để đến thì mà nhưng nên vì do khi nếu này đó ấy kia các những mọi nhiều một số ra vào lên xuống
như cùng tới sau trước giữa qua bởi hay hoặc rằng nhằm gồm gồm có hiện nay hôm
""".split())


STOP_TAGS = ("R", "E", "C", "P", "L", "M", "T", "CH", "I", "X", "SPACE")


# Capitalized function words that open a sentence: never inside a name, so one ends it
# where a flattened page runs two sentences together ("Báo Điện tử Chính phủ Theo …").
SENTENCE_OPENERS = frozenset({"Theo", "Tại", "Trong", "Khi", "Nếu", "Sau", "Trước", "Hiện", "Còn", "Nhưng", "Tuy"})


NUMBER_LABEL = re.compile(r"\d+[A-Za-z]?|[IVX]+")


_ABBR = re.compile(r"^(?=.*[A-ZĐ])[A-ZĐ0-9&\-.+]{2,}$|^[A-ZĐ][a-zđ]?[A-ZĐ][A-ZĐa-z&\-]*$")


class Piece:
    """One piece and its token; ``cap``, ``word`` and ``low`` are set once here, because the
    finders test them at every piece for every head and name they try."""

    __slots__ = ("start", "end", "text", "tag", "tok_start", "tok_end", "newline_before", "cap", "word", "low")

    def __init__(self, start: int, end: int, text: str, tag: str = "", tok_start: int = 0, tok_end: int = 0,
                 newline_before: bool = False, shape: tuple[bool, bool, str] | None = None):
        self.start = start
        self.end = end
        self.text = text
        self.tag = tag
        self.tok_start = tok_start
        self.tok_end = tok_end
        self.newline_before = newline_before
        self.cap, self.word, self.low = shape if shape is not None else _shape(text)

    def __repr__(self) -> str:
        return f"Piece({self.start}, {self.end}, {self.text!r}, {self.tag!r})"


# (cap, word, low) of each piece text met: a document repeats most of its syllables, and a
# look-up costs less than the three string methods (bounded: cleared when full)
_SHAPES: dict[str, tuple[bool, bool, str]] = {}


def _shape(text: str) -> tuple[bool, bool, str]:
    first = text[:1]
    return first.isupper(), first.isalnum(), text.lower()


def split_pieces(text: str, doc) -> list[Piece]:
    out = []
    append = out.append
    rows = _token_rows(doc) if doc is not None else ()
    n_tokens = len(rows)
    shapes = _SHAPES
    if len(shapes) > 200_000:
        shapes.clear()
    find = text.find
    new = object.__new__
    # the first newline after the last piece: a piece has one before it when that newline
    # comes before its start (one look-up per line instead of one per piece)
    nl = find("\n")
    if nl < 0:
        nl = len(text)
    # the token the next piece may sit in (pieces and tokens both come in text order):
    # its bounds are read once per token, not once per piece
    ti = 0
    ts, te, tag = (rows[0][0], rows[0][1], rows[0][3]) if n_tokens else (0, 0, "")
    # Every character outside white space starts a piece (a word character starts ``\w+``,
    # any other one is a mark of its own), so the pieces tile the text with only white space
    # between them: each one starts where its text is first found after the one before
    # (``findall`` and ``str.find`` cost less than a match object per piece).
    e = 0
    for w in PIECE.findall(text):
        s = find(w, e)
        e = s + len(w)
        if te <= s:  # past the current token: on to the first one that ends after s
            ti += 1
            while ti < n_tokens and rows[ti][1] <= s:
                ti += 1
            if ti < n_tokens:
                ts, te, tag = rows[ti][0], rows[ti][1], rows[ti][3]
            else:
                ts = te = len(text) + 1  # no token left: every piece is its own
        shape = shapes.get(w)
        if shape is None:
            shape = shapes[w] = _shape(w)
        # (the fields set one by one: what ``Piece(...)`` does, without a call to __init__ per piece)
        p = new(Piece)
        p.start, p.end, p.text = s, e, w
        if ts <= s:
            p.tag, p.tok_start, p.tok_end = tag, ts, te
        else:  # a piece outside every token
            p.tag, p.tok_start, p.tok_end = "", s, e
        if nl < s:
            p.newline_before = True
            nl = find("\n", e)
            if nl < 0:
                nl = len(text)
        else:
            p.newline_before = False
        p.cap, p.word, p.low = shape
        append(p)
    return out


def whole_word(literal: str) -> str:
    """A pattern for ``literal`` not inside a longer word: ``(?<!\\w)literal(?!\\w)``, written literal
    first (the test of the character before it is a look-behind over the literal too), so that the
    regex engine scans for the literal instead of trying the look-behind at every character."""
    lit = re.escape(literal)
    return lit + r"(?<!\w" + lit + r")(?!\w)"


def next_is_capital(text: str, pos: int) -> bool:
    """Does a capitalized word follow on the same line (a longer proper name goes on)?"""
    m = re.match(r"[ \t]+(\w)", text[pos:pos + 4])
    return bool(m) and m.group(1).isupper()


def is_abbr(t: str) -> bool:
    return bool(_ABBR.match(t)) and not t.isdigit()


def initials_match(words: list[str], abbr: str) -> bool:
    """Do the syllables' first letters spell the abbreviation (KH&CN ← Khoa học và Công nghệ)?"""
    letters = [c for c in abbr.upper() if c.isalpha()]
    inits = [w[0].upper() for w in words if w[:1].isalpha()]
    if not letters or not inits or inits[0] != letters[0]:
        return False
    # every letter of the abbreviation in order among the initials; skipped
    # initials may only be joining words (và, các)
    i = 0
    for w, c in zip([w for w in words if w[:1].isalpha()], inits):
        if i < len(letters) and c == letters[i]:
            i += 1
        elif w.lower() not in ("và", "các", "của"):
            return False
    return i == len(letters)


def phrase_at(pieces: list[Piece], i: int, phrase: tuple) -> bool:
    """Do the pieces from i spell ``phrase`` (lower-case pieces)?"""
    return i >= 0 and i + len(phrase) <= len(pieces) and all(
        pieces[i + q].low == phrase[q] for q in range(len(phrase)))


_PARENTHETICAL = re.compile(r"\s*\([^()]{1,20}\)\s*")
_SPACES = re.compile(r"\s+")


def raw_name(text, pieces, i, end) -> str:
    """The name as written, without a parenthetical abbreviation inside it."""
    s = text[pieces[i].start:pieces[end - 1].end]
    if "(" in s:  # (a parenthetical opens with one: most names skip the pattern)
        s = _PARENTHETICAL.sub(" ", s)
    return " ".join(s.split())  # (= _SPACES.sub(" ", s).strip())
