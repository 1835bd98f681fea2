"""The real thing: `provenance serve` started as a process, asked over HTTP on loopback."""

import socket
import subprocess
import time

import httpx
import pytest

from build.serve import datasette_command


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(built):
    """A Datasette process serving a fresh build; yields its base URL, stops it after."""
    port = free_port()
    process = subprocess.Popen(datasette_command(built, port=port), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{base}/-/versions.json", timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"datasette did not start: {process.stdout.read().decode()}")
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=10)


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
    rows = httpx.get(server + "/provenance/claim_mentions.json?_search=reportedly&_shape=array").json()
    assert rows and all("reportedly" in row["quote"].lower() for row in rows)


def test_writes_are_refused(server):
    response = httpx.get(server + "/provenance.json", params={"sql": "delete from claims"})
    assert response.status_code == 400
    count = httpx.get(server + "/provenance.json", params={"sql": "select count(*) as n from claims", "_shape": "array"}).json()
    assert count[0]["n"] > 0
