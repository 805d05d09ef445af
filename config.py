"""Configuration defaults: the one place where settings and their defaults live."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent


class Defaults:
    """Settings every app starts from; an instance config file or a test mapping overrides them."""

    # Markdown entries and the YAML vocabularies (sources, regions, themes, addressees).
    CONTENT_DIR = str(PROJECT_ROOT / "content")
    # Where index generations live; None means `<instance_path>/index`.
    INDEX_DIR = None
    # Rebuild the index when a worker first needs it and the content is newer than the index.
    AUTO_REBUILD = True
    # Results per page on the search page and in /api/search.
    PAGE_SIZE = 10
    # Interface language when the visitor has not chosen one.
    DEFAULT_LANGUAGE = "sv"
    # Rendered pages kept per worker for repeated URLs (0 turns the cache off); a new index
    # generation empties it. The byte bound is per worker.
    PAGE_CACHE_PAGES = 1000
    PAGE_CACHE_BYTES = 32 * 1024 * 1024
    # Posting lists each worker keeps per index generation (least recently used dropped first).
    POSTING_LIST_CACHE = 6000
