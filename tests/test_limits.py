"""No request can hold the site (plugins/query_limits.py): each query's work is bounded even
inside one SQLite step, every answer's time and size are capped, bad parameters are a 400
(never a 500 with a traceback), introspection shows nothing about the host, and three
hostile clients at once leave a well-behaved visitor served."""

import http.client
import json
import os
import re
import sqlite3
import threading
import time
import urllib.parse

import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import ROOT, load_plugin


LIMITS = load_plugin("query_limits")


def sql_url(sql, fmt=".json"):
    return f"/provenance{fmt}?sql=" + urllib.parse.quote(sql)


def search_url(words, fmt=".json"):
    return f"/provenance/search{fmt}?q=" + urllib.parse.quote(" ".join(words))


# name: (URL, the status, a pattern its answer holds)
HOSTILE = {
    "a gigabyte blob": (sql_url("select randomblob(1000000000)"), 400, "string or blob too big"),
    "a gigabyte of zeros": (sql_url("select zeroblob(1000000000)"), 400, "string or blob too big"),
    "a gigabyte of text": (
        sql_url("select printf('%.*c', 1000000000, 'x')"),
        400,
        "string or blob too big",
    ),
    "a gigabyte of padding": (
        sql_url("select format('%*d', 1000000000, 1)"),
        400,
        "string or blob too big",
    ),
    "a long trim of mixed types": (
        sql_url("select trim(printf('%.*c', 20000, 'a'), x'61')"),
        400,
        "string or blob too big",
    ),
    "a long LIKE pattern": (
        sql_url("select 'a' like '%" + "a" * 5000 + "b'"),
        400,
        "pattern too complex",
    ),
    "a long GLOB pattern": (
        sql_url("select 'a' glob '*" + "a" * 5000 + "b'"),
        400,
        "pattern too complex",
    ),
    "fts3_tokenizer": (
        sql_url("select fts3_tokenizer('simple')"),
        400,
        "not authorized to use function: fts3_tokenizer",
    ),
    "load_extension": (
        sql_url("select load_extension('/tmp/evil')"),
        400,
        "not authorized to use function: load_extension",
    ),
    "compile options": (
        sql_url("select sqlite_compileoption_get(0)"),
        400,
        "not authorized to use function: sqlite_compileoption_get",
    ),
    "snippet in ad-hoc SQL": (
        sql_url(
            "select snippet(articles_fts, 1, '[', ']', '...', 12) from articles_fts where articles_fts match 'the'"
        ),
        400,
        r"snippet\(\) may not be called in SQL sent with \?sql=",
    ),
    "highlight in ad-hoc SQL": (
        sql_url(
            "select highlight(articles_fts, 1, '[', ']') from articles_fts where articles_fts match 'the'"
        ),
        400,
        r"highlight\(\) may not be called",
    ),
    "snippet as a quoted name": (
        sql_url(
            "select \"SNIPPET\"(articles_fts, 1, '[', ']', '...', 12) from articles_fts where articles_fts match 'a'"
        ),
        400,
        r"snippet\(\) may not be called",
    ),
    "an answer over the budget": (
        sql_url("select zeroblob(900000), claim_id from claims"),
        400,
        r"the answer is over 10,000,000 bytes",
    ),
    "too many columns": (sql_url("select " + ", ".join(["1"] * 101)), 400, "too many columns"),
    "too many unions": (
        sql_url(" union all ".join(["select 1"] * 21)),
        400,
        "too many terms in compound SELECT",
    ),
    "too deep an expression": (
        sql_url("select 1" + " + 1" * 201),
        400,
        r"Expression tree is too large \(maximum depth 200\)",
    ),
    "ad-hoc SQL too long": (
        sql_url("select '" + "x" * 10_001 + "'"),
        400,
        r"'sql' is 10,\d+ characters long: at most 10,000",
    ),
    "a search of 17 words": (
        search_url(["the"] * 17),
        400,
        r"the search 'q' has 17 words or quotes: at most 16",
    ),
    "a search of 5,000 words": (
        search_url(["the"] * 5000),
        400,
        r"the query string is [\d,]+ bytes long: at most 16,384",
    ),
    "a search of many quotes": (search_url(['"the"'] * 8), 400, r"words or quotes: at most 16"),
    "a long canned-query parameter": (
        "/provenance/actor.json?actor=" + "x" * 201,
        400,
        r"'actor' is 201 characters long: at most 200",
    ),
    "a long table search": (
        "/provenance/articles.json?_search=" + "+".join(["the"] * 17),
        400,
        r"the search '_search' has 17 words",
    ),
    "a long filter value": (
        "/provenance/articles.json?title__contains=" + "x" * 201,
        400,
        "at most 200",
    ),
    "_timelimit not a number": (
        "/provenance/articles.json?_timelimit=abc",
        400,
        "_timelimit is a whole number",
    ),
    "_timelimit negative": (
        "/provenance/articles?_timelimit=-5",
        400,
        "_timelimit is a whole number",
    ),
    "_through not JSON": (
        "/provenance/articles.json?_through=abc",
        400,
        "_through is a JSON object",
    ),
    "_through without a column": (
        '/provenance/articles.json?_through={"table":"citations"}',
        400,
        "_through is a JSON object",
    ),
    "snippet in _where": (
        "/provenance/articles.json?_where="
        + urllib.parse.quote("snippet(articles_fts, 1, '[', ']', '', 9) != ''"),
        400,
        r"snippet\(\) may not be called",
    ),
    "a NUL in an export's path": (
        "/exports/claims.csv%00.txt",
        400,
        "a NUL character is not allowed in a path",
    ),
    "a NUL in a parameter": (
        "/provenance/articles.json?title=a%00b",
        400,
        "a NUL character is not allowed in a parameter",
    ),
    "threads": ("/-/threads.json", 404, "Not found"),
    "threads page": ("/-/threads", 404, "Not found"),
}


