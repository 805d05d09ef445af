"""Security headers on every response, and no debug mode when served in production."""

from __future__ import annotations

import logging
import os

from flask import Flask, Response

log = logging.getLogger(__name__)

# No inline scripts or styles anywhere: scripts and styles come from /static only.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def add_headers(response: Response) -> Response:
    """Set the security headers (views may not weaken them)."""
    for name, value in HEADERS.items():
        response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response; refuse debug mode under a production server."""
    if app.debug and os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn"):
        # FLASK_DEBUG left set in a production environment: never show tracebacks to visitors.
        log.warning("debug mode requested under gunicorn; switching it off")
        app.debug = False
    app.after_request(add_headers)
