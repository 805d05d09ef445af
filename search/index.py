"""Index stage: build a complete generation into a fresh directory and switch to it atomically.

A generation holds two Whoosh indexes and what the site reads besides them:

- the entries' index (the generation directory itself), documents in report order;
- `texts/`, an index of the report texts' sections, the second layer of search;
- `entries.json`, the entries in document-number order (the typed content model, so every
  entry is read back exactly as it was loaded, never reassembled from stored fields);
- `texts.json`, the parsed report texts with which entry quotes which block;
- `meta.json` (versions, fingerprint, vocabulary) and `words.json` (the corpus words the
  compound splitter knows at query time).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, TEXT, Schema

from kb.content.entries import load_content
from kb.content.model import ContentError, Entry, Vocabulary, subissue_key
from kb.content.quoting import quoting
from kb.content.texts import ReportText, load_report_texts
from search.analysis import (
    ANALYZER_VERSION,
    PROTECTED,
    CompoundSplitter,
    detect_acronyms,
    english_analyzer,
    spelling_analyzer,
    swedish_analyzer,
)
from search.compatibility import installed_versions

log = logging.getLogger(__name__)

POINTER = "CURRENT"
META = "meta.json"
WORDS = "words.json"
ENTRIES = "entries.json"
TEXTS = "texts.json"
TEXT_INDEX = "texts"
KEEP_GENERATIONS = 3  # older generations may still be open in a worker that has not switched yet


@dataclass(frozen=True)
class PlacedText:
    """A report text with the entries that quote its blocks."""

    text: ReportText
    quoted_by: dict[int, list[str]]  # block number → ids of the entries quoting it
    places: dict[str, str]  # entry id → the anchor of the first block it quotes


@dataclass(frozen=True)
class Meta:
    """What a generation was built from and with: checked to decide whether it is stale."""

    analyzer: str
    libraries: dict[str, str]
    fingerprint: str
    built_at: float
    entries: int
    vocabulary: Vocabulary


ENTRY_LIST = TypeAdapter(list[Entry])
META_ADAPTER = TypeAdapter(Meta)
PLACED_TEXTS = TypeAdapter(dict[str, PlacedText])


def make_schema(keep: frozenset[str] = PROTECTED) -> Schema:
    """The entries' schema: facet fields, Swedish and English text, index-only helper fields."""
    analyzers = {"sv": swedish_analyzer(keep), "en": english_analyzer()}
    sv, en = analyzers["sv"], analyzers["en"]
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID, region=ID, source=ID, themes=KEYWORD(commas=True),
        # "<theme>--<sub-issue>" keys: a query naming a sub-issue ranks its entries higher.
        subissues=KEYWORD(commas=True, scorable=True),
        **{name: TEXT(analyzer=analyzers[lang]) for name, lang in Entry.searched_fields().items()},
        # Index-only: compound parts, theme vocabulary, and unstemmed words for spelling.
        parts=TEXT(analyzer=sv), themes_sv=TEXT(analyzer=sv), themes_en=TEXT(analyzer=en),
        spell=TEXT(analyzer=spelling_analyzer(), spelling=True),
    )


def make_text_schema(keep: frozenset[str] = PROTECTED) -> Schema:
    """The report texts' schema: one document per section, its heading and its text."""
    sv = swedish_analyzer(keep)
    return Schema(id=ID(stored=True, unique=True), source=ID, region=ID,
                  title=TEXT(analyzer=sv), body=TEXT(analyzer=sv), parts=TEXT(analyzer=sv))


def _theme_text(entry: Entry, vocab: Vocabulary, lang: str) -> str:
    """The labels and signal terms of an entry's themes, and the labels of its sub-issues, so
    theme words find tagged entries ("finansiering av klusterarbetet" names a sub-issue)."""
    parts = []
    for slug in entry.themes:
        theme = vocab.themes.get(slug)
        if theme is not None:
            parts.append(theme.label(lang))
            parts.extend(theme.terms_en if lang == "en" else theme.terms_sv)
            for sub in filter(None, map(theme.subissue, entry.subissues_of(slug))):
                parts.append(sub.label(lang))
    return " . ".join(parts)


