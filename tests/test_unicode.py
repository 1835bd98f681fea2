"""Hostile text is shown inert and intact, and downloads byte for byte.

A made-up sixth article (tests/fixtures/hostile/: its text, annotations, outlet and
claim) carries markup (`<script>`, `<b>`, `<img onerror>`), right-to-left marks and
overrides (U+200F, U+202E), zero-width joiners (U+200D), emoji with ZWJ sequences, Urdu
and Hebrew, in its text, title, outlet's name, a claim's statement, quotes and a denial.
It is added to a copy of seeds/, built into a temporary folder and served as
`provenance serve` serves; it never reaches seeds/ or data/.

In headless Chromium (as in test_charts.py) each page must show the strings exactly,
create no element from them, and open no dialog; the CSV and JSON downloads and the
exports must hold them exactly. Screenshots go to tests/artifacts/unicode-*.png."""

import csv
import io
import json
import shutil
import urllib.parse
from pathlib import Path

import httpx
import pytest

from build.check.assemble import assemble
from build.write.outputs import write_outputs
from build.read.seeds import read_seeds
from conftest import ARTIFACTS, ROOT, SEEDS, served

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"

ARTICLE = "hostile-test-2021-07-01"
CLAIM = "hostile-test-claim"
OUTLET = "hostile-test-desk"

SCRIPT = "<script>alert(1)</script>"
BOLD = "<b>bold</b>"
IMG = "<img src=x onerror=alert(2)>"
RLM, RLO, PDF, ZWJ = "\u200f", "\u202e", "\u202c", "\u200d"
FAMILY = (
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # woman, woman, girl, boy joined
)
THUMBS = "\U0001f44d\U0001f3fd"  # thumbs up, medium skin tone
FLAG = "\U0001f1f5\U0001f1f0"  # Pakistan's flag: two regional indicators
RAINBOW = "\U0001f3f3\ufe0f\u200d\U0001f308"  # white flag, variation selector, ZWJ, rainbow
URDU = "زلفی بخاری"
HEBREW = "ישראל היום"

OUTLET_NAME = f"<img src=x onerror=alert(3)><b>Desk</b> {RLM}ישראל{RLM} {FAMILY}"
TITLE = f"Test page {SCRIPT} {BOLD} {IMG} {RLM}{HEBREW}{RLM} {RLO}desrever{PDF} {URDU} {FAMILY} {THUMBS} {FLAG}"
STATEMENT = f"Bukhari visited Israel {SCRIPT} on a {RLO}British{PDF} passport {IMG} (test claim: {URDU}, {RLM}ישראל{RLM}, {FAMILY} {RAINBOW})"
QUOTE = f"Our editors reported that Bukhari visited Israel {SCRIPT} in November 2020 on a British passport {IMG}"
ODD_QUOTE = (
    f"in Hebrew, {RLM}{HEBREW}{RLM} reported it first; one reader's text ran {RLO}backwards{PDF}; "
    f"others sent {FAMILY}, {THUMBS}, {FLAG} and {RAINBOW}, and a lone joiner{ZWJ}between words"
)
DENIAL = "Bukhari denied it <b>flatly</b>"
TEXT = (HOSTILE / "texts" / "900_hostile-test.txt").read_bytes().decode("utf-8")

# Everything a page could build from these strings, if it ever took them for markup.
INJECTED = """() => ({
    onerror: document.querySelectorAll("[onerror]").length,
    img_x: Array.from(document.images).filter(i => i.getAttribute("src") === "x").length,
    bold: Array.from(document.querySelectorAll("b")).filter(b => ["bold", "Desk", "flatly", "never"].includes(b.textContent)).length,
    scripts: Array.from(document.scripts).filter(s => s.textContent.includes("alert(")).length,
    alerted: window.__alerted || 0,
})"""
NOTHING_INJECTED = {"onerror": 0, "img_x": 0, "bold": 0, "scripts": 0, "alerted": 0}


def add_hostile(seeds):
    """Add the hostile article, outlet and claim to a copy of seeds/."""
    for name in ("actors.yml", "claims.yml"):
        with open(seeds / name, "a", encoding="utf-8") as extra:
            extra.write((HOSTILE / name).read_text(encoding="utf-8"))
    for folder in ("articles", "texts"):
        for path in (HOSTILE / folder).iterdir():
            shutil.copyfile(path, seeds / folder / path.name)
    return seeds


def test_the_hostile_seeds_pass_the_checks_and_keep_every_character(seeds_copy):
    tables = assemble(read_seeds(add_hostile(seeds_copy)))
    article = next(a for a in tables["articles"] if a["article_id"] == ARTICLE)
    assert article["title"] == TITLE and article["text"] == TEXT
    assert next(a for a in tables["actors"] if a["actor_id"] == OUTLET)["name"] == OUTLET_NAME
    assert next(c for c in tables["claims"] if c["claim_id"] == CLAIM)["statement"] == STATEMENT
    assert {m["quote"] for m in tables["claim_mentions"] if m["article_id"] == ARTICLE} == {
        QUOTE,
        ODD_QUOTE,
    }
    assert [d["quote"] for d in tables["denials"] if d["article_id"] == ARTICLE] == [DENIAL]
    mention = next(m for m in tables["claim_mentions"] if m["quote"] == ODD_QUOTE)
    assert TEXT[mention["quote_start"] : mention["quote_end"]] == ODD_QUOTE, (
        "offsets count code points"
    )


