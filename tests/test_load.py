"""Load, on loopback only: many clients at once, and builds while the site is served.

1. CLIENTS concurrent clients ask for the site's main pages for LOAD_SECONDS seconds
   (5 unless the environment says otherwise): home, every table as HTML and JSON,
   row pages, canned queries, the charts' queries, CSV downloads and exports. Every
   answer must be a 200 (the benchmark, not this test, measures throughput). Requests, latency percentiles and errors go to
   tests/artifacts/load.json and to the end of pytest's output.
2. `provenance build` runs again and again into the folder being served, alternating
   two seed sets whose outputs differ, while clients check every answer for
   consistency. The server must keep answering from the build it started with (every
   count, join, page and download agreeing; plugins/snapshot.py), every file under
   /exports/ must arrive whole, and a server started afterwards serves the last build.

Both servers run `provenance serve`'s command line as a process on 127.0.0.1, with
their output in a file (Datasette logs every request)."""

import asyncio
import csv
import hashlib
import io
import json
import math
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

import httpx
import pytest

from build.site.charts import charts
from build import schema
from build.check.assemble import assemble
from build.write.outputs import DATABASE_NAME, write_outputs
from build.read.seeds import read_seeds
from build.site.serve import SETTINGS, datasette_command
from conftest import ROOT, SEEDS

pytestmark = pytest.mark.load

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", "5"))
CLIENTS = 50
BUILD_SECONDS = 5  # at least; and until BUILDS builds have finished (at most BUILD_SECONDS_MAX)
BUILD_SECONDS_MAX = 90
BUILDS = 4
BUILD_CLIENTS = 20
TABLES = [res["name"] for res in schema.resources()]
PROVENANCE = str(Path(sys.executable).parent / "provenance")  # the command line, from the venv


def chart_data_url(name):
    spec = json.loads((ROOT / "static" / "charts" / f"{name}.vl.json").read_text(encoding="utf-8"))
    return spec["data"]["url"]


PATHS = (
    ["/", "/provenance"]
    + [f"/provenance/{table}{suffix}" for table in TABLES for suffix in ("", ".json")]
    + [
        "/provenance/claims/bukhari-visited-israel",
        "/provenance/articles/hindustan-times-2021-06-29.json",
        "/provenance/claim_lineage?claim_id=bukhari-visited-israel",
        "/provenance/citation_edges.json",
        "/provenance/lineage?claim=bukhari-visited-israel",
        "/provenance/lineage.json?claim=visit-on-20-november-2020",
        "/provenance/actor?actor=zulfi-bukhari",
        "/provenance/search.json?q=passport",
        "/provenance/chains",
        "/provenance/discrepancies_by_detail.json",
        "/provenance/undenied_claims.csv",
        "/provenance/claims.csv?_size=max",
        "/provenance/claim_mentions.csv?_stream=on",
        "/exports/claims.csv",
        "/exports/claims.jsonld",
        "/static/charts/citations.vl.json",
    ]
    + [chart_data_url(chart["name"]) for chart in charts()]
)


class Served:
    """`provenance serve`'s command for data_dir, as a process on a free loopback port."""

    def __init__(self, data_dir, log):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.log = Path(log)
        with open(self.log, "wb") as output:
            self.process = subprocess.Popen(
                datasette_command(data_dir, port=port), stdout=output, stderr=subprocess.STDOUT
            )
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{self.base}/-/versions.json", timeout=1)
                return
            except httpx.TransportError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"datasette did not start: {self.log.read_text()}")
                time.sleep(0.2)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return None
    return sorted_values[max(1, math.ceil(fraction * len(sorted_values))) - 1]


class Figures:
    """Shown at the end of pytest's output (registered as a plugin by the fixture)."""

    def __init__(self):
        self.lines = []

    def pytest_terminal_summary(self, terminalreporter):
        if self.lines:
            terminalreporter.section("load")
            for line in self.lines:
                terminalreporter.write_line(line)


@pytest.fixture(scope="module")
def figures(request):
    shown = Figures()
    request.config.pluginmanager.register(shown, "provenance-load-figures")
    return shown


# --- 1. many clients -----------------------------------------------------------------------


