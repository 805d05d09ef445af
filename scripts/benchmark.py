"""Print index build time, query latency and memory for the real corpus and a 100x synthetic one,
with SQLite FTS5 measured in the same run as the baseline.

Usage: .venv/bin/python scripts/benchmark.py [--scale 100] [--repeat 20]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import quantiles

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.content.entries import load_content  # noqa: E402
from kb.content.model import Entry  # noqa: E402
from kb.content.texts import load_report_texts  # noqa: E402
from scripts.baselines import Fts5  # noqa: E402
from search.generations import KnowledgeBase  # noqa: E402
from search.index import build_index  # noqa: E402
from search.service import SearchRequest, search  # noqa: E402

CONTENT = ROOT / "content"
QUERIES = [q["q"] for name in ("queries", "heldout")
           for q in yaml.safe_load((ROOT / f"tests/relevance/{name}.yaml").read_text(encoding="utf-8"))]


def synthetic(entries: list[Entry], scale: int, seed: int = 7) -> list[Entry]:
    """Make scale × as many entries by recombining sentences of real passages."""
    rng = random.Random(seed)
    sentences = [s for e in entries for s in re.split(r"(?<=[.!?])\s+", e.body) if len(s) > 20]
    out = []
    for copy in range(scale):
        for e in entries:
            n = max(2, len(re.split(r"(?<=[.!?])\s+", e.body)))
            body = " ".join(rng.choice(sentences) for _ in range(n))
            out.append(dataclasses.replace(e, id=f"{e.id}-x{copy}", body=body))
    return out


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94]


def time_queries(run, repeat: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """(p50, p95) of each query's first run in a fresh process, and of the repeated runs.

    The first run reads the posting lists it needs from the index; later runs find them in
    memory, as a serving worker does once it has seen the vocabulary.
    """
    first, repeated = [], []
    for round_ in range(repeat + 1):
        for q in QUERIES:
            start = time.perf_counter()
            run(q)
            (repeated if round_ else first).append((time.perf_counter() - start) * 1000)
    return percentiles(first), percentiles(repeated)


def measure(entries: list[Entry], vocab, texts, repeat: int) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="bench-"))
    start = time.perf_counter()
    build_index(entries, vocab, root, texts=texts)
    build = time.perf_counter() - start
    snapshot = KnowledgeBase(CONTENT, root, auto_rebuild=False).snapshot()
    first, ours = time_queries(lambda q: search(snapshot, SearchRequest(q=q)), repeat)
    start = time.perf_counter()
    fts = Fts5(entries)
    fts_build = time.perf_counter() - start
    fts_first, fts_q = time_queries(lambda q: fts.search(q), repeat)
    return {"entries": len(entries), "build_s": build, "first_p50_ms": first[0],
            "first_p95_ms": first[1], "p50_ms": ours[0], "p95_ms": ours[1],
            "fts_build_s": fts_build, "fts_first_p95_ms": fts_first[1], "fts_p50_ms": fts_q[0],
            "fts_p95_ms": fts_q[1], "index": str(root)}


# VmHWM, not ru_maxrss: ru_maxrss survives exec, so a child forked from this (large) process
# would report the parent's peak.
PEAK = """
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""


def serving_memory(index_root: str, repeat: int) -> float:
    """Peak resident memory (MB) of a fresh process that opens the index and serves the query set."""
    code = PEAK + f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from search.generations import KnowledgeBase
from search.service import search, SearchRequest
snap = KnowledgeBase({str(CONTENT)!r}, {index_root!r}, auto_rebuild=False).snapshot()
for _ in range({repeat}):
    for q in {QUERIES!r}:
        search(snap, SearchRequest(q=q))
print(peak_mb())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def baseline_memory() -> float:
    code = PEAK + (f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
                   "import search.service, search.generations; print(peak_mb())")
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20, help="passes over the query set")
    args = parser.parse_args()
    vocab, entries = load_content(CONTENT)
    texts, _ = load_report_texts(CONTENT, vocab.sources)
    print(f"{len(QUERIES)} queries × {args.repeat} passes, in-process, full query service "
          "(parse, search, facets, snippets)\n")
    rows = {"real": measure(entries, vocab, texts, args.repeat)}
    big = synthetic(entries, args.scale)
    rows[f"{args.scale}x"] = measure(big, vocab, texts, max(1, args.repeat // 4))
    print("first = each query's first run in the process (posting lists read from the index); "
          "repeat = the later passes\n")
    print(f"{'corpus':8} {'entries':>8} {'build s':>8} {'first p50':>9} {'first p95':>9} "
          f"{'p50 ms':>7} {'p95 ms':>7} | {'fts5 build':>10} {'first p95':>9} {'fts5 p50':>9} "
          f"{'fts5 p95':>9} | {'p95 ratio':>9}")
    for name, r in rows.items():
        print(f"{name:8} {r['entries']:>8} {r['build_s']:>8.2f} {r['first_p50_ms']:>9.2f} "
              f"{r['first_p95_ms']:>9.2f} {r['p50_ms']:>7.2f} {r['p95_ms']:>7.2f} | "
              f"{r['fts_build_s']:>10.2f} {r['fts_first_p95_ms']:>9.3f} {r['fts_p50_ms']:>9.3f} "
              f"{r['fts_p95_ms']:>9.3f} | {r['p95_ms'] / r['fts_p95_ms']:>8.1f}x")
    floor = baseline_memory()
    print(f"\nresident memory (peak RSS, MB): interpreter with the code imported {floor:.0f}")
    for name, r in rows.items():
        rss = serving_memory(r["index"], 2)
        print(f"  serving the {name} index: {rss:.0f} MB ({rss - floor:+.0f} MB over the floor)")
    print("\n" + json.dumps({k: {kk: (round(vv, 3) if isinstance(vv, float) else vv)
                                  for kk, vv in v.items() if kk != "index"} for k, v in rows.items()}))


if __name__ == "__main__":
    main()
