"""Page → article: page type, title, date, author and body of one HTML page.

Two paths, one result (``Page``):

* a **site profile** (``pipeline/sites/*.json``) when the page belongs to a
  known portal family (NukeViet first): its selectors give title, date, lead
  and body exactly, and boilerplate never gets in because only the body
  container is read;
* otherwise **trafilatura**, once, in precision mode; its default mode runs
  as a second pass only when precision kept less than half of the page's
  paragraph text (10 pages of the 181 of the article-extraction benchmark,
  see ``benchmarks/article_benchmark.py``), then BeautifulSoup
  when trafilatura finds nothing at all.  Paragraphs are read from
  trafilatura's XML, so that a ``<br>`` inside a sentence does not cut it.

Whatever the path, inline elements that would glue two words together
(``mình<span>Nhấn</span>``) get a space, and the body loses what is never
article text: author boxes and share prompts (``pipeline/boilerplate_vi.json``),
teasers of other articles (a paragraph that is only the headline of a link to
another page), and a byline as first or last paragraph.

``text`` is the title, a blank line, then the body paragraphs one per line, so
that a figure stated only in a headline is seen by the NLP stage too.

The page type decides what is stored: only ``article`` pages become
documents. Listing pages (categories, paginations, tags, home pages) are
recognised by many links of the same teaser template and no article body.

>>> page = parse_page("<html lang='vi'><body><h1 class='title'>Tiêu đề</h1>"
...     "<span class='h5'>Thứ sáu - 15/01/2021 09:30</span>"
...     "<div id='news-bodyhtml'><p>Thu hoạch 1.200 tấn lúa.</p></div></body></html>",
...     "https://sokhcn.example.gov.vn/news/a-1.html")
>>> page.kind, page.published, page.text
('article', '2021-01-15T09:30:00+07:00', 'Tiêu đề\\n\\nThu hoạch 1.200 tấn lúa.')
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from extractors.normalize import clean_text
from pipeline.dates import find_dates, has_date_label, is_day_month_swap, parse_date
from pipeline.sites import ProfileVersion, Selector, family_of, match_profile

log = logging.getLogger(__name__)

__all__ = ["Page", "parse_page", "html_to_text", "decode_html"]

PAGE_KINDS = ("article", "listing", "other")

# trafilatura's precision mode drops the odd real paragraph; when it keeps
# less than this share of what the default mode finds, it has cut the article
# itself (measured on the article-extraction benchmark: 0.4–0.6 all give the
# same result, 0.9 is worse).
PRECISION_KEEP_RATIO = 0.5
# The default mode is only worth a second pass when precision kept less than
# this share of the text of the page's <p> elements: on the benchmark that is
# 10 pages of 181 (191 passes instead of 362), with the same choices as running
# both modes on every page.

# A listing shows at least this many headline links built from one template…
MIN_TEASERS = 5
# …or, when its text is almost nothing but teasers, as few as two (a category
# of a small portal with one or two items, a CMS home with a few posts).
MIN_FEW_TEASERS = 2
FEW_TEASERS_SHARE = 0.6
# Headline links are at least this long; menus and tags are shorter.
MIN_TEASER_CHARS = 20
# Below this much body text a page with teasers is a listing, and a page
# without a title is no article at all.
MIN_ARTICLE_CHARS = 250
# A sentence of an article body: at least this many words and end punctuation
# (headlines, menu lines, dates and addresses are shorter or end without it).
MIN_PROSE_WORDS = 8
_PROSE_END = re.compile(r"[.!?…][\"”’)\]]*$")

# Paths that are lists by construction on Vietnamese portals and elsewhere.
_LISTING_PATH = re.compile(
    r"(/page[-/=]\d+|[?&]page=\d+|/trang[-/]\d+|/(tag|tags|topic|topics|category|categories|"
    r"chuyen-muc|danh-muc|chu-de|tim-kiem|search)(/|$))", re.IGNORECASE)

# Elements whose text is never article text, wherever they appear.
_NEVER_TEXT = ("script", "style", "noscript", "template", "iframe", "object", "embed",
               "button", "select", "input", "textarea", "svg", "canvas", "nav")
# Inside an article body a form is a comment box or a poll; around it (ASP.NET
# portals wrap the whole page in one <form>) it is not, so only bodies drop it.
_NEVER_IN_BODY = _NEVER_TEXT + ("form",)
# Block elements: each ends a paragraph.
_BLOCKS = frozenset({
    "p", "div", "section", "article", "main", "aside", "header", "footer", "blockquote", "pre",
    "ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead",
    "tbody", "tfoot", "tr", "figure", "figcaption", "address", "center", "hr", "caption",
})
# Inside a body container: share bars, related lists, ads that CMS themes put there.
# Matched against an element's class, id and type (VCCorp's CMS, on tuoitre.vn and
# baochinhphu.vn, marks its boxes type="RelatedNewsBox"), camelCase split into words.
_BOILERPLATE_CLASS = re.compile(
    r"(^|[\s_-])(share|sharing|social|addthis|related|relate|tags?|keywords?|comments?|"
    r"advert\w*|ads|banner|rating|vote|breadcrumbs?|pagination|readmore|read-more)($|[\s_-])", re.IGNORECASE)
_CAMEL_CASE = re.compile(r"(?<=[a-z])(?=[A-Z])")
# The class of an article's lead paragraph ("sapo" in Vietnamese newsrooms).
_LEAD_CLASS = re.compile(r"(^|[\s_-])(sapo|lead|summary|description|intro|excerpt|standfirst)($|[\s_-])",
                         re.IGNORECASE)
# Pop-ups and modal dialogs: never the page's text (see _drop_overlays). A class
# word, not a state or a switch of the page ("modal-enabled", "enable-lightbox").
_OVERLAY_WORDS = frozenset({"popup", "modal", "lightbox"})
_NOT_OVERLAY_WORDS = frozenset({"enable", "enabled", "trigger", "open", "opened", "close", "btn", "button",
                                "link", "toggle", "active", "has", "show", "init"})
# An overlay holding more than this share of the page's text is not one.
MAX_OVERLAY_SHARE = 0.3
_SENTENCE_END = re.compile(r"[.!?:;…\"”’)]$")
_WS = re.compile(r"\s+")
# Vietnamese letters that no other Latin-script language uses (ơ, ư, đ and
# the tone-marked vowels): enough of them and the page is Vietnamese.
_VI_LETTERS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
# Inline elements: text on either side of their edges runs on without a break.
_INLINE = frozenset({"a", "span", "b", "strong", "i", "em", "u", "font", "small", "big", "mark", "label",
                     "abbr", "cite", "q", "time", "s", "strike", "ins", "del"})
# A byline: a short run of capitalised words (a name, an agency), maybe in brackets or after "Theo".
_BYLINE = re.compile(r"^(?:(?i:theo|nguồn|bài|ảnh|bài và ảnh|tin|tin, ảnh)\s*:?\s+)?"
                     r"(?:[A-ZĐÀ-Ỹ][\w.]*(?:[\s\-–/&,]+|$)){1,6}(?:\([^)]{1,30}\))?$")


def _load_boilerplate() -> tuple[re.Pattern, ...]:
    import json
    from importlib import resources

    data = json.loads(resources.files("pipeline").joinpath("boilerplate_vi.json").read_text(encoding="utf-8"))
    return tuple(re.compile(p, re.IGNORECASE) for p in data["paragraph_patterns"])


_BOILERPLATE_PARAGRAPHS = _load_boilerplate()


@dataclass(frozen=True, slots=True)
class Page:
    """One parsed page: what it is and, for an article, its metadata and text.

    ``kind`` is ``article``, ``listing`` or ``other``; ``text`` is the title, a
    blank line and ``paragraphs`` one per line (NFC); ``published`` is ISO 8601;
    ``canonical_url`` is the page's ``link rel=canonical`` (else ``og:url``,
    else the URL given); ``profile`` names what extracted it
    (``nukeviet/V1``, ``generic-vn/V1``, ``trafilatura``, ``fallback``) or is
    None when nothing could be read.
    """
    kind: str
    title: str | None
    published: str | None
    author: str | None
    text: str
    paragraphs: tuple[str, ...]
    canonical_url: str | None
    profile: str | None

    @property
    def body(self) -> str:
        """The body paragraphs without the title (what the benchmark scores)."""
        return "\n".join(self.paragraphs)


# --------------------------------------------------------------------------- decoding

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def decode_html(data: str | bytes) -> str:
    """HTML bytes as text: BOM, then ``<meta charset>``, then UTF-8, then a guess.

    Vietnamese portals are almost all UTF-8; a few old ones still send
    Windows-1258 or declare one charset and send another, so a declared
    charset that fails to decode is not trusted.
    """
    if isinstance(data, str):
        return data
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    declared = _META_CHARSET.search(data[:4096])
    candidates = [declared.group(1).decode("ascii", "ignore")] if declared else []
    candidates.append("utf-8")
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else data.decode("utf-8", errors="replace")


def _parse_tree(html: str):
    # lxml refuses str input that declares an encoding; the declaration is
    # meaningless once decoded.
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    if not html.strip():
        return None
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        log.debug("unparseable HTML: %s", exc)
        return None
    return tree


# --------------------------------------------------------------------------- text helpers

def _squash(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _node_text(node) -> str:
    if isinstance(node, str):  # an attribute value
        return _squash(node)
    if node.tag == "meta":
        return _squash(node.get("content") or "")
    return _squash(" ".join(node.itertext()))


def _without_label(text: str | None) -> str | None:
    """``Tác giả bài viết: Nông Thị Hạnh`` → ``Nông Thị Hạnh`` (a short label before a colon)."""
    if not text:
        return None
    label, colon, rest = text.partition(":")
    if colon and rest.strip() and len(label.split()) <= 4:
        return rest.strip()
    return text


def _first_text(tree, selectors: tuple[Selector, ...]) -> str | None:
    for selector in selectors:
        for node in selector.all(tree):
            text = _node_text(node)
            if text:
                return text
    return None


def _drop(node) -> None:
    """Remove an element but keep its tail text (the text that follows it)."""
    if node.getparent() is not None:
        node.drop_tree()


def _is_boilerplate(node) -> bool:
    names = " ".join(v for v in (node.get("class"), node.get("id"), node.get("type")) if v)
    return bool(names.strip()) and bool(_BOILERPLATE_CLASS.search(_CAMEL_CASE.sub(" ", names)))


def _block_paragraphs(container) -> list[str]:
    """The container's text as paragraphs: one per block element or ``<br>`` line.

    A table row becomes one paragraph with its cells joined by `` | `` so that
    a label and its figure stay on one line (``Lúa | 1.200 tấn``).
    """
    paragraphs: list[str] = []
    current: list[str] = []
    after_break = False

    def flush() -> None:
        nonlocal after_break
        text = _squash("".join(current))
        if text:
            paragraphs.append(text)
        current.clear()
        after_break = False

    def add(text: str | None) -> None:
        nonlocal after_break
        if text:
            current.append(text)
            if text.strip():
                after_break = False

    def line_break() -> None:
        # Editors use <br> both between paragraphs and to wrap a line inside a
        # sentence; a sentence cut in two would mislead the segmenter, so a
        # single <br> ends a paragraph only after end-of-sentence punctuation.
        nonlocal after_break
        if after_break or _SENTENCE_END.search(_squash("".join(current))):
            flush()
        else:
            current.append(" ")
            after_break = True

    def walk(node) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == "br":
            line_break()
        elif tag == "tr":
            flush()
            cells = [_squash(" ".join(cell.itertext())) for cell in node if cell.tag in ("td", "th")]
            row = " | ".join(c for c in cells if c)
            if row:
                paragraphs.append(row)
        elif tag:
            block = tag in _BLOCKS
            if block:
                flush()
            add(node.text)
            for child in node:
                walk(child)
            if block:
                flush()
        add(node.tail)

    add(container.text)
    for child in container:
        walk(child)
    flush()
    return paragraphs


def _glued(left: str | None, right: str | None) -> bool:
    """Whether two texts meeting at an inline element's edge would glue two words (``mìnhNhấn``, ``tốt.Câu``)."""
    if not left or not right or left[-1].isspace() or right[0].isspace():
        return False
    if left[-1].islower() and right[0].isupper():
        return True
    return len(left) > 1 and left[-1] in ".!?;:" and left[-2].islower() and right[0].isupper()


