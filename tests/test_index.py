"""Index lifecycle: atomic switch, failed and killed builds, staleness, corruption."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kb.content.model import ContentError
from search.generations import IndexUnavailable, KnowledgeBase
from search.index import POINTER, build_from_content, current_generation, is_stale, read_meta
from search.service import SearchRequest, search

ROOT = Path(__file__).resolve().parent.parent


def break_yaml(content_dir: Path) -> Path:
    path = content_dir / "demo-2024" / "demo-2024-1-1.md"
    path.write_text(path.read_text(encoding="utf-8").replace("themes: [capital-gap]", "themes: [capital-gap"),
                    encoding="utf-8")
    return path


def hit_ids(kb: KnowledgeBase, q: str) -> list[str]:
    return [h.entry.id for h in search(kb.snapshot(), SearchRequest(q=q)).hits]


def test_build_switches_pointer_and_keeps_meta(content_dir, tmp_path):
    root = tmp_path / "index"
    first = build_from_content(content_dir, root)
    assert current_generation(root) == first
    meta = read_meta(first)
    assert meta.entries == 3 and list(meta.vocabulary.regions)[0] == "testlan"
    second = build_from_content(content_dir, root)
    assert second != first and current_generation(root) == second


def test_build_with_bad_content_leaves_serving_index_untouched(content_dir, tmp_path):
    root = tmp_path / "index"
    kb = KnowledgeBase(content_dir, root, auto_rebuild=False)
    build_from_content(content_dir, root)
    before = (root / POINTER).read_text()
    assert "demo-2024-1-1" in hit_ids(kb, "riskkapital")
    broken = break_yaml(content_dir)
    with pytest.raises(ContentError) as caught:
        build_from_content(content_dir, root)
    assert broken.name in str(caught.value) and "yaml" in str(caught.value)
    assert (root / POINTER).read_text() == before
    assert "demo-2024-1-1" in hit_ids(kb, "riskkapital")


def test_index_command_fails_on_bad_content_naming_the_file(runner, content_dir, app):
    assert runner.invoke(args=["index"]).exit_code == 0
    pointer = Path(app.extensions["kb"].index_dir) / POINTER
    before = pointer.read_text()
    break_yaml(content_dir)
    result = runner.invoke(args=["index"])
    assert result.exit_code == 1
    assert "demo-2024-1-1.md" in result.output and "unchanged" in result.output
    assert pointer.read_text() == before


def test_killed_build_leaves_previous_index_serving(content_dir, tmp_path):
    root = tmp_path / "index"
    build_from_content(content_dir, root)
    before = (root / POINTER).read_text()
    # A build process that stalls while writing documents, killed with SIGKILL.
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        import search.index as si
        def stall(*args, **kwargs):
            print("writing", flush=True)
            time.sleep(60)
        si._document = stall
        si.build_from_content({str(content_dir)!r}, {str(root)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        assert list(root.glob(".building-*")), "the build should be under way in its own directory"
    finally:
        proc.kill()
        proc.wait()
    assert (root / POINTER).read_text() == before
    kb = KnowledgeBase(content_dir, root, auto_rebuild=False)
    assert "demo-2024-1-1" in hit_ids(kb, "riskkapital")
    # The lock died with the process: the next build goes through.
    assert build_from_content(content_dir, root) != before


def test_workers_notice_a_switch(content_dir, tmp_path):
    root = tmp_path / "index"
    kb = KnowledgeBase(content_dir, root)
    first = kb.snapshot().name
    path = content_dir / "annan-2022" / "annan-2022-3.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Testbäddarna", "Pilotsjukhusen"), encoding="utf-8")
    build_from_content(content_dir, root)  # as `flask index` in another process would
    assert kb.snapshot().name != first
    assert hit_ids(kb, "pilotsjukhusen") == ["annan-2022-3"]


def test_rebuilds_at_start_when_content_is_newer(content_dir, tmp_path):
    root = tmp_path / "index"
    build_from_content(content_dir, root)
    assert not is_stale(content_dir, root)
    path = content_dir / "demo-2024" / "demo-2024-2-1.md"
    path.write_text(path.read_text(encoding="utf-8").replace("i tid", "i tid och med lotsning"),
                    encoding="utf-8")
    assert is_stale(content_dir, root)
    kb = KnowledgeBase(content_dir, root)
    assert hit_ids(kb, "lotsning") == ["demo-2024-2-1"]
    assert not is_stale(content_dir, root)


def test_start_with_bad_content_serves_previous_index(content_dir, tmp_path, caplog):
    root = tmp_path / "index"
    build_from_content(content_dir, root)
    break_yaml(content_dir)
    kb = KnowledgeBase(content_dir, root)
    assert kb.entry_count() == 3
    assert "serving the previous index" in caplog.text


def test_analyzer_change_marks_index_stale(content_dir, tmp_path, monkeypatch):
    root = tmp_path / "index"
    build_from_content(content_dir, root)
    monkeypatch.setattr("search.index.ANALYZER_VERSION", "sv-next")
    assert is_stale(content_dir, root)


def test_corrupt_index_is_rebuilt(content_dir, tmp_path):
    root = tmp_path / "index"
    generation = build_from_content(content_dir, root)
    for file in generation.glob("*.seg"):
        file.write_bytes(b"garbage")
    for file in generation.glob("*.toc"):
        file.write_bytes(b"garbage")
    kb = KnowledgeBase(content_dir, root)
    assert "demo-2024-1-1" in hit_ids(kb, "riskkapital")
    assert current_generation(root) != generation


def test_corrupt_index_without_rebuild_is_unavailable(content_dir, tmp_path):
    root = tmp_path / "index"
    generation = build_from_content(content_dir, root)
    for file in generation.rglob("*"):
        if file.is_file() and file.name != "meta.json":
            file.write_bytes(b"garbage")
    with pytest.raises(IndexUnavailable):
        KnowledgeBase(content_dir, root, auto_rebuild=False).snapshot()


def test_no_index_and_bad_content_is_unavailable(content_dir, tmp_path):
    break_yaml(content_dir)
    with pytest.raises(IndexUnavailable):
        KnowledgeBase(content_dir, tmp_path / "index").snapshot()


def test_deleted_index_directory_is_rebuilt_by_a_running_app(content_dir, tmp_path):
    import shutil

    root = tmp_path / "index"
    kb = KnowledgeBase(content_dir, root)
    first = kb.snapshot().name
    shutil.rmtree(root)
    kb._last_attempt = float("-inf")  # as if the retry interval had passed
    assert "demo-2024-1-1" in hit_ids(kb, "riskkapital")
    assert kb.snapshot().name != first


def test_each_generation_records_the_library_versions(content_dir, tmp_path):
    from search.compatibility import PINNED

    generation = build_from_content(content_dir, tmp_path / "index")
    meta = read_meta(generation)
    assert meta.libraries == PINNED


def test_another_library_version_marks_the_index_stale(content_dir, tmp_path, monkeypatch):
    root = tmp_path / "index"
    build_from_content(content_dir, root)
    assert not is_stale(content_dir, root)
    monkeypatch.setattr("search.index.installed_versions",
                        lambda: {"whoosh3": "3.54.0", "PyStemmer": "3.2.0"})
    assert is_stale(content_dir, root)


def _start_worker(content_dir: str, index_dir: str, start_at: float) -> str:
    """A worker process: wait for the common start, then open the knowledge base."""
    import time

    while time.time() < start_at:
        time.sleep(0.001)
    return KnowledgeBase(content_dir, index_dir).snapshot().name


def test_four_workers_starting_on_stale_content_build_one_generation(content_dir, tmp_path):
    import multiprocessing
    import time

    root = tmp_path / "index"
    before = build_from_content(content_dir, root)
    path = content_dir / "demo-2024" / "demo-2024-2-1.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nTillägg.\n", encoding="utf-8")
    assert is_stale(content_dir, root)
    start_at = time.time() + 1.0
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        names = pool.starmap(_start_worker, [(str(content_dir), str(root), start_at)] * 4)
    generations = sorted(p.name for p in root.glob("gen-*"))
    assert len(set(names)) == 1 and names[0] != before.name
    assert generations == sorted([before.name, names[0]])  # one new generation, not four
