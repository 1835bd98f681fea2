"""Datasette plugin: what a server holds from its start is left out of Python's cycle
collector, so that a full collection does not stall a request.

Python's cycle collector, every so many allocations, scans every container object the
process holds; a full collection scans them all. A server serving an immutable database
holds, from its start to its end, Datasette's templates and metadata, the schema kept by
immutable_schema.py and the facet counts kept by unfiltered_facets.py: at 10,000 articles a
full collection took 60-180 ms under load, in the middle of whichever request set it off,
and these made the slowest twentieth of table pages (p95 100-160 ms against a median of
35-45 ms). After the first request (the server has then started, counted and rendered once)
garbage is collected once, and everything still alive is frozen (`gc.freeze()`): never
scanned again, never freed, which is what it is. Garbage made by later requests is
collected as before.

Only where every database is immutable: the benchmark's untuned instance (mutable) runs
as Datasette does unaided.
"""

import gc

from datasette import hookimpl


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        state = {"frozen": False}

        async def freezing_after_the_first_request(scope, receive, send):
            await app(scope, receive, send)
            if not state["frozen"] and scope["type"] == "http":
                state["frozen"] = True
                if all(
                    not db.is_mutable for db in datasette.databases.values() if not db.is_memory
                ):
                    gc.collect()  # once: what is frozen is never collected
                    gc.freeze()

        return freezing_after_the_first_request

    return wrap
