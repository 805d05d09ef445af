"""Overviews of what the knowledge base holds: theme × region matrix, themes, sources, regions.

Pure functions over entries (in document order) and the vocabulary; they return plain data.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, Iterable, Sequence

from kb.reports.citation import entry_citation, source_year
from kb.content.model import Entry, Vocabulary
from search.query import more_like_this

# Rows of the comparison and groups on pages: what to do first, then what is wrong, then facts.
KIND_ORDER = ("recommendation", "challenge", "finding")
HEAT_LEVELS = 5


def ordered_themes(vocab: Vocabulary) -> list[str]:
    """Theme slugs with the core themes first, each group in file order."""
    core = [slug for slug, theme in vocab.themes.items() if theme.get("core")]
    return core + [slug for slug in vocab.themes if slug not in core]


def core_themes(vocab: Vocabulary) -> list[str]:
    """The themes the comparison is built around (marked `core: true` in themes.yaml)."""
    return [slug for slug, theme in vocab.themes.items() if theme.get("core")]


def sources_by_region(vocab: Vocabulary) -> dict[str, list[dict[str, Any]]]:
    """Map each region slug to the sources held for it (file order); regions without any map to []."""
    held: dict[str, list[dict[str, Any]]] = {slug: [] for slug in vocab.regions}
    for source in vocab.sources.values():
        held.setdefault(str(source.get("region") or ""), []).append(source_summary(source))
    return held


def regions_with_sources(vocab: Vocabulary) -> list[str]:
    """Region slugs (file order) for which at least one report is held."""
    held = sources_by_region(vocab)
    return [slug for slug in vocab.regions if held.get(slug)]


def source_summary(source: dict[str, Any]) -> dict[str, Any]:
    """The fields of a source a column header or a list needs."""
    return {
        "slug": source.get("slug"), "title": source.get("title"), "title_en": source.get("title_en"),
        "short": source.get("short") or source.get("title"), "year": source_year(source),
        "doc_type": source.get("doc_type"), "region": source.get("region"),
        "publisher": source.get("publisher"), "author": source.get("author"),
    }


def region_summary(vocab: Vocabulary, slug: str) -> dict[str, Any]:
    """A region's slug and names."""
    region = vocab.regions.get(slug, {})
    return {"slug": slug, "name": region.get("name", slug),
            "name_en": region.get("name_en") or region.get("name", slug),
            "kind": region.get("kind")}


def theme_summary(vocab: Vocabulary, slug: str) -> dict[str, Any]:
    """A theme's slug, labels and scope."""
    theme = vocab.themes.get(slug, {})
    return {"slug": slug, "label_sv": theme.get("label_sv", slug),
            "label_en": theme.get("label_en") or theme.get("label_sv", slug),
            "scope_sv": theme.get("scope_sv", ""), "scope_en": theme.get("scope_en", ""),
            "core": bool(theme.get("core"))}


def entry_item(entry: Entry, vocab: Vocabulary, lang: str = "sv",
               score: float | None = None) -> dict[str, Any]:
    """An entry as a list item: display fields plus its citation and source title."""
    source = vocab.sources.get(entry.source, {})
    return {
        "id": entry.id, "title": entry.title, "title_en": entry.title_en, "kind": entry.kind,
        "region": entry.region, "source": entry.source, "section": entry.section,
        "page": entry.page, "themes": list(entry.themes), "summary": entry.summary,
        "summary_en": entry.summary_en, "addressees": list(entry.addressees),
        "source_title": source.get("title", entry.source), "year": source_year(source),
        "citation": entry_citation(entry, vocab.sources, lang), "score": score,
    }


def heat_level(count: int, highest: int) -> int:
    """Shade a count 0..HEAT_LEVELS relative to the highest count (0 only for an empty cell)."""
    if count <= 0 or highest <= 0:
        return 0
    return max(1, math.ceil(HEAT_LEVELS * count / highest))


def theme_region_matrix(entries: Iterable[Entry], vocab: Vocabulary) -> dict[str, Any]:
    """Count entries per theme and region (regions with a report held), with heat levels."""
    regions = regions_with_sources(vocab)
    counts: Counter[tuple[str, str]] = Counter()
    for entry in entries:
        for theme in entry.themes:
            counts[(theme, entry.region)] += 1
    highest = max((counts[(t, r)] for t in vocab.themes for r in regions), default=0)
    rows = []
    for slug in ordered_themes(vocab):
        cells = [{"region": r, "count": counts[(slug, r)],
                  "level": heat_level(counts[(slug, r)], highest)} for r in regions]
        rows.append({**theme_summary(vocab, slug), "cells": cells,
                     "total": sum(c["count"] for c in cells)})
    return {"regions": [region_summary(vocab, r) for r in regions], "rows": rows, "max": highest}


