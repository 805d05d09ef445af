"""Exports: search results and comparisons as CSV, XLSX and a Markdown memo with footnotes.

One row per entry; the citation has its own column. Text that a spreadsheet would run as a
formula (starting with =, +, -, @) is kept as text.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable, Mapping, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from kb.reports.citation import entry_citation, source_year
from kb.content.model import Vocabulary
from kb.content.codes import doc_type_label, kind_label, status_label

COLUMNS = ("region", "kind", "title", "summary", "themes", "source", "year", "section", "page",
           "citation", "id", "url")
HEADERS = {
    "sv": {"region": "Region", "kind": "Typ", "title": "Titel", "summary": "Sammanfattning",
           "themes": "Teman", "source": "Källa", "year": "År", "section": "Avsnitt",
           "page": "Sida", "citation": "Källhänvisning", "id": "Id", "url": "Länk"},
    "en": {"region": "Region", "kind": "Kind", "title": "Title", "summary": "Summary",
           "themes": "Themes", "source": "Source", "year": "Year", "section": "Section",
           "page": "Page", "citation": "Citation", "id": "Id", "url": "Link"},
}
MEMO = {
    "sv": {"title": "Jämförelse", "query": "Sökning", "theme": "Tema", "regions": "Regioner",
           "basis": "Underlag", "sources": "Källor", "coverage": "Underlag per region",
           "status": "Läge", "count": "Antal poster"},
    "en": {"title": "Comparison", "query": "Search", "theme": "Theme", "regions": "Regions",
           "basis": "Based on", "sources": "Sources", "coverage": "Sources per region",
           "status": "Status", "count": "Entries"},
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
WIDTHS = {"region": 16, "kind": 15, "title": 50, "summary": 70, "themes": 28, "source": 40,
          "year": 7, "section": 12, "page": 7, "citation": 70, "id": 30, "url": 40}


def _words(table: Mapping[str, Mapping[str, str]], lang: str) -> Mapping[str, str]:
    return table.get(lang, table["sv"])


def headers(lang: str = "sv") -> list[str]:
    """Column headers of an export, in the interface language."""
    return [_words(HEADERS, lang)[c] for c in COLUMNS]


def _pick(item: Mapping[str, Any], name: str, lang: str) -> str:
    if lang == "en" and item.get(f"{name}_en"):
        return str(item[f"{name}_en"])
    return str(item.get(name) or "")


def entry_row(item: Mapping[str, Any], vocab: Vocabulary, lang: str = "sv",
              base_url: str = "") -> list[Any]:
    """One export row for an entry or a hit (anything with the entry's display fields)."""
    region = vocab.regions.get(item["region"], {})
    source = vocab.sources.get(item["source"], {})
    themes = [vocab.themes.get(t, {}).get("label_en" if lang == "en" else "label_sv", t)
              for t in item.get("themes", [])]
    values = {
        "region": (region.get("name_en") if lang == "en" else None) or region.get("name", item["region"]),
        "kind": kind_label(item["kind"], lang),
        "title": _pick(item, "title", lang), "summary": _pick(item, "summary", lang),
        "themes": "; ".join(themes), "source": source.get("title", item["source"]),
        "year": source_year(source), "section": item.get("section") or "",
        "page": item.get("page") if item.get("page") is not None else "",
        "citation": item.get("citation") or entry_citation(item, vocab.sources, lang),
        "id": item["id"], "url": f"{base_url}/post/{item['id']}",
    }
    return [values[c] for c in COLUMNS]


def comparison_rows(comparison: Mapping[str, Any], vocab: Vocabulary, lang: str = "sv",
                    base_url: str = "") -> list[list[Any]]:
    """Rows of a comparison in page order: region by region, kind by kind."""
    return [entry_row(item, vocab, lang, base_url) for column in comparison["regions"]
            for kind in comparison["kinds"] for item in column["cells"][kind]]


def search_rows(result: Mapping[str, Any], vocab: Vocabulary, lang: str = "sv",
                base_url: str = "") -> list[list[Any]]:
    """Rows of a search result, in result order."""
    return [entry_row(hit, vocab, lang, base_url) for hit in result["hits"]]


def coverage_rows(comparison: Mapping[str, Any], lang: str = "sv") -> list[list[Any]]:
    """Per region: status, entry count and the sources (title, year, type) the column rests on."""
    rows = []
    for column in comparison["regions"]:
        name = column["name_en"] if lang == "en" else column["name"]
        sources = "; ".join(_source_line(s, lang) for s in column["sources"])
        rows.append([name, status_label(column["status"], lang), column["count"], sources])
    return rows


def _source_line(source: Mapping[str, Any], lang: str) -> str:
    year = f" ({source['year']})" if source.get("year") else ""
    kind = doc_type_label(source.get("doc_type"), lang)
    return f"{source.get('title')}{year}" + (f", {kind}" if kind else "")


def _safe_cell(value: Any) -> Any:
    """Keep text that starts like a formula from being run as one by a spreadsheet."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Write rows as CSV text (with a BOM so that spreadsheets read å, ä, ö as UTF-8)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row])
    return out.getvalue()


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Export",
            extra_sheets: Mapping[str, tuple[Sequence[str], Iterable[Sequence[Any]]]] | None = None) -> bytes:
    """Write rows as an XLSX workbook: a header row, wrapped text, values never read as formulas."""
    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(title)
    _fill(sheet, header, rows)
    for name, (extra_header, extra_rows) in (extra_sheets or {}).items():
        _fill(book.create_sheet(_sheet_title(name)), extra_header, extra_rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Export"


def _fill(sheet: Any, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([v if v is not None else "" for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header):
        letter = sheet.cell(row=1, column=index + 1).column_letter
        width = WIDTHS.get(COLUMNS[index], 20) if len(header) == len(COLUMNS) else 30
        sheet.column_dimensions[letter].width = width


def comparison_xlsx(comparison: Mapping[str, Any], vocab: Vocabulary, lang: str = "sv",
                    base_url: str = "") -> bytes:
    """The comparison as a workbook: one row per entry, and a sheet with each column's sources."""
    words = _words(MEMO, lang)
    coverage_header = [_words(HEADERS, lang)["region"], words["status"],
                       words["count"], words["sources"]]
    return to_xlsx(headers(lang), comparison_rows(comparison, vocab, lang, base_url),
                   title=words["title"],
                   extra_sheets={words["coverage"]: (coverage_header, coverage_rows(comparison, lang))})


def md_escape(text: Any) -> str:
    """Escape the characters Markdown would read as markup."""
    return MD_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", str(text)).strip())


def comparison_markdown(comparison: Mapping[str, Any], lang: str = "sv", base_url: str = "") -> str:
    """The comparison as a Markdown memo: a section per region, statements with footnoted citations."""
    words = _words(MEMO, lang)
    theme = comparison.get("theme")
    topic = []
    if theme:
        topic.append(theme["label_en"] if lang == "en" else theme["label_sv"])
    if comparison.get("query"):
        topic.append(f"”{comparison['query']}”" if lang == "sv" else f"“{comparison['query']}”")
    lines = [f"# {words['title']}: {md_escape(' – '.join(topic))}", ""]
    names = [c["name_en"] if lang == "en" else c["name"] for c in comparison["regions"]]
    lines += [f"{words['regions']}: {md_escape(', '.join(names))}", ""]
    notes: list[str] = []
    for column, name in zip(comparison["regions"], names):
        lines += [f"## {md_escape(name)}", ""]
        if column["sources"]:
            basis = "; ".join(_source_line(s, lang) for s in column["sources"])
            lines += [f"*{words['basis']}: {md_escape(basis)}*", ""]
        if column["status"] != "found":
            lines += [f"*{md_escape(status_label(column['status'], lang).capitalize())}.*", ""]
            continue
        for kind in comparison["kinds"]:
            items = column["cells"][kind]
            lines += [f"### {kind_label(kind, lang, plural=True)}", ""]
            if not items:
                lines += [f"*{md_escape(status_label('nothing-found', lang).capitalize())}.*", ""]
                continue
            for item in items:
                notes.append(item["citation"] + (f" {base_url}/post/{item['id']}" if base_url else ""))
                lines.append(f"- **{md_escape(_pick(item, 'title', lang))}.** "
                             f"{md_escape(_pick(item, 'summary', lang))}[^{len(notes)}]")
            lines.append("")
    if notes:
        lines += ["---", ""] + [f"[^{n}]: {md_escape(text)}" for n, text in enumerate(notes, 1)]
    return "\n".join(lines).rstrip() + "\n"
