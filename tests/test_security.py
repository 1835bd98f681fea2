"""The site as a public, read-only service: its settings, its plugins, and every way of
trying to write, each refused, with the data unchanged afterwards.

Decisions checked here (build/site/serve.py SETTINGS and plugins/ say why):
- anyone may run SQL (the charts need it), read-only: only SELECT (and WITH ... SELECT)
  statements run, one at a time, on an immutable database, within 1 s;
- the site answers GET, HEAD and OPTIONS only; anything else is 405 (plugins/public_site.py);
- the database downloads, whole: at /provenance.db (the build the server started with)
  and at /exports/provenance.db (the data folder); the data are public and small;
- no plugin writes: datasette-vega (charts in the browser) and this project's seven.

Most cases go through Datasette's in-process client (the `datasette` fixture); one of
each kind also goes through `provenance serve` as a process (the `server` fixture),
whose output is a pipe nobody reads, so this module keeps what it sends there small."""

import asyncio
import hashlib
import os
import sqlite3
import time

import httpx
import pytest
import yaml

from build import schema
from build.write.exports import STATIC_MOUNT
from build.write.outputs import DATABASE_NAME
from build.site.serve import SETTINGS, datasette_app
from conftest import ROOT, get_ok, load_plugin

TABLES = [res["name"] for res in schema.resources()]
CANNED = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["databases"][
    "provenance"
]["queries"]

# Each statement must be refused; each would change the database (or the disk) if it ran.
WRITES = {
    "insert": "insert into claims (claim_id, statement) values ('x', 'y')",
    "insert via with": "with x as (select 1) insert into claims (claim_id, statement) values ('x', 'y')",
    "update": "update claims set status = 'denied'",
    "update via with": "with x as (select 1) update claims set status = 'denied'",
    "delete": "delete from claims",
    "delete via with": "with x as (select 1) delete from claims",
    "delete in a comment's shadow": "/* select */ delete from claims",
    "replace": "replace into actors (actor_id, name, kind) values ('x', 'y', 'person')",
    "replace via with": "with x as (select 1) replace into actors (actor_id, name, kind) values ('x', 'y', 'person')",
    "insert or replace": "insert or replace into actors (actor_id, name, kind) values ('x', 'y', 'person')",
    "drop table": "drop table claims",
    "drop view": "drop view circular_sourcing",
    "create table": "create table evil (x)",
    "create temp table": "create temp table evil (x)",
    "create index": "create index evil on claims (note)",
    "create trigger": "create trigger evil after insert on claims begin delete from claims; end",
    "alter table": "alter table claims add column evil text",
    "attach": "attach database '{tmp}/attached.db' as evil",
    "detach": "detach database main",
    "vacuum": "vacuum",
    "vacuum into": "vacuum into '{tmp}/vacuumed.db'",
    "reindex": "reindex",
    "analyze": "analyze",
    "begin": "begin immediate",
    "savepoint": "savepoint evil",
    "pragma journal_mode": "pragma journal_mode = wal",
    "pragma user_version": "pragma user_version = 5",
    "pragma writable_schema": "pragma writable_schema = 1",
    "pragma function journal_mode": "select * from pragma_journal_mode('wal')",
    "pragma function user_version": "select * from pragma_user_version(5)",
    "select then delete": "select 1; delete from claims",
    "select then delete, no space": "select 1;delete from claims",
    "select then drop": "select count(*) from claims; drop table claims",
    "explain delete": "explain delete from claims",
    "load_extension": "select load_extension('{tmp}/evil')",
    "writefile": "select writefile('{tmp}/written.txt', 'x')",
    "fts5 insert command": "insert into claims_fts (claims_fts) values ('delete-all')",
}
RUNAWAY = "with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000000000) select count(*) from c"


def write_sql(name, tmp_path):
    return WRITES[name].format(tmp=tmp_path)


