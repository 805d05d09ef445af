"""Acceptance on the real content/: comparison, search with facets, related entries."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

from kb.content.entries import load_content
from kb.reports.export import COLUMNS
from tests.conftest import REAL_CONTENT
from tests.htmltools import parse

KINDS = ("recommendation", "challenge", "finding")


@pytest.fixture(scope="module")
def content():
    return load_content(REAL_CONTENT)


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return parse(response.data)


def page_ids(doc, region=None, kind=None):
    cells = doc.find("table", cls="compare").find("tbody").find_all("td")
    return [a.get("data-entry") for cell in cells
            if (region is None or cell.get("data-region") == region)
            and (kind is None or cell.get("data-kind") == kind)
            for a in cell.find_all("article")]


def test_capital_gap_comparison_holds_every_tagged_recommendation_and_challenge(real_client, content):
    vocab, entries = content
    doc = get(real_client, "/jamfor?tema=capital-gap")
    heads = {th.get("data-region"): th for th in doc.find("table", cls="compare").find("thead").find_all("th")}
    for region, name in (("ostergotland", "Östergötland"), ("skane", "Skåne"),
                         ("vastra-gotaland", "Västra Götaland")):
        assert region in heads and heads[region].find("a", cls="region-name").text() == name
        assert heads[region].find("span", cls="basis-source"), "the sources the column rests on"
        for kind in KINDS:
            expected = {e.id for e in entries
                        if e.region == region and e.kind == kind and "capital-gap" in e.themes}
            assert set(page_ids(doc, region, kind)) == expected, (region, kind)


def test_capital_gap_xlsx_has_the_same_rows_as_the_page(real_client):
    doc = get(real_client, "/jamfor?tema=capital-gap")
    href = next(a.get("href") for a in doc.find("p", cls="exports").find_all("a") if "xlsx" in a.get("href"))
    response = real_client.get(href)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    regions = [th.get("data-region") for th in doc.find("table", cls="compare").find("thead").find_all("th")]
    # Region by region, kind by kind: the columns of the page read top to bottom.
    expected = [eid for region in regions for kind in KINDS for eid in page_ids(doc, region, kind)]
    assert expected and [r[COLUMNS.index("id")] for r in rows[1:]] == expected
    assert sorted(expected) == sorted(page_ids(doc))
    titles = {a.get("data-entry"): a.find("a").text() for a in doc.find("table", cls="compare").find_all("article")}
    for row in rows[1:]:
        assert titles[row[COLUMNS.index("id")]] == row[COLUMNS.index("title")]
        assert row[COLUMNS.index("citation")].startswith("Källa: ")


def test_search_kliniska_provningar_highlights_and_narrows_by_region(real_client):
    doc = get(real_client, "/sok?q=kliniska+pr%C3%B6vningar")
    total = int(doc.find("h2", cls="result-count").get("data-total"))
    marks = [m.text().lower() for m in doc.find("ol", cls="hits").find_all("mark")]
    assert "kliniska" in marks and "prövningar" in marks
    facet = doc.find("section", data_facet="region").find("a", data_value="skane")
    skane_count = int(facet.find("span", cls="count").text())
    assert 0 < skane_count < total
    href = facet.get("href")
    assert parse_qs(urlsplit(href).query) == {"q": ["kliniska prövningar"], "region": ["skane"]}
    narrowed = get(real_client, href)
    assert int(narrowed.find("h2", cls="result-count").get("data-total")) == skane_count
    hits = narrowed.find("ol", cls="hits").find_all("li", cls="hit")
    assert hits and all("Skåne" in h.find("p", cls="hit-meta").text() for h in hits)
    regions = narrowed.find("section", data_facet="region").find_all("a")
    assert [(a.get("data-value"), a.find("span", cls="count").text()) for a in regions] == [("skane", str(skane_count))]
    before = {a.get("data-value"): int(a.find("span", cls="count").text())
              for a in doc.find("section", data_facet="kind").find_all("a")}
    after = {a.get("data-value"): int(a.find("span", cls="count").text())
             for a in narrowed.find("section", data_facet="kind").find_all("a")}
    assert sum(after.values()) == skane_count < sum(before.values())
    # The URL alone reproduces the state.
    again = real_client.get(href).data
    assert again == real_client.get(href).data
    assert narrowed.find("input", id="q").get("value") == "kliniska prövningar"


def test_every_recommendation_lists_related_entries_from_other_regions(real_client, content):
    vocab, entries = content
    recommendations = [e for e in entries if e.kind == "recommendation"]
    assert recommendations
    for entry in recommendations:
        others = [e for e in entries if e.region != entry.region and set(e.themes) & set(entry.themes)]
        doc = get(real_client, f"/post/{entry.id}")
        related = doc.find("section", cls="related").find_all("li")
        if others:
            assert related, entry.id
            assert all(li.get("data-region") != entry.region for li in related), entry.id


def test_free_text_comparison_drops_weak_matches(real_client):
    data = real_client.get("/api/compare?q=h%C3%A4lsodata").get_json()
    assert data["mode"] == "text" and data["total"] >= 1
    rule = data["rule"]
    scores = [i["score"] for c in data["regions"] for k in data["kinds"] for i in c["cells"][k]]
    assert min(scores) >= rule["cutoff"] and max(scores) == rule["best_score"]
    doc = get(real_client, "/jamfor?q=h%C3%A4lsodata")
    assert len(page_ids(doc)) == data["total"]
    statuses = {th.get("data-region"): th.classes for th in doc.find("table", cls="compare").find("thead").find_all("th")}
    assert set(statuses) == {"ostergotland", "skane", "vastra-gotaland", "sodermanland", "sverige"}


def test_real_pages_render(real_client):
    for url in ("/", "/teman", "/kallor", "/kallor/skane-2020", "/regioner", "/regioner/vastra-gotaland",
                "/jamfor?tema=clinical-testbeds", "/jamfor?tema=regulatory-support&lang=en", "/sok?q=MDR",
                "/jamfor.md?tema=capital-gap", "/jamfor.csv?q=h%C3%A4lsodata"):
        assert real_client.get(url).status_code == 200, url
