"""The reading pages (templates/pages/, plugins/pages.py) through Datasette's own client:
an article page marks every claim mention, citation and denial of its text, a claim page
has its lineage, denials, disagreements and related claims, an actor page its claims,
words, credits and denials; every id on the derived tables' pages and the canned queries
is a link with a label; a quote links to the original sentence with a text fragment."""

import html
import html.parser
import json
import re
import shutil
import urllib.parse

import pytest
from conftest import get_ok, load_plugin
from test_queries import QUERIES
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from build.derived.views import DERIVED_NAMES, VIEWS
from build.site.serve import datasette_app
from build.write.outputs import METADATA_NAME


pages = load_plugin("pages")


class Elements(html.parser.HTMLParser):
    """Every start tag with its attributes, and whether the tags balance."""

    VOID = frozenset(
        {"br", "meta", "link", "img", "input", "hr", "source", "col", "wbr", "area", "base"}
    )

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.stack, self.text, self.errors = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(markup):
    parser = Elements()
    parser.feed(str(markup))
    parser.close()
    return parser


def article_text_html(page):
    """The inner HTML of the article text on an article page."""
    match = re.search(r'<div class="article-text"[^>]*>(.*?)</div>\n', page, re.DOTALL)
    assert match, "the page has its article text"
    return match.group(1)


# --- the marks, as a function ------------------------------------------------------------


@given(
    text=st.text(alphabet="ab <&>\"'\n", min_size=1, max_size=40),
    bounds=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=8),
)
def test_marks_are_well_formed_and_keep_the_text(text, bounds):
    spans = []
    for number, (one, two) in enumerate(bounds, 1):
        start, end = sorted((min(one, len(text)), min(two, len(text))))
        row = {
            "id": f"x{number}",
            "quote": text[start:end],
            "statement": "s",
            "stance": "asserts",
            "voice": "v",
            "hedges": "[]",
            "source": None,
            "status": "undenied",
        }
        spans.append(pages.Span("mention", row, number, start, end))
    parsed = parse(pages.mark_spans(text, spans))
    assert not parsed.errors and not parsed.stack, "every tag pair is well formed"
    marks = [attrs for tag, attrs in parsed.tags if tag == "mark"]
    kept = [s for s in spans if s.start < s.end]
    # Each span has exactly one first piece (its id) and one numbered link.
    assert sorted(a["id"] for a in marks if "id" in a) == sorted(s.ident for s in kept)
    links = [attrs["href"] for tag, attrs in parsed.tags if tag == "a"]
    assert len(links) == len(kept)
    # Without the links' numbers and tips, the text is the text, character for character.
    plain = re.sub(r'<a class="ref.*?</a>', "", str(pages.mark_spans(text, spans)), flags=re.DOTALL)
    assert "".join(parse(plain).text) == text


def test_text_fragment_is_encoded_as_the_syntax_requires():
    url = "https://example.org/a?b=1#top"
    short = pages.text_fragment(url, "DID NOT go, said - Bukhari & co")
    assert (
        short
        == "https://example.org/a?b=1#:~:text=DID%20NOT%20go%2C%20said%20%2D%20Bukhari%20%26%20co"
    )
    long = pages.text_fragment(url, "one two three four five six seven eight nine ten")
    assert long.endswith("#:~:text=one%20two%20three%20four,seven%20eight%20nine%20ten")
    curly = pages.text_fragment(url, "Khan’s special assistant")
    assert urllib.parse.unquote(curly.split("=", 2)[-1]) == "Khan’s special assistant"
    assert pages.text_fragment(None, "anything") is None


# --- the article page ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def article_ids(db):
    return [
        row["article_id"] for row in db.query("select article_id from articles order by article_id")
    ]


async def test_every_article_page_marks_every_quote_and_links_it_to_its_row(
    datasette, db, article_ids
):
    for article_id in article_ids:
        response = await datasette.client.get(f"/article/{article_id}")
        assert response.status_code == 200, article_id
        body = article_text_html(response.text)
        parsed = parse(body)
        assert not parsed.errors and not parsed.stack, f"{article_id}: the marks are well formed"
        ids = {attrs["id"] for tag, attrs in parsed.tags if tag == "mark" and "id" in attrs}
        hrefs = {attrs["href"] for tag, attrs in parsed.tags if tag == "a"}
        for kind, (_, table, *_) in pages.MARK_KINDS.items():
            if table not in db.table_names():
                continue  # a kind of mark whose table this build does not have yet
            key = pages.KINDS[kind][1]
            for row in db.query(
                f"select {key} as id from {table} where article_id = ? and quote_start is not null",
                [article_id],
            ):
                assert f"{kind}-{row['id']}" in ids, f"{article_id}: {kind} {row['id']} is marked"
                assert f"/provenance/{table}/{urllib.parse.quote(row['id'], safe='')}" in hrefs
        # The marks leave the text as it is.
        text = db.execute(
            "select text from articles where article_id = ?", [article_id]
        ).fetchone()[0]
        plain = re.sub(r'<a class="ref.*?</a>', "", body, flags=re.DOTALL)
        assert "".join(parse(plain).text) == text


