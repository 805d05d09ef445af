"""The fixed codes of the content model, shared by every stage and the templates.

Each code has a Swedish label marked for translation with its context (pgettext), so a
spreadsheet, a memo and a page name a code the same way in either language.
"""

from __future__ import annotations

import gettext

from kb.i18n import NP_, translator

# Rows of a comparison and groups on pages: what to do first, then what is wrong, then facts.
KINDS = ("recommendation", "challenge", "finding")
STATUSES = ("draft", "reviewed")
# What the search page filters by, in the order the facets are shown.
FACETS = ("kind", "region", "theme", "source")
DOC_TYPES = ("analysis", "agenda", "government-decision", "evaluation")

KIND_LABELS = {
    "recommendation": NP_("kind", "Rekommendation"),
    "challenge": NP_("kind", "Utmaning"),
    "finding": NP_("kind", "Iakttagelse"),
}
KIND_PLURALS = {
    "recommendation": NP_("kinds", "Rekommendationer"),
    "challenge": NP_("kinds", "Utmaningar"),
    "finding": NP_("kinds", "Iakttagelser"),
}
DOC_TYPE_LABELS = {
    "analysis": NP_("document type", "analys"),
    "agenda": NP_("document type", "agenda"),
    "government-decision": NP_("document type", "regeringsbeslut"),
    "evaluation": NP_("document type", "utvärdering"),
}
FACET_LABELS = {
    "kind": NP_("facet", "Typ"),
    "region": NP_("facet", "Region"),
    "theme": NP_("facet", "Tema"),
    "source": NP_("facet", "Källa"),
}


def _label(table: dict[str, tuple[str, str]], code: str, tr: gettext.NullTranslations) -> str:
    found = table.get(code)
    return tr.pgettext(*found) if found else code


def kind_label(kind: str, lang: str = "sv", plural: bool = False) -> str:
    """Name a kind (`recommendation` → `Rekommendation`, plural `Rekommendationer`)."""
    return _label(KIND_PLURALS if plural else KIND_LABELS, kind, translator(lang))


def doc_type_label(doc_type: str | None, lang: str = "sv") -> str:
    """Name a document type (`government-decision` → `regeringsbeslut`)."""
    return _label(DOC_TYPE_LABELS, doc_type or "", translator(lang)) if doc_type else ""


def facet_label(facet: str, lang: str = "sv") -> str:
    """Name a search facet (`kind` → `Typ`)."""
    return _label(FACET_LABELS, facet, translator(lang))


def kind_initial(kind: str, lang: str = "sv") -> str:
    """The one-letter badge of a kind (R, U, I in Swedish; R, C, F in English)."""
    tr = translator(lang)
    return {"recommendation": tr.pgettext("kind initial", "R"),
            "challenge": tr.pgettext("kind initial", "U"),
            "finding": tr.pgettext("kind initial", "I")}.get(kind, kind[:1].upper())


def kind_count(kind: str, count: int, lang: str = "sv") -> str:
    """A count of entries of one kind, with the right plural ("1 rekommendation", "2 utmaningar")."""
    tr = translator(lang)
    if kind == "recommendation":
        text = tr.ngettext("%(num)s rekommendation", "%(num)s rekommendationer", count)
    elif kind == "challenge":
        text = tr.ngettext("%(num)s utmaning", "%(num)s utmaningar", count)
    else:
        text = tr.ngettext("%(num)s iakttagelse", "%(num)s iakttagelser", count)
    return text % {"num": count}
