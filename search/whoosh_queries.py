"""Field-maximum queries for Whoosh, scored as documented: best field + tiebreak × the others.

Whoosh's DisjunctionMaxMatcher takes the max of both sub-matchers' scores even when one of them
sits on another document, so an entry matching only a weak field inherits the score of a strong
match elsewhere (seen in whoosh3 3.54 and whoosh 2.7.4); its weighted tree drops the `tiebreak`
argument; and with three or more fields it nests binary maxima, so the tiebreak applies to
partial maxima. `FieldMax` gives Whoosh a flat matcher over all its fields instead.

The site ranks with search/ranking.py, which evaluates these queries without Whoosh's matchers;
these classes are Whoosh's own evaluation of them, which the ranker is tested against.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from whoosh import matching
from whoosh import query as wq
from whoosh.matching import mcore
from whoosh.matching.mcore import Matcher
from whoosh.searching import SearchContext, Searcher


class FieldMaxMatcher(mcore.Matcher):
    """At each document, the best sub-score plus tiebreak × the other sub-scores there."""

    def __init__(self, subs: Sequence[Matcher], tiebreak: float = 0.0):
        self.subs = list(subs)
        self.tiebreak = tiebreak

    def _active(self) -> list[Matcher]:
        return [m for m in self.subs if m.is_active()]

    def _here(self) -> list[Matcher]:
        active = self._active()
        current = min(m.id() for m in active)
        return [m for m in active if m.id() == current]

    def is_active(self) -> bool:
        return any(m.is_active() for m in self.subs)

    def id(self) -> int:
        return min(m.id() for m in self._active())

    def score(self) -> float:
        scores = [m.score() for m in self._here()]
        best = max(scores)
        return best + self.tiebreak * (sum(scores) - best)

    def weight(self) -> float:
        return sum(m.weight() for m in self._here())

    def next(self) -> None:
        for m in self._here():
            m.next()

    def skip_to(self, id: int) -> None:
        for m in self._active():
            if m.id() < id:
                m.skip_to(id)

    def supports(self, astype: str) -> bool:
        return all(m.supports(astype) for m in self.subs)

    def value(self) -> bytes:
        raise NotImplementedError("a field maximum has no single posting value")

    def value_as(self, astype: str) -> object:
        raise NotImplementedError("a field maximum has no single posting value")

    def reset(self) -> None:
        for m in self.subs:
            m.reset()

    def copy(self) -> FieldMaxMatcher:
        return FieldMaxMatcher([m.copy() for m in self.subs], self.tiebreak)

    def children(self) -> list[Matcher]:
        return list(self.subs)

    def term_matchers(self) -> Iterator[Matcher]:
        for m in self.subs:
            yield from m.term_matchers()

    def matching_terms(self, id: int | None = None) -> Iterator[tuple[str, bytes]]:
        current = self.id() if id is None else id
        for m in self._active():
            if m.id() == current:
                yield from m.matching_terms(current)

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        return sum(m.max_quality() for m in self._active())

    def replace(self, minquality: float = 0) -> Matcher:
        active = [m.replace(0) for m in self._active()]
        active = [m for m in active if m.is_active()]
        if not active:
            return mcore.NullMatcher()
        return FieldMaxMatcher(active, self.tiebreak)


class FieldMax(wq.DisjunctionMax):
    """DisjunctionMax over the fields one word may match in, with correct per-document scores."""

    def _matcher(self, subs: Sequence[wq.Query], searcher: Searcher,
                 context: SearchContext | None) -> Matcher:
        matcher: Matcher = FieldMaxMatcher([q.matcher(searcher, context) for q in subs], self.tiebreak)
        if self.boost != 1.0:
            matcher = matching.WrappingMatcher(matcher, self.boost)
        return matcher


class Bonus(FieldMax):
    """A FieldMax clause that only adds to entries the other clauses match (a proximity bonus).

    Whoosh scores it like any clause; search/ranking.py uses the promise to check its phrases
    only where the bonus could change which entries make the page.
    """


class ExclusionMatcher(matching.AndNotMatcher):
    """Whoosh's AndNotMatcher, also excluding a first match that an earlier exclusion precedes.

    whoosh3 3.54 checks its first candidate against the exclusions only when both start on the
    same document, so `ABB -företag` kept an entry saying "företag" whenever the exclusions'
    first document came earlier (found by the generated queries of tests/test_ranking.py).
    """

    def _find_first(self) -> None:
        if self.a.is_active() and self.b.is_active() and self.b.id() <= self.a.id():
            self._find_next()


class Excluding(wq.AndNot):
    """`a` without the entries `b` matches, with Whoosh's matcher corrected (ExclusionMatcher)."""

    def matcher(self, searcher: Searcher, context: SearchContext | None = None) -> Matcher:
        scored = self.a.matcher(searcher, context)
        excluded = self.b.matcher(searcher, searcher.boolean_context())
        return ExclusionMatcher(scored, excluded)
