"""The query service: what a search returns, as plain typed data.

A search ranks the entries (facet filters applied first), pages them, counts facets over all
matches, highlights a snippet per hit, and searches the report texts as a second, separately
listed layer. It says what it made of the query: function words set aside, common words that
only ranked, thesaurus words added (and how many hits only they found), typed words no entry
contains, themes the query names. When a query finds (almost) nothing and a spelling
correction finds many, the correction's hits are shown instead ("Visar träffar för …");
otherwise a correction that finds more is offered ("Menade du …").
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.fields import Schema

from kb.content.codes import FACETS
from kb.content.model import Entry
from search.analysis import is_function_word
from search.generations import Snapshot
from search.parsing import ParsedQuery, parse_query
from search.query import CommonWord, Expansion, QueryBuilder, QueryPlan
from search.ranking import Postings, Scores, matching, rank
from search.related import MAX_RELATED, ThemeMatch, ThemeNames
from search.snippets import has_marks, make_snippet
from search.spelling import Speller

TEXT_HITS = 5  # report-text sections listed under the entries on a search page …
ALL_TEXT_HITS = 200  # … or, when asked for all of them, at most this many
# A query finding at most FEW entries is corrected outright when the correction finds at least
# MANY, and CORRECTION_GAIN times as many; otherwise the correction is only offered.
FEW, MANY, CORRECTION_GAIN = 2, 3, 3
# Facets of the report texts' layer: a section has a source and a region, not a kind or theme.
TEXT_FACETS = ("source", "region")


@dataclass
class SearchRequest:
    """A search: the query text, facet filters chosen by clicking, and the page wanted."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    page_size: int = 10  # 0 returns every match on one page (comparison, export)
    exact: bool = False  # as typed: no thesaurus words, no automatic spelling correction
    all_texts: bool = False  # list every matching report section, not only the first few


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
class RelatedTheme:
    """A theme the query names (by its label, a term or a sub-issue's label)."""

    theme: str
    subissue: str | None = None


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
    suggestion: str | None = None  # "Menade du …": a spelling that finds more
    # The spelling whose hits are shown instead of the query's, which found (almost) nothing.
    corrected: str | None = None
    exact: bool = False
    expansions: list[Expansion] = field(default_factory=list)  # thesaurus words also searched
    only_expanded: int = 0  # matches found only through those words
    common: list[CommonWord] = field(default_factory=list)  # words many entries contain
    common_only: bool = False  # only common words were typed: they decided the matches
    missing: list[str] = field(default_factory=list)  # typed words no entry contains
    related: list[RelatedTheme] = field(default_factory=list)
    text_total: int = 0  # matching report-text sections
    text_hits: list[TextHit] = field(default_factory=list)


def term_lists(postings: Postings, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Scores]:
    """The posting list of each (field, term), as scores by document."""
    lists = postings.fetch((f, t.encode("utf-8")) for f, t in keys)
    return {(f, t): lists.scores((f, t.encode("utf-8"))) for f, t in keys}


