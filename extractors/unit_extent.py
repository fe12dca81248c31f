"""Where an organization's name ends, from its head word on.

    match_head(pieces, i, lex) -> Head | None       a head word at piece i
    scan_name(pieces, j, lex, head, text)           -> (end, abbreviation, has_capital)
    place_at(pieces, i, lex) -> int                 pieces taken by a place phrase at i

and the corrections applied to a scanned name: an official's own name cut
off (``cut_person_name``), a known national body or newspaper ending its
name (``end_of_known_name``, ``end_of_media_name``), a name written
lower-case (``lower_name_end``), a long name closed by its own short form
(``until_own_short_name``), a "name" that is only a type of body
(``generic_name``).
"""
from __future__ import annotations

import re
from functools import lru_cache

from .unit_names import expand_abbreviations as _expand_abbreviations, known_name_keys
from .unit_lexicon import norm as _norm
from .unit_lexicon import Head, Lexicon, ending_at, starting_at
from .unit_pieces import (NUMBER_LABEL, PIECE, SENTENCE_OPENERS, STOP_TAGS, STOP_WORDS, Piece, initials_match,
                          is_abbr, next_is_capital, phrase_at)


def match_head(pieces: list[Piece], i: int, lex: Lexicon) -> Head | None:
    p = pieces[i]
    for h in lex.heads_by_first.get(p.low, ()):
        n = len(h.pieces)
        if i + n > len(pieces):
            continue
        ok = True
        for k, hp in enumerate(h.pieces):
            q = pieces[i + k]
            if k > 0 and q.newline_before:
                ok = False
                break
            if k == 0:
                # lower case only for multi-syllable heads (công ty, trung tâm) and the few
                # one-syllable ones that are not also common words (trường; not bộ, vụ, ban)
                lower_ok = (len(h.pieces) > 1 and not h.needs_capital) or h.lower_ok
                if q.text != hp and not (lower_ok and q.text == hp[0].lower() + hp[1:]):
                    ok = False
                    break
            elif q.low != hp.lower():
                ok = False
                break
        if not ok:
            continue
        nxt = pieces[i + n] if i + n < len(pieces) else None
        if nxt is not None and not nxt.newline_before:
            if f"{pieces[i + n - 1].text} {nxt.text}".lower() in lex.not_heads:
                continue
        if h.requires_next:
            after = " ".join(q.low for q in pieces[i + n:i + n + 3]) + " "
            if not any(after.startswith(w + " ") or after.startswith(w) and w.endswith(" ")
                       for w in h.requires_next):
                continue
        # underthesea glued the head to a lower-case syllable: an ordinary word (Hội nghị)
        if n == 1 and nxt is not None and not nxt.cap and p.tok_end > p.end and nxt.start < p.tok_end:
            continue
        return h
    return None


@lru_cache(maxsize=4)
def _levels_by_first_word(levels: tuple) -> dict[str, list[tuple[str, list[str], bool]]]:
    """Each level (its words), under its first word and under that word capitalized (then only
    after the text's first piece: the bool), in lexicon order (the first match wins)."""
    out: dict[str, list] = {}
    for lv in levels:
        lvp = lv.split()
        out.setdefault(lvp[0], []).append((lv, lvp, False))
        if lvp[0].capitalize() != lvp[0]:
            out.setdefault(lvp[0].capitalize(), []).append((lv, lvp, True))
    return out


def place_at(pieces: list[Piece], i: int, lex: Lexicon) -> int:
    """Pieces taken by a place phrase starting at i (``tỉnh Cao Bằng``, ``Đắk Lắk``), else 0."""
    n = len(pieces)
    levels = _levels_by_first_word(lex.levels).get(pieces[i].text, ()) if i < n else ()
    for lv, lvp, capitalized in levels:
        if capitalized and i <= 0:
            continue  # a capitalized level word is one only inside the text ("Tỉnh" opens a sentence)
        if i + len(lvp) <= n and all(pieces[i + k].text == lvp[k] or
                                     pieces[i + k].text == lvp[k].capitalize() and i + k > 0
                                     for k in range(1, len(lvp))):
            j = i + len(lvp)
            if j + 1 < n and pieces[j].text == "." and pieces[j].start == pieces[j - 1].end \
                    and len(lvp) == 1 and len(lv) <= 2 and lv[:1].isupper() and pieces[j + 1].cap and pieces[j + 1].word and not pieces[j + 1].newline_before:
                j += 1  # an abbreviated level with its full stop: "UBND TP. Phú Quốc"
            prov = province_at(pieces, j, lex) if j < n else 0
            if prov:
                return j - i + prov  # a known province ends the place (… tỉnh Sóc Trăng Trần Văn Lâu; TP. HCM)
            if j + 2 < n and pieces[j].text in lex.surnames and all(
                    pieces[q].cap and pieces[q].word and not pieces[q].newline_before for q in (j + 1, j + 2)) \
                    and not (j + 3 < n and pieces[j + 3].cap and pieces[j + 3].word):
                return len(lvp)  # "… phòng, chống dịch tỉnh Trần Xuân Dưỡng": the official's name follows
            k = j
            while k < n and pieces[k].cap and pieces[k].word and not pieces[k].newline_before and k - j < 3 \
                    and not (k > j and pieces[k].text in lex.surnames and k + 1 < n and pieces[k + 1].cap
                             and pieces[k + 1].word and not pieces[k + 1].newline_before):
                if match_head(pieces, k, lex) is not None and k > j:
                    break
                k += 1
                # a hyphenated province name: Bà Rịa - Vũng Tàu
                if k + 1 < n and pieces[k].text in "-–" and pieces[k + 1].cap and k - j >= 2:
                    k += 1
            return k - i if k > j else len(lvp)
    return province_at(pieces, i, lex)


