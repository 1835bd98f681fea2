"""Datasette plugin: responses compressed with gzip, by asgi-gzip (Starlette's GZipMiddleware,
as a package of its own).

datasette-gzip is this middleware in one line, with gzip's slowest level (9) and no way
to leave anything out. Here it runs at level 6 (on the site's pages about as small, and
two to three times faster to make) and leaves out /exports/: those are whole files for
download (the database, the CSV package, the exports: hundreds of megabytes for a large
corpus), which compressing on every download would cost a core for seconds, in the event
loop that serves every other request. Responses under 500 bytes, and any already encoded,
are sent as they are."""

from asgi_gzip import GZipMiddleware
from datasette import hookimpl

LEVEL = 6
MINIMUM_SIZE = 500
UNCOMPRESSED_PREFIXES = ("/exports/",)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        compressed = GZipMiddleware(app, minimum_size=MINIMUM_SIZE, compresslevel=LEVEL)

        async def compress(scope, receive, send):
            if scope["type"] == "http" and not scope["path"].startswith(UNCOMPRESSED_PREFIXES):
                return await compressed(scope, receive, send)
            return await app(scope, receive, send)

        return compress

    return wrap
