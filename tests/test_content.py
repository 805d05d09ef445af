"""The content model: loading entries and reporting every kind of broken file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.content.checks import check_content
from kb.content.entries import load_content, load_entries, parse_entry
from kb.content.model import ContentError
from kb.content.vocabulary import load_vocabulary
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


def test_real_content_passes_the_whole_check():
    result = check_content(REAL_CONTENT)
    assert result.problems == []
    assert len(result.entries) > 200


# --- Sub-issues ------------------------------------------------------------------------------

def with_subissues(mapping: str) -> str:
    return GOOD.replace("themes: [capital-gap]\n", f"themes: [capital-gap]\nsubissues:\n{mapping}")


def test_sub_issues_of_the_entrys_themes_load(content_dir):
    write(content_dir, with_subissues("  capital-gap: [early-stage-capital, private-investors]\n"))
    assert problems_for(content_dir) == []
    entry = next(e for e in load_entries(content_dir).entries if e.id == "demo-2024-9-9")
    assert entry.subissues_of("capital-gap") == ("early-stage-capital", "private-investors")


def test_unknown_sub_issue_is_reported_on_its_themes_line(content_dir):
    write(content_dir, with_subissues("  capital-gap: [early-stage-capital, no-such-thing]\n"))
    [problem] = problems_for(content_dir)
    assert problem.field == "subissues" and "unknown sub-issue 'no-such-thing'" in problem.message
    assert problem.line == 12  # the "capital-gap:" line under subissues


def test_sub_issue_of_a_theme_the_entry_does_not_carry(content_dir):
    write(content_dir, with_subissues("  regulatory-support: [mdr-ivdr]\n"))
    [problem] = problems_for(content_dir)
    assert problem.field == "subissues" and "'regulatory-support'" in problem.message
    assert "do not include" in problem.message and problem.line == 12


def test_sub_issues_must_be_a_mapping(content_dir):
    write(content_dir, GOOD.replace("themes: [capital-gap]\n",
                                    "themes: [capital-gap]\nsubissues: [early-stage-capital]\n"))
    [problem] = problems_for(content_dir)
    assert problem.field == "subissues" and "must map theme slugs" in problem.message


def test_a_theme_without_sub_issues_fails_the_check(content_dir):
    themes = content_dir / "themes.yaml"
    text = themes.read_text(encoding="utf-8")
    start = text.index("  subissues:", text.index("slug: clinical-testbeds"))
    end = text.index("- slug: regulatory-support")
    themes.write_text(text[:start] + text[end:], encoding="utf-8")
    problems = [p for p in check_content(content_dir).problems if p.field == "subissues"]
    theme = next(p for p in problems if p.path.endswith("themes.yaml"))
    assert theme.message == "theme 'clinical-testbeds' has no sub-issues"
    assert theme.line == text[: text.index("- slug: clinical-testbeds")].count("\n") + 1
    # The entry that used one of its sub-issues is reported too, on its own line.
    [entry] = [p for p in problems if p is not theme]
    assert "annan-2022-3" in entry.path and "unknown sub-issue 'testbeds'" in entry.message


def test_a_sub_issue_without_its_labels_is_reported_with_its_line(content_dir):
    themes = content_dir / "themes.yaml"
    text = themes.read_text(encoding="utf-8")
    themes.write_text(text.replace("      label_en: Early-stage capital\n", ""), encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_vocabulary(content_dir)
    [problem] = raised.value.problems
    assert problem.field == "subissues.0.label_en" and "capital-gap" in problem.message
    assert problem.line == 10  # the sub-issue's first line


def test_duplicate_sub_issue_slugs_are_reported(content_dir):
    themes = content_dir / "themes.yaml"
    text = themes.read_text(encoding="utf-8")
    themes.write_text(text.replace("slug: private-investors", "slug: early-stage-capital"),
                      encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_vocabulary(content_dir)
    assert any("duplicate sub-issue 'early-stage-capital'" in p.message for p in raised.value.problems)


def test_a_typo_in_a_vocabulary_key_is_reported(content_dir):
    themes = content_dir / "themes.yaml"
    text = themes.read_text(encoding="utf-8")
    themes.write_text(text.replace("  scope_en: Access to risk capital.", "  scope_eng: Access."),
                      encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_vocabulary(content_dir)
    fields = {p.field for p in raised.value.problems}
    assert {"scope_en", "scope_eng"} <= fields


def test_every_core_theme_pair_of_the_real_content_has_a_sub_issue():
    vocab, entries = load_content(REAL_CONTENT)
    core = {t.slug for t in vocab.core_themes()}
    missing = [(e.id, t) for e in entries for t in e.themes if t in core and not e.subissues_of(t)]
    assert missing == []
    pairs = [(e.id, t) for e in entries for t in e.themes]
    other = [(e.id, t) for e in entries for t in e.themes if not e.subissues_of(t)]
    assert len(other) <= 0.05 * len(pairs), other


# --- Report texts and quotations ---------------------------------------------------------------

REPORT = """---
source: demo-2024
status: reviewed
---
# Demorapport

