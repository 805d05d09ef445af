"""The pages over the fixture corpus: what each shows, through the test client and parsed HTML."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from openpyxl import load_workbook

from search.generations import IndexUnavailable
from tests.htmltools import parse
from web.present import with_query


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert response.content_type.startswith("text/html")
    return parse(response.data)


def query(href):
    return parse_qs(urlsplit(href).query)


# Start page

def test_start_page_has_search_core_themes_matrix_and_sources(client):
    doc = page(client, "/")
    field = doc.find("input", id="q")
    assert field.get("name") == "q" and doc.find("label", **{"for": "q"})
    form = doc.find("form", cls="search-form")
    assert form.get("action") == "/sok" and form.get("method") == "get"
    cards = [a.get("href") for a in doc.find_all("a", cls="card-link")]
    assert cards == ["/jamfor?tema=capital-gap", "/jamfor?tema=clinical-testbeds",
                     "/jamfor?tema=regulatory-support"]
    matrix = doc.find("table", cls="matrix")
    assert [th.text() for th in matrix.find("thead").find_all("th")] == ["Tema", "Testlän", "Grannlän"]
    links = {a.get("href"): a.text() for a in matrix.find_all("a") if "region=" in a.get("href")}
    assert links["/jamfor?tema=regulatory-support&region=testlan"] == "1"
    assert "/jamfor?tema=regulatory-support&region=grannlan" not in links
    assert matrix.find("td", cls="heat-5") and matrix.find("td", cls="heat-0")
    sources = doc.find("ul", cls="source-list").text()
    assert "Demorapport om life science i Testlän" in sources and "2024 · analys" in sources
    assert "2022 · agenda" in sources


# Search

def test_search_shows_hits_with_highlights_meta_and_count(client):
    doc = page(client, "/sok?q=riskkapital")
    assert doc.find("h2", cls="result-count").text().startswith("2 träffar")
    assert doc.find("input", id="q").get("value") == "riskkapital"
    hit = doc.find("li", cls="hit")
    assert hit.get("data-entry") == "demo-2024-1-1"
    assert hit.find("a").text() == "Kapitalgap i tidiga skeden för bioteknikföretag"
    assert hit.find("span", cls="kind-challenge").text() == "Utmaning"
    meta = hit.find("p", cls="hit-meta").text()
    assert "Testlän" in meta and "Demorapport" in meta and "avsnitt 1.1, s. 4" in meta
    assert [m.text() for m in hit.find("p", cls="snippet").find_all("mark")][0] == "riskkapital"


def test_facets_filter_and_combine(client):
    doc = page(client, "/sok?q=prövningar")
    assert doc.find("h2", cls="result-count").get("data-total") == "2"
    region = doc.find("section", data_facet="region")
    link = region.find("a", data_value="testlan")
    assert link.find("span", cls="count").text() == "1"
    assert query(link.get("href")) == {"q": ["prövningar"], "region": ["testlan"]}
    narrowed = page(client, link.get("href"))
    assert narrowed.find("h2", cls="result-count").get("data-total") == "1"
    active = narrowed.find("section", data_facet="region").find("a", cls="active")
    assert active.get("data-value") == "testlan" and query(active.get("href")) == {"q": ["prövningar"]}
    kind = narrowed.find("section", data_facet="kind").find("a", data_value="recommendation")
    assert query(kind.get("href")) == {"q": ["prövningar"], "region": ["testlan"], "kind": ["recommendation"]}
    both = page(client, kind.get("href"))
    assert [h.get("data-entry") for h in both.find_all("li", cls="hit")] == ["demo-2024-2-1"]
    chips = both.find("div", cls="chips")
    assert {a.text().rstrip(" ×") for a in chips.find_all("a", cls="chip")} == {"Testlän", "Rekommendation"}
    hidden = {(i.get("name"), i.get("value")) for i in both.find_all("input", type="hidden")}
    assert hidden == {("region", "testlan"), ("kind", "recommendation")}


def test_repeated_values_of_one_facet_are_alternatives(client):
    doc = page(client, "/sok?region=testlan&region=grannlan&theme=clinical-testbeds")
    assert doc.find("h2", cls="result-count").get("data-total") == "2"


def test_empty_query_browses_every_entry_in_document_order(client):
    doc = page(client, "/sok")
    # Report order: source by source as sources.yaml lists them, each in its report's order.
    assert [h.get("data-entry") for h in doc.find_all("li", cls="hit")] == [
        "demo-2024-1-1", "demo-2024-2-1", "annan-2022-3"]


def test_pagination_keeps_the_state(app, client):
    app.config["PAGE_SIZE"] = 1
    doc = page(client, "/sok?theme=clinical-testbeds")
    pager = doc.find("nav", cls="pagination")
    assert query(pager.find("a", rel="next").get("href")) == {"theme": ["clinical-testbeds"], "page": ["2"]}
    second = page(client, "/sok?theme=clinical-testbeds&page=2")
    assert second.find("nav", cls="pagination").find("a", **{"aria-current": "page"}).text() == "2"
    assert len(second.find_all("li", cls="hit")) == 1
    assert page(client, "/sok?theme=clinical-testbeds&page=99").find("li", cls="hit")


def test_did_you_mean_is_escaped_and_keeps_filters(client):
    response = client.get("/sok?q=%3Cb%3Eriskkapitl&kind=challenge&exakt=1")
    assert b"<b>riskkapital" not in response.data
    doc = parse(response.data)
    suggestion = doc.find("p", cls="suggestion")
    assert suggestion.text().startswith("Menade du <b>riskkapital")
    assert query(suggestion.find("a").get("href")) == {"q": ["<b>riskkapital"], "kind": ["challenge"],
                                                        "exakt": ["1"]}


def test_a_correction_is_shown_escaped_with_a_way_back_to_the_query(real_client):
    doc = page(real_client, "/sok?q=%3Cb%3Eriskkapitl&kind=challenge")
    notice = doc.find("p", cls="corrected")
    said = re.sub(r"\s+([.,])", r"\1", notice.text())
    assert said == "Visar träffar för <b>riskkapital. Sök i stället på <b>riskkapitl."
    links = [query(a.get("href")) for a in notice.find_all("a")]
    assert links == [{"q": ["<b>riskkapital"], "kind": ["challenge"]},
                     {"q": ["<b>riskkapitl"], "kind": ["challenge"], "exakt": ["1"]}]
    assert int(doc.find("h2", cls="result-count").get("data-total")) >= 3
    # The comparison offered is on what the hits are for.
    assert query(doc.find("p", cls="compare-link").find("a").get("href"))["q"] == ["<b>riskkapital"]


def test_no_hits_says_so(client):
    doc = page(client, "/sok?q=zzzzqqq")
    assert doc.find("h2", cls="result-count").get("data-total") == "0"
    assert "Inga träffar." in doc.find("section", cls="results").text()


@pytest.mark.parametrize("url", ["/sok.csv?q=prövningar", "/sok?q=prövningar&format=csv"])
def test_search_csv_export(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert {r["Id"] for r in rows} == {"demo-2024-2-1", "annan-2022-3"}
    assert all(r["Källhänvisning"].startswith("Källa: ") for r in rows)


def test_csv_link_on_search_page_reproduces_the_state(client):
    doc = page(client, "/sok?q=prövningar&region=testlan")
    href = doc.find("p", cls="exports").find("a").get("href")
    assert href.startswith("/sok.csv?") and query(href) == {"q": ["prövningar"], "region": ["testlan"]}


# Entry

def test_entry_page_shows_everything_about_the_entry(client):
    doc = page(client, "/post/demo-2024-2-1")
    assert doc.find("h1").text() == "Inför ett samlat regulatoriskt stöd för MDR och IVDR"
    header = doc.find("header", cls="entry-header").text()
    assert "Rekommendation" in header and "Testlän" in header and "avsnitt 2.1, s. 7" in header
    facts = doc.find("dl", cls="facts").text()
    assert "Regulatoriskt stöd" in facts and "Kliniska testbäddar och prövningar" in facts
    assert "Region Testlän" in facts
    assert doc.find("p", cls="summary").text() == "Regionen bör ordna rådgivning om MDR och IVDR och kliniska prövningar."
    assert "Regionen bör etablera ett samlat stöd" in doc.find("blockquote", cls="passage").text()
    assert doc.find("p", cls="citation-text").text() == (
        "Källa: Testkonsult (2024). Demorapport om life science i Testlän. Region Testlän, avsnitt 2.1, s. 7.")


def test_entry_page_lists_what_other_regions_say(client):
    doc = page(client, "/post/demo-2024-2-1")
    related = doc.find("section", cls="related")
    items = related.find_all("li")
    assert [li.get("data-entry") for li in items] == ["annan-2022-3"]
    assert all(li.get("data-region") != "testlan" for li in items)


def test_entry_citation_without_page(client):
    doc = page(client, "/post/annan-2022-3")
    assert doc.find("p", cls="citation-text").text() == (
        "Källa: Grannlän (2022). Annan rapport. Region Grannlän, avsnitt 3.")


def test_entry_body_markdown_is_rendered_without_raw_html(client, content_dir):
    path = content_dir / "demo-2024" / "demo-2024-1-1.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip() + "\n\n<script>alert('x')</script> **fet** "
                    "[länk](javascript:alert(1))\n\n- punkt ett\n- punkt två\n", encoding="utf-8")
    response = client.get("/post/demo-2024-1-1")
    body = response.data.decode()
    assert "<script>alert" not in body and "&lt;script&gt;alert" in body
    assert "javascript:" not in body
    passage = parse(body).find("blockquote", cls="passage")
    assert passage.find("strong").text() == "fet" and len(passage.find_all("li")) == 2


def test_unknown_entry_is_404(client):
    doc = page(client, "/post/finns-inte", 404)
    assert doc.find("h1").text() == "Sidan finns inte"


# Compare

def grid_regions(doc):
    return [th.get("data-region") for th in doc.find("table", cls="grid").find("thead").find_all("th")
            if th.get("data-region")]


def grid_cell(doc, row, region):
    return doc.find("tr", data_row=row).find("td", data_region=region)


def detail_ids(doc, row, region):
    card = doc.find("div", id=f"{row}--{region}")
    return [a.get("data-entry") for a in card.find_all("article")]


def test_compare_by_theme_shows_the_grid_summary_and_detail(client):
    doc = page(client, "/jamfor?tema=capital-gap")
    assert doc.find("h1").text() == "Jämförelse: Kapitalgap och finansiering"
    assert grid_regions(doc) == ["testlan", "grannlan"]
    rows = [tr.get("data-row") for tr in doc.find("table", cls="grid").find("tbody").find_all("tr")]
    assert rows == ["capital-gap--early-stage-capital", "capital-gap--private-investors"]
    cell = grid_cell(doc, "capital-gap--early-stage-capital", "testlan")
    assert cell.find("a", cls="cell-link").get("href") == "#capital-gap--early-stage-capital--testlan"
    assert cell.find("span", cls="kind-challenge").text() == "U 1 1 utmaning"
    assert "status-nothing-found" in grid_cell(doc, "capital-gap--private-investors", "grannlan").classes
    claims = [li.text() for li in doc.find("section", cls="compare-summary").find_all("li")]
    assert claims[0] == "Alla regioner med rapport tar upp ”Kapital i tidiga skeden”."
    assert detail_ids(doc, "capital-gap--early-stage-capital", "testlan") == ["demo-2024-1-1"]
    assert detail_ids(doc, "capital-gap--early-stage-capital", "grannlan") == ["annan-2022-3"]
    item = doc.find("div", id="capital-gap--early-stage-capital--testlan").find("article")
    assert item.find("a").get("href") == "/post/demo-2024-1-1"
    assert "Unga bolag i Testlän" in item.find("p", cls="item-summary").text()
    assert item.find("p", cls="item-cite").text() == "Demorapport 2024, avsnitt 1.1, s. 4"
    passage = item.find("details", cls="passage-toggle")
    assert "Det saknas riskkapital" in passage.find("blockquote").text()
    basis = doc.find("section", cls="basis").find("li", data_region="testlan").text()
    assert "Demorapport om life science i Testlän" in basis and "2024 · analys" in basis
    selected = [o.get("value") for o in doc.find("select", id="tema").find_all("option") if "selected" in o.attrs]
    assert selected == ["capital-gap"]


def test_compare_keeps_silent_and_unreported_regions_apart(client):
    doc = page(client, "/jamfor?tema=regulatory-support&region=testlan&region=grannlan&region=tomlan")
    assert grid_regions(doc) == ["testlan", "grannlan", "tomlan"]
    silent = grid_cell(doc, "regulatory-support--mdr-ivdr", "grannlan")
    assert "status-nothing-found" in silent.classes and "inget i underlagen" in silent.text()
    absent = grid_cell(doc, "regulatory-support--mdr-ivdr", "tomlan")
    assert "status-no-report" in absent.classes and "ingen rapport" in absent.text()
    card = doc.find("div", id="regulatory-support--mdr-ivdr--tomlan")
    assert card.find("p", cls="empty").text() == "ingen rapport i kunskapsbasen"
    checked = [i.get("value") for i in doc.find_all("input", type="checkbox", name="region")
               if "checked" in i.attrs]
    assert checked == ["testlan", "grannlan", "tomlan"]


def test_kind_checkboxes_filter_the_comparison(client):
    doc = page(client, "/jamfor?tema=capital-gap&kind=recommendation")
    boxes = {i.get("value"): "checked" in i.attrs for i in doc.find_all("input", name="kind")}
    assert boxes == {"recommendation": True, "challenge": False, "finding": False}
    assert detail_ids(doc, "capital-gap--early-stage-capital", "testlan") == []
    status = doc.find("tfoot").find("td", data_region="testlan").text()
    assert "1 post av andra slag" in status


def test_compare_by_free_text(client):
    doc = page(client, "/jamfor?q=MDR")
    assert doc.find("h1").text() == "Jämförelse: ”MDR”"
    assert detail_ids(doc, "regulatory-support--mdr-ivdr", "testlan") == ["demo-2024-2-1"]
    status = doc.find("tfoot").find("td", data_region="grannlan").text()
    assert "inget i underlagen" in status
    assert "20 %" in doc.find("p", cls="rule").text()


def test_a_theme_with_leftover_free_text_says_what_it_combines(client):
    doc = page(client, "/jamfor?tema=capital-gap&q=riskkapital")
    notice = doc.find("p", cls="combined")
    assert "Visar poster om Kapitalgap och finansiering som matchar ”riskkapital”." in notice.text()
    links = [a.get("href") for a in notice.find_all("a")]
    assert links == ["/jamfor?tema=capital-gap", "/jamfor?q=riskkapital"]


def test_free_text_naming_a_theme_offers_the_theme(client):
    doc = page(client, "/jamfor?q=riskkapital")
    offer = doc.find("p", cls="offer")
    assert offer.find("a").get("href") == "/jamfor?tema=capital-gap"


def test_compare_without_topic_shows_the_form(client):
    doc = page(client, "/jamfor")
    assert doc.find("form", cls="compare-form") and not doc.find("table", cls="grid")
    assert doc.find("label", **{"for": "tema"}) and doc.find("label", **{"for": "compare-q"})
    assert [i.get("value") for i in doc.find_all("input", name="region")] == ["testlan", "grannlan", "tomlan"]
    assert [i.get("value") for i in doc.find_all("input", name="kind")] == [
        "recommendation", "challenge", "finding"]


def test_compare_with_unknown_theme_is_400(client):
    doc = page(client, "/jamfor?tema=finns-inte", 400)
    assert doc.find("h1").text() == "Felaktig förfrågan" and "Okänt tema." in doc.text()


def test_compare_exports_hold_the_pages_entries(client):
    doc = page(client, "/jamfor?tema=capital-gap&region=grannlan&region=testlan")
    links = {a.text(): a.get("href") for a in doc.find("p", cls="exports").find_all("a")}
    page_pairs = [(card.get("id").split("--")[1], a.get("data-entry"))
                  for card in doc.find_all("div", cls="region-card") for a in card.find_all("article")]
    xlsx = client.get(links["Excel (XLSX)"])
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(xlsx.data)).worksheets[1]
    rows = list(sheet.iter_rows(values_only=True))
    url = rows[0].index("Länk")
    assert [r[url].rsplit("/", 1)[1] for r in rows[1:]] == [entry for _, entry in page_pairs]
    csv_rows = list(csv.DictReader(io.StringIO(client.get(links["CSV"]).data.decode("utf-8-sig"))))
    assert [r["Länk"].rsplit("/", 1)[1] for r in csv_rows] == [entry for _, entry in page_pairs]
    memo = client.get(links["PM som text (Markdown)"])
    assert memo.mimetype == "text/markdown" and b"[^1]: K\xc3\xa4lla:" in memo.data
    word = client.get(links["Word-PM (DOCX)"])
    assert word.mimetype.endswith("wordprocessingml.document")
    assert word.headers["Content-Disposition"] == 'attachment; filename="jamforelse-capital-gap.docx"'
    assert client.get("/jamfor?tema=capital-gap&format=xlsx").status_code == 200


def test_the_search_page_links_to_the_comparison_on_its_query(client):
    doc = page(client, "/sok?q=riskkapital&region=testlan&kind=challenge")
    link = doc.find("p", cls="compare-link").find("a")
    assert query(link.get("href")) == {"q": ["riskkapital"], "region": ["testlan"], "kind": ["challenge"]}


def test_the_themes_pages_counts_open_the_filtered_comparison(client):
    doc = page(client, "/teman")
    block = doc.find("section", data_theme="capital-gap")
    row = block.find("tr", data_region="testlan")
    links = [query(a.get("href")) for a in row.find_all("a")]
    assert {"tema": ["capital-gap"], "region": ["testlan"], "kind": ["challenge"]} in links
    assert {"tema": ["capital-gap"], "region": ["testlan"]} in links


def test_compare_export_needs_a_topic(client):
    assert client.get("/jamfor.csv").status_code == 400
    assert client.get("/jamfor?tema=capital-gap&format=pdf").status_code == 400


# Themes, sources, regions

def test_themes_page_has_scope_and_counts_per_region_and_kind(client):
    doc = page(client, "/teman")
    blocks = doc.find_all("section", cls="theme-block")
    assert [b.get("data-theme") for b in blocks] == ["capital-gap", "clinical-testbeds", "regulatory-support"]
    clinical = blocks[1]
    assert "Vården som testmiljö." in clinical.text()
    row = clinical.find("tr", data_region="testlan")
    assert [td.text() for td in row.find_all("td", cls="num")] == ["1", "0", "0", "1"]
    assert clinical.find("tfoot").find_all("td", cls="num")[-1].text() == "2"


def test_sources_page_lists_metadata(client):
    doc = page(client, "/kallor")
    cards = doc.find_all("li", cls="source-card")
    assert [c.get("data-source") for c in cards] == ["demo-2024", "annan-2022"]
    text = cards[0].text()
    assert "Testkonsult" in text and "2024" in text and "analys" in text and "Region Testlän" in text


def test_source_page_lists_entries_in_document_order(client):
    doc = page(client, "/kallor/demo-2024")
    assert doc.find("h1").text() == "Demorapport om life science i Testlän"
    items = doc.find("ol", cls="entry-list").find_all("li")
    assert [li.get("data-entry") for li in items] == ["demo-2024-1-1", "demo-2024-2-1"]
    assert "avsnitt 1.1, s. 4" in items[0].text()
    page(client, "/kallor/finns-inte", 404)


def test_regions_page(client):
    doc = page(client, "/regioner")
    cards = {c.get("data-region"): c.text() for c in doc.find_all("li", cls="source-card")}
    assert "Demorapport" in cards["testlan"] and "Ingen rapport i kunskapsbasen." in cards["tomlan"]


def test_region_page_lists_sources_and_recommendations_by_theme(client):
    doc = page(client, "/regioner/testlan")
    assert doc.find("h1").text() == "Testlän"
    assert "Demorapport om life science i Testlän" in doc.find("ul", cls="source-list").text()
    groups = doc.find_all("section", cls="theme-group")
    assert [g.get("data-theme") for g in groups] == ["regulatory-support"]
    assert [a.get("data-entry") for a in groups[0].find_all("article")] == ["demo-2024-2-1"]
    empty = page(client, "/regioner/tomlan")
    assert "Ingen rapport i kunskapsbasen." in empty.text()
    page(client, "/regioner/finns-inte", 404)


# Errors

def test_index_unavailable_is_503(app, client, monkeypatch):
    def unavailable():
        raise IndexUnavailable("no index")
    monkeypatch.setattr(app.extensions["kb"], "snapshot", unavailable)
    doc = page(client, "/sok?q=x", 503)
    assert doc.find("h1").text() == "Sökindexet är inte tillgängligt"
    response = client.get("/api/search?q=x")
    assert response.status_code == 503 and response.get_json()["error"]["status"] == 503


def test_method_not_allowed_is_a_friendly_page(client):
    response = client.post("/sok")
    assert response.status_code == 405
    assert parse(response.data).find("h1").text() == "Metoden stöds inte"


def test_unexpected_errors_are_a_friendly_500(app, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr("web.views.overview.theme_overview", lambda *a: 1 / 0)
    response = app.test_client().get("/teman")
    assert response.status_code == 500
    assert parse(response.data).find("h1").text() == "Något gick fel"
    assert b"ZeroDivisionError" not in response.data


def test_compare_with_a_query_without_words_says_so(client):
    doc = page(client, "/jamfor?q=%2A+%28")
    assert doc.find("p", cls="notice").text() == "Sökningen innehåller inga sökbara ord."
    assert not doc.find("table", cls="grid")


def test_links_encode_their_parameters_as_urlencode_does():
    # with_query caches each encoded pair; the result must stay exactly urlencode's.
    pairs = [("q", "kliniska \"prövningar\" & a=b/c?+%"), ("region", "skane"), ("region", "å ä ö"),
             ("page", 2), ("q", "")]
    assert with_query("/sok", pairs) == "/sok?" + urlencode(pairs)
    assert with_query("/sok", []) == "/sok"


def test_a_bug_in_search_is_a_500_logged_with_its_query(content_dir, tmp_path, monkeypatch, caplog):
    """No retry hides a failure: the visitor gets the error page, the log gets the query."""
    from app import create_app

    def broken(*args, **kwargs):
        raise RuntimeError("injected bug")

    monkeypatch.setattr("web.views.search", broken)
    app = create_app({"CONTENT_DIR": str(content_dir), "INDEX_DIR": str(tmp_path / "index")})
    client = app.test_client()
    page = client.get("/sok?q=kapital+%22tidig+fas%22")
    assert page.status_code == 500 and "Något gick fel" in page.get_data(as_text=True)
    assert "injected bug" not in page.get_data(as_text=True)
    api = client.get("/api/search?q=-kapital")
    assert api.status_code == 500 and api.get_json()["error"]["status"] == 500
    assert "/sok?q=kapital+%22tidig+fas%22" in caplog.text and "/api/search?q=-kapital" in caplog.text
    assert "RuntimeError: injected bug" in caplog.text