def country_at(text: str, pieces: list[Piece], i: int, lex: Lexicon) -> int:
    """Pieces taken by a country's name starting at i (``Mỹ``, ``Nhật Bản``), else 0; not one that
    begins a longer name (``Mỹ Tho``, ``Mỹ thuật``, ``Lào Cai``)."""
    if i >= len(pieces) or pieces[i].newline_before:
        return 0
    p = pieces[i]
    for c in starting_at(lex.regions, text, p.start):  # longest first
        if c in lex.countries and c[:1].isupper() and text.startswith(c, p.start) and not text[p.start + len(c):p.start + len(c) + 1].isalnum() \
                and p.tok_end <= p.start + len(c) and not next_is_capital(text, p.start + len(c)) \
                and not province_at(pieces, i, lex):
            k = i
            while k < len(pieces) and pieces[k].end <= p.start + len(c):
                k += 1
            return k - i
    return 0


@lru_cache(maxsize=4)
def _provinces_by_first_piece(provinces: tuple) -> dict[str, list[list[str]]]:
    """Each province's pieces, under its first piece, in lexicon order (first match wins)."""
    out: dict[str, list[list[str]]] = {}
    for prov in provinces:
        pp = PIECE.findall(prov)
        assert pp, f"province {prov!r} has no words"
        out.setdefault(pp[0], []).append(pp)
    return out


def province_at(pieces: list[Piece], i: int, lex: Lexicon) -> int:
    if i >= len(pieces):
        return 0
    for pp in _provinces_by_first_piece(lex.provinces).get(pieces[i].text, ()):
        if i + len(pp) <= len(pieces) and all(pieces[i + k].text == pp[k] for k in range(1, len(pp))):
            return len(pp)
    return 0


# Words that open the predicate after a subject: the lower-case words before them may end its name.
_PREDICATE_OPENERS = frozenset("cho đã đang sẽ vừa cũng đều vẫn".split())


# Time nouns after a name are a date, not part of the name ("Bộ Y tế ngày 5/3").
_TIME_NOUNS = frozenset("ngày tháng năm quý tuần sáng chiều tối trưa đêm hôm lúc dịp đợt kỳ giai đoạn".split())


def _noun_tail(pieces: list[Piece], end: int, k: int, verbs_in_run: int, capital: bool) -> int:
    """A short lower-case run of nouns left open when the scan stops at a boundary (a bracket,
    a comma, the sentence end, the parent body): the rest of the name, written lower-case
    ("Cục Quản lý đăng ký kinh doanh (Bộ …)", "Tổng cục Thi hành án dân sự Bộ Tư pháp").
    Returns the new end (``end`` when the run is not a name's tail)."""
    run = pieces[end:k]
    if not capital or not run or len(run) > 4 or verbs_in_run > 1:
        return end
    if verbs_in_run and not run[0].tag.startswith("N"):
        return end  # a run that opens with a verb is a predicate; the tagger may call a
                    # later word of a noun run a verb (án dân sự)
    if not (pieces[end - 1].cap or pieces[end - 1].tok_start < pieces[end - 1].start):
        return end
    if any(not q.word or q.cap or q.newline_before or q.low in STOP_WORDS
           or q.low in _TIME_NOUNS or NUMBER_LABEL.fullmatch(q.text)
           or (q.tag and not q.tag.startswith(("N", "A", "V"))) for q in run):
        return end
    if run[-1].tok_end > run[-1].end:
        return end  # the run stops inside a word: not a boundary
    return k


