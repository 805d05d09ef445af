"""The query service: what a search returns, as plain typed data.

A search ranks the entries (facet filters applied first), pages them, counts facets over all
matches, highlights a snippet per hit, offers a spelling correction when few entries match,
and searches the report texts as a second, separately listed layer.
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from whoosh import query as wq

from kb.content.codes import FACETS
from kb.content.model import Entry
from search.generations import Snapshot
from search.parsing import ParsedQuery, parse_query
from search.query import QueryBuilder
from search.ranking import Scores, rank
from search.snippets import has_marks, make_snippet
from search.spelling import Speller

TEXT_HITS = 5  # report-text sections listed under the entries on a search page
# Facets of the report texts' layer: a section has a source and a region, not a kind or theme.
TEXT_FACETS = ("source", "region")


@dataclass
class SearchRequest:
    """A search: the query text, facet filters chosen by clicking, and the page wanted."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    page_size: int = 10  # 0 returns every match on one page (comparison, export)


@dataclass(frozen=True)
class Hit:
    """An entry that matches, its score (None when browsing) and a highlighted snippet."""

    entry: Entry
    score: float | None
    snippet: str  # escaped HTML with <mark> around matching words


@dataclass(frozen=True)
class TextHit:
    """A section of a report text that matches, and where the best match stands in it."""

    source: str
    section: str  # as cited
    heading: str  # the printed number and heading
    anchor: str  # of the block with the best match, in the report's reader page
    page: int | None
    score: float
    snippet: str


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    """One page of a search, with everything the page and its JSON twin show."""

    query: str
    parsed: ParsedQuery
    filters: dict[str, list[str]]
    total: int
    page: int
    pages: int
    page_size: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    suggestion: str | None = None
    text_total: int = 0  # matching report-text sections
    text_hits: list[TextHit] = field(default_factory=list)


def builder(snapshot: Snapshot) -> QueryBuilder:
    """The generation's query builder for its entries (made once per worker)."""
    return snapshot.remember("entry-builder", lambda: QueryBuilder(
        snapshot.schema, snapshot.splitter, snapshot.vocab.synonyms))


def text_builder(snapshot: Snapshot) -> QueryBuilder:
    """The generation's query builder for its report texts."""
    return snapshot.remember("text-builder", lambda: QueryBuilder(
        snapshot.text_layer.schema, snapshot.splitter, snapshot.vocab.synonyms))


