"""Baseline engines measured beside ours: Whoosh's stock Swedish analyzer and SQLite FTS5."""

from __future__ import annotations

import re
import sqlite3
import tempfile
from collections.abc import Sequence

from whoosh import index as whoosh_index
from whoosh.analysis import LanguageAnalyzer, StemmingAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup

from kb.content.model import Entry

TEXT_FIELDS = ("title", "summary", "body", "title_en", "summary_en")


class StockWhoosh:
    """Whoosh as documented: LanguageAnalyzer("sv") on the Swedish fields, OR-grouped parser."""

    name = "whoosh LanguageAnalyzer(sv)"

    def __init__(self, entries: Sequence[Entry]):
        sv, en = LanguageAnalyzer("sv"), StemmingAnalyzer()
        schema = Schema(id=ID(stored=True, unique=True), title=TEXT(analyzer=sv),
                        summary=TEXT(analyzer=sv), body=TEXT(analyzer=sv),
                        title_en=TEXT(analyzer=en), summary_en=TEXT(analyzer=en))
        self.ix = whoosh_index.create_in(tempfile.mkdtemp(prefix="stock-"), schema)
        writer = self.ix.writer()
        for e in entries:
            writer.add_document(id=e.id, **{f: getattr(e, f) for f in TEXT_FIELDS})
        writer.commit()
        self.parser = MultifieldParser(list(TEXT_FIELDS), self.ix.schema,
                                       fieldboosts={"title": 3.0, "summary": 2.0},
                                       group=OrGroup.factory(0.9))

    def search(self, q: str, limit: int = 10) -> list[str]:
        with self.ix.searcher() as searcher:
            return [hit["id"] for hit in searcher.search(self.parser.parse(q), limit=limit)]


class Fts5:
    """SQLite FTS5, unicode61 tokenizer keeping diacritics, words OR-ed, ranked by bm25."""

    name = "sqlite fts5"

    def __init__(self, entries: Sequence[Entry]):
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.execute(f"CREATE VIRTUAL TABLE e USING fts5(id UNINDEXED, {', '.join(TEXT_FIELDS)}, "
                        "tokenize = 'unicode61 remove_diacritics 0')")
        self.db.executemany(f"INSERT INTO e VALUES ({', '.join('?' * (len(TEXT_FIELDS) + 1))})",
                            [(e.id, *(getattr(e, f) for f in TEXT_FIELDS)) for e in entries])
        self.db.commit()

    def search(self, q: str, limit: int = 10) -> list[str]:
        phrases = re.findall(r'"([^"]+)"', q)
        rest = re.sub(r'"[^"]*"', " ", q)
        terms = [f'"{p}"' for p in phrases] + [f'"{w}"' for w in re.findall(r"\w+", rest)]
        if not terms:
            return []
        rows = self.db.execute("SELECT id FROM e WHERE e MATCH ? ORDER BY bm25(e, 0, 3, 2, 1, 1.6, 1.2) "
                               "LIMIT ?", (" OR ".join(terms), limit))
        return [row[0] for row in rows]
