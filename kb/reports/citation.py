"""Citations: how an entry, or a place in a report, is cited in a memo.

Form: ``Källa: <author> (<year>). <title>. <publisher>, avsnitt <section>, s. <page>.`` The
report's title is cited in its own language whatever the interface language; only the words
around it (Källa/Source, avsnitt/section, s./p.) follow the interface.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kb.content.model import Entry, Source, Vocabulary
from kb.i18n import translator


def _sentence(text: str) -> str:
    """End a title with a full stop unless it already ends a sentence."""
    text = text.strip()
    return text if not text or text[-1] in ".?!" else text + "."


def location(section: str | None, page: int | None, lang: str = "sv") -> str:
    """Where in the report a passage stands: 'avsnitt 4.3.6, s. 20' (no page part when absent).

    Numbered sections are printed as numbers; a heading used as section is quoted.
    """
    _ = translator(lang).gettext
    parts = []
    section = str(section or "").strip()
    if section:
        if section[0].isdigit():
            parts.append(_("avsnitt %(section)s") % {"section": section})
        else:
            parts.append(_("avsnitt ”%(section)s”") % {"section": section})
    if page:
        parts.append(_("s. %(page)s") % {"page": page})
    return ", ".join(parts)


def format_citation(source: Source, section: str | None, page: int | None, lang: str = "sv",
                    prefix: bool = True) -> str:
    """A citation ready to paste: author (year). title. publisher, section, page."""
    _ = translator(lang).gettext
    author = (source.author or source.publisher).strip()
    year = source.year_text or _("u.å.")
    head = f"{author} ({year})." if author else f"({year})."
    tail = ", ".join(p for p in (source.publisher.strip(), location(section, page, lang)) if p)
    text = " ".join(p for p in (head, _sentence(source.title), _sentence(tail[:1].upper() + tail[1:]))
                    if p)
    return _("Källa: %(citation)s") % {"citation": text} if prefix else text


def entry_citation(entry: Entry, sources: Mapping[str, Source], lang: str = "sv",
                   prefix: bool = True) -> str:
    """Cite an entry against the sources it may come from."""
    source = sources.get(entry.source) or Source(slug=entry.source, title=entry.source,
                                                 region=entry.region, doc_type="")
    return format_citation(source, entry.section, entry.page, lang, prefix)


def short_citation(entry: Entry, source: Source | None, lang: str = "sv") -> str:
    """A short reference for lists: the report's short title, year and place ('… 2020, avsnitt 2.3')."""
    title = source.short_title if source else entry.source
    year = f" {source.year_text}" if source and source.year_text else ""
    where = location(entry.section, entry.page, lang)
    return f"{title}{year}" + (f", {where}" if where else "")


@dataclass(frozen=True)
class CitedEntry:
    """An entry with its citation in the interface language and a short reference."""

    entry: Entry
    citation: str
    short: str


def cite(entry: Entry, vocab: Vocabulary, lang: str = "sv") -> CitedEntry:
    """An entry with its citations in the interface language."""
    return CitedEntry(entry, entry_citation(entry, vocab.sources, lang),
                      short_citation(entry, vocab.sources.get(entry.source), lang))
