"""Real servers and a real browser for tests: a live app on a loopback port, headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

# Chromium flags for a sandbox-less container: no GPU, no network chatter of its own.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
ENABLE_HINT = ("install Chromium (`apt-get install -y chromium`, as .ci/run does) or point "
               "CHROMIUM_PATH at a Chromium binary to enable them")


def chromium_path() -> str | None:
    """The Chromium binary to drive: $CHROMIUM_PATH, else `chromium` on the PATH."""
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


class LiveServer:
    """An app served by werkzeug's threaded server on a free loopback port, in a thread."""

    def __init__(self, app: Any):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server",
                                       daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def get(self, path: str, timeout: float = 30) -> Response:
        """GET a path; an HTTP error status is a response, not an exception."""
        return fetch(self.url + path, timeout)


class GunicornServer:
    """The app under gunicorn: worker processes, each with threads (a switch must be safe across
    both), on a port gunicorn picks itself."""

    def __init__(self, env: dict[str, str], workers: int = 2, threads: int = 2):
        self.env = {**os.environ, **env}
        self.args = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads",
                     str(threads), "--bind", "127.0.0.1:0", "--log-level", "info", "app:create_app()"]
        self.url = ""

    def __enter__(self) -> GunicornServer:
        from config import PROJECT_ROOT

        self.process = subprocess.Popen(self.args, cwd=PROJECT_ROOT, env=self.env,
                                        stderr=subprocess.PIPE, text=True)
        try:
            self._wait_until_serving()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + 60
        while not self.url and time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", line)
            if found:
                self.url = found.group(1)
        # Keep reading its log so that a full pipe never blocks it.
        threading.Thread(target=self.process.stderr.read, daemon=True).start()
        while fetch_or_none(self.url + "/healthz") is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn at {self.url or '?'} never answered /healthz")
            time.sleep(0.1)

    def __exit__(self, *exc: Any) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def get(self, path: str, timeout: float = 30) -> Response:
        return fetch(self.url + path, timeout)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch_or_none(url: str) -> Response | None:
    """GET a URL, or None while nothing listens there yet."""
    try:
        return fetch(url, timeout=5)
    except OSError:
        return None


def fetch(url: str, timeout: float = 30) -> Response:
    """GET a URL with the standard library (a fresh connection per request)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return Response(answer.status, dict(answer.headers), answer.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, dict(error.headers), error.read())


ARTIFACTS = Path(__file__).parent / "artifacts"


class Tab:
    """A browser page that collects what a user would not see but a developer must:
    console errors, uncaught exceptions, failed requests, responses with an error status."""

    def __init__(self, page: Any, server: LiveServer):
        self.page, self.server = page, server
        self.problems: list[str] = []
        self.expected_statuses: dict[str, int] = {}  # URL → status a test asks for (a 404 page)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        # Chromium logs the status of a document it was asked for on purpose (a 404 page) too.
        if message.type == "error" and message.location.get("url") not in self.expected_statuses:
            self.problems.append(f"console error: {message.text} at {message.location}")

    def _failed(self, request: Any) -> None:
        # The icon loads after the page; going on to the next page at once cancels it.
        if request.failure == "net::ERR_ABORTED" and request.url.endswith("/favicon.svg"):
            return
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response: Any) -> None:
        if response.status >= 400 and self.expected_statuses.get(response.url) != response.status:
            self.problems.append(f"{response.status} {response.request.method} {response.url}")

    def goto(self, path: str, status: int = 200) -> Any:
        """Open a page and check the status of its document."""
        if status != 200:
            self.expected_statuses[self.server.url + path] = status
        response = self.page.goto(path)
        assert response is not None and response.status == status, (path, response and response.status)
        return response

    def screenshot(self, name: str) -> Path:
        """Save a full-page screenshot as a test artifact (tests/artifacts/, not in git)."""
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_clean(self) -> None:
        """Nothing went wrong behind the scenes on any page this tab showed."""
        assert not self.problems, "\n".join(self.problems)
