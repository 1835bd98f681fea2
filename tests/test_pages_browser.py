"""The reading pages and the derived tables in headless Chromium (Debian's /usr/bin/chromium,
driven by Playwright, as in tests/test_charts.py), at a desktop width (1400 px) and a phone's
(390 px), against `provenance serve` started as a process: each page renders with no console
error, failed request or HTTP error, and without horizontal scrolling at 390 px; on an
article page every claim mention, citation and denial is marked, its marks hold exactly its
quote, and its link goes to its row; a mark's tip shows on hover and on keyboard focus;
every id on a derived table's page is a link with a label. Screenshots go to
tests/artifacts/pages-*.png for a person to look at."""

import json
import urllib.parse

import pytest
from conftest import ARTIFACTS, load_plugin

from build.derived.views import DERIVED_NAMES, VIEWS

pages = load_plugin("pages")

WIDTHS = {"desktop": 1400, "phone": 390}
READING_PAGES = {
    "home": "/",
    "article": "/article/republic-world-2020-12-20",
    "claim": "/claim/bukhari-visited-israel",
    "actor": "/actor/zulfi-bukhari",
    "work": "/work/israel-hayom-2021-06-28-report",
    "lineage-query": "/provenance/lineage",
    "citation-graph-table": "/provenance/citation_edges",
}
# Every derived table and view (build/derived/views.py), whatever the build makes.
DERIVED = [*DERIVED_NAMES, *VIEWS]
# Columns whose cells hold ids (plugins/pages.py ID_COLUMNS and ID_LIST_COLUMNS).
ID_CELLS = """() => {
    const kinds = new Set(%s);
    const found = [];
    for (const td of document.querySelectorAll("table.rows-and-columns td")) {
        const column = Array.from(td.classList).find(c => c.startsWith("col-"));
        if (!column || !kinds.has(column.slice(4)) || !td.textContent.trim()) continue;
        const links = Array.from(td.querySelectorAll("a.id-link"));
        found.push({column: column.slice(4), links: links.map(a => ({label: a.textContent.trim(), id: a.title, href: a.href}))});
    }
    return found;
}"""
FIRST_ROW_TOP = "() => { const r = document.querySelector('table.rows-and-columns tbody tr'); return r ? r.getBoundingClientRect().top + scrollY : null; }"


class Watched:
    """A page with what went wrong on it recorded: console errors, uncaught exceptions,
    failed requests and HTTP errors."""

    def __init__(self, context):
        self.page = context.new_page()
        self.console, self.errors, self.failed, self.bad = [], [], [], []
        self.page.on("console", lambda m: m.type == "error" and self.console.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        self.page.on(
            "response", lambda r: r.status >= 400 and self.bad.append(f"{r.status} {r.url}")
        )

    def fresh(self):
        """The page emptied, with nothing recorded, for the next test: a new page costs
        Chromium more than a navigation."""
        self.page.goto("about:blank")
        for record in (self.console, self.errors, self.failed, self.bad):
            record.clear()
        return self

    def assert_clean(self):
        assert not self.console, f"console errors: {self.console}"
        assert not self.errors, f"uncaught exceptions: {self.errors}"
        assert not self.failed, f"failed requests: {self.failed}"
        assert not self.bad, f"HTTP errors: {self.bad}"


@pytest.fixture(params=list(WIDTHS), scope="module")
def width(request):
    return request.param


@pytest.fixture(scope="module")
def context(browser, width):
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900})
    yield context
    context.close()


@pytest.fixture(scope="module")
def tab(context):
    """The page the module's tests at one width share, one after another."""
    watched = Watched(context)
    yield watched
    watched.page.close()


@pytest.fixture
def watched(tab):
    return tab.fresh()


def assert_no_horizontal_scroll(page, width):
    sizes = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if width == "phone":
        assert sizes[0] <= sizes[1], f"the page scrolls sideways at 390 px: {sizes[0]} px wide"


@pytest.mark.parametrize("name", READING_PAGES)
def test_page_renders_cleanly(server, watched, width, name):
    page = watched.page
    response = page.goto(server + READING_PAGES[name])
    assert response.status == 200
    assert page.locator("h1").first.is_visible()
    assert_no_horizontal_scroll(page, width)
    page.screenshot(path=ARTIFACTS / f"pages-{name}-{width}.png", full_page=True)
    watched.assert_clean()


