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
block with the printed page it starts on and a stable anchor.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import yaml

HEADING = re.compile(r'^(#{1,6})\s+(.*?)\s*(?:\{\s*section\s*=\s*"([^"]*)"\s*\})?\s*$')
NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(\S.*)$")
PAGE = re.compile(r"^<!--\s*page:?\s*(\d+)\s*-->\s*$")
COMMENT = re.compile(r"^<!--.*-->\s*$")
FOOTNOTE = re.compile(r"^\[\^([^\]\s]+)\]:\s*(.*)$")
ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
EDITORIAL = re.compile(r"\[red\. anm\.:[^\]]*\]")
FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
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


@dataclass(frozen=True)
class TextProblem:
    """A problem in a report text, located by file and line."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: text: {self.message}"


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


def _front_matter(text: str) -> tuple[dict, str, int]:
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


def parse_report_text(text: str, path: str, source: str) -> tuple[ReportText | None, list[TextProblem]]:
    """Parse a report text; return it (or None) and every problem found."""
    problems: list[TextProblem] = []
    try:
        meta, body, offset = _front_matter(text)
    except yaml.YAMLError as exc:
        return None, [TextProblem(path, 1, f"front matter does not parse: {exc}")]
    status = str(meta.get("status") or "draft")
    if status not in ("draft", "reviewed"):
        problems.append(TextProblem(path, 2, f"unknown status {status!r} (draft or reviewed)"))
    if meta.get("source") not in (None, source):
        problems.append(TextProblem(path, 2, f"source {meta.get('source')!r} does not match the "
                                              f"file name {source!r}"))
    sections: list[TextSection] = []
    stack: list[tuple[int, str]] = []  # (level, title) of the enclosing headings
    taken: set[str] = set()
    page: int | None = None
    blocks: list[Block] = []
    heading: dict | None = {"section": "", "heading": "", "number": "", "level": 0,
                            "anchor": "s-start", "line": offset + 1, "page": None, "path": ()}
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
        if heading is not None and (blocks or heading["level"]):
            sections.append(TextSection(blocks=tuple(blocks), **heading))
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
                problems.append(TextProblem(path, number_line, "empty heading"))
            heading = {"section": override or number or name, "heading": name, "number": number,
                       "level": level, "anchor": section_anchor(number, name, taken),
                       "line": number_line, "page": page, "path": tuple(t for _, t in stack)}
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
    fixed = []
    # A heading's page is the page of its first block when no marker came before the heading.
    for section in sections:
        if section.page is None and section.blocks and section.blocks[0].page is not None:
            section = TextSection(**{**section.__dict__, "page": section.blocks[0].page})
        fixed.append(section)
    labels = [b.label for s in fixed for b in s.blocks if b.kind == "footnote"]
    refs = set(FOOTNOTE_REF.findall(body))
    for label in labels:
        if f"[^{label}]" not in refs:
            problems.append(TextProblem(path, next(b.line for s in fixed for b in s.blocks
                                                   if b.label == label),
                                        f"footnote [^{label}] is never referred to"))
    for ref in refs:
        if ref[2:-1] not in labels:
            line = next((offset + i + 1 for i, l in enumerate(lines) if ref in l and not l.startswith(ref + ":")), 1)
            problems.append(TextProblem(path, line, f"footnote {ref} has no text ({ref}: …)"))
    if problems:
        return None, problems
    return ReportText(source, status, path, tuple(fixed)), []


def text_path(content_dir: str | Path, source: str) -> Path:
    """Where a source's report text is kept."""
    return Path(content_dir) / "sources" / f"{source}.md"


def load_report_texts(content_dir: str | Path, sources: Iterable[str]) -> tuple[dict[str, ReportText], list[TextProblem]]:
    """Read every source's report text that exists; collect problems instead of stopping."""
    texts: dict[str, ReportText] = {}
    problems: list[TextProblem] = []
    for source in sources:
        path = text_path(content_dir, source)
        if not path.is_file():
            continue
        parsed, found = parse_report_text(path.read_text(encoding="utf-8"), str(path), source)
        problems.extend(found)
        if parsed is not None:
            texts[source] = parsed
    return texts, problems


# --------------------------------------------------------------------------------------------
# Entries in the text: where each entry's passage stands, and how much of the text they quote
# --------------------------------------------------------------------------------------------

@dataclass
class Quoting:
    """Which entries quote which blocks of a report text, sentence by sentence."""

    text: ReportText
    by_block: dict[int, list[str]] = field(default_factory=dict)  # block number → entry ids
    covered_words: dict[int, int] = field(default_factory=dict)  # block number → words quoted
    words: dict[int, int] = field(default_factory=dict)  # block number → words
    missing: dict[str, list[str]] = field(default_factory=dict)  # entry id → paragraphs not in text
    first_block: dict[str, int] = field(default_factory=dict)  # entry id → its first block


