"""Interface language: Swedish by default, English with ?lang=en (remembered), one catalogue."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from config import PROJECT_ROOT
from tests.htmltools import parse
from web import errors
from web.i18n import EN


def nav(doc):
    return [a.text() for a in doc.find("nav", cls="main-nav").find_all("a")]


def test_swedish_by_default(client):
    doc = parse(client.get("/").data)
    assert doc.find("html").get("lang") == "sv"
    assert nav(doc) == ["Sök", "Jämför", "Teman", "Källor", "Regioner"]
    assert doc.find("a", cls="skip-link").text() == "Hoppa till innehållet"


def test_english_is_chosen_with_lang_and_remembered(client):
    response = client.get("/sok?q=kapital&lang=en")
    assert "lang=en" in response.headers["Set-Cookie"]
    doc = parse(response.data)
    assert doc.find("html").get("lang") == "en"
    assert nav(doc) == ["Search", "Compare", "Themes", "Sources", "Regions"]
    switch = doc.find("a", cls="lang-switch")
    assert switch.text() == "Svenska" and parse_qs(urlsplit(switch.get("href")).query) == {
        "q": ["kapital"], "lang": ["sv"]}
    # Links need no language parameter: the cookie keeps the choice.
    later = parse(client.get("/teman").data)
    assert later.find("html").get("lang") == "en" and later.find("h1").text() == "Themes"
    back = client.get("/?lang=sv")
    assert parse(back.data).find("html").get("lang") == "sv" and "lang=sv" in back.headers["Set-Cookie"]


def test_unknown_language_is_ignored(client):
    response = client.get("/?lang=xx")
    assert "Set-Cookie" not in response.headers
    assert parse(response.data).find("html").get("lang") == "sv"


def test_english_entry_shows_english_title_and_summary_but_swedish_passage(client):
    doc = parse(client.get("/post/demo-2024-2-1?lang=en").data)
    assert doc.find("h1").text() == "Introduce joint regulatory support for MDR and IVDR"
    assert doc.find("p", cls="original-title").get("lang") == "sv"
    assert doc.find("p", cls="summary").text() == "The region should arrange advice on MDR, IVDR and clinical trials."
    passage = doc.find("blockquote", cls="passage")
    assert passage.get("lang") == "sv" and "Regionen bör etablera" in passage.text()
    assert doc.find("p", cls="citation-text").text().startswith("Source: Testkonsult (2024). Demorapport")
    assert "section 2.1, p. 7" in doc.find("header", cls="entry-header").text()
    assert "Regulatory support" in doc.find("dl", cls="facts").text()


def test_english_compare(client):
    doc = parse(client.get("/jamfor?tema=regulatory-support&region=testlan&region=grannlan&region=tomlan&lang=en").data)
    assert doc.find("h1").text() == "Comparison: Regulatory support"
    assert doc.find("td", data_region="grannlan", data_kind="recommendation").text() == "nothing in the sources"
    assert doc.find("td", data_region="tomlan", data_kind="recommendation").text() == "no report in the knowledge base"
    assert doc.find("tr", data_kind="recommendation").find("th").text() == "Recommendations"
    export = client.get("/jamfor.csv?tema=regulatory-support&lang=en").data.decode("utf-8-sig")
    assert export.startswith("Region,Kind,Title,Summary") and "Source: Testkonsult" in export


def test_errors_in_the_interface_language(client):
    assert parse(client.get("/post/nope?lang=en").data).find("h1").text() == "Page not found"
    assert parse(client.get("/jamfor?tema=nope").data).find("h1").text() == "Bad request"
    error = client.get("/api/compare?tema=nope").get_json()["error"]
    assert error["title"] == "Bad request" and error["message"] == "Unknown theme."


def used_messages() -> set[str]:
    pattern = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
    files = list((PROJECT_ROOT / "templates").glob("*.html")) + list((PROJECT_ROOT / "web").glob("*.py"))
    found = {a or b for f in files for a, b in pattern.findall(f.read_text(encoding="utf-8"))}
    found |= {text for pair in errors.MESSAGES.values() for text in pair}
    found |= set(errors.PARAM_MESSAGES.values())
    return found


def test_every_message_has_an_english_translation():
    missing = sorted(used_messages() - set(EN))
    assert not missing, missing


def test_catalogue_has_no_unused_messages():
    unused = sorted(set(EN) - used_messages())
    assert not unused, unused


def test_placeholders_match_between_languages():
    for swedish, english in EN.items():
        assert sorted(re.findall(r"%\((\w+)\)s", swedish)) == sorted(re.findall(r"%\((\w+)\)s", english)), swedish
