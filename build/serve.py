"""How the dataset is served: one place for Datasette's configuration, used by
`provenance serve` (and so `make serve`), by the tests and by the benchmark."""

import json
import sys
from pathlib import Path

from datasette.app import Datasette

from build.outputs import DATABASE_NAME, METADATA_NAME

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
SETTINGS = {"sql_time_limit_ms": 3000, "default_page_size": 50}


def datasette_command(data_dir, host="127.0.0.1", port=8001):
    """The argv that serves data_dir's database, immutable, with the generated metadata."""
    data_dir = Path(data_dir)
    command = [
        sys.executable, "-m", "datasette", "serve",
        "-i", str(data_dir / DATABASE_NAME),
        "--metadata", str(data_dir / METADATA_NAME),
        "--static", f"static:{STATIC}",
        "--host", host, "--port", str(port),
    ]
    for name, value in SETTINGS.items():
        command += ["--setting", name, str(value)]
    return command


def datasette_app(data_dir):
    """The same configuration as an in-process Datasette, for tests and benchmarks."""
    data_dir = Path(data_dir)
    return Datasette(
        immutables=[str(data_dir / DATABASE_NAME)],
        metadata=json.loads((data_dir / METADATA_NAME).read_text(encoding="utf-8")),
        static_mounts=[("static", str(STATIC))],
        settings=SETTINGS,
    )
