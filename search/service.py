"""The knowledge base a running app serves from (one per app, opened lazily per worker)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Mapping

from search.content import Entry, Vocabulary, load_content


class KnowledgeBase:
    """Entries and vocabulary of one content directory, loaded on first use."""

    def __init__(self, content_dir: str | Path, index_dir: str | Path):
        self.content_dir = Path(content_dir)
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._loaded: tuple[Vocabulary, list[Entry]] | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any], instance_path: str) -> "KnowledgeBase":
        """Create the knowledge base an app's configuration describes."""
        index_dir = config.get("INDEX_DIR") or Path(instance_path) / "index"
        return cls(config["CONTENT_DIR"], index_dir)

    def _load(self) -> tuple[Vocabulary, list[Entry]]:
        with self._lock:
            if self._loaded is None:
                self._loaded = load_content(self.content_dir)
            return self._loaded

    def entry_count(self) -> int:
        """Return how many entries are being served."""
        return len(self._load()[1])