<!-- page: 4 -->
## 1 Kapital

### 1.1 Tidiga skeden

Det saknas riskkapital för företagen i tidiga skeden. Kapitalförsörjningen är svag och
affärsänglarna är få.[^1]

[^1]: Enligt intervjuerna.

<!-- page: 7 -->
## 2 Vården

### 2.1 Testbäddar

Regionen bör etablera ett samlat stöd för MDR, IVDR och kliniska prövningar så att
företagen får hjälp i tid.

## Innehåll

- 1 Kapital
"""


def test_a_report_text_parses_into_sections_pages_and_footnotes(content_dir):
    from kb.content.texts import parse_report_text

    text, problems = parse_report_text(REPORT, "sources/demo-2024.md", "demo-2024")
    assert problems == [] and text is not None
    by_section = {s.section: s for s in text.sections}
    assert by_section["1.1"].page == 4 and by_section["2.1"].page == 7
    assert by_section["1.1"].path == ("Demorapport", "1 Kapital")
    kinds = [b.kind for b in by_section["1.1"].blocks]
    assert kinds == ["paragraph", "footnote"] and by_section["1.1"].blocks[1].label == "1"
    assert by_section["Innehåll"].blocks[0].kind == "item"


def test_a_footnote_without_text_and_a_text_without_mark_are_reported(content_dir):
    from kb.content.texts import parse_report_text

    broken = REPORT.replace("[^1]: Enligt intervjuerna.", "[^2]: Enligt intervjuerna.")
    _, problems = parse_report_text(broken, "sources/demo-2024.md", "demo-2024")
    messages = sorted(p.message for p in problems)
    assert messages == ["footnote [^1] has no text ([^1]: …)", "footnote [^2] is never referred to"]
    assert all(p.line for p in problems)


def test_an_entry_quoting_words_not_in_its_report_fails_the_check(content_dir):
    (content_dir / "sources").mkdir(exist_ok=True)
    (content_dir / "sources" / "demo-2024.md").write_text(REPORT, encoding="utf-8")
    assert [p for p in check_content(content_dir).problems if "demo-2024" in p.path] == []
    write(content_dir, GOOD.replace("Själva citatet ur rapporten.", "Ord som rapporten inte har."))
    [problem] = [p for p in check_content(content_dir).problems if "demo-2024-9-9" in p.path]
    assert problem.field == "body" and "not found in the report text" in problem.message
    assert problem.line == 15


def test_one_passage_one_entry(content_dir):
    (content_dir / "sources").mkdir(exist_ok=True)
    (content_dir / "sources" / "demo-2024.md").write_text(REPORT, encoding="utf-8")
    copied = (content_dir / "demo-2024" / "demo-2024-1-1.md").read_text(encoding="utf-8")
    body = copied.split("---", 2)[2]
    write(content_dir, GOOD.replace("Själva citatet ur rapporten.\n", body.strip() + "\n"))
    problems = [p for p in check_content(content_dir).problems if "also quoted by" in p.message]
    assert {Path(p.path).stem for p in problems} == {"demo-2024-1-1", "demo-2024-9-9"}


def test_a_sentence_the_report_prints_twice_may_be_quoted_twice(content_dir):
    (content_dir / "sources").mkdir(exist_ok=True)
    sentence = ("Det saknas riskkapital för företagen i tidiga skeden. Kapitalförsörjningen är "
                "svag och\naffärsänglarna är få.[^1]")
    twice = REPORT.replace("## Innehåll", sentence.replace("[^1]", "") + "\n\n## Innehåll")
    (content_dir / "sources" / "demo-2024.md").write_text(twice, encoding="utf-8")
    copied = (content_dir / "demo-2024" / "demo-2024-1-1.md").read_text(encoding="utf-8")
    write(content_dir, GOOD.replace("Själva citatet ur rapporten.\n",
                                    copied.split("---", 2)[2].strip() + "\n"))
    assert not [p for p in check_content(content_dir).problems if "also quoted by" in p.message]


def test_unquoted_lists_need_a_known_reason_and_must_match_a_block(content_dir):
    (content_dir / "sources").mkdir(exist_ok=True)
    (content_dir / "sources" / "demo-2024.md").write_text(REPORT, encoding="utf-8")
    (content_dir / "sources" / "demo-2024.unquoted.yaml").write_text(
        '- section: "Innehåll"\n  reason: table-of-contents\n'
        '- starts: "Finns inte"\n  reason: method\n'
        '- text: "1 Kapital"\n  reason: boring\n', encoding="utf-8")
    problems = [p for p in check_content(content_dir).problems if p.path.endswith(".unquoted.yaml")]
    assert sorted((p.line, p.message.split(" (")[0]) for p in problems) == [
        (3, "matches no block of the report text: starts 'Finns inte'"),
        (5, "unknown reason 'boring'")]



THESAURUS = """two_way:
  - [kapitalgap, kapitalbrist]
