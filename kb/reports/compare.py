"""The comparison: what each region's reports say on one topic, aligned by sub-issue.

Rows are sub-issues, columns regions. For a theme, the rows are the theme's sub-issues (and a
row for its entries that fit none, when there are any); for free text, the sub-issues the
matched entries carry. Each cell holds the region's entries on that sub-issue, counted by kind.
A summary is generated from the grid: which sub-issues every region with a report addresses,
which only one raises, where some recommend and others only describe a challenge.

Honesty about absence: a region for which no report is held is "no-report"; a region whose
entries do not match at all is "nothing-found"; for free text, a region whose entries match only
below the score cut is "weaker-only" (with their number, and shown on request), and one whose
matches are all of kinds not chosen is "other-kinds". Nothing is ever dropped silently.

Free-text rule (MIN_RELATIVE_SCORE): the topic is searched over the whole knowledge base, and a
match is shown when its score is at least MIN_RELATIVE_SCORE × the best match's score. Weak
matches (found only through a theme's vocabulary, or one passing mention) would otherwise fill
every column; because the best score is taken over all regions and kinds, which columns or kinds
are chosen never changes what a column holds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kb.content.codes import KINDS
from kb.content.model import Entry, Region, Source, SubIssue, Theme, Vocabulary, subissue_key
from kb.i18n import NP_, join_names, quoted, translator
from kb.reports.citation import CitedEntry, cite
from search.generations import Snapshot
from search.service import SearchRequest, search, theme_names

MIN_RELATIVE_SCORE = 0.2

FOUND, WEAKER, OTHER_KINDS, NOTHING, NO_REPORT = (
    "found", "weaker-only", "other-kinds", "nothing-found", "no-report")
CLAIMS = ("everyone", "recommends-where-others-describe", "only-one", "nobody-recommends")
OTHER = "other"  # the row key part for a theme's entries that fit none of its sub-issues


class CompareError(ValueError):
    """A comparison request naming something the knowledge base does not know."""

    def __init__(self, param: str, value: str, message: str):
        self.param, self.value = param, value
        super().__init__(message)


@dataclass
class CompareRequest:
    """What to compare: a theme and/or free text, which regions (columns) and which kinds."""

    theme: str = ""
    q: str = ""
    regions: list[str] = field(default_factory=list)  # empty: every region with a report held
    kinds: list[str] = field(default_factory=list)    # empty: all kinds
    weaker: bool = False  # free text: also show the matches below the score cut

    @property
    def has_topic(self) -> bool:
        return bool(self.theme.strip() or self.q.strip())


@dataclass(frozen=True)
class Item(CitedEntry):
    """An entry in a cell: its citation, its search score (free text) and whether it is weak."""

    score: float | None = None
    weak: bool = False


@dataclass(frozen=True)
class Cell:
    region: str
    status: str  # found, nothing-found or no-report
    counts: dict[str, int]  # items per kind
    items: list[Item]


@dataclass(frozen=True)
class Row:
    """One sub-issue (or a theme's "other" row) across the regions."""

    key: str  # "<theme>--<sub-issue>" or "<theme>--other": the row's anchor
    theme: Theme
    subissue: SubIssue | None  # None: entries of the theme that fit none of its sub-issues
    cells: list[Cell]
    total: int  # distinct entries in the row


@dataclass(frozen=True)
class Column:
    """A region: what its column holds and the reports it rests on."""

    region: Region
    status: str  # found, weaker-only, other-kinds, nothing-found or no-report
    sources: list[Source]
    count: int  # entries shown
    weaker: int = 0  # free text: matches below the score cut, not shown unless asked for
    other_kinds: int = 0  # matches of kinds not chosen


@dataclass(frozen=True)
class Claim:
    """One sentence of the summary, as data: what holds for which row and regions."""

    kind: str  # everyone, only-one, recommends-where-others-describe, nobody-recommends
    row: str
    regions: list[str]
    others: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TextRule:
    """How a free-text comparison chose its entries (see MIN_RELATIVE_SCORE)."""

    min_relative_score: float
    best_score: float | None
    cutoff: float | None
    matched: int
    dropped: int


@dataclass(frozen=True)
class Comparison:
    """The aligned comparison: columns, rows, the summary, and how entries were chosen."""

    mode: str  # theme, text or none (free text without searchable words)
    theme: Theme | None
    query: str
    kinds: list[str]
    regions: list[Column]
    rows: list[Row]
    summary: list[Claim]
    total: int  # distinct entries shown
    rule: TextRule | None = None
    offered_theme: Theme | None = None  # the free text names this theme: compare on it instead
    weaker_shown: bool = False

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)

    def entries(self) -> list[Entry]:
        """Every entry shown, once, in row order."""
        seen: dict[str, Entry] = {}
        for row in self.rows:
            for cell in row.cells:
                for item in cell.items:
                    seen.setdefault(item.entry.id, item.entry)
        return list(seen.values())


