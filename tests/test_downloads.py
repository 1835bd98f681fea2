"""Downloads that open cleanly, and what crawlers and feed readers get: CSV content types and
formula cells (plugins/downloads.py), every row from a bare .csv link, xlsx
(datasette-xlsx), the exports' content types, robots.txt (datasette-block-robots),
sitemap.xml (datasette-sitemap) and the Atom feed (datasette-atom)."""

import csv
import datetime
import io
import re
import xml.etree.ElementTree as ET

import openpyxl
import pytest

from build import schema
from conftest import get_ok

TABLES = [res["name"] for res in schema.resources()]
FORMULA = '=HYPERLINK("https://example.org","click")'


async def test_csv_is_text_csv(datasette):
    for path in (
        "/provenance/claims.csv",
        "/provenance/lineage.csv?claim=bukhari-visited-israel",
        "/provenance.csv?sql=select+1+as+one",
        "/provenance/claims.csv?_dl=1",
    ):
        response = await get_ok(datasette, path)
        assert response.headers["content-type"] == "text/csv; charset=utf-8", path


@pytest.mark.parametrize("table", TABLES)
async def test_a_bare_csv_link_gives_every_row(datasette, db, table):
    rows = list(
        csv.reader(io.StringIO((await datasette.client.get(f"/provenance/{table}.csv")).text))
    )
    assert len(rows) - 1 == db[table].count
    paged = list(
        csv.reader(
            io.StringIO((await datasette.client.get(f"/provenance/{table}.csv?_size=3")).text)
        )
    )
    assert len(paged) - 1 == min(3, db[table].count), "_size still gives one page"


async def test_a_table_pages_csv_link_gives_every_row(datasette):
    page = await datasette.client.get("/provenance/claim_mentions?stance=reports")
    link = re.search(r'<a href="([^"]+)">CSV</a>', page.text).group(1).replace("&amp;", "&")
    assert "_stream=on" in link and "stance=reports" in link and "_labels=on" in link, link
    rows = list(csv.DictReader(io.StringIO((await datasette.client.get(link)).text)))
    assert rows and all(row["stance"] == "reports" for row in rows)
    expected = (
        await datasette.client.get("/provenance/claim_mentions.json?stance=reports&_size=0")
    ).json()["filtered_table_rows_count"]
    assert len(rows) == expected


async def test_formula_cells_are_neutralised_in_csv(datasette):
    sql = f"select '{FORMULA.replace(chr(39), chr(39) * 2)}' as link, '+1+2' as plus, '-x' as minus, '@sum' as at, -3 as negative, '+4.5' as positive, 'plain, \"quoted\"' as text"
    for params in ({"sql": sql}, {"sql": sql, "_dl": "1"}):
        response = await datasette.client.get("/provenance.csv", params=params)
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert rows == [
            {
                "link": "'" + FORMULA,
                "plus": "'+1+2",
                "minus": "'-x",
                "at": "'@sum",
                "negative": "-3",
                "positive": "+4.5",
                "text": 'plain, "quoted"',
            }
        ]


async def test_csv_bytes_are_datasettes_when_nothing_is_a_formula(datasette):
    """The plugin rewrites only records with a formula cell: the rest is Datasette's own CSV."""
    response = await datasette.client.get("/provenance/claims.csv?_size=max")
    assert "\ufeff" not in response.text[:1]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert not any(cell.startswith("'") for row in rows for cell in row)


