"""Shared fixtures: an app over the tiny fixture corpus, its test client and CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app import create_app

FIXTURE_CONTENT = Path(__file__).parent / "content"
REAL_CONTENT = Path(__file__).resolve().parent.parent / "content"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A private copy of the fixture corpus that a test may change."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


def validating_api(app):
    """Check every /api/ response of the app against its own OpenAPI document, so that every
    test that calls the API (fuzzing included) also tests the document."""
    import re

    from flask import request
    from jsonschema import Draft202012Validator

    from web.openapi import openapi_document

    document = openapi_document()
    paths = [(re.compile(re.sub(r"\\{\w+\\}", "[^/]+", re.escape(p)) + "$"), item)
             for p, item in document["paths"].items() if p != "/api/openapi.json"]

    @app.after_request
    def check(response):
        if request.path.startswith("/api/") and response.mimetype == "application/json":
            found = next((item for pattern, item in paths if pattern.match(request.path)), None)
            declared = found and found["get"]["responses"].get(str(response.status_code))
            if found is not None and response.status_code != 404:
                assert declared, f"{request.path}: status {response.status_code} not documented"
            if declared:
                schema = {**declared["content"]["application/json"]["schema"],
                          "components": document["components"]}
                errors = [e.message for e in Draft202012Validator(schema).iter_errors(
                    response.get_json())]
                assert not errors, (request.full_path, errors[:3])
        return response
    return app


@pytest.fixture
def app(content_dir: Path, tmp_path: Path):
    """An app over the fixture corpus with its index in a temporary directory."""
    return validating_api(create_app({
        "TESTING": True,
        "CONTENT_DIR": str(content_dir),
        "INDEX_DIR": str(tmp_path / "index"),
    }))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def real_index(tmp_path_factory) -> Path:
    """An index over the repository's real content, built once per test session."""
    from search.index import build_from_content

    root = tmp_path_factory.mktemp("real-index")
    build_from_content(REAL_CONTENT, root)
    return root


@pytest.fixture(scope="session")
def real_snapshot(real_index):
    """The opened real index (entries, vocabulary, Whoosh index) for query tests."""
    from search.generations import KnowledgeBase

    return KnowledgeBase(REAL_CONTENT, real_index, auto_rebuild=False).snapshot()


@pytest.fixture(scope="session")
def real_app(tmp_path_factory):
    """An app over the real content/, its index built once per session in a temporary directory."""
    app = validating_api(create_app({
        "TESTING": True,
        "CONTENT_DIR": str(REAL_CONTENT),
        "INDEX_DIR": str(tmp_path_factory.mktemp("real-index")),
    }))
    app.extensions["kb"].snapshot()  # build the index now, not inside the first test
    return app


@pytest.fixture
def real_client(real_app):
    return real_app.test_client()


# --- A live server and a real browser (tests/test_browser.py, tests/test_a11y.py) -------------

@pytest.fixture(scope="session")
def live_server(real_app):
    """The real-content app served on a free loopback port for the whole session."""
    from tests.live import LiveServer

    with LiveServer(real_app) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (the system's, never a downloaded build), or a skip that says why.

    With REQUIRE_BROWSER=1 (as .ci/run sets it) a missing browser fails instead of skipping.
    """
    import os

    from tests.live import CHROMIUM_ARGS, ENABLE_HINT, chromium_path

    def unavailable(reason: str):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{reason} (REQUIRE_BROWSER is set)")
        pytest.skip(reason)

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed: browser tests skipped; "
                    "`make test` installs it with the test extras")
    executable = chromium_path()
    if executable is None:
        unavailable(f"Chromium not found: browser and accessibility tests skipped; {ENABLE_HINT}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser, live_server):
    """A fresh browser tab (1280 × 900, clipboard allowed) that records console errors,
    uncaught exceptions, failed requests and error responses."""
    from tests.live import Tab

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.set_default_timeout(15_000)
    tab = Tab(context.new_page(), live_server)
    yield tab
    context.close()
