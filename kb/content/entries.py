"""Entry files: reading and validating content/<source>/<id>.md, and writing them.

Validation follows `Entry`'s fields: a text field is required, a list field holds slugs of a
vocabulary, `page` is a positive number, `subissues` maps the entry's themes to sub-issues.
Every problem is collected with its file, line and field; nothing stops at the first.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from kb.content.codes import KINDS, STATUSES
from kb.content.model import ContentError, Entry, Problem, Vocabulary
from kb.content.vocabulary import load_vocabulary, yaml_reason

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Values written without quotes: slugs and codes that YAML reads back as the same text.
PLAIN = re.compile(r"^(?!(?:yes|no|true|false|null|on|off|y|n)$)[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
FRONT_FIELDS = [f for f in fields(Entry) if f.name != "body"]  # the body is the Markdown below
HINTS = typing.get_type_hints(Entry)
CODES = {"kind": KINDS, "status": STATUSES}
SLUG_LISTS = {"themes": "themes", "addressees": "addressees"}  # field → vocabulary


@dataclass(frozen=True)
class LoadResult:
    """Entries that loaded cleanly, the file each came from, and the problems found."""

    entries: list[Entry]
    problems: list[Problem]
    paths: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def _kind_of(name: str) -> str:
    """How a front-matter field is read: text, number, list or mapping (from its annotation)."""
    hint = HINTS[name]
    args = typing.get_args(hint)
    if hint is str:
        return "text"
    if typing.get_origin(hint) in (types.UnionType, typing.Union) and int in args:
        return "number"
    if typing.get_origin(hint) is tuple:
        return "list"
    return "mapping"


def _key_lines(front: str, first_line: int) -> dict[str, int]:
    """Map each top-level key of the front matter to its line number in the file."""
    lines: dict[str, int] = {}
    for offset, text in enumerate(front.splitlines()):
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:", text)
        if match and match.group(1) not in lines:
            lines[match.group(1)] = first_line + offset
    return lines


def _nested_key_lines(front: str, first_line: int, parent: str) -> dict[str, int]:
    """Lines of the keys nested under one top-level key of the front matter."""
    lines: dict[str, int] = {}
    inside = False
    for offset, text in enumerate(front.splitlines()):
        if re.match(rf"^{re.escape(parent)}\s*:", text):
            inside = True
            for match in re.finditer(r"([A-Za-z0-9_-]+)\s*:", text.split(":", 1)[1]):
                lines.setdefault(match.group(1), first_line + offset)  # flow style on one line
            continue
        if inside:
            nested = re.match(r"^\s+([A-Za-z0-9_-]+)\s*:", text)
            if nested:
                lines.setdefault(nested.group(1), first_line + offset)
            elif text.strip() and not text.startswith((" ", "\t")):
                break
    return lines


def _as_tuple(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


class _Checker:
    """Collects the problems of one entry file, each on the line of its field."""

    def __init__(self, path: str, lines: dict[str, int], first_line: int):
        self.path, self.lines, self.first_line = path, lines, first_line
        self.problems: list[Problem] = []

    def report(self, name: str, message: str, line: int | None = None) -> None:
        where = line or self.lines.get(name, self.first_line)
        self.problems.append(Problem(self.path, name, message, where))


def parse_entry(text: str, path: str, vocab: Vocabulary) -> tuple[Entry | None, list[Problem]]:
    """Parse one entry file's text; return the Entry (or None) and every problem found."""
    if not frontmatter.checks(text):
        return None, [Problem(path, "front matter",
                              "file has no front matter (it must start with a '---' line)", 1)]
    try:
        front, body = frontmatter.default_handlers.YAMLHandler().split(text)
    except ValueError:  # the handler raises it when the closing '---' is missing
        return None, [Problem(path, "front matter", "front matter is not closed by a '---' line", 1)]
    first_line = text[: text.index(front)].count("\n") + 1 if front else 2
    try:
        meta = yaml.safe_load(front) if front.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark else 1
        return None, [Problem(path, "yaml", f"YAML does not parse: {yaml_reason(exc)}", line)]
    if not isinstance(meta, dict):
        return None, [Problem(path, "front matter", "front matter must be a mapping of fields",
                              first_line)]
    check = _Checker(path, _key_lines(front, first_line), first_line)
    values: dict[str, Any] = {}
    for entry_field in FRONT_FIELDS:
        values[entry_field.name] = _read_field(entry_field.name, meta.get(entry_field.name),
                                               vocab, check)
    values["subissues"] = _read_subissues(meta.get("subissues"), values["themes"] or (), vocab,
                                          _nested_key_lines(front, first_line, "subissues"), check)
    _check_codes(values, path, vocab, check)
    values["body"] = body.strip()
    if not values["body"]:
        check.report("body", "the body (the quoted passage) is empty",
                     first_line + front.count("\n") + 1)
    known = {f.name for f in FRONT_FIELDS}
    for name in meta:
        if name not in known:
            check.report(str(name), "unknown field (typo?)")
    if check.problems:
        return None, check.problems
    return Entry(**values), []


