"""Loading the vocabularies (content/*.yaml) into typed values, every problem located by line."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import TypeAdapter, ValidationError

from kb.content.codes import DOC_TYPES
from kb.content.model import Addressee, ContentError, Problem, Region, Source, Theme, Vocabulary

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FILES: dict[str, type] = {"sources": Source, "regions": Region, "themes": Theme,
                          "addressees": Addressee}
OPTIONAL = {"addressees"}
T = TypeVar("T")


def load_vocabulary(content_dir: str | Path) -> Vocabulary:
    """Read sources, regions, themes, addressees and synonyms; raise ContentError listing all."""
    content_dir = Path(content_dir)
    problems: list[Problem] = []
    parts: dict[str, dict[str, Any]] = {}
    for name, kind in FILES.items():
        parts[name] = _load_items(content_dir / f"{name}.yaml", name, kind, problems)
    for source in parts["sources"].values():
        if source.doc_type not in DOC_TYPES:
            problems.append(Problem(str(content_dir / "sources.yaml"), "doc_type",
                                    f"{source.slug}: unknown document type {source.doc_type!r} "
                                    f"(one of {', '.join(DOC_TYPES)})"))
    synonyms = _load_synonyms(content_dir / "synonyms.yaml", problems)
    if problems:
        raise ContentError(problems)
    return Vocabulary(parts["sources"], parts["regions"], parts["themes"], parts["addressees"],
                      synonyms)


def _load_items(path: Path, name: str, kind: type[T], problems: list[Problem]) -> dict[str, T]:
    """Read one vocabulary file: a list of items, each validated against its type."""
    if not path.exists():
        if name not in OPTIONAL:
            problems.append(Problem(str(path), name, "file is missing"))
        return {}
    root = _compose(path, problems)
    if root is None:
        return {}
    if not isinstance(root, yaml.SequenceNode):
        problems.append(Problem(str(path), name, "expected a list of items with a slug", _line(root)))
        return {}
    adapter = TypeAdapter(kind)
    items: dict[str, T] = {}
    for node in root.value:
        data = _plain(yaml.safe_load(yaml.serialize(node)))
        slug = data.get("slug") if isinstance(data, dict) else None
        if not slug:
            problems.append(Problem(str(path), "slug", f"item without a slug: {data!r}", _line(node)))
            continue
        if slug in items:
            problems.append(Problem(str(path), "slug", f"duplicate slug {slug!r}", _line(node)))
            continue
        try:
            item = adapter.validate_python(data)
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(part) for part in error["loc"])
                problems.append(Problem(str(path), where or name, f"{slug}: {error['msg']}",
                                        _line(_at(node, error["loc"]))))
            continue
        problems.extend(_slug_problems(path, node, slug, item))
        items[slug] = item
    return items


def _slug_problems(path: Path, node: yaml.Node, slug: str, item: Any) -> list[Problem]:
    """Slugs are URL-safe; a theme's sub-issue slugs are unique within the theme."""
    found = []
    if not SLUG.match(slug):
        found.append(Problem(str(path), "slug", f"slug {slug!r} must be lower-case letters, "
                                                "digits and single dashes", _line(node)))
    if isinstance(item, Theme):
        seen: set[str] = set()
        for index, sub in enumerate(item.subissues):
            line = _line(_at(node, ("subissues", index)))
            if not SLUG.match(sub.slug):
                found.append(Problem(str(path), "subissues", f"{slug}: sub-issue slug {sub.slug!r} "
                                     "must be lower-case letters, digits and dashes", line))
            elif sub.slug in seen:
                found.append(Problem(str(path), "subissues",
                                     f"{slug}: duplicate sub-issue {sub.slug!r}", line))
            seen.add(sub.slug)
    return found


def themes_without_subissues(content_dir: str | Path, vocab: Vocabulary) -> list[Problem]:
    """Themes that have no sub-issues yet (the check reports them; loading does not fail)."""
    path = Path(content_dir) / "themes.yaml"
    root = _compose(path, [])
    lines = {}
    if isinstance(root, yaml.SequenceNode):
        for node in root.value:
            slug = _at(node, ("slug",))
            if isinstance(slug, yaml.ScalarNode):
                lines[slug.value] = _line(node)
    return [Problem(str(path), "subissues", f"theme {slug!r} has no sub-issues", lines.get(slug))
            for slug, theme in vocab.themes.items() if not theme.subissues]


def _load_synonyms(path: Path, problems: list[Problem]) -> tuple[tuple[str, ...], ...]:
    """Read synonyms.yaml: a list of groups, each a list of two or more words or phrases."""
    if not path.exists():
        return ()
    root = _compose(path, problems)
    if root is None:
        return ()
    groups = []
    nodes = root.value if isinstance(root, yaml.SequenceNode) else [root]
    for number, node in enumerate(nodes, start=1):
        group = yaml.safe_load(yaml.serialize(node))
        if not (isinstance(group, list) and len(group) >= 2 and all(isinstance(t, str) for t in group)):
            problems.append(Problem(str(path), "synonyms",
                                    f"group {number} must be a list of at least two words",
                                    _line(node)))
            continue
        groups.append(tuple(group))
    return tuple(groups)


def _compose(path: Path, problems: list[Problem]) -> yaml.Node | None:
    """Parse a YAML file into nodes (which know their lines); record a syntax error."""
    try:
        return yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(str(path), "yaml", f"YAML does not parse: {yaml_reason(exc)}",
                                mark.line + 1 if mark else None))
        return None


def yaml_reason(exc: yaml.YAMLError) -> str:
    """The readable part of a YAML error ("expected ',' or ']'")."""
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    return " ".join(str(p) for p in (context, problem) if p) or str(exc).splitlines()[0]


def _at(node: yaml.Node | None, loc: tuple[Any, ...]) -> yaml.Node | None:
    """The node a validation error's location points at (as deep as the file goes)."""
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((value for key, value in node.value if key.value == part), node)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
    return node


def _line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def _plain(value: Any) -> Any:
    """Normalise YAML values: dates become ISO strings, like every other text field."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
