"""How search reads what staff type, through the JSON API on the real content: function words,
common words, the thesaurus, spelling corrections and the themes a query names."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from search.query import COMMON_SHARE
from tests.htmltools import parse


def api(client, q: str, **params: str) -> dict:
    response = client.get("/api/search?" + urlencode({"q": q, "page_size": "100", **params}))
    assert response.status_code == 200, response.data
    return response.get_json()


def hit_ids(result: dict) -> list[str]:
    return [hit["entry"]["id"] for hit in result["hits"]]


def test_question_words_never_decide_what_matches(real_client):
    asked = api(real_client, "varför flyttar företag från regionen?")
    assert asked["parsed"]["ignored"] == ["varför", "från"]
    assert asked["parsed"]["words"] == ["flyttar", "företag", "regionen"]
    plain = api(real_client, "flyttar företag regionen")
    assert hit_ids(asked) == hit_ids(plain) and asked["total"] == plain["total"]
    # "från" is not marked in any snippet.
    assert not any(re.search(r"<mark[^>]*>från</mark>", hit["snippet"], re.I) for hit in asked["hits"])


def test_a_quoted_phrase_keeps_its_function_words_and_stays_a_phrase(real_client):
    result = api(real_client, '"brist på kapital"')
    assert result["parsed"]["phrases"] == [["brist", "på", "kapital"]]
    assert result["parsed"]["ignored"] == []
    assert result["total"] >= 1
    for hit in result["hits"]:
        entry = hit["entry"]
        text = " ".join((entry["title"], entry["summary"], entry["body"])).lower()
        assert re.search(r"brist\w*\s+på\s+kapital", text), entry["id"]


def test_a_query_of_function_words_only_still_searches_them(real_client):
    result = api(real_client, "vem")
    assert result["parsed"]["words"] == ["vem"] and result["parsed"]["ignored"] == []
    assert result["corrected"] is None and result["suggestion"] is None  # not a misspelling


def test_a_common_word_does_not_decide_the_matches_when_specific_words_are_present(real_client):
    both = api(real_client, "regulatoriskt stöd", kind="recommendation")
    specific = api(real_client, "regulatoriskt", kind="recommendation")
    assert [c["word"] for c in both["common"]] == ["stöd"] and not both["common_only"]
    assert both["common"][0]["share"] >= COMMON_SHARE
    # "stöd" adds no match of its own: the same entries as "regulatoriskt" alone …
    assert set(hit_ids(both)) == set(hit_ids(specific))
    # … but it ranks: entries that also say "stöd" score higher than for "regulatoriskt" alone.
    alone = {h["entry"]["id"]: h["score"] for h in specific["hits"]}
    saying = [h for h in both["hits"] if re.search(r"\bstöd", h["entry"]["body"].lower())]
    assert saying and all(h["score"] > alone[h["entry"]["id"]] for h in saying)


def test_life_science_does_not_decide_what_a_strategy_query_finds(real_client):
    result = api(real_client, "life science-strategin")
    assert {c["word"] for c in result["common"]} == {"life", "science"}
    everything = api(real_client, "life science")
    assert result["total"] < everything["total"] / 3
    for hit in result["hits"]:
        entry = hit["entry"]
        text = " ".join((entry["title"], entry["summary"], entry["body"], entry["summary_en"])).lower()
        assert "strategi" in text or "strategy" in text, entry["id"]


def test_only_common_words_decide_when_nothing_else_was_typed(real_client):
    result = api(real_client, "företag region")
    assert result["common_only"] and {c["word"] for c in result["common"]} == {"företag", "region"}
    assert result["total"] >= api(real_client, "företag")["total"]


def test_thesaurus_words_are_reported_highlighted_and_counted(real_client):
    result = api(real_client, "talang")
    [expansion] = result["expansions"]
    assert expansion["words"] == ["talang"] and "kompetens" in expansion["targets"]
    assert expansion["lang"] == "sv"
    exact = api(real_client, "talang", exakt="1")
    assert exact["exact"] and exact["expansions"] == [] and exact["only_expanded"] == 0
    # The count of hits only the thesaurus found is exactly the hits the words typed do not find.
    assert result["only_expanded"] == len(set(hit_ids(result)) - set(hit_ids(exact))) > 0
    # Those hits show the thesaurus words marked apart from the typed ones.
    added = [h for h in result["hits"] if h["entry"]["id"] not in set(hit_ids(exact))]
    assert all('<mark class="also">' in h["snippet"] for h in added if "<mark" in h["snippet"])
    assert any('<mark class="also">' in h["snippet"] for h in added)


@pytest.mark.parametrize("q", ["talang", "startup", "venture capital"])
def test_thesaurus_words_rank_below_the_words_typed(real_client, q):
    """Entries using the words typed come first; those found only through the thesaurus follow.

    A thesaurus word counts half as much as the word typed, so an entry whose title or summary
    uses it can pass one that mentions the typed word once in passing: the order holds at the
    top and on average, not entry by entry.
    """
    result = api(real_client, q)
    typed = {h["entry"]["id"] for h in api(real_client, q, exakt="1")["hits"]}
    assert typed and result["only_expanded"]
    ranks = {True: [], False: []}
    for position, hit in enumerate(result["hits"]):
        ranks[hit["entry"]["id"] in typed].append(position)
    first = min(len(typed), 3)
    assert ranks[True][:first] == list(range(first)), q
    assert sum(ranks[True]) / len(ranks[True]) < sum(ranks[False]) / len(ranks[False]), q


def test_one_way_relations_do_not_run_backwards(real_client):
    assert any("kompetens" in e["targets"] for e in api(real_client, "talang")["expansions"])
    assert not any("talang" in e["targets"] or "talanger" in e["targets"]
                   for e in api(real_client, "kompetens")["expansions"])


def test_an_english_query_reaches_swedish_passages_through_the_thesaurus(real_client):
    result = api(real_client, "talent")
    assert any(e["lang"] == "en" and "kompetens" in e["targets"] for e in result["expansions"])
    bodies = [h["entry"]["body"].lower() for h in result["hits"]]
    assert sum("kompetens" in b for b in bodies) >= 5


def test_a_multi_word_term_expands_as_one_concept(real_client):
    result = api(real_client, "venture capital")
    assert any(e["words"] == ["venture", "capital"] and "riskkapital" in e["targets"]
               for e in result["expansions"])
    assert any("riskkapital" in h["entry"]["body"].lower() for h in result["hits"][:5])


def test_a_misspelt_query_shows_the_corrections_hits_and_says_so(real_client):
    result = api(real_client, "kapitalgp")
    assert result["corrected"] == "kapitalgap" and result["query"] == "kapitalgp"
    assert hit_ids(result) == hit_ids(api(real_client, "kapitalgap"))
    as_typed = api(real_client, "kapitalgp", exakt="1")
    assert as_typed["total"] == 0 and as_typed["corrected"] is None
    assert as_typed["suggestion"] == "kapitalgap" and as_typed["missing"] == ["kapitalgp"]


def test_a_misspelt_word_beside_a_known_one_is_corrected_too(real_client):
    result = api(real_client, "kapitalgp stöd")
    assert result["corrected"] == "kapitalgap stöd"


def test_a_correction_that_finds_little_is_only_offered(real_client):
    # One letter off a word only one or two entries use: not worth replacing the query.
    result = api(real_client, "kuvösverksamhe", exakt="1")
    assert result["corrected"] is None
    assert api(real_client, "kapital")["suggestion"] is None  # a known word is never corrected


def test_a_word_no_entry_contains_is_reported_and_does_not_empty_the_result(real_client):
    result = api(real_client, "blockchain kapitalgap")
    assert result["missing"] == ["blockchain"]
    assert set(hit_ids(result)) == set(hit_ids(api(real_client, "kapitalgap")))


@pytest.mark.parametrize("q,theme,subissue", [
    ("regulatoriskt stöd", "regulatory-support", None),
    ("kliniska prövningar i Skåne", "clinical-testbeds", None),
    ("finansiering av klusterorganisationen", "cluster-organisation", "cluster-funding"),
    ("finansiering av klusterarbetet", "capital-gap", "cluster-funding"),
    ("kapital i tidiga skeden", "capital-gap", "early-stage-capital"),
])
def test_a_query_naming_a_theme_offers_it(real_client, q, theme, subissue):
    related = api(real_client, q)["related"]
    assert related[0] == {"theme": theme, "subissue": subissue}


def test_a_query_naming_no_theme_offers_none(real_client):
    assert api(real_client, "Öresundsbron")["related"] == []


def test_the_search_page_shows_what_it_made_of_the_query(real_client):
    doc = parse(real_client.get("/sok?q=hur+kan+regionen+locka+talanger").data)
    notes = doc.find("div", cls="query-notes")
    assert "hur, kan" in notes.find("p", cls="ignored").text()
    assert notes.find("p", cls="expansions").find("mark", cls="also") is not None
    exact = notes.find("p", cls="expansions").find_all("a")[-1].get("href")
    assert "exakt=1" in exact
    offer = parse(real_client.get("/sok?q=regulatoriskt+st%C3%B6d").data).find("ul", cls="related-themes")
    links = [a.get("href") for a in offer.find_all("a")]
    assert links == ["/teman#regulatory-support", "/jamfor?tema=regulatory-support"]


def test_the_page_names_the_sub_issue_and_links_the_comparison_to_it(real_client):
    offer = parse(real_client.get("/sok?q=finansiering+av+klusterorganisationen").data).find(
        "ul", cls="related-themes")
    assert "Finansiering av klusterorganisationen" in offer.text()
    assert offer.find("a", cls="compare-theme").get("href") == (
        "/jamfor?tema=cluster-organisation#cluster-organisation--cluster-funding")


def test_the_count_of_thesaurus_only_hits_equals_evaluating_the_query_without_them(real_snapshot):
    """`direct_matches` takes a union of posting lists instead of evaluating the query again."""
    from pathlib import Path

    import yaml

    from search.parsing import parse_query
    from search.ranking import matching
    from search.service import builder, direct_matches

    sets = Path(__file__).parent / "relevance"
    queries = [q["q"] for name in ("queries", "heldout", "questions")
               for q in yaml.safe_load((sets / f"{name}.yaml").read_text(encoding="utf-8"))]
    build = builder(real_snapshot)
    checked = 0
    for text in queries + ["talang", "startup företag", "kapitalgp stöd", "firms region"]:
        parsed = parse_query(text)
        if not build.plan(parsed).expansions:
            continue
        expected = matching(build.direct(parsed), real_snapshot.postings)
        assert direct_matches(real_snapshot, build, parsed, None) == expected, text
        checked += 1
    assert checked >= 20
