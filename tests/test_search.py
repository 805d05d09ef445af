"""Search behaviour on the real content: Swedish inflection, compounds, acronyms, syntax."""

from __future__ import annotations

import random
import re

import pytest

from search.analysis import PROTECTED, WORD, CompoundSplitter, stem, swedish_analyzer
from search.parsing import parse_query
from search.service import SearchRequest, search
from search.snippets import _marks, has_marks, plain_text


def run(snapshot, q, **filters):
    return search(snapshot, SearchRequest(q=q, filters=filters, page_size=0))


def ids(result) -> list[str]:
    return [h.entry.id for h in result.hits]


def counts(result, facet: str) -> dict[str, int]:
    return {f.value: f.count for f in result.facets[facet]}


def containing(snapshot, pattern: str) -> set[str]:
    """Entries whose own text matches a regular expression (the ground truth for a test)."""
    rx = re.compile(pattern, re.IGNORECASE)
    return {e.id for e in snapshot.entries.values() if rx.search(f"{e.title} {e.summary} {e.body}")}


@pytest.mark.parametrize("forms", [
    ("prövning", "prövningar", "prövningarna"),
    ("testbädd", "testbäddar", "testbäddarna"),
    ("företag", "företaget", "företagen"),
    ("kapitalgap", "kapitalgapet"),
])
def test_inflections_find_the_same_entries(real_snapshot, forms):
    results = [set(ids(run(real_snapshot, form))) for form in forms]
    assert results[0], forms
    assert all(r == results[0] for r in results), forms


def test_swedish_letters_are_kept_distinct():
    analyzer = swedish_analyzer()
    assert [t.text for t in analyzer("år är ar öl ol")] == ["år", "ar", "öl", "ol"]  # "är" is a stop word
    assert [t.text for t in analyzer("hälsodata")] != [t.text for t in analyzer("halsodata")]


def test_query_without_diacritics_does_not_match_but_is_corrected(real_snapshot):
    as_typed = search(real_snapshot, SearchRequest(q="halsodata", exact=True))
    proper = run(real_snapshot, "hälsodata")
    assert proper.total > 0
    assert set(ids(proper)) - set(ids(as_typed)), "å/ä/ö must not be folded to a/o"
    assert as_typed.suggestion == "hälsodata" and as_typed.corrected is None
    # Searched normally, the correction's hits are shown, and it says so.
    corrected = run(real_snapshot, "halsodata")
    assert corrected.corrected == "hälsodata" and corrected.query == "halsodata"
    assert ids(corrected) == ids(proper)


