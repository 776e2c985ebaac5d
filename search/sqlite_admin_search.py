"""Wagtail's own search (the admin) on SQLite: a double quote in a search term is not a 500.

modelsearch's SQLite backend (checked against modelsearch 1.3.2 with Wagtail 7.4) writes each
term of a query as an FTS5 string, "term", doubling ' and \\ inside it but not ". A term that
holds a " (a lone quote, a quoted word without its closing quote) ends the string early: FTS5
fails with "unterminated string" or "syntax error", and the admin's page explorer and page
chooser answered 500. FTS5 writes a " inside a string as "", which is what this adds.

PostgreSQL (production) is not affected. Installed once from SearchConfig.ready();
tests/search/test_admin_search_quotes.py pins the version: re-check this on every upgrade.
"""

from __future__ import annotations

from django.db import connections


def double_quotes_in_sqlite_search_terms() -> None:
    if connections["default"].vendor != "sqlite":
        return  # the module below only imports where SQLite's full-text index exists
    from modelsearch.backends.database.sqlite.query import Lexeme

    original = Lexeme.as_sql
    if getattr(original, "doubles_quotes", False):
        return

    def as_sql(self, compiler, connection):
        sql, params = original(self, compiler, connection)
        return sql, [param.replace('"', '""') for param in params]

    as_sql.doubles_quotes = True
    Lexeme.as_sql = as_sql
