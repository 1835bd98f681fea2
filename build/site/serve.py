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
restarted; /exports/ sends whole files only, of the newest build). For immutable databases
only, unfiltered_facets.py counts the declared facets of each whole table once per server,
immutable_schema.py looks the schema up once, and gc_freeze.py leaves what the server holds from its start out of
Python's cycle collector.

SETTINGS is the one place for Datasette's settings, for serve, tests and bench. They were
chosen for the real corpus (five articles, tables under 300 rows) and checked against the
benchmark's 1,000 and 10,000 synthetic articles (README, "Benchmark"); they stay as they
are, and what breaks at that size is reported there rather than hidden by looser limits:

- sql_time_limit_ms 1000: on the real corpus the slowest query any page runs takes about
  3 ms, and a runaway query (anyone may run SQL) gives its thread back after a second. At
  10,000 synthetic articles every page of the site stays far below it: the views that
  did not (claim_lineage's window over every claim mention, circular_sourcing's pairs)
  are tables filled at build time or read off an index (build/derived/views.py).
- max_returned_rows 1000: on the real corpus `_size=max` and any query get every row. At
  10,000 articles a table has up to 400,000 rows: a page still stops at 1,000, and whole
  tables download as CSV (streamed, or from /exports/).
- num_sql_threads 3 (Datasette's default): queries hold the GIL for Datasette's
  time-limit callback, so more threads than cores only contend.
- allow_facet on, facet_time_limit_ms 200 (the default): visitors may facet by any
  column; each facet query is cut off after 200 ms. The declared facets of a whole table
  are counted once per server (plugins/unfiltered_facets.py), so none times out on an
  unfiltered page at 10,000 articles (hedge words are faceted in claim_mention_hedges, not
  as a JSON array, which no index serves). A filtered page counts its facets live over
  the rows it keeps: fast for a selective filter, and still cut off when a filter keeps
  most of a table of 280,000 rows.
- suggest_facets off: the useful facets are declared in metadata.yml; suggesting others
  costs one query per column on every table page (a third of a page's time).
- default_cache_ttl 300: the database never changes while served (immutable, and
  snapshot.py keeps the build the server started with), so pages and API answers may be
  cached for five minutes (`Cache-Control: max-age=300`, on 200 responses only).
- allow_download on: the data are public; the database (under 1 MB for the real corpus,
  335 MB at 10,000 articles) downloads from /provenance.db and /exports/provenance.db.
- allow_csv_stream on: a table's CSV streams all its rows, in chunks, whatever its size.
- template_debug and trace_debug off: no template context or SQL traces on request.
- max_csv_mb 50: a streamed CSV stops at 50 MB (Datasette's default is 100); whole files
  of any size download from /exports/. truncate_cells_html 2048 (the default): an HTML
  page shows at most 2,048 characters of a cell. What bounds each query's work, size and
  parameters beyond these settings is in plugins/query_limits.py.

The database is served with an inspect file (INSPECT_NAME, beside it in the data folder,
written by `datasette inspect`): its row counts, hash and size. Datasette then takes
each table's total from the file instead of running `select count(*)` for an unfiltered
table page, and the database's hash and size without reading the file. The file is
written when first served and again whenever the database's hash no longer matches it
(a new build), so `provenance serve`, the tests, the benchmark and the container image
(which writes it while the image is built) all serve with a current one.
"""

import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import click
from datasette.inspect import inspect_hash

from build import paths
from build.write.exports import static_mounts as export_mounts
from build.write.outputs import DATABASE_NAME, METADATA_NAME
from build.write.publish import recover_if_idle

INSPECT_NAME = "inspect-data.json"
STATIC = paths.STATIC
PLUGINS = paths.PLUGINS
TEMPLATES = paths.TEMPLATES
SETTINGS = {
    "sql_time_limit_ms": 1000,
    "max_returned_rows": 1000,
    "num_sql_threads": 3,
    "allow_facet": True,
    "facet_time_limit_ms": 200,
    "suggest_facets": False,
    "default_cache_ttl": 300,
    "allow_download": True,
    # SQLite's page cache per connection: 64 MB instead of 8 MB, so that a query reading a
    # few thousand rows of a large table (a facet of search results) keeps its pages.
    "cache_size_kb": 64 * 1024,
    "allow_csv_stream": True,
    "default_page_size": 50,
    "template_debug": False,
    "trace_debug": False,
    "max_csv_mb": 50,
    "truncate_cells_html": 2048,
}


def static_mounts(data_dir):
    """(URL prefix, folder) pairs: the site's own assets and the data folder."""
    return [("static", str(STATIC))] + export_mounts(data_dir)


def inspect_is_current(inspect_path, database_path):
    """Whether the inspect file at inspect_path describes the database at database_path."""
    try:
        recorded = json.loads(Path(inspect_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    name = Path(database_path).stem
    return isinstance(recorded, dict) and recorded.get(name, {}).get("hash") == inspect_hash(
        Path(database_path)
    )


def write_inspect_file(database_path, inspect_path):
    """Run `datasette inspect` on the database, and put its answer at inspect_path whole
    (written beside it, then renamed: a server starting meanwhile never reads half a file)."""
    inspect_path = Path(inspect_path)
    handle, scratch = tempfile.mkstemp(prefix=".inspect-", suffix=".json", dir=inspect_path.parent)
    os.close(handle)
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "datasette",
                "inspect",
                str(database_path),
                "--inspect-file",
                scratch,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        recorded = json.loads(Path(scratch).read_text(encoding="utf-8"))
        for entry in recorded.values():
            entry["file"] = Path(
                entry["file"]
            ).name  # the folder is this machine's business, not the site's
        Path(scratch).write_text(json.dumps(recorded, indent=2) + "\n", encoding="utf-8")
        os.replace(scratch, inspect_path)
    finally:
        Path(scratch).unlink(missing_ok=True)


def current_inspect_file(data_dir):
    """The path of data_dir's inspect file, (re)written first if missing or of another build.
    A build killed while it moved its outputs in is finished first (build/write/publish.py)."""
    data_dir = Path(data_dir)
    recover_if_idle(data_dir)
    inspect_path = data_dir / INSPECT_NAME
    if not inspect_is_current(inspect_path, data_dir / DATABASE_NAME):
        write_inspect_file(data_dir / DATABASE_NAME, inspect_path)
    return inspect_path


def datasette_command(data_dir, host="127.0.0.1", port=8001):
    """The argv that serves data_dir's database, immutable, with its inspect file and the
    generated metadata. Writes the inspect file first when it is missing or stale."""
    data_dir = Path(data_dir)
    command = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "-i",
        str(data_dir / DATABASE_NAME),
        "--inspect-file",
        str(current_inspect_file(data_dir)),
        "--metadata",
        str(data_dir / METADATA_NAME),
        "--plugins-dir",
        str(PLUGINS),
        "--template-dir",
        str(TEMPLATES),
        "--cors",
        "--host",
        host,
        "--port",
        str(port),
    ]
    for prefix, folder in static_mounts(data_dir):
        command += ["--static", f"{prefix}:{folder}"]
    for name, value in SETTINGS.items():
        command += ["--setting", name, str(value)]
    return command


def datasette_app(data_dir, **settings):
    """The same configuration as an in-process Datasette, for tests and benchmarks. Keyword
    arguments override SETTINGS (the benchmark lifts the time limits to see every query)."""
    # Imported here: `provenance serve` only builds the command line Datasette is run with,
    # and importing Datasette's app would delay it for nothing.
    from datasette.app import Datasette

    data_dir = Path(data_dir)
    return Datasette(
        immutables=[str(data_dir / DATABASE_NAME)],
        inspect_data=json.loads(current_inspect_file(data_dir).read_text(encoding="utf-8")),
        metadata=json.loads((data_dir / METADATA_NAME).read_text(encoding="utf-8")),
        static_mounts=static_mounts(data_dir),
        plugins_dir=str(PLUGINS),
        template_dir=str(TEMPLATES),
        settings={**SETTINGS, **settings},
        cors=True,
    )


def free_port():
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(command_for_port, log_path, timeout=60):
    """Run command_for_port(port) on a free loopback port until Datasette answers; yield its
    base URL; stop it after. Its log goes to log_path, not a pipe: a pipe nobody reads fills
    up and blocks the server."""
    import httpx

    port = free_port()
    log_path = Path(log_path)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command_for_port(port), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(f"{base}/-/versions.json", timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait()
                raise RuntimeError(
                    f"datasette did not start: {log_path.read_text(errors='replace')}"
                )
            time.sleep(0.2)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@click.command()
@click.argument(
    "data_dir", default=paths.DATA, type=click.Path(file_okay=False, exists=True, path_type=Path)
)
def main(data_dir):
    """Write DATA_DIR's inspect file if missing or stale, and print the command that serves
    DATA_DIR (what `provenance serve` runs). The container image runs this while it is
    built, so the file is baked in."""
    click.echo(f"inspect file: {current_inspect_file(data_dir)}")
    click.echo(shlex.join(datasette_command(data_dir)))


if __name__ == "__main__":
    main()
