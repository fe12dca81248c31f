"""The crawl: seeds → discover → fetch → archive → article → store, resumable.

``provnews crawl URL... --out DIR`` writes ``DIR/warcs/*.warc.gz`` (+
``index.cdxj``) and the articles into ``DIR/corpus.sqlite``, where the frontier
tables live too.  Fetching runs in threads, one request at a time per host
(several hosts at once); everything that writes — WARC, store, frontier — runs
in the main thread, in the order ``frontier.py`` explains, so that a crawl
stopped at any moment resumes with the same command, and a later crawl of the
same site costs one conditional request per known page.

    crawler = Crawler(["http://127.0.0.1:8000/"], "corpus/crawl", Settings(delay=0.5))
    result = crawler.run()
"""
from __future__ import annotations

import logging
import signal
import sys
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from pipeline.archive import WarcArchive, only_warcinfo, payload_digest, truncate_to
from pipeline.discover import (
    COMMON_FEED_PATHS, Scope, TooLarge, canonicalize, extract_links, host_key, link_signature, parse_feed,
    parse_sitemap, query_grows, same_site, sitemap_problem, token_siblings, url_kind, url_template, url_too_long,
    url_tokens,
)
from pipeline.fetch import Exchange, FetchCancelled, Fetcher, FetchRequest, decode_html
from pipeline.frontier import Frontier, NewURL, QueuedURL
from pipeline.progress import CrawlCounts, Progress
from pipeline.records import Document, make_doc_id, source_of
from pipeline.settings import Settings

log = logging.getLogger(__name__)

WARC_SUBDIR = "warcs"
WARC_PREFIX = "provnews"
# RFC 9309: a crawler should follow at least five redirects for robots.txt.
ROBOTS_MAX_REDIRECTS = 5
# RFC 9309 §2.5: a crawler may stop parsing robots.txt after 500 KiB; what lies beyond is neither
# obeyed nor kept (a gzip bomb would otherwise put 64 MiB into the store for each such host).
ROBOTS_MAX_BYTES = 512 * 1024
# RFC 9309 §2.3.1.4: an unreachable robots.txt means complete disallow.
DISALLOW_ALL = "User-agent: *\nDisallow: /\n"
# Token URL spaces: new token values followed under one prefix before it counts as a trap.
MAX_TOKENS_PER_SPACE = 3
# Links that only lengthen their page's query string (discover.query_grows), followed this many in
# a row: a real site needs two or three (Default.aspx → ?tabid=5 → &ItemID=12), a "related search"
# trap offers a longer query on every page, each of a new template, for ever.
MAX_QUERY_GROWTH = 3
# Failed URLs named one per line as they happen; past this many a run with a dead section of a
# site would bury every other message, so the rest are only counted (the frontier keeps them all).
MAX_FAILURE_LINES = 20


class CrawlError(Exception):
    """A problem that stops the crawl before it starts (bad seed, unusable folder)."""


@dataclass
class CrawlResult:
    counts: CrawlCounts
    state: str                       # finished | paused | interrupted
    resumed: bool
    documents: int                   # in the store after the crawl
    warc_dir: Path
    store_path: Path
    seed_errors: list[str] = field(default_factory=list)
    recovered_bytes: int = 0


def check_seed(url: str) -> str:
    """The seed's canonical form, or CrawlError with a one-line reason."""
    canonical = canonicalize(url)
    if canonical is None or not urlsplit(canonical).hostname:
        raise CrawlError(f"invalid seed URL {url!r}: expected an http:// or https:// address")
    return canonical


def _hold_crawl_lock(out: Path):
    """An exclusive lock on ``out`` for this crawl: a second crawl into the same folder would fetch
    every URL again at the same time (twice the host's rate) and write duplicate WARC records."""
    import fcntl

    fh = open(out / ".crawl.lock", "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        raise CrawlError(f"{out}: another crawl is writing into this folder; wait for it to end "
                         "or give another --out") from None
    return fh


