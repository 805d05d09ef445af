"""Accessibility in a real browser: axe-core on every kind of page, no violation at all.

axe-core comes from PyPI (the `axe-playwright-python` test extra bundles axe.min.js); it is
neither vendored here nor fetched from a CDN. It is run inside the page through Playwright's
evaluate, so the site's Content-Security-Policy stays in force.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

BLOCKING = {"minor", "moderate", "serious", "critical"}  # every violation counts
# Every kind of page: (name, path, expected status). The entry is found by searching.
PAGES = [
    ("start", "/", 200),
    ("search", "/sok?q=kapitalgap", 200),
    ("search-filtered", "/sok?q=kapitalgap&region=skane&kind=recommendation", 200),
    ("search-empty", "/sok?q=zzzxq", 200),
    ("entry", "/post/{entry}", 200),
    ("compare", "/jamfor?tema=capital-gap", 200),
    ("compare-free-text", "/jamfor?q=h%C3%A4lsodata", 200),
    ("compare-form", "/jamfor", 200),
    ("themes", "/teman", 200),
    ("sources", "/kallor", 200),
    ("source", "/kallor/skane-2020", 200),
    ("regions", "/regioner", 200),
    ("region", "/regioner/ostergotland", 200),
    ("region-without-report", "/regioner/sverige", 200),
    ("report-text", "/kallor/atmp-2023/text", 200),
    ("compare-kinds", "/jamfor?tema=regulatory-support&kind=recommendation&kind=challenge", 200),
    ("not-found", "/finns-inte", 404),
]


@pytest.fixture(scope="module")
def axe_source() -> str:
    base = pytest.importorskip("axe_playwright_python.base",
                               reason="axe-playwright-python (a test extra) is not installed")
    return base.AXE_FILE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def entry_id(live_server) -> str:
    import json

    return json.loads(live_server.get("/api/search?q=kapitalgap").body)["hits"][0]["entry"]["id"]


def describe(violation: dict) -> str:
    nodes = "; ".join(" ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
                      for node in violation["nodes"][:4])
    return f"{violation['id']} ({violation['impact']}): {violation['help']} — {nodes}"


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("name, path, status", PAGES, ids=[p[0] for p in PAGES])
def test_no_serious_accessibility_violations(tab, axe_source, entry_id, name, path, status, lang):
    path = path.format(entry=entry_id)
    tab.goto(f"{path}{'&' if '?' in path else '?'}lang={lang}", status=status)
    tab.page.evaluate(axe_source)
    assert tab.page.evaluate("typeof axe.run") == "function"
    results = tab.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert results["testEngine"]["name"] == "axe-core"
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING]
    assert not blocking, "\n".join(describe(v) for v in blocking)
    tab.assert_clean()
