"""Command-line commands (`flask --app app …`): thin wrappers that call the stage functions."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from config import PROJECT_ROOT
from search.content import load_entries


@click.command("check")
@with_appcontext
def check_command() -> None:
    """Validate every content file and list every problem with file, line and field."""
    result = load_entries(current_app.config["CONTENT_DIR"], root=PROJECT_ROOT)
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
    import time

    from search.content import ContentError
    from search.index import build_from_content

    started = time.perf_counter()
    kb = current_app.extensions["kb"]
    try:
        generation = build_from_content(kb.content_dir, kb.index_dir)
    except ContentError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo("Index not built; the index being served is unchanged.", err=True)
        raise SystemExit(1)
    click.echo(f"Index built in {time.perf_counter() - started:.2f} s: {generation}")



@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="Slug of the report in content/sources.yaml.")
@click.option("--dry-run", is_flag=True, help="Show what would be created or updated; write nothing.")
@with_appcontext
def import_command(path: Path, source: str, dry_run: bool) -> None:
    """Import a report (.txt, .md or .pdf) as draft entries into content/<source>/."""
    from search.content import ContentError
    from search.importer import ReportError, import_report

    try:
        report = import_report(path, source, current_app.config["CONTENT_DIR"], dry_run=dry_run,
                               progress=lambda message: click.echo(message, err=True))
    except (ReportError, ContentError) as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1)
    would = "would be " if dry_run else ""
    for label, ids in ((f"{would}created", report.created), (f"{would}updated", report.updated)):
        for entry_id in ids:
            click.echo(f"{label}: {entry_id}")
    for entry_id, why in report.left_alone:
        click.echo(f"left alone: {entry_id} ({why})")
    click.echo(report.summary())


@click.command("coverage")
@with_appcontext
def coverage_command() -> None:
    """Show per source the entries by kind and theme, and report sections without a reviewed entry."""
    from search.coverage import coverage

    sources, problems = coverage(current_app.config["CONTENT_DIR"])
    for item in sources:
        click.echo(f"{item.source}: {item.title}")
        click.echo(f"  entries: {item.entries} ({item.reviewed} reviewed, {item.entries - item.reviewed} draft)")
        click.echo("  by kind: " + (", ".join(f"{k} {n}" for k, n in item.by_kind.items()) or "none"))
        click.echo("  by theme: " + (", ".join(f"{t} {n}" for t, n in item.by_theme.items()) or "none"))
        if item.sections is None:
            click.echo(f"  sections: {item.note}")
        else:
            click.echo(f"  sections in the text: {item.sections}, without a reviewed entry: {len(item.gaps)}")
        for gap in item.gaps:
            page = f"p. {gap.page}" if gap.page else "p. –"
            label = gap.section if gap.section != gap.heading else ""  # unnumbered: the heading says it
            click.echo(f"    {label:<8} {page:<7} {gap.kind:<14} {gap.heading[:80]}")
    if problems:
        click.echo(f"Note: {len(problems)} problem(s) in entry files are not counted; run `check`.", err=True)


COMMANDS = [check_command, index_command, import_command, coverage_command]
