"""Datasette plugin: no request can hold the site.

Anyone may run SQL here, and Datasette's time limit (sql_time_limit_ms, build/serve.py) is
checked by SQLite's progress handler, between the steps of its virtual machine. Some work
happens inside one step, where no handler runs: a function over a huge value, a LIKE with
a long pattern, FTS5's snippet() over many search terms. So every query's work is bounded
here before it starts, and inside each step:

- Each connection gets SQLite limits (LIMITS: no string or blob over 1,000,000 bytes, no
  LIKE or GLOB pattern over 250, no statement over 100,000 bytes, ...). The build never
  stores a value near them (an article text is at most 500,000 bytes: build/read).
  randomblob(1000000000) is "string or blob too big" at once, not a 1.3 GB answer.
- An authorizer refuses functions a read-only site does not need (REFUSED_FUNCTIONS):
  fts3_tokenizer() (it hands out a library address and registers tokenizers on the
  server's connections), load_extension(), and the compile-option look-ups.
- instr(), replace() and the two-argument trim(), ltrim() and rtrim() take time growing
  with the product of their arguments' lengths in SQLite (a trim of 250,000 characters
  took 110 s in one step). Each connection's versions of them take time linear in their
  input (Python's str methods) for text; other types, short, go to SQLite's own.
  printf() and format() refuse a width or precision over MAX_PRINTF_WIDTH (SQLite's
  spends time on the whole precision asked for, past the length limit: 7.5 s in one step
  for `printf('%.*c', 200000000, 'x')`), as "string or blob too big".
- Each answer holds at most ANSWER_BYTES of values (counted row by row as the rows are
  fetched), on top of max_returned_rows: 1,000 rows of 1 MB values would otherwise be
  built into one response.
- Requests are checked before Datasette sees them (answered 400, with the reason):
  no NUL in a path or parameter; no query string over MAX_QUERY_STRING bytes; no
  parameter value over MAX_VALUE_CHARS characters but `sql` (MAX_SQL_CHARS); no search
  (`_search`, or a canned query's parameter) of more than MAX_SEARCH_WORDS words: the
  canned search query's snippet() costs the square of its terms (100 repeated words took
  0.6 s on five articles, 400 took 7.5 s); `_timelimit` a whole number, `_through` a JSON
  object of table, column and value (Datasette answers 500 otherwise); and SQL sent with
  ?sql= (or as `_where` fragments of a table page) may not call snippet() or highlight()
  (AD_HOC_REFUSED), which the canned search query calls with its bounded parameter
  (checked by SQLite: the statement is prepared, not run, on a private connection whose
  authorizer sees every function it calls).
- At most AD_HOC_AT_ONCE (one) request with SQL of its own (?sql= or _where) runs at once;
  others wait their turn without holding a SQL thread. However many run to their time
  limit, they hold one SQL thread and one core, and the site's own pages keep the rest
  (with two at once, a well-behaved client's p95 under three hostile ones was 1.15 s on
  this 2-core machine; with one, 0.27-0.81 s: tests/test_limits.py). The price: the
  charts' queries, which are sent with ?sql=, wait behind a hostile client's.
- /-/databases shows no file path, /-/versions no compile options or compiler, and
  /-/threads is not served: nothing about the host.
"""

import asyncio
import json
import re
import sqlite3
import threading
import urllib.parse
import weakref

from datasette import hookimpl
from datasette.utils import tilde_decode

# SQLite's limits on each connection (sqlite3_limit); SQLite's defaults in the comments.
LIMITS = {
    sqlite3.SQLITE_LIMIT_LENGTH: 1_000_000,  # bytes in a string, blob or row (1,000,000,000)
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 100_000,  # bytes in a statement (1,000,000,000)
    sqlite3.SQLITE_LIMIT_COLUMN: 100,  # columns in a result, index, GROUP BY ... (2,000)
    sqlite3.SQLITE_LIMIT_EXPR_DEPTH: 200,  # depth of an expression tree (1,000)
    sqlite3.SQLITE_LIMIT_COMPOUND_SELECT: 20,  # SELECTs in a UNION ... (500)
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 250,  # bytes in a LIKE or GLOB pattern (50,000)
    sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER: 250,  # ?NNN and :name parameters (32,766)
    sqlite3.SQLITE_LIMIT_FUNCTION_ARG: 32,  # arguments to a function (127)
    sqlite3.SQLITE_LIMIT_ATTACHED: 0,  # attached databases (10): none is ever attached
}
REFUSED_FUNCTIONS = frozenset(
    {"fts3_tokenizer", "load_extension", "sqlite_compileoption_get", "sqlite_compileoption_used"}
)
AD_HOC_REFUSED = frozenset({"snippet", "highlight"})
ANSWER_BYTES = 10_000_000
MAX_QUERY_STRING = 16_384
MAX_VALUE_CHARS = 200
MAX_SQL_CHARS = 10_000
MAX_SEARCH_WORDS = 16
AD_HOC_AT_ONCE = 1
# Below this many characters in all, instr() and the others on values of other types
# (numbers, blobs mixed with text) are left to SQLite's own functions.
SHORT = 10_000


