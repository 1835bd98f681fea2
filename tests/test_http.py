"""The real thing: `provenance serve` started as a process (the `server` fixture in
conftest.py), asked over HTTP on loopback."""

import httpx


def test_home_page_over_http(server):
    response = httpx.get(server + "/")
    assert response.status_code == 200
    assert "Claims traced to their sources" in response.text


def test_facets_over_http(server):
    data = httpx.get(server + "/provenance/claims.json").json()
    statuses = {item["value"] for item in data["facet_results"]["status"]["results"]}
    assert "denied" in statuses and "undenied" in statuses


def test_csv_download_over_http(server):
    response = httpx.get(server + "/provenance/citations.csv?_size=max")
    assert response.status_code == 200
    header = response.text.splitlines()[0]
    assert header.startswith("citation_id,article_id,source_id")


def test_search_over_http(server):
    rows = httpx.get(
        server + "/provenance/claim_mentions.json?_search=reportedly&_shape=array"
    ).json()
    assert rows and all("reportedly" in row["quote"].lower() for row in rows)


def test_writes_are_refused(server):
    response = httpx.get(server + "/provenance.json", params={"sql": "delete from claims"})
    assert response.status_code == 400
    count = httpx.get(
        server + "/provenance.json",
        params={"sql": "select count(*) as n from claims", "_shape": "array"},
    ).json()
    assert count[0]["n"] > 0


def test_cors_on_the_api_and_the_static_files(server):
    """Served with CORS, so pages on other origins can fetch chart specs and their data."""
    origin = {"Origin": "http://example.test"}
    api = httpx.get(
        server + "/provenance.json",
        params={"sql": "select 1 as one", "_shape": "array"},
        headers=origin,
    )
    assert api.headers["access-control-allow-origin"] == "*"
    spec = httpx.get(server + "/static/charts/timeline.vl.json", headers=origin)
    assert spec.status_code == 200
    assert spec.headers["access-control-allow-origin"] == "*"
