"""Command-line commands (`flask --app app …`): thin wrappers that call the stage functions."""

from __future__ import annotations

from collections import Counter

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


COMMANDS = [check_command]


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


COMMANDS.append(index_command)
