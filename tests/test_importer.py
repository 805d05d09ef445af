"""Report import on the real seed texts, a PDF made here, re-runs over reviewed entries, and the CLI.

Every test writes into tmp_path (with a copy of the content/*.yaml vocabularies), never into the
real content/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import frontmatter
import pytest

from app import create_app
from kb.content.entries import ID_PATTERN, load_entries
from kb.importing.cleaning import mark_footnotes, mark_page_breaks, normalise_characters
from kb.importing.drafts import (
    ReportError,
    cited_by,
    existing_entries,
    import_report,
    is_residue,
    read_report,
    same_section,
)
from kb.importing.sections import parse_toc

REAL = Path(__file__).resolve().parent.parent / "content"
SOURCES = ("ostergotland-2026", "skane-2020", "vastsverige-2026", "atmp-2023", "sormland-2003")


def vocabulary_copy(target: Path) -> Path:
    """A content directory with the real vocabularies and no entries."""
    target.mkdir(parents=True, exist_ok=True)
    for path in REAL.glob("*.yaml"):
        shutil.copy(path, target / path.name)
    return target


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return vocabulary_copy(tmp_path / "content")


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    """All five seed texts imported once into a fresh content directory."""
    target = vocabulary_copy(tmp_path_factory.mktemp("imported") / "content")
    for slug in SOURCES:
        import_report(REAL / "sources" / f"{slug}.txt", slug, target)
    return target


def drafts(content: Path, slug: str) -> dict[str, frontmatter.Post]:
    return {p.stem: frontmatter.load(p) for p in sorted((content / slug).glob("*.md"))}


# --- the real reports ------------------------------------------------------------------------

def test_ostergotland_drafts_have_kinds_and_table_of_contents_pages(imported):
    found = drafts(imported, "ostergotland-2026")
    toc = parse_toc((REAL / "sources" / "ostergotland-2026.txt").read_text(encoding="utf-8"))
    expected = ([(f"6.{n}", "recommendation") for n in range(1, 14)]
                + [(f"4.3.{n}", "challenge") for n in range(1, 9)]
                + [(f"4.2.{n}", "finding") for n in range(1, 7)])
    for number, kind in expected:
        post = found[f"ostergotland-2026-{number.replace('.', '-')}"]
        assert (post["section"], post["kind"], post["page"]) == (number, kind, toc[number])
    assert found["ostergotland-2026-4-3-6"]["page"] == 20 and found["ostergotland-2026-6-1"]["page"] == 28
    assert found["ostergotland-2026-6-11"]["title"].startswith("Bygg en stark kapacitets- och finansieringsfunktion")


SKANE_PAGES = {  # where each section really starts (checked against the page breaks of the text)
    "2.2.1": 14, "2.2.2": 18, "2.2.3": 19, "2.2.4": 20, "2.2.5": 21, "2.3.1": 23, "2.3.2": 27,
    "2.3.3": 30, "2.3.4": 31, "2.3.5": 32, "2.3.6": 32, "2.3.7": 33, "2.4.1": 35, "2.4.2": 37,
    "2.4.3": 39, "2.4.4": 41, "2.5.1": 42, "2.5.2": 43, "2.5.3": 44, "3.2.1": 46, "3.2.2": 47,
    "3.2.3": 48, "3.2.4": 49, "3.2.5": 49, "3.3.1": 53, "3.3.2": 54, "3.4.1": 56, "3.4.2": 57,
    "3.4.3": 57, "3.4.4": 58, "4.1": 59, "4.2": 60, "4.3": 61, "4.4": 61, "4.5": 61, "4.6": 62,
    "4.7": 63, "4.8": 64, "4.9": 65,
}


def test_skane_drafts_for_every_subsection_with_pages_from_running_headers(imported):
    found = drafts(imported, "skane-2020")
    for number, page in SKANE_PAGES.items():
        post = found[f"skane-2020-{number.replace('.', '-')}"]
        assert (post["section"], post["page"]) == (number, page)
    for n in range(1, 10):
        assert found[f"skane-2020-4-{n}"]["kind"] == "recommendation"


def test_skane_running_header_starts_its_page():
    """`EKOSYSTEMANALYS … | 49` comes after the previous page's footnotes and before that page's
    text: the page it starts holds 3.2.4, which is therefore on 49 (were the line a footer,
    3.2.4 would be on 50; the curators' reviewed entry, paged by hand, also says 49)."""
    text = mark_footnotes(mark_page_breaks(normalise_characters(
        (REAL / "sources" / "skane-2020.txt").read_text(encoding="utf-8"))))
    before, page = next((a, b) for a, b in zip(text.split("\f"), text.split("\f")[1:]) if "| 49" in b)
    assert page.strip().startswith("EKOSYSTEMANALYS") and "3.2.4 Sampublicering" in page
    assert before.rstrip().splitlines()[-1].startswith("[^70]:")
    assert SKANE_PAGES["3.2.4"] == 49


@pytest.mark.parametrize("number, title", [
    ("2.3.3", "Dålig kännedom om vilka nationella testmiljöer som finns bland aktörer och nyttjare"),
    ("2.2.2", "Statlig finansiering till läkarutbildning och forskning – ALF-medel"),
    ("3.4.3", "Förtroendet för hälso- och sjukvården är fortsatt stort i Skåne"),
    ("2.4.3", "Viktig med tjänsteleverantörer för att mindre life science-företag ska växa"),
    ("4.1", "Ta fram tydliga regionala mål i den handlingsplan som tas fram i FIRS inom ramen för "
            "life science och hälsa – i samspel med den nationella strategin"),
])
def test_skane_titles_keep_headings_wrapped_over_lines(imported, number, title):
    assert drafts(imported, "skane-2020")[f"skane-2020-{number.replace('.', '-')}"]["title"] == title


def test_skane_bodies_are_clean_passages(imported):
    body = drafts(imported, "skane-2020")["skane-2020-2-3-7"].content
    assert "EKOSYSTEMANALYS" not in body and "[^" not in body and "\n\n" in body
    assert not body.startswith("2.3.7")  # the heading is not part of the passage


def test_vastsverige_priority_areas_give_a_target_picture_and_a_need(imported):
    found = drafts(imported, "vastsverige-2026")
    for n in range(1, 8):
        target, need = found[f"vastsverige-2026-prio-{n}-malbild"], found[f"vastsverige-2026-prio-{n}-behov"]
        assert (target["kind"], need["kind"]) == ("recommendation", "challenge")
        assert target["section"] == need["section"] == str(n)
        assert "page" not in target.metadata  # the agenda prints no page numbers
    assert "vastsverige-2026-utmaningar-som-drivkraft" in found


def test_sormland_lessons(imported):
    found = drafts(imported, "sormland-2003")
    assert sorted(found) == sorted(f"sormland-2003-lardom-{n}" for n in range(1, 12))
    lesson = found["sormland-2003-lardom-4"]
    assert lesson["section"] == "Effektivt klustermotorskap kräver tillgång till ett kvalificerat ledningsnätverk."
    assert lesson["kind"] == "recommendation"
    assert lesson.content.startswith("Erfarenheterna visar att en klustermotor")


def test_drafts_pass_validation(imported):
    result = load_entries(imported)
    assert result.problems == []
    assert len(result.entries) > 100
    assert all(e.status == "draft" and ID_PATTERN.match(e.id) and e.themes for e in result.entries)


def test_drafts_mark_placeholders_for_the_reviewer(imported):
    post = drafts(imported, "ostergotland-2026")["ostergotland-2026-4-3-6"]
    assert post["title_en"].startswith("TODO") and post["summary_en"].startswith("TODO")
    assert post["summary"].startswith("TODO") and "kapitalgap" in post["summary"]
    assert post["themes"][0] == "capital-gap"
    assert post["status"] == "draft" and post["addressees"] == []


# --- a PDF made by the test suite ------------------------------------------------------------

PDF_PAGES = [
    ["Testrapport om life science i Testlän",
     "1 INLEDNING",
     "Rapporten beskriver läget i regionen och hur den offentliga",
     "sektorn arbetar med frågorna.",
     "2 ANALYS",
     "2.1 Kapitalgap i tidiga skeden för bioteknik och",
     "medicinteknik i regionen",
     "Regionen saknar riskkapital för de tidiga bolagen. Den offent-",
     "liga finansieringen räcker inte till och investerarna är få i",
     "regionen. Bolagen söker därför kapital i Stockholm och"],
    ["utomlands när de behöver växa, och flera av dem flyttar.",
     "Affärsänglarna i länet investerar främst i mjukvarubolag.",
     "2.2 Rekommendation om kliniska testbäddar",
     "Regionen bör skapa en tydlig ingång till vården för de bolag",
     "som vill testa sina produkter i kliniska miljöer och",
     "genomföra kliniska prövningar på universitetssjukhuset.",
     "En samlad funktion bör hjälpa bolagen med etikprövning och",
     "med kraven i MDR innan prövningarna börjar."],
]


def write_test_report(folder: Path) -> tuple[Path, Path]:
    """Write the same report as a PDF (several pages, a footer on each) and as its text."""
    from fpdf import FPDF

    class Report(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", size=9)
            self.cell(0, 6, f"Testrapport | {self.page_no()}", align="R")

    pdf = Report()
    for lines in PDF_PAGES:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        for line in lines:
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf_path, txt_path = folder / "testrapport.pdf", folder / "testrapport.txt"
    pdf.output(str(pdf_path))
    pages = ["\n".join(lines + [f"Testrapport | {n}"]) for n, lines in enumerate(PDF_PAGES, start=1)]
    txt_path.write_text("\f".join(pages) + "\n", encoding="utf-8")
    return pdf_path, txt_path


def test_pdf_imports_into_the_same_drafts_as_its_text(tmp_path):
    pdf_path, txt_path = write_test_report(tmp_path)
    results = []
    for path in (pdf_path, txt_path):
        content = vocabulary_copy(tmp_path / path.suffix[1:] / "content")
        import_report(path, "ostergotland-2026", content)
        results.append({p.name: p.read_text(encoding="utf-8") for p in (content / "ostergotland-2026").glob("*.md")})
    from_pdf, from_text = results
    assert from_pdf == from_text
    assert sorted(from_pdf) == ["ostergotland-2026-2-1.md", "ostergotland-2026-2-2.md"]
    capital = frontmatter.loads(from_pdf["ostergotland-2026-2-1.md"])
    assert capital["title"] == "Kapitalgap i tidiga skeden för bioteknik och medicinteknik i regionen"
    assert capital["page"] == 1 and capital["kind"] == "challenge"
    assert "Den offentliga finansieringen" in capital.content  # hyphenation across lines rejoined
    assert "Testrapport |" not in capital.content  # footers dropped
    assert "kapital i Stockholm och utomlands när de behöver växa" in capital.content  # across pages
    advice = frontmatter.loads(from_pdf["ostergotland-2026-2-2.md"])
    assert (advice["page"], advice["kind"]) == (2, "recommendation")
    assert advice["themes"][0] == "clinical-testbeds"


def test_read_report_rejects_other_formats(tmp_path):
    path = tmp_path / "rapport.docx"
    path.write_bytes(b"PK")
    with pytest.raises(ReportError, match="cannot import .docx"):
        read_report(path)


# --- re-running over reviewed entries --------------------------------------------------------

def review(path: Path, body: str = "Granskad text.") -> None:
    """Mark a draft reviewed the way a curator would: new status, edited passage."""
    text = path.read_text(encoding="utf-8").replace("status: draft", "status: reviewed")
    path.write_text(text.split("---\n\n", 1)[0] + "---\n\n" + body + "\n", encoding="utf-8")


def test_rerun_never_touches_reviewed_entries(content):
    source = REAL / "sources" / "ostergotland-2026.txt"
    first = import_report(source, "ostergotland-2026", content)
    folder = content / "ostergotland-2026"
    review(folder / "ostergotland-2026-4-3-6.md")
    # A curator split 6.5 into two entries with suffixed ids and removed the draft.
    split = (folder / "ostergotland-2026-6-5.md").read_text(encoding="utf-8")
    (folder / "ostergotland-2026-6-5.md").unlink()
    for suffix in ("geografi", "norrkoping"):
        path = folder / f"ostergotland-2026-6-5-{suffix}.md"
        path.write_text(split.replace("id: ostergotland-2026-6-5", f"id: ostergotland-2026-6-5-{suffix}"),
                        encoding="utf-8")
        review(path, f"Del av 6.5: {suffix}.")
    # A reviewed entry under another id citing section 6.8 also keeps 6.8 from being drafted.
    review(folder / "ostergotland-2026-6-8.md")
    (folder / "ostergotland-2026-6-8.md").rename(folder / "ostergotland-2026-6-8-vagval.md")
    text = (folder / "ostergotland-2026-6-8-vagval.md").read_text(encoding="utf-8")
    (folder / "ostergotland-2026-6-8-vagval.md").write_text(
        text.replace("id: ostergotland-2026-6-8", "id: ostergotland-2026-6-8-vagval"), encoding="utf-8")
    reviewed = {p.name: p.read_bytes() for p in folder.glob("*.md") if b"status: reviewed" in p.read_bytes()}

    second = import_report(source, "ostergotland-2026", content)

    assert {p.name: p.read_bytes() for p in folder.glob("*.md") if p.name in reviewed} == reviewed
    assert not (folder / "ostergotland-2026-6-5.md").exists()
    assert not (folder / "ostergotland-2026-6-8.md").exists()
    left = dict(second.left_alone)
    assert set(left) == {"ostergotland-2026-4-3-6", "ostergotland-2026-6-5", "ostergotland-2026-6-8"}
    assert "cites section 6.5" in left["ostergotland-2026-6-5"]
    assert second.created == [] and second.updated == []
    assert len(second.unchanged) == len(first.created) - 3
    assert load_entries(content).problems == []


def test_rerun_updates_a_draft_whose_proposal_changed(content):
    source = REAL / "sources" / "vastsverige-2026.txt"
    import_report(source, "vastsverige-2026", content)
    path = content / "vastsverige-2026" / "vastsverige-2026-prio-1-behov.md"
    path.write_text(path.read_text(encoding="utf-8").replace("kind: challenge", "kind: finding"),
                    encoding="utf-8")
    report = import_report(source, "vastsverige-2026", content)
    assert report.updated == ["vastsverige-2026-prio-1-behov"]
    assert "kind: challenge" in path.read_text(encoding="utf-8")


def test_dry_run_writes_nothing(content):
    report = import_report(REAL / "sources" / "atmp-2023.txt", "atmp-2023", content, dry_run=True)
    assert report.created and not (content / "atmp-2023").exists()
    assert "would be created" in report.summary()


def test_unreadable_entry_is_left_alone(content):
    source = REAL / "sources" / "atmp-2023.txt"
    import_report(source, "atmp-2023", content)
    path = content / "atmp-2023" / "atmp-2023-regeringens-beslut.md"
    path.write_text("---\nid: [unclosed\n---\nText\n", encoding="utf-8")
    report = import_report(source, "atmp-2023", content)
    assert ("atmp-2023-regeringens-beslut", "atmp-2023-regeringens-beslut.md has status 'unreadable'") \
        in report.left_alone
    assert path.read_text(encoding="utf-8").startswith("---\nid: [unclosed")


def test_progress_is_reported_per_stage(content):
    lines: list[str] = []
    import_report(REAL / "sources" / "atmp-2023.txt", "atmp-2023", content, progress=lines.append)
    assert [line.split("]")[0] for line in lines if line.startswith("[")] == ["[1/4", "[2/4", "[3/4", "[4/4"]


# --- small parts -----------------------------------------------------------------------------

def test_same_section_ignores_spacing_case_and_dashes():
    assert same_section("Ett klusterinriktat regionalt utvecklings arbete – kräver.",
                        "Ett klusterinriktat regionalt utvecklingsarbete - kräver")
    assert not same_section("6.1", "6.10") and not same_section("", "")


def test_cited_by_matches_section_or_suffixed_id():
    class E:
        def __init__(self, id_: str, section: str):
            self.id, self.section = id_, section

    reviewed = [E("skane-2020-3-3-1-halsodata", "3.3.1"), E("x-3-1-sysselsattning", "3.1")]
    assert cited_by("skane-2020-3-3-1", "3.3.1", reviewed).id == "skane-2020-3-3-1-halsodata"
    assert cited_by("x-3-1", "9.9", reviewed).id == "x-3-1-sysselsattning"
    assert cited_by("x-3", "3", reviewed) is None  # x-3-1-… is section 3.1, not a variant of 3


@pytest.mark.parametrize("paragraph, residue", [
    ("[^3]: Ibid.", True), ("**Figur 1** Antal företag", True), ("© B. Höglund/Johnér Bildbyrå", True),
    ("Lunds universitet 156,9", True), ("Medicin och hälsa 388 586 386 610 382 659", True),
    ("Cambio Healthcare Systems AB\t250+", True),
    ("Regionen saknar riskkapital.", False), ("- avancerad AI-utveckling", False),
])
def test_is_residue(paragraph, residue):
    assert is_residue(paragraph) is residue


def test_a_written_entry_reads_back_as_the_same_entry(tmp_path):
    """Drafts are written from the content model's fields and parse back unchanged."""
    from kb.content.entries import parse_entry, render_entry
    from kb.content.model import Entry
    from kb.content.vocabulary import load_vocabulary
    from tests.conftest import FIXTURE_CONTENT

    draft = Entry(id="demo-2024-6-10", title='Bygg "klustret": nu', title_en="Build: yes",
                  kind="recommendation", source="demo-2024", region="testlan", section="6.10",
                  page=30, themes=("capital-gap",), subissues={"capital-gap": ("early-stage-capital",)},
                  summary="TODO: x", summary_en="no", status="draft", body="Text.")
    text = render_entry(draft)
    post = frontmatter.loads(text)
    assert post["section"] == "6.10" and post["title"] == 'Bygg "klustret": nu' and post["page"] == 30
    assert post["summary_en"] == "no" and post["kind"] == "recommendation"  # "no" stays text
    parsed, problems = parse_entry(text, "demo-2024/demo-2024-6-10.md", load_vocabulary(FIXTURE_CONTENT))
    assert problems == [] and parsed == draft


def test_existing_entries_reads_status_leniently(content):
    folder = content / "demo"
    folder.mkdir()
    (folder / "a.md").write_text("---\nid: a\nsection: \"1\"\nstatus: reviewed\n---\nx\n", encoding="utf-8")
    (folder / "b.md").write_text("no front matter\n", encoding="utf-8")
    assert [(e.id, e.status, e.section) for e in existing_entries(content, "demo")] == [
        ("a", "reviewed", "1"), ("b", "unreadable", "")]


# --- the command -----------------------------------------------------------------------------

@pytest.fixture
def runner(content, tmp_path):
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content), "INDEX_DIR": str(tmp_path / "index")})
    return app.test_cli_runner()


def test_import_command(runner, content):
    source = str(REAL / "sources" / "vastsverige-2026.txt")
    result = runner.invoke(args=["import", source, "--source", "vastsverige-2026", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would be created: vastsverige-2026-prio-3-malbild" in result.output
    assert "[1/4] reading" in result.output and not (content / "vastsverige-2026").exists()
    result = runner.invoke(args=["import", source, "--source", "vastsverige-2026"])
    assert result.exit_code == 0 and "created: vastsverige-2026-prio-3-malbild" in result.output
    result = runner.invoke(args=["import", source, "--source", "vastsverige-2026"])
    assert result.output.strip().endswith("0 created, 0 updated, 19 unchanged, 0 left alone")


def test_import_command_rejects_unknown_source(runner):
    result = runner.invoke(args=["import", str(REAL / "sources" / "atmp-2023.txt"), "--source", "nope-1999"])
    assert result.exit_code == 1 and "unknown source 'nope-1999'" in result.output