def entry_paragraphs(body: str) -> list[str]:
    """An entry body's paragraphs (list items and table rows separately), as normalised text."""
    found = []
    for chunk in re.split(r"\n\s*\n", body):
        lines = chunk.strip().splitlines()
        if lines and all(l.lstrip().startswith("|") for l in lines):
            found.extend(normalise(plain_text(l)) for l in lines)
        elif lines and ITEM.match(lines[0]):
            items, current = [], []
            for l in lines:
                if ITEM.match(l) and current:
                    items.append(" ".join(current))
                    current = []
                current.append(l)
            items.append(" ".join(current))
            found.extend(normalise(plain_text(i)) for i in items)
        else:
            found.append(normalise(plain_text(chunk)))
    return [p for p in found if p]


def block_units(block: Block) -> list[str]:
    """A block's sentences (a table's rows), as normalised text: the unit of quoting."""
    if block.kind == "table":
        return [n for n in (normalise(plain_text(row)) for row in block.text.splitlines()) if n]
    return [n for n in (normalise(s) for s in sentences(block.plain)) if n]


MIN_UNIT_WORDS = 4  # a shorter sentence counts as quoted only when its whole block is


def quoting(text: ReportText, entries: Iterable[tuple[str, str]]) -> Quoting:
    """Match entries (id, body) of the text's source against its blocks.

    A block's sentence (a table's row) is quoted by an entry whose body contains it as whole
    words; sentences under MIN_UNIT_WORDS words ("Life science", "Diagnostik:") only when the
    entry contains the whole block, since they occur anywhere.
    """
    bodies = {entry_id: entry_paragraphs(body) for entry_id, body in entries}
    joined = {entry_id: f" {' '.join(paragraphs)} " for entry_id, paragraphs in bodies.items()}
    blocks = text.blocks
    whole = " " + " ".join(" ".join(block_units(b)) for b in blocks) + " "
    result = Quoting(text)
    for entry_id, paragraphs in bodies.items():
        result.missing[entry_id] = [p for p in paragraphs if f" {p} " not in whole]
    for block in blocks:
        units = block_units(block)
        result.words[block.number] = sum(len(u.split()) for u in units)
        entire = f" {' '.join(units)} "
        holders = [entry_id for entry_id, body in joined.items() if entire in body]
        covered, quoting_ids = 0, []
        for unit in units:
            if len(unit.split()) < MIN_UNIT_WORDS:
                hits = holders
            else:
                hits = [entry_id for entry_id, body in joined.items() if f" {unit} " in body]
            if hits:
                covered += len(unit.split())
                quoting_ids.extend(h for h in hits if h not in quoting_ids)
        result.covered_words[block.number] = covered
        if quoting_ids:
            result.by_block[block.number] = quoting_ids
            for entry_id in quoting_ids:
                result.first_block.setdefault(entry_id, block.number)
    return result


# --------------------------------------------------------------------------------------------
# Paragraphs no entry quotes, and why (content/sources/<slug>.unquoted.yaml)
# --------------------------------------------------------------------------------------------

# Why a curator leaves a paragraph out of every entry. The first group is not prose at all; the
# second is prose that states nothing a policy officer would cite.
NOT_PROSE = {
    "table-of-contents": "table of contents",
    "title-page": "title page, colophon, addresses, publication details",
    "references": "reference lists and source notes without facts",
    "figure": "figure labels and residue, captions without content",
    "administrative": "signatures, distribution lists, file references",
}
NOT_STATEMENT = {
    "method": "how the study was done: sources, interviews, delimitations",
    "disposition": "how the report is organised",
    "assignment": "what the authors were asked to do, restated",
    "transition": "a sentence that only leads into what follows",
}
REASONS = {**NOT_PROSE, **NOT_STATEMENT}


@dataclass(frozen=True)
class Unquoted:
    """A curator's decision that some blocks of a report text are not statements."""

    reason: str
    section: str = ""  # every block of this section (as cited) …
    starts: str = ""  # … or the blocks whose plain text starts so …
    text: str = ""  # … or the blocks whose plain text is exactly this
    line: int = 0


def unquoted_path(content_dir: str | Path, source: str) -> Path:
    return Path(content_dir) / "sources" / f"{source}.unquoted.yaml"


def load_unquoted(path: Path) -> tuple[list[Unquoted], list[TextProblem]]:
    """Read a source's list of unquoted blocks; every item needs a known reason."""
    if not path.is_file():
        return [], []
    try:
        data = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [], [TextProblem(str(path), mark.line + 1 if mark else 1, f"YAML does not parse: {exc}")]
    items, problems = [], []
    nodes = data.value if isinstance(data, yaml.SequenceNode) else []
    for node in nodes:
        line = node.start_mark.line + 1
        value = yaml.safe_load(yaml.serialize(node)) if node is not None else None
        if not isinstance(value, dict):
            problems.append(TextProblem(str(path), line, "each item is a mapping with reason and "
                                                         "section or starts"))
            continue
        reason = str(value.get("reason") or "")
        if reason not in REASONS:
            problems.append(TextProblem(str(path), line, f"unknown reason {reason!r} (one of "
                                                         f"{', '.join(REASONS)})"))
            continue
        section, starts = str(value.get("section") or ""), str(value.get("starts") or "")
        exact = str(value.get("text") or "")
        if sum(map(bool, (section, starts, exact))) != 1:
            problems.append(TextProblem(str(path), line, "give one of section, starts or text"))
            continue
        items.append(Unquoted(reason, section, starts, exact, line))
    return items, problems


