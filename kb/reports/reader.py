"""A report as a document to read: its sections and blocks, with the entries that quote them."""

from __future__ import annotations

from dataclasses import dataclass

from kb.content.model import Entry, Source
from kb.content.texts import ReportText


@dataclass(frozen=True)
class QuotedBy:
    """An entry marked beside the passage it quotes."""

    id: str
    kind: str
    title: str


@dataclass(frozen=True)
class ReaderBlock:
    anchor: str
    kind: str  # paragraph, item, table, quote or footnote
    text: str  # Markdown
    page: int | None
    label: str  # a footnote's label
    quoted_by: list[QuotedBy]


@dataclass(frozen=True)
class ReaderSection:
    anchor: str
    section: str  # as cited
    title: str  # the printed number and heading
    level: int
    page: int | None
    blocks: list[ReaderBlock]


@dataclass(frozen=True)
class ReportReader:
    """A report's full text, section by section, with its table of contents."""

    source: Source
    status: str  # draft or reviewed
    sections: list[ReaderSection]
    entries: int  # entries placed in the text
    quoted_blocks: int


def report_reader(source: Source, text: ReportText, quoted_by: dict[int, list[str]],
                  entries: dict[str, Entry], lang: str = "sv") -> ReportReader:
    """Lay out a report text for reading, each quoted block marked with its entries."""
    sections = []
    for section in text.sections:
        blocks = [ReaderBlock(b.anchor, b.kind, b.text, b.page, b.label,
                              [QuotedBy(i, entries[i].kind, entries[i].title_in(lang))
                               for i in quoted_by.get(b.number, []) if i in entries])
                  for b in section.blocks]
        sections.append(ReaderSection(section.anchor, section.section, section.title,
                                      section.level, section.page, blocks))
    placed = {i for ids in quoted_by.values() for i in ids}
    return ReportReader(source, text.status, sections, len(placed & entries.keys()),
                        sum(1 for ids in quoted_by.values() if ids))