# --- each connection -----------------------------------------------------------------------


def authorize(action, argument1, argument2, database, source):
    if action == sqlite3.SQLITE_FUNCTION and argument2.lower() in REFUSED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


_builtin = threading.local()


def sqlite_builtin(name, args):
    """SQLite's own function `name` on args, on a private connection of this thread."""
    connection = getattr(_builtin, "connection", None)
    if connection is None:
        connection = _builtin.connection = sqlite3.connect(":memory:", check_same_thread=False)
        connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, LIMITS[sqlite3.SQLITE_LIMIT_LENGTH])
    return connection.execute(f"select {name}({', '.join('?' * len(args))})", args).fetchone()[0]


def too_big():
    """A value over the length limit: SQLite then fails the statement with "string or blob
    too big", as for any value too long (an exception raised here would only say "user-
    defined function raised exception", and Datasette logs it with a traceback)."""
    return " " * (LIMITS[sqlite3.SQLITE_LIMIT_LENGTH] + 1)


def linear(name, on_text, on_blobs=None):
    """A replacement for SQLite's function `name`: on_text(*args) when every argument is
    text, on_blobs when every one is a blob, SQLite's own function for short values of
    other types, and "string or blob too big" for long ones."""

    def function(*args):
        if any(arg is None for arg in args):
            return None
        if all(isinstance(arg, str) for arg in args):
            return on_text(*args)
        if on_blobs and all(isinstance(arg, bytes) for arg in args):
            return on_blobs(*args)
        if sum(len(arg) if isinstance(arg, (str, bytes)) else 32 for arg in args) <= SHORT:
            return sqlite_builtin(name, args)
        return too_big()

    return function


def stripping(left, right):
    """trim (both sides), ltrim or rtrim of text: the characters in `characters` removed
    from the ends, looked up in a set (Python's own strip searches the characters for
    each one, so a long list of them costs their product again)."""

    def strip(text, characters):
        if len(characters) <= 32:
            return (
                text.strip(characters)
                if left and right
                else text.lstrip(characters)
                if left
                else text.rstrip(characters)
            )
        removed, start, end = set(characters), 0, len(text)
        while left and start < end and text[start] in removed:
            start += 1
        while right and end > start and text[end - 1] in removed:
            end -= 1
        return text[start:end]

    return strip


# One conversion of printf's format: flags, width, precision, length, type (SQLite's set).
PRINTF_CONVERSION = re.compile(r"%([-+ 0#!,]*)(\*|[0-9]+)?(?:\.(\*|[0-9]+))?(l{0,2})(.)", re.DOTALL)
MAX_PRINTF_WIDTH = 1_000_000


def bounded_printf(name):
    """printf() (or format()) as SQLite's, but refusing a width or precision over
    MAX_PRINTF_WIDTH: `printf('%.*c', 200000000, 'x')` otherwise spends 7.5 s in one step,
    never reaching the length limit."""

    def function(format_, *args):
        if not isinstance(format_, str):
            return sqlite_builtin(name, (format_, *args))
        taken = 0
        for conversion in PRINTF_CONVERSION.finditer(format_):
            if conversion.group(5) == "%":
                continue
            for size in conversion.group(2, 3):
                if size == "*":
                    size, taken = args[taken] if taken < len(args) else 0, taken + 1
                try:
                    too_wide = size is not None and abs(int(float(size))) > MAX_PRINTF_WIDTH
                except (TypeError, ValueError, OverflowError):
                    too_wide = False
                if too_wide:
                    return too_big()
            taken += 1
        return sqlite_builtin(name, (format_, *args))

    return function


def replacing(replace):
    """replace(X, Y, Z) in SQLite's order of cases: NULL if X or Y is, X as text if Y is
    empty or starts with a NUL, which SQLite reads as empty (its own, which takes no longer
    than X's length), else `replace`."""

    def function(x, y, z):
        if x is None or y is None:
            return None
        if isinstance(y, (str, bytes)) and y[:1] in ("", "\0", b"", b"\0"):
            return x if isinstance(x, str) else sqlite_builtin("replace", (x, y, z))
        return replace(x, y, z)

    return function


