"""Score a Whoosh query a whole posting list at a time, from lists held per index generation.

Whoosh runs a query document by document through a tree of Python matchers, paying a few
microseconds per posting at every level of the tree: fine for 165 entries, over a second for
16 500. Here the same query tree is evaluated term-at-a-time: each (field, term) posting list is
read once per generation into a dict of BM25F scores (`Postings`), and the query's operators
combine those dicts.

The contract, tested over the judged queries and generated ones: for every query tree the
query stage builds (terms, phrases, `FieldMax`, `Or`, `And`, `AndNot`, `AndMaybe`), `rank` returns the same
entries with the same scores (to 1e-9) as Whoosh's own matchers through `searcher.search`.
"""

from __future__ import annotations

import heapq
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar, cast

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.mcore import Matcher
from whoosh.reading import IndexReader
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.searching import Searcher

from search.compatibility import INDEX_READ_ERRORS
from search.whoosh_queries import Bonus

log = logging.getLogger(__name__)

Key = tuple[str, bytes]
V = TypeVar("V")
Scores = dict[int, float]
EMPTY: Scores = {}
# Posting lists kept per generation before the least recently used are dropped (the setting
# POSTING_LIST_CACHE); one list is a (field, term) pair. The judged queries need ~1 000; the
# bound keeps a 100× corpus in memory. A query never depends on the cache: it holds its own
# references to the lists it needs (`Lists`), so an eviction cannot take a list from under it.
MAX_LISTS = 6000
MAX_PHRASES = 4000  # phrases whose entries are remembered per generation (a frozenset each)


