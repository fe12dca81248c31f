"""Peak memory of ``provnews extract --workers 2`` and of CSV / Parquet export, by corpus size.

    python benchmarks/bench_memory.py [--sizes 1000,10000] [--source jsonl|store] [--extract-sizes 100,400]

Inputs are made from real texts (``../shared/data/vi-news``): the articles
are extracted once, then repeated under distinct ids/URLs into a JSONL of
documents or a corpus store of each size (for export) and into folders of
``.txt`` files (for extract), in a temporary folder.  Each command runs as a real subprocess;
its resident memory is sampled every 50 ms, summed over the process and its
workers.  Flat memory means the largest size's peak is close to the
smallest's.  ``--root DIR`` runs another checkout's code (to compare with an
older version).  Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import copy
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT.parent / "shared" / "data" / "vi-news"


def peak_rss(cmd: list[str], cwd: Path, env: dict) -> tuple[float, float, float, int]:
    """(peak MB of the whole process tree, peak MB of the main process, seconds, exit status)."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    main = psutil.Process(proc.pid)
    peak_tree = peak_main = 0
    while proc.poll() is None:
        try:
            rss_main = main.memory_info().rss
            rss_tree = rss_main
            for child in main.children(recursive=True):
                try:
                    rss_tree += child.memory_info().rss
                except psutil.Error:
                    pass
        except psutil.Error:
            break
        peak_main, peak_tree = max(peak_main, rss_main), max(peak_tree, rss_tree)
        time.sleep(0.05)
    proc.wait()
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode:
        print(f"  ! exit {proc.returncode}: {err.strip().splitlines()[-1:]}")
    return peak_tree / 2**20, peak_main / 2**20, time.perf_counter() - t0, proc.returncode


def base_documents(n: int):
    """n real articles, extracted (the seed of every store)."""
    from extractors.extract import extract
    from extractors.normalize import clean_text
    from pipeline.records import Document, make_doc_id

    files = sorted(DATA.glob("*/articles/*.txt"))[:n]
    docs = []
    for f in files:
        text = clean_text(f.read_text(encoding="utf-8")).strip("\n")
        url = f"https://bench.example.gov.vn/{f.stem}.html"
        doc = Document(doc_id=make_doc_id(url), text=text, url=url, canonical_url=url,
                       source="bench.example.gov.vn", title=text.split("\n", 1)[0], published="2021-03-01")
        docs.append(doc.with_extraction(extract(text)))
    return docs


def make_store(folder: Path, base, n: int) -> Path:
    from pipeline.records import make_doc_id
    from pipeline.store import CorpusStore

    with CorpusStore(folder) as store:
        for i in range(n):
            doc = copy.copy(base[i % len(base)])
            doc.url = doc.canonical_url = f"https://site{i % 40}.example.gov.vn/tin/{i}.html"
            doc.source = f"site{i % 40}.example.gov.vn"
            doc.doc_id = make_doc_id(doc.url)
            store.add_extracted_document(doc)
    return folder


def make_jsonl(path: Path, base, n: int) -> Path:
    """n documents as ``provnews extract`` writes them, cycling through the base articles."""
    import json

    from pipeline.records import make_doc_id

    dicts = [d.to_dict() for d in base]
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            d = dict(dicts[i % len(dicts)])
            d["url"] = d["canonical_url"] = f"https://site{i % 40}.example.gov.vn/tin/{i}.html"
            d["source"] = f"site{i % 40}.example.gov.vn"
            d["doc_id"] = make_doc_id(d["url"])
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    return path


def make_texts(folder: Path, n: int) -> Path:
    files = sorted(DATA.glob("*/articles/*.txt"))
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        src = files[i % len(files)]
        (folder / f"{i:06d}-{src.name}").write_bytes(src.read_bytes())
    return folder


def flatness(label: str, peaks: dict[int, float]) -> str:
    sizes = sorted(peaks)
    lo, hi = peaks[sizes[0]], peaks[sizes[-1]]
    return f"{label}: {sizes[-1]} vs {sizes[0]} documents: {100 * (hi - lo) / lo:+.0f}% (goal within ±20%)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="export: documents per store (default 1000,10000)")
    parser.add_argument("--extract-sizes", default="100,400",
                        help="extract --workers 2: input files (default 100,400; 1000,10000 takes long)")
    parser.add_argument("--source", choices=["jsonl", "store"], default="jsonl",
                        help="export from a JSONL of documents (quick to make) or a corpus store")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose code runs (default this one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"SKIPPED: {DATA} not present")
        return 0
    try:
        import psutil  # noqa: F401
    except ImportError:
        print("SKIPPED: needs psutil (installed with the [dask] extra)")
        return 0
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(args.root)}
    cli = [sys.executable, "-m", "pipeline.cli"]
    sizes = [int(x) for x in args.sizes.split(",") if x]
    extract_sizes = [int(x) for x in args.extract_sizes.split(",") if x]
    tmp = Path(tempfile.mkdtemp(prefix="provnews-bench-"))
    try:
        print(f"code: {args.root}")
        base = base_documents(40)
        print(f"{'command':44s} {'docs':>6s} {'peak MB':>8s} {'main MB':>8s} {'seconds':>8s}")
        peaks: dict[str, dict[int, float]] = {}
        for n in sizes:
            if args.source == "store":
                store = make_store(tmp / f"store{n}", base, n)
            else:
                store = make_jsonl(tmp / f"docs{n}.jsonl", base, n)
            for fmt, table in (("parquet", "records"), ("csv", "records")):
                label = f"export {args.source} --format {fmt} --table {table}"
                tree, main_mb, sec, _ = peak_rss(
                    cli + ["export", str(store), "--format", fmt, "--table", table,
                           "--output", str(tmp / f"out{n}.{fmt}")], args.root, env)
                peaks.setdefault(label, {})[n] = tree
                print(f"{label:44s} {n:6d} {tree:8.0f} {main_mb:8.0f} {sec:8.1f}")
        for n in extract_sizes:
            folder = make_texts(tmp / f"texts{n}", n)
            label = "extract --workers 2 (main + 2 workers)"
            tree, main_mb, sec, _ = peak_rss(
                cli + ["extract", str(folder), "--workers", "2", "--output", str(tmp / f"x{n}.jsonl")],
                args.root, env)
            peaks.setdefault(label, {})[n] = tree
            peaks.setdefault("extract --workers 2, main process", {})[n] = main_mb
            print(f"{label:44s} {n:6d} {tree:8.0f} {main_mb:8.0f} {sec:8.1f}")
        print()
        for label, by_size in peaks.items():
            if len(by_size) > 1:
                print(flatness(label, by_size))
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
