"""Section finding: the headed passages of a cleaned report, with the page each one starts on.

Three kinds of structure are recognised, in this order of preference:

- numbered headings (`4.3.6 Kapitalgap …`, `## 6.11 BYGG …`), kept only as far as they form a
  plausible sequence (each number follows the previous one), so footnotes and stray numbers are
  not taken for headings; `MÅLBILD` / `BEHOV` under a numbered priority area become its parts;
- Markdown headings without numbers (`# Utmaningar som drivkraft`);
- lessons announced by a sentence such as "… följande elva sörmländska lärdomar", whose headings
  are the short statements that open each lesson;
- and, in a text with none of these, short title lines followed by text (`Regeringens beslut`).

Pages come from the report's table of contents where it has one, else from the page the
heading's paragraph starts on (`CleanDocument`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from kb.importing.cleaning import (
    MARKDOWN_HEADING,
    SENTENCE_PUNCT,
    TERMINAL,
    Block,
    CleanDocument,
    normalise_characters,
    strip_markup,
)

NUMBER = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(\S.*)$")
TOC_LINE = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2}){0,3})\.?[ \t]+(\S.*?)(?:\t+|[ .]{3,}|\s{2,})(\d{1,4})\s*$")
PARTS = ("målbild", "behov")
NUMBER_WORDS = {w: n for n, w in enumerate(
    ["noll", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv", "tretton", "fjorton", "femton", "sexton", "sjutton", "arton", "nitton", "tjugo"])}
LESSON_INTRO = re.compile(r"\b(\d{1,2}|" + "|".join(w for w in NUMBER_WORDS if NUMBER_WORDS[w] > 1)
                          + r")\s+(?:[\wåäö-]+\s+){0,2}lärdomar\b", re.IGNORECASE)
# Sentences that continue an argument rather than state a lesson.
OPENERS = re.compile(
    r"^(?:En (?:viktig|annan|första|slutsats)|Ett (?:annat|exempel|sådant)|För det|Slutligen|Här|"
    r"Sammantaget|Generellt|Också|Även|Med detta|Oftast|Dessa|Detta|Denna|Dessutom|Samtidigt|"
    r"Således|Konkret|Erfarenheterna|Utmärkande|Många|I |Vad |Den föregående|Det (?:vill|är|bör|"
    r"faktum|tydligaste|finns))")
NORMATIVE = re.compile(
    r"\b(?:kräver|måste|förutsättning|av största vikt|handlar om mer än|viktig roll|"
    r"är alltid|räcker inte|bör)\b", re.IGNORECASE)
SENTENCE_END = re.compile(SENTENCE_PUNCT)


@dataclass(frozen=True)
class Section:
    """A headed passage: where it is, what it is called, and its paragraphs."""

    key: str  # the entry id after "<source>-": "4-3-6", "prio-3-malbild", "lardom-2", a slug
    section: str  # as printed: "4.3.6", "3" for a priority area, else the heading
    heading: str  # the heading text as printed, without its number
    context: tuple[str, ...] = ()  # enclosing headings, nearest first
    page: int | None = None
    paragraphs: tuple[str, ...] = ()
    leaf: bool = True  # no headed sections below it
    number: tuple[int, ...] | None = None
    order: int = 0  # position in the report

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class _Heading:
    """A heading while the structure is worked out (parents are linked after finding them all)."""

    index: int  # the heading's paragraph in CleanDocument.blocks
    title: str
    number: tuple[int, ...] | None = None
    part: str | None = None  # "målbild" / "behov" under a numbered priority area
    page: int | None = None
    children: list[_Heading] = field(default_factory=list)
    parent: _Heading | None = None


def parse_toc(raw: str) -> dict[str, int]:
    """Read a table of contents (`4.3.6<tab>Title<tab>20`): {section number: page}."""
    toc: dict[str, int] = {}
    for line in strip_markup(normalise_characters(raw)).split("\n"):
        match = TOC_LINE.match(line.replace("**", ""))
        if match and ("\t" in line or "..." in line):
            toc.setdefault(match.group(1).rstrip("."), int(match.group(3)))
    return toc


def slugify(text: str, max_words: int = 8) -> str:
    """Make a URL-safe ASCII slug: `Skälen för regeringens beslut` -> `skalen-for-regeringens-beslut`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words[:max_words])


def heading_text(block: str) -> str:
    """Strip Markdown heading marks and bold from a heading paragraph."""
    text = re.sub(r"^#{1,6}\s*", "", block).strip()
    return re.sub(r"^\*\*(.*)\*\*$", r"\1", text).strip().strip("*").strip()


