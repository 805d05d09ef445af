"""Exports: search results and comparisons as CSV, XLSX, a Markdown memo and a Word memo.

Every export of a comparison has the page's shape: grouped by sub-issue, a region's entries
under it, each with its citation. Text that a spreadsheet would run as a formula (starting
with =, +, -, @) is kept as text; numbers (year, page, score) are numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from docx import Document
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from kb.content.codes import doc_type_label, kind_label
from kb.content.model import Entry, Source, Vocabulary
from kb.i18n import N_, quoted, translator
from kb.reports.citation import CitedEntry
from kb.reports.compare import FOUND, Comparison, Item, claim_sentence, row_label, status_label

Cell = str | int | float | None
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


@dataclass(frozen=True)
class Column:
    """A column of a tabular export: its header (a message to translate) and width."""

    key: str
    header: str
    width: int


COLUMNS = {c.key: c for c in (
    Column("subissue", N_("Delfråga"), 34), Column("region", N_("Region"), 16),
    Column("kind", N_("Typ"), 15), Column("title", N_("Titel"), 50),
    Column("summary", N_("Sammanfattning"), 70), Column("themes", N_("Teman"), 28),
    Column("source", N_("Källa"), 40), Column("year", N_("År"), 7),
    Column("section", N_("Avsnitt"), 12), Column("page", N_("Sida"), 7),
    Column("score", N_("Träffpoäng"), 10), Column("citation", N_("Källhänvisning"), 70),
    Column("id", N_("Id"), 30), Column("url", N_("Länk"), 40))}
ENTRY_COLUMNS = ("region", "kind", "title", "summary", "themes", "source", "year", "section",
                 "page", "citation", "id", "url")
COMPARISON_COLUMNS = ("subissue", "region", "kind", "title", "summary", "citation", "source",
                      "year", "section", "page", "score", "url")


@dataclass(frozen=True)
class Table:
    """Rows of cells under translated headers, as every tabular export writes them."""

    keys: list[str]
    headers: list[str]
    rows: list[list[Cell]]

    def without_empty_columns(self) -> Table:
        """The table without columns no row has a value in."""
        keep = [i for i in range(len(self.keys)) if any(row[i] not in (None, "") for row in self.rows)]
        return Table([self.keys[i] for i in keep], [self.headers[i] for i in keep],
                     [[row[i] for i in keep] for row in self.rows])


def entry_values(entry: Entry, vocab: Vocabulary, lang: str, base_url: str,
                 citation: str) -> dict[str, Cell]:
    """An entry's export values by column key."""
    source = vocab.sources.get(entry.source)
    themes = [vocab.themes[t].label(lang) for t in entry.themes if t in vocab.themes]
    return {
        "region": vocab.region(entry.region).name_in(lang), "kind": kind_label(entry.kind, lang),
        "title": entry.title_in(lang), "summary": entry.summary_in(lang),
        "themes": "; ".join(themes), "source": source.title if source else entry.source,
        "year": source.year if source else None, "section": entry.section, "page": entry.page,
        "citation": citation, "id": entry.id, "url": f"{base_url}/post/{entry.id}",
    }


def _table(keys: Sequence[str], rows: Iterable[dict[str, Cell]], lang: str) -> Table:
    _ = translator(lang).gettext
    return Table(list(keys), [_(COLUMNS[k].header) for k in keys],
                 [[row.get(k) for k in keys] for row in rows])


def search_table(hits: Iterable[CitedEntry], vocab: Vocabulary, lang: str = "sv",
                 base_url: str = "") -> Table:
    """All matches of a search, one row per entry, in result order."""
    return _table(ENTRY_COLUMNS, (entry_values(h.entry, vocab, lang, base_url, h.citation)
                                  for h in hits), lang)


def comparison_table(comparison: Comparison, vocab: Vocabulary, lang: str = "sv",
                     base_url: str = "") -> Table:
    """A comparison as one row per entry and sub-issue, in page order (without empty columns)."""
    rows = []
    for row in comparison.rows:
        label = row_label(row, lang, with_theme=comparison.theme is None)
        for cell in row.cells:
            for item in cell.items:
                values = entry_values(item.entry, vocab, lang, base_url, item.citation)
                rows.append({**values, "subissue": label, "score": item.score})
    return _table(COMPARISON_COLUMNS, rows, lang).without_empty_columns()