class Crawler:
    def __init__(self, seeds: list[str], out_dir: str | Path, settings: Settings,
                 progress: Progress | None = None):
        from pipeline.store import CorpusStore  # the store engineer's module

        self.seeds = [check_seed(s) for s in seeds]
        self.settings = settings
        self.out = Path(out_dir)
        if self.out.exists() and not self.out.is_dir():
            raise CrawlError(f"{self.out}: exists and is not a folder")
        self.out.mkdir(parents=True, exist_ok=True)
        self._lock = _hold_crawl_lock(self.out)
        self.progress = progress or Progress(quiet=True)
        self.scope = Scope.from_seeds(self.seeds, settings.allow_domains)
        self.store = CorpusStore(self.out)
        self.frontier = Frontier(self.store.path)
        self.fetcher = Fetcher(settings)
        self.fetcher.robots.fetch_missing = False    # every robots.txt is a fetch of the crawl's own
        self.warc_dir = self.out / WARC_SUBDIR
        self.archive = WarcArchive(self.warc_dir, prefix=WARC_PREFIX, max_bytes=settings.warc_max_bytes,
                                   info={"operator-agent": settings.user_agent,
                                         "robots": "obey", "seeds": " ".join(self.seeds)})
        self.counts = CrawlCounts()
        self.https_hosts = self.frontier.https_hosts()
        self.dead_hosts: dict[str, str] = {}
        self.stop_requested = False
        self._registered: set[str] = set()
        self.token_spaces: dict[tuple[str, int], set[str]] = {}
        self.growth_traps: set[str] = set()     # host + path of query-growth traps already named
        self.failures_named = self.failures_unnamed = 0

    # --- start ---------------------------------------------------------------------
    def recover(self) -> int:
        """Cut every WARC back to its committed size; drop files never committed."""
        committed = self.frontier.committed_warcs()
        removed = 0
        for warc in sorted(self.warc_dir.glob(f"{WARC_PREFIX}-*.warc.gz")):
            if warc.name in committed:
                cut = truncate_to(warc, committed[warc.name])
                if cut:
                    log.warning("%s: removed %d bytes written after the last commit", warc, cut)
                removed += cut
            elif only_warcinfo(warc):
                # created just before a crash, before its first commit: holds no fetch
                removed += warc.stat().st_size
                warc.unlink()
            else:
                log.warning("%s: not written by this crawl's frontier; left alone", warc)
        return removed

    def _seed_frontier(self) -> None:
        new = []
        for seed in self.seeds:
            new.extend(self._robots_for_new_host(host_key(seed), seed))
            new.append(NewURL(seed, host_key(seed), "page", "", None, url_template(seed), priority=1))
        self.frontier.add(new)
        # robots.txt already read in this run (a resumed run): rules from the frontier
        for host in {host_key(s) for s in self.seeds} | set(self.frontier.queued_hosts()):
            fetched, text = self.frontier.host_robots(host)
            if fetched:
                self.fetcher.robots.set_rules(host, text)

    def _robots_for_new_host(self, host: str, example_url: str) -> list[NewURL]:
        scheme = urlsplit(example_url).scheme
        robots_url = f"{scheme}://{host}/robots.txt"
        if self.frontier.known(robots_url):
            return []
        return [NewURL(robots_url, host, "robots", "P", None, None)]

    # --- the loop ------------------------------------------------------------------
    def run(self) -> CrawlResult:
        recovered = self.recover()
        self.scope.hosts.update(h for h in self.frontier.seed_redirect_hosts()
                                if any(same_site(h, host_key(s)) for s in self.seeds))
        run_id, resumed = self.frontier.start_run(self.seeds, lambda host: self.scope.allows(f"http://{host}/"),
                                                  refresh_after=self.settings.refresh_after)
        self._seed_frontier()
        state = "interrupted"      # unless the loop below ends normally
        fetches = 0
        inflight: dict[Future, QueuedURL] = {}
        busy: set[str] = set()
        pool = ThreadPoolExecutor(max_workers=max(1, self.settings.max_workers), thread_name_prefix="fetch")
        limit_hit = False
        try:
            while True:
                progressed = False
                if not self.stop_requested and not limit_hit:
                    for host in self.frontier.queued_hosts():
                        if host in busy or len(inflight) >= self.settings.max_workers:
                            continue
                        if self.settings.max_pages is not None and fetches + len(inflight) >= self.settings.max_pages:
                            limit_hit = True
                            break
                        item = self.frontier.next_for_host(host)
                        if item is None:
                            continue
                        if host in self.dead_hosts:
                            self.frontier.commit_fetch(item, state="failed",
                                                       error=f"not fetched: {self.dead_hosts[host]}")
                            self.failed(item, f"not fetched: {self.dead_hosts[host]}")
                            progressed = True
                            continue
                        busy.add(host)
                        inflight[pool.submit(self._fetch, item)] = item
                if not inflight:
                    if progressed:
                        continue
                    break
                done, _ = wait(list(inflight), timeout=0.3, return_when=FIRST_COMPLETED)
                for future in done:
                    item = inflight.pop(future)
                    busy.discard(item.host)
                    try:
                        exchange = future.result()
                    except FetchCancelled:  # never sent (the crawl is stopping): stays queued
                        continue
                    except Exception as exc:  # a bug in a hook must not lose the crawl
                        exchange = Exchange(url=item.url, error=f"{type(exc).__name__}: {exc}")
                    if exchange.blocked is None:
                        fetches += 1
                    self.handle(item, exchange)
                self.counts.queued = self.frontier.count_queued()
                self.counts.waits = dict(self.fetcher.hooks[-1].waiting) if self.fetcher.hooks else {}
                self.progress.update(self.counts)
            if self.stop_requested:
                state = "interrupted"
            elif self.frontier.count_queued():
                state = "paused"
            else:
                state = "finished"
        finally:
            pool.shutdown(wait=True)
            self.archive.close()
            self.frontier.end_run(state)
        if self.failures_unnamed:
            self.progress.message(
                f"provnews crawl: {self.failures_unnamed} more failed URL(s) not named above; all of them: "
                f"{failed_urls_command(self.out)}")
        self.counts.queued = self.frontier.count_queued()
        self.progress.finish(self.counts)
        result = CrawlResult(self.counts, state, resumed, self.store.count_documents(), self.warc_dir,
                             self.store.path, self._seed_errors(), recovered)
        return result

    def close(self) -> None:
        self.fetcher.close()
        self.frontier.close()
        self.store.close()
        self._lock.close()  # (closing the file lets the lock go)

    def _seed_errors(self) -> list[str]:
        errors = []
        for seed in self.seeds:
            row = self.frontier.conn.execute("SELECT state, status, error FROM crawl_urls WHERE url=?",
                                             (seed,)).fetchone()
            if row is not None and row["state"] == "failed":
                reason = row["error"] or f"HTTP {row['status']}"
                # a seed never requested (its host's robots.txt failed) says why, not "cannot fetch"
                errors.append(f"{seed}: {reason}" if reason.startswith("not fetched:") else
                              f"cannot fetch {seed}: {reason}")
        return errors

    def _fetch(self, item: QueuedURL) -> Exchange:
        request = FetchRequest(item.url, skip_robots=item.kind == "robots")
        if item.via:
            # where the link was found, as a browser would say: replay and WACZ
            # tools rebuild pages and their navigation from it
            request.headers["Referer"] = item.via
        if item.prior is not None:
            request.etag, request.last_modified = item.etag, item.last_modified
        return self.fetcher.fetch(request)

    # --- one result (main thread) ------------------------------------------------------
    def handle(self, item: QueuedURL, ex: Exchange) -> None:
        if ex.blocked:
            self.counts.blocked += 1
            self.frontier.commit_fetch(item, state="skipped", error="disallowed by robots.txt")
            return
        self.counts.fetched += 1
        if ex.error:
            self.failed(item, ex.error)
            robots = None
            if item.kind == "robots" and ex.status:
                # an answer that broke off: robots.txt is unreachable, not absent, and part of its
                # rules is not rules at all
                robots = (item.host, self._robots_unreachable(item, f"the connection broke off ({ex.error})"))
            elif item.kind == "robots":
                # the host does not answer at all: do not queue its pages for retries now; its pages
                # are failed for that reason, which names robots.txt, not them
                self.dead_hosts[item.host] = f"its host did not answer {item.url} ({ex.error})"
            warc_file = warc_end = None
            if ex.status:
                # an answer came, broken (cut short, an unreadable Location): the archive keeps it
                # as sent; the URL stays failed, so the next run asks again
                archived = self._archive(item, ex, None, {"via": item.via or "", "hopsFromSeed": item.hops or "-",
                                                          "fetchError": ex.error})
                warc_file, warc_end = archived.warc_file, archived.end
            elif ex.earlier:
                # answers came before the network failed (a 503, then nothing): keep them
                last = ex.earlier[-1]
                last.earlier = ex.earlier[:-1]
                archived = self._archive(item, last, None, {"via": item.via or "", "hopsFromSeed": item.hops or "-"})
                warc_file, warc_end = archived.warc_file, archived.end
            self.frontier.commit_fetch(item, state="failed", status=ex.status or None, error=ex.error,
                                       warc_file=warc_file, warc_end=warc_end, keep_capture=True, robots=robots)
            return

        prior = item.prior
        revisit = prior is not None and (
            ex.status == 304 or (ex.status == 200 and not ex.truncated and prior.payload_digest == payload_digest(ex.body)))
        new_urls: list[NewURL] = []
        outlinks: list[str] = []
        doc: Document | None = None
        robots = None
        https_host = None
        if revisit and item.kind == "robots":
            # unchanged robots.txt: the rules are the ones we kept
            text = self.frontier.host_robots(item.host)[1]
            self.fetcher.robots.set_rules(item.host, text)
            robots = (item.host, text)
        page_kind = None
        changed: list[tuple[str, str]] = []
        if not revisit:
            if 300 <= ex.status < 400 and ex.location and item.kind == "robots":
                robots = self._robots_redirect(item, ex, new_urls, outlinks)
            elif 300 <= ex.status < 400 and ex.location:
                target = canonicalize(urljoin(ex.url, ex.location), self.https_hosts)
                if target:
                    https_host = self._https_upgrade(item.url, target)
                    if set(item.hops) <= {"R"} and item.kind == "page" and not self.scope.allows(target):
                        if same_site(item.host, host_key(target)):
                            # a seed that moved (http → https, a www. host): its new host is the site
                            self.scope.hosts.add(host_key(target))
                        else:
                            # The seeds fix the scope: another host is recorded (this
                            # redirect is in the WARC) but not crawled unless allowed.
                            self.warn(item.url, f"redirects to {target}, another host: not followed "
                                                f"(add --allow-domain {urlsplit(target).hostname} to crawl it)")
                    if set(item.hops) <= {"R"} and item.kind == "page":
                        chain = self._redirect_chain(item)
                        if target in chain:
                            # the frontier drops a URL it knows without a word: the seed would just lead nowhere
                            self.warn(chain[0], f"redirect loop ({' → '.join(chain + [target])}): "
                                                "no page to crawl from this seed")
                    outlinks.append(target)
                    new_urls += self._enqueue(item, [target], hop="R", kind=item.kind, follow_template=True)
            elif item.kind == "robots":
                robots = self._robots(item, ex, new_urls)
            elif ex.status == 200 and item.kind == "sitemap":
                outlinks = self._sitemap(item, ex, new_urls, changed)
            elif ex.status == 200 and item.kind == "feed":
                outlinks = self._feed(item, ex, new_urls)
            elif ex.status == 200 and ex.truncated_reason == "length":
                # remembered, so that a re-crawl does not download it again in full
                page_kind = "oversized"
                self.warn(item.url, f"larger than {self.settings.max_body_bytes:,} bytes unpacked: archived "
                                    "truncated, not parsed, not fetched again")
            elif ex.status == 200 and ex.truncated_reason == "time":
                self.warn(item.url, f"still arriving after {self.settings.max_response_seconds:g} s: archived "
                                    "truncated, not parsed")
            elif ex.status == 200 and ex.is_html():
                doc, outlinks, page_kind = self._page(item, ex, new_urls)
        metadata = {"via": item.via or "", "hopsFromSeed": item.hops or "-",
                    "fetchTimeMs": str(int(ex.elapsed * 1000)), "outlink": outlinks}
        archived = self._archive(item, ex, prior, metadata)
        if doc is not None:
            doc.warc_file = f"{WARC_SUBDIR}/{archived.warc_file}"
            doc.warc_record_id = archived.record_id
            if self.store.add_document(doc):
                self.counts.stored += 1
        if archived.kind == "revisit":
            self.counts.revisits += 1
        # a robots.txt that is missing allows everything (RFC 9309); a feed or sitemap the crawl only
        # guessed at (none was announced) is simply not there
        ok = ex.status < 400 or (item.kind == "robots" and ex.status < 500) \
            or (ex.status in (404, 410) and _guessed(item))
        error = None if ok else f"HTTP {ex.status} {ex.reason}".strip()
        if ok and robots_cut(item, ex):
            # failed, and no validators kept: the next run asks for the whole file again
            ok, error = False, f"answer cut short ({ex.truncated_reason})"
        if not ok:
            self.failed(item, error)
        fresh = archived.kind == "response" and ex.status == 200 and ok
        self.frontier.commit_fetch(
            item, state="done" if ok else "failed", status=ex.status,
            error=error,
            etag=ex.header("ETag") if fresh or ex.status == 304 else None,
            last_modified=ex.header("Last-Modified") if fresh or ex.status == 304 else None,
            payload_digest=archived.payload_digest if fresh else None,
            warc_file=archived.warc_file, warc_record_id=archived.record_id if fresh else None,
            warc_date=archived.warc_date if fresh else None, warc_end=archived.end,
            doc_id=doc.doc_id if doc is not None else None, fetched_at=ex.fetched_at,
            new_urls=new_urls, robots=robots, https_host=https_host, keep_capture=not fresh, page_kind=page_kind,
            changed=changed)
        if https_host:
            self.https_hosts.add(https_host.split(":")[0])

    def failed(self, item: QueuedURL, reason: str) -> None:
        """Count a URL that failed and name it as it happens, up to MAX_FAILURE_LINES a run (the
        frontier keeps every failed URL with its error; the end of the run says how many went unnamed).

        Not named here: a seed (the end of the run names each failed seed) and a robots.txt (a 5xx
        was just explained by ``_robots``; a host that does not answer at all fails each of its
        URLs with the same reason, and those are named).
        """
        self.counts.errors += 1
        if item.kind == "robots" or item.url in self.seeds:
            return
        if self.failures_named < MAX_FAILURE_LINES:
            self.failures_named += 1
            self.warn(item.url, reason)
            return
        if not self.failures_unnamed:
            self.progress.message(f"provnews crawl: more than {MAX_FAILURE_LINES} URLs failed: the others "
                                  "are counted, not named one by one")
        self.failures_unnamed += 1

    def warn(self, url: str, reason: str) -> None:
        """One line on stderr (even when quiet) and in the log: what happened to which URL."""
        log.info("%s: %s", url, reason)
        self.progress.message(f"provnews crawl: {url}: {reason}")

    def _robots_redirect(self, item: QueuedURL, ex: Exchange, new_urls: list[NewURL],
                         outlinks: list[str]) -> tuple[str, str | None] | None:
        """robots.txt moved: fetch where it points, whatever the host, as a fetch of the crawl's own.

        The target is queued under the host whose rules it gives (so it comes
        before that host's pages) but fetched like any URL: in the WARC, with
        the target host's politeness wait.  Too many hops: no rules (allow).
        """
        target = canonicalize(urljoin(ex.url, ex.location))
        hops = item.hops + "R"
        if target is None or hops.count("R") > ROBOTS_MAX_REDIRECTS:
            self.warn(item.url, "robots.txt redirects too often or nowhere: treated as absent")
            self.fetcher.robots.set_rules(item.host, None)
            return item.host, None
        outlinks.append(target)
        if not self.frontier.known(target):
            new_urls.append(NewURL(target, item.host, "robots", hops, item.url, None, priority=0))
        return None

    def _archive(self, item: QueuedURL, ex: Exchange, prior, metadata: dict):
        name = self.archive.ensure_open()
        if name not in self._registered:
            self.frontier.register_warc(name, self.archive.position())
            self._registered.add(name)
        return self.archive.write(ex, prior, metadata)

    def _https_upgrade(self, url: str, target: str) -> str | None:
        a, b = urlsplit(url), urlsplit(target)
        if a.scheme == "http" and b.scheme == "https" and a.hostname == b.hostname and a.path == b.path:
            return b.netloc
        return None

    def _robots_unreachable(self, item: QueuedURL, why: str) -> str:
        """Complete disallow for ``item``'s host, this run (the next one asks again), said in one line."""
        self.warn(item.url, f"did not arrive whole: {why}: the whole host is treated as disallowed (RFC 9309)")
        self.fetcher.robots.set_rules(item.host, DISALLOW_ALL)
        return DISALLOW_ALL

    def _robots_text(self, item: QueuedURL, ex: Exchange) -> str:
        """The first ROBOTS_MAX_BYTES of robots.txt unpacked, up to its last whole line, said if longer."""
        body = ex.decoded_body(ROBOTS_MAX_BYTES + 1)
        if len(body) > ROBOTS_MAX_BYTES:
            body = body[:ROBOTS_MAX_BYTES]
            # a rule cut in half is another rule: up to the last line break (CR-only lines too), if any
            body = body[:max(body.rfind(b"\n"), body.rfind(b"\r")) + 1] or body
            self.warn(item.url, f"longer than {ROBOTS_MAX_BYTES:,} bytes unpacked: only its first "
                                f"{len(body):,} bytes are read (RFC 9309)")
        return decode_html(body, ex.header("Content-Type"))

    def _robots(self, item: QueuedURL, ex: Exchange, new_urls: list[NewURL]) -> tuple[str, str | None]:
        text = None
        if robots_cut(item, ex):
            text = self._robots_unreachable(
                item, f"still arriving after {self.settings.max_response_seconds:g} s (max_response_seconds)"
                if ex.truncated_reason == "time" else f"cut short ({ex.truncated_reason})")
        elif ex.status == 200:
            text = self._robots_text(item, ex)
        elif ex.status >= 500:
            text = DISALLOW_ALL
            self.warn(item.url, f"answered {ex.status}: the whole host is treated as disallowed (RFC 9309)")
        rules = self.fetcher.robots.set_rules(item.host, text)
        # item.host, not the URL's: a robots.txt reached by a redirect gives the rules of the host that redirected
        # (a Sitemap line should be absolute; a relative one, as some CMSs write, is read against robots.txt)
        sitemaps = [urljoin(item.url, u) for u in rules.sitemaps] or [
            f"{urlsplit(item.url).scheme}://{item.host}{GUESSED_SITEMAP_PATH}"]
        new_urls += self._enqueue(item, sitemaps, hop="X", kind="sitemap")
        return item.host, text

    def _sitemap(self, item: QueuedURL, ex: Exchange, new_urls: list[NewURL],
                 changed: list[tuple[str, str]]) -> list[str]:
        """Queue the sitemap's URLs; ``changed`` gets the known ones its ``lastmod`` dates after our copy."""
        limit = self.settings.max_body_bytes
        body = ex.decoded_body(limit)
        try:
            sitemap = parse_sitemap(body, limit)
        except TooLarge as exc:
            self.warn(item.url, f"sitemap {exc}: not read")
            return []
        if sitemap is None:
            # archived and done all the same: the rest of the site is still reachable by links and feeds
            self.warn(item.url, f"not an XML sitemap ({sitemap_problem(body, ex.content_type, limit)}): "
                                "no URLs taken from it")
            return []
        locs = [loc for loc, _ in sitemap.urls]
        kind = "sitemap" if sitemap.kind == "index" else None
        for loc, lastmod in sitemap.urls:
            modified = lastmod_utc(lastmod)
            url = canonicalize(loc, self.https_hosts)
            if modified and url and self.frontier.known(url):
                changed.append((url, modified))
        new_urls += self._enqueue(item, locs, hop="X", kind=kind)
        return locs

    def _feed(self, item: QueuedURL, ex: Exchange, new_urls: list[NewURL]) -> list[str]:
        links = parse_feed(ex.decoded_body(self.settings.max_body_bytes))
        if not links:
            return []
        new_urls += self._enqueue(item, links, hop="X")
        return links

    def _page(self, item: QueuedURL, ex: Exchange,
              new_urls: list[NewURL]) -> tuple[Document | None, list[str], str | None]:
        """(the article or None, the page's links, its page kind)."""
        from pipeline.article import parse_page  # the article engineer's module

        text, problem = ex.page_text()
        if text is None:
            self.warn(item.url, f"{problem}: archived, not stored")
            return None, [], "other"
        found = extract_links(text, ex.url)
        links = found.links + [u for u in found.next_pages if u not in found.links]
        siblings = token_siblings(item.url, links)
        if siblings:
            # inside a URL space of tokens (a session id in every link): not an
            # article, and its links of that space lead only to more of it
            own = {(p, i) for p, i, _ in url_tokens(item.url)}
            links = [u for u in links if not any((p, i) in own for p, i, _ in url_tokens(u))]
            self.counts.skipped += len(siblings)
        template = item.template or url_template(item.url)
        signature = link_signature([canonicalize(u, self.https_hosts) or u for u in links], template)
        page = None if siblings else parse_page(text, ex.url, fetched_at=ex.fetched_at)
        # A page of a pager or calendar that shows nothing its parent of the same
        # shape did not (an empty page past the end, a month without events):
        # its same-shape links lead only to more of the same.  Not an article: the
        # related articles it links (`?ItemID=59` on `?ItemID=60`) have its shape and
        # its parent's kind of links, and are often the only way to older articles.
        barren = item.parent_sig is not None and item.parent_sig == signature \
            and not (page is not None and page.kind == "article" and page.text.strip())
        if not found.nofollow:
            new_urls += self._enqueue(item, links, hop="L", signature=signature, follow_template=not barren)
            new_urls += self._enqueue(item, found.feeds, hop="X", kind="feed")
            if not item.hops and not found.feeds:   # a seed that announces no feed: try the usual places
                new_urls += self._enqueue(item, [urljoin(item.url, p) for p in COMMON_FEED_PATHS], hop="X",
                                          kind="feed")
        if page is None:
            return None, links, "other"
        if page.kind != "article" or not page.text.strip():
            return None, links, page.kind
        if len(page.text) > self.settings.max_document_chars:
            self.warn(item.url, f"text of {len(page.text):,} characters, over the {self.settings.max_document_chars:,} "
                                "limit (max_document_chars): archived, not stored")
            return None, links, "oversized"
        canonical = canonicalize(page.canonical_url or ex.url, self.https_hosts) or item.url
        if canonical != item.url and self.scope.allows(canonical):
            row = self.frontier.conn.execute("SELECT state, doc_id FROM crawl_urls WHERE url=?",
                                             (canonical,)).fetchone()
            if row is None or row["state"] == "queued" or row["doc_id"]:
                # the canonical page is (or will be) stored from its own URL: once
                new_urls += self._enqueue(item, [canonical], hop="L", kind="page", follow_template=True)
                return None, links, "article"
            canonical = item.url    # the "canonical" page is not this article (a misconfigured site)
        doc = Document(
            doc_id=make_doc_id(canonical), text=page.text, url=item.url, canonical_url=canonical,
            source=source_of(canonical), title=page.title, published=page.published, author=page.author,
            fetched_at=ex.fetched_at)
        return doc, links, "article"

    def _enqueue(self, item: QueuedURL, urls: list[str], hop: str, kind: str | None = None,
                 signature: str | None = None, follow_template: bool = True) -> list[NewURL]:
        """In-scope, not yet known URLs found on ``item``, past the trap guards."""
        out: list[NewURL] = []
        seen: set[str] = set()
        parent_template = item.template or url_template(item.url)
        # robots.txt is a prerequisite, not a hop: its sitemaps start at depth 1
        hops = ("" if item.kind == "robots" else item.hops) + hop
        growth = None
        for raw in urls:
            url = canonicalize(raw, self.https_hosts)
            if url is None or url in seen or url == item.url:
                continue
            seen.add(url)
            if not self.scope.allows(url):
                self.counts.skipped += 1
                continue
            if self.frontier.known(url):
                continue
            if url_too_long(url):
                self.counts.skipped += 1
                continue
            if query_grows(item.url, url):
                if growth is None:
                    growth = self._query_growth(item)
                if growth >= MAX_QUERY_GROWTH:
                    self.counts.skipped += 1
                    self._name_growth_trap(item)
                    continue
            url_kind_ = kind or url_kind(url)
            if url_kind_ == "asset":
                continue
            template = url_template(url)
            same_shape = template == parent_template
            if same_shape and not follow_template:
                self.counts.skipped += 1
                continue
            if len(hops) > self.settings.max_depth:
                self.counts.skipped += 1
                continue
            if self.frontier.count_template(template) >= self.settings.max_pages_per_template:
                self.counts.skipped += 1
                continue
            if self._token_space_full(url):
                self.counts.skipped += 1
                continue
            host = host_key(url)
            if self.frontier.count_host(host) >= self.settings.max_pages_per_host:
                self.counts.skipped += 1
                continue
            if host != item.host:
                out.extend(self._robots_for_new_host(host, url))
            out.append(NewURL(url, host, url_kind_, hops, item.url, template,
                              parent_sig=signature if same_shape else None))
        return out


    def _redirect_chain(self, item: QueuedURL) -> list[str]:
        """The URLs from the seed to ``item``, which its seed's redirects reached (hops all R)."""
        chain, via = [item.url], item.via
        for _ in item.hops:
            if not via:
                break
            chain.insert(0, via)
            via = self.frontier.via_of(via)
        return chain

    def _query_growth(self, item: QueuedURL) -> int:
        """How many links in a row, ending at ``item``, only lengthened the query string."""
        n, url, via = 0, item.url, item.via
        while via and n < MAX_QUERY_GROWTH and query_grows(via, url):
            n += 1
            url, via = via, self.frontier.via_of(via)
        return n

    def _name_growth_trap(self, item: QueuedURL) -> None:
        parts = urlsplit(item.url)
        if parts.netloc + parts.path in self.growth_traps:
            return
        self.growth_traps.add(parts.netloc + parts.path)
        self.warn(item.url, f"its links only lengthen the query string, {MAX_QUERY_GROWTH} times in a row: "
                            f"a URL trap, not followed further (said once for {parts.path})")

    def _token_space_full(self, url: str) -> bool:
        """Whether ``url`` brings yet another token where the crawl already knows several."""
        for prefix, pos, token in url_tokens(url):
            known = self.token_spaces.setdefault((prefix, pos), set())
            if token not in known and len(known) >= MAX_TOKENS_PER_SPACE:
                return True
            known.add(token)
        return False


