"""A disjunction-max query that scores correctly.

Whoosh's DisjunctionMaxMatcher takes the max of both sub-matchers' scores even when one of them
sits on another document, so an entry matching only a weak field inherits the score of a strong
match elsewhere (seen in whoosh3 3.54 and whoosh 2.7.4); and the weighted tree Whoosh builds
for it drops the `tiebreak` argument, so only the maximum counts.

The site ranks with search/ranking.py, which evaluates these queries without Whoosh's matchers;
this matcher keeps Whoosh's own evaluation of them correct, which the tests compare against.
"""

from __future__ import annotations

from whoosh import matching
from whoosh import query as wq
from whoosh.matching import mcore


class FieldMaxMatcher(matching.DisjunctionMaxMatcher):
    """Score = best sub-score at this document + tiebreak × the other sub-scores there."""

    def _scores(self) -> list[float]:
        current = self.id()
        return [m.score() for m in (self.a, self.b) if m.is_active() and m.id() == current]

    def score(self) -> float:
        scores = self._scores()
        best = max(scores)
        return best + self.tiebreak * (sum(scores) - best)

    def supports_block_quality(self) -> bool:
        return False

    def replace(self, minquality=0):
        a, b = self.a, self.b
        if not a.is_active() and not b.is_active():
            return mcore.NullMatcher()
        if not a.is_active():
            return b.replace(0)
        if not b.is_active():
            return a.replace(0)
        a, b = a.replace(0), b.replace(0)
        if a is self.a and b is self.b:
            return self
        return self.__class__(a, b, tiebreak=self.tiebreak)


class FieldMax(wq.DisjunctionMax):
    """DisjunctionMax over the fields one word may match in, with correct per-document scores."""

    def _matcher(self, subs, searcher, context):
        # No weight function: Whoosh's plain binary tree passes `tiebreak` on, its weighted one not.
        return self._tree_matcher(subs, FieldMaxMatcher, searcher, context, None,
                                  tiebreak=self.tiebreak)


class Bonus(FieldMax):
    """A FieldMax clause that only adds to entries the other clauses match (a proximity bonus).

    Whoosh scores it like any clause; search/ranking.py uses the promise to check its phrases
    only where the bonus could change which entries make the page.
    """
