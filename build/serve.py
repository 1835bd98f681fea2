"""How the dataset is served: one place for Datasette's configuration, used by
`provenance serve` (and so `make serve`), by the tests and by the benchmark.

The instance is immutable and served with CORS (`Access-Control-Allow-Origin: *`) so
that the charts under /static/charts/ can be embedded in pages on other origins. The
data folder is mounted at /exports/, so the JSON-LD and PROV-JSON exports (and the CSVs,
datapackage.json and the database) download from there. The plugins in plugins/:
static_cors.py extends the CORS header to the static files; public_site.py answers only
GET, HEAD and OPTIONS (405 otherwise), sends `X-Content-Type-Options: nosniff`, keeps
error responses cheap and makes links bidi isolates; snapshot.py makes a build while the
site is served invisible to it (the server keeps serving the build it started with, until
restarted; /exports/ sends whole files only, of the newest build).

SETTINGS is the one place for Datasette's settings, for serve, tests and bench:

- sql_time_limit_ms 1000: the slowest query any page or canned query runs takes about
  3 ms, so one second is ample, and a runaway query (anyone may run SQL) gives its
  thread back after a second.
- max_returned_rows 1000: the biggest table has under 300 rows, so `_size=max` and any
  query get every row; a cross join cannot return more than 1000.
- num_sql_threads 3 (Datasette's default): the database is small and in the page cache;
  more threads only contend for the GIL.
- allow_facet on, facet_time_limit_ms 200 (the default): visitors may facet by any
  column; each facet query is cut off after 200 ms.
- suggest_facets off: the useful facets are declared in metadata.yml; suggesting others
  costs one query per column on every table page (a third of a page's time).
- default_cache_ttl 300: the database never changes while served (immutable, and
  snapshot.py keeps the build the server started with), so pages and API answers may be
  cached for five minutes (`Cache-Control: max-age=300`, on 200 responses only).
- allow_download on: the data are public and the database is under 1 MB; it downloads
  from the database page (/provenance.db) and from /exports/provenance.db.
- allow_csv_stream on: a table's CSV streams all its rows (a table is small).
- template_debug and trace_debug off: no template context or SQL traces on request.
"""

import json
import sys
from pathlib import Path

from datasette.app import Datasette

from build.exports import static_mounts as export_mounts
from build.outputs import DATABASE_NAME, METADATA_NAME

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
PLUGINS = ROOT / "plugins"
SETTINGS = {
    "sql_time_limit_ms": 1000,
    "max_returned_rows": 1000,
    "num_sql_threads": 3,
    "allow_facet": True,
    "facet_time_limit_ms": 200,
    "suggest_facets": False,
    "default_cache_ttl": 300,
    "allow_download": True,
    "allow_csv_stream": True,
    "default_page_size": 50,
    "template_debug": False,
    "trace_debug": False,
}


def static_mounts(data_dir):
    """(URL prefix, folder) pairs: the site's own assets and the data folder."""
    return [("static", str(STATIC))] + export_mounts(data_dir)


def datasette_command(data_dir, host="127.0.0.1", port=8001):
    """The argv that serves data_dir's database, immutable, with the generated metadata."""
    data_dir = Path(data_dir)
    command = [
        sys.executable, "-m", "datasette", "serve",
        "-i", str(data_dir / DATABASE_NAME),
        "--metadata", str(data_dir / METADATA_NAME),
        "--plugins-dir", str(PLUGINS),
        "--cors",
        "--host", host, "--port", str(port),
    ]
    for prefix, folder in static_mounts(data_dir):
        command += ["--static", f"{prefix}:{folder}"]
    for name, value in SETTINGS.items():
        command += ["--setting", name, str(value)]
    return command


def datasette_app(data_dir):
    """The same configuration as an in-process Datasette, for tests and benchmarks."""
    data_dir = Path(data_dir)
    return Datasette(
        immutables=[str(data_dir / DATABASE_NAME)],
        metadata=json.loads((data_dir / METADATA_NAME).read_text(encoding="utf-8")),
        static_mounts=static_mounts(data_dir),
        plugins_dir=str(PLUGINS),
        settings=SETTINGS,
        cors=True,
    )