def test_every_quote_on_every_article_page_is_marked_and_links_to_its_row(
    server, watched, width, db
):
    page = watched.page
    articles = [r[0] for r in db.execute("select article_id from articles order by article_id")]
    for article_id in articles:
        page.goto(f"{server}/article/{article_id}")
        assert_no_horizontal_scroll(page, width)
        marks = page.evaluate("""() => {
            const out = {};
            for (const mark of document.querySelectorAll(".article-text mark[data-mark]")) {
                const key = mark.dataset.mark;
                const copy = mark.cloneNode(true);
                copy.querySelectorAll("a.ref").forEach(a => a.remove());
                copy.querySelectorAll("mark").forEach(m => m.replaceWith(document.createTextNode(m.textContent)));
                out[key] = out[key] || {text: "", href: null};
                out[key].text += copy.textContent;
                const ref = mark.querySelector(":scope > a.ref");
                if (ref) out[key].href = ref.href;
            }
            return out;
        }""")
        for kind, (_, table, *_) in pages.MARK_KINDS.items():
            if table not in db.table_names():
                continue  # a kind of mark whose table this build does not have yet
            key = pages.KINDS[kind][1]
            for row_id, quote in db.execute(
                f"select {key}, quote from {table} where article_id = ? and quote_start is not null",
                [article_id],
            ):
                mark = marks.get(f"{kind}-{row_id}")
                assert mark, f"{article_id}: {kind} {row_id} is not marked"
                assert mark["text"] == quote, (
                    f"{article_id}: {kind} {row_id} marks other words than its quote"
                )
                assert (
                    mark["href"]
                    == f"{server}/provenance/{table}/{urllib.parse.quote(row_id, safe='')}"
                )
    watched.assert_clean()


def test_a_marks_tip_shows_on_hover_and_on_keyboard_focus(server, watched, width):
    page = watched.page
    page.goto(f"{server}/article/republic-world-2020-12-20")
    ref = (
        page.locator("#mention-republic-world-2020-12-20_bukhari-visited-israel")
        .locator("xpath=..")
        .locator("a.ref[href$='/claim_mentions/republic-world-2020-12-20_bukhari-visited-israel']")
    )
    tip = page.locator("#tip-mention-republic-world-2020-12-20_bukhari-visited-israel")
    assert not tip.is_visible()
    # Keyboard: tab through the links until this one has focus.
    page.locator("body").focus()
    for _ in range(400):
        page.keyboard.press("Tab")
        if (
            page.evaluate(
                "document.activeElement && document.activeElement.getAttribute('aria-describedby')"
            )
            == "tip-mention-republic-world-2020-12-20_bukhari-visited-israel"
        ):
            break
    else:
        pytest.fail("the mark's link is not reachable with the Tab key")
    assert tip.is_visible()
    text = tip.inner_text()
    assert "stance: reports" in text and "source: Middle East Monitor" in text
    box, viewport = tip.bounding_box(), page.viewport_size
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1, (
        "the tip stays on screen"
    )
    page.screenshot(path=ARTIFACTS / f"pages-article-focus-{width}.png")
    page.locator("h1").click()  # focus elsewhere
    assert not tip.is_visible()
    ref.hover()
    assert tip.is_visible()
    watched.assert_clean()


@pytest.mark.parametrize("table", DERIVED)
def test_every_id_on_a_derived_tables_page_is_a_link_with_a_label(server, watched, width, table):
    page = watched.page
    page.goto(f"{server}/provenance/{table}?_size=max")
    cells = page.evaluate(
        ID_CELLS % json.dumps(sorted(set(pages.ID_COLUMNS) | set(pages.ID_LIST_COLUMNS)))
    )
    assert cells, f"{table}: some column holds ids"
    for cell in cells:
        assert cell["links"], f"{table}: a {cell['column']} cell is not a link"
        for link in cell["links"]:
            assert link["label"] and link["label"] != link["id"], (
                f"{table}: {cell['column']} {link['id']} has no label"
            )
    top = page.evaluate(FIRST_ROW_TOP)
    assert top is not None and top < 1300, f"{table}: the first row starts {top:.0f} px down"
    assert_no_horizontal_scroll(page, width)
    watched.assert_clean()


TRANSFERRED = """() => {
    const navigation = performance.getEntriesByType("navigation")[0];
    const resources = performance.getEntriesByType("resource");
    return {total: navigation.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
            scripts: resources.filter(r => r.initiatorType === "script").map(r => r.name)};
}"""


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/article/yeshiva-world-news-2020-12",
        "/claim/bukhari-visited-israel",
        "/actor/israel-hayom",
    ],
)
def test_a_reading_page_transfers_under_150_kb_with_a_cold_cache(server, browser, path):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.goto(server + path, wait_until="load")
        weight = page.evaluate(TRANSFERRED)
        assert 0 < weight["total"] < 150_000, f"{path}: {weight['total']} bytes transferred"
        assert not any("vega" in url for url in weight["scripts"]), (
            "no chart library on a page that draws no chart"
        )
    finally:
        context.close()