def merge_filters(*sources: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Combine facet filters from the URL and from the query text, without duplicates."""
    merged: dict[str, list[str]] = {}
    for source in sources:
        for facet, values in source.items():
            if facet in FACETS:
                for value in values:
                    value = str(value)
                    if value and value not in merged.setdefault(facet, []):
                        merged[facet].append(value)
    return {k: v for k, v in merged.items() if v}


def search(snapshot: Snapshot, request: SearchRequest) -> SearchResult:
    """Run a search: hits with snippets, facet counts, paging, suggestion, report-text hits."""
    parsed = parse_query(request.q)
    filters = merge_filters(request.filters, parsed.filters)
    build = builder(snapshot)
    scoring = build.build(parsed)
    browse = scoring is None
    every = request.page_size == 0
    page_size = max(1, min(int(request.page_size), 100)) if not every else 0
    allowed = allowed_docnums(snapshot, filters)
    requested = max(1, int(request.page or 1))
    scores: Scores
    if scoring is None:  # no words: every entry the filters allow, in report order
        scores = {d: 0.0 for d in snapshot.by_docnum if allowed is None or d in allowed}
    else:
        # Up to the requested page; past the last page, the last page is shown (phrase
        # bonuses are then checked for every match).
        scores = rank(scoring, snapshot.postings, top=None if every else requested * page_size,
                      allowed=allowed)
    total = len(scores)
    pages = 1 if every else max(1, math.ceil(total / page_size))
    page = min(requested, pages)
    if browse:
        ordered = list(scores)
    else:  # best first; equal scores in report order, as Whoosh sorts them
        wanted = total if every else page * page_size
        ordered = [d for d, _ in heapq.nsmallest(wanted, scores.items(), key=_best_first)]
    window = ordered if every else ordered[(page - 1) * page_size: page * page_size]
    highlight = build.highlight_terms(parsed)
    hits = [Hit(snapshot.by_docnum[d], None if browse else round(scores[d], 4),
                make_snippet(snapshot.by_docnum[d].body, highlight, build.protected))
            for d in window]
    suggestion = None
    if not browse and total < 3 and parsed.words:
        suggestion = suggest(snapshot, parsed, request.q, allowed, total)
    text_total, text_hits = 0, list[TextHit]()
    if not browse and not every and not set(filters) - set(TEXT_FACETS):
        text_total, text_hits = search_texts(snapshot, parsed, filters, TEXT_HITS)
    return SearchResult(
        query=request.q, parsed=parsed, filters=filters, total=total, page=page, pages=pages,
        page_size=page_size, hits=hits, facets=count_facets(snapshot, scores),
        suggestion=suggestion, text_total=text_total, text_hits=text_hits)


def _best_first(item: tuple[int, float]) -> tuple[float, int]:
    return -item[1], item[0]


def search_texts(snapshot: Snapshot, parsed: ParsedQuery, filters: Mapping[str, list[str]],
                 limit: int) -> tuple[int, list[TextHit]]:
    """The report-text sections matching a query, best first: (how many, the first `limit`)."""
    build = text_builder(snapshot)
    q = build.build(parsed)
    if q is None:
        return 0, []
    layer = snapshot.text_layer
    allowed = None
    for facet in TEXT_FACETS:
        if filters.get(facet):
            wanted = set(filters[facet])
            docs = {d for d, (slug, _) in snapshot.sections_by_docnum.items()
                    if (slug if facet == "source" else snapshot.vocab.sources[slug].region) in wanted}
            allowed = docs if allowed is None else allowed & docs
    scores = rank(q, layer.postings, top=limit, allowed=allowed)
    best = heapq.nsmallest(limit, scores.items(), key=_best_first)
    highlight = build.highlight_terms(parsed)
    hits = []
    for docnum, score in best:
        slug, section = snapshot.sections_by_docnum[docnum]
        block = next((b for b in section.blocks if has_marks(b.text, highlight, build.protected)),
                     section.blocks[0])
        body = "\n\n".join(b.text for b in section.blocks)
        hits.append(TextHit(source=slug, section=section.section, heading=section.title,
                            anchor=block.anchor, page=block.page or section.page,
                            score=round(score, 4),
                            snippet=make_snippet(body, highlight, build.protected)))
    return len(scores), hits


def allowed_docnums(snapshot: Snapshot, filters: Mapping[str, Iterable[str]]) -> set[int] | None:
    """Entries the facet filters let through: values of one facet are alternatives, facets all apply."""
    index = snapshot.facet_docs
    allowed: set[int] | None = None
    for facet, values in filters.items():
        chosen = [v for v in values if v]
        if facet not in index or not chosen:
            continue
        docs: set[int] = set().union(*(index[facet].get(v, frozenset()) for v in chosen))
        allowed = docs if allowed is None else allowed & docs
    return allowed


def count_facets(snapshot: Snapshot, docnums: Iterable[int]) -> dict[str, list[FacetCount]]:
    """Count kind, region, source and theme over all matches (an entry counts once per theme)."""
    matched = docnums if isinstance(docnums, (set, frozenset)) else set(docnums)
    counts = {}
    for name in FACETS:
        # One set intersection per facet value runs in C; a loop over 10 000 matches does not.
        found = [(value, len(matched & docs)) for value, docs in snapshot.facet_docs[name].items()]
        counts[name] = [FacetCount(v, n) for v, n in sorted(found, key=lambda kv: (-kv[1], kv[0]))
                        if n]
    return counts


def speller(snapshot: Snapshot) -> Speller:
    """The generation's spelling words, read once per worker on the first misspelt query."""
    def read() -> Speller:
        with snapshot.searcher() as searcher:
            return Speller.from_reader(searcher.reader(), "spell")
    return snapshot.remember("speller", read)


def suggest(snapshot: Snapshot, parsed: ParsedQuery, text: str,
            allowed: set[int] | None, found: int) -> str | None:
    """Offer a corrected query ("Menade du …?") when it would find more than the original."""
    replacements = {}
    spelling = speller(snapshot)
    for word in parsed.words:
        lower = word.lower()
        if len(lower) < 3 or spelling.knows(lower):
            continue
        better = spelling.suggest(lower, maxdist=2 if len(lower) > 5 else 1)
        if better:
            replacements[word] = better
    if not replacements:
        return None
    corrected = text
    for word, better in replacements.items():
        corrected = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", better, corrected)
    better_query = QueryBuilder(snapshot.schema).build(parse_query(corrected))
    if better_query is None:
        return None
    count = len(rank(better_query, snapshot.postings, allowed=allowed))
    return corrected if count > found else None


def more_like_this(snapshot: Snapshot, entry_id: str, limit: int = 5,
                   other_regions: bool = True) -> list[Entry]:
    """Entries on the same themes, most similar text first; optionally from other regions only."""
    if entry_id not in snapshot.entries:
        return []  # before the memo: ids typed into URLs must not grow it
    return snapshot.remember(("related", entry_id, limit, other_regions),
                             lambda: _more_like_this(snapshot, entry_id, limit, other_regions))


def _more_like_this(snapshot: Snapshot, entry_id: str, limit: int,
                    other_regions: bool) -> list[Entry]:
    entry = snapshot.entries[entry_id]
    themes = wq.Or([wq.Term("themes", t) for t in entry.themes])
    constraint = wq.And([themes, wq.Not(wq.Term("region", entry.region))]) if other_regions else themes
    with snapshot.searcher() as searcher:
        docnum = searcher.document_number(id=entry_id)
        similar = searcher.more_like(docnum, "body", text=f"{entry.title} {entry.summary} {entry.body}",
                                     top=limit, numterms=12, filter=constraint)
        found = [snapshot.by_docnum[h.docnum] for h in similar if h.docnum != docnum]
    if len(found) < limit:
        # Too little shared vocabulary: fill with the entries sharing most themes.
        seen = {e.id for e in found} | {entry_id}
        rest = sorted((e for e in snapshot.entries.values()
                       if e.id not in seen and set(e.themes) & set(entry.themes)
                       and (not other_regions or e.region != entry.region)),
                      key=lambda e: -len(set(e.themes) & set(entry.themes)))
        found.extend(rest[: limit - len(found)])
    return found
