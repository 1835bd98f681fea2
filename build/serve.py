"""How the dataset is served: one place for the Datasette command line, used by
`provenance serve` (and so `make serve`) and by the tests that start a real server."""

import sys
from pathlib import Path

from build.outputs import DATABASE_NAME, METADATA_NAME

SETTINGS = {"sql_time_limit_ms": 3000, "default_page_size": 50}


def datasette_command(data_dir, host="127.0.0.1", port=8001):
    """The argv that serves data_dir's database, immutable, with the generated metadata."""
    data_dir = Path(data_dir)
    command = [
        sys.executable, "-m", "datasette", "serve",
        "-i", str(data_dir / DATABASE_NAME),
        "--metadata", str(data_dir / METADATA_NAME),
        "--host", host, "--port", str(port),
    ]
    for name, value in SETTINGS.items():
        command += ["--setting", name, str(value)]
    return command
