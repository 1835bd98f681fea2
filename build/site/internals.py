"""The one place that reaches into Datasette's private parts, for speed and for serving
one build consistently. It is written for one Datasette version (WRITTEN_FOR, the version
pinned in requirements.lock) and refuses to load on any other: an upgrade stops the site at
startup with this module named, instead of the plugins below breaking silently.

What it touches, and who asks (docs/datasette-1.0.md says what each becomes in 1.0):
- Database's schema methods and execute, replaced per immutable database
  (plugins/immutable_schema.py: the schema looked up once);
- Datasette._table_permission_allows, wrapped (plugins/immutable_schema.py);
- Database.path, cached_hash and cached_size, set to a private copy of the file
  (plugins/snapshot.py: a server keeps serving the build it started with);
- ColumnFacet, subclassed, and Results, QueryInterrupted (plugins/unfiltered_facets.py);
- datasette.handle_exception.rich, cleared so errors print no rich traceback
  (plugins/public_site.py).

To move to another version: check each item against its code, then change WRITTEN_FOR;
tests/test_internals.py fails until the pin and WRITTEN_FOR agree."""

import datasette

# Datasette's app first, as Datasette itself imports it: datasette.handle_exception imported
# before datasette.plugins has loaded would be registered half made, without its hook, and
# every error page would then fail.
import datasette.app  # noqa: F401
import datasette.handle_exception
from datasette.database import QueryInterrupted, Results
from datasette.facets import ColumnFacet, load_facet_configs

WRITTEN_FOR = "0.65.5"

if datasette.__version__ != WRITTEN_FOR:
    raise ImportError(
        f"build/site/internals.py reaches into private parts of Datasette {WRITTEN_FOR} (Database methods, "
        f"_table_permission_allows, ColumnFacet, handle_exception.rich), and this is Datasette {datasette.__version__}: "
        f"check each against it (docs/datasette-1.0.md), then set WRITTEN_FOR, or install datasette=={WRITTEN_FOR}"
    )

__all__ = [
    "ColumnFacet",
    "QueryInterrupted",
    "Results",
    "load_facet_configs",
    "replace_database_methods",
    "wrap_table_permissions",
    "serve_database_from",
    "quiet_error_tracebacks",
]


def replace_database_methods(db, wrap, names):
    """Replace each named method of one Database (and its execute when "execute" is named)
    with wrap(the method)."""
    for name in names:
        setattr(db, name, wrap(name, getattr(db, name)))


def wrap_table_permissions(ds, wrap):
    """Wrap Datasette's derivation of a table's permission rules from the metadata."""
    ds._table_permission_allows = wrap(ds._table_permission_allows)


def serve_database_from(db, path):
    """Serve one Database from another file (a copy of its own), its hash and size read afresh."""
    db.path = str(path)
    db.cached_hash = db.cached_size = None


def quiet_error_tracebacks():
    """Datasette's default handle_exception prints a rich traceback when `rich` imports: not here."""
    datasette.handle_exception.rich = None
