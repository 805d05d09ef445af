"""Which entries quote which blocks of a report text, and how much of its prose they quote.

An entry's body is a quotation: each of its paragraphs must stand in the report text (case,
punctuation and spacing aside). A block's sentences count as quoted when an entry's body holds
them; blocks no entry should quote are listed by a curator, with a reason, in
content/sources/<slug>.unquoted.yaml.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kb.content.model import Problem
from kb.content.texts import ITEM, Block, ReportText, TextSection, normalise, plain_text, sentences


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
    found: list[str] = []
    for chunk in re.split(r"\n\s*\n", body):
        lines = chunk.strip().splitlines()
        if lines and all(line.lstrip().startswith("|") for line in lines):
            found.extend(normalise(plain_text(line)) for line in lines)
        elif lines and ITEM.match(lines[0]):
            items: list[str] = []
            current: list[str] = []
            for line in lines:
                if ITEM.match(line) and current:
                    items.append(" ".join(current))
                    current = []
                current.append(line)
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


class _Bodies:
    """Entry bodies in one string, so that finding the entries holding a sentence is a few
    `str.find` calls in C rather than one `in` per entry."""

    def __init__(self, bodies: dict[str, list[str]]):
        self.ids = list(bodies)
        parts = [f" {' '.join(paragraphs)} " for paragraphs in bodies.values()]
        self.starts = []
        offset = 0
        for part in parts:
            self.starts.append(offset)
            offset += len(part) + 1
        self.text = "\0".join(parts)  # no sentence spans two bodies

    def holding(self, unit: str) -> list[str]:
        """The entries whose body contains the normalised text as whole words."""
        found: list[str] = []
        needle = f" {unit} "
        at = self.text.find(needle)
        while at >= 0:
            entry_id = self.ids[bisect_right(self.starts, at) - 1]
            if entry_id not in found:
                found.append(entry_id)
            at = self.text.find(needle, at + 1)
        return found


def quoting(text: ReportText, entries: Iterable[tuple[str, str]]) -> Quoting:
    """Match entries (id, body) of the text's source against its blocks.

    A block's sentence (a table's row) is quoted by an entry whose body contains it as whole
    words; sentences under MIN_UNIT_WORDS words ("Life science", "Diagnostik:") only when the
    entry contains the whole block, since they occur anywhere.
    """
    bodies = {entry_id: entry_paragraphs(body) for entry_id, body in entries}
    held = _Bodies(bodies)
    blocks = text.blocks
    whole = " " + " ".join(" ".join(block_units(b)) for b in blocks) + " "
    result = Quoting(text)
    for entry_id, paragraphs in bodies.items():
        result.missing[entry_id] = [p for p in paragraphs if f" {p} " not in whole]
    for block in blocks:
        units = block_units(block)
        result.words[block.number] = sum(len(u.split()) for u in units)
        holders = held.holding(" ".join(units)) if units else []
        covered, quoting_ids = 0, list[str]()
        for unit in units:
            hits = holders if len(unit.split()) < MIN_UNIT_WORDS else held.holding(unit)
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


def load_unquoted(path: Path) -> tuple[list[Unquoted], list[Problem]]:
    """Read a source's list of unquoted blocks; every item needs a known reason."""
    if not path.is_file():
        return [], []
    try:
        data = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [], [Problem(str(path), "text", line=mark.line + 1 if mark else 1, message=f"YAML does not parse: {exc}")]
    items, problems = [], []
    nodes = data.value if isinstance(data, yaml.SequenceNode) else []
    for node in nodes:
        line = node.start_mark.line + 1
        value = yaml.safe_load(yaml.serialize(node)) if node is not None else None
        if not isinstance(value, dict):
            problems.append(Problem(str(path), "text", line=line, message="each item is a mapping with reason and "
                                                         "section or starts"))
            continue
        reason = str(value.get("reason") or "")
        if reason not in REASONS:
            problems.append(Problem(str(path), "text", line=line, message=f"unknown reason {reason!r} (one of "
                                                         f"{', '.join(REASONS)})"))
            continue
        section, starts = str(value.get("section") or ""), str(value.get("starts") or "")
        exact = str(value.get("text") or "")
        if sum(map(bool, (section, starts, exact))) != 1:
            problems.append(Problem(str(path), "text", line=line, message="give one of section, starts or text"))
            continue
        items.append(Unquoted(reason, section, starts, exact, line))
    return items, problems


def unquoted_reasons(text: ReportText, items: list[Unquoted], path: str) -> tuple[dict[int, str], list[Problem]]:
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
            problems.append(Problem(path, "text", line=item.line, message=f"matches no block of the report text: {what}"))
    return reasons, problems


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
