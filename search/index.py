"""Index stage: build a complete Whoosh index into a fresh directory and switch to it atomically."""

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
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from search.compatibility import installed_versions
from search.analysis import (ANALYZER_VERSION, PROTECTED, CompoundSplitter, detect_acronyms,
                             english_analyzer, spelling_analyzer, swedish_analyzer)
from kb.content.model import Entry, Vocabulary, load_content

log = logging.getLogger(__name__)

POINTER = "CURRENT"
META = "meta.json"
WORDS = "words.json"  # corpus word counts: the compound splitter's dictionary at query time
KEEP_GENERATIONS = 3  # older generations may still be open in a worker that has not switched yet


def make_schema(keep: frozenset[str] = PROTECTED) -> Schema:
    """Return the schema: stored display fields, sortable facets, Swedish and English text."""
    sv, en = swedish_analyzer(keep), english_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True, sortable=True),
        region=ID(stored=True, sortable=True),
        source=ID(stored=True, sortable=True),
        themes=KEYWORD(stored=True, commas=True, sortable=True),
        year=NUMERIC(stored=True, sortable=True),
        order=NUMERIC(stored=True, sortable=True),
        title=TEXT(analyzer=sv, stored=True),
        summary=TEXT(analyzer=sv, stored=True),
        body=TEXT(analyzer=sv, stored=True),
        title_en=TEXT(analyzer=en, stored=True),
        summary_en=TEXT(analyzer=en, stored=True),
        # Index-only fields: compound parts, theme vocabulary, and unstemmed words for spelling.
        parts=TEXT(analyzer=sv),
        themes_sv=TEXT(analyzer=sv),
        themes_en=TEXT(analyzer=en),
        spell=TEXT(analyzer=spelling_analyzer(), spelling=True),
        section=STORED(),
        page=STORED(),
        addressees=STORED(),
        status=STORED(),
    )


def _theme_text(entry: Entry, vocab: Vocabulary, lang: str) -> str:
    """The labels and signal terms of an entry's themes, so theme words find tagged entries."""
    parts = []
    for slug in entry.themes:
        theme = vocab.themes.get(slug, {})
        parts.append(str(theme.get(f"label_{lang}", "")))
        parts.extend(str(t) for t in theme.get(f"terms_{lang}", []))
    return " . ".join(parts)


def _letters(text: str) -> str:
    return re.sub(r"[^a-zåäöéü]", "", text.lower())


def document_order(entries: Sequence[Entry], source_texts: dict[str, str]) -> dict[str, int]:
    """Rank entries in the order their passages appear in their report.

    Letters only are compared, so the order is found even in damaged extractions (letter
    spacing, hyphenation); an entry not found falls back to its section number.
    """
    letters = {slug: _letters(text) for slug, text in source_texts.items()}
    keys = {}
    for entry in entries:
        haystack = letters.get(entry.source, "")
        body = _letters(entry.body)
        position = -1
        for length in (60, 30, 15):
            if haystack and len(body) >= length:
                position = haystack.find(body[:length])
                if position >= 0:
                    break
        section_key = tuple(int(n) if n.isdigit() else 0 for n in re.findall(r"\d+|\D+", entry.section))
        keys[entry.id] = (entry.source, position if position >= 0 else 10**9, section_key, entry.id)
    ranked = sorted(keys, key=lambda eid: keys[eid])
    return {eid: rank for rank, eid in enumerate(ranked)}


def _document(entry: Entry, vocab: Vocabulary, splitter: CompoundSplitter, order: int) -> dict[str, Any]:
    source = vocab.sources.get(entry.source, {})
    text = " ".join((entry.title, entry.summary, entry.body))
    return {
        "id": entry.id, "kind": entry.kind, "region": entry.region, "source": entry.source,
        "themes": ",".join(entry.themes), "year": int(source.get("year") or 0), "order": order,
        "title": entry.title, "summary": entry.summary, "body": entry.body,
        "title_en": entry.title_en, "summary_en": entry.summary_en,
        "parts": splitter.parts_text(text),
        "themes_sv": _theme_text(entry, vocab, "sv"), "themes_en": _theme_text(entry, vocab, "en"),
        "spell": text, "section": entry.section, "page": entry.page,
        "addressees": list(entry.addressees), "status": entry.status,
    }


def content_fingerprint(content_dir: str | Path) -> str:
    """Hash the names, sizes and modification times of every content file."""
    digest = hashlib.sha256()
    root = Path(content_dir)
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".md", ".yaml", ".yml", ".txt"):
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def read_source_texts(content_dir: str | Path, vocab: Vocabulary) -> dict[str, str]:
    """Read the kept report texts named by sources.yaml (missing files are skipped)."""
    texts = {}
    for slug, source in vocab.sources.items():
        path = Path(content_dir) / "sources" / str(source.get("text") or f"{slug}.txt")
        if path.is_file():
            texts[slug] = path.read_text(encoding="utf-8", errors="replace")
    return texts


def build_index(entries: Sequence[Entry], vocab: Vocabulary, index_root: str | Path, *,
                fingerprint: str = "", source_texts: dict[str, str] | None = None,
                before_switch: Callable[[Path], None] | None = None) -> Path:
    """Build a complete index in a new generation directory, then point CURRENT at it."""
    root = Path(index_root)
    root.mkdir(parents=True, exist_ok=True)
    texts = [" ".join((e.title, e.summary, e.body)) for e in entries]
    keep = PROTECTED | detect_acronyms(texts)
    splitter = CompoundSplitter.from_texts(texts)
    order = document_order(entries, source_texts or {})
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
    try:
        ix = whoosh_index.create_in(str(building), make_schema(keep))
        writer = ix.writer(limitmb=256)
        for entry in entries:
            writer.add_document(**_document(entry, vocab, splitter, order[entry.id]))
        writer.commit()
        meta = {"analyzer": ANALYZER_VERSION, "libraries": installed_versions(),
                "fingerprint": fingerprint,
                "built_at": time.time(), "entries": len(entries), "vocabulary": vocab.to_dict()}
        (building / META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
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
    """Load the compound splitter built with a generation (empty when the file is missing)."""
    from collections import Counter

    try:
        counts = json.loads((generation / WORDS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        counts = {}
    return CompoundSplitter(Counter(counts))


def read_meta(generation: Path) -> dict[str, Any]:
    """Read a generation's metadata (analyzer version, fingerprint, vocabulary)."""
    return json.loads((generation / META).read_text(encoding="utf-8"))


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


def build_from_content(content_dir: str | Path, index_root: str | Path, **kwargs: Any) -> Path:
    """Validate the content and build an index from it; ContentError leaves the index untouched."""
    with build_lock(index_root):
        return _build(content_dir, index_root, **kwargs)


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


def _build(content_dir: str | Path, index_root: str | Path, **kwargs: Any) -> Path:
    fingerprint = content_fingerprint(content_dir)
    vocab, entries = load_content(content_dir)
    return build_index(entries, vocab, index_root, fingerprint=fingerprint,
                       source_texts=read_source_texts(content_dir, vocab), **kwargs)


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
    return (meta.get("analyzer") != ANALYZER_VERSION
            or meta.get("libraries") != installed_versions()
            or meta.get("fingerprint") != content_fingerprint(content_dir))
