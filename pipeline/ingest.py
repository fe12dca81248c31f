"""Local files and corpus documents → extracted Documents (``provnews extract``).

Inputs: ``.txt`` (UTF-8; the whole file is the text, its first line the
title), ``.html``/``.htm`` (title and body through ``pipeline.article``), and
folders of those.  One bad input never stops the batch: it is reported in
one line naming the file and the reason, and the exit status says so.
"""
from __future__ import annotations

import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from extractors.normalize import clean_text
from pipeline.engine import default_workers
from pipeline.progress import Progress
from pipeline.records import Document, loads_strict, make_doc_id
from pipeline.settings import Settings

# One document's limits, the crawler's own: beyond them the NLP stage would run
# for many minutes and hundreds of MB on one input (a 50 MB single-line .txt).
MAX_DOCUMENT_CHARS = Settings().max_document_chars
MAX_HTML_BYTES = Settings().max_body_bytes

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
INPUT_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES


STDIN = Path("-")      # the one input read from standard input (``provnews extract -``)


class InputError(Exception):
    """A file that cannot become a document; the message names the reason."""


@dataclass
class Failure:
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


def iter_input_files(paths: Iterable[str | Path]) -> Iterator[Path | Failure]:
    """Files to read, folders expanded (sorted, recursively); missing paths as failures."""
    for raw in paths:
        p = Path(raw)
        if str(raw) == "-":
            yield STDIN
        elif p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in INPUT_SUFFIXES)
            if not found:
                yield Failure(str(p), "folder has no .txt or .html files")
            yield from found
        elif p.is_file():
            yield p
        elif p.exists():
            yield Failure(str(p), "not a regular file")
        else:
            yield Failure(str(p), "no such file or directory")


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise InputError("binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"invalid UTF-8 at byte {exc.start}") from None


def read_document(path: Path) -> Document:
    """A Document (no mentions yet) from a local .txt or .html file (``-``: stdin, either)."""
    if path is STDIN:
        data = sys.stdin.buffer.read(MAX_HTML_BYTES + 1)
        if len(data) > MAX_HTML_BYTES:
            raise InputError(f"standard input is too large for one document (limit {MAX_HTML_BYTES:,} bytes)")
        # no file name to go by: a page is HTML if it says so at the start
        head = data[:1024].lstrip().lower()
        suffix = ".html" if head.startswith((b"<!doctype html", b"<html", b"\xef\xbb\xbf<")) else ".txt"
        url = None
    else:
        suffix = path.suffix.lower()
        if suffix not in INPUT_SUFFIXES:
            raise InputError(f"unsupported file type {suffix or '(none)'}; expected .txt or .html")
        try:
            size = path.stat().st_size
            # UTF-8 takes at most 4 bytes a character: a bigger .txt is over the limit whatever it holds
            limit = MAX_DOCUMENT_CHARS * 4 if suffix in TEXT_SUFFIXES else MAX_HTML_BYTES
            if size > limit:
                raise InputError(f"file of {size:,} bytes is too large for one document (limit {limit:,} bytes)")
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(exc.strerror or str(exc)) from None
        url = path.resolve().as_uri()
    if suffix in TEXT_SUFFIXES:
        text = clean_text(_decode(path, data)).strip("\n")
        title = text.split("\n", 1)[0].strip() or None
        published = None
    else:
        from pipeline.article import parse_page

        from pipeline.fetch import decode_checked

        if b"\x00" in data[:8192]:
            raise InputError("binary file (contains NUL bytes), not HTML")
        html, problem = decode_checked(data)
        if problem:
            raise InputError(problem)
        page = parse_page(html, url or "")
        if page.kind == "listing":
            raise InputError("a listing page (teasers of other articles), not an article")
        title, text, published = page.title, clean_text(page.text or ""), page.published
    if not text.strip():
        raise InputError("empty document (no text)")
    if len(text) > MAX_DOCUMENT_CHARS:
        raise InputError(f"text of {len(text):,} characters is too large for one document "
                         f"(limit {MAX_DOCUMENT_CHARS:,})")
    return Document(doc_id=make_doc_id(url, text), text=text, url=url, canonical_url=url,
                    source=None, title=title, published=published)


def extract_document(doc: Document) -> Document:
    """Run the NLP stage on a document and attach its mentions."""
    from extractors.extract import extract

    return doc.with_extraction(extract(doc.text))


def _report(failure: Failure) -> None:
    print(f"provnews extract: {failure}", file=sys.stderr)


def _in_order(results):
    """Re-order (index, result) pairs as they arrive into input order, without waiting for all.

    At most the engine's window of results waits here: the lowest index not
    yet written is always one of those in flight.
    """
    pending, nxt = {}, 0
    for i, res in results:
        pending[i] = res
        while nxt in pending:
            yield nxt, pending.pop(nxt)
            nxt += 1


def _read_input(item: Path | Failure) -> Document | Failure:
    if isinstance(item, Failure):
        return item
    try:
        return read_document(item)
    except InputError as exc:
        return Failure(str(item), str(exc))
    except Exception as exc:  # a reader bug on one odd file must not lose the batch
        return Failure(str(item), f"cannot read ({type(exc).__name__}: {exc})")


def extract_files(paths: Iterable[str | Path], write: Callable[[Document], None],
                  workers: int = 1, engine: str = "local", scheduler: str | None = None,
                  already_done: Callable[[Document], bool] | None = None, quiet: bool = True) -> list[Failure]:
    """Extract every input file, calling ``write`` for each good document, in input order.

    Files are read one by one as the workers need them, and each result is
    written as soon as those before it are; ``already_done(doc)`` true skips
    a document (a resumed run).
    """
    from pipeline.engine import map_extract

    files = list(iter_input_files(paths))  # names only: the texts are read lazily
    failures: list[Failure] = []
    in_flight: dict[int, Document] = {}
    progress = Progress(quiet=quiet, label="extract", total=len(files))

    def texts() -> Iterator[str]:
        submitted = 0  # the engine numbers the texts it is given: 0, 1, 2 …
        for item in files:
            doc = _read_input(item)
            if isinstance(doc, Failure):
                failures.append(doc)
                _report(doc)
                continue
            if already_done is not None and already_done(doc):
                progress.step()
                continue
            in_flight[submitted] = doc
            submitted += 1
            yield doc.text

    with closing(_in_order(map_extract(texts(), workers=workers, engine=engine,
                                       scheduler=scheduler))) as results:
        for i, result in results:
            doc = in_flight.pop(i)
            if isinstance(result, Exception):  # an extractor bug must not lose the rest of the batch
                failures.append(Failure(doc.url or doc.doc_id,
                                        f"extraction failed ({type(result).__name__}: {result})"))
                _report(failures[-1])
                continue
            write(doc.with_extraction(result))
            progress.step()
    progress.finish()
    return failures


@dataclass
class CorpusCounts:
    documents: int = 0
    units: int = 0
    quantities: int = 0
    records: int = 0
    failed: int = 0


def extract_corpus(corpus_dir: str | Path, everything: bool = False, workers: int = 1,
                   engine: str = "local", scheduler: str | None = None, quiet: bool = True) -> CorpusCounts:
    """Extract the documents of a corpus store not yet extracted (all with ``everything``).

    Documents are read from the store as the workers need them and each one
    is saved as soon as it is extracted, so an interrupted run keeps what it
    finished and the next run takes only the rest.
    """
    from pipeline.engine import map_extract
    from pipeline.store import CorpusStore

    counts = CorpusCounts()
    with CorpusStore(corpus_dir) as store:
        total = store.count_documents() if everything else store.count_pending()
        progress = Progress(quiet=quiet, label="extract", total=total)
        in_flight: dict[int, Document] = {}

        def unreadable(exc) -> None:
            # the row stays as it is, pending, for a person to look at; the other documents go on
            counts.failed += 1
            print(f"provnews extract: {exc}; not extracted", file=sys.stderr)

        def texts() -> Iterator[str]:
            docs = store.iter_documents(unreadable=unreadable) if everything \
                else store.pending_documents(unreadable=unreadable)
            for i, doc in enumerate(docs):
                in_flight[i] = doc
                yield doc.text

        with closing(map_extract(texts(), workers=workers, engine=engine, scheduler=scheduler)) as results:
            for i, result in results:
                doc = in_flight.pop(i)
                try:
                    if isinstance(result, Exception):
                        raise result
                    store.save_extraction(doc.with_extraction(result))
                except Exception as exc:  # reported and kept pending; the other documents go on
                    counts.failed += 1
                    message = f"extraction failed ({type(exc).__name__}: {exc})"
                    _report(Failure(doc.url or doc.doc_id, message))
                    store.record_failure(doc.doc_id, message)
                    continue
                counts.documents += 1
                counts.units += len(doc.units)
                counts.quantities += len(doc.quantities)
                counts.records += len(doc.records)
                progress.step()
        progress.finish()
    return counts


class ResumableOutput:
    """The ``--output`` JSONL of ``provnews extract``, continued where an interrupted run stopped.

    Documents are written in input order, so an interrupted run leaves the
    first documents of the same inputs.  While the inputs match the lines
    already there (same ``doc_id``, same text) they are kept and not
    extracted again; at the first difference — another input, or a line cut
    short by the interruption — the file is cut there and written on from
    that point.  The result is the file an uninterrupted run writes.
    """

    def __init__(self, path: str | Path, restart: bool = False):
        self.path = Path(path)
        self.kept = 0
        self._offset = 0
        self._old = None if restart or not self.path.exists() else open(self.path, "rb")
        self._out = None

    def already_done(self, doc: Document) -> bool:
        if self._old is None:
            return False
        line = self._old.readline()
        try:
            # (strict: a line holding Infinity, from an older provnews, is extracted again)
            old = loads_strict(line) if line.endswith(b"\n") else None
        except ValueError:
            old = None
        if isinstance(old, dict) and old.get("doc_id") == doc.doc_id and old.get("text") == doc.text:
            self._offset += len(line)
            self.kept += 1
            return True
        self._stop_resuming()
        return False

    def _stop_resuming(self) -> None:
        if self._old is not None:
            self._old.close()
            self._old = None

    def write(self, doc: Document) -> None:
        if self._out is None:
            self._stop_resuming()
            self._out = open(self.path, "r+" if self._offset else "w", encoding="utf-8")
            self._out.seek(self._offset)
            self._out.truncate()
        self._out.write(doc.to_json() + "\n")
        self._out.flush()

    def close(self, finished: bool = True) -> None:
        """``finished``: the run went through every input and each one was extracted.  Only then
        are lines past the kept ones dropped when nothing new was written (the inputs are fewer
        now): an interrupted or failed run leaves them, for the next run to check again."""
        self._stop_resuming()
        if self._out is not None:
            self._out.close()
        elif finished and (self._offset or self.path.exists()):
            with open(self.path, "r+" if self._offset else "w", encoding="utf-8") as fh:
                fh.truncate(self._offset)


def output_problem(path: str | Path, inputs: Iterable[str | Path] = ()) -> str | None:
    """Why ``path`` cannot take an output file (None: it can; its folder is made if missing).

    Beside paths that cannot hold a file, it refuses to overwrite one of the command's own
    ``inputs`` and what a corpus keeps (its SQLite store, its WARCs and their index): a mistyped
    ``-o`` must not destroy an archive.

    Making a missing folder is the rule of every output (``extract -o``, ``export -o``, ``show
    --html``, ``run --outputs``, all checked here): ``-o outputs/2024/records.csv`` needs no
    mkdir first, and each command names the path it wrote, so a mistyped folder shows at once.
    """
    path = Path(path)
    try:
        folder = next((p for p in path.absolute().parents if p.exists() or p.is_symlink()), None)
        if folder is not None and not folder.is_dir():
            return f"{folder} is not a folder"
        if path.is_dir():
            return "is a folder; give a file name"
        if path.exists() and not path.is_file():
            return "is not a regular file (a device or pipe); give a file name, or - for standard output"
        real = path.resolve()
        if any(str(i) != "-" and Path(i).resolve() == real for i in inputs):
            return "is also an input of this command; refusing to write over it"
        if real.is_file():
            if real.name.endswith((".warc", ".warc.gz", ".cdxj", "-wal", "-shm")) or real.parent.name == "warcs":
                return "is part of a web archive or corpus; refusing to write over it"
            with open(real, "rb") as fh:
                if fh.read(16) == b"SQLite format 3\x00":
                    return "is a SQLite database (a corpus store?); refusing to write over it"
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot write there ({exc.strerror or exc})"
    return None


def cli_extract(args) -> int:
    workers = args.workers if args.workers is not None else default_workers()
    if args.corpus and args.output:
        print("provnews extract: --output goes with files or folders; --corpus writes into the corpus's store",
              file=sys.stderr)
        return 2
    if args.corpus:
        if not (Path(args.corpus) / "corpus.sqlite").exists():
            print(f"provnews extract: {args.corpus}: no corpus here (corpus.sqlite missing)", file=sys.stderr)
            return 2
        c = extract_corpus(args.corpus, everything=args.all, workers=workers, engine=args.engine,
                           scheduler=args.scheduler, quiet=args.quiet)
        if not args.quiet:
            print(f"extracted {c.documents} documents: {c.units} units, {c.quantities} quantities, "
                  f"{c.records} records" + (f"; {c.failed} failed" if c.failed else ""), file=sys.stderr)
        return 1 if c.failed else 0
    if not args.paths:
        print("provnews extract: give files or folders, or --corpus DIR", file=sys.stderr)
        return 2
    to_stdout = args.output in (None, "-")
    if not to_stdout and (problem := output_problem(args.output, args.paths)):
        print(f"provnews extract: {args.output}: {problem}", file=sys.stderr)
        return 2
    written = 0
    output = None if to_stdout else ResumableOutput(args.output, restart=args.restart)

    def write(doc: Document) -> None:
        nonlocal written
        if output is not None:
            output.write(doc)
        else:
            sys.stdout.write(doc.to_json() + "\n")
            sys.stdout.flush()
        written += 1

    failures = None
    try:
        failures = extract_files(args.paths, write, workers=workers, engine=args.engine,
                                 scheduler=args.scheduler, quiet=args.quiet,
                                 already_done=output.already_done if output is not None else None)
    except OSError as exc:
        if exc.filename is not None and Path(exc.filename) != Path(args.output or "-"):
            raise
        print(f"provnews extract: {args.output or 'stdout'}: cannot write ({exc.strerror or exc}); "
              f"the documents written before are kept, run again to go on", file=sys.stderr)
        return 1
    finally:
        if output is not None:
            try:
                output.close(finished=failures is not None and not failures)
            except OSError:
                pass  # (reported above)
    where = "" if to_stdout else f" to {args.output}"
    kept = f" (kept {output.kept} from an earlier run)" if output is not None and output.kept else ""
    if not args.quiet or failures:
        print(f"provnews extract: wrote {written} documents{where}{kept}"
              + (f"; {len(failures)} inputs failed" if failures else ""), file=sys.stderr)
    return 1 if failures else 0
