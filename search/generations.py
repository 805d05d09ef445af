"""The knowledge base a running app serves from: the current index generation, opened lazily."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

from whoosh import scoring
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.searching import Searcher

from kb.content.model import ContentError, Entry, Vocabulary
from kb.content.texts import TextSection
from search.analysis import CompoundSplitter
from search.compatibility import INDEX_READ_ERRORS, check_pinned_versions
from search.index import (
    POINTER,
    TEXT_INDEX,
    Meta,
    PlacedText,
    build_from_content,
    current_generation,
    read_entries,
    read_meta,
    read_splitter,
    read_texts,
    rebuild_if_stale,
)
from search.ranking import MAX_LISTS, Postings

log = logging.getLogger(__name__)

# BM25F with no length normalisation on the short index-only fields: a theme label is not
# more relevant for being short.
WEIGHTING = scoring.BM25F(B=0.75, K1=1.2, themes_sv_B=0.0, themes_en_B=0.0, parts_B=0.3)
# How often a worker without a usable index tries to build one.
RETRY_SECONDS = 10.0
T = TypeVar("T")


def open_index(directory: str | Path) -> FileIndex:
    """Open a Whoosh index read-only, without memory-mapping its files.

    No mmap: a file changed under a running worker then fails a read (answered 503) instead of
    faulting the process, and Whoosh copies mapped files into memory anyway.
    """
    return cast(FileIndex, FileStorage(str(directory), supports_mmap=False, readonly=True).open_index())


class IndexUnavailable(Exception):
    """No usable index exists and none could be built; the site answers 503."""


class Layer:
    """One Whoosh index of a generation, opened for ranking: its schema, lists and documents."""

    def __init__(self, ix: FileIndex, on_error: Callable[[Exception], Exception], max_lists: int):
        self.ix = ix
        # Read once: Whoosh's FileIndex reads and unpickles its table of contents on every
        # `ix.schema`, which was ~30 % of a search's time when read per hit.
        self.schema: Schema = ix.schema
        self.on_error = on_error
        self.postings = Postings(WEIGHTING, self.searcher, on_error, max_lists)

    def searcher(self) -> Searcher:
        """Open a searcher on this index (spelling, more-like-this); the caller closes it."""
        try:
            return self.ix.searcher(weighting=WEIGHTING)
        except INDEX_READ_ERRORS as exc:  # damaged or deleted under a running app: answer 503
            raise self.on_error(exc) from exc

    def stored_ids(self) -> list[str]:
        """The stored id of each document, by document number."""
        with self.searcher() as searcher:
            return [fields["id"] for _, fields in sorted(searcher.reader().iter_docs())]


@dataclass
class Snapshot:
    """One opened index generation with its entries, texts and vocabulary, shared by requests."""

    name: str
    vocab: Vocabulary
    entries: dict[str, Entry]  # by id, in report order
    entry_layer: Layer
    text_layer: Layer
    texts: dict[str, PlacedText]
    splitter: CompoundSplitter  # over the corpus words, for splitting query words
    meta: Meta | None = None
    broken: bool = False  # its files could not be read: the knowledge base reopens or rebuilds
    # The entries and report sections by Whoosh document number: hits and facet counts are
    # read from memory instead of unpickling stored fields per request.
    by_docnum: dict[int, Entry] = field(default_factory=dict)
    sections_by_docnum: dict[int, tuple[str, TextSection]] = field(default_factory=dict)
    # facet → value → the document numbers carrying it: filters and facet counts are set operations
    facet_docs: dict[str, dict[str, frozenset[int]]] = field(init=False)
    # Results that depend only on the generation (synonyms, speller, related entries, hit
    # headings), filled through `remember`.
    memo: dict[Hashable, object] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        found: dict[str, dict[str, set[int]]] = {"kind": {}, "region": {}, "theme": {}, "source": {}}
        for docnum, entry in self.by_docnum.items():
            for name, values in (("kind", (entry.kind,)), ("region", (entry.region,)),
                                 ("source", (entry.source,)), ("theme", entry.themes)):
                for value in values:
                    found[name].setdefault(value, set()).add(docnum)
        self.facet_docs = {name: {v: frozenset(d) for v, d in values.items()}
                           for name, values in found.items()}

    @property
    def schema(self) -> Schema:
        return self.entry_layer.schema

    @property
    def postings(self) -> Postings:
        return self.entry_layer.postings

    def searcher(self) -> Searcher:
        """A searcher on the entries' index; the caller closes it."""
        return self.entry_layer.searcher()

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A value that depends only on this generation, computed on first use in each worker."""
        try:
            return cast(T, self.memo[key])
        except KeyError:
            value = self.memo[key] = compute()
            return value

    @property
    def ordered(self) -> list[Entry]:
        """Entries in report order (source by source)."""
        return list(self.entries.values())

    def read_failed(self, exc: Exception) -> Exception:
        """Mark the generation broken and return the error to raise (the site answers 503)."""
        self.broken = True
        log.error("index %s cannot be read: %s", self.name, exc)
        if isinstance(exc, IndexUnavailable):
            return exc
        return IndexUnavailable(f"the search index cannot be read: {exc}")


def open_snapshot(generation: Path, max_lists: int = MAX_LISTS) -> Snapshot:
    """Open a generation: its two indexes, entries, report texts and vocabulary."""
    holder: list[Snapshot] = []

    def failed(exc: Exception) -> Exception:
        return holder[0].read_failed(exc) if holder else IndexUnavailable(str(exc))

    entry_layer = Layer(open_index(generation), failed, max_lists)
    text_layer = Layer(open_index(generation / TEXT_INDEX), failed, max_lists)
    meta = read_meta(generation)
    ordered = read_entries(generation)
    entries = {entry.id: entry for entry in ordered}
    ids = entry_layer.stored_ids()
    if ids != [entry.id for entry in ordered]:
        raise IndexUnavailable(f"{generation.name}: the index and entries.json disagree")
    texts = read_texts(generation)
    sections = {(slug, section.anchor): section for slug, placed in texts.items()
                for section in placed.text.sections}
    by_section = {}
    for docnum, key in enumerate(text_layer.stored_ids()):
        slug, anchor = key.split("#", 1)
        by_section[docnum] = (slug, sections[(slug, anchor)])
    snapshot = Snapshot(name=generation.name, vocab=meta.vocabulary, entries=entries,
                        entry_layer=entry_layer, text_layer=text_layer, texts=texts,
                        splitter=read_splitter(generation), meta=meta,
                        by_docnum=dict(enumerate(ordered)), sections_by_docnum=by_section)
    holder.append(snapshot)
    entry_layer.postings.open()
    text_layer.postings.open()
    return snapshot


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
        self._pointer: tuple[int, int, int] | None = None  # the pointer file's identity when opened
        self._checked = False
        self._last_attempt = float("-inf")

    @classmethod
    def from_config(cls, config: Mapping[str, object], instance_path: str) -> KnowledgeBase:
        """Create the knowledge base an app's configuration describes."""
        index_dir = config.get("INDEX_DIR") or Path(instance_path) / "index"
        lists = config.get("POSTING_LIST_CACHE") or MAX_LISTS
        return cls(str(config["CONTENT_DIR"]), str(index_dir), bool(config.get("AUTO_REBUILD", True)),
                   int(lists) if isinstance(lists, (int, str)) else MAX_LISTS)

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
        current = self._snapshot
        if current is not None and not current.broken and self._pointer == self._pointer_identity():
            return current  # the pointer file is the one it was: one stat, no read
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
            # Read the identity first: if the pointer switches meanwhile, the next call sees a
            # changed file and looks again.
            pointer = self._pointer_identity()
            generation = current_generation(self.index_dir)
            if generation is None:
                raise IndexUnavailable("no search index has been built")
            if (self._snapshot is None or self._snapshot.name != generation.name
                    or self._snapshot.broken):
                self._snapshot = None  # a broken one is never served again
                self._snapshot = self._open(generation)
            self._pointer = pointer
            return self._snapshot

    def _pointer_identity(self) -> tuple[int, int, int] | None:
        """The pointer file's inode, change time and size: a switch replaces the file."""
        try:
            found = os.stat(self.index_dir / POINTER)
        except OSError:
            return None
        return found.st_ino, found.st_mtime_ns, found.st_size

    def _open(self, generation: Path) -> Snapshot:
        try:
            return open_snapshot(generation, self.max_lists)
        except (*INDEX_READ_ERRORS, IndexUnavailable) as exc:  # a damaged generation
            log.error("index %s cannot be opened: %s", generation, exc)
            if self.auto_rebuild and time.monotonic() - self._last_attempt > RETRY_SECONDS:
                self._last_attempt = time.monotonic()
                try:
                    return open_snapshot(self.rebuild(), self.max_lists)
                except (*INDEX_READ_ERRORS, IndexUnavailable, ContentError) as again:
                    log.error("rebuilding the index failed: %s", again)
            raise IndexUnavailable(f"the search index cannot be opened: {exc}") from exc

    def entry_count(self) -> int:
        """Return how many entries are being served."""
        return len(self.snapshot().entries)
