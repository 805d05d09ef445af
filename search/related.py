"""Themes a query names: by a theme's label, a signal term or one of its sub-issues' labels.

The search page offers the theme page and the comparison on a theme the query names; the
comparison offers a theme when its free text is exactly a theme's name. Names and queries are
compared as Swedish stems of their content words, so inflections and "och" do not matter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kb.content.model import SubIssue, Theme, Vocabulary
from search.analysis import is_function_word, stem, words

MAX_RELATED = 2  # themes offered above a search's hits


@dataclass(frozen=True)
class ThemeMatch:
    """A theme a query names, and the sub-issue when it was a sub-issue's label."""

    theme: Theme
    subissue: SubIssue | None = None


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(text) if not is_function_word(w))


def _names(theme: Theme) -> Iterable[tuple[str, SubIssue | None]]:
    for name in (theme.label_sv, theme.label_en, *theme.terms_sv, *theme.terms_en):
        yield name, None
    for sub in theme.subissues:
        yield sub.label_sv, sub
        yield sub.label_en, sub


class ThemeNames:
    """Every theme's names as stems, worked out once per vocabulary (a generation)."""

    def __init__(self, vocab: Vocabulary):
        self.names = [(theme, [(stems, sub) for name, sub in _names(theme) if (stems := _stems(name))])
                      for theme in vocab.ordered_themes()]
        self.stems = frozenset(s for _, names in self.names for stems, _ in names for s in stems)

    def named(self, text: str, whole: bool = False) -> list[ThemeMatch]:
        """Themes (core first) one of whose names the text contains; `whole`: the text is the name.

        Only the themes whose name covers the most of the text count: "regulatoriskt stöd"
        names Regulatory support, not every theme with "stöd" among its terms. A theme named by
        its own label or a term comes without a sub-issue; otherwise with the sub-issue the
        text names.
        """
        wanted = _stems(text)
        if not wanted or not wanted & self.stems:  # most queries name no theme at all
            return []
        found: list[tuple[int, ThemeMatch]] = []
        for theme, names in self.names:
            named = [(len(stems), sub) for stems, sub in names
                     if (stems == wanted if whole else stems <= wanted)]
            if named:
                cover = max(n for n, _ in named)
                best = [sub for n, sub in named if n == cover]
                found.append((cover, ThemeMatch(theme, None if None in best else best[0])))
        most = max((cover for cover, _ in found), default=0)
        return [match for cover, match in found if cover == most]
