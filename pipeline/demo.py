"""``make run``: the main job on the bundled demo.

Starts the demo portal (``tests/fixtures/portal/``) on 127.0.0.1 and the
provincial newspaper that republishes some of its articles
(``tests/fixtures/newspaper/``) on 127.0.0.2, runs ``provnews run`` on both
(crawl → WARC + corpus store → extract → export to ``outputs/``), stops them;
then extracts the sample articles of ``corpus/samples/`` too.  Prints where
everything went and a summary.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from pipeline.export import export
from pipeline.ingest import extract_files

ROOT = Path(__file__).resolve().parents[1]


def run_samples(samples: Path, outputs: Path) -> int:
    docs = []
    failures = extract_files([samples], docs.append)
    outputs.mkdir(parents=True, exist_ok=True)
    written = {
        "documents (JSONL)": outputs / "samples.jsonl",
        "records (CSV)": outputs / "samples-records.csv",
        "quantities (CSV)": outputs / "samples-quantities.csv",
        "units (CSV)": outputs / "samples-units.csv",
    }
    export(docs, "jsonl", written["documents (JSONL)"])
    export(docs, "csv", written["records (CSV)"], table="records")
    export(docs, "csv", written["quantities (CSV)"], table="quantities")
    export(docs, "csv", written["units (CSV)"], table="units")
    print(f"\nSamples: {samples}")
    for label, path in written.items():
        print(f"  {label:20} {path}")
    units = sum(len({u.name for u in d.units}) for d in docs)
    print(f"  {len(docs)} documents, {units} units, {sum(len(d.quantities) for d in docs)} quantities, "
          f"{sum(len(d.records) for d in docs)} records" + (f", {len(failures)} failed" if failures else ""))
    return 1 if failures else 0


def pin_tests_package() -> None:
    """Make ``tests.fixtures…`` (imported by the newspaper's server) this checkout's folder.

    pywb (extra [replay]) installs a top-level package named ``tests``; a
    regular package wins over this repository's ``tests`` folder (a namespace
    package) whatever sys.path says.  tests/conftest.py and the benchmarks call this too.
    """
    import types

    tests = types.ModuleType("tests")
    tests.__path__ = [str(ROOT / "tests")]
    sys.modules["tests"] = tests


def _portal_module(site: str = "portal"):
    path = ROOT / "tests" / "fixtures" / site / "server.py"
    spec = importlib.util.spec_from_file_location(f"provnews_demo_{site}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses inside need their module registered
    spec.loader.exec_module(module)
    return module


def run_portal(corpus: Path, outputs: Path) -> int:
    from pipeline.store import CorpusStore

    portal = _portal_module()
    # the newspaper's server module imports the portal's as tests.fixtures.portal.server
    pin_tests_package()
    newspaper = _portal_module("newspaper")
    with portal.PortalServer(port=0) as server, newspaper.NewspaperServer(port=0) as paper:
        print(f"Demo portal: {server.url}\nDemo newspaper (republishes some portal articles): {paper.url}", flush=True)
        status = subprocess.call([sys.executable, "-m", "pipeline.cli", "run", server.url, paper.url,
                                  "--out", str(corpus), "--outputs", str(outputs)])
    if status not in (0, 1):
        return status
    with CorpusStore(corpus, readonly=True) as store:
        counts = store.counts()
    print("Corpus totals: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    print(f"Try: provnews stats --corpus {corpus} --by unit,activity")
    print(f"     provnews stats --corpus {corpus} --by province,year --where base_unit=đồng")
    return status


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m pipeline.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus" / "crawl",
                        help="where the crawl's store and WARCs go (default corpus/crawl)")
    parser.add_argument("--outputs", type=Path, default=ROOT / "outputs", help="where exports go (default outputs/)")
    args = parser.parse_args(argv)
    status = run_portal(args.corpus, args.outputs)
    return run_samples(ROOT / "corpus" / "samples", args.outputs) or status


if __name__ == "__main__":
    sys.exit(main())
