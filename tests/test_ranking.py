"""The term-at-a-time ranker scores the query trees the way Whoosh's own matchers do."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from whoosh import query as wq

from search import ranking
from search.query import build_query, parse_query, synonym_map
from search.ranking import Postings, rank
from search.service import WEIGHTING

JUDGED = [q["q"] for name in ("queries", "heldout") for q in yaml.safe_load(
    (Path(__file__).parent / "relevance" / f"{name}.yaml").read_text(encoding="utf-8"))]


def whoosh_scores(snapshot, q) -> dict[int, float]:
    """Every match and its score, as Whoosh's matchers compute them."""
    with snapshot.searcher() as searcher:
        return {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}


def test_a_term_scores_exactly_as_whoosh_bm25f(real_snapshot):
    for q in (wq.Term("body", "kapital"), wq.Term("title", "kapitalgap", boost=2.0),
              wq.Term("themes_en", "regulatori"), wq.Term("parts", "kapital", boost=0.35),
              wq.Term("summary_en", "testb", boost=1.2)):
        expected = whoosh_scores(real_snapshot, q)
        ours = rank(q, real_snapshot.postings)
        assert ours.keys() == expected.keys(), q
        assert expected, f"{q} matches nothing: pick another term"
        for docnum, score in expected.items():
            assert ours[docnum] == pytest.approx(score, rel=1e-9), q


def test_two_fields_combine_as_whoosh_field_max(real_snapshot):
    from search.dismax import FieldMax

    q = FieldMax([wq.Term("title", "kapital", boost=2.0), wq.Term("body", "kapital")], tiebreak=0.2)
    expected = whoosh_scores(real_snapshot, q)
    ours = rank(q, real_snapshot.postings)
    assert ours.keys() == expected.keys() and len(expected) > 3
    for docnum, score in expected.items():
        assert ours[docnum] == pytest.approx(score, rel=1e-9)


def test_phrases_match_the_same_entries_with_the_same_scores(real_snapshot):
    schema = real_snapshot.ix.schema
    for words in (["kliniska", "prövningar"], ["life", "science"], ["avancerade", "terapier"]):
        terms = [t.text for w in words for t in schema["body"].analyzer(w, mode="query")]
        q = wq.Phrase("body", terms, boost=1.5)
        expected = whoosh_scores(real_snapshot, q)
        ours = rank(q, real_snapshot.postings)
        assert expected and ours.keys() == expected.keys(), words
        for docnum, score in expected.items():
            assert ours[docnum] == pytest.approx(score, rel=1e-9)


def test_every_judged_query_matches_the_same_entries_as_whoosh(real_snapshot):
    schema = real_snapshot.ix.schema
    synonyms = synonym_map(real_snapshot)
    for text in JUDGED + ["kapital -riskkapital", '"kliniska prövningar" region:skane', "ATMP"]:
        q = build_query(schema, parse_query(text), real_snapshot.splitter, synonyms)
        expected = whoosh_scores(real_snapshot, q)
        ours = rank(q, real_snapshot.postings)
        assert ours.keys() == expected.keys(), text
        # Scores differ only where Whoosh nests the field maximum and adds its tiny
        # coordination bonus; the best entry stays among Whoosh's best three.
        if expected:
            top = max(ours, key=ours.get)
            assert top in sorted(expected, key=expected.get, reverse=True)[:3], text


def test_exclusions_remove_entries(real_snapshot):
    schema = real_snapshot.ix.schema
    plain = rank(build_query(schema, parse_query("kapital")), real_snapshot.postings)
    without = rank(build_query(schema, parse_query("kapital -riskkapital")), real_snapshot.postings)
    dropped = plain.keys() - without.keys()
    assert dropped and without.keys() < plain.keys()
    for docnum in dropped:
        assert "riskkapital" in real_snapshot.by_docnum[docnum].body.lower() + \
            real_snapshot.by_docnum[docnum].title.lower() + real_snapshot.by_docnum[docnum].summary.lower()


class CountingReader:
    """A reader that counts which posting lists are read."""

    def __init__(self, reader):
        self.reader, self.read = reader, []

    def postings(self, fieldname, text):
        self.read.append((fieldname, text))
        return self.reader.postings(fieldname, text)

    def __getattr__(self, name):
        return getattr(self.reader, name)

    def __contains__(self, item):
        return item in self.reader


def fresh_postings(snapshot, readers: list) -> Postings:
    def open_reader():
        readers.append(CountingReader(snapshot.ix.reader()))
        return readers[-1]
    return Postings(WEIGHTING, open_reader, lambda exc: exc)


def test_each_posting_list_is_read_once_per_generation(real_snapshot):
    readers: list = []
    postings = fresh_postings(real_snapshot, readers)
    q = build_query(real_snapshot.ix.schema, parse_query("kliniska prövningar"))
    first = rank(q, postings)
    second = rank(q, postings)
    assert first == second and first
    assert len(readers) == 1  # one reader for the generation, not one per query
    reads = readers[0].read
    assert reads
    # a list is read at most twice: once for scores, once for positions if a phrase needs them
    assert max(reads.count(k) for k in reads) <= 2
    assert rank(q, postings) == first and len(readers[0].read) == len(reads)


