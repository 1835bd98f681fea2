"""Datasette plugin: a read-only site that says no cheaply.

- Only GET, HEAD and OPTIONS are answered; any other method gets 405 before it reaches
  Datasette. The database is immutable and no canned query writes, so nothing here
  takes a POST; but Datasette 0.65 lets a POST to a table or a canned query reach its
  views, which answer 500 ("You may only POST to a canned query", or a crash after
  running the canned query), and answers POST, PUT and DELETE to static files as GET.
- Every response carries `X-Content-Type-Options: nosniff`, so JSON and CSV whose
  cells hold markup (`<script>`) are never sniffed and rendered as HTML.
- Errors are logged in one line, not as a rich traceback. With `rich` installed (the
  build's frictionless needs it), Datasette 0.65 prints every error response, a 404 or a
  refused `delete`, as a traceback with every local variable: some 30 KB of log and
  about 0.4 s of the event loop each, during which the whole site stands still, so any
  visitor could stall it by asking for pages that do not exist. Requests are still
  logged, SQL errors in one line each, and 500s with a plain traceback.
- Every link is a bidi isolate (`unicode-bidi: isolate`, what <bdi> does), so a name
  in Hebrew or Urdu, or one holding a right-to-left override, cannot pull the text
  beside it into its own direction: a facet's count stays after its value's link
  instead of showing inside it.
"""

import urllib.parse

from datasette import hookimpl

from build.site import internals  # the one module that reaches into Datasette's private parts
from build.site.headers import sending_with_header

ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")

# One small stylesheet, inline, so no file or route is needed for it.
STYLESHEET = "a { unicode-bidi: isolate; }"

# Datasette's default handle_exception prints a rich traceback when `rich` imports.
internals.quiet_error_tracebacks()


@hookimpl(trylast=True)  # called last, so it wraps every other wrapper: it sees every request
def asgi_wrapper(datasette):
    def wrap(app):
        async def public_site(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            if scope["method"] not in ALLOWED_METHODS:
                body = b"405: this site is read-only; it answers GET, HEAD and OPTIONS only.\n"
                await send(
                    {
                        "type": "http.response.start",
                        "status": 405,
                        "headers": [
                            (b"allow", ", ".join(ALLOWED_METHODS).encode()),
                            (b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"x-content-type-options", b"nosniff"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return

            nosniff = sending_with_header(send, b"x-content-type-options", b"nosniff")
            return await app(scope, receive, nosniff)

        return public_site

    return wrap


@hookimpl
def extra_css_urls():
    return ["data:text/css;charset=utf-8," + urllib.parse.quote(STYLESHEET)]