def document_order(entries: Sequence[Entry], vocab: Vocabulary,
                   texts: Mapping[str, PlacedText]) -> list[Entry]:
    """Entries in report order: source by source, each by where its passage stands in the text.

    An entry whose passage is not found in a report text falls back to its section number.
    """
    sources = {slug: n for n, slug in enumerate(vocab.sources)}

    def key(entry: Entry) -> tuple[Any, ...]:
        placed = texts.get(entry.source)
        anchor = placed.places.get(entry.id) if placed else None
        position = int(anchor.split("-")[1]) if anchor else 10**9
        section = tuple(int(n) if n.isdigit() else 0 for n in re.findall(r"\d+|\D+", entry.section))
        return sources.get(entry.source, len(sources)), position, section, entry.id

    return sorted(entries, key=key)


def _document(entry: Entry, vocab: Vocabulary, splitter: CompoundSplitter) -> dict[str, Any]:
    text = " ".join((entry.title, entry.summary, entry.body))
    return {
        "id": entry.id, "kind": entry.kind, "region": entry.region, "source": entry.source,
        "themes": ",".join(entry.themes),
        "subissues": ",".join(subissue_key(theme, sub) for theme in entry.themes
                              for sub in entry.subissues_of(theme)),
        **{name: getattr(entry, name) for name in Entry.searched_fields()},
        "parts": splitter.parts_text(text), "themes_sv": _theme_text(entry, vocab, "sv"),
        "themes_en": _theme_text(entry, vocab, "en"), "spell": text,
    }


def _text_documents(placed: Mapping[str, PlacedText], vocab: Vocabulary,
                    splitter: CompoundSplitter) -> Iterator[dict[str, Any]]:
    for slug, item in placed.items():
        region = vocab.sources[slug].region if slug in vocab.sources else ""
        for section in item.text.sections:
            if not section.blocks:
                continue
            body = "\n\n".join(block.plain for block in section.blocks)
            yield {"id": f"{slug}#{section.anchor}", "source": slug, "region": region,
                   "title": section.title, "body": body,
                   "parts": splitter.parts_text(f"{section.title} {body}")}


def place_texts(texts: Mapping[str, ReportText], entries: Sequence[Entry]) -> dict[str, PlacedText]:
    """Find where each entry's passage stands in its report text."""
    placed = {}
    for slug, text in texts.items():
        found = quoting(text, [(e.id, e.body) for e in entries if e.source == slug])
        placed[slug] = PlacedText(text, found.by_block,
                                  {entry_id: f"p-{number}" for entry_id, number in found.first_block.items()})
    return placed


def content_fingerprint(content_dir: str | Path) -> str:
    """Hash the names, sizes and modification times of every content file."""
    digest = hashlib.sha256()
    root = Path(content_dir)
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".md", ".yaml", ".yml", ".txt"):
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _write_index(directory: Path, schema: Schema, documents: Iterable[dict[str, Any]]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    writer = whoosh_index.create_in(str(directory), schema).writer(limitmb=256)
    for document in documents:
        writer.add_document(**document)
    writer.commit()


def build_index(entries: Sequence[Entry], vocab: Vocabulary, index_root: str | Path, *,
                fingerprint: str = "", texts: Mapping[str, ReportText] | None = None,
                before_switch: Callable[[Path], None] | None = None) -> Path:
    """Build a complete generation in a new directory, then point CURRENT at it."""
    root = Path(index_root)
    root.mkdir(parents=True, exist_ok=True)
    placed = place_texts(texts or {}, entries)
    ordered = document_order(entries, vocab, placed)
    corpus = [" ".join((e.title, e.summary, e.body)) for e in ordered]
    keep = PROTECTED | detect_acronyms(corpus)
    splitter = CompoundSplitter.from_texts(corpus)
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
    try:
        # Added in report order, so document numbers are report order (and break score ties).
        _write_index(building, make_schema(keep), (_document(e, vocab, splitter) for e in ordered))
        _write_index(building / TEXT_INDEX, make_text_schema(keep),
                     _text_documents(placed, vocab, splitter))
        (building / ENTRIES).write_bytes(ENTRY_LIST.dump_json(ordered))
        (building / TEXTS).write_bytes(PLACED_TEXTS.dump_json(placed))
        meta = Meta(ANALYZER_VERSION, installed_versions(), fingerprint, time.time(), len(ordered),
                    vocab)
        (building / META).write_bytes(META_ADAPTER.dump_json(meta))
        (building / WORDS).write_text(json.dumps(splitter.counts, ensure_ascii=False), encoding="utf-8")
        final = root / f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{building.name[-8:]}"
        building.rename(final)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    if before_switch is not None:
        before_switch(final)
    _write_pointer(root, final.name)
    _prune(root, final.name)
    log.info("index built: %s (%d entries)", final.name, len(entries))
    return final


def _write_pointer(root: Path, name: str) -> None:
    # Write then rename: readers see either the old or the new name, never half a file.
    fd, tmp = tempfile.mkstemp(prefix=".pointer-", dir=root)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(name)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, root / POINTER)


