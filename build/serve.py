"""How the dataset is served: one place for Datasette's configuration, used by
`provenance serve` (and so `make serve`), by the tests and by the benchmark.

The instance is immutable and served with CORS (`Access-Control-Allow-Origin: *`) so
that the charts under /static/charts/ can be embedded in pages on other origins; the
plugin in plugins/ extends the header to the static files. The data folder is mounted
at /exports/, so the JSON-LD and PROV-JSON exports (and the CSVs) download from there."""

import json
import sys
from pathlib import Path

from datasette.app import Datasette

from build.exports import static_mounts as export_mounts
from build.outputs import DATABASE_NAME, METADATA_NAME

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
PLUGINS = ROOT / "plugins"
SETTINGS = {"sql_time_limit_ms": 3000, "default_page_size": 50}


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
