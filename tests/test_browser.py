"""The site in a real browser: the user journeys, screenshots, layout and a clean console.

Headless Chromium (the system's: /usr/bin/chromium, or $CHROMIUM_PATH) driven by Playwright
against the real content served on a loopback port. Without Chromium these tests are skipped
with a reason saying how to enable them; .ci/run installs it and makes a skip a failure.
Screenshots go to tests/artifacts/ (not in git).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.browser

CORE_THEMES = ["regulatory-support", "capital-gap", "clinical-testbeds"]
VIEWPORT_WIDTH = 1280

# Region by region (column order), kind by kind (row order): the export's row order.
PAGE_ITEMS_JS = """() => {
  const regions = [...document.querySelectorAll('table.compare th.region-head')].map(th => th.dataset.region);
  const kinds = [...document.querySelectorAll('table.compare tbody tr[data-kind]')].map(tr => tr.dataset.kind);
  const items = [];
  for (const region of regions) for (const kind of kinds) {
    for (const item of document.querySelectorAll(
        `table.compare td.cell[data-region="${region}"][data-kind="${kind}"] .item`)) {
      items.push([item.dataset.entry, item.querySelector('.item-title').innerText.trim()]);
    }
  }
  return items;
}"""

OVERFLOW_JS = """() => {
  const table = document.querySelector('table.compare').getBoundingClientRect();
  return {scrollWidth: document.documentElement.scrollWidth, left: table.left, right: table.right,
          viewport: window.innerWidth};
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
    expected = json.loads(live_server.get(f"/api/entries/{entry_id}").body)["entry"]["citation"]
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
def test_compare_core_theme_in_english_and_download_xlsx(tab, theme):
    page = tab.page
    tab.goto("/")
    page.click(f'.cards a[href="/jamfor?tema={theme}"]')
    page.wait_for_url(f"**/jamfor?tema={theme}")
    assert page.locator("table.compare").is_visible()
    assert page.locator("table.compare th.region-head").count() >= 4
    if theme == "capital-gap":
        tab.screenshot("compare")

    # Switch the interface to English; the comparison stays, the language changes.
    page.click("a.lang-switch")
    page.wait_for_url("**lang=en*")
    assert page.get_attribute("html", "lang") == "en"
    assert query(page.url)["tema"] == [theme]
    assert page.locator("h1").inner_text().startswith("Comparison:")
    items = page.evaluate(PAGE_ITEMS_JS)
    total = int(page.get_attribute(".compare-tools .result-count", "data-total"))
    assert len(items) == total > 0

    # The XLSX download has one row per entry shown, in the page's order, in English.
    with page.expect_download() as info:
        page.click(".exports a[href*='/jamfor.xlsx']")
    download = info.value
    assert download.suggested_filename == f"jamforelse-{theme}.xlsx"
    book = load_workbook(download.path())
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:3] == ["Region", "Kind", "Title"] and "Citation" in header
    ids = [row[header.index("Id")] for row in rows[1:]]
    titles = [row[header.index("Title")] for row in rows[1:]]
    assert ids == [entry for entry, _ in items]
    assert titles == [title for _, title in items]
    assert all(row[header.index("Citation")] for row in rows[1:])
    tab.assert_clean()


COMPARISONS = [f"/jamfor?tema={theme}" for theme in CORE_THEMES] + [
    "/jamfor?q=h%C3%A4lsodata",
    "/jamfor?tema=capital-gap&kind=recommendation",
    "/jamfor?tema=clinical-testbeds&region=ostergotland&region=skane&region=vastra-gotaland"
    "&region=sodermanland&region=sverige",
]


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("path", COMPARISONS)
def test_comparison_table_fits_a_1280px_viewport(tab, path, lang):
    tab.goto(f"{path}&lang={lang}")
    box = tab.page.evaluate(OVERFLOW_JS)
    assert box["viewport"] == VIEWPORT_WIDTH
    assert box["scrollWidth"] <= VIEWPORT_WIDTH, f"the page scrolls sideways: {box}"
    assert box["left"] >= 0 and box["right"] <= VIEWPORT_WIDTH, f"the table overflows: {box}"
    tab.assert_clean()


PAGES = ["/", "/sok?q=kapitalgap", "/sok?q=kliniska+pr%C3%B6vningar&kind=recommendation",
         "/sok", "/jamfor", "/jamfor?tema=capital-gap", "/jamfor?q=h%C3%A4lsodata", "/teman",
         "/kallor", "/kallor/ostergotland-2026", "/regioner", "/regioner/skane",
         "/regioner/sverige", "/sok?q=kapitalgap&lang=en", "/jamfor?tema=regulatory-support&lang=en"]


def test_no_page_logs_a_console_error_or_a_failed_request(tab):
    """Every page, in both languages, with CSP in force: no error, no failed or 4xx/5xx request."""
    page = tab.page
    entry = page.context.request.get(f"{tab.server.url}/api/search?q=kapitalgap").json()["hits"][0]["id"]
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
    assert page.locator("table.compare .item").count() > 0
    page.locator("table.compare .item a").first.click()
    assert page.locator(".citation-text").is_visible()
    assert page.locator(".copy-button").count() == 0  # the enhancement needs JavaScript
    context.close()
