"""The name each organization is listed under: candidates → features → a model → the choice.

    choose_names(text, tokens, units, records) -> (units, records) renamed

The rules of ``units.py`` end a name where its head word's walk stops and
write it in one canonical form.  Both are guesses annotators often make
otherwise: the walk stops at a lower-case word that belongs to the name
(``Viện Vệ sinh`` | ``dịch tễ Trung ương``) or runs on into the next word
(``Công ty Minh Ngọc`` | ``khóc``), and the canonical form adds words the
article did not write (``Sở Công Thương thành phố Hồ Chí Minh`` for
``Sở Công Thương TP HCM``, ``Bệnh viện Sản Nhi tỉnh Hà Nam``).  Here each
organization the rules found (one name) gets candidate names: the rules'
name, each of its mentions as written and expanded (a medium's name as the text writes it, even
in one word: ``Reuters`` for the lexicon's ``Hãng tin Reuters``), each named mention
ended one to several syllables earlier or later, a name ending with a bare
level completed with the places of that level the article names
(``Ủy ban nhân dân quận`` → ``… quận 10``) and a provincial body named
without a place completed with the article's province; a LightGBM ranker learned
from the annotated corpus (``provnews train``) picks one, and every mention
and record of the organization takes it.  The rules' pieces and tags are
reused: the only walk is over the few syllables around each mention's end.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_left
from operator import attrgetter, methodcaller

from .mentions import Record, Unit
from .model_files import ranker
from .unit_lexicon import lexicon, norm
from .unit_names import canonical, display_name, home_province, split_place
from .unit_pieces import STOP_WORDS, is_abbr, raw_name

MODEL_FILE = "unit_names.json"
# Bump when the features below change: the shipped model must be retrained.
FEATURE_VERSION = 6
# How many syllables a name may be shortened or lengthened by.
MAX_SHORTER, MAX_LONGER = 2, 6
# A syllable used fewer times than this in the annotated names says nothing of where names end
# (3 chosen by 5-fold CV over 1 and 3: units F1 .8183 and .8215 on one shuffle).
NAME_WORD_MIN_USES = 3
# How many written forms of one organization give candidates (the first ones).
MAX_FORMS = 2
# Pieces that end a sentence or open an aside: a name never runs past them.
_HARD_STOPS = frozenset(". ! ? ; : ( ) [ ] “ ” \" …".split())
_LOCAL_LEVELS = frozenset({"xã", "phường", "thị trấn"})
_PLACE_SHORT = re.compile(r"TP|Tp|TP\.?HCM|TPHCM|HCM|TP\.\w+")
_INSERTED_LEVEL = re.compile(r"(?<!\w)(?:tỉnh|thành phố) ")


def _isolated_name(d: "_Doc", raw: str, kind: str) -> str:
    """The name ``resolve_entities`` would give this mention on its own ("" for no unit)."""
    text, lex = d.text, d.lex
    name = canonical(raw, kind, d.learned, lex)
    base, level, place = d.split_place(name)
    ent = {"names": [name], "place": place, "level": level, "kind": kind}
    if place is None and level == "tỉnh" and (home := d.home) and f"tỉnh {home}" in text:
        ent["place"] = home
        ent["names"].insert(0, f"{name} {home}")
    if ent["place"] is None and level in _LOCAL_LEVELS:
        return ""
    return display_name(ent, lex)


class _Doc:
    """What every candidate of one document reads: pieces, learned abbreviations, home province."""

    def __init__(self, text: str, tokens):
        from .units import walk_of

        self.text = text
        self.lex = lexicon()
        self.pieces, self.learned = walk_of(text, tokens)
        self.starts = list(map(attrgetter("start"), self.pieces))
        self._home = False
        self.lower = text.lower()
        self.title_end = text.find("\n") if "\n" in text else len(text)
        self.n_units = 0.0
        self.ends: dict = {}
        self._counts: dict[str, int] = {}
        self._places: dict[str, tuple] = {}

    def split_place(self, name: str) -> tuple:
        """``split_place`` of a name, kept: a candidate is split again as a row after it was made."""
        got = self._places.get(name)
        if got is None:
            got = self._places[name] = split_place(name, self.lex)
        return got

    def count(self, low: str) -> int:
        """How often ``low`` (lowercased) is written in the text (a span and its name are often one string)."""
        got = self._counts.get(low)
        if got is None:
            got = self._counts[low] = self.lower.count(low)
        return got

    @property
    def home(self) -> str | None:
        if self._home is False:  # asked for few names (a level without its place): computed then
            self._home = home_province(self.text, self.lex)
        return self._home


def _span_variants(d: _Doc, u: Unit):
    """(pieces added (negative: removed), raw name, pieces of the change) for one mention."""
    pieces, text = d.pieces, d.text
    a = bisect_left(d.starts, u.start)
    b = bisect_left(d.starts, u.end)
    if a >= len(pieces) or pieces[a].start != u.start or b <= a:
        return
    for e in range(max(a + 1, b - MAX_SHORTER), b):
        raw = raw_name(text, pieces, a, e)
        if len(raw.split()) > 1:
            yield e - b, raw, pieces[e:b]
    for e in range(b + 1, min(len(pieces), b + MAX_LONGER) + 1):
        p = pieces[e - 1]
        if p.newline_before or p.text in _HARD_STOPS or p.low in STOP_WORDS and p.tok_start == p.start:
            break  # (a function word — đã, là, tại, các — is never inside a name the rules cut short;
            # a syllable inside a longer word is not one: hàng không)
        if not p.word:
            continue
        yield e - b, raw_name(text, pieces, a, e), pieces[b:e]


_PARENTHETICAL = re.compile(r"\s*\([^()]*\)?\s*$|\s*\([^()]{1,20}\)")
_SPACES = re.compile(r"\s+")
_TP = re.compile(r"(?<!\w)(?:TP|Tp)(?!\w)|TP\.|HCM")


def _clean(name: str) -> str:
    """A candidate without a parenthetical (its abbreviation) or a dangling mark at its end."""
    if "(" in name:  # (every parenthetical opens with one: most names skip the pattern)
        name = _PARENTHETICAL.sub(" ", name)
    # (whitespace runs as one space: split and join, as _SPACES would, ends stripped either way)
    return " ".join(name.split()).strip(" ,-–&(")


def _abbreviation(word: str, d: _Doc) -> bool:
    """Is ``word`` an abbreviation of a body that a canonical name spells out (UBND, KH&CN, QLTT, one
    the article defines)? A place's short form (TP HCM) is not one: annotators keep it as written."""
    w = word.strip(",.")
    return (w in d.lex.expansions or w in d.learned) and not _PLACE_SHORT.fullmatch(w)