def _read_field(name: str, value: Any, vocab: Vocabulary, check: _Checker) -> Any:
    """Read one front-matter field by its kind, reporting what is wrong with it."""
    kind = _kind_of(name)
    if kind == "text":
        if value is None or (isinstance(value, str) and not value.strip()):
            check.report(name, "required field is missing or empty")
        elif name == "section" and not isinstance(value, str):
            check.report(name, f"must be a quoted string (YAML read {value!r}); "
                               f"write section: \"{value}\"")
        elif not isinstance(value, str):
            check.report(name, f"must be text, not {type(value).__name__}")
        return value.strip() if isinstance(value, str) else ""
    if kind == "number":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            check.report(name, f"{name} must be a positive integer, not {value!r}")
            return None
        return value
    if kind == "list":
        listed = _as_tuple(value)
        vocabulary = getattr(vocab, SLUG_LISTS[name])
        if listed is None:
            check.report(name, f"must be a list of {name[:-1]} slugs")
            return ()
        if not listed and name == "themes":
            check.report(name, "required field is missing or empty (at least one theme)")
        for slug in listed:
            if vocabulary and slug not in vocabulary:
                check.report(name, f"unknown {name[:-1]} slug {slug!r} (see {name}.yaml)")
        return listed
    return {}  # the mapping (sub-issues) is read with the themes known


def _read_subissues(value: Any, themes: tuple[str, ...], vocab: Vocabulary,
                    lines: dict[str, int], check: _Checker) -> dict[str, tuple[str, ...]]:
    """Read `subissues: {theme: [sub-issue, …]}`, reporting each problem on the theme's line."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        check.report("subissues", "must map theme slugs to lists of sub-issue slugs, "
                                  "e.g. {capital-gap: [early-stage-capital]}")
        return {}
    found: dict[str, tuple[str, ...]] = {}
    for theme, slugs in value.items():
        line = lines.get(str(theme))
        listed = _as_tuple(slugs)
        if listed is None:
            check.report("subissues", f"{theme}: must be a list of sub-issue slugs", line)
            continue
        if theme not in themes:
            check.report("subissues", f"sub-issues given for theme {theme!r}, which the entry's "
                                      "themes do not include", line)
            continue
        known = vocab.themes.get(theme)
        for slug in listed:
            if known is None or known.subissue(slug) is None:
                check.report("subissues", f"unknown sub-issue {slug!r} of theme {theme!r} "
                                          "(see themes.yaml)", line)
        found[str(theme)] = tuple(dict.fromkeys(listed))
    return {theme: found[theme] for theme in themes if theme in found}  # in the themes' order


def _check_codes(values: Mapping[str, Any], path: str, vocab: Vocabulary, check: _Checker) -> None:
    """Rules across fields: the id is the file name, codes and slugs are known."""
    entry_id = values["id"]
    stem = Path(path).stem
    if entry_id and entry_id != stem:
        check.report("id", f"id {entry_id!r} does not equal the file name {stem!r}")
    if entry_id and not ID_PATTERN.match(entry_id):
        check.report("id", f"id {entry_id!r} must be lower-case letters, digits and single dashes")
    for name, known in CODES.items():
        if values[name] and values[name] not in known:
            check.report(name, f"unknown {name} {values[name]!r} (expected one of {', '.join(known)})")
    folder = Path(path).parent.name
    if values["source"] and folder != values["source"]:
        check.report("source", f"source {values['source']!r} does not match the folder {folder!r}")
    for name, vocabulary in (("source", vocab.sources), ("region", vocab.regions)):
        if values[name] and values[name] not in vocabulary:
            check.report(name, f"unknown {name} slug {values[name]!r} (see {name}s.yaml)")


def entry_files(content_dir: str | Path) -> list[Path]:
    """List entry files (content/<source>/*.md), skipping READMEs and the report texts."""
    content_dir = Path(content_dir)
    return sorted(p for p in content_dir.glob("*/*.md")
                  if p.parent.name != "sources" and p.name.lower() != "readme.md")


