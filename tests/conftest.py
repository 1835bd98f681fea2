"""Shared fixtures: a fresh build of the real seeds into a temporary folder, and a
Datasette instance serving it exactly as `make serve` does, in process or as a process."""

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import sqlite_utils
from playwright.sync_api import sync_playwright

from build.assemble import assemble
from build.outputs import DATABASE_NAME, write_outputs
from build.seeds import read_seeds
from build.serve import datasette_app, datasette_command

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def tables():
    """The assembled rows of every table, from the real seeds."""
    return assemble(read_seeds(SEEDS))


@pytest.fixture(scope="session")
def built(tmp_path_factory, tables):
    """A folder holding a fresh build of every output."""
    folder = tmp_path_factory.mktemp("data")
    write_outputs(tables, folder, ROOT / "metadata.yml")
    return folder


@pytest.fixture(scope="session")
def db(built):
    return sqlite_utils.Database(built / DATABASE_NAME)


@pytest.fixture
def datasette(built):
    """Datasette configured like `make serve`: immutable database, generated metadata."""
    return datasette_app(built)


@pytest.fixture
def seeds_copy(tmp_path):
    """A writable copy of seeds/ for tests that break the input on purpose."""
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    return copy


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(data_dir, log_dir):
    """Run `datasette_command` on data_dir on a free loopback port; yield its base URL.

    Its log goes to a file, not a pipe: a pipe nobody reads fills up and blocks the server."""
    port = free_port()
    log_path = Path(log_dir) / "datasette.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(datasette_command(data_dir, port=port), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{base}/-/versions.json", timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"datasette did not start: {log_path.read_text(errors='replace')}")
            time.sleep(0.2)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    """A Datasette process serving a fresh build; yields its base URL, stops it after."""
    with serving(built, tmp_path_factory.mktemp("server")) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless. Playwright never downloads a browser here. Module
    scope: Playwright's sync API keeps an event loop running until it closes, which would
    stop the asyncio tests of later modules."""
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
