"""Hostile input, generated: thousands of random and hostile requests to every endpoint.

Hypothesis builds query strings (random Unicode, markup, query syntax, valid slugs mixed with
junk, huge and negative numbers, repeated parameters, invalid UTF-8) and path segments, and
sends them through the Flask test client to an app over the real content. Every answer must be
below 500; HTML must contain no markup the site did not write (no unknown tags, no event
handler attributes, no inline script) and must never reflect an input containing `<` as it was
typed; JSON must carry no raw `<` at all; exports must be well-formed files.

Together the tests below run FUZZ_TOTAL (≥ 5 000) generated requests.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from urllib.parse import quote, quote_from_bytes, urlencode

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config import PROJECT_ROOT
from web.params import clean

CONTENT = PROJECT_ROOT / "content"


def _slugs(name: str) -> list[str]:
    return [item["slug"] for item in yaml.safe_load((CONTENT / name).read_text(encoding="utf-8"))]


THEMES, REGIONS, SOURCES = _slugs("themes.yaml"), _slugs("regions.yaml"), _slugs("sources.yaml")
KINDS = ["recommendation", "challenge", "finding", "rekommendation", "utmaning"]
ENTRY_IDS = sorted(p.stem for p in CONTENT.glob("*/*.md") if p.parent.name != "sources")[:40]

PAGES = ["/", "/sok", "/jamfor", "/teman", "/kallor", "/regioner", "/healthz"]
PATH_PAGES = ["/post/{}", "/kallor/{}", "/regioner/{}"]
API = ["/api/search", "/api/compare", "/api/themes", "/api/matrix", "/api/sources",
       "/api/regions", "/api/openapi.json"]
PATH_API = ["/api/entries/{}", "/api/sources/{}", "/api/regions/{}"]
EXPORTS = ["/sok.csv", "/jamfor.csv", "/jamfor.xlsx", "/jamfor.md"]
PARAMS = ["q", "tema", "theme", "region", "kind", "source", "page", "page_size", "format", "lang"]

# Hand-written hostile fragments; the `<zq…` tags are sentinels the site never writes.
HOSTILE = [
    "<script>alert(1)</script>", '"><script>alert(1)</script>', "'><zqa>", "<zqb/onload=alert(1)>",
    "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>", "javascript:alert(1)",
    "</textarea><zqc>", "</title><zqd>", "<!--", "-->", "<![CDATA[", "{{7*7}}", "{% raw %}",
    "%(q)s", "%s%s%s", "\x00", "\u202e", "\ufeff", "\r\n", "\\", "'", '"', "`", "&amp;", "&#60;",
    "%3Cscript%3E", "AND", "OR", "NOT", "*", "?", "~2", "^3", "(", ")", "[a TO z]", "{", "}",
    "title:", "region:", "region:skane", "kind:recommendation", "tema:capital-gap", ":", "-",
    '"', '"kliniska prövningar', "--", "../../etc/passwd", "%00", "=cmd|' /C calc'!A0",
    "+1", "@SUM(1)", "ß" * 50, "Ⅻ", "ﬁ", "e\u0301", "Å", "kapitalgap", "hälsodata", "MDR",
    "x" * 600, "<" * 30, "'" * 20, "\t", " ", "0", "-1", "99999999999999999999", "1e9", "NaN",
    "sv", "en", "csv", "xlsx", "md", "html",
]
# Markup to inject: a tag (often a sentinel `<zq…>`), an attribute break-out or a comment.
TAG = st.one_of(
    st.from_regex(r"<zq[a-z]{0,3}( [a-z]{1,6}=[\"']?[a-z0-9()]{0,8}[\"']?)?/?>", fullmatch=True),
    st.sampled_from([h for h in HOSTILE if "<" in h]),
    st.sampled_from(['"><zqe>', "'><zqf>", "</a><zqg>", "<script>", "</script>", "<!--", "<",
                     "<<zqh>>", "<\x00zqi>", "<ZQJ>", "< zqk>"]))
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
SHORT = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)
VALID = st.sampled_from(THEMES + REGIONS + SOURCES + KINDS + ENTRY_IDS)
MARKUP = st.builds("".join, st.lists(st.one_of(TAG, SHORT, VALID), min_size=1, max_size=4)).filter(
    lambda v: "<" in v)
FRAGMENT = st.one_of(TEXT, st.sampled_from(HOSTILE), VALID, st.integers(-10**12, 10**12).map(str))
VALUE = st.one_of(MARKUP, FRAGMENT, st.lists(FRAGMENT, min_size=2, max_size=4).map("".join))
# The first parameter carries markup, most often as the query; then anything, repeated or not.
FIRST = st.tuples(st.sampled_from(["q"] * 4 + ["tema", "theme", "region", "kind", "source", "lang"]),
                  MARKUP)
PAIRS = st.builds(lambda first, rest, at: rest[:at] + [first] + rest[at:], FIRST,
                  st.lists(st.tuples(st.sampled_from(PARAMS), VALUE), max_size=5),
                  st.integers(0, 5))
SEGMENT = st.one_of(VALID, VALUE, st.sampled_from(["..", ".", "%2e%2e", "%2F", "%00", "%ff"]))

# Tags the templates and the Markdown of entry bodies may produce; anything else was injected.
MARKDOWN_TAGS = {"p", "ul", "ol", "li", "em", "strong", "code", "pre", "blockquote", "hr", "br",
                 "h1", "h2", "h3", "h4", "h5", "h6", "a", "img", "table", "thead", "tbody", "tr",
                 "th", "td"}
TEMPLATE_TAGS = {tag for path in (PROJECT_ROOT / "templates").glob("*.html")
                 for tag in re.findall(r"<([a-z][a-z0-9]*)", path.read_text(encoding="utf-8"))}
ALLOWED_TAGS = MARKDOWN_TAGS | TEMPLATE_TAGS | {"h5", "h6"}

FUZZ = settings(deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
RUNS = {"pages": 2400, "api": 1600, "exports": 800, "paths": 600, "raw": 800}
FUZZ_TOTAL = sum(RUNS.values())
assert FUZZ_TOTAL >= 5000


class _Markup(HTMLParser):
    """Collect what could run or inject: tag names, event handlers, inline scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"unexpected tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                    ("javascript:", "data:", "vbscript:")):
                self.problems.append(f"{name}={value!r} on <{tag}>")
        if tag == "script" and dict(attrs).get("src") != "/static/site.js":
            self.problems.append(f"script {attrs}")

    handle_startendtag = handle_starttag


