"""The benchmark's parts, and a whole run at its smallest: what it asks for, what it builds
and drops, and the report it writes. Timings are measured, never asserted: only that each
figure is there and positive."""

import json
import sqlite3

import pytest
from click.testing import CliRunner

from build import schema
from build.bench import run as bench
from build.check.assemble import assemble
from build.bench.builds import revise_one_article, timed_build
from build.bench.serving import (
    UNLIMITED,
    captured_queries,
    pages,
    time_sqlite,
    untuned_database,
    query_parameters,
)
from build.write.outputs import DATABASE_NAME, METADATA_NAME
from build.read.seeds import read_seeds
from build.site.serve import datasette_app


@pytest.fixture(scope="module")
def metadata(built):
    return json.loads((built / METADATA_NAME).read_text(encoding="utf-8"))


def test_the_pages_cover_every_table_facet_view_canned_query_search_and_a_csv(metadata):
    found = pages(metadata)
    paths = {page["path"] for page in found}
    database = metadata["databases"]["provenance"]
    for name in [*(res["name"] for res in schema.resources()), "claim_lineage"]:
        assert f"/provenance/{name}" in paths and f"/provenance/{name}.json" in paths
    for name in database["queries"]:
        assert any(
            path.split("?")[0] in (f"/provenance/{name}", f"/provenance/{name}.json")
            for path in paths
        ), name
    assert "/provenance/lineage?claim=bukhari-visited-israel" in paths
    assert any("_search=" in path for path in paths)
    assert {page["format"] for page in found} == {"html", "json", "csv"}
    facet_pages = {page["path"] for page in found if page["kind"] == "facet page"}
    assert {"/provenance/claims", "/provenance/source_chains"} <= facet_pages


async def test_every_page_the_benchmark_asks_for_answers_200(built, metadata):
    datasette = datasette_app(built)
    for page in pages(metadata):
        response = await datasette.client.get(page["path"])
        assert response.status_code == 200, page["path"]


def test_the_untuned_copy_has_no_built_indexes_but_keeps_keys_and_search(built, tmp_path):
    path, dropped = untuned_database(built, tmp_path)
    assert "idx_claims_status" in dropped and "idx_claim_mentions_article_id" in dropped
    with sqlite3.connect(path) as conn:
        assert (
            conn.execute(
                "select count(*) from sqlite_master where type = 'index' and sql is not null"
            ).fetchone()[0]
            == 0
        )
        plan = " ".join(
            row[3]
            for row in conn.execute(
                "explain query plan select status, count(*) from claims group by status"
            )
        )
        assert "idx_" not in plan
        assert (
            conn.execute(
                "select count(*) from articles_fts where articles_fts match 'passport'"
            ).fetchone()[0]
            > 0
        )
    with sqlite3.connect(built / DATABASE_NAME) as conn:  # the published database is untouched
        assert (
            conn.execute(
                "select count(*) from sqlite_master where name = 'idx_claims_status'"
            ).fetchone()[0]
            == 1
        )


async def test_the_same_sql_runs_through_sqlite_directly(built, metadata):
    wanted = [
        page
        for page in pages(metadata)
        if page["path"]
        in ("/provenance/claims", "/provenance/search?q=passport", "/exports/citations.csv")
    ]
    captured = await captured_queries(datasette_app(built, **UNLIMITED), wanted)
    # its rows (its declared facets are counted once per process: plugins/unfiltered_facets.py)
    assert any(
        sql.startswith("select") and "from claims" in sql
        for sql, _ in captured["/provenance/claims"]
    )
    assert any("escape_fts" in sql for sql, _ in captured["/provenance/search?q=passport"])
    assert captured["/exports/citations.csv"] == []  # a static file: no SQL
    timed = time_sqlite(built / DATABASE_NAME, captured, requests=2, budget=0)
    assert set(timed) == {"/provenance/claims", "/provenance/search?q=passport"}
    assert all(
        figures["p50_ms"] > 0 and figures["n"] == 2 and figures["queries"] >= 1
        for figures in timed.values()
    )