def _first_text_of(node) -> str | None:
    for text in node.itertext():
        if text:
            return text
    return None


def _drop_overlays(tree) -> int:
    """Remove pop-ups and modal dialogs (login forms, newsletter and app promotions).

    They sit in the page's markup, hidden until a script opens them, and hold
    the only full sentences of some category pages (tuoitre.vn's), which an
    extractor then takes for the article. Returns how many were removed.
    """
    overlays = [el for el in tree.iter() if isinstance(el.tag, str) and el.tag not in ("html", "body")
                and _is_overlay(el.get("class"))]
    if not overlays:
        return 0
    page_chars = len(_visible_text(tree))
    removed, marked = 0, set(overlays)
    for el in overlays:
        if el.getparent() is None or any(a in marked for a in el.iterancestors()):
            continue
        if len(_visible_text_of(el)) > MAX_OVERLAY_SHARE * page_chars:
            continue
        _drop(el)
        removed += 1
    return removed


def _is_overlay(classes: str | None) -> bool:
    for token in (classes or "").split():
        words = set(re.split(r"[-_]+", _CAMEL_CASE.sub("-", token).lower()))
        if words & _OVERLAY_WORDS and not words & _NOT_OVERLAY_WORDS:
            return True
    return False


def _space_inline_boundaries(tree) -> int:
    """Put a space where an inline element's edge glues two words (editors' markup, CSS block spans).

    Returns how many spaces were added.
    """
    added = 0
    for el in tree.iter(*_INLINE):
        previous = el.getprevious()
        before = (previous.tail if previous is not None else el.getparent().text if el.getparent() is not None
                  else None)
        inner = _first_text_of(el)
        if _glued(before, inner):
            added += 1
            if previous is not None:
                previous.tail = before + " "
            else:
                el.getparent().text = before + " "
        inner_end = "".join(el.itertext())
        if _glued(inner_end, el.tail):
            added += 1
            el.tail = " " + el.tail
    return added


