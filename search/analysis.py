"""Swedish text analysis: stemming with Snowball 3, protected acronyms and compound parts."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache

import Stemmer
from whoosh.analysis import (
    STOP_WORDS,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemmingAnalyzer,
    StopFilter,
    Token,
)
from whoosh.analysis.analyzers import Analyzer
from whoosh.lang.stopwords import stoplists

# Bump when anything below changes how text becomes terms: a stored index built with another
# version no longer matches its queries, so the app rebuilds it.
ANALYZER_VERSION = "sv-5"

# Names and acronyms that must never be stemmed (Snowball would turn RISE into "ris").
PROTECTED = frozenset({"mdr", "ivdr", "atmp", "alf", "rise", "vinnova", "sectra", "cambio",
                       "aida", "eit", "eu", "ai", "fou", "foi", "ce", "gmp", "ivd", "sme",
                       "max", "ess", "ips", "covid"})
SWEDISH_STOPWORDS = frozenset(stoplists["sv"])
# Words that never decide what a query matches: Snowball's Swedish stop words (the index drops
# them too), the English analyzer's, and the question words, auxiliaries and pronouns staff type
# when they ask a question ("hur kan regionen …", "what does Skåne …"). Quoted, they still count.
FUNCTION_WORDS = SWEDISH_STOPWORDS | STOP_WORDS | frozenset({
    "ska", "skall", "bör", "borde", "måste", "kunna", "kommer", "får", "fick", "finns",
    "gör", "görs", "göra", "vilket", "vilka", "vilken", "vart", "varifrån", "hurdan", "mer",
    "mest", "också", "även", "sig", "oss", "sina", "ens", "ni", "dom",
    "how", "what", "why", "who", "whom", "whose", "which", "where", "does", "do", "did", "done",
    "should", "could", "would", "shall", "must", "there", "their", "they", "them", "its", "has",
    "had", "been", "being", "was", "were", "about", "into", "than", "then", "so", "any", "our",
    "i", "me", "my", "he", "she", "his", "her", "what's",
})
WORD = re.compile(r"\w+(?:\.?\w+)*")
SPLIT_CACHE = 50_000  # words whose parts each splitter remembers
PRODUCTIVE_HEAD = 3  # compounds a bare head must start before it counts as a word
MIN_PART = 4  # shorter "parts" (e.g. "ens", "tid") split too many ordinary words
# Left parts that are prepositions or particles make lexicalised words, not compounds:
# "företag" is not "före" + "tag", "utveckling" is not "ut" + "veckling".
NOT_HEADS = frozenset({"före", "efter", "under", "över", "genom", "mellan", "inom", "utom",
                       "bakom", "samman", "emot", "utan", "till", "från", "med", "fram",
                       "igen", "omkring", "sedan", "eller", "också", "själv"})
# Right parts that are derivational endings, not words: "försörjning" is not "försörj" + "ning".
NOT_TAILS = frozenset({"ning", "ningen", "ningar", "ningarna", "ande", "ende", "else", "elsen",
                       "heten", "skap", "skapet", "lighet", "ligheten", "tion", "tionen",
                       "ering", "eringen", "erna", "arna", "orna", "ades", "ares", "het",
                       "ens", "are", "ade", "nde", "lig", "iga", "igt", "isk", "ell", "era", "ing", "ingar",
                       "ingarna", "ingen", "aste", "arens", "ness"})


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    stemmed: str = _STEMMER.stemWord(word)
    return stemmed


_STEMMER = Stemmer.Stemmer("swedish")


def stem(word: str, keep: frozenset[str] = PROTECTED) -> str:
    """Return the Swedish stem of a lower-case word, leaving protected words whole."""
    return word if word in keep else _stem(word)


class SwedishStemFilter(Filter):
    """Stem lower-cased tokens with Snowball 3 Swedish, skipping protected words."""

    is_morph = True

    def __init__(self, keep: Iterable[str] = PROTECTED):
        self.keep = frozenset(keep)

    def __call__(self, tokens: Iterable[Token], **kwargs: object) -> Iterator[Token]:  # type: ignore[override]
        # Whoosh types a filter's input as Any at the root of its class tree and as tokens in
        # Filter; a filter receives tokens.
        keep = self.keep
        for token in tokens:
            if not token.stopped:
                text = token.text
                token.text = text if text in keep else _stem(text)
            yield token


def swedish_analyzer(keep: Iterable[str] = PROTECTED) -> Analyzer:
    """Return the analyzer for Swedish text fields: tokenize, lower-case, drop stop words, stem."""
    return (RegexTokenizer() | LowercaseFilter()
            | StopFilter(stoplist=SWEDISH_STOPWORDS, minsize=1)
            | SwedishStemFilter(keep))


def english_analyzer() -> Analyzer:
    """Return the analyzer for the English titles, summaries and theme labels."""
    return StemmingAnalyzer()


def spelling_analyzer() -> Analyzer:
    """Return the analyzer of the unstemmed field the spelling corrector draws words from."""
    return RegexTokenizer() | LowercaseFilter() | StopFilter(stoplist=SWEDISH_STOPWORDS, minsize=3)


def is_function_word(word: str) -> bool:
    """Whether a typed word only binds the sentence ("hur", "från", "the"); acronyms never do."""
    return word.lower() in FUNCTION_WORDS and not (word.isupper() and len(word) > 1)


def words(text: str) -> list[str]:
    """Split text into lower-case words the way the tokenizer does."""
    return [w.lower() for w in WORD.findall(text)]


def detect_acronyms(texts: Iterable[str]) -> frozenset[str]:
    """Find acronyms in a corpus: short all-caps words that (almost) never occur in lower case."""
    upper: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for text in texts:
        for word in WORD.findall(text):
            if word.isupper() and 2 <= len(word) <= 6 and word.isalpha():
                upper[word.lower()] += 1
            elif word.islower():
                lower[word] += 1
    return frozenset(w for w, n in upper.items() if lower[w] * 4 < n and w not in SWEDISH_STOPWORDS)


class CompoundSplitter:
    """Split Swedish compounds into parts that occur as words of their own in the corpus.

    A word is split only where both sides are known words (the left side also with a linking
    "s"); of several possible splits the one whose parts are most common wins (Koehn & Knight's
    frequency heuristic).
    """

    def __init__(self, counts: Counter[str]):
        self.counts = counts
        self.stem_counts: Counter[str] = Counter()
        for word, n in counts.items():
            self.stem_counts[_stem(word)] += n
        # Query words pass through here too, so the memo is bounded: users can type anything.
        self.split = lru_cache(maxsize=SPLIT_CACHE)(self._split)
        # Heads that start several compounds with known tails count as words even when the
        # corpus never uses them alone ("ägar-": ägarkapital, ägarmål, ägarinvesteringar).
        self.heads: Counter[str] = Counter()
        for word in counts:
            for i in range(MIN_PART, len(word) - MIN_PART + 1):
                tail = word[i:]
                if tail in counts and tail not in NOT_TAILS:
                    self.heads[word[:i]] += 1

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> CompoundSplitter:
        """Build a splitter from the words of a corpus."""
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(w for w in words(text) if w.isalpha())
        return cls(counts)

    def _known_head(self, head: str) -> int:
        # Left parts must be words seen on their own; bare stems ("utman|ingar") are not.
        if len(head) < MIN_PART or head in NOT_HEADS:
            return 0
        found = self.counts.get(head, 0)
        if not found and head.endswith("s") and len(head) > MIN_PART:
            found = self.counts.get(head[:-1], 0)
        if not found:
            # Heads often drop a final vowel: "skol|miljö" from "skola".
            found = self.counts.get(head + "e", 0) or self.counts.get(head + "a", 0)
        if not found and self.heads.get(head, 0) >= PRODUCTIVE_HEAD:
            found = self.heads[head]
        return found

    def _known_tail(self, tail: str) -> int:
        if tail in NOT_TAILS or len(tail) < MIN_PART - 1:
            return 0
        if len(tail) < MIN_PART:
            # Short right parts ("gap", "bas") only when they are words of their own here.
            return self.counts.get(tail, 0) if self.counts.get(tail, 0) >= 2 else 0
        return self.counts.get(tail, 0) or self.stem_counts.get(_stem(tail), 0)

    def _split(self, word: str) -> tuple[str, ...]:
        """Return the word's compound parts (lower-case, unstemmed), or () if it is not one."""
        best: tuple[float, str, str] | None = None
        if len(word) >= 2 * MIN_PART - 1 and word.isalpha():
            for i in range(MIN_PART, len(word) - MIN_PART + 2):
                head, tail = word[:i], word[i:]
                head_n, tail_n = self._known_head(head), self._known_tail(tail)
                if not tail_n:
                    tail_n = 1 if self.split(tail) else 0
                if head_n and tail_n:
                    score = math.sqrt(head_n * tail_n)
                    if best is None or score > best[0]:
                        best = (score, head, tail)
        parts: tuple[str, ...] = ()
        if best is not None:
            _, head, tail = best
            if head.endswith("s") and head not in self.counts and head[:-1] in self.counts:
                head = head[:-1]  # drop the linking s: "forsknings|infrastruktur"
            parts = (head, tail) + self.split(tail)
        return parts

    def parts_text(self, text: str) -> str:
        """Return the compound parts of every word in a text, space-separated, for the parts field."""
        out: list[str] = []
        for word in words(text):
            out.extend(self.split(word))
        return " ".join(out)
