"""A per-worker cache of rendered pages.

Every page is a function of its URL, the interface language and the index generation it was
built from: content only changes when a new generation is switched in. So a repeated request is
answered from memory without searching or rendering again, and a new generation empties the
cache. Responses carry `X-Cache: hit` or `miss` so that tests and load runs can tell.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request

from web.i18n import current_lang

# Not cached: the health check reads the live state, static files have their own caching.
UNCACHED_ENDPOINTS = {"site.healthz", "static"}
KEPT_HEADERS = ("Content-Type", "Content-Disposition")


@dataclass(frozen=True)
class Page:
    """A stored response: body, status and the headers that belong to the content."""

    body: bytes
    status: int
    headers: tuple[tuple[str, str], ...]


class PageCache:
    """Least-recently-used pages of one index generation, bounded by count and bytes."""

    def __init__(self, max_pages: int, max_bytes: int):
        self.max_pages, self.max_bytes = max_pages, max_bytes
        self.generation: str | None = None
        self._pages: OrderedDict[Hashable, Page] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pages)

    def _switch(self, generation: str) -> None:
        if generation != self.generation:  # a new index: everything stored is stale
            self._pages.clear()
            self._bytes = 0
            self.generation = generation

    def get(self, generation: str, key: Hashable) -> Page | None:
        """The stored page for a key, if it was rendered from this generation."""
        with self._lock:
            self._switch(generation)
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, generation: str, key: Hashable, page: Page) -> None:
        """Store a page; the least recently used go when either bound is exceeded."""
        if len(page.body) > self.max_bytes // 8:
            return  # one large export must not push out everything else
        with self._lock:
            self._switch(generation)
            old = self._pages.pop(key, None)
            self._bytes -= len(old.body) if old else 0
            self._pages[key] = page
            self._bytes += len(page.body)
            while len(self._pages) > self.max_pages or self._bytes > self.max_bytes:
                _, dropped = self._pages.popitem(last=False)
                self._bytes -= len(dropped.body)


def _request_key() -> tuple[str, str, str] | None:
    if request.method != "GET" or request.endpoint in UNCACHED_ENDPOINTS or request.endpoint is None:
        return None
    generation = current_app.extensions["kb"].snapshot().name
    return generation, current_lang(), request.url  # the host matters: exports cite full URLs


def serve_cached() -> Response | None:
    """Answer from the cache when this URL was rendered from the serving generation."""
    key = _request_key()
    if key is None:
        return None
    cache: PageCache = current_app.extensions["page_cache"]
    page = cache.get(key[0], key[1:])
    if page is None:
        g.page_cache_key = key
        return None
    response = Response(page.body, status=page.status, headers=list(page.headers))
    response.headers["X-Cache"] = "hit"
    return response


def store(response: Response) -> Response:
    """Keep a successfully rendered page for the next request with the same URL."""
    key = g.pop("page_cache_key", None)
    if key is None:
        return response
    response.headers["X-Cache"] = "miss"
    if response.status_code == 200 and not response.is_streamed and not response.direct_passthrough:
        headers = tuple((name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers)
        current_app.extensions["page_cache"].put(
            key[0], key[1:], Page(response.get_data(), response.status_code, headers))
    return response


def init_app(app: Flask) -> None:
    """Cache rendered pages per worker when PAGE_CACHE_PAGES is above zero."""
    pages = int(app.config.get("PAGE_CACHE_PAGES") or 0)
    if pages <= 0:
        return
    app.extensions["page_cache"] = PageCache(pages, int(app.config["PAGE_CACHE_BYTES"]))
    app.before_request(serve_cached)
    app.after_request(store)
