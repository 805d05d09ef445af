"""The interface's message catalogue (Swedish first, English selectable) and language choice.

Messages are written in Swedish in templates and code, `_("Sök")`; the English catalogue maps
each Swedish message to its translation. The language comes from `?lang=` (then remembered in a
cookie), else the cookie, else the configured default. Content stays in its own language.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Flask, Response, current_app, g, has_request_context, request

from web.present import with_query

LANGUAGES = ("sv", "en")
COOKIE = "lang"
LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}

EN: dict[str, str] = {
    # Site frame
    "Kunskapsbank life science": "Life science knowledge base",
    "Vad regionernas life science-rapporter säger, sökbart och jämförbart":
        "What the regions' life science reports say, searchable and comparable",
    "Hoppa till innehållet": "Skip to content",
    "Huvudmeny": "Main menu",
    "Start": "Home",
    "Sök": "Search",
    "Jämför": "Compare",
    "Teman": "Themes",
    "Källor": "Sources",
    "Regioner": "Regions",
    "Innehållet citeras på originalspråket. JSON-API: se": "Content is quoted in its original language. JSON API: see",
    "API-beskrivningen": "the API description",
    # Start page
    "Sök i rapporterna": "Search the reports",
    "Sökord": "Search terms",
    "t.ex. kapitalgap, kliniska prövningar, MDR": "e.g. capital gap, clinical trials, MDR",
    "Jämför regionerna på ett tema": "Compare the regions on a theme",
    "Teman och regioner": "Themes and regions",
    "Antal poster per tema och region. Välj en ruta för att se vad regionen skriver om temat.":
        "Number of entries per theme and region. Choose a cell to see what the region writes on the theme.",
    "Tema": "Theme",
    "%(count)s poster om %(theme)s i %(region)s": "%(count)s entries on %(theme)s in %(region)s",
    "Alla regioner": "All regions",
    "Vad kunskapsbasen innehåller": "What the knowledge base holds",
    "%(count)s poster": "%(count)s entries",
    "%(count)s poster ur %(sources)s rapporter": "%(count)s entries from %(sources)s reports",
    # Search
    "Sökresultat för ”%(q)s”": "Search results for “%(q)s”",
    "Menade du": "Did you mean",
    "%(total)s träffar": "%(total)s results",
    "1 träff": "1 result",
    "Inga träffar.": "No results.",
    "Pröva färre eller andra ord, eller ta bort ett filter.":
        "Try fewer or other words, or remove a filter.",
    "Avgränsa": "Refine",
    "Typ": "Kind",
    "Region": "Region",
    "Källa": "Source",
    "Valda filter": "Chosen filters",
    "Ta bort filtret": "Remove the filter",
    "Rensa alla filter": "Clear all filters",
    "Ladda ner träfflistan som CSV": "Download the result list as CSV",
    "Sidor": "Pages",
    "Föregående": "Previous",
    "Nästa": "Next",
    "Sida %(page)s av %(pages)s": "Page %(page)s of %(pages)s",
    "sida %(n)s": "page %(n)s",
    "Alla poster": "All entries",
    "Skriv ett eller flera ord, en fras inom citattecken, -ord för att utesluta, eller filter som region:skane.":
        "Type one or more words, a phrase in quotes, -word to exclude, or filters such as region:skane.",
    # Entry
    "Teman:": "Themes:",
    "Riktar sig till:": "Addressed to:",
    "Sammanfattning": "Summary",
    "Ur rapporten": "From the report",
    "Citatet är ordagrant ur rapporten.": "The passage is quoted verbatim from the report (in Swedish).",
    "Källhänvisning": "Citation",
    "Kopiera källhänvisningen": "Copy the citation",
    "Kopierad": "Copied",
    "Vad andra regioner säger": "What other regions say",
    "Poster om samma teman från andra regioner, de mest lika först.":
        "Entries on the same themes from other regions, most similar first.",
    "Inga poster om samma teman från andra regioner.":
        "No entries on the same themes from other regions.",
    "Jämför regionerna på %(theme)s": "Compare the regions on %(theme)s",
    # Compare
    "Jämför regioner": "Compare regions",
    "Jämförelse": "Comparison",
    "Jämförelse: %(topic)s": "Comparison: %(topic)s",
    "Välj ett tema eller skriv ett ämne": "Choose a theme or type a topic",
    "— inget tema —": "— no theme —",
    "Fritext": "Free text",
    "t.ex. hälsodata": "e.g. health data",
    "Regioner att jämföra": "Regions to compare",
    "Inga valda: alla regioner med rapporter.": "None chosen: every region with reports.",
    "Visa jämförelsen": "Show the comparison",
    "ingen rapport": "no report",
    "Underlag:": "Based on:",
    "%(count)s poster i jämförelsen": "%(count)s entries in the comparison",
    "Ladda ner": "Download",
    "Excel (XLSX)": "Excel (XLSX)",
    "CSV": "CSV",
    "PM i Markdown med fotnoter": "Memo in Markdown with footnotes",
    "Fritextsökningen visar poster vars träffpoäng är minst %(percent)s %% av den bästa träffens; %(dropped)s svagare träffar är utelämnade.":
        "The free-text search shows entries scoring at least %(percent)s %% of the best match; %(dropped)s weaker matches are left out.",
    "Sökningen innehåller inga sökbara ord.": "The search contains no searchable words.",
    "Välj ett tema eller skriv ett ämne för att jämföra regionerna.":
        "Choose a theme or type a topic to compare the regions.",
    "Kärntema": "Core theme",
    # Themes, sources, regions
    "Alla teman med omfattning och antal poster per region och typ.":
        "All themes with their scope and the number of entries per region and kind.",
    "Totalt": "Total",
    "Rapporterna i kunskapsbasen": "The reports in the knowledge base",
    "År": "Year",
    "Dokumenttyp": "Document type",
    "Utgivare": "Publisher",
    "Författare": "Author",
    "Datum": "Date",
    "Språk i rapporten": "Language of the report",
    "Originalet": "The original",
    "Poster i dokumentordning": "Entries in document order",
    "Rekommendationer per tema": "Recommendations by theme",
    "Grupperade efter postens huvudtema.": "Grouped by the entry's main theme.",
    "Inga rekommendationer.": "No recommendations.",
    "Rapporter": "Reports",
    "Ingen rapport i kunskapsbasen.": "No report in the knowledge base.",
    "Poster": "Entries",
    # Errors
    "Sidan finns inte": "Page not found",
    "Det finns ingen sida på den här adressen. Den kan ha flyttats, eller så är länken felskriven.":
        "There is no page at this address. It may have moved, or the link may be mistyped.",
    "Felaktig förfrågan": "Bad request",
    "Adressen innehåller ett värde som sidan inte kan använda.":
        "The address contains a value the page cannot use.",
    "Okänt tema.": "Unknown theme.",
    "Okänd region.": "Unknown region.",
    "Okänd typ.": "Unknown kind.",
    "Okänt format.": "Unknown format.",
    "Metoden stöds inte": "Method not allowed",
    "Sidan kan bara hämtas, inte skickas till.": "This page can only be fetched, not posted to.",
    "Sökindexet är inte tillgängligt": "The search index is unavailable",
    "Kunskapsbasen byggs om eller kan inte läsas just nu. Försök igen om en stund.":
        "The knowledge base is being rebuilt or cannot be read right now. Please try again shortly.",
    "Något gick fel": "Something went wrong",
    "Ett oväntat fel inträffade. Felet är loggat.": "An unexpected error occurred. It has been logged.",
    "Till startsidan": "Go to the home page",
    "Du skrev:": "You wrote:",
}


def current_lang() -> str:
    """The interface language of the current request."""
    if has_request_context():
        if "lang" not in g:
            g.lang = choose_language()
        return g.lang
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


def gettext(message: str, **values: Any) -> str:
    """Translate a Swedish message into the interface language and fill in %(name)s values."""
    text = EN.get(message, message) if current_lang() == "en" else message
    return text % values if values else text


_ = gettext


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
    """Make `_()` available in templates and remember the chosen language."""
    app.jinja_env.globals["_"] = gettext
    app.context_processor(template_context)
    app.after_request(remember_language)
