"""Cleaning: each repair on its own, then the acceptance figures on the real seed texts."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.importing.cleaning import (
    Lexicon,
    clean_document,
    clean_text,
    dehyphenate,
    drop_page_furniture,
    load_lexicon,
    mark_footnotes,
    mark_page_breaks,
    normalise_characters,
    normalise_whitespace,
    page_numbers,
    prepare,
    reflow,
    rejoin_letter_spaced,
    report_words,
    spaced_runs,
    strip_markup,
    word_changes,
)

SOURCES = Path(__file__).resolve().parent.parent / "content" / "sources"


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def source(slug: str) -> str:
    return (SOURCES / f"{slug}.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sormland(lexicon: Lexicon) -> Lexicon:
    """The lexicon as the importer uses it on Sörmland: plus the report's own clean words."""
    text, _ = prepare(source("sormland-2003"))
    return lexicon.with_words(report_words(text, lexicon))


# --- the lexicon -----------------------------------------------------------------------------

def test_lexicon_knows_words_inflections_and_compounds(lexicon):
    assert lexicon.knows("utveckling") and lexicon.knows("Utvecklingen,")
    assert lexicon.knows("i") and lexicon.knows("å") and not lexicon.knows("t")
    assert not lexicon.knows("utve") and not lexicon.knows("ckling")
    assert lexicon.knows_compound("analysverktyg")
    assert not lexicon.knows_compound("fyranyckelord")  # "fyra" never starts a compound


def test_report_words_skip_fragments_of_spaced_words(lexicon):
    text = "Plant och IDEA Plant\nvårt utve ckling och utve ckling här\nIDEA Plant igen"
    words = report_words(text, lexicon)
    assert {"plant", "idea"} <= words
    assert "utve" not in words and "ckling" not in words


# --- characters, markup, footnotes -----------------------------------------------------------

def test_normalise_characters():
    assert normalise_characters("a\r\nb\u00a0c\u00add\uf0e0 e") == "a\nb cd• e"


def test_strip_markup_keeps_words_and_marks_footnotes():
    text = "<b>4.3</b>\tTITEL\n<sup>1</sup> Vinnova (2024) Statistik\nsektorn.<sup>2</sup> Och liknande.54 Nästa"
    assert strip_markup(text) == "4.3\tTITEL\n[^1]: Vinnova (2024) Statistik\nsektorn. Och liknande. Nästa"


def test_mark_footnotes_under_a_separator_line_until_the_page_break():
    text = "sista raden\n" + " " * 51 + "\n34 Vetenskapsrådet (2019) – Statistik\nför prövningar.\n\fNästa sida"
    assert mark_footnotes(text) == (
        "sista raden\n[^34]: Vetenskapsrådet (2019) – Statistik för prövningar.\n\fNästa sida")


# --- page furniture and page numbers ---------------------------------------------------------

def test_mark_page_breaks_from_indented_lines_headers_and_slugs():
    text = ("slut på sidan\n inledning av nästa\n\n"
            "EKOSYSTEMANALYS AV LIFE SCIENCE | 25\n\ntext\n"
            "47560-KlosterNy  03-11-03  11.35  Sida 12\nmer")
    assert mark_page_breaks(text) == (
        "slut på sidan\n\f\ninledning av nästa\n\n\f\nEKOSYSTEMANALYS AV LIFE SCIENCE | 25\n\ntext\n"
        "47560-KlosterNy  03-11-03  11.35  Sida 12\n\f\nmer")
    assert mark_page_breaks("a\n b\fc") == "a\n b\fc"  # a PDF's own form feeds are trusted


def test_drop_page_furniture_returns_the_page_numbers():
    text = "rubrik\ntext\n\fEKOSYSTEMANALYS AV LIFE SCIENCE | 25\nmer text\n\fsista\nTestrapport | 26"
    kept, anchors = drop_page_furniture(text)
    assert anchors == {1: 25, 2: 26}
    assert "EKOSYSTEMANALYS" not in kept and "Testrapport" not in kept and kept.count("\f") == 2


@pytest.mark.parametrize("line", ["47560-KlosterNy  03-11-03  11.35  Sida 1", "3", "Sida 4"])
def test_slugs_and_bare_folios_at_a_page_edge_are_furniture(line):
    kept, anchors = drop_page_furniture(f"text\n{line}\ftext")
    assert line not in kept and anchors


def test_a_number_inside_a_page_is_not_a_folio():
    kept, anchors = drop_page_furniture("text\n3\nmer text\fnästa")
    assert anchors == {} and "\n3\n" in kept


def test_page_numbers_only_when_anchors_agree():
    assert page_numbers({1: 25, 5: 29}, 7) == [24, 25, 26, 27, 28, 29, 30]
    assert page_numbers({0: 1, 5: 12}, 7) == [None] * 7  # spreads or lost breaks: no guess
    assert page_numbers({}, 2) == [None, None]


# --- letter-spaced words ---------------------------------------------------------------------

@pytest.mark.parametrize("spaced, joined", [
    ("K l u s t e r u t ve ckling har kommit", "Klusterutveckling har kommit"),
    ("att u t ve ckla kluster", "att utveckla kluster"),
    ("i denna bra n s ch och", "i denna bransch och"),
    ("men ock s å om relationer", "men också om relationer"),
    ("3 – F ö r o r d", "3 – Förord"),
    ("o ch har vuxit fram", "och har vuxit fram"),
    ("inte bara i Sverige, å ena sidan, och i dag", "inte bara i Sverige, å ena sidan, och i dag"),
])
def test_rejoin_letter_spaced(sormland, spaced, joined):
    assert rejoin_letter_spaced(spaced, sormland) == joined


