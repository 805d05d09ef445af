"""The comparison and the overviews, as plain data over the fixture corpus."""

from __future__ import annotations

import pytest

import kb.reports.compare as compare_module
from kb.content.entries import load_content
from kb.reports.compare import (
    MIN_RELATIVE_SCORE,
    CompareError,
    CompareRequest,
    claim_sentence,
    compare,
    offered_theme,
    summarise,
)
from kb.reports.overview import heat_level, region_detail, source_detail, theme_overview, theme_region_matrix
from tests.conftest import FIXTURE_CONTENT


@pytest.fixture
def snapshot(app):
    return app.extensions["kb"].snapshot()


def grid(comparison) -> dict[str, dict[str, list[str]]]:
    """Row key → region → the ids in that cell."""
    return {row.key: {cell.region: [i.entry.id for i in cell.items] for cell in row.cells}
            for row in comparison.rows}


def statuses(comparison) -> dict[str, dict[str, str]]:
    return {row.key: {cell.region: cell.status for cell in row.cells} for row in comparison.rows}


def test_a_theme_comparison_has_a_row_per_sub_issue_and_a_column_per_region(snapshot):
    result = compare(snapshot, CompareRequest(theme="capital-gap"))
    assert result.mode == "theme" and [c.region.slug for c in result.regions] == ["testlan", "grannlan"]
    assert [r.key for r in result.rows] == ["capital-gap--early-stage-capital",
                                            "capital-gap--private-investors"]
    assert grid(result) == {
        "capital-gap--early-stage-capital": {"testlan": ["demo-2024-1-1"], "grannlan": ["annan-2022-3"]},
        "capital-gap--private-investors": {"testlan": ["demo-2024-1-1"], "grannlan": []}}
    early = result.rows[0]
    assert [c.counts for c in early.cells] == [
        {"recommendation": 0, "challenge": 1, "finding": 0},
        {"recommendation": 1, "challenge": 0, "finding": 0}]
    assert result.total == 2


def test_entries_whose_theme_has_no_fitting_sub_issue_get_an_other_row(snapshot):
    result = compare(snapshot, CompareRequest(theme="clinical-testbeds"))
    assert [r.key for r in result.rows] == ["clinical-testbeds--testbeds", "clinical-testbeds--other"]
    assert result.rows[1].subissue is None
    assert grid(result)["clinical-testbeds--other"] == {"testlan": ["demo-2024-2-1"], "grannlan": []}


def test_no_statement_is_distinct_from_no_report(snapshot):
    result = compare(snapshot, CompareRequest(theme="regulatory-support",
                                              regions=["testlan", "grannlan", "tomlan"]))
    assert [(c.region.slug, c.status) for c in result.regions] == [
        ("testlan", "found"), ("grannlan", "nothing-found"), ("tomlan", "no-report")]
    assert statuses(result)["regulatory-support--mdr-ivdr"] == {
        "testlan": "found", "grannlan": "nothing-found", "tomlan": "no-report"}


def test_the_summary_is_generated_from_the_grid(snapshot):
    result = compare(snapshot, CompareRequest(theme="capital-gap"))
    claims = [(c.kind, c.row, c.regions, c.others) for c in result.summary]
    assert claims == [
        ("everyone", "capital-gap--early-stage-capital", ["testlan", "grannlan"], []),
        ("recommends-where-others-describe", "capital-gap--early-stage-capital", ["grannlan"],
         ["testlan"]),
        ("only-one", "capital-gap--private-investors", ["testlan"], []),
        ("nobody-recommends", "capital-gap--private-investors", ["testlan"], [])]
    sentences = [claim_sentence(c, result) for c in result.summary]
    assert sentences[0] == "Alla regioner med rapport tar upp ”Kapital i tidiga skeden”."
    assert sentences[1] == ("Rekommendationer om ”Kapital i tidiga skeden” kommer från Grannlän, "
                            "medan Testlän bara beskriver utmaningar.")
    english = claim_sentence(result.summary[1], result, "en")
    assert english == ("Recommendations on “Early-stage capital” come from Grannlan County, "
                       "while Testlan County only describes challenges.")