@pytest.fixture(scope="module")
def client(real_app):
    return real_app.test_client()


@pytest.fixture(scope="module")
def baseline(client) -> str:
    """Markup the site writes by itself: an input equal to a piece of it proves nothing."""
    pages = ["/", "/sok?q=kapitalgap", "/sok", "/jamfor?tema=capital-gap", f"/post/{ENTRY_IDS[0]}",
             "/teman", "/kallor", f"/kallor/{SOURCES[0]}", "/regioner", f"/regioner/{REGIONS[0]}",
             "/finns-inte", "/jamfor?tema=nope"]
    return "".join(client.get(page + ("&" if "?" in page else "?") + f"lang={lang}").get_data(as_text=True)
                   for page in pages for lang in ("sv", "en"))


def _url(path: str, pairs: list[tuple[str, str]]) -> str:
    if not pairs:
        return path
    return path + ("&" if "?" in path else "?") + urlencode(pairs)


def check_html(body: str, inputs: list[str], baseline: str) -> None:
    parser = _Markup()
    parser.feed(body)
    parser.close()
    assert not parser.problems, parser.problems[:5]
    for value in inputs:
        for form in {value, clean(value), clean(value, 100)}:
            if "<" in form and form in body:
                assert form in baseline, f"input reflected unescaped: {form[:80]!r}"


