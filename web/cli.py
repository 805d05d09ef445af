"""Command-line commands (`flask --app app …`): thin wrappers that call the stage functions."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from config import PROJECT_ROOT
from kb.content.checks import check_content
from kb.content.model import ContentError
from kb.importing.drafts import ReportError, import_report
from kb.importing.report_text import draft_report_text
from kb.reports.coverage import coverage
from search.index import build_from_content


def _content_dir() -> Path:
    return Path(current_app.config["CONTENT_DIR"])


@click.command("check")
@with_appcontext
def check_command() -> None:
    """Validate every content file and list every problem with file, line and field."""
    result = check_content(_content_dir(), root=PROJECT_ROOT)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if result.problems:
        files = len({p.path for p in result.problems})
        click.echo(f"{len(result.problems)} problem(s) in {files} file(s).", err=True)
        raise SystemExit(1)
    per_source = Counter(e.source for e in result.entries)
    summary = ", ".join(f"{slug} {n}" for slug, n in sorted(per_source.items()))
    click.echo(f"OK: {len(result.entries)} entries ({summary or 'none'}).")


@click.command("index")
@with_appcontext
def index_command() -> None:
    """Build a fresh search index from the content and switch to it atomically."""
    started = time.perf_counter()
    kb = current_app.extensions["kb"]
    try:
        generation = build_from_content(kb.content_dir, kb.index_dir)
    except ContentError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo("Index not built; the index being served is unchanged.", err=True)
        raise SystemExit(1) from exc
    click.echo(f"Index built in {time.perf_counter() - started:.2f} s: {generation}")


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="Slug of the report in content/sources.yaml.")
@click.option("--dry-run", is_flag=True, help="Show what would be created or updated; write nothing.")
@with_appcontext
def import_command(path: Path, source: str, dry_run: bool) -> None:
    """Import a report (.txt, .md or .pdf) as draft entries into content/<source>/."""
    try:
        report = import_report(path, source, _content_dir(), dry_run=dry_run,
                               progress=lambda message: click.echo(message, err=True))
    except (ReportError, ContentError) as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from exc
    would = "would be " if dry_run else ""
    for label, ids in ((f"{would}created", report.created), (f"{would}updated", report.updated)):
        for entry_id in ids:
            click.echo(f"{label}: {entry_id}")
    for entry_id, why in report.left_alone:
        click.echo(f"left alone: {entry_id} ({why})")
    click.echo(report.summary())


@click.command("import-text")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="Slug of the report in content/sources.yaml.")
@with_appcontext
def import_text_command(path: Path, source: str) -> None:
    """Draft a report's full text (content/sources/<source>.md) for a person to correct."""
    target = _content_dir() / "sources" / f"{source}.md"
    if target.exists():
        click.echo(f"Error: {target} exists; a reviewed text is never overwritten.", err=True)
        raise SystemExit(1)
    target.write_text(draft_report_text(path.read_text(encoding="utf-8"), source),
                      encoding="utf-8")
    click.echo(f"drafted {target}")


@click.command("coverage")
@click.option("--source", "only", multiple=True, help="Only these sources (slugs).")
@click.option("--limit", default=25, show_default=True, help="Unquoted blocks listed per source.")
@with_appcontext
def coverage_command(only: tuple[str, ...], limit: int) -> None:
    """Per source: entries by kind and theme, sections without an entry, the share of the
    report's prose that entries quote with the unquoted blocks longest first, and entries
    whose themes lack a sub-issue."""
    sources, missing, problems = coverage(_content_dir())
    for item in sources:
        if only and item.source not in only:
            continue
        click.echo(f"{item.source}: {item.title}")
        click.echo(f"  entries: {item.entries} ({item.reviewed} reviewed, "
                   f"{item.entries - item.reviewed} draft)")
        click.echo("  by kind: " + (", ".join(f"{k} {n}" for k, n in item.by_kind.items()) or "none"))
        click.echo("  by theme: " + (", ".join(f"{t} {n}" for t, n in item.by_theme.items()) or "none"))
        if item.sections is None:
            click.echo(f"  sections: {item.note}")
        else:
            click.echo(f"  sections in the text: {item.sections}, without a reviewed entry: "
                       f"{len(item.gaps)}")
        for gap in item.gaps:
            page = f"p. {gap.page}" if gap.page else "p. –"
            label = gap.section if gap.section != gap.heading else ""  # unnumbered: the heading says it
            click.echo(f"    {label:<8} {page:<7} {gap.kind:<14} {gap.heading[:80]}")
        prose = item.prose
        if prose is None:
            click.echo("  report text: none kept (content/sources/<slug>.md)")
            continue
        unquoted = sum(n for n, _, _ in prose.open_blocks)
        click.echo(f"  report text: {prose.words} words, prose {prose.prose}; quoted "
                   f"{prose.quoted} ({100 * prose.share:.1f} % of prose); left out with a reason "
                   f"{prose.left_out}; unquoted without a reason {unquoted} words in "
                   f"{len(prose.open_blocks)} blocks")
        for words, block, section in prose.open_blocks[:limit]:
            click.echo(f"    {words:>5} w  line {block.line:<5} § {section.section[:30]:<30} "
                       f"p. {block.page or '–':<4} {block.plain[:80]}")
    if missing:
        click.echo(f"(entry, theme) pairs without a sub-issue: {len(missing)}")
        for pair in missing:
            click.echo(f"  {pair.entry}  {pair.theme}")
    if problems:
        click.echo(f"Note: {len(problems)} problem(s) in content files are not counted; run `check`.",
                   err=True)


COMMANDS = [check_command, index_command, import_command, import_text_command, coverage_command]
