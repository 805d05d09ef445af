"""The knowledge base: content model, import, indexing, querying and comparison."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the search layer with an app: CLI commands and the per-app knowledge base."""
    from search.cli import COMMANDS
    from search.service import KnowledgeBase

    for command in COMMANDS:
        app.cli.add_command(command)
    app.extensions["kb"] = KnowledgeBase.from_config(app.config, app.instance_path)
