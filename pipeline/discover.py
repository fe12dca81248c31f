"""Discovery: robots, sitemaps, feeds, listings, links, scope and canonical URLs.

Pure functions over bytes and URLs — no HTTP here (``fetch.py`` fetches,
``crawl.py`` decides what to do with what is found), so each piece is testable
on its own.

NukeViet portals list only their 1,000 newest articles in the sitemap and 30
in RSS: a full archive must walk the category listings, so listings and their
pagination are followed like any other in-scope link, and the trap guards
below stop the walk where a pager or a calendar never ends.
"""
from __future__ import annotations

import codecs
import hashlib
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree, html as lxml_html
from protego import Protego

# Query parameters that only track where a click came from: dropped, so that
# every article is fetched and stored once.
TRACKING_PARAMS = {
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "zarsrc", "zalo_source", "mc_cid", "mc_eid",
    "_ga", "_gl", "igshid", "ref_src", "spm", "sessionid", "phpsessid", "jsessionid", "sid",
}
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")

# Where feeds usually live when a page does not announce one.
COMMON_FEED_PATHS = ("/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/news/rss/")

# Links to these are never pages to parse (they may still be archived when fetched).
NON_PAGE_EXTENSIONS = {
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".bmp", ".tif", ".tiff",
    ".css", ".js", ".mp3", ".mp4", ".avi", ".mov", ".wmv", ".flv", ".zip", ".rar", ".7z",
    ".gz", ".exe", ".woff", ".woff2", ".ttf",
}
DOCUMENT_EXTENSIONS = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx"}


# --- URLs ------------------------------------------------------------------------

def canonicalize(url: str, https_hosts: frozenset[str] | set[str] = frozenset()) -> str | None:
    """The one spelling of a URL: no fragment, no tracking, sorted query, lower-case host.

    ``https_hosts`` are hosts seen redirecting http → https: their http links
    are rewritten so that the page is not fetched twice.  Returns None for
    what is not an http(s) URL.

    >>> canonicalize("HTTP://Example.gov.vn:80/a/b.html?utm_source=x&b=2&a=1#top")
    'http://example.gov.vn/a/b.html?a=1&b=2'
    """
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            return None
        host = parts.hostname.lower().rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if scheme == "http" and host in https_hosts:
        scheme = "https"
        if port == 80:
            port = None
    if (scheme, port) in (("http", 80), ("https", 443)):
        port = None
    netloc = host if port is None else f"{host}:{port}"
    path = quote(unquote(parts.path or "/"), safe="/%:@!$&'()*+,;=~-._")
    path = _remove_dot_segments(path)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    ]
    query.sort()
    return urlunsplit((scheme, netloc, path, urlencode(query, quote_via=quote, safe="/:,"), ""))


def _remove_dot_segments(path: str) -> str:
    if "/." not in path:
        return path
    out: list[str] = []
    for seg in path.split("/"):
        if seg == "..":
            if len(out) > 1:
                out.pop()
        elif seg != ".":
            out.append(seg)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


def host_key(url: str) -> str:
    """``host[:port]`` — politeness, robots and scope are per host."""
    return urlsplit(url).netloc.lower()


def url_template(url: str) -> str:
    """The URL's shape with every number replaced (``/news/page-7`` → ``/news/page-N``).

    Pages of one shape are one pager or one calendar: the trap guards count
    and compare them.  Article slugs keep their words, so two articles are
    two shapes.
    """
    parts = urlsplit(url)
    shape = parts.netloc + re.sub(r"\d+", "N", parts.path)
    if parts.query:
        shape += "?" + re.sub(r"\d+", "N", parts.query)
    return shape


def url_kind(url: str) -> str:
    """``page``, ``document`` (PDF, Office) or ``asset`` (images, media…), from the path."""
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    ext = path[dot:] if dot > path.rfind("/") else ""
    if ext in NON_PAGE_EXTENSIONS:
        return "asset"
    if ext in DOCUMENT_EXTENSIONS:
        return "document"
    return "page"


@dataclass(slots=True)
class Scope:
    """Which hosts the crawl may visit: the seeds' hosts plus ``--allow-domain``.

    An allowed domain covers its subdomains (``khcn.gov.vn`` covers
    ``www.khcn.gov.vn``).
    """
    hosts: set[str] = field(default_factory=set)
    domains: set[str] = field(default_factory=set)

    @classmethod
    def from_seeds(cls, seeds: list[str], allow_domains=()) -> "Scope":
        return cls({host_key(s) for s in seeds}, {d.lower().strip(".") for d in allow_domains})

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        if parts.netloc.lower() in self.hosts:
            return True
        host = (parts.hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)


