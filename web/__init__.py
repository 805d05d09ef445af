"""The Flask site: views, JSON API, CLI commands and templates over the knowledge base."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register everything with an app: the served knowledge base, CLI commands, language,
    security headers, errors, page cache, pages and API."""
    from search.generations import KnowledgeBase
    from web import caching, errors, i18n, security
    from web.api import SafeJSONProvider
    from web.api import bp as api_bp
    from web.cli import COMMANDS
    from web.markup import render_markdown
    from web.present import cached_url_for
    from web.views import bp  # registers the pages' routes on both blueprints

    app.extensions["kb"] = KnowledgeBase.from_config(app.config, app.instance_path)
    for command in COMMANDS:
        app.cli.add_command(command)
    app.json = SafeJSONProvider(app)
    app.jinja_env.globals["url_for"] = cached_url_for
    app.jinja_env.globals["render_markdown"] = render_markdown
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    caching.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
