"""Cleaning of extracted report text: each extraction artifact is repaired by its own small function.

The stages, in the order `clean_document` applies them:

1. `normalise_characters`  line endings, odd spaces, soft hyphens, private-use bullet glyphs
2. `strip_markup`          HTML tags and footnote references; footnote lines become `[^n]: …`
3. `mark_page_breaks`      page breaks (form feeds) where the extraction only left traces of them
4. `mark_footnotes`        footnote blocks under a separator line become `[^n]: …` lines
5. `drop_page_furniture`   running headers/footers and printer slugs, keeping the page numbers
6. `rejoin_letter_spaced`  `K l u s t e r u t ve ckling` -> `Klusterutveckling` (per line)
7. `reflow`                physical lines -> paragraphs (headings, bullets and notes kept apart)
8. `dehyphenate`           `offent-` + `liga` -> `offentliga`, keeping real hyphens
9. `normalise_whitespace`  one line per paragraph, single spaces

Pages are separated by form feeds (`\\f`) from stage 3 on; `CleanDocument.blocks` carries the
printed page on which each paragraph starts, where the report reveals it.
"""

from __future__ import annotations

import difflib
import functools
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import Stemmer

WORDLIST = Path(__file__).parent / "data" / "sv_words.txt"

# Real one-letter Swedish words; every other lone letter in running text is an extraction artifact.
SINGLE_LETTER_WORDS = frozenset("iåö")
# Function words never start a compound here, so "Fyra nyckelord" is not glued into one word.
FUNCTION_WORDS = frozenset(
    ["och", "att", "som", "för", "med", "det", "den", "de", "en", "ett", "av", "på", "till", "är", "om", "men", "eller", "samt", "från", "har", "var", "vi", "man", "sig", "inte", "så", "nu", "då", "när", "där", "här", "hur", "vad", "vilka", "vilket", "alla", "andra", "flera", "fyra", "tre", "två", "sex", "fem", "sju", "åtta", "nio", "tio", "elva", "tolv", "också", "bara", "även", "mer", "mest", "mycket"])
