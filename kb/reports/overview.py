"""Overviews of what the knowledge base holds: the theme × region matrix, themes, sources,
regions, and one entry with its citation.

Pure functions over entries (in report order) and the vocabulary, returning typed values.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kb.content.codes import KINDS
from kb.content.model import Entry, Region, Source, Theme, Vocabulary
from kb.i18n import LANGUAGES
from kb.reports.citation import CitedEntry, cite, entry_citation

HEAT_LEVELS = 5
KindCounts = dict[str, int]


@dataclass(frozen=True)
class MatrixCell:
    region: str
    count: int
    level: int  # 0 (empty) … HEAT_LEVELS, relative to the fullest cell


@dataclass(frozen=True)
class MatrixRow:
    theme: Theme
    cells: list[MatrixCell]
    total: int


@dataclass(frozen=True)
class Matrix:
    """Entries per theme and region (regions with a report held)."""

    regions: list[Region]
    rows: list[MatrixRow]
    max: int


@dataclass(frozen=True)
class RegionCounts:
    region: Region
    counts: KindCounts
    total: int


@dataclass(frozen=True)
class ThemeOverview:
    """A theme with its entries counted per region and kind, and per sub-issue."""

    theme: Theme
    regions: list[RegionCounts]
    totals: KindCounts
    total: int
    subissues: dict[str, int]  # sub-issue slug → entries addressing it


@dataclass(frozen=True)
class SourceOverview:
    """A report held, with its region and entries per kind."""

    source: Source
    region: Region
    counts: KindCounts
    total: int


@dataclass(frozen=True)
class SourceDetail:
    source: SourceOverview
    entries: list[CitedEntry]
    has_text: bool  # its full text can be read on the site


@dataclass(frozen=True)
class RegionOverview:
    region: Region
    sources: list[Source]
    counts: KindCounts
    total: int


@dataclass(frozen=True)
class ThemeGroup:
    theme: Theme
    entries: list[CitedEntry]


@dataclass(frozen=True)
class RegionDetail:
    """A region's reports, its entries per kind and its recommendations by main theme."""

    region: Region
    sources: list[Source]
    counts: KindCounts
    recommendations: list[ThemeGroup]


@dataclass(frozen=True)
class EntryDetail:
    """An entry, its citation in either language, and what other regions say."""

    entry: Entry
    citation: str
    citations: dict[str, str]
    source: Source | None
    related: list[CitedEntry]
    place: str | None  # the anchor of its passage in the report's reader page


@dataclass(frozen=True)
class StartPage:
    core: list[Theme]
    matrix: Matrix
    sources: list[SourceOverview]
    total: int


def kind_counts(entries: Iterable[Entry]) -> KindCounts:
    """How many entries of each kind, every kind present (in KINDS order)."""
    found = Counter(e.kind for e in entries)
    return {kind: found[kind] for kind in KINDS}


def region_counts(region: Region, entries: Iterable[Entry]) -> RegionCounts:
    """A region's entries counted per kind."""
    counts = kind_counts(entries)
    return RegionCounts(region, counts, sum(counts.values()))


def heat_level(count: int, highest: int) -> int:
    """Shade a count 0..HEAT_LEVELS relative to the highest count (0 only for an empty cell)."""
    if count <= 0 or highest <= 0:
        return 0
    return max(1, math.ceil(HEAT_LEVELS * count / highest))


def theme_region_matrix(entries: Iterable[Entry], vocab: Vocabulary) -> Matrix:
    """Count entries per theme and region (regions with a report held), with heat levels."""
    regions = vocab.regions_with_sources()
    counts: Counter[tuple[str, str]] = Counter(
        (theme, entry.region) for entry in entries for theme in entry.themes)
    highest = max((counts[(t, r.slug)] for t in vocab.themes for r in regions), default=0)
    rows = []
    for theme in vocab.ordered_themes():
        cells = [MatrixCell(r.slug, counts[(theme.slug, r.slug)],
                            heat_level(counts[(theme.slug, r.slug)], highest)) for r in regions]
        rows.append(MatrixRow(theme, cells, sum(c.count for c in cells)))
    return Matrix(regions, rows, highest)