def _numbered(block: Block) -> tuple[tuple[int, ...], str] | None:
    """Read a heading candidate's number and title (a Markdown heading may end with a stop)."""
    if block.is_note or "\t" in block.text or len(block.text) > 260:
        return None
    markdown = block.text.startswith("#")
    match = NUMBER.match(heading_text(block.text))
    if not match:
        return None
    title = match.group(2).strip()
    if not (title[:1].isupper() or title[:1] in "”\"") or (not markdown and TERMINAL.search(title)):
        return None
    return tuple(int(p) for p in match.group(1).split(".")), title


def _follows(previous: tuple[int, ...], number: tuple[int, ...]) -> bool:
    """Whether `number` may come right after `previous` (a child, or a next sibling at some level)."""
    if number == previous + (1,):
        return True
    for level in range(len(previous)):
        for step in (1, 2):  # allow one missing heading
            if number == previous[:level] + (previous[level] + step,):
                return True
    return False


def _numbered_chain(candidates: list[tuple[int, tuple[int, ...], str]]) -> list[int]:
    """Pick the longest run of candidates in which every number follows the one before."""
    best: list[list[int]] = []
    for i, (_, number, _) in enumerate(candidates):
        chain = [i] if len(number) == 1 else []
        for j in range(i):
            if best[j] and len(best[j]) + 1 > len(chain) and _follows(candidates[j][1], number):
                chain = best[j] + [i]
        best.append(chain)
    return max(best, key=len, default=[])


def _structured_headings(blocks: tuple[Block, ...]) -> list[_Heading]:
    """Numbered headings (as a plausible sequence), Markdown headings and priority-area parts."""
    candidates = [(i, *found) for i, block in enumerate(blocks) if (found := _numbered(block))]
    chain = _numbered_chain(candidates)
    headings: dict[int, _Heading] = {}
    if len(chain) >= 3:
        for k in chain:
            index, number, title = candidates[k]
            headings[index] = _Heading(index, title, number)
    for i, block in enumerate(blocks):
        title = heading_text(block.text)
        if i in headings:
            continue
        if title.lower().rstrip(":") in PARTS and (block.text.startswith("#") or title.isupper()):
            headings[i] = _Heading(i, title.rstrip(":"), part=title.lower().rstrip(":"))
        elif MARKDOWN_HEADING.match(block.text) and not NUMBER.match(title):
            headings[i] = _Heading(i, title)
    ordered = [headings[i] for i in sorted(headings)]
    for heading in ordered:
        heading.page = blocks[heading.index].page
    return ordered


def _link(headings: list[_Heading]) -> None:
    """Set parents: numbered by number prefix, parts under the area before them, and a run of
    numbered headings starting at 1 under an unnumbered heading right before it."""
    open_numbered: list[_Heading] = []
    last_unnumbered: _Heading | None = None
    for i, heading in enumerate(headings):
        if heading.part:
            parent = next((h for h in reversed(headings[:i]) if h.number), None)
        elif heading.number:
            number = heading.number
            open_numbered = [h for h in open_numbered if h.number and number[: len(h.number)] == h.number
                             and len(h.number) < len(number)]
            parent = open_numbered[-1] if open_numbered else None
            if parent is None and last_unnumbered is not None and len(heading.number) == 1:
                # "Prioriterade insatsområden" + "1. …" "2. …": a short intro, then a numbered list.
                adopts = (last_unnumbered.children and last_unnumbered.children[0].number) or (
                    headings[i - 1] is last_unnumbered and heading.index - last_unnumbered.index <= 4)
                parent = last_unnumbered if adopts else None
            open_numbered.append(heading)
        else:
            parent = None
            last_unnumbered = heading
            open_numbered = []
        heading.parent = parent
        if parent is not None:
            parent.children.append(heading)


def _plain_headings(blocks: tuple[Block, ...]) -> list[_Heading]:
    """Short title lines followed by running text, for texts without any other structure."""
    headings = []
    for i, block in enumerate(blocks[:-1]):
        text = block.text
        following = blocks[i + 1].text
        if (len(text) <= 70 and text[:1].isupper() and not TERMINAL.search(text) and ":" not in text
                and not any(ch.isdigit() for ch in text) and len(text.split()) >= 2
                and len(following) >= 150 and not block.is_note):
            headings.append(_Heading(i, text, page=block.page))
    return headings


def _sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text) if s]


@dataclass(frozen=True)
class _Unit:
    """A lesson-heading candidate: whole paragraph, or its first or last sentence."""

    block: int
    where: str  # "whole", "first", "last"
    text: str