def fingerprint(path):
    """The database file's sha256, each table's row count, and a checksum of every row of
    every table (in primary-key order), read straight from the file."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        counts, rows = {}, hashlib.sha256()
        for table in TABLES:
            key = ", ".join(f'"{k}"' for k in schema.resource(table)["schema"]["primaryKey"])
            counts[table] = conn.execute(f'select count(*) from "{table}"').fetchone()[0]
            for row in conn.execute(f'select * from "{table}" order by {key}'):
                rows.update(repr(row).encode("utf-8"))
        return {
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "counts": counts,
            "rows": rows.hexdigest(),
        }
    finally:
        conn.close()


@pytest.fixture(scope="module")
def before(built):
    """The built database as it was before this module's first test."""
    return fingerprint(built / DATABASE_NAME)


@pytest.fixture(autouse=True)
def _baseline_first(before):
    """Every test here runs after the baseline is taken."""


# --- settings and plugins ------------------------------------------------------------


async def test_the_served_settings_are_build_serve_settings(datasette, server):
    served = (await datasette.client.get("/-/settings.json")).json()
    over_http = httpx.get(server + "/-/settings.json").json()
    for name, value in SETTINGS.items():
        assert served[name] == value, name
        assert over_http[name] == value, name
    # A public site: SQL for anyone (the charts use it), bounded; no debugging output.
    assert over_http["default_allow_sql"] is True
    assert over_http["sql_time_limit_ms"] <= 1000
    assert over_http["template_debug"] is False and over_http["trace_debug"] is False


async def test_only_known_plugins_and_none_that_writes(datasette):
    plugins = {
        p["name"]: sorted(p["hooks"])
        for p in (await datasette.client.get("/-/plugins.json")).json()
    }
    assert plugins == {
        "assets.py": [
            "asgi_wrapper",
            "extra_body_script",
            "extra_css_urls",
            "extra_js_urls",
            "extra_template_vars",
        ],
        "charts.py": ["register_routes"],
        "compress.py": ["asgi_wrapper"],
        "datasette-atom": ["register_output_renderer"],
        "datasette-block-robots": ["register_routes", "startup"],
        "datasette-sitemap": ["block_robots_extra_lines", "handle_exception", "register_routes"],
        "datasette-template-sql": ["extra_template_vars"],
        "datasette-vega": ["extra_css_urls", "extra_js_urls"],
        "datasette-xlsx": ["register_output_renderer"],
        "downloads.py": ["asgi_wrapper", "extra_template_vars"],
        "gc_freeze.py": ["asgi_wrapper"],
        "immutable_schema.py": ["startup"],
        "pages.py": ["extra_template_vars", "render_cell"],
        "public_site.py": ["asgi_wrapper", "extra_css_urls"],
        "query_limits.py": ["asgi_wrapper", "prepare_connection"],
        "snapshot.py": ["asgi_wrapper", "startup"],
        "static_cors.py": ["asgi_wrapper"],
        "unfiltered_facets.py": ["register_facet_classes", "startup"],
    }
    # None registers canned queries, actors or permissions, or writes anything; the routes
    # (robots.txt, sitemap.xml, the chart pages) only read.


def test_snapshot_plugin_knows_where_the_exports_are_mounted():
    assert load_plugin("snapshot").EXPORTS_MOUNT == STATIC_MOUNT


@pytest.mark.parametrize("writable", [True, False])
def test_the_snapshot_is_taken_only_where_a_build_could_replace_the_database(
    built, monkeypatch, writable
):
    """In a folder the server may write, a build may rename a new database in: serve a copy.
    In one it may not (the container image), nothing can: serve the file itself."""
    plugin = load_plugin("snapshot")
    datasette = datasette_app(built)
    database = datasette.databases["provenance"]
    original = database.path
    real_access = os.access
    monkeypatch.setattr(
        plugin.os, "access", lambda path, mode: writable and real_access(path, mode)
    )
    plugin.startup(datasette)
    try:
        assert (database.path != original) is writable
    finally:
        for cleanup in plugin.CLEANUPS.pop(datasette, []):
            cleanup()


async def test_no_canned_query_writes(datasette):
    assert CANNED and not any("write" in query for query in CANNED.values())
    served = (await datasette.client.get("/provenance.json")).json()["queries"]
    assert {q["name"] for q in served} == set(CANNED)
    assert not any(q.get("write") for q in served)
    for name in CANNED:
        query = await datasette.get_canned_query("provenance", name, None)
        assert not query.get("write"), name


