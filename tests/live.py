"""Real servers and a real browser for tests: a live app on a loopback port, headless Chromium."""

from __future__ import annotations

import os
import shutil
import threading
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

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def get(self, path: str, timeout: float = 30) -> "Response":
        """GET a path; an HTTP error status is a response, not an exception."""
        return fetch(self.url + path, timeout)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


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
        page.on("requestfailed", lambda request: self.problems.append(
            f"request failed: {request.url} ({request.failure})"))
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text} at {message.location}")

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