def lower_name_end(pieces: list[Piece], j: int, lex: Lexicon, head: Head, text: str) -> int:
    """A name written all lower-case after a capitalized head: "Trung tâm dịch vụ việc làm,",
    "Ban quản lý khu công nghiệp tỉnh". Only when the name opens with a field of work
    (``unit_name_verbs.txt``: dịch vụ, quản lý …) or the head ends with one (Ban Quản lý),
    so that "Trung tâm thương mại" (a building) and "Trung tâm thành phố" stay out; and only
    up to a boundary (punctuation, a place, a function word), never into a predicate.
    Returns the end index (``j`` when there is no such name)."""
    n = len(pieces)
    if j >= n or pieces[j].newline_before or pieces[j].cap or not pieces[j].word \
            or pieces[j].tok_start != pieces[j].start:
        return j
    first = text[pieces[j].tok_start:pieces[j].tok_end].lower()
    if first not in lex.name_verbs and " ".join(head.pieces[1:]).lower() not in lex.name_verbs:
        return j
    k = j
    while k < n and k - j < 6:
        q = pieces[k]
        low = q.low
        if q.newline_before or not q.word or q.cap or low in STOP_WORDS or low in _TIME_NOUNS \
                or NUMBER_LABEL.fullmatch(q.text) or (q.tag or "N").startswith(STOP_TAGS) \
                or (q.tok_start == q.start and place_at(pieces, k, lex)):
            break
        if q.tag.startswith("V") and q.tok_start == q.start \
                and text[q.tok_start:q.tok_end].lower() not in lex.name_verbs:
            return j  # a predicate: "Trung tâm quản lý tốt …" is not a name
        k += 1
    if k == j or pieces[k - 1].tok_end > pieces[k - 1].end or k - j >= 6:
        return j
    if k < n and not pieces[k].newline_before:
        w = place_at(pieces, k, lex) if pieces[k].word else 0
        if w:
            return k + w
        if pieces[k].word and pieces[k].low not in STOP_WORDS:
            return j
    return k


_LIST_WORDS = frozenset({"các", "và", "của", "những"})


def until_own_short_name(text: str, pieces: list[Piece], i: int, end: int, head: Head) -> int:
    """"Ban Chỉ đạo Nhà nước các công trình, dự án quan trọng quốc gia, trọng điểm ngành giao
    thông vận tải (Ban Chỉ đạo)": a long name with lower-case words and commas, which the
    article closes itself by defining its short name — the head again — in brackets. The name
    runs up to the bracket (the bracket included), if nothing between looks like a clause."""
    n = len(pieces)
    k = end
    while k < n and k - end < 30:
        q = pieces[k]
        if q.newline_before:
            return end
        if q.text == "(":
            break
        if q.word and q.low in STOP_WORDS and q.low not in _LIST_WORDS:
            return end
        if not q.word and q.text not in ",-–":
            return end
        k += 1
    else:
        return end
    close = k + 1
    while close < n and pieces[close].text != ")" and close - k <= 5:
        close += 1
    if k == end or close >= n or pieces[close].text != ")" or close - k - 1 < len(head.pieces):
        return end
    if any(pieces[k + 1 + t].low != hp.lower() for t, hp in enumerate(head.pieces)):
        return end
    return close + 1


def lower_head_after_title(text: str, pieces: list[Piece], i: int, lex: Lexicon) -> Head | None:
    """"Phó cục trưởng cục Tin học hóa", "Giám đốc sở Tài chính": a one-syllable head
    (Cục, Sở, Bộ) written lower-case is a head right after an official's title, when a
    capitalized name follows; elsewhere "cục", "sở", "bộ" are common words."""
    if i + 1 >= len(pieces) or not (pieces[i + 1].cap and pieces[i + 1].word) or pieces[i + 1].newline_before:
        return None
    # the head first (a dictionary look-up), the titles before it only for a head
    head = next((h for h in lex.heads_by_first.get(pieces[i].text.capitalize().lower(), ())
                 if len(h.pieces) == 1 and h.name_capital and pieces[i].text == h.pieces[0].lower()), None)
    if head is None:
        return None
    before = text[max(0, pieces[i].start - 25):pieces[i].start].rstrip().lower()
    if not any(before.endswith(t.lower()) and (len(before) == len(t) or not before[-len(t) - 1].isalpha())
               for t in lex.official_titles if t[:1].isupper()):
        return None
    return head


def _title_at(text: str, pos: int, lex: Lexicon) -> bool:
    """Does an official's or a person's title start at pos ("…, Cố vấn cao cấp …")?"""
    low = text[pos:pos + 30].lower()
    return any(low.startswith(t.lower() + " ") for t in (*lex.end_titles, *lex.person_titles))


def _generic_then_head(pieces: list[Piece], i: int, lex: Lexicon) -> bool:
    """Does one lower-case word (cơ quan, lực lượng) and then a head start at i? After "và" it
    is a second body ("Trung tâm Kiểm soát Bệnh tật và cơ quan Công an"), not the name going on."""
    if i >= len(pieces) or pieces[i].cap or not pieces[i].word:
        return False
    k = i + 1
    while k < len(pieces) and pieces[k].start < pieces[i].tok_end and pieces[k].word:
        k += 1
    return k < len(pieces) and pieces[k].cap and not pieces[k].newline_before \
        and match_head(pieces, k, lex) is not None

GO, STOP = True, False  # what a step of the name scan says: the name may go on / it has ended


