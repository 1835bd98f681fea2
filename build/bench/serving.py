"""The serving half of the benchmark: which pages a visitor asks for, their latency through
a real Datasette process over HTTP (published configuration, and untuned), and the same SQL
through sqlite3 directly.

Published is build/site/serve.py's configuration: immutable, inspect file, SETTINGS, the build's
indexes. Untuned is Datasette as it comes: the same database without the build's indexes
(full-text search kept), opened mutable, default settings, no inspect file; the same
metadata (so the same facets), plugins and static files, so the pages are the same pages.

Each page is asked for by one client, one request at a time (latency, not throughput),
after two requests to warm caches; up to `requests` times or until `budget` seconds have
gone on that page, whichever comes first (the count is reported)."""

import asyncio
import json
import re
import shutil
import sqlite3
import sys
import time
import urllib.parse
from pathlib import Path

import httpx
from datasette.sql_functions import prepare_connection
from datasette.tracer import capture_traces

from build import schema
from build.write.outputs import DATABASE_NAME, METADATA_NAME
from build.site.serve import PLUGINS, datasette_app, datasette_command, serving, static_mounts

DATABASE = Path(DATABASE_NAME).stem
# A value for each canned query parameter: all are in the real seeds, so in every corpus.
SAMPLE_PARAMETERS = {"claim": "bukhari-visited-israel", "actor": "zulfi-bukhari", "q": "passport"}
SEARCHED_TABLE = "articles"
EXPORTED_TABLE = "citations"
WARM_UP = 2
# Captured queries run without Datasette's time limits, so a facet it would cut off is seen whole.
UNLIMITED = {"sql_time_limit_ms": 600_000, "facet_time_limit_ms": 600_000}
PARAMETER = re.compile(r"(?<!:):(\w+)")
NOT_PARAMETERS = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"", re.S)
TIMED_OUT = re.compile(r'<p class="facets-timed-out">These facets timed out: (.*?)</p>')


def pages(metadata):
    """[{"path", "kind", "format"}] of what the benchmark asks for: the home and database
    pages; every table and every view with declared facets, as HTML and JSON; each canned
    query; a full-text search; a CSV export (a page of rows, and the whole table's file)."""
    tables_config = metadata["databases"][DATABASE].get("tables", {})
    tables = [res["name"] for res in schema.resources()]
    views = [
        name
        for name, config in tables_config.items()
        if name not in tables and config.get("facets")
    ]
    found = []

    def both(path, kind):
        parsed = urllib.parse.urlsplit(path)
        found.append({"path": path, "kind": kind, "format": "html"})
        json_path = parsed._replace(path="/.json" if parsed.path == "/" else parsed.path + ".json")
        found.append({"path": urllib.parse.urlunsplit(json_path), "kind": kind, "format": "json"})

    both("/", "home")
    both(f"/{DATABASE}", "database")
    for name in tables + views:
        both(
            f"/{DATABASE}/{name}",
            "facet page" if tables_config.get(name, {}).get("facets") else "table",
        )
    for name, query in metadata["databases"][DATABASE].get("queries", {}).items():
        parameters = {p: SAMPLE_PARAMETERS[p] for p in query_parameters(query["sql"])}
        both(
            f"/{DATABASE}/{name}"
            + (f"?{urllib.parse.urlencode(parameters)}" if parameters else ""),
            "canned query",
        )
    both(f"/{DATABASE}/{SEARCHED_TABLE}?_search={SAMPLE_PARAMETERS['q']}", "search")
    found.append(
        {
            "path": f"/{DATABASE}/{EXPORTED_TABLE}.csv?_size=max",
            "kind": "csv export",
            "format": "csv",
        }
    )
    found.append({"path": f"/exports/{EXPORTED_TABLE}.csv", "kind": "csv file", "format": "csv"})
    return found


def query_parameters(sql):
    """The named parameters of a canned query: `:name` outside comments and quoted strings
    (so the literal 'tag:bukhari-provenance,...' is not one)."""
    return list(dict.fromkeys(PARAMETER.findall(NOT_PARAMETERS.sub(" ", sql))))


def percentile(samples, fraction):
    """The nearest-rank percentile of samples (milliseconds)."""
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))]


def summary(samples, **extra):
    return {
        "p50_ms": percentile(samples, 0.5),
        "p95_ms": percentile(samples, 0.95),
        "n": len(samples),
        **extra,
    }


def time_http(base, page_list, requests, budget, warm_up=WARM_UP):
    """{path: {"p50_ms", "p95_ms", "n", "first_ms", "errors", "facets_timed_out"}} over HTTP from base."""
    results = {}
    with httpx.Client(base_url=base, timeout=120) as client:
        for page in page_list:
            path = page["path"]
            start = time.perf_counter()
            client.get(path)
            first_ms = (
                time.perf_counter() - start
            ) * 1000  # this page's first answer: nothing of it cached yet
            for _ in range(warm_up - 1):
                client.get(path)
            samples, errors, timed_out = [], 0, set()
            started = time.perf_counter()
            while len(samples) < requests and (
                len(samples) < 3 or time.perf_counter() - started < budget
            ):
                start = time.perf_counter()
                response = client.get(path)
                samples.append((time.perf_counter() - start) * 1000)
                errors += response.status_code != 200
                if page["format"] == "html":
                    for listed in TIMED_OUT.findall(response.text):
                        timed_out.update(name.strip() for name in listed.split(","))
            results[path] = summary(
                samples, first_ms=first_ms, errors=errors, facets_timed_out=sorted(timed_out)
            )
    return results