async def test_a_mark_says_what_it_is_its_stance_and_its_source(datasette):
    page = (await datasette.client.get("/article/republic-world-2020-12-20")).text
    tip = re.search(
        r'id="tip-mention-republic-world-2020-12-20_bukhari-visited-israel">(.*?)</span>', page
    ).group(1)
    assert (
        "Claim: Zulfi Bukhari" in tip
        and "stance: reports" in tip
        and "source: Middle East Monitor" in tip
    )
    assert 'aria-describedby="tip-mention-republic-world-2020-12-20_bukhari-visited-israel"' in page


async def test_article_metadata_says_how_each_field_is_known(datasette):
    page = (await datasette.client.get("/article/yeshiva-world-news-2020-12")).text
    head = page.split('<div class="article-text"')[0]
    for words in (
        "Outlet",
        "Published",
        "basis-inferred",
        "between 2020-12-13 and 2020-12-20",
        "No date in the text",
        "YWN Israel Desk",
        "the address of the original is not known",
        'href="/provenance/articles/yeshiva-world-news-2020-12"',
    ):
        assert words in head, words


async def test_a_quote_links_to_the_original_sentence_when_the_address_is_known(datasette, db):
    for article_id, url in db.execute("select article_id, url from articles"):
        page = (await datasette.client.get(f"/article/{article_id}")).text
        if url:
            assert f'href="{url}"' in page
            assert f'href="{url.split("#")[0]}#:~:text=' in page, article_id
        else:
            assert "the address of the original is not known" in page and "#:~:text=" not in page


async def test_unknown_ids_are_404(datasette):
    for path in ("/article/no-such-article", "/claim/no-such-claim", "/actor/no-such-actor"):
        assert (await datasette.client.get(path)).status_code == 404, path


# --- claim and actor pages -----------------------------------------------------------------


async def test_claim_page_has_lineage_denials_disagreements_and_related_claims(datasette, db):
    page = (await datasette.client.get("/claim/bukhari-visited-israel")).text
    lineage = page.split('id="lineage"')[1].split('id="denials"')[0]
    steps = re.findall(r"<li value=\"(\d+)\"><strong>([^<]+)</strong>", lineage)
    expected = [
        (str(step), published)
        for step, published in db.execute(
            "select step, published from claim_lineage where claim_id = 'bukhari-visited-israel' group by article_id order by step, min(mention_id)"
        )
    ]
    assert steps == expected and len(steps) >= 4, "one entry per report, in date order"
    carried = db.execute(
        "select count(*) from claim_mentions where claim_id = 'bukhari-visited-israel'"
    ).fetchone()[0]
    assert lineage.count('class="in-context"') == carried >= 40, (
        "every mention of the claim quoted (15 in the five seeds, 42 in all thirteen)"
    )
    assert "Order uncertain" in lineage, "YWN (December 2020) and MEMO (18 December) overlap"
    denials = page.split('id="denials"')[1].split("</section>")[0]
    assert 'href="/actor/zulfi-bukhari"' in denials and "DID NOT go to Israel" in denials
    # "an unnamed close aide" only narrows to Bukhari: compatible, not a disagreement (AUDIT E6)
    assert 'id="disagreements"' not in page
    assert 'href="/claim/pakistani-official-visited-israel"' in page.split('id="related"')[1]
    dated = (await datasette.client.get("/claim/visit-on-20-november-2020")).text
    assert (
        'id="disagreements"' in dated
        and 'href="/claim/visit-in-last-week-of-november-2020"' in dated
    )


