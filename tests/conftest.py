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


@pytest.fixture
def app(content_dir: Path, tmp_path: Path):
    """An app over the fixture corpus with its index in a temporary directory."""
    return create_app({
        "TESTING": True,
        "CONTENT_DIR": str(content_dir),
        "INDEX_DIR": str(tmp_path / "index"),
    })


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
    from search.service import KnowledgeBase

    return KnowledgeBase(REAL_CONTENT, real_index, auto_rebuild=False).snapshot()


@pytest.fixture(scope="session")
def real_app(tmp_path_factory):
    """An app over the real content/, its index built once per session in a temporary directory."""
    app = create_app({
        "TESTING": True,
        "CONTENT_DIR": str(REAL_CONTENT),
        "INDEX_DIR": str(tmp_path_factory.mktemp("real-index")),
    })
    app.extensions["kb"].snapshot()  # build the index now, not inside the first test
    return app


@pytest.fixture
def real_client(real_app):
    return real_app.test_client()