async def captured_queries(app, page_list):
    """{path: [(sql, params)]}: every query Datasette runs on the database for each page."""
    await app.invoke_startup()
    captured = {}
    for page in page_list:
        traces = []
        with capture_traces(traces):
            await app.client.get(page["path"])
        captured[page["path"]] = [
            (t["sql"], t["params"]) for t in traces if t.get("database") == DATABASE
        ]
    return captured


def time_sqlite(database_path, captured, requests, budget):
    """{path: {"p50_ms", "p95_ms", "n", "queries"}}: each page's queries run one after another
    through sqlite3 on database_path, as many rows fetched as Datasette fetches at most."""
    conn = sqlite3.connect(f"file:{database_path}?immutable=1", uri=True, check_same_thread=False)
    prepare_connection(conn)  # escape_fts(), which the search query calls
    results = {}
    try:
        for path, queries in captured.items():
            if not queries:
                continue  # a static file: no SQL

            def run_page():
                for sql, params in queries:
                    conn.execute(sql, params or []).fetchmany(1001)

            run_page()  # warm up, as the HTTP figures are
            samples, started = [], time.perf_counter()
            while len(samples) < requests and (
                len(samples) < 3 or time.perf_counter() - started < budget
            ):
                start = time.perf_counter()
                run_page()
                samples.append((time.perf_counter() - start) * 1000)
            results[path] = summary(samples, queries=len(queries))
    finally:
        conn.close()
    return results


def untuned_database(data_dir, folder):
    """A copy of data_dir's database without the indexes the build made (keys' automatic
    indexes and the full-text search tables stay); returns its path and the names dropped."""
    target = Path(folder) / DATABASE_NAME
    shutil.copyfile(Path(data_dir) / DATABASE_NAME, target)
    with sqlite3.connect(target) as conn:
        dropped = [
            row[0]
            for row in conn.execute(
                "select name from sqlite_master where type = 'index' and sql is not null"
            )
        ]
        for name in dropped:
            conn.execute(f"drop index [{name}]")
    return target, dropped


def untuned_command(database_path, data_dir, port):
    """Datasette serving database_path with no tuning: mutable, default settings, no inspect
    file; the same metadata, plugins and static files as the published site."""
    command = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(database_path),
        "--metadata",
        str(Path(data_dir) / METADATA_NAME),
        "--plugins-dir",
        str(PLUGINS),
        "--cors",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    for prefix, folder in static_mounts(data_dir):
        command += ["--static", f"{prefix}:{folder}"]
    return command


def bench_serving(data_dir, scratch, requests, budget, warm_up=WARM_UP):
    """Latency of every page, published and untuned over HTTP, and the published pages' SQL
    through sqlite3; with the indexes the untuned copy lacks. (The untuned pages' SQL is not
    run without Datasette's time limits: some of it, such as the circular_sourcing view's
    self-joins, is quadratic without the indexes and would run for minutes.)"""
    data_dir, scratch = Path(data_dir), Path(scratch)
    metadata = json.loads((data_dir / METADATA_NAME).read_text(encoding="utf-8"))
    page_list = pages(metadata)
    with serving(
        lambda port: datasette_command(data_dir, port=port), scratch / "published.log"
    ) as base:
        published = time_http(base, page_list, requests, budget, warm_up)
    published_sql = time_sqlite(
        data_dir / DATABASE_NAME,
        asyncio.run(captured_queries(datasette_app(data_dir, **UNLIMITED), page_list)),
        requests,
        budget,
    )

    untuned_dir = scratch / "untuned"
    untuned_dir.mkdir(exist_ok=True)
    untuned_path, dropped = untuned_database(data_dir, untuned_dir)
    with serving(
        lambda port: untuned_command(untuned_path, data_dir, port), scratch / "untuned.log"
    ) as base:
        untuned = time_http(base, page_list, requests, budget, warm_up)

    results = []
    for page in page_list:
        path = page["path"]
        entry = {
            **page,
            "published": published[path],
            "untuned": untuned[path],
            "published_sql": published_sql.get(path),
        }
        entry["ratios"] = ratios(entry)
        results.append(entry)
    return {"pages": results, "indexes_dropped_for_untuned": dropped}


def ratios(entry):
    """How many times slower: untuned than published (p50, p95), and published than its raw SQL (p50)."""

    def ratio(numerator, denominator):
        return numerator / denominator if denominator else None

    found = {
        "untuned_over_published_p50": ratio(
            entry["untuned"]["p50_ms"], entry["published"]["p50_ms"]
        ),
        "untuned_over_published_p95": ratio(
            entry["untuned"]["p95_ms"], entry["published"]["p95_ms"]
        ),
    }
    if entry["published_sql"]:
        found["published_over_sqlite_p50"] = ratio(
            entry["published"]["p50_ms"], entry["published_sql"]["p50_ms"]
        )
    return found