def _prune(root: Path, current: str) -> None:
    generations = sorted((p for p in root.glob("gen-*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in [p for p in generations if p.name != current][:-(KEEP_GENERATIONS - 1) or None]:
        shutil.rmtree(old, ignore_errors=True)
    for stale in root.glob(".building-*"):
        # A build killed midway leaves its directory behind; it was never pointed at.
        if time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)


def current_generation(index_root: str | Path) -> Path | None:
    """Return the directory CURRENT points at, or None when there is no usable index."""
    root = Path(index_root)
    try:
        name = (root / POINTER).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    path = root / name
    return path if name and path.is_dir() else None


def read_splitter(generation: Path) -> CompoundSplitter:
    """Load the compound splitter built with a generation."""
    counts = json.loads((generation / WORDS).read_text(encoding="utf-8"))
    return CompoundSplitter(Counter(counts))


def read_meta(generation: Path) -> Meta:
    """Read a generation's metadata (versions, fingerprint, vocabulary)."""
    return META_ADAPTER.validate_json((generation / META).read_bytes())


def read_entries(generation: Path) -> list[Entry]:
    """A generation's entries, in document-number order."""
    return ENTRY_LIST.validate_json((generation / ENTRIES).read_bytes())


def read_texts(generation: Path) -> dict[str, PlacedText]:
    """A generation's report texts with the entries placed in them."""
    return PLACED_TEXTS.validate_json((generation / TEXTS).read_bytes())


@contextmanager
def build_lock(index_root: str | Path) -> Iterator[None]:
    """Hold the exclusive build lock, so that workers starting together build only once."""
    root = Path(index_root)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_from_content(content_dir: str | Path, index_root: str | Path,
                       before_switch: Callable[[Path], None] | None = None) -> Path:
    """Validate the content and build an index from it; ContentError leaves the index untouched.

    `before_switch` runs between the build and the switch (the tests use it to stop midway).
    """
    with build_lock(index_root):
        return _build(content_dir, index_root, before_switch)


def rebuild_if_stale(content_dir: str | Path, index_root: str | Path) -> Path | None:
    """Build a new generation only if the index is stale once the build lock is held.

    Workers that start together all see stale content; the first to hold the lock builds, and
    the others then find a fresh index and build nothing. Returns the new generation or None.
    """
    if not is_stale(content_dir, index_root):
        return None
    with build_lock(index_root):
        if not is_stale(content_dir, index_root):
            return None
        return _build(content_dir, index_root)


def _build(content_dir: str | Path, index_root: str | Path,
           before_switch: Callable[[Path], None] | None = None) -> Path:
    fingerprint = content_fingerprint(content_dir)
    vocab, entries = load_content(content_dir)
    texts, problems = load_report_texts(content_dir, vocab.sources)
    if problems:
        raise ContentError(problems)
    return build_index(entries, vocab, index_root, fingerprint=fingerprint, texts=texts,
                       before_switch=before_switch)


def is_stale(content_dir: str | Path, index_root: str | Path) -> bool:
    """Tell whether the index is missing, built by another analyzer or library version, or
    older than the content."""
    generation = current_generation(index_root)
    if generation is None:
        return True
    try:
        meta = read_meta(generation)
    except (OSError, ValueError):
        return True
    return (meta.analyzer != ANALYZER_VERSION or meta.libraries != installed_versions()
            or meta.fingerprint != content_fingerprint(content_dir))