def test_no_curated_cell_would_be_a_formula(built):
    """The CSV package is published as built (its hashes are in datapackage.json), so it
    holds no cell a spreadsheet would run."""
    for path in sorted(built.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    assert not cell.startswith(("=", "+", "@", "\t", "\r")), (path.name, cell[:40])
                    assert not (
                        cell.startswith("-") and not cell.lstrip("-").replace(".", "", 1).isdigit()
                    ), (path.name, cell[:40])


async def test_xlsx_has_every_row_and_no_formula(datasette, db):
    response = await datasette.client.get("/provenance/claim_mentions.xlsx")
    assert response.status_code == 200
    assert (
        response.headers["content-type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.max_row - 1 == db["claim_mentions"].count
    quoted = await datasette.client.get(
        "/provenance.xlsx",
        params={"sql": f"select '{FORMULA.replace(chr(39), chr(39) * 2)}' as link, 3 as n"},
    )
    sheet = openpyxl.load_workbook(io.BytesIO(quoted.content)).worksheets[0]
    assert sheet["A2"].value == FORMULA and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 3 and sheet["B2"].data_type == "n"
    page = await datasette.client.get("/provenance/claims")
    assert 'href="/provenance/claims.xlsx' in page.text, "every table page links its xlsx"


async def test_exports_have_their_content_types(datasette):
    expected = {
        "/exports/provenance.db": "application/vnd.sqlite3",
        "/exports/claims.jsonld": "application/ld+json",
        "/exports/citations.prov.json": "application/json",
        "/exports/claims.csv": "text/csv",
        "/exports/datapackage.json": "application/json",
        "/provenance.db": "application/octet-stream",
    }
    for path, content_type in expected.items():
        response = (
            await datasette.client.head(path)
            if path.endswith(".db")
            else await datasette.client.get(path)
        )
        assert response.status_code == 200, path
        assert response.headers["content-type"].split(";")[0] == content_type, path


async def test_robots_keep_crawlers_off_permutations(datasette):
    response = await datasette.client.get("/robots.txt")
    assert response.status_code == 200
    lines = response.text.splitlines()
    assert (
        "Disallow: /*?" in lines
        and "Disallow: /-/" in lines
        and "Disallow: /provenance.db" in lines
    )
    for page in ("/article/", "/claim/", "/actor/", "/work/", "/charts/", "/static/", "/-/static/"):
        assert f"Allow: {page}" in lines
    assert any(line.startswith("Sitemap: ") and line.endswith("/sitemap.xml") for line in lines)


def rfc9309_allows(lines, path):
    """Whether robots.txt lines allow path, by RFC 9309: the longest matching rule wins,
    Allow on a tie; `*` matches any run of characters."""
    best = (-1, True)
    for line in lines:
        verb, _, rule = line.partition(": ")
        if verb not in ("Allow", "Disallow"):
            continue
        if re.match(re.escape(rule).replace(r"\*", ".*"), path):
            key = (len(rule), verb == "Allow")
            best = max(best, key)
    return best[1]


async def test_robots_rules_as_a_crawler_reads_them(datasette):
    lines = (await datasette.client.get("/robots.txt")).text.splitlines()
    allowed = [
        "/",
        "/article/republic-world-2020-12-20",
        "/claim/bukhari-visited-israel",
        "/actor/zulfi-bukhari",
        "/work/bukhari-tweet-2021-06-28",
        "/provenance",
        "/provenance/claims",
        "/provenance/claims/bukhari-visited-israel",
        "/charts/graph",
        "/static/charts/embed.js",
        "/-/static/app.css",
    ]
    refused = [
        "/provenance/claims?_sort=status",
        "/provenance/claim_mentions?_facet=stance&stance=reports",
        "/provenance/claims?_next=20",
        "/provenance/lineage?claim=bukhari-visited-israel",
        "/provenance.db",
        "/exports/provenance.db",
        "/-/versions",
        "/provenance?sql=select+1",
    ]
    for path in allowed:
        assert rfc9309_allows(lines, path), path
    for path in refused:
        assert not rfc9309_allows(lines, path), path


async def test_sitemap_lists_the_reading_pages(datasette, db):
    response = await datasette.client.get("/sitemap.xml")
    assert response.status_code == 200
    urls = [
        loc.text
        for loc in ET.fromstring(response.text).iter(
            "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"
        )
    ]
    paths = {url.split("localhost", 1)[1] for url in urls}
    assert {"/", "/charts/"} <= paths
    for table, kind, key in (
        ("articles", "article", "article_id"),
        ("claims", "claim", "claim_id"),
        ("actors", "actor", "actor_id"),
        ("works", "work", "work_id"),
    ):
        for row in db[table].rows:
            assert f"/{kind}/{row[key]}" in paths
    assert len(urls) == len(set(urls))


async def test_atom_feed_of_reports_and_denials(datasette, db):
    response = await datasette.client.get("/provenance/feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    feed = ET.fromstring(response.content)
    atom = "{http://www.w3.org/2005/Atom}"
    entries = feed.findall(f"{atom}entry")
    ids = [e.find(f"{atom}id").text for e in entries]
    assert (
        len(ids)
        == len(set(ids))
        == min(100, db["articles"].count + db["denials"].count + db["retractions"].count)
    )
    titles = [e.find(f"{atom}title").text for e in entries]
    assert sum(t.startswith("Report: ") for t in titles) == db["articles"].count
    # A claim is quoted as written ("denies that zulfi Bukhari..." lower-cased a name).
    statements = {row[0] for row in db.execute("select statement from claims").fetchall()}
    denied = [t.split(" denies: ", 1) for t in titles if t.startswith("Denial: ")]
    assert any(who == "Denial: Zulfi Bukhari" for who, _ in denied), titles
    assert all(statement in statements for _, statement in denied), denied
    # Every entry's date is an RFC 3339 date-time, those of denials dated to a month too.
    updated = [e.find(f"{atom}updated").text for e in entries]
    assert all(datetime.datetime.fromisoformat(when).tzinfo for when in updated), updated
    month_only = [
        f"tag:bukhari-provenance,2020:denial/{denial_id}"
        for (denial_id,) in db.execute("select denial_id from denials where length(denied_on) = 7")
    ]
    assert month_only and set(month_only) <= set(ids), "denials dated only to a month are in it"
    links = [e.find(f"{atom}link").get("href") for e in entries]
    assert all(link.startswith(("/article/", "/claim/", "/work/")) for link in links)
