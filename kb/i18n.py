"""Translations outside a request: the same gettext catalogue the site uses, for any language.

Messages are written in Swedish; translations/<lang>/LC_MESSAGES/messages.po holds the other
languages (today English), compiled to .mo by `make`. Everything reads it here: the site's
templates (web/i18n.py installs these translations in Jinja), exports, citations and
comparisons.
"""

from __future__ import annotations

import gettext
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from babel.numbers import format_percent
from babel.support import Translations

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
LANGUAGES = ("sv", "en")
DEFAULT = "sv"


@lru_cache(maxsize=len(LANGUAGES))
def translator(lang: str) -> gettext.NullTranslations:
    """The catalogue of a language; Swedish, the source language, translates to itself."""
    if lang not in LANGUAGES or lang == DEFAULT:
        return gettext.NullTranslations()
    return Translations.load(str(TRANSLATIONS), [lang])


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional marker name)
    """Mark a message for extraction where it is defined; translate it where it is shown."""
    return message


def NP_(context: str, message: str) -> tuple[str, str]:  # noqa: N802
    """Mark a message with its context (pgettext) for extraction; translate it where shown."""
    return context, message


def quoted(text: str, lang: str) -> str:
    """Text in quotation marks as each language writes them (”…” in Swedish, “…” in English)."""
    return f"“{text}”" if lang == "en" else f"”{text}”"


def join_names(names: Sequence[str], lang: str = DEFAULT) -> str:
    """"A, B och C" ("A, B and C") in the language."""
    if len(names) <= 1:
        return "".join(names)
    _ = translator(lang).gettext
    return _("%(first)s och %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def percent(share: float, lang: str = DEFAULT) -> str:
    """A share as a whole percentage the way the language writes it ("58 %", "58%")."""
    return format_percent(share, locale=lang)
