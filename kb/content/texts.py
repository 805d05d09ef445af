"""Report texts: each source's cleaned full text, kept as reviewed Markdown in content/sources/.

A report text is Markdown with a few conventions (content/README.md describes them):

- optional front matter with `source` and `status` (`draft` or `reviewed`);
- headings as printed, the section number first where the report numbers it
  (`### 4.3.6 Kapitalgap i tidiga skeden`); a heading may name the section it belongs to,
  as cited, with a trailing `{section="3"}` (a "Målbild" under priority area 3);
- `<!-- page: 12 -->` on a line of its own before the first paragraph printed on page 12;
- footnotes as Markdown footnotes (`[^4]` in the text, `[^4]: …` below), tables as pipe tables;
- editorial notes in square brackets starting `red. anm.:` (e.g. for a broken cross-reference
  printed in the original).

Parsing gives sections, each with its blocks (paragraphs, list items, tables, footnotes), every
block with the printed page it starts on and a stable anchor. Which entries quote which blocks
is kb.content.quoting's job.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from kb.content.model import Problem

HEADING = re.compile(r'^(#{1,6})\s+(.*?)\s*(?:\{\s*section\s*=\s*"([^"]*)"\s*\})?\s*$')
NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(\S.*)$")
PAGE = re.compile(r"^<!--\s*page:?\s*(\d+)\s*-->\s*$")
COMMENT = re.compile(r"^<!--.*-->\s*$")
FOOTNOTE = re.compile(r"^\[\^([^\]\s]+)\]:\s*(.*)$")
ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
EDITORIAL = re.compile(r"\[red\. anm\.:[^\]]*\]")
FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
FOOTNOTE_LABEL = re.compile(r"(?m)^\[\^[^\]\s]+\]:")
SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+(?=[\"”’(\[A-ZÅÄÖÉ0-9–-])")
BLOCK_KINDS = ("paragraph", "item", "table", "footnote", "quote")


@dataclass(frozen=True)
class Block:
    """A paragraph, list item, table, quotation or footnote of a report text."""

    kind: str
    text: str  # the Markdown source, without a footnote's `[^n]:` label
    page: int | None
    line: int
    number: int  # position among the report's blocks, from 1: its anchor is "p-<number>"
    label: str = ""  # a footnote's label

    @property
    def anchor(self) -> str:
        return f"p-{self.number}"

    @property
    def plain(self) -> str:
        return plain_text(self.text)


@dataclass(frozen=True)
class TextSection:
    """A heading of a report text and the blocks under it, up to the next heading."""

    section: str  # as cited: the printed number, else the heading (or the override)
    heading: str  # as printed, without the number
    number: str  # the printed number, '' when unnumbered
    level: int
    anchor: str
    line: int
    page: int | None
    path: tuple[str, ...]  # the enclosing headings, outermost first
    blocks: tuple[Block, ...] = ()

    @property
    def title(self) -> str:
        return f"{self.number} {self.heading}".strip()


@dataclass(frozen=True)
class ReportText:
    """One source's full text, parsed."""

    source: str
    status: str
    path: str
    sections: tuple[TextSection, ...]

    @property
    def blocks(self) -> list[Block]:
        return [block for section in self.sections for block in section.blocks]

    def section_of(self, block: Block) -> TextSection:
        """The section a block stands in."""
        for section in self.sections:
            if block in section.blocks:
                return section
        raise KeyError(block.anchor)


