"""Exports: CSV, XLSX, the Markdown memo and the Word memo, each in the page's shape."""

from __future__ import annotations

import csv
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from kb.reports.citation import cite
from kb.reports.compare import CompareRequest, compare
from kb.reports.export import (
    Table,
    comparison_docx,
    comparison_markdown,
    comparison_table,
    comparison_xlsx,
    md_escape,
    search_table,
    to_csv,
)
from search.service import SearchRequest, search


@pytest.fixture
def snapshot(app):
    return app.extensions["kb"].snapshot()


@pytest.fixture
def comparison(snapshot):
    return compare(snapshot, CompareRequest(theme="capital-gap", regions=["testlan", "grannlan", "tomlan"]))


def read_csv(text):
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def page_pairs(comparison) -> list[tuple[str, str]]:
    """(sub-issue label, entry id) in page order: what every export must hold."""
    return [(row.subissue.label_sv if row.subissue else "other", item.entry.id)
            for row in comparison.rows for cell in row.cells for item in cell.items]


def test_the_table_has_one_row_per_entry_and_sub_issue_with_real_numbers(snapshot, comparison):
    table = comparison_table(comparison, snapshot.vocab, base_url="http://x")
    assert [(r[0], r[table.keys.index("url")].rsplit("/", 1)[1]) for r in table.rows] == page_pairs(comparison)
    row = dict(zip(table.keys, table.rows[0]))
    assert row["subissue"] == "Kapital i tidiga skeden" and row["region"] == "Testlän"
    assert row["kind"] == "Utmaning" and row["citation"].startswith("Källa: Testkonsult (2024).")
    assert row["page"] == 4 and row["year"] == 2024  # numbers, not text
    assert row["url"] == "http://x/post/demo-2024-1-1"
    assert "score" not in table.keys  # a theme comparison has no scores: no empty column


def test_english_tables_use_english_titles_and_headers(snapshot):
    english = compare(snapshot, CompareRequest(theme="capital-gap"), lang="en")
    table = comparison_table(english, snapshot.vocab, "en")
    row = dict(zip(table.keys, table.rows[0]))
    assert row["title"] == "Capital gap in early stages for biotech companies"
    assert row["kind"] == "Challenge" and row["region"] == "Testlan County"
    assert table.headers[table.keys.index("citation")] == "Citation"
    assert table.headers[0] == "Sub-issue"


def test_csv_holds_the_pages_entries(snapshot, comparison):
    table = read_csv(to_csv(comparison_table(comparison, snapshot.vocab)))
    assert table[0][0] == "Delfråga" and len(table) == 1 + len(page_pairs(comparison))
    assert table[1][3] == "Kapitalgap i tidiga skeden för bioteknikföretag"


def test_cells_that_look_like_formulas_stay_text():
    text = to_csv(Table(["a", "b"], ["a", "b"], [["=HYPERLINK(\"x\")", "+1"]]))
    assert read_csv(text)[1] == ["'=HYPERLINK(\"x\")", "'+1"]


def test_xlsx_overview_sheet_is_laid_out_as_the_grid(snapshot, comparison):
    book = load_workbook(io.BytesIO(comparison_xlsx(comparison, snapshot.vocab)))
    grid = book.worksheets[0]
    values = list(grid.iter_rows(values_only=True))
    assert values[0] == ("Delfråga", "Testlän", "Grannlän", "Tomlän")
    assert [v[0] for v in values[1:]] == [r.subissue.label_sv for r in comparison.rows]
    assert values[1][1] == "Utmaning: Kapitalgap i tidiga skeden för bioteknikföretag"
    assert values[1][2].startswith("Rekommendation: ")
    assert values[1][3] == "ingen rapport i kunskapsbasen" and values[2][2] == "inget i underlagen"
    assert grid.freeze_panes == "B2"


