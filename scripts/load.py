"""Load test: the app under gunicorn (production settings) driven by wrk on loopback.

Runs, each for --duration seconds with --connections concurrent clients, in one go:
  /healthz (the floor: the same stack doing no work), search pages only, and a mix of search,
  compare and entry pages; with --rebuild, `flask index` rebuilds the index in another process
  a third of the way into the mixed run. Search traffic alternates popular queries (the judged
  set, which repeat and so come from the page cache) with two-word queries never asked before
  (which the cache cannot answer). Then the same server with the page cache off runs /healthz
  and search again. Prints throughput, p50/p95/p99 latency and error counts for each as a
  Markdown table, then the acceptance checks (zero errors, search p99 < 150 ms, search
  throughput ≥ 25 % of /healthz throughput).

wrk runs as a separate process on the same two cores, so its own CPU use is part of the figures.

Usage: .venv/bin/python scripts/load.py [--duration 20] [--connections 32] [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Production serving, as `make serve` runs it: CPU-bound requests, so one sync worker per core
# and two more, which keeps a slow export from holding half the capacity (see docs/benchmarks.md).
WORKERS, THREADS = 4, 1
INDEX_COMMAND = [str(BIN / "flask"), "--app", "app", "index"]
P99_LIMIT_MS = 150.0
FLOOR_SHARE = 0.25

LUA = r"""
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do paths[#paths + 1] = line end
local counter = 0
local started = 0
-- Each wrk thread starts at its own place in the list, so no URL is asked twice by design.
function setup(thread)
  thread:set("slot", started)
  started = started + 1
end
init = function(args)
  counter = (slot or 0) * math.floor(#paths / 2)
end
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50": %.2f, "p95": %.2f, "p99": %.2f, "max": %.2f, "socket_errors": %d, "timeouts": %d, "non2xx": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect + e.read + e.write, e.timeout, e.status))
end
"""


def url_mix(kind: str) -> list[str]:
    """Realistic paths: judged queries with and without facets, theme and topic comparisons, entries.

    "popular" is the judged queries (some with a region facet or page 2); "search" alternates
    those with two-word queries made from the entries' title words, each asked once; "mix" adds
    comparisons and entry pages to the popular searches.
    """
    queries = [q["q"] for q in yaml.safe_load((ROOT / "tests/relevance/queries.yaml").read_text(encoding="utf-8"))]
    entries = sorted(p for p in (ROOT / "content").glob("*/*.md") if p.parent.name != "sources"
                     and p.name != "README.md")
    rng = random.Random(3)
    popular = [f"/sok?q={quote(q)}" for q in queries]
    popular += [f"/sok?q={quote(q)}&region={r}" for q in queries[:10] for r in ("skane", "ostergotland")]
    popular += [f"/sok?q={quote(q)}&page=2" for q in queries[:10]]
    if kind == "popular":
        return popular
    if kind == "search":
        words = sorted({w.lower() for p in entries for line in p.read_text(encoding="utf-8").splitlines()
                        if line.startswith("title:") for w in re.findall(r"[^\W\d_]{5,}", line[6:])})
        pairs = list(dict.fromkeys(f"{a} {b}" for a, b in
                                   ((rng.choice(words), rng.choice(words)) for _ in range(40000)) if a != b))
        fresh = [f"/sok?q={quote(q)}" for q in pairs]
        return [path for pair in zip(fresh, popular * (len(fresh) // len(popular) + 1)) for path in pair]
    compare = [f"/jamfor?tema={t}" for t in ("capital-gap", "regulatory-support", "clinical-testbeds",
                                               "health-data", "competence-supply")]
    compare += [f"/jamfor?q={quote(q)}" for q in ("hälsodata", "kompetensförsörjning", "testbäddar")]
    entry = [f"/post/{p.stem}" for p in rng.sample(entries, 40)]
    mix = popular * 2 + compare * 4 + entry
    rng.shuffle(mix)
    return mix


def wrk(url: str, paths: list[str], duration: int, connections: int) -> dict:
    """Run wrk (2 threads) over the paths in turn; return its summary."""
    work = Path(tempfile.mkdtemp(prefix="load-"))
    try:
        (work / "paths.txt").write_text("\n".join(paths) + "\n", encoding="utf-8")
        (work / "mix.lua").write_text(LUA, encoding="utf-8")
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
                              "-s", str(work / "mix.lua"), url],
                             env={**os.environ, "PATHS_FILE": str(work / "paths.txt")},
                             capture_output=True, text=True, check=True, timeout=duration + 60)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    line = [text for text in out.stdout.splitlines() if text.startswith("{")][-1]
    result = json.loads(line)
    result["errors"] = result["socket_errors"] + result["timeouts"] + result["non2xx"]
    return result


def start_gunicorn(env: dict[str, str], workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    """Start gunicorn on a port of its own choosing; return the process and its address."""
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
                               "--bind", "127.0.0.1:0", "--log-level", "info", "app:create_app()"],
                              cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    url = ""
    deadline = time.monotonic() + 60
    while not url and time.monotonic() < deadline:
        line = server.stderr.readline()
        if not line and server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}")
        found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", line)
        url = found.group(1) if found else ""
    threading.Thread(target=server.stderr.read, daemon=True).start()  # never let its log pipe fill
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.1)
    return server, url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=20, help="seconds per run (default 20)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--workers", type=int, default=WORKERS, help=f"gunicorn workers (default {WORKERS})")
    parser.add_argument("--threads", type=int, default=THREADS, help=f"threads per worker (default {THREADS})")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index during the mixed run")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    index_dir = tempfile.mkdtemp(prefix="load-index-")
    env = {**os.environ, "KB_INDEX_DIR": index_dir}
    env.pop("FLASK_DEBUG", None)
    subprocess.run(INDEX_COMMAND, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    print(f"gunicorn {args.workers} worker(s) × {args.threads} thread(s) "
          f"({'sync' if args.threads == 1 else 'gthread'}); wrk 2 threads, {args.connections} "
          f"connections, {args.duration} s per run, loopback; {os.cpu_count()} cores shared by both\n")
    rebuild: dict = {}
    try:
        results = serve_and_load(env, args, rebuild)
        # The same again with the page cache off: what computing every request costs.
        uncached = serve_and_load({**env, "KB_PAGE_CACHE_PAGES": "0"}, args, None)
    finally:
        shutil.rmtree(index_dir, ignore_errors=True)
    rows = {**results, **{f"{name} (page cache off)": r for name, r in uncached.items()}}
    print("| run | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {r['requests']} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
              f"{r['p99']:.1f} | {r['max']:.0f} | {r['errors']} |")
    errors = sum(r["errors"] for r in rows.values())
    if errors:
        print("\nerrors: " + "; ".join(f"{name}: {r['socket_errors']} socket, {r['timeouts']} timeouts, "
                                      f"{r['non2xx']} non-2xx" for name, r in rows.items()))
    if rebuild:
        print(f"\nindex rebuilt during the mixed run (exit {rebuild['code']}, {rebuild['seconds']:.1f} s): "
              f"{rebuild['output'].splitlines()[-1] if rebuild['output'] else ''}")
    print()
    for label, data in (("production settings", results), ("page cache off", uncached)):
        share = data["search"]["rps"] / data["/healthz"]["rps"]
        p99 = data["search"]["p99"]
        checks = [("zero errors", errors == 0, f"{errors}"),
                  (f"search p99 < {P99_LIMIT_MS:.0f} ms", p99 < P99_LIMIT_MS, f"{p99:.1f} ms"),
                  (f"search req/s ≥ {FLOOR_SHARE:.0%} of /healthz", share >= FLOOR_SHARE, f"{share:.1%}")]
        if rebuild and data is results:
            checks.append(("rebuild succeeded", rebuild["code"] == 0, f"exit {rebuild['code']}"))
        print(label)
        for name, ok, value in checks:
            print(f"  {'met    ' if ok else 'NOT MET'}  {name}: {value}")
    sys.exit(1 if errors else 0)


def serve_and_load(env: dict[str, str], args: argparse.Namespace, rebuild: dict | None) -> dict[str, dict]:
    """Start gunicorn, run /healthz, search and (with `rebuild`) the mixed run; stop it."""
    server, url = start_gunicorn(env, args.workers, args.threads)
    try:
        wrk(url, url_mix("popular"), 3, args.connections)  # warm every worker
        results = {"/healthz": wrk(url, ["/healthz"], args.duration, args.connections),
                   "search": wrk(url, url_mix("search"), args.duration, args.connections)}
        if rebuild is None:
            return results
        timer = None
        if args.rebuild:
            def run_rebuild() -> None:
                started = time.monotonic()
                done = subprocess.run(INDEX_COMMAND, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
                rebuild.update(code=done.returncode, seconds=time.monotonic() - started,
                               output=(done.stdout + done.stderr).strip())
            timer = threading.Timer(args.duration / 3, run_rebuild)
            timer.start()
        name = "mix" + (" + rebuild" if args.rebuild else "")
        results[name] = wrk(url, url_mix("mix"), args.duration, args.connections)
        if timer is not None:
            timer.join()
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