class _NameScan:
    """One scan of a name from piece j (just after its head): ``pieces[j:end]`` belong to the
    name; ``k`` is the piece looked at next.  Each kind of piece has its own step."""

    def __init__(self, pieces: list[Piece], j: int, lex: Lexicon, head: Head, text: str):
        self.pieces, self.j, self.lex, self.head, self.text = pieces, j, lex, head, text
        self.n = len(pieces)
        self.k = self.end = j
        self.abbr: str | None = None  # the name's own abbreviation, given in brackets
        self.capital = False          # a capitalized word (or an abbreviation) is in the name
        self.place_done = False       # a place closed the name
        self.verbs_in_run = 0         # verbs in the current lower-case run
        self.inner_heads = 0          # heads of other bodies inside the name (Văn phòng UBND tỉnh)

    def run(self) -> tuple[int, str | None, bool]:
        pieces, j = self.pieces, self.j
        while self.k < self.n and self.k - j < 24:  # no organization name is longer; stops runaway capitals
            p = pieces[self.k]
            if p.newline_before:
                break
            if p.text == "(":
                step = self._bracket(p)
            elif not p.word:
                step = self._punctuation(p)
            elif self._ends_before(p) is STOP:
                break
            elif p.cap or is_abbr(p.text):
                step = self._capitalized(p)
            else:
                step = self._lower_case(p)
            if step is STOP:
                break
        return self._finish()

    def _bracket(self, p: Piece) -> bool:
        """An opening bracket: the name's own abbreviation ("(QLTT)") goes on, anything else ends the name."""
        pieces, j, text, n = self.pieces, self.j, self.text, self.n
        close = self.k + 1
        while close < n and pieces[close].text != ")" and close - self.k < 8:
            close += 1
        inner = pieces[self.k + 1:close]
        inner_text = text[inner[0].start:inner[-1].end] if inner else ""
        if (close < n and pieces[close].text == ")" and len(inner) == 1
                and is_abbr(inner_text)
                and (self.capital or initials_match([q.text for q in pieces[j:self.k] if q.word], inner_text))):
            self.abbr = inner_text
            self.k = close + 1
            self.end = self.k
            self.capital = True
            return GO
        self.end = _noun_tail(pieces, self.end, self.k, self.verbs_in_run, self.capital)
        return STOP

    def _punctuation(self, p: Piece) -> bool:
        """A punctuation mark: only an abbreviated level's full stop, a comma inside a fixed pair or a
        list of fields, and a joiner (-, &) keep the name going."""
        pieces, j, lex, text, n, t = self.pieces, self.j, self.lex, self.text, self.n, p.text
        if t == "." and self.k > j and pieces[self.k - 1].text in lex.levels and p.start == pieces[self.k - 1].end \
                and len(pieces[self.k - 1].text) <= 2 and pieces[self.k - 1].text[:1].isupper() \
                and self.k + 1 < n and pieces[self.k + 1].cap and pieces[self.k + 1].word and not pieces[self.k + 1].newline_before:
            self.k += 1  # "UBND TP. Phú Quốc": the abbreviated level's full stop
            return GO
        if t == "," and self.k > j and any(phrase_at(pieces, self.k - c.index(","), c) for c in lex.inner_commas):
            self.k += 1  # "Ban Chỉ đạo phòng, chống dịch …": a fixed pair, the name goes on
            return GO
        if t in ",":
            nxt = pieces[self.k + 1] if self.k + 1 < n else None
            if (nxt is not None and nxt.cap and nxt.word and not self.place_done
                    and match_head(pieces, self.k + 1, lex) is None
                    and province_at(pieces, self.k + 1, lex) == 0
                    and place_at(pieces, self.k + 1, lex) == 0  # "Công ty Việt Thắng Jean, TP Thủ Đức": where it is
                    and not any(text.startswith(r, nxt.start) for r in starting_at(lex.regions, text, nxt.start))
                    and nxt.low not in lex.person_titles
                    and not _title_at(text, nxt.start, lex)  # "Cục Y tế Dự phòng, Cố vấn …"
                    and self.k == self.end and self.capital):
                self.k += 1
                return GO
            if nxt is not None and nxt.word and not nxt.cap and self.k == self.end and self.capital and not self.place_done:
                # "Hiệp hội Cà phê, ca cao Việt Nam": a list of lower-case fields inside
                # the name, closed by the country or region the body covers
                m = self.k + 1
                while m < n and m - self.k <= 4 and pieces[m].word and not pieces[m].cap \
                        and not pieces[m].newline_before and pieces[m].low not in STOP_WORDS \
                        and not (pieces[m].tag or "N").startswith(("V", "R", "E", "C")):
                    m += 1
                if m > self.k + 1 and m < n and not pieces[m].newline_before and any(
                        r[:1].isupper() and text.startswith(r, pieces[m].start)
                        for r in starting_at(lex.regions, text, pieces[m].start)):
                    self.k += 1
                    return GO
            self.end = _noun_tail(pieces, self.end, self.k, self.verbs_in_run, self.capital)
            return STOP
        if t in "-–&" and self.k + 1 < n and pieces[self.k + 1].word and not self.place_done:
            spaced = p.start > pieces[self.k - 1].end if self.k > 0 else False
            if t in "-–" and spaced and not (pieces[self.k + 1].cap or is_abbr(pieces[self.k + 1].text)) and self.k > j \
                    and pieces[self.k - 1].cap:
                return STOP  # "Tập đoàn Đèo Cả - chủ đầu tư dự án": an apposition, not the name
            self.k += 1
            return GO
        if t in ".;:!?":
            self.end = _noun_tail(pieces, self.end, self.k, self.verbs_in_run, self.capital)
        return STOP

    def _ends_before(self, p: Piece) -> bool:
        """Words that never go on a name: after a place, a person's title, a sentence opener, an office."""
        j, lex, text, t = self.j, self.lex, self.text, p.text
        if self.place_done:
            return STOP
        if t in ("Ông", "Bà", "GS", "PGS", "TS", "ThS") and self.k > j:
            return STOP
        if t in SENTENCE_OPENERS and self.k > j:
            return STOP  # a flattened page runs sentences together: "Báo Điện tử Chính phủ Theo …"
        if p.cap and self.k > j and any(text.startswith(ti + " ", p.start)
                                        for ti in starting_at(lex.end_titles, text, p.start)):
            return STOP  # an official's title: Báo Điện tử Chính phủ | Thủ tướng …
        return GO

    def _capitalized(self, p: Piece) -> bool:
        """A capitalized word or an abbreviation: the name goes on, unless it is a new organization
        (another head), a region or province that closes the name, or words after a defined abbreviation."""
        pieces, j, lex, head, text, n = self.pieces, self.j, self.lex, self.head, self.text, self.n
        if self.abbr is not None and not place_at(pieces, self.k, lex) and not any(
                r[:1].isupper() and text.startswith(r, p.start) for r in starting_at(lex.regions, text, p.start)):
            return STOP  # "Tổ chức Y tế Thế giới (WHO) Tedros …": the defined name is complete
        inner = match_head(pieces, self.k, lex) if self.k > j else None
        # a division written with its body (Phòng Cảnh sát Môi trường Công an tỉnh …,
        # Vụ Quy hoạch kiến trúc Bộ Xây dựng) is one name, however long the division's name
        division_of = (inner is not None and head.division and inner.contains_divisions
                       and inner.kind != head.kind and not self.inner_heads
                       and (self.k == self.end or self.verbs_in_run == 0 and self.k - self.end <= 3  # "… kiến trúc Bộ": nouns only
                            and all(q.word for q in pieces[self.end:self.k])))  # not "Cục … - Bộ Y tế": two units
        if inner is not None and not division_of and (
                self.k > self.end or self.inner_heads or self.k - j > 3 or inner.kind == head.kind
                or self.k > j and not head.division and not head.named_after_people
                and not inner.standalone and not inner.place_body):  # "Bộ Công thương Tổng cục …": a list
            # a new organization after lower-case words (Sở … yêu cầu Trung tâm), or a
            # run of names (Bộ Tư pháp Bộ Giao thông vận tải): only one level of
            # nesting right after the head (Văn phòng UBND tỉnh, Ban Tổ chức Tỉnh ủy)
            if inner.contains_divisions and self.k > self.end:
                self.end = _noun_tail(pieces, self.end, self.k, self.verbs_in_run, self.capital)
            return STOP
        if inner is not None:
            self.inner_heads += 1
        region = next((r for r in starting_at(lex.regions, text, p.start) if r[:1].isupper() and text.startswith(r, p.start)
                       and not text[p.start + len(r):p.start + len(r) + 1].isalnum()), None)
        if region in lex.countries and (province_at(pieces, self.k, lex) or next_is_capital(text, p.start + len(region))):
            region = None  # Lào Cai, Sơn Mỹ Lan: a country's name inside a longer name
        elif region in lex.countries and p.tok_end > p.start + len(region):
            region = None  # Mỹ thuật: one word with the next syllable
        if region is not None and self.k > j:
            while self.k < n and pieces[self.k].end <= p.start + len(region):
                self.k += 1
            self.end = self.k
            self.capital = True
            self.place_done = True  # Hội Khuyến học Việt Nam | dự đại hội …
            return GO
        w = place_at(pieces, self.k, lex) if p.cap else 0
        if w and province_at(pieces, self.k, lex):
            self.k += w
            self.end = self.k
            self.capital = True
            self.place_done = True
            return GO
        self.k += 1
        self.end = self.k
        self.capital = True
        self.verbs_in_run = 0
        return GO

    def _level(self, p: Piece, w: int) -> bool:
        """A level word (tỉnh, huyện) with its place, taking ``w`` pieces: the place closes the name;
        a bare level (UBND tỉnh, … việc làm tỉnh) goes on only to its place name."""
        pieces, lex, head, text, n, t = self.pieces, self.lex, self.head, self.text, self.n, p.text
        if w == 1 or (w == len(t.split())):  # a bare level: UBND tỉnh, … việc làm tỉnh
            if t in lex.bare_levels or text[p.start:pieces[self.k + w - 1].end] in lex.bare_levels:
                self.k += w
                self.end = self.k
                self.capital = self.capital or head.place_body
                # a bare level ends the name unless its place name follows, maybe after
                # the abbreviation: "Trung tâm Kiểm soát bệnh tật tỉnh (CDC) Hà Nam"
                abbr_then_place = self.k + 3 < n and pieces[self.k].text == "(" and pieces[self.k + 2].text == ")" \
                    and is_abbr(pieces[self.k + 1].text) and pieces[self.k + 3].cap and pieces[self.k + 3].word
                if self.k < n and not (pieces[self.k].cap and pieces[self.k].word) and not abbr_then_place or self.k >= n:
                    return STOP
                return GO
            return STOP
        self.k += w
        self.end = self.k
        self.capital = True
        self.place_done = True
        return GO

    def _lower_case(self, p: Piece) -> bool:
        """A lower-case word: a bare level, a joiner, the rest of a capitalized word, or a noun run that a
        capitalized word must follow; a verb, a function word or a new head ends the name."""
        pieces, j, lex, head, text, n, t = self.pieces, self.j, self.lex, self.head, self.text, self.n, p.text
        # a level word inside a longer word (nông thôn) is not a place
        w = place_at(pieces, self.k, lex) if p.tok_start == p.start else 0
        if w:
            return self._level(p, w)
        if t == "và" and self.k + 1 < n and pieces[self.k + 1].text[:1].isdigit():
            return STOP  # "Đại học Sư phạm và 33 đầu sách": a count, not part of the name
        if t == "và" and self.k + 2 < n and (place_at(pieces, self.k + 1, lex) > 1 and pieces[self.k + 2].low != "hội"
                                         or match_head(pieces, self.k + 1, lex)
                                         or pieces[self.k + 1].text in lex.abbr_units
                                         # "… Bệnh tật và cơ quan Công an": a generic noun, then a body
                                         or _generic_then_head(pieces, self.k + 1, lex)
                                         or any(text.startswith(ti + " ", pieces[self.k + 1].start)
                                                for ti in starting_at(lex.end_titles, text, pieces[self.k + 1].start))):
            return STOP  # "Sở GD&ĐT và Thành phố Hà Nội", "Bộ Y tế và Bộ Công an": two bodies
        # the rest of a capitalized word (Quản lý, Tuyên giáo): same underthesea token — but
        # not after a title-case proper name or an abbreviation (Phan Thiết gắn, GD&ĐT tặng)
        same_tok = [q for q in pieces[j:self.k] if q.start >= p.tok_start]
        cap_run = 0  # capitalized syllables of this word before p: 2+ is a title-case proper name
        while cap_run < len(same_tok) and same_tok[-1 - cap_run].cap and not is_abbr(same_tok[-1 - cap_run].text):
            cap_run += 1
        if self.end == self.k and self.capital and p.tok_start < p.start and any(q.cap for q in same_tok) \
                and cap_run <= 1 and not (same_tok and is_abbr(same_tok[-1].text)):
            self.k += 1
            self.end = self.k
            return GO
        low = t.lower()
        if self.k > self.end and match_head(pieces, self.k, lex) is not None and p.tok_start == p.start:
            return STOP  # a new organization after lower-case words (… đánh giá cao trường Cao đẳng …)
        if text[p.tok_start:p.tok_end].lower() in lex.name_stop_verbs and p.tok_start == p.start:
            return STOP  # a reporting verb ends the name (Ngân hàng Thế giới dự báo …)
        if NUMBER_LABEL.fullmatch(t) and self.k > j and self.verbs_in_run == 0 and not head.place_body and not self.capital \
                and ends_number_name(pieces, self.k):
            # a body named by a number after lower-case words: "Bệnh viện quân y 175", "Bệnh viện
            # dã chiến cấp 2 (số 1)"; after a capitalized name it is a branch ("Bạch Mai cơ sở 2")
            self.k = self.end = self.k + 1
            self.capital = True
            return STOP
        if low in STOP_WORDS and low != "và":
            if low == "các" and self.k == j and not head.place_body:
                self.k += 1  # Ban Quản lý các khu công nghiệp …, Liên hiệp các Hội …
                return GO
            if low in _PREDICATE_OPENERS:
                self.end = _noun_tail(pieces, self.end, self.k, self.verbs_in_run, self.capital)  # "cục Tin học hóa cho biết"
            return STOP
        if p.tag.startswith(STOP_TAGS) and low != "và":
            return STOP
        if head.place_body and not self.capital:
            return STOP  # UBND + a lower-case word: not a named body
        # noun-like lower-case syllables stay if a capitalized word follows, or
        # if they finish a capitalized word (Phát triển nông thôn, Dịch vụ việc làm)
        # one lower-case word that ends the name right after a capitalized one
        # (Cục Quản lý Khám chữa bệnh,) — not one that a further lower-case word follows
        if (self.end == self.k and self.capital and p.tag.startswith("N") and p.tok_start == p.start
                and p.tok_end > p.end  # a compound (việc làm), not a lone syllable (nơi, thành)
                and (pieces[self.k - 1].cap or pieces[self.k - 1].tok_start < pieces[self.k - 1].start)
                and not is_abbr(pieces[self.k - 1].text)):
            w_end = self.k + 1
            while w_end < n and pieces[w_end].tok_start == p.tok_start and pieces[w_end].word:
                w_end += 1
            nxt = pieces[w_end] if w_end < n else None
            if nxt is not None and nxt.text == "(":
                self.k = self.end = w_end  # "(QLTT) tỉnh Gia Lai" may still follow
                return GO
            if nxt is not None and nxt.text == "và":
                pass  # a joiner: the name may go on (Thống kê khoa học và công nghệ)
            elif nxt is None or nxt.newline_before or not nxt.word or nxt.low in STOP_WORDS \
                    or (nxt.tag.startswith(("V", "R", "E", "C")) and not nxt.cap and not is_abbr(nxt.text)):
                self.k = self.end = w_end
                return STOP
        # a lower-case run is kept only if a capitalized word follows; a run with a
        # verb in it is a predicate, not part of a name, once it is longer than a word or two
        if p.tag.startswith("V") and p.tok_start == p.start \
                and text[p.tok_start:p.tok_end].lower() not in lex.name_verbs:
            self.verbs_in_run += 1
            if self.verbs_in_run > 1 or self.k - self.end > 2:
                return STOP
        if self.k - self.end > 8:
            return STOP
        self.k += 1
        if self.k - j > 16:
            return STOP
        return GO

    def _finish(self) -> tuple[int, str | None, bool]:
        pieces, j, n = self.pieces, self.j, self.n
        # do not end on a joiner
        while self.end > j and pieces[self.end - 1].low in ("và", "-", "–", "&", ","):
            self.end -= 1
        # a numbered unit: "Đội Quản lý thị trường số 1", "Trường THCS số 2"
        if self.capital and self.end > j and self.end + 1 < n and pieces[self.end].text == "số" and NUMBER_LABEL.fullmatch(pieces[self.end + 1].text) \
                and not pieces[self.end].newline_before and not pieces[self.end + 1].newline_before:
            self.end += 2
        # a body its head names by number, after a capitalized name: "Đại đội Công binh 19"
        elif self.head.number_name and self.capital and self.end > j and self.end < n \
                and NUMBER_LABEL.fullmatch(pieces[self.end].text) and not pieces[self.end].newline_before \
                and ends_number_name(pieces, self.end):
            self.end += 1
        return self.end, self.abbr, self.capital


