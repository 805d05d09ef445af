"""Faults under a live server: rebuilds under load, a vanished or damaged index, broken content.

The library-level versions are in test_index.py; these go through HTTP on a loopback port, with
the app served by werkzeug's threaded server in a thread of the test process, or by gunicorn.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from app import create_app
from config import PROJECT_ROOT
from search.index import POINTER, build_from_content, current_generation
from tests.live import GunicornServer, LiveServer
from tests.test_index import break_yaml

# Pages that read the index in different ways: a search, an entry (with more-like-this),
# a theme comparison, a free-text comparison, the JSON search and the health check.
PATHS = ["/sok?q=riskkapital", "/post/demo-2024-1-1", "/jamfor?tema=capital-gap",
         "/jamfor?q=testb%C3%A4dd", "/api/search?q=kapital", "/healthz", "/"]
UNAVAILABLE = "Sökindexet är inte tillgängligt"


@pytest.fixture
def live(content_dir, tmp_path, monkeypatch):
    """A live server over a private copy of the fixture corpus; retries after 0.2 s, not 10 s."""
    monkeypatch.setattr("search.generations.RETRY_SECONDS", 0.2)
    app = create_app({"TESTING": False, "CONTENT_DIR": str(content_dir),
                      "INDEX_DIR": str(tmp_path / "index")})
    app.extensions["kb"].snapshot()  # built before the first request
    with LiveServer(app) as server:
        yield server


def cli(*args: str, content_dir: Path, index_dir: Path) -> subprocess.CompletedProcess:
    """Run `flask --app app …` in another process, pointed at the test's content and index."""
    env = {**os.environ, "KB_CONTENT_DIR": str(content_dir), "KB_INDEX_DIR": str(index_dir)}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=PROJECT_ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def poll(server: LiveServer, path: str, until: int = 200, seconds: float = 20) -> list:
    """GET a path until it answers `until`; return every response seen on the way."""
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = server.get(path)
        seen.append(response)
        if response.status == until:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"{path} never answered {until}: {Counter(r.status for r in seen)}")


def assert_unavailable_page(response) -> None:
    """A 503 is the site's own page, saying plainly that the index is unavailable."""
    assert response.status == 503
    assert UNAVAILABLE in response.text
    assert 'class="error-page" data-status="503"' in response.text
    assert "Traceback" not in response.text


@pytest.fixture(params=["werkzeug", "gunicorn"])
def served(request, content_dir, tmp_path):
    """The fixture corpus served in a thread (werkzeug) or by 2 gunicorn worker processes."""
    index_dir = tmp_path / "index"
    build_from_content(content_dir, index_dir)
    if request.param == "werkzeug":
        app = create_app({"CONTENT_DIR": str(content_dir), "INDEX_DIR": str(index_dir)})
        server = LiveServer(app)
    else:
        server = GunicornServer({"KB_CONTENT_DIR": str(content_dir), "KB_INDEX_DIR": str(index_dir)})
    with server:
        yield server, index_dir


