"""The JSON twins under /api/ and the OpenAPI document."""

from __future__ import annotations

import re
import tempfile
from urllib.parse import urlencode

import pytest
from jsonschema import Draft202012Validator


@pytest.fixture(scope="module")
def openapi():
    """The served OpenAPI document, as the validator's root (its refs resolve inside it)."""
    from app import create_app
    from tests.conftest import FIXTURE_CONTENT

    app = create_app({"TESTING": True, "CONTENT_DIR": str(FIXTURE_CONTENT),
                      "INDEX_DIR": tempfile.mkdtemp(prefix="openapi-")})
    return app.test_client().get("/api/openapi.json").get_json()


def validate(document, path: str, data, status: int = 200) -> None:
    """Check a response body against the document's schema for that path and status."""
    template = next(p for p in document["paths"] if re.fullmatch(
        re.sub(r"\\{\w+\\}", "[^/]+", re.escape(p)), path))
    schema = document["paths"][template]["get"]["responses"][str(status)]["content"][
        "application/json"]["schema"]
    root = {**schema, "components": document["components"]}
    errors = list(Draft202012Validator(root).iter_errors(data))
    assert not errors, (path, [e.message for e in errors[:3]])


VALIDATED: list[str] = []


def get_json(client, url, status=200, document=None):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert response.mimetype == "application/json"
    data = response.get_json()
    if document is not None:
        validate(document, url.split("?")[0], data, status)
        VALIDATED.append(url.split("?")[0])
    return data


def test_search_api_takes_the_page_parameters(client, openapi):
    data = get_json(client, "/api/search?q=prövningar&region=testlan", document=openapi)
    assert data["total"] == 1 and data["filters"] == {"region": ["testlan"]}
    hit = data["hits"][0]
    entry = hit["entry"]
    assert entry["id"] == "demo-2024-2-1" and entry["section"] == "2.1" and entry["page"] == 7
    assert "<mark>prövningar</mark>" in hit["snippet"]
    assert data["facets"]["kind"] == [{"value": "recommendation", "count": 1}]
    assert data["parsed"]["words"] == ["prövningar"]


def test_search_api_pages(client, openapi):
    data = get_json(client, "/api/search?page_size=1&page=2", document=openapi)
    assert data["page"] == 2 and data["pages"] == 3 and len(data["hits"]) == 1


def test_compare_api_is_the_aligned_grid(client, openapi):
    data = get_json(client, "/api/compare?tema=capital-gap&region=testlan&region=tomlan",
                    document=openapi)
    assert data["theme"]["slug"] == "capital-gap" and data["mode"] == "theme"
    assert [(c["region"]["slug"], c["status"]) for c in data["regions"]] == [
        ("testlan", "found"), ("tomlan", "no-report")]
    rows = {r["key"]: r for r in data["rows"]}
    early = rows["capital-gap--early-stage-capital"]
    assert early["subissue"]["label_sv"] == "Kapital i tidiga skeden"
    cell = early["cells"][0]
    assert cell["region"] == "testlan" and cell["counts"]["challenge"] == 1
    assert cell["items"][0]["entry"]["id"] == "demo-2024-1-1"
    assert cell["items"][0]["citation"].startswith("Källa: ")
    assert early["cells"][1]["status"] == "no-report"


def test_compare_api_free_text_and_errors(client, openapi):
    data = get_json(client, "/api/compare?q=MDR", document=openapi)
    assert data["mode"] == "text" and data["rule"]["min_relative_score"] == 0.2
    assert get_json(client, "/api/compare", 400, document=openapi)["error"]["status"] == 400
    error = get_json(client, "/api/compare?tema=nope", 400, document=openapi)["error"]
    assert error["message"] == "Okänt tema." and error["value"] == "nope"


def test_entry_api(client, openapi):
    data = get_json(client, "/api/entries/demo-2024-2-1", document=openapi)
    assert data["entry"]["title"] == "Inför ett samlat regulatoriskt stöd för MDR och IVDR"
    assert data["entry"]["addressees"] == ["region-testlan"]
    assert data["entry"]["subissues"] == {"regulatory-support": ["mdr-ivdr"]}
    assert data["citations"]["sv"].endswith("avsnitt 2.1, s. 7.")
    assert data["citations"]["en"].endswith("section 2.1, p. 7.")
    assert [r["entry"]["id"] for r in data["related"]] == ["annan-2022-3"]
    error = get_json(client, "/api/entries/nope", 404, document=openapi)["error"]
    assert error["title"] == "Sidan finns inte"


def test_themes_api(client, openapi):
    themes = get_json(client, "/api/themes", document=openapi)["themes"]
    assert [t["theme"]["slug"] for t in themes] == ["capital-gap", "clinical-testbeds",
                                                    "regulatory-support"]
    counts = {r["region"]["slug"]: r["counts"] for r in themes[0]["regions"]}
    assert counts["testlan"] == {"recommendation": 0, "challenge": 1, "finding": 0}
    assert themes[0]["subissues"] == {"early-stage-capital": 2, "private-investors": 1}


