"""The JSON twins of the pages under /api/: same parameters, plain data out."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.json.provider import DefaultJSONProvider

from kb.reports import overview
from kb.reports.compare import compare
from search.query import SearchRequest, search
from web import params
from web.errors import BadParameter
from web.i18n import current_lang
from web.openapi import openapi_document
from web.searching import detail_or_404, kb

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
def openapi():
    """The OpenAPI 3 description of this API."""
    return jsonify(openapi_document(request.url_root.rstrip("/")))


@bp.get("/search")
def search_api():
    """Search: hits (with escaped HTML snippets), facet counts, paging and a suggestion."""
    state = params.search_state(request.args)
    size = params.integer(request.args, "page_size", current_app.config["PAGE_SIZE"], 1, 100)
    result = search(kb().snapshot(), SearchRequest(q=state.q, filters=state.filters,
                                                       page=state.page, page_size=size))
    return jsonify(result)


@bp.get("/compare")
def compare_api():
    """Regions side by side on a theme (`tema`) or free text (`q`)."""
    compare_request = params.compare_request(request.args)
    if not compare_request.has_topic:
        raise BadParameter("tema", "")
    return jsonify(compare(kb().snapshot(), compare_request, current_lang()))


@bp.get("/entries/<entry_id>")
def entry_api(entry_id: str):
    """One entry with its citation, source and related entries from other regions."""
    return jsonify(detail_or_404(overview.entry_detail, kb().snapshot(), entry_id, current_lang()))


@bp.get("/themes")
def themes_api():
    """Every theme with scope and counts per region and kind."""
    snap = kb().snapshot()
    return jsonify(themes=overview.theme_overview(snap.ordered, snap.vocab))


@bp.get("/matrix")
def matrix_api():
    """The theme × region matrix of the start page."""
    snap = kb().snapshot()
    return jsonify(overview.theme_region_matrix(snap.ordered, snap.vocab))


@bp.get("/sources")
def sources_api():
    """Every report held, with metadata and entry counts."""
    snap = kb().snapshot()
    return jsonify(sources=overview.sources_overview(snap.ordered, snap.vocab))


@bp.get("/sources/<slug>")
def source_api(slug: str):
    """One report with its entries in document order."""
    snap = kb().snapshot()
    return jsonify(detail_or_404(overview.source_detail, snap.ordered, snap.vocab, slug, current_lang()))


@bp.get("/regions")
def regions_api():
    """Every region with its reports and entry counts."""
    snap = kb().snapshot()
    return jsonify(regions=overview.regions_overview(snap.ordered, snap.vocab))


@bp.get("/regions/<slug>")
def region_api(slug: str):
    """One region: reports, counts per kind, recommendations grouped by main theme."""
    snap = kb().snapshot()
    return jsonify(detail_or_404(overview.region_detail, snap.ordered, snap.vocab, slug, current_lang()))
