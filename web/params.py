"""Request parameters: read, clean and bound what the URL says, for pages and JSON alike.

Nothing here raises on odd input: control characters (NUL included) become spaces, text is
capped, numbers that do not parse fall back to their default. Deciding whether a value is
known (a theme, a region) is the job of the functions the views call.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from kb.content.codes import FACETS
from kb.reports.compare import CompareRequest

MAX_CHARS = 500
MAX_VALUES = 20
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def clean(value: Any, limit: int = MAX_CHARS) -> str:
    """Return the value as NFC text without control characters, at most `limit` characters."""
    text = unicodedata.normalize("NFC", str(value or ""))
    return CONTROL.sub(" ", text).strip()[:limit].strip()


def text(args: MultiDict[str, str], *names: str) -> str:
    """The first non-empty value of the first parameter given (names are aliases)."""
    for name in names:
        for value in args.getlist(name):
            value = clean(value)
            if value:
                return value
    return ""


def values(args: MultiDict[str, str], *names: str) -> list[str]:
    """Every non-empty value of repeatable parameters, without duplicates, at most MAX_VALUES."""
    found: list[str] = []
    for name in names:
        for value in args.getlist(name):
            value = clean(value, 100)
            if value and value not in found:
                found.append(value)
    return found[:MAX_VALUES]


def integer(args: MultiDict[str, str], name: str, default: int = 1, low: int = 1, high: int = 10_000) -> int:
    """An integer parameter kept within [low, high]; anything unreadable is the default."""
    raw = clean(args.get(name, ""), 12)
    try:
        number = int(raw)
    except ValueError:
        return default
    return max(low, min(high, number))


@dataclass
class SearchState:
    """Everything that defines a search page: the query, the chosen facet values, the page."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    exact: bool = False  # as typed: no thesaurus words, no automatic correction
    all_texts: bool = False  # every matching report section, not only the first few

    def pairs(self, page: int | None = None, q: str | None = None,
              facets: Mapping[str, list[str]] | None = None,
              exact: bool | None = None, all_texts: bool | None = None) -> list[tuple[str, str]]:
        """URL parameters for this state, optionally with another query, facet values, page,
        exactness or list of report sections."""
        q = self.q if q is None else q
        exact = self.exact if exact is None else exact
        all_texts = self.all_texts if all_texts is None else all_texts
        replace = facets or {}
        out: list[tuple[str, str]] = [("q", q)] if q else []
        for facet in FACETS:
            for value in replace.get(facet, self.filters.get(facet, [])):
                out.append((facet, value))
        if exact:
            out.append(("exakt", "1"))
        if all_texts:
            out.append(("avsnitt", "alla"))
        page = self.page if page is None else page
        if page > 1:
            out.append(("page", str(page)))
        return out


def search_state(args: MultiDict[str, str]) -> SearchState:
    """Read a search page's state from its URL."""
    filters = {facet: values(args, facet) for facet in FACETS}
    return SearchState(q=text(args, "q"), filters={k: v for k, v in filters.items() if v},
                       page=integer(args, "page"), exact=flag(args, "exakt", "exact"),
                       all_texts=text(args, "avsnitt", "sections") in ("alla", "all"))


def flag(args: MultiDict[str, str], *names: str) -> bool:
    """A yes/no parameter: `1`, `ja`, `yes` or `true` mean yes."""
    return text(args, *names).lower() in ("1", "ja", "yes", "true")


def compare_request(args: MultiDict[str, str]) -> CompareRequest:
    """Read a comparison from its URL (`tema` or its alias `theme`, `q`, `region`, `kind`,
    `svagare=1` to show the weaker free-text matches too)."""
    return CompareRequest(theme=text(args, "tema", "theme"), q=text(args, "q"),
                          regions=values(args, "region"), kinds=values(args, "kind"),
                          weaker=flag(args, "svagare"))


def compare_pairs(request: CompareRequest, **changes: Any) -> list[tuple[str, str]]:
    """URL parameters reproducing a comparison, optionally with some fields changed."""
    request = dataclasses.replace(request, **changes)
    out = []
    if request.theme:
        out.append(("tema", request.theme))
    if request.q:
        out.append(("q", request.q))
    out += [("region", r) for r in request.regions]
    out += [("kind", k) for k in request.kinds]
    if request.weaker:
        out.append(("svagare", "1"))
    return out