async def test_the_database_is_immutable(datasette):
    databases = (await datasette.client.get("/-/databases.json")).json()
    assert [(d["name"], d["is_mutable"]) for d in databases if d["name"] == "provenance"] == [
        ("provenance", False)
    ]


# --- SQL that writes -----------------------------------------------------------------


@pytest.mark.parametrize("name", WRITES)
async def test_sql_that_writes_is_refused(datasette, tmp_path, name):
    sql = write_sql(name, tmp_path)
    api = await datasette.client.get("/provenance.json", params={"sql": sql})
    assert api.status_code == 400, (name, api.status_code, api.text[:300])
    assert api.json()["ok"] is False
    page = await datasette.client.get("/provenance", params={"sql": sql})
    assert page.status_code == 400, (name, page.status_code)
    assert list(tmp_path.iterdir()) == [], "nothing was written to disk"


def test_sql_that_writes_is_refused_over_http(server, tmp_path):
    for name in WRITES:
        response = httpx.get(server + "/provenance.json", params={"sql": write_sql(name, tmp_path)})
        assert response.status_code == 400, (name, response.status_code, response.text[:300])
        assert response.json()["ok"] is False, name
    page = httpx.get(server + "/provenance", params={"sql": WRITES["delete via with"]})
    assert page.status_code == 400 and "attempt to write a readonly database" in page.text
    assert list(tmp_path.iterdir()) == []


# --- canned queries and table parameters -------------------------------------------------

SQLISH = [
    "x'; delete from claims; --",
    "') or 1=1; drop table claims; --",
    "1); update claims set status='x",
    "; vacuum",
]


@pytest.mark.parametrize("value", SQLISH)
async def test_canned_query_parameters_are_values_not_sql(datasette, value):
    for name, param in (("lineage", "claim"), ("actor", "actor")):
        response = await datasette.client.get(
            f"/provenance/{name}.json", params={param: value, "_shape": "array"}
        )
        assert response.status_code == 200, (name, response.text[:300])
        assert response.json() == [], "bound as a value, it matches nothing"
    found = await datasette.client.get(
        "/provenance/search.json", params={"q": value, "_shape": "array"}
    )
    assert found.status_code == 200, found.text[:300]


async def test_a_canned_query_ignores_sql_passed_to_it(datasette):
    plain = (
        await datasette.client.get(
            "/provenance/lineage.json?claim=bukhari-visited-israel&_shape=array"
        )
    ).json()
    with_sql = await datasette.client.get(
        "/provenance/lineage.json",
        params={"claim": "bukhari-visited-israel", "sql": "delete from claims", "_shape": "array"},
    )
    assert with_sql.status_code == 200 and with_sql.json() == plain and plain


async def test_table_parameters_cannot_smuggle_sql(datasette):
    where = await datasette.client.get(
        "/provenance/claims.json", params={"_where": "1); delete from claims; --"}
    )
    assert where.status_code == 400
    where_write = await datasette.client.get(
        "/provenance/claims.json",
        params={"_where": "claim_id in (with x as (select 1) delete from claims)"},
    )
    assert where_write.status_code == 400
    search = await datasette.client.get(
        "/provenance/claims.json", params={"_search": '") or 1=1; delete from claims --'}
    )
    assert search.status_code == 200
    # An unknown sort column is refused before any SQL is built; Datasette 0.65 says 500.
    sort = await datasette.client.get(
        "/provenance/claims.json", params={"_sort": "claim_id; delete from claims"}
    )
    assert sort.status_code == 500 and "Cannot sort table by" in sort.json()["error"]


# --- other methods -----------------------------------------------------------------------