async def hammer(base, paths, clients, seconds, check=None, until=None):
    """clients loops asking for paths in turn until seconds have passed (and then, if
    until is given, until it returns true); returns (latencies in ms by path, errors as
    'path: what' strings, checked results)."""
    latencies, errors, results = defaultdict(list), [], Counter()
    deadline = time.monotonic() + seconds

    def going():
        return time.monotonic() < deadline or (until is not None and not until())

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def one_client(number):
            turn = number * len(paths) // clients  # spread out, so every path is asked for
            while going():
                path = paths[turn % len(paths)]
                turn += 1
                start = time.perf_counter()
                try:
                    response = await client.get(path)
                except httpx.HTTPError as error:
                    errors.append(f"{path}: {type(error).__name__}: {error}")
                    continue
                latencies[path].append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    errors.append(f"{path}: HTTP {response.status_code}: {response.text[:200]}")
                elif check is not None:
                    try:
                        results[check(path, response)] += 1
                    except AssertionError as error:
                        errors.append(f"{path}: {error}")

        await asyncio.gather(*[one_client(n) for n in range(clients)])
    return latencies, errors, results


def test_many_clients_all_answered(built, tmp_path, figures):
    served = Served(built, tmp_path / "server.log")
    try:
        for path in PATHS:  # every page works before the load starts
            assert httpx.get(served.base + path, timeout=30).status_code == 200, path
        timed_out = Counter()

        def facets(path, response):
            if path.endswith(".json") and path.startswith("/provenance/") and path.count("/") == 2:
                timed_out[path] += len(response.json().get("facets_timed_out", []))
            return "ok"

        start = time.monotonic()
        latencies, errors, _ = asyncio.run(
            hammer(served.base, PATHS, CLIENTS, LOAD_SECONDS, check=facets)
        )
        elapsed = time.monotonic() - start
    finally:
        served.stop()
    every = sorted(ms for samples in latencies.values() for ms in samples)
    report = {
        "clients": CLIENTS,
        "seconds": round(elapsed, 1),
        "settings": SETTINGS,
        "cpus": os.cpu_count(),
        "requests": len(every) + len([e for e in errors if "HTTP " not in e]),
        "errors": len(errors),
        "requests_per_second": round(len(every) / elapsed, 1),
        "p50_ms": round(percentile(every, 0.50), 1),
        "p95_ms": round(percentile(every, 0.95), 1),
        "p99_ms": round(percentile(every, 0.99), 1),
        "max_ms": round(every[-1], 1),
        "facets_timed_out": sum(timed_out.values()),
        "paths": {
            path: {
                "requests": len(samples),
                "p50_ms": round(statistics.median(samples), 1),
                "p95_ms": round(percentile(sorted(samples), 0.95), 1),
            }
            for path, samples in sorted(latencies.items())
        },
        "first_errors": errors[:20],
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    summary = (
        f"{CLIENTS} clients, {report['seconds']} s: {report['requests']} requests ({report['requests_per_second']}/s), "
        f"{report['errors']} errors; p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, p99 {report['p99_ms']} ms, "
        f"max {report['max_ms']} ms; facets timed out: {report['facets_timed_out']} (tests/artifacts/load.json)"
    )
    figures.lines.append(summary)
    print(summary)
    assert errors == [], (
        f"{len(errors)} errors {dict(Counter(e.split(': ')[0][:60] for e in errors))}, first: {errors[:3]}"
    )
    assert set(latencies) == set(PATHS), "every page was asked for"


# --- 2. builds while serving -----------------------------------------------------------------

CONSISTENCY_SQL = """select
  (select count(*) from claims) as claims,
  (select count(*) from claim_mentions) as mentions,
  (select count(*) from claim_mentions m join claims c using (claim_id) join articles a using (article_id)) as joined"""
EXTRA_CLAIM = """
- id: claim-only-in-the-second-seed-set
  statement: A claim the load test adds to its second seed set, so that the two builds differ.
  kind: background
  topic: reporting
  subject: israel
"""


def counts(db_path):
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return dict(zip(("claims", "mentions", "joined"), conn.execute(CONSISTENCY_SQL).fetchone()))
    finally:
        conn.close()


def two_seed_sets(tmp_path):
    """A data folder built from seeds/, and a copy of seeds/ with one claim more, whose
    builds differ from it."""
    data = tmp_path / "data"
    write_outputs(assemble(read_seeds(SEEDS)), data, ROOT / "metadata.yml")
    other_seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, other_seeds)
    with open(other_seeds / "claims.yml", "a", encoding="utf-8") as claims:
        claims.write(EXTRA_CLAIM)
    return data, other_seeds


class RepeatedBuilds:
    """`provenance build` into data, again and again in a thread until stopped, alternating
    seed sets; builds lists the seeds of each finished build, failures their errors."""

    def __init__(self, data, seed_sets):
        self.data, self.seed_sets = data, seed_sets
        self.builds, self.failures = [], []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.build_again_and_again, daemon=True)

    def build_again_and_again(self):
        while not self.stopping.is_set():
            seeds = self.seed_sets[len(self.builds) % 2]
            command = [PROVENANCE, "build", "--seeds", str(seeds), "--data", str(self.data)]
            result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
            if result.returncode != 0:
                self.failures.append(result.stderr[-500:])
            self.builds.append(seeds)

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=120)