def _link_headlines(tree, url: str) -> set[str]:
    """Texts of links to other pages long enough to be headlines: a body paragraph that is only one is a teaser."""
    own = urlsplit(url).path if url else ""
    heads = set()
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        target = urlsplit(urljoin(url or "", href))
        if target.path == own or target.path.lower().endswith(
                (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".png", ".zip", ".rar")):
            continue
        text = _squash(" ".join(a.itertext()))
        if len(text.split()) >= 6:
            heads.add(text.casefold())
    return heads


def _is_teaser(paragraph: str, headlines: set[str]) -> bool:
    text = paragraph.casefold().strip(" -–•›»>")
    if text in headlines:
        return True
    # a headline followed by its date: "Tiêu đề bài khác (15/01/2021)"
    stem = re.sub(r"\s*[\(\[]?\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}[^)\]]*[\)\]]?\s*$", "", text)
    return stem != text and stem in headlines


def _drop_boilerplate(paragraphs: list[str], headlines: set[str], bylines: bool = True) -> list[str]:
    """Without author boxes, share prompts, teasers of other articles (and bylines at either end)."""
    kept = [p for p in paragraphs
            if not any(rx.search(p) for rx in _BOILERPLATE_PARAGRAPHS) and not _is_teaser(p, headlines)]
    if bylines:
        while kept and _is_byline(kept[0]):
            kept = kept[1:]
        while kept and _is_byline(kept[-1]):
            kept = kept[:-1]
    return kept


