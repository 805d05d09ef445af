"""Query stage: turn what a user types into a Whoosh query and return plain result data."""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from whoosh import query as wq

from kb.content.model import Entry
from search.whoosh_queries import Bonus, Excluding, FieldMax
from search.ranking import rank
from search.generations import Snapshot
from search.snippets import make_snippet
from search.spelling import Speller

MAX_QUERY_CHARS = 500
MAX_WORDS = 24
TERM_CACHE_SIZE = 20000  # analysed (field, word) pairs kept per generation
FACET_FIELDS = {"kind": "kind", "region": "region", "source": "source", "theme": "themes"}
# How much a match in each field counts. Titles and summaries state what the entry is about;
# compound parts and theme vocabulary widen recall but must rank below exact matches.
FIELD_BOOSTS = {
    "title": 2.0, "summary": 1.5, "body": 1.0, "title_en": 1.6, "summary_en": 1.2,
    "parts": 0.35, "themes_sv": 0.25, "themes_en": 0.5,
}
PART_WEIGHT = 0.15  # a match on a part of a typed compound, relative to the whole word
SYNONYM_WEIGHT = 0.7  # a match on a synonym (synonyms.yaml), relative to the word typed
# Exclusions (`-ai`) apply to what the entry says, not to its theme vocabulary.
EXCLUDE_FIELDS = {name: 1.0 for name in ("title", "summary", "body", "title_en", "summary_en")}

PHRASE_FIELDS = ("title", "summary", "body", "title_en", "summary_en")
# Unquoted words that stand together in a text, or together name a theme ("capital gap",
# "kliniska prövningar"), earn a bonus; naming a theme's label or term is strong evidence.
NEARBY_BOOSTS = {**{name: FIELD_BOOSTS[name] * 0.5 for name in PHRASE_FIELDS},
                 "themes_sv": 1.5, "themes_en": 1.5}
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

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.phrases)


