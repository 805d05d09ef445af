"""The page cache: repeated URLs answered from memory, per language and per index generation."""

from __future__ import annotations

from app import create_app
from web.caching import Page, PageCache


def test_a_repeated_page_is_served_from_the_cache_unchanged(client):
    first = client.get("/sok?q=riskkapital")
    second = client.get("/sok?q=riskkapital")
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "hit"
    assert second.data == first.data and b'data-entry="demo-2024-1-1"' in second.data
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    # Security headers are added to cached answers as to fresh ones.
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


def test_languages_are_cached_apart(client):
    swedish = client.get("/sok?q=riskkapital")
    english = client.get("/sok?q=riskkapital&lang=en")
    assert english.headers["X-Cache"] == "miss"
    assert b'lang="en"' in english.data and b'lang="sv"' in swedish.data[:200]
    # The language chosen is remembered in a cookie even when the page comes from the cache.
    client.delete_cookie("lang")
    again = client.get("/sok?q=riskkapital&lang=en")
    assert again.headers["X-Cache"] == "hit" and "lang=en" in again.headers.get("Set-Cookie", "")
    client.delete_cookie("lang")
    assert client.get("/sok?q=riskkapital").data == swedish.data


def test_a_new_generation_empties_the_cache(app, client, content_dir):
    before = client.get("/post/demo-2024-1-1")
    assert client.get("/post/demo-2024-1-1").headers["X-Cache"] == "hit"
    entry = content_dir / "demo-2024" / "demo-2024-1-1.md"
    text = entry.read_text(encoding="utf-8")
    entry.write_text(text.replace("title: Kapitalgap i tidiga skeden för bioteknikföretag",
                                  "title: Kapitalgapet i tidiga skeden"), encoding="utf-8")
    app.extensions["kb"].rebuild()
    after = client.get("/post/demo-2024-1-1")
    assert after.headers["X-Cache"] == "miss"
    assert "Kapitalgapet i tidiga skeden" in after.get_data(as_text=True)
    assert "Kapitalgapet" not in before.get_data(as_text=True)


def test_errors_health_and_static_files_are_not_cached(client):
    for _ in range(2):
        missing = client.get("/post/no-such-entry")
        assert missing.status_code == 404 and missing.headers["X-Cache"] == "miss"
    assert "X-Cache" not in client.get("/healthz").headers
    assert "X-Cache" not in client.get("/static/site.css").headers


def test_downloads_keep_their_file_name_when_cached(client):
    first = client.get("/sok.csv?q=riskkapital")
    second = client.get("/sok.csv?q=riskkapital")
    assert second.headers["X-Cache"] == "hit" and second.data == first.data
    assert second.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    assert second.headers["Content-Disposition"].startswith("attachment")


def test_the_cache_can_be_turned_off(content_dir, tmp_path):
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir),
                      "INDEX_DIR": str(tmp_path / "index"), "PAGE_CACHE_PAGES": 0})
    client = app.test_client()
    for _ in range(2):
        response = client.get("/sok?q=riskkapital")
        assert response.status_code == 200 and "X-Cache" not in response.headers


def page(size: int) -> Page:
    return Page(b"x" * size, 200, ())


def test_the_cache_drops_the_least_recently_used_beyond_its_bounds():
    cache = PageCache(max_pages=3, max_bytes=800)
    for key in "abc":
        cache.put("g1", key, page(10))
    assert cache.get("g1", "a") is not None  # a is now the most recent
    cache.put("g1", "d", page(10))
    assert cache.get("g1", "b") is None and cache.get("g1", "a") is not None and len(cache) == 3
    cache.put("g1", "e", page(95))
    cache.put("g1", "f", page(95))
    assert sum(len(cache.get("g1", k).body) for k in "acdef" if cache.get("g1", k)) <= 800
    cache.put("g1", "huge", page(101))  # over an eighth of the bytes: never stored
    assert cache.get("g1", "huge") is None


def test_the_cache_forgets_pages_of_another_generation():
    cache = PageCache(max_pages=10, max_bytes=10_000)
    cache.put("g1", "a", page(10))
    assert cache.get("g2", "a") is None
    assert len(cache) == 0


def test_hit_headings_follow_the_language_and_the_generation(content_dir, tmp_path):
    # Headings of hits are rendered once per entry, generation and language (web/present.py);
    # with the page cache off, every page below is built again and must show the current text.
    app = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir),
                      "INDEX_DIR": str(tmp_path / "index"), "PAGE_CACHE_PAGES": 0})
    client = app.test_client()

    def heading(url: str) -> str:
        page = client.get(url).get_data(as_text=True)
        start = page.index('data-entry="demo-2024-1-1"')
        return page[start:page.index('class="snippet"', start)]

    swedish = heading("/sok?q=riskkapital")
    assert "Kapitalgap i tidiga skeden" in swedish and ">Testlän</a>" in swedish
    english = heading("/sok?q=riskkapital&lang=en")
    assert "Capital gap in early stages" in english and ">Testlan County</a>" in english
    assert heading("/sok?q=kapital&lang=sv") == swedish  # another query, the same heading
    entry = content_dir / "demo-2024" / "demo-2024-1-1.md"
    entry.write_text(entry.read_text(encoding="utf-8").replace(
        "title: Kapitalgap i tidiga skeden för bioteknikföretag", "title: Kapitalgapet i tidiga skeden"),
        encoding="utf-8")
    app.extensions["kb"].rebuild()
    assert "Kapitalgapet i tidiga skeden" in heading("/sok?q=riskkapital&lang=sv")