def lastmod_utc(lastmod: str | None) -> str | None:
    """A sitemap ``lastmod`` (W3C datetime) as ``YYYY-MM-DDTHH:MM:SSZ``, comparable with ``fetched_at``.

    >>> lastmod_utc("2024-03-01"), lastmod_utc("2024-03-01T08:00:00+07:00")
    ('2024-03-01T00:00:00Z', '2024-03-01T01:00:00Z')
    """
    if not lastmod:
        return None
    try:
        moment = datetime.fromisoformat(lastmod.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


# --- the command ---------------------------------------------------------------------

def crawl(seeds: list[str], out_dir: str | Path, settings: Settings, progress: Progress | None = None) -> CrawlResult:
    """Run (or resume) a crawl; Ctrl-C stops after the fetches in flight are committed."""
    crawler = Crawler(seeds, out_dir, settings, progress)
    previous = None

    def on_sigint(signum, frame):
        if crawler.stop_requested:
            raise KeyboardInterrupt
        crawler.stop_requested = True
        crawler.fetcher.stop.set()  # hosts waiting out their delay give up their request
        (progress or crawler.progress).message(
            "crawl: stopping after the requests in flight (Ctrl-C again to abort)…")

    try:
        try:
            previous = signal.signal(signal.SIGINT, on_sigint)
        except ValueError:      # not the main thread: no signal handling
            previous = None
        return crawler.run()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        crawler.close()


# Where the crawl looks for a sitemap when robots.txt names none (the feeds it tries are
# ``COMMON_FEED_PATHS``): a 404 there is no failure.
GUESSED_SITEMAP_PATH = "/sitemap.xml"


def robots_cut(item: QueuedURL, ex: Exchange) -> bool:
    """A robots.txt that did not arrive whole: its rules are unknown, not the part that came.

    A cut at ``max_body_bytes`` is not one: only the first ROBOTS_MAX_BYTES are read anyway."""
    return item.kind == "robots" and ex.status == 200 and ex.truncated and ex.truncated_reason != "length"


def _guessed(item: QueuedURL) -> bool:
    """Is this a sitemap or feed address the crawl tried on its own (not one a site announced)?

    Told by the address alone: a site that announces its sitemap at exactly ``/sitemap.xml`` and then
    answers 404 there is not named either, a small loss against seven lines for every site that
    announces nothing."""
    path = urlsplit(item.url).path
    return (item.kind == "sitemap" and path == GUESSED_SITEMAP_PATH) or \
        (item.kind == "feed" and path in COMMON_FEED_PATHS)


def failed_urls_command(out: Path) -> str:
    """The command that lists a corpus's failed URLs with their errors, as the frontier keeps them."""
    import shlex

    return (f"""provnews query "SELECT url, error FROM crawl_urls WHERE state='failed'" """
            f"--corpus {shlex.quote(str(out))}")


def summary_line(result: CrawlResult) -> str:
    c = result.counts
    warcs = len(list(result.warc_dir.glob("*.warc.gz")))
    state = {"finished": "done", "paused": "paused (--max-pages; run again to continue)",
             "interrupted": "interrupted (run the same command again to resume)"}[result.state]
    return (f"crawl {state}: {c.fetched} fetched, {c.stored} articles stored or changed, {c.revisits} unchanged, "
            f"{c.errors} errors, {c.blocked} disallowed by robots.txt; {result.documents} documents in "
            f"{result.store_path}; {warcs} WARC file(s) in {result.warc_dir}")


def crawl_from_args(args, command: str = "crawl") -> tuple[int, "CrawlResult | None"]:
    """The crawl step of ``provnews crawl`` and ``provnews run``: (exit status, result).

    Errors are reported in one line; the status is 0 when the caller may go on.
    """
    try:
        settings = Settings.load(args)
        seeds = [check_seed(u) for u in args.urls]
    except (CrawlError, ValueError) as exc:
        print(f"provnews {command}: {exc}", file=sys.stderr)
        return 2, None
    progress = Progress(quiet=settings.quiet)
    try:
        result = crawl(seeds, args.out, settings, progress)
    except CrawlError as exc:
        print(f"provnews {command}: {exc}", file=sys.stderr)
        return 2, None
    except Exception as exc:
        name = type(exc).__name__
        if name in ("StoreError", "OperationalError", "DatabaseError", "PermissionError", "OSError"):
            print(f"provnews {command}: {exc}", file=sys.stderr)
            return 1, None
        raise
    for error in result.seed_errors:
        print(f"provnews {command}: {error}", file=sys.stderr)
    if not settings.quiet:
        print(summary_line(result), file=sys.stderr)
    if result.state == "interrupted":
        print(f"provnews {command}: interrupted; run the same command again to resume", file=sys.stderr)
        return 130, result
    if result.seed_errors and len(result.seed_errors) == len(seeds):
        return 1, result
    return 0, result


def cli_crawl(args) -> int:
    """``provnews crawl``: one-line errors, progress on stderr, exit 0/1/2/130."""
    return crawl_from_args(args, "crawl")[0]
