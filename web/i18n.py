"""The interface language: chosen per request, translated from the gettext catalogue in
translations/ through kb.i18n, the one translation mechanism of the project (messages are
written in Swedish, the catalogue gives English).

The language comes from `?lang=` (then remembered in a cookie), else the cookie, else the
configured default. Content stays in its own language. Templates get Jinja's i18n extension
(`_`, `ngettext`, `pgettext`, new-style: `_("%(n)s", n=…)`).
"""

from __future__ import annotations

import gettext as gettext_module
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, current_app, g, has_request_context, request
from jinja2 import pass_context
from markupsafe import Markup

from kb.i18n import DEFAULT, LANGUAGES, translator
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
    """What every template gets: the language, the other language and a link to it, and the
    language's translations (bound once per request rather than looked up per message)."""
    lang = current_lang()
    other = "en" if lang == "sv" else "sv"
    return {"lang": lang, "other_lang": other, "other_lang_name": LANGUAGE_NAMES[other],
            "other_lang_url": switch_url(other), **template_translations(translator(lang))}


def template_translations(tr: gettext_module.NullTranslations) -> dict[str, Any]:
    """Jinja's new-style gettext functions over one catalogue: a message is a format string
    whose values are escaped when the template autoescapes (as jinja2.ext.i18n does)."""
    def fill(context: Any, text: str, values: dict[str, Any]) -> str:
        if context.eval_ctx.autoescape:
            text = Markup(text)
        # Most messages have nothing to format (and no %% to undo): skip the formatting.
        return text % values if values or "%" in text else text

    @pass_context
    def gettext(context: Any, message: str, **values: Any) -> str:
        return fill(context, tr.gettext(message), values)

    @pass_context
    def ngettext(context: Any, singular: str, plural: str, num: int, **values: Any) -> str:
        return fill(context, tr.ngettext(singular, plural, num), {"num": num, **values})

    @pass_context
    def pgettext(context: Any, message_context: str, message: str, **values: Any) -> str:
        return fill(context, tr.pgettext(message_context, message),
                    {"context": message_context, **values})

    return {"gettext": gettext, "ngettext": ngettext, "pgettext": pgettext}


def gettext(message: str, **values: Any) -> str:
    """A message in the request's language, %-formatted with `values` when given."""
    text = translator(current_lang()).gettext(message)
    return text % values if values else text


def init_app(app: Flask) -> None:
    """Give templates the request's translations and remember the chosen language."""
    app.jinja_env.add_extension("jinja2.ext.i18n")
    # Templates find `gettext` and friends in their context (template_context); these globals
    # serve templates rendered outside a request or imported without context.
    app.jinja_env.globals.update(template_translations(translator(DEFAULT)))
    app.jinja_env.newstyle_gettext = True  # type: ignore[attr-defined]
    app.context_processor(template_context)
    app.after_request(remember_language)
