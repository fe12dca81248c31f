"""``make run``: the main job on the bundled demo.

Extracts the sample articles of ``corpus/samples/`` and exports them to
``outputs/``, then prints where everything went and a summary.
"""
from __future__ import annotations

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


def main() -> int:
    return run_samples(ROOT / "corpus" / "samples", ROOT / "outputs")


if __name__ == "__main__":
    sys.exit(main())