def _validate(vocab: Vocabulary, request: CompareRequest) -> tuple[list[Region], list[str]]:
    if request.theme and request.theme not in vocab.themes:
        raise CompareError("tema", request.theme, "unknown theme")
    chosen = list(dict.fromkeys(r for r in request.regions if r))
    for slug in chosen:
        if slug not in vocab.regions:
            raise CompareError("region", slug, "unknown region")
    regions = [vocab.regions[s] for s in chosen] if chosen else vocab.regions_with_sources()
    kinds = list(dict.fromkeys(k for k in request.kinds if k))
    for kind in kinds:
        if kind not in KINDS:
            raise CompareError("kind", kind, "unknown kind")
    return regions, [k for k in KINDS if not kinds or k in kinds]


def _matches(snapshot: Snapshot, q: str, theme: str) -> tuple[list[tuple[Entry, float]], bool]:
    """Every entry matching free text (restricted to a theme), best first; and whether the
    text had anything to search for."""
    result = search(snapshot, SearchRequest(q=q, filters={"theme": [theme]} if theme else {},
                                            page_size=0))
    typed = result.parsed.words or result.parsed.phrases
    if not typed:
        return [], False
    return [(hit.entry, hit.score or 0.0) for hit in result.hits], True


def offered_theme(snapshot: Snapshot, q: str) -> Theme | None:
    """The theme a free-text topic is the name of: its label, a signal term or a sub-issue's label."""
    named = theme_names(snapshot).named(q, whole=True)
    return named[0].theme if named else None


def compare(snapshot: Snapshot, request: CompareRequest, lang: str = "sv") -> Comparison:
    """Compare regions on a theme or free-text topic; raise CompareError for unknown slugs."""
    vocab = snapshot.vocab
    regions, kinds = _validate(vocab, request)
    theme = vocab.themes.get(request.theme) if request.theme else None
    q = request.q.strip()
    rule: TextRule | None = None
    scores: dict[str, float] = {}
    weak: set[str] = set()
    if q:
        found, searchable = _matches(snapshot, q, request.theme)
        if not searchable and theme is None:
            return _empty(vocab, regions, kinds, q, lang)
        if searchable:
            best = max((s for _, s in found), default=0.0)
            cutoff = best * MIN_RELATIVE_SCORE
            weak = {e.id for e, s in found if s < cutoff}
            scores = {e.id: s for e, s in found}
            rule = TextRule(MIN_RELATIVE_SCORE, best or None, round(cutoff, 4) if found else None,
                            len(found), len(weak))
            matched = [e for e, _ in found]
            mode = "text"
        else:  # only filters typed: the theme decides
            matched = [e for e in snapshot.ordered if theme is not None and theme.slug in e.themes]
            mode = "theme"
    elif theme is not None:
        matched = [e for e in snapshot.ordered if theme.slug in e.themes]
        mode = "theme"
    else:
        return _empty(vocab, regions, kinds, q, lang)
    order = {e.id: n for n, e in enumerate(snapshot.ordered)}
    matched.sort(key=lambda e: order[e.id])  # report order within cells
    shown = [e for e in matched if e.kind in kinds and (request.weaker or e.id not in weak)]
    rows = _rows(vocab, theme, shown, regions, kinds, scores, weak, lang)
    columns = [_column(vocab, region, matched, shown, kinds, weak, request.weaker)
               for region in regions]
    summary = summarise(rows, columns)
    return Comparison(
        mode=mode, theme=theme, query=q, kinds=kinds, regions=columns, rows=rows,
        summary=summary, total=len({e.id for e in shown if e.region in {r.slug for r in regions}}),
        rule=rule, offered_theme=offered_theme(snapshot, q) if q and theme is None else None,
        weaker_shown=request.weaker)


