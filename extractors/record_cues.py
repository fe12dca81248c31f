"""The cue words of attribution and activity, read once from the data files, and the
patterns compiled from them.

    cue_words() -> dict      activity_cues.json + unit_discourse.json + the place levels
    patterns() -> dict       compiled regular expressions over those words
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources



@lru_cache(maxsize=1)
def cue_words() -> dict:
    files = resources.files("extractors.data")
    cues = json.loads(files.joinpath("activity_cues.json").read_text(encoding="utf-8"))
    cues.update(json.loads(files.joinpath("unit_discourse.json").read_text(encoding="utf-8")))
    places = json.loads(files.joinpath("places.json").read_text(encoding="utf-8"))
    cues["levels"] = places["levels"]
    cues["bare_levels"] = places["bare_levels"]
    cues["countries"] = places["countries"]
    cues["regions"] = places["regions"]
    return cues


# Vietnamese capitals and small letters.  A range such as À-Ỹ would mix both cases
# (Latin Extended Additional alternates capital and small: Ạ ạ Ả ả …, and đ lies
# inside it), so that "tỉnh đã" read as a place name and "ông Quang cho" as a person.
UPPER = "[" + "".join(ch for ch in map(chr, range(0x41, 0x1EFA)) if ch.isalpha() and ch.isupper()) + "]"


LOWER = "[" + "".join(ch for ch in map(chr, range(0x61, 0x1EFA)) if ch.isalpha() and ch.islower()) + "]"


def alt_pattern(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def trie_pattern(words, ignore_case: bool = False) -> str:
    """The words as ``alt_pattern``'s alternation matches them, written as a tree of their letters.

    The regex engine tries every alternative of an alternation at every position it scans;
    in a tree each letter is compared once (``Giám đốc|Giám sát`` → ``Giám (?:đốc|sát)``, escaped).
    The matches are the same: the words that match at one position are prefixes of one another,
    and the tree tries them longest first (a word that ends at a node is the node's optional
    rest left out), as ``alt_pattern`` orders them.  With ``ignore_case`` (a pattern compiled
    with IGNORECASE) letters that differ only in case share a node, as they match the same text.
    """
    keys = [w.lower() if ignore_case else w for w in words]
    if any(not k or len(k) != len(w) for k, w in zip(keys, words)):
        return alt_pattern(words)  # (an empty word, or one whose lower case is longer: as it was)
    tree: dict = {}
    for k in keys:
        node = tree
        for ch in k:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def rest(node: dict) -> str:
        branches = [re.escape(ch) + rest(child) for ch, child in node.items() if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return rest(tree)


@lru_cache(maxsize=1)
def patterns() -> dict:
    c = cue_words()
    cap = UPPER + r"[\w.]*"
    # The word lists of the patterns tried at many places (scanned over whole sentences, matched
    # at every clause opening, searched in the words before every unit) as trees of letters (see
    # ``trie_pattern``); those for IGNORECASE patterns with case variants sharing their nodes.
    titles_tree = trie_pattern(c["official_titles"])
    titles_any_case = trie_pattern(c["official_titles"], ignore_case=True)
    person = trie_pattern([t for t in c["person_titles"]] + [t.capitalize() for t in c["person_titles"]])
    levels = trie_pattern(c["levels"] + [l.capitalize() for l in c["levels"]])
    people_tree = trie_pattern(c["people_nouns"], ignore_case=True)
    return {
        "credit": re.compile(rf"(?<!\w)(?:{trie_pattern(c['media_credits'])})\s*:\s*"),
        "field_line": re.compile(rf"(?:{trie_pattern(c['header_fields'])})\s*:"),
        "pivot": re.compile(rf"(?:^|\s)(?:{trie_pattern(c['causative_pivots'], ignore_case=True)})\s*$", re.IGNORECASE),
        "titled_name": re.compile(rf"(?<!\w)(?:{titles_tree})\s+({cap}(?:\s+{cap}){{1,3}})"),
        # where "titled_name" and "person" can match (see ``finditer_from``)
        "titled_name_start": re.compile(rf"(?:{titles_tree})\s"),
        "person_start": re.compile(rf"(?:{person})\s"),
        "title_end": re.compile(rf"(?:^|\s)(?:{titles_any_case})(?:\s+(?:thường trực|phụ trách))?\s*$", re.IGNORECASE),
        "named_document": re.compile(r"^(?:[Cc]ũng\s+)?[Tt]heo\s+(?:các\s+|những\s+)?" + UPPER),
        "person": re.compile(rf"(?:(?<!\w)|(?<={LOWER})(?=[ÔB]))(?:{person})\s+{cap}(?:\s+{cap}){{0,4}}"),
        "official_tail": re.compile(rf"^\s*(?:\([^()]*\)\s*)?,\s*((?:{trie_pattern(c['former'], ignore_case=True)})\s+)?(?:{titles_any_case})(?:\s+\w+){{0,3}}?\s*$",
                                    re.IGNORECASE),
        "adverbial": re.compile(rf"^(?:{trie_pattern(c['adverbial_starters'], ignore_case=True)})\b[^,;:]{{0,80}},\s*", re.IGNORECASE),
        "source_lead": re.compile(
            r"^(?:(?:cũng\s+)?(?:theo|qua)(?:\s+[^,;:]{0,60}?)?(?:\s+của)?"
            r"|(?:báo cáo|thống kê|kế hoạch|số liệu|đánh giá)(?:\s+[^,;:]{0,40}?)?\s+của"
            r"|(?:các\s+)?(?:lãnh đạo|đại diện)|(?:các\s+)?đơn vị\s+(?:trong|thuộc|trực thuộc)"
            r"|hiện nay|hiện|sau đó|đồng thời|cụ thể|trong đó|trước đây|trước đó|mới đây|vừa qua|năm nay)\s*$",
            re.IGNORECASE),
        "source_end": re.compile(
            r"(?:^|\s)(?:(?:các\s+)?đơn vị\s+(?:trong|thuộc|trực thuộc)|lãnh đạo|đại diện)$", re.IGNORECASE),
        "people_subject": re.compile(
            rf"(?<!\w)(?:{people_tree})(?:\s+(?:này|đó|ấy|trên))?\s+(?:(?:đã|đang|sẽ|vừa|mới|cũng|chỉ|còn|đều|lại|thì)\s+)*(?={LOWER})",
            re.IGNORECASE),
        "people": re.compile(
            rf"^(?:(?:một số|nhiều|các|những|mọi|toàn bộ|hầu hết|\w+)\s+)?(?:{people_tree})(?!\w)",
            re.IGNORECASE),
        "place_agent": re.compile(rf"^(?:{levels})\s+{cap}(?:\s+{cap})*"),
        "bare_place_agent": re.compile(
            rf"^(?:{trie_pattern(c['bare_levels'], ignore_case=True)})(?:\s+(?:này|nhà))?\s+"
            rf"(?:{trie_pattern(c['place_agent_followers'], ignore_case=True)})(?!\w)",
            re.IGNORECASE),
        "place": re.compile(rf"(?<!\w)(?:{levels})\s+{cap}(?:\s+{cap}){{0,3}}"),
        "speech_after": re.compile(rf"^\s*(?:\([^()]*\)\s*)?(?:,[^,;]{{0,60}},\s*)?(?:đã\s+|vừa\s+)?(?:{trie_pattern(c['speech_verbs'])})\b"),
    }


def finditer_from(pattern: re.Pattern, starts: re.Pattern, text: str, pos: int, endpos: int):
    """``pattern.finditer(text, pos, endpos)``, ``pattern`` tried only where ``starts`` matches.

    A pattern that opens with a look-behind (``(?<!\\w)ông …``) is tried at every
    character; ``starts``, the literal words every match opens with, lets the
    regex engine skip to the few places where one can begin.  The matches are
    the same: each is ``pattern.match`` at the leftmost place left, as
    ``finditer`` finds them (the look-behind sees the text before ``pos`` either
    way).  ``pattern`` must not match the empty string.
    """
    while True:
        c = starts.search(text, pos, endpos)
        if c is None:
            return
        m = pattern.match(text, c.start(), endpos)
        if m is None:
            pos = c.start() + 1
        else:
            yield m
            pos = m.end()


# A newspaper reports figures; it is never the organization they belong to.
NOT_SUBJECT_KINDS = frozenset(["Báo", "Tạp chí", "Thông tấn xã"])
