"""Page kind, title, date, body start/end and boilerplate on real pages: ours vs trafilatura alone.

Three sets, side by side:

* the pages rendered from the CMSs' own templates with real Vietnamese
  articles (``tests/fixtures/article/real/render_nukeviet.py``, expectations
  in ``expected.json``): articles, category pages with one or two teasers, a
  news home, in NukeViet 4.5 and NukeViet 3 themes, WordPress's default
  theme (``render_wordpress.py``) and Liferay 6.2's asset publisher
  (``render_liferay.py``);
* real Vietnamese pages saved by others and kept in public repositories.
  Those from a repository whose licence allows redistribution are committed
  in ``tests/fixtures/article/real/licensed/`` (gzipped; sources in its
  SOURCE.md, expectations in ``expected.json`` under ``licensed/…``: an
  article and a category page each of vietnamnet, tuoitre, vnexpress, Dân
  trí, Người Lao Động, Báo Đầu tư, CafeF and the government's baochinhphu.vn,
  saved in March 2026, and a 2023 vnexpress article) and always measured.  The others (sources in
  ``tests/fixtures/article/real/saved/SOURCE.md``, expectations under
  ``saved/…``): a Dân trí article and category page, the 2015 vnexpress
  home, the government's and a Hanoi department's portals (Liferay), an
  ASP.NET government site.  Those are not committed (they belong to their
  publishers and come from repositories with no licence): they are read from
  ``../shared/data/vi-saved-pages/`` or, on a machine where someone copied
  them, from ``tests/fixtures/article/real/saved/`` (git-ignored); rows
  whose page is in neither place are left out;
* the 181 real pages of ``../shared/data/article-extraction-benchmark`` (all
  articles; body start/end from their ``articleBody``).

"trafilatura alone" is what a crawler storing ``trafilatura.bare_extraction``
would do: every page with text is an article, its title and date are
trafilatura's metadata.  Prints a table; asserts nothing.

    python benchmarks/page_kinds.py [--limit N]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

REAL = ROOT / "tests" / "fixtures" / "article" / "real"
SAVED = "saved/"  # prefix of the saved pages' names in expected.json
LICENSED = "licensed/"  # prefix of the committed (licensed) saved pages' names
LICENSED_DIR = REAL / "licensed"
# Where the saved pages may be, first found wins (see the module docstring).
SAVED_DIRS = (ROOT.parent / "shared" / "data" / "vi-saved-pages", REAL / "saved")
_WORD = re.compile(r"\w+")
CHECKS = ("kind", "title", "date", "start", "end", "clean")


def ours(html: str, url: str) -> dict:
    from pipeline.article import parse_page

    page = parse_page(html, url)
    return {"kind": page.kind, "title": page.title, "date": page.published, "body": page.body}


def trafilatura_alone(html: str, url: str) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    text = (doc.text if doc else "") or ""
    return {"kind": "article" if text.strip() else "other", "title": doc.title if doc else None,
            "date": doc.date if doc else None, "body": text}


def words(text: str | None) -> list[str]:
    return _WORD.findall((text or "").casefold())


def starts_with(body: str, first: str, slack: int = 8) -> bool:
    """The body's first words are ``first``'s (a few words of slack for a dateline)."""
    want, have = words(first)[:8], words(body)[:len(words(first)[:8]) + slack]
    return bool(want) and any(have[i:i + len(want)] == want for i in range(slack + 1))


def ends_with(body: str, last: str, slack: int = 8) -> bool:
    want, have = words(last)[-8:], words(body)[-(len(words(last)[-8:]) + slack):]
    return bool(want) and any(have[i:i + len(want)] == want for i in range(len(have) - len(want) + 1))


def check(result: dict, expected: dict) -> dict[str, bool | None]:
    """True / False per check, None where it does not apply (a listing has no body to check)."""
    out: dict[str, bool | None] = {"kind": result["kind"] == expected["kind"]}
    article = expected["kind"] == "article"
    out["title"] = (result["title"] or "").strip() == expected["title"] if "title" in expected else None
    out["date"] = (result["date"] or "")[:10] == expected["date"] if "date" in expected else None
    out["start"] = starts_with(result["body"], expected["first"]) if article and "first" in expected else None
    out["end"] = ends_with(result["body"], expected["last"]) if article and "last" in expected else None
    if article and "boilerplate" in expected:
        out["clean"] = not any(b.casefold() in result["body"].casefold() for b in expected["boilerplate"])
    elif article and "truth" in expected:
        got = words(result["body"])
        truth = set(words(expected["truth"]))
        out["clean"] = bool(got) and sum(w not in truth for w in got) / len(got) < 0.05
    else:
        out["clean"] = None
    return out


def real_fixtures() -> list[tuple[str, str, dict]]:
    """(name, html, expected) of the template-rendered pages; [] when ../shared/data/vi-news is absent."""
    sys.path.insert(0, str(REAL))
    import render_liferay
    import render_nukeviet
    import render_wordpress

    if not render_nukeviet.VI_NEWS.exists():
        return []
    pages = {**render_nukeviet.build(), **render_wordpress.build(), **render_liferay.build()}
    return [(name, pages[name], exp) for name, exp in _expected().items()
            if not name.startswith(("_", SAVED, LICENSED))]


def licensed_names() -> list[str]:
    """expected.json names of the committed real pages (``licensed/<file>``)."""
    return [name for name in _expected() if name.startswith(LICENSED)]


def licensed_bytes(name: str) -> bytes:
    """The bytes of a committed page as saved (its ``.html.gz`` file unpacked)."""
    import gzip

    data = (LICENSED_DIR / name[len(LICENSED):]).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def licensed_fixtures() -> list[tuple[str, str, dict]]:
    """(name, html, expected) of the committed real pages; a missing file is an error, not a skip."""
    from pipeline.article import decode_html

    expected = _expected()
    return [(name, decode_html(licensed_bytes(name)), expected[name]) for name in licensed_names()]


def saved_names() -> list[str]:
    """expected.json names of the real saved pages (``saved/<file>``)."""
    return [name for name in _expected() if name.startswith(SAVED)]


def saved_page(name: str) -> Path | None:
    """The file of a saved page, or None when it is in none of ``SAVED_DIRS``."""
    for folder in SAVED_DIRS:
        path = folder / name[len(SAVED):]
        if path.is_file():
            return path
    return None


def saved_fixtures() -> list[tuple[str, str, dict]]:
    """(name, html, expected) of the real saved pages that are on this machine."""
    from pipeline.article import decode_html

    expected = _expected()
    return [(name, decode_html(path.read_bytes()), expected[name]) for name in saved_names()
            if (path := saved_page(name)) is not None]


def _expected() -> dict:
    return json.loads((REAL / "expected.json").read_text(encoding="utf-8"))


def benchmark_pages(limit: int | None = None) -> list[tuple[str, str, dict]]:
    from benchmarks.article_benchmark import DEFAULT_DATA, load_benchmark

    if not DEFAULT_DATA.exists():
        return []
    pages = []
    for page_id, url, html, truth in load_benchmark(DEFAULT_DATA, limit):
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", truth.strip()) if s]
        pages.append((page_id[:8], html, {"url": url, "kind": "article", "first": sentences[0] if sentences else "",
                                          "last": sentences[-1] if sentences else "", "truth": truth}))
    return pages


def mark(value: bool | None) -> str:
    return {True: "yes", False: "NO", None: "-"}[value]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="benchmark pages to use (default all)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    header = f"{'page':46s} {'expected':8s} " + " ".join(f"{c:>9s}" for c in CHECKS)
    print("ours / trafilatura alone, per check (yes, NO, - not applicable)")
    print(header)
    for name, html, exp in real_fixtures() + licensed_fixtures() + saved_fixtures():
        a, b = check(ours(html, exp["url"]), exp), check(trafilatura_alone(html, exp["url"]), exp)
        print(f"{name:46s} {exp['kind']:8s} " + " ".join(f"{mark(a[c]) + '/' + mark(b[c]):>9s}" for c in CHECKS))
    pages = benchmark_pages(args.limit)
    if pages:
        totals = {who: {c: [0, 0] for c in CHECKS} for who in ("ours", "trafilatura")}
        for name, html, exp in pages:
            for who, fn in (("ours", ours), ("trafilatura", trafilatura_alone)):
                for c, ok in check(fn(html, exp["url"]), exp).items():
                    if ok is not None:
                        totals[who][c][0] += ok
                        totals[who][c][1] += 1
        cells = []
        for c in CHECKS:
            o, t = totals["ours"][c], totals["trafilatura"][c]
            cells.append(f"{o[0]}/{t[0]}" if o[1] else "-")
        print(f"{f'article-extraction-benchmark ({len(pages)})':46s} {'article':8s} "
              + " ".join(f"{x:>9s}" for x in cells) + "   (pages right: ours/trafilatura)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