def scan_name(pieces: list[Piece], j: int, lex: Lexicon, head: Head, text: str) -> tuple[int, str | None, bool]:
    """Extend a name from piece j (just after the head); (end index, abbreviation, has_capital)."""
    return _NameScan(pieces, j, lex, head, text).run()


def abbr_qualifier_end(text: str, pieces: list[Piece], j: int, lex: Lexicon) -> int:
    """After an abbreviation that names a body: the capitalized words that say which one
    ("VKSND Tối cao", "CDC Đông Anh"), up to 3 syllables; j if none.

    Not a new organization, an official's title, a person's name or a sentence opener.
    """
    n = len(pieces)
    k = j
    while k < n and k - j < 3 and pieces[k].word and pieces[k].cap and not pieces[k].newline_before \
            and not is_abbr(pieces[k].text) and pieces[k].text not in SENTENCE_OPENERS \
            and match_head(pieces, k, lex) is None \
            and not any(text.startswith(t, pieces[k].start) for t in starting_at(lex.end_titles, text, pieces[k].start)) \
            and not (k == j and pieces[k].text in lex.surnames):
        k += 1
        while k < n and pieces[k].word and pieces[k].start < pieces[k - 1].tok_end:
            k += 1  # the rest of the word: "Tối cao"
    if k < n and pieces[k].word and pieces[k].cap and not pieces[k].newline_before:
        return j  # a longer capitalized run: a heading or a list, not a qualifier
    return k