class Postings:
    """BM25F impacts and positions of one index generation, read from the index on first use.

    One searcher stays open for the generation's lifetime, used under a lock: opening a Whoosh
    reader copies the segment's posting file into memory, ~30 ms at 100× the corpus, so one per
    request would cost more than the search.
    """

    def __init__(self, weighting: BM25F, open_searcher: Callable[[], Searcher],
                 on_error: Callable[[Exception], Exception], max_lists: int = MAX_LISTS,
                 read_blocks: bool = True):
        self.weighting = weighting
        self.open_searcher = open_searcher
        self.on_error = on_error  # turns a read failure into the exception the caller raises
        self.max_lists = max(1, int(max_lists))
        self.read_blocks = read_blocks  # False: posting by posting, through the public matcher API
        self._searcher: Searcher | None = None
        self._impacts: OrderedDict[Key, Scores] = OrderedDict()
        self._positions: OrderedDict[Key, Positions] = OrderedDict()
        self._lengths: dict[str, list[float]] = {}
        self._phrases: OrderedDict[tuple[Key, ...], frozenset[int]] = OrderedDict()
        self._lock = threading.Lock()
        self._phrase_lock = threading.Lock()  # not the reading lock: no I/O happens under it

    def fetch(self, keys: Iterable[Key]) -> Lists:
        """The impacts of every list a query needs, read where not held; the query keeps them."""
        return Lists(self, self._get(self._impacts, keys, self._read_impacts))

    def phrase_docs(self, keys: tuple[Key, ...]) -> frozenset[int] | None:
        """The entries where a phrase stands, when a full check has found them before."""
        with self._phrase_lock:
            found = self._phrases.get(keys)
            if found is not None:
                self._phrases.move_to_end(keys)
            return found

    def keep_phrase_docs(self, keys: tuple[Key, ...], docs: frozenset[int]) -> None:
        """Remember where a phrase stands (every entry checked), up to MAX_PHRASES phrases."""
        with self._phrase_lock:
            self._phrases[keys] = docs
            while len(self._phrases) > MAX_PHRASES:
                self._phrases.popitem(last=False)

    def doc_count(self) -> int:
        """How many documents the index holds."""
        with self._reading() as searcher:
            return int(searcher.reader().doc_count_all())

    def fetch_positions(self, keys: Iterable[Key]) -> dict[Key, Positions]:
        """The positions of each list, read where not held."""
        return self._get(self._positions, keys, self._read_positions)

    def _get(self, cache: OrderedDict[Key, V], keys: Iterable[Key],
             read: Callable[[Searcher, str, bytes], V]) -> dict[Key, V]:
        found: dict[Key, V] = {}
        missing = []
        for key in dict.fromkeys(keys):
            held = cache.get(key)
            if held is None:
                missing.append(key)
            else:
                found[key] = held
                cache.move_to_end(key)
        if missing:
            with self._reading() as searcher:
                for key in missing:
                    held = cache.get(key)  # another thread may have read it meanwhile
                    if held is None:
                        held = read(searcher, *key)
                        cache[key] = held
                        while len(cache) > self.max_lists:
                            cache.popitem(last=False)
                    found[key] = held
        return found

    def open(self) -> None:
        """Open the searcher and read every field's document lengths, before the first query.

        At 100× the corpus that takes ~0.3 s, which the first query would otherwise pay.
        """
        with self._reading() as searcher:
            reader = searcher.reader()
            for fieldname, field_type in reader.schema.items():
                if field_type.scorable:
                    self._field_lengths(reader, fieldname)

    @contextmanager
    def _reading(self) -> Iterator[Searcher]:
        """The generation's searcher, one thread at a time; a read failure drops it and is reported."""
        with self._lock:
            try:
                if self._searcher is None:
                    self._searcher = self.open_searcher()
                yield self._searcher
            except INDEX_READ_ERRORS as exc:  # a damaged or vanished index: never reuse it
                self.close()
                raise self.on_error(exc) from exc

    def close(self) -> None:
        """Close the searcher (lists already read stay usable)."""
        searcher, self._searcher = self._searcher, None
        if searcher is not None:
            try:
                searcher.close()
            except INDEX_READ_ERRORS:  # closing a reader over damaged files may fail too
                log.warning("closing the searcher of a damaged index failed", exc_info=True)

    def held(self) -> tuple[int, int]:
        """How many impact and position lists the cache holds."""
        return len(self._impacts), len(self._positions)

    def _field_lengths(self, reader: IndexReader, fieldname: str) -> list[float]:
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            # The lengths Whoosh scores with: one byte per document, so rounded like Whoosh's.
            lengths = [reader.doc_field_length(d, fieldname, 1) or 1
                       for d in range(reader.doc_count_all())]
            self._lengths[fieldname] = lengths
        return lengths

    def _read_impacts(self, searcher: Searcher, fieldname: str, text: bytes) -> Scores:
        reader = searcher.reader()
        if (fieldname, text) not in reader:
            return {}
        # BM25F as Whoosh scores it: its own scorer gives the idf, average length, B and K1.
        scorer = cast(BM25FScorer, self.weighting.scorer(searcher, fieldname, text.decode("utf-8")))
        idf, k1, b = scorer.idf, scorer.K1, scorer.B
        lengths = self._field_lengths(reader, fieldname)
        norm = k1 * (1 - b)
        slope = k1 * b / scorer.avgfl
        scores: Scores = {}
        for ids, weights, _ in self._blocks(reader.postings(fieldname, text)):
            for docnum, tf in zip(ids, weights):
                scores[docnum] = idf * (tf * (k1 + 1)) / (tf + norm + slope * lengths[docnum])
        return scores

    def _read_positions(self, searcher: Searcher, fieldname: str, text: bytes) -> Positions:
        reader = searcher.reader()
        if (fieldname, text) not in reader:
            return Positions({})
        matcher = reader.postings(fieldname, text)
        encoded: dict[int, bytes] = {}  # decoded only for the entries a phrase has to check
        for ids, _, values in self._blocks(matcher, values=True):
            encoded.update(zip(ids, values))
        posting_format = reader.schema[fieldname].format
        assert posting_format is not None, fieldname  # a positions field has a posting format
        return Positions(encoded, posting_format.decoder("positions"))

    def _blocks(self, matcher: Matcher, values: bool = False
                ) -> Iterator[tuple[Sequence[int], Sequence[float], Sequence[bytes]]]:
        """A posting list as (ids, weights, values), a block at a time where the codec allows.

        Whoosh's public per-posting calls (id, weight, next) cost more than the scoring, and no
        public call reads a block; whoosh3's leaf matcher decodes a whole block at once, so its
        block methods are read directly. That is private API: whoosh3 is pinned exactly and
        checked at start-up (search.compatibility), and the tests run both paths.
        """
        if self.read_blocks and isinstance(matcher, W3LeafMatcher):
            while matcher.is_active():
                matcher._read_ids()
                matcher._read_weights()
                if values:
                    matcher._read_values()
                yield (cast(Sequence[int], matcher._ids), cast(Sequence[float], matcher._weights),
                       cast(Sequence[bytes], matcher._values) if values else ())
                matcher._next_block()
            return
        while matcher.is_active():
            yield (matcher.id(),), (matcher.weight(),), (matcher.value(),) if values else ()
            matcher.next()


class Lists:
    """The posting lists one query scores with, held for the query's whole evaluation."""

    __slots__ = ("postings", "impacts", "positions")

    def __init__(self, postings: Postings, impacts: dict[Key, Scores]):
        self.postings = postings
        self.impacts = impacts
        self.positions: dict[Key, Positions] = {}

    def scores(self, key: Key) -> Scores:
        """The BM25F score of every entry containing the term in the field."""
        return self.impacts.get(key, EMPTY)

    def positions_of(self, keys: list[Key]) -> list[Positions]:
        """Where each term stands in each entry, read on first need."""
        missing = [k for k in keys if k not in self.positions]
        if missing:
            self.positions.update(self.postings.fetch_positions(missing))
        return [self.positions[k] for k in keys]