async def test_claim_page_says_whether_it_rests_on_a_retracted_report(datasette, db):
    """claims.rests_on_retracted on the page: a claim carried only by Middle East Monitor's
    withdrawn report and Republic World, which repeats it; one other reports also carry;
    one that rests on no retracted report."""
    only = (await datasette.client.get("/claim/visit-flight-british-airways")).text
    row = only.split("<dt>Retracted source</dt>")[1].split("</dd>")[0]
    assert "rests only on a retracted report" in row and "2 of its 2 mentions rest" in row
    assert 'href="/article/middle-east-monitor-2020-12-18"' in row
    part = (await datasette.client.get("/claim/bukhari-visited-israel")).text
    resting, total = db.execute("""
        select count(distinct rr.mention_id), (select count(*) from claim_mentions where claim_id = rr.claim_id)
        from retraction_reach rr where rr.claim_id = 'bukhari-visited-israel'""").fetchone()
    row = part.split("<dt>Retracted source</dt>")[1].split("</dd>")[0]
    assert "rests in part on a retracted report" in row
    assert f"{resting} of its {total} mentions rest" in row and 0 < resting < total
    none = (await datasette.client.get("/claim/pakistan-does-not-recognise-israel")).text
    assert "none: no report carrying it rests on a retracted report" in none
    facet = (await datasette.client.get("/provenance/claims.json?_facet=rests_on_retracted")).json()
    values = {
        v["value"]: v["count"] for v in facet["facet_results"]["rests_on_retracted"]["results"]
    }
    assert values["every"] == 5 and set(values) == {"every", "some", "none"}


async def test_claim_page_lists_the_details_of_a_broad_claim(datasette, db):
    children = [
        r[0]
        for r in db.execute(
            "select claim_id from claims where detail_of = 'pakistani-official-visited-israel'"
        )
    ]
    page = (await datasette.client.get("/claim/pakistani-official-visited-israel")).text
    related = page.split('id="related"')[1]
    for child in children:
        assert f'href="/claim/{child}"' in related


async def test_actor_page_has_aliases_claims_words_credits_and_denials(datasette, db):
    page = (await datasette.client.get("/actor/zulfi-bukhari")).text
    for alias in [
        r[0] for r in db.execute("select alias from actor_aliases where actor_id = 'zulfi-bukhari'")
    ]:
        assert f"“{alias}”" in page
    for section in ("claims-about", "words", "credited", "denials"):
        assert f'id="{section}"' in page
    assert 'href="/claim/bukhari-visited-israel"' in page.split('id="claims-about"')[1]
    assert "DID NOT go to Israel" in page.split('id="denials"')[1]
    credits = (
        (await datasette.client.get("/actor/israel-hayom"))
        .text.split('id="credited"')[1]
        .split("</section>")[0]
    )
    count = db.execute(
        "select count(*) from citations where source_id = 'israel-hayom'"
    ).fetchone()[0]
    assert credits.count('class="in-context"') == count


@pytest.mark.parametrize(
    "table,kind", [("claim_mentions", "mention"), ("citations", "citation"), ("denials", "denial")]
)
async def test_row_pages_show_the_quote_in_its_context(datasette, db, table, kind):
    key = {"claim_mentions": "mention_id", "citations": "citation_id", "denials": "denial_id"}[
        table
    ]
    row = db.execute(
        f"select {key}, article_id, quote, quote_start from {table} order by quote_start desc limit 1"
    ).fetchone()
    page = (await datasette.client.get(f"/provenance/{table}/{row[0]}")).text
    context = page.split('class="reading quote-context"')[1].split("</section>")[0]
    before, quote, after = re.search(
        r'<span class="context">(.*?)</span><q>(.*?)</q><span class="context">(.*?)</span>',
        context,
        re.DOTALL,
    ).groups()
    assert before and quote == row[2] and after is not None
    assert f'href="/article/{row[1]}#{kind}-{row[0]}"' in context


@pytest.mark.parametrize(
    "table,kind", [("articles", "article"), ("claims", "claim"), ("actors", "actor")]
)
async def test_row_pages_link_to_the_reading_page(datasette, db, table, kind):
    key = db[table].pks[0]
    value = db.execute(f"select {key} from {table} limit 1").fetchone()[0]
    page = (await datasette.client.get(f"/provenance/{table}/{value}")).text
    assert f'<p class="reading-link"><a href="/{kind}/{value}">' in page


# --- labelled ids on table and query pages -------------------------------------------------

# Every derived table and view (build/derived/views.py), whatever the build makes.
DERIVED = [*DERIVED_NAMES, *VIEWS]


def id_cells(page):
    """(column, cell HTML) of every table cell of a column holding ids."""
    cells = re.findall(r'<td class="col-([\w-]+)[^"]*">(.*?)</td>', page, re.DOTALL)
    return [
        (column, cell)
        for column, cell in cells
        if column in pages.ID_COLUMNS or column in pages.ID_LIST_COLUMNS or column == "id"
    ]


