"""Acceptance on the real content/: comparison, search with facets, related entries."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from openpyxl import load_workbook

from kb.content.entries import load_content
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


CORE = ("capital-gap", "clinical-testbeds", "regulatory-support")
# Free-text topics a policy officer compares regions on (the honesty test below).
TOPICS = ["hälsodata", "riskkapital", "affärsänglar", "kliniska prövningar", "testbäddar", "MDR",
          "etikprövning", "biobanker", "kompetensförsörjning", "rekrytering", "inkubator",
          "science park", "klusterorganisation", "processledare", "internationalisering",
          "synlighet", "upphandling", "innovationsupphandling", "AI", "bildanalys", "precisionsmedicin",
          "cellterapi", "produktionskapacitet", "forskningsinfrastruktur", "MAX IV", "Vinnova",
          "EU-medel", "börsnotering", "samverkan", "hållbarhet", "beredskap", "first customer",
          "universitetssjukhus", "medicinteknik", "läkemedel", "e-hälsa", "talang", "varumärke"]


def grid(doc):
    """Row key → region → the ids in the detail card of that row and region."""
    found: dict[str, dict[str, list[str]]] = {}
    for section in doc.find("section", cls="detail").find_all("section", cls="subissue"):
        for card in section.find_all("div", cls="region-card"):
            found.setdefault(section.get("id"), {})[card.get("data-region")] = [
                a.get("data-entry") for a in card.find_all("article")]
    return found


@pytest.mark.parametrize("theme", CORE)
def test_each_core_theme_is_aligned_by_sub_issue_and_agrees_with_the_content(real_client, content, theme):
    vocab, entries = content
    data = real_client.get(f"/api/compare?tema={theme}").get_json()
    subissues = [s.slug for s in vocab.themes[theme].subissues]
    assert [r["key"] for r in data["rows"]][:len(subissues)] == [f"{theme}--{s}" for s in subissues]
    regions = [c["region"]["slug"] for c in data["regions"]]
    assert regions == [r.slug for r in vocab.regions_with_sources()]
    doc = get(real_client, f"/jamfor?tema={theme}")
    shown = grid(doc)
    for row in data["rows"]:
        sub = row["key"].split("--", 1)[1]
        for cell in row["cells"]:
            expected = [e.id for e in entries if e.region == cell["region"] and theme in e.themes
                        and (sub in e.subissues_of(theme) or (sub == "other" and not e.subissues_of(theme)))]
            # Every tagged entry once per sub-issue it carries, in the page's detail and the JSON.
            ids = [i["entry"]["id"] for i in cell["items"]]
            assert sorted(ids) == sorted(expected) and len(set(ids)) == len(ids), (row["key"], cell["region"])
            assert shown[row["key"]][cell["region"]] == ids
            counts = {k: sum(1 for i in cell["items"] if i["entry"]["kind"] == k) for k in KINDS}
            assert cell["counts"] == counts
            html_cell = doc.find("tr", data_row=row["key"]).find("td", data_region=cell["region"])
            badges = {k: html_cell.find("span", cls=f"kind-{k}") for k in KINDS}
            for kind in KINDS:
                assert (badges[kind] is not None) == bool(counts[kind]), (row["key"], cell["region"], kind)
            assert f"status-{cell['status']}" in html_cell.classes
    check_summary(data)
    sentences = [li.text() for li in doc.find("section", cls="compare-summary").find_all("li")]
    assert len(sentences) == len(data["summary"])


def check_summary(data):
    """Each claim of the summary is true of the grid."""
    reporting = [c["region"]["slug"] for c in data["regions"] if c["status"] != "no-report"]
    rows = {r["key"]: {c["region"]: c for c in r["cells"]} for r in data["rows"]}
    for claim in data["summary"]:
        cells = rows[claim["row"]]
        found = [r for r, c in cells.items() if c["status"] == "found"]
        if claim["kind"] == "everyone":
            assert sorted(found) == sorted(reporting) == sorted(claim["regions"])
        elif claim["kind"] == "only-one":
            assert found == claim["regions"] and len(found) == 1
        elif claim["kind"] == "recommends-where-others-describe":
            assert all(cells[r]["counts"]["recommendation"] for r in claim["regions"])
            assert claim["others"] and all(cells[r]["counts"]["challenge"]
                                           and not cells[r]["counts"]["recommendation"]
                                           for r in claim["others"])
        else:
            assert claim["kind"] == "nobody-recommends"
            assert not any(c["counts"]["recommendation"] for c in cells.values())
            assert all(cells[r]["counts"]["challenge"] for r in claim["regions"])


@pytest.mark.parametrize("topic", TOPICS)
def test_a_region_is_silent_only_when_nothing_of_it_matches(real_client, topic):
    """Never "inget i underlagen" when a search for the same words within the region finds any
    entry; weaker matches are said with their number."""
    data = real_client.get("/api/compare?" + urlencode({"q": topic})).get_json()
    assert data["mode"] == "text"
    for column in data["regions"]:
        region = column["region"]["slug"]
        found = real_client.get("/api/search?" + urlencode(
            {"q": topic, "region": region, "page_size": 1})).get_json()["total"]
        if column["status"] == "nothing-found":
            assert found == 0, (topic, region)
        elif column["status"] == "weaker-only":
            assert found == column["weaker"] > 0, (topic, region)
        elif column["status"] == "found":
            assert found >= column["count"] > 0, (topic, region)
    check_summary(data)


def test_the_capital_gap_exports_hold_the_pages_entries(real_client):
    from docx import Document

    doc = get(real_client, "/jamfor?tema=capital-gap")
    shown = grid(doc)
    pairs = [(row, entry) for row, cells in shown.items() for ids in cells.values() for entry in ids]
    links = {a.text(): a.get("href") for a in doc.find("p", cls="exports").find_all("a")}
    book = load_workbook(io.BytesIO(real_client.get(links["Excel (XLSX)"]).data))
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    url = rows[0].index("Länk")
    assert [r[url].rsplit("/", 1)[1] for r in rows[1:]] == [entry for _, entry in pairs]
    overview = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(overview) == 1 + len(shown)
    csv_text = real_client.get(links["CSV"]).data.decode("utf-8-sig")
    assert csv_text.count("/post/") == len(pairs)
    memo = real_client.get(links["PM som text (Markdown)"]).data.decode("utf-8")
    entries = {entry for _, entry in pairs}
    assert all(f"/post/{entry}" in memo for entry in entries)
    word = Document(io.BytesIO(real_client.get(links["Word-PM (DOCX)"]).data))
    text = "\n".join(p.text for p in word.paragraphs)
    assert all(f"/post/{entry}" in text for entry in entries)
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 2"]
    assert all(h in headings for h in ["Kapital i tidiga skeden", "Finansiering av klusterarbetet"])


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


def test_free_text_comparison_shows_the_strong_matches_and_counts_the_weaker(real_client):
    data = real_client.get("/api/compare?q=h%C3%A4lsodata").get_json()
    assert data["mode"] == "text" and data["total"] >= 1
    rule = data["rule"]
    scores = [i["score"] for r in data["rows"] for c in r["cells"] for i in c["items"]]
    assert min(scores) >= rule["cutoff"] and max(scores) == rule["best_score"]
    assert sum(c["weaker"] for c in data["regions"]) <= rule["dropped"]
    doc = get(real_client, "/jamfor?q=h%C3%A4lsodata")
    shown = {e for cells in grid(doc).values() for ids in cells.values() for e in ids}
    assert len(shown) == data["total"]
    columns = [th.get("data-region") for th in doc.find("table", cls="grid").find("thead").find_all("th")
               if th.get("data-region")]
    assert columns == ["ostergotland", "skane", "vastra-gotaland", "sodermanland", "sverige"]


def test_real_pages_render(real_client):
    for url in ("/", "/teman", "/kallor", "/kallor/skane-2020", "/regioner", "/regioner/vastra-gotaland",
                "/jamfor?tema=clinical-testbeds", "/jamfor?tema=regulatory-support&lang=en", "/sok?q=MDR",
                "/jamfor.md?tema=capital-gap", "/jamfor.csv?q=h%C3%A4lsodata", "/jamfor.docx?q=MDR",
                "/kallor/sormland-2003/text", "/kallor/atmp-2023/text?lang=en"):
        assert real_client.get(url).status_code == 200, url