class Positions:
    """Where one term stands in each entry, kept encoded and decoded on first look."""

    def __init__(self, encoded: dict[int, bytes], decode: Callable[[bytes], list[int]] = list):
        self._encoded, self._decode = encoded, decode
        self._decoded: dict[int, frozenset[int]] = {}

    def __getitem__(self, docnum: int) -> frozenset[int]:
        found = self._decoded.get(docnum)
        if found is None:
            found = self._decoded[docnum] = frozenset(self._decode(self._encoded[docnum]))
        return found


def _term_key(fieldname: str, text: str | bytes) -> Key:
    return fieldname, text if isinstance(text, bytes) else text.encode("utf-8")


def _key(q: wq.Term) -> Key:
    return _term_key(q.fieldname, q.text)


def _phrase_keys(q: wq.Phrase) -> list[Key]:
    return [_term_key(q.fieldname, word) for word in q.words]


def needed(q: wq.Query) -> list[Key]:
    """The posting lists a query scores with (positions are read only for phrases that need them)."""
    impacts: list[Key] = []
    stack = [q]
    while stack:
        node = stack.pop()
        if isinstance(node, wq.Term):
            impacts.append(_key(node))
        elif isinstance(node, wq.Phrase):
            impacts.extend(_phrase_keys(node))
        elif isinstance(node, (wq.Or, wq.And, wq.AndNot, wq.AndMaybe, wq.DisjunctionMax)):
            stack.extend(node.children())
        elif node is not wq.NullQuery:
            raise TypeError(f"cannot rank a {type(node).__name__} query")
    return impacts


def evaluate(q: wq.Query, lists: Lists, only: set[int] | None = None, loose: bool = False) -> Scores:
    """Score every entry the query matches, from the query's lists (phrases read positions).

    `only` limits phrase checks to those entries; `loose` skips them (every entry with all the
    words counts), which gives an upper bound of the phrase's score.
    """
    def sub(node: wq.Query) -> Scores:
        return evaluate(node, lists, only, loose)

    if isinstance(q, wq.Term):  # the cached list itself when unboosted: combiners copy, never change
        return _scaled(lists.scores(_key(q)), q.boost)
    if isinstance(q, wq.Phrase):
        return _phrase(q, lists, only, loose)
    if isinstance(q, wq.DisjunctionMax):
        if len(q.subqueries) == 1:  # Whoosh uses a lone subquery's matcher as it is
            return sub(q.subqueries[0])
        return _field_max([sub(s) for s in q.subqueries], q.tiebreak, q.boost)
    if isinstance(q, wq.AndMaybe):  # b only adds to what a matches (Whoosh applies no boost)
        required, optional = sub(q.a), sub(q.b)
        return {d: s + optional[d] if d in optional else s for d, s in required.items()}
    if isinstance(q, wq.AndNot):
        excluded = sub(q.b)
        return {d: s for d, s in sub(q.a).items() if d not in excluded}
    if isinstance(q, wq.And):
        parts = [sub(s) for s in q.subqueries]
        common = set(parts[0]).intersection(*parts[1:]) if parts else set()
        return {d: sum(p[d] for p in parts) * q.boost for d in common}
    if isinstance(q, wq.Or):
        if len(q.subqueries) == 1:
            return sub(q.subqueries[0])
        return _sum([sub(s) for s in q.subqueries], q.boost)
    if q is wq.NullQuery:
        return {}
    raise TypeError(f"cannot rank a {type(q).__name__} query")


def _field_max(parts: list[Scores], tiebreak: float, boost: float = 1.0) -> Scores:
    """Best sub-score plus tiebreak × the others, as `search.whoosh_queries.FieldMaxMatcher` scores.

    The longest list is copied (in C) and only the shorter ones are walked in Python.
    """
    parts = sorted((p for p in parts if p), key=len, reverse=True)
    if not parts:
        return {}
    best = dict(parts[0])
    others: Scores = {}  # per entry, the sum of its scores that are not its best
    for part in parts[1:]:
        for docnum, score in part.items():
            current = best.get(docnum)
            if current is None:
                best[docnum] = score
            elif score > current:
                best[docnum] = score
                others[docnum] = others.get(docnum, 0.0) + current
            else:
                others[docnum] = others.get(docnum, 0.0) + score
    if tiebreak:
        for docnum, rest in others.items():
            best[docnum] += tiebreak * rest
    return _scaled(best, boost)


