"""underthesea → spaCy ``Doc``, with ``doc.text`` identical to the input.

There is no trained Vietnamese spaCy pipeline; like ``spacy/lang/vi`` does
with pyvi, we let an external segmenter (underthesea) choose the words and
give spaCy the words plus their trailing spaces, so every token and span
offset slices back to the exact input text.

Sentences: one per line, further split at sentence punctuation.  POS tags
come from underthesea's CRF tagger (featurized in Rust, ``postag``) run on
each *clause* (text between ``;``): the tags are those underthesea gives a
clause, which is what the extractors were tuned on.
"""
from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import spacy  # noqa: E402
from spacy.tokens import Doc  # noqa: E402

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“(\[]?[A-ZĐÀ-Ỹ0-9])|\n+")


@lru_cache(maxsize=1)
def blank_vi():
    """A blank spaCy pipeline for Vietnamese (vocab only; we supply the words)."""
    return spacy.blank("xx")


def _align(text: str, start: int, end: int, pieces: list[tuple[str, str]]):
    """Yield (start, end, tag) of each underthesea token within text[start:end].

    underthesea joins syllables with single spaces and may rewrite spacing, so
    tokens are found by walking the text syllable by syllable; anything it
    dropped becomes its own token.
    """
    pos = start
    for word, tag in pieces:
        # the common case: the word as written right after white space; the walk below
        # would find the same span, syllable by syllable
        if pos + 1 < end and text[pos] == " " and text.startswith(word, pos + 1) and _plain_word(word):
            # (one space: what the skip below would find, as a plain word never opens with white space)
            pos += 1 + len(word)
            yield pos - len(word), pos, tag
            continue
        p = pos
        while p < end and text[p].isspace():
            p += 1
        if _plain_word(word) and text.startswith(word, p):
            yield p, p + len(word), tag
            pos = p + len(word)
            continue
        sylls = word.split()
        tok_start = None
        ok = True
        p = pos
        for s in sylls:
            while p < end and text[p].isspace():
                p += 1
            if text.startswith(s, p):
                if tok_start is None:
                    tok_start = p
                p += len(s)
            else:
                ok = False
                break
        if not ok or tok_start is None:
            continue
        # text skipped over before this token (characters underthesea dropped)
        gap = text[pos:tok_start]
        if gap.strip():
            g0 = pos + (len(gap) - len(gap.lstrip()))
            yield g0, pos + len(gap.rstrip()), "X"
        yield tok_start, p, tag
        pos = p
    tail = text[pos:end]
    if tail.strip():
        t0 = pos + (len(tail) - len(tail.lstrip()))
        yield t0, pos + len(tail.rstrip()), "X"


@lru_cache(maxsize=65536)
def _plain_word(word: str) -> bool:
    """Is ``word`` its syllables joined by single spaces (what the syllable walk matches)?"""
    return bool(word) and " ".join(word.split()) == word


def align_words(text: str, start: int, end: int, pieces: list[tuple[str, str]]):
    """(start, end, tag) of each (word, tag) from an underthesea tagger run on text[start:end].

    Words whose characters cannot be found are skipped; characters the tagger
    dropped come back as tokens tagged ``X``.
    """
    return _align(text, start, end, pieces)


def _pos_tag(chunk: str) -> list[tuple[str, str]]:
    from .postag import pos_tag

    return pos_tag(chunk)


def _tag(chunk: str) -> list[tuple[str, str]]:
    try:
        return _pos_tag(chunk)
    except Exception:  # the CRF featurizer rejects some odd inputs; fall back to words
        from underthesea import word_tokenize

        return [(w, "X") for w in word_tokenize(chunk)]


# Scraped pages often glue sentences and captions: "hiệu quả hơn.Cụ thể", "cho biết.Báo cáo".
_GLUED_END = re.compile(r"[.!?][\"”]?(?=\w)")