LINEAR_FUNCTIONS = {
    ("instr", 2): linear("instr", lambda x, y: x.find(y) + 1, lambda x, y: x.find(y) + 1),
    ("replace", 3): replacing(linear("replace", str.replace)),
    ("trim", 2): linear("trim", stripping(True, True)),
    ("ltrim", 2): linear("ltrim", stripping(True, False)),
    ("rtrim", 2): linear("rtrim", stripping(False, True)),
    ("printf", -1): bounded_printf("printf"),
    ("format", -1): bounded_printf("format"),
}


def value_bytes(value):
    return len(value) if isinstance(value, (str, bytes)) else 8


def budgeted(row_factory):
    """row_factory, counting the bytes of each cursor's rows: past ANSWER_BYTES, an error."""
    spent = weakref.WeakKeyDictionary()

    def budgeted_row(cursor, row):
        total = spent.get(cursor, 0) + sum(map(value_bytes, row))
        if total > ANSWER_BYTES:
            raise sqlite3.OperationalError(
                f"the answer is over {ANSWER_BYTES:,} bytes: ask for fewer rows or columns"
            )
        spent[cursor] = total
        return row_factory(cursor, row) if row_factory else row

    return budgeted_row


@hookimpl
def prepare_connection(conn, database, datasette):
    for limit, value in LIMITS.items():
        conn.setlimit(limit, value)
    conn.set_authorizer(authorize)
    for (name, arity), function in LINEAR_FUNCTIONS.items():
        conn.create_function(name, arity, function, deterministic=True)
    conn.row_factory = budgeted(conn.row_factory)


# --- each request --------------------------------------------------------------------------


class Refused(Exception):
    """A request answered 400, with this message."""


def words(value):
    """An upper bound on the phrases an FTS query makes of value: its words and quotes."""
    return len(value.split()) + value.count('"')


def check_parameters(pairs, canned):
    """Refused for the first parameter that breaks a rule; canned: whether the path is a
    canned query's, whose parameters may be searched for."""
    for name, value in pairs:
        if "\0" in name or "\0" in value:
            raise Refused("a NUL character is not allowed in a parameter")
        limit = MAX_SQL_CHARS if name == "sql" else MAX_VALUE_CHARS
        if len(value) > limit:
            raise Refused(
                f"the parameter {name[:40]!r} is {len(value):,} characters long: at most {limit:,}"
            )
        searched = (
            name == "_search"
            or name.startswith("_search_")
            or (canned and not name.startswith("_"))
        )
        if searched and words(value) > MAX_SEARCH_WORDS:
            raise Refused(
                f"the search {name!r} has {words(value)} words or quotes: at most {MAX_SEARCH_WORDS}"
            )
        if name == "_timelimit" and not re.fullmatch(r"[1-9][0-9]{0,8}", value):
            raise Refused("_timelimit is a whole number of milliseconds, from 1")
        if name == "_through":
            try:
                through = json.loads(value)
            except ValueError:
                through = None
            if not (
                isinstance(through, dict)
                and all(isinstance(through.get(key), str) for key in ("table", "column", "value"))
            ):
                raise Refused(
                    '_through is a JSON object: {"table": ..., "column": ..., "value": ...}'
                )


class AdHocCheck:
    """Whether SQL sent with ?sql= calls a function it may not, decided by SQLite: the
    statement is prepared (EXPLAIN, not run) on a private read-only connection to the
    same database, whose authorizer notes every function the statement calls."""

    def __init__(self):
        self.connections = {}

    def functions_called(self, path, sql):
        called = set()

        def note(action, argument1, argument2, database, source):
            if action == sqlite3.SQLITE_FUNCTION:
                called.add(argument2.lower())
            return sqlite3.SQLITE_OK

        connection = self.connections.get(path)
        if connection is None:
            connection = sqlite3.connect(
                f"file:{urllib.parse.quote(path)}?mode=ro&immutable=1",
                uri=True,
                check_same_thread=False,
            )
            connection.create_function("escape_fts", 1, lambda value: value)  # Datasette's own
            for limit, value in LIMITS.items():
                connection.setlimit(limit, value)
            self.connections[path] = connection
        connection.set_authorizer(note)
        try:
            connection.execute(f"explain {sql}").fetchone()
        except (sqlite3.Error, ValueError):
            pass  # Datasette reports what is wrong with it
        finally:
            connection.set_authorizer(None)
        return called

    def check(self, datasette, database, sql):
        db = datasette.databases.get(database)
        if db is None or not db.path:
            return
        refused = sorted(self.functions_called(db.path, sql) & AD_HOC_REFUSED)
        if refused:
            names = " and ".join(f"{name}()" for name in refused)
            raise Refused(
                f"{names} may not be called in SQL sent with ?sql= (their cost grows with the square of the search terms); the canned query `search` shows matches"
            )


