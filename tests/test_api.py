"""The JSON twins under /api/ and the OpenAPI document."""

from __future__ import annotations

import re
from urllib.parse import urlencode


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert response.mimetype == "application/json"
    return response.get_json()


def test_search_api_takes_the_page_parameters(client):
    data = get_json(client, "/api/search?q=prövningar&region=testlan")
    assert data["total"] == 1 and data["filters"] == {"region": ["testlan"]}
    hit = data["hits"][0]
    assert hit["id"] == "demo-2024-2-1" and hit["section"] == "2.1" and hit["page"] == 7
    assert "<mark>prövningar</mark>" in hit["snippet"]
    assert dict(data["facets"]["kind"]) == {"recommendation": 1}


def test_search_api_pages(client):
    data = get_json(client, "/api/search?page_size=1&page=2")
    assert data["page"] == 2 and data["pages"] == 3 and len(data["hits"]) == 1


def test_compare_api(client):
    data = get_json(client, "/api/compare?tema=capital-gap&region=testlan&region=tomlan")
    assert data["theme"]["slug"] == "capital-gap"
    assert [(c["slug"], c["status"]) for c in data["regions"]] == [("testlan", "found"), ("tomlan", "no-report")]
    assert [i["id"] for i in data["regions"][0]["cells"]["challenge"]] == ["demo-2024-1-1"]
    assert data["regions"][0]["cells"]["challenge"][0]["citation"].startswith("Källa: ")


def test_compare_api_free_text_and_errors(client):
    data = get_json(client, "/api/compare?q=MDR")
    assert data["mode"] == "text" and data["rule"]["min_relative_score"] == 0.2
    assert get_json(client, "/api/compare", 400)["error"]["status"] == 400
    error = get_json(client, "/api/compare?tema=nope", 400)["error"]
    assert error["message"] == "Okänt tema." and error["value"] == "nope"


def test_entry_api(client):
    data = get_json(client, "/api/entries/demo-2024-2-1")
    assert data["entry"]["title"] == "Inför ett samlat regulatoriskt stöd för MDR och IVDR"
    assert data["entry"]["addressees"] == ["region-testlan"]
    assert data["citations"]["sv"].endswith("avsnitt 2.1, s. 7.")
    assert data["citations"]["en"].endswith("section 2.1, p. 7.")
    assert [r["id"] for r in data["related"]] == ["annan-2022-3"]
    assert get_json(client, "/api/entries/nope", 404)["error"]["title"] == "Sidan finns inte"


def test_themes_api(client):
    themes = get_json(client, "/api/themes")["themes"]
    assert [t["slug"] for t in themes] == ["capital-gap", "clinical-testbeds", "regulatory-support"]
    counts = {r["slug"]: r["counts"] for r in themes[0]["regions"]}
    assert counts["testlan"] == {"recommendation": 0, "challenge": 1, "finding": 0}


def test_matrix_api(client):
    data = get_json(client, "/api/matrix")
    assert [r["slug"] for r in data["regions"]] == ["testlan", "grannlan"] and data["max"] == 1


def test_sources_api(client):
    sources = get_json(client, "/api/sources")["sources"]
    assert [(s["slug"], s["year"], s["doc_type"], s["total"]) for s in sources] == [
        ("demo-2024", "2024", "analysis", 2), ("annan-2022", "2022", "agenda", 1)]
    detail = get_json(client, "/api/sources/demo-2024")
    assert [e["id"] for e in detail["entries"]] == ["demo-2024-1-1", "demo-2024-2-1"]
    get_json(client, "/api/sources/nope", 404)


def test_regions_api(client):
    regions = get_json(client, "/api/regions")["regions"]
    assert [(r["slug"], len(r["sources"])) for r in regions] == [("testlan", 1), ("grannlan", 1), ("tomlan", 0)]
    detail = get_json(client, "/api/regions/testlan")
    assert detail["region"]["name"] == "Testlän" and detail["counts"]["recommendation"] == 1
    assert detail["recommendations"][0]["entries"][0]["id"] == "demo-2024-2-1"
    assert get_json(client, "/api/regions/tomlan")["has_sources"] is False
    get_json(client, "/api/regions/nope", 404)


def test_unknown_api_path_is_json_404(client):
    assert get_json(client, "/api/nothing", 404)["error"]["status"] == 404


def test_openapi_lists_every_api_path(app, client):
    document = get_json(client, "/api/openapi.json")
    assert document["openapi"].startswith("3.")
    rules = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
             for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    assert rules == set(document["paths"])
    for path, item in document["paths"].items():
        for name in re.findall(r"{(\w+)}", path):
            assert any(p["name"] == name and p["in"] == "path" for p in item["get"]["parameters"]), path
    search_params = {p["name"] for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "kind", "region", "theme", "source", "page"} <= search_params
    compare_params = {p["name"] for p in document["paths"]["/api/compare"]["get"]["parameters"]}
    assert {"tema", "q", "region", "kind"} <= compare_params


def test_every_page_has_a_json_twin(app):
    pages = {"/": "/api/matrix", "/sok": "/api/search", "/jamfor": "/api/compare",
             "/post/<entry_id>": "/api/entries/<entry_id>", "/teman": "/api/themes",
             "/kallor": "/api/sources", "/kallor/<slug>": "/api/sources/<slug>",
             "/regioner": "/api/regions", "/regioner/<slug>": "/api/regions/<slug>"}
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    for html_page, twin in pages.items():
        assert html_page in rules and twin in rules


def judged_and_generated_queries(count: int = 200) -> list[str]:
    """The judged queries and `count` generated ones (two to four words from the entries)."""
    import random
    from pathlib import Path

    import yaml

    from tests.conftest import REAL_CONTENT

    here = Path(__file__).parent / "relevance"
    judged = [q["q"] for name in ("queries", "heldout")
              for q in yaml.safe_load((here / f"{name}.yaml").read_text(encoding="utf-8"))]
    words = sorted({w for path in REAL_CONTENT.glob("*/*.md") if path.parent.name != "sources"
                    for w in re.findall(r"[^\W\d_]{4,}", path.read_text(encoding="utf-8"))})
    rng = random.Random(12)
    generated = [" ".join(rng.sample(words, rng.randint(2, 4))) for _ in range(count)]
    return judged + generated


def test_a_two_list_cache_gives_the_same_results_through_the_api(real_app, tmp_path):
    """POSTING_LIST_CACHE = 2 must change nothing a user sees, only what a worker keeps."""
    from app import create_app

    kb = real_app.extensions["kb"]
    tiny = create_app({"TESTING": True, "CONTENT_DIR": str(kb.content_dir),
                       "INDEX_DIR": str(kb.index_dir), "AUTO_REBUILD": False,
                       "POSTING_LIST_CACHE": 2, "PAGE_CACHE_PAGES": 0})
    default, small = real_app.test_client(), tiny.test_client()
    compared = 0
    for q in judged_and_generated_queries():
        url = "/api/search?" + urlencode({"q": q, "page_size": 100})
        expected, found = default.get(url).get_json(), small.get(url).get_json()
        assert found["total"] == expected["total"], q
        assert [(h["id"], h["score"]) for h in found["hits"]] == \
            [(h["id"], h["score"]) for h in expected["hits"]], q
        compared += expected["total"] > 0
    assert compared > 150
    impacts, positions = tiny.extensions["kb"].snapshot().postings.held()
    assert impacts <= 2 and positions <= 2