def test_revising_one_article_changes_one_title_and_the_seeds_stay_good(seeds_copy):
    before = {
        path.name: path.read_text(encoding="utf-8")
        for path in (seeds_copy / "articles").glob("*.yml")
    }
    name, title = revise_one_article(seeds_copy)
    after = {
        path.name: path.read_text(encoding="utf-8")
        for path in (seeds_copy / "articles").glob("*.yml")
    }
    assert [n for n in before if before[n] != after[n]] == [name]
    changed = [
        (old, new)
        for old, new in zip(before[name].splitlines(), after[name].splitlines())
        if old != new
    ]
    assert len(changed) == 1 and changed[0][1].startswith("title: ")
    titles = {row["title"] for row in assemble(read_seeds(seeds_copy))["articles"]}
    assert title in titles


def test_a_failed_build_is_reported_with_its_messages(seeds_copy, tmp_path):
    (seeds_copy / "claims.yml").write_text("- not: a claim\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="problem"):
        timed_build(seeds_copy, tmp_path / "data", tmp_path / "cache.sqlite")


@pytest.mark.bench
def test_a_quick_run_writes_every_figure(tmp_path):
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(
        bench.main,
        ["--sizes", "0", "--requests", "1", "--warm-up", "1", "--rebuilds", "2", "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["machine"]["cpus"] >= 1 and report["requests_per_page"] == 1
    assert report["warm_up_requests"] == 1 and report["rebuilds_timed"] == 2
    (size,) = report["sizes"]
    assert size["synthetic_articles"] == 0 and size["articles"] == 13 and size["rows"]["claims"] > 0
    for build in ("cold", "unchanged", "one_article"):
        assert size[build]["seconds"] > 0 and size[build]["peak_rss_mb"] > 0
    for build in ("unchanged", "one_article"):
        runs = size[build]["runs"]
        assert len(runs) == 2 and min(runs) <= size[build]["seconds"] <= max(runs)
    assert size["one_article"]["changed"].endswith(".yml")
    assert size["articles_per_second"] > 0
    assert all(size["bytes"][kind] > 0 for kind in ("database", "csv", "other"))
    assert "idx_claims_status" in size["indexes_dropped_for_untuned"]
    for page in size["pages"]:
        for instance in ("published", "untuned"):
            figures = page[instance]
            assert figures["n"] >= 1 and 0 < figures["p50_ms"] <= figures["p95_ms"], (
                page["path"],
                instance,
            )
            assert figures["errors"] == 0 and figures["facets_timed_out"] == [], (
                page["path"],
                instance,
            )
        assert page["ratios"]["untuned_over_published_p50"] > 0
        # The home and database pages read only the schema, kept in memory (plugins/immutable_schema.py).
        if page["kind"] not in ("csv file", "home", "database"):
            assert page["published_sql"]["p50_ms"] > 0 and page["published_sql"]["queries"] >= 1, (
                page["path"]
            )
    # The five tables of the real corpus are small: no facet page there can show what an index does.
    assert [t["target"].split()[0] for t in size["targets"]] == [
        "build",
        "one-article",
        "JSON",
        "HTML",
    ]
    assert all(isinstance(target["met"], bool) for target in size["targets"])
    assert "published p50/p95" in result.output and "targets" in result.output
    reprinted = CliRunner().invoke(bench.main, ["--report", str(out)], catch_exceptions=False)
    assert reprinted.stdout.strip() == result.stdout.split("\nwrote ")[0].strip()


def test_canned_query_parameters_are_found_outside_strings_and_comments():
    sql = "select 'tag:x,2020:a/' || id, \"col:umn\" from t -- :commented\nwhere c = :claim and a = :actor /* :no */"
    assert query_parameters(sql) == ["claim", "actor"]
