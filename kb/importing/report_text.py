"""Draft a report text (content/sources/<slug>.md) from an extracted report.

The importer's cleaning and section finding give paragraphs in reading order, headings and
printed pages; this writes them in the report-text conventions of `kb.content.texts`, as a
draft for a person to correct against the original (tables, footnotes, columns).
"""

from __future__ import annotations

from kb.importing.cleaning import Lexicon
from kb.importing.drafts import find_report_sections


def draft_report_text(raw: str, source: str, lexicon: Lexicon | None = None) -> str:
    """Return a draft report text in Markdown for one source's extracted text."""
    document, sections = find_report_sections(raw, lexicon)
    headings = {section.order: section for section in sections}
    lines = ["---", f"source: {source}", "status: draft", "---", ""]
    page = None
    for index, block in enumerate(document.blocks):
        if block.page is not None and block.page != page:
            page = block.page
            lines += [f"<!-- page: {page} -->", ""]
        section = headings.get(index)
        if section is None:
            text = block.text
            if text.lstrip().startswith("#"):
                text = "\\" + text.lstrip()  # a stray '#' line in the extraction is not a heading
            lines += [text, ""]
            continue
        level = min(6, 2 + len(section.context))
        if section.key.startswith("prio-") and section.context:
            lines += [f'{"#" * level} {section.context[0]} {{section="{section.section}"}}', ""]
        elif section.number:
            lines += [f"{'#' * level} {section.section} {section.heading}", ""]
        else:
            lines += [f"{'#' * level} {section.heading}", ""]
    return "\n".join(lines).rstrip() + "\n"
