"""The site's pages: one data function each (see web/pages.py), plus what HTML adds to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, jsonify, url_for

from kb.content.codes import FACETS, KINDS
from kb.content.model import subissue_key
from kb.reports import export, overview
from kb.reports.citation import cite
from kb.reports.compare import MIN_RELATIVE_SCORE, Comparison, compare
from kb.reports.overview import (
    EntryDetail,
    RegionDetail,
    RegionOverview,
    SourceDetail,
    SourceOverview,
    StartPage,
    ThemeOverview,
)
from kb.reports.reader import ReportReader, report_reader
from search.service import RelatedTheme, SearchRequest, SearchResult, more_like_this, search
from web import params
from web.markup import render_markdown
from web.pages import Download, Param, Request, page
from web.present import (
    active_filters,
    cached_url_for,
    facet_groups,
    hit_headings,
    pagination,
    with_query,
)
from web.searching import kb

bp = Blueprint("site", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV = "text/csv; charset=utf-8"
KIND_SCHEMA = {"type": "string", "enum": list(KINDS)}
FACET_PARAMS = (
    Param("kind", "Filter by kind; repeat to allow several.", KIND_SCHEMA, repeat=True),
    Param("region", "Filter by region slug; repeat to allow several.", repeat=True),
    Param("theme", "Filter by theme slug; repeat to allow several.", repeat=True),
    Param("source", "Filter by source slug; repeat to allow several.", repeat=True),
)
SLUG = Param("slug", "A slug of the vocabulary.", where="path")


@dataclass(frozen=True)
class Themes:
    themes: list[ThemeOverview]


@dataclass(frozen=True)
class Sources:
    sources: list[SourceOverview]


@dataclass(frozen=True)
class Regions:
    regions: list[RegionOverview]


@bp.get("/healthz")
def healthz() -> Any:
    """Report that the app is up and how many entries it serves."""
    return jsonify(status="ok", entries=kb().entry_count())


@page(name="index", path="/", api="/api/start", template="index.html", returns=StartPage,
      summary="The start page: core themes, the theme × region matrix, the reports held")
def index(req: Request) -> StartPage:
    """Start: search box, core themes, theme × region matrix, what the knowledge base holds."""
    return overview.start_page(req.snapshot.ordered, req.snapshot.vocab)


def _search_table(result: SearchResult, req: Request) -> export.Table:
    vocab = req.snapshot.vocab
    return export.search_table([cite(hit.entry, vocab, req.lang) for hit in result.hits], vocab,
                               req.lang, req.base_url)


def search_context(result: SearchResult, req: Request) -> dict[str, Any]:
    """The search page's links: facets, chosen filters, pages, suggestion, exports.

    Links a page does not show are not built: a search page is mostly links, and most queries
    need neither the correction's, the thesaurus switch's nor the all-sections link.
    """
    state = params.search_state(req.args)
    labels = req.labels
    path = cached_url_for("site.search_page")

    def link(**changes: Any) -> str:
        return with_query(path, state.pairs(page=1, **changes))

    compare_q = result.corrected or state.q
    return {
        "state": state, "hit_heading": hit_headings(req.snapshot, labels),
        "facets": facet_groups(result, state, labels, path),
        "chips": active_filters(state, labels, path),
        "clear_url": link(facets={f: [] for f in FACETS}),
        "pager": pagination(result.page, result.pages,
                            lambda n: with_query(path, state.pairs(page=n))),
        "suggestion_url": link(q=result.suggestion) if result.suggestion else None,
        "corrected_url": link(q=result.corrected) if result.corrected else None,
        # The same search, exactly as typed (no thesaurus words, no correction) or back again.
        "exact_url": link(exact=True) if result.corrected or result.expansions else None,
        "expanded_url": link(exact=False) if result.exact else None,
        "all_texts_url": (with_query(path, state.pairs(all_texts=True)) + "#text-hits-heading"
                          if result.text_total > len(result.text_hits) else None),
        "related": [related_links(item, req) for item in result.related],
        "exports": {fmt: with_query(cached_url_for("site.search_page", fmt=fmt),
                                    state.pairs(page=1))
                    for fmt in ("csv", "xlsx")} if result.total else {},
        # The comparison on what was searched: the correction, when the hits are its.
        "compare_q": compare_q,
        "compare_url": with_query(cached_url_for("site.compare_page"),
                                  [("q", compare_q)] + [(f, v) for f in ("region", "kind")
                                                        for v in state.filters.get(f, [])])
        if state.q else None,
    }


@page(name="search_page", path="/sok", api="/api/search", template="search.html",
      returns=SearchResult, context=search_context,
      summary="Search entries, with the report texts as a second layer (twin of /sok)",
      params=(Param("q", "Query: words in any inflection, \"phrases\", -exclusions, field "
                         "filters such as region:skane kind:recommendation theme:capital-gap."),
              *FACET_PARAMS,
              Param("page", "Page number (from 1).", {"type": "integer", "minimum": 1}),
              Param("page_size", "Results per page in JSON (1–100).",
                    {"type": "integer", "minimum": 1, "maximum": 100}),
              Param("exakt", "1: search only the words typed (no thesaurus words, no automatic "
                             "spelling correction).", {"type": "string", "enum": ["1", "0"]}),
              Param("avsnitt", "alla: list every matching report-text section (up to 200), not "
                               "only the first five.", {"type": "string", "enum": ["alla"]})),
      downloads={"csv": Download(CSV, lambda r, req: export.to_csv(_search_table(r, req)),
                                 lambda r, req: "sokresultat"),
                 "xlsx": Download(XLSX, lambda r, req: export.search_xlsx(_search_table(r, req),
                                                                          req.lang),
                                  lambda r, req: "sokresultat")})
def search_page(req: Request) -> SearchResult:
    """Search with facets, highlights, suggestion and pagination; all matches as a download."""
    state = params.search_state(req.args)
    size = current_app.config["PAGE_SIZE"]
    if req.format == "json":
        size = params.integer(req.args, "page_size", size, 1, 100)
    elif req.format:
        size = 0  # a download holds every match
    return search(req.snapshot, SearchRequest(q=state.q, filters=state.filters, page=state.page,
                                              page_size=size, exact=state.exact,
                                              all_texts=state.all_texts))


def related_links(item: RelatedTheme, req: Request) -> dict[str, str]:
    """A theme the query names: its label, its page and the comparison on it (at the sub-issue)."""
    theme = req.snapshot.vocab.themes[item.theme]
    sub = theme.subissue(item.subissue) if item.subissue else None
    compare = with_query(url_for("site.compare_page"), [("tema", theme.slug)])
    return {"theme": theme.label(req.lang), "subissue": sub.label(req.lang) if sub else "",
            "theme_url": url_for("site.themes_page") + f"#{theme.slug}",
            "compare_url": compare + (f"#{subissue_key(theme.slug, sub.slug)}" if sub else "")}


def entry_context(detail: EntryDetail, req: Request) -> dict[str, Any]:
    return {"body_html": render_markdown(detail.entry.body, footnotes=detail.entry.id)}


@page(name="entry_page", path="/post/<entry_id>", api="/api/entries/<entry_id>",
      template="entry.html", returns=EntryDetail, context=entry_context, errors=(404,),
      summary="One entry with its citation and related entries (twin of /post/{entry_id})",
      params=(Param("entry_id", "Entry id.", where="path"),))
def entry_page(req: Request, entry_id: str) -> EntryDetail | None:
    """An entry: metadata, summary, the quoted passage, its citation, what other regions say."""
    snap = req.snapshot
    entry = snap.entries.get(entry_id)
    if entry is None:
        return None
    placed = snap.texts.get(entry.source)
    return overview.entry_detail(entry, snap.vocab, more_like_this(snap, entry_id, limit=6),
                                 req.lang, placed.places.get(entry_id) if placed else None)


def compare_context(comparison: Comparison | None, req: Request) -> dict[str, Any]:
    """The comparison page's form choices, links and exports."""
    snap = req.snapshot
    asked = params.compare_request(req.args)
    chosen = set(asked.regions)
    held = {s.region for s in snap.vocab.sources.values()}
    path = url_for("site.compare_page")
    pairs = params.compare_pairs(asked)
    return {
        "asked": asked, "percent": round(MIN_RELATIVE_SCORE * 100),
        "themes": snap.vocab.ordered_themes(),
        "regions": [(region, region.slug in chosen, region.slug in held)
                    for region in snap.vocab.regions.values()],
        "kinds": [(kind, not asked.kinds or kind in asked.kinds) for kind in KINDS],
        "exports": {fmt: with_query(url_for("site.compare_page", fmt=fmt), pairs)
                    for fmt in ("xlsx", "docx", "csv", "md")},
        "weaker_url": with_query(path, params.compare_pairs(asked, weaker=True)),
        "stronger_url": with_query(path, params.compare_pairs(asked, weaker=False)),
        "without_text_url": with_query(path, params.compare_pairs(asked, q="")),
        "without_theme_url": with_query(path, params.compare_pairs(asked, theme="")),
        "offered_url": (with_query(path, params.compare_pairs(asked, theme=comparison.offered_theme.slug, q=""))
                        if comparison is not None and comparison.offered_theme else None),
        "search_url": with_query(url_for("site.search_page"), [("q", asked.q)]) if asked.q else None,
    }


