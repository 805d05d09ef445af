"""The site in a real browser: the user journeys, screenshots, layout and a clean console.

Headless Chromium (the system's: /usr/bin/chromium, or $CHROMIUM_PATH) driven by Playwright
against the real content served on a loopback port. Without Chromium these tests are skipped
with a reason saying how to enable them; .ci/run installs it and makes a skip a failure.
Screenshots go to tests/artifacts/ (not in git).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.browser

CORE_THEMES = ["regulatory-support", "capital-gap", "clinical-testbeds"]
VIEWPORT_WIDTH = 1280

# The detail's statements in page order (sub-issue by sub-issue, region by region): the
# export's row order.
PAGE_ITEMS_JS = """() => [...document.querySelectorAll('section.detail .region-card')].flatMap(card =>
  [...card.querySelectorAll('.item')].map(item => [card.id.split('--')[1], item.dataset.entry,
    item.querySelector('.item-title').innerText.trim()]))"""

WIDTH_JS = """() => {
  const grid = document.querySelector('table.grid');
  const box = grid ? grid.getBoundingClientRect() : null;
  return {scrollWidth: document.scrollingElement.scrollWidth, viewport: window.innerWidth,
          left: box ? box.left : 0, right: box ? box.right : 0};
}"""


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_search_filter_open_entry_and_copy_citation(tab, live_server):
    page = tab.page
    tab.goto("/")
    tab.screenshot("start")
    page.fill("#q", "kapitalgap")
    page.click(".search-form button[type=submit]")
    page.wait_for_url("**/sok?q=kapitalgap")
    total = int(page.get_attribute(".result-count", "data-total"))
    assert total >= 5 and page.locator("ol.hits > li.hit").count() == min(total, 10)
    assert page.locator("ol.hits mark").count() > 0  # the words are highlighted
    tab.screenshot("search")

    # Filter by a region from the facet; every hit left is from that region.
    facet = page.locator('[data-facet="region"] a:not(.active)').first
    region = facet.get_attribute("data-value")
    facet.click()
    page.wait_for_url(f"**region={region}*")
    assert query(page.url) == {"q": ["kapitalgap"], "region": [region]}
    filtered = int(page.get_attribute(".result-count", "data-total"))
    assert 0 < filtered < total
    regions = page.locator("ol.hits .hit-meta a[href^='/regioner/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    assert regions and set(regions) == {f"/regioner/{region}"}
    assert page.locator(".chips .chip").count() == 1

    # Open the first hit: its page has the same title and a citation to paste.
    first = page.locator("ol.hits > li.hit").first
    entry_id = first.get_attribute("data-entry")
    title = first.locator(".hit-title a").inner_text().strip()
    first.locator(".hit-title a").click()
    page.wait_for_url(f"**/post/{entry_id}")
    assert page.locator("h1").inner_text().strip() == title
    citation = page.locator(".citation-text").inner_text().strip()
    expected = json.loads(live_server.get(f"/api/entries/{entry_id}").body)["citation"]
    assert citation == expected and len(citation) > 20
    tab.screenshot("entry")

    # The copy button (static/site.js) puts exactly the citation on the clipboard.
    button = page.locator(".citation .copy-button")
    assert button.inner_text() == "Kopiera källhänvisningen"
    button.click()
    page.wait_for_function("document.querySelector('.copy-button').textContent === 'Kopierad'")
    assert page.evaluate("navigator.clipboard.readText()") == citation
    tab.assert_clean()


@pytest.mark.parametrize("theme", CORE_THEMES)
def test_compare_core_theme_filter_by_kind_in_english_and_download_xlsx(tab, theme):
    page = tab.page
    tab.goto("/")
    page.click(f'.cards a[href="/jamfor?tema={theme}"]')
    page.wait_for_url(f"**/jamfor?tema={theme}")
    assert page.locator("table.grid").is_visible()
    assert page.locator("table.grid thead th[data-region]").count() >= 4
    rows = page.locator("table.grid tbody tr").count()
    assert rows >= 3 and page.locator("section.compare-summary li").count() >= 1
    if theme == "capital-gap":
        tab.screenshot("compare")

    # A cell of the grid leads to its statements in the detail.
    cell = page.locator("table.grid a.cell-link").first
    target = cell.get_attribute("href")
    cell.click()
    page.wait_for_url(f"**{target}")
    assert page.locator(f"div{target} .item").count() >= 1

    # Only recommendations: untick the other kinds and show the comparison again.
    for kind in ("challenge", "finding"):
        page.uncheck(f"#kind-{kind}")
    page.click(".compare-form button[type=submit]")
    page.wait_for_url("**kind=recommendation*")
    assert query(page.url)["kind"] == ["recommendation"]
    kinds = set(page.locator("section.detail .item").evaluate_all("items => items.map(i => i.dataset.kind)"))
    assert kinds <= {"recommendation"}

    # Switch the interface to English; the comparison stays, the language changes.
    page.click("a.lang-switch")
    page.wait_for_url("**lang=en*")
    assert page.get_attribute("html", "lang") == "en"
    assert query(page.url)["tema"] == [theme]
    assert page.locator("h1").inner_text().startswith("Comparison:")
    items = page.evaluate(PAGE_ITEMS_JS)
    assert items

    # The XLSX download holds the page's statements in the page's order, in English.
    with page.expect_download() as info:
        page.click(".exports a[href*='/jamfor.xlsx']")
    download = info.value
    assert download.suggested_filename == f"jamforelse-{theme}.xlsx"
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert [c.value for c in book.worksheets[0][1]][0] == "Sub-issue"
    sheet = book.worksheets[1]
    table = list(sheet.iter_rows(values_only=True))
    header = list(table[0])
    assert header[:4] == ["Sub-issue", "Region", "Kind", "Title"] and "Citation" in header
    link, title = header.index("Link"), header.index("Title")
    assert [(r[link].rsplit("/", 1)[1], r[title]) for r in table[1:]] == [
        (entry, text) for _, entry, text in items]
    tab.assert_clean()


COMPARISONS = [f"/jamfor?tema={theme}" for theme in CORE_THEMES] + [
    "/jamfor?q=h%C3%A4lsodata",
    "/jamfor?tema=capital-gap&kind=recommendation",
    "/jamfor?tema=clinical-testbeds&region=ostergotland&region=skane&region=vastra-gotaland"
    "&region=sodermanland&region=sverige",
]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("path", COMPARISONS)
def test_the_overview_grid_fits_without_sideways_scrolling(tab, path, lang, width):
    tab.page.set_viewport_size({"width": width, "height": 900})
    tab.goto(f"{path}&lang={lang}")
    box = tab.page.evaluate(WIDTH_JS)
    assert box["viewport"] == width
    assert box["scrollWidth"] <= width, f"the page scrolls sideways: {box}"
    assert box["left"] >= 0 and box["right"] <= width, f"the grid overflows: {box}"
    if width == 390 and path == COMPARISONS[1]:
        tab.screenshot(f"compare-phone-{lang}")
    tab.assert_clean()


PAGES = ["/", "/sok?q=kapitalgap", "/sok?q=kliniska+pr%C3%B6vningar&kind=recommendation",
         "/sok", "/jamfor", "/jamfor?tema=capital-gap", "/jamfor?q=h%C3%A4lsodata", "/teman",
         "/kallor", "/kallor/ostergotland-2026", "/kallor/skane-2020/text",
         "/kallor/sormland-2003/text", "/regioner", "/regioner/skane", "/regioner/sverige",
         "/sok?q=kapitalgap&lang=en", "/jamfor?tema=regulatory-support&lang=en"]


def entry_found(tab) -> str:
    hits = tab.page.context.request.get(f"{tab.server.url}/api/search?q=kapitalgap").json()["hits"]
    return hits[0]["entry"]["id"]


def test_no_page_logs_a_console_error_or_a_failed_request(tab):
    """Every page, in both languages, with CSP in force: no error, no failed or 4xx/5xx request."""
    page = tab.page
    entry = entry_found(tab)
    for path in PAGES + [f"/post/{entry}", f"/post/{entry}?lang=en"]:
        tab.goto(path)
        page.wait_for_load_state("load")
        # Every stylesheet and script loaded (a blocked or missing one would be a failed request).
        assert page.evaluate("document.styleSheets.length") >= 1, path
    tab.goto("/finns-inte?lang=sv", status=404)
    assert page.locator("h1").inner_text() == "Sidan finns inte"
    tab.assert_clean()


def test_site_works_without_javascript(browser, live_server):
    """The pages are server-rendered: search and comparison work with JavaScript off."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.fill("#q", "kapitalgap")
    page.click(".search-form button[type=submit]")
    page.wait_for_url("**/sok?q=kapitalgap")
    assert page.locator("ol.hits > li.hit").count() > 0
    page.goto("/jamfor")
    page.select_option("#tema", "capital-gap")
    page.click(".compare-form button[type=submit]")
    page.wait_for_url("**/jamfor?tema=capital-gap*")
    assert page.locator("section.detail .item").count() > 0
    # The quoted passage opens without JavaScript (a <details> element).
    toggle = page.locator("section.detail details.passage-toggle").first
    toggle.locator("summary").click()
    assert toggle.locator("blockquote").is_visible()
    page.locator("section.detail .item .item-title a").first.click()
    assert page.locator(".citation-text").is_visible()
    assert page.locator(".copy-button").count() == 0  # the enhancement needs JavaScript
    context.close()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_no_page_scrolls_sideways_on_a_phone(tab, lang):
    """At 390 px every page type fits the screen; the search filters fold above the results."""
    page = tab.page
    page.set_viewport_size({"width": 390, "height": 844})
    entry = entry_found(tab)
    for path in PAGES + [f"/post/{entry}", "/finns-inte"]:
        joiner = "&" if "?" in path else "?"
        tab.goto(f"{path}{joiner}lang={lang}", status=404 if path == "/finns-inte" else 200)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 390, (path, width)
    tab.goto(f"/sok?q=kapitalgap&lang={lang}")
    panel = page.locator("details.facet-panel")
    assert panel.get_attribute("open") is None  # folded behind its button on a phone
    first_hit = page.locator("ol.hits > li.hit").first.bounding_box()
    assert first_hit is not None and first_hit["y"] < 844, "the first hit is on the first screen"
    panel.locator("summary").click()
    assert page.locator('[data-facet="region"]').is_visible()
    tab.screenshot(f"search-phone-{lang}")
    tab.assert_clean()


