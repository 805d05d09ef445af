"""Measure Whoosh's coordination factor (`Or(scale=…)`) on both judged sets.

The query stage combines the clauses of a query (one per typed word, phrase or proximity bonus)
with a plain `Or`: an entry's score is the sum of its clauses' scores. Whoosh can add a
coordination factor (the "SQR" of its CoordMatcher) when `scale` is given. This prints nDCG@10
and recall@10 with Whoosh's own matchers, without and with that factor, and whether any first
page changes.

Usage: .venv/bin/python scripts/coordination.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from statistics import mean

from whoosh import query as wq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.evaluate import K, load_queries, ndcg, recall  # noqa: E402
from search.generations import KnowledgeBase  # noqa: E402
from search.index import build_from_content  # noqa: E402
from search.parsing import parse_query  # noqa: E402
from search.service import builder  # noqa: E402


def with_scale(q, scale):
    inner = q.a if isinstance(q, wq.AndNot) else q
    if not isinstance(inner, wq.Or):
        return q
    scaled = wq.Or(inner.subqueries, boost=inner.boost, scale=scale)
    return wq.AndNot(scaled, q.b) if isinstance(q, wq.AndNot) else scaled


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="coord-"))
    build_from_content(ROOT / "content", root)
    snap = KnowledgeBase(ROOT / "content", root, auto_rebuild=False).snapshot()
    for name in ("dev", "heldout"):
        queries = load_queries(name)
        figures = {}
        changed = 0
        for scale in (None, 0.95):
            rows = []
            for item in queries:
                q = builder(snap).build(parse_query(item["q"]))
                if scale is not None:
                    q = with_scale(q, scale)
                with snap.searcher() as searcher:
                    ranked = [snap.by_docnum[h.docnum].id for h in searcher.search(q, limit=K)]
                rows.append((ranked, ndcg(ranked, item["relevant"]), recall(ranked, item["relevant"])))
            figures[scale] = rows
        changed = sum(a[0] != b[0] for a, b in zip(figures[None], figures[0.95]))
        for scale, rows in figures.items():
            label = "plain Or (the engine)" if scale is None else f"Or(scale={scale})"
            print(f"{name:8} {label:24} nDCG@10 {mean(r[1] for r in rows):.4f}  "
                  f"recall@10 {mean(r[2] for r in rows):.4f}")
        print(f"{name:8} first pages that differ: {changed} of {len(queries)}\n")


if __name__ == "__main__":
    main()
