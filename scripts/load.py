"""Load test: the app under gunicorn (production settings) driven by wrk on loopback.

Runs, each for --duration seconds with --connections concurrent clients:
  /healthz (the floor), search only, and a mix of search, compare and entry pages;
optionally rebuilds the index (`flask index`) in the middle of the mixed run.
Prints throughput, p50/p95/p99 latency and error counts for each.

Usage: .venv/bin/python scripts/load.py [--duration 20] [--connections 32] [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

LUA = r"""
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do paths[#paths + 1] = line end
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
               + summary.errors.timeout + summary.errors.status
  io.write(string.format('{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50": %.2f, "p95": %.2f, "p99": %.2f, "errors": %d, "non2xx": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors, summary.errors.status))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def url_mix(kind: str) -> list[str]:
    """Realistic paths: judged queries with and without facets, theme and topic comparisons, entries."""
    queries = [q["q"] for q in yaml.safe_load((ROOT / "tests/relevance/queries.yaml").read_text(encoding="utf-8"))]
    entries = sorted(p.stem for p in (ROOT / "content").glob("*/*.md") if p.parent.name != "sources"
                     and p.name != "README.md")
    rng = random.Random(3)
    search = [f"/sok?q={quote(q)}" for q in queries]
    search += [f"/sok?q={quote(q)}&region={r}" for q in queries[:10] for r in ("skane", "ostergotland")]
    search += [f"/sok?q={quote(q)}&page=2" for q in queries[:10]]
    if kind == "search":
        return search
    compare = [f"/jamfor?tema={t}" for t in ("capital-gap", "regulatory-support", "clinical-testbeds",
                                               "health-data", "competence-supply")]
    compare += [f"/jamfor?q={quote(q)}" for q in ("hälsodata", "kompetensförsörjning", "testbäddar")]
    entry = [f"/post/{e}" for e in rng.sample(entries, 40)]
    mix = search * 2 + compare * 4 + entry
    rng.shuffle(mix)
    return mix


def wrk(port: int, paths: list[str], duration: int, connections: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="load-"))
    (work / "paths.txt").write_text("\n".join(paths) + "\n", encoding="utf-8")
    (work / "mix.lua").write_text(LUA, encoding="utf-8")
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
                          "-s", str(work / "mix.lua"), f"http://127.0.0.1:{port}"],
                         env={**os.environ, "PATHS_FILE": str(work / "paths.txt")},
                         capture_output=True, text=True, check=True)
    line = [l for l in out.stdout.splitlines() if l.startswith("{")][-1]
    return json.loads(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index during the mixed run")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    index_dir = tempfile.mkdtemp(prefix="load-index-")
    env = {**os.environ, "KB_INDEX_DIR": index_dir}
    subprocess.run([str(BIN / "flask"), "--app", "app", "index"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    port = free_port()
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", str(args.workers), "--threads",
                               str(args.threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                               "app:create_app()"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        wrk(port, url_mix("search"), 3, args.connections)  # warm every worker
        print(f"gunicorn {args.workers} workers × {args.threads} threads; wrk 2 threads, "
              f"{args.connections} connections, {args.duration} s per run, loopback\n")
        results = {"healthz": wrk(port, ["/healthz"], args.duration, args.connections),
                   "search": wrk(port, url_mix("search"), args.duration, args.connections)}
        rebuild = None
        if args.rebuild:
            rebuild = subprocess.Popen(["bash", "-c", f"sleep {args.duration / 3}; "
                                        f"{BIN / 'flask'} --app app index"], cwd=ROOT, env=env,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        results["mix"] = wrk(port, url_mix("mix"), args.duration, args.connections)
        if rebuild is not None:
            rebuild.wait()
            print(f"index rebuilt during the mixed run: {rebuild.stdout.read().strip()}")
        print(f"{'run':8} {'requests':>9} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7}")
        for name, r in results.items():
            print(f"{name:8} {r['requests']:>9} {r['rps']:>8.1f} {r['p50']:>7.1f} {r['p95']:>7.1f} "
                  f"{r['p99']:>7.1f} {r['errors']:>7}")
        print(f"\nsearch throughput / healthz throughput: {results['search']['rps'] / results['healthz']['rps']:.0%}")
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(index_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
