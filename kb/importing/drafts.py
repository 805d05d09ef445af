"""Report import: turn a report (.txt, .md or .pdf) into draft entries in content/<source>/.

read -> clean (`kb.importing.cleaning`) -> find sections (`kb.importing.sections`) -> propose kind, themes and
title (`kb.importing.proposals`) -> write drafts. Writing never touches an entry a person reviewed: a
section is left alone when any reviewed entry of the source cites it, and a file whose status
is `reviewed` is never overwritten. Re-running the import only rewrites drafts whose proposal
changed.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

import yaml

from kb.content.entries import render_entry
from kb.content.model import Entry, Vocabulary
from kb.content.vocabulary import load_vocabulary
from kb.importing.cleaning import (
    CAPTION,
    CREDIT,
    NOTE,
    TERMINAL,
    CleanDocument,
    Lexicon,
    clean_document,
    load_lexicon,
)
from kb.importing.proposals import (
    casing,
    first_sentence,
    is_statement_heading,
    propose_kind,
    propose_subissues,
    propose_themes,
    sentence_case,
    theme_terms,
)
from kb.importing.sections import Section, find_sections, parse_toc

log = logging.getLogger(__name__)

READABLE = (".txt", ".md", ".pdf")
MIN_BODY = 200  # characters; shorter passages are title pages, captions or sign-offs
TODO_TRANSLATE = "TODO: translate"
TODO_SUMMARY = "TODO: sammanfatta med egna ord. Passagen inleds: "

Progress = Callable[[str], None]


class ReportError(Exception):
    """A report that cannot be imported (unreadable file, unknown source)."""


@functools.lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The committed Swedish word list, read once per process."""
    return load_lexicon()


def read_report(path: str | Path) -> str:
    """Return the text of a report: .txt/.md as UTF-8, .pdf with pages separated by form feeds."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READABLE:
        raise ReportError(f"{path}: cannot import {suffix or 'a file without extension'} "
                           f"(expected {', '.join(READABLE)})")
    if not path.is_file():
        raise ReportError(f"{path}: no such file")
    if suffix == ".pdf":
        return pdf_text(path)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ReportError(f"{path}: not UTF-8 text ({exc.reason})") from exc


def pdf_text(path: str | Path) -> str:
    """Extract a PDF's text with pypdf, one form feed between pages (cleaning reads pages from them)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        return "\f".join((page.extract_text() or "").strip("\n") for page in reader.pages)
    except (PdfReadError, OSError, ValueError) as exc:
        raise ReportError(f"{path}: cannot read the PDF ({exc})") from exc


# --------------------------------------------------------------------------------------------
# From sections to drafts
# --------------------------------------------------------------------------------------------

def is_residue(paragraph: str) -> bool:
    """Whether a paragraph is extraction residue rather than the passage: footnotes, captions,
    photo credits, table rows and number columns."""
    text = paragraph.strip().strip("*").strip()
    if len(text) < 3 or NOTE.match(text) or CAPTION.match(text) or CREDIT.match(text) or "\t" in paragraph:
        return True
    tokens = text.split()
    numeric = sum(any(ch.isdigit() for ch in token) for token in tokens)
    if len(tokens) >= 4 and numeric >= 0.4 * len(tokens):
        return True
    # Table cells and figure labels: a few words without a sentence ("Lunds universitet 156,9").
    return not text.startswith("- ") and len(tokens) <= 6 and not TERMINAL.search(text)


def passage(section: Section) -> str:
    """The section's passage as Markdown: residue removed, list items kept together."""
    kept = [re.sub(r"^#{1,6}\s*", "", p) for p in section.paragraphs if not is_residue(p)]
    out = ""
    for i, paragraph in enumerate(kept):
        if i:
            out += "\n" if paragraph.startswith("- ") and kept[i - 1].startswith("- ") else "\n\n"
        out += paragraph
    return out.strip()


def statement_sections(sections: list[Section]) -> list[Section]:
    """Keep the sections that state something: innermost, not front matter, with a real passage."""
    return [s for s in sections if s.leaf and is_statement_heading(s.heading, s.context)
            and len(passage(s)) >= MIN_BODY]


def _title(section: Section, cased: dict[str, str]) -> str:
    """The heading tidied to sentence case; a lesson stated in two sentences keeps the first."""
    title = sentence_case(first_sentence(section.heading), cased)
    if section.key.startswith("prio-") and section.context:
        return f"{title} – {section.context[0].lower()}"
    return title


def propose_drafts(document: CleanDocument, sections: list[Section], source: str,
                   vocab: Vocabulary) -> list[Entry]:
    """Turn the statement sections of a cleaned report into draft entries."""
    region = vocab.sources[source].region
    terms = theme_terms(vocab.themes)
    cased = casing(block.text for block in document.blocks if not block.is_note)
    drafts: list[Entry] = []
    seen: set[str] = set()
    for section in statement_sections(sections):
        body = passage(section)
        entry_id = f"{source}-{section.key}"
        suffix = 2
        while entry_id in seen:  # two unnumbered headings with the same words
            entry_id, suffix = f"{source}-{section.key}-{suffix}", suffix + 1
        seen.add(entry_id)
        themes = tuple(propose_themes(terms, section.heading, body))
        drafts.append(Entry(
            id=entry_id, title=_title(section, cased), title_en=TODO_TRANSLATE,
            kind=propose_kind(section.heading, section.context),
            source=source, region=region, section=section.section, page=section.page,
            themes=themes, subissues=propose_subissues(vocab, themes, section.heading, body),
            summary=TODO_SUMMARY + first_sentence(body), summary_en=TODO_TRANSLATE,
            status="draft", body=body))
    return drafts