def test_the_hostile_article_is_not_published():
    for folder in (ROOT / "seeds", ROOT / "data"):
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix != ".db":
                assert "hostile-test" not in path.read_text(encoding="utf-8", errors="replace"), (
                    path
                )


# --- the hostile site ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory):
    """A build of seeds/ plus the hostile files (the copy `seeds_copy` makes, for the module)."""
    seeds = tmp_path_factory.mktemp("hostile-seeds") / "seeds"
    shutil.copytree(SEEDS, seeds)
    folder = tmp_path_factory.mktemp("hostile-data")
    write_outputs(assemble(read_seeds(add_hostile(seeds))), folder, ROOT / "metadata.yml")
    return folder


@pytest.fixture(scope="module")
def hostile_server(hostile_data, tmp_path_factory):
    with served(hostile_data, tmp_path_factory.mktemp("hostile-log") / "datasette.log") as base:
        yield base


@pytest.fixture(scope="module")
def tab(browser):
    """A page that records every dialog (and dismisses it), every uncaught exception and
    console error; alert() also counts itself, in case a dialog were swallowed. The
    module's tests share it, one after another: a new page costs Chromium more than a
    navigation."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.add_init_script(
        "window.__alerted = 0; window.alert = (function (real) { return function (m) { window.__alerted++; return real(m); }; })(window.alert);"
    )
    page = context.new_page()
    page.dialogs, page.errors = [], []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    yield page
    context.close()


@pytest.fixture
def page(tab):
    """The shared page, emptied, with nothing recorded yet."""
    tab.goto("about:blank")
    tab.dialogs.clear()
    tab.errors.clear()
    return tab


def assert_inert_and_intact(page, strings):
    """No dialog, no element made from the data, and every string in the visible text."""
    assert page.evaluate(INJECTED) == NOTHING_INJECTED
    assert page.dialogs == []
    assert page.errors == []
    visible = page.locator("body").inner_text()
    for string in strings:
        assert string in visible, f"{string!r} is not shown exactly"


PAGES = {
    "articles-table": (
        f"/provenance/articles?article_id={ARTICLE}",
        [
            TITLE,
            OUTLET_NAME,
            QUOTE + ", which no one has shown.",
            "Bukhari denied it <b>flatly</b>: he did not go to Israel.",
        ],
    ),
    "article-row": (
        f"/provenance/articles/{ARTICLE}",
        [TITLE, QUOTE, DENIAL, f"in Urdu, {URDU} نے اسرائیل کا دورہ نہیں کیا", ODD_QUOTE],
    ),
    "claim-row": (f"/provenance/claims/{CLAIM}", [STATEMENT, "Test only: <b>never</b> published."]),
    "claim-mentions-table": (
        f"/provenance/claim_mentions?article_id={ARTICLE}",
        [QUOTE, ODD_QUOTE, STATEMENT, TITLE, OUTLET_NAME],
    ),
    "citations-table": (f"/provenance/citations?article_id={ARTICLE}", [OUTLET_NAME, TITLE]),
    "denials-table": (f"/provenance/denials?article_id={ARTICLE}", [DENIAL, STATEMENT]),
    "actor-row": (
        f"/provenance/actors/{OUTLET}",
        [OUTLET_NAME, f"<script>alert(4)</script> {RLO}esrever{PDF}."],
    ),
    "actor-query": (f"/provenance/actor?actor={OUTLET}", [QUOTE, "Our editors reported"]),
    # plugins/pages.py shows an id as a link labelled with its row's title or statement.
    "search-query": ("/provenance/search?q=editors", ["article", TITLE]),
    "article-page": (
        f"/article/{ARTICLE}",
        [TITLE, OUTLET_NAME, QUOTE, DENIAL, ODD_QUOTE, STATEMENT],
    ),
    "claim-page": (f"/claim/{CLAIM}", [STATEMENT, QUOTE, DENIAL, TITLE]),
    "actor-page": (f"/actor/{OUTLET}", [OUTLET_NAME, QUOTE, TITLE]),
    "sql-page": (
        "/provenance?"
        + urllib.parse.urlencode(
            {"sql": f"select '{SCRIPT}' as a, '{IMG}' as b, '{RLO}{FAMILY}' as c"}
        ),
        [SCRIPT, IMG, RLO + FAMILY],
    ),
}


@pytest.mark.parametrize("name", PAGES)
def test_pages_show_hostile_text_inert_and_intact(hostile_server, page, name):
    path, strings = PAGES[name]
    response = page.goto(hostile_server + path)
    assert response.status == 200
    assert_inert_and_intact(page, strings)
    if name in ("article-row", "claim-mentions-table", "actor-row", "article-page"):
        page.screenshot(path=ARTIFACTS / f"unicode-{name}.png", full_page=True)


def test_an_error_page_keeps_hostile_sql_inert(hostile_server, page):
    runaway = "with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000000000) select count(*) from c"
    sql = f"{runaway} -- </textarea>{SCRIPT}{IMG}"
    response = page.goto(hostile_server + "/provenance?" + urllib.parse.urlencode({"sql": sql}))
    assert response.status == 400
    assert "SQL query took too long" in page.locator("body").inner_text()
    assert page.evaluate(INJECTED) == NOTHING_INJECTED and page.dialogs == []
    assert page.input_value("textarea") == sql


def test_the_chart_draws_a_hostile_label_as_text(hostile_server, page):
    page.goto(hostile_server + "/charts/citations")
    page.locator(".chart[data-chart-state=rendered]").wait_for(timeout=30_000)
    texts = page.locator(".chart svg text").all_text_contents()
    assert OUTLET_NAME in texts, "the y-axis label is the outlet's name, whole"
    # Its bar (Vega labels each bar's path with its data), and the tooltip on hovering it.
    bars = page.locator(".chart svg g.mark-rect path")
    index = bars.evaluate_all(
        "(paths, name) => paths.findIndex(p => (p.getAttribute('aria-label') || '').includes(name))",
        OUTLET_NAME,
    )
    assert index >= 0
    bar = bars.nth(index)
    bar.hover()
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=10_000)
    assert OUTLET_NAME in tooltip.inner_text()
    assert tooltip.evaluate("t => t.querySelectorAll('img, b, script').length") == 0
    page.screenshot(path=ARTIFACTS / "unicode-chart-citations.png", full_page=True)
    assert_inert_and_intact(page, [OUTLET_NAME])


# --- downloads -------------------------------------------------------------------------------

DOWNLOADS = [
    # table, filter, column, expected value
    ("articles", {"article_id": ARTICLE}, "title", TITLE),
    ("articles", {"article_id": ARTICLE}, "text", TEXT),
    ("actors", {"actor_id": OUTLET}, "name", OUTLET_NAME),
    ("claims", {"claim_id": CLAIM}, "statement", STATEMENT),
    (
        "claim_mentions",
        {"article_id": ARTICLE, "_sort": "quote_start"},
        "quote",
        [QUOTE, ODD_QUOTE],
    ),
    ("denials", {"article_id": ARTICLE}, "quote", DENIAL),
]


@pytest.mark.parametrize(
    "table, where, column, expected", DOWNLOADS, ids=[f"{d[0]}.{d[2]}" for d in DOWNLOADS]
)
def test_csv_and_json_downloads_keep_the_text_exactly(
    hostile_server, table, where, column, expected
):
    expected = expected if isinstance(expected, list) else [expected]
    for stream in ({}, {"_stream": "on"}):
        response = httpx.get(
            f"{hostile_server}/provenance/{table}.csv", params={**where, **stream, "_size": "max"}
        )
        assert response.status_code == 200
        for value in expected:
            assert value.encode("utf-8") in response.content, "byte for byte in the CSV"
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))
        assert [row[column] for row in rows] == expected
    response = httpx.get(
        f"{hostile_server}/provenance/{table}.json", params={**where, "_shape": "array"}
    )
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert [row[column] for row in json.loads(response.content)] == expected
    sql = f'select "{column}" from "{table}" where ' + " and ".join(
        f'"{k}" = :{k}' for k in where if not k.startswith("_")
    )
    sql += " order by quote_start" if table == "claim_mentions" else ""
    params = {k: v for k, v in where.items() if not k.startswith("_")}
    query = httpx.get(
        f"{hostile_server}/provenance.json", params={"sql": sql, "_shape": "array", **params}
    )
    assert [row[column] for row in query.json()] == expected
    query_csv = httpx.get(f"{hostile_server}/provenance.csv", params={"sql": sql, **params})
    assert [
        row[column]
        for row in csv.DictReader(io.StringIO(query_csv.content.decode("utf-8"), newline=""))
    ] == expected


def test_the_exports_keep_the_text_exactly(hostile_server, hostile_data):
    for name, values in (
        ("articles.csv", [TITLE, TEXT]),
        ("claims.csv", [STATEMENT]),
        ("claim_mentions.csv", [QUOTE, ODD_QUOTE]),
        ("actors.csv", [OUTLET_NAME]),
        ("claims.jsonld", [STATEMENT, QUOTE]),
    ):
        response = httpx.get(f"{hostile_server}/exports/{name}")
        assert (
            response.status_code == 200 and response.content == (hostile_data / name).read_bytes()
        )
        for value in values:
            encoded = (
                json.dumps(value, ensure_ascii=False)[1:-1] if name.endswith("jsonld") else value
            )
            assert encoded.encode("utf-8") in response.content, (name, value)
