"""Content model: the Entry value, the vocabularies, and loading and validation of entry files."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml

KINDS = ("recommendation", "challenge", "finding")
STATUSES = ("draft", "reviewed")
REQUIRED_TEXT_FIELDS = ("id", "title", "title_en", "kind", "source", "region", "section",
                        "summary", "summary_en", "status")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Entry:
    """One citable statement from a report: a finding, a challenge or a recommendation."""

    id: str
    title: str
    title_en: str
    kind: str
    source: str
    region: str
    section: str
    themes: tuple[str, ...]
    summary: str
    summary_en: str
    status: str
    body: str
    page: int | None = None
    addressees: tuple[str, ...] = ()
    # For each of the entry's themes that has them, the sub-issues it addresses.
    subissues: tuple[tuple[str, tuple[str, ...]], ...] = ()
    path: str = ""

    def subissues_of(self, theme: str) -> tuple[str, ...]:
        """The sub-issues of one theme this entry addresses (empty when none fits)."""
        return dict(self.subissues).get(theme, ())

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as plain JSON-ready data."""
        return {
            "id": self.id, "title": self.title, "title_en": self.title_en, "kind": self.kind,
            "source": self.source, "region": self.region, "section": self.section,
            "page": self.page, "themes": list(self.themes), "summary": self.summary,
            "summary_en": self.summary_en, "addressees": list(self.addressees),
            "subissues": {theme: list(slugs) for theme, slugs in self.subissues},
            "status": self.status, "body": self.body,
        }


@dataclass(frozen=True)
class Problem:
    """A validation problem, located by file, line and field."""

    path: str
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}"


