"""Calls into the query service that never turn a user's query into an error page."""

from __future__ import annotations

import logging
import re
from typing import Any

from search.compare import CompareError, CompareRequest, compare
from search.query import SearchRequest, search
from search.service import IndexUnavailable

log = logging.getLogger(__name__)


def plain_words(text: str) -> str:
    """Reduce a query to its words (no quotes, operators or field filters)."""
    return " ".join(re.findall(r"\w+", text))


def run_search(snapshot: Any, request: SearchRequest) -> dict[str, Any]:
    """Search; a query the parser cannot handle is searched again as plain words."""
    try:
        return search(snapshot, request)
    except IndexUnavailable:
        raise
    except Exception:
        log.exception("query %r failed; searching its plain words", request.q)
        request.q = plain_words(request.q)
        return search(snapshot, request)


def run_compare(snapshot: Any, request: CompareRequest, lang: str) -> dict[str, Any]:
    """Compare; a free-text topic the parser cannot handle is compared again as plain words."""
    try:
        return compare(snapshot, request, lang)
    except (IndexUnavailable, CompareError):
        raise
    except Exception:
        log.exception("comparison on %r failed; using its plain words", request.q)
        request.q = plain_words(request.q)
        return compare(snapshot, request, lang)
