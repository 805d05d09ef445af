"""The knowledge base a running app serves from: the current index generation, opened lazily."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from whoosh import scoring
from whoosh.filedb.filestore import FileStorage

from search.compatibility import INDEX_READ_ERRORS, check_pinned_versions
from kb.content.model import ContentError, Entry, Vocabulary
from search.index import (build_from_content, current_generation, read_meta, read_splitter,
                          rebuild_if_stale)
from search.ranking import MAX_LISTS, Postings

log = logging.getLogger(__name__)

# BM25F with no length normalisation on the short index-only fields: a theme label is not
# more relevant for being short.
WEIGHTING = scoring.BM25F(B=0.75, K1=1.2, themes_sv_B=0.0, themes_en_B=0.0, parts_B=0.3)
RETRY_SECONDS = 10.0
FACETS = ("kind", "region", "source", "theme")  # how often a worker without a usable index tries to build one


def open_generation(directory: str | Path) -> Any:
    """Open a generation's Whoosh index read-only, without memory-mapping its files.

    No mmap: a file changed under a running worker then fails a read (answered 503) instead of
    faulting the process, and Whoosh copies mapped files into memory anyway.
    """
    return FileStorage(str(directory), supports_mmap=False, readonly=True).open_index()


class IndexUnavailable(Exception):
    """No usable index exists and none could be built; the site answers 503."""


@dataclass
class Snapshot:
    """One opened index generation with its entries and vocabulary, shared by requests."""

    name: str
    ix: Any
    vocab: Vocabulary
    # Read once: Whoosh's FileIndex reads and unpickles its table of contents on every
    # `ix.schema`, which was ~30 % of a search's time when read per hit.
    schema: Any
    entries: dict[str, Entry]
    meta: dict[str, Any] = field(default_factory=dict)
    splitter: Any = None  # CompoundSplitter over the corpus words, for splitting query words
    broken: bool = False  # its files could not be read: the knowledge base reopens or rebuilds
    # The same entries by Whoosh document number: hits and facet counts are read from memory
    # instead of unpickling stored fields (or running Whoosh's grouping collector) per request.
    by_docnum: dict[int, Entry] = field(default_factory=dict)
    postings: Postings = field(init=False)
    # facet → value → the document numbers carrying it: filters and facet counts are set operations
    facet_docs: dict[str, dict[str, frozenset[int]]] = field(init=False)
    # Results that depend only on the generation (synonyms, speller, related entries, hit
    # headings), filled through `remember`.
    memo: dict[Any, Any] = field(default_factory=dict, init=False)
    max_lists: int = MAX_LISTS

    def __post_init__(self) -> None:
        self.postings = Postings(WEIGHTING, self.searcher, self._read_failed, self.max_lists)
        found: dict[str, dict[str, set[int]]] = {name: {} for name in FACETS}
        for docnum, entry in self.by_docnum.items():
            for name, values in (("kind", (entry.kind,)), ("region", (entry.region,)),
                                 ("source", (entry.source,)), ("theme", entry.themes)):
                for value in values:
                    found[name].setdefault(value, set()).add(docnum)
        self.facet_docs = {name: {v: frozenset(d) for v, d in values.items()}
                           for name, values in found.items()}

    def remember(self, key: Any, compute: Callable[[], Any]) -> Any:
        """A value that depends only on this generation, computed on first use in each worker."""
        try:
            return self.memo[key]
        except KeyError:
            value = self.memo[key] = compute()
            return value

    @property
    def ordered(self) -> list[Entry]:
        """Entries in document order (source by source)."""
        return list(self.entries.values())

    def searcher(self) -> Any:
        """Open a searcher on this generation (spelling, more-like-this); the caller closes it."""
        try:
            return self.ix.searcher(weighting=WEIGHTING)
        except INDEX_READ_ERRORS as exc:  # damaged or deleted under a running app: answer 503
            raise self._read_failed(exc) from exc

    def _read_failed(self, exc: Exception) -> Exception:
        """Mark the generation broken and return the error to raise (the site answers 503)."""
        self.broken = True
        log.error("index %s cannot be read: %s", self.name, exc)
        if isinstance(exc, IndexUnavailable):
            return exc
        return IndexUnavailable(f"the search index cannot be read: {exc}")


def _read_entries(ix: Any) -> tuple[dict[str, Entry], dict[int, Entry]]:
    """Read every stored entry once: by id in document order, and by document number."""
    with ix.reader() as reader:
        docs = sorted(reader.iter_docs(), key=lambda item: item[1]["order"])
    by_docnum = {docnum: Entry(
        id=doc["id"], title=doc["title"], title_en=doc["title_en"], kind=doc["kind"],
        source=doc["source"], region=doc["region"], section=doc["section"],
        themes=tuple(t for t in doc["themes"].split(",") if t), summary=doc["summary"],
        summary_en=doc["summary_en"], status=doc["status"], body=doc["body"],
        page=doc.get("page"), addressees=tuple(doc.get("addressees") or ()),
    ) for docnum, doc in docs}
    return {entry.id: entry for entry in by_docnum.values()}, by_docnum


class KnowledgeBase:
    """Serves the current index generation; notices switches and rebuilds stale content."""

    def __init__(self, content_dir: str | Path, index_dir: str | Path, auto_rebuild: bool = True,
                 max_lists: int = MAX_LISTS):
        self.versions = check_pinned_versions()  # refuse to start on other library versions
        self.content_dir = Path(content_dir)
        self.index_dir = Path(index_dir)
        self.auto_rebuild = auto_rebuild
        self.max_lists = max_lists
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._checked = False
        self._last_attempt = float("-inf")

    @classmethod
    def from_config(cls, config: Mapping[str, Any], instance_path: str) -> "KnowledgeBase":
        """Create the knowledge base an app's configuration describes."""
        index_dir = config.get("INDEX_DIR") or Path(instance_path) / "index"
        return cls(config["CONTENT_DIR"], index_dir, bool(config.get("AUTO_REBUILD", True)),
                   int(config.get("POSTING_LIST_CACHE") or MAX_LISTS))

    def rebuild(self) -> Path:
        """Build a new generation from the content (raises ContentError, index untouched)."""
        return build_from_content(self.content_dir, self.index_dir)

    def _rebuild_if_stale(self) -> None:
        try:
            # Several workers may start at once on stale content: the first builds, and the
            # others find the index fresh once they hold the build lock.
            if rebuild_if_stale(self.content_dir, self.index_dir) is not None:
                self._last_attempt = time.monotonic()
                log.info("content was newer than the index: rebuilt")
        except ContentError as exc:
            self._last_attempt = time.monotonic()
            log.error("content has errors; serving the previous index:\n%s", exc)

    def snapshot(self) -> Snapshot:
        """Return the current generation, reopening it when the pointer has switched."""
        if not self._checked and self.auto_rebuild:
            with self._lock:
                if not self._checked:
                    self._rebuild_if_stale()
                    self._checked = True
        generation = current_generation(self.index_dir)
        if (generation is None and self.auto_rebuild
                and time.monotonic() - self._last_attempt > RETRY_SECONDS):
            # The index directory vanished under a running app: build a new one.
            with self._lock:
                self._rebuild_if_stale()
            generation = current_generation(self.index_dir)
        current = self._snapshot
        if (generation is not None and current is not None and current.name == generation.name
                and not current.broken):
            return current
        with self._lock:
            generation = current_generation(self.index_dir)
            if generation is None:
                raise IndexUnavailable("no search index has been built")
            if (self._snapshot is None or self._snapshot.name != generation.name
                    or self._snapshot.broken):
                self._snapshot = None  # a broken one is never served again
                self._snapshot = self._open(generation)
            return self._snapshot

    def _load(self, generation: Path) -> Snapshot:
        ix = open_generation(generation)
        meta = read_meta(generation)
        entries, by_docnum = _read_entries(ix)
        snapshot = Snapshot(name=generation.name, ix=ix, schema=ix.schema,
                            vocab=Vocabulary.from_dict(meta["vocabulary"]), entries=entries,
                            meta=meta, splitter=read_splitter(generation), by_docnum=by_docnum,
                            max_lists=self.max_lists)
        snapshot.postings.open()
        return snapshot

    def _open(self, generation: Path) -> Snapshot:
        try:
            return self._load(generation)
        except (*INDEX_READ_ERRORS, IndexUnavailable) as exc:  # a damaged generation
            log.error("index %s cannot be opened: %s", generation, exc)
            if self.auto_rebuild and time.monotonic() - self._last_attempt > RETRY_SECONDS:
                self._last_attempt = time.monotonic()
                try:
                    fresh = self.rebuild()
                    return self._load(fresh)
                except (*INDEX_READ_ERRORS, IndexUnavailable, ContentError) as again:
                    log.error("rebuilding the index failed: %s", again)
            raise IndexUnavailable(f"the search index cannot be opened: {exc}") from exc

    def entry_count(self) -> int:
        """Return how many entries are being served."""
        return len(self.snapshot().entries)