def unquoted_reasons(text: ReportText, items: list[Unquoted], path: str) -> tuple[dict[int, str], list[TextProblem]]:
    """Map block numbers to the reason they are left unquoted; an item matching nothing is a problem."""
    reasons: dict[int, str] = {}
    problems = []
    for item in items:
        matched = False
        for section in text.sections:
            for block in section.blocks:
                plain = normalise(block.plain)
                if ((item.section and section.section == item.section)
                        or (item.starts and plain.startswith(normalise(item.starts)))
                        or (item.text and plain == normalise(item.text))):
                    reasons.setdefault(block.number, item.reason)
                    matched = True
        if not matched:
            what = (f"section {item.section!r}" if item.section else
                    f"starts {item.starts!r}" if item.starts else f"text {item.text!r}")
            problems.append(TextProblem(path, item.line, f"matches no block of the report text: {what}"))
    return reasons, problems


# --------------------------------------------------------------------------------------------
# Checks across entries and texts
# --------------------------------------------------------------------------------------------

MIN_SHARED = 60  # normalised characters: shorter paragraphs ("Behov:") may repeat


def body_lines(file_text: str) -> list[tuple[int, str]]:
    """The paragraphs of an entry file's body with the line each starts on, normalised."""
    lines = file_text.splitlines()
    start = 0
    if lines and lines[0].strip() == "---":
        start = next((i + 1 for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    found, current, first = [], [], 0
    for number in range(start, len(lines) + 1):
        line = lines[number] if number < len(lines) else ""
        if line.strip():
            if not current:
                first = number + 1
            current.append(line)
        elif current:
            for paragraph in entry_paragraphs("\n".join(current)):
                found.append((first, paragraph))
            current = []
    return found


def entry_text_problems(text: ReportText, entries: Iterable[tuple[str, str, str]]) -> list[tuple[str, int | None, str]]:
    """(path, line, message) for each entry paragraph that the report text does not contain."""
    entries = list(entries)
    quoted = quoting(text, [(entry_id, body) for entry_id, _, body in entries])
    problems = []
    for entry_id, path, _ in entries:
        missing = quoted.missing.get(entry_id) or []
        if not missing:
            continue
        try:
            located = body_lines(Path(path).read_text(encoding="utf-8"))
        except OSError:
            located = []
        for paragraph in missing:
            line = next((n for n, p in located if p == paragraph), None)
            problems.append((path, line, f"paragraph not found in the report text "
                                         f"{Path(text.path).name}: “{paragraph[:60]}…”"))
    return problems


def shared_paragraphs(entries: Iterable[tuple[str, str, str]]) -> list[tuple[str, int | None, str]]:
    """(path, line, message) for each body paragraph that another entry's body also contains."""
    entries = list(entries)
    bodies = {entry_id: " ".join(entry_paragraphs(body)) for entry_id, _, body in entries}
    problems = []
    for entry_id, path, body in entries:
        for paragraph in entry_paragraphs(body):
            if len(paragraph) < MIN_SHARED:
                continue
            others = [other for other, text in bodies.items() if other != entry_id and paragraph in text]
            if others:
                try:
                    located = body_lines(Path(path).read_text(encoding="utf-8"))
                except OSError:
                    located = []
                line = next((n for n, p in located if p == paragraph), None)
                problems.append((path, line, f"paragraph also quoted by {', '.join(others)}: "
                                             f"“{paragraph[:60]}…” (one passage, one entry)"))
    return problems


@dataclass(frozen=True)
class ProseCoverage:
    """How much of a report text's prose the entries quote, and what is left without a reason."""

    source: str
    words: int  # every block
    prose: int  # blocks not left out as non-prose
    quoted: int  # words of prose blocks that entries quote
    left_out: int  # unquoted words of blocks a curator left out with a reason
    open_blocks: tuple[tuple[int, Block, TextSection], ...]  # (unquoted words, block, section)

    @property
    def share(self) -> float:
        return self.quoted / self.prose if self.prose else 1.0


def prose_coverage(text: ReportText, quoted: Quoting, reasons: dict[int, str]) -> ProseCoverage:
    """Measure the quoted share of the prose; list unquoted blocks without a reason, longest first."""
    prose_blocks = [b for b in text.blocks if reasons.get(b.number) not in NOT_PROSE]
    open_blocks = sorted(
        ((quoted.words[b.number] - quoted.covered_words[b.number], b, s)
         for s in text.sections for b in s.blocks
         if b.number not in reasons and quoted.words[b.number] > quoted.covered_words[b.number]),
        key=lambda item: (-item[0], item[1].number))
    return ProseCoverage(
        source=text.source, words=sum(quoted.words.values()),
        prose=sum(quoted.words[b.number] for b in prose_blocks),
        quoted=sum(quoted.covered_words[b.number] for b in prose_blocks),
        left_out=sum(quoted.words[b] - quoted.covered_words[b] for b in reasons),
        open_blocks=tuple(open_blocks))