def _is_byline(paragraph: str) -> bool:
    text = paragraph.strip()
    return len(text) <= 60 and len(text.split()) <= 8 and not _SENTENCE_END.search(text.rstrip(")")) \
        and bool(_BYLINE.match(text))


def _clean_container(node, remove: tuple[Selector, ...]):
    """A copy of a body container without scripts, forms, share bars, related lists."""
    node = _copy(node)
    for child in list(node.iter(*_NEVER_IN_BODY)):
        _drop(child)
    for selector in remove:
        for child in selector.all(node):
            if child is not node:
                _drop(child)
    for child in list(node.iter()):
        if child is not node and isinstance(child.tag, str) and _is_boilerplate(child):
            _drop(child)
    for comment in list(node.iter(etree.Comment, etree.ProcessingInstruction)):
        _drop(comment)
    return node


def _copy(node):
    return lxml.html.fromstring(lxml.html.tostring(node, encoding="unicode"))


# --------------------------------------------------------------------------- metadata

def _language(tree, sample: str) -> str | None:
    lang = (tree.get("lang") or tree.get("xml:lang") or "").strip().lower()
    if not lang:
        for meta in tree.xpath("//meta[@http-equiv='content-language' or @property='og:locale']/@content"):
            lang = meta.strip().lower()
            break
    if lang:
        return lang.replace("_", "-").split("-")[0]
    letters = sum(ch.isalpha() for ch in sample)
    if letters and len(_VI_LETTERS.findall(sample)) / letters > 0.03:
        return "vi"
    return None


def _canonical(tree, url: str) -> str | None:
    for href in tree.xpath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content"):
        href = href.strip()
        if href and not href.lower().startswith(("javascript:", "#", "mailto:")):
            return urljoin(url, href) if url else href
    return url or None


def _meta_published(tree, vietnamese: bool) -> str | None:
    """The date the page declares in metadata (Open Graph, schema.org, JSON-LD)."""
    values = tree.xpath(
        "//meta[@property='article:published_time' or @itemprop='datePublished' or "
        "@name='pubdate' or @name='publishdate' or @name='article:published_time' or "
        "@property='og:published_time' or @name='dc.date.issued']/@content"
        " | //*[@itemprop='datePublished']/@datetime | //time[@pubdate]/@datetime")
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        values.extend(re.findall(r'"datePublished"\s*:\s*"([^"]+)"', script))
    for value in values:
        value = value.strip()
        # An ISO value is unambiguous; a d/m/y one is trusted only on a
        # Vietnamese page, where day-first is the convention.
        if re.match(r"\d{4}-\d\d-\d\d", value) or vietnamese:
            parsed = parse_date(value)
            if parsed:
                return parsed
    return None


_DATEISH = etree.XPath(
    "//*[self::time or contains(translate(@class, 'DATEIMPUBLSH', 'dateimpublsh'), 'date') or "
    "contains(translate(@class, 'TIME', 'time'), 'time') or contains(@class, 'publish') or "
    "contains(@class, 'ngay') or contains(@id, 'date') or contains(@id, 'time') or "
    "contains(concat(' ', normalize-space(@class), ' '), ' h5 ')]")


def _visible_date(tree) -> str | None:
    """The first Vietnamese date written in a date-like element of the page.

    Date-like: a ``<time>``, a class or id naming a date or time, or a short
    line that opens with a publication label (``Cập nhật:``, ``Ngày đăng``,
    a weekday).
    """
    for node in _DATEISH(tree):
        text = _squash(" ".join(node.itertext()))
        if not text or len(text) > 120:
            continue
        found = parse_date(text) or parse_date(node.get("datetime") or "")
        if found:
            return found
    body = tree.find("body")
    for node in (body if body is not None else tree).iter():
        if not isinstance(node.tag, str) or node.tag in _NEVER_TEXT:
            continue
        text = _squash(node.text or "")
        if text and len(text) <= 120 and has_date_label(text):
            found = parse_date(_squash(" ".join(node.itertext()))[:160])
            if found:
                return found
    return None