def same_site(host_a: str, host_b: str) -> bool:
    """Two ``host[:port]`` keys of one site: the same name up to a leading ``www.``, on the same port.

    Keys carry no default port (``canonicalize``), so http → https is the same
    site; another explicit port is another server, as it is for links
    (``Scope``): a seed redirected there is reported, not followed.

    >>> same_site("sokhcn.gov.vn", "www.sokhcn.gov.vn"), same_site("a.gov.vn", "b.gov.vn")
    (True, False)
    >>> same_site("127.0.0.1:8080", "127.0.0.1:8081")
    False
    """
    def name(host: str) -> str:
        host = host.lower()
        return host[4:] if host.startswith("www.") else host
    return name(host_a) == name(host_b)


# --- robots.txt --------------------------------------------------------------------

@dataclass(slots=True)
class Robots:
    """robots.txt rules for our user agent (protego); missing robots.txt allows all."""
    parser: Protego | None
    agent: str

    @classmethod
    def parse(cls, text: str | None, user_agent: str) -> "Robots":
        # Robots groups name a product token ("provnews"), not the full UA string.
        agent = user_agent.split("/")[0].split()[0] if user_agent else "*"
        if text:
            # A byte-order mark glued to the first "User-agent" hides the first
            # group from the parser: its Disallow and Crawl-delay would be lost.
            text = text.lstrip("\ufeff\ufffe \t\r\n")
        return cls(Protego.parse(text) if text else None, agent)

    def allowed(self, url: str) -> bool:
        return True if self.parser is None else self.parser.can_fetch(url, self.agent)

    @property
    def crawl_delay(self) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(self.agent)
        return float(delay) if delay is not None else None

    @property
    def sitemaps(self) -> list[str]:
        return list(self.parser.sitemaps) if self.parser is not None else []


# --- sitemaps and feeds ----------------------------------------------------------

SITEMAP_MAX_BYTES = 50 * 1024 * 1024   # the sitemaps.org limit for one (unpacked) sitemap


class TooLarge(ValueError):
    """Unpacked data over its limit (a gzip bomb, or just too big)."""


def maybe_gunzip(data: bytes, max_bytes: int = SITEMAP_MAX_BYTES) -> bytes:
    """Sitemaps may come gzipped whatever the Content-Type says.

    Unpacked a step at a time and stopped at ``max_bytes`` (TooLarge): a
    megabyte of gzip can unpack to gigabytes.
    """
    if data[:2] != b"\x1f\x8b":
        return data
    obj = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        out = obj.decompress(data, max_bytes + 1)
    except zlib.error:
        return b""
    if len(out) > max_bytes:
        raise TooLarge(f"unpacks to more than {max_bytes:,} bytes")
    return out


@dataclass(slots=True)
class Sitemap:
    kind: str                          # "index" or "urlset"
    urls: list[tuple[str, str | None]]  # (loc, lastmod)


def parse_sitemap(data: bytes, max_bytes: int = SITEMAP_MAX_BYTES) -> Sitemap | None:
    """A sitemap index (nested sitemaps) or a urlset (pages); None if not a sitemap.

    Raises TooLarge when gzipped data unpacks to more than ``max_bytes``.
    """
    root = _xml_root(maybe_gunzip(data, max_bytes))
    if root is None:
        return None
    tag = etree.QName(root).localname.lower()
    if tag not in ("sitemapindex", "urlset"):
        return None
    child = "sitemap" if tag == "sitemapindex" else "url"
    urls = []
    for el in root:
        if not isinstance(el.tag, str) or etree.QName(el).localname.lower() != child:
            continue
        loc = lastmod = None
        for sub in el:
            if not isinstance(sub.tag, str):
                continue
            name = etree.QName(sub).localname.lower()
            if name == "loc" and sub.text:
                loc = sub.text.strip()
            elif name == "lastmod" and sub.text:
                lastmod = sub.text.strip()
        if loc:
            urls.append((loc, lastmod))
    return Sitemap("index" if tag == "sitemapindex" else "urlset", urls)


def sitemap_problem(data: bytes, content_type: str | None, max_bytes: int = SITEMAP_MAX_BYTES) -> str:
    """What a URL served instead of an XML sitemap, for a warning: its type and how it starts.

    A portal often answers a sitemap address with its home page or an error
    page (a "soft 404", status 200): said plainly, the archivist can tell a
    site without a sitemap from one the crawler misread.
    """
    try:
        data = maybe_gunzip(data, max_bytes)
    except TooLarge:
        pass
    root = _xml_root(data)
    if root is not None:
        got = f"XML whose root is <{etree.QName(root).localname}>"
    else:
        got = content_type or "no Content-Type"
    head = data.lstrip()[:60]
    if not head:
        return f"{got}, empty"
    # final=False: a character cut at the 60th byte is left out, not taken for a bad byte
    text = codecs.getincrementaldecoder("utf-8")("replace").decode(head, final=False)
    if "\ufffd" in text or any(not c.isprintable() and not c.isspace() for c in text):
        return f"{got}, starting {head[:24]!r}"      # bytes that are not text: shown as bytes
    text = " ".join(text.split())
    return f"{got}, starting {text[:40]!r}{'…' if len(text) > 40 else ''}"