_STRIP_MARKS = methodcaller("strip", ",.")


def _has_abbreviation(cand: str, d: _Doc) -> bool:
    """Is one of the candidate's words an ``_abbreviation``? (Most hold no abbreviation at all: two set
    tests in C say so before any word is tried.)"""
    words = list(map(_STRIP_MARKS, cand.split()))  # (each word as ``_abbreviation`` reads it)
    if d.lex.expansions.keys().isdisjoint(words) and d.learned.keys().isdisjoint(words):
        return False
    return any(_abbreviation(w, d) for w in words)


def _official_title(cand: str, kind: str) -> bool:
    """Is the candidate an official's title made of the head (Bộ trưởng …, Cục phó …), not a name?"""
    words = cand.split()
    k = len(kind.split())
    return bool(kind) and len(words) > k and words[k] in ("trưởng", "phó") \
        and " ".join(words[:k]).lower() == kind.lower()


_PHRASES: dict[int, dict[str, set[str]]] = {}


def _known_phrases(lex) -> dict[str, set[str]]:
    """The spelled-out forms of the standard abbreviations (Giao thông vận tải, Kế hoạch và Đầu tư),
    normalized, under their last word: a name that ends with one ends where such a name ends."""
    got = _PHRASES.get(id(lex))
    if got is None:
        got = {}
        for v in set(lex.expansions.values()):
            words = norm(v).split()
            if len(words) >= 2:
                got.setdefault(words[-1], set()).add(" ".join(words))
        _PHRASES.clear()
        _PHRASES[id(lex)] = got
    return got


