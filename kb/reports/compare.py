"""Comparison stage: what each region's reports say on one theme or free-text topic, side by side.

`compare()` returns plain data: one column per region, rows grouped by kind (recommendations,
challenges, findings), each cell the entries with their citations. A region whose reports say
nothing on the topic ("nothing-found") is kept apart from a region for which no report is held
("no-report"); neither is ever dropped.

Free-text rule (MIN_RELATIVE_SCORE): a free-text topic is searched over the whole knowledge base
(every region, every kind, restricted to the theme when one is given), and a match is kept when
its score is at least MIN_RELATIVE_SCORE × the best match's score. Weak matches — typically an
entry found only through its theme's vocabulary or one passing mention — would otherwise fill
every column with noise. Because the best score is taken over all regions and kinds, which
columns or kinds are shown never changes what a column holds. Queries without any searchable
word (only filters such as `kind:recommendation`) keep every entry they select.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from kb.content.model import Entry
from kb.reports.overview import (KIND_ORDER, entry_item, region_summary, regions_with_sources,
                             sources_by_region, theme_summary)
from search.query import SearchRequest, search

MIN_RELATIVE_SCORE = 0.2

FOUND, NOTHING_FOUND, NO_REPORT = "found", "nothing-found", "no-report"


class CompareError(ValueError):
    """A comparison request naming something the knowledge base does not know."""

    def __init__(self, param: str, value: str, message: str):
        self.param, self.value = param, value
        super().__init__(message)


@dataclass
class CompareRequest:
    """What to compare: a theme and/or free text, which regions (columns) and which kinds (rows)."""

    theme: str = ""
    q: str = ""
    regions: list[str] = field(default_factory=list)  # empty: every region with a report held
    kinds: list[str] = field(default_factory=list)    # empty: all kinds

    @property
    def has_topic(self) -> bool:
        return bool(self.theme.strip() or self.q.strip())


def _validate(snapshot: Any, request: CompareRequest) -> tuple[list[str], list[str]]:
    vocab = snapshot.vocab
    if request.theme and request.theme not in vocab.themes:
        raise CompareError("tema", request.theme, "unknown theme")
    regions = list(dict.fromkeys(r for r in request.regions if r)) or regions_with_sources(vocab)
    for region in regions:
        if region not in vocab.regions:
            raise CompareError("region", region, "unknown region")
    kinds = list(dict.fromkeys(k for k in request.kinds if k))
    for kind in kinds:
        if kind not in KIND_ORDER:
            raise CompareError("kind", kind, "unknown kind")
    return regions, [k for k in KIND_ORDER if not kinds or k in kinds]


def theme_matches(entries: Sequence[Entry], theme: str) -> list[tuple[Entry, float | None]]:
    """Entries tagged with the theme, in document order."""
    return [(e, None) for e in entries if theme in e.themes]


def text_matches(snapshot: Any, q: str, theme: str = "",
                 min_relative: float = MIN_RELATIVE_SCORE) -> tuple[list[tuple[Entry, float | None]], dict[str, Any]]:
    """Entries matching free text, best first, without the weak matches (see the module docstring)."""
    result = search(snapshot, SearchRequest(q=q, filters={"theme": [theme]} if theme else {},
                                            page_size=0))
    parsed = result["parsed"]
    has_terms = bool(parsed["words"] or parsed["phrases"])
    typed_filters = any(v for facet, values in result["filters"].items()
                        for v in values if not (facet == "theme" and v == theme))
    rule: dict[str, Any] = {"min_relative_score": min_relative, "best_score": None,
                            "cutoff": None, "matched": result["total"], "dropped": 0,
                            "searchable": has_terms or typed_filters}
    if not rule["searchable"]:
        return [], rule
    hits = result["hits"]
    if has_terms:
        best = max((h["score"] or 0.0 for h in hits), default=0.0)
        cutoff = best * min_relative
        kept = [h for h in hits if (h["score"] or 0.0) >= cutoff]
        rule.update(best_score=best, cutoff=round(cutoff, 4), dropped=len(hits) - len(kept))
        hits = kept
    return [(snapshot.entries[h["id"]], h["score"]) for h in hits if h["id"] in snapshot.entries], rule


def compare(snapshot: Any, request: CompareRequest, lang: str = "sv") -> dict[str, Any]:
    """Compare regions on a theme or free-text topic; raise CompareError for unknown slugs."""
    vocab = snapshot.vocab
    regions, kinds = _validate(snapshot, request)
    q = request.q.strip()
    if q:
        matches, rule = text_matches(snapshot, q, request.theme)
        mode = "text" if rule["searchable"] else "none"
        if not rule["searchable"] and request.theme:
            matches, mode, rule = theme_matches(snapshot.ordered, request.theme), "theme", None
    elif request.theme:
        matches, rule, mode = theme_matches(snapshot.ordered, request.theme), None, "theme"
    else:
        matches, rule, mode = [], None, "none"

    held = sources_by_region(vocab)
    columns = []
    for region in regions:
        cells = {kind: [entry_item(e, vocab, lang, score) for e, score in matches
                        if e.region == region and e.kind == kind] for kind in kinds}
        count = sum(len(items) for items in cells.values())
        sources = held.get(region, [])
        status = NO_REPORT if not sources else FOUND if count else NOTHING_FOUND
        columns.append({**region_summary(vocab, region), "status": status, "sources": sources,
                        "count": count, "cells": cells})
    rows = []
    for kind in kinds:
        cells = []
        for column in columns:
            items = column["cells"][kind]
            status = NO_REPORT if column["status"] == NO_REPORT else FOUND if items else NOTHING_FOUND
            cells.append({"region": column["slug"], "status": status, "items": items})
        rows.append({"kind": kind, "cells": cells})
    return {
        "theme": theme_summary(vocab, request.theme) if request.theme else None,
        "query": q, "mode": mode, "regions": columns, "rows": rows, "kinds": kinds,
        "total": sum(c["count"] for c in columns), "rule": rule, "lang": lang,
    }


def comparison_entries(comparison: dict[str, Any]) -> list[dict[str, Any]]:
    """The comparison's entries in page order: column by column, kind by kind."""
    return [item for column in comparison["regions"] for kind in comparison["kinds"]
            for item in column["cells"][kind]]
