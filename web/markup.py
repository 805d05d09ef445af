"""Markdown for entry bodies and report texts, rendered without raw HTML or script links.

Bodies and report texts may hold tables, footnotes and editorial notes (`[red. anm.: …]`, see
content/README.md), which are shown as such: tables as tables, notes set apart.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

SAFE_SCHEMES = ("http://", "https://", "mailto:", "/", "#")
EDITORIAL = r"\[(red\. anm\.:[^\]]*)\]"
FOOTNOTE_REF = r"\[\^([^\]\s]+)\]"


class _SafeLinks(Treeprocessor):
    """Drop link targets and image sources that are not web, mail or local addresses."""

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None and not value.strip().lower().startswith(SAFE_SCHEMES):
                    del element.attrib[attribute]


class _Editorial(InlineProcessor):
    """`[red. anm.: …]`: an editor's note, set apart from the quoted text."""

    def handleMatch(self, m: re.Match[str], data: str  # type: ignore[override]  # noqa: N802
                    ) -> tuple[ET.Element | str | None, int | None, int | None]:
        element = ET.Element("span", {"class": "editorial"})
        element.text = f"[{m.group(1)}]"
        return element, m.start(0), m.end(0)


class _FootnoteLink(InlineProcessor):
    """`[^12]` in a report text read block by block: a link to the footnote's block."""

    def __init__(self, pattern: str, prefix: str):
        super().__init__(pattern)
        self.prefix = prefix

    def handleMatch(self, m: re.Match[str], data: str  # type: ignore[override]  # noqa: N802
                    ) -> tuple[ET.Element | str | None, int | None, int | None]:
        sup = ET.Element("sup", {"class": "footnote-ref"})
        link = ET.SubElement(sup, "a", {"href": f"#{self.prefix}{m.group(1)}"})
        link.text = m.group(1)
        return sup, m.start(0), m.end(0)


class NoRawHtml(Extension):
    """Treat HTML in the source as text (it is escaped), keep links harmless, mark notes."""

    def __init__(self, footnote_links: str = "", **kwargs: Any):
        super().__init__(**kwargs)
        self.footnote_links = footnote_links

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (the library's name)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)
        md.inlinePatterns.register(_Editorial(EDITORIAL), "editorial", 175)
        if self.footnote_links:
            md.inlinePatterns.register(_FootnoteLink(FOOTNOTE_REF, self.footnote_links),
                                       "footnote_link", 176)


def render_markdown(text: str, footnotes: str = "", footnote_links: str = "") -> Markup:
    """Render Markdown to HTML in which any HTML of the source shows as text.

    `footnotes`: render `[^n]` marks and `[^n]: …` notes as footnotes (ids prefixed with it);
    `footnote_links`: link each mark to the element `#<prefix><n>` instead (a report text read
    block by block, whose notes are blocks of their own).
    """
    extensions: list[Any] = [NoRawHtml(footnote_links), "tables"]
    configs: dict[str, Any] = {}
    if footnotes and not footnote_links:
        extensions.append("footnotes")
        configs["footnotes"] = {"UNIQUE_IDS": False, "BACKLINK_TEXT": "↩",
                                "SEPARATOR": "-", "PLACE_MARKER": "///footnotes///"}
    return Markup(markdown.markdown(text or "", extensions=extensions,
                                    extension_configs=configs, output_format="html"))
