"""The site as a visitor meets it, through Datasette's own test client: table pages
with facets, downloads, search, foreign-key labels and column descriptions."""

import csv
import io
import re

import pytest
from markupsafe import escape

from build import schema
from build.release.changes import RELEASE_TABLES

TABLES = [res["name"] for res in schema.resources()]


async def test_home_page_lists_every_table_and_credits_the_sources(datasette):
    response = await datasette.client.get("/provenance")
    assert response.status_code == 200
    for table in TABLES:
        assert f'href="/provenance/{table}"' in response.text
    home = await datasette.client.get("/")
    assert "Middle East Monitor" in home.text and "CC BY 4.0" in home.text


async def test_every_page_credits_the_outlet_of_every_article_as_the_data_s_source(datasette):
    """The footer's "Data source" names each publisher whose text is served, from the
    articles the build published (not a list written by hand that a new report outgrows)."""
    sql = "select distinct name from articles join actors on actor_id = outlet_id"
    answer = await datasette.client.get("/provenance.json", params={"sql": sql, "_shape": "array"})
    outlets = [row["name"] for row in answer.json()]
    assert len(outlets) >= 12
    for path in ("/", "/provenance/claims", "/provenance/articles"):
        page = await datasette.client.get(path)
        footer = page.text[page.text.index("<footer") :]
        source = re.search(r'Data source:\s*<a href="/provenance/articles">([^<]*)</a>', footer)
        assert source, path
        named = [name.strip() for name in source.group(1).split(", ")]
        assert sorted(named) == sorted(str(escape(o)) for o in outlets)


# The release tables are empty until the first release; tests/test_release.py serves released corpora.
@pytest.mark.parametrize("table", [table for table in TABLES if table not in RELEASE_TABLES])
async def test_table_page_has_rows_and_its_facets(datasette, table):
    config = datasette.metadata("tables", database="provenance")[table]
    response = await datasette.client.get(f"/provenance/{table}.json")
    assert response.status_code == 200
    data = response.json()
    assert data["rows"]
    facets = {name for name in data["facet_results"]}
    wanted = {f if isinstance(f, str) else f["array"] for f in config.get("facets", [])}
    assert wanted <= facets
    page = await datasette.client.get(f"/provenance/{table}")
    assert page.status_code == 200
    for column in wanted:
        assert f'data-column="{column}"' in page.text


@pytest.mark.parametrize("table", TABLES)
async def test_columns_are_described_from_the_schema(datasette, table):
    response = await datasette.client.get(f"/provenance/{table}")
    for fld in schema.fields(table):
        assert f"<dt>{fld['name']}</dt><dd>{escape(fld['description'])}</dd>" in response.text


async def test_csv_download_opens_as_a_table(datasette):
    response = await datasette.client.get("/provenance/claims.csv?_size=max")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"  # plugins/downloads.py
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {"claim_id", "statement", "status"} <= set(rows[0])
    assert any(row["claim_id"] == "bukhari-visited-israel" for row in rows)


async def test_csv_export_keeps_non_ascii_text(datasette):
    response = await datasette.client.get(
        "/provenance/articles.csv?_stream=on&article_id=hindustan-times-2021-06-29"
    )
    assert "Khan’s special assistant" in response.text


async def test_json_download_of_a_filtered_table(datasette):
    response = await datasette.client.get(
        "/provenance/denials.json?_shape=array&denier_id=zulfi-bukhari"
    )
    assert response.status_code == 200
    rows = response.json()
    assert rows and all(row["denier_id"] == "zulfi-bukhari" for row in rows)


async def test_full_text_search_finds_articles_and_claims(datasette):
    articles = (
        await datasette.client.get("/provenance/articles.json?_search=Mossad&_shape=array")
    ).json()
    assert len(articles) >= 3
    claims = (
        await datasette.client.get("/provenance/claims.json?_search=passport&_shape=array")
    ).json()
    assert any(c["claim_id"] == "visit-on-british-passport" for c in claims)


async def test_foreign_keys_show_labels(datasette):
    response = await datasette.client.get(
        "/provenance/claim_mentions.json?claim_id=bukhari-visited-israel&_labels=on&_shape=array"
    )
    rows = response.json()
    assert rows[0]["claim_id"]["label"].startswith("Zulfi Bukhari")
    assert rows[0]["article_id"]["label"]
    page = await datasette.client.get("/provenance/denials")
    # plugins/pages.py links an actor to its reading page, labelled.
    assert (
        '<a class="id-link id-actor" href="/actor/zulfi-bukhari" title="zulfi-bukhari">Zulfi Bukhari</a>'
        in page.text
    )


async def test_row_page_lists_what_links_to_it(datasette):
    response = await datasette.client.get("/provenance/claims/bukhari-visited-israel")
    assert response.status_code == 200
    assert 'href="/provenance/claim_mentions?claim_id=bukhari-visited-israel"' in response.text
    assert 'href="/provenance/denials?claim_id=bukhari-visited-israel"' in response.text


async def test_sql_in_the_browser(datasette):
    sql = "select stance, count(*) as n from claim_mentions group by stance order by n desc"
    response = await datasette.client.get(
        "/provenance.json", params={"sql": sql, "_shape": "array"}
    )
    assert response.status_code == 200
    assert {row["stance"] for row in response.json()} <= set(
        schema.enum("claim_mentions", "stance")
    )


async def test_charting_plugin_is_installed(datasette):
    plugins = (await datasette.client.get("/-/plugins.json")).json()
    assert "datasette-vega" in {p["name"] for p in plugins}
    page = await datasette.client.get("/provenance/claims")
    assert "/-/static-plugins/datasette_vega/" in page.text


async def test_database_is_served_immutable(datasette):
    databases = (await datasette.client.get("/-/databases.json")).json()
    assert [(d["name"], d["is_mutable"]) for d in databases if d["name"] == "provenance"] == [
        ("provenance", False)
    ]


async def test_column_descriptions_fold_away_so_rows_come_first(datasette):
    page = await datasette.client.get("/provenance/claims")
    src = re.search(r'<script src="(/static/site\.[0-9a-f]{12}\.js)"></script>', page.text).group(1)
    script = await datasette.client.get(src)
    assert script.status_code == 200
    assert "dl.column-descriptions" in script.text


async def test_static_charts_are_served_with_cors(datasette):
    """The in-process app has the same CORS as `provenance serve`, static files included."""
    spec = await datasette.client.get("/static/charts/timeline.vl.json")
    assert spec.status_code == 200
    assert spec.headers["access-control-allow-origin"] == "*"
    assert spec.json()["data"]["url"] == "/provenance/chart_timeline.json?_shape=array"
    api = await datasette.client.get("/provenance.json?sql=select+1&_shape=array")
    assert api.headers["access-control-allow-origin"] == "*"