def test_xlsx_entry_sheet_has_numbers_an_autofilter_and_no_empty_columns(snapshot, comparison):
    book = load_workbook(io.BytesIO(comparison_xlsx(comparison, snapshot.vocab)))
    sheet = book.worksheets[1]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:6] == ["Delfråga", "Region", "Typ", "Titel", "Sammanfattning", "Källhänvisning"]
    assert [(r[0], r[header.index("Länk")].rsplit("/", 1)[1]) for r in rows[1:]] == page_pairs(comparison)
    assert sheet.auto_filter.ref == sheet.dimensions and sheet.freeze_panes == "A2"
    page = sheet.cell(row=2, column=header.index("Sida") + 1)
    assert page.value == 4 and page.data_type == "n"
    for index in range(len(header)):
        assert any(r[index] not in (None, "") for r in rows[1:]), header[index]
    basis = list(book.worksheets[2].iter_rows(values_only=True))
    assert basis[1][0] == "Testlän" and "Demorapport" in basis[1][3]
    assert basis[3][0] == "Tomlän" and basis[3][1] == "ingen rapport i kunskapsbasen"


def test_free_text_tables_carry_the_score_as_a_number(snapshot):
    result = compare(snapshot, CompareRequest(q="riskkapital"))
    table = comparison_table(result, snapshot.vocab)
    scores = [r[table.keys.index("score")] for r in table.rows]
    assert scores and all(isinstance(s, float) and s > 0 for s in scores)
    assert table.rows[0][0].startswith("Kapitalgap och finansiering › ")  # rows name their theme


def test_markdown_memo_is_grouped_by_sub_issue_with_footnotes(comparison):
    memo = comparison_markdown(comparison, base_url="http://x")
    assert memo.startswith("# Jämförelse: Kapitalgap och finansiering\n")
    assert "## Sammanfattning" in memo and "- Alla regioner med rapport tar upp" in memo
    sections = memo.split("\n## ")
    early = next(s for s in sections if s.startswith("Kapital i tidiga skeden"))
    assert "- **Testlän:** Utmaning: Kapitalgap i tidiga skeden för bioteknikföretag.[^1]" in early
    assert "- **Tomlän:** *ingen rapport i kunskapsbasen*" in early
    assert ("[^1]: Källa: Testkonsult (2024). Demorapport om life science i Testlän. Region "
            "Testlän, avsnitt 1.1, s. 4. http://x/post/demo-2024-1-1") in memo
    # An entry on two sub-issues is one source: one note, cited twice.
    assert memo.count("[^1]") == 3 and memo.count("\n[^") == len({e.id for e in comparison.entries()})


def test_the_word_memo_has_a_heading_per_sub_issue_a_paragraph_per_region_and_references(comparison):
    document = Document(io.BytesIO(comparison_docx(comparison, base_url="http://x")))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Jämförelse: Kapitalgap och finansiering", "Underlag", "Sammanfattning",
                        "Kapital i tidiga skeden", "Privata investerare och affärsänglar",
                        "Källor"]
    texts = [p.text for p in document.paragraphs]
    early = texts.index("Kapital i tidiga skeden")
    assert texts[early + 1:early + 4] == [
        "Testlän: Utmaning: Kapitalgap i tidiga skeden för bioteknikföretag [1].",
        "Grannlän: Rekommendation: Vården som testbädd för nya produkter [2].",
        "Tomlän: ingen rapport i kunskapsbasen"]
    references = texts[texts.index("Källor") + 1:]
    assert references[0].startswith("[1] Källa: Testkonsult (2024).")
    assert len(references) == len(comparison.entries())


def test_markdown_escapes_user_text():
    assert md_escape("<script>*x*[y]") == "\\<script\\>\\*x\\*\\[y\\]"


def test_free_text_memo_names_the_query(snapshot):
    result = compare(snapshot, CompareRequest(q="MDR <b>"))
    assert comparison_markdown(result).startswith("# Jämförelse: ”MDR \\<b\\>”")
    assert comparison_markdown(compare(snapshot, CompareRequest(q="MDR")), "en").startswith(
        "# Comparison: “MDR”")


def test_search_table(snapshot):
    result = search(snapshot, SearchRequest(q="kapital", page_size=0))
    table = search_table([cite(h.entry, snapshot.vocab) for h in result.hits], snapshot.vocab)
    assert [r[table.keys.index("id")] for r in table.rows] == [h.entry.id for h in result.hits]
    assert all(r[table.keys.index("citation")].startswith("Källa: ") for r in table.rows)