def _visible_text(tree) -> str:
    body = tree.find("body")
    if body is None:
        return ""
    return _visible_text_of(body)


def _visible_text_of(node) -> str:
    return " ".join(t for el in node.iter() if isinstance(el.tag, str) and el.tag not in _NEVER_TEXT
                    for t in (el.text, el.tail if el is not node else None) if t and t.strip())


def _htmldate(html: str, url: str) -> str | None:
    try:
        from htmldate import find_date

        return find_date(html, url=url or None, extensive_search=True, original_date=True)
    except Exception as exc:  # htmldate raises assorted errors on odd markup
        log.debug("htmldate failed on %s: %s", url, exc)
        return None


def _published(tree, html: str, url: str, vietnamese: bool, page_text: str) -> str | None:
    """Publication date: metadata, then a Vietnamese date on the page, then htmldate.

    htmldate reads ``07/02/2024`` month-first; on a Vietnamese page our own
    reading wins whenever the page shows a date, and an htmldate result that
    is a day/month swap of a date written on the page is corrected.
    """
    declared = _meta_published(tree, vietnamese)
    if declared:
        return declared
    if vietnamese:
        shown = _visible_date(tree)
        if shown:
            return shown
    guessed = _htmldate(html, url)
    if guessed and vietnamese:
        for mention in find_dates(page_text[:20000]):
            if is_day_month_swap(guessed, mention.iso):
                return mention.iso
    return guessed


# --------------------------------------------------------------------------- page type

def _block_of(node):
    for ancestor in node.iterancestors():
        if ancestor.tag in _BLOCKS:
            return ancestor
    return None


def _teasers(tree) -> tuple[int, list[str], list[str]]:
    """The size of the largest group of headline links sharing one template, the teaser items, their headlines.

    The template of a link is its tag and classes and those of its three
    nearest ancestors (``div.item > h3 > a``): a category page repeats it for
    every teaser; an article has a handful in its related-news box. Links
    inside running text (``<p>… <a>…</a> …</p>``) are not headlines. The item
    of a teaser is its largest ancestor holding no other link of the group
    (headline, summary, date), to see how much of the extracted text is
    teasers. Items come from every group at least as large as
    ``min(MIN_TEASERS, largest)``: a news home shows several teaser templates
    (lead story, section boxes, latest news) and the text an extractor keeps
    may be the summaries of a smaller one than the largest (vnexpress 2015).
    """
    groups: dict[tuple, list] = {}
    alone: set = set()   # headlines that are their block's whole text (h3 > a), not a paragraph's lead-in
    for link in tree.iter("a"):
        if not link.get("href"):
            continue
        text = _squash(" ".join(link.itertext())) or (link.get("title") or "")
        if len(text) < MIN_TEASER_CHARS or len(text.split()) < 4:
            continue
        block = _block_of(link)
        if block is not None:
            block_text = _squash(" ".join(block.itertext()))
            if not block_text.startswith(text[:20]) and len(text) < 0.6 * len(block_text):
                continue  # a link in a sentence, not a headline
        if block is None or len(text) >= 0.6 * len(_own_line(block)):
            alone.add(link)
        key = []
        node = link
        for _ in range(4):
            if node is None or not isinstance(node.tag, str):
                break
            # classes carrying an id ("post-101") differ per item of one template
            classes = (c for c in (node.get("class") or "").split() if not any(ch.isdigit() for ch in c))
            key.append((node.tag, " ".join(sorted(classes))))
            node = node.getparent()
        groups.setdefault(tuple(key), []).append(link)
    if not groups:
        return 0, [], []
    largest = max(len(g) for g in groups.values())
    items, headlines = [], []
    for links in groups.values():
        if len(links) < min(MIN_TEASERS, largest):
            continue
        below: dict = {}
        for link in links:
            for ancestor in link.iterancestors():
                below[ancestor] = below.get(ancestor, 0) + 1
        for link in links:
            item = link
            for ancestor in link.iterancestors():
                if below[ancestor] > 1:
                    break
                item = ancestor
            text = _squash(" ".join(item.itertext()))
            if text:
                items.append(text)
            headline = _squash(" ".join(link.itertext()))
            if headline and link in alone:
                headlines.append(headline)
    return largest, items, headlines


def _own_line(block) -> str:
    """A block's text without that of the blocks inside it (a teaser's headline line, not its summary)."""
    parts = [block.text or ""]
    for child in block:
        if isinstance(child.tag, str) and child.tag not in _BLOCKS:
            parts.extend(child.itertext())
        parts.append(child.tail or "")
    return _squash(" ".join(parts))