def test_the_summary_never_claims_for_the_other_row_or_a_lone_region(snapshot):
    clinical = compare(snapshot, CompareRequest(theme="clinical-testbeds"))
    assert all(claim.row != "clinical-testbeds--other" for claim in clinical.summary)
    alone = compare(snapshot, CompareRequest(theme="capital-gap", regions=["testlan"]))
    assert {c.kind for c in alone.summary} <= {"nobody-recommends", "recommends-where-others-describe"}
    assert summarise([], []) == []


def test_kinds_limit_the_cells_and_keep_other_kinds_counted(snapshot):
    result = compare(snapshot, CompareRequest(theme="capital-gap", kinds=["recommendation"]))
    assert result.kinds == ["recommendation"]
    assert grid(result)["capital-gap--early-stage-capital"] == {"testlan": [], "grannlan": ["annan-2022-3"]}
    testlan = result.regions[0]
    assert testlan.status == "other-kinds" and testlan.other_kinds == 1


@pytest.mark.parametrize("request_, param", [
    (CompareRequest(theme="nope"), "tema"), (CompareRequest(theme="capital-gap", regions=["x"]), "region"),
    (CompareRequest(theme="capital-gap", kinds=["opinion"]), "kind"),
])
def test_unknown_slugs_are_errors(snapshot, request_, param):
    with pytest.raises(CompareError) as raised:
        compare(snapshot, request_)
    assert raised.value.param == param


def test_items_carry_both_citations(snapshot):
    item = compare(snapshot, CompareRequest(theme="capital-gap")).rows[0].cells[0].items[0]
    assert item.citation.startswith("Källa: Testkonsult (2024). Demorapport om life science i Testlän.")
    assert item.short == "Demorapport 2024, avsnitt 1.1, s. 4"
    assert compare(snapshot, CompareRequest(theme="capital-gap"), "en").rows[0].cells[0].items[0] \
        .citation.startswith("Source: ")


def test_free_text_groups_the_matches_by_the_sub_issues_they_carry(snapshot):
    result = compare(snapshot, CompareRequest(q="riskkapital"))
    assert result.mode == "text" and result.theme is None
    assert result.rows and all("--" in row.key for row in result.rows)
    found = {i for cells in grid(result).values() for ids in cells.values() for i in ids}
    assert "demo-2024-1-1" in found
    assert result.rule is not None and result.rule.matched >= 1


def test_free_text_within_a_theme_keeps_to_the_themes_rows(snapshot):
    result = compare(snapshot, CompareRequest(theme="clinical-testbeds", q="testbäddar"))
    assert result.mode == "text" and result.theme.slug == "clinical-testbeds"
    assert all(row.key.startswith("clinical-testbeds--") for row in result.rows)


def test_a_query_without_searchable_words_falls_back_to_the_theme(snapshot):
    result = compare(snapshot, CompareRequest(theme="capital-gap", q="region:testlan"))
    assert result.mode == "theme"
    alone = compare(snapshot, CompareRequest(q="region:testlan"))
    assert alone.mode == "none" and alone.rows == []


def test_weaker_matches_are_counted_and_shown_on_request(snapshot, monkeypatch):
    monkeypatch.setattr(compare_module, "MIN_RELATIVE_SCORE", 0.9999)
    strict = compare(snapshot, CompareRequest(q="riskkapital kliniska"))
    assert strict.rule.dropped >= 1
    weaker_columns = [c for c in strict.regions if c.status == "weaker-only"]
    assert weaker_columns and all(c.weaker > 0 and c.count == 0 for c in weaker_columns)
    shown = compare(snapshot, CompareRequest(q="riskkapital kliniska", weaker=True))
    weak_items = [i for r in shown.rows for c in r.cells for i in c.items if i.weak]
    assert weak_items and shown.weaker_shown
    assert all(c.status != "weaker-only" for c in shown.regions)


