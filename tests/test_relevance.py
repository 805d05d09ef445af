"""Must-find regressions from the judged query sets: a central passage stays in the top ten."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from search.service import SearchRequest, search

RELEVANCE = Path(__file__).parent / "relevance"
JUDGED = [(name, item) for name in ("queries", "heldout")
          for item in yaml.safe_load((RELEVANCE / f"{name}.yaml").read_text(encoding="utf-8"))]


@pytest.mark.parametrize("name,item", JUDGED, ids=[f"{n}:{i['q']}" for n, i in JUDGED])
def test_a_highly_relevant_entry_is_in_the_top_ten(real_snapshot, name, item):
    top = [h.entry.id for h in search(real_snapshot, SearchRequest(q=item["q"], page_size=10)).hits]
    central = {entry for entry, grade in item["relevant"].items() if grade == 2}
    assert central & set(top), f"{item['q']!r}: none of {sorted(central)} in {top}"


def test_judged_ids_exist(real_snapshot):
    missing = {entry for _, item in JUDGED for entry in item["relevant"]} - set(real_snapshot.entries)
    assert not missing
