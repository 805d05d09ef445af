"""Spelling suggestions ("Menade du …?") from the words of one index generation, held in memory.

Whoosh's corrector walks a Levenshtein automaton through the term file on disk, which costs
~65 ms a word on this index. The same automaton walked through the word list in memory finds the
same words in ~1.5 ms.
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
        """The closest other word within `maxdist` edits; of equally close ones the most frequent.

        This is the order Whoosh's corrector documents. Its current release scores every word
        within `maxdist` alike, so "kapitalgp" got the frequent "kapital" (two edits) rather
        than "kapitalgap" (one); asking it one distance at a time gives the documented order,
        and that is what the tests compare with. Of equal frequencies, like Whoosh, the word
        that sorts last.
        """
        for distance in range(1, maxdist + 1):
            dfa = Automata.levenshtein_dfa(word, distance)
            found = [w for w in Automata.find_matches(dfa, _Cursor(self.words)) if w != word]
            if found:
                return max(found, key=lambda w: (self.frequencies[w] or 1, w))
        return None


class _Cursor:
    """The two calls of a Whoosh term cursor that the automaton walk uses, over a sorted list."""

    def __init__(self, words: list[str]):
        self.words, self.at = words, 0

    def text(self) -> str | None:
        return self.words[self.at] if self.at < len(self.words) else None

    def find(self, term: str) -> None:
        self.at = bisect_left(self.words, term, self.at)  # the walk only moves forward