def test_the_cut_does_not_depend_on_the_chosen_regions(snapshot):
    everyone = compare(snapshot, CompareRequest(q="kapital"))
    one = compare(snapshot, CompareRequest(q="kapital", regions=["grannlan"]))
    assert everyone.rule.cutoff == one.rule.cutoff
    assert MIN_RELATIVE_SCORE == 0.2


def test_a_free_text_naming_a_theme_offers_the_theme(snapshot):
    assert compare(snapshot, CompareRequest(q="riskkapital")).offered_theme.slug == "capital-gap"
    assert offered_theme(snapshot, "Kapitalgap och finansiering").slug == "capital-gap"
    assert offered_theme(snapshot, "kliniska prövningar ute i landet") is None


def test_matrix_counts_and_heat(snapshot):
    matrix = theme_region_matrix(snapshot.ordered, snapshot.vocab)
    assert [r.slug for r in matrix.regions] == ["testlan", "grannlan"]
    rows = {row.theme.slug: {c.region: c.count for c in row.cells} for row in matrix.rows}
    assert rows == {"capital-gap": {"testlan": 1, "grannlan": 1},
                    "clinical-testbeds": {"testlan": 1, "grannlan": 1},
                    "regulatory-support": {"testlan": 1, "grannlan": 0}}
    assert matrix.max == 1
    reg = next(r for r in matrix.rows if r.theme.slug == "regulatory-support")
    assert [c.level for c in reg.cells] == [5, 0]


def test_matrix_matches_loaded_content():
    vocab, entries = load_content(FIXTURE_CONTENT)
    matrix = theme_region_matrix(entries, vocab)
    held = {r.slug for r in vocab.regions_with_sources()}
    total = sum(c.count for row in matrix.rows for c in row.cells)
    assert total == sum(len(e.themes) for e in entries if e.region in held)


@pytest.mark.parametrize("count, highest, level", [(0, 10, 0), (1, 10, 1), (5, 10, 3), (10, 10, 5), (3, 0, 0)])
def test_heat_level(count, highest, level):
    assert heat_level(count, highest) == level


def test_theme_overview_counts_per_region_kind_and_sub_issue(snapshot):
    themes = {t.theme.slug: t for t in theme_overview(snapshot.ordered, snapshot.vocab)}
    assert list(themes)[:3] == ["capital-gap", "clinical-testbeds", "regulatory-support"]
    clinical = {r.region.slug: r.counts for r in themes["clinical-testbeds"].regions}
    assert clinical["testlan"] == {"recommendation": 1, "challenge": 0, "finding": 0}
    assert themes["clinical-testbeds"].total == 2
    assert themes["capital-gap"].subissues == {"early-stage-capital": 2, "private-investors": 1}


def test_regions_keep_their_place_without_reports(snapshot):
    assert snapshot.vocab.sources_of("tomlan") == []
    assert snapshot.vocab.sources_of("testlan")[0].slug == "demo-2024"


def test_source_detail_lists_entries_in_report_order(snapshot):
    detail = source_detail(snapshot.ordered, snapshot.vocab, "demo-2024")
    assert [i.entry.id for i in detail.entries] == ["demo-2024-1-1", "demo-2024-2-1"]
    assert detail.source.counts == {"recommendation": 1, "challenge": 1, "finding": 0}
    assert source_detail(snapshot.ordered, snapshot.vocab, "nope") is None


def test_region_detail_groups_recommendations_by_main_theme(snapshot):
    detail = region_detail(snapshot.ordered, snapshot.vocab, "testlan")
    assert [(g.theme.slug, [i.entry.id for i in g.entries]) for g in detail.recommendations] == [
        ("regulatory-support", ["demo-2024-2-1"])]
    empty = region_detail(snapshot.ordered, snapshot.vocab, "tomlan")
    assert empty.sources == [] and empty.recommendations == []
    assert region_detail(snapshot.ordered, snapshot.vocab, "nope") is None