def theme_overview(entries: Sequence[Entry], vocab: Vocabulary) -> list[ThemeOverview]:
    """Every theme with its scope, its entries per region and kind, and per sub-issue."""
    regions = vocab.regions_with_sources()
    overview = []
    for theme in vocab.ordered_themes():
        tagged = [e for e in entries if theme.slug in e.themes]
        rows = [region_counts(region, [e for e in tagged if e.region == region.slug])
                for region in regions]
        totals = kind_counts(tagged)
        per_subissue = Counter(s for e in tagged for s in e.subissues_of(theme.slug))
        overview.append(ThemeOverview(theme, rows, totals, sum(totals.values()),
                                      {s.slug: per_subissue[s.slug] for s in theme.subissues}))
    return overview


def sources_overview(entries: Sequence[Entry], vocab: Vocabulary) -> list[SourceOverview]:
    """Every source with its region and how many entries of each kind it gave."""
    listed = []
    for slug, source in vocab.sources.items():
        counts = kind_counts(e for e in entries if e.source == slug)
        listed.append(SourceOverview(source, vocab.region(source.region), counts,
                                     sum(counts.values())))
    return listed


def source_detail(entries: Sequence[Entry], vocab: Vocabulary, slug: str, lang: str = "sv",
                  has_text: bool = False) -> SourceDetail | None:
    """A source's metadata and its entries in report order; None for an unknown slug."""
    if slug not in vocab.sources:
        return None
    overview = next(s for s in sources_overview(entries, vocab) if s.source.slug == slug)
    return SourceDetail(overview, [cite(e, vocab, lang) for e in entries if e.source == slug],
                        has_text)


def region_detail(entries: Sequence[Entry], vocab: Vocabulary, slug: str,
                  lang: str = "sv") -> RegionDetail | None:
    """A region's sources, counts per kind and its recommendations grouped by main theme.

    An entry's main theme is the first one listed (curators put the most central theme first),
    so each recommendation appears once; its other themes are shown with it.
    """
    if slug not in vocab.regions:
        return None
    own = [e for e in entries if e.region == slug]
    recommendations = [e for e in own if e.kind == "recommendation"]
    groups = []
    for theme in vocab.ordered_themes():
        items = [cite(e, vocab, lang) for e in recommendations if e.themes[0] == theme.slug]
        if items:
            groups.append(ThemeGroup(theme, items))
    return RegionDetail(vocab.regions[slug], vocab.sources_of(slug), kind_counts(own), groups)


def regions_overview(entries: Sequence[Entry], vocab: Vocabulary) -> list[RegionOverview]:
    """Every region with the reports held and entries per kind."""
    found = []
    for slug, region in vocab.regions.items():
        counts = kind_counts(e for e in entries if e.region == slug)
        found.append(RegionOverview(region, vocab.sources_of(slug), counts, sum(counts.values())))
    return found


def entry_detail(entry: Entry, vocab: Vocabulary, related: Sequence[Entry], lang: str = "sv",
                 place: str | None = None) -> EntryDetail:
    """An entry with its source, citations and the related entries the search layer found."""
    return EntryDetail(
        entry=entry, citation=entry_citation(entry, vocab.sources, lang),
        citations={code: entry_citation(entry, vocab.sources, code) for code in LANGUAGES},
        source=vocab.sources.get(entry.source), related=[cite(e, vocab, lang) for e in related],
        place=place)


def start_page(entries: Sequence[Entry], vocab: Vocabulary) -> StartPage:
    """What the start page shows: the core themes, the matrix and the reports held."""
    return StartPage(vocab.core_themes(), theme_region_matrix(entries, vocab),
                     sources_overview(entries, vocab), len(entries))