@pytest.mark.parametrize("case", HOSTILE)
async def test_a_hostile_request_is_answered_at_once_and_plainly(datasette, case):
    url, status, pattern = HOSTILE[case]
    started = time.perf_counter()
    response = await datasette.client.get(url)
    assert time.perf_counter() - started < 3.0  # at once (well under 1 s on an idle machine)
    assert response.status_code == status, response.text[:500]
    assert re.search(pattern, response.text), response.text[:500]
    assert "Traceback" not in response.text


async def test_sql_over_the_time_limit_is_interrupted_not_held(datasette):
    runaway = "with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000000000) select count(*) from c"
    started = time.perf_counter()
    response = await datasette.client.get(sql_url(runaway))
    assert response.status_code == 400 and "interrupted" in response.text.lower()
    assert time.perf_counter() - started < 2.0


async def test_values_near_the_limits_still_work(datasette):
    near = [
        ("select length(randomblob(900000))", [[900000]]),
        ("select 'ab' like '%" + "a" * 200 + "%'", [[0]]),
        (
            "select instr('hello', 'l'), replace('abcabc', 'b', 'x'), trim('xxhixx', 'x'), ltrim('  a'), rtrim('a  ')",
            [[3, "axcaxc", "hi", "a", "a"]],
        ),
        (
            "select instr(x'010203', x'03'), instr(12345, 34), replace(1.5, '.', ','), trim(NULL, 'x'), instr('a', NULL)",
            [[3, 3, "1,5", None, None]],
        ),
        (
            "select length(trim(printf('%.*c', 250000, 'a'), printf('%.*c', 125000, 'b') || 'a'))",
            [[0]],
        ),
        ("select count(*) from claims where instr(statement, 'Bukhari') > 0", None),
    ]
    for sql, rows in near:
        started = time.perf_counter()
        response = await datasette.client.get(sql_url(sql))
        assert response.status_code == 200, (sql[:80], response.text[:300])
        assert time.perf_counter() - started < 1.0, sql[:80]
        if rows is not None:
            assert response.json()["rows"] == rows, sql[:80]


async def test_the_canned_search_still_finds_and_shows_matches(datasette):
    response = await datasette.client.get(search_url(["passport"]))
    assert response.status_code == 200
    assert any("[passport]" in row[3].lower() for row in response.json()["rows"])
    response = await datasette.client.get(search_url(["the"] * 16))
    assert response.status_code == 200


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from(["instr", "replace", "trim", "ltrim", "rtrim", "printf"]),
    st.lists(
        st.one_of(
            st.text(alphabet="ab xé\u05d0", max_size=8),
            st.binary(max_size=4),
            st.integers(-99, 999),
            st.floats(allow_nan=False, allow_infinity=False, width=32),
            st.none(),
        ),
        min_size=3,
        max_size=3,
    ),
)
@example("replace", ["", b"\x00", None])  # a pattern starting with NUL: SQLite reads it as empty
@example("replace", ["ab", "\x00b", "c"])
def test_the_linear_string_functions_answer_as_sqlite_does(name, args):
    arity = {"replace": 3, "printf": -1}.get(name, 2)
    args = args[:arity] if arity > 0 else ["%s-%d-%.2f-%5c|%%", *args]
    mine = sqlite3.connect(":memory:")
    mine.create_function(name, arity, LIMITS.LINEAR_FUNCTIONS[(name, arity)], deterministic=True)
    theirs = sqlite3.connect(":memory:")
    call = f"select {name}({', '.join('?' * len(args))})"
    try:
        expected = theirs.execute(call, args).fetchone()[0]
    except sqlite3.Error:
        return
    assert mine.execute(call, args).fetchone()[0] == expected