def assert_every_id_is_a_labelled_link(page, where):
    cells = id_cells(page)
    assert cells, f"{where}: some column holds ids"
    for column, cell in cells:
        if cell.strip() in ("", "&nbsp;"):
            continue
        links = re.findall(
            r'<a class="id-link id-\w+" href="([^"]+)" title="([^"]*)">(.*?)</a>', cell, re.DOTALL
        )
        assert links, f"{where}: {column} cell is not a labelled link: {cell[:200]}"
        for href, value, label in links:
            assert label.strip() and label != value, f"{where}: {column} {value} has no label"


@pytest.mark.parametrize("table", DERIVED)
async def test_every_id_on_a_derived_table_page_is_a_link_with_a_label(datasette, table):
    response = await datasette.client.get(f"/provenance/{table}?_size=max")
    assert response.status_code == 200
    assert_every_id_is_a_labelled_link(response.text, table)
    assert "build/views.py" not in response.text and "CSV package" not in response.text, (
        "described for readers"
    )


@pytest.mark.parametrize("table", DERIVED)
async def test_derived_tables_describe_every_column(datasette, db, table):
    described = datasette.table_metadata("provenance", table).get("columns", {})
    columns = [c.name for c in db[table].columns]
    assert set(columns) <= set(described), f"{table}: undescribed {set(columns) - set(described)}"


@pytest.mark.parametrize("name", QUERIES)
async def test_every_id_on_a_canned_query_page_is_a_link_with_a_label(datasette, name):
    params = {
        "lineage": "?claim=bukhari-visited-israel",
        "actor": "?actor=zulfi-bukhari",
        "search": "?q=passport",
    }
    response = await datasette.client.get(f"/provenance/{name}{params.get(name, '')}")
    assert response.status_code == 200
    assert_every_id_is_a_labelled_link(response.text, name)
    assert '<details class="show-sql"><summary>' in response.text, "the SQL is folded away"
    assert 'id="sql-query"' not in response.text and "sql-editor" not in response.text
    assert "<title>provenance: select" not in response.text, "titled by its question, not its SQL"


@pytest.mark.parametrize(
    "name,param,example",
    [("lineage", "claim", "bukhari-visited-israel"), ("actor", "actor", "zulfi-bukhari")],
)
async def test_a_canned_query_offers_its_parameter_as_labels_and_asks_before_answering(
    datasette, name, param, example
):
    page = (await datasette.client.get(f"/provenance/{name}")).text
    assert "0 results" not in page and "Nothing found" not in page
    assert f"Choose a {param} above" in page
    select = re.search(
        rf'<select id="qp-{param}" name="{param}">(.*?)</select>', page, re.DOTALL
    ).group(1)
    options = dict(re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select))
    assert example in options and options[example] != example
    chosen = (await datasette.client.get(f"/provenance/{name}?{param}={example}")).text
    assert re.search(rf'<option value="{example}" selected>', chosen)


async def test_search_asks_for_words_before_answering(datasette):
    page = (await datasette.client.get("/provenance/search")).text
    assert "0 results" not in page and "Type a word or two" in page
    assert '<input type="search" id="qp-q" name="q" value="">' in page


async def test_hedges_show_as_words_and_booleans_as_yes_or_no(datasette):
    page = (
        await datasette.client.get(
            "/provenance/claim_lineage?claim_id=bukhari-visited-israel&_size=max"
        )
    ).text
    hedges = re.findall(r'<td class="col-hedges[^"]*">(.*?)</td>', page, re.DOTALL)
    assert hedges and not any("[" in h for h in hedges)
    assert "reportedly" in hedges
    hedged = {
        h.strip() for h in re.findall(r'<td class="col-hedged[^"]*">(.*?)</td>', page, re.DOTALL)
    }
    assert hedged == {"yes", "no"}


async def test_facet_counts_are_whole_and_derived_facets_are_labelled(datasette):
    page = (await datasette.client.get("/provenance/citation_edges")).text
    facet = page.split('data-column="to_actor_id"')[1].split("</ul>")[0]
    assert re.search(r'>Israel Hayom</a> <span class="facet-count">\d+</span>', facet)