def test_positions_are_read_only_for_phrases_some_entry_has_all_words_of(real_snapshot):
    readers: list = []
    postings = fresh_postings(real_snapshot, readers)
    together = wq.Phrase("body", ["klinisk", "prövning"])  # stems, as the index holds them
    apart = wq.Phrase("body", ["klinisk", "skog"])  # "skog" is in one entry, without "klinisk"
    scores = rank(wq.Or([together, apart]), postings)
    assert scores == rank(wq.Or([together, apart]), real_snapshot.postings) and scores
    assert ("body", "prövning".encode()) in postings._positions
    assert ("body", b"skog") in postings._impacts and ("body", b"skog") not in postings._positions


def test_the_list_cache_is_bounded(real_snapshot, monkeypatch):
    monkeypatch.setattr(ranking, "MAX_LISTS", 5)
    postings = fresh_postings(real_snapshot, [])
    for word in ("kapital", "region", "vård", "forskning", "innovation", "företag", "test"):
        rank(wq.Or([wq.Term("body", word), wq.Term("title", word)]), postings)
    assert len(postings._impacts) <= 5
    # An evicted list is read again when needed, with the same scores.
    again = rank(wq.Term("body", "kapital"), postings)
    assert again == rank(wq.Term("body", "kapital"), real_snapshot.postings)


def test_a_read_failure_is_reported_and_the_reader_dropped(real_snapshot):
    class Failing(CountingReader):
        def postings(self, fieldname, text):
            raise OSError("disk gone")

    opened = []

    def open_reader():
        opened.append(1)
        return Failing(real_snapshot.ix.reader())

    postings = Postings(WEIGHTING, open_reader, lambda exc: RuntimeError(f"unavailable: {exc}"))
    for _ in range(2):
        with pytest.raises(RuntimeError, match="unavailable: disk gone"):
            rank(wq.Term("body", "kapital"), postings)
    assert len(opened) == 2  # a failed reader is not reused


def test_queries_it_cannot_rank_are_refused_plainly(real_snapshot):
    with pytest.raises(TypeError):
        rank(wq.Wildcard("body", "kap*"), real_snapshot.postings)


def test_long_posting_lists_read_block_by_block_score_as_whoosh(tmp_path):
    """Lists longer than one Whoosh block (128 postings) are read completely and scored alike."""
    from scripts.benchmark import synthetic
    from search.content import load_content
    from search.index import build_index
    from search.service import KnowledgeBase
    from tests.conftest import REAL_CONTENT

    vocab, entries = load_content(REAL_CONTENT)
    build_index(synthetic(entries, 3), vocab, tmp_path)
    snapshot = KnowledgeBase(REAL_CONTENT, tmp_path, auto_rebuild=False).snapshot()
    with snapshot.searcher() as searcher:
        frequency = searcher.reader().doc_frequency("body", b"region")
    assert frequency > 2 * 128
    analyzer = snapshot.ix.schema["body"].analyzer
    phrase = [t.text for t in analyzer("kliniska prövningar", mode="query")]
    for q in (wq.Term("body", "region"), wq.Phrase("body", phrase)):
        expected = whoosh_scores(snapshot, q)
        ours = rank(q, snapshot.postings)
        assert expected and ours.keys() == expected.keys()
        for docnum, score in expected.items():
            assert ours[docnum] == pytest.approx(score, rel=1e-9)


def top(scores: dict[int, float], k: int) -> list[tuple[int, float]]:
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]


def test_checking_phrase_bonuses_only_where_they_matter_keeps_the_first_pages(real_snapshot):
    schema = real_snapshot.ix.schema
    synonyms = synonym_map(real_snapshot)
    pruned_somewhere = False
    for text in JUDGED:
        q = build_query(schema, parse_query(text), real_snapshot.splitter, synonyms)
        full = rank(q, real_snapshot.postings)
        for k in (1, 10, 20):
            pruned = rank(q, real_snapshot.postings, top=k)
            assert pruned.keys() == full.keys(), text  # totals and facets see every match
            assert [d for d, _ in top(pruned, k)] == [d for d, _ in top(full, k)], (text, k)
            for docnum, score in top(pruned, k):
                assert score == pytest.approx(full[docnum], rel=1e-12)
            pruned_somewhere |= any(pruned[d] != full[d] for d in full)
    assert pruned_somewhere  # the shortcut was actually taken somewhere


def test_facet_filters_apply_before_the_first_page_is_chosen(real_snapshot):
    from search.query import allowed_docnums

    q = build_query(real_snapshot.ix.schema, parse_query("kliniska prövningar"))
    allowed = allowed_docnums(real_snapshot, {"region": ["skane"]})
    full = {d: s for d, s in rank(q, real_snapshot.postings).items() if d in allowed}
    pruned = rank(q, real_snapshot.postings, top=3, allowed=allowed)
    assert pruned.keys() == full.keys() and len(full) > 3
    assert [d for d, _ in top(pruned, 3)] == [d for d, _ in top(full, 3)]
    assert [s for _, s in top(pruned, 3)] == pytest.approx([s for _, s in top(full, 3)])
