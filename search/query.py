"""Query building: turn a parsed query into the Whoosh query tree the ranker scores.

Each word becomes a `FieldMax` over the fields it may match in (the best field counts fully,
the others a little), with its compound parts and synonyms as weaker alternatives; quoted
phrases are phrases; words typed next to each other earn a proximity bonus; exclusions remove
entries. The same builder serves the entries' index and the report texts' index, over the
fields each has.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from whoosh import query as wq
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.fields import Schema

from kb.content.model import Entry
from search.analysis import CompoundSplitter, SwedishStemFilter
from search.parsing import ParsedQuery
from search.whoosh_queries import Bonus, Excluding, FieldMax

TERM_CACHE_SIZE = 20000  # analysed (field, word) pairs kept per generation
# How much a match in each field counts. Titles and summaries state what the entry is about;
# compound parts and theme vocabulary widen recall but must rank below exact matches.
FIELD_BOOSTS = {
    "title": 2.0, "summary": 1.5, "body": 1.0, "title_en": 1.6, "summary_en": 1.2,
    "parts": 0.35, "themes_sv": 0.25, "themes_en": 0.5,
}
PART_WEIGHT = 0.15  # a match on a part of a typed compound, relative to the whole word
SYNONYM_WEIGHT = 0.7  # a match on a synonym (synonyms.yaml), relative to the word typed
# Exclusions (`-ai`) apply to what the entry says, not to its theme vocabulary; phrases too.
EXCLUDE_FIELDS = PHRASE_FIELDS = tuple(Entry.searched_fields())
SWEDISH_FIELDS = ("title", "summary", "body", "parts")  # where Swedish parts and synonyms count
# Unquoted words that stand together in a text, or together name a theme ("capital gap",
# "kliniska prövningar"), earn a bonus; naming a theme's label or term is strong evidence.
NEARBY_BOOSTS = {**{name: FIELD_BOOSTS[name] * 0.5 for name in PHRASE_FIELDS},
                 "themes_sv": 1.5, "themes_en": 1.5}

Synonyms = Mapping[str, tuple[str, ...]]


class QueryBuilder:
    """Builds queries for one index of a generation: its schema, analyzers and vocabulary."""

    def __init__(self, schema: Schema, splitter: CompoundSplitter | None = None,
                 synonym_groups: Sequence[Sequence[str]] = ()):
        self.schema = schema
        self.splitter = splitter
        self.fields = {name: boost for name, boost in FIELD_BOOSTS.items() if name in schema}
        self.swedish = [name for name in SWEDISH_FIELDS if name in schema]
        self._cache: dict[tuple[str, str], tuple[str, ...]] = {}
        self.protected = self._protected()
        self.synonyms = self._synonym_map(synonym_groups)

    def terms(self, fieldname: str, text: str) -> tuple[str, ...]:
        """The index terms a word becomes in a field (remembered, up to TERM_CACHE_SIZE)."""
        found = self._cache.get((fieldname, text))
        if found is None:
            if len(self._cache) >= TERM_CACHE_SIZE:
                self._cache.clear()
            analyzer = self.schema[fieldname].analyzer
            assert analyzer is not None, fieldname  # every text field has one
            found = self._cache[(fieldname, text)] = tuple(
                t.text for t in analyzer(text, mode="query"))
        return found

    def _protected(self) -> frozenset[str]:
        """The words the index keeps unstemmed (acronyms found in the corpus included)."""
        analyzer = self.schema["body"].analyzer
        for item in analyzer.items if isinstance(analyzer, CompositeAnalyzer) else ():
            if isinstance(item, SwedishStemFilter):
                return item.keep
        return frozenset()

    def known_word(self, word: str) -> bool:
        """Tell whether the corpus has the word itself (by stem), so its parts are not needed."""
        stems = self.terms("body", word)
        return (bool(stems) and self.splitter is not None
                and self.splitter.stem_counts.get(stems[0], 0) > 0)

    def _synonym_map(self, groups: Sequence[Sequence[str]]) -> dict[str, tuple[str, ...]]:
        """Map the stem of each one-word synonym to the other members of its group."""
        found: dict[str, tuple[str, ...]] = {}
        for group in groups:
            for member in group:
                stems = self.terms("body", member)
                if len(stems) == 1:
                    others = tuple(m for m in group if m != member)
                    found[stems[0]] = tuple(dict.fromkeys(found.get(stems[0], ()) + others))
        return found

    def _synonym_queries(self, word: str) -> list[wq.Query]:
        """Alternatives for a word from the synonym table: words as terms, phrases as phrases."""
        stems = self.terms("body", word)
        if len(stems) != 1 or stems[0] not in self.synonyms:
            return []
        found: list[wq.Query] = []
        for member in self.synonyms[stems[0]]:
            words = re.findall(r"\w+", member)
            if len(words) == 1:
                for fieldname in self.swedish:
                    for term in self.terms(fieldname, member):
                        found.append(wq.Term(fieldname, term,
                                             boost=FIELD_BOOSTS[fieldname] * SYNONYM_WEIGHT))
            else:
                phrase = self._phrase(words, boost=SYNONYM_WEIGHT)
                if phrase is not None:
                    found.append(phrase)
        return found

    def _word(self, word: str, fields: Mapping[str, float], expand: bool = True) -> wq.Query | None:
        """One word across the text fields: the best field counts fully, the others a little.

        A compound that no entry uses as typed ("cellterapiområdet") reaches entries that use
        its parts, at a fraction of the weight; a compound the corpus knows ("riskkapital") is
        searched as itself, so it does not drag in every entry that says "kapital".
        """
        alternatives: list[wq.Query] = []
        for fieldname, boost in fields.items():
            for term in self.terms(fieldname, word):
                alternatives.append(wq.Term(fieldname, term, boost=boost))
        if expand and self.splitter is not None and not self.known_word(word):
            for part in dict.fromkeys(self.splitter.split(word.lower())):
                for fieldname in self.swedish:
                    for term in self.terms(fieldname, part):
                        alternatives.append(wq.Term(fieldname, term,
                                                    boost=FIELD_BOOSTS[fieldname] * PART_WEIGHT))
        if expand:
            alternatives.extend(self._synonym_queries(word))
        return FieldMax(alternatives, tiebreak=0.2) if alternatives else None

    def _phrase(self, words: Sequence[str], boost: float = 1.5,
                fields: Mapping[str, float] | None = None,
                kind: type[FieldMax] = FieldMax) -> wq.Query | None:
        if fields is None:
            fields = {name: FIELD_BOOSTS[name] * boost for name in PHRASE_FIELDS}
        alternatives: list[wq.Query] = []
        for fieldname, field_boost in fields.items():
            if fieldname not in self.schema:
                continue
            terms = [t for w in words for t in self.terms(fieldname, w)]
            if len(terms) > 1:
                alternatives.append(wq.Phrase(fieldname, terms, boost=field_boost))
        return kind(alternatives) if alternatives else None

    def build(self, parsed: ParsedQuery) -> wq.Query | None:
        """The scoring query: any word may match, and matching more of them ranks higher."""
        clauses = [q for q in (self._word(w, self.fields) for w in parsed.words) if q is not None]
        clauses += [q for q in (self._phrase(p) for p in parsed.phrases) if q is not None]
        if not clauses:
            return None
        if 2 <= len(parsed.words) <= 4:
            # Words typed next to each other that also stand together in a title or passage
            # ("capital gap", "kliniska prövningar") rank above scattered matches.
            nearby = self._phrase(parsed.words, fields=NEARBY_BOOSTS, kind=Bonus)
            if nearby is not None:
                clauses.append(nearby)
        # Entries matching more of the words rank first because their clauses' scores add up.
        # Whoosh's coordination factor (`Or(scale=…)`) is not used: over the ~30 terms a query
        # expands to, its bonus is < 0.002 beside scores of 5–30; it only swaps near-ties
        # (scripts/coordination.py: nDCG@10 −0.001 on the development set, +0.004 held out).
        positive = clauses[0] if len(clauses) == 1 else wq.Or(clauses)
        excluding = {name: 1.0 for name in EXCLUDE_FIELDS if name in self.schema}
        negatives = [q for q in (self._word(w, excluding, expand=False) for w in parsed.excluded)
                     if q is not None]
        return Excluding(positive, wq.Or(negatives)) if negatives else positive

    def highlight_terms(self, parsed: ParsedQuery) -> frozenset[str]:
        """The stems a snippet marks: those of the typed words and phrases."""
        terms: set[str] = set()
        for word in list(parsed.words) + [w for p in parsed.phrases for w in p]:
            terms.update(self.terms("body", word))
        return frozenset(terms)
