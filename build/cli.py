"""The command line, one verb for each thing the project does: `provenance check`, `build`,
`validate`, `serve`, `draft`, `evaluate`, `bench`, `synth`, `vendor`, `inspect`, `release`.

Every command reads everything first (seeds and metadata.yml), then checks it, and
only then writes; whatever is wrong with the input is reported at once, one
`error: file:line: field: message` per problem, with a non-zero exit and no traceback."""

import gc
import importlib
import os
import signal
import sys
from pathlib import Path

import click

from build import __version__, paths
from build.check.assemble import assemble
from build.incremental.cache import ParseCache
from build.write.outputs import load_site_metadata, validate_package
from build.write.publish import recover_if_idle
from build.problems import BuildError, Problem
from build.read.seeds import read_seeds


def _fail(error):
    """Print every problem, one per line, and exit non-zero."""
    for problem in error.problems:
        click.echo(f"error: {problem}", err=True)
    click.echo(f"{len(error.problems)} problem(s); nothing was written.", err=True)
    sys.exit(1)


def stop_on_sigterm():
    """SIGTERM (and SIGHUP) end a build as Ctrl-C does: by an exception, so that its scratch
    folder and worker processes are cleaned up (by default the process just ends)."""

    def stop(number, frame):
        raise SystemExit(128 + number)

    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, stop)


def progress_bar(items, length, label):
    """items, drawn as a progress bar on standard error when that is a terminal; quiet
    otherwise (in CI, in tests, when piped)."""
    if not sys.stderr.isatty():
        yield from items
        return
    with click.progressbar(
        items, length=length, label=f"{label:<9}", file=sys.stderr, show_pos=True
    ) as bar:
        yield from bar


def read_and_check(seeds_dir, metadata_path, cache_path=None, include_drafts=False):
    """(tables, site metadata) from the seeds and metadata.yml; BuildError listing every
    problem found in either. Reads and checks only: nothing is written. cache_path names
    the parse cache (build/incremental/cache.py); None reads every file afresh."""
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
            tables = assemble(seeds, progress_bar, include_drafts=include_drafts)
        except BuildError as error:
            problems += error.problems
    if problems:
        raise BuildError(problems)
    return tables, site_metadata


def path_option(flag, name, default, help, *, folder, exists=False):
    """A click option naming a folder (folder=True) or a file, given as a Path."""
    return click.option(
        flag,
        name,
        default=default,
        type=click.Path(file_okay=not folder, dir_okay=folder, exists=exists, path_type=Path),
        show_default=True,
        help=help,
    )


def data_option(help, exists=True):
    """--data: the folder of the built outputs."""
    return path_option("--data", "data_dir", paths.DATA, help, folder=True, exists=exists)


SEEDS_OPTION = path_option(
    "--seeds", "seeds_dir", paths.SEEDS, "Folder of curated input.", folder=True
)
CACHE_OPTION = path_option(
    "--cache",
    "cache_path",
    paths.CACHE,
    "Build cache: unchanged article files are not parsed again, and a build redoes only the articles changed since the last. Delete it to start cold.",
    folder=False,
)
NO_CACHE_OPTION = click.option(
    "--no-cache",
    is_flag=True,
    help="Read (and build) everything afresh, and leave the cache alone.",
)
METADATA_OPTION = path_option(
    "--metadata",
    "metadata_path",
    paths.METADATA,
    "Datasette metadata to extend with the column descriptions.",
    folder=False,
)


class LazyGroup(click.Group):
    """A group whose slower verbs are imported only when one is run (the benchmark and the
    chart bundle import Datasette, vl-convert and more): click's pattern for lazy commands."""

    LAZY = {
        "bench": "build.bench.run:main",
        "synth": "build.bench.synth:main",
        "vendor": "build.site.vendor:main",
        "inspect": "build.site.serve:main",
    }

    def list_commands(self, ctx):
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx, name):
        if name in self.LAZY:
            module, attribute = self.LAZY[name].split(":")
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="provenance")
@click.pass_context
def cli(ctx):
    """Build the claim-provenance dataset from seeds/ into data/."""
    # A build makes millions of long-lived objects and almost no reference cycles, and
    # Python's cycle collector walks the whole growing heap again and again: on 10,000
    # articles that was a third of the reading, checking and export time, for nothing
    # reclaimed. So it is off while a command runs, and back as it was afterwards.
    if gc.isenabled():
        gc.disable()
        ctx.call_on_close(gc.enable)


