"""Markdown for entry bodies, rendered without raw HTML and without script links."""

from __future__ import annotations

from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

SAFE_SCHEMES = ("http://", "https://", "mailto:", "/", "#")


class _SafeLinks(Treeprocessor):
    """Drop link targets and image sources that are not web, mail or local addresses."""

    def run(self, root: Any) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None and not value.strip().lower().startswith(SAFE_SCHEMES):
                    del element.attrib[attribute]


class NoRawHtml(Extension):
    """Treat HTML in the source as text (it is escaped) and keep links harmless."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (the library's name)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)


def render_markdown(text: str) -> Markup:
    """Render an entry body to HTML in which any HTML of the source shows as text."""
    return Markup(markdown.markdown(text or "", extensions=[NoRawHtml()], output_format="html"))
