"""Shared fixtures: a fresh build of the real seeds into a temporary folder, and a
Datasette instance serving it exactly as `make serve` does, in process or as a process."""

import importlib.util
import shutil
from pathlib import Path

import pytest
import sqlite_utils
from playwright.sync_api import sync_playwright

import chromium as chromium_setup

from build.check.assemble import assemble
from build.write.outputs import DATABASE_NAME, write_outputs
from build.read.seeds import read_seeds
from build.site.serve import datasette_app, datasette_command, serving

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = str(
    chromium_setup.CHROMIUM
)  # tests/chromium.py: `make test` installs it, or says what to install
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def load_plugin(name):
    """The module plugins/NAME.py, loaded from its file as Datasette loads it (plugins/ is
    not a package); each call gives a fresh module."""
    spec = importlib.util.spec_from_file_location(f"{name}_plugin", ROOT / "plugins" / f"{name}.py")
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    return plugin


def served(folder, log):
    """A context manager: `provenance serve`'s command for the data folder, as a process
    logging to log; yields its base URL, stops it after."""
    return serving(lambda port: datasette_command(folder, port=port), log)


async def get_ok(datasette, path):
    """Datasette's response to path, which must be a 200."""
    response = await datasette.client.get(path)
    assert response.status_code == 200, path
    return response


def pytest_collection_modifyitems(items):
    """Mark every test that drives Chromium `browser`, so `make test-fast` can leave it out."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


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


@pytest.fixture(scope="module")
def datasette(built):
    """Datasette configured like `make serve`: immutable database, generated metadata. One
    instance per test module, as one process serves every visitor: its first answer
    compiles the templates and loads the plugins."""
    return datasette_app(built)


@pytest.fixture
def seeds_copy(tmp_path):
    """A writable copy of seeds/ for tests that break the input on purpose."""
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    return copy


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    """A Datasette process serving a fresh build; yields its base URL, stops it after."""
    with served(built, tmp_path_factory.mktemp("server") / "datasette.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless. Playwright never downloads a browser here. Module
    scope: Playwright's sync API keeps an event loop running until it closes, which would
    stop the asyncio tests of later modules."""
    action, message = chromium_setup.plan(is_root=False)
    if action != "ok":
        pytest.fail(message, pytrace=False)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()
