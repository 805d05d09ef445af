"""Loading the vocabularies (content/*.yaml) into typed values, every problem located by line."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import TypeAdapter, ValidationError

from kb.content.codes import DOC_TYPES
from kb.content.model import (
    Addressee,
    ContentError,
    Problem,
    Region,
    Relation,
    Source,
    Theme,
    Vocabulary,
)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FILES: dict[str, type] = {"sources": Source, "regions": Region, "themes": Theme,
                          "addressees": Addressee}
OPTIONAL = {"addressees"}
T = TypeVar("T")


def load_vocabulary(content_dir: str | Path) -> Vocabulary:
    """Read sources, regions, themes, addressees and the thesaurus; raise ContentError listing all."""
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
    thesaurus = load_thesaurus(content_dir / "thesaurus.yaml", problems)
    if problems:
        raise ContentError(problems)
    return Vocabulary(parts["sources"], parts["regions"], parts["themes"], parts["addressees"],
                      thesaurus)


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


# The thesaurus's three sections: how the words of each item are typed and what they find.
THESAURUS_SECTIONS = ("two_way", "one_way", "english")
MAX_TERM_WORDS = 4


def load_thesaurus(path: Path, problems: list[Problem]) -> tuple[Relation, ...]:
    """Read thesaurus.yaml: two-way groups, one-way pairs and English-to-Swedish pairs.

    two_way:  [[kapitalgap, kapitalbrist, finansieringsgap], …]   each finds the others
    one_way:  [{from: [talang], to: [kompetens]}, …]            typed `from` also finds `to`
    english:  [{en: [venture capital], sv: [riskkapital]}, …]   English words find Swedish ones
    """
    if not path.exists():
        return ()
    root = _compose(path, problems)
    if root is None:
        return ()
    if not isinstance(root, yaml.MappingNode):
        problems.append(Problem(str(path), "thesaurus",
                                f"expected the sections {', '.join(THESAURUS_SECTIONS)}", _line(root)))
        return ()
    relations: list[Relation] = []
    seen: dict[tuple[str, str, str], int | None] = {}
    for key, node in root.value:
        if key.value not in THESAURUS_SECTIONS:
            problems.append(Problem(str(path), key.value, "unknown section (expected one of "
                                    f"{', '.join(THESAURUS_SECTIONS)})", _line(key)))
            continue
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for item in items:
            relation, reason = _relation(key.value, yaml.safe_load(yaml.serialize(item)))
            if relation is None:
                problems.append(Problem(str(path), key.value, reason, _line(item)))
                continue
            for term in relation.terms:
                for target in relation.targets_of(term):
                    pair = (relation.lang, term.lower(), target.lower())
                    if pair in seen:
                        problems.append(Problem(
                            str(path), key.value, f"{term!r} → {target!r} is already given "
                            f"on line {seen[pair]}", _line(item)))
                    seen[pair] = _line(item)
            relations.append(relation)
    return tuple(relations)


def _relation(section: str, data: Any) -> tuple[Relation | None, str]:
    """One thesaurus item as a relation, or None and the reason it is malformed."""
    if section == "two_way":
        if not (isinstance(data, list) and len(data) >= 2):
            return None, "a two-way group is a list of at least two words or phrases"
        terms = targets = data
        lang, shape = "sv", "two_way"
    else:
        source_key, target_key = ("from", "to") if section == "one_way" else ("en", "sv")
        if not (isinstance(data, dict) and set(data) == {source_key, target_key}):
            return None, f"expected {{{source_key}: [...], {target_key}: [...]}}"
        terms, targets = data[source_key], data[target_key]
        terms = [terms] if isinstance(terms, str) else terms
        targets = [targets] if isinstance(targets, str) else targets
        lang, shape = ("sv" if section == "one_way" else "en"), section
    for term in [*terms, *targets] if isinstance(terms, list) and isinstance(targets, list) else [None]:
        if not isinstance(term, str) or not term.strip():
            return None, f"{shape}: every word or phrase must be non-empty text, not {term!r}"
        if len(term.split()) > MAX_TERM_WORDS:
            return None, f"{term!r}: at most {MAX_TERM_WORDS} words"
    if len({t.lower() for t in terms}) != len(terms) or (
            shape != "two_way" and {t.lower() for t in terms} & {t.lower() for t in targets}):
        return None, f"{shape}: a word is repeated in {terms!r} → {targets!r}"
    return Relation(lang, tuple(terms), tuple(targets), two_way=shape == "two_way"), ""


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
