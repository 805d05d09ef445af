"""HTML views: parse the request, call the knowledge base, render."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

bp = Blueprint("site", __name__)


def kb():
    """Return the app's knowledge base."""
    return current_app.extensions["kb"]


@bp.get("/healthz")
def healthz():
    """Report that the app is up and how many entries it serves."""
    return jsonify(status="ok", entries=kb().entry_count())
