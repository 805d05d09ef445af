"""The views' way into the search layer: the serving knowledge base, queries that never turn a
user's input into an error page, and details that are a 404 when absent."""

from __future__ import annotations

import logging
import re
from typing import Any, Callable

from flask import abort, current_app

from search.compare import CompareError, CompareRequest, compare
from search.query import SearchRequest, search
from search.service import IndexUnavailable

log = logging.getLogger(__name__)


def kb() -> Any:
    """Return the app's knowledge base."""
    return current_app.extensions["kb"]


def detail_or_404(describe: Callable[..., dict[str, Any] | None], *args: Any) -> dict[str, Any]:
    """What an overview function gives for an id or slug; a 404 page when it gives nothing."""
    detail = describe(*args)
    if detail is None:
        abort(404)
    return detail


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
