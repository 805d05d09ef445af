"""Exports: CSV, XLSX and the Markdown memo."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from kb.reports.compare import CompareRequest, compare, comparison_entries
from kb.reports.export import (COLUMNS, comparison_markdown, comparison_rows, comparison_xlsx,
                           headers, md_escape, search_rows, to_csv, to_xlsx)
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


def test_comparison_rows_one_per_entry_with_citation_column(snapshot, comparison):
    rows = comparison_rows(comparison, snapshot.vocab, base_url="http://x")
    assert [r[COLUMNS.index("id")] for r in rows] == [i["id"] for i in comparison_entries(comparison)]
    row = dict(zip(COLUMNS, rows[0]))
    assert row["region"] == "Testlän" and row["kind"] == "Utmaning"
    assert row["citation"].startswith("Källa: Testkonsult (2024).") and row["page"] == 4
    assert row["url"] == "http://x/post/demo-2024-1-1" and row["themes"] == "Kapitalgap och finansiering"


def test_english_rows_use_english_titles_and_headers(snapshot, comparison):
    english = compare(snapshot, CompareRequest(theme="capital-gap"), lang="en")
    row = dict(zip(COLUMNS, comparison_rows(english, snapshot.vocab, "en")[0]))
    assert row["title"] == "Capital gap in early stages for biotech companies"
    assert row["kind"] == "Challenge" and row["region"] == "Testlan County"
    assert headers("en")[COLUMNS.index("citation")] == "Citation"


def test_csv_round_trips(snapshot, comparison):
    text = to_csv(headers(), comparison_rows(comparison, snapshot.vocab))
    table = read_csv(text)
    assert table[0] == headers() and len(table) == 1 + comparison["total"]
    assert table[1][COLUMNS.index("title")] == "Kapitalgap i tidiga skeden för bioteknikföretag"


def test_cells_that_look_like_formulas_stay_text():
    text = to_csv(["a", "b"], [["=HYPERLINK(\"x\")", "+1"]])
    assert read_csv(text)[1] == ["'=HYPERLINK(\"x\")", "'+1"]
    book = load_workbook(io.BytesIO(to_xlsx(["a"], [["=1+1"]])))
    cell = book.active["A2"]
    assert cell.data_type == "s" and cell.value == "=1+1"


def test_xlsx_has_the_same_rows_and_a_coverage_sheet(snapshot, comparison):
    book = load_workbook(io.BytesIO(comparison_xlsx(comparison, snapshot.vocab)))
    sheet = book.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == headers()
    assert [r[COLUMNS.index("id")] for r in values[1:]] == [i["id"] for i in comparison_entries(comparison)]
    coverage = list(book.worksheets[1].iter_rows(values_only=True))
    assert coverage[1][0] == "Testlän" and "Demorapport" in coverage[1][3]
    assert coverage[3][0] == "Tomlän" and coverage[3][1] == "ingen rapport i kunskapsbasen"


def test_markdown_memo_has_sections_statuses_and_footnotes(comparison):
    memo = comparison_markdown(comparison, base_url="http://x")
    assert memo.startswith("# Jämförelse: Kapitalgap och finansiering\n")
    assert "## Testlän" in memo and "### Utmaningar" in memo
    assert "- **Kapitalgap i tidiga skeden för bioteknikföretag.** Unga bolag i Testlän har svårt att få riskkapital.[^1]" in memo
    assert "[^1]: Källa: Testkonsult (2024). Demorapport om life science i Testlän. Region Testlän, avsnitt 1.1, s. 4. http://x/post/demo-2024-1-1" in memo
    assert "## Tomlän\n\n*Ingen rapport i kunskapsbasen.*" in memo
    assert memo.count("[^") == 2 * comparison["total"]


def test_markdown_escapes_user_text():
    assert md_escape("<script>*x*[y]") == "\\<script\\>\\*x\\*\\[y\\]"


def test_free_text_memo_names_the_query(snapshot):
    result = compare(snapshot, CompareRequest(q="MDR <b>"))
    memo = comparison_markdown(result)
    assert memo.startswith("# Jämförelse: ”MDR \\<b\\>”")


def test_search_rows(snapshot):
    result = search(snapshot, SearchRequest(q="kapital", page_size=0))
    rows = search_rows(result, snapshot.vocab)
    assert {r[COLUMNS.index("id")] for r in rows} == {h["id"] for h in result["hits"]}
    assert all(r[COLUMNS.index("citation")].startswith("Källa: ") for r in rows)