def _teaser_share(paragraphs: list[str], items: list[str], headlines: list[str] = ()) -> float:
    """Share of the body's characters that are teaser text (headline or summary).

    A paragraph inside a teaser, or one that starts with a teaser's headline
    standing alone in its block (the headline and its summary read as one
    paragraph, the category label between them left out, as on baodautu.vn;
    not a roundup's paragraph that opens with a link), counts whole; one that holds
    teasers (an extractor that glued a home page's boxes into one block of
    text, as on vpcp.chinhphu.vn) counts for the teasers it holds.
    """
    total = sum(len(p) for p in paragraphs)
    if not total or not items:
        return 0.0
    # headlines compared without spaces: an extractor may glue one to its
    # summary ("…từ cổ đôngCông ty…", baodautu.vn)
    starts = tuple({_unspaced(h) for h in headlines if len(h) >= MIN_TEASER_CHARS})
    inside = 0
    for p in paragraphs:
        if any(p in item for item in items) or _unspaced(p).startswith(starts):
            inside += len(p)
        else:
            inside += min(len(p), sum(len(item) for item in set(items) if len(item) >= MIN_TEASER_CHARS
                                      and item in p))
    return inside / total


def _unspaced(text: str) -> str:
    return _WS.sub("", text)


def _has_prose(paragraphs: list[str], items: list[str]) -> bool:
    """Whether the body holds a sentence of its own: a paragraph of at least ``MIN_PROSE_WORDS``
    words that ends a sentence and is not teaser text.

    A listing read by an extractor that found no article (the whole page,
    line by line: menus, dates, a pager, the footer) has none.
    """
    return any(len(p.split()) >= MIN_PROSE_WORDS and _PROSE_END.search(p)
               and not any(p in item for item in items) for p in paragraphs)


def _shown_lead(tree, paragraphs: list[str]) -> str | None:
    """The article's lead (sapo) when the generic extractor left it out, else None.

    The lead is an element marked as one (class ``sapo``, ``lead``, ``summary``…)
    whose text is the page's own description (``og:description``): what the
    reader sees between headline and body. trafilatura's precision mode drops
    it on some layouts (baodautu.vn's ``div.sapo_detail``).
    """
    values = tree.xpath("//meta[@property='og:description']/@content | //meta[@name='description']/@content")
    description = _unspaced(clean_text(values[0])) if values else ""
    if len(description) < 40:
        return None
    body = _unspaced(" ".join(paragraphs))
    if description[:40] in body:
        return None
    for el in tree.iter():
        if not isinstance(el.tag, str) or not _LEAD_CLASS.search(_CAMEL_CASE.sub(" ", el.get("class") or "")):
            continue
        text = clean_text(_squash(" ".join(el.itertext()))).strip()
        if text and _unspaced(text) == description:
            return text
    return None


def _og_type(tree) -> str | None:
    values = tree.xpath("//meta[@property='og:type']/@content")
    return values[0].strip().lower() if values else None


def _page_kind(tree, url: str, title: str | None, paragraphs: list[str], body_is_container: bool) -> str:
    """article, listing or other, from the signals of the page.

    A profile that recognised an article layout settles it. Otherwise a page
    is a listing when it repeats a teaser template and its text is mostly
    those teasers (or there is hardly any other text); a list URL
    (``/page-2``, ``/tag/``, the home page) or ``og:type=website`` lowers the
    share of teaser text needed.
    """
    if not paragraphs and not title:
        return "other"
    if body_is_container:
        # A profile recognised the article layout: related-news boxes do not make it a list.
        return "article"
    body_chars = sum(len(p) for p in paragraphs)
    if not title and body_chars < MIN_ARTICLE_CHARS:
        return "other"  # a fragment, an error page, bytes that were not HTML
    teasers, items, headlines = _teasers(tree)
    og_type = _og_type(tree)
    path = urlsplit(url).path if url else ""
    listing_url = bool(url and _LISTING_PATH.search(url)) or (
        url.startswith(("http://", "https://")) and path in ("", "/", "/index.php", "/index.html", "/vi", "/vi/"))
    if teasers >= MIN_TEASERS and og_type != "article" and not _has_prose(paragraphs, items):
        return "listing"
    if teasers >= MIN_TEASERS and not paragraphs:
        # Teasers and not one line of body, whatever og:type says (dantri.com.vn's
        # category pages say "article"): a story with no text has nothing to extract.
        return "listing"
    if teasers >= MIN_TEASERS:
        share = _teaser_share(paragraphs, items, headlines)
        if og_type == "article":
            # Some CMSs say "article" on every page: only a page of nothing but teasers overrides it.
            needed = 0.8
        elif listing_url or og_type == "website":
            needed = 0.25
        else:
            needed = 0.5
        if share >= needed or (og_type != "article" and body_chars < MIN_ARTICLE_CHARS):
            return "listing"
    elif teasers >= MIN_FEW_TEASERS and og_type != "article":
        if _teaser_share(paragraphs, items, headlines) >= FEW_TEASERS_SHARE:
            return "listing"
    if not paragraphs:
        # A title and nothing else readable: an article only if the page says so.
        return "article" if og_type == "article" else "other"
    if body_chars < MIN_ARTICLE_CHARS and not _has_prose(paragraphs, items):
        # Short, and not one sentence: a title over link labels (a home page's "Tin tức", a pager's
        # "prev next", a folder's "deeper"), a month of a calendar with no event, an empty search.
        # Nothing for extraction to read. A page that says it is an article keeps its word unless
        # all it shows is links (some CMSs say "article" on every page).
        if og_type != "article" or _only_link_text(tree, paragraphs):
            return "other"
    return "article"