def parse_feed(data: bytes) -> list[str] | None:
    """Item links of an RSS or Atom feed; None if the bytes are not a feed."""
    root = _xml_root(data)
    if root is None:
        return None
    tag = etree.QName(root).localname.lower()
    links: list[str] = []
    if tag in ("rss", "rdf"):
        for item in root.iter():
            if isinstance(item.tag, str) and etree.QName(item).localname.lower() == "item":
                for sub in item:
                    if isinstance(sub.tag, str) and etree.QName(sub).localname.lower() == "link" and sub.text:
                        links.append(sub.text.strip())
        return links
    if tag == "feed":
        for entry in root:
            if isinstance(entry.tag, str) and etree.QName(entry).localname.lower() == "entry":
                for sub in entry:
                    if isinstance(sub.tag, str) and etree.QName(sub).localname.lower() == "link":
                        rel = sub.get("rel", "alternate")
                        if rel == "alternate" and sub.get("href"):
                            links.append(sub.get("href").strip())
        return links
    return None


def _xml_root(data: bytes):
    head = data.lstrip()[:200].lower()
    if not head.startswith(b"<?xml") and not head.startswith(b"<rss") and not head.startswith(b"<feed") \
            and not head.startswith(b"<urlset") and not head.startswith(b"<sitemapindex"):
        return None
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
        root = etree.fromstring(data.lstrip(), parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root


# --- HTML pages ----------------------------------------------------------------------

@dataclass(slots=True)
class PageLinks:
    links: list[str]          # absolute hrefs of <a>, in page order, unique
    feeds: list[str]          # <link rel="alternate" type="application/rss+xml|atom+xml">
    canonical: str | None     # <link rel="canonical">
    next_pages: list[str]     # <link rel="next"> / <a rel="next">
    nofollow: bool = False    # <meta name="robots" content="nofollow">


def extract_links(html_text: str, base_url: str) -> PageLinks:
    """Every outlink of an HTML page, absolute, in order (not yet canonical)."""
    try:
        doc = lxml_html.fromstring(html_text) if html_text.strip() else None
    except (etree.ParserError, ValueError):
        doc = None
    if doc is None:
        return PageLinks([], [], None, [])
    base = base_url
    for b in doc.xpath("//base[@href]"):
        base = urljoin(base_url, b.get("href").strip())
        break
    seen: set[str] = set()
    links, feeds, nexts = [], [], []
    canonical = None
    nofollow = False
    for meta in doc.xpath("//meta[@name]"):
        if meta.get("name", "").lower() == "robots" and "nofollow" in meta.get("content", "").lower():
            nofollow = True
    for link in doc.xpath("//link[@href]"):
        rel = {r.lower() for r in (link.get("rel") or "").split()}
        href = urljoin(base, link.get("href").strip())
        if "canonical" in rel and canonical is None:
            canonical = href
        elif "alternate" in rel and (link.get("type") or "").lower() in (
                "application/rss+xml", "application/atom+xml"):
            feeds.append(href)
        elif "next" in rel:
            nexts.append(href)
    for a in doc.xpath("//a[@href]"):
        raw = a.get("href").strip()
        if not raw or raw.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        href = urljoin(base, raw)
        if "next" in (a.get("rel") or "").lower().split():
            nexts.append(href)
        if href not in seen:
            seen.add(href)
            links.append(href)
    return PageLinks(links, feeds, canonical, nexts, nofollow)


# --- trap guards -------------------------------------------------------------------

def link_signature(links: list[str], own_template: str) -> str:
    """A digest of a page's links that are not of its own shape.

    Two pages of one pager or calendar with the same signature show nothing
    new (an empty page past the end, a month without events): the crawler
    stops following that shape from there.
    """
    others = sorted({u for u in links if url_template(u) != own_template})
    return hashlib.sha1("\n".join(others).encode("utf-8")).hexdigest()


# URLs no site needs for an article: Heritrix refuses URLs over 2,083 characters (the old browser
# limit); query strings of dozens of parameters are filters stacked on filters.
MAX_URL_CHARS = 2083
MAX_QUERY_PARAMS = 30
# A path segment written three times over (`/a/a/a/`, `/tin-tuc/x/tin-tuc/x/tin-tuc/`): a relative link
# resolved against itself again and again (Heritrix's repeating-path rule).  No CMS names its articles so.
MAX_SEGMENT_REPEATS = 2


def url_too_long(url: str) -> str | None:
    """Why ``url`` is past the URL limits, or None."""
    if len(url) > MAX_URL_CHARS:
        return f"longer than {MAX_URL_CHARS:,} characters"
    parts = urlsplit(url)
    if len(parse_qsl(parts.query, keep_blank_values=True)) > MAX_QUERY_PARAMS:
        return f"more than {MAX_QUERY_PARAMS} query parameters"
    segments = [seg for seg in parts.path.split("/") if any(c.isalpha() for c in seg)]  # (not dates, ids)
    if segments and max(Counter(segments).values()) > MAX_SEGMENT_REPEATS:
        return f"a path segment repeated more than {MAX_SEGMENT_REPEATS} times"
    return None


def query_grows(parent: str, child: str) -> bool:
    """Whether ``child`` is ``parent`` with its query string only lengthened.

    Same path, and every parameter the child has beyond the parent's is new,
    repeated, or a parent value with more appended (``?q=ab`` → ``?q=abc``,
    ``?q=ab&x=1``): a "related search" or "refine" link.  Numbers count as one
    shape, so ``?page=2`` → ``?page=3`` or ``?id=5`` → ``?id=57`` is a sibling,
    not growth.  Chains of such links are endless (each page offers longer
    ones) and none of the templates repeat, so the pager guards never see them.
    """
    a, b = urlsplit(parent), urlsplit(child)
    if a.netloc != b.netloc or a.path != b.path or not b.query:
        return False

    def pairs(query: str) -> list[tuple[str, str]]:
        return [(k, re.sub(r"\d+", "N", v)) for k, v in parse_qsl(query, keep_blank_values=True)]

    before, after = pairs(a.query), pairs(b.query)
    extra = list(after)
    for pair in before:
        if pair in extra:
            extra.remove(pair)
    if not extra:
        return False
    values: dict[str, list[str]] = {}
    for k, v in before:
        values.setdefault(k, []).append(v)
    return all(k not in values or any(v.startswith(old) for old in values[k]) for k, v in extra)


# --- URL spaces of tokens ------------------------------------------------------------
#
# Session ids and other random tokens in paths or query values make every link
# new: a site that puts a fresh token in each link is an endless URL space.
# A token is a long run of letters and digits with no separators that does not
# read as words: at least 16 characters (Liferay's stable 12-character portlet
# ids stay out) mixing letters and digits, or letters that do not split into
# Vietnamese syllables.

TOKEN_MIN_CHARS = 16
_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9_]+$")
_CAMEL_WORDS = re.compile(r"^(?:[A-Z][a-z]+)+$")
# An unaccented Vietnamese syllable: initial consonant(s), vowel nucleus, final.
_VI_SYLLABLES = re.compile(
    r"^(?:(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?(?:[aeiouy]{1,3})(?:ng|nh|ch|[cmnpt])?)+$")