@dataclass
class SearchRequest:
    """A search: the query text, facet filters chosen by clicking, and the page wanted."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    page_size: int = 10  # 0 returns every match on one page (comparison, export)


def clean_text(text: str) -> str:
    """Drop control characters and cap the length, so no input can upset the parser."""
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text[:MAX_QUERY_CHARS]


def slugify(value: str) -> str:
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
    for match in TOKEN.finditer(clean_text(text)):
        neg = bool(match.group("neg")) or negate_next
        negate_next = False
        name, phrase, word = match.group("field"), match.group("phrase"), match.group("word")
        if name and name.lower() in FILTER_ALIASES and (word or phrase):
            facet = FILTER_ALIASES[name.lower()]
            value = slugify(word or phrase or "")
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
    return ParsedQuery(tuple(words[:MAX_WORDS]), tuple(phrases[:MAX_WORDS // 4]),
                       tuple(excluded[:MAX_WORDS]),
                       {k: tuple(dict.fromkeys(v)) for k, v in filters.items()})


def _terms(schema: Any, fieldname: str, text: str) -> tuple[str, ...]:
    """The index terms a word becomes in a field, remembered on the generation's schema.

    Whoosh schemas cannot be hashed, and each generation has its own (its protected words
    differ), so the cache lives on the schema object itself.
    """
    cache = schema.__dict__.setdefault("_query_terms", {})
    found = cache.get((fieldname, text))
    if found is None:
        if len(cache) >= TERM_CACHE_SIZE:
            cache.clear()
        analyzer = schema[fieldname].analyzer
        found = cache[(fieldname, text)] = tuple(t.text for t in analyzer(text, mode="query"))
    return found


def known_word(schema: Any, word: str, splitter: Any) -> bool:
    """Tell whether the corpus has the word itself (by stem), so its parts are not needed."""
    stems = _terms(schema, "body", word)
    return bool(stems) and splitter.stem_counts.get(stems[0], 0) > 0


def synonym_map(snapshot: Snapshot) -> dict[str, tuple[str, ...]]:
    """Map the stem of each one-word synonym to the other members of its group (per generation)."""
    return snapshot.remember("synonyms", lambda: _synonym_map(snapshot))


def _synonym_map(snapshot: Snapshot) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for group in snapshot.vocab.synonyms:
        for member in group:
            stems = _terms(snapshot.schema, "body", member)
            if len(stems) == 1:
                others = tuple(m for m in group if m != member)
                found[stems[0]] = tuple(dict.fromkeys(found.get(stems[0], ()) + others))
    return found


def _synonym_queries(schema: Any, word: str, synonyms: Mapping[str, tuple[str, ...]]) -> list[wq.Query]:
    """Alternatives for a word from the synonym table: words as terms, phrases as phrases."""
    stems = _terms(schema, "body", word)
    if len(stems) != 1 or stems[0] not in synonyms:
        return []
    found: list[wq.Query] = []
    for member in synonyms[stems[0]]:
        words = re.findall(r"\w+", member)
        if len(words) == 1:
            for fieldname in ("title", "summary", "body", "parts"):
                for term in _terms(schema, fieldname, member):
                    found.append(wq.Term(fieldname, term, boost=FIELD_BOOSTS[fieldname] * SYNONYM_WEIGHT))
        else:
            phrase = _phrase_query(schema, words, boost=SYNONYM_WEIGHT)
            if phrase is not None:
                found.append(phrase)
    return found


def _word_query(schema: Any, word: str, fields: Mapping[str, float] = FIELD_BOOSTS,
                splitter: Any = None, synonyms: Mapping[str, tuple[str, ...]] | None = None
                ) -> wq.Query | None:
    """One word across all text fields: the best field counts fully, the others a little.

    A compound that no entry uses as typed ("cellterapiområdet") reaches entries that use its
    parts, at a fraction of the weight; a compound the corpus knows ("riskkapital") is searched
    as itself, so it does not drag in every entry that says "kapital".
    """
    alternatives = []
    for fieldname, boost in fields.items():
        for term in _terms(schema, fieldname, word):
            alternatives.append(wq.Term(fieldname, term, boost=boost))
    if splitter is not None and not known_word(schema, word, splitter):
        for part in dict.fromkeys(splitter.split(word.lower())):
            for fieldname in ("title", "summary", "body", "parts"):
                for term in _terms(schema, fieldname, part):
                    alternatives.append(wq.Term(fieldname, term, boost=FIELD_BOOSTS[fieldname] * PART_WEIGHT))
    if synonyms:
        alternatives.extend(_synonym_queries(schema, word, synonyms))
    return FieldMax(alternatives, tiebreak=0.2) if alternatives else None


def _phrase_query(schema: Any, words: Sequence[str], boost: float = 1.5,
                  fields: Mapping[str, float] | None = None, kind: type = FieldMax) -> wq.Query | None:
    fields = fields or {name: FIELD_BOOSTS[name] * boost for name in PHRASE_FIELDS}
    alternatives = []
    for fieldname, field_boost in fields.items():
        terms = [t for w in words for t in _terms(schema, fieldname, w)]
        if len(terms) > 1:
            alternatives.append(wq.Phrase(fieldname, terms, boost=field_boost))
    return kind(alternatives) if alternatives else None


def build_query(schema: Any, parsed: ParsedQuery, splitter: Any = None,
                synonyms: Mapping[str, tuple[str, ...]] | None = None) -> wq.Query | None:
    """Build the scoring query: any word may match, and matching more of them ranks higher."""
    clauses = [q for q in (_word_query(schema, w, splitter=splitter, synonyms=synonyms)
                           for w in parsed.words) if q is not None]
    clauses += [q for q in (_phrase_query(schema, p) for p in parsed.phrases) if q is not None]
    if not clauses:
        return None
    if 2 <= len(parsed.words) <= 4:
        # Words typed next to each other that also stand together in a title or passage
        # ("capital gap", "kliniska prövningar") rank above scattered matches.
        nearby = _phrase_query(schema, parsed.words, fields=NEARBY_BOOSTS, kind=Bonus)
        if nearby is not None:
            clauses.append(nearby)
    # Entries matching more of the words rank first because their clauses' scores add up.
    # Whoosh's coordination factor (`Or(scale=…)`) is not used: over the ~30 terms a query
    # expands to, its bonus is < 0.002 beside scores of 5–30; it only swaps near-ties
    # (scripts/coordination.py: nDCG@10 −0.001 on the development set, +0.004 held out).
    positive = clauses[0] if len(clauses) == 1 else wq.Or(clauses)
    negatives = [q for q in (_word_query(schema, w, EXCLUDE_FIELDS) for w in parsed.excluded)
                 if q is not None]
    return Excluding(positive, wq.Or(negatives)) if negatives else positive


def merge_filters(*sources: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Combine facet filters from the URL and from the query text, without duplicates."""
    merged: dict[str, list[str]] = {}
    for source in sources:
        for facet, values in source.items():
            if facet in FACET_FIELDS:
                for value in values:
                    value = str(value)
                    if value and value not in merged.setdefault(facet, []):
                        merged[facet].append(value)
    return {k: v for k, v in merged.items() if v}


