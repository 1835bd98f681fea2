"""Datasette plugin: an immutable database's schema, looked up once per process.

Datasette 0.65 looks a database's schema up again on every request. The home and
database pages, for each of the 40 tables and views (the full-text search tables among
them), read its columns, primary keys and search table, and check twice that the visitor
may see it; each check looks the table's name up in sqlite_master and derives the table's
permission rules from a deep copy of the whole metadata. A table page does the same for
its own table. Each look-up is a trip to a SQL thread: the home page made 79 of them and
80 copies of the metadata, 60-70 ms at any size of data.

While a database is immutable its schema cannot change, and neither can the metadata,
read once at startup (no plugin here supplies any). So, for immutable databases only:

- the Database methods that read the schema (SCHEMA_METHODS) answer from memory after
  their first call with the same arguments;
- a query that reads nothing but the schema (sqlite_master, or a PRAGMA describing
  tables, as SQLite's authorizer reports when the query is prepared) answers from memory
  after its first run with the same parameters: the permission check's look-up of a
  table's name is one, and Datasette's `PRAGMA schema_version` on every request another;
- the permission rules Datasette derives from the metadata for a table are kept.

Answers are copied out of memory, so a caller changing one changes nothing kept. Mutable
databases (the benchmark's untuned instance among them) are left as Datasette has them.
"""

import copy
import functools
import sqlite3
from collections import OrderedDict

from datasette import hookimpl

from build.site import internals  # the one module that reaches into Datasette's private parts
from build.site.internals import Results

SCHEMA_METHODS = [
    "table_names",
    "view_names",
    "hidden_table_names",
    "table_exists",
    "table_columns",
    "table_column_details",
    "primary_keys",
    "fts_table",
    "foreign_keys_for_table",
    "get_all_foreign_keys",
    "get_table_definition",
    "get_view_definition",
    "label_column_for_table",
]
SCHEMA_TABLES = {"sqlite_master", "sqlite_schema", "sqlite_temp_master", "sqlite_temp_schema"}
# PRAGMAs describing a table or index (their argument names it).
DESCRIBING_PRAGMAS = {
    "table_info",
    "table_xinfo",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
}
# PRAGMAs read without an argument (with one, schema_version would be set).
READ_PRAGMAS = {"schema_version", "database_list"}
# Functions whose answer depends on their arguments alone (Datasette's schema queries use these).
PURE_FUNCTIONS = {"like", "glob", "char", "lower", "upper", "length", "substr", "instr"}
# Queries anyone may send read the schema too (`select * from sqlite_master where name = ?`):
# at most this many answers are kept per database, the least recently used dropped first.
KEPT_ANSWERS = 2048


@hookimpl(
    trylast=True
)  # after plugins/snapshot.py has chosen the file each database is served from
def startup(datasette):
    for db in datasette.databases.values():
        if db.is_mutable or db.is_memory:
            continue
        internals.replace_database_methods(
            db, lambda name, method: remembered(method), SCHEMA_METHODS
        )
        internals.replace_database_methods(
            db, lambda name, method: remembered_if_schema_only(method), ["execute"]
        )
    internals.wrap_table_permissions(
        datasette, lambda allows: kept_for_immutable(datasette, allows)
    )


def remembered(method):
    """An async method answering each set of arguments from memory after its first call."""
    answers = {}

    @functools.wraps(method)
    async def remembering(*args, **kwargs):
        key = (args, tuple(sorted(kwargs.items())))
        if key not in answers:
            answers[key] = await method(*args, **kwargs)
        return copy.deepcopy(answers[key])

    return remembering


def remembered_if_schema_only(execute):
    """Database.execute, answering a query that reads only the schema from memory after its
    first run with the same parameters and options; any other query runs as usual."""
    answers = OrderedDict()

    @functools.wraps(execute)
    async def executing(sql, params=None, **options):
        if not reads_only_the_schema(sql, params):
            return await execute(sql, params, **options)
        key = (sql, frozen(params), frozen(options))
        if key in answers:
            answers.move_to_end(key)
        else:
            answers[key] = await execute(sql, params, **options)
            if len(answers) > KEPT_ANSWERS:
                answers.popitem(last=False)
        kept = answers[key]
        return Results(list(kept.rows), kept.truncated, kept.description)

    return executing


def frozen(value):
    """A hashable form of query parameters or options."""
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    return tuple(value or ())


@functools.lru_cache(maxsize=512)
def _reads_only_the_schema(sql, parameter_count, named):
    actions = []

    def authorizer(action, argument1, argument2, database, source):
        actions.append((action, argument1, argument2))
        return sqlite3.SQLITE_OK

    # Prepared against an empty database: a query naming any table of the data fails there.
    with sqlite3.connect(":memory:") as conn:
        conn.set_authorizer(authorizer)
        try:
            conn.execute(
                f"explain {sql}", dict.fromkeys(named) if named else [None] * parameter_count
            )
        except sqlite3.Error:
            return False
    return bool(actions) and all(allowed(*action) for action in actions)


def reads_only_the_schema(sql, params):
    """Whether a query reads nothing but the schema, so that its answer cannot change while
    the database is immutable (decided once per query text, by SQLite's authorizer)."""
    named = tuple(sorted(params)) if isinstance(params, dict) else ()
    return _reads_only_the_schema(sql, 0 if named else len(params or ()), named)


def allowed(action, argument1, argument2):
    """Whether one step the authorizer reports keeps a query to reading the schema."""
    if action == sqlite3.SQLITE_SELECT:
        return True
    if action == sqlite3.SQLITE_READ:
        return argument1 in SCHEMA_TABLES
    if action == sqlite3.SQLITE_PRAGMA:
        pragma = argument1.lower()
        return pragma in DESCRIBING_PRAGMAS or (pragma in READ_PRAGMAS and argument2 is None)
    if action == sqlite3.SQLITE_FUNCTION:
        return argument2.lower() in PURE_FUNCTIONS
    return False


def kept_for_immutable(datasette, table_permission_allows):
    """Datasette's per-table permission rules from the metadata, kept for the tables of
    immutable databases."""
    kept = {}

    @functools.wraps(table_permission_allows)
    def keeping(database, table):
        db = datasette.databases.get(database)
        if db is None or db.is_mutable:
            return table_permission_allows(database, table)
        if (database, table) not in kept:
            kept[(database, table)] = table_permission_allows(database, table)
        return copy.deepcopy(kept[(database, table)])

    return keeping