def _only_link_text(tree, paragraphs: list[str]) -> bool:
    """Whether every paragraph is made of the labels of the page's links and nothing else."""
    labels = sorted({_squash(" ".join(a.itertext())) for a in tree.iter("a")} - {""}, key=len, reverse=True)
    for paragraph in paragraphs:
        rest = paragraph
        for label in labels:
            rest = rest.replace(label, " ")
        if any(c.isalnum() for c in rest):
            return False
    return True


# --------------------------------------------------------------------------- extraction paths

def _profile_extract(tree, version: ProfileVersion) -> tuple[str | None, str | None, str | None, list[str]]:
    title = _first_text(tree, version.title)
    published = None
    for selector in version.published:
        for node in selector.all(tree):
            published = parse_date(_node_text(node)) or parse_date(
                node.get("datetime") if not isinstance(node, str) else None)
            if published:
                break
        if published:
            break
    author = _without_label(_first_text(tree, version.author))
    paragraphs: list[str] = []
    for selector in version.lead:
        node = selector.first(tree)  # the article's own lead, not teasers elsewhere
        if node is not None:
            paragraphs.extend(_block_paragraphs(_clean_container(node, version.remove)))
            break
    for selector in version.body:
        nodes = selector.all(tree)
        if nodes:
            for node in nodes:
                paragraphs.extend(_block_paragraphs(_clean_container(node, version.remove)))
            break
    return title, published, author, paragraphs


def _trafilatura_extract(html: str, tree, url: str):
    """(title, author, paragraphs) from trafilatura: one pass in precision mode, see the module docstring.

    ``html`` is what trafilatura reads (given an ``lxml.html`` tree it loses
    text after inline elements); ``tree`` the page as we parsed it.
    """
    import trafilatura

    def extract(**options):
        try:
            return trafilatura.bare_extraction(html, url=url or None, include_comments=False, **options)
        except Exception as exc:  # trafilatura raises assorted errors on odd markup
            log.debug("trafilatura failed on %s: %s", url, exc)
            return None

    precise = extract(favor_precision=True, with_metadata=True)
    chosen = precise
    precise_chars = len((precise.text if precise else "") or "")
    page_chars = sum(len(_squash(" ".join(p.itertext()))) for p in tree.iter("p"))
    if precise_chars < PRECISION_KEEP_RATIO * page_chars:
        default = extract()
        default_chars = len((default.text if default else "") or "")
        if precise_chars < PRECISION_KEEP_RATIO * default_chars:
            chosen = default
    meta = precise or chosen
    title = meta.title if meta else None
    author = meta.author if meta else None
    paragraphs = _xml_paragraphs(chosen.body) if chosen is not None and chosen.body is not None else []
    return title, author, paragraphs


def _xml_paragraphs(body) -> list[str]:
    """Paragraphs of trafilatura's XML: one per ``p``/``head``/``item``/``quote``, a table row per line.

    Text loose in a container (trafilatura leaves some between headings) is a
    paragraph too.  A ``<lb/>`` (a ``<br>`` in the page) ends a paragraph only
    after end-of-sentence punctuation, as in ``_block_paragraphs``; other
    whitespace inside a paragraph is one space.
    """
    out: list[str] = []
    leaves = ("p", "head", "item", "quote")
    blocks = set(leaves) | {"list", "table", "row", "cell", "div", "body"}

    def loose(text: str | None) -> None:
        text = _squash(text or "")
        if text:
            out.append(text)

    def collect(container) -> None:
        loose(container.text)
        for child in container:
            if child.tag == "row":
                cells = [_squash(" ".join(c.itertext())) for c in child if c.tag == "cell"]
                loose(" | ".join(c for c in cells if c))
            elif child.tag in leaves and not any(c.tag in blocks for c in child):
                out.extend(_split_at_breaks(child))
            elif child.tag in blocks:
                collect(child)
            elif child.tag != "lb":
                loose(" ".join(child.itertext()))
            loose(child.tail)

    collect(body)
    return out


def _split_at_breaks(el) -> list[str]:
    parts: list[str] = []
    current: list[str] = []

    def walk(node) -> None:
        if node.tag == "lb":
            text = _squash("".join(current))
            if _SENTENCE_END.search(text):
                parts.append(text)
                current.clear()
            else:
                current.append(" ")
        else:
            current.append(node.text or "")
            for child in node:
                walk(child)
        current.append(node.tail or "")

    current.append(el.text or "")
    for child in el:
        walk(child)
    parts.append(_squash("".join(current)))
    return [p for p in parts if p]


