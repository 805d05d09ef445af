"""Pages: each is one function returning typed data, rendered as HTML, JSON or a download.

As in Datasette, a page's data is computed once and the URL chooses the representation:
`/jamfor` renders a template, `/api/compare` serialises the same value as JSON, and
`/jamfor.xlsx` (or `?format=xlsx`) writes it as a file. The JSON shape is the data's type, and
the OpenAPI document is generated from the same types (web/openapi.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request
from pydantic import TypeAdapter
from werkzeug.datastructures import MultiDict

from search.generations import Snapshot
from web import params
from web.errors import BadParameter
from web.i18n import current_lang
from web.present import Labels
from web.searching import kb


@dataclass(frozen=True)
class Param:
    """A documented URL parameter of a page (for the OpenAPI document)."""

    name: str
    description: str
    schema: Mapping[str, Any] = field(default_factory=lambda: {"type": "string"})
    repeat: bool = False
    where: str = "query"


@dataclass(frozen=True)
class Request:
    """What a page function gets: the generation, the URL's parameters and the language."""

    snapshot: Snapshot
    args: MultiDict[str, str]
    lang: str
    format: str  # "" for the page, "json", or a download format
    base_url: str

    @property
    def labels(self) -> Labels:
        return Labels(self.snapshot.vocab, self.lang)


@dataclass(frozen=True)
class Download:
    """A file a page's data can be written as."""

    media_type: str
    write: Callable[[Any, Request], str | bytes]
    name: Callable[[Any, Request], str]


@dataclass(frozen=True)
class Page:
    """A page of the site and its JSON twin."""

    name: str
    path: str
    template: str
    load: Callable[..., Any]  # (Request, **path values) -> the page's data (None: 404)
    returns: Any  # the data's type: serialised by pydantic, described in OpenAPI
    api: str | None = None
    summary: str = ""
    params: tuple[Param, ...] = ()
    downloads: Mapping[str, Download] = field(default_factory=dict)
    # Extra template context computed from the data (links, facet groups): HTML only.
    context: Callable[[Any, Request], dict[str, Any]] | None = None
    # The data may be None for a reason other than "not found": the page then shows its form,
    # and the JSON twin and downloads answer 400 (a comparison without a topic).
    optional: bool = False
    errors: tuple[int, ...] = ()

    @property
    def adapter(self) -> TypeAdapter[Any]:
        return _adapter(self.returns)


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(kind: Any) -> TypeAdapter[Any]:
    found = _ADAPTERS.get(kind)
    if found is None:
        found = _ADAPTERS[kind] = TypeAdapter(kind)
    return found


PAGES: list[Page] = []


def page(**spec: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as a page's data function."""
    def register(load: Callable[..., Any]) -> Callable[..., Any]:
        PAGES.append(Page(load=load, **spec))
        return load
    return register


def _request(fmt: str) -> Request:
    return Request(kb().snapshot(), request.args, current_lang(), fmt,
                   request.url_root.rstrip("/"))


def requested_format(page: Page, fmt: str | None) -> str:
    """The download format from the path or `?format=`; '' for the page itself."""
    fmt = fmt if fmt is not None else params.text(request.args, "format")
    if fmt in ("", "html"):
        return ""
    if fmt not in page.downloads:
        raise BadParameter("format", fmt)
    return fmt


def _html_view(page: Page) -> Callable[..., Any]:
    def view(fmt: str | None = None, **values: Any) -> Any:
        chosen = requested_format(page, fmt)
        req = _request(chosen)
        data = page.load(req, **values)
        if chosen:
            if data is None:
                if page.optional:
                    raise BadParameter("tema", "")
                abort(404)
            download = page.downloads[chosen]
            body = download.write(data, req)
            return Response(body, content_type=download.media_type, headers={
                "Content-Disposition": f'attachment; filename="{download.name(data, req)}.{chosen}"'})
        if data is None and not page.optional:
            abort(404)
        extra = page.context(data, req) if page.context else {}
        return render_template(page.template, data=data, labels=req.labels, **extra)
    view.__name__ = page.name
    view.__doc__ = page.load.__doc__
    return view


def _api_view(page: Page) -> Callable[..., Any]:
    def view(**values: Any) -> Any:
        data = page.load(_request("json"), **values)
        if data is None:
            if page.optional:
                raise BadParameter("tema", "")
            abort(404)
        return jsonify(page.adapter.dump_python(data, mode="json"))
    view.__name__ = page.name
    view.__doc__ = page.load.__doc__
    return view


def register(site: Blueprint, api: Blueprint) -> None:
    """Add every page's routes: the page, its downloads, and its JSON twin."""
    for item in PAGES:
        view = _html_view(item)
        site.add_url_rule(item.path, item.name, view, methods=["GET"])
        if item.downloads:
            kinds = ", ".join(item.downloads)
            site.add_url_rule(f"{item.path}.<any({kinds}):fmt>", item.name, view, methods=["GET"])
        if item.api:
            api.add_url_rule(item.api.replace("/api", "", 1), item.name, _api_view(item),
                             methods=["GET"])