# --------------------------------------------------------------------------------------------
# Existing entries and what a re-run may touch
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Existing:
    """An entry file already in content/<source>/, read leniently (front matter only)."""

    id: str
    path: Path
    status: str
    section: str


def existing_entries(content_dir: str | Path, source: str) -> list[Existing]:
    """Read the id, status and section of every entry file of a source (broken files included)."""
    entries = []
    for path in sorted((Path(content_dir) / source).glob("*.md")):
        meta: dict[str, object] = {}
        text = path.read_text(encoding="utf-8", errors="replace")
        match = re.match(r"^---\s*\n(.*?)\n---\s*(?:\n|$)", text, re.S)
        if match:
            try:
                loaded = yaml.safe_load(match.group(1))
                meta = loaded if isinstance(loaded, dict) else {}
            except yaml.YAMLError:
                meta = {}
        status = str(meta.get("status", "")).strip() if meta else "unreadable"
        entries.append(Existing(str(meta.get("id") or path.stem), path, status or "unreadable",
                                str(meta.get("section", ""))))
    return entries


def same_section(a: str, b: str) -> bool:
    """Compare sections as printed, ignoring case, spacing, dash forms and a final full stop."""
    def norm(text: str) -> str:
        text = re.sub(r"[–—‐-]", "-", text.casefold())
        return re.sub(r"\s+", "", text).rstrip(".:")
    return bool(a.strip()) and norm(a) == norm(b)


class Cited(Protocol):
    """Anything with an id and a section: an `Existing` file or a loaded `Entry`."""

    @property
    def id(self) -> str: ...

    @property
    def section(self) -> str: ...


C = TypeVar("C", bound=Cited)


def cited_by(entry_id: str, section: str, reviewed: list[C]) -> C | None:
    """The reviewed entry that already covers a section: same section, or the draft's own id or
    a suffixed variant of it (`…-3-1-sysselsattning`)."""
    for entry in reviewed:
        variant = entry.id.startswith(entry_id + "-") and entry.id[len(entry_id) + 1:][:1].isalpha()
        if same_section(entry.section, section) or entry.id == entry_id or variant:
            return entry
    return None


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    source: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    left_alone: list[tuple[str, str]] = field(default_factory=list)  # (id, why)
    dry_run: bool = False

    def summary(self) -> str:
        """One line: the counts."""
        verb = "would be " if self.dry_run else ""
        return (f"{self.source}: {len(self.created)} {verb}created, {len(self.updated)} {verb}updated, "
                f"{len(self.unchanged)} unchanged, {len(self.left_alone)} left alone")


def plan_writes(drafts: list[Entry], content_dir: str | Path, dry_run: bool = False) -> ImportReport:
    """Decide, for each draft, whether to create, update or leave the file alone; write unless dry."""
    source = drafts[0].source if drafts else ""
    report = ImportReport(source, dry_run=dry_run)
    if not drafts:
        return report
    existing = {entry.path.name: entry for entry in existing_entries(content_dir, source)}
    reviewed = [entry for entry in existing.values() if entry.status == "reviewed"]
    folder = Path(content_dir) / source
    for draft in drafts:
        path = folder / f"{draft.id}.md"
        owner = cited_by(draft.id, draft.section, reviewed)
        current = existing.get(path.name)
        if owner is not None:
            report.left_alone.append((draft.id, f"reviewed entry {owner.id} cites section {draft.section}"))
        elif current is not None and current.status != "draft":
            report.left_alone.append((draft.id, f"{path.name} has status {current.status!r}"))
        elif current is not None and path.read_text(encoding="utf-8") == render_entry(draft):
            report.unchanged.append(draft.id)
        else:
            (report.updated if current is not None else report.created).append(draft.id)
            if not dry_run:
                folder.mkdir(parents=True, exist_ok=True)
                path.write_text(render_entry(draft), encoding="utf-8")
    return report


# --------------------------------------------------------------------------------------------
# The whole stage
# --------------------------------------------------------------------------------------------

def find_report_sections(raw: str, lexicon: Lexicon | None = None) -> tuple[CleanDocument, list[Section]]:
    """Clean a report's text and find its sections (pages from its table of contents if any)."""
    document = clean_document(raw, lexicon or default_lexicon())
    return document, find_sections(document, parse_toc(raw))


def import_report(path: str | Path, source: str, content_dir: str | Path, dry_run: bool = False,
                  progress: Progress | None = None, lexicon: Lexicon | None = None) -> ImportReport:
    """Import one report into draft entries of `source` under `content_dir`."""
    say = progress or (lambda message: log.info(message))
    vocab = load_vocabulary(content_dir)
    if source not in vocab.sources:
        raise ReportError(f"unknown source {source!r} (add it to sources.yaml first; known: "
                           f"{', '.join(vocab.sources)})")
    say(f"[1/4] reading {path}")
    raw = read_report(path)
    say(f"[2/4] cleaning {len(raw):,} characters")
    document, sections = find_report_sections(raw, lexicon)
    say(f"      {len(document.blocks)} paragraphs on {document.page_count} page(s)")
    paged = sum(section.page is not None for section in sections)
    say(f"[3/4] found {len(sections)} sections ({paged} with a page number); "
        "proposing kind, themes and title")
    drafts = propose_drafts(document, sections, source, vocab)
    say(f"      {len(drafts)} sections state a finding, challenge or recommendation")
    say(f"[4/4] {'checking (dry run, nothing written)' if dry_run else 'writing'} "
        f"{Path(content_dir) / source}")
    return plan_writes(drafts, content_dir, dry_run)
