"""Proposals for a reviewer: which sections state something, their kind, themes and a title.

Everything here is a first guess that a person checks (drafts have `status: draft`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kb.content.model import Theme, Vocabulary
from kb.importing.cleaning import SENTENCE_PUNCT, stem

# Heading words that say what a section is, strongest family first. A word matches when it
# contains the stem, so compounds count ("kapitalgap", "utmaningarna", "rekommendationer").
KIND_SIGNALS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("recommendation", ("rekommendation", "målbild", "lärdom", "förslag", "åtgärd")),
    ("challenge", ("svaghet", "utmaning", "behov", "gap", "glapp", "brist", "hinder", "problem",
                   "dålig", "avsaknad", "saknas")),
    # "stykor" is how the Östergötland report misprints "styrkor" in its heading 4.2.
    ("finding", ("styrk", "stykor")),
)
# Sections about the report itself rather than its subject; they state nothing to cite.
NOT_STATEMENTS = ("sammanfatt", "bakgrund", "syfte", "metod", "material", "definition",
                  "disposition", "läshänvisning", "inledning", "analysmodell", "förord",
                  "innehåll", "referens", "källor", "bilaga", "appendix")
WORD = re.compile(r"[^\W\d_]+")


def _words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def _signal(text: str, stems: Iterable[str]) -> bool:
    return any(s in word for word in _words(text) for s in stems)


def _names(text: str, stems: Iterable[str]) -> bool:
    """Whether a heading names one of `stems`, inflected ("definitioner") but not as the first
    part of a compound ("metodutveckling" is not about method)."""
    return any(word.startswith(s) and len(word) - len(s) <= 5 for word in _words(text) for s in stems)


def is_statement_heading(heading: str, context: Iterable[str]) -> bool:
    """Whether a section may state a finding: not background, method, summary or front matter.

    Only short headings name such a section ("METOD OCH MATERIAL"); a long one that happens to
    contain the word ("… universitetsutbildningarnas innehåll …") states something.
    """
    return not any(len(_words(text)) <= 5 and _names(text, NOT_STATEMENTS) for text in (heading, *context))


def propose_kind(heading: str, context: Iterable[str], default: str = "finding") -> str:
    """Propose a kind from the heading, then from the enclosing headings, nearest first."""
    for text in (heading, *context):
        for kind, stems in KIND_SIGNALS:
            if _signal(text, stems):
                return kind
    return default


# --------------------------------------------------------------------------------------------
# Themes
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ThemeTerms:
    """The terms of every theme, prepared for matching: stemmed words and exact acronyms."""

    stemmed: dict[str, tuple[tuple[str, ...], ...]]  # theme -> term word sequences (stems)
    acronyms: dict[str, tuple[tuple[str, ...], ...]]  # theme -> case-sensitive sequences
    scopes: dict[str, frozenset[str]]  # theme -> stems of its scope text (the fallback)
    order: tuple[str, ...]


def theme_terms(themes: Mapping[str, Theme]) -> ThemeTerms:
    """Prepare the terms of themes.yaml (`terms_sv`, `terms_en`) for matching."""
    stemmed: dict[str, tuple[tuple[str, ...], ...]] = {}
    acronyms: dict[str, tuple[tuple[str, ...], ...]] = {}
    scopes: dict[str, frozenset[str]] = {}
    for slug, theme in themes.items():
        plain, caps = [], []
        for term in [*theme.terms_sv, *theme.terms_en]:
            words = WORD.findall(str(term))
            if not words:
                continue
            if all(w.isupper() for w in words):
                caps.append(tuple(words))
            else:
                plain.append(tuple(stem(w.lower()) for w in words))
        stemmed[slug], acronyms[slug] = tuple(plain), tuple(caps)
        scopes[slug] = _content_stems(theme.scope_sv)
    return ThemeTerms(stemmed, acronyms, scopes, tuple(themes))


def _count(sequence: tuple[str, ...], tokens: list[str], compounds: bool) -> float:
    """Count a term in a token list; a one-word term inside a compound counts half."""
    n = len(sequence)
    if n > 1:
        return float(sum(tuple(tokens[i:i + n]) == sequence for i in range(len(tokens) - n + 1)))
    term = sequence[0]
    exact = sum(token == term for token in tokens)
    inside = sum(token != term and term in token for token in tokens) if compounds and len(term) >= 4 else 0
    return exact + 0.5 * inside


def theme_scores(terms: ThemeTerms, heading: str, body: str) -> dict[str, float]:
    """Score every theme on a passage: term hits, heading hits three times, at most 3 per term."""
    scores: dict[str, float] = {slug: 0.0 for slug in terms.order}
    for text, weight in ((heading, 3.0), (body, 1.0)):
        raw = WORD.findall(text)
        stems = [stem(w.lower()) for w in raw]
        for slug in terms.order:
            for sequence in terms.stemmed[slug]:
                scores[slug] += weight * min(3.0, _count(sequence, stems, compounds=True))
            for sequence in terms.acronyms[slug]:
                scores[slug] += weight * min(3.0, _count(sequence, raw, compounds=False))
    return scores


def propose_themes(terms: ThemeTerms, heading: str, body: str, limit: int = 4) -> list[str]:
    """Propose 1–4 themes, most central first; a passage without any term gets the theme
    whose scope text it shares most words with, so that a draft always has one."""
    scores = theme_scores(terms, heading, body)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)  # ties keep theme order
    best = max(scores.values(), default=0)
    if best > 0:
        chosen = [slug for slug, score in ranked if score >= max(2.0, 0.35 * best)]
        return (chosen or [ranked[0][0]])[:limit]
    stems = _content_stems(f"{heading} {body}")
    overlap = {slug: len(stems & scope) for slug, scope in terms.scopes.items()}
    return [max(terms.order, key=lambda slug: overlap[slug])]


def _content_stems(text: str) -> frozenset[str]:
    """The stems of a text's longer words (short ones are mostly function words)."""
    return frozenset(stem(w) for w in _words(text) if len(w) > 3)


