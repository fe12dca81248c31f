"""The HTTP session: politeness per host, retries, limits, charsets.

One ``requests.Session`` for the whole crawl.  What happens around each request
is a short ordered list of hooks, in the manner of scrapy's downloader
middlewares: each has ``process_request`` (may answer instead of the network,
as robots does for a disallowed URL) and ``process_response``, each can be
tested alone, and a crawl can run without any of them.

The body is read raw (``decode_content=False``) so that the archive keeps the
bytes the server sent; decoding for parsing happens in ``Exchange.text()``.

    fetcher = Fetcher(Settings())
    exchange = fetcher.fetch(FetchRequest("http://127.0.0.1:8000/"))
    exchange.status, exchange.text()
"""
from __future__ import annotations

import codecs
import http.client
import logging
import re
import socket
import threading
import time
import unicodedata
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Protocol
from urllib.parse import urljoin, urlsplit

import requests
from charset_normalizer import from_bytes
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError as Urllib3Error, MaxRetryError, NewConnectionError, ReadTimeoutError
from urllib3.util.retry import Retry

from pipeline.discover import Robots, host_key
from pipeline.settings import Settings

log = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)
DECODED_LIMIT = 64 * 1024 * 1024       # a last guard; the fetcher's own limit is max_body_bytes
HTML_TYPES = ("text/html", "application/xhtml+xml")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)


# --- the typed values ----------------------------------------------------------

@dataclass(slots=True)
class FetchRequest:
    url: str
    etag: str | None = None              # validators of the copy we hold: conditional request
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    skip_robots: bool = False            # robots.txt itself


@dataclass(slots=True)
class Exchange:
    """One fetch: what was sent, what came back (bytes as sent), and when."""
    url: str
    status: int = 0
    reason: str = ""
    http_version: str = "HTTP/1.1"
    request_line: str = ""
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""                    # as received (content-encoding kept)
    truncated: bool = False              # stopped before the end (see truncated_reason)
    # WARC-Truncated: "length" (max_body_bytes, decoded), "time" (max_response_seconds) or
    # "disconnect" (the server closed the connection before the end it announced; ``error`` says so)
    truncated_reason: str = ""
    fetched_at: str = ""                 # ISO 8601 UTC, when the response started
    elapsed: float = 0.0
    # why the URL failed, in words; with a status the answer (cut short, a broken redirect) is
    # still archived, without one nothing usable came back
    error: str | None = None
    blocked: str | None = None           # "robots": not fetched
    # Answers that were retried (a 503, a 429…), oldest first: the archive keeps
    # them too, so it shows the server's errors and not only the final answer.
    earlier: list["Exchange"] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    @property
    def ok(self) -> bool:
        return self.error is None and self.blocked is None and self.status > 0

    @property
    def content_type(self) -> str:
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    @property
    def location(self) -> str | None:
        got = self.header("Location")
        if got is not None and not got.isascii():
            # header values are bytes that the standard library reads as Latin-1; an old CMS writes a
            # Vietnamese path as raw UTF-8 and means that text, as browsers and requests read it
            try:
                got = got.encode("latin-1").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                pass
        return got

    def is_html(self) -> bool:
        ctype = self.content_type
        if ctype:
            return ctype in HTML_TYPES
        return self.decoded_body()[:1024].lstrip().lower().startswith((b"<!doctype html", b"<html"))

    def decoded_body(self, limit: int = DECODED_LIMIT) -> bytes:
        """The payload with Content-Encoding (gzip, deflate) undone, at most ``limit`` bytes.

        The limit matters for bodies not read by ``Fetcher`` (a WARC record,
        a test): a megabyte of gzip can unpack to gigabytes.
        """
        encoding = (self.header("Content-Encoding") or "").lower().strip()
        if encoding in ("gzip", "x-gzip", "deflate"):
            for wbits in _wbits_for(encoding):
                try:
                    return zlib.decompressobj(wbits).decompress(self.body, limit)
                except zlib.error:
                    continue
            return self.body[:limit]
        return self.body[:limit]

    def text(self) -> str:
        return decode_html(self.decoded_body(), self.header("Content-Type"))

    def page_text(self) -> tuple[str | None, str | None]:
        """(text, None) for a page that is text; (None, reason) for bytes that are not.

        The reason is one line: binary bytes served as HTML, or bytes that are
        not in the charset the page declares.
        """
        return decode_checked(self.decoded_body(), self.header("Content-Type"))