@cli.command()
@SEEDS_OPTION
@METADATA_OPTION
@CACHE_OPTION
@NO_CACHE_OPTION
def check(seeds_dir, metadata_path, cache_path, no_cache):
    """Check the seeds (quotes, ids, enums, dates) and metadata.yml without writing anything."""
    from build.extractor.review import review_notes

    for note in review_notes(seeds_dir):  # drafts left out, reviewed files still holding drafts
        click.echo(f"warning: {note}", err=True)
    try:
        tables, _ = read_and_check(seeds_dir, metadata_path, None if no_cache else cache_path)
    except BuildError as error:
        _fail(error)
    summary = ", ".join(f"{len(rows)} {name}" for name, rows in tables.items())
    click.echo(f"seeds are good: {summary}")


@cli.command()
@SEEDS_OPTION
@data_option("Folder to write outputs to.", exists=False)
@METADATA_OPTION
@CACHE_OPTION
@NO_CACHE_OPTION
@click.option(
    "--include-drafts",
    is_flag=True,
    help="Publish items still marked `status: drafted`, with method = extractor.",
)
def build(seeds_dir, data_dir, metadata_path, cache_path, no_cache, include_drafts):
    """Check the seeds and write the database, CSVs, datapackage.json and metadata.json.
    With the cache, a rebuild reads and writes again only the articles that changed."""
    from build.incremental import rebuild as incremental

    cache = ParseCache(None if no_cache else cache_path)
    try:
        stop_on_sigterm()
        result = incremental.build(
            seeds_dir,
            data_dir,
            metadata_path,
            cache,
            include_drafts,
            progress_bar,
            say=lambda line: click.echo(line, err=True),
        )
    except BuildError as error:
        _fail(error)
    except OSError as error:
        where = error.filename or data_dir
        _fail(
            BuildError(
                [
                    Problem(
                        str(where), None, "", f"cannot write the outputs: {error.strerror or error}"
                    )
                ]
            )
        )
    finally:
        cache.close()
    for name, count in result.counts.items():
        click.echo(f"{name:>15}: {count} rows")
    if result.changed == []:
        click.echo(
            f"nothing changed since the last build: the outputs in {data_dir} are up to date"
        )
        return
    how = (
        "all articles"
        if result.changed is None
        else f"{len(result.changed)} changed article(s), the rest copied from the last build"
    )
    click.echo(f"wrote {len(result.written)} files to {data_dir} ({how})")


@cli.command()
@click.argument(
    "package",
    default=paths.DATA / "datapackage.json",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
)
def validate(package):
    """Validate a data package with Frictionless (schemas, keys, hashes)."""
    recover_if_idle(package.parent)  # a build killed mid-swap is finished first
    problems = validate_package(package)
    if problems:
        _fail(BuildError(problems))
    click.echo(f"{package}: valid")