def test_rebuilds_in_another_process_under_load_fail_no_request(served, content_dir):
    """Three `flask index` runs while 6 threads keep requesting pages: every answer is a 200,
    and every worker serves the last build afterwards."""
    server, index_dir = served
    failures: list[str] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    stop = threading.Event()

    def client(offset: int) -> None:
        n = offset
        while not stop.is_set():
            path = PATHS[n % len(PATHS)]
            n += 1
            try:
                response = server.get(path)
                status = response.status
                ok = status == 200 and (path.startswith("/api/") or path == "/healthz"
                                        or b"</html>" in response.body)
            except Exception as exc:  # a reset or refused connection is a failed request too
                status, ok = repr(exc), False
            with lock:
                statuses[status] += 1
                if not ok:
                    failures.append(f"{path}: {status}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    try:
        generations = [current_generation(index_dir).name]
        started = sum(statuses.values())
        for round_ in range(3):
            if round_ == 2:  # the last build carries a change the servers must show afterwards
                path = content_dir / "annan-2022" / "annan-2022-3.md"
                path.write_text(path.read_text(encoding="utf-8").replace("Testbäddarna", "Pilotsjukhusen"),
                                encoding="utf-8")
            result = cli("index", content_dir=content_dir, index_dir=index_dir)
            assert result.returncode == 0, result.stderr
            generations.append(current_generation(index_dir).name)
        during = sum(statuses.values()) - started
        # Keep the load on until a few hundred requests have run, switches included.
        deadline = time.monotonic() + 30
        while sum(statuses.values()) < 300 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    print(f"{sum(statuses.values())} requests, {during} during the rebuilds: {dict(statuses)}")
    assert not failures, f"{len(failures)} failed requests, e.g. {failures[:5]}"
    assert sum(statuses.values()) >= 300, statuses
    assert during >= 100, f"only {during} requests ran while the index was being rebuilt"
    assert len(set(generations)) == 4
    for _ in range(12):  # every worker has switched to the last generation
        response = server.get("/sok?q=pilotsjukhusen")
        assert response.status == 200 and 'data-entry="annan-2022-3"' in response.text


def test_deleted_index_is_rebuilt_by_the_running_app(live):
    before = live.get("/sok?q=riskkapital")
    assert before.status == 200 and 'data-entry="demo-2024-1-1"' in before.text
    kb = live.app.extensions["kb"]
    shutil.rmtree(kb.index_dir)
    time.sleep(0.3)  # past RETRY_SECONDS: the next request rebuilds
    seen = poll(live, "/sok?q=riskkapital")
    for response in seen[:-1]:
        assert_unavailable_page(response)
    assert 'data-entry="demo-2024-1-1"' in seen[-1].text
    assert current_generation(kb.index_dir) is not None
    assert live.get("/healthz").status == 200


def test_deleted_index_and_broken_content_answer_503_then_recover(live, content_dir):
    """No index and no way to build one: a clear 503 everywhere; fixing the content heals it."""
    kb = live.app.extensions["kb"]
    broken = content_dir / "demo-2024" / "demo-2024-1-1.md"
    good = broken.read_text(encoding="utf-8")
    break_yaml(content_dir)
    shutil.rmtree(kb.index_dir)
    time.sleep(0.3)
    for path in ("/", "/sok?q=riskkapital", "/post/demo-2024-1-1", "/jamfor?tema=capital-gap",
                 "/kallor"):
        assert_unavailable_page(live.get(path))
    api = live.get("/api/search?q=riskkapital")
    assert api.status == 503 and api.headers["Content-Type"].startswith("application/json")
    assert UNAVAILABLE in api.text
    assert live.get("/healthz").status == 503  # a load balancer takes the node out
    assert live.get("/static/site.css").status == 200  # the error page still has its styles
    broken.write_text(good, encoding="utf-8")
    time.sleep(0.3)
    seen = poll(live, "/sok?q=riskkapital")
    assert 'data-entry="demo-2024-1-1"' in seen[-1].text
    assert live.get("/healthz").status == 200


def corrupt(generation: Path) -> None:
    """Overwrite every Whoosh file of a generation (segments and table of contents) with garbage."""
    for file in generation.rglob("*"):
        if file.suffix in (".seg", ".toc"):
            file.write_bytes(b"garbage" * 10)


def test_corrupted_serving_index_is_rebuilt_by_the_running_app(live):
    kb = live.app.extensions["kb"]
    assert 'data-entry="demo-2024-1-1"' in live.get("/sok?q=riskkapital").text
    damaged = current_generation(kb.index_dir)
    corrupt(damaged)
    time.sleep(0.3)
    # What is already in memory (pages, posting lists) may still be served; the first request
    # that must read the damaged files finds the damage.
    seen = poll(live, "/sok?q=bioteknikf%C3%B6retag")
    for response in seen[:-1]:
        assert_unavailable_page(response)
    assert 'data-entry="demo-2024-1-1"' in seen[-1].text
    assert current_generation(kb.index_dir) != damaged
    for path in PATHS:
        assert live.get(path).status == 200, path


def test_corrupted_index_without_auto_rebuild_answers_503_until_rebuilt(content_dir, tmp_path):
    app = create_app({"CONTENT_DIR": str(content_dir), "INDEX_DIR": str(tmp_path / "index"),
                      "AUTO_REBUILD": False})
    kb = app.extensions["kb"]
    build_from_content(content_dir, kb.index_dir)
    with LiveServer(app) as live:
        assert live.get("/sok?q=riskkapital").status == 200
        corrupt(current_generation(kb.index_dir))
        # The first request that reads the damaged files finds the damage; from then on the
        # generation is not served, cached pages included.
        for path in ("/sok?q=bioteknikf%C3%B6retag", "/sok?q=riskkapital", "/post/demo-2024-1-1",
                     "/jamfor?tema=capital-gap"):
            assert_unavailable_page(live.get(path))
        assert live.get("/api/search?q=riskkapital").status == 503
        result = cli("index", content_dir=content_dir, index_dir=kb.index_dir)
        assert result.returncode == 0, result.stderr
        response = live.get("/sok?q=riskkapital")
        assert response.status == 200 and 'data-entry="demo-2024-1-1"' in response.text


def test_broken_yaml_fails_check_and_index_and_leaves_the_served_index(live, content_dir):
    kb = live.app.extensions["kb"]
    before_page = live.get("/sok?q=riskkapital")
    assert 'data-entry="demo-2024-1-1"' in before_page.text
    pointer = (Path(kb.index_dir) / POINTER).read_text()
    broken = break_yaml(content_dir)

    check = cli("check", content_dir=content_dir, index_dir=kb.index_dir)
    assert check.returncode == 1
    assert f"{broken.name}:" in check.stderr and "yaml" in check.stderr.lower()

    index = cli("index", content_dir=content_dir, index_dir=kb.index_dir)
    assert index.returncode == 1
    assert broken.name in index.stderr and "unchanged" in index.stderr
    assert (Path(kb.index_dir) / POINTER).read_text() == pointer

    after = live.get("/sok?q=riskkapital")
    assert after.status == 200 and 'data-entry="demo-2024-1-1"' in after.text
    assert live.get("/post/demo-2024-1-1").status == 200

    # A fresh server (a restart, a new worker) on the broken content serves the same index.
    restarted = create_app({"CONTENT_DIR": str(content_dir), "INDEX_DIR": str(kb.index_dir)})
    with LiveServer(restarted) as again:
        response = again.get("/sok?q=riskkapital")
        assert response.status == 200 and 'data-entry="demo-2024-1-1"' in response.text
    assert (Path(kb.index_dir) / POINTER).read_text() == pointer
