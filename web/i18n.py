"""The interface language: chosen per request, translated by Flask-Babel from the gettext
catalogue in translations/ (messages are written in Swedish, the catalogue gives English).

The language comes from `?lang=` (then remembered in a cookie), else the cookie, else the
configured default. Content stays in its own language.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import Babel

from kb.i18n import LANGUAGES, TRANSLATIONS
from web.present import with_query

COOKIE = "lang"
LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}


def current_lang() -> str:
    """The interface language of the current request."""
    if has_request_context():
        if "lang" not in g:
            g.lang = choose_language()
        lang: str = g.lang
        return lang
    return "sv"


def choose_language() -> str:
    """Pick the language: `?lang=`, else the cookie, else the configured default."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(COOKIE, "")
    if remembered in LANGUAGES:
        return remembered
    default = current_app.config.get("DEFAULT_LANGUAGE", "sv")
    return default if default in LANGUAGES else "sv"


def switch_url(lang: str) -> str:
    """The current page's URL in another language (all other parameters kept)."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return with_query(quote(request.path), pairs + [("lang", lang)])


def remember_language(response: Response) -> Response:
    """Store a language chosen with `?lang=` in a cookie, so every following link keeps it."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True, secure=request.is_secure)
    response.vary.add("Cookie")
    return response


def template_context() -> dict[str, Any]:
    """What every template gets: the language, the other language and a link to it."""
    lang = current_lang()
    other = "en" if lang == "sv" else "sv"
    return {"lang": lang, "other_lang": other, "other_lang_name": LANGUAGE_NAMES[other],
            "other_lang_url": switch_url(other)}


def init_app(app: Flask) -> None:
    """Translate with Flask-Babel (templates get `_`, `ngettext`, `pgettext`) and remember the
    chosen language."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "sv")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=current_lang)
    app.context_processor(template_context)
    app.after_request(remember_language)
