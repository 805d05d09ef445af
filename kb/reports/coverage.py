"""Coverage: what the entries cover of each report, and what curators have left to do.

Per source: entries by kind and theme; the report's statement sections without a reviewed
entry (from the importer's section finding); the share of the report text's prose that entries
quote, with the unquoted blocks longest first; and entries whose themes lack a sub-issue.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kb.content.entries import load_entries
from kb.content.model import Entry, Problem, Vocabulary
from kb.content.quoting import (
    ProseCoverage,
    load_unquoted,
    prose_coverage,
    quoting,
    unquoted_path,
    unquoted_reasons,
)
from kb.content.texts import ReportText, load_report_texts
from kb.content.vocabulary import load_vocabulary
from kb.importing.cleaning import Lexicon
from kb.importing.drafts import cited_by, find_report_sections, statement_sections
from kb.importing.proposals import propose_kind
from kb.importing.sections import Section


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
    """One source: its entries, the sections without one, and how much of its prose is quoted."""

    source: str
    title: str
    entries: int
    reviewed: int
    by_kind: dict[str, int]
    by_theme: dict[str, int]
    sections: int | None  # sections found in the extracted text; None when it is not held
    gaps: list[Gap] = field(default_factory=list)
    note: str = ""
    prose: ProseCoverage | None = None  # None when no report text is kept


@dataclass(frozen=True)
class MissingSubIssue:
    """An entry's theme for which the entry names no sub-issue (its "other" row)."""

    entry: str
    theme: str


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


def text_coverage(text: ReportText, entries: list[Entry], content_dir: Path) -> ProseCoverage:
    """How much of a report text's prose the source's entries quote."""
    quoted = quoting(text, [(e.id, e.body) for e in entries if e.source == text.source])
    items, _ = load_unquoted(unquoted_path(content_dir, text.source))
    reasons, _ = unquoted_reasons(text, items, "")
    return prose_coverage(text, quoted, reasons)


def source_coverage(slug: str, vocab: Vocabulary, entries: list[Entry], content_dir: Path,
                    texts: dict[str, ReportText], lexicon: Lexicon | None = None) -> SourceCoverage:
    """Summarise one source: its entries, the gaps in its extracted text, its prose quoted."""
    meta = vocab.sources[slug]
    own = [e for e in entries if e.source == slug]
    reviewed = [e for e in own if e.status == "reviewed"]
    by_kind = dict(Counter(e.kind for e in own).most_common())
    by_theme = dict(Counter(t for e in own for t in e.themes).most_common())
    prose = text_coverage(texts[slug], own, content_dir) if slug in texts else None
    title = meta.short_title
    path = content_dir / "sources" / meta.text if meta.text else None
    if path is None or not path.is_file():
        note = "no source text held (sources.yaml `text`)" if path is None else f"missing {path.name}"
        return SourceCoverage(slug, title, len(own), len(reviewed), by_kind, by_theme, None, [],
                              note, prose)
    count, gaps = source_gaps(slug, path.read_text(encoding="utf-8"), reviewed, lexicon)
    return SourceCoverage(slug, title, len(own), len(reviewed), by_kind, by_theme, count, gaps,
                          "", prose)


def entries_without_subissue(entries: list[Entry]) -> list[MissingSubIssue]:
    """Every (entry, theme) pair for which the entry names no sub-issue."""
    return [MissingSubIssue(e.id, theme) for e in entries for theme in e.themes
            if not e.subissues_of(theme)]


def coverage(content_dir: str | Path, lexicon: Lexicon | None = None
             ) -> tuple[list[SourceCoverage], list[MissingSubIssue], list[Problem]]:
    """Coverage of every source in sources.yaml; entries that fail validation are not counted
    and come back as problems."""
    content_dir = Path(content_dir)
    vocab = load_vocabulary(content_dir)
    result = load_entries(content_dir, vocab)
    texts, problems = load_report_texts(content_dir, vocab.sources)
    sources = [source_coverage(slug, vocab, result.entries, content_dir, texts, lexicon)
               for slug in vocab.sources]
    return sources, entries_without_subissue(result.entries), result.problems + problems
