"""Interface language: Swedish by default, English with ?lang=en (remembered), one catalogue."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from config import PROJECT_ROOT
from tests.htmltools import parse


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
    row = doc.find("tr", data_row="regulatory-support--mdr-ivdr")
    assert row.find("th").text() == "MDR and IVDR"
    assert row.find("td", data_region="grannlan").find("span", cls="visually-hidden").text() == \
        "nothing in the sources"
    assert row.find("td", data_region="tomlan").text().endswith("no report")
    export = client.get("/jamfor.csv?tema=regulatory-support&lang=en").data.decode("utf-8-sig")
    assert export.startswith("Sub-issue,Region,Kind,Title,Summary") and "Source: Testkonsult" in export


def test_errors_in_the_interface_language(client):
    assert parse(client.get("/post/nope?lang=en").data).find("h1").text() == "Page not found"
    assert parse(client.get("/jamfor?tema=nope").data).find("h1").text() == "Bad request"
    error = client.get("/api/compare?tema=nope").get_json()["error"]
    assert error["title"] == "Bad request" and error["message"] == "Unknown theme."


def catalogue(lang: str = "en"):
    from babel.messages.pofile import read_po

    with (PROJECT_ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def extracted():
    """Every message the code and templates use, as `pybabel extract` finds them."""
    from babel.messages.pofile import read_po

    from scripts.messages import extract

    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        extract(pot)
        with pot.open("rb") as handle:
            return read_po(handle)


def test_extraction_finds_no_untranslated_message():
    english = catalogue()
    missing = []
    for message in extracted():
        if not message.id:
            continue
        found = english.get(message.id, context=message.context)
        forms = found.string if found is not None and isinstance(found.string, tuple) else (
            (found.string,) if found is not None else ("",))
        if not all(forms):
            missing.append((message.context, message.id))
    assert missing == []


def test_the_catalogue_has_no_message_the_code_no_longer_uses():
    used = {(m.context, m.id) for m in extracted() if m.id}
    stale = [(m.context, m.id) for m in catalogue() if m.id and (m.context, m.id) not in used]
    assert stale == []


def test_placeholders_match_between_languages():
    for message in catalogue():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = sorted(set(re.findall(r"%\((\w+)\)s", " ".join(ids))))
        for text in strings:
            assert sorted(set(re.findall(r"%\((\w+)\)s", text))) == wanted, message.id


def test_the_compiled_catalogue_is_up_to_date():
    po = PROJECT_ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    assert mo.exists(), "run `make` (it compiles translations/*/LC_MESSAGES/messages.mo)"
    assert mo.stat().st_mtime >= po.stat().st_mtime, "messages.po changed: run `make`"


@pytest.mark.parametrize("lang, counts", [
    ("sv", {0: "0 poster", 1: "1 post", 2: "2 poster"}),
    ("en", {0: "0 entries", 1: "1 entry", 2: "2 entries"}),
])
def test_counts_have_the_right_plural_in_both_languages(lang, counts):
    from kb.content.codes import kind_count
    from kb.i18n import translator

    tr = translator(lang)
    for n, expected in counts.items():
        assert tr.ngettext("%(num)s post", "%(num)s poster", n) % {"num": n} == expected
    singular = {"sv": "1 rekommendation", "en": "1 recommendation"}[lang]
    plural = {"sv": "2 rekommendationer", "en": "2 recommendations"}[lang]
    assert kind_count("recommendation", 1, lang) == singular
    assert kind_count("recommendation", 2, lang) == plural


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_pages_show_counts_with_the_right_plural(client, lang):
    """The start page counts entries and reports; the fixture has 3 entries, 2 reports, and
    a source with 1 entry and one with 2."""
    doc = parse(client.get(f"/?lang={lang}").data)
    lead = doc.find("p", cls="lead").text()
    assert lead == {"sv": "3 poster ur 2 rapporter", "en": "3 entries from 2 reports"}[lang]
    counts = [li.text() for li in doc.find("ul", cls="source-list").find_all("li")]
    one, two = {"sv": ("1 post", "2 poster"), "en": ("1 entry", "2 entries")}[lang]
    assert any(text.endswith(two) for text in counts) and any(text.endswith(one) for text in counts)
    result = parse(client.get(f"/sok?q=riskkapital&lang={lang}").data)
    heading = result.find("h2", cls="result-count").text().split("·")[0].strip()
    total = int(result.find("h2", cls="result-count").get("data-total"))
    word = {("sv", True): "träff", ("sv", False): "träffar", ("en", True): "result",
            ("en", False): "results"}[(lang, total == 1)]
    assert heading == f"{total} {word}"
    none = parse(client.get(f"/sok?q=xyzzyqq&lang={lang}").data)
    assert none.find("h2", cls="result-count").text().split("·")[0].strip() == \
        {"sv": "0 träffar", "en": "0 results"}[lang]