one_way:
  - {from: [talang], to: [kompetens]}
english:
  - {en: [venture capital], sv: [riskkapital]}
"""


def test_the_thesaurus_loads_its_three_kinds_of_relation(content_dir):
    (content_dir / "thesaurus.yaml").write_text(THESAURUS, encoding="utf-8")
    two_way, one_way, english = load_vocabulary(content_dir).thesaurus
    assert two_way.targets_of("kapitalgap") == ("kapitalbrist",)
    assert two_way.targets_of("kapitalbrist") == ("kapitalgap",)
    assert (one_way.lang, one_way.terms, one_way.targets_of("talang")) == ("sv", ("talang",), ("kompetens",))
    assert not one_way.two_way and "talang" not in one_way.targets
    assert (english.lang, english.targets) == ("en", ("riskkapital",))


@pytest.mark.parametrize("item,line,message", [
    ("two_way:\n  - [ensam]\n", 2, "at least two"),
    ("one_way:\n  - {from: [talang]}\n", 2, "expected {from: [...], to: [...]}"),
    ("one_way:\n  - {from: [a, b, c, d, e f g h i], to: [x]}\n", 2, "at most 4 words"),
    ("english:\n  - {en: [funding], sv: ['']}\n", 2, "non-empty"),
    ("synonyms:\n  - [a, b]\n", 1, "unknown section"),
    ("two_way:\n  - [a, b]\none_way:\n  - {from: [a], to: [b]}\n", 4, "already given on line 2"),
    ("one_way:\n  - {from: [a], to: [a]}\n", 2, "repeated"),
])
def test_a_malformed_thesaurus_is_reported_with_line_and_section(content_dir, item, line, message):
    (content_dir / "thesaurus.yaml").write_text(item, encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_vocabulary(content_dir)
    [problem] = raised.value.problems
    assert problem.path.endswith("thesaurus.yaml") and problem.line == line, problem
    assert message in problem.message, problem


def test_every_thesaurus_target_is_a_word_the_real_reports_use():
    """Targets are the reports' words: a target no report text or entry uses finds nothing."""
    from search.analysis import stem, words

    vocab, entries = load_content(REAL_CONTENT)
    texts = [e.body for e in entries] + [p.read_text(encoding="utf-8")
                                         for p in (REAL_CONTENT / "sources").glob("*.md")]
    corpus = " ".join(" ".join(stem(w) for w in words(t)) for t in texts)
    unused = [target for relation in vocab.thesaurus for target in relation.targets
              if f" {' '.join(stem(w) for w in words(target))} " not in f" {corpus} "]
    assert unused == []
