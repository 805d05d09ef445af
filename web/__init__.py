"""The Flask site: views, JSON API and templates over the search layer."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the site with an app: language, security headers, errors, page cache, pages, API."""
    from web import caching, errors, i18n, security
    from web.present import cached_url_for
    from web.api import SafeJSONProvider, bp as api_bp
    from web.views import bp

    app.json = SafeJSONProvider(app)
    app.jinja_env.globals["url_for"] = cached_url_for
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    caching.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