def test_rejoin_leaves_clean_lines_alone_spacing_included(lexicon):
    line = "Det finns idag  många exempel på hur man arbetar. "
    assert rejoin_letter_spaced(line, lexicon) == line


WORDS = ["i", "å", "ö", "och", "en", "i dag", "kluster", "utveckling", "regionen", "av", "är",
         "Sverige", "kapitalgap", "FoU", "life", "science-sektorn", "testbäddar", "2020", "–"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=2, max_size=12))
def test_rejoin_never_glues_real_words(lexicon, words):
    line = " ".join(words)
    assert rejoin_letter_spaced(line, lexicon) == line


def test_spaced_runs_counts_runs_of_three_single_letters():
    assert spaced_runs("K l u s t e r och ve d e r och a b") == 2


# --- hyphenation -----------------------------------------------------------------------------

@pytest.mark.parametrize("broken, joined", [
    ("utan att den offent-\nliga sektorn", "utan att den offentliga sektorn"),
    ("en kompetens-\noch verksamhetsanalys", "en kompetens- och verksamhetsanalys"),
    ("flera FoU-\ninriktade bolag", "flera FoU-inriktade bolag"),
    ("hela life science-\nsektorn växer", "hela life science-sektorn växer"),
    ("att försöka admi-\nnistrera fram", "att försöka administrera fram"),
])
def test_dehyphenate(lexicon, broken, joined):
    assert dehyphenate(broken, lexicon) == joined


# --- paragraphs ------------------------------------------------------------------------------

def test_reflow_rebuilds_paragraphs_of_double_spaced_lines():
    lines = ["Forskningsrådet i Skåne enades om en gemensam innovationsstrategi för",
             "Skåne, vilken också regionen beslutade om. I strategin har ett antal",
             "områden pekats ut.",
             "2.3.3 Dålig kännedom om vilka nationella testmiljöer som finns",
             "bland aktörer och nyttjare",
             "Sverige har sedan 2017 en nationell biobanksinfrastruktur och den har",
             "utvecklats under flera år."]
    paragraphs = [p for _, p in reflow("\n\n".join(lines))]
    assert [normalise_whitespace(p) for p in paragraphs] == [
        " ".join(lines[:3]), " ".join(lines[3:5]), " ".join(lines[5:])]


def test_reflow_runs_a_paragraph_on_across_footnotes_and_page_breaks():
    text = ("En mening som fortsätter på\n[^3]: Ibid.\n\fnästa sida och slutar här.\n"
            "• en punkt i en lista")
    assert [(page, normalise_whitespace(p)) for page, p in reflow(text)] == [
        (0, "En mening som fortsätter på nästa sida och slutar här."),
        (0, "[^3]: Ibid."), (1, "- en punkt i en lista")]


# --- the acceptance figures on the real seed texts -------------------------------------------

def test_sormland_letter_spacing_is_gone(lexicon):
    raw = source("sormland-2003")
    before, after = spaced_runs(raw), spaced_runs(clean_text(raw, lexicon))
    assert before > 500
    assert after <= 0.02 * before


def test_sormland_printer_slugs_are_dropped(lexicon):
    clean = clean_text(source("sormland-2003"), lexicon)
    assert "KlosterNy" not in clean and "Sida 12" not in clean
    assert "Klusterutveckling har kommit att bli ett strategiskt allt viktigare inslag" in clean


def test_ostergotland_words_are_unchanged_except_hyphenation_joins(lexicon):
    raw = source("ostergotland-2026")
    joins, changes = word_changes(raw, clean_text(raw, lexicon))
    assert changes == []


def test_ostergotland_unchanged_with_a_lexicon_built_without_it():
    """The cleaner does not need to know a text's words to leave a clean text alone."""
    from scripts.build_wordlist import source_words

    words: set[str] = set()
    for slug in ("vastsverige-2026", "atmp-2023", "skane-2020"):
        words |= source_words(source(slug))
    raw = source("ostergotland-2026")
    _, changes = word_changes(raw, clean_text(raw, Lexicon.of(words)))
    assert len(changes) <= 2, changes  # "ad hoc" is unknown Latin to such a lexicon


def test_skane_headers_dropped_and_paragraphs_rebuilt(lexicon):
    document = clean_document(source("skane-2020"), lexicon)
    text = document.to_text()
    assert "EKOSYSTEMANALYS AV SPECIALISERINGSOMRÅDET" not in text
    assert document.anchors and set(document.anchors.values()) == {25, 29, 49, 63}
    # The Skåne extraction has a blank line after every physical line; paragraphs are whole again.
    assert ("Sverige har sedan 2017 en nationell biobanksinfrastruktur och den har bidragit till "
            "ett utvecklat samarbete mellan hälso- och sjukvård") in text
    lines = [line for line in source("skane-2020").splitlines() if line.strip()]
    assert len(document.blocks) < len(lines) / 4


def test_clean_document_gives_each_block_the_page_it_starts_on(lexicon):
    document = clean_document(source("skane-2020"), lexicon)
    pages = [b.page for b in document.blocks]
    assert None not in pages and pages == sorted(pages)
    heading = next(b for b in document.blocks if b.text.startswith("2.3.3 "))
    assert heading.page == 30