# Words after a line-end hyphen that show a suspended compound ("kompetens- och verksamhetsanalys").
CONJUNCTIONS = frozenset(["och", "eller", "samt", "respektive", "resp", "som", "men", "till", "alternativt"])
TERMINAL = re.compile(r"[.!?:;][\"”’»)\]]*$")
# Where one sentence ends and the next begins (a full stop, then a capital).
SENTENCE_PUNCT = r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[A-ZÅÄÖ\"”])"
BULLET = re.compile(r"^(?:[•▪◦●■‣]|[-*](?=\s))\s*")
NOTE = re.compile(r"^\[\^(\d+)\]:\s*")
CAPTION = re.compile(r"^(?:\*\*)?(?:Figur|Tabell|Diagram|Bild|Karta)\s*\d+", re.IGNORECASE)
CREDIT = re.compile(r"^(?:©|Foto:)")
NUMBERED = re.compile(r"^(?:#+\s*)?(?:\*\*)?(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?=[A-ZÅÄÖ”\"])(\S.*)$")
MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+\S")
# Running headers/footers: "EKOSYSTEMANALYS AV … | 63", "63 | EKOSYSTEMANALYS", "Sida 12 av 40".
RUNNING_HEAD = re.compile(r"^(?:(?P<title>\S.{2,}?)\s*\|\s*(?P<n1>\d{1,4})|(?P<n2>\d{1,4})\s*\|\s*\S.{2,})$")
PRINTER_SLUG = re.compile(r"^\S+\s+\d{2}-\d{2}-\d{2}\s+\d{1,2}[.:]\d{2}\s+(?:Sida|Page)\s+(?P<n>\d{1,4})$")
BARE_FOLIO = re.compile(r"^(?:(?:Sida|Page|s\.)\s*)?(?P<n>\d{1,4})(?:\s*(?:av|of)\s*\d{1,4})?$", re.IGNORECASE)
FOOTNOTE_RULE = re.compile(r"^ {20,}$")
LETTERS = re.compile(r"[^\W\d_]+")
EDGE_PUNCT = "\"'”“’‘«»()[]{}.,;:!?…*"


@functools.lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("swedish")


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Return the Swedish Snowball stem of a lower-case word."""
    stemmed: str = _stemmer().stemWord(word)
    return stemmed


# --------------------------------------------------------------------------------------------
# The lexicon: which strings are Swedish words (offline, from the clean report texts)
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Lexicon:
    """Known words (lower case) and their stems; decides what counts as a real word."""

    words: frozenset[str]
    stems: frozenset[str] = field(default=frozenset())

    @classmethod
    def of(cls, words: Iterable[str]) -> Lexicon:
        """Build a lexicon from words (any case)."""
        known = frozenset(w.lower() for w in words if w)
        return cls(known, frozenset(stem(w) for w in known if len(w) >= 4))

    @functools.cached_property
    def hyphen_heads(self) -> frozenset[str]:
        """Words written with a hyphen before a compound's next part ("science" in science-sektorn).

        A head must occur in at least two such compounds, so one-off spellings do not count.
        """
        heads = Counter(w.split("-")[0] for w in self.words if w.count("-") == 1 and "-" in w.strip("-"))
        return frozenset(h for h, n in heads.items() if n >= 2)

    def with_words(self, words: Iterable[str]) -> Lexicon:
        """Return a lexicon that also knows `words`."""
        return Lexicon.of(set(self.words) | {w.lower() for w in words})

    def knows(self, word: str) -> bool:
        """Whether `word` (punctuation stripped) is a word: listed, or an inflection of one."""
        core = word.strip(EDGE_PUNCT).lower()
        if not core:
            return True
        if len(core) == 1:
            return core in SINGLE_LETTER_WORDS
        if core in self.words:
            return True
        if "-" in core.strip("-"):
            return all(self.knows(part) for part in core.strip("-").split("-"))
        core = core.rstrip("-")
        if core in self.words:
            return True
        # An inflected form of a known word; a bare stem ("klust") is not a word by itself.
        root = stem(core)
        return len(core) >= 4 and root != core and root in self.stems

    def knows_compound(self, word: str, exact: bool = False) -> bool:
        """Whether `word` is a known word or a compound of two known words (analys+verktyg).

        With `exact`, the word or both its parts must be listed as written (no inflection
        guessing), which is what a word glued from several tokens has to prove.
        """
        core = word.strip(EDGE_PUNCT).lower().rstrip("-")
        if core in self.words or (not exact and self.knows(core)):
            return True
        if len(core) < 7 or not core.isalpha():
            return False
        for cut in range(3, len(core) - 3):
            head, tail = core[:cut], core[cut:]
            # Swedish links many compounds with an -s- (utveckling-s-arbete).
            stem_part = head[:-1] if head.endswith("s") and head[:-1] in self.words else head
            if len(stem_part) < 3 or stem_part in FUNCTION_WORDS or stem_part not in self.words:
                continue
            if tail in self.words or (not exact and len(tail) >= 5 and self.knows(tail)):
                return True
        return False


def load_lexicon(path: str | Path = WORDLIST) -> Lexicon:
    """Read the committed word list (one word a line, `#` comments)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return Lexicon.of(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def words_of(text: str) -> Iterator[str]:
    """Yield the words of clean text: tokens of letters (inner hyphens kept) without edge punctuation."""
    for token in text.split():
        core = token.strip(EDGE_PUNCT).strip("-–")
        if core and not any(ch.isdigit() for ch in core) and LETTERS.search(core):
            yield core


def report_words(text: str, lexicon: Lexicon) -> set[str]:
    """Collect the report's own unspaced words, skipping fragments of letter-spaced words.

    A token is a fragment when it and a neighbour together form a word the lexicon knows
    ("utve" + "ckling"), so words met only in letter-spaced runs never enter the lexicon.
    """
    seen: dict[str, int] = {}
    fragments: set[str] = set()
    for line in text.splitlines():
        tokens = [t.strip(EDGE_PUNCT) for t in line.split()]
        for i, token in enumerate(tokens):
            low = token.lower()
            if len(low) < 2 or not low.isalpha():
                continue
            seen[low] = seen.get(low, 0) + 1
            for j in (i - 1, i + 1):
                if 0 <= j < len(tokens) and tokens[j]:
                    pair = tokens[min(i, j)] + tokens[max(i, j)]
                    stray = len(tokens[j]) <= 2 and not lexicon.knows(tokens[j])
                    if stray or lexicon.knows_compound(pair):
                        fragments.add(low)
    return {w for w, n in seen.items() if n >= 2 and w not in fragments}


# --------------------------------------------------------------------------------------------
# Characters and markup
# --------------------------------------------------------------------------------------------

_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u2002\u2003\u200a\u2028\u2029"), " ")
_DROP = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\ufeff"), None)
_BULLETS = dict.fromkeys(map(ord, "\uf0b7\uf0a7\uf0e0\uf0d8\uf076\uf0fc\u25aa\u25cf"), "•")


def normalise_characters(text: str) -> str:
    """Unify line endings and spaces, drop soft hyphens, map symbol-font bullets to •."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_SPACES).translate(_DROP).translate(_BULLETS).replace("\u2010", "-")


def strip_markup(text: str) -> str:
    """Remove HTML tags and footnote references; a footnote line becomes `[^n]: text`."""
    text = re.sub(r"(?m)^(\s*)<sup>\s*(\d+)\s*</sup>\s*", r"\1[^\2]: ", text)
    text = re.sub(r"<sup>\s*\d+\s*</sup>", "", text)
    text = re.sub(r"</?(?:b|i|u|p|em|strong|span|br|sup|sub)\b[^>]*>", "", text, flags=re.I)
    # A reference number glued to the end of a sentence ("och liknande.54 Nästa") is a footnote mark.
    return re.sub(r"(?<=[^\W\d_][.,;)”])\d{1,3}(?=\s|$)", "", text)


def mark_footnotes(text: str) -> str:
    """Turn footnote blocks under a separator line (20+ spaces) into `[^n]: text` lines.

    The block runs to the next page break; a line that does not start with a number continues
    the footnote above it.
    """
    out: list[str] = []
    in_notes = False
    for line in text.split("\n"):
        if "\f" in line:
            in_notes = False
        if FOOTNOTE_RULE.match(line):
            in_notes = True
            continue
        number = re.match(r"^\s*(\d{1,3})\s+(\S.*)$", line) if in_notes else None
        if number:
            out.append(f"[^{number.group(1)}]: {number.group(2).rstrip()}")
        elif in_notes and line.strip() and out and NOTE.match(out[-1]):
            out[-1] += " " + line.strip()
        else:
            out.append(line)
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Pages: breaks, running headers/footers, printer slugs, and the page numbers they reveal
# --------------------------------------------------------------------------------------------

def furniture_number(line: str) -> tuple[str, int] | None:
    """Classify a running header/footer or printer slug: ("head"|"slug", page number) or None."""
    stripped = line.strip()
    if len(stripped) > 140:
        return None
    slug = PRINTER_SLUG.match(stripped)
    if slug:
        return "slug", int(slug.group("n"))
    head = RUNNING_HEAD.match(stripped)
    if head:
        title = head.group("title") or stripped
        # A running header is a title, never a sentence.
        if not TERMINAL.search(title.strip()):
            return "head", int(head.group("n1") or head.group("n2"))
    return None


def mark_page_breaks(text: str) -> str:
    """Insert form feeds where a text without them shows page breaks.

    The seed extractions start every page with a line indented by one space right after a
    non-blank line; a running header starts its page; a printer slug ends its page. Text that
    already has form feeds (from PDF import) is left as it is.
    """
    if "\f" in text:
        return text
    lines = text.split("\n")
    marks = [i > 0 and line.startswith(" ") and not line.startswith("  ") and bool(line.strip())
             and lines[i - 1] != "" and not FOOTNOTE_RULE.match(line) for i, line in enumerate(lines)]
    if sum(marks) > max(3, len(lines) / 20):
        marks = [False] * len(lines)  # that many are indented paragraphs, not page starts
    out: list[str] = []
    for line, indented in zip(lines, marks):
        kind = furniture_number(line)
        if (kind and kind[0] == "head") or indented:
            out.append("\f")
        out.append(line[1:] if indented else line)
        if kind and kind[0] == "slug":
            out.append("\f")
    return "\n".join(out)


def drop_page_furniture(text: str) -> tuple[str, dict[int, int]]:
    """Remove running headers/footers, printer slugs and bare folios; return {page index: page}.

    Page index i is the i-th form-feed separated page. Bare numbers count as folios only as the
    first or last line of a page, where nothing else prints a lone number.
    """
    pages = text.split("\f")
    anchors: dict[int, int] = {}
    kept_pages: list[str] = []
    for index, page in enumerate(pages):
        lines = page.split("\n")
        content = [i for i, line in enumerate(lines) if line.strip()]
        edges = {content[0], content[-1]} if content else set()
        kept: list[str] = []
        for i, line in enumerate(lines):
            kind = furniture_number(line)
            folio = BARE_FOLIO.match(line.strip()) if i in edges and len(pages) > 1 else None
            if kind:
                anchors.setdefault(index, kind[1])
            elif folio and int(folio.group("n")) > 0:
                anchors.setdefault(index, int(folio.group("n")))
            else:
                kept.append(line)
        kept_pages.append("\n".join(kept))
    return "\f".join(kept_pages), anchors


def page_numbers(anchors: dict[int, int], page_count: int) -> list[int | None]:
    """Number every page from the revealed page numbers, counting page breaks between them.

    Numbers are only trusted when all anchors agree with the breaks counted between them (a
    layout of two-page spreads or lost breaks would otherwise give wrong pages): then None.
    """
    if not anchors:
        return [None] * page_count
    offsets = {number - index for index, number in anchors.items()}
    if len(offsets) != 1:
        return [None] * page_count
    offset = offsets.pop()
    return [index + offset if index + offset >= 1 else None for index in range(page_count)]


# --------------------------------------------------------------------------------------------
# Letter-spaced words
# --------------------------------------------------------------------------------------------

_CLOSES = tuple(",.;:!?)]”\"»")
_OPENS = tuple("([“\"«")


def _joinable(left: str, right: str, lexicon: Lexicon) -> bool:
    """Whether the space between two tokens may be an extraction artifact.

    Only a space next to something that is not a word on its own qualifies, so two real words
    ("i dag", "å ena") are never glued; nor is a capital after lower case ("center C").
    """
    if left.endswith(_CLOSES) or right.startswith(_OPENS) or left in "-–" or right in "-–":
        return False
    if any(ch.isdigit() for ch in left + right):
        return False
    if right[:1].isupper() and any(ch.islower() for ch in left):
        return False
    return not lexicon.knows(left) or not lexicon.knows(right)


def _word_score(word: str, lexicon: Lexicon, glued: bool) -> tuple[int, int]:
    """Score one output word: (letters covered by known words, minus stray fragments).

    A word glued from several tokens only counts as known when it is listed (or a compound of
    listed words) and has four letters or more: guessing inflections would let a word swallow a
    neighbour ("uppstår ad").
    """
    core = word.strip(EDGE_PUNCT).rstrip("-")
    if not core:
        return 0, 0
    # Short words glued from lone letters ("v e d" of "v e d e r t a g n a") prove nothing.
    if (not glued or len(core) >= 4) and lexicon.knows_compound(core, exact=glued):
        return len(core), 0
    runs = LETTERS.findall(core)
    # One or two letters that make no word ("ve", "y" of "y.nu") are pieces of a longer word.
    return 0, -1 if runs and len(runs[0]) <= 2 else 0


def _lone_break(start: int, lone: list[bool], known: list[bool]) -> int:
    """1 if a word break before token `start` sits next to a lone letter between non-words.

    Inside a spaced run such a break is rarely real ("g e n o m f ö r a s", "sch e m a").
    """
    if start == 0:
        return 0
    before, after = start - 1, start
    return int((lone[before] and lone[after]) or (lone[after] and not known[before])
               or (lone[before] and not known[after]))


def _segment(tokens: list[str], lexicon: Lexicon, max_span: int = 30) -> list[str]:
    """Choose which spaces between tokens to remove (dynamic programming over the line).

    Preference order: most letters in known words, fewest stray fragments, fewest word breaks
    next to a lone letter, fewest joins.
    """
    n = len(tokens)
    joinable = [_joinable(tokens[i], tokens[i + 1], lexicon) for i in range(n - 1)]
    lone = [len(t.strip(EDGE_PUNCT)) == 1 for t in tokens]
    known = [lexicon.knows(t) for t in tokens]
    stray = [len(t.strip(EDGE_PUNCT + "-")) <= 2 and not known[i] for i, t in enumerate(tokens)]
    # "i" between stray letters ("kval i f i cerat") is a letter of the word, not the word "i".
    suspect = [lone[i] and ((i > 0 and stray[i - 1]) or (i + 1 < n and stray[i + 1])) for i in range(n)]
    best: list[tuple[tuple[int, int, int, int], int]] = [((0, 0, 0, 0), 0)] + [((-10**9, 0, 0, 0), 0)] * n
    for end in range(1, n + 1):
        start = end - 1
        while True:
            if end - start == 1 and suspect[start]:
                covered, fragments = 0, -1
            else:
                covered, fragments = _word_score("".join(tokens[start:end]), lexicon, end - start > 1)
            prev = best[start][0]
            score = (prev[0] + covered, prev[1] + fragments, prev[2] - _lone_break(start, lone, known),
                     prev[3] - (end - start - 1))
            if score > best[end][0]:
                best[end] = (score, start)
            if start == 0 or end - start >= max_span or not joinable[start - 1]:
                break
            start -= 1
    words: list[str] = []
    while n > 0:
        start = best[n][1]
        words.append("".join(tokens[start:n]))
        n = start
    return words[::-1]


def _has_fragments(tokens: list[str], lexicon: Lexicon) -> bool:
    """Whether a line shows letter-spacing: a stray letter or letter pair, or a word split in two."""
    for i, token in enumerate(tokens):
        core = token.strip(EDGE_PUNCT + "-")
        if core.isalpha() and len(core) <= 2 and not lexicon.knows(core):
            return True
        if (i and not lexicon.knows(tokens[i - 1]) and not lexicon.knows(token)
                and lexicon.knows_compound(tokens[i - 1].strip(EDGE_PUNCT) + core, exact=True)):
            return True
    return False


def rejoin_letter_spaced(line: str, lexicon: Lexicon) -> str:
    """Rejoin words the extraction spaced apart: `u t ve ckling` -> `utveckling`.

    Spaces inside a line are removed where that turns fragments into words the lexicon knows;
    runs of lone letters are glued even when the result is unknown. Lines without fragments are
    returned unchanged, spacing included.
    """
    tokens = line.split()
    if len(tokens) < 2 or not _has_fragments(tokens, lexicon):
        return line
    # A lone full stop after a spaced run belongs to the word before it ("A . hållbar").
    merged: list[str] = []
    for token in tokens:
        if token in {".", ",", ":", ";", "-"} and merged and len(merged[-1].strip(EDGE_PUNCT)) <= 2:
            merged[-1] += token
        else:
            merged.append(token)
    words = _segment(merged, lexicon)
    if words == tokens:
        return line
    indent = line[: len(line) - len(line.lstrip())]
    return indent + " ".join(words) + (" " if line.endswith(" ") else "")


WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]*)*")


def word_changes(raw: str, clean: str) -> tuple[int, list[tuple[str, str]]]:
    """Compare the words of a raw text and its cleaned text.

    Return the number of hyphenation joins (`offent-` `liga` -> `offentliga`) and every other
    change as (raw words, clean words). Markup tags are not words.
    """
    before = WORD.findall(re.sub(r"<[^>]+>", " ", raw))
    after = WORD.findall(clean)
    joins = 0
    changes: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        old, new = before[a1:a2], after[b1:b2]
        if old and new and "".join(old).replace("-", "") == "".join(new).replace("-", "") \
                and any(w.endswith("-") for w in old):
            joins += len(old) - len(new)
        else:
            changes.append((" ".join(old), " ".join(new)))
    return joins, changes


def spaced_runs(text: str) -> int:
    """Count runs of three or more single letters separated by spaces (`K l u s t e r`)."""
    return len(re.findall(r"(?<!\S)[^\W\d_](?: [^\W\d_]){2,}(?!\S)", text))


# --------------------------------------------------------------------------------------------
# Paragraphs
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Block:
    """A paragraph of clean text and the printed page it starts on (None when not revealed)."""

    text: str
    page: int | None = None
    page_index: int = 0

    @property
    def is_note(self) -> bool:
        return bool(NOTE.match(self.text))

    @property
    def is_bullet(self) -> bool:
        return self.text.startswith("- ")


def _is_caps_line(line: str) -> bool:
    letters = LETTERS.findall(line)
    joined = "".join(letters)
    return len(joined) >= 4 and joined.isupper() and len(line) <= 90


def _heading_start(line: str) -> bool:
    match = NUMBERED.match(line)
    return match is not None and len(line) <= 130 and not TERMINAL.search(match.group(2))


def _continues_heading(heading: list[str], line: str, width: float) -> bool:
    """Whether `line` is the wrapped rest of a heading (Skåne wraps long headings)."""
    last = heading[-1].rstrip()
    if not line or BULLET.match(line) or _heading_start(line) or len(heading) >= 5:
        return False
    if _is_caps_line(heading[0]):
        return _is_caps_line(line)
    if len(heading) >= 2 or TERMINAL.search(last) or len(line) > 0.8 * width:
        return False
    last_word = last.split()[-1].lower() if last.split() else ""
    return (line[0].islower() or last.endswith(("-", "–", ","))
            or last_word in FUNCTION_WORDS or last_word in {"i", "inom", "vid", "mot", "över"})


@dataclass
class _Line:
    text: str
    page_index: int
    gap: int  # blank lines before it
    trailing: bool = False  # whitespace after the last character


def _physical_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    gap = 0
    for page_index, page in enumerate(text.split("\f")):
        for raw in page.split("\n"):
            if raw.strip():
                lines.append(_Line(raw.strip(), page_index, gap, raw != raw.rstrip()))
                gap = 0
            else:
                gap += 1
        gap += 2  # a page break separates at least as much as a blank line
    return lines


@dataclass(frozen=True)
class _Layout:
    long_lines: bool  # one paragraph per line (Markdown-like text), not physical lines
    blank: int  # blank lines that separate paragraphs (2 in double-spaced text)
    width: float  # a full line's length; shorter lines may end a paragraph
    trailing_ends: bool  # trailing whitespace is rare, so after a full stop it ends a paragraph


def _layout(lines: list[_Line]) -> _Layout:
    """Measure the text: line length, spacing and how paragraph ends show."""
    lengths = sorted(len(line.text) for line in lines) or [0]
    p90 = lengths[int(len(lengths) * 0.9)]
    full = sorted(len(line.text) for line in lines
                  if len(line.text) >= 20 and not TERMINAL.search(line.text)) or [80]
    width = float(full[len(full) // 2])
    double = len(lines) > 1 and statistics.mean(line.gap == 1 for line in lines[1:]) >= 0.5
    trailing = len(lines) > 1 and statistics.mean(line.trailing for line in lines) < 0.25
    return _Layout(p90 > 150, 2 if double else 1, width, trailing)


def _starts_block(text: str, layout: _Layout) -> bool:
    """Whether a line always starts a paragraph of its own (heading, bullet, table row)."""
    return bool(MARKDOWN_HEADING.match(text) or _heading_start(text) or BULLET.match(text)
                or (not layout.long_lines and _is_caps_line(text)) or "\t" in text)


def _ends_paragraph(last: _Line, line: _Line, layout: _Layout) -> bool:
    """Whether the paragraph whose last line is `last` is over before `line`."""
    ended = bool(TERMINAL.search(last.text))
    first = line.text[:1]
    runs_on = not ended and (first.islower() or first in "(–-")
    if runs_on:
        return False
    if layout.long_lines:
        return line.gap >= 1
    if line.page_index != last.page_index:
        # A page break ends a paragraph only where the sentence ended too.
        return ended and not first.islower()
    if line.gap >= layout.blank:
        return True
    if ended and layout.trailing_ends and last.trailing:
        return True
    if not ended and len(last.text) < 0.6 * layout.width and first.isupper():
        return True  # a short line without a full stop before a capital: a heading or a title
    return ended and len(last.text) < 0.85 * layout.width


def reflow(text: str) -> list[tuple[int, str]]:
    """Rebuild paragraphs from physical lines; return (page index, paragraph) in reading order.

    A paragraph's lines stay separated by newlines (for `dehyphenate`). Headings, bullets and
    footnotes (`[^n]: …`) become paragraphs of their own; footnotes, photo credits and figure
    captions that interrupt a paragraph are emitted after it, so the paragraph runs on across them.
    """
    lines = _physical_lines(text)
    layout = _layout(lines)
    paragraphs: list[tuple[int, str]] = []
    aside: list[tuple[int, str]] = []
    current: list[_Line] = []
    heading = False

    def flush() -> None:
        nonlocal heading
        if current:
            paragraphs.append((current[0].page_index, "\n".join(line.text for line in current)))
        paragraphs.extend(aside)
        aside.clear()
        current.clear()
        heading = False

    i = 0
    while i < len(lines):
        line = lines[i]
        if NOTE.match(line.text) or CREDIT.match(line.text):
            aside.append((line.page_index, line.text))
        elif CAPTION.match(line.text) and not layout.long_lines:
            caption = [line.text]
            while (not TERMINAL.search(caption[-1]) and len(caption) < 3 and i + 1 < len(lines)
                   and lines[i + 1].gap <= layout.blank and not _starts_block(lines[i + 1].text, layout)):
                i += 1
                caption.append(lines[i].text)
            aside.append((line.page_index, " ".join(caption)))
        elif current and heading and _continues_heading([c.text for c in current], line.text, layout.width) or (current and not heading and not _starts_block(line.text, layout)
              and not _ends_paragraph(current[-1], line, layout)):
            current.append(line)
        else:
            flush()
            current.append(line)
            heading = _starts_block(line.text, layout) and not BULLET.match(line.text) and "\t" not in line.text
            if MARKDOWN_HEADING.match(line.text) or (layout.long_lines and "\t" in line.text):
                flush()
        i += 1
    flush()
    return paragraphs


def dehyphenate(paragraph: str, lexicon: Lexicon) -> str:
    """Rejoin words hyphenated across line breaks, keeping real hyphens.

    `offent-\\nliga` -> `offentliga`; `kompetens-\\noch` -> `kompetens- och`; `FoU-\\ninriktade` ->
    `FoU-inriktade`; `life science-\\nsektorn` -> `life science-sektorn` (the hyphenated form is a
    known word, or both halves are words and the joined form is not).
    """
    def join(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        left_core = left.strip(EDGE_PUNCT)
        right_core = right.strip(EDGE_PUNCT)
        if right_core.lower() in CONJUNCTIONS or not right_core[:1].isalpha():
            return f"{left}- {right}"
        hyphenated = f"{left_core}-{right_core}".lower()
        if hyphenated in lexicon.words or left_core[-1:].isupper() or left_core[-1:].isdigit():
            return f"{left}-{right}"
        joined = left_core + right_core
        if lexicon.knows(joined):
            return left + right
        if left_core.lower() in lexicon.hyphen_heads:
            return f"{left}-{right}"
        if lexicon.knows_compound(joined):
            return left + right
        if lexicon.knows(left_core) and len(left_core) >= 3 and lexicon.knows(right_core):
            return f"{left}-{right}"
        return left + right

    return re.sub(r"(\S*[^\W\d_])-[ \t]*\n[ \t]*(\S+)", join, paragraph)


def normalise_whitespace(paragraph: str) -> str:
    """Put a paragraph on one line with single spaces; bullets become Markdown list items."""
    if "\t" in paragraph:
        # Table rows keep their cells and rows apart, so later stages can recognise them.
        return "\n".join(re.sub(r" +", " ", row).strip() for row in paragraph.split("\n") if row.strip())
    text = re.sub(r"\s+", " ", paragraph).strip()
    if BULLET.match(text):
        text = "- " + BULLET.sub("", text)
    return text


# --------------------------------------------------------------------------------------------
# The whole stage
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CleanDocument:
    """A cleaned report: paragraphs in reading order, with pages where the report reveals them."""

    blocks: tuple[Block, ...]
    page_count: int
    anchors: dict[int, int]

    @property
    def pages_known(self) -> bool:
        return any(block.page is not None for block in self.blocks)

    def to_text(self) -> str:
        """Return the clean text: one paragraph per line, blank lines between paragraphs."""
        return "\n\n".join(block.text for block in self.blocks) + "\n"


def prepare(raw: str) -> tuple[str, dict[int, int]]:
    """Apply the stages up to page furniture: return the text with form feeds and the anchors."""
    text = strip_markup(normalise_characters(raw))
    text = mark_footnotes(mark_page_breaks(text))
    return drop_page_furniture(text)


def clean_document(raw: str, lexicon: Lexicon) -> CleanDocument:
    """Clean an extracted report text into paragraphs (see the module docstring for the stages)."""
    text, anchors = prepare(raw)
    lexicon = lexicon.with_words(report_words(text, lexicon))
    text = "\n".join(rejoin_letter_spaced(line, lexicon) for line in text.split("\n"))
    page_count = text.count("\f") + 1
    pages = page_numbers(anchors, page_count)
    blocks = []
    for page_index, paragraph in reflow(text):
        clean = normalise_whitespace(dehyphenate(paragraph, lexicon))
        if clean and not re.fullmatch(r"[-–—_*=#]+", clean):
            blocks.append(Block(clean, pages[page_index], page_index))
    return CleanDocument(tuple(blocks), page_count, anchors)


def clean_text(raw: str, lexicon: Lexicon) -> str:
    """Clean an extracted report text and return it as plain paragraphs."""
    return clean_document(raw, lexicon).to_text()
