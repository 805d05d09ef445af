"""Comparison and overview functions: plain data over the fixture corpus."""

from __future__ import annotations

import pytest

import kb.reports.compare as compare_module
from kb.reports.compare import (MIN_RELATIVE_SCORE, CompareError, CompareRequest, compare,
                            comparison_entries, text_matches)
from kb.content.entries import load_content
from kb.reports.overview import (heat_level, region_detail, regions_with_sources, source_detail,
                             sources_by_region, theme_overview, theme_region_matrix)
from tests.conftest import FIXTURE_CONTENT


@pytest.fixture
def snapshot(app):
    return app.extensions["kb"].snapshot()


def column(result, slug):
    return next(c for c in result["regions"] if c["slug"] == slug)


def ids(items):
    return [item["id"] for item in items]


def test_theme_comparison_defaults_to_regions_with_reports(snapshot):
    result = compare(snapshot, CompareRequest(theme="capital-gap"))
    assert [c["slug"] for c in result["regions"]] == ["testlan", "grannlan"]
    assert result["mode"] == "theme" and result["kinds"] == ["recommendation", "challenge", "finding"]
    assert ids(column(result, "testlan")["cells"]["challenge"]) == ["demo-2024-1-1"]
    assert ids(column(result, "grannlan")["cells"]["recommendation"]) == ["annan-2022-3"]
    assert result["total"] == 2


def test_rows_are_grouped_by_kind_with_one_cell_per_region(snapshot):
    result = compare(snapshot, CompareRequest(theme="capital-gap"))
    assert [row["kind"] for row in result["rows"]] == ["recommendation", "challenge", "finding"]
    first = result["rows"][0]["cells"]
    assert [c["region"] for c in first] == ["testlan", "grannlan"]
    assert first[0]["status"] == "nothing-found" and first[1]["status"] == "found"


def test_no_statement_is_distinct_from_no_report(snapshot):
    result = compare(snapshot, CompareRequest(theme="regulatory-support",
                                              regions=["testlan", "grannlan", "tomlan"]))
    assert column(result, "testlan")["status"] == "found"
    assert column(result, "grannlan")["status"] == "nothing-found"
    assert column(result, "tomlan")["status"] == "no-report"
    assert column(result, "tomlan")["sources"] == []
    assert column(result, "grannlan")["sources"][0]["title"] == "Annan rapport"
    assert all(row["cells"][2]["status"] == "no-report" for row in result["rows"])


def test_chosen_regions_keep_their_order_and_kinds_can_be_limited(snapshot):
    result = compare(snapshot, CompareRequest(theme="capital-gap", regions=["grannlan", "testlan"],
                                              kinds=["challenge"]))
    assert [c["slug"] for c in result["regions"]] == ["grannlan", "testlan"]
    assert result["kinds"] == ["challenge"] and ids(comparison_entries(result)) == ["demo-2024-1-1"]


@pytest.mark.parametrize("request_, param", [
    (CompareRequest(theme="no-such-theme"), "tema"),
    (CompareRequest(theme="capital-gap", regions=["atlantis"]), "region"),
    (CompareRequest(theme="capital-gap", kinds=["wish"]), "kind"),
])
def test_unknown_slugs_are_errors(snapshot, request_, param):
    with pytest.raises(CompareError) as raised:
        compare(snapshot, request_)
    assert raised.value.param == param


def test_items_carry_citation_and_source(snapshot):
    result = compare(snapshot, CompareRequest(theme="capital-gap"))
    item = column(result, "testlan")["cells"]["challenge"][0]
    assert item["citation"] == ("Källa: Testkonsult (2024). Demorapport om life science i Testlän. "
                                "Region Testlän, avsnitt 1.1, s. 4.")
    assert item["source_title"] == "Demorapport om life science i Testlän" and item["year"] == "2024"
    english = compare(snapshot, CompareRequest(theme="capital-gap"), lang="en")
    assert column(english, "testlan")["cells"]["challenge"][0]["citation"].startswith("Source: ")


def test_free_text_comparison(snapshot):
    result = compare(snapshot, CompareRequest(q="MDR"))
    assert result["mode"] == "text"
    assert ids(comparison_entries(result)) == ["demo-2024-2-1"]
    assert column(result, "grannlan")["status"] == "nothing-found"
    assert result["rule"]["min_relative_score"] == MIN_RELATIVE_SCORE


def test_free_text_within_a_theme(snapshot):
    result = compare(snapshot, CompareRequest(q="prövningar", theme="capital-gap"))
    assert ids(comparison_entries(result)) == ["annan-2022-3"]