def _comparison_name(comparison: Comparison, req: Request) -> str:
    return f"jamforelse-{comparison.theme.slug if comparison.theme else 'fritext'}"


@page(name="compare_page", path="/jamfor", api="/api/compare", template="compare.html",
      returns=Comparison, context=compare_context, optional=True, errors=(400,),
      summary="Regions aligned by sub-issue on a theme or free-text topic (twin of /jamfor)",
      params=(Param("tema", "Theme slug (alias: theme). At least one of tema and q is needed."),
              Param("q", "Free-text topic; matches scoring below 20 % of the best match are "
                         "counted per region but shown only with svagare=1."),
              Param("region", "Region slug, one column each; repeat. Default: every region "
                              "with a report held.", repeat=True),
              Param("kind", "Kinds to include; repeat. Default: all.", KIND_SCHEMA, repeat=True),
              Param("svagare", "1: also show the weaker free-text matches.")),
      downloads={
          "xlsx": Download(XLSX, lambda c, req: export.comparison_xlsx(
              c, req.snapshot.vocab, req.lang, req.base_url), _comparison_name),
          "docx": Download(DOCX, lambda c, req: export.comparison_docx(c, req.lang, req.base_url),
                           _comparison_name),
          "csv": Download(CSV, lambda c, req: export.to_csv(export.comparison_table(
              c, req.snapshot.vocab, req.lang, req.base_url)), _comparison_name),
          "md": Download("text/markdown; charset=utf-8",
                         lambda c, req: export.comparison_markdown(c, req.lang, req.base_url),
                         _comparison_name)})