def test_start_api(client, openapi):
    data = get_json(client, "/api/start", document=openapi)
    assert [r["slug"] for r in data["matrix"]["regions"]] == ["testlan", "grannlan"]
    assert data["matrix"]["max"] == 1 and data["total"] == 3
    assert [t["slug"] for t in data["core"]] == ["capital-gap", "clinical-testbeds", "regulatory-support"]


def test_sources_api(client, openapi):
    sources = get_json(client, "/api/sources", document=openapi)["sources"]
    assert [(s["source"]["slug"], s["source"]["year"], s["source"]["doc_type"], s["total"])
            for s in sources] == [("demo-2024", 2024, "analysis", 2), ("annan-2022", 2022, "agenda", 1)]
    detail = get_json(client, "/api/sources/demo-2024", document=openapi)
    assert [e["entry"]["id"] for e in detail["entries"]] == ["demo-2024-1-1", "demo-2024-2-1"]
    assert detail["has_text"] is False
    get_json(client, "/api/sources/nope", 404, document=openapi)
    get_json(client, "/api/sources/demo-2024/text", 404, document=openapi)  # no text kept


def test_regions_api(client, openapi):
    regions = get_json(client, "/api/regions", document=openapi)["regions"]
    assert [(r["region"]["slug"], len(r["sources"])) for r in regions] == [
        ("testlan", 1), ("grannlan", 1), ("tomlan", 0)]
    detail = get_json(client, "/api/regions/testlan", document=openapi)
    assert detail["region"]["name"] == "Testlän" and detail["counts"]["recommendation"] == 1
    assert detail["recommendations"][0]["entries"][0]["entry"]["id"] == "demo-2024-2-1"
    assert get_json(client, "/api/regions/tomlan", document=openapi)["sources"] == []
    get_json(client, "/api/regions/nope", 404, document=openapi)


def test_unknown_api_path_is_json_404(client):
    assert get_json(client, "/api/nothing", 404)["error"]["status"] == 404


def test_openapi_lists_every_api_path(app, client):
    document = get_json(client, "/api/openapi.json")
    assert document["openapi"] == "3.1.0"
    rules = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
             for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    assert rules == set(document["paths"])
    for path, item in document["paths"].items():
        for name in re.findall(r"{(\w+)}", path):
            assert any(p["name"] == name and p["in"] == "path" for p in item["get"]["parameters"]), path
    search_params = {p["name"] for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "kind", "region", "theme", "source", "page"} <= search_params
    compare_params = {p["name"] for p in document["paths"]["/api/compare"]["get"]["parameters"]}
    assert {"tema", "q", "region", "kind", "svagare"} <= compare_params


def test_the_schemas_are_strict_about_fields(openapi):
    """Response objects list their properties: a renamed field fails validation."""
    entry = openapi["components"]["schemas"]["Entry"]
    assert {"id", "title", "kind", "themes", "subissues", "body"} <= set(entry["properties"])
    assert "path" not in entry["properties"]
    with pytest.raises(AssertionError):
        validate(openapi, "/api/entries/x", {"entry": {"id": 1}, "citation": "", "citations": {},
                                              "source": None, "related": [], "place": None})


def test_every_page_has_a_json_twin(app):
    pages = {"/": "/api/start", "/sok": "/api/search", "/jamfor": "/api/compare",
             "/post/<entry_id>": "/api/entries/<entry_id>", "/teman": "/api/themes",
             "/kallor": "/api/sources", "/kallor/<slug>": "/api/sources/<slug>",
             "/kallor/<slug>/text": "/api/sources/<slug>/text",
             "/regioner": "/api/regions", "/regioner/<slug>": "/api/regions/<slug>"}
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    for html_page, twin in pages.items():
        assert html_page in rules and twin in rules


def test_every_api_path_was_validated_against_the_document(openapi):
    """Runs after the tests above (file order): each documented path had a response checked."""
    templates = {p for p in openapi["paths"] if p != "/api/openapi.json"}
    covered = {t for t in templates for url in VALIDATED
               if re.fullmatch(re.sub(r"\\{\w+\\}", "[^/]+", re.escape(t)), url)}
    assert covered == templates, templates - covered


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
        assert [(h["entry"]["id"], h["score"]) for h in found["hits"]] == \
            [(h["entry"]["id"], h["score"]) for h in expected["hits"]], q
        compared += expected["total"] > 0
    assert compared > 150
    impacts, positions = tiny.extensions["kb"].snapshot().postings.held()
    assert impacts <= 2 and positions <= 2


def test_the_test_apps_check_every_api_response_against_the_document(content_dir, tmp_path):
    """The check in tests/conftest.py is live: a response that breaks its schema fails the test."""
    from app import create_app
    from tests.conftest import validating_api

    app = validating_api(create_app({"TESTING": True, "CONTENT_DIR": str(content_dir),
                                     "INDEX_DIR": str(tmp_path / "index")}))

    @app.after_request
    def break_it(response):  # runs before the check, which was registered first
        if response.mimetype == "application/json":
            response.set_data(b'{"total": "many"}')
        return response

    with pytest.raises(AssertionError, match="/api/search"):
        app.test_client().get("/api/search?q=kapital")
