"""The pinned library versions: checked at start-up, and the same as pyproject.toml's pins."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

import pytest

from app import create_app
from config import PROJECT_ROOT
from search.compatibility import PINNED, IncompatibleLibrary, check_pinned_versions


def test_the_pins_are_those_of_pyproject():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = dict(re.match(r"^([A-Za-z0-9_.-]+)==(\S+)$", d).groups()
                for d in project["project"]["dependencies"] if "==" in d)
    assert pins == PINNED


def test_the_installed_versions_are_the_pinned_ones():
    assert check_pinned_versions() == PINNED


def test_another_whoosh_version_stops_start_up_naming_both(monkeypatch, content_dir, tmp_path):
    real = metadata.version
    monkeypatch.setattr(metadata, "version",
                        lambda name: "3.55.1" if name == "whoosh3" else real(name))
    with pytest.raises(IncompatibleLibrary) as raised:
        create_app({"TESTING": True, "CONTENT_DIR": str(content_dir),
                    "INDEX_DIR": str(tmp_path / "index")})
    message = str(raised.value)
    assert "whoosh3 3.54.0 is required, 3.55.1 is installed" in message


def test_a_missing_stemmer_stops_start_up(monkeypatch):
    real = metadata.version

    def version(name):
        if name == "PyStemmer":
            raise metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(metadata, "version", version)
    with pytest.raises(IncompatibleLibrary, match="PyStemmer 3.1.0 is required, nothing is installed"):
        check_pinned_versions()
