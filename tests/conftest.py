"""Shared fixtures: a fresh build of the real seeds into a temporary folder, and a
Datasette instance serving it exactly as `make serve` does."""

import shutil
from pathlib import Path

import pytest
import sqlite_utils

from build.assemble import assemble
from build.outputs import DATABASE_NAME, write_outputs
from build.seeds import read_seeds
from build.serve import datasette_app

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


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
