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
        self.themes = vocab.ordered_themes()
        # Each name as (theme's position, name's position, stems, sub-issue), found through any
        # of its stems.
        self.by_stem: dict[str, list[tuple[int, int, frozenset[str], SubIssue | None]]] = {}
        for position, theme in enumerate(self.themes):
            for order, (name, sub) in enumerate(_names(theme)):
                stems = _stems(name)
                for one in stems:
                    self.by_stem.setdefault(one, []).append((position, order, stems, sub))

    def named(self, text: str, whole: bool = False) -> list[ThemeMatch]:
        """Themes (core first) one of whose names the text contains; `whole`: the text is the name.

        Only the themes whose name covers the most of the text count: "regulatoriskt stöd"
        names Regulatory support, not every theme with "stöd" among its terms. A theme named by
        its own label or a term comes without a sub-issue; otherwise with the sub-issue the
        text names.
        """
        wanted = _stems(text)
        named: dict[int, dict[int, tuple[int, SubIssue | None]]] = {}
        for one in wanted:
            for position, order, stems, sub in self.by_stem.get(one, ()):
                if stems == wanted if whole else stems <= wanted:
                    named.setdefault(position, {})[order] = (len(stems), sub)
        found: list[tuple[int, ThemeMatch]] = []
        for position in sorted(named):
            names = [named[position][order] for order in sorted(named[position])]
            cover = max(n for n, _ in names)
            best = [sub for n, sub in names if n == cover]
            found.append((cover, ThemeMatch(self.themes[position],
                                            None if None in best else best[0])))
        most = max((cover for cover, _ in found), default=0)
        return [match for cover, match in found if cover == most]