def test_query_without_searchable_words_falls_back_to_the_theme(snapshot):
    result = compare(snapshot, CompareRequest(q='* AND OR (', theme="capital-gap"))
    assert result["mode"] == "theme" and result["total"] == 2
    nothing = compare(snapshot, CompareRequest(q='" *'))
    assert nothing["mode"] == "none" and nothing["total"] == 0


def fake_search(scores):
    def search(snapshot, request):
        hits = [{"id": entry_id, "score": score} for entry_id, score in scores]
        return {"parsed": {"words": ["x"], "phrases": []}, "filters": {}, "total": len(hits),
                "hits": hits}
    return search


def test_weak_matches_below_a_fraction_of_the_best_are_dropped(snapshot, monkeypatch):
    monkeypatch.setattr(compare_module, "search", fake_search(
        [("demo-2024-2-1", 10.0), ("annan-2022-3", 2.0), ("demo-2024-1-1", 1.99)]))
    matches, rule = text_matches(snapshot, "x")
    assert [e.id for e, _ in matches] == ["demo-2024-2-1", "annan-2022-3"]
    assert rule["dropped"] == 1 and rule["best_score"] == 10.0 and rule["cutoff"] == 2.0


def test_threshold_does_not_depend_on_the_chosen_regions(snapshot, monkeypatch):
    monkeypatch.setattr(compare_module, "search", fake_search(
        [("demo-2024-2-1", 10.0), ("annan-2022-3", 1.0)]))
    only_grannlan = compare(snapshot, CompareRequest(q="x", regions=["grannlan"]))
    assert only_grannlan["regions"][0]["status"] == "nothing-found"


def test_matrix_counts_and_heat(snapshot):
    matrix = theme_region_matrix(snapshot.ordered, snapshot.vocab)
    assert [r["slug"] for r in matrix["regions"]] == ["testlan", "grannlan"]
    rows = {row["slug"]: {c["region"]: c["count"] for c in row["cells"]} for row in matrix["rows"]}
    assert rows == {"capital-gap": {"testlan": 1, "grannlan": 1},
                    "clinical-testbeds": {"testlan": 1, "grannlan": 1},
                    "regulatory-support": {"testlan": 1, "grannlan": 0}}
    assert matrix["max"] == 1
    reg = next(r for r in matrix["rows"] if r["slug"] == "regulatory-support")
    assert [c["level"] for c in reg["cells"]] == [5, 0]


def test_matrix_matches_loaded_content():
    vocab, entries = load_content(FIXTURE_CONTENT)
    matrix = theme_region_matrix(entries, vocab)
    total = sum(c["count"] for row in matrix["rows"] for c in row["cells"])
    assert total == sum(len(e.themes) for e in entries if e.region in regions_with_sources(vocab))


@pytest.mark.parametrize("count, highest, level", [(0, 10, 0), (1, 10, 1), (5, 10, 3), (10, 10, 5), (3, 0, 0)])
def test_heat_level(count, highest, level):
    assert heat_level(count, highest) == level


def test_theme_overview_counts_per_region_and_kind(snapshot):
    themes = {t["slug"]: t for t in theme_overview(snapshot.ordered, snapshot.vocab)}
    assert list(themes)[:3] == ["capital-gap", "clinical-testbeds", "regulatory-support"]
    clinical = {r["slug"]: r["counts"] for r in themes["clinical-testbeds"]["regions"]}
    assert clinical["testlan"] == {"recommendation": 1, "challenge": 0, "finding": 0}
    assert themes["clinical-testbeds"]["total"] == 2 and themes["capital-gap"]["scope_sv"]


def test_sources_by_region_keeps_regions_without_reports(snapshot):
    held = sources_by_region(snapshot.vocab)
    assert held["tomlan"] == [] and held["testlan"][0]["slug"] == "demo-2024"


def test_source_detail_lists_entries_in_document_order(snapshot):
    detail = source_detail(snapshot.ordered, snapshot.vocab, "demo-2024")
    assert ids(detail["entries"]) == ["demo-2024-1-1", "demo-2024-2-1"]
    assert detail["source"]["counts"] == {"recommendation": 1, "challenge": 1, "finding": 0}
    assert source_detail(snapshot.ordered, snapshot.vocab, "nope") is None


def test_region_detail_groups_recommendations_by_main_theme(snapshot):
    detail = region_detail(snapshot.ordered, snapshot.vocab, "testlan")
    assert [(g["slug"], ids(g["entries"])) for g in detail["recommendations"]] == [
        ("regulatory-support", ["demo-2024-2-1"])]
    empty = region_detail(snapshot.ordered, snapshot.vocab, "tomlan")
    assert empty["has_sources"] is False and empty["recommendations"] == []
    assert region_detail(snapshot.ordered, snapshot.vocab, "nope") is None