def _wbits_for(encoding: str) -> tuple[int, ...]:
    # "deflate" is zlib-wrapped by the RFC, raw deflate by some servers: try both
    return (zlib.MAX_WBITS | 32,) if encoding != "deflate" else (zlib.MAX_WBITS, -zlib.MAX_WBITS)


class DecodedCounter:
    """Counts the bytes a Content-Encoded body unpacks to, chunk by chunk, without keeping them.

    The fetcher keeps the bytes as sent (for the WARC) but its size limit is
    on what they unpack to: a 1 MB gzip can hold 1 GiB of zeros.  Output is
    produced a megabyte at a time and dropped, so memory stays flat.
    """
    STEP = 1024 * 1024

    def __init__(self, encoding: str | None):
        encoding = (encoding or "").lower().strip()
        self.candidates = list(_wbits_for(encoding)) if encoding in ("gzip", "x-gzip", "deflate") else []
        self.seen = b""                 # kept only until the first chunk decodes (deflate flavour)
        self.obj = None
        self.size = 0
        self.broken = False

    def feed(self, chunk: bytes) -> int:
        """Add raw bytes; returns the decoded size so far."""
        if not self.candidates and self.obj is None:
            self.size += len(chunk)
            return self.size
        if self.broken:
            return self.size
        if self.obj is None:
            self.seen += chunk
            while self.candidates:
                self.obj = zlib.decompressobj(self.candidates[0])
                try:
                    self._drain(self.seen)
                    break
                except zlib.error:
                    self.candidates.pop(0)
                    self.obj, self.size = None, 0
            if self.obj is None:
                self.broken = True      # not what it says: count nothing more, the raw limit still holds
            self.seen = b""
            return self.size
        try:
            self._drain(chunk)
        except zlib.error:
            self.broken = True
        return self.size

    def _drain(self, data: bytes) -> None:
        out = self.obj.decompress(data, self.STEP)
        self.size += len(out)
        while self.obj.unconsumed_tail:
            out = self.obj.decompress(self.obj.unconsumed_tail, self.STEP)
            self.size += len(out)


def decode_checked(body: bytes, content_type: str | None = None) -> tuple[str | None, str | None]:
    """Bytes → NFC text, or (None, why) when the bytes are not text in any charset we can trust.

    Binary bytes (random data, an image) served as ``text/html`` have NUL and
    control bytes no text has.  A page whose bytes are not valid in the
    charset it declares (a UTF-8 label on windows-1258 bytes) would be stored
    as replacement characters: refused too, the WARC keeps the bytes.
    """
    declared = _declared_charset(body, content_type)
    if declared in _WIDE_CHARSETS and _wide_bom(body, declared):
        # UTF-16 and UTF-32 text is full of NUL bytes: the test for binary is on what they decode to
        bom, codec = _wide_bom(body, declared)
        try:
            text = body[len(bom):].decode(codec)
        except UnicodeDecodeError as exc:
            return None, f"the bytes are not {declared} as the page declares (invalid byte at {exc.start + len(bom)})"
        if _looks_binary(text[:200_000]):
            return None, "the body is binary, not text"
        return unicodedata.normalize("NFC", text), None
    if _looks_binary(body[:200_000]):
        return None, "the body is binary, not text"
    if declared is not None:
        try:
            body.decode(declared)
        except UnicodeDecodeError as exc:
            if not _is_utf8_with_non_ascii(body):
                return None, f"the bytes are not {declared} as the page declares (invalid byte at {exc.start})"
    return decode_html(body, content_type), None