def _sum(parts: list[Scores], boost: float = 1.0) -> Scores:
    """Sum of the clauses' scores: Whoosh's `Or` (the query stage sets no coordination `scale`)."""
    parts = sorted((p for p in parts if p), key=len, reverse=True)
    if not parts:
        return {}
    total = dict(parts[0])
    for part in parts[1:]:
        for docnum, score in part.items():
            total[docnum] = total.get(docnum, 0.0) + score
    return _scaled(total, boost)


def _scaled(scores: Scores, boost: float) -> Scores:
    return {d: s * boost for d, s in scores.items()} if boost != 1.0 else scores


def _phrase(q: wq.Phrase, lists: Lists, only: set[int] | None = None,
            loose: bool = False) -> Scores:
    """Entries where the words stand next to each other; scored as Whoosh does, by their sum."""
    keys = _phrase_keys(q)
    impacts = [lists.scores(k) for k in keys]
    if not impacts or any(not i for i in impacts):
        return {}
    smallest = min(impacts, key=len)
    candidates = set(smallest).intersection(*(i.keys() for i in impacts if i is not smallest))
    if loose:
        return {d: q.boost * sum(i[d] for i in impacts) for d in candidates}
    # Where a phrase stands depends only on the generation: once checked for every entry, the
    # answer is kept (thesaurus phrases recur in many queries).
    known = lists.postings.phrase_docs(tuple(keys))
    if known is not None:
        candidates &= known if only is None else known & only
        return {d: q.boost * sum(i[d] for i in impacts) for d in candidates}
    if only is not None:
        candidates &= only
    if not candidates:
        return {}
    # Most phrases of a query have no entry with all their words; only the others read positions.
    positions = lists.positions_of(keys)
    found: Scores = {}
    for docnum in candidates:
        starts: Iterable[int] = positions[0][docnum]
        for offset, later in enumerate(positions[1:], 1):
            where = later[docnum]
            starts = [p for p in starts if p + offset in where]
            if not starts:
                break
        else:
            found[docnum] = q.boost * sum(i[docnum] for i in impacts)
    if only is None:
        lists.postings.keep_phrase_docs(tuple(keys), frozenset(found))
    return found


def rank(q: wq.Query, postings: Postings, top: int | None = None,
         allowed: set[int] | None = None) -> Scores:
    """Score every entry a query matches (and `allowed` lets through).

    With `top`, a Bonus clause's phrases are checked only for entries that could reach the
    first `top` with it; the others keep their score without the bonus (they are not shown).
    """
    lists = postings.fetch(needed(q))
    base, bonus = _split_bonus(q)
    scores = evaluate(base, lists) if base is not None else {}
    if any(scores is held for held in lists.impacts.values()):
        scores = dict(scores)  # never hand out a cached list
    if allowed is not None:
        scores = {d: s for d, s in scores.items() if d in allowed}
    if bonus is None or not scores:
        return scores
    candidates = None
    if top is not None and top < len(scores):
        # Bonuses only add, so the top-th base score is a floor for the final top-th score.
        floor = heapq.nlargest(top, scores.values())[-1]
        ceiling = evaluate(bonus, lists, loose=True)
        candidates = {d for d, extra in ceiling.items()
                      if d in scores and scores[d] + extra >= floor}
    for docnum, extra in evaluate(bonus, lists, only=candidates).items():
        if docnum in scores:
            scores[docnum] += extra
    return scores


def matching(q: wq.Query | None, postings: Postings, allowed: set[int] | None = None) -> set[int]:
    """The entries a query matches (and `allowed` lets through), without scoring its bonuses."""
    if q is None:
        return set()
    base, _ = _split_bonus(q)
    if base is None:
        return set()
    found = evaluate(base, postings.fetch(needed(base)))
    return found.keys() & allowed if allowed is not None else set(found)


def _split_bonus(q: wq.Query) -> tuple[wq.Query | None, wq.Query | None]:
    """Separate the Bonus clauses of a top-level Or (under an exclusion or not) from the rest."""
    inner = q.a if isinstance(q, wq.AndNot) else q
    if not isinstance(inner, wq.Or) or not any(isinstance(c, Bonus) for c in inner.subqueries):
        return q, None
    rest = [c for c in inner.subqueries if not isinstance(c, Bonus)]
    bonus = wq.Or([c for c in inner.subqueries if isinstance(c, Bonus)], boost=inner.boost)
    base: wq.Query | None = wq.Or(rest, boost=inner.boost) if rest else None
    if base is not None and isinstance(q, wq.AndNot):
        base = type(q)(base, q.b)
    return base, bonus