def _ends_with_phrase(cand: str, lex) -> bool:
    low = norm(cand)
    last = low.rsplit(" ", 1)[-1]
    return any(low.endswith(" " + ph) for ph in _known_phrases(lex).get(last, ()))


def _name_features(name: str, kind: str) -> dict[str, float]:
    words = name.split()
    rest = words[len(kind.split()):] if kind and name.lower().startswith(kind.lower()) else words[1:]
    return {
        "words": float(len(words)),
        "rest_caps": sum(w[:1].isupper() for w in rest) / len(rest) if rest else 0.0,
        "last_lower": float(bool(rest) and rest[-1][:1].islower()),
        "last_digit": float(bool(rest) and rest[-1][:1].isdigit()),
        "abbr_words": float(sum(1 for w in rest if is_abbr(w.strip(",")))),
        # (each pattern needs one of these strings: most names are told without a search)
        "has_TP": 1.0 if ("TP" in name or "Tp" in name or "HCM" in name) and _TP.search(name) else 0.0,
        "level_word": 1.0 if ("tỉnh " in name or "thành phố " in name) and _INSERTED_LEVEL.search(name) else 0.0,
    }


_BARE_LEVEL_END = re.compile(r"(?<!\w)(tỉnh|thành phố|huyện|quận|thị xã|xã|phường)$")


def _level_places(d: _Doc, level: str) -> list[tuple[str, int]]:
    """The places of one level the article names (quận 10, tỉnh Lào Cai), most often named first:
    a name that ends with the bare level (Ủy ban nhân dân quận) may mean one of them."""
    counts: dict[str, int] = {}
    for m in re.finditer(r"(?<!\w)" + level + r" (\d+|[^\W\d]+(?: [^\W\d]+){0,3})", d.text, re.IGNORECASE):
        words = []
        for w in m.group(1).split():
            if not (w[:1].isupper() or w.isdigit()):
                break
            words.append(w)
            if w.isdigit():
                break
        if words:
            place = " ".join(words)
            counts[place] = counts.get(place, 0) + 1
    return sorted(counts.items(), key=lambda kv: -kv[1])


def _cut_words(d: _Doc, ms: list[Unit]) -> int:
    """How many mentions end inside one of the segmenter's words (Trường Đại học Giao thông | vận tải)."""
    n = 0
    for m in ms:
        b = bisect_left(d.starts, m.end) - 1
        if 0 <= b < len(d.pieces) and d.pieces[b].end == m.end and d.pieces[b].tok_end > m.end:
            n += 1
    return n


_MEDIA_NAMES: dict[int, frozenset] = {}


def _media_names(lex) -> frozenset:
    """The media lexicon's written names as a set (the lexicon keeps them as a tuple, in its entries'
    order), made once per lexicon: every mention of every organization is looked up."""
    got = _MEDIA_NAMES.get(id(lex))
    if got is None:
        got = _MEDIA_NAMES[id(lex)] = frozenset(lex.media_surfaces)
    return got


