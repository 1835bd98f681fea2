"""What the plugins that make an immutable database cheap to serve change, and what they
must not: plugins/unfiltered_facets.py (the declared facets of a whole table counted once),
plugins/immutable_schema.py (the schema looked up once), Datasette's cache_size_kb (a
larger page cache) and plugins/gc_freeze.py (what a server holds from its start left out
of the cycle collector). Through Datasette's own client; the same database opened mutable is
served as Datasette serves it unaided, and is the reference."""

import gc
import json
import re
import shutil
import sys

import pytest
from datasette.app import Datasette
from datasette.tracer import capture_traces

from build.write.outputs import DATABASE_NAME, METADATA_NAME
from build.site.serve import PLUGINS, SETTINGS, TEMPLATES, datasette_app

sys.path.insert(0, str(PLUGINS))
from immutable_schema import reads_only_the_schema  # noqa: E402
from unfiltered_facets import declared_columns  # noqa: E402

FACET_HTML = re.compile(r'<div class="facet-results">.*?\n</div>', re.S)
FACETED = [
    "articles",
    "claims",
    "claim_mentions",
    "citations",
    "denials",
    "actor_mentions",
    "citation_edges",
    "claim_lineage",
    "claim_mention_hedges",
]


@pytest.fixture
def mutable(built, tmp_path):
    """The same database and metadata, opened mutable: Datasette computes everything live."""
    folder = tmp_path / "mutable"
    folder.mkdir()
    shutil.copyfile(built / DATABASE_NAME, folder / DATABASE_NAME)
    return Datasette(
        [str(folder / DATABASE_NAME)],
        metadata=json.loads((built / METADATA_NAME).read_text(encoding="utf-8")),
        plugins_dir=str(PLUGINS),
        template_dir=str(TEMPLATES),
        settings=SETTINGS,
    )


async def facets(datasette, path):
    response = await datasette.client.get(path)
    assert response.status_code == 200, response.text
    return response.json()["facet_results"]


async def facet_queries(datasette, path):
    """The facet queries Datasette runs on the database for one request of path."""
    await datasette.client.get(path)  # anything done once per process is done
    traces = []
    with capture_traces(traces):
        await datasette.client.get(path)
    return [t["sql"] for t in traces if "count(*) as count" in t["sql"]]


@pytest.mark.parametrize("table", FACETED)
async def test_a_whole_tables_facets_are_what_a_group_by_counts(datasette, db, table):
    results = await facets(datasette, f"/provenance/{table}.json")
    for column in declared_columns(datasette, "provenance", table):
        counted = db.execute(
            f"select [{column}], count(*) as n from [{table}] where [{column}] is not null group by [{column}] order by n desc, [{column}] limit 30"
        ).fetchall()
        assert [(row["value"], row["count"]) for row in results[column]["results"]] == counted, (
            column
        )


@pytest.mark.parametrize(
    "path",
    [
        "/provenance/claim_mentions.json",
        "/provenance/citations.json?_facet=source_basis&_facet_size=max",
        "/provenance/claim_lineage.json?_sort=step&_facet=article_id",
        "/provenance/claim_mentions?_facet_size=3",
        "/provenance/claim_mentions.json?stance=asserts",
        "/provenance/claim_mentions.json?_search=visited",
        "/provenance/claim_mentions.json?_next=50",
        "/provenance/claim_mentions.json?_where=hedged=1",
        "/provenance/actor_mentions.json?article_id=asian-lite-2021",
    ],
)
async def test_facets_labels_and_links_are_what_datasette_computes_unaided(
    datasette, mutable, path
):
    if path.split("?")[0].endswith(".json"):
        assert await facets(datasette, path) == await facets(mutable, path)
    else:  # the HTML page: the same facet values, counts and toggle links
        published, unaided = [
            FACET_HTML.search((await app.client.get(path)).text).group()
            for app in (datasette, mutable)
        ]
        assert published == unaided and published.count("<li>") > 10