def comparison_topic(comparison: Comparison, lang: str = "sv") -> str:
    """What a comparison is about: the theme's label and/or the free text in quotes."""
    parts = [comparison.theme.label(lang)] if comparison.theme else []
    if comparison.query:
        parts.append(quoted(comparison.query, lang))
    return " – ".join(parts)


def _safe_cell(value: Cell) -> Cell:
    """Keep text that starts like a formula from being run as one by a spreadsheet."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(table: Table) -> str:
    """Write a table as CSV text (with a BOM so that spreadsheets read å, ä, ö as UTF-8)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(["" if v is None else _safe_cell(v) for v in row])
    return out.getvalue()


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Export"


def _write_rows(sheet: Worksheet, headers: Sequence[str], rows: Iterable[Sequence[Cell]],
                widths: Sequence[int]) -> None:
    """Headers in bold, rows with text kept as text and wrapped, numbers as numbers."""
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([v for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width


def _table_sheet(sheet: Worksheet, table: Table) -> None:
    _write_rows(sheet, table.headers, table.rows, [COLUMNS[k].width for k in table.keys])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def search_xlsx(table: Table, lang: str = "sv") -> bytes:
    """A search's matches as a workbook of one sheet."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _sheet_title(translator(lang).gettext("Sökresultat"))
    _table_sheet(sheet, table)
    return _save(book)


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_text(items: Sequence[Item], status: str, lang: str) -> str:
    if status != FOUND:
        return status_label(status, lang)
    return "\n".join(f"{kind_label(i.entry.kind, lang)}: {i.entry.title_in(lang)}" for i in items)


def comparison_xlsx(comparison: Comparison, vocab: Vocabulary, lang: str = "sv",
                    base_url: str = "") -> bytes:
    """The comparison as a workbook: the overview grid, every entry, and the reports behind it.

    Sheet 1 is laid out as the page's overview (sub-issues × regions, each cell the titles of
    the region's entries with their kind) with its header row and column frozen; sheet 2 has one
    row per entry and sub-issue with an autofilter; sheet 3 says what each column rests on.
    """
    _ = translator(lang).gettext
    book = Workbook()
    grid = book.active
    assert grid is not None
    grid.title = _sheet_title(_("Översikt"))
    names = [c.region.name_in(lang) for c in comparison.regions]
    _write_rows(grid, [_("Delfråga"), *names],
                ([row_label(row, lang, with_theme=comparison.theme is None)]
                 + [_cell_text(c.items, c.status, lang) for c in row.cells]
                 for row in comparison.rows),
                [40] + [45] * len(names))
    grid.freeze_panes = "B2"
    _table_sheet(book.create_sheet(_sheet_title(_("Poster"))),
                 comparison_table(comparison, vocab, lang, base_url))
    basis = book.create_sheet(_sheet_title(_("Underlag per region")))
    _write_rows(basis, [_("Region"), _("Läge"), _("Antal poster"), _("Källor")],
                ([c.region.name_in(lang), status_label(c.status, lang), c.count,
                  "; ".join(source_line(s, lang) for s in c.sources)]
                 for c in comparison.regions), [20, 30, 14, 80])
    return _save(book)


def source_line(source: Source, lang: str) -> str:
    """A report as a reader names it: title (year), document type."""
    year = f" ({source.year_text})" if source.year_text else ""
    kind = doc_type_label(source.doc_type, lang)
    return f"{source.title}{year}" + (f", {kind}" if kind else "")


def md_escape(text: object) -> str:
    """Escape the characters Markdown would read as markup."""
    return MD_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", str(text)).strip())


@dataclass(frozen=True)
class MemoRegion:
    """A region's part of one sub-issue in a memo: its statements, each with its note number."""

    name: str
    status: str
    statements: list[tuple[Item, int]]


@dataclass(frozen=True)
class Memo:
    """A comparison laid out as a memo, for the Markdown and Word writers alike."""

    title: str
    basis: list[str]
    summary: list[str]
    sections: list[tuple[str, list[MemoRegion]]]  # (sub-issue, the regions' parts)
    notes: list[str]  # citations, numbered in the order they are first used


def memo(comparison: Comparison, lang: str = "sv", base_url: str = "") -> Memo:
    """Lay a comparison out as a memo: title, what it rests on, summary, then each sub-issue."""
    _ = translator(lang).gettext
    notes: list[str] = []
    sections = []
    for row in comparison.rows:
        parts = []
        for cell, column in zip(row.cells, comparison.regions):
            statements = []
            for item in cell.items:
                note = item.citation + (f" {base_url}/post/{item.entry.id}" if base_url else "")
                if note not in notes:
                    notes.append(note)
                statements.append((item, notes.index(note) + 1))
            parts.append(MemoRegion(column.region.name_in(lang), cell.status, statements))
        sections.append((row_label(row, lang, with_theme=comparison.theme is None), parts))
    return Memo(
        title=_("Jämförelse: %(topic)s") % {"topic": comparison_topic(comparison, lang)},
        basis=[f"{c.region.name_in(lang)}: "
               + ("; ".join(source_line(s, lang) for s in c.sources) or status_label(c.status, lang))
               for c in comparison.regions],
        summary=[claim_sentence(claim, comparison, lang) for claim in comparison.summary],
        sections=sections, notes=notes)


def _statement(item: Item, lang: str) -> str:
    return f"{kind_label(item.entry.kind, lang)}: {item.entry.title_in(lang)}"


def comparison_markdown(comparison: Comparison, lang: str = "sv", base_url: str = "") -> str:
    """The comparison as a Markdown memo: a section per sub-issue, statements with footnotes."""
    _ = translator(lang).gettext
    laid = memo(comparison, lang, base_url)
    basis, summary = _("Underlag"), _("Sammanfattning")  # not in f-strings: extraction misses those
    lines = [f"# {md_escape(laid.title)}", "", f"## {basis}", ""]
    lines += [f"- {md_escape(line)}" for line in laid.basis]
    if laid.summary:
        lines += ["", f"## {summary}", ""] + [f"- {md_escape(s)}" for s in laid.summary]
    for label, parts in laid.sections:
        lines += ["", f"## {md_escape(label)}", ""]
        for part in parts:
            if part.status != FOUND:
                lines.append(f"- **{md_escape(part.name)}:** *{md_escape(status_label(part.status, lang))}*")
            else:
                text = " ".join(f"{md_escape(_statement(item, lang))}.[^{n}]"
                                for item, n in part.statements)
                lines.append(f"- **{md_escape(part.name)}:** {text}")
    if laid.notes:
        lines += ["", "---", ""] + [f"[^{n}]: {md_escape(text)}" for n, text in enumerate(laid.notes, 1)]
    return "\n".join(lines).rstrip() + "\n"


def comparison_docx(comparison: Comparison, lang: str = "sv", base_url: str = "") -> bytes:
    """The comparison as a Word memo: a heading per sub-issue, a paragraph per region, and
    numbered source references, ready to paste into a briefing."""
    _ = translator(lang).gettext
    laid = memo(comparison, lang, base_url)
    document = Document()
    document.add_heading(laid.title, level=1)
    document.add_heading(_("Underlag"), level=2)
    for line in laid.basis:
        document.add_paragraph(line, style="List Bullet")
    if laid.summary:
        document.add_heading(_("Sammanfattning"), level=2)
        for sentence in laid.summary:
            document.add_paragraph(sentence, style="List Bullet")
    for label, parts in laid.sections:
        document.add_heading(label, level=2)
        for part in parts:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{part.name}: ").bold = True
            if part.status != FOUND:
                paragraph.add_run(status_label(part.status, lang)).italic = True
                continue
            paragraph.add_run("; ".join(f"{_statement(item, lang)} [{n}]"
                                        for item, n in part.statements) + ".")
    if laid.notes:
        document.add_heading(_("Källor"), level=2)
        for n, text in enumerate(laid.notes, 1):
            document.add_paragraph(f"[{n}] {text}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
