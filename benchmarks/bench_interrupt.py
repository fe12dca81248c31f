"""Ctrl-C on ``provnews extract --workers 2``: seconds to exit, processes left, and the rerun.

    python benchmarks/bench_interrupt.py [--docs 24] [--after 4]

Long documents made of the bundled sample articles are extracted once
uninterrupted; then the same command is started again, sent SIGINT (what
Ctrl-C sends) once ``--after`` documents are written, and run a third time
to go on.  Prints the seconds from SIGINT to exit, the worker processes
still alive after it, and whether the resumed output equals the
uninterrupted one byte for byte.  Asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=80)  # 24 finished before the poll saw --after lines
    parser.add_argument("--after", type=int, default=8, help="send SIGINT once this many documents are written")
    args = parser.parse_args()
    try:
        import psutil
    except ImportError:
        print("SKIPPED: needs psutil (installed with the [dask] extra)")
        return 0
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    samples = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus" / "samples").glob("*.txt"))]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        inputs = tmp / "in"
        inputs.mkdir()
        for i in range(args.docs):
            parts = samples[i % len(samples):] + samples[:i % len(samples)]
            (inputs / f"doc{i:03d}.txt").write_text(f"Bài {i}\n\n" + "\n\n".join(parts * 8), encoding="utf-8")

        def cmd(out: Path) -> list[str]:
            return [sys.executable, "-m", "pipeline.cli", "extract", str(inputs), "-o", str(out), "--workers", "2"]

        full, part = tmp / "full.jsonl", tmp / "part.jsonl"
        t0 = time.perf_counter()
        subprocess.run(cmd(full), cwd=ROOT, env=env, capture_output=True, check=True)
        print(f"uninterrupted run: {args.docs} documents in {time.perf_counter() - t0:.1f} s")

        # SIGINT's default meaning even when this script runs as a background job (started with
        # SIGINT ignored, which children inherit)
        proc = subprocess.Popen(cmd(part), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        while proc.poll() is None and (not part.exists() or part.read_bytes().count(b"\n") < args.after):
            time.sleep(0.02)
        workers = psutil.Process(proc.pid).children(recursive=True)
        sent = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
        exit_seconds = time.perf_counter() - sent
        time.sleep(1.0)
        left = [p.pid for p in workers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        written = part.read_bytes().count(b"\n")
        print(f"SIGINT after {written} of {args.docs} documents: exit status {proc.returncode} "
              f"in {exit_seconds:.2f} s; worker processes before {len(workers)}, left after {len(left)}")

        t0 = time.perf_counter()
        rerun = subprocess.run(cmd(part), cwd=ROOT, env=env, capture_output=True, text=True)
        last = rerun.stderr.strip().splitlines()[-1] if rerun.stderr.strip() else ""
        print(f"rerun: exit {rerun.returncode} in {time.perf_counter() - t0:.1f} s ({last})")
        print(f"rerun output equals the uninterrupted run byte for byte: {part.read_bytes() == full.read_bytes()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
