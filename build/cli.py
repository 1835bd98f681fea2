"""The command line: `provenance build`, `provenance check`, `provenance validate`."""

import os
import sys
from pathlib import Path

import click

from build import __version__
from build.assemble import assemble
from build.outputs import validate_package, write_outputs
from build.problems import BuildError
from build.seeds import read_seeds
from build.serve import datasette_command

ROOT = Path(__file__).resolve().parent.parent


def _fail(error):
    """Print every problem, one per line, and exit non-zero."""
    for problem in error.problems:
        click.echo(f"error: {problem}", err=True)
    click.echo(f"{len(error.problems)} problem(s); nothing was written.", err=True)
    sys.exit(1)


@click.group()
@click.version_option(__version__, prog_name="provenance")
def cli():
    """Build the claim-provenance dataset from seeds/ into data/."""


@cli.command()
@click.option("--seeds", "seeds_dir", default=ROOT / "seeds", type=click.Path(file_okay=False, path_type=Path), show_default=True, help="Folder of curated input.")
def check(seeds_dir):
    """Check the seeds (quotes, ids, enums, dates) without writing anything."""
    try:
        tables = assemble(read_seeds(seeds_dir))
    except BuildError as error:
        _fail(error)
    summary = ", ".join(f"{len(rows)} {name}" for name, rows in tables.items())
    click.echo(f"seeds are good: {summary}")


@cli.command()
@click.option("--seeds", "seeds_dir", default=ROOT / "seeds", type=click.Path(file_okay=False, path_type=Path), show_default=True, help="Folder of curated input.")
@click.option("--data", "data_dir", default=ROOT / "data", type=click.Path(file_okay=False, path_type=Path), show_default=True, help="Folder to write outputs to.")
@click.option("--metadata", "metadata_path", default=ROOT / "metadata.yml", type=click.Path(dir_okay=False, exists=True, path_type=Path), show_default=True, help="Datasette metadata to extend with the column descriptions.")
def build(seeds_dir, data_dir, metadata_path):
    """Check the seeds and write the database, CSVs, datapackage.json and metadata.json."""
    try:
        tables = assemble(read_seeds(seeds_dir))
        written = write_outputs(tables, data_dir, metadata_path)
    except BuildError as error:
        _fail(error)
    for name, rows in tables.items():
        click.echo(f"{name:>15}: {len(rows)} rows")
    click.echo(f"wrote {len(written)} files to {data_dir}")


@cli.command()
@click.argument("package", default=ROOT / "data" / "datapackage.json", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def validate(package):
    """Validate a data package with Frictionless (schemas, keys, hashes)."""
    problems = validate_package(package)
    if problems:
        _fail(BuildError(problems))
    click.echo(f"{package}: valid")


@cli.command()
@click.option("--data", "data_dir", default=ROOT / "data", type=click.Path(file_okay=False, exists=True, path_type=Path), show_default=True, help="Folder holding the built database.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True)
def serve(data_dir, host, port):
    """Serve the built database with Datasette, immutable, and print its address."""
    click.echo(f"Serving the dataset at http://{host}:{port}/ (Ctrl-C to stop)")
    command = datasette_command(data_dir, host, port)
    os.execv(command[0], command)
