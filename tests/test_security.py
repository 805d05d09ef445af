"""Security: headers on every response, hostile input never reflected raw, no inline code."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from app import create_app
from config import PROJECT_ROOT
from tests.conftest import FIXTURE_CONTENT

TEMPLATES = PROJECT_ROOT / "templates"

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "attribute": '"><script>alert(1)</script>',
    "single-quote": "' onmouseover='alert(1)",
    "long": "<i>" + "x" * 10_000,
    "operators": "AND OR",
    "star": "*",
    "quote": '"',
    "nul": "a\x00<b>",
}
RAW = {  # sent as-is in the query string: invalid UTF-8
    "invalid-utf8": "%ff%fe%3Cscript%3E",
}
# Every page and JSON endpoint with the parameters it reads.
ENDPOINTS = {
    "/": ["lang"],
    "/sok": ["q", "kind", "region", "theme", "source", "page", "format", "lang"],
    "/sok.csv": ["q", "kind", "region", "theme", "source"],
    "/jamfor": ["tema", "theme", "q", "region", "kind", "format", "lang"],
    "/jamfor.csv?tema=capital-gap": ["q", "region", "kind"],
    "/jamfor.xlsx?tema=capital-gap": ["q", "region", "kind"],
    "/jamfor.md?tema=capital-gap": ["q", "region", "kind"],
    "/teman": ["lang"],
    "/kallor": ["lang"],
    "/regioner": ["lang"],
    "/api/search": ["q", "kind", "region", "theme", "source", "page", "page_size", "lang"],
    "/api/compare": ["tema", "q", "region", "kind"],
    "/api/compare?tema=capital-gap": ["q", "region", "kind"],
    "/api/themes": ["lang"],
    "/api/matrix": ["lang"],
    "/api/sources": ["lang"],
    "/api/regions": ["lang"],
    "/api/openapi.json": ["lang"],
}
PATH_ENDPOINTS = ["/post/{}", "/kallor/{}", "/regioner/{}", "/api/entries/{}",
                  "/api/sources/{}", "/api/regions/{}"]
CASES = [(endpoint, param, name) for endpoint, names in ENDPOINTS.items() for param in names
         for name in list(HOSTILE) + list(RAW)]


@pytest.fixture(scope="module")
def shared_client(tmp_path_factory):
    app = create_app({"TESTING": True, "CONTENT_DIR": str(FIXTURE_CONTENT),
                      "INDEX_DIR": str(tmp_path_factory.mktemp("index"))})
    return app.test_client()


def url_with(endpoint: str, param: str, name: str) -> str:
    value = RAW[name] if name in RAW else quote(HOSTILE[name], safe="")
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{param}={value}"


def assert_not_reflected(response) -> None:
    markers = [b"<script>alert", b'"><script', b"<i>xxx", b"a\x00", b"<b>"]
    if response.mimetype in ("text/html", "application/json"):
        markers.append(b"' onmouseover")  # a quote only matters where it could end an attribute
    for marker in markers:
        assert marker not in response.data


@pytest.mark.parametrize("endpoint, param, name", CASES)
def test_hostile_parameters(shared_client, endpoint, param, name):
    response = shared_client.get(url_with(endpoint, param, name))
    assert response.status_code < 500
    assert_not_reflected(response)


@pytest.mark.parametrize("endpoint", PATH_ENDPOINTS)
@pytest.mark.parametrize("name", list(HOSTILE) + list(RAW))
def test_hostile_path_segments(shared_client, endpoint, name):
    value = RAW[name] if name in RAW else quote(HOSTILE[name], safe="")
    response = shared_client.get(endpoint.format(value))
    assert response.status_code == 404
    assert_not_reflected(response)


def test_query_echo_is_escaped(shared_client):
    body = shared_client.get("/sok?q=" + quote('"><script>alert(1)</script>')).data.decode()
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;”" in body  # the heading
    compare = shared_client.get("/jamfor?q=" + quote("<script>x</script>")).data.decode()
    assert "”&lt;script&gt;x&lt;/script&gt;”" in compare
    error = shared_client.get("/jamfor?tema=" + quote("<script>x</script>"))
    assert error.status_code == 400 and b"&lt;script&gt;x&lt;/script&gt;" in error.data


def test_json_never_carries_raw_markup(shared_client):
    data = shared_client.get("/api/search?q=" + quote("<script>x</script>")).data
    assert b"<script>" not in data and b"\\u003cscript\\u003e" in data
    assert shared_client.get("/api/search?q=" + quote("<script>x</script>")).get_json()["query"] == "<script>x</script>"


def test_snippets_are_escaped_but_marked(tmp_path):
    content = tmp_path / "content"
    import shutil
    shutil.copytree(FIXTURE_CONTENT, content)
    path = content / "demo-2024" / "demo-2024-1-1.md"
    path.write_text(path.read_text(encoding="utf-8").rstrip() + " <img src=x onerror=alert(1)> riskkapital\n",
                    encoding="utf-8")
    client = create_app({"TESTING": True, "CONTENT_DIR": str(content),
                         "INDEX_DIR": str(tmp_path / "index")}).test_client()
    body = client.get("/sok?q=riskkapital").data.decode()
    assert "<img" not in body and "&lt;img src=x onerror=alert(1)" in body
    assert "<mark>riskkapital</mark>" in body


HEADER_URLS = ["/", "/sok?q=kapital", "/sok.csv?q=kapital", "/post/demo-2024-1-1", "/post/nope",
               "/jamfor?tema=capital-gap", "/jamfor.xlsx?tema=capital-gap", "/jamfor.md?tema=capital-gap",
               "/jamfor?tema=nope", "/teman", "/kallor", "/kallor/demo-2024", "/regioner",
               "/regioner/testlan", "/api/search?q=x", "/api/compare?tema=capital-gap",
               "/api/entries/demo-2024-1-1", "/api/themes", "/api/sources", "/api/regions/testlan",
               "/api/openapi.json", "/api/nope", "/static/site.css", "/static/site.js", "/healthz"]


@pytest.mark.parametrize("url", HEADER_URLS)
def test_security_headers_on_every_response(shared_client, url):
    response = shared_client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("method, url, status", [("post", "/sok", 405), ("get", "/finns-inte", 404),
                                                  ("get", "/jamfor?tema=okant", 400)])
def test_security_headers_on_post_and_errors(shared_client, method, url, status):
    from web.security import HEADERS

    response = getattr(shared_client, method)(url)
    assert response.status_code == status
    for name, value in HEADERS.items():
        assert response.headers[name] == value, name


def template_files() -> list[Path]:
    return sorted(TEMPLATES.glob("*.html"))


@pytest.mark.parametrize("path", template_files(), ids=lambda p: p.name)
def test_templates_have_no_inline_scripts_styles_or_handlers(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\sstyle\s*=", text)
    assert "<style" not in text
    assert not re.search(r"\son[a-z]+\s*=", text)
    for tag in re.findall(r"<script[^>]*>", text):
        assert "src=" in tag
    assert not re.search(r"https?://", text), "no external assets"


def test_no_template_marks_text_safe():
    """Snippets arrive as Markup escaped by search/snippets.py; nothing else is trusted."""
    uses = [(p.name, line.strip()) for p in template_files()
            for line in p.read_text(encoding="utf-8").splitlines() if "|safe" in line]
    assert uses == []


def test_stylesheets_fetch_nothing_from_elsewhere():
    for css in (PROJECT_ROOT / "static").glob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert "@import" not in text and "url(" not in text and "@font-face" not in text


def test_debug_is_off_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    assert create_app({"INDEX_DIR": str(tmp_path)}).debug is False


def test_debug_is_refused_under_gunicorn(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("SERVER_SOFTWARE", "gunicorn/23.0.0")
    assert create_app({"INDEX_DIR": str(tmp_path)}).debug is False
