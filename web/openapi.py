"""The OpenAPI 3.1 document of the JSON API, generated from the pages and their data types.

Each page registered in web/pages.py with a JSON twin contributes its path, its documented
parameters and its response type; the schemas come from the same types pydantic serialises the
responses with, so the document cannot drift from what the API returns.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import TypeAdapter

from web.pages import PAGES, Param

LANG = Param("lang", "Interface language for labels and citations (remembered in a cookie).",
             {"type": "string", "enum": ["sv", "en"]})
ERROR = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "status": {"type": "integer"}, "title": {"type": "string"},
    "message": {"type": "string"}, "value": {"type": "string"}},
    "required": ["status", "title", "message"]}}, "required": ["error"]}
ERROR_TEXTS = {400: "Unusable parameter value", 404: "Not found",
               503: "The search index is unavailable"}
REF = "#/components/schemas/{model}"


def _parameter(param: Param) -> dict[str, Any]:
    schema: dict[str, Any] = dict(param.schema)
    if param.repeat:
        schema = {"type": "array", "items": schema}
    found: dict[str, Any] = {"name": param.name, "in": param.where,
                             "description": param.description,
                             "required": param.where == "path", "schema": schema}
    if param.repeat:
        found.update(style="form", explode=True)
    return found


def openapi_document(server: str = "") -> dict[str, Any]:
    """The OpenAPI document of the API."""
    pages = [p for p in PAGES if p.api]
    refs, definitions = TypeAdapter.json_schemas(
        [(p.name, "serialization", p.adapter) for p in pages], ref_template=REF)
    schemas: dict[str, Any] = {**definitions.get("$defs", {}), "Error": ERROR}
    paths: dict[str, Any] = {}
    for item in pages:
        assert item.api is not None
        responses: dict[str, Any] = {"200": {"description": "OK", "content": {
            "application/json": {"schema": refs[(item.name, "serialization")]}}}}
        for code in (*item.errors, 503):
            responses[str(code)] = {"description": ERROR_TEXTS[code], "content": {
                "application/json": {"schema": {"$ref": REF.format(model="Error")}}}}
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", item.api)
        paths[path] = {"get": {
            "operationId": item.name, "summary": item.summary,
            "description": (item.load.__doc__ or "").strip(),
            "parameters": [_parameter(p) for p in (*item.params, LANG)],
            "responses": responses}}
    paths["/api/openapi.json"] = {"get": {"operationId": "openapi", "summary": "This document",
                                          "responses": {"200": {"description": "OK"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Life science policy knowledge base API", "version": "2.0",
                 "description": "JSON twins of the site's pages; the parameters are the pages' "
                                "parameters. Snippets are escaped HTML with <mark> around "
                                "matching words."},
        "servers": [{"url": server or "/"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }
