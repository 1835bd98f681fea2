"""The build half of the benchmark: a synthetic corpus of a given size, timed builds of it
through the public command line, one process per build, and the sizes of what they wrote.

Each build runs as `python -m build build --seeds ... --data ...` in its own process, so its
wall time includes starting Python, as a user's does, and its peak memory is that process's
own high-water mark (the kernel's maximum resident set size, from os.wait4)."""

import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from build.write.outputs import DATABASE_NAME
from build.bench.synth import write_corpus

# The title of a supplied-title article can change freely: nothing checks it against the text.
TITLE_LINE = re.compile(r"^title: (.*)$", re.MULTILINE)
REVISION = " (revised)"
# Rebuilds of each kind timed, of which the median is reported.
REBUILDS = 3


def generate_corpus(seeds_dir, articles):
    """Write the real seeds plus `articles` synthetic ones to seeds_dir; seconds taken."""
    start = time.perf_counter()
    write_corpus(seeds_dir, articles)
    return time.perf_counter() - start


def timed_build(seeds_dir, data_dir, cache_path):
    """Run one build in a child process, with its parse cache at cache_path: {"seconds",
    "peak_rss_mb"}. Raises RuntimeError, with the build's own messages, when it fails."""
    command = [
        sys.executable,
        "-m",
        "build",
        "build",
        "--seeds",
        str(seeds_dir),
        "--data",
        str(data_dir),
        "--cache",
        str(cache_path),
    ]
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        # wait4, not wait: it returns this child's own resource usage, peak memory included.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            log.seek(0)
            raise RuntimeError(
                f"build of {seeds_dir} failed:\n{log.read().decode(errors='replace')}"
            )
    return {"seconds": seconds, "peak_rss_mb": usage.ru_maxrss / 1024}  # Linux reports KiB


def revise_one_article(seeds_dir):
    """Change the title of the last article (in name order) whose title is supplied rather
    than stated in its text, as an editor would; return (its file name, the new title)."""
    for path in sorted((Path(seeds_dir) / "articles").glob("*.yml"), reverse=True):
        text = path.read_text(encoding="utf-8")
        annotation = yaml.safe_load(text)
        if annotation.get("title_basis") != "supplied":
            continue
        title = annotation["title"] + REVISION
        # Only that line is rewritten (a JSON string is a YAML string): the rest stays byte for byte.
        path.write_text(
            TITLE_LINE.sub(
                lambda _: "title: " + json.dumps(title, ensure_ascii=False), text, count=1
            ),
            encoding="utf-8",
        )
        return path.name, title
    raise RuntimeError(f"no article in {seeds_dir} has a supplied title to revise")


def database_has_title(data_dir, title):
    """Whether the built database holds an article with this title (a rebuild took the change)."""
    with sqlite3.connect(f"file:{Path(data_dir) / DATABASE_NAME}?mode=ro", uri=True) as conn:
        return (
            conn.execute("select count(*) from articles where title = ?", [title]).fetchone()[0]
            == 1
        )


def table_rows(data_dir):
    """{table: rows} of the built database's tables (not its full-text search tables)."""
    with sqlite3.connect(f"file:{Path(data_dir) / DATABASE_NAME}?mode=ro", uri=True) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "select name from sqlite_master where type = 'table' and name not like '%_fts%' and name not like 'sqlite_%' order by name"
            )
        ]
        return {
            name: conn.execute(f"select count(*) from [{name}]").fetchone()[0] for name in names
        }


def output_bytes(data_dir):
    """Bytes written: the database, the CSVs together, and everything else (JSON exports, metadata)."""
    files = [path for path in Path(data_dir).iterdir() if path.is_file()]
    database = sum(path.stat().st_size for path in files if path.name == DATABASE_NAME)
    csv = sum(path.stat().st_size for path in files if path.suffix == ".csv")
    return {
        "database": database,
        "csv": csv,
        "other": sum(path.stat().st_size for path in files) - database - csv,
    }


def timed_rebuilds(seeds_dir, data_dir, cache_path, runs, edit=None):
    """Time `runs` rebuilds, each after edit() when given: {"seconds": the median,
    "peak_rss_mb": the highest, "runs": each one's seconds}. A single rebuild straight after a
    cold build waits for the disk to take the cold build's outputs, and its time says more
    about the page cache than about the rebuild."""
    timings = []
    for _ in range(runs):
        if edit is not None:
            edit()
        timings.append(timed_build(seeds_dir, data_dir, cache_path))
    return {
        "seconds": statistics.median(t["seconds"] for t in timings),
        "peak_rss_mb": max(t["peak_rss_mb"] for t in timings),
        "runs": [t["seconds"] for t in timings],
    }


def bench_builds(seeds_dir, data_dir, articles, rebuilds=REBUILDS):
    """Generate the corpus and time a cold build, rebuilds with nothing changed and rebuilds
    after one article changed (the median of `rebuilds` of each); with the outputs' rows
    and sizes."""
    synth_seconds = generate_corpus(seeds_dir, articles)
    # A cache of this run's own, beside the data folder: the first build is cold, the others warm.
    cache_path = Path(data_dir).parent / "build-cache.sqlite"
    cold = timed_build(seeds_dir, data_dir, cache_path)
    sizes = output_bytes(data_dir)  # before any rebuild leaves anything beside them
    rows = table_rows(data_dir)
    unchanged = timed_rebuilds(seeds_dir, data_dir, cache_path, rebuilds)
    revised = []
    one_article = timed_rebuilds(
        seeds_dir,
        data_dir,
        cache_path,
        rebuilds,
        lambda: revised.append(revise_one_article(seeds_dir)),
    )
    revised_file, title = revised[-1]
    if not database_has_title(data_dir, title):
        raise RuntimeError(f"the rebuild after {revised_file} changed did not write its new title")
    return {
        "synthetic_articles": articles,
        "articles": rows["articles"],
        "rows": rows,
        "corpus_seconds": synth_seconds,
        "cold": cold,
        "unchanged": unchanged,
        "one_article": {**one_article, "changed": revised_file},
        "articles_per_second": rows["articles"] / cold["seconds"],
        "bytes": sizes,
    }