class StartedBuild:
    """The paths to ask while builds run, and the check of each answer (for hammer):
    it must be of the build served at the start (the exports: a whole file of either)."""

    def __init__(self, data):
        self.started = counts(data / DATABASE_NAME)
        self.started_hash = hashlib.sha256((data / DATABASE_NAME).read_bytes()).hexdigest()
        self.claims_csv_rows = set()
        self.sql_path = "/provenance.json?" + urllib.parse.urlencode(
            {"sql": CONSISTENCY_SQL, "_shape": "array"}
        )
        self.paths = [
            self.sql_path,
            "/provenance/claims.json?_size=max",
            "/provenance/claims",
            "/provenance.db",
            "/exports/claims.csv",
            "/exports/provenance.db",
            "/provenance/claim_mentions.json?_size=5&_facet=stance",
        ]

    def __call__(self, path, response):
        started = self.started
        if path == self.sql_path:
            assert response.json() == [started], (
                f"the answer {response.json()} is not of the build served at start {started}"
            )
            return "sql"
        if path.startswith("/provenance/claims.json"):
            page = response.json()
            assert page["filtered_table_rows_count"] == len(page["rows"]) == started["claims"], (
                "count and rows of another build"
            )
            return "table"
        if path == "/provenance/claims":
            assert f"{started['claims']} rows" in response.text
            return "page"
        if path == "/provenance.db":
            assert hashlib.sha256(response.content).hexdigest() == self.started_hash, (
                "the download is not the served build"
            )
            assert response.headers["etag"] == f'"{self.started_hash}"'
            return "download"
        if path == "/exports/claims.csv":
            assert len(response.content) == int(response.headers["content-length"])
            rows = list(csv.DictReader(io.StringIO(response.text)))
            self.claims_csv_rows.add(len(rows))
            assert len(rows) in (started["claims"], started["claims"] + 1), (
                "a whole file of one build"
            )
            return "csv"
        if path == "/exports/provenance.db":
            with tempfile.NamedTemporaryFile(suffix=".db") as copy:
                copy.write(response.content)
                copy.flush()
                found = counts(copy.name)
            assert (
                found["claims"] in (started["claims"], started["claims"] + 1)
                and found["joined"] == found["mentions"]
            )
            return "export-db"
        return "other"


def test_builds_while_serving_never_show_through(tmp_path, figures):
    data, other_seeds = two_seed_sets(tmp_path)
    check = StartedBuild(data)
    started = check.started
    assert started["joined"] == started["mentions"] > 0, "every mention joins its claim and article"

    served = Served(data, tmp_path / "server.log")
    builder = RepeatedBuilds(data, [other_seeds, SEEDS])
    builds = builder.builds
    try:
        builder.thread.start()
        # One request at a time until the first build is in place: Datasette opens a SQL
        # thread's connection on its first query, so only one is open when the hammering
        # starts and the others open theirs after a build (which plugins/snapshot.py makes safe).
        while not builds and builder.thread.is_alive():
            check(check.sql_path, httpx.get(served.base + check.sql_path, timeout=30))
        start = time.monotonic()

        def enough():
            return len(builds) >= BUILDS or time.monotonic() - start > BUILD_SECONDS_MAX

        latencies, errors, results = asyncio.run(
            hammer(
                served.base, check.paths, BUILD_CLIENTS, BUILD_SECONDS, check=check, until=enough
            )
        )
    finally:
        builder.stop()
        served.stop()
    last = counts(data / DATABASE_NAME)
    gone = list(Path(tempfile.gettempdir()).glob(f"provenance-serving-{served.process.pid}-*"))
    assert gone == [], "the server's copy of the database is removed when it stops"
    summary = (
        f"{len(builds)} builds while serving, {sum(results.values())} requests checked ({dict(sorted(results.items()))}), "
        f"{len(errors)} errors; /exports/claims.csv row counts seen: {sorted(check.claims_csv_rows)}"
    )
    figures.lines.append(summary)
    print(summary)
    assert builder.failures == []
    assert len(builds) >= BUILDS, (
        "the builds swapped the files back and forth while the site was asked"
    )
    assert errors == [], (
        f"{len(errors)} errors {dict(Counter(e.split(': ')[0][:60] for e in errors))}, first: {errors[:3]}"
    )
    assert {"sql", "table", "page", "download", "csv", "export-db"} <= set(results)

    # A server started now serves the last build: restart to publish a build.
    restarted = Served(data, tmp_path / "restarted.log")
    try:
        answer = httpx.get(restarted.base + check.sql_path).json()
    finally:
        restarted.stop()
    assert answer == [last]
