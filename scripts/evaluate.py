"""Print nDCG@10 and recall@10 on the judged query set for our engine and two baselines.

Usage: .venv/bin/python scripts/evaluate.py [--verbose] [--set dev|heldout|questions ...]
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path
from statistics import mean

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.content.entries import load_content  # noqa: E402
from scripts.baselines import Fts5, StockWhoosh  # noqa: E402
from search.generations import KnowledgeBase  # noqa: E402
from search.index import build_from_content  # noqa: E402
from search.service import SearchRequest, search  # noqa: E402

SETS = {"dev": ROOT / "tests" / "relevance" / "queries.yaml",      # tuned against
        "heldout": ROOT / "tests" / "relevance" / "heldout.yaml",  # judged later, never tuned on
        # How staff ask (questions, paraphrases, generic words, English, typos); never tuned on.
        "questions": ROOT / "tests" / "relevance" / "questions.yaml"}
TITLES = {"dev": "development set (tests/relevance/queries.yaml)",
          "heldout": "held-out set (tests/relevance/heldout.yaml)",
          "questions": "question-style set (tests/relevance/questions.yaml)"}
K = 10


def ndcg(ranked: list[str], judged: dict[str, int], k: int = K) -> float:
    """Normalised discounted cumulative gain with graded gains 2^g - 1."""
    gain = sum((2 ** judged.get(doc, 0) - 1) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sum((2 ** g - 1) / math.log2(i + 2)
                for i, g in enumerate(sorted(judged.values(), reverse=True)[:k]))
    return gain / ideal if ideal else 0.0


def recall(ranked: list[str], judged: dict[str, int], k: int = K) -> float:
    """Share of the relevant entries found in the top k (out of at most k)."""
    relevant = {d for d, g in judged.items() if g > 0}
    return len(relevant & set(ranked[:k])) / min(len(relevant), k) if relevant else 0.0


class Ours:
    name = "this engine"

    def __init__(self, content_dir: Path):
        root = Path(tempfile.mkdtemp(prefix="eval-"))
        build_from_content(content_dir, root)
        self.snapshot = KnowledgeBase(content_dir, root, auto_rebuild=False).snapshot()

    def search(self, q: str, limit: int = K) -> list[str]:
        result = search(self.snapshot, SearchRequest(q=q, page_size=limit))
        return [hit.entry.id for hit in result.hits]


def load_queries(name: str = "dev") -> list[dict]:
    return yaml.safe_load(SETS[name].read_text(encoding="utf-8"))


def evaluate(engines, queries) -> dict[str, dict[str, dict[str, float]]]:
    """Return {engine: {group: {"ndcg": x, "recall": y, "n": n}}} plus per-query rows.

    Groups are the languages, "all", and each query style the set names.
    """
    table: dict[str, dict[str, dict[str, float]]] = {}
    for engine in engines:
        rows = []
        for item in queries:
            ranked = engine.search(item["q"])
            rows.append((item["lang"], ndcg(ranked, item["relevant"]), recall(ranked, item["relevant"]),
                         item["q"], item.get("style", "")))
        table[engine.name] = {}
        styles = sorted({r[4] for r in rows if r[4]})
        for group in ("sv", "en", "all", *styles):
            chosen = [r for r in rows if group in ("all", r[0], r[4])]
            table[engine.name][group] = {"ndcg": mean(r[1] for r in chosen),
                                        "recall": mean(r[2] for r in chosen), "n": len(chosen)}
        table[engine.name]["rows"] = rows  # type: ignore[assignment]
    return table


def report(table, queries, title: str, verbose: bool) -> None:
    print(f"== {title}: {len(queries)} judged queries, "
          f"{sum(len(q['relevant']) for q in queries)} judgments")
    print(f"{'engine':32} {'group':10} {'n':>3} {'nDCG@10':>8} {'recall@10':>10}")
    for name, groups in table.items():
        for group, f in groups.items():
            if group != "rows":
                print(f"{name:32} {group:10} {f['n']:>3} {f['ndcg']:>8.3f} {f['recall']:>10.3f}")
    ours = table["this engine"]["sv"]["ndcg"]
    for other in list(table)[1:]:
        print(f"Swedish nDCG@10 ratio, this engine / {other}: {ours / table[other]['sv']['ndcg']:.2f}")
    if verbose:
        print("per query (nDCG@10: ours / stock / fts5):")
        rows = [table[name]["rows"] for name in table]
        for parts in zip(*rows):
            print(f"  {parts[0][3]!r:45} " + " / ".join(f"{p[1]:.2f}" for p in parts))
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--verbose", action="store_true", help="print every query's figures")
    parser.add_argument("--set", dest="sets", action="append", choices=sorted(SETS),
                        help="evaluate only this set (repeatable; default: all)")
    args = parser.parse_args()
    content = ROOT / "content"
    _, entries = load_content(content)
    engines = [Ours(content), StockWhoosh(entries), Fts5(entries)]
    print(f"{len(entries)} entries\n")
    for name in args.sets or list(SETS):
        queries = load_queries(name)
        report(evaluate(engines, queries), queries, TITLES[name], args.verbose)


if __name__ == "__main__":
    main()
