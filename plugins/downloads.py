"""Datasette plugin: downloads that open cleanly.

- A CSV from the site (any table, view or query, `.csv`) is sent as `text/csv;
  charset=utf-8` (Datasette 0.65 says text/plain unless `_dl=1`).
- A bare `.csv` link (no `_size`, `_next` or `_stream`) gives every row: it is streamed
  (`_stream=on&_size=max`, Datasette's own streaming), where Datasette alone gives the
  first page (50 rows) and does not say so. `_size=N` still gives one page of N rows (at most
  max_returned_rows), as Datasette documents.
- A table page's "CSV" link asks for every row too (`_stream=on`; Datasette's own link
  says `_size=max`, which stops at max_returned_rows, 1,000, without saying so).
- A cell a spreadsheet would run as a formula (text starting with `=`, `+`, `-`, `@`, a
  tab or a carriage return, OWASP's list, and not a number such as `-3`) is sent with a
  `'` before it, in every CSV from the site (so `provenance.csv?sql=select
  '=HYPERLINK(...)'` downloads as text, not as a link). Datasette writes each CSV row in
  one piece; each is read back with the csv module and written again only when a cell
  changes, so every other byte is Datasette's. The CSV package under /exports/ is the
  data itself (checked against datapackage.json's hashes) and is left as built; no
  curated cell starts with one of those characters (tests/test_downloads.py checks).
- Files under /exports/ get their real content types: the SQLite database
  `application/vnd.sqlite3`, JSON-LD `application/ld+json` (plugins/snapshot.py serves
  them and asks the mimetypes module).

The spreadsheet download is datasette-xlsx's `.xlsx` (every row of a table, numbers as
numbers, text always as text, never a formula), configured in metadata.yml.
"""

import csv
import io
import mimetypes
import urllib.parse

from datasette import hookimpl
from datasette.utils import path_with_format

from build.site.headers import with_header

mimetypes.add_type("application/vnd.sqlite3", ".db")
mimetypes.add_type("application/vnd.sqlite3", ".sqlite")
mimetypes.add_type("application/ld+json", ".jsonld")
mimetypes.add_type("text/csv", ".csv")

CSV_TYPE = b"text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PAGING = ("_size", "_next", "_stream")


def is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def neutralise(cell):
    """cell, with a ' before it when a spreadsheet would take it for a formula."""
    if cell.startswith(FORMULA_STARTS) and not is_number(cell):
        return "'" + cell
    return cell


def neutralise_record(chunk):
    """One CSV record as Datasette wrote it (bytes), with formula cells neutralised; the
    same bytes when nothing changes or the chunk is not exactly one record."""
    try:
        text = chunk.decode("utf-8")
        records = list(csv.reader(io.StringIO(text, newline="")))
    except (UnicodeDecodeError, csv.Error):
        return chunk
    if len(records) != 1:
        return chunk
    cells = [neutralise(cell) for cell in records[0]]
    if cells == records[0]:
        return chunk
    out = io.StringIO(newline="")
    csv.writer(out).writerow(cells)
    return out.getvalue().encode("utf-8")


def is_csv_request(scope):
    return (
        scope["type"] == "http"
        and scope["path"].endswith(".csv")
        and not scope["path"].startswith(("/exports/", "/static/"))
    )


@hookimpl(tryfirst=True)  # inside compression: it reads the CSV Datasette writes
def asgi_wrapper(datasette):
    def wrap(app):
        async def downloads(scope, receive, send):
            if not is_csv_request(scope):
                return await app(scope, receive, send)
            query = urllib.parse.parse_qsl(
                scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True
            )
            if not any(key in PAGING for key, _ in query):
                # Pages of max_returned_rows: Datasette 0.65 drops rows where its pages of a
                # table sorted by a column with ties meet (claims, by mention_count: 56 of
                # 95 rows streamed in pages of 50), so the fewer pages the better.
                query += [("_stream", "on"), ("_size", "max")]
                scope = {**scope, "query_string": urllib.parse.urlencode(query).encode("latin-1")}
            state = {"csv": False}

            async def send_clean(event):
                if event["type"] == "http.response.start":
                    headers = event.get("headers", [])
                    content_type = dict((k.lower(), v) for k, v in headers).get(
                        b"content-type", b""
                    )
                    state["csv"] = event["status"] == 200 and content_type.startswith(
                        (b"text/plain", b"text/csv")
                    )
                    if state["csv"]:
                        event = with_header(event, b"content-type", CSV_TYPE)
                elif event["type"] == "http.response.body" and state["csv"] and event.get("body"):
                    event = {**event, "body": neutralise_record(event["body"])}
                await send(event)

            return await app(scope, receive, send_clean)

        return downloads

    return wrap


@hookimpl
def extra_template_vars(view_name, request, datasette, database, table):
    """On a table page, the CSV link (url_csv) asks for every row, with labels where the
    table has foreign keys (as Datasette's own link does)."""
    if view_name != "table" or request is None or not table:
        return None

    async def every_row():
        extra = {"_stream": "on", "_size": "max"}
        if await datasette.get_database(database).foreign_keys_for_table(table):
            extra["_labels"] = "on"
        return {
            "url_csv": datasette.urls.path(
                path_with_format(request=request, format="csv", extra_qs=extra)
            )
        }

    return every_row