def _soup_extract(html: str) -> list[str]:
    """Last resort when trafilatura finds nothing: the visible text of <article>, <main> or <body>."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    for tag in soup(list(_NEVER_TEXT) + ["header", "footer", "aside"]):
        tag.decompose()
    for tag in soup.find_all(class_=_BOILERPLATE_CLASS):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    for heading in root.find_all("h1"):
        heading.decompose()  # the title is added separately
    lines = [_squash(line) for line in root.get_text("\n").split("\n")]
    return [line for line in lines if line]


def _title_from_head(tree) -> str | None:
    for value in tree.xpath("//meta[@property='og:title']/@content | //title/text()"):
        value = _squash(value)
        if value:
            return value
    return None


def _without_title(paragraphs: list[str], title: str | None) -> list[str]:
    if paragraphs and title and _squash(paragraphs[0]).casefold() == _squash(title).casefold():
        return paragraphs[1:]
    return paragraphs


def _dedupe_adjacent(paragraphs: list[str]) -> list[str]:
    out: list[str] = []
    for p in paragraphs:
        if not out or out[-1] != p:
            out.append(p)
    return out


def _fetch_day(fetched_at: str | date | None) -> date | None:
    if fetched_at is None or isinstance(fetched_at, date):
        return fetched_at
    try:
        return date.fromisoformat(str(fetched_at)[:10])
    except ValueError:
        return None


def parse_page(html: str | bytes, url: str, fetched_at: str | date | None = None) -> Page:
    """Parse one HTML page (``url`` is where it came from; ``fetched_at`` picks a profile version).

    Never raises on bad markup: an empty or unreadable page is ``kind="other"``
    with empty text.
    """
    url = url or ""
    html_text = decode_html(html)
    tree = _parse_tree(html_text)
    if tree is None:
        return Page("other", None, None, None, "", (), url or None, None)
    if _drop_overlays(tree) + _space_inline_boundaries(tree):
        # trafilatura reads the page without the pop-ups and with the spaces added
        html_text = lxml.html.tostring(tree, encoding="unicode")
    canonical = _canonical(tree, url)
    title_hint = _title_from_head(tree)
    body_sample = _squash(" ".join(tree.xpath("//body//p//text()"))[:4000]) or (title_hint or "")
    language = _language(tree, (title_hint or "") + " " + body_sample)
    vietnamese = language == "vi"
    host = urlsplit(url).hostname if url else None

    matched = match_profile(tree, host=host, day=_fetch_day(fetched_at), language=language)
    title = published = author = None
    paragraphs: list[str] = []
    profile_name = None
    body_is_container = False
    if matched:
        profile, version = matched
        title, published, author, paragraphs = _profile_extract(tree, version)
        if paragraphs or title:
            profile_name = f"{profile.name}/{version.version}"
            # The article layout of a recognised family (NukeViet) matched:
            # even an empty body (a headline with its figures, a photo story)
            # is an article, not a list. A catch-all profile (generic-vn) only
            # saw a common body container, which home and category pages of the
            # same CMSs carry too (Liferay's journal-content-article on every
            # portlet, Dân trí's category boxes): the page's teasers decide.
            body_is_container = profile.is_family(tree, host)
    family_kind = None
    if profile_name is None:
        family = family_of(tree, host, language)
        if family is not None:
            # A page of a known family without its article layout: a listing
            # if it shows the family's teasers or pager, else something else.
            listing = any(s.first(tree) is not None for v in family.versions for s in v.listing)
            family_kind = "listing" if listing else "other"
    generic = profile_name is None
    if generic:
        t_title, t_author, paragraphs = _trafilatura_extract(html_text, tree, url)
        profile_name = "trafilatura"
        if not paragraphs:
            paragraphs = _soup_extract(html_text)
            profile_name = "fallback" if paragraphs else None
        title = title or t_title or title_hint
        author = author or t_author
    title = clean_text(title).strip() if title else None
    author = clean_text(author).strip() if author else None
    paragraphs = _dedupe_adjacent([clean_text(p).strip() for p in _without_title(paragraphs, title)])
    paragraphs = _drop_boilerplate([p for p in paragraphs if p], _link_headlines(tree, url), bylines=True)
    if title and profile_name is None:
        profile_name = "fallback"
    if published is None:
        published = _published(tree, html_text, url, vietnamese, _visible_text(tree))
    kind = family_kind or _page_kind(tree, url, title, paragraphs, body_is_container)
    if kind == "article" and generic and paragraphs and vietnamese:
        # Vietnamese papers print the sapo as the article's first paragraph (the
        # generic-vn profile reads it too); English benchmarks count it out.
        lead = _shown_lead(tree, paragraphs)
        if lead:
            paragraphs = [lead, *paragraphs]
    text = "\n\n".join(part for part in (title or "", "\n".join(paragraphs)) if part)
    return Page(kind, title or None, published, author or None, text, tuple(paragraphs), canonical,
                profile_name)


def html_to_text(html: str | bytes, url: str = "") -> tuple[str | None, str, str | None]:
    """(title, text, published) of a page, as ``provnews extract`` needs for local .html files."""
    page = parse_page(html, url)
    return page.title, page.text, page.published