def candidates(d: _Doc, name: str, ms: list[Unit], votes: dict, n_records: int) -> list[tuple[str, dict]]:
    """Candidate names for one organization (the rules' name first), each with its features."""
    text, lex = d.text, d.lex
    kind = next((m.kind for m in ms if m.kind), None) or ""
    found: dict[str, dict[str, float]] = {}

    def add(cand: str, f: dict[str, float]) -> None:
        cand = cand if "from:rules" in f else _clean(cand)
        if not cand or cand != name and len(cand.split()) < 2 and "from:bare_surface" not in f:
            return
        if cand != name and _has_abbreviation(cand, d):
            return  # a canonical name spells out abbreviations (spec §2, §6): written forms compete expanded
        if cand != name and _official_title(cand, kind):
            return  # "Bộ trưởng Thông tin và Truyền thông" is the minister's title: the body is the rules' name
        key = cand.lower()
        if key in found:
            found[key].update({k: v for k, v in f.items() if k.startswith("from:")})
            return
        found[key] = {**f, "cand_name": cand}

    shared = {"kind:" + (kind or "none"): 1.0, "mentions:log": math.log1p(len(ms)),
              "votes:log": math.log1p(votes.get(name, 0)),
              "vote_share": votes.get(name, 0) / n_records if n_records else 0.0}
    shared["lower_head"] = sum(m.text[:1].islower() for m in ms) / len(ms)
    shared["first_pos"] = ms[0].start / max(len(text), 1)
    shared["in_title"] = float(ms[0].start < d.title_end)
    shared["surfaces"] = float(len({m.text for m in ms}))
    shared["units_in_doc:log"] = d.n_units
    shared["rules_cut_word"] = _cut_words(d, ms) / len(ms)
    add(name, {"from:rules": 1.0})
    named, seen = [], set()
    for m in ms:  # the first mention of each written form: later ones repeat its candidates
        if len(m.text.split()) > len(kind.split()) and m.text not in seen:
            seen.add(m.text)
            named.append(m)
    if (lv := _BARE_LEVEL_END.search(name)) is not None:
        places = _level_places(d, lv.group(1))
        total = sum(c for _, c in places)
        for place, c in places[:2]:
            add(f"{name} {place}", {"from:level_place": 1.0, "level_place_share": c / total})
        if lv.group(1) == "tỉnh" and not places and d.home:
            add(f"{name} {d.home}", {"from:level_place": 1.0, "from:home": 1.0})  # the article's province
    elif kind in lex.level_added_kinds and d.split_place(name)[2] is None and d.home:
        # a provincial body named without its place (Sở Y tế) is the article's province's
        level = "thành phố" if d.home in lex.cities else "tỉnh"
        add(f"{name} {level} {d.home}", {"from:home_place": 1.0})
    # a medium the lexicon names in another form (Reuters → Hãng tin Reuters, Xinhua → Tân Hoa Xã) is a
    # candidate as written too, even in one word: annotators mostly keep "Reuters", and the corpus
    # decides.  5-fold CV (all models per fold): units F1 .7314 → .7376, records .7328 → .7334; any
    # capitalized written form (liên Bộ Tài chính - "Công Thương" too) gave .7362 / .7339.
    media = _media_names(d.lex)
    for m in ms:
        if m.text != name and m.text in media:
            add(m.text, {"from:bare_surface": 1.0})
            break
    for m in named[:MAX_FORMS]:
        surface = m.text[:1].upper() + m.text[1:]
        add(surface, {"from:surface": 1.0})
        add(canonical(surface, kind, d.learned, lex), {"from:canonical": 1.0})
        for delta, raw, changed in _span_variants(d, m):
            raw = raw[:1].upper() + raw[1:]
            cand = _isolated_name(d, raw, kind)
            f = {"from:span": 1.0, "delta": float(delta), "delta:" + str(delta): 1.0,
                 # the new end falls inside one of the segmenter's words (… An ninh hàng | không)
                 "cuts_word": float(changed[-1].tok_end > changed[-1].end if delta > 0
                                    else changed[0].tok_start < changed[0].start)}
            # (the capitalized share of the words changed, counted in the loop over them)
            caps = words = 0
            if delta > 0:
                f["added_caps"] = 0.0
                for p in changed:
                    f["added_tag:" + (p.tag or "none")] = 1.0
                    if p.word:
                        words += 1
                        caps += p.cap
                f["added_caps"] = caps / max(1, words)
                after = bisect_left(d.starts, changed[-1].end)
                nxt = d.pieces[after] if after < len(d.pieces) else None
                f["next_tag:" + (("punct" if not nxt.word else nxt.tag or "none") if nxt else "end")] = 1.0
            else:
                f["removed_caps"] = 0.0
                for p in changed:
                    f["removed_tag:" + (p.tag or "none")] = 1.0
                    if p.word:
                        words += 1
                        caps += p.cap
                f["removed_caps"] = caps / max(1, words)
            f["span_repeated"] = float(d.count(raw.lower()) > 1)
            add(cand, f)
    rows = []
    for key, f in found.items():
        cand = f.pop("cand_name")
        f.update(shared)
        f.update(_name_features(cand, kind))
        base, _, place = d.split_place(cand)
        f["ends_with_place"] = float(place is not None)  # Ban Chỉ đạo … tỉnh Hà Nam
        f["ends_with_phrase"] = float(_ends_with_phrase(base, lex))  # Sở Giao thông | vận tải
        f["is_rules"] = float(cand == name)
        f["occurs"] = math.log1p(d.count(cand.lower()))
        f["longer_than_rules"] = float(len(cand) - len(name)) / 10
        if d.ends:
            low = norm(cand).split()
            f["end_share"] = _end_share(d.ends, low[-1]) if len(low) > 1 else -1.0
        rows.append((cand, f))
    return rows