def _glued_breaks(text: str, start: int, end: int):
    """Offsets inside text[start:end] where a sentence ends with no space after its stop."""
    for m in _GLUED_END.finditer(text, start, end):
        before = text[m.start() - 2:m.start()] if m.start() >= 2 else ""
        nxt = text[m.end()] if m.end() < len(text) else ""
        # a lower-case word (not an abbreviation like TP.HCM or v.v) then a capital
        quoted = m.group().endswith(("\"", "”"))
        if len(before) == 2 and before.isalpha() and before.islower() and (
                nxt.isupper() or quoted and nxt.isdigit()):
            yield m.end()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: lines, split again after . ! ? before a capital."""
    return list(_sentence_spans(text))


@lru_cache(maxsize=2)
def _sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    # kept for the last texts: make_doc and the records stage split the same document
    spans = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        if text[pos:m.start()].strip():
            spans.append((pos, m.start()))
        pos = m.end()
    if text[pos:].strip():
        spans.append((pos, len(text)))
    split = []
    for s, e in spans:
        for b in _glued_breaks(text, s, e):
            split.append((s, b))
            s = b
        split.append((s, e))
    spans = split
    # trim surrounding white space so sentences slice back cleanly
    out = []
    for s, e in spans:
        seg = text[s:e]
        s2 = s + (len(seg) - len(seg.lstrip()))
        e2 = e - (len(seg) - len(seg.rstrip()))
        if e2 > s2:
            out.append((s2, e2))
    return tuple(out)


def _tokens(text: str) -> tuple[list[tuple[int, int, str]], set[int]]:
    """(start, end, tag) of each word of ``text`` in text order (white space left out), and the sentence starts."""
    tokens: list[tuple[int, int, str]] = []
    sent_starts: set[int] = set()
    for s, e in sentence_spans(text):
        sent_starts.add(s)
        for cs, ce in _clauses(text, s, e):
            chunk = text[cs:ce]
            if not chunk.strip():
                continue
            tokens.extend(_align(text, cs, ce, _tag(_tagger_input(text, cs, ce))))
    return tokens, sent_starts


def _token_lists(text: str):
    """The words of ``text`` for a Doc: (words, spaces, tags, starts, sentence starts)."""
    tokens, sent_starts = _tokens(text)
    words, spaces, tags, starts = [], [], [], []
    for i, (s, e, tag) in enumerate(tokens):
        nxt = tokens[i + 1][0] if i + 1 < len(tokens) else len(text)
        between = text[e:nxt]
        words.append(text[s:e])
        tags.append(tag)
        starts.append(s)
        if between == " ":
            spaces.append(True)
        else:
            spaces.append(False)
            if between:  # keep odd white space (newlines, runs of spaces) as tokens
                words.append(between)
                tags.append("SPACE")
                starts.append(e)
                spaces.append(False)
    lead = text[: tokens[0][0]] if tokens else text
    if lead:
        words.insert(0, lead)
        tags.insert(0, "SPACE")
        starts.insert(0, 0)
        spaces.insert(0, False)
    # the Doc's text is its words, each followed by a space where spaces says so
    # (checked on the lists: rebuilding doc.text walks every Token in Python)
    assert "".join(w + " " if sp else w for w, sp in zip(words, spaces)) == text, \
        "segmenter must keep the text exactly"
    return words, spaces, tags, starts, sent_starts


def _rows(words, tags, starts) -> list[tuple[int, int, str, str]]:
    return [(st, st + len(w), w, tag) for st, w, tag in zip(starts, words, tags)]


def make_doc(text: str) -> Doc:
    """A spaCy Doc over ``text`` with underthesea words, POS (``token.tag_``) and sentences.

    >>> doc = make_doc("Sở đã kiểm tra 29 cơ sở.")
    >>> doc.text == "Sở đã kiểm tra 29 cơ sở."
    True
    """
    words, spaces, tags, starts, sent_starts = _token_lists(text)
    # Tags and sentence starts go in with the words: setting ``is_sent_start``
    # token by token makes spaCy check the whole doc at each set.
    doc = Doc(blank_vi().vocab, words=words, spaces=spaces, tags=tags,
              sent_starts=[i == 0 or st in sent_starts for i, st in enumerate(starts)])
    doc.user_data[_TOKEN_ROWS] = _rows(words, tags, starts)
    return doc


class TokenDoc:
    """What the extractors read of a document: its text and token rows (see ``token_rows``).

    ``make_doc`` without the spaCy ``Doc``: building one (lexemes, token
    structs) costs more than the extractors' own walks over the rows.
    """

    __slots__ = ("text", "user_data")

    def __init__(self, text: str, rows: list[tuple[int, int, str, str]]):
        self.text = text
        self.user_data = {_TOKEN_ROWS: rows}


def make_token_doc(text: str) -> TokenDoc:
    """The tokens ``make_doc(text)`` would have, as plain rows (no spaCy ``Doc``).

    The rows are made straight from the words (``_token_lists`` makes the Doc's
    lists first): the white space between two words is a ``SPACE`` row unless
    it is one plain space, as in the Doc.
    """
    tokens, _ = _tokens(text)
    rows: list[tuple[int, int, str, str]] = []
    append = rows.append
    lead = text[: tokens[0][0]] if tokens else text
    if lead:
        append((0, len(lead), lead, "SPACE"))
    n, prev_end = len(tokens), 0
    for i, (s, e, tag) in enumerate(tokens):
        # words in order, none overlapping the one before: the rows then cover the text exactly
        assert s >= prev_end, "segmenter must keep the text exactly"
        word = text[s:e]
        append((s, s + len(word), word, tag))
        nxt = tokens[i + 1][0] if i + 1 < n else len(text)
        if nxt != e + 1 or text[e] != " ":
            between = text[e:nxt]
            if between:  # odd white space (newlines, runs of spaces): a token of its own
                append((e, e + len(between), between, "SPACE"))
        prev_end = e
    return TokenDoc(text, rows)


_TOKEN_ROWS = "provnews.token_rows"


def token_rows(doc: Doc) -> list[tuple[int, int, str, str]]:
    """(start, end, text, tag) of every token of ``doc``, as plain tuples.

    The extractors walk the tokens several times; reading spaCy ``Token``
    objects each time costs more than the walks themselves.  ``make_doc``
    keeps these rows with the doc; other docs get them computed once.
    """
    rows = doc.user_data.get(_TOKEN_ROWS)
    if rows is None:
        rows = doc.user_data[_TOKEN_ROWS] = [(t.idx, t.idx + len(t.text), t.text, t.tag_) for t in doc]
    return rows


def _clauses(text: str, start: int, end: int):
    pos = start
    i = text.find(";", start, end)
    while i >= 0:
        yield pos, i + 1
        pos = i + 1
        i = text.find(";", pos, end)
    if pos < end:
        yield pos, end


# --- glued words -------------------------------------------------------------
# CMS pages and phenikaa-mds texts lose line breaks and spaces: "Hà TĩnhÔtô",
# "TP HCMXe Lexus", "Covid-19của", "năm 2020.Theo".  underthesea would make one
# token of two words, so the tagger is given a space at each such seam; the
# Doc keeps the original text (its tokens simply end there, with no space).
# Brand names written in camel case (VinFast, TikTok, iPhone, HDBank) are kept:
# a seam is cut only when both sides are plausible Vietnamese syllables.

# an unaccented syllable: onset, vowels, and a coda that needs no tone mark
# (p/t/c/ch codas only take sắc or nặng, so "Net", "Tok", "Viet" are not Vietnamese)
_ASCII_SYLLABLE = re.compile(
    r"(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|[mn])?", re.I)
# camel-case names whose halves both look Vietnamese
_CAMEL_WORDS = frozenset({"MoMo", "SaPa", "HaNoi", "SaiGon"})


def _letter(c: str) -> bool:
    return c.isalpha() or unicodedata.category(c) == "Mn"


def _vietnamese_syllable(s: str) -> bool:
    """Does s look like one Vietnamese syllable (accented, or a valid unaccented one)?"""
    if any(not c.isascii() for c in s):
        return all(_letter(c) for c in s)
    return bool(_ASCII_SYLLABLE.fullmatch(s))


def _has_accented_lower(s: str) -> bool:
    return any(not c.isascii() and (c.islower() or unicodedata.category(c) == "Mn") for c in s)


def _run(text: str, i: int, lo: int, hi: int) -> tuple[int, int]:
    """The run of letters around text[i] within [lo, hi)."""
    a = i
    while a > lo and _letter(text[a - 1]):
        a -= 1
    b = i
    while b < hi and _letter(text[b]):
        b += 1
    return a, b


# Lower-case Vietnamese letters, white space and punctuation other than . ! ?:
# word_breaks has nothing to do at such a character unless a digit is right before it.
_PLAIN = re.compile("[ \n,;:()\\[\\]\"“”'/%–—…\\-"
                    "a-zàáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]+")


def _break_candidates(text: str, start: int, end: int):
    """The offsets in [start, end) that word_breaks must look at, in order.

    Its tests all need an upper-case letter, a digit or one of ``.!?`` at
    the offset, or a digit just before it; runs of other characters
    (``_PLAIN``) are skipped in C, apart from the character after a digit.
    """
    pos = start
    for m in _PLAIN.finditer(text, start, end):
        a, b = m.span()
        yield from range(pos, a)
        if a > 0 and text[a - 1].isdigit():
            yield a
        pos = b
    yield from range(pos, end)


def word_breaks(text: str, start: int = 0, end: int | None = None) -> list[int]:
    """Offsets inside text[start:end] where two glued words meet (a word boundary, no space).

    >>> word_breaks("Hà TĩnhÔtô")
    [7]
    >>> word_breaks("TP.HCM, iPhone, VinFast, 1500m2, COVID-19")
    []
    """
    end = len(text) if end is None else end
    out = []
    for i in _break_candidates(text, max(start, 1), end):
        c, p = text[i], text[i - 1]
        if p == " ":
            continue  # every test below needs a letter, a digit or a combining mark before i
        if _letter(c) and c.isupper():
            # the letter before, skipping combining accents (NFD text)
            k = i - 1
            while k > start and unicodedata.category(text[k]) == "Mn":
                k -= 1
            q = text[k]
            if q.islower() and _letter(q):
                # lower → Upper inside a run: "TĩnhÔtô", "TrịHơn"
                a, _ = _run(text, i, start, end)
                left = text[a:i]
                b = i + 1
                while b < end and _letter(text[b]) and not text[b].isupper():
                    b += 1
                right = text[i:b]
                # the left syllable starts at its capital: "HàTĩnh" → "Tĩnh"
                caps = [j for j in range(a, i) if text[j].isupper()]
                syl = text[caps[-1]:i] if caps else left
                word = text[a:_run(text, i, start, end)[1]]
                if word in _CAMEL_WORDS or (len(right) < 2 and right.isascii()) \
                        or len(syl) < 2 and syl.isascii() \
                        or b < end and text[b].isupper() and right.isascii():
                    continue  # "SeABank", "PetroVietNam"-like names go on in camel case
                if _vietnamese_syllable(syl) and _vietnamese_syllable(right):
                    out.append(i)
            elif q.isupper() and _letter(q) and i + 1 < end and text[i + 1].islower():
                # an acronym, then a capitalized word: "HCMXe", "UBNDTỉnh" (not "HDBank")
                a, _ = _run(text, i, start, end)
                b = i + 1
                while b < end and _letter(text[b]) and not text[b].isupper():
                    b += 1
                acro = text[a:i]
                if len(acro) >= 2 and all(ch.isupper() for ch in acro if ch.isalpha()) \
                        and _vietnamese_syllable(text[i:b]) \
                        and not (b < end and text[b].isupper()):  # "UPCoM": one name in camel case
                    out.append(i)
        elif _letter(c) and p.isdigit():
            # a number glued to a word: "19của", "2020Theo" (not "1500m2", "0,4g", "F1")
            _, b = _run(text, i, start, end)
            w = text[i:b]
            if _has_accented_lower(w) and len(w) >= 2 or len(w) >= 3 and w[0].isupper() and w[1:].islower():
                out.append(i)
        elif c.isdigit() and _letter(p):
            # a word glued to a number: "năm2020" (not "COVID19", "ĐT741", "m2")
            a, _ = _run(text, i - 1, start, end)
            w = text[a:i]
            if _has_accented_lower(w) and len(w) >= 2:
                out.append(i)
        elif c in ".!?" and i + 2 < end and (p.isdigit() or p.islower()) \
                and text[i + 1].isupper() and text[i + 2].islower():
            # a stop glued to the next sentence: "năm 2020.Theo" (not "TP.HCM", "PGS.TS")
            out.append(i + 1)
    return out


def _tagger_input(text: str, start: int, end: int) -> str:
    """text[start:end] with a space at each glued-word seam (what the tagger reads)."""
    parts, pos = [], start
    for b in word_breaks(text, start, end):
        parts.append(text[pos:b])
        pos = b
    parts.append(text[pos:end])
    return " ".join(parts)
