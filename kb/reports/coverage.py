"""Coverage: per source, what the entries cover and which sections of the report have no
reviewed entry yet, so that gaps are visible at a glance."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kb.importing.cleaning import Lexicon
from kb.content.model import Entry, Problem, Vocabulary, load_entries, load_vocabulary
from kb.importing.drafts import cited_by, find_report_sections, statement_sections
from kb.importing.sections import Section
from kb.importing.proposals import propose_kind


@dataclass(frozen=True)
class Gap:
    """A section the importer finds in a report's text that no reviewed entry cites."""

    id: str  # the id a draft for it would get
    section: str
    heading: str
    page: int | None
    kind: str  # the proposed kind


@dataclass(frozen=True)
class SourceCoverage:
    """Entries of one source by kind and theme, and the report's sections without a reviewed entry."""

    source: str
    title: str
    entries: int
    reviewed: int
    by_kind: dict[str, int]
    by_theme: dict[str, int]
    sections: int | None  # sections found in the text; None when the text is not held
    gaps: list[Gap] = field(default_factory=list)
    note: str = ""


@functools.lru_cache(maxsize=8)
def _statement_sections(text: str) -> tuple[Section, ...]:
    """The statement sections of a report text with the committed lexicon (cleaning is the slow
    part, and the texts rarely change within one process)."""
    return tuple(statement_sections(find_report_sections(text)[1]))


def source_gaps(source: str, text: str, reviewed: list[Entry],
                lexicon: Lexicon | None = None) -> tuple[int, list[Gap]]:
    """Find a report's statement sections and return (how many, those no reviewed entry cites)."""
    found = (_statement_sections(text) if lexicon is None
             else statement_sections(find_report_sections(text, lexicon)[1]))
    gaps = []
    for section in found:
        entry_id = f"{source}-{section.key}"
        if cited_by(entry_id, section.section, reviewed) is None:
            gaps.append(Gap(entry_id, section.section, section.heading, section.page,
                            propose_kind(section.heading, section.context)))
    return len(found), gaps


def source_coverage(slug: str, vocab: Vocabulary, entries: list[Entry], content_dir: Path,
                    lexicon: Lexicon | None = None) -> SourceCoverage:
    """Summarise one source: its entries, and the gaps in its kept text (sources.yaml `text`)."""
    meta = vocab.sources[slug]
    own = [e for e in entries if e.source == slug]
    reviewed = [e for e in own if e.status == "reviewed"]
    by_kind = dict(Counter(e.kind for e in own).most_common())
    by_theme = dict(Counter(t for e in own for t in e.themes).most_common())
    title = str(meta.get("short") or meta.get("title") or slug)
    text_name = meta.get("text")
    path = content_dir / "sources" / str(text_name) if text_name else None
    if path is None or not path.is_file():
        note = "no source text held (sources.yaml `text`)" if path is None else f"missing {path.name}"
        return SourceCoverage(slug, title, len(own), len(reviewed), by_kind, by_theme, None, [], note)
    count, gaps = source_gaps(slug, path.read_text(encoding="utf-8"), reviewed, lexicon)
    return SourceCoverage(slug, title, len(own), len(reviewed), by_kind, by_theme, count, gaps)


def coverage(content_dir: str | Path, lexicon: Lexicon | None = None) -> tuple[list[SourceCoverage], list[Problem]]:
    """Coverage of every source in sources.yaml; entries that fail validation are not counted
    and come back as problems."""
    content_dir = Path(content_dir)
    vocab = load_vocabulary(content_dir)
    result = load_entries(content_dir, vocab)
    return ([source_coverage(slug, vocab, result.entries, content_dir, lexicon) for slug in vocab.sources],
            result.problems)
