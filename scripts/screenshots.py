"""Take full-page screenshots of the site's pages at 1280 px and 390 px, in Swedish and English.

Usage: .venv/bin/python scripts/screenshots.py [--out tests/artifacts/screens] [path ...]
Serves the real content from a temporary index with headless Chromium (the system's).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from tests.live import CHROMIUM_ARGS, LiveServer, chromium_path  # noqa: E402

PAGES = ["/", "/sok?q=kapitalgap", "/post/skane-2020-2-3-kliniska-studier",
         "/jamfor?tema=capital-gap", "/jamfor?q=h%C3%A4lsodata", "/teman", "/kallor",
         "/kallor/skane-2020", "/kallor/skane-2020/text", "/regioner", "/regioner/skane"]
WIDTHS = {"desktop": 1280, "phone": 390}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "tests" / "artifacts" / "screens"))
    parser.add_argument("paths", nargs="*", default=PAGES)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = create_app({"TESTING": True, "CONTENT_DIR": str(ROOT / "content"),
                      "INDEX_DIR": tempfile.mkdtemp(prefix="screens-")})
    app.extensions["kb"].snapshot()
    with LiveServer(app) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for name, width in WIDTHS.items():
            page = browser.new_page(viewport={"width": width, "height": 900})
            for lang in ("sv", "en"):
                for path in args.paths:
                    joiner = "&" if "?" in path else "?"
                    page.goto(f"{server.url}{path}{joiner}lang={lang}")
                    slug = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-") or "start"
                    file = out / f"{slug[:60]}-{lang}-{name}.png"
                    page.screenshot(path=str(file), full_page=True)
                    overflow = page.evaluate("document.scrollingElement.scrollWidth")
                    height = page.evaluate("document.scrollingElement.scrollHeight")
                    print(f"{file.name}: scrollWidth {overflow} (viewport {width}), height {height}")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
