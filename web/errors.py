"""Error responses in the interface language: HTML for pages, JSON under /api/."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from kb.i18n import N_
from kb.reports.compare import CompareError
from search.generations import IndexUnavailable
from web.i18n import gettext as _

log = logging.getLogger(__name__)

# Titles and explanations (Swedish message ids; translated when shown).
MESSAGES = {
    400: (N_("Felaktig förfrågan"), N_("Adressen innehåller ett värde som sidan inte kan använda.")),
    404: (N_("Sidan finns inte"),
          N_("Det finns ingen sida på den här adressen. Den kan ha flyttats, eller så är länken felskriven.")),
    405: (N_("Metoden stöds inte"), N_("Sidan kan bara hämtas, inte skickas till.")),
    500: (N_("Något gick fel"), N_("Ett oväntat fel inträffade. Felet är loggat.")),
    503: (N_("Sökindexet är inte tillgängligt"),
          N_("Kunskapsbasen byggs om eller kan inte läsas just nu. Försök igen om en stund.")),
}
PARAM_MESSAGES = {"tema": N_("Okänt tema."), "region": N_("Okänd region."), "kind": N_("Okänd typ."),
                  "format": N_("Okänt format.")}


class BadParameter(Exception):
    """A URL parameter with a value the page cannot use (answered with 400)."""

    def __init__(self, param: str, value: str):
        self.param, self.value = param, value
        super().__init__(f"bad value for {param}")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, detail: str = "", value: str = "") -> Any:
    """Render an error: a page in the interface language, or JSON for the API."""
    title, text = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    if _wants_json():
        body: dict[str, Any] = {"status": status, "title": _(title), "message": _(detail or text)}
        if value:
            body["value"] = value
        return jsonify(error=body), status
    return render_template("error.html", status=status, title=_(title), message=_(detail or text),
                           value=value), status


def _http_error(error: HTTPException) -> Any:
    return error_response(error.code or 500)


def _bad_parameter(error: BadParameter | CompareError) -> Any:
    return error_response(400, PARAM_MESSAGES.get(error.param, ""), error.value[:200])


def _index_unavailable(error: IndexUnavailable) -> Any:
    log.error("answering 503: %s", error)
    return error_response(503)


def _unexpected(error: Exception) -> Any:
    # The full path carries the query: the first thing needed to reproduce the bug.
    log.error("unexpected error on %s", request.full_path,
              exc_info=getattr(error, "original_exception", error))
    return error_response(500)


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(BadParameter, _bad_parameter)
    app.register_error_handler(CompareError, _bad_parameter)
    app.register_error_handler(IndexUnavailable, _index_unavailable)
    app.register_error_handler(500, _unexpected)