async def test_home_page_lists_the_reports_and_claims_and_links_each_question(datasette, db):
    page = (await datasette.client.get("/")).text
    for article_id in [r[0] for r in db.execute("select article_id from articles")]:
        assert f'href="/article/{article_id}"' in page
    for path in (
        "/claim/bukhari-visited-israel",
        "/actor/zulfi-bukhari",
        "/provenance/chains",
        "/provenance/citation_edges",
        "/provenance/circular",
        "/provenance/denied_claims",
        "/provenance/undenied_claims",
        "/provenance/discrepancies_by_detail",
        "/provenance/claim_mention_hedges",
        "/provenance/search?q=passport",
        "/provenance/works",
        "/work/bukhari-tweet-2021-06-28",
        "/provenance/retractions",
    ):
        assert f'href="{path}"' in page, path
        await get_ok(datasette, path)
    # The questions the build's further derived tables answer, once it makes them.
    for table in ("shared_text", "retraction_reach", "doubted_denials", "denial_reach"):
        assert (f'href="/provenance/{table}"' in page) == (table in db.table_names()), table


async def test_work_page_lists_every_report_of_the_work(datasette, db):
    for work_id, title in db.execute("select work_id, title from works"):
        page = (await datasette.client.get(f"/work/{work_id}")).text
        assert str(escape(title)) in page
        reports = page.split('id="reports"')[1]
        for table, key, kind in (
            ("citations", "citation_id", "citation"),
            ("denials", "denial_id", "denial"),
            ("doubts", "doubt_id", "doubt"),
        ):
            for (row_id,) in db.execute(f"select {key} from {table} where work_id = ?", [work_id]):
                assert f"#{kind}-{row_id}" in reports, f"{work_id}: {kind} {row_id}"
    assert (await datasette.client.get("/work/no-such-work")).status_code == 404


async def test_every_text_fragment_finds_its_quote_in_the_article_text(datasette, db):
    """A `#:~:text=start,end` link matches when start, then end, occur in the page's text: here
    the stored text, with whitespace as a browser collapses it."""
    checked = 0
    for article_id, url, text in db.execute(
        "select article_id, url, text from articles where url is not null and url != ''"
    ):
        page = (await datasette.client.get(f"/article/{article_id}")).text
        plain = " ".join(text.split())
        prefix = url.split("#")[0] + "#:~:text="
        for fragment in re.findall(r'href="([^"]+)"', page):
            fragment = html.unescape(fragment)
            if not fragment.startswith(prefix):
                continue
            parts = [urllib.parse.unquote(part) for part in fragment[len(prefix) :].split(",")]
            start = plain.find(parts[0])
            assert start >= 0, f"{article_id}: {parts[0]!r} is not in the text"
            if len(parts) == 2:
                assert plain.find(parts[1], start + len(parts[0])) >= 0, (
                    f"{article_id}: {parts[1]!r} does not follow"
                )
            checked += 1
    assert checked > 50


async def test_a_long_list_of_ids_links_the_first_hundred_and_counts_the_rest(datasette, db):
    """A claim carried by thousands of reports (discrepancies.carried_by at 10,000 articles)
    lists them in one cell: the first ID_LIST_LINKS are links, the rest a count."""
    articles = db["articles"].count
    assert articles * articles > 100
    sql = "select group_concat(a.article_id, '; ') as carried_by from articles a, articles b"
    response = await datasette.client.get("/provenance?" + urllib.parse.urlencode({"sql": sql}))
    assert response.status_code == 200
    cell = response.text.split('class="col-carried_by', 1)[1].split("</td>", 1)[0]
    assert len(re.findall(r'<a class="id-link id-article"', cell)) == 100
    assert f"and {articles * articles - 100:,} more" in cell


async def test_a_canned_query_page_draws_the_first_hundred_rows_and_offers_them_all(
    built, tmp_path
):
    """A canned query answering more than a table page's worth (a chart's data at 10,000
    articles) draws its first 100 rows, says so, and links the whole answer."""
    folder = shutil.copytree(built, tmp_path / "data")
    metadata = json.loads((folder / METADATA_NAME).read_text(encoding="utf-8"))
    metadata["databases"]["provenance"]["queries"]["every_actor_mention"] = {
        "title": "Every actor mention",
        "sql": "select actor_mention_id, article_id from actor_mentions order by actor_mention_id",
    }
    (folder / METADATA_NAME).write_text(json.dumps(metadata), encoding="utf-8")
    datasette = datasette_app(folder)
    rows = (await get_ok(datasette, "/provenance/every_actor_mention.json?_shape=array")).json()
    assert len(rows) > 100
    page = (await get_ok(datasette, "/provenance/every_actor_mention")).text
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == 100
    assert rows[99]["actor_mention_id"] in body and rows[100]["actor_mention_id"] not in body
    assert f"{len(rows):,} rows, the first 100 shown here · All of them as" in page
    assert 'href="/provenance/every_actor_mention.json"' in page
