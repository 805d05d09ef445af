"""Swedish and English names for the fixed codes of the content model (kinds, document types).

Shared by the exports and the site, so that a spreadsheet and the page say the same thing.
"""

from __future__ import annotations

LANGUAGES = ("sv", "en")

KIND = {
    "sv": {"recommendation": "Rekommendation", "challenge": "Utmaning", "finding": "Iakttagelse"},
    "en": {"recommendation": "Recommendation", "challenge": "Challenge", "finding": "Finding"},
}
KIND_PLURAL = {
    "sv": {"recommendation": "Rekommendationer", "challenge": "Utmaningar",
           "finding": "Iakttagelser"},
    "en": {"recommendation": "Recommendations", "challenge": "Challenges", "finding": "Findings"},
}
DOC_TYPE = {
    "sv": {"analysis": "analys", "agenda": "agenda", "government-decision": "regeringsbeslut",
           "evaluation": "utvärdering"},
    "en": {"analysis": "analysis", "agenda": "agenda", "government-decision": "government decision",
           "evaluation": "evaluation"},
}
# What a comparison cell or column holds: statements, none on the topic, or no report at all.
STATUS = {
    "sv": {"found": "", "nothing-found": "inget i underlagen",
           "no-report": "ingen rapport i kunskapsbasen"},
    "en": {"found": "", "nothing-found": "nothing in the sources",
           "no-report": "no report in the knowledge base"},
}


def _table(table: dict[str, dict[str, str]], lang: str) -> dict[str, str]:
    return table.get(lang, table["sv"])


def kind_label(kind: str, lang: str = "sv", plural: bool = False) -> str:
    """Name a kind (`recommendation` → `Rekommendation`)."""
    return _table(KIND_PLURAL if plural else KIND, lang).get(kind, kind)


def doc_type_label(doc_type: str | None, lang: str = "sv") -> str:
    """Name a document type (`government-decision` → `regeringsbeslut`)."""
    return _table(DOC_TYPE, lang).get(doc_type or "", doc_type or "")


def status_label(status: str, lang: str = "sv") -> str:
    """Say what a comparison cell with this status holds ('' when it holds statements)."""
    return _table(STATUS, lang).get(status, "")
