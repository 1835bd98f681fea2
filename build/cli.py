"""The command line: `provenance build`, `provenance check`, `provenance validate`.

Every command reads everything first (seeds and metadata.yml), then checks it, and
only then writes; whatever is wrong with the input is reported at once, one
`error: file:line: field: message` per problem, with a non-zero exit and no traceback."""

import os
import sys
from pathlib import Path

import click

from build import __version__
from build.assemble import assemble
from build.cache import ParseCache
from build.outputs import load_site_metadata, validate_package, write_outputs
from build.problems import BuildError, Problem
from build.seeds import read_seeds

ROOT = Path(__file__).resolve().parent.parent


def _fail(error):
    """Print every problem, one per line, and exit non-zero."""
    for problem in error.problems:
        click.echo(f"error: {problem}", err=True)
    click.echo(f"{len(error.problems)} problem(s); nothing was written.", err=True)
    sys.exit(1)


def progress_bar(items, length, label):
    """items, drawn as a progress bar on standard error when that is a terminal; quiet
    otherwise (in CI, in tests, when piped)."""
    if not sys.stderr.isatty():
        yield from items
        return
    with click.progressbar(items, length=length, label=f"{label:<9}", file=sys.stderr, show_pos=True) as bar:
        yield from bar


def read_and_check(seeds_dir, metadata_path, cache_path=None):
    """(tables, site metadata) from the seeds and metadata.yml; BuildError listing every
    problem found in either. Reads and checks only: nothing is written. cache_path names
    the parse cache (build/cache.py); None reads every file afresh."""
    problems, seeds, site_metadata, tables = [], None, None, None
    cache = ParseCache(cache_path)
    try:
        seeds = read_seeds(seeds_dir, cache, progress_bar)
    except BuildError as error:
        problems += error.problems
    finally:
        cache.close()
    try:
        site_metadata = load_site_metadata(metadata_path)
    except BuildError as error:
        problems += error.problems
    if seeds is not None:
        try:
            tables = assemble(seeds, progress_bar)
        except BuildError as error:
            problems += error.problems
    if problems:
        raise BuildError(problems)
    return tables, site_metadata


SEEDS_OPTION = click.option("--seeds", "seeds_dir", default=ROOT / "seeds", type=click.Path(file_okay=False, path_type=Path), show_default=True, help="Folder of curated input.")
CACHE_OPTION = click.option(
    "--cache", "cache_path", default=ROOT / ".cache" / "build.sqlite", type=click.Path(dir_okay=False, path_type=Path), show_default=True,
    help="Parse cache: unchanged article files are not parsed again. Delete it to start cold.",
)
NO_CACHE_OPTION = click.option("--no-cache", is_flag=True, help="Parse every file afresh, and leave the cache alone.")
METADATA_OPTION = click.option("--metadata", "metadata_path", default=ROOT / "metadata.yml", type=click.Path(dir_okay=False, path_type=Path), show_default=True, help="Datasette metadata to extend with the column descriptions.")


@click.group()
@click.version_option(__version__, prog_name="provenance")
def cli():
    """Build the claim-provenance dataset from seeds/ into data/."""


@cli.command()
@SEEDS_OPTION
@METADATA_OPTION
@CACHE_OPTION
@NO_CACHE_OPTION
def check(seeds_dir, metadata_path, cache_path, no_cache):
    """Check the seeds (quotes, ids, enums, dates) and metadata.yml without writing anything."""
    try:
        tables, _ = read_and_check(seeds_dir, metadata_path, None if no_cache else cache_path)
    except BuildError as error:
        _fail(error)
    summary = ", ".join(f"{len(rows)} {name}" for name, rows in tables.items())
    click.echo(f"seeds are good: {summary}")


@cli.command()
@SEEDS_OPTION
@click.option("--data", "data_dir", default=ROOT / "data", type=click.Path(file_okay=False, path_type=Path), show_default=True, help="Folder to write outputs to.")
@METADATA_OPTION
@CACHE_OPTION
@NO_CACHE_OPTION
def build(seeds_dir, data_dir, metadata_path, cache_path, no_cache):
    """Check the seeds and write the database, CSVs, datapackage.json and metadata.json."""
    try:
        tables, site_metadata = read_and_check(seeds_dir, metadata_path, None if no_cache else cache_path)
        written = write_outputs(tables, data_dir, metadata_path, site_metadata, progress_bar)
    except BuildError as error:
        _fail(error)
    except OSError as error:
        where = error.filename or data_dir
        _fail(BuildError([Problem(str(where), None, "", f"cannot write the outputs: {error.strerror or error}")]))
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
    from build.serve import datasette_command  # Datasette is slow to import: only when serving

    click.echo(f"Serving the dataset at http://{host}:{port}/ (Ctrl-C to stop)")
    command = datasette_command(data_dir, host, port)
    os.execv(command[0], command)