def plain_text(markdown: str) -> str:
    """Markdown of a block as one line of plain text (markup, notes and footnote marks removed)."""
    text = EDITORIAL.sub(" ", markdown)
    text = FOOTNOTE_REF.sub("", text)
    text = re.sub(r"(?m)^\s*(?:[-*+>]|\d+[.)])\s+", "", text)
    text = re.sub(r"(?m)^\|?[\s:|-]+\|?\s*$", " ", text)  # a table's separator row
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_`#|]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def normalise(text: str) -> str:
    """Plain text reduced for matching: lower case, letters and digits, single spaces."""
    text = unicodedata.normalize("NFC", text).lower()
    return " ".join(re.findall(r"[^\W_]+", text))


def sentences(plain: str) -> list[str]:
    """Split plain text into sentences (table rows and list items are already separate)."""
    return [s for s in SENTENCE_END.split(plain) if s.strip()]


def section_anchor(number: str, heading: str, taken: set[str]) -> str:
    """A stable anchor for a heading: "s-4-3-6" for numbered ones, else a slug of the heading."""
    if number:
        base = "s-" + number.replace(".", "-")
    else:
        folded = unicodedata.normalize("NFKD", heading.lower())
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
        base = "s-" + ("-".join(re.findall(r"[a-z0-9]+", folded)[:8]) or "text")
    anchor, n = base, 2
    while anchor in taken:
        anchor, n = f"{base}-{n}", n + 1
    taken.add(anchor)
    return anchor


def _front_matter(text: str) -> tuple[dict[str, object], str, int]:
    if not text.startswith("---\n"):
        return {}, text, 0
    end = text.find("\n---", 4)
    if end < 0:
        return {}, text, 0
    meta = yaml.safe_load(text[4:end]) or {}
    rest = text[end + 4:]
    stripped = rest.lstrip("\n")
    offset = text[: end + 4].count("\n") + len(rest) - len(stripped)
    return (meta if isinstance(meta, dict) else {}), stripped, offset


def parse_report_text(text: str, path: str, source: str) -> tuple[ReportText | None, list[Problem]]:
    """Parse a report text; return it (or None) and every problem found."""
    problems: list[Problem] = []
    try:
        meta, body, offset = _front_matter(text)
    except yaml.YAMLError as exc:
        return None, [Problem(path, "text", line=1, message=f"front matter does not parse: {exc}")]
    status = str(meta.get("status") or "draft")
    if status not in ("draft", "reviewed"):
        problems.append(Problem(path, "text", line=2, message=f"unknown status {status!r} (draft or reviewed)"))
    if meta.get("source") not in (None, source):
        problems.append(Problem(path, "text", line=2, message=f"source {meta.get('source')!r} does not match the "
                                              f"file name {source!r}"))
    sections: list[TextSection] = []
    stack: list[tuple[int, str]] = []  # (level, title) of the enclosing headings
    taken: set[str] = set()
    page: int | None = None
    blocks: list[Block] = []
    # Blocks before the first heading (a title page) stand in an unnamed level-0 section.
    heading = TextSection(section="", heading="", number="", level=0, anchor="s-start",
                          line=offset + 1, page=None, path=())
    taken.add("s-start")
    pending: list[str] = []
    pending_line = 0
    count = 0

    def flush() -> None:
        nonlocal pending, count
        if not pending:
            return
        first = pending[0]
        footnote = FOOTNOTE.match(first)
        if footnote:
            kind, label = "footnote", footnote.group(1)
            content = "\n".join([footnote.group(2)] + [p.strip() for p in pending[1:]])
        elif first.startswith("|"):
            kind, label, content = "table", "", "\n".join(pending)
        elif first.startswith(">"):
            kind, label, content = "quote", "", "\n".join(pending)
        elif ITEM.match(first):
            kind, label, content = "item", "", "\n".join(pending)
        else:
            kind, label, content = "paragraph", "", "\n".join(pending)
        count += 1
        blocks.append(Block(kind, content.strip(), page, pending_line, count, label))
        pending = []

    def close_section() -> None:
        nonlocal blocks
        if blocks or heading.level:
            sections.append(dataclasses.replace(heading, blocks=tuple(blocks)))
        blocks = []

    lines = body.splitlines()
    for index, line in enumerate(lines):
        number_line = offset + index + 1
        stripped = line.strip()
        page_mark = PAGE.match(stripped)
        match = HEADING.match(line)
        if page_mark:
            flush()
            page = int(page_mark.group(1))
            continue
        if COMMENT.match(stripped):
            flush()
            continue
        if match:
            flush()
            close_section()
            level, title, override = len(match.group(1)), match.group(2).strip(), match.group(3)
            numbered = NUMBERED.match(title)
            number, name = (numbered.group(1), numbered.group(2)) if numbered else ("", title)
            while stack and stack[-1][0] >= level:
                stack.pop()
            if not name:
                problems.append(Problem(path, "text", line=number_line, message="empty heading"))
            heading = TextSection(section=override or number or name, heading=name, number=number,
                                  level=level, anchor=section_anchor(number, name, taken),
                                  line=number_line, page=page, path=tuple(t for _, t in stack))
            stack.append((level, f"{number} {name}".strip()))
            continue
        if not stripped:
            flush()
            continue
        starts_new = bool(pending) and (
            (ITEM.match(stripped) and not line.startswith((" ", "\t")))
            or (FOOTNOTE.match(stripped) is not None)
            or (pending[0].startswith("|") != stripped.startswith("|")))
        if starts_new:
            flush()
        if not pending:
            pending_line = number_line
        pending.append(line.rstrip())
    flush()
    close_section()
    # A heading's page is the page of its first block when no marker came before the heading.
    fixed = [dataclasses.replace(s, page=s.blocks[0].page)
             if s.page is None and s.blocks and s.blocks[0].page is not None else s
             for s in sections]
    labels = [b.label for s in fixed for b in s.blocks if b.kind == "footnote"]
    # Marks in the text, not the labels that open the footnotes themselves.
    refs = set(FOOTNOTE_REF.findall(FOOTNOTE_LABEL.sub("", body)))
    for label in labels:
        if f"[^{label}]" not in refs:
            where = next(b.line for s in fixed for b in s.blocks if b.label == label)
            problems.append(Problem(path, "text", f"footnote [^{label}] is never referred to", where))
    for ref in refs:
        if ref[2:-1] not in labels:
            where = next((offset + i + 1 for i, text in enumerate(lines)
                          if ref in text and not text.startswith(ref + ":")), 1)
            problems.append(Problem(path, "text", f"footnote {ref} has no text ({ref}: …)", where))
    if problems:
        return None, problems
    return ReportText(source, status, path, tuple(fixed)), []


def text_path(content_dir: str | Path, source: str) -> Path:
    """Where a source's report text is kept."""
    return Path(content_dir) / "sources" / f"{source}.md"


def load_report_texts(content_dir: str | Path, sources: Iterable[str]) -> tuple[dict[str, ReportText], list[Problem]]:
    """Read every source's report text that exists; collect problems instead of stopping."""
    texts: dict[str, ReportText] = {}
    problems: list[Problem] = []
    for source in sources:
        path = text_path(content_dir, source)
        if not path.is_file():
            continue
        parsed, found = parse_report_text(path.read_text(encoding="utf-8"), str(path), source)
        problems.extend(found)
        if parsed is not None:
            texts[source] = parsed
    return texts, problems