def test_compound_parts_are_found_below_exact_matches(real_snapshot):
    exact = containing(real_snapshot, r"\bkapital\b")
    # Compounds, not derivations: "riskkapitalister" (venture capitalists) is riskkapital + -ist.
    only_compound = containing(real_snapshot, r"\w+kapital(?!ist)|kapital(?!ist)\w+") - exact
    assert exact and only_compound
    ranked = ids(run(real_snapshot, "kapital"))
    assert only_compound <= set(ranked), "compounds such as riskkapital must be found"
    first_compound = min(ranked.index(i) for i in only_compound)
    assert sum(ranked.index(i) < first_compound for i in exact) >= len(exact) // 2
    exact_ranks = sorted(ranked.index(i) for i in exact)
    compound_ranks = sorted(ranked.index(i) for i in only_compound)
    assert exact_ranks[len(exact_ranks) // 2] < compound_ranks[len(compound_ranks) // 2]


def test_a_compound_query_does_not_drag_in_its_parts(real_snapshot):
    # Entries tagged capital-gap are reached through the theme vocabulary; the others that
    # merely say "kapital" must stay out.
    tagged = {e.id for e in real_snapshot.entries.values() if "capital-gap" in e.themes}
    plain_kapital = containing(real_snapshot, r"\bkapital\b") - containing(
        real_snapshot, r"riskkapital|finansier|risk") - tagged
    found = set(ids(run(real_snapshot, "riskkapital")))
    assert plain_kapital and not (plain_kapital & found)


def test_the_splitters_memory_is_bounded(monkeypatch):
    monkeypatch.setattr("search.analysis.SPLIT_CACHE", 100)
    splitter = CompoundSplitter.from_texts(["kapital gap risk finansiering data hälsa"])
    for n in range(1_000):
        splitter.split(f"riskkapital{n:04d}gap")
    assert splitter.split.cache_info().currsize <= 100
    assert splitter.split("riskkapital") == ("risk", "kapital")


def test_compound_splitter():
    splitter = CompoundSplitter.from_texts(["kapital gap risk finansiering data hälsa hälso",
                                            "riskkapital kapitalgap hälsodata företaget före taget"])
    assert splitter.split("riskkapital") == ("risk", "kapital")
    assert splitter.split("kapitalgapet")[0] == "kapital"
    assert splitter.split("företaget") == ()  # "före" is a preposition, not a part


@pytest.mark.parametrize("acronym,pattern", [
    ("MDR", r"\bMDR\b"), ("IVDR", r"\bIVDR\b"), ("ATMP", r"\bATMP\b"), ("RISE", r"\bRISE\b"),
])
def test_acronyms_stay_whole(real_snapshot, acronym, pattern):
    expected = containing(real_snapshot, pattern)
    assert expected
    for typed in (acronym, acronym.lower()):
        found = set(ids(run(real_snapshot, typed)))
        assert expected <= found, typed
    # RISE must not be stemmed to "ris" (rice) and find unrelated entries.
    assert [t.text for t in swedish_analyzer()("RISE Vinnova")] == ["rise", "vinnova"]


def test_more_words_matched_rank_first(real_snapshot):
    result = ids(run(real_snapshot, "regulatoriska kliniska prövningar"))
    both = containing(real_snapshot, r"regulatorisk") & containing(real_snapshot, r"kliniska prövningar")
    assert both
    top = result[: len(both)]
    assert len(set(top) & both) >= len(both) - 1


def test_quoted_phrase_is_a_phrase(real_snapshot):
    loose = set(ids(run(real_snapshot, "kliniska prövningar")))
    phrase = set(ids(run(real_snapshot, '"kliniska prövningar"')))
    assert phrase and phrase < loose
    pattern = r"kliniska\s+(läkemedels)?prövningar|kliniska\s+prövning"
    assert phrase <= containing(real_snapshot, pattern) | containing(real_snapshot, r"clinical trials")


def test_minus_excludes(real_snapshot):
    with_ai = containing(real_snapshot, r"\bAI\b")
    base = set(ids(run(real_snapshot, "hälsodata")))
    excluded = set(ids(run(real_snapshot, "hälsodata -AI")))
    assert base & with_ai, "the test needs hälsodata entries that mention AI"
    assert excluded and not (excluded & with_ai) and excluded < base


@pytest.mark.parametrize("typed,facet,value", [
    ("region:skane", "region", "skane"), ("län:Skåne", "region", "skane"),
    ("typ:rekommendation", "kind", "recommendation"), ("kind:challenge", "kind", "challenge"),
    ("tema:capital-gap", "theme", "capital-gap"),
])
def test_field_filters(real_snapshot, typed, facet, value):
    result = run(real_snapshot, f"finansiering {typed}")
    assert result.total > 0 and result.filters[facet] == [value]
    for hit in result.hits:
        got = hit.entry.themes if facet == "theme" else [getattr(hit.entry, facet)]
        assert value in got


def test_facet_filters_combine_and_counts_follow(real_snapshot):
    everything = run(real_snapshot, "kliniska prövningar")
    skane = run(real_snapshot, "kliniska prövningar", region=["skane"])
    assert 0 < skane.total < everything.total
    assert counts(skane, "region") == {"skane": skane.total}
    narrower = run(real_snapshot, "kliniska prövningar", region=["skane"], kind=["recommendation"])
    assert 0 < narrower.total <= counts(skane, "kind")["recommendation"]


def test_theme_facet_counts_every_theme_of_a_hit(real_snapshot):
    result = run(real_snapshot, "kapitalgap")
    found = counts(result, "theme")
    expected: dict[str, int] = {}
    for hit in result.hits:
        for theme in hit.entry.themes:
            expected[theme] = expected.get(theme, 0) + 1
    assert found == expected


def test_misspelling_is_corrected_when_the_correction_finds_many(real_snapshot):
    as_typed = search(real_snapshot, SearchRequest(q="kapitl", exact=True))
    assert as_typed.total == 0 and as_typed.suggestion == "kapital"
    result = run(real_snapshot, "kapitl")
    assert result.corrected == "kapital" and result.total == run(real_snapshot, "kapital").total
    assert run(real_snapshot, "prövnigar").corrected == "prövningar"
    assert run(real_snapshot, "kapital").suggestion is None
    assert run(real_snapshot, "kapital").corrected is None


def test_english_query_reaches_swedish_entries(real_snapshot):
    top = run(real_snapshot, "capital gap").hits[:5]
    assert sum("capital-gap" in h.entry.themes for h in top) >= 4
    top = run(real_snapshot, "clinical trials").hits[:5]
    assert sum("clinical-testbeds" in h.entry.themes for h in top) >= 4


def test_snippets_highlight_and_escape(real_snapshot):
    hit = run(real_snapshot, "kapitalgap").hits[0]
    assert "<mark>" in hit.snippet
    text = re.sub(r'<mark(?: class="also")?>|</mark>', "", hit.snippet)
    assert "<" not in text  # everything but the marks is escaped


def test_has_marks_agrees_with_the_marks_a_snippet_gets(real_snapshot):
    # has_marks stops at the first matching word; it must say what collecting every mark says.
    rng = random.Random(11)
    passages = [plain_text(e.body) for e in real_snapshot.entries.values()]
    stems = sorted({stem(w.lower(), PROTECTED) for text in passages for w in WORD.findall(text)})
    probes = [frozenset(rng.sample(stems, 2)) for _ in range(150)]
    probes += [frozenset({"kapital"}), frozenset({"ris"}), frozenset({"xyzzy"}), frozenset()]
    disagreements = [(probe, text[:40]) for probe in probes for text in rng.sample(passages, 20)
                     if has_marks(text, probe) != bool(_marks(text, probe, PROTECTED))]
    assert not disagreements
    assert any(has_marks(text, frozenset({"kapital"})) for text in passages)


def test_pagination(real_snapshot):
    first = search(real_snapshot, SearchRequest(q="samverkan", page=1, page_size=5))
    second = search(real_snapshot, SearchRequest(q="samverkan", page=2, page_size=5))
    assert first.total > 10 and first.pages == -(-first.total // 5)
    assert len(first.hits) == 5 and not {h.entry.id for h in first.hits} & {h.entry.id for h in second.hits}
    beyond = search(real_snapshot, SearchRequest(q="samverkan", page=999, page_size=5))
    assert beyond.page == first.pages


def test_empty_query_browses_in_document_order(real_snapshot):
    result = search(real_snapshot, SearchRequest(q="", page_size=0))
    assert result.total == len(real_snapshot.entries)
    assert ids(result) == list(real_snapshot.entries)


HOSTILE = ['<script>alert(1)</script>', '"', '""', "'", "*", "?", "AND OR", "NOT", "OR OR AND",
           "a" * 10_000, "\x00", "kapital\x00gap", "((((", "))", "region:", ":", "-", "--",
           "tema:<b>", 'typ:"', "\ud800", "ÅÄÖ" * 300, "kapital~2", "kapital^3", "title:x",
           "[a TO b]", "{x}", "\\", "%", "../../etc/passwd", "−kapital"]


@pytest.mark.parametrize("q", HOSTILE)
def test_no_input_raises(real_snapshot, q):
    result = search(real_snapshot, SearchRequest(q=q))
    assert len(result.hits) == min(10, result.total)
    assert all(hit.entry.id in real_snapshot.entries for hit in result.hits)
    for word in list(result.parsed.words) + list(result.parsed.excluded):
        assert re.fullmatch(r"\w+", word), word  # only words reach the query: no syntax, no NUL


def test_parse_query():
    parsed = parse_query('kapital "kliniska prövningar" -AI region:Skåne typ:rekommendation foo:bar')
    assert parsed.words == ("kapital", "foo", "bar")
    assert parsed.phrases == (("kliniska", "prövningar"),)
    assert parsed.excluded == ("AI",)
    assert parsed.filters == {"region": ("skane",), "kind": ("recommendation",)}
    assert parse_query("MDR NOT IVDR").excluded == ("IVDR",)
