"""Citations: how an entry is cited in a memo.

Form: ``Källa: <author> (<year>). <title>. <publisher>, avsnitt <section>, s. <page>.`` The
report's title is cited in its own language whatever the interface language; only the words
around it (Källa/Source, avsnitt/section, s./p.) follow the interface.
"""

from __future__ import annotations

from typing import Any, Mapping

WORDS = {
    "sv": {"prefix": "Källa", "section": "avsnitt", "page": "s.", "no_year": "u.å.",
           "quote": ("”", "”")},
    "en": {"prefix": "Source", "section": "section", "page": "p.", "no_year": "n.d.",
           "quote": ("“", "”")},
}


def _words(lang: str) -> dict[str, Any]:
    return WORDS.get(lang, WORDS["sv"])


def _field(obj: Any, name: str) -> Any:
    """Read a field from an Entry, a hit dict or any mapping."""
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _sentence(text: str) -> str:
    """End a title with a full stop unless it already ends a sentence."""
    text = text.strip()
    return text if not text or text[-1] in ".?!" else text + "."


def source_year(source: Mapping[str, Any]) -> str:
    """Return a source's year as text ('' when unknown)."""
    year = source.get("year") or str(source.get("date") or "")[:4]
    return str(year) if year else ""


def location(section: str | None, page: int | None, lang: str = "sv") -> str:
    """Return where in the report a passage stands: 'avsnitt 4.3.6, s. 20' (no page part when absent).

    Numbered sections are printed as numbers; a heading used as section is quoted.
    """
    words = _words(lang)
    parts = []
    section = str(section or "").strip()
    if section:
        if section[0].isdigit():
            parts.append(f"{words['section']} {section}")
        else:
            left, right = words["quote"]
            parts.append(f"{words['section']} {left}{section}{right}")
    if page:
        parts.append(f"{words['page']} {page}")
    return ", ".join(parts)


def format_citation(source: Mapping[str, Any], section: str | None, page: int | None,
                    lang: str = "sv", prefix: bool = True) -> str:
    """Format a citation ready to paste: author (year). title. publisher, section, page."""
    words = _words(lang)
    author = str(source.get("author") or source.get("publisher") or "").strip()
    year = source_year(source) or words["no_year"]
    title = str(source.get("title") or source.get("slug") or "").strip()
    head = f"{author} ({year})." if author else f"({year})."
    tail = ", ".join(p for p in (str(source.get("publisher") or "").strip(),
                                 location(section, page, lang)) if p)
    text = " ".join(p for p in (head, _sentence(title), _sentence(tail[:1].upper() + tail[1:]))
                    if p)
    return f"{words['prefix']}: {text}" if prefix else text


def entry_citation(entry: Any, sources: Mapping[str, Mapping[str, Any]], lang: str = "sv",
                   prefix: bool = True) -> str:
    """Cite an entry (an Entry or a hit dict) against the sources vocabulary."""
    slug = _field(entry, "source") or ""
    source = sources.get(slug) or {"slug": slug, "title": slug}
    return format_citation(source, _field(entry, "section"), _field(entry, "page"), lang, prefix)
