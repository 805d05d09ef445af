"""Parsing what users type: words, quoted phrases, exclusions and field filters.

Any input parses: control characters become spaces, the length is capped, and what is not a
known filter, phrase or operator is words. Function words ("hur", "från", "the") are set aside
unless they are all there is: a question is searched for its content words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from search.analysis import is_function_word

MAX_QUERY_CHARS = 500
MAX_WORDS = 24
# Swedish and English names for the field filters users may type (`typ:rekommendation`).
FILTER_ALIASES = {
    "region": "region", "län": "region", "lan": "region",
    "kind": "kind", "typ": "kind", "sort": "kind",
    "theme": "theme", "tema": "theme", "themes": "theme",
    "source": "source", "källa": "source", "kalla": "source", "rapport": "source",
}
KIND_ALIASES = {
    "recommendation": "recommendation", "rekommendation": "recommendation",
    "rekommendationer": "recommendation", "challenge": "challenge", "utmaning": "challenge",
    "utmaningar": "challenge", "finding": "finding", "iakttagelse": "finding",
    "iakttagelser": "finding", "slutsats": "finding", "observation": "finding",
}
TOKEN = re.compile(r'(?P<neg>[-−]?)(?:(?P<field>[^\s:"()]+):)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')
OPERATORS = {"AND", "OR", "NOT", "OCH", "ELLER", "INTE"}


@dataclass(frozen=True)
class ParsedQuery:
    """What the user typed, split into words, phrases, exclusions and field filters."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()  # function words typed outside quotes, not searched for

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.phrases)


def sanitise_query(text: str) -> str:
    """Drop control characters and cap the length, so no input can upset the parser."""
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text[:MAX_QUERY_CHARS]


def filter_slug(value: str) -> str:
    """Turn a typed filter value into a slug (`Skåne` → `skane`, `Västra Götaland` → `vastra-gotaland`)."""
    folded = unicodedata.normalize("NFKD", value.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def parse_query(text: str) -> ParsedQuery:
    """Split a query into words, quoted phrases, `-exclusions` and `field:value` filters."""
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    excluded: list[str] = []
    filters: dict[str, list[str]] = {}
    negate_next = False
    for match in TOKEN.finditer(sanitise_query(text)):
        neg = bool(match.group("neg")) or negate_next
        negate_next = False
        name, phrase, word = match.group("field"), match.group("phrase"), match.group("word")
        if name and name.lower() in FILTER_ALIASES and (word or phrase):
            facet = FILTER_ALIASES[name.lower()]
            value = filter_slug(word or phrase or "")
            if facet == "kind":
                value = KIND_ALIASES.get(value, value)
            if value and not neg:
                filters.setdefault(facet, []).append(value)
            continue
        if name:  # an unknown "x:y" is just words
            word = f"{name} {word or phrase or ''}"
        if phrase is not None and not name:
            terms = tuple(w for w in re.findall(r"\w+", phrase))
            if len(terms) > 1 and not neg:
                phrases.append(terms)
                continue
            word = " ".join(terms)
        for part in re.findall(r"\w+", word or ""):
            if part.upper() in OPERATORS and part.isupper():
                negate_next = part.upper() in {"NOT", "INTE"}
                continue
            (excluded if neg else words).append(part)
    content = [w for w in words if not is_function_word(w)]
    ignored = [w for w in words if is_function_word(w)]
    if not content and not phrases:  # nothing else to search for: the words are the query
        content, ignored = words, []
    return ParsedQuery(tuple(content[:MAX_WORDS]), tuple(phrases[:MAX_WORDS // 4]),
                       tuple(excluded[:MAX_WORDS]),
                       {k: tuple(dict.fromkeys(v)) for k, v in filters.items()},
                       tuple(dict.fromkeys(w.lower() for w in ignored)))