def theme_overview(entries: Iterable[Entry], vocab: Vocabulary) -> list[dict[str, Any]]:
    """Every theme with its scope and its entry counts per region and kind."""
    entries = list(entries)
    regions = regions_with_sources(vocab)
    counts: Counter[tuple[str, str, str]] = Counter()
    for entry in entries:
        for theme in entry.themes:
            counts[(theme, entry.region, entry.kind)] += 1
    overview = []
    for slug in ordered_themes(vocab):
        rows = []
        for region in regions:
            by_kind = {kind: counts[(slug, region, kind)] for kind in KIND_ORDER}
            rows.append({**region_summary(vocab, region), "counts": by_kind,
                         "total": sum(by_kind.values())})
        totals = {kind: sum(r["counts"][kind] for r in rows) for kind in KIND_ORDER}
        overview.append({**theme_summary(vocab, slug), "regions": rows, "totals": totals,
                         "total": sum(totals.values())})
    return overview


def sources_overview(entries: Iterable[Entry], vocab: Vocabulary) -> list[dict[str, Any]]:
    """Every source with its metadata and how many entries of each kind it gave."""
    counts: Counter[tuple[str, str]] = Counter((e.source, e.kind) for e in entries)
    listed = []
    for slug, source in vocab.sources.items():
        by_kind = {kind: counts[(slug, kind)] for kind in KIND_ORDER}
        listed.append({**source, **source_summary(source),
                       "region_name": region_summary(vocab, str(source.get("region")))["name"],
                       "region_name_en": region_summary(vocab, str(source.get("region")))["name_en"],
                       "counts": by_kind, "total": sum(by_kind.values())})
    return listed


def source_detail(entries: Sequence[Entry], vocab: Vocabulary, slug: str,
                  lang: str = "sv") -> dict[str, Any] | None:
    """A source's metadata and its entries in document order; None for an unknown slug."""
    if slug not in vocab.sources:
        return None
    listed = [entry_item(e, vocab, lang) for e in entries if e.source == slug]
    overview = next(s for s in sources_overview(entries, vocab) if s["slug"] == slug)
    return {"source": overview, "entries": listed}


def region_detail(entries: Sequence[Entry], vocab: Vocabulary, slug: str,
                  lang: str = "sv") -> dict[str, Any] | None:
    """A region's sources, counts per kind and its recommendations grouped by main theme.

    An entry's main theme is the first one listed (curators put the most central theme first),
    so each recommendation appears once; its other themes are shown with it.
    """
    if slug not in vocab.regions:
        return None
    own = [e for e in entries if e.region == slug]
    recommendations = [e for e in own if e.kind == "recommendation"]
    groups = []
    for theme in ordered_themes(vocab):
        items = [entry_item(e, vocab, lang) for e in recommendations if e.themes and e.themes[0] == theme]
        if items:
            groups.append({**theme_summary(vocab, theme), "entries": items})
    sources = sources_by_region(vocab).get(slug, [])
    return {
        "region": region_summary(vocab, slug), "sources": sources, "has_sources": bool(sources),
        "counts": {kind: sum(1 for e in own if e.kind == kind) for kind in KIND_ORDER},
        "recommendations": groups,
    }


def regions_overview(entries: Iterable[Entry], vocab: Vocabulary) -> list[dict[str, Any]]:
    """Every region with the number of reports held and entries per kind."""
    counts: Counter[tuple[str, str]] = Counter((e.region, e.kind) for e in entries)
    held = sources_by_region(vocab)
    return [{**region_summary(vocab, slug), "sources": held.get(slug, []),
             "counts": {kind: counts[(slug, kind)] for kind in KIND_ORDER},
             "total": sum(counts[(slug, kind)] for kind in KIND_ORDER)}
            for slug in vocab.regions]


def entry_detail(snapshot: Any, entry_id: str, lang: str = "sv",
                 related_limit: int = 6) -> dict[str, Any] | None:
    """An entry with its source, citations and what other regions say on its themes."""
    entry = snapshot.entries.get(entry_id)
    if entry is None:
        return None
    vocab = snapshot.vocab
    source = vocab.sources.get(entry.source, {})
    related = more_like_this(snapshot, entry_id, limit=related_limit, other_regions=True)
    return {
        "entry": {**entry.to_dict(), "citation": entry_citation(entry, vocab.sources, lang),
                  "source_title": source.get("title", entry.source), "year": source_year(source)},
        "citations": {code: entry_citation(entry, vocab.sources, code) for code in ("sv", "en")},
        "source": source_summary(source) if source else None,
        "related": [{**hit, "citation": entry_citation(hit, vocab.sources, lang)} for hit in related],
    }
