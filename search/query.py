"""Query building: turn a parsed query into the Whoosh query tree the ranker scores.

Each word becomes a `FieldMax` over the fields it may match in (the best field counts fully,
the others a little), with its compound parts and its thesaurus expansions as weaker
alternatives; quoted phrases are phrases; words typed next to each other earn a proximity
bonus; exclusions remove entries. Words that most entries contain ("företag", "region") only
rank when the query has more specific words: those decide what matches. The same builder
serves the entries' index and the report texts' index, over the fields each has.

Besides the tree, the builder says what it made of the query (`QueryPlan`): which words were
common, which extra words the thesaurus added, which typed words no entry contains.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.analysis.analyzers import Analyzer, CompositeAnalyzer
from whoosh.fields import Schema

from kb.content.model import Entry, Relation, subissue_key
from search.analysis import CompoundSplitter, SwedishStemFilter, english_analyzer
from search.parsing import ParsedQuery
from search.related import ThemeNames
from search.whoosh_queries import Bonus, Excluding, FieldMax

TERM_CACHE_SIZE = 20000  # analysed (field, word) pairs kept per generation
PLAN_CACHE_SIZE = 2000  # query plans kept per generation
# How much a match in each field counts. Titles and summaries state what the entry is about;
# compound parts and theme vocabulary widen recall but must rank below exact matches.
FIELD_BOOSTS = {
    "title": 2.0, "summary": 1.5, "body": 1.0, "title_en": 1.6, "summary_en": 1.2,
    "parts": 0.35, "themes_sv": 0.25, "themes_en": 0.5,
}
PART_WEIGHT = 0.15  # a match on a part of a typed compound, relative to the whole word
EXPANSION_WEIGHT = 0.5  # a match on a thesaurus word, relative to the word typed
# A word in at least this share of the documents is common: when the query has rarer words,
# it ranks but does not decide what matches ("stöd" in "regulatoriskt stöd").
COMMON_SHARE = 0.1
# Exclusions (`-ai`) apply to what the entry says, not to its theme vocabulary; phrases too.
EXCLUDE_FIELDS = PHRASE_FIELDS = tuple(Entry.searched_fields())
SWEDISH_FIELDS = ("title", "summary", "body", "parts")  # where a Swedish word's parts count
# Where thesaurus words are searched: what the entry says in Swedish (not its compound parts,
# which would multiply the lists a query reads for little gain).
EXPANSION_FIELDS = ("title", "summary", "body")
# Unquoted words that stand together in a text, or together name a theme ("capital gap",
# "kliniska prövningar"), earn a bonus; naming a theme's label or term is strong evidence.
NEARBY_BOOSTS = {**{name: FIELD_BOOSTS[name] * 0.5 for name in PHRASE_FIELDS},
                 "themes_sv": 1.5, "themes_en": 1.5}
# A quoted phrase counts more than its words scattered; a thesaurus phrase like a thesaurus word.
QUOTED_BOOSTS = {name: FIELD_BOOSTS[name] * 1.5 for name in PHRASE_FIELDS}
EXPANSION_PHRASE_BOOSTS = {name: FIELD_BOOSTS[name] * EXPANSION_WEIGHT for name in EXPANSION_FIELDS}
LONGEST_TERM = 4  # words in the longest thesaurus term
# A query naming a sub-issue ("finansiering av klusterarbetet") ranks the entries tagged with it
# higher; the bonus only adds to entries the words match.
SUBISSUE_BOOST = 4.0

Key = tuple[str, str]  # (field, term)
# How many documents contain each (field, term): the index's document frequencies.
Frequencies = Callable[[Sequence[Key]], Mapping[Key, int]]


@dataclass(frozen=True)
class Expansion:
    """Words a query also searched for because the thesaurus links them to words typed."""

    words: tuple[str, ...]  # as typed
    targets: tuple[str, ...]  # what was searched for besides
    lang: str  # the language the typed words were read in: "sv", or "en" for a translation


@dataclass(frozen=True)
class CommonWord:
    """A typed word that many entries contain, with the share of entries that do."""

    word: str
    share: float


@dataclass(frozen=True)
class QueryPlan:
    """The query tree to rank with and what the builder made of the words typed."""

    query: wq.Query | None  # None: nothing to search for (browse)
    expansions: tuple[Expansion, ...] = ()
    common: tuple[CommonWord, ...] = ()
    common_only: bool = False  # every word is common: they decide the matches after all
    missing: tuple[str, ...] = ()  # typed words no document contains (nor their expansions)
    highlight: frozenset[str] = frozenset()  # stems of the words and phrases typed
    also_highlight: frozenset[str] = frozenset()  # stems of the one-word thesaurus words searched
    also_phrases: frozenset[tuple[str, ...]] = frozenset()  # and of its phrases


class QueryBuilder:
    """Builds queries for one index of a generation: its schema, analyzers and vocabulary."""

    def __init__(self, schema: Schema, splitter: CompoundSplitter | None = None,
                 thesaurus: Sequence[Relation] = (), frequencies: Frequencies | None = None,
                 documents: int = 0, themes: ThemeNames | None = None):
        self.schema = schema
        self.themes = themes if "subissues" in schema else None
        self.splitter = splitter
        self.fields = {name: boost for name, boost in FIELD_BOOSTS.items() if name in schema}
        self.swedish = [name for name in SWEDISH_FIELDS if name in schema]
        self.frequencies = frequencies
        self.documents = documents
        self._analyzers: dict[str, Analyzer] = {"en": english_analyzer()}
        self._plans: dict[tuple[object, ...], QueryPlan] = {}
        self._analyzer_of: dict[str, Analyzer] = {}
        self._cache: dict[tuple[int, str], tuple[str, ...]] = {}
        self._share_memo: dict[tuple[str, tuple[str, ...]], float] = {}  # (word, fields) → share
        self.protected = self._protected()
        self.thesaurus = self._thesaurus_map(thesaurus)

    def terms(self, fieldname: str, text: str) -> tuple[str, ...]:
        """The index terms a word becomes in a field (remembered, up to TERM_CACHE_SIZE).

        Remembered per analyzer, not per field: the Swedish fields share one analyzer, the
        English ones another, so a word is analysed once per language.
        """
        analyzer = self._analyzer_of.get(fieldname)
        if analyzer is None:
            found_analyzer = (self.schema[fieldname].analyzer if fieldname in self.schema
                              else self._analyzers[fieldname])
            assert found_analyzer is not None, fieldname  # every text field has one
            analyzer = self._analyzer_of[fieldname] = found_analyzer
        key = (id(analyzer), text)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= TERM_CACHE_SIZE:
                self._cache.clear()
            found = self._cache[key] = tuple(t.text for t in analyzer(text, mode="query"))
        return found

    def _stems(self, lang: str, text: str) -> tuple[str, ...]:
        """A word or phrase as stems of its language (Swedish: the body's analyzer)."""
        return self.terms("body" if lang == "sv" else "en", text)

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

    def _thesaurus_map(self, relations: Sequence[Relation]
                       ) -> dict[tuple[str, tuple[str, ...]], tuple[str, ...]]:
        """Map (language, stems of a term) to the Swedish words and phrases it also finds."""
        found: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}
        for relation in relations:
            for term in relation.terms:
                stems = self._stems(relation.lang, term)
                if stems:
                    key = (relation.lang, stems)
                    found[key] = tuple(dict.fromkeys(found.get(key, ()) + relation.targets_of(term)))
        return found

    def expansions(self, words: Sequence[str]) -> list[tuple[int, Expansion]]:
        """The thesaurus terms the typed words name, longest first, with where each starts."""
        found: list[tuple[int, Expansion]] = []
        start = 0
        while start < len(words):
            for length in range(min(LONGEST_TERM, len(words) - start), 0, -1):
                typed = tuple(words[start:start + length])
                # Words are analysed one by one, so a phrase's stems are its words' stems.
                match = next(((lang, self.thesaurus[(lang, stems)]) for lang in ("sv", "en")
                              if (stems := sum((self._stems(lang, w) for w in typed), ()))
                              and (lang, stems) in self.thesaurus), None)
                if match is not None:
                    found.append((start, Expansion(typed, match[1], match[0])))
                    start += length
                    break
            else:
                start += 1
        return found

    def _target_queries(self, targets: Iterable[str], typed: Sequence[str] = ()) -> list[wq.Query]:
        """Thesaurus words as weaker alternatives: words as terms, phrases as phrases.

        A target containing every word typed ("offentlig upphandling" for "upphandling") finds
        nothing new and is left out. A phrase scores the sum of its words, so it is scaled to
        count like one word.
        """
        found: list[wq.Query] = []
        own = {stem for word in typed for stem in self.terms("body", word)}
        for target in targets:
            words = re.findall(r"\w+", target)
            if own and own <= set(self.terms("body", target)):
                continue
            if len(words) == 1:
                for fieldname in EXPANSION_FIELDS:
                    for term in self.terms(fieldname, target) if fieldname in self.schema else ():
                        found.append(wq.Term(fieldname, term,
                                             boost=FIELD_BOOSTS[fieldname] * EXPANSION_WEIGHT))
            else:
                found.extend(self._phrases(words, EXPANSION_PHRASE_BOOSTS, as_one_word=True))
        return found

    def _phrases(self, words: Sequence[str], fields: Mapping[str, float],
                 as_one_word: bool = False) -> list[wq.Query]:
        """The words as a phrase in each field the index has, boosted per field.

        A phrase scores the sum of its words; `as_one_word` divides the boost by their number
        so that the phrase counts like one word of the field.
        """
        found: list[wq.Query] = []
        for fieldname, boost in fields.items():
            if fieldname in self.schema:
                terms = [t for w in words for t in self.terms(fieldname, w)]
                if len(terms) > 1:
                    found.append(wq.Phrase(fieldname, terms, boost=boost / len(terms)
                                           if as_one_word else boost))
        return found

    def _word(self, word: str, fields: Mapping[str, float], parts: bool = True,
              also: Sequence[str] = ()) -> wq.Query | None:
        """One word across the text fields: the best field counts fully, the others a little.

        A compound that no entry uses as typed ("cellterapiområdet") reaches entries that use
        its parts, at a fraction of the weight; a compound the corpus knows ("riskkapital") is
        searched as itself, so it does not drag in every entry that says "kapital". `also`
        are thesaurus words, weaker alternatives for the same word.
        """
        alternatives: list[wq.Query] = list(self._own_terms(word, fields, parts))
        alternatives.extend(self._target_queries(also, (word,)))
        return FieldMax(alternatives, tiebreak=0.2) if alternatives else None

    def _own_terms(self, word: str, fields: Mapping[str, float],
                   parts: bool = True) -> list[wq.Term]:
        """The word's own terms in each field, and its compound parts' when the corpus lacks it."""
        found = [wq.Term(fieldname, term, boost=boost) for fieldname, boost in fields.items()
                 for term in self.terms(fieldname, word)]
        if parts and self.splitter is not None and not self.known_word(word):
            for part in dict.fromkeys(self.splitter.split(word.lower())):
                for fieldname in self.swedish:
                    for term in self.terms(fieldname, part):
                        found.append(wq.Term(fieldname, term,
                                             boost=FIELD_BOOSTS[fieldname] * PART_WEIGHT))
        return found

    def _phrase(self, words: Sequence[str], fields: Mapping[str, float] = QUOTED_BOOSTS,
                kind: type[FieldMax] = FieldMax) -> FieldMax | None:
        """The words as a phrase in any of the fields: the best field counts fully."""
        alternatives = self._phrases(words, fields)
        return kind(alternatives) if alternatives else None

    def build(self, parsed: ParsedQuery) -> wq.Query | None:
        """The scoring query alone (see `plan`)."""
        return self.plan(parsed).query

    def plan(self, parsed: ParsedQuery, expand: bool = True) -> QueryPlan:
        """The scoring query and what was made of the words; `expand=False` leaves out the thesaurus.

        Any word may match and matching more of them ranks higher, except that common words
        only add to entries the rarer words (or the phrases) match. Remembered per query (the
        filters play no part), since paging and facet clicks repeat it.
        """
        key = (parsed.words, parsed.phrases, parsed.excluded, expand)
        found = self._plans.get(key)
        if found is None:
            if len(self._plans) >= PLAN_CACHE_SIZE:
                self._plans.clear()  # bounded: users can type anything
            found = self._plans[key] = self._plan(parsed, expand)
        return found

    def _plan(self, parsed: ParsedQuery, expand: bool) -> QueryPlan:
        words = list(parsed.words)
        found = self.expansions(words) if expand else []
        single = {start: e for start, e in found if len(e.words) == 1}
        common = self._common(words)
        missing = self._missing(words, {start + i for start, e in found for i in range(len(e.words))})
        specific: list[wq.Query] = []
        ordinary: list[wq.Query] = []
        for index, word in enumerate(words):
            also = single[index].targets if index in single else ()
            clause = self._word(word, self.fields, also=also)
            # A word no entry contains cannot decide anything; requiring it would only empty
            # the result (the service then tries a spelling correction).
            if clause is not None:
                (ordinary if word in common or word in missing else specific).append(clause)
        for _, expansion in found:
            if len(expansion.words) > 1:
                # "venture capital": the thesaurus words as one more clause. The words typed
                # have their own clauses, and standing together they earn the proximity bonus.
                alternatives = self._target_queries(expansion.targets, expansion.words)
                if alternatives:
                    # As specific as its most specific word: "cluster organisation" is made
                    # of common words, so it ranks but does not decide the matches.
                    concept = FieldMax(alternatives, tiebreak=0.2)
                    broad = all(w in common for w in expansion.words)
                    (ordinary if broad else specific).append(concept)
        for phrase in parsed.phrases:
            clause = self._phrase(phrase)
            if clause is None:  # a quoted phrase of one word after stop words: that word, as typed
                clause = next((self._word(w, self.fields, parts=False) for w in phrase
                               if self.terms("body", w)), None)
            if clause is not None:
                specific.append(clause)
        common_only = bool(ordinary) and not specific
        clauses: list[wq.Query] = specific + ordinary if common_only or not ordinary else [
            wq.AndMaybe(_any(specific), _any(ordinary))]
        highlight = self.highlight_terms(parsed)
        if not clauses:
            return QueryPlan(None, highlight=highlight)
        named = self._named_subissues(words)
        if named is not None:
            clauses.append(named)
        if 2 <= len(words) <= 4:
            # Words typed next to each other that also stand together in a title or passage
            # ("capital gap", "kliniska prövningar") rank above scattered matches.
            nearby = self._phrase(words, fields=NEARBY_BOOSTS, kind=Bonus)
            if nearby is not None:
                clauses.append(nearby)
        # Entries matching more of the words rank first because their clauses' scores add up.
        # Whoosh's coordination factor (`Or(scale=…)`) is not used: over the ~30 terms a query
        # expands to, its bonus is < 0.002 beside scores of 5–30; it only swaps near-ties
        # (scripts/coordination.py: nDCG@10 −0.001 on the development set, +0.004 held out).
        query = _exclude(_any(clauses), self._excluded(parsed))
        expansions = tuple(e for _, e in found)
        targets = {self.terms("body", t) for e in expansions for t in e.targets} - {()}
        return QueryPlan(
            query=query,
            expansions=expansions,
            common=tuple(CommonWord(w, share) for w, share in common.items()),
            common_only=common_only,
            missing=missing,
            highlight=highlight,
            also_highlight=frozenset(
                stems[0] for stems in targets if len(stems) == 1) - highlight,
            also_phrases=frozenset(stems for stems in targets if len(stems) > 1))

    def _named_subissues(self, words: Sequence[str]) -> Bonus | None:
        """A bonus for the entries tagged with the sub-issues the words name."""
        if self.themes is None or not words:
            return None
        keys = [subissue_key(m.theme.slug, m.subissue.slug)
                for m in self.themes.named(" ".join(words)) if m.subissue is not None]
        terms = [wq.Term("subissues", key, boost=SUBISSUE_BOOST) for key in keys]
        return Bonus(terms) if terms else None

    def direct(self, parsed: ParsedQuery) -> wq.Query | None:
        """The query without thesaurus words, to tell which matches only they found."""
        return self.plan(parsed, expand=False).query

    def direct_terms(self, parsed: ParsedQuery) -> list[Key] | None:
        """The terms whose entries are exactly what `direct` matches, or None when the query
        has quoted phrases or exclusions (then only evaluating `direct` says).

        Without thesaurus words the deciding words are the typed words that are neither common
        nor absent from the corpus (all of them when there are none such), and an entry matches
        when it has one of their own terms: a union of posting lists, no scoring needed.
        """
        if parsed.phrases or parsed.excluded:
            return None
        words = list(parsed.words)
        common = self._common(words)
        missing = set(self._missing(words, set()))
        deciding = [w for w in words if w not in common and w not in missing] or words
        return [(t.fieldname, t.text) for w in deciding for t in self._own_terms(w, self.fields)]

    def _excluded(self, parsed: ParsedQuery) -> list[wq.Query]:
        excluding = {name: 1.0 for name in EXCLUDE_FIELDS if name in self.schema}
        return [q for q in (self._word(w, excluding, parts=False) for w in parsed.excluded)
                if q is not None]

    def _shares(self, words: Sequence[str], fields: Sequence[str]) -> dict[str, float]:
        """For each word, the largest share of documents containing it in any of the fields."""
        if self.frequencies is None or not self.documents:
            return {}
        fields = tuple(fields)
        shares = {w: self._share_memo.get((w, fields)) for w in words}
        unknown = [w for w, share in shares.items() if share is None]
        if unknown:
            keys = {w: [(f, t) for f in fields if f in self.schema for t in self.terms(f, w)]
                    for w in unknown}
            counts = self.frequencies([k for found in keys.values() for k in found])
            if len(self._share_memo) >= TERM_CACHE_SIZE:
                self._share_memo.clear()  # bounded: users can type anything
            for w, found in keys.items():
                shares[w] = self._share_memo[(w, fields)] = (
                    max((counts[k] for k in found), default=0) / self.documents)
        return {w: share or 0.0 for w, share in shares.items()}

    def _common(self, words: Sequence[str]) -> dict[str, float]:
        """The typed words at least COMMON_SHARE of the documents contain, with that share."""
        shares = self._shares(words, PHRASE_FIELDS)
        return {w: round(share, 3) for w, share in shares.items() if share >= COMMON_SHARE}

    def _missing(self, words: Sequence[str], expanded: set[int]) -> tuple[str, ...]:
        """Typed words no document contains in any field, not even through a compound's parts."""
        unknown = [w for i, w in enumerate(words) if i not in expanded]
        shares = self._shares(unknown, list(self.fields))
        missing = []
        for word in unknown:
            if shares.get(word, 1.0) > 0:
                continue
            parts = (self.splitter.split(word.lower())
                     if self.splitter is not None and not self.known_word(word) else ())
            if not any(self._shares(parts, self.swedish).values()):
                missing.append(word)
        return tuple(dict.fromkeys(missing))

    def highlight_terms(self, parsed: ParsedQuery) -> frozenset[str]:
        """The stems a snippet marks: those of the typed words and phrases."""
        terms: set[str] = set()
        for word in list(parsed.words) + [w for p in parsed.phrases for w in p]:
            terms.update(self.terms("body", word))
        return frozenset(terms)


def _any(clauses: Sequence[wq.Query]) -> wq.Query:
    return clauses[0] if len(clauses) == 1 else wq.Or(list(clauses))


def _exclude(positive: wq.Query, negatives: Sequence[wq.Query]) -> wq.Query:
    return Excluding(positive, _any(negatives)) if negatives else positive