@dataclass(frozen=True)
class Vocabulary:
    """The slugs entries may use, with their labels and metadata, from content/*.yaml."""

    sources: dict[str, dict[str, Any]]
    regions: dict[str, dict[str, Any]]
    themes: dict[str, dict[str, Any]]
    addressees: dict[str, dict[str, Any]] = field(default_factory=dict)
    synonyms: tuple[tuple[str, ...], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the vocabulary as plain data (lists in file order)."""
        data: dict[str, Any] = {name: list(getattr(self, name).values())
                                for name in ("sources", "regions", "themes", "addressees")}
        data["synonyms"] = [list(group) for group in self.synonyms]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Vocabulary":
        """Build a vocabulary from the plain data `to_dict` returns."""
        slugged = {name: {item["slug"]: item for item in data.get(name, [])}
                   for name in ("sources", "regions", "themes", "addressees")}
        return cls(**slugged, synonyms=tuple(tuple(g) for g in data.get("synonyms", [])))


class ContentError(Exception):
    """Content that cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class LoadResult:
    """Entries that loaded cleanly and the problems found on the way."""

    entries: list[Entry]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def _plain(value: Any) -> Any:
    """Normalise YAML values: dates become ISO strings so that metadata stays JSON-ready."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_vocabulary(content_dir: str | Path) -> Vocabulary:
    """Read sources.yaml, regions.yaml, themes.yaml and addressees.yaml; raise ContentError."""
    content_dir = Path(content_dir)
    problems: list[Problem] = []
    parts: dict[str, dict[str, dict[str, Any]]] = {}
    for name in ("sources", "regions", "themes", "addressees"):
        path = content_dir / f"{name}.yaml"
        items: dict[str, dict[str, Any]] = {}
        if not path.exists():
            if name != "addressees":
                problems.append(Problem(str(path), name, "file is missing"))
            parts[name] = items
            continue
        data = _read_yaml(path, problems)
        if data is None:
            parts[name] = items
            continue
        if not isinstance(data, list):
            problems.append(Problem(str(path), name, "expected a list of items with a slug"))
            data = []
        for item in data:
            slug = item.get("slug") if isinstance(item, dict) else None
            if not slug:
                problems.append(Problem(str(path), "slug", f"item without a slug: {item!r}"))
            elif slug in items:
                problems.append(Problem(str(path), "slug", f"duplicate slug {slug!r}"))
            else:
                items[slug] = _plain(item)
        parts[name] = items
    problems.extend(_subissue_problems(content_dir / "themes.yaml", parts.get("themes", {})))
    synonyms = _load_synonyms(content_dir / "synonyms.yaml", problems)
    if problems:
        raise ContentError(problems)
    return Vocabulary(**parts, synonyms=synonyms)


SUBISSUE_FIELDS = ("slug", "label_sv", "label_en", "scope_sv", "scope_en")


def _subissue_problems(path: Path, themes: dict[str, dict[str, Any]]) -> list[Problem]:
    """Check each theme's sub-issues: a non-empty list, every field given, slugs unique."""
    problems = []
    lines = _slug_lines(path)
    for slug, theme in themes.items():
        line = lines.get(slug)
        items = theme.get("subissues")
        if not items:
            continue  # a curation gap, not a broken file: `missing_subissues` reports it
        if not isinstance(items, list):
            problems.append(Problem(str(path), "subissues",
                                    f"theme {slug!r}: sub-issues must be a list", line))
            continue
        seen: set[str] = set()
        for item in items:
            name = item.get("slug") if isinstance(item, dict) else None
            where = lines.get(f"{slug}/{name}", line)
            missing = [f for f in SUBISSUE_FIELDS if not (isinstance(item, dict) and item.get(f))]
            if missing:
                problems.append(Problem(str(path), "subissues", f"theme {slug!r}: sub-issue "
                                        f"{name or item!r} lacks {', '.join(missing)}", where))
            elif not ID_PATTERN.match(name):
                problems.append(Problem(str(path), "subissues", f"theme {slug!r}: sub-issue slug "
                                        f"{name!r} must be lower-case letters, digits and dashes", where))
            elif name in seen:
                problems.append(Problem(str(path), "subissues",
                                        f"theme {slug!r}: duplicate sub-issue {name!r}", where))
            seen.add(str(name))
    return problems


def missing_subissues(content_dir: str | Path, vocab: Vocabulary) -> list[Problem]:
    """Themes that have no sub-issues yet (the check reports them; loading does not fail)."""
    path = Path(content_dir) / "themes.yaml"
    lines = _slug_lines(path)
    return [Problem(str(path), "subissues", f"theme {slug!r} has no sub-issues", lines.get(slug))
            for slug, theme in vocab.themes.items() if not theme.get("subissues")]


def _slug_lines(path: Path) -> dict[str, int]:
    """Lines of the themes' slugs ("theme") and of their sub-issues' slugs ("theme/sub-issue")."""
    lines: dict[str, int] = {}
    theme = ""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return lines
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(r"^(\s*)-\s+slug:\s*(\S+)", line)
        if not match:
            continue
        if not match.group(1):
            theme = match.group(2)
            lines.setdefault(theme, number)
        else:
            lines.setdefault(f"{theme}/{match.group(2)}", number)
    return lines


def _load_synonyms(path: Path, problems: list[Problem]) -> tuple[tuple[str, ...], ...]:
    """Read synonyms.yaml: a list of groups, each a list of two or more words or phrases."""
    data = _read_yaml(path, problems) if path.exists() else None
    if data is None:
        return ()
    groups = []
    for number, group in enumerate(data if isinstance(data, list) else [data], start=1):
        if not (isinstance(group, list) and len(group) >= 2 and all(isinstance(t, str) for t in group)):
            problems.append(Problem(str(path), "synonyms",
                                    f"group {number} must be a list of at least two words"))
            continue
        groups.append(tuple(group))
    return tuple(groups)


def _read_yaml(path: Path, problems: list[Problem]) -> Any:
    """Parse a vocabulary file; on a YAML error record it (with its line) and return None."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(str(path), "yaml", f"YAML does not parse: {_yaml_reason(exc)}",
                                mark.line + 1 if mark else None))
        return None


def _yaml_reason(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    return " ".join(str(p) for p in (context, problem) if p) or str(exc).splitlines()[0]


def _key_lines(front: str, first_line: int) -> dict[str, int]:
    """Map each top-level key of the front matter to its line number in the file."""
    lines = {}
    for offset, text in enumerate(front.splitlines()):
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:", text)
        if match and match.group(1) not in lines:
            lines[match.group(1)] = first_line + offset
    return lines


def _as_tuple(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def parse_entry(text: str, path: str, vocab: Vocabulary) -> tuple[Entry | None, list[Problem]]:
    """Parse one entry file's text; return the Entry (or None) and every problem found."""
    if not frontmatter.checks(text):
        return None, [Problem(path, "front matter",
                              "file has no front matter (it must start with a '---' line)", 1)]
    handler = frontmatter.YAMLHandler()
    try:
        front, body = handler.split(text)
    except Exception:  # the handler raises a bare ValueError when the closing '---' is missing
        return None, [Problem(path, "front matter", "front matter is not closed by a '---' line", 1)]
    first_line = text[: text.index(front)].count("\n") + 1 if front else 2
    try:
        meta = yaml.safe_load(front) if front.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark else 1
        return None, [Problem(path, "yaml", f"YAML does not parse: {_yaml_reason(exc)}", line)]
    if not isinstance(meta, dict):
        return None, [Problem(path, "front matter", "front matter must be a mapping of fields", first_line)]

    lines = _key_lines(front, first_line)
    problems: list[Problem] = []

    def report(name: str, message: str) -> None:
        problems.append(Problem(path, name, message, lines.get(name, first_line)))

    for name in REQUIRED_TEXT_FIELDS:
        value = meta.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            report(name, "required field is missing or empty")
        elif name == "section" and not isinstance(value, str):
            report(name, f"must be a quoted string (YAML read {value!r}); write section: \"{value}\"")
        elif not isinstance(value, str):
            report(name, f"must be text, not {type(value).__name__}")

    def text_field(name: str) -> str:
        value = meta.get(name)
        return value.strip() if isinstance(value, str) else ""

    entry_id, kind, status = text_field("id"), text_field("kind"), text_field("status")
    stem = Path(path).stem
    if entry_id and entry_id != stem:
        report("id", f"id {entry_id!r} does not equal the file name {stem!r}")
    if entry_id and not ID_PATTERN.match(entry_id):
        report("id", f"id {entry_id!r} must be lower-case letters, digits and single dashes")
    if kind and kind not in KINDS:
        report("kind", f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
    if status and status not in STATUSES:
        report("status", f"unknown status {status!r} (expected one of {', '.join(STATUSES)})")
    folder = Path(path).parent.name
    if text_field("source") and folder != text_field("source"):
        report("source", f"source {text_field('source')!r} does not match the folder {folder!r}")
    for name, known in (("source", vocab.sources), ("region", vocab.regions)):
        slug = text_field(name)
        if slug and slug not in known:
            report(name, f"unknown {name} slug {slug!r} (see {name}s.yaml)")

    themes = _as_tuple(meta.get("themes"))
    if themes is None:
        report("themes", "must be a list of theme slugs")
    elif not themes:
        report("themes", "required field is missing or empty (at least one theme)")
    else:
        for slug in themes:
            if slug not in vocab.themes:
                report("themes", f"unknown theme slug {slug!r} (see themes.yaml)")

    subissues = _entry_subissues(meta.get("subissues"), themes or (), vocab, front, first_line,
                                 path, lines.get("subissues", first_line), problems)

    addressees = _as_tuple(meta.get("addressees"))
    if addressees is None:
        report("addressees", "must be a list of addressee slugs")
    elif vocab.addressees:
        for slug in addressees:
            if slug not in vocab.addressees:
                report("addressees", f"unknown addressee slug {slug!r} (see addressees.yaml)")

    page = meta.get("page")
    if page is not None and (isinstance(page, bool) or not isinstance(page, int) or page < 1):
        report("page", f"page must be a positive integer, not {page!r}")

    body = body.strip()
    if not body:
        problems.append(Problem(path, "body", "the body (the quoted passage) is empty",
                                first_line + front.count("\n") + 1))

    known_fields = set(REQUIRED_TEXT_FIELDS) | {"themes", "addressees", "page", "subissues"}
    for name in meta:
        if name not in known_fields:
            report(str(name), "unknown field (typo?)")

    if problems:
        return None, problems
    return Entry(
        id=entry_id, title=text_field("title"), title_en=text_field("title_en"), kind=kind,
        source=text_field("source"), region=text_field("region"), section=text_field("section"),
        themes=tuple(themes or ()), summary=text_field("summary"),
        summary_en=text_field("summary_en"), status=status, body=body, page=page,
        addressees=tuple(addressees or ()), subissues=subissues, path=path,
    ), []


def _entry_subissues(value: Any, themes: tuple[str, ...], vocab: Vocabulary, front: str,
                     first_line: int, path: str, line: int,
                     problems: list[Problem]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Read `subissues: {theme: [sub-issue, …]}`, reporting each problem on the theme's line."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        problems.append(Problem(path, "subissues", "must map theme slugs to lists of sub-issue "
                                "slugs, e.g. {capital-gap: [early-stage-capital]}", line))
        return ()
    nested = _nested_key_lines(front, first_line, "subissues")
    found = []
    for theme, slugs in value.items():
        where = nested.get(str(theme), line)
        listed = _as_tuple(slugs)
        if listed is None:
            problems.append(Problem(path, "subissues", f"{theme}: must be a list of sub-issue slugs",
                                    where))
            continue
        if theme not in themes:
            problems.append(Problem(path, "subissues", f"sub-issues given for theme {theme!r}, "
                                    "which the entry's themes do not include", where))
            continue
        known = {item.get("slug") for item in vocab.themes.get(theme, {}).get("subissues") or []
                 if isinstance(item, dict)}
        for slug in listed:
            if slug not in known:
                problems.append(Problem(path, "subissues", f"unknown sub-issue {slug!r} of theme "
                                        f"{theme!r} (see themes.yaml)", where))
        found.append((str(theme), tuple(dict.fromkeys(listed))))
    order = {theme: n for n, theme in enumerate(themes)}
    return tuple(sorted(found, key=lambda pair: order.get(pair[0], len(order))))


def _nested_key_lines(front: str, first_line: int, parent: str) -> dict[str, int]:
    """Lines of the keys nested under one top-level key of the front matter (block style)."""
    lines: dict[str, int] = {}
    inside = False
    for offset, text in enumerate(front.splitlines()):
        if re.match(rf"^{re.escape(parent)}\s*:", text):
            inside = True
            for match in re.finditer(r"([A-Za-z0-9_-]+)\s*:", text.split(":", 1)[1]):
                lines.setdefault(match.group(1), first_line + offset)  # flow style on one line
            continue
        if inside:
            match = re.match(r"^\s+([A-Za-z0-9_-]+)\s*:", text)
            if match:
                lines.setdefault(match.group(1), first_line + offset)
            elif text.strip() and not text.startswith((" ", "\t")):
                break
    return lines


def entry_files(content_dir: str | Path) -> list[Path]:
    """List entry files (content/<source>/*.md), skipping READMEs and the source texts."""
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
    problems.extend(_duplicate_ids(files))
    return LoadResult(entries, problems)


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
