"""Spelling suggestions ("Menade du …?") from the words of one index generation, held in memory.

Whoosh's corrector walks a Levenshtein automaton through the term file on disk, which costs
~80 ms a word on this index. The same automaton walked through the word list in memory makes the
same suggestions in a few milliseconds.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any, Mapping

from whoosh.codec.base import Automata


class Speller:
    """A generation's correctly spelt words with how often each occurs."""

    def __init__(self, frequencies: Mapping[str, int]):
        self.frequencies = dict(frequencies)
        self.words = sorted(self.frequencies)

    @classmethod
    def from_reader(cls, reader: Any, fieldname: str) -> "Speller":
        """Read a field's terms and their total frequencies (the field's analyzer spells them)."""
        return cls({text.decode("utf-8"): info.weight() for text, info in reader.iter_field(fieldname)})

    def knows(self, word: str) -> bool:
        return word in self.frequencies

    def suggest(self, word: str, maxdist: int) -> str | None:
        """The most frequent other word within `maxdist` edits, as Whoosh's corrector picks it.

        Whoosh scores every word within the distance alike apart from its frequency, and of
        equal scores keeps the one that sorts last; so does this.
        """
        dfa = Automata.levenshtein_dfa(word, maxdist)
        found = [w for w in Automata.find_matches(dfa, _Cursor(self.words)) if w != word]
        return max(found, key=lambda w: (self.frequencies[w] or 1, w)) if found else None


class _Cursor:
    """The two calls of a Whoosh term cursor that the automaton walk uses, over a sorted list."""

    def __init__(self, words: list[str]):
        self.words, self.at = words, 0

    def text(self) -> str | None:
        return self.words[self.at] if self.at < len(self.words) else None

    def find(self, term: str) -> None:
        self.at = bisect_left(self.words, term, self.at)  # the walk only moves forward