ENDPOINTS = [
    "/",
    "/provenance",
    "/provenance.json",
    "/provenance/claims",
    "/provenance/claims.json",
    "/provenance/claims/bukhari-visited-israel",
    "/provenance/claims/bukhari-visited-israel.json",
    "/provenance/claims/-/insert",
    "/provenance/claims/bukhari-visited-israel/-/update",
    "/provenance/claims/bukhari-visited-israel/-/delete",
    "/provenance/claims/-/drop",
    "/provenance/-/create",
    "/provenance/lineage",
    "/provenance/lineage.json",
    "/provenance/search.json",
    "/provenance.db",
    "/-/messages",
    "/-/create-token",
    "/static/site.js",
    "/exports/claims.csv",
    "/exports/provenance.db",
]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_only_get_head_and_options_are_answered(datasette, method):
    for path in ENDPOINTS:
        for body in (
            {"json": {"sql": "delete from claims", "row": {"claim_id": "x"}}},
            {"data": {"sql": "delete from claims", "claim": "x"}},
        ):
            response = await datasette.client.request(method, path, **body)
            assert response.status_code == 405, (
                method,
                path,
                response.status_code,
                response.text[:200],
            )
            assert response.headers["allow"] == "GET, HEAD, OPTIONS"


def test_posts_are_refused_over_http(server):
    for path in (
        "/provenance",
        "/provenance/claims.json",
        "/provenance/lineage",
        "/provenance/claims/-/insert",
        "/exports/claims.csv",
    ):
        for method in ("POST", "PUT", "DELETE"):
            response = httpx.request(
                method, server + path, data={"sql": "delete from claims", "claim": "x"}
            )
            assert response.status_code == 405, (method, path, response.status_code)
    assert httpx.head(server + "/provenance/claims").status_code == 200
    preflight = httpx.options(
        server + "/provenance.json",
        headers={"Origin": "http://example.test", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "*"


# --- runaway queries, cheap errors, headers ----------------------------------------------


def test_a_runaway_query_is_stopped_with_an_error(server):
    limit = SETTINGS["sql_time_limit_ms"] / 1000
    start = time.monotonic()
    response = httpx.get(server + "/provenance.json", params={"sql": RUNAWAY}, timeout=60)
    took = time.monotonic() - start
    assert response.status_code == 400
    assert response.json()["title"] == "SQL Interrupted"
    assert limit <= took < limit + 5, took
    # The page says so too, with the SQL escaped inside its <textarea>.
    hostile = RUNAWAY + " -- </textarea><script>alert(1)</script>"
    page = httpx.get(server + "/provenance", params={"sql": hostile}, timeout=60)
    assert page.status_code == 400 and "SQL query took too long" in page.text
    assert (
        "<script>alert(1)</script>" not in page.text
        and "&lt;/textarea&gt;&lt;script&gt;" in page.text
    )


async def test_runaway_queries_on_every_thread_end_and_the_site_recovers(server):
    """Twice as many runaway queries as SQL threads at once: all stopped, none hangs,
    and the site answers normally straight after."""
    limit = SETTINGS["sql_time_limit_ms"] / 1000
    many = 2 * SETTINGS["num_sql_threads"]
    start = time.monotonic()
    async with httpx.AsyncClient(timeout=60) as client:
        responses = await asyncio.gather(
            *[client.get(server + "/provenance.json", params={"sql": RUNAWAY}) for _ in range(many)]
        )
        took = time.monotonic() - start
        assert [r.status_code for r in responses] == [400] * many
        assert took < 2 * limit + 5, took
        after = time.monotonic()
        ok = await client.get(server + "/provenance/claims.json", params={"_size": 1})
        assert ok.status_code == 200 and time.monotonic() - after < 2


async def test_errors_are_cheap_and_logged_in_one_line(datasette, capsys):
    """No rich traceback per error (it took 0.4 s of the event loop and 30 KB of log)."""
    await datasette.client.get("/provenance.json?sql=select+1")
    capsys.readouterr()
    start = time.monotonic()
    for _ in range(5):
        assert (await datasette.client.get("/provenance/no_such_table")).status_code == 404
        assert (
            await datasette.client.get("/provenance.json", params={"sql": "delete from claims"})
        ).status_code == 400
        assert (
            await datasette.client.get(
                "/provenance.json", params={"sql": WRITES["delete via with"]}
            )
        ).status_code == 400
    took = time.monotonic() - start
    output = capsys.readouterr()
    assert took < 1.5, f"15 error responses took {took:.2f} s"
    assert "Traceback" not in output.out + output.err and "locals" not in output.out + output.err
    assert len(output.err) < 5 * 400, "one line per SQL error"


async def test_responses_are_not_sniffed_and_only_successes_are_cached(datasette):
    ttl = f"max-age={SETTINGS['default_cache_ttl']}"
    for path in (
        "/",
        "/provenance/claims",
        "/provenance/claims.json",
        "/provenance/claims.csv",
        "/provenance.json?sql=select+1",
        "/static/site.js",
        "/exports/claims.csv",
        "/provenance.db",
    ):
        response = await get_ok(datasette, path)
        assert response.headers["x-content-type-options"] == "nosniff", path
    assert (await datasette.client.get("/provenance/claims.json")).headers["cache-control"] == ttl
    refused = await datasette.client.get("/provenance.json", params={"sql": "delete from claims"})
    assert refused.status_code == 400 and ttl not in refused.headers.get("cache-control", "")
    assert refused.headers["x-content-type-options"] == "nosniff"


# --- the database downloads ----------------------------------------------------------------


async def test_the_database_downloads_whole(datasette, built):
    """Decision: the database is downloadable (public data, under 1 MB), from the
    database page's link and from the data folder; both are the built file, byte for byte."""
    expected = (built / DATABASE_NAME).read_bytes()
    download = await datasette.client.get("/provenance.db")
    assert download.status_code == 200
    assert download.content == expected
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"] == 'attachment; filename="provenance.db"'
    assert download.headers["etag"] == f'"{hashlib.sha256(expected).hexdigest()}"'
    assert 'href="/provenance.db"' in (await datasette.client.get("/provenance")).text
    exported = await datasette.client.get(f"/{STATIC_MOUNT}/{DATABASE_NAME}")
    assert exported.status_code == 200 and exported.content == expected
    assert int(exported.headers["content-length"]) == len(expected)


async def test_the_data_folder_serves_files_only(built):
    """Not a scratch folder of a build under way (/exports/.build-*), not a hidden file,
    nothing outside the folder, no listing."""
    from build.site.serve import datasette_app
    from build.write.publish import build_lock

    scratch = built / ".build-test-security"
    # A build under way holds the folder's lock, so the server's recovery leaves its scratch.
    with build_lock(built):
        scratch.mkdir()
        (scratch / DATABASE_NAME).write_bytes(b"half-written")
        app = datasette_app(built)
        for path in (
            f"/exports/.build-test-security/{DATABASE_NAME}",
            "/exports/.build-test-security/",
            "/exports/%2e%2e/pyproject.toml",
            "/exports/%2E%2E/%2E%2E/etc/passwd",
            "/exports/",
            "/exports//claims.csv",
            "/exports/no-such-file.csv",
        ):
            response = await app.client.get(path)
            assert response.status_code in (403, 404), (path, response.status_code)
            assert b"half-written" not in response.content
        assert (await app.client.get("/exports/claims.csv")).status_code == 200
        assert (await app.client.head("/exports/claims.csv")).headers["content-length"] == str(
            (built / "claims.csv").stat().st_size
        )
        (scratch / DATABASE_NAME).unlink()
        scratch.rmdir()


# --- and afterwards --------------------------------------------------------------------------


async def test_after_everything_the_data_is_unchanged(before, built, server, datasette):
    """Last in this module, so it runs last: the file, its counts and rows are as they were, and both
    servers still serve exactly that."""
    assert fingerprint(built / DATABASE_NAME) == before
    for table, count in before["counts"].items():
        sql = f'select count(*) as n from "{table}"'
        assert httpx.get(
            server + "/provenance.json", params={"sql": sql, "_shape": "array"}
        ).json() == [{"n": count}]
        assert (
            await datasette.client.get("/provenance.json", params={"sql": sql, "_shape": "array"})
        ).json() == [{"n": count}]
    served = httpx.get(server + "/provenance.db")
    assert hashlib.sha256(served.content).hexdigest() == before["sha256"]