def _lesson_candidates(blocks: tuple[Block, ...], start: int) -> list[_Unit]:
    """Candidate lesson headings after the announcing paragraph, in reading order.

    A short paragraph that opens no argument is a candidate; so is the first or last sentence
    of a longer paragraph when it states a rule ("kräver", "måste", …), because a heading set in
    bold may have been run into the paragraph next to it.
    """
    units: list[_Unit] = []
    for i in range(start, len(blocks)):
        block = blocks[i]
        if block.is_note or block.is_bullet or not block.text.endswith("."):
            continue
        sentences = _sentences(block.text)
        if len(block.text) <= 300 and len(sentences) <= 2 and not OPENERS.match(block.text):
            # "Aktörer … har en viktig roll … . En viktig lärpunkt är …": the heading ran on.
            if len(sentences) == 2 and OPENERS.match(sentences[1]) and not sentences[1].startswith("Det "):
                units.append(_Unit(i, "first", sentences[0]))
            else:
                units.append(_Unit(i, "whole", block.text))
            continue
        for where, sentence in (("first", sentences[0]), ("last", sentences[-1])):
            if len(sentence) <= 220 and NORMATIVE.search(sentence) and not OPENERS.match(sentence):
                units.append(_Unit(i, where, sentence))
    return units


def _adjacent(first: _Unit, second: _Unit) -> bool:
    """Whether two candidate headings, in reading order, would have no text between them."""
    if first.block == second.block:
        return first.where == "whole" or second.where == "whole" or first.where == second.where
    return (second.block == first.block + 1 and first.where in ("whole", "last")
            and second.where in ("whole", "first"))


def _lesson_headings(blocks: tuple[Block, ...]) -> list[tuple[_Unit, int]]:
    """Find announced lessons ("följande elva … lärdomar"): (heading, lesson number) in order."""
    for i, block in enumerate(blocks):
        counts = [int(w) if w.isdigit() else NUMBER_WORDS.get(w.lower())
                  for w in LESSON_INTRO.findall(block.text)]
        count = next((c for c in counts if c), None)
        if count is None:
            continue
        chosen: list[_Unit] = []
        for unit in _lesson_candidates(blocks, i + 1):
            if len(chosen) == count:
                break
            if not chosen or not _adjacent(chosen[-1], unit):
                chosen.append(unit)
        return [(unit, n) for n, unit in enumerate(chosen, start=1)]
    return []


def _lesson_sections(blocks: tuple[Block, ...]) -> list[Section]:
    """Cut the lessons out of their paragraphs; the last one ends where a new page starts a new paragraph."""
    lessons = _lesson_headings(blocks)
    sections = []
    for k, (unit, number) in enumerate(lessons):
        nxt = lessons[k + 1][0] if k + 1 < len(lessons) else None
        paragraphs: list[str] = []
        block = blocks[unit.block]
        if unit.where == "first":
            paragraphs.append(block.text[len(unit.text):].strip())
        i = unit.block + 1
        while i < len(blocks):
            if nxt is not None and i == nxt.block:
                if nxt.where == "last":
                    paragraphs.append(blocks[i].text[: len(blocks[i].text) - len(nxt.text)].strip())
                break
            if nxt is None and blocks[i].page_index != blocks[i - 1].page_index \
                    and TERMINAL.search(blocks[i - 1].text):
                break
            paragraphs.append(blocks[i].text)
            i += 1
        sections.append(Section(
            key=f"lardom-{number}", section=unit.text, heading=unit.text, context=("lärdomar",),
            page=block.page, paragraphs=tuple(p for p in paragraphs if p), order=unit.block))
    return sections


def find_sections(document: CleanDocument, toc: dict[str, int] | None = None) -> list[Section]:
    """Find the headed sections of a cleaned report, in reading order."""
    blocks = document.blocks
    headings = _structured_headings(blocks)
    if not headings:
        lessons = _lesson_sections(blocks)
        if lessons:
            return lessons
        headings = _plain_headings(blocks)
    _link(headings)
    toc = toc or {}
    sections = []
    for k, heading in enumerate(headings):
        end = headings[k + 1].index if k + 1 < len(headings) else len(blocks)
        paragraphs = tuple(b.text for b in blocks[heading.index + 1:end])
        sections.append(_section(heading, paragraphs, toc))
    return sections


def _section(heading: _Heading, paragraphs: tuple[str, ...], toc: dict[str, int]) -> Section:
    """Name a heading's section: its id key, the section as printed, its context and page."""
    context = []
    parent = heading.parent
    while parent is not None:
        context.append(parent.title)
        parent = parent.parent
    if heading.part and heading.parent is not None and heading.parent.number:
        area = heading.parent.number
        printed = ".".join(map(str, area))
        return Section(f"prio-{'-'.join(map(str, area))}-{slugify(heading.part)}", printed,
                       heading.parent.title, (heading.title, *context), heading.page,
                       paragraphs, not heading.children, area, heading.index)
    if heading.number:
        printed = ".".join(map(str, heading.number))
        return Section("-".join(map(str, heading.number)), printed, heading.title, tuple(context),
                       toc.get(printed, heading.page), paragraphs, not heading.children,
                       heading.number, heading.index)
    return Section(slugify(heading.title), heading.title, heading.title, tuple(context),
                   heading.page, paragraphs, not heading.children, None, heading.index)