_CONTROL_BYTES = [b for b in range(32) if b not in (9, 10, 12, 13)] + [127]
_WIDE_CHARSETS = {"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"}
# UTF-32's little-endian BOM begins with UTF-16's: the longer ones are tried first
_WIDE_BOMS = [(codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
              (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]


def _looks_binary(sample: bytes | str) -> bool:
    """NUL, or more than 1 % control characters: no text has them (an image, random bytes do)."""
    if not sample:
        return False
    units = sample if isinstance(sample, bytes) else sample.encode("latin-1", "replace")
    controls = sum(units.count(bytes([b])) for b in _CONTROL_BYTES)
    return b"\x00" in units or controls / len(units) > 0.01


def _wide_bom(body: bytes, declared: str) -> tuple[bytes, str] | None:
    """The byte-order mark a UTF-16 or UTF-32 body starts with, if of the family it declares, and its codec."""
    for bom, codec in _WIDE_BOMS:
        if body.startswith(bom):
            return (bom, codec) if codec[:6] == declared[:6] else None
    return None


def _declared_charset(body: bytes, content_type: str | None) -> str | None:
    if content_type:
        m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_:.-]+)", content_type, re.I)
        if m:
            return _codec(m.group(1))
    m = _META_CHARSET.search(body[:4096])
    if m:
        return _codec(m.group(1).decode("ascii", "ignore"))
    return None


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Bytes → NFC text: charset from the HTTP header, then ``<meta>``, then guessed.

    NFC because legacy Vietnamese charsets (windows-1258, VNI) and some CMS
    editors write tone marks as combining characters.
    """
    encoding = None
    if content_type:
        m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_:.-]+)", content_type, re.I)
        if m:
            encoding = _codec(m.group(1))
    if encoding is None:
        m = _META_CHARSET.search(body[:4096])
        if m:
            encoding = _codec(m.group(1).decode("ascii", "ignore"))
    if encoding is not None and encoding not in _UTF8 and _is_utf8_with_non_ascii(body):
        # Servers and templates left at their default (Apache's ISO-8859-1,
        # an old windows-1258 theme) label UTF-8 pages wrongly; valid
        # multi-byte UTF-8 is almost never an accident.
        encoding = "utf-8"
    if encoding is None:
        if body.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        else:
            try:
                body.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError:
                best = from_bytes(body[:200_000]).best()
                encoding = best.encoding if best else "utf-8"
    return unicodedata.normalize("NFC", body.decode(encoding, errors="replace"))


_UTF8 = {"utf-8", "utf-8-sig"}


def _is_utf8_with_non_ascii(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not body.isascii()


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None


# --- connections that can be cut at a deadline -------------------------------------
#
# The read timeout is per read: a server sending its status line or headers a
# byte at a time never trips it.  Each fetch has a deadline; a timer cuts the
# socket its thread is using when the deadline passes (a shutdown wakes the
# blocked read), and a connection asked to send after the deadline (urllib3
# retrying) refuses at once.

_CURRENT: dict[int, "HTTPConnection"] = {}     # thread id → connection of its request in flight
_DEADLINES: dict[int, float] = {}              # thread id → monotonic deadline of its fetch


class _DeadlineAware:
    def request(self, *args, **kwargs):
        tid = threading.get_ident()
        deadline = _DEADLINES.get(tid)
        if deadline is not None and time.monotonic() > deadline:
            raise NewConnectionError(self, "past the response deadline")
        _CURRENT[tid] = self
        return super().request(*args, **kwargs)


class _DeadlineHTTPConnection(_DeadlineAware, HTTPConnection):
    pass


class _DeadlineHTTPSConnection(_DeadlineAware, HTTPSConnection):
    pass


class _DeadlineHTTPPool(HTTPConnectionPool):
    ConnectionCls = _DeadlineHTTPConnection


class _DeadlineHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _DeadlineHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections ``Fetcher`` can cut when a response takes too long."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _DeadlineHTTPPool, "https": _DeadlineHTTPSPool}


class _Deadline:
    """The fetch's clock, in the fetching thread: ``expired`` once the connection was cut."""

    def __init__(self, seconds: float):
        self.tid = threading.get_ident()
        self.seconds = seconds
        self.expired = threading.Event()
        _DEADLINES[self.tid] = time.monotonic() + seconds
        self.timer = threading.Timer(seconds, self._cut)
        self.timer.daemon = True
        self.timer.start()

    def _cut(self) -> None:
        self.expired.set()
        sock = getattr(_CURRENT.get(self.tid), "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        self.timer.cancel()
        _DEADLINES.pop(self.tid, None)
        _CURRENT.pop(self.tid, None)


# --- hooks -------------------------------------------------------------------

class Hook(Protocol):
    def process_request(self, request: FetchRequest, session: requests.Session) -> Exchange | None: ...
    def process_response(self, request: FetchRequest, exchange: Exchange) -> Exchange: ...


class BaseHook:
    enabled = True

    def process_request(self, request: FetchRequest, session: requests.Session) -> Exchange | None:
        return None

    def process_response(self, request: FetchRequest, exchange: Exchange) -> Exchange:
        return exchange


class UserAgentHook(BaseHook):
    """A descriptive User-Agent with a contact URL on every request."""

    def __init__(self, user_agent: str):
        self.user_agent = user_agent

    def process_request(self, request, session):
        request.headers.setdefault("User-Agent", self.user_agent)
        return None


class RobotsHook(BaseHook):
    """Answers 'blocked' for URLs robots.txt disallows for our agent.

    ``rules`` is filled by whoever fetched robots.txt (the crawler archives
    it); a host not yet known is looked up through the session.
    """

    def __init__(self, user_agent: str, timeout: tuple[float, float] = (10, 30)):
        self.user_agent = user_agent
        self.timeout = timeout
        self.rules: dict[str, Robots] = {}
        self._lock = threading.Lock()
        # The crawler fetches every robots.txt itself (archived, polite, its
        # redirects followed as fetches of their own) before a host's pages:
        # it switches this off so that nothing is ever fetched behind its back.
        self.fetch_missing = True

    def set_rules(self, host: str, robots_txt: str | None) -> Robots:
        robots = Robots.parse(robots_txt, self.user_agent)
        with self._lock:
            self.rules[host] = robots
        return robots

    def robots_for(self, url: str, session: requests.Session | None = None) -> Robots:
        host = host_key(url)
        with self._lock:
            known = self.rules.get(host)
        if known is not None:
            return known
        text = None
        if session is not None and self.fetch_missing:
            scheme = url.split(":", 1)[0]
            try:
                resp = session.get(f"{scheme}://{host}/robots.txt", timeout=self.timeout,
                                   headers={"User-Agent": self.user_agent})
                if resp.status_code == 200:
                    text = resp.text
            except requests.RequestException:
                text = None
        return self.set_rules(host, text)

    def process_request(self, request, session):
        if request.skip_robots:
            return None
        if not self.robots_for(request.url, session).allowed(request.url):
            return Exchange(url=request.url, blocked="robots")
        return None


class ConditionalHook(BaseHook):
    """If-None-Match / If-Modified-Since from the copy we already hold."""

    def process_request(self, request, session):
        if request.etag:
            request.headers["If-None-Match"] = request.etag
        if request.last_modified:
            request.headers["If-Modified-Since"] = request.last_modified
        return None


class PoliteRetry(Retry):
    """urllib3 Retry that never retries sooner than the host's delay.

    urllib3 2 retries the first failure with no backoff at all; a 503 followed
    at once by a second request would break the host's Crawl-delay.  A
    Retry-After beyond ``max_retry_after`` is not waited for: the URL is
    given up for this run.
    """
    min_backoff = 0.0
    max_retry_after = 120.0

    def get_backoff_time(self) -> float:
        return max(self.min_backoff, super().get_backoff_time())

    def sleep_for_retry(self, response=None) -> bool:
        retry_after = self.get_retry_after(response) if response is not None else None
        if retry_after is not None:
            time.sleep(max(retry_after, self.min_backoff))
            return True
        return False

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if error is not None and headers_too_large(error):
            # the same headers would come again: asking again only costs the host
            raise MaxRetryError(_pool, url, error)
        if response is not None:
            retry_after = self.get_retry_after(response)
            if retry_after is not None and retry_after > self.max_retry_after:
                raise MaxRetryError(_pool, url, f"Retry-After {retry_after:.0f}s is too long")
        return super().increment(method, url, response, error, _pool, _stacktrace)


class RetryHook(BaseHook):
    """Mounts, per host, an adapter whose Retry waits at least the host's delay."""

    def __init__(self, settings: Settings, delay_for: Callable[[str], float]):
        self.settings = settings
        self.delay_for = delay_for
        self._mounted: dict[str, float] = {}
        self._lock = threading.Lock()

    def make_retry(self, delay: float) -> Retry:
        cls = type("HostRetry", (PoliteRetry,), {"min_backoff": delay,
                                                 "max_retry_after": self.settings.max_retry_after})
        # Only connections and reads are retried inside urllib3 (nothing came
        # back to archive); an answer such as a 503 is retried by the Fetcher,
        # which hands every answer to the archive.
        return cls(total=self.settings.retries, connect=self.settings.retries, read=self.settings.retries,
                   status=0, backoff_factor=self.settings.backoff_factor,
                   status_forcelist=(), allowed_methods=frozenset({"GET", "HEAD"}),
                   respect_retry_after_header=True, raise_on_status=False, raise_on_redirect=False,
                   redirect=0)

    def process_request(self, request, session):
        host = host_key(request.url)
        delay = self.delay_for(host)
        with self._lock:
            if self._mounted.get(host) != delay:
                prefix = request.url.split("://", 1)[0] + "://" + host + "/"
                session.mount(prefix, DeadlineAdapter(max_retries=self.make_retry(delay), pool_maxsize=2))
                self._mounted[host] = delay
        return None


class FetchCancelled(Exception):
    """A request given up before it was sent, because the crawl is stopping: its URL stays queued."""


class PolitenessHook(BaseHook):
    """At most one request at a time per host, and at least ``delay_for(host)`` between them.

    The gap runs from the end of one response to the start of the next request.
    """

    def __init__(self, delay_for: Callable[[str], float], stop: threading.Event | None = None):
        self.delay_for = delay_for
        # set when the crawl is asked to stop: a host's wait (a Crawl-delay may be hours) ends then
        self.stop = stop if stop is not None else threading.Event()
        self.last_end: dict[str, float] = {}
        self.waiting: dict[str, float] = {}       # host → seconds it is currently waiting
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _host_lock(self, host: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(host, threading.Lock())

    def process_request(self, request, session):
        host = host_key(request.url)
        self._host_lock(host).acquire()
        last = self.last_end.get(host)
        if last is not None:
            wait = last + self.delay_for(host) - time.monotonic()
            if wait > 0:
                self.waiting[host] = wait
                stopped = self.stop.wait(wait)
                self.waiting.pop(host, None)
                if stopped:
                    self._host_lock(host).release()
                    raise FetchCancelled(request.url)
        return None

    def process_response(self, request, exchange):
        host = host_key(request.url)
        self.last_end[host] = time.monotonic()
        lock = self._host_lock(host)
        if lock.locked():
            lock.release()
        return exchange


# --- the fetcher ----------------------------------------------------------------

class _Session(requests.Session):
    """A session that leaves redirects to the crawl, even in what it prepares.

    With ``allow_redirects=False`` requests still works out the next request
    (``Response.next``): it reads the whole 3xx body first, with no size limit
    and before the fetcher can keep it, and a Location it cannot parse
    (``http://[::1:bad/x``) raises, losing the answer.  Each hop is an exchange
    of the crawl's own, so nothing needs that next request.
    """

    def resolve_redirects(self, resp, req, *args, yield_requests: bool = False, **kwargs):
        if yield_requests:
            return iter(())
        return super().resolve_redirects(resp, req, *args, **kwargs)


class Fetcher:
    """One session, its hooks, and the body limits."""

    def __init__(self, settings: Settings, hooks: list | None = None):
        self.settings = settings
        self.session = _Session()
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, DeadlineAdapter())
        self.session.headers.update({
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Encoding": "gzip, deflate",
            "Accept-Language": "vi,en;q=0.5",
        })
        self.stop = threading.Event()  # set by the crawl on Ctrl-C: requests still waiting are given up
        if hooks is None:
            self.robots = RobotsHook(settings.user_agent, self.timeout)
            hooks = default_hooks(settings, self.robots, self.stop)
        else:
            self.robots = next((h for h in hooks if isinstance(h, RobotsHook)), None)
        self.hooks = hooks

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.settings.connect_timeout, self.settings.read_timeout)

    def delay_for(self, host: str) -> float:
        return effective_delay(self.settings, self.robots, host)

    def fetch(self, request: FetchRequest) -> Exchange:
        """Run the hooks, fetch (no redirects followed: each hop is its own exchange)."""
        done: list = []
        exchange: Exchange | None = None
        for hook in self.hooks:
            if not getattr(hook, "enabled", True):
                continue
            exchange = hook.process_request(request, self.session)
            done.append(hook)
            if exchange is not None:
                break
        if exchange is None:
            try:
                exchange = self._download_with_retries(request)
            except Exception as exc:  # never leave a hook (the host's politeness slot) hanging
                exchange = Exchange(url=request.url, error=failure_reason(exc))
        for hook in reversed(done):
            exchange = hook.process_response(request, exchange)
        return exchange

    def _download_with_retries(self, request: FetchRequest) -> Exchange:
        """Download; an answer in ``RETRY_STATUSES`` is kept in ``earlier`` and asked again.

        The wait before a retry is the longest of the host's delay, the
        exponential backoff and the answer's Retry-After; a Retry-After beyond
        ``max_retry_after`` is not waited for (that answer is the result).
        """
        earlier: list[Exchange] = []
        exchange = self._download(request)
        while exchange.status in RETRY_STATUSES and len(earlier) < self.settings.retries:
            wait = self.retry_wait(request.url, exchange, len(earlier))
            if wait is None:
                break
            earlier.append(exchange)
            time.sleep(wait)
            exchange = self._download(request)
        exchange.earlier = earlier
        return exchange

    def retry_wait(self, url: str, exchange: Exchange, attempt: int) -> float | None:
        """Seconds to wait before asking again, or None to give up."""
        wait = max(self.delay_for(host_key(url)), self.settings.backoff_factor * (2 ** attempt) if attempt else 0.0)
        retry_after = _retry_after(exchange.header("Retry-After"))
        if retry_after is not None:
            if retry_after > self.settings.max_retry_after:
                return None
            wait = max(wait, retry_after)
        return wait

    def _download(self, request: FetchRequest) -> Exchange:
        deadline = _Deadline(self.settings.max_response_seconds)
        try:
            return self._download_before(request, deadline)
        finally:
            deadline.close()

    def _download_before(self, request: FetchRequest, deadline: _Deadline) -> Exchange:
        started = time.monotonic()
        # The WARC-Date of the records of this exchange, and the document's fetched_at.
        fetched_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        exchange = Exchange(url=request.url, fetched_at=fetched_at)
        try:
            resp = self.session.get(request.url, headers=request.headers, stream=True,
                                    allow_redirects=False, timeout=self.timeout)
        except requests.RequestException as exc:
            if deadline.expired.is_set():
                exchange.error = f"no complete answer within {deadline.seconds:g} s (max_response_seconds)"
            elif isinstance(exc, requests.exceptions.RetryError):
                exchange.error = f"gave up after retries: {_short(exc)}"
            else:
                exchange.error = failure_reason(exc)
            exchange.elapsed = time.monotonic() - started
            return exchange
        try:
            prepared = resp.request
            exchange.request_line = f"{prepared.method} {prepared.path_url} HTTP/1.1"
            host = host_key(request.url)
            exchange.request_headers = [("Host", host)] + [(k, v) for k, v in prepared.headers.items()]
            exchange.status = resp.status_code
            exchange.reason = resp.reason or ""
            exchange.http_version = "HTTP/1.0" if getattr(resp.raw, "version", 11) == 10 else "HTTP/1.1"
            original = getattr(resp.raw, "_original_response", None)
            if original is not None:
                exchange.headers = [(k, v) for k, v in original.msg.items()]
            else:
                exchange.headers = list(resp.headers.items())
            exchange.body, exchange.truncated_reason = self._read_body(resp, started, deadline)
            # A cut body fails only an answer whose body is the point (2xx); a 404 page, a redirect's or a
            # robots.txt 4xx's body cut short is archived truncated, and the status says what happened
            cut_matters = 200 <= exchange.status < 300
            if exchange.truncated_reason == "stalled":
                # WARC 1.1 has no word for a read timeout; "time" is the nearest of its four
                exchange.truncated_reason = "time"
                if cut_matters:
                    exchange.error = (f"no data for {self.settings.read_timeout:g} s (read_timeout) after "
                                      f"{len(exchange.body):,} bytes of the body")
            elif exchange.truncated_reason == "disconnect" and cut_matters:
                exchange.error = _cut_short(exchange)
            elif 300 <= exchange.status < 400 and not _valid_location(request.url, exchange.location):
                exchange.error = "redirect with an invalid Location header"
            exchange.truncated = bool(exchange.truncated_reason)
        except Exception as exc:  # reading the answer failed (a bug keeps its exception's name)
            exchange.error = failure_reason(exc)
        finally:
            resp.close()
        exchange.elapsed = time.monotonic() - started
        return exchange

    def _read_body(self, resp: requests.Response, started: float,
                   clock: _Deadline | None = None) -> tuple[bytes, str]:
        """(bytes as sent, "" | "length" | "time" | "disconnect" | "stalled": no data within the read timeout).

        Two limits a hostile server cannot stretch: ``max_body_bytes`` on what
        the body *unpacks* to (counted while streaming), and
        ``max_response_seconds`` on the whole response — the read timeout
        alone is per read, so a server sending a byte a second would hold the
        host's slot for ever.  ``read1`` returns whatever has arrived, so the
        clock is checked at least once per read timeout, and ``clock`` cuts a
        read still blocked at the deadline.  A connection that breaks before
        the end the answer announced (its Content-Length, its last chunk) keeps
        what came: "disconnect", as WARC 1.1 names that cut.
        """
        limit = self.settings.max_body_bytes
        counter = DecodedCounter(resp.headers.get("Content-Encoding"))
        chunks, size = [], 0
        cut = clock.expired if clock is not None else threading.Event()
        ends = started + self.settings.max_response_seconds
        while True:
            if time.monotonic() > ends or cut.is_set():
                return b"".join(chunks), "time"
            try:
                chunk = resp.raw.read1(64 * 1024, decode_content=False)
            except (OSError, Urllib3Error, http.client.HTTPException) as exc:  # the network, not a bug
                if cut.is_set():        # the deadline cut the connection under the read
                    return b"".join(chunks), "time"
                if any(isinstance(e, (TimeoutError, socket.timeout, ReadTimeoutError)) for e in _causes(exc)):
                    return b"".join(chunks), "stalled"
                return b"".join(chunks), "disconnect"
            if not chunk:
                return b"".join(chunks), "time" if cut.is_set() else ""
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                # stop reading: the rest would be thrown away anyway
                return b"".join(chunks)[:limit], "length"
            if counter.feed(chunk) > limit:
                return b"".join(chunks), "length"

    def close(self) -> None:
        self.session.close()


