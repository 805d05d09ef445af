"""The content check across files: vocabularies, entries, report texts and what joins them.

Every problem is located by file, line and field; the check never stops at the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kb.content.entries import load_entries
from kb.content.model import ContentError, Entry, Problem
from kb.content.quoting import (
    block_units,
    entry_paragraphs,
    load_unquoted,
    quoting,
    unquoted_path,
    unquoted_reasons,
)
from kb.content.texts import ReportText, load_report_texts
from kb.content.vocabulary import load_vocabulary, themes_without_subissues

MIN_SHARED = 60  # normalised characters: shorter paragraphs ("Behov:") may repeat


@dataclass(frozen=True)
class CheckResult:
    """The entries that loaded and every problem found in the content."""

    entries: list[Entry]
    problems: list[Problem]


@dataclass(frozen=True)
class Quoted:
    """An entry as the cross-file rules see it: its id, its file and its body."""

    id: str
    path: str
    body: str


def body_lines(file_text: str) -> list[tuple[int, str]]:
    """The paragraphs of an entry file's body with the line each starts on, normalised."""
    lines = file_text.splitlines()
    start = 0
    if lines and lines[0].strip() == "---":
        start = next((i + 1 for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    found: list[tuple[int, str]] = []
    current: list[str] = []
    first = 0
    for number in range(start, len(lines) + 1):
        line = lines[number] if number < len(lines) else ""
        if line.strip():
            if not current:
                first = number + 1
            current.append(line)
        elif current:
            found.extend((first, paragraph) for paragraph in entry_paragraphs("\n".join(current)))
            current = []
    return found


def _line_of(path: str, paragraph: str) -> int | None:
    """The line a body paragraph starts on in its file (None when it cannot be found)."""
    try:
        located = body_lines(Path(path).read_text(encoding="utf-8"))
    except OSError:
        return None
    return next((n for n, p in located if p == paragraph), None)


def paragraphs_not_in_text(text: ReportText, entries: Sequence[Quoted]) -> list[Problem]:
    """Each entry paragraph that the report text does not contain (a quotation must be there)."""
    found = quoting(text, [(e.id, e.body) for e in entries])
    return [Problem(entry.path, "body", f"paragraph not found in the report text "
                    f"{Path(text.path).name}: “{paragraph[:60]}…”", _line_of(entry.path, paragraph))
            for entry in entries for paragraph in found.missing.get(entry.id, [])]


def shared_paragraphs(entries: Sequence[Quoted], texts: dict[str, ReportText],
                      sources: dict[str, str]) -> list[Problem]:
    """Each body paragraph quoted by more entries than the report prints it (one passage, one
    entry). A sentence the report itself prints twice may be quoted twice."""
    bodies = {e.id: " " + " ".join(entry_paragraphs(e.body)) + " " for e in entries}
    printed = {slug: " " + " ".join(" ".join(block_units(b)) for b in text.blocks) + " "
               for slug, text in texts.items()}
    problems = []
    for entry in entries:
        for paragraph in entry_paragraphs(entry.body):
            if len(paragraph) < MIN_SHARED:
                continue
            holders = [other for other, body in bodies.items() if f" {paragraph} " in body]
            allowed = max(1, printed.get(sources.get(entry.id, ""), "").count(f" {paragraph} "))
            if len(holders) > allowed:
                others = ", ".join(h for h in holders if h != entry.id)
                problems.append(Problem(entry.path, "body", f"paragraph also quoted by {others}: "
                                        f"“{paragraph[:60]}…” (one passage, one entry)",
                                        _line_of(entry.path, paragraph)))
    return problems


def check_content(content_dir: str | Path, root: str | Path | None = None) -> CheckResult:
    """Validate everything: vocabularies, entry files, report texts, unquoted lists, and that
    every entry quotes its report and no passage is quoted twice."""
    result = load_entries(content_dir, root=root)
    try:
        vocab = load_vocabulary(content_dir)
    except ContentError:
        return CheckResult(result.entries, result.problems)  # the vocabulary's problems are in
    problems = list(result.problems) + themes_without_subissues(content_dir, vocab)
    texts, found = load_report_texts(content_dir, vocab.sources)
    problems += found
    quoted = [Quoted(e.id, result.paths[e.id], e.body) for e in result.entries]
    for slug, text in texts.items():
        problems += paragraphs_not_in_text(text, [q for q, e in zip(quoted, result.entries)
                                                  if e.source == slug])
        path = unquoted_path(content_dir, slug)
        items, bad = load_unquoted(path)
        problems += bad + unquoted_reasons(text, items, str(path))[1]
    problems += shared_paragraphs(quoted, texts, {e.id: e.source for e in result.entries})
    return CheckResult(result.entries, problems)