@cli.command()
@data_option("Folder holding the built database.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True)
def serve(data_dir, host, port):
    """Serve the built database with Datasette, immutable, and print its address."""
    from build.site.serve import datasette_command  # Datasette is slow to import: only when serving

    click.echo(f"Serving the dataset at http://{host}:{port}/ (Ctrl-C to stop)")
    command = datasette_command(data_dir, host, port)
    os.execv(command[0], command)


@cli.command()
@click.argument("article", type=click.Path(dir_okay=False, path_type=Path))
@SEEDS_OPTION
@click.option(
    "--url", help="The page's address: the outlet and date where the text does not give them."
)
@click.option(
    "--meta",
    "meta_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A `.meta` sidecar (url, title, date, ...) [default: ARTICLE's NAME.meta or NN.meta beside it, if any].",
)
@click.option(
    "--output",
    "output_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the draft [default: seeds/articles/OUTLET-DATE.yml].",
)
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
def draft(article, seeds_dir, url, meta_path, output_path, force):
    """Draft the annotation file of ARTICLE, a text under seeds/, for a person to review."""
    from build.extractor.draft import (
        corpus_texts,
        draft_record,
        draft_yaml,
        read_article_text,
        read_sidecar,
        sidecar_for,
        write_draft,
    )
    from build.extractor.extract import ModelMissing, knowledge_from_tables
    from build.read.seeds import display_path

    shown = display_path(article, seeds_dir)
    try:
        inside = article.resolve().is_relative_to(seeds_dir.resolve())
        if not inside:
            raise BuildError(
                [
                    Problem(
                        shown,
                        None,
                        "",
                        f"put the text under {display_path(seeds_dir, seeds_dir)}/texts/ first: the build keeps article texts in seeds/",
                    )
                ]
            )
        text = read_article_text(article, shown)
        tables = assemble(read_seeds(seeds_dir))
        text_name = article.resolve().relative_to(seeds_dir.resolve()).as_posix()
        meta = read_sidecar(meta_path or sidecar_for(article))
        article_id, record, warnings = draft_record(
            text,
            text_name,
            knowledge_from_tables(tables),
            url=url,
            meta=meta,
            corpus=corpus_texts(tables, text_name),
        )
        output_path = output_path or seeds_dir / "articles" / f"{article_id}.yml"
        write_draft(
            output_path,
            draft_yaml(record, text_name),
            force=force,
            shown=display_path(output_path, seeds_dir),
        )
    except BuildError as error:
        _fail(error)
    except ModelMissing as error:
        _fail(BuildError([Problem(shown, None, "", str(error))]))
    for field, message in warnings:
        click.echo(f"warning: {shown}: {field}: {message}", err=True)
    counts = ", ".join(
        f"{len(record[key])} {key}"
        for key in ("citations", "mentions", "denials", "proposed_actors", "proposed_claims")
    )
    click.echo(
        f"drafted {display_path(output_path, seeds_dir)}: {counts}; review it, then `provenance check`"
    )


@cli.command()
@SEEDS_OPTION
@click.option(
    "--compare",
    is_flag=True,
    help="Also score each alternative technique (docs/extractor.md) and print the table; writes nothing more.",
)
@click.option(
    "--markdown", is_flag=True, help="Print the scores as the Markdown tables of docs/extractor.md."
)
def evaluate(seeds_dir, compare, markdown):
    """Score the extractor against the curated annotations, leaving one article out, and
    write the scores to seeds/extractor_scores.csv, which the build publishes."""
    from build.extractor.evaluate import (
        CATEGORIES,
        compare as compare_all,
        extractor_scores,
        format_comparison,
        format_markdown,
        format_table,
        scores_csv,
    )
    from build.extractor.extract import ModelMissing
    from build.read.seeds import SCORES_FILE

    try:
        tables = assemble(read_seeds(seeds_dir))
        rows = extractor_scores(tables)
        table = compare_all(tables) if compare else None
    except BuildError as error:
        _fail(error)
    except ModelMissing as error:
        _fail(BuildError([Problem("build/extractor", None, "", str(error))]))
    shown = sorted(
        rows,
        key=lambda r: (
            CATEGORIES.index(r["category"]),
            r["article_id"] is None,
            r["article_id"] or "",
        ),
    )
    click.echo(format_markdown(rows) if markdown else format_table(shown))
    click.echo(f"extractor: {rows[0]['extractor']}; leave one article out")
    if table:
        click.echo(format_comparison(table))
    (seeds_dir / SCORES_FILE).write_bytes(scores_csv(rows))
    click.echo(
        f"wrote {seeds_dir.name}/{SCORES_FILE}: `make build` publishes it as the extractor_scores table"
    )


@cli.command()
@click.option(
    "--version",
    "version",
    help="The version to release [default: the next by semantic versioning of the data: major when rows, columns or tables went, minor when some were added, patch when only values changed].",
)
@click.option("--date", help="The release's date, YYYY-MM-DD [default: today, UTC].")
@click.option(
    "--notes", help="What the release is about, for the releases table, the commit and the tag."
)
@click.option(
    "--homepage",
    help="The site's public address, kept in seeds/release.yml for this and later releases.",
)
@click.option(
    "--previous",
    type=click.Path(exists=True, path_type=Path),
    help="The package to compare with [default: data/ at the last release's git tag].",
)
@click.option(
    "--test-command",
    help="The tests to pass first [default: make test-fast, or pytest without the browser and load tests].",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check, and say what the release would be, without writing, committing or tagging.",
)
@SEEDS_OPTION
@data_option("The committed package.")
@METADATA_OPTION
@CACHE_OPTION
def release(
    version,
    date,
    notes,
    homepage,
    previous,
    test_command,
    dry_run,
    seeds_dir,
    data_dir,
    metadata_path,
    cache_path,
):
    """Check that everything is green, then release the data: its next version and what
    changed since the last release (seeds/release.yml, seeds/changes.csv), a rebuild that
    writes them into datapackage.json and onto the site, CITATION.cff and .zenodo.json,
    a commit and an annotated tag vVERSION. Example: provenance release --notes "Eight new reports"."""
    import datetime
    import shlex

    from build.release.cut import release as cut_release

    if date is not None:
        try:
            date = datetime.date.fromisoformat(date).isoformat()
        except ValueError:
            _fail(
                BuildError(
                    [Problem("--date", None, "", f"expected a date YYYY-MM-DD, got {date!r}")]
                )
            )
    try:
        cut_release(
            paths.ROOT,
            seeds_dir,
            data_dir,
            metadata_path,
            cache_path,
            version=version,
            date=date,
            notes=notes,
            homepage=homepage,
            previous=previous,
            test_command=shlex.split(test_command) if test_command else None,
            dry_run=dry_run,
            echo=click.echo,
        )
    except BuildError as error:
        _fail(error)