def check_response(response, inputs: list[str], baseline: str) -> None:
    assert response.status_code < 500, (response.status_code, response.request.url)
    mimetype = response.mimetype
    body = response.get_data()
    if mimetype == "text/html":
        check_html(body.decode("utf-8"), inputs, baseline)
    elif mimetype == "application/json":
        assert b"<" not in body
        data = json.loads(body)
        if response.status_code >= 400:
            assert data["error"]["status"] == response.status_code
    elif mimetype == "text/csv":
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert rows and len({len(row) for row in rows}) == 1
        assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)
    elif mimetype == "text/markdown":
        assert response.status_code == 200 and body.decode("utf-8").startswith("# ")
    elif mimetype.endswith("spreadsheetml.sheet"):
        from openpyxl import load_workbook

        assert response.status_code == 200
        book = load_workbook(io.BytesIO(body))
        assert book.active.max_row >= 1
    else:
        raise AssertionError(f"unexpected content type {mimetype}")


def fuzz(run_name: str, **strategies):
    """Turn a check into a test that runs it on RUNS[run_name] generated inputs and counts them."""
    def decorate(check):
        def test(client, baseline):
            seen = 0

            @settings(FUZZ, max_examples=RUNS[run_name])
            @given(**strategies)
            def run(**example):
                nonlocal seen
                seen += 1
                check(client, baseline, **example)

            run()
            assert seen >= RUNS[run_name], f"{run_name}: only {seen} of {RUNS[run_name]} inputs ran"
        test.__name__ = check.__name__
        test.__doc__ = check.__doc__
        return test
    return decorate


@fuzz("pages", path=st.sampled_from(PAGES + ["/sok?q=kapitalgap", "/jamfor?tema=capital-gap"]),
      pairs=PAIRS)
def test_fuzz_pages(client, baseline, path, pairs):
    """Every HTML page with random and hostile parameters."""
    response = client.get(_url(path, pairs))
    check_response(response, [v for _, v in pairs], baseline)


@fuzz("api", path=st.sampled_from(API + ["/api/compare?tema=clinical-testbeds"]), pairs=PAIRS)
def test_fuzz_api(client, baseline, path, pairs):
    """Every JSON endpoint: always JSON, never a raw `<`."""
    response = client.get(_url(path, pairs))
    check_response(response, [v for _, v in pairs], baseline)
    assert response.mimetype == "application/json"


@fuzz("exports", path=st.sampled_from(EXPORTS + [
    "/jamfor.xlsx?tema=capital-gap", "/jamfor.md?tema=regulatory-support",
    "/jamfor.csv?tema=clinical-testbeds", "/sok.csv?q=kapital"]), pairs=PAIRS)
def test_fuzz_exports(client, baseline, path, pairs):
    """CSV, XLSX and Markdown downloads: a well-formed file or a clean 400."""
    response = client.get(_url(path, pairs))
    check_response(response, [v for _, v in pairs], baseline)


@fuzz("paths", template=st.sampled_from(PATH_PAGES + PATH_API), segment=SEGMENT,
      pairs=st.lists(st.tuples(st.just("lang"), VALUE), max_size=2))
def test_fuzz_path_segments(client, baseline, template, segment, pairs):
    """Entry ids and slugs in the path: the page, or a 404 that echoes nothing raw."""
    encoded = segment if segment.startswith("%") or segment in (".", "..") else quote(segment, safe="")
    response = client.get(_url(template.format(encoded), pairs))
    check_response(response, [segment] + [v for _, v in pairs], baseline)
    if response.status_code == 200:
        assert segment in ENTRY_IDS + SOURCES + REGIONS


@fuzz("raw", path=st.sampled_from(PAGES + API + EXPORTS + ["/jamfor.xlsx?tema=capital-gap", "/post/x"]),
      raw=st.binary(max_size=80), param=st.sampled_from(PARAMS))
def test_fuzz_raw_query_strings(client, baseline, path, raw, param):
    """Arbitrary bytes as a client may send them: invalid UTF-8 escapes, stray %, &, = and ;."""
    query = quote_from_bytes(raw, safe="%&=+;/?:@!$'()*,")
    response = client.get(f"{path}{'&' if '?' in path else '?'}{param}={query}")
    check_response(response, [raw.decode("utf-8", "replace")], baseline)
