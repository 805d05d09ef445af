"""Citations: the form staff paste into memos."""

from __future__ import annotations

import dataclasses

import pytest

from kb.content.entries import load_content
from kb.content.model import Source
from kb.content.vocabulary import load_vocabulary
from kb.reports.citation import entry_citation, format_citation, location
from tests.conftest import FIXTURE_CONTENT, REAL_CONTENT

OSTERGOTLAND = Source(
    slug="ostergotland-2026", author="WSP", year=2026, region="ostergotland", doc_type="analysis",
    title="Kartläggning av life science i Östergötland och förutsättningar för en klustersatsning",
    publisher="Region Östergötland")


def test_citation_has_author_year_title_publisher_section_and_page():
    assert format_citation(OSTERGOTLAND, "4.3.6", 20) == (
        "Källa: WSP (2026). Kartläggning av life science i Östergötland och förutsättningar för "
        "en klustersatsning. Region Östergötland, avsnitt 4.3.6, s. 20.")


def test_citation_without_page_has_no_page_part():
    text = format_citation(OSTERGOTLAND, "4.3.6", None)
    assert text.endswith("Region Östergötland, avsnitt 4.3.6.")
    assert "s. " not in text.split("avsnitt")[1]


def test_english_citation_keeps_the_original_title():
    text = format_citation(OSTERGOTLAND, "4.3.6", 20, lang="en")
    assert text == ("Source: WSP (2026). Kartläggning av life science i Östergötland och "
                    "förutsättningar för en klustersatsning. Region Östergötland, section 4.3.6, p. 20.")


@pytest.mark.parametrize("section, page, expected", [
    ("4.3.6", 20, "avsnitt 4.3.6, s. 20"),
    ("3", None, "avsnitt 3"),
    ("Skälen för regeringens beslut", 2, "avsnitt ”Skälen för regeringens beslut”, s. 2"),
    ("", 5, "s. 5"),
    ("", None, ""),
])
def test_location(section, page, expected):
    assert location(section, page) == expected


def test_title_ending_a_sentence_gets_no_extra_stop():
    source = dataclasses.replace(OSTERGOTLAND, title="Är det vägen som är mödan värd?")
    assert "Är det vägen som är mödan värd? Region" in format_citation(source, "1", None)


def test_missing_year_and_publisher():
    text = format_citation(Source(slug="x", title="Rapport", author="X", region="r",
                                  doc_type="analysis"), "2.1", 3)
    assert text == "Källa: X (u.å.). Rapport. Avsnitt 2.1, s. 3."


def test_entry_citation_cites_an_entry_against_its_source():
    vocab, entries = load_content(FIXTURE_CONTENT)
    entry = next(e for e in entries if e.source == "annan-2022")
    assert entry_citation(entry, vocab.sources) == "Källa: Grannlän (2022). Annan rapport. Region Grannlän, avsnitt 3."
    unknown = dataclasses.replace(entry, source="okand")
    assert entry_citation(unknown, vocab.sources).startswith("Källa: (")


def test_every_real_source_cites_with_author_year_and_publisher():
    vocab = load_vocabulary(REAL_CONTENT)
    for slug, source in vocab.sources.items():
        text = format_citation(source, "1.1", 3)
        assert text.startswith(f"Källa: {source.author} ({source.year}). "), slug
        assert f"{source.publisher}, avsnitt 1.1, s. 3." in text, slug
