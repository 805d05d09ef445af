"""CPU time of a search page for queries never asked before, in-process (page cache off).

Usage: .venv/bin/python scripts/page_cost.py [--root CHECKOUT] [--content DIR] [--no-texts]

Builds the index of CHECKOUT (default: this one) in a temporary directory and asks its app, through
Flask's test client, for 3 000 search pages of two-word queries made the way scripts/load.py makes
them (always from this checkout's titles, so every checkout answers the same queries). The first
1 500 warm the worker up; the next 1 500 are timed. `--root` measures another checkout (e.g. a
git worktree of an older commit) with the same queries; `--no-texts` leaves out the report-text
search, to see what it costs. Prints milliseconds of CPU time per page.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from scripts.load import url_mix  # noqa: E402

PAGES = 1500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=HERE, help="checkout to measure (default: this one)")
    parser.add_argument("--content", type=Path, help="content directory (default: the checkout's)")
    parser.add_argument("--no-texts", action="store_true", help="leave out the report-text search")
    args = parser.parse_args()
    fresh = url_mix("search")[0::2][:2 * PAGES]  # every other path is a query never asked before
    root = args.root.resolve()
    os.environ["KB_INDEX_DIR"] = tempfile.mkdtemp(prefix="page-cost-")
    os.environ["KB_PAGE_CACHE_PAGES"] = "0"
    if args.content:
        os.environ["KB_CONTENT_DIR"] = str(args.content.resolve())
    subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "app", "index"],
                   cwd=root, check=True, capture_output=True)
    sys.path.insert(0, str(root))
    for name in [m for m in sys.modules if m.split(".")[0] in ("app", "config", "search", "kb", "web")]:
        del sys.modules[name]  # the checkout's own packages, not this one's
    import app as measured
    if args.no_texts:
        import search.service
        search.service.search_texts = lambda *_args, **_kwargs: (0, [])  # type: ignore[attr-defined]
    client = measured.create_app().test_client()
    for path in fresh[:PAGES]:
        client.get(path)
    started = time.process_time()
    for path in fresh[PAGES:]:
        response = client.get(path)
        assert response.status_code == 200, path
    spent = time.process_time() - started
    print(f"{root.name}: {spent / PAGES * 1000:.2f} ms CPU per search page ({PAGES} new queries"
          f"{', report-text search off' if args.no_texts else ''})")


if __name__ == "__main__":
    main()
