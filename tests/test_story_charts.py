"""The citation graph and the story timeline in Chromium at a desktop's width (1400 px) and
a phone's (390 px): they draw from their canned queries, log no error, and the page never
scrolls sideways; and how many bytes the home page and an article page cost a first
visit (all they load, fonts and scripts included, as sent: compressed). Screenshots go
to tests/artifacts/ for a person to look at."""

import pytest

from conftest import ARTIFACTS
from test_charts import RENDERED, Watched, api_rows, assert_rendered

WIDTHS = [1400, 390]
PAGE_BUDGET = 150 * 1024


@pytest.fixture(params=WIDTHS, ids=lambda width: f"{width}px")
def sized(browser, request):
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    yield request.param, Watched(context)
    context.close()


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("name", ["graph", "timeline"])
def test_story_chart_draws_at_every_width(server, sized, name):
    width, watched = sized
    page = watched.page
    page.goto(f"{server}/charts/{name}")
    marks = assert_rendered(page, ".chart", name, api_rows(server, name))
    assert marks["width"] <= width and marks["width"] > width - 100, (
        "the chart takes the page's width, no more"
    )
    assert no_sideways_scroll(page)
    page.screenshot(path=ARTIFACTS / f"story-{name}-{width}.png", full_page=True)
    watched.assert_clean([server])


def test_graph_marks_circles_and_corpus_reports(server):
    rows = api_rows(server, "graph")
    assert [r["row"] for r in rows] == list(range(len(rows)))
    assert sum(r["depth"] == 0 for r in rows) == len({r["article_id"] for r in rows}), (
        "one top row per report"
    )
    assert any(r["in_circle"] for r in rows), "the circle Bukhari's tweet points out is marked"
    assert any(
        r["kind"] == "report in the corpus" and r["link"].startswith("/article/") for r in rows
    )
    for r in rows:
        if r["depth"]:
            parent = rows[r["parent_row"]]
            assert parent["depth"] == r["depth"] - 1 and parent["article_id"] == r["article_id"]


def test_timeline_draws_date_ranges_and_denials(server):
    rows = api_rows(server, "timeline")
    reports = [r for r in rows if r["kind"] == "report"]
    assert any(r["uncertain"] and r["end"] > r["start"] for r in reports), (
        "a report dated by a range"
    )
    assert any(r["kind"] == "denial" for r in rows)
    assert all(r["link"].startswith(("/article/", "/claim/", "/work/")) for r in rows)


def transferred(page):
    """Bytes the page's resources took on the wire (headers and bodies, as compressed)."""
    return page.evaluate(
        """() => performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"))
            .map(e => ({name: e.name, bytes: e.transferSize}))"""
    )


@pytest.mark.parametrize("path", ["/", "/article/hindustan-times-2021-06-29", "/provenance/claims"])
def test_pages_are_light(server, sized, path):
    width, watched = sized
    page = watched.page
    page.goto(server + path)
    page.wait_for_load_state("load")
    entries = transferred(page)
    total = sum(e["bytes"] for e in entries)
    print(f"{path} at {width}px: {total:,} bytes transferred in {len(entries)} responses")
    assert total < PAGE_BUDGET, entries
    assert not [e for e in entries if "vega" in e["name"]], (
        "no charting script on a page that draws no chart"
    )
    assert no_sideways_scroll(page) or path == "/provenance/claims", (
        "a table page may scroll its table"
    )
    page.screenshot(path=ARTIFACTS / f"light{path.replace('/', '-') or '-home'}-{width}.png")


def test_a_chart_page_fetches_the_library_once_and_a_second_visit_not_at_all(server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    watched = Watched(context)
    page = watched.page
    page.goto(f"{server}/charts/graph")
    page.locator(f".chart:is({RENDERED})").wait_for(timeout=30_000)
    first = [e for e in transferred(page) if "/static/vendor/vega-embed" in e["name"]]
    assert len(first) == 1 and first[0]["bytes"] > 100_000
    assert first[0]["bytes"] < 400_000, "sent compressed"
    page.goto(f"{server}/charts/timeline")
    page.locator(f".chart:is({RENDERED})").wait_for(timeout=30_000)
    again = [e for e in transferred(page) if "/static/vendor/vega-embed" in e["name"]]
    assert len(again) == 1 and again[0]["bytes"] == 0, (
        "from the browser's cache: hashed URL, immutable"
    )
    context.close()