def ends_number_name(pieces: list[Piece], k: int) -> bool:
    """Does the number at k end a name, rather than count something ("… 175 đã", not "… 5 km")?"""
    nxt = pieces[k + 1] if k + 1 < len(pieces) else None
    if nxt is None or nxt.newline_before:
        return True
    if not nxt.word:  # "175," but not "19/5", "2.000", "1,5"
        after = pieces[k + 2] if k + 2 < len(pieces) else None
        return nxt.text != "%" and not (after is not None and after.start == nxt.end and after.text[:1].isdigit())
    return nxt.text == "số" or nxt.low in STOP_WORDS \
        or (nxt.tag.startswith(("V", "R", "E", "C")) and not nxt.cap)


_LEGAL_FORMS = frozenset({"tnhh", "cp", "cổ phần", "tnhh mtv", "mtv", "trách nhiệm hữu hạn", "một thành viên",
                          "tmcp", "thương mại cổ phần", "tnhh một thành viên", "cổ phần đầu tư"})


_BODY_TYPES: dict = {}


def _body_types(head: Head, lex: Lexicon) -> frozenset:
    """The types of body a head needs after it (THPT, Đại học …), normalized, as written and
    expanded; built once per head (heads and the lexicon live as long as the process)."""
    key = (id(head), id(lex))
    got = _BODY_TYPES.get(key)
    if got is None or got[0] is not head or got[1] is not lex:
        types = frozenset({_norm(t) for t in head.requires_next} | {
            _norm(_expand_abbreviations(t.upper(), lex)) for t in head.requires_next})
        got = _BODY_TYPES[key] = (head, lex, types)
    return got[2]