def _hit(entry: Entry, score: float | None, snippet: str) -> dict[str, Any]:
    return {
        "id": entry.id, "title": entry.title, "title_en": entry.title_en, "kind": entry.kind,
        "region": entry.region, "source": entry.source, "section": entry.section,
        "page": entry.page, "themes": list(entry.themes),
        "summary": entry.summary, "summary_en": entry.summary_en,
        "snippet": snippet, "score": round(score, 4) if score is not None else None,
    }


def _protected(schema: Any) -> frozenset[str]:
    """The words the index keeps unstemmed (acronyms found in the corpus included)."""
    for item in schema["body"].analyzer.items:
        if hasattr(item, "keep"):
            return item.keep
    return frozenset()


def _highlight_terms(schema: Any, parsed: ParsedQuery) -> frozenset[str]:
    terms = set()
    for word in list(parsed.words) + [w for p in parsed.phrases for w in p]:
        terms.update(_terms(schema, "body", word))
    return frozenset(terms)


def search(snapshot: Snapshot, request: SearchRequest) -> dict[str, Any]:
    """Run a search and return plain data: hits with snippets, facet counts, paging, suggestion."""
    parsed = parse_query(request.q)
    filters = merge_filters(request.filters, parsed.filters)
    schema = snapshot.schema
    scoring = build_query(schema, parsed, snapshot.splitter, synonym_map(snapshot))
    browse = scoring is None
    every = request.page_size == 0
    page_size = max(1, min(int(request.page_size), 100)) if not every else 0
    allowed = allowed_docnums(snapshot, filters)
    requested = max(1, int(request.page or 1))
    if browse:  # no words: every entry the filters allow, in document order
        scores = {d: 0.0 for d in snapshot.by_docnum if allowed is None or d in allowed}
    else:
        # Up to the requested page; past the last page, the last page is shown (phrase
        # bonuses are then checked for every match).
        scores = rank(scoring, snapshot.postings, top=None if every else requested * page_size,
                      allowed=allowed)
    total = len(scores)
    pages = 1 if every else max(1, math.ceil(total / page_size))
    page = min(requested, pages)
    if browse:
        ordered = list(scores)
    else:  # best first; equal scores in document order, as Whoosh sorts them
        wanted = total if every else page * page_size
        ordered = [d for d, _ in heapq.nsmallest(wanted, scores.items(), key=_best_first)]
    window = ordered if every else ordered[(page - 1) * page_size: page * page_size]
    highlight = _highlight_terms(schema, parsed)
    keep = _protected(schema)
    hits = [_hit(snapshot.by_docnum[d], None if browse else scores[d],
                 make_snippet(snapshot.by_docnum[d].body, highlight, keep)) for d in window]
    suggestion = None
    if not browse and total < 3 and parsed.words:
        suggestion = suggest(snapshot, parsed, request.q, allowed, total)
    return {
        "query": request.q, "parsed": {"words": list(parsed.words),
                                       "phrases": [" ".join(p) for p in parsed.phrases],
                                       "excluded": list(parsed.excluded)},
        "filters": filters, "total": total, "page": page, "pages": pages,
        "page_size": page_size, "hits": hits, "facets": count_facets(snapshot, scores),
        "suggestion": suggestion,
    }


def _best_first(item: tuple[int, float]) -> tuple[float, int]:
    return -item[1], item[0]


