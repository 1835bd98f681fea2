"""Datasette plugin: a larger SQLite page cache for immutable databases.

SQLite keeps the pages it has read in a cache of its own, one per connection (Datasette
opens one per SQL thread), of 2,000 pages (8 MB) unless told otherwise. At 10,000 articles
a query that reads a few thousand rows of a table (a facet of search results, the
mentions of one actor) touches more pages than that, so every request reads them again
from the operating system, one system call a page: 8-10 ms for such a query, against
2-4 ms with the pages kept. An immutable database never changes under its cache, so each
connection to one gets up to CACHE_KIB of pages (only what it reads is kept; the real
corpus's database is under 1 MB). Mutable databases keep SQLite's default (the
benchmark's untuned instance among them).
"""

from datasette import hookimpl

CACHE_KIB = 64 * 1024


@hookimpl
def prepare_connection(conn, database, datasette):
    db = datasette.databases.get(database)
    if db is not None and not db.is_mutable and not db.is_memory:
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