def _empty(vocab: Vocabulary, regions: list[Region], kinds: list[str], q: str,
           lang: str) -> Comparison:
    columns = [_column(vocab, r, [], [], kinds, set(), False) for r in regions]
    return Comparison(mode="none", theme=None, query=q, kinds=kinds, regions=columns, rows=[],
                      summary=[], total=0)


def _row_keys(entry: Entry, theme: Theme | None, vocab: Vocabulary) -> list[tuple[Theme, SubIssue | None]]:
    """The rows an entry belongs in: each sub-issue it addresses (of one theme, or of all)."""
    keys: list[tuple[Theme, SubIssue | None]] = []
    for slug in ([theme.slug] if theme is not None else entry.themes):
        known = vocab.themes.get(slug)
        if known is None:
            continue
        subissues = [known.subissue(s) for s in entry.subissues_of(slug)]
        chosen = [s for s in subissues if s is not None]
        keys += [(known, s) for s in chosen] or [(known, None)]
    return keys


def _key(theme: Theme, subissue: SubIssue | None) -> str:
    return subissue_key(theme.slug, subissue.slug if subissue else OTHER)


def _rows(vocab: Vocabulary, theme: Theme | None, shown: Sequence[Entry], regions: list[Region],
          kinds: list[str], scores: dict[str, float], weak: set[str], lang: str) -> list[Row]:
    placed: dict[str, list[Entry]] = {}
    labels: dict[str, tuple[Theme, SubIssue | None]] = {}
    for entry in shown:
        for row_theme, subissue in _row_keys(entry, theme, vocab):
            key = _key(row_theme, subissue)
            labels[key] = (row_theme, subissue)
            placed.setdefault(key, []).append(entry)
    if theme is not None:  # every sub-issue of the theme is a row, in the theme's order
        keys = [_key(theme, s) for s in theme.subissues]
        for s in theme.subissues:
            labels.setdefault(_key(theme, s), (theme, s))
        keys += [k for k in placed if k not in keys]  # the "other" row, when it has entries
    else:  # free text: the sub-issues matched entries carry, the fullest first
        theme_order = {t.slug: n for n, t in enumerate(vocab.ordered_themes())}
        keys = sorted(placed, key=lambda k: (-len(placed[k]), theme_order[labels[k][0].slug],
                                             labels[k][1] is None, k))
    held = {s.region for s in vocab.sources.values()}
    rows = []
    for key in keys:
        row_theme, subissue = labels[key]
        entries = placed.get(key, [])
        cells = []
        for region in regions:
            items = [Item(**vars(cite(e, vocab, lang)), score=scores.get(e.id), weak=e.id in weak)
                     for e in entries if e.region == region.slug]
            status = NO_REPORT if region.slug not in held else FOUND if items else NOTHING
            counts = Counter(i.entry.kind for i in items)
            cells.append(Cell(region.slug, status, {k: counts[k] for k in kinds}, items))
        in_columns = {i.entry.id for c in cells for i in c.items}
        rows.append(Row(key, row_theme, subissue, cells, len(in_columns)))
    return rows


def _column(vocab: Vocabulary, region: Region, matched: Iterable[Entry], shown: Iterable[Entry],
            kinds: list[str], weak: set[str], weaker: bool) -> Column:
    sources = vocab.sources_of(region.slug)
    own = [e for e in matched if e.region == region.slug]
    visible = [e for e in shown if e.region == region.slug]
    below = sum(1 for e in own if e.id in weak and e.kind in kinds and not weaker)
    other_kinds = sum(1 for e in own if e.kind not in kinds)
    if not sources:
        status = NO_REPORT
    elif visible:
        status = FOUND
    elif below:
        status = WEAKER
    elif other_kinds:
        status = OTHER_KINDS
    else:
        status = NOTHING
    return Column(region, status, sources, len(visible), below, other_kinds)


