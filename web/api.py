"""The JSON API under /api/: the pages' twins (registered with the pages) and their OpenAPI
document; JSON written so that echoed input is never markup."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.json.provider import DefaultJSONProvider

from web.openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api")


class SafeJSONProvider(DefaultJSONProvider):
    """JSON with <, >, & and ' written as escapes, so echoed input is never markup; key order kept."""

    sort_keys = False
    ensure_ascii = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        text = super().dumps(obj, **kwargs)
        for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
            text = text.replace(char, escape)
        return text


@bp.get("/openapi.json")
def openapi() -> Any:
    """The OpenAPI document of this API, generated from the pages' data types."""
    return jsonify(openapi_document(request.url_root.rstrip("/")))
