"""Command-line commands (`flask --app app …`): thin wrappers that call the stage functions."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from config import PROJECT_ROOT
from kb.content.model import load_entries


@click.command("check")
@with_appcontext
def check_command() -> None:
    """Validate every content file and list every problem with file, line and field."""
    result = load_entries(current_app.config["CONTENT_DIR"], root=PROJECT_ROOT)
    result.problems.extend(_text_problems(current_app.config["CONTENT_DIR"], result.entries))
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if result.problems:
        files = len({p.path for p in result.problems})
        click.echo(f"{len(result.problems)} problem(s) in {files} file(s).", err=True)
        raise SystemExit(1)
    per_source = Counter(e.source for e in result.entries)
    summary = ", ".join(f"{slug} {n}" for slug, n in sorted(per_source.items()))
    click.echo(f"OK: {len(result.entries)} entries ({summary or 'none'}).")



def _text_problems(content_dir: str, entries: list) -> list:
    """Problems in the report texts, and entry passages the texts do not contain."""
    from kb.content.model import ContentError, Problem, load_vocabulary, missing_subissues
    from kb.content.texts import (entry_text_problems, load_report_texts, load_unquoted,
                                  shared_paragraphs, unquoted_path, unquoted_reasons)

    try:
        vocab = load_vocabulary(content_dir)
    except ContentError:
        return []
    texts, found = load_report_texts(content_dir, vocab.sources)
    problems = missing_subissues(content_dir, vocab)
    problems += [Problem(p.path, "text", p.message, p.line) for p in found]
    for slug, text in texts.items():
        own = [(e.id, e.path, e.body) for e in entries if e.source == slug]
        problems += [Problem(path, "body", message, line)
                     for path, line, message in entry_text_problems(text, own)]
        items, bad = load_unquoted(unquoted_path(content_dir, slug))
        bad += unquoted_reasons(text, items, str(unquoted_path(content_dir, slug)))[1]
        problems += [Problem(p.path, "unquoted", p.message, p.line) for p in bad]
    problems += [Problem(path, "body", message, line) for path, line, message
                 in shared_paragraphs((e.id, e.path, e.body) for e in entries)]
    return problems


@click.command("textcoverage")
@click.option("--source", "sources", multiple=True, help="Only these sources (slugs).")
@click.option("--limit", default=40, show_default=True, help="Unquoted blocks listed per source.")
@with_appcontext
def text_coverage_command(sources: tuple[str, ...], limit: int) -> None:
    """Per report text: the share of its prose that entries quote, and the unquoted blocks."""
    from kb.content.model import load_content
    from kb.content.texts import (load_report_texts, load_unquoted, prose_coverage, quoting,
                                  unquoted_path, unquoted_reasons)

    content_dir = current_app.config["CONTENT_DIR"]
    vocab, entries = load_content(content_dir)
    texts, problems = load_report_texts(content_dir, sources or vocab.sources)
    for problem in problems:
        click.echo(str(problem), err=True)
    for slug, text in texts.items():
        quoted = quoting(text, [(e.id, e.body) for e in entries if e.source == slug])
        items, _ = load_unquoted(unquoted_path(content_dir, slug))
        reasons, _ = unquoted_reasons(text, items, "")
        found = prose_coverage(text, quoted, reasons)
        click.echo(f"{slug}: {found.words} words, prose {found.prose}; quoted {found.quoted} "
                   f"({100 * found.share:.1f} % of prose), left out with a reason {found.left_out}")
        click.echo(f"  unquoted without a reason: {sum(n for n, _, _ in found.open_blocks)} words "
                   f"in {len(found.open_blocks)} blocks")
        for words, block, section in found.open_blocks[:limit]:
            click.echo(f"  {words:>5} w  line {block.line:<5} § {section.section[:30]:<30} "
                       f"p. {block.page or '–':<4} {block.plain[:90]}")


@click.command("index")
@with_appcontext
def index_command() -> None:
    """Build a fresh search index from the content and switch to it atomically."""
    import time

    from kb.content.model import ContentError
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
    from kb.content.model import ContentError
    from kb.importing.drafts import ReportError, import_report

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
    from kb.reports.coverage import coverage

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


COMMANDS = [check_command, index_command, import_command, coverage_command, text_coverage_command]