def propose_subissues(vocab: Vocabulary, themes: Iterable[str], heading: str,
                      body: str) -> dict[str, tuple[str, ...]]:
    """Propose, for each proposed theme, the sub-issue whose label and scope share most words
    with the passage (none when it shares none: the reviewer decides)."""
    stems = _content_stems(f"{heading} {heading} {body}")
    proposed = {}
    for slug in themes:
        theme = vocab.themes.get(slug)
        if theme is None or not theme.subissues:
            continue
        overlap = {s.slug: len(stems & _content_stems(f"{s.label_sv} {s.scope_sv}"))
                   for s in theme.subissues}
        best = max(overlap.values())
        if best:
            proposed[slug] = tuple(s for s, n in overlap.items() if n == best)[:2]
    return proposed


# --------------------------------------------------------------------------------------------
# Titles and placeholders
# --------------------------------------------------------------------------------------------

def casing(texts: Iterable[str]) -> dict[str, str]:
    """Learn which words keep capitals inside sentences (Östergötland, FoU, MDR) from running text."""
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        words = WORD.findall(text)
        if not words or sum(w.isupper() for w in words) > 0.5 * len(words):
            continue  # headings and tables in capitals say nothing about how a word is written
        for sentence in re.split(SENTENCE_PUNCT, text):
            for word in WORD.findall(sentence)[1:]:  # the first word is capitalised anyway
                forms.setdefault(word.lower(), Counter())[word] += 1
    # Only words never written in lower case inside a sentence keep their capitals ("region"
    # is lower case although "Region Skåne" is frequent).
    return {low: counter.most_common(1)[0][0] for low, counter in forms.items() if low not in counter}


def sentence_case(heading: str, cased: dict[str, str]) -> str:
    """Tidy a heading to sentence case: `ETABLERA EN FORMELL …` -> `Etablera en formell …`.

    Headings already in mixed case are kept; names and acronyms get their running-text form.
    """
    heading = re.sub(r"\s+", " ", heading).strip().rstrip(".").strip()
    letters = WORD.findall(heading)
    if not letters or sum(w.isupper() for w in letters) < 0.6 * len(letters):
        return heading[:1].upper() + heading[1:]
    lowered = WORD.sub(lambda m: cased.get(m.group(0).lower(), m.group(0).lower()), heading)
    return lowered[:1].upper() + lowered[1:]


def first_sentence(text: str, limit: int = 300) -> str:
    """Return the first sentence of a passage (cut at `limit` characters)."""
    text = re.sub(r"^- ", "", text.strip())
    sentence = re.split(SENTENCE_PUNCT, text, maxsplit=1)[0].strip()
    return sentence if len(sentence) <= limit else sentence[: limit].rsplit(" ", 1)[0] + " …"
