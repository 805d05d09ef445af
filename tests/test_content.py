"""The content model: loading entries and reporting every kind of broken file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.content.model import load_content, load_entries, parse_entry, load_vocabulary
from tests.conftest import REAL_CONTENT

GOOD = """---
id: demo-2024-9-9
title: En titel
title_en: A title
kind: finding
source: demo-2024
region: testlan
section: "9.9"
page: 3
themes: [capital-gap]
summary: Sammanfattning.
summary_en: Summary.
status: reviewed
---
Själva citatet ur rapporten.
"""


def write(content_dir: Path, text: str, name: str = "demo-2024-9-9") -> Path:
    path = content_dir / "demo-2024" / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def problems_for(content_dir: Path, name: str = "demo-2024-9-9"):
    result = load_entries(content_dir)
    return [p for p in result.problems if Path(p.path).stem == name]


def test_fixture_corpus_loads(content_dir):
    vocab, entries = load_content(content_dir)
    assert {e.id for e in entries} == {"demo-2024-1-1", "demo-2024-2-1", "annan-2022-3"}
    entry = next(e for e in entries if e.id == "demo-2024-2-1")
    assert entry.themes == ("regulatory-support", "clinical-testbeds")
    assert entry.addressees == ("region-testlan",)
    assert entry.page == 7 and entry.section == "2.1"
    assert entry.body.startswith("Regionen bör etablera")
    assert "demo-2024" in vocab.sources


def test_good_file_has_no_problems(content_dir):
    write(content_dir, GOOD)
    assert problems_for(content_dir) == []


@pytest.mark.parametrize("field", ["id", "title", "title_en", "kind", "source", "region",
                                   "section", "summary", "summary_en", "status"])
def test_missing_required_field(content_dir, field):
    text = "\n".join(line for line in GOOD.splitlines() if not line.startswith(f"{field}:")) + "\n"
    write(content_dir, text)
    found = problems_for(content_dir)
    assert any(p.field == field and "missing" in p.message for p in found), found
    assert all(p.path.endswith("demo-2024-9-9.md") for p in found)


def test_empty_required_field(content_dir):
    write(content_dir, GOOD.replace("title: En titel", 'title: ""'))
    found = problems_for(content_dir)
    assert [(p.field, p.line) for p in found] == [("title", 3)]
    assert "demo-2024-9-9.md:3: title:" in str(found[0])


@pytest.mark.parametrize("field,bad", [("kind", "opinion"), ("source", "nowhere-1999"),
                                       ("region", "atlantis")])
def test_unknown_slug(content_dir, field, bad):
    text = GOOD.replace(f"{field}: ", f"{field}: {bad} #", 1)
    write(content_dir, text)
    found = problems_for(content_dir)
    assert any(p.field == field and bad in p.message for p in found), found


def test_unknown_theme(content_dir):
    write(content_dir, GOOD.replace("[capital-gap]", "[capital-gap, astrology]"))
    found = problems_for(content_dir)
    assert [(p.field, p.line) for p in found] == [("themes", 10)]
    assert "astrology" in found[0].message


def test_no_themes(content_dir):
    write(content_dir, GOOD.replace("[capital-gap]", "[]"))
    assert [p.field for p in problems_for(content_dir)] == ["themes"]


def test_unknown_addressee(content_dir):
    write(content_dir, GOOD.replace("status: reviewed", "addressees: [santa]\nstatus: reviewed"))
    found = problems_for(content_dir)
    assert [p.field for p in found] == ["addressees"] and "santa" in found[0].message


def test_id_must_equal_file_name(content_dir):
    write(content_dir, GOOD, name="demo-2024-other")
    found = problems_for(content_dir, "demo-2024-other")
    assert [p.field for p in found] == ["id"]
    assert "demo-2024-other" in found[0].message and found[0].line == 2


def test_duplicate_ids_across_folders(content_dir):
    # The same id in two folders: both files are named, and the id is the field.
    (content_dir / "annan-2022" / "demo-2024-1-1.md").write_text(
        (content_dir / "demo-2024" / "demo-2024-1-1.md").read_text(encoding="utf-8")
        .replace("source: demo-2024", "source: annan-2022"), encoding="utf-8")
    result = load_entries(content_dir)
    dupes = [p for p in result.problems if "duplicate id" in p.message]
    assert {Path(p.path).parent.name for p in dupes} == {"demo-2024", "annan-2022"}
    assert all(p.field == "id" for p in dupes)


@pytest.mark.parametrize("page", ["0", "-3", "'12'", "4.5", "tolv", "true"])
def test_page_must_be_positive_integer(content_dir, page):
    write(content_dir, GOOD.replace("page: 3", f"page: {page}"))
    found = problems_for(content_dir)
    assert [(p.field, p.line) for p in found] == [("page", 9)], found


def test_empty_body(content_dir):
    write(content_dir, GOOD.split("---\nSjälva")[0] + "---\n\n   \n")
    found = problems_for(content_dir)
    assert [p.field for p in found] == ["body"]


def test_yaml_that_does_not_parse(content_dir):
    write(content_dir, GOOD.replace("themes: [capital-gap]", "themes: [capital-gap"))
    found = problems_for(content_dir)
    assert len(found) == 1 and found[0].field == "yaml"
    # The flow sequence opened on line 10 is reported where the parser gave up (line 11).
    assert found[0].line in (10, 11)
    assert "demo-2024-9-9.md:" in str(found[0])


def test_file_without_front_matter(content_dir):
    write(content_dir, "Bara text, ingen front matter.\n")
    found = problems_for(content_dir)
    assert [(p.field, p.line) for p in found] == [("front matter", 1)]


def test_unclosed_front_matter(content_dir):
    write(content_dir, "---\nid: demo-2024-9-9\ntitle: x\n")
    found = problems_for(content_dir)
    assert [p.field for p in found] == ["front matter"]


def test_unquoted_section_read_as_number(content_dir):
    write(content_dir, GOOD.replace('section: "9.9"', "section: 6.10"))
    found = problems_for(content_dir)
    assert [p.field for p in found] == ["section"] and "quoted" in found[0].message


def test_unknown_field_is_reported(content_dir):
    write(content_dir, GOOD.replace("page: 3", "page: 3\npgae: 4"))
    assert [p.field for p in problems_for(content_dir)] == ["pgae"]


def test_every_problem_is_listed_not_just_the_first(content_dir):
    bad = GOOD.replace("kind: finding", "kind: opinion").replace("page: 3", "page: -1")
    bad = bad.replace("region: testlan", "region: atlantis")
    write(content_dir, bad)
    assert {p.field for p in problems_for(content_dir)} == {"kind", "page", "region"}


def test_source_must_match_folder(content_dir):
    text = (content_dir / "annan-2022" / "annan-2022-3.md").read_text(encoding="utf-8")
    (content_dir / "demo-2024" / "annan-2022-3.md").write_text(text, encoding="utf-8")
    (content_dir / "annan-2022" / "annan-2022-3.md").unlink()
    found = problems_for(content_dir, "annan-2022-3")
    assert [p.field for p in found] == ["source"]


def test_parse_entry_is_pure():
    vocab = load_vocabulary(Path(__file__).parent / "content")
    entry, problems = parse_entry(GOOD, "x/demo-2024/demo-2024-9-9.md", vocab)
    assert problems == [] and entry.title == "En titel" and entry.themes == ("capital-gap",)


def test_real_content_passes_the_check():
    result = load_entries(REAL_CONTENT)
    assert result.problems == []
    assert len(result.entries) > 0
