"""Spelling suggestions from memory: the choices Whoosh's corrector documents, from its own walk."""

from __future__ import annotations

import random

from search.service import speller
from search.spelling import Speller

LETTERS = "abcdefghijklmnopqrstuvwxyzåäö"


def misspell(word: str, rng: random.Random) -> str:
    """One random deletion, insertion or substitution."""
    at = rng.randrange(len(word))
    letter = rng.choice(LETTERS)
    return rng.choice([word[:at] + word[at + 1:], word[:at] + letter + word[at:],
                       word[:at] + letter + word[at + 1:]])


def test_suggestions_equal_whoosh_correctors_on_the_real_index(real_snapshot):
    # Whoosh takes ~60 ms a word here, so a hundred random typos and a few known ones.
    spelling = speller(real_snapshot)
    rng = random.Random(2026)
    words = sorted(spelling.frequencies)
    typos = [misspell(w, rng) for w in rng.sample([w for w in words if len(w) >= 3], 100)]
    typos += ["kapitalgpa", "prövnigar", "innovatoinsmiljö", "forskningsinfrastrukturr", "xqzv"]
    with real_snapshot.searcher() as searcher:
        corrector = searcher.corrector("spell")
        for typo in typos:
            maxdist = 2 if len(typo) > 5 else 1
            # Whoosh's corrector asked one distance at a time: the closest words, then frequency.
            expected = next((found[0] for distance in range(1, maxdist + 1)
                             if (found := corrector.suggest(typo, limit=1, maxdist=distance))), None)
            assert spelling.suggest(typo, maxdist) == expected, typo
        assert all(spelling.knows(w) == (searcher.reader().frequency("spell", w) > 0)
                   for w in typos + words[:50])


def test_closer_words_win_then_the_most_frequent_and_ties_go_to_the_last():
    spelling = Speller({"kapital": 3, "kapitel": 9, "kapitalt": 3, "hospital": 50, "kapitalgap": 1,
                        "kapitaler": 40})
    assert spelling.suggest("kapitalgp", 2) == "kapitalgap"  # one edit, beside more frequent two-edit words
    assert spelling.suggest("kapitl", 1) == "kapitel"
    assert spelling.suggest("kapitals", 1) == "kapitalt"  # kapital and kapitalt both occur 3 times
    assert spelling.suggest("kapital", 1) == "kapitel"    # never the word itself
    assert spelling.suggest("zzz", 2) is None
