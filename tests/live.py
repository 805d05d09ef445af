"""Real servers and a real browser for tests: a live app on a loopback port, headless Chromium."""

from __future__ import annotations

import os
import shutil
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
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