def name_word_counts(names) -> dict[str, list[int]]:
    """[times inside, times last] of each lowercased syllable of the given organization names
    (after the head): whether a name ending at a syllable ends where names usually do
    (``Viện Nghiên cứu`` | ``biển và hải đảo``: names go on after ``cứu``)."""
    out: dict[str, list[int]] = {}
    for name in names:
        words = norm(name).split()
        for i, w in enumerate(words[1:], 1):
            out.setdefault(w, [0, 0])[i == len(words) - 1] += 1
    return out


def _end_share(ends: dict, word: str) -> float:
    """The share of a syllable's uses in the annotated names that end the name; -1 if too rare."""
    c = ends.get(word)
    if not c or c[0] + c[1] < NAME_WORD_MIN_USES:
        return -1.0
    return c[1] / (c[0] + c[1])


def candidate_groups(text: str, tokens, units: list[Unit], records: list[Record], ends: dict | None = None):
    """(rules' name, [(candidate name, features)]) for each organization. ``ends``: the model's
    ``name_words`` (``name_word_counts`` of the annotated names it was trained on)."""
    by_name: dict[str, list[Unit]] = {}
    for u in units:
        by_name.setdefault(u.name, []).append(u)
    if not by_name:
        return []
    votes: dict = {}
    for r in records:
        votes[r.unit] = votes.get(r.unit, 0) + 1
    d = _Doc(text, tokens)
    d.ends = ends or {}
    d.n_units = math.log1p(len(by_name))
    return [(name, candidates(d, name, ms, votes, len(records))) for name, ms in by_name.items()]


def chosen_names(text: str, tokens, units: list[Unit], records: list[Record], model=None) -> dict[str, str]:
    """The model's best-ranked name for each organization the rules named (rules' name → chosen name)."""
    if not units:
        return {}
    return chosen_from(*ranked_groups(text, tokens, units, records, model))


def ranked_groups(text: str, tokens, units: list[Unit], records: list[Record], model=None):
    """``candidate_groups`` and the model's score of every candidate (one list, in the groups' order)."""
    model = model or ranker(MODEL_FILE, FEATURE_VERSION)
    groups = candidate_groups(text, tokens, units, records, getattr(model, "data", {}).get("name_words"))
    return groups, model.scores([f for _, cands in groups for _, f in cands])


def chosen_from(groups, scores) -> dict[str, str]:
    """The best-ranked name of each group (rules' name → chosen name)."""
    scores = iter(scores)
    chosen = {}
    for name, cands in groups:
        scored = [(next(scores), -i) for i in range(len(cands))]
        best = cands[-max(scored)[1]][0]
        # The model reads extents; the level the rules add to a bare province
        # (Sở Y tế Hà Nam → Sở Y tế tỉnh Hà Nam) is a naming convention, kept so that
        # one body has one name across documents (statistics group by it).
        same_but_level = best == name or _INSERTED_LEVEL.sub("", best) == _INSERTED_LEVEL.sub("", name)
        chosen[name] = name if same_but_level else best
    return chosen


def renamed(units: list[Unit], records: list[Record], chosen: dict[str, str]):
    """New units, and the records (in place), under the chosen names."""
    new_units = [Unit(text=u.text, start=u.start, end=u.end, name=chosen.get(u.name, u.name),
                      abbreviation=u.abbreviation, kind=u.kind,
                      parent=chosen.get(u.parent, u.parent) if u.parent else None)
                 for u in units]
    for r in records:
        if r.unit is not None:
            r.unit = chosen.get(r.unit, r.unit)
    return new_units, records


def choose_names(text: str, tokens, units: list[Unit], records: list[Record], model=None):
    """New units and records with each organization under the model's best-ranked name."""
    if not units:
        return units, records
    return renamed(units, records, chosen_names(text, tokens, units, records, model))