async def test_a_whole_table_page_runs_no_facet_query_and_a_filtered_one_counts_live(datasette, db):
    assert await facet_queries(datasette, "/provenance/claim_mentions.json") == []
    assert (
        await facet_queries(datasette, "/provenance/claim_mentions.json?_facet=quote") != []
    )  # not declared: live
    filtered = await facets(datasette, "/provenance/claim_mentions.json?stance=attributes")
    assert await facet_queries(datasette, "/provenance/claim_mentions.json?stance=attributes") != []
    counted = db.execute(
        "select claim_id, count(*) as n from claim_mentions where stance = 'attributes' group by claim_id order by n desc, claim_id limit 30"
    ).fetchall()
    assert [(row["value"], row["count"]) for row in filtered["claim_id"]["results"]] == counted
    assert sum(row["count"] for row in filtered["stance"]["results"]) == db[
        "claim_mentions"
    ].count_where("stance = 'attributes'")


async def test_a_mutable_database_is_served_as_datasette_serves_it(mutable):
    assert await facet_queries(mutable, "/provenance/claim_mentions.json") != []
    await mutable.client.get("/provenance")
    traces = []
    with capture_traces(traces):
        await mutable.client.get("/provenance")
    assert any("sqlite_master" in t["sql"] for t in traces)
    cache_size = await mutable.databases["provenance"].execute_fn(
        lambda conn: conn.execute("pragma cache_size").fetchone()[0]
    )
    assert cache_size == -SETTINGS["cache_size_kb"]  # Datasette's own setting, for every database


async def test_the_home_and_database_pages_look_the_schema_up_once(datasette, mutable):
    for path in ("/", "/provenance", "/provenance/claims"):
        await datasette.client.get(path)
        traces = []
        with capture_traces(traces):
            page = await datasette.client.get(path)
        assert page.status_code == 200
        assert [
            t["sql"]
            for t in traces
            if t.get("database") == "provenance" and "sqlite_master" in t["sql"]
        ] == [], path
    published, unaided = (
        (await datasette.client.get("/provenance.json")).json(),
        (await mutable.client.get("/provenance.json")).json(),
    )
    # The mutable instance counts each table's rows live, within Datasette's limit of a few
    # milliseconds a count: on a busy machine a count can run out (None). What it did count
    # must match.
    for table in unaided["tables"]:
        if table["count"] is None:
            table["count"] = next(
                t["count"] for t in published["tables"] if t["name"] == table["name"]
            )
    assert published["tables"] == unaided["tables"] and published["views"] == unaided["views"]


def test_only_queries_that_read_nothing_but_the_schema_are_answered_from_memory():
    assert reads_only_the_schema(
        "select name from sqlite_master where type in ('table', 'view') and name = ? collate nocase",
        ("claims",),
    )
    assert reads_only_the_schema(
        "select sql from sqlite_master where name = :n and type = :t", {"n": "claims", "t": "table"}
    )
    assert reads_only_the_schema("PRAGMA schema_version", None)
    assert not reads_only_the_schema("PRAGMA schema_version = 5", None)
    assert not reads_only_the_schema("select * from claims", None)
    assert not reads_only_the_schema(
        "select name from sqlite_master where name in (select claim_id from claims)", None
    )
    assert not reads_only_the_schema("select random(), name from sqlite_master", None)
    assert not reads_only_the_schema("select name from sqlite_master; delete from claims", None)


async def test_the_database_keeps_a_larger_page_cache(datasette):
    await datasette.invoke_startup()
    cache_size = await datasette.databases["provenance"].execute_fn(
        lambda conn: conn.execute("pragma cache_size").fetchone()[0]
    )
    assert cache_size == -SETTINGS["cache_size_kb"] < -2000  # SQLite's default is 2,000 KiB


async def test_what_a_server_holds_after_its_first_request_is_left_out_of_the_cycle_collector(
    built, mutable
):
    fresh = datasette_app(built)  # the module's instance has answered before
    await mutable.client.get("/provenance")
    frozen = gc.get_freeze_count()
    await mutable.client.get("/provenance")
    assert gc.get_freeze_count() == frozen  # a mutable database: Datasette as it comes
    await fresh.client.get("/provenance")
    assert gc.get_freeze_count() > frozen
