"""The architecture as a checked contract: which package may import which, and typed edges.

Layers, bottom up (docs/architecture.md): kb.content → search → kb.importing, kb.reports → web →
app. A package may import its own layer and those below; Flask only in web and app.py.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import kb
import search
from config import PROJECT_ROOT

# What each package may import from this project (besides itself).
ALLOWED = {
    "kb.content": {"kb.i18n"},
    "kb.i18n": set(),
    "search": {"kb.content", "kb.i18n"},
    "kb.importing": {"kb.content", "kb.i18n"},
    "kb.reports": {"kb.content", "kb.i18n", "kb.importing", "search"},
    "web": {"kb", "search", "config"},
}
PROJECT = ("kb", "search", "web", "app", "config")
WEB_ONLY = ("flask", "werkzeug", "jinja2")


def package_of(module: str) -> str:
    for name in sorted(ALLOWED, key=len, reverse=True):
        if module == name or module.startswith(name + "."):
            return name
    return module.split(".")[0]


def imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def modules() -> list[tuple[str, Path]]:
    found = []
    for folder in ("kb", "search", "web"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            name = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
            found.append((name.removesuffix(".__init__"), path))
    return found


def violations(module: str, imported: list[str]) -> list[str]:
    own = package_of(module)
    bad = []
    for name in imported:
        if name.split(".")[0] in WEB_ONLY and own != "web":
            bad.append(f"{module} imports {name} (Flask belongs to web/ and app.py)")
        if name.split(".")[0] not in PROJECT:
            continue
        target = package_of(name)
        if target != own and not any(target == a or target.startswith(a + ".") or a == name
                                     or name.startswith(a + ".") for a in ALLOWED[own]):
            bad.append(f"{module} imports {name}")
    return bad


@pytest.mark.parametrize("module, path", modules(), ids=[m for m, _ in modules()])
def test_each_module_imports_only_what_its_layer_may(module, path):
    assert violations(module, imports(path)) == []


@pytest.mark.parametrize("module, imported, rule", [
    ("search.ranking", "flask", "Flask belongs to web/"),
    ("search.query", "web.params", "search imports web"),
    ("kb.content.model", "search.index", "content imports search"),
    ("kb.reports.compare", "web.present", "reports import web"),
])
def test_the_rules_catch_a_bad_import(module, imported, rule):
    assert violations(module, [imported]), rule


def public_callables():
    for package in (kb, search):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            for name, obj in vars(module).items():
                if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                    continue
                yield f"{module.__name__}.{name}", obj
                if inspect.isclass(obj):
                    for member, value in vars(obj).items():
                        if not member.startswith("_") and callable(value):
                            yield f"{module.__name__}.{name}.{member}", value


def test_no_any_in_the_public_signatures_of_content_search_and_reports():
    found = []
    for name, obj in public_callables():
        annotations = dict(getattr(obj, "__annotations__", {}))
        if inspect.isclass(obj):
            annotations.update(getattr(obj.__init__, "__annotations__", {}))
        found += [f"{name}: {arg}" for arg, hint in annotations.items() if "Any" in str(hint)]
    assert found == []


def test_every_entry_field_is_listed_once_in_the_model():
    """Entry fields are named in kb/content/model.py and nowhere else as a list of fields
    (an export's columns, which mix fields with citations and links, are not such a list)."""
    from dataclasses import fields

    from kb.content.model import Entry

    names = {f.name for f in fields(Entry)}
    listed = []
    for module, path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                strings = {e.value for e in node.elts if isinstance(e, ast.Constant)
                           and isinstance(e.value, str)}
                if len(strings) >= 5 and strings <= names:
                    listed.append(f"{module}:{node.lineno}")
    assert listed == []
