"""The content model: an entry, the vocabularies it uses, and problems located in files.

Every field of an entry is listed once, here: parsing front matter, writing drafts, storing a
generation's entries and the JSON API all work from `Entry`'s fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import ClassVar

from pydantic import ConfigDict


def _pick(sv: str, en: str, lang: str) -> str:
    return en if lang == "en" and en else sv


# The fields search indexes as text, and in which language (the index's text fields).
SEARCHED_SV: Mapping[str, str] = {"searched": "sv"}
SEARCHED_EN: Mapping[str, str] = {"searched": "en"}


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One citable statement from a report: a finding, a challenge or a recommendation."""

    id: str
    title: str = field(metadata=SEARCHED_SV)
    title_en: str = field(metadata=SEARCHED_EN)
    kind: str
    source: str
    region: str
    section: str
    page: int | None = None
    themes: tuple[str, ...]
    # For each theme of the entry that has them, the sub-issues it addresses.
    subissues: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    summary: str = field(metadata=SEARCHED_SV)
    summary_en: str = field(metadata=SEARCHED_EN)
    addressees: tuple[str, ...] = ()
    status: str
    body: str = field(metadata=SEARCHED_SV)

    def title_in(self, lang: str) -> str:
        return _pick(self.title, self.title_en, lang)

    def summary_in(self, lang: str) -> str:
        return _pick(self.summary, self.summary_en, lang)

    @staticmethod
    def searched_fields() -> dict[str, str]:
        """The text fields search indexes, with their language: {"title": "sv", …}."""
        return {f.name: f.metadata["searched"] for f in fields(Entry) if "searched" in f.metadata}

    def subissues_of(self, theme: str) -> tuple[str, ...]:
        """The sub-issues of one theme this entry addresses (empty when none fits)."""
        return tuple(self.subissues.get(theme, ()))


# A typo in a vocabulary key is an error; `date: 2020` is read as the text "2020".
Vocab: ConfigDict = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


@dataclass(frozen=True, kw_only=True)
class SubIssue:
    """A question within a theme that regions can be compared on."""

    __pydantic_config__: ClassVar[ConfigDict] = Vocab
    slug: str
    label_sv: str
    label_en: str
    scope_sv: str
    scope_en: str

    def label(self, lang: str) -> str:
        return _pick(self.label_sv, self.label_en, lang)

    def scope(self, lang: str) -> str:
        return _pick(self.scope_sv, self.scope_en, lang)


@dataclass(frozen=True, kw_only=True)
class Theme:
    """A theme entries are tagged with, its signal terms and its sub-issues."""

    __pydantic_config__: ClassVar[ConfigDict] = Vocab
    slug: str
    label_sv: str
    label_en: str
    core: bool = False
    scope_sv: str
    scope_en: str
    terms_sv: tuple[str, ...] = ()
    terms_en: tuple[str, ...] = ()
    subissues: tuple[SubIssue, ...] = ()

    def label(self, lang: str) -> str:
        return _pick(self.label_sv, self.label_en, lang)

    def scope(self, lang: str) -> str:
        return _pick(self.scope_sv, self.scope_en, lang)

    def subissue(self, slug: str) -> SubIssue | None:
        return next((s for s in self.subissues if s.slug == slug), None)


@dataclass(frozen=True, kw_only=True)
class Source:
    """A report the entries quote."""

    __pydantic_config__: ClassVar[ConfigDict] = Vocab
    slug: str
    title: str
    title_en: str = ""
    short: str = ""
    publisher: str = ""
    author: str = ""
    date: str = ""
    year: int | None = None
    region: str
    doc_type: str
    language: str = "sv"
    url: str | None = None
    text: str | None = None  # the extracted text kept in content/sources/

    @property
    def short_title(self) -> str:
        return self.short or self.title

    @property
    def year_text(self) -> str:
        """The year as text ('' when unknown)."""
        year = self.year or self.date[:4]
        return str(year) if year else ""


@dataclass(frozen=True, kw_only=True)
class Region:
    """A region (or the national level) that reports can be held for."""

    __pydantic_config__: ClassVar[ConfigDict] = Vocab
    slug: str
    name: str
    name_en: str = ""
    kind: str = ""

    def name_in(self, lang: str) -> str:
        return _pick(self.name, self.name_en, lang)


@dataclass(frozen=True, kw_only=True)
class Addressee:
    """Who a recommendation asks to act."""

    __pydantic_config__: ClassVar[ConfigDict] = Vocab
    slug: str
    label_sv: str
    label_en: str

    def label(self, lang: str) -> str:
        return _pick(self.label_sv, self.label_en, lang)


def subissue_key(theme: str, subissue: str) -> str:
    """A sub-issue's key across themes ("capital-gap--early-stage-capital"): index term and anchor."""
    return f"{theme}--{subissue}"


@dataclass(frozen=True)
class Relation:
    """A thesaurus relation: a query naming one of `terms` also finds entries using `targets`.

    `lang` is the language the terms are typed in; targets are always Swedish, the reports'
    words. A two-way group is one relation whose terms and targets are the same words.
    """

    lang: str  # "sv" or "en"
    terms: tuple[str, ...]
    targets: tuple[str, ...]
    two_way: bool = False

    def targets_of(self, term: str) -> tuple[str, ...]:
        """What a query naming `term` also finds (in a two-way group: the other members)."""
        return tuple(t for t in self.targets if t != term) if self.two_way else self.targets


@dataclass(frozen=True)
class Vocabulary:
    """The slugs entries may use, with their labels, from content/*.yaml."""

    sources: Mapping[str, Source]
    regions: Mapping[str, Region]
    themes: Mapping[str, Theme]
    addressees: Mapping[str, Addressee] = field(default_factory=dict)
    thesaurus: tuple[Relation, ...] = ()

    def core_themes(self) -> list[Theme]:
        """The themes the comparison is built around (`core: true`), in file order."""
        return [theme for theme in self.themes.values() if theme.core]

    def ordered_themes(self) -> list[Theme]:
        """Every theme, the core ones first, each group in file order."""
        return self.core_themes() + [t for t in self.themes.values() if not t.core]

    def sources_of(self, region: str) -> list[Source]:
        """The sources held for a region, in file order."""
        return [source for source in self.sources.values() if source.region == region]

    def regions_with_sources(self) -> list[Region]:
        """Regions (file order) for which at least one report is held."""
        held = {source.region for source in self.sources.values()}
        return [region for slug, region in self.regions.items() if slug in held]

    def region(self, slug: str) -> Region:
        """A region, or a stand-in named by its slug when the vocabulary lacks it."""
        return self.regions.get(slug) or Region(slug=slug, name=slug)


@dataclass(frozen=True)
class Problem:
    """A validation problem, located by file, line and field."""

    path: str
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}"


class ContentError(Exception):
    """Content that cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
