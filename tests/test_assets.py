"""Light pages, through Datasette's client: static files under hashed URLs with a long
lifetime and plain URLs with a short one (plugins/assets.py, servestatic), compression
(plugins/compress.py), and datasette-vega's script only on the pages that chart."""

import re

import pytest

from conftest import ROOT

IMMUTABLE = "immutable"
VEGA = "/-/static-plugins/datasette_vega/"


def script_and_style_urls(html):
    return re.findall(r'<script[^>]*\ssrc="([^"]+)"', html) + re.findall(
        r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', html
    )


async def test_static_files_have_hashed_urls_that_last(datasette):
    page = await datasette.client.get("/provenance/claims")
    hashed = re.search(r'src="(/static/site\.([0-9a-f]{12})\.js)"', page.text)
    assert hashed, "pages link the hashed URL"
    response = await datasette.client.get(hashed.group(1))
    assert response.status_code == 200
    assert (
        IMMUTABLE in response.headers["cache-control"]
        and "max-age=315360000" in response.headers["cache-control"]
    )
    assert response.content == (ROOT / "static" / "site.js").read_bytes()
    stale = await datasette.client.get("/static/site.0123456789ab.js")
    assert stale.status_code == 404, "a hash of no version of the file is not served"


async def test_plain_static_urls_are_short_lived_and_revalidate(datasette):
    response = await datasette.client.get("/static/charts/embed.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "max-age=300, public"
    again = await datasette.client.get(
        "/static/charts/embed.js", headers={"if-none-match": response.headers["etag"]}
    )
    assert again.status_code == 304 and not again.content
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    "path",
    ["/", "/provenance/claims", "/provenance/claims.json", "/provenance/feed.atom", "/robots.txt"],
)
async def test_pages_have_a_short_lifetime(datasette, path):
    response = await datasette.client.get(path)
    assert response.status_code == 200
    assert "max-age=300" in response.headers["cache-control"]
    assert IMMUTABLE not in response.headers["cache-control"]


async def test_datasettes_own_files_are_cached(datasette):
    page = await datasette.client.get("/")
    css = re.search(r'href="(/-/static/app\.css\?[0-9a-f]+)"', page.text).group(1)
    assert IMMUTABLE in (await datasette.client.get(css)).headers["cache-control"]
    assert (await datasette.client.get("/-/static/table.js")).headers[
        "cache-control"
    ] == "public, max-age=300"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/provenance",
        "/provenance/claims",
        "/provenance/claims/bukhari-visited-israel",
        "/provenance/lineage?claim=bukhari-visited-israel",
    ],
)
async def test_no_page_loads_a_charting_script_until_it_charts(datasette, path):
    page = await datasette.client.get(path)
    assert page.status_code == 200
    urls = script_and_style_urls(page.text)
    assert not [u for u in urls if u.startswith(VEGA) or "vega-embed" in u], urls


@pytest.mark.parametrize(
    "path", ["/provenance/claims", "/provenance/lineage?claim=bukhari-visited-israel"]
)
async def test_table_and_query_pages_can_load_datasette_vega(datasette, path):
    page = await datasette.client.get(path)
    assert re.search(r'src="/static/table-charts\.[0-9a-f]{12}\.js"', page.text)
    files = re.search(r"window\.provenanceTableCharts = (\{.*?\});", page.text).group(1)
    for url in re.findall(r'"([^"]+)"', files):
        if url.startswith("/"):
            assert (await datasette.client.get(url)).status_code == 200, url
    assert VEGA in files


async def test_responses_are_compressed(datasette):
    for path in (
        "/",
        "/provenance/claims",
        "/provenance/claims.json",
        "/provenance/claims.csv",
        "/static/charts/embed.js",
    ):
        response = await datasette.client.get(path, headers={"accept-encoding": "gzip"})
        assert response.headers.get("content-encoding") == "gzip", path
        assert "accept-encoding" in response.headers["vary"].lower(), path
    plain = await datasette.client.get(
        "/provenance/claims", headers={"accept-encoding": "identity"}
    )
    assert "content-encoding" not in plain.headers
    download = await datasette.client.get(
        "/exports/claims.csv", headers={"accept-encoding": "gzip"}
    )
    assert "content-encoding" not in download.headers, "whole-file downloads are sent as they are"


async def test_the_chart_library_is_sent_precompressed(datasette):
    """build/site/vendor.py writes vega-embed.js.gz beside the bundle; servestatic sends it,
    so no request compresses 900 KB."""
    gz = ROOT / "static" / "vendor" / "vega-embed.js.gz"
    assert gz.is_file(), "run `make build` (build/site/vendor.py)"
    page = await datasette.client.get("/charts/graph")
    url = re.search(r'src="(/static/vendor/vega-embed\.[0-9a-f]{12}\.js)"', page.text).group(1)
    response = await datasette.client.get(url, headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) == gz.stat().st_size
    assert response.content == (ROOT / "static" / "vendor" / "vega-embed.js").read_bytes()
    assert IMMUTABLE in response.headers["cache-control"]