def test_every_connection_gets_the_limits_and_the_authorizer(built):
    conn = sqlite3.connect(f"file:{built / 'provenance.db'}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    LIMITS.prepare_connection(conn, "provenance", None)
    for limit, value in LIMITS.LIMITS.items():
        assert conn.getlimit(limit) == value
    with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
        conn.execute("select fts3_tokenizer('simple')")
    assert conn.execute("select instr('abc', 'c') as i").fetchone()["i"] == 3


async def test_introspection_shows_nothing_about_the_host(datasette):
    databases = (await datasette.client.get("/-/databases.json")).json()
    assert [db["name"] for db in databases] == ["provenance"]
    assert all("path" not in db for db in databases)
    versions = (await datasette.client.get("/-/versions.json")).json()
    assert versions["datasette"]["version"] and versions["sqlite"]["version"]
    assert "compile_options" not in versions["sqlite"] and "full" not in versions["python"]
    for page in ("/-/databases", "/-/versions"):
        html = (await datasette.client.get(page)).text
        assert (
            "/tmp" not in html
            and "provenance-serving" not in html
            and "COMPILER" not in html
            and "GCC" not in html
        )
    for page in ("/-/threads", "/-/threads.json"):
        assert (await datasette.client.get(page)).status_code == 404


# --- a hostile load on a real server -----------------------------------------------------

HOSTILE_LOAD = [
    search_url(["the"] * 10_000),  # the 40 KB search: minutes of snippet() before
    sql_url("select randomblob(1000000000)"),  # a 1.3 GB answer before
    sql_url("select count(*) from articles where text like '%" + "%a" * 2000 + "%b'"),
    sql_url(
        "with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000000000) select count(*) from c"
    ),
    sql_url("select length(trim(printf('%.*c', 400000, 'a'), printf('%.*c', 200000, 'b') || 'a'))"),
    sql_url(
        "select length(replace(printf('%.*c', 900000, 'a'), printf('%.*c', 450000, 'a') || 'b', 'x'))"
    ),
]
WELL_BEHAVED = [
    "/",
    "/provenance/claims.json",
    "/provenance/articles",
    "/provenance/search.json?q=passport",
    "/provenance/lineage.json?claim=bukhari-visited-israel",
    "/charts/",
]
LOAD_SECONDS = float(os.environ.get("HOSTILE_LOAD_SECONDS", "6"))
HOSTILE_CLIENTS = int(os.environ.get("HOSTILE_CLIENTS", "3"))  # 0: the same load, for comparison


@pytest.mark.slow
def test_three_hostile_clients_leave_a_well_behaved_one_served(server, tmp_path):
    """Three clients send the hostile requests above over and over, each as soon as its last
    is answered, while one well-behaved client asks for the site's pages: at least four in
    five of its answers are a 200, and any other is Datasette's refusal of a query over the
    time limit (the machine is shared with the rest of the suite, so how long the answers
    take is a figure, not an assertion: printed and written to
    tests/artifacts/hostile-load.json; HOSTILE_CLIENTS=0 measures the same client alone,
    for comparison)."""
    stop = threading.Event()
    hostile_answers = []

    def hostile(offset):
        # http.client, not httpx: httpx spends about half a second of this process's
        # interpreter checking each 40 KB address, which the well-behaved client would wait for.
        address = urllib.parse.urlsplit(server)
        turn = offset
        while not stop.is_set():
            url = HOSTILE_LOAD[turn % len(HOSTILE_LOAD)]
            started = time.perf_counter()
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
            try:
                connection.request("GET", url)
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError as error:
                status = type(error).__name__
            finally:
                connection.close()
            hostile_answers.append((url[:60], status, time.perf_counter() - started))
            turn += 1

    threads = [
        threading.Thread(target=hostile, args=(2 * offset,)) for offset in range(HOSTILE_CLIENTS)
    ]
    for thread in threads:
        thread.start()
    latencies, statuses, refused = [], [], []
    time.sleep(1)  # the hostile requests are running
    try:
        with httpx.Client(base_url=server, timeout=30) as client:
            deadline = time.monotonic() + LOAD_SECONDS
            turn = 0
            while time.monotonic() < deadline:
                started = time.perf_counter()
                path = WELL_BEHAVED[turn % len(WELL_BEHAVED)]
                response = client.get(path)
                statuses.append(response.status_code)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200 and not (
                    response.status_code == 400 and "SQL query took too long" in response.text
                ):
                    refused.append(f"{path}: {response.status_code} {response.text[:300]}")
                turn += 1
                time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    latencies.sort()
    p50, p95 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)]
    figures = {
        "seconds": LOAD_SECONDS,
        "well_behaved_requests": len(latencies),
        "well_behaved_200": statuses.count(200),
        "p50_s": round(p50, 4),
        "p95_s": round(p95, 4),
        "max_s": round(latencies[-1], 4),
        "hostile_requests": len(hostile_answers),
        "hostile_statuses": sorted({str(status) for _, status, _ in hostile_answers}),
        "hostile_slowest_s": round(max((seconds for *_, seconds in hostile_answers), default=0), 3),
    }
    (ROOT / "tests" / "artifacts").mkdir(exist_ok=True)
    (ROOT / "tests" / "artifacts" / "hostile-load.json").write_text(
        json.dumps(figures, indent=2) + "\n"
    )
    print("hostile load:", figures)
    assert not refused, refused
    assert statuses.count(200) >= 0.8 * len(statuses), figures
    # Refused at once, or (the string functions, linear here) answered; none held for long.
    assert {status for _, status, _ in hostile_answers} <= {200, 400}, hostile_answers
    assert figures["hostile_slowest_s"] < 5, hostile_answers
    assert not any(thread.is_alive() for thread in threads)
    assert httpx.get(f"{server}/provenance/claims.json", timeout=5).status_code == 200
