"""The served knowledge base of the current app."""

from __future__ import annotations

from flask import current_app

from search.generations import KnowledgeBase


def kb() -> KnowledgeBase:
    """Return the app's knowledge base."""
    found: KnowledgeBase = current_app.extensions["kb"]
    return found
