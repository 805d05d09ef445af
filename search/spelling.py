"""Spelling suggestions ("Menade du …?") from the words of one index generation, held in memory.

Whoosh's reader corrector walks a Levenshtein automaton through the term file on disk, ~65 ms a
word on this index. Its `ListCorrector` walks the same automaton through a sorted word list in
memory, ~1.5 ms.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from whoosh.spelling import ListCorrector

EVERY = 10_000  # suggestions asked of the corrector: all words within the distance


class Speller:
    """A generation's correctly spelt words with how often each occurs."""

    def __init__(self, frequencies: Mapping[str, int]):
        self.frequencies = dict(frequencies)
        self.corrector = ListCorrector(sorted(self.frequencies))

    @classmethod
    def from_reader(cls, reader: Any, fieldname: str) -> Speller:
        """Read a field's terms and their total frequencies (the field's analyzer spells them)."""
        return cls({text.decode("utf-8"): info.weight() for text, info in reader.iter_field(fieldname)})

    def knows(self, word: str) -> bool:
        return word in self.frequencies

    def suggest(self, word: str, maxdist: int) -> str | None:
        """The closest other word within `maxdist` edits; of equally close ones the most frequent.

        This is the order Whoosh's corrector documents. Its current release scores every word
        within `maxdist` alike, so "kapitalgp" got the frequent "kapital" (two edits) rather
        than "kapitalgap" (one); asking it one distance at a time gives the documented order,
        and that is what the tests compare with. Of equal frequencies, the word that sorts last.
        """
        for distance in range(1, maxdist + 1):
            found = self.corrector.suggest(word, limit=EVERY, maxdist=distance)
            if found:
                return max(found, key=lambda w: (self.frequencies[w] or 1, w))
        return None