INTROSPECTION = re.compile(r"^/-/(databases|versions|threads)(\.json)?$")


def without_host(page, data):
    """What /-/databases and /-/versions show, less what describes the host."""
    if page == "databases":
        return [{key: value for key, value in db.items() if key != "path"} for db in data]
    if page == "versions":
        data = json.loads(json.dumps(data))
        data.get("python", {}).pop("full", None)
        data.get("sqlite", {}).pop("compile_options", None)
        return data
    return data


async def send_text(send, status, text, content_type=b"text/plain; charset=utf-8"):
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def send_introspection(datasette, app, scope, receive, send, page, as_json):
    """Ask Datasette for the page's JSON and answer it without what describes the host."""
    if page == "threads":
        return await send_text(send, 404, "404: Not found\n")
    captured = {"status": 200, "body": b""}

    async def capture(event):
        if event["type"] == "http.response.start":
            captured["status"] = event["status"]
        elif event["type"] == "http.response.body":
            captured["body"] += event.get("body", b"")

    path = f"/-/{page}.json"
    headers = [
        (key, value) for key, value in scope.get("headers", []) if key.lower() != b"accept-encoding"
    ]  # plain JSON, to read
    await app(
        {**scope, "path": path, "raw_path": path.encode(), "query_string": b"", "headers": headers},
        receive,
        capture,
    )
    if captured["status"] != 200:
        return await send_text(
            send, captured["status"], captured["body"].decode("utf-8", "replace")
        )
    data = without_host(page, json.loads(captured["body"]))
    if as_json:
        return await send_text(send, 200, json.dumps(data), b"application/json; charset=utf-8")
    html = await datasette.render_template(
        "show_json.html", {"filename": f"{page}.json", "data_json": json.dumps(data, indent=4)}
    )
    return await send_text(send, 200, html, b"text/html; charset=utf-8")


@hookimpl(trylast=True)  # among the outermost wrappers: before snapshot.py reads a path
def asgi_wrapper(datasette):
    ad_hoc = AdHocCheck()
    turns = {}

    def wrap(app):
        async def limited(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            query_string = scope.get("query_string", b"")
            try:
                if "\0" in scope["path"]:
                    raise Refused("a NUL character is not allowed in a path")
                if len(query_string) > MAX_QUERY_STRING:
                    raise Refused(
                        f"the query string is {len(query_string):,} bytes long: at most {MAX_QUERY_STRING:,}"
                    )
                pairs = urllib.parse.parse_qsl(
                    query_string.decode("utf-8", "replace"), keep_blank_values=True
                )
                segments = scope["path"].strip("/").split("/")
                database = segments[0].split(".")[0]
                canned = len(segments) == 2 and segments[1].split(".")[0] in (
                    datasette.metadata("queries", database=database) or {}
                )
                check_parameters(pairs, canned)
                sql = dict(pairs).get("sql")
                wheres = [value for name, value in pairs if name == "_where"]
                if sql is not None:
                    ad_hoc.check(datasette, database, sql)
                if wheres:  # SQL fragments on a table page: checked inside the table's query
                    table = (
                        tilde_decode(segments[1].rsplit(".", 1)[0]) if len(segments) == 2 else ""
                    )
                    ad_hoc.check(
                        datasette,
                        database,
                        f"select 1 from [{table.replace(']', ']]')}] where "
                        + " and ".join(f"({where})" for where in wheres),
                    )
            except Refused as refused:
                if scope["path"].endswith(".json"):
                    answer = {
                        "ok": False,
                        "error": str(refused),
                        "status": 400,
                        "title": "Bad request",
                    }
                    return await send_text(
                        send, 400, json.dumps(answer), b"application/json; charset=utf-8"
                    )
                return await send_text(send, 400, f"400: {refused}\n")
            found = INTROSPECTION.match(scope["path"])
            if found:
                return await send_introspection(
                    datasette, app, scope, receive, send, found.group(1), bool(found.group(2))
                )
            if sql is None and not wheres:
                return await app(scope, receive, send)
            semaphore = turns.setdefault(
                asyncio.get_running_loop(), asyncio.Semaphore(AD_HOC_AT_ONCE)
            )
            async with semaphore:
                return await app(scope, receive, send)

        return limited

    return wrap