def _builder(snapshot: Snapshot, schema: Schema, postings: Postings) -> QueryBuilder:
    def frequencies(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
        # The lists themselves, which the ranking reads next anyway: one look-up per term.
        return {key: len(scores) for key, scores in term_lists(postings, keys).items()}
    return QueryBuilder(schema, snapshot.splitter, snapshot.vocab.thesaurus, frequencies,
                        postings.doc_count(), theme_names(snapshot))


def theme_names(snapshot: Snapshot) -> ThemeNames:
    """The generation's theme and sub-issue names, as stems (worked out once per worker)."""
    return snapshot.remember("theme-names", lambda: ThemeNames(snapshot.vocab))


def builder(snapshot: Snapshot) -> QueryBuilder:
    """The generation's query builder for its entries (made once per worker)."""
    return snapshot.remember("entry-builder", lambda: _builder(
        snapshot, snapshot.schema, snapshot.postings))


def text_builder(snapshot: Snapshot) -> QueryBuilder:
    """The generation's query builder for its report texts."""
    layer = snapshot.text_layer
    return snapshot.remember("text-builder", lambda: _builder(snapshot, layer.schema, layer.postings))


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
    """Run a search: hits with snippets, facet counts, paging, corrections, report-text hits."""
    result = _search(snapshot, request)
    if (result.total > FEW and not result.missing) or not result.parsed.words:
        return result
    allowed = allowed_docnums(snapshot, result.filters)
    correction = correct(snapshot, result.parsed, request.q)
    if correction is None:
        return result
    plan = builder(snapshot).plan(parse_query(correction), expand=not request.exact)
    found = len(matching(plan.query, snapshot.postings, allowed))
    # A typed word that matches nothing is corrected when its correction finds many; so is a
    # query that finds (almost) nothing when the correction finds several times as much.
    better = bool(result.missing) or found >= CORRECTION_GAIN * result.total
    if not request.exact and found >= MANY and better:
        corrected = _search(snapshot, dataclasses.replace(request, q=correction))
        return dataclasses.replace(corrected, query=request.q, corrected=correction)
    if found and (found > result.total or result.missing):
        return dataclasses.replace(result, suggestion=correction)
    return result


def _search(snapshot: Snapshot, request: SearchRequest) -> SearchResult:
    parsed = parse_query(request.q)
    filters = merge_filters(request.filters, parsed.filters)
    build = builder(snapshot)
    plan = build.plan(parsed, expand=not request.exact)
    scoring = plan.query
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
    hits = [Hit(snapshot.by_docnum[d], None if browse else round(scores[d], 4),
                make_snippet(snapshot.by_docnum[d].body, plan.highlight, build.protected,
                             plan.also_highlight, plan.also_phrases))
            for d in window]
    only_expanded = 0
    if plan.expansions and scores:
        only_expanded = len(scores.keys() - direct_matches(snapshot, build, parsed, allowed))
    text_total, text_hits = 0, list[TextHit]()
    if not browse and not every and not set(filters) - set(TEXT_FACETS):
        text_total, text_hits = search_texts(snapshot, parsed, filters,
                                             ALL_TEXT_HITS if request.all_texts else TEXT_HITS)
    return SearchResult(
        query=request.q, parsed=parsed, filters=filters, total=total, page=page, pages=pages,
        page_size=page_size, hits=hits, facets=count_facets(snapshot, scores),
        exact=request.exact, expansions=list(plan.expansions), only_expanded=only_expanded,
        common=list(plan.common), common_only=plan.common_only, missing=list(plan.missing),
        related=related_themes(snapshot, parsed),
        text_total=text_total, text_hits=text_hits)


def direct_matches(snapshot: Snapshot, build: QueryBuilder, parsed: ParsedQuery,
                   allowed: set[int] | None) -> set[int]:
    """The entries the query matches without its thesaurus words."""
    keys = build.direct_terms(parsed)
    if keys is None:
        return matching(build.direct(parsed), snapshot.postings, allowed)
    found: set[int] = set().union(*term_lists(snapshot.postings, keys).values())
    return found & allowed if allowed is not None else found


def related_themes(snapshot: Snapshot, parsed: ParsedQuery) -> list[RelatedTheme]:
    """The themes (at most MAX_RELATED) the query's words or phrases name."""
    text = " ".join([*parsed.words, *(w for p in parsed.phrases for w in p)])
    named: list[ThemeMatch] = theme_names(snapshot).named(text)[:MAX_RELATED]
    return [RelatedTheme(m.theme.slug, m.subissue.slug if m.subissue else None) for m in named]


def _best_first(item: tuple[int, float]) -> tuple[float, int]:
    return -item[1], item[0]


def search_texts(snapshot: Snapshot, parsed: ParsedQuery, filters: Mapping[str, list[str]],
                 limit: int) -> tuple[int, list[TextHit]]:
    """The report-text sections matching a query, best first: (how many, the first `limit`).

    The full text is searched for the words as typed, without thesaurus words: it is the layer
    that finds any sentence of the reports, and the curated entries carry the expansions.
    """
    build = text_builder(snapshot)
    plan: QueryPlan = build.plan(parsed, expand=False)
    q = plan.query
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
    hits = []
    for docnum, score in best:
        slug, section = snapshot.sections_by_docnum[docnum]
        # The snippet comes from the first passage where the words occur: the one the hit
        # links to.
        block = next((b for b in section.blocks
                      if has_marks(b.text, plan.highlight, build.protected)), section.blocks[0])
        hits.append(TextHit(source=slug, section=section.section, heading=section.title,
                            anchor=block.anchor, page=block.page or section.page,
                            score=round(score, 4),
                            snippet=make_snippet(block.text, plan.highlight, build.protected)))
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


def correct(snapshot: Snapshot, parsed: ParsedQuery, text: str) -> str | None:
    """The query with each word the corpus does not know replaced by its nearest known word."""
    replacements = {}
    spelling = speller(snapshot)
    for word in parsed.words:
        lower = word.lower()
        if len(lower) < 3 or is_function_word(lower) or spelling.knows(lower):
            continue
        better = spelling.suggest(lower, maxdist=2 if len(lower) > 5 else 1)
        if better:
            replacements[word] = better
    if not replacements:
        return None
    corrected = text
    for word, better in replacements.items():
        corrected = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", better, corrected)
    return corrected


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
