"""Coverage: entries by kind and theme, and report sections without a reviewed entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app import create_app
from kb.importing.drafts import import_report
from kb.reports.coverage import coverage

REAL = Path(__file__).resolve().parent.parent / "content"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """Real vocabularies and source texts, Västsverige imported, two of its drafts reviewed."""
    target = tmp_path / "content"
    target.mkdir()
    for path in REAL.glob("*.yaml"):
        shutil.copy(path, target / path.name)
    shutil.copytree(REAL / "sources", target / "sources")
    import_report(target / "sources" / "vastsverige-2026.txt", "vastsverige-2026", target)
    for entry_id in ("vastsverige-2026-prio-3-malbild", "vastsverige-2026-utmaningar-som-drivkraft"):
        path = target / "vastsverige-2026" / f"{entry_id}.md"
        path.write_text(path.read_text(encoding="utf-8").replace("status: draft", "status: reviewed"),
                        encoding="utf-8")
    return target


def by_source(content: Path):
    sources, _, problems = coverage(content)
    assert problems == []
    return {item.source: item for item in sources}


def test_entries_by_kind_and_theme(content):
    west = by_source(content)["vastsverige-2026"]
    assert (west.entries, west.reviewed) == (19, 2)
    assert west.by_kind["recommendation"] >= 7 and west.by_kind["challenge"] >= 8
    assert sum(west.by_kind.values()) == 19 and west.by_theme


def test_gaps_are_the_sections_without_a_reviewed_entry(content):
    west = by_source(content)["vastsverige-2026"]
    gaps = {gap.section for gap in west.gaps}
    assert west.sections == 19
    # prio-3-malbild is reviewed and cites section "3", which covers the area (and its need).
    assert "3" not in gaps and "Utmaningar som drivkraft" not in gaps
    assert {"1", "2", "4", "5", "6", "7"} <= gaps
    assert len(west.gaps) == 19 - 3


def test_a_source_without_entries_shows_all_its_sections(content):
    skane = by_source(content)["skane-2020"]
    assert skane.entries == 0 and skane.sections == len(skane.gaps) >= 39
    gap = next(g for g in skane.gaps if g.section == "2.3.3")
    assert (gap.id, gap.page, gap.kind) == ("skane-2020-2-3-3", 30, "challenge")


def test_a_source_without_its_text_is_marked(content):
    (content / "sources" / "atmp-2023.txt").unlink()
    atmp = by_source(content)["atmp-2023"]
    assert atmp.sections is None and atmp.note == "missing atmp-2023.txt"


def test_coverage_command(content, tmp_path):
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content), "INDEX_DIR": str(tmp_path / "index")})
    result = app.test_cli_runner().invoke(args=["coverage"])
    assert result.exit_code == 0, result.output
    assert "vastsverige-2026: Agenda för västsvensk life science" in result.output
    assert "entries: 19 (2 reviewed, 17 draft)" in result.output
    assert "sections in the text: 19, without a reviewed entry: 16" in result.output
    assert "2.3.3" in result.output and "p. 30" in result.output


def test_coverage_command_on_the_fixture_corpus(runner):
    """The fixture corpus holds no report texts: coverage still runs and says so."""
    result = runner.invoke(args=["coverage"])
    assert result.exit_code == 0, result.output
    assert "demo-2024" in result.output and "no source text held" in result.output


def test_prose_coverage_counts_the_quoted_words_and_lists_the_rest_longest_first(content):
    """Only two Västsverige drafts are reviewed, but drafts quote too: the draft bodies are
    the importer's cleaning of the same text, so most of the agenda counts as quoted; what is
    left is listed longest first, with section and line."""
    west = by_source(content)["vastsverige-2026"].prose
    assert west is not None and west.words > west.prose > 0
    assert 0 < west.quoted < west.prose and 0 < west.share < 1
    open_words = [words for words, _, _ in west.open_blocks]
    assert open_words == sorted(open_words, reverse=True) and open_words[0] > 0
    words, block, section = west.open_blocks[0]
    assert block.line > 0 and section.section


def test_entries_without_a_sub_issue_are_listed(content):
    from kb.content.entries import load_entries

    path = content / "vastsverige-2026" / "vastsverige-2026-prio-3-malbild.md"
    text = path.read_text(encoding="utf-8")
    start = text.index("subissues:")
    end = text.index("summary:", start)
    path.write_text(text[:start] + text[end:], encoding="utf-8")  # its themes lose their sub-issues
    entries = load_entries(content).entries
    expected = {(e.id, t) for e in entries for t in e.themes if not e.subissues_of(t)}
    _, missing, _ = coverage(content)
    assert {(m.entry, m.theme) for m in missing} == expected
    assert {t for e, t in expected if e == "vastsverige-2026-prio-3-malbild"}


def test_coverage_command_reports_the_prose_share_and_missing_sub_issues(content, tmp_path):
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content), "INDEX_DIR": str(tmp_path / "index")})
    result = app.test_cli_runner().invoke(args=["coverage", "--source", "vastsverige-2026"])
    assert result.exit_code == 0, result.output
    assert "% of prose" in result.output and "unquoted without a reason" in result.output
    assert "skane-2020:" not in result.output  # --source keeps to the one report