def allowed_docnums(snapshot: Snapshot, filters: Mapping[str, Iterable[str]]) -> set[int] | None:
    """Entries the facet filters let through: values of one facet are alternatives, facets all apply."""
    index = snapshot.facet_docs
    allowed: set[int] | None = None
    for facet, values in filters.items():
        values = [v for v in values if v]
        if facet not in index or not values:
            continue
        docs = set().union(*(index[facet].get(v, frozenset()) for v in values))
        allowed = docs if allowed is None else allowed & docs
    return allowed


def count_facets(snapshot: Snapshot, docnums: Iterable[int]) -> dict[str, list[tuple[str, int]]]:
    """Count kind, region, source and theme over all matches (an entry counts once per theme)."""
    matched = docnums if isinstance(docnums, (set, frozenset)) else set(docnums)
    counts = {}
    for name, values in snapshot.facet_docs.items():
        # One set intersection per facet value runs in C; a loop over 10 000 matches does not.
        found = [(value, len(matched & docs)) for value, docs in values.items()]
        counts[name] = sorted(((v, n) for v, n in found if n), key=lambda kv: (-kv[1], kv[0]))
    return counts


def speller(snapshot: Snapshot) -> Speller:
    """The generation's spelling words, read once per worker on the first misspelt query."""
    def read() -> Speller:
        with snapshot.searcher() as searcher:
            return Speller.from_reader(searcher.reader(), "spell")
    return snapshot.remember("speller", read)


def suggest(snapshot: Snapshot, parsed: ParsedQuery, text: str,
            allowed: set[int] | None, found: int) -> str | None:
    """Offer a corrected query ("Menade du …?") when it would find more than the original."""
    replacements = {}
    spelling = speller(snapshot)
    for word in parsed.words:
        lower = word.lower()
        if len(lower) < 3 or spelling.knows(lower):
            continue
        better = spelling.suggest(lower, maxdist=2 if len(lower) > 5 else 1)
        if better:
            replacements[word] = better
    if not replacements:
        return None
    corrected = text
    for word, better in replacements.items():
        corrected = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", better, corrected)
    better_query = build_query(snapshot.schema, parse_query(corrected))
    if better_query is None:
        return None
    count = len(rank(better_query, snapshot.postings, allowed=allowed))
    return corrected if count > found else None


def more_like_this(snapshot: Snapshot, entry_id: str, limit: int = 5,
                   other_regions: bool = True) -> list[dict[str, Any]]:
    """Entries on the same themes, most similar text first; optionally from other regions only."""
    if entry_id not in snapshot.entries:
        return []  # before the memo: ids typed into URLs must not grow it
    related = snapshot.remember(("related", entry_id, limit, other_regions),
                                lambda: _more_like_this(snapshot, entry_id, limit, other_regions))
    return [dict(hit) for hit in related]


def _more_like_this(snapshot: Snapshot, entry_id: str, limit: int,
                    other_regions: bool) -> list[dict[str, Any]]:
    entry = snapshot.entries.get(entry_id)
    if entry is None:
        return []
    themes = wq.Or([wq.Term("themes", t) for t in entry.themes])
    constraint = wq.And([themes, wq.Not(wq.Term("region", entry.region))]) if other_regions else themes
    with snapshot.searcher() as searcher:
        docnum = searcher.document_number(id=entry_id)
        similar = searcher.more_like(docnum, "body", text=f"{entry.title} {entry.summary} {entry.body}",
                                     top=limit, numterms=12, filter=constraint)
        found = [_hit(snapshot.by_docnum[h.docnum], h.score, "") for h in similar
                 if h.docnum != docnum]
    if len(found) < limit:
        # Too little shared vocabulary: fill with the entries sharing most themes.
        seen = {h["id"] for h in found} | {entry_id}
        rest = sorted((e for e in snapshot.entries.values()
                       if e.id not in seen and set(e.themes) & set(entry.themes)
                       and (not other_regions or e.region != entry.region)),
                      key=lambda e: -len(set(e.themes) & set(entry.themes)))
        found.extend(_hit(other, None, "") for other in rest[: limit - len(found)])
    return found