def load_entries(content_dir: str | Path, vocab: Vocabulary | None = None,
                 root: str | Path | None = None) -> LoadResult:
    """Load and validate every entry; collect all problems instead of stopping at the first."""
    content_dir = Path(content_dir)
    if vocab is None:
        try:
            vocab = load_vocabulary(content_dir)
        except ContentError as exc:
            return LoadResult([], exc.problems)
    entries: list[Entry] = []
    paths: dict[str, str] = {}
    problems: list[Problem] = []
    files = [(file, _display_path(file, root)) for file in entry_files(content_dir)]
    for file, shown in files:
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(shown, "encoding", f"file is not UTF-8 ({exc.reason})"))
            continue
        entry, found = parse_entry(text, shown, vocab)
        problems.extend(found)
        if entry is not None:
            entries.append(entry)
            paths[entry.id] = shown
    problems.extend(_duplicate_ids(files))
    return LoadResult(entries, problems, paths)


def _duplicate_ids(files: list[tuple[Path, str]]) -> list[Problem]:
    """Report ids used by more than one file (the id is the file name, so compare stems)."""
    by_id: dict[str, list[str]] = {}
    for file, shown in files:
        by_id.setdefault(file.stem, []).append(shown)
    return [Problem(shown, "id", f"duplicate id {stem!r}: also used by "
                    + ", ".join(other for other in paths if other != shown))
            for stem, paths in by_id.items() if len(paths) > 1 for shown in paths]


def _display_path(file: Path, root: str | Path | None) -> str:
    if root is not None:
        try:
            return str(file.resolve().relative_to(Path(root).resolve()))
        except ValueError:
            pass
    return str(file)


def load_content(content_dir: str | Path, root: str | Path | None = None) -> tuple[Vocabulary, list[Entry]]:
    """Load vocabulary and entries, raising ContentError listing every problem."""
    vocab = load_vocabulary(content_dir)
    result = load_entries(content_dir, vocab, root=root)
    if not result.ok:
        raise ContentError(result.problems)
    return vocab, result.entries


def render_entry(entry: Entry) -> str:
    """Write an entry as its file: front matter in field order (strings quoted), then the body."""
    lines = ["---"]
    for entry_field in FRONT_FIELDS:
        value = getattr(entry, entry_field.name)
        kind = _kind_of(entry_field.name)
        if kind == "number":
            if value is not None:
                lines.append(f"{entry_field.name}: {value}")
        elif kind == "list":
            lines.append(f"{entry_field.name}: [{', '.join(value)}]")
        elif kind == "mapping":
            if value:
                lines.append(f"{entry_field.name}:")
                lines += [f"  {key}: [{', '.join(slugs)}]" for key, slugs in value.items()]
        elif PLAIN.match(value):  # codes and slugs read as they are
            lines.append(f"{entry_field.name}: {value}")
        else:  # JSON strings are valid YAML strings, with every special character escaped
            lines.append(f"{entry_field.name}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines + ["---", "", entry.body.strip(), ""])
