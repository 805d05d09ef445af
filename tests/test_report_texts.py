"""The reports as documents: any sentence is findable by a quoted phrase, in its own section, and
the reader page marks every quoted passage with a link to its entry."""

from __future__ import annotations

import random
import re
from urllib.parse import urlencode

import pytest

from kb.content.entries import load_content
from kb.content.quoting import quoting
from kb.content.texts import load_report_texts, sentences
from search.analysis import SWEDISH_STOPWORDS
from tests.conftest import REAL_CONTENT
from tests.htmltools import parse

SAMPLE = 30
PROSE = {"paragraph", "item", "quote", "footnote"}


def api(client, q: str, **params: str) -> dict:
    response = client.get("/api/search?" + urlencode({"q": q, **params}))
    assert response.status_code == 200, response.data
    return response.get_json()


def phrase_samples(seed: int = 15, count: int = SAMPLE) -> list[tuple[str, str, str]]:
    """(source, section as cited, a quoted 4–6-word phrase) from sentences drawn at random."""
    vocab, _ = load_content(REAL_CONTENT)
    texts, problems = load_report_texts(REAL_CONTENT, vocab.sources)
    assert not problems
    candidates = [(slug, section.section, sentence)
                  for slug, text in sorted(texts.items()) for section in text.sections
                  for block in section.blocks if block.kind in PROSE
                  for sentence in sentences(block.plain) if len(re.findall(r"\w+", sentence)) >= 8]
    rng = random.Random(seed)
    samples = []
    while len(samples) < count:
        slug, section, sentence = rng.choice(candidates)
        words = re.findall(r"\w+", sentence)
        size = rng.randint(4, 6)
        start = rng.randrange(len(words) - size + 1)
        window = words[start:start + size]
        # At least two words that are not stop words (the index leaves those out), so that
        # the quotation is a phrase.
        if sum(w.lower() not in SWEDISH_STOPWORDS for w in window) >= 2:
            samples.append((slug, section, " ".join(window)))
    return samples


def test_the_samples_cover_every_report():
    assert {slug for slug, _, _ in phrase_samples(count=200)} == {
        "atmp-2023", "ostergotland-2026", "skane-2020", "sormland-2003", "vastsverige-2026"}


@pytest.mark.parametrize("source,section,phrase", phrase_samples())
def test_a_quoted_phrase_from_any_sentence_finds_its_section(real_client, source, section, phrase):
    result = api(real_client, f'"{phrase}"', avsnitt="alla")
    found = [(hit["source"], hit["section"]) for hit in result["text_hits"]]
    assert (source, section) in found, (phrase, found)
    assert len(found) == result["text_total"]  # every matching section is listed


def test_the_text_layer_is_listed_apart_and_searched_as_typed(real_client):
    result = api(real_client, "talang")
    assert result["expansions"] and result["text_total"] >= 1
    for hit in result["text_hits"]:
        assert 'class="also"' not in hit["snippet"]  # thesaurus words are not searched there
        assert re.search(r"<mark>talang", hit["snippet"], re.I), hit
        assert re.fullmatch(r"p-\d+", hit["anchor"])
    # Facets stay on the entries: a kind or theme filter leaves the text layer out.
    filtered = real_client.get("/api/search?q=talang&kind=challenge").get_json()
    assert filtered["text_hits"] == [] and filtered["text_total"] == 0


def test_the_search_page_links_a_text_hit_to_its_passage_in_the_reader(real_client):
    doc = parse(real_client.get("/sok?q=%22kliniska+pr%C3%B6vningar%22").data)
    section = doc.find("section", cls="text-hits")
    link = section.find("ol", cls="hits").find("a").get("href")
    path, anchor = link.split("#")
    assert re.fullmatch(r"/kallor/[a-z0-9-]+/text", path) and anchor.startswith("p-")
    reader = parse(real_client.get(path).data)
    assert reader.find(id=anchor) is not None, anchor


def test_the_reader_marks_each_quoted_passage_and_links_its_entry(real_client):
    vocab, entries = load_content(REAL_CONTENT)
    texts, _ = load_report_texts(REAL_CONTENT, vocab.sources)
    quoted = quoting(texts["atmp-2023"], [(e.id, e.body) for e in entries if e.source == "atmp-2023"])
    doc = parse(real_client.get("/kallor/atmp-2023/text").data)
    marked = {block.get("id"): {a.get("href").rsplit("/", 1)[-1]
                                for a in block.find("p", cls="quoted-by").find_all("a")}
              for block in doc.find_all("div", cls="quoted")}
    expected = {f"p-{number}": set(ids) for number, ids in quoted.by_block.items() if ids}
    assert marked == expected and marked


def test_a_common_phrase_lists_five_sections_and_links_to_all_of_them(real_client):
    doc = parse(real_client.get("/sok?q=%22inom+life+science-sektorn%22").data)
    hits = doc.find("section", cls="text-hits")
    listed = hits.find_all("li", cls="text-hit")
    link = hits.find("p", cls="all-texts").find("a")
    assert len(listed) == 5 and "avsnitt=alla" in link.get("href")
    every = parse(real_client.get(link.get("href").split("#")[0]).data)
    total = int(re.search(r"\d+", link.text()).group())
    assert len(every.find("section", cls="text-hits").find_all("li", cls="text-hit")) == total > 5
