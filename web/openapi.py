"""The OpenAPI 3 document describing the JSON API (served at /api/openapi.json)."""

from __future__ import annotations

from typing import Any


def _param(name: str, description: str, *, where: str = "query", repeat: bool = False,
           required: bool = False, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    schema = schema or {"type": "string"}
    if repeat:
        schema = {"type": "array", "items": schema}
    item = {"name": name, "in": where, "description": description,
            "required": required or where == "path", "schema": schema}
    if repeat:
        item.update(style="form", explode=True)
    return item


LANG = _param("lang", "Interface language for labels and citations (remembered in a cookie).",
              schema={"type": "string", "enum": ["sv", "en"]})
FACET_PARAMS = [
    _param("kind", "Filter by kind; repeat to allow several.", repeat=True,
           schema={"type": "string", "enum": ["recommendation", "challenge", "finding"]}),
    _param("region", "Filter by region slug; repeat to allow several.", repeat=True),
    _param("theme", "Filter by theme slug; repeat to allow several.", repeat=True),
    _param("source", "Filter by source slug; repeat to allow several.", repeat=True),
]
OBJECT = {"type": "object", "additionalProperties": True}
ERROR = {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _get(summary: str, parameters: list[dict[str, Any]], schema: dict[str, Any],
         errors: tuple[int, ...] = ()) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
                                 "503": {**ERROR, "description": "The search index is unavailable"}}
    for code in errors:
        responses[str(code)] = {**ERROR, "description": {400: "Unusable parameter value",
                                                         404: "Not found"}[code]}
    return {"get": {"summary": summary, "parameters": parameters + [LANG], "responses": responses}}


def ref(name: str) -> dict[str, str]:
    """A reference to a schema in the document's components."""
    return {"$ref": f"#/components/schemas/{name}"}


def openapi_document(server: str = "") -> dict[str, Any]:
    """Return the OpenAPI 3 document of the API."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Life science policy knowledge base API", "version": "1.0",
                 "description": "JSON twins of the site's pages; the parameters are the pages' "
                                "parameters. Text in snippets is escaped HTML with <mark> around "
                                "matching words."},
        "servers": [{"url": server or "/"}],
        "paths": {
            "/api/search": _get("Search entries (twin of /sok)", [
                _param("q", "Query: words in any inflection, \"phrases\", -exclusions, "
                            "field filters such as region:skane kind:recommendation theme:capital-gap."),
                *FACET_PARAMS,
                _param("page", "Page number (from 1).", schema={"type": "integer", "minimum": 1}),
                _param("page_size", "Results per page (1–100).",
                       schema={"type": "integer", "minimum": 1, "maximum": 100}),
            ], ref("SearchResult")),
            "/api/compare": _get("Compare regions on a theme or free-text topic (twin of /jamfor)", [
                _param("tema", "Theme slug (alias: theme). At least one of tema and q is required."),
                _param("q", "Free-text topic. Matches scoring below 20 % of the best match are left out."),
                _param("region", "Region slug, one column each; repeat. Default: every region "
                                 "with a report held.", repeat=True),
                _param("kind", "Kinds to include as rows; repeat. Default: all.", repeat=True,
                       schema={"type": "string", "enum": ["recommendation", "challenge", "finding"]}),
            ], ref("Comparison"), errors=(400,)),
            "/api/entries/{entry_id}": _get("One entry with citation and related entries (twin of /post/{id})", [
                _param("entry_id", "Entry id.", where="path"),
            ], OBJECT, errors=(404,)),
            "/api/themes": _get("Themes with scope and counts per region and kind (twin of /teman)", [], OBJECT),
            "/api/matrix": _get("Theme × region counts (twin of the start page's matrix)", [], OBJECT),
            "/api/sources": _get("Reports held, with metadata and counts (twin of /kallor)", [], OBJECT),
            "/api/sources/{slug}": _get("One report and its entries in document order (twin of /kallor/{slug})", [
                _param("slug", "Source slug.", where="path"),
            ], OBJECT, errors=(404,)),
            "/api/regions": _get("Regions with reports and counts (twin of /regioner)", [], OBJECT),
            "/api/regions/{slug}": _get("One region: reports and recommendations by theme (twin of /regioner/{slug})", [
                _param("slug", "Region slug.", where="path"),
            ], OBJECT, errors=(404,)),
            "/api/openapi.json": {"get": {"summary": "This document", "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": OBJECT}}}}}},
        },
        "components": {"schemas": {
            "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                "status": {"type": "integer"}, "title": {"type": "string"},
                "message": {"type": "string"}, "value": {"type": "string"}}}}},
            "Hit": {"type": "object", "properties": {
                "id": {"type": "string"}, "title": {"type": "string"}, "title_en": {"type": "string"},
                "kind": {"type": "string"}, "region": {"type": "string"}, "source": {"type": "string"},
                "section": {"type": "string"}, "page": {"type": "integer", "nullable": True},
                "themes": {"type": "array", "items": {"type": "string"}},
                "summary": {"type": "string"}, "summary_en": {"type": "string"},
                "snippet": {"type": "string", "description": "Escaped HTML with <mark>."},
                "score": {"type": "number", "nullable": True}}},
            "SearchResult": {"type": "object", "properties": {
                "query": {"type": "string"}, "total": {"type": "integer"},
                "page": {"type": "integer"}, "pages": {"type": "integer"},
                "page_size": {"type": "integer"},
                "hits": {"type": "array", "items": ref("Hit")},
                "facets": {"type": "object", "additionalProperties": {
                    "type": "array", "items": {"type": "array", "items": {}}},
                    "description": "Per facet (kind, region, source, theme): [value, count] pairs."},
                "filters": OBJECT,
                "suggestion": {"type": "string", "nullable": True}}},
            "Comparison": {"type": "object", "properties": {
                "theme": {"type": "object", "nullable": True}, "query": {"type": "string"},
                "mode": {"type": "string", "enum": ["theme", "text", "none"]},
                "kinds": {"type": "array", "items": {"type": "string"}},
                "regions": {"type": "array", "items": {"type": "object", "properties": {
                    "slug": {"type": "string"}, "name": {"type": "string"},
                    "status": {"type": "string", "enum": ["found", "nothing-found", "no-report"]},
                    "sources": {"type": "array", "items": OBJECT},
                    "count": {"type": "integer"},
                    "cells": {"type": "object", "additionalProperties": {"type": "array", "items": OBJECT}}}}},
                "rows": {"type": "array", "items": OBJECT},
                "total": {"type": "integer"},
                "rule": {"type": "object", "nullable": True,
                         "description": "Free-text threshold: min_relative_score, best_score, cutoff, dropped."}}},
        }},
    }