def effective_delay(settings: Settings, robots: RobotsHook | None, host: str) -> float:
    """max(robots Crawl-delay for our agent, --delay)."""
    delay = settings.delay
    if robots is not None:
        rules = robots.rules.get(host)
        if rules is not None and rules.crawl_delay is not None:
            delay = max(delay, rules.crawl_delay)
    return delay


def default_hooks(settings: Settings, robots: RobotsHook, stop: threading.Event | None = None) -> list:
    """The order matters: robots before politeness (a blocked URL costs no wait)."""
    delay_for = lambda host: effective_delay(settings, robots, host)  # noqa: E731
    return [UserAgentHook(settings.user_agent), robots, ConditionalHook(),
            RetryHook(settings, delay_for), PolitenessHook(delay_for, stop)]


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _cut_short(exchange: Exchange) -> str:
    got = len(exchange.body)
    length = (exchange.header("Content-Length") or "").strip()
    if "chunked" in (exchange.header("Transfer-Encoding") or "").lower():
        return f"connection closed in the middle of the chunked body, after {got:,} bytes"
    if length.isdigit():
        return f"connection closed after {got:,} of {int(length):,} bytes"
    return f"connection broken after {got:,} bytes of the body"


def _valid_location(url: str, location: str | None) -> bool:
    """Whether a redirect's Location can be read as an address (a missing one is no redirect)."""
    if location is None:
        return True
    try:
        urlsplit(urljoin(url, location.strip())).port
    except ValueError:
        return False
    return True


def _causes(exc: BaseException):
    """``exc`` and what it wraps: urllib3 nests the real failure in ``reason`` and ``args``."""
    seen, todo = set(), [exc]
    while todo:
        e = todo.pop(0)
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [getattr(e, "reason", None), e.__cause__, e.__context__]
        todo += [a for a in getattr(e, "args", ()) if isinstance(a, BaseException)]


def _header_limit(e: BaseException) -> str | None:
    """Which of http.client's header limits ``e`` is (a line over 64 KiB, more than 100 lines), or None."""
    if isinstance(e, http.client.LineTooLong):
        return "a line of more than 65,536 bytes"
    if type(e) is http.client.HTTPException and "got more than" in str(e):
        return "more than 100 header lines"
    return None


def headers_too_large(exc: BaseException) -> bool:
    return any(_header_limit(e) for e in _causes(exc))


def failure_reason(exc: BaseException) -> str:
    """Why a request got no usable answer, in a few words (not urllib3's nested repr)."""
    for e in _causes(exc):
        limit = _header_limit(e)
        if limit:
            return f"response headers too large ({limit})"
        if isinstance(e, http.client.RemoteDisconnected):
            return "the server closed the connection without answering"
        if isinstance(e, http.client.BadStatusLine):
            return "not an HTTP answer (bad status line)"
        if isinstance(e, ConnectionRefusedError):
            return "connection refused"
        if isinstance(e, ConnectionResetError):
            return "connection reset by the server"
        if isinstance(e, socket.gaierror):
            return "host name not found"
    if isinstance(exc, (requests.RequestException, OSError, http.client.HTTPException, Urllib3Error)):
        return _short(exc)
    return f"{type(exc).__name__}: {_short(exc)}"      # not a network failure: a bug, named as one


def _short(exc: Exception) -> str:
    """One line: the innermost reason (urllib3 nests them deeply)."""
    text = str(exc)
    m = re.search(r"\[Errno -?\d+\] [^'\")]+|Connection refused|timed out|Name or service not known", text)
    if m:
        return m.group(0).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
