"""Datasette plugin: static files get the CORS header too.

Datasette 0.65's --cors adds Access-Control-Allow-Origin to its own views only. The
embeddable charts fetch their Vega-Lite specs from /static/ and the exports are
fetched from /exports/, so a page on another origin needs the header there as well."""

from datasette import hookimpl

from build.site.headers import sending_with_header

CORS_PREFIXES = ("/static/", "/exports/")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def with_cors(scope, receive, send):
            if not (
                datasette.cors
                and scope["type"] == "http"
                and scope["path"].startswith(CORS_PREFIXES)
            ):
                return await app(scope, receive, send)

            cors = sending_with_header(send, b"access-control-allow-origin", b"*")
            return await app(scope, receive, cors)

        return with_cors

    return wrap