def is_token(segment: str) -> bool:
    """Whether a path segment or query value looks like a session id / random token.

    >>> is_token("qhxkzmvwtrplbnfd"), is_token("thongtinkhoahoccongnghe"), is_token("tin-tuc-123")
    (True, False, False)
    """
    stem = segment.rsplit(".", 1)[0] if re.search(r"\.[a-z]{2,5}$", segment, re.I) else segment
    if len(stem) < TOKEN_MIN_CHARS or not _TOKEN_CHARS.match(stem) or stem.isdigit():
        return False
    letters = sum(c.isalpha() for c in stem)
    digits = sum(c.isdigit() for c in stem)
    if digits >= 2 and letters >= 2:
        return True
    if letters == 0:
        return False
    if _CAMEL_WORDS.match(stem):
        return False
    return not _VI_SYLLABLES.match(stem.lower().replace("_", ""))


def url_tokens(url: str) -> list[tuple[str, int, str]]:
    """The tokens of a URL as (prefix, position, token): what comes before them identifies their space."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    out = []
    for i, seg in enumerate(segments):
        if is_token(unquote(seg)):
            out.append((parts.netloc + "/".join(segments[:i]), i, seg))
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if is_token(value):
            out.append((parts.netloc + parts.path + "?" + key, -1, value))
    return out


def token_siblings(url: str, links: list[str]) -> set[str]:
    """Tokens that ``links`` put where ``url`` has its own, other than its own.

    A page whose links replace its token by another one is inside a token
    URL space (a session id re-issued on every page): it is not an article,
    and those links lead only to more of the same.
    """
    own = {(prefix, pos): tok for prefix, pos, tok in url_tokens(url)}
    if not own:
        return set()
    others = set()
    for link in links:
        for prefix, pos, tok in url_tokens(link):
            if (prefix, pos) in own and own[(prefix, pos)] != tok:
                others.add(tok)
    return others