def generic_name(after_head: str, head: Head, lex: Lexicon) -> bool:
    """Is the "name" only the type of the body (trường THPT, trường Đại học, Công ty TNHH)?"""
    words = _norm(_expand_abbreviations(after_head, lex))
    if head.requires_next:
        types = _body_types(head, lex)
        # "trường THPT", "trường ĐH, CĐ", "trường tiểu học và THCS": types only
        parts = [_norm(w) for w in re.split(r",|\bvà\b", _expand_abbreviations(after_head.replace(",", " , "), lex))]
        return all(p in types for p in parts if p)
    if head.kind in ("Công ty", "Tổng công ty"):
        return words in _LEGAL_FORMS
    return False


def after_official_title(text: str, pos: int, lex: Lexicon) -> bool:
    before = text[max(0, pos - 25):pos].rstrip()
    return any(before.endswith(t) for t in ending_at(lex.official_titles, before, len(before)))


def cut_person_name(pieces: list[Piece], j: int, end: int, lex: Lexicon, strict: bool = False) -> int:
    """'Bộ trưởng Bộ GD&ĐT Nguyễn Kim Sơn': the name ends before the official's own name.

    Without an official's title before the unit (``strict``), only a full
    person's name (surname + 2-3 syllables, each capitalized, at the end of the
    name) after at least two name syllables is cut: "Sở Xây dựng Phùng Phú Phong".
    """
    for k in range(j + 1, end - 1):
        if pieces[k].text in lex.surnames and all(q.cap and q.word for q in pieces[k:end]) and 2 <= end - k <= 4 \
                and not province_at(pieces, k, lex) \
                and pieces[k - 1].text not in "-–&":
            after_level = pieces[k - 1].low in lex.bare_levels \
                or any(pieces[k - 1].low == lv.split()[-1] for lv in lex.levels)
            if after_level and pieces[k - 1].low != "tỉnh":
                continue  # "xã Trần Phú", "phường Phạm Ngũ Lão": places named after people; every
                          # province is known, so "tỉnh Vương Quốc Tuấn" is the official's name
            if strict and (after_level or end - k < 3 or k - j < 2 or any(is_abbr(q.text) for q in pieces[k:end])):
                continue
            return k
    return end


