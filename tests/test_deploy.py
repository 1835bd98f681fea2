"""The container image, as far as this machine can go without a Docker daemon: the
Dockerfile's own commands, run here on a fresh build, serve the published configuration
(build/site/serve.py), and .dockerignore lets in everything the Dockerfile copies."""

import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from build.write.outputs import DATABASE_NAME
from build.site.serve import INSPECT_NAME, SETTINGS, datasette_command, serving
from conftest import ROOT

IMAGE_DATA = "/app/data"  # where the Dockerfile puts the data folder


def instructions():
    """[(instruction, arguments)] of the Dockerfile, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [tuple(line.strip().split(None, 1)) for line in joined.splitlines() if line.strip()]


def instruction(name):
    return [arguments for found, arguments in instructions() if found == name]


def in_image(argv, data_dir):
    """A Dockerfile command as it would run here: the built data folder for /app/data."""
    return [
        str(data_dir) if arg == IMAGE_DATA else arg.replace(IMAGE_DATA, str(data_dir))
        for arg in argv
    ]


def environment(**extra):
    """The environment a command from the Dockerfile runs in here: this Python first on the PATH."""
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        **extra,
    }


def test_the_image_starts_from_python_slim_and_installs_the_pinned_dependencies():
    assert instruction("FROM") == ["python:3.11-slim"]
    assert any("-c requirements.lock" in run for run in instruction("RUN"))


def test_the_dockerfile_bakes_a_current_inspect_file_into_the_image(built):
    (built / INSPECT_NAME).unlink(missing_ok=True)
    baking = [run for run in instruction("RUN") if "build inspect" in run]
    assert baking, "no RUN writes the inspect file"
    for run in baking:
        subprocess.run(
            in_image(shlex.split(run), built),
            check=True,
            cwd=ROOT,
            env=environment(),
            stdout=subprocess.DEVNULL,
        )
    recorded = json.loads((built / INSPECT_NAME).read_text(encoding="utf-8"))
    assert (
        recorded["provenance"]["tables"]["articles"]["count"] == 13
    )  # the thirteen reports of seeds/articles
    assert recorded["provenance"]["file"] == DATABASE_NAME  # no path of the machine it was built on


def test_the_dockerfile_cmd_serves_exactly_the_published_configuration(built, tmp_path):
    """The CMD, run here with PORT set, execs into the argv build/site/serve.py makes (immutable,
    inspect file, SETTINGS, on 0.0.0.0 and $PORT), and the site answers."""
    (cmd,) = instruction("CMD")
    argv = in_image(json.loads(cmd), built)
    started = {}

    def command_for_port(port):
        started["port"] = port
        return ["env", f"PORT={port}", f"PATH={environment()['PATH']}"] + argv

    with serving(command_for_port, tmp_path / "image.log") as base:
        pid = next(
            p for p in Path("/proc").iterdir() if p.name.isdigit() and _listens(p, started["port"])
        )
        running = (pid / "cmdline").read_bytes().rstrip(b"\0").split(b"\0")
        expected = datasette_command(built, host="0.0.0.0", port=started["port"])
        assert [arg.decode() for arg in running[1:]] == expected[1:]
        assert (
            Path(running[0].decode()).parent == Path(expected[0]).parent
        )  # this environment's Python
        settings = httpx.get(f"{base}/-/settings.json").json()
        assert {name: settings[name] for name in SETTINGS} == SETTINGS
        (database,) = httpx.get(f"{base}/-/databases.json").json()
        assert database["is_mutable"] is False
        for path in (
            "/",
            "/provenance",
            "/provenance/claims?_facet=status",
            "/provenance/lineage.json?claim=bukhari-visited-israel",
            "/provenance/citations.csv",
            "/exports/claims.jsonld",
            "/charts/timeline",
            "/charts/",
        ):
            assert httpx.get(base + path).status_code == 200, path


def _listens(proc_dir, port):
    """Whether the process at proc_dir is a Datasette listening on port (its argv says so)."""
    try:
        argv = (proc_dir / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"datasette" in argv and str(port).encode() in argv and b"serve" in argv


def dockerignore():
    """The patterns of .dockerignore, in order, without blank lines and comments."""
    return [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]


def ignored(path, patterns):
    """Whether Docker's .dockerignore patterns leave path out of the build context (the last
    matching pattern decides; a pattern matches a path or any folder above it)."""
    verdict = False
    for pattern in patterns:
        keep = pattern.startswith("!")
        pattern = pattern.lstrip("!")
        parts = path.split("/")
        if any(
            fnmatch.fnmatch("/".join(parts[:i]), pattern)
            or fnmatch.fnmatch("/".join(parts[:i]), f"*/{pattern.removeprefix('**/')}")
            for i in range(1, len(parts) + 1)
        ):
            verdict = not keep
    return verdict


@pytest.mark.parametrize(
    "path",
    [
        "pyproject.toml",
        "requirements.lock",
        "README.md",
        "metadata.yml",
        "build/site/serve.py",
        "build/schema.yml",
        "plugins/snapshot.py",
        "static/site.js",
        "static/charts/timeline.vl.json",
        "build/site/charts.yml",
        "static/vendor/vega-embed.js",
        "data/provenance.db",
        "data/metadata.json",
        "data/claims.csv",
        "data/datapackage.json",
        "data/claims.jsonld",
    ],
)
def test_dockerignore_lets_in_what_the_image_needs(path):
    assert not ignored(path, dockerignore())


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        "tests/test_site.py",
        "seeds/claims.yml",
        "build/__pycache__/cli.cpython-311.pyc",
        "data/.build-x1/provenance.db",
        "data/bench.json",
        ".git/HEAD",
    ],
)
def test_dockerignore_keeps_out_what_it_does_not(path):
    assert ignored(path, dockerignore())


def test_every_path_the_dockerfile_copies_exists_after_a_build():
    for arguments in instruction("COPY"):
        *sources, _ = arguments.split()
        for source in sources:
            assert (ROOT / source).exists(), source
