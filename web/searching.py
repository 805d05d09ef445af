"""The views' way into the search layer: the serving knowledge base, and details that are a
404 when absent."""

from __future__ import annotations

from typing import Any, Callable

from flask import abort, current_app


def kb() -> Any:
    """Return the app's knowledge base."""
    return current_app.extensions["kb"]


def detail_or_404(describe: Callable[..., dict[str, Any] | None], *args: Any) -> dict[str, Any]:
    """What an overview function gives for an id or slug; a 404 page when it gives nothing."""
    detail = describe(*args)
    if detail is None:
        abort(404)
    return detail