def compare_page(req: Request) -> Comparison | None:
    """Regions side by side on a theme or free-text topic, aligned by sub-issue."""
    asked = params.compare_request(req.args)
    return compare(req.snapshot, asked, req.lang) if asked.has_topic else None


@page(name="themes_page", path="/teman", api="/api/themes", template="themes.html",
      returns=Themes, summary="Themes with scope and counts per region, kind and sub-issue")
def themes_page(req: Request) -> Themes:
    """All themes with their scope, sub-issues and counts per region and kind."""
    return Themes(overview.theme_overview(req.snapshot.ordered, req.snapshot.vocab))


@page(name="sources_page", path="/kallor", api="/api/sources", template="sources.html",
      returns=Sources, summary="Reports held, with metadata and counts (twin of /kallor)")
def sources_page(req: Request) -> Sources:
    """Every report held, with its metadata and entry counts."""
    return Sources(overview.sources_overview(req.snapshot.ordered, req.snapshot.vocab))


@page(name="source_page", path="/kallor/<slug>", api="/api/sources/<slug>",
      template="source.html", returns=SourceDetail, errors=(404,), params=(SLUG,),
      summary="One report and its entries in report order (twin of /kallor/{slug})")
def source_page(req: Request, slug: str) -> SourceDetail | None:
    """One report: its metadata and its entries in report order."""
    snap = req.snapshot
    return overview.source_detail(snap.ordered, snap.vocab, slug, req.lang,
                                  has_text=slug in snap.texts)


@page(name="report_text_page", path="/kallor/<slug>/text", api="/api/sources/<slug>/text",
      template="report_text.html", returns=ReportReader, errors=(404,), params=(SLUG,),
      summary="One report's full text with its entries marked (twin of /kallor/{slug}/text)")
def report_text_page(req: Request, slug: str) -> ReportReader | None:
    """A report's full text: contents, sections and pages, each quoted passage linked to its entry."""
    snap = req.snapshot
    placed = snap.texts.get(slug)
    if placed is None or slug not in snap.vocab.sources:
        return None
    return report_reader(snap.vocab.sources[slug], placed.text, placed.quoted_by, snap.entries,
                         req.lang)


@page(name="regions_page", path="/regioner", api="/api/regions", template="regions.html",
      returns=Regions, summary="Regions with reports and counts (twin of /regioner)")
def regions_page(req: Request) -> Regions:
    """Every region with its reports and entry counts."""
    return Regions(overview.regions_overview(req.snapshot.ordered, req.snapshot.vocab))


def region_context(detail: RegionDetail, req: Request) -> dict[str, Any]:
    search_path = url_for("site.search_page")
    return {"kind_urls": {kind: with_query(search_path, [("region", detail.region.slug),
                                                         ("kind", kind)]) for kind in KINDS}}


@page(name="region_page", path="/regioner/<slug>", api="/api/regions/<slug>",
      template="region.html", returns=RegionDetail, context=region_context, errors=(404,),
      params=(SLUG,), summary="One region: reports and recommendations by theme")
def region_page(req: Request, slug: str) -> RegionDetail | None:
    """One region: its reports and its recommendations grouped by theme."""
    snap = req.snapshot
    return overview.region_detail(snap.ordered, snap.vocab, slug, req.lang)


def _register() -> None:
    from web.api import bp as api_bp
    from web.pages import register

    register(bp, api_bp)


_register()  # once, at import: blueprints take no routes after their first registration
