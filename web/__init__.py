"""The Flask site: views, JSON API and templates over the search layer."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the site's blueprints with an app."""
    from web.views import bp

    app.register_blueprint(bp)
