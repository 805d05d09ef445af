"""HTML views: parse the request, call the plain functions of the search layer, render."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from kb.reports import export, overview
from kb.reports.compare import MIN_RELATIVE_SCORE
from kb.reports.compare import compare
from search.query import SearchRequest, search
from web import params
from web.errors import BadParameter
from web.i18n import current_lang
from web.markup import render_markdown
from web.present import Labels, active_filters, facet_groups, hit_headings, pagination, with_query
from web.searching import detail_or_404, kb

bp = Blueprint("site", __name__)

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown; charset=utf-8",
}


def render(template: str, snapshot: Any, **context: Any) -> str:
    """Render a page with labels for the snapshot's vocabulary in the interface language."""
    return render_template(template, labels=Labels(snapshot.vocab, current_lang()), **context)


def download(body: str | bytes, fmt: str, name: str) -> Response:
    """A file download response."""
    return Response(body, content_type=EXPORT_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


def base_url() -> str:
    return request.url_root.rstrip("/")


def requested_format(fmt: str | None, allowed: tuple[str, ...]) -> str:
    """The export format from the path or `?format=`; '' for the page itself."""
    fmt = fmt if fmt is not None else params.text(request.args, "format")
    if fmt in ("", "html"):
        return ""
    if fmt not in allowed:
        raise BadParameter("format", fmt)
    return fmt


@bp.get("/healthz")
def healthz():
    """Report that the app is up and how many entries it serves."""
    return jsonify(status="ok", entries=kb().entry_count())


@bp.get("/")
def index():
    """Start: search box, core themes, theme × region matrix, what the knowledge base holds."""
    snap = kb().snapshot()
    entries = snap.ordered
    return render("index.html", snap,
                  core=[overview.theme_summary(snap.vocab, t) for t in overview.core_themes(snap.vocab)],
                  matrix=overview.theme_region_matrix(entries, snap.vocab),
                  sources=overview.sources_overview(entries, snap.vocab), total=len(entries))


@bp.get("/sok")
@bp.get("/sok.<any(csv):fmt>")
def search_page(fmt: str | None = None):
    """Search with facets, highlights, suggestion and pagination; CSV of all matches."""
    state = params.search_state(request.args)
    fmt = requested_format(fmt, ("csv",))
    snap = kb().snapshot()
    lang = current_lang()
    if fmt:
        result = search(snap, SearchRequest(q=state.q, filters=state.filters, page_size=0))
        return download(export.to_csv(export.headers(lang),
                                      export.search_rows(result, snap.vocab, lang, base_url())),
                        fmt, "sokresultat")
    result = search(snap, SearchRequest(q=state.q, filters=state.filters, page=state.page,
                                            page_size=current_app.config["PAGE_SIZE"]))
    labels = Labels(snap.vocab, lang)
    path = url_for("site.search_page")
    return render_template(
        "search.html", labels=labels, state=state, result=result, hit_heading=hit_headings(snap, labels),
        facets=facet_groups(result, state, labels, path),
        chips=active_filters(state, labels, path),
        clear_url=with_query(path, state.pairs(page=1, **{facet: [] for facet in params.FACETS})),
        pager=pagination(result["page"], result["pages"],
                         lambda n: with_query(path, state.pairs(page=n))),
        suggestion_url=(with_query(path, state.pairs(page=1, q=result["suggestion"]))
                        if result["suggestion"] else None),
        csv_url=with_query(url_for("site.search_page", fmt="csv"), state.pairs(page=1)),
    )


@bp.get("/post/<entry_id>")
def entry_page(entry_id: str):
    """An entry: metadata, summary, the quoted passage, its citation, what other regions say."""
    snap = kb().snapshot()
    detail = detail_or_404(overview.entry_detail, snap, entry_id, current_lang())
    return render("entry.html", snap, **detail, body_html=render_markdown(detail["entry"]["body"]))


@bp.get("/jamfor")
@bp.get("/jamfor.<any(csv, xlsx, md):fmt>")
def compare_page(fmt: str | None = None):
    """Regions side by side on a theme or free-text topic; CSV, XLSX and Markdown exports."""
    compare_request = params.compare_request(request.args)
    fmt = requested_format(fmt, ("csv", "xlsx", "md"))
    snap = kb().snapshot()
    lang = current_lang()
    comparison = compare(snap, compare_request, lang) if compare_request.has_topic else None
    if fmt:
        if comparison is None:
            raise BadParameter("tema", "")
        name = f"jamforelse-{compare_request.theme or 'fritext'}"
        if fmt == "csv":
            body: str | bytes = export.to_csv(export.headers(lang), export.comparison_rows(
                comparison, snap.vocab, lang, base_url()))
        elif fmt == "xlsx":
            body = export.comparison_xlsx(comparison, snap.vocab, lang, base_url())
        else:
            body = export.comparison_markdown(comparison, lang, base_url())
        return download(body, fmt, name)
    pairs = params.compare_pairs(compare_request)
    chosen = compare_request.regions
    labels = Labels(snap.vocab, lang)
    topic = " – ".join(([labels.theme(compare_request.theme)] if compare_request.theme else [])
                       + ([f"”{comparison['query']}”"] if comparison and comparison["query"] else []))
    return render_template(
        "compare.html", labels=labels, request_=compare_request, comparison=comparison,
        topic=topic if comparison else "",
        themes=[overview.theme_summary(snap.vocab, t) for t in overview.ordered_themes(snap.vocab)],
        regions=[{**overview.region_summary(snap.vocab, r), "checked": r in chosen,
                  "has_sources": bool(overview.sources_by_region(snap.vocab).get(r))}
                 for r in snap.vocab.regions],
        percent=round(MIN_RELATIVE_SCORE * 100),
        exports={fmt: with_query(url_for("site.compare_page", fmt=fmt), pairs)
                 for fmt in ("xlsx", "csv", "md")},
    )


@bp.get("/teman")
def themes_page():
    """All themes with their scope and counts per region and kind."""
    snap = kb().snapshot()
    return render("themes.html", snap, themes=overview.theme_overview(snap.ordered, snap.vocab))


@bp.get("/kallor")
def sources_page():
    """Every report held, with its metadata and entry counts."""
    snap = kb().snapshot()
    return render("sources.html", snap, sources=overview.sources_overview(snap.ordered, snap.vocab))


@bp.get("/kallor/<slug>")
def source_page(slug: str):
    """One report: its metadata and its entries in document order."""
    snap = kb().snapshot()
    detail = detail_or_404(overview.source_detail, snap.ordered, snap.vocab, slug, current_lang())
    return render("source.html", snap, **detail)


@bp.get("/regioner")
def regions_page():
    """Every region with its reports and entry counts."""
    snap = kb().snapshot()
    return render("regions.html", snap, regions=overview.regions_overview(snap.ordered, snap.vocab))


@bp.get("/regioner/<slug>")
def region_page(slug: str):
    """One region: its reports and its recommendations grouped by theme."""
    snap = kb().snapshot()
    detail = detail_or_404(overview.region_detail, snap.ordered, snap.vocab, slug, current_lang())
    search_path = url_for("site.search_page")
    kind_urls = {kind: with_query(search_path, [("region", slug), ("kind", kind)])
                 for kind in overview.KIND_ORDER}
    return render("region.html", snap, **detail, kind_urls=kind_urls)
