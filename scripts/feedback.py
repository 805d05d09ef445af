"""Would pseudo-relevance feedback help? nDCG@10 with and without it, on every judged set.

Pseudo-relevance feedback: take the top entries of a query, find their key terms (Whoosh's
`key_terms_from_text`, Bo1 weighting over the entries' bodies against the index) and search again with those
terms added as optional, down-weighted words. The engine does not use it; this script is the
measurement behind that decision (docs/benchmarks.md).

Usage: .venv/bin/python scripts/feedback.py [--top 3] [--terms 6] [--weight 0.3]
"""

from __future__ import annotations

import argparse
import heapq
import sys
from pathlib import Path
from statistics import mean

from whoosh import query as wq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.evaluate import SETS, Ours, load_queries, ndcg  # noqa: E402
from search.parsing import parse_query  # noqa: E402
from search.ranking import rank  # noqa: E402
from search.service import SearchRequest, allowed_docnums, builder, merge_filters, search  # noqa: E402


def with_feedback(snapshot, text: str, top: int, terms: int, weight: float) -> list[str]:
    """The top ten ids after one round of feedback from the first `top` entries."""
    first = search(snapshot, SearchRequest(q=text, page_size=top))
    parsed = parse_query(first.corrected or text)
    plan = builder(snapshot).plan(parsed)
    if plan.query is None or not first.hits:
        return [hit.entry.id for hit in search(snapshot, SearchRequest(q=text)).hits]
    text = " ".join(hit.entry.body for hit in first.hits)  # the index keeps no term vectors
    with snapshot.searcher() as searcher:
        found = [term for term, _ in searcher.key_terms_from_text("body", text, numterms=terms)]
    extra = wq.Or([wq.Term("body", term, boost=weight) for term in found])
    allowed = allowed_docnums(snapshot, merge_filters(parsed.filters))
    scores = rank(wq.Or([plan.query, extra]), snapshot.postings, top=10, allowed=allowed)
    best = heapq.nsmallest(10, scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [snapshot.by_docnum[d].id for d, _ in best]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--top", type=int, default=3, help="entries taken as relevant (default 3)")
    parser.add_argument("--terms", type=int, default=6, help="key terms added (default 6)")
    parser.add_argument("--weight", type=float, default=0.3, help="weight of an added term")
    args = parser.parse_args()
    snapshot = Ours(ROOT / "content").snapshot
    print(f"feedback from the top {args.top} entries, {args.terms} key terms at weight {args.weight}")
    print(f"{'set':10} {'queries':>7} {'without':>8} {'with':>8}")
    for name in SETS:
        queries = load_queries(name)
        plain = [ndcg([h.entry.id for h in search(snapshot, SearchRequest(q=q["q"])).hits],
                      q["relevant"]) for q in queries]
        fed = [ndcg(with_feedback(snapshot, q["q"], args.top, args.terms, args.weight),
                    q["relevant"]) for q in queries]
        print(f"{name:10} {len(queries):>7} {mean(plain):>8.3f} {mean(fed):>8.3f}")


if __name__ == "__main__":
    main()