def end_of_known_name(text: str, pieces: list[Piece], i: int, end: int, lex: Lexicon) -> int:
    """A known national body (Bộ Nội vụ) ends its name unless a place or country follows.

    "Bộ Nội vụ thừa lệnh …", "Bộ LĐ-TB&XH quy định …": the lower-case word is the predicate.
    """
    known = known_name_keys(lex)
    # a known name the scan stopped short of (Cục Quản lý Khám, chữa bệnh): completed
    for k in range(min(end + 4, len(pieces)) - 1, end - 1, -1):
        if any(q.newline_before for q in pieces[end:k + 1]):
            continue
        if pieces[k].word and _norm(_expand_abbreviations(text[pieces[i].start:pieces[k].end], lex)) in known:
            return k + 1
    best = None
    for k in range(i + 1, end - 1):
        key = _norm(_expand_abbreviations(text[pieces[i].start:pieces[k].end], lex))
        if key in known:
            best = k
    if best is None:
        return end
    whole = _norm(_expand_abbreviations(text[pieces[i].start:pieces[end - 1].end], lex))
    if any(whole == kn for kn, _, _ in lex.known_names):
        return end
    nxt = pieces[best + 1]
    if nxt.text == ",":
        return best + 1  # "Bộ Tài chính, ICISE …": a list, the known name is complete
    if nxt.text in lex.surnames and not province_at(pieces, best + 1, lex):
        return best + 1  # "Thứ trưởng Bộ Y tế Đỗ xuân Tuyên": the official's name
    if nxt.cap or is_abbr(nxt.text) or not nxt.word or nxt.low in ("và", "&") \
            or place_at(pieces, best + 1, lex):
        return end
    return best + 1


def end_of_media_name(text: str, pieces: list[Piece], j: int, end: int, lex: Lexicon) -> int:
    """"Báo Người Lao Động Bạn đọc …": a known newspaper's name ends where its title ends
    (footers run capitalized words together)."""
    best = end
    for med in lex.media:
        surf = med["surface"]
        at = pieces[j].start
        # (lower-casing never shortens text: the slice holds every character the test reads)
        if text.startswith(surf, at) or text[at:at + len(surf) + 1].lower().startswith(surf.lower() + " "):
            stop = at + len(surf)
            k = j
            while k < end and pieces[k].end <= stop:
                k += 1
            if k < end and k > j:
                best = k if best == end else max(best, k)
    return best