def summarise(rows: Sequence[Row], columns: Sequence[Column]) -> list[Claim]:
    """The grid in sentences: who addresses what, alone or together, recommending or not."""
    reporting = [c.region.slug for c in columns if c.status != NO_REPORT]
    claims: list[Claim] = []
    for row in rows:
        if row.subissue is None:
            continue  # "other" is not a question the regions can be compared on
        found = [c for c in row.cells if c.status == FOUND]
        regions = [c.region for c in found]
        if len(reporting) >= 2 and len(found) == len(reporting):
            claims.append(Claim("everyone", row.key, regions))
        elif len(reporting) >= 2 and len(found) == 1:
            claims.append(Claim("only-one", row.key, regions))
        recommending = [c.region for c in found if c.counts.get("recommendation")]
        describing = [c.region for c in found
                      if c.counts.get("challenge") and not c.counts.get("recommendation")]
        if recommending and describing:
            claims.append(Claim("recommends-where-others-describe", row.key, recommending,
                                describing))
        elif not recommending and describing and "recommendation" in found[0].counts:
            claims.append(Claim("nobody-recommends", row.key, describing))
    order = {kind: n for n, kind in enumerate(CLAIMS)}
    return sorted(claims, key=lambda claim: order[claim.kind])  # stable: rows stay in order


# Names of the statuses and the summary's sentences, in the interface language.
STATUS_LABELS = {
    FOUND: NP_("comparison", ""),
    NOTHING: NP_("comparison", "inget i underlagen"),
    NO_REPORT: NP_("comparison", "ingen rapport i kunskapsbasen"),
    WEAKER: NP_("comparison", "bara svagare träffar"),
    OTHER_KINDS: NP_("comparison", "bara poster av andra slag"),
}


def status_label(status: str, lang: str = "sv") -> str:
    """Say what a column or cell with this status holds ('' when it holds statements)."""
    found = STATUS_LABELS.get(status)
    return translator(lang).pgettext(*found) if found and found[1] else ""


def row_label(row: Row, lang: str = "sv", with_theme: bool = False) -> str:
    """A row's name: its sub-issue, or "Övrigt inom <theme>" for the theme's other entries."""
    _ = translator(lang).gettext
    if row.subissue is None:
        return _("Övrigt inom %(theme)s") % {"theme": row.theme.label(lang)}
    label = row.subissue.label(lang)
    return f"{row.theme.label(lang)} › {label}" if with_theme else label


def claim_sentence(claim: Claim, comparison: Comparison, lang: str = "sv") -> str:
    """One sentence of the summary, in the interface language."""
    tr = translator(lang)
    names = {c.region.slug: c.region.name_in(lang) for c in comparison.regions}
    regions = join_names([names[r] for r in claim.regions], lang)
    others = join_names([names[r] for r in claim.others], lang)
    subissue = quoted(row_label(comparison.row(claim.row), lang), lang)
    n = len(claim.regions)
    if claim.kind == "everyone":
        text = tr.gettext("Alla regioner med rapport tar upp %(subissue)s.")
    elif claim.kind == "only-one":
        text = tr.gettext("Bara %(regions)s tar upp %(subissue)s.")
    elif claim.kind == "recommends-where-others-describe":
        text = tr.ngettext(  # the verb agrees with the regions that only describe challenges
            "Rekommendationer om %(subissue)s kommer från %(regions)s, medan %(others)s bara beskriver utmaningar.",
            "Rekommendationer om %(subissue)s kommer från %(regions)s, medan %(others)s bara beskriver utmaningar.",
            len(claim.others))
    else:
        text = tr.ngettext(
            "Ingen region rekommenderar något om %(subissue)s; %(regions)s beskriver utmaningar.",
            "Ingen region rekommenderar något om %(subissue)s; %(regions)s beskriver utmaningar.",
            n)
    return text % {"regions": regions, "others": others, "subissue": subissue}
