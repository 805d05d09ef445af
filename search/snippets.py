"""Highlighted snippets: the part of a passage where the query's words are densest, HTML-escaped.

Words typed are marked `<mark>`; words the thesaurus added are marked `<mark class="also">`, so
a reader sees why an entry that never uses the typed word was found.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from search.analysis import PROTECTED, SWEDISH_STOPWORDS, WORD, stem

WINDOW = 240      # characters per fragment
FRAGMENTS = 2
MIN_PART_MATCH = 4  # a query stem this long also marks compounds containing it


def _marks(text: str, terms: frozenset[str], keep: frozenset[str]) -> list[tuple[int, int]]:
    """Character spans of words that match a query term, whole or as a compound part.

    Words are stemmed the way the index stems them (same tokenizer pattern, same stemmer and
    protected words), but without Whoosh's token pipeline, which costs ten times as much.
    """
    passage = _passage(text, keep)
    spans = {span for term in terms for span in passage.by_stem.get(term, ())}
    # Searched in the passage's distinct words joined in one string, not word by word.
    words, starts = passage.words, passage.starts
    for part in _parts(terms):
        at = words.find(part)
        while at >= 0:
            index = bisect_right(starts, at) - 1
            spans.update(passage.by_surface[passage.surfaces[index]])
            at = words.find(part, starts[index + 1]) if index + 1 < len(starts) else -1
    return sorted(spans)


def _phrase_marks(text: str, phrases: frozenset[tuple[str, ...]],
                  keep: frozenset[str]) -> list[tuple[int, int]]:
    """Character spans of the words of each phrase (as stems) where they stand together."""
    tokens = _tokens(text, keep)
    stems = [t[0] for t in tokens]
    spans: set[tuple[int, int]] = set()
    for phrase in phrases:
        size = len(phrase)
        for i in range(len(stems) - size + 1):
            if stems[i] == phrase[0] and tuple(stems[i:i + size]) == phrase:
                spans.update((start, end) for _, start, end in tokens[i:i + size])
    return sorted(spans)


@lru_cache(maxsize=1024)
def _tokens(text: str, keep: frozenset[str]) -> tuple[tuple[str, int, int], ...]:
    """The passage's words as (stem, start, end) in order, without stop words (as indexed)."""
    return tuple((stem(m.group().lower(), keep), m.start(), m.end()) for m in WORD.finditer(text)
                 if m.group().lower() not in SWEDISH_STOPWORDS)


@dataclass(frozen=True)
class _Passage:
    """A passage's words, by stem and by lower-case form, with their character spans."""

    by_stem: dict[str, tuple[tuple[int, int], ...]]
    by_surface: dict[str, tuple[tuple[int, int], ...]]
    surfaces: tuple[str, ...]   # the distinct lower-case words …
    words: str                  # … joined by newlines,
    starts: tuple[int, ...]     # and where each starts in that string


@lru_cache(maxsize=4096)
def _passage(text: str, keep: frozenset[str]) -> _Passage:
    """Index a passage's words once per process; passages repeat across requests."""
    by_surface: dict[str, list[tuple[int, int]]] = {}
    for match in WORD.finditer(text):
        by_surface.setdefault(match.group().lower(), []).append((match.start(), match.end()))
    by_stem: dict[str, list[tuple[int, int]]] = {}
    for surface, spans in by_surface.items():
        by_stem.setdefault(stem(surface, keep), []).extend(spans)
    surfaces = tuple(by_surface)
    starts, offset = [], 0
    for surface in surfaces:
        starts.append(offset)
        offset += len(surface) + 1
    return _Passage({k: tuple(v) for k, v in by_stem.items()},
                    {k: tuple(v) for k, v in by_surface.items()},
                    surfaces, "\n".join(surfaces), tuple(starts))


def _windows(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Pick up to FRAGMENTS windows covering the most marks, in text order.

    Spans are sorted and do not overlap, so the marks inside a window are found by bisection.
    """
    chosen: list[tuple[int, int]] = []
    remaining = list(spans)
    while remaining and len(chosen) < FRAGMENTS:
        starts = [s for s, _ in remaining]
        ends = [e for _, e in remaining]
        best_start, best_count = 0, -1
        for start, _ in remaining:
            begin = max(0, start - 40)
            count = bisect_right(ends, begin + WINDOW) - bisect_left(starts, begin)
            if count > best_count:
                best_start, best_count = begin, count
        end = min(length, best_start + WINDOW)
        chosen.append((best_start, end))
        remaining = [(s, e) for s, e in remaining if not (best_start <= s and e <= end)]
    return sorted(chosen)


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Move window edges to word boundaries so no word is cut in half."""
    if start > 0:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 30 else start
    if end < len(text):
        space = text.find(" ", end)
        end = space if space >= 0 and space - end < 30 else end
    return start, end


def _render(text: str, start: int, end: int, spans: Iterable[tuple[int, int]],
            also: frozenset[tuple[int, int]] = frozenset()) -> str:
    out, cursor = [], start
    for s, e in spans:
        if s >= start and e <= end and s >= cursor:
            out.append(str(escape(text[cursor:s])))
            tag = '<mark class="also">' if (s, e) in also else "<mark>"
            out.append(f"{tag}{escape(text[s:e])}</mark>")
            cursor = e
    out.append(str(escape(text[cursor:end])))
    return "".join(out)


@lru_cache(maxsize=4096)
def plain_text(markdown_body: str) -> str:
    """Flatten a Markdown body to one line of text (list markers and emphasis removed)."""
    text = re.sub(r"(?m)^\s*(?:[-*+]|\d+\.)\s+", "", markdown_body)
    text = re.sub(r"[*_`#>]+", "", text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=8192)
def make_snippet(body: str, terms: frozenset[str], keep: frozenset[str] = PROTECTED,
                 also: frozenset[str] = frozenset(),
                 also_phrases: frozenset[tuple[str, ...]] = frozenset()) -> Markup:
    """Return an escaped snippet of the body with matching words wrapped in <mark>.

    `also` are the stems of one-word thesaurus words and `also_phrases` the stems of phrases
    (marked only where their words stand together): marked too, as `<mark class="also">`.
    """
    text = plain_text(body)
    typed = _marks(text, terms, keep) if terms else []
    added: frozenset[tuple[int, int]] = frozenset()
    if also or also_phrases:
        added = frozenset(_marks(text, also, keep) + _phrase_marks(text, also_phrases, keep))
        added -= frozenset(typed)
    spans = sorted({*typed, *added})
    if not spans:
        start, end = _snap(text, 0, min(len(text), WINDOW))
        return Markup(str(escape(text[start:end])) + (" …" if end < len(text) else ""))
    pieces = []
    for start, end in _windows(spans, len(text)):
        start, end = _snap(text, start, end)
        pieces.append(("… " if start > 0 else "") + _render(text, start, end, spans, added)
                      + (" …" if end < len(text) else ""))
    return Markup(" ".join(pieces).replace("… …", "…"))


def has_marks(body: str, terms: frozenset[str], keep: frozenset[str] = PROTECTED) -> bool:
    """Whether a snippet of the body would mark any word (the query's words occur in it)."""
    if not terms:
        return False
    # What `_marks` finds, without collecting the spans: a report section has many passages.
    passage = _passage(plain_text(body), keep)
    return (any(term in passage.by_stem for term in terms)
            or any(part in passage.words for part in _parts(terms)))


def _parts(terms: frozenset[str]) -> list[str]:
    """The query stems long enough to mark compounds containing them."""
    return [t for t in terms if len(t) >= MIN_PART_MATCH]