def test_the_search_filters_stay_open_beside_the_results_on_a_desktop(tab):
    tab.goto("/sok?q=kapitalgap")
    assert tab.page.locator('[data-facet="region"]').is_visible()
    assert tab.page.locator("details.facet-panel > summary").is_hidden()


@pytest.mark.parametrize("width", [VIEWPORT_WIDTH, 390])
def test_an_entry_opens_in_its_context_in_the_report(tab, width):
    """From an entry, "read it in context" lands on its passage in the report, marked as quoted."""
    page = tab.page
    page.set_viewport_size({"width": width, "height": 844})
    entry = entry_found(tab)
    tab.goto(f"/post/{entry}")
    page.locator("a", has_text="sitt sammanhang").click()
    page.wait_for_load_state()
    anchor = urlsplit(page.url).fragment
    block = page.locator(f"[id='{anchor}']")
    assert "quoted" in (block.get_attribute("class") or "").split()
    # The passage is on screen, and it names the entry that quotes it.
    box = block.bounding_box()
    assert box is not None and 0 <= box["y"] < 844
    assert block.locator(f".quoted-by a[href$='/post/{entry}']").count() == 1
    # On a phone the table of contents is folded so the text comes first; on a desktop it is open.
    toc_open = page.locator(".toc > details").get_attribute("open")
    assert (toc_open is None) == (width == 390)
    tab.screenshot(f"report-context-{width}")
    tab.assert_clean()
