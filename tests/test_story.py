"""What real reports say, in the model (issue 12): works, denials with several deniers,
grounds, coverage and doubts, retractions, republication, identifications, claim
relations and date windows; each new field's bad input reported at its file and line with
nothing written.

FIXTURE adds one of each to a copy of the seeds, on the five seed texts (the quotes are
real words of those texts, the readings made up for the test); the real examples (Middle
East Monitor's letter in The Current, the Foreign Office's statement, Bilawal's doubt)
are tested in test_data.py once their articles are in seeds/."""

import shutil

import pytest

from build.check.assemble import assemble
from build.problems import BuildError
from build.read.seeds import read_seeds
from conftest import SEEDS
from test_errors import replace

HT = "articles/hindustan-times-2021-06-29.yml"
RW = "articles/republic-world-2020-12-20.yml"
WORKS = "works.yml"
CLAIMS = "claims.yml"

HT_MORE = """
excerpt: true
ends_mid_sentence: false
identifications:
  - id: aide-is-bukhari
    quote: A former aide of Pakistan Prime Minister Imran Khan
    actor: zulfi-bukhari
    by: article
    basis: The next paragraph names the aide, Sayed Zulfi Bukhari.
doubts:
  - id: loop-doubt
    doubter: bilawal-bhutto-zardari
    denial: bukhari-tweet
    quote: kept out of the loop
"""
HT_DENIAL = """    denied_on_basis: inferred
    quote: Bukhari denied the report in a tweet. “DID NOT go to Israel
    cue: denied
"""
HT_DENIAL_MORE = (
    HT_DENIAL
    + """    work: bukhari-tweet-2021-06-28
    grounds:
      - ground: no-such-event
        quote: DID NOT go to Israel
      - ground: source
        quote: wonder who this imaginative Pakistani source is
    covers: [visit-route-via-london]
"""
)
HT_MENTION = """  - claim: pakistani-official-visited-israel
    quote: A former aide of Pakistan Prime Minister Imran Khan made a secret visit to Israel last November
"""
RW_MORE = """
retractions:
  - id: memo-withdrew
    retracted: middle-east-monitor-2020-12-18
    kind: retraction
    by: middle-east-monitor
    retracted_on: 2020-12-23
    retracted_on_basis: inferred
    how: letter
    quote: according to Middle East Monitor
republishes:
  article: middle-east-monitor-2020-12-18
  extent: part
  basis: inferred
"""
CLAIM_COHEN = """- id: visitor-met-yossi-cohen
  statement: The visitor met Mossad chief Yossi Cohen.
"""
CLAIM_AIDE = """- id: khan-aide-visited-israel
"""


def append(path, text):
    def mutate(seeds):
        with open(seeds / path, "a", encoding="utf-8") as file:
            file.write(text)

    return mutate


def fixture(seeds):
    """Add one of each new thing to a seeds copy."""
    append(HT, HT_MORE)(seeds)
    replace(HT, HT_DENIAL, HT_DENIAL_MORE)(seeds)
    replace(HT, HT_MENTION, HT_MENTION + "    identification: aide-is-bukhari\n")(seeds)
    append(RW, RW_MORE)(seeds)
    replace(CLAIMS, CLAIM_COHEN, CLAIM_COHEN + "  presupposes: [bukhari-visited-israel]\n")(seeds)
    # khan-aide-visited-israel compatible_with bukhari-visited-israel is in seeds/claims.yml itself (AUDIT E6)


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    seeds = tmp_path_factory.mktemp("story") / "seeds"
    shutil.copytree(SEEDS, seeds)
    return assembled(seeds, fixture)


def assembled(seeds, *mutations):
    """The tables of a seeds copy once each mutation has changed it."""
    for mutate in mutations:
        mutate(seeds)
    return assemble(read_seeds(seeds))


def one(rows, **match):
    found = [row for row in rows if all(row[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, found)
    return found[0]


def test_a_work_is_one_row_that_citations_and_denials_point_at(story):
    work = one(story["works"], work_id="bukhari-tweet-2021-06-28")
    assert (work["kind"], work["author_id"], work["not_before"], work["not_after"]) == (
        "tweet",
        "zulfi-bukhari",
        "2021-06-28",
        "2021-06-29",
    )
    assert work["replies_to"] == "israel-hayom-2021-06-28-report"
    citing = {
        c["article_id"] for c in story["citations"] if c["work_id"] == "bukhari-tweet-2021-06-28"
    }
    assert citing == {
        "hindustan-times-2021-06-29",
        "asian-lite-2021",
        "dawn-2021-06-28",
        "jewish-chronicle-2021-07",
    }
    assert {
        c["work"] for c in story["citations"] if c["work_id"] == "bukhari-tweet-2021-06-28"
    } == {work["title"]}
    assert (
        one(story["denials"], denial_id="hindustan-times-2021-06-29_bukhari-tweet")["work_id"]
        == work["work_id"]
    )


def test_a_citation_of_a_work_takes_its_author_as_source(seeds_copy):
    without_source = replace(
        HT,
        "    source: israel-hayom\n    source_basis: stated\n    medium: report\n    work: israel-hayom-2021-06-28-report",
        "    source_basis: stated\n    medium: report\n    work: israel-hayom-2021-06-28-report",
    )
    citation = one(
        assembled(seeds_copy, without_source)["citations"],
        citation_id="hindustan-times-2021-06-29_ih-reported",
    )
    assert citation["source_id"] == "israel-hayom"


def test_denials_have_deniers_grounds_and_covers(story):
    key = "hindustan-times-2021-06-29_bukhari-tweet"
    assert [
        (g["ground"], g["quote"]) for g in story["denial_grounds"] if g["denial_id"] == key
    ] == [
        ("no-such-event", "DID NOT go to Israel"),
        ("source", "wonder who this imaginative Pakistani source is"),
    ]
    assert [d["denier_id"] for d in story["denial_deniers"] if d["denial_id"] == key] == [
        "zulfi-bukhari"
    ]
    assert [c["claim_id"] for c in story["denial_covers"] if c["denial_id"] == key] == [
        "visit-route-via-london"
    ]
    ground = story["denial_grounds"][0]
    text = one(story["articles"], article_id=ground["article_id"])["text"]
    assert text[ground["quote_start"] : ground["quote_end"]] == ground["quote"]


def test_a_denial_may_have_several_deniers(seeds_copy):
    two_deniers = replace(
        HT,
        "    claim: bukhari-visited-israel\n    denier: zulfi-bukhari\n",
        "    claim: bukhari-visited-israel\n    denier: [zulfi-bukhari, imran-khan]\n",
    )
    tables = assembled(seeds_copy, two_deniers)
    denial = one(tables["denials"], denial_id="hindustan-times-2021-06-29_bukhari-tweet")
    assert (denial["denier_id"], denial["denier_count"]) == ("zulfi-bukhari", 2)
    assert sorted(
        (d["position"], d["denier_id"])
        for d in tables["denial_deniers"]
        if d["denial_id"] == denial["denial_id"]
    ) == [(1, "zulfi-bukhari"), (2, "imran-khan")]


def test_a_doubt_names_the_denial_and_its_work(story):
    doubt = one(story["doubts"], doubt_id="hindustan-times-2021-06-29_loop-doubt")
    assert (doubt["doubter_id"], doubt["denial_id"], doubt["work_id"]) == (
        "bilawal-bhutto-zardari",
        "hindustan-times-2021-06-29_bukhari-tweet",
        "bukhari-tweet-2021-06-28",
    )


def test_a_retraction_marks_the_retracted_article(story):
    retraction = one(
        story["retractions"],
        retracted_article_id="middle-east-monitor-2020-12-18",
        article_id="republic-world-2020-12-20",
    )
    assert (
        retraction["article_id"],
        retraction["kind"],
        retraction["how"],
        retraction["retracted_on"],
        retraction["by_id"],
    ) == ("republic-world-2020-12-20", "retraction", "letter", "2020-12-23", "middle-east-monitor")


def test_republication_and_excerpts(story):
    republication = one(story["republications"], article_id="republic-world-2020-12-20")
    assert (
        republication["republished_article_id"],
        republication["extent"],
        republication["basis"],
    ) == ("middle-east-monitor-2020-12-18", "part", "inferred")
    ht = one(story["articles"], article_id="hindustan-times-2021-06-29")
    assert (ht["excerpt"], ht["ends_mid_sentence"]) == (True, False)
    assert not one(story["articles"], article_id="republic-world-2020-12-20")["excerpt"]


def test_an_identification_is_marked_as_whose_and_on_what_basis(story):
    identification = one(
        story["identifications"], identification_id="hindustan-times-2021-06-29_aide-is-bukhari"
    )
    assert (identification["actor_id"], identification["identified_by"]) == (
        "zulfi-bukhari",
        "article",
    )
    mention = one(
        story["claim_mentions"],
        mention_id="hindustan-times-2021-06-29_pakistani-official-visited-israel",
    )
    assert mention["identification_id"] == identification["identification_id"]


def test_a_denial_reaches_what_presupposes_it_and_what_it_covers(story):
    claims = {c["claim_id"]: c for c in story["claims"]}
    # denied directly since The Jewish Chronicle's "top Israeli sources" (he "did not attend it");
    # it also presupposes bukhari-visited-israel
    assert claims["visitor-met-yossi-cohen"]["status"] == "denied"
    assert claims["visit-route-via-london"]["status"] == "parent-denied"  # covers
    assert {
        (r["claim_id"], r["relation"], r["other_claim_id"]) for r in story["claim_relations"]
    } >= {
        ("visitor-met-yossi-cohen", "presupposes", "bukhari-visited-israel"),
        ("khan-aide-visited-israel", "compatible_with", "bukhari-visited-israel"),
    }


def test_only_allegations_are_undenied(tables):
    statuses = {(c["kind"], c["status"]) for c in tables["claims"]}
    assert ("background", "undenied") not in statuses
    assert {status for kind, status in statuses if kind != "allegation"} <= {
        None,
        "denied",
        "parent-denied",
    }


def test_a_first_report_is_uncertain_when_date_windows_overlap(tables):
    claims = {c["claim_id"]: c for c in tables["claims"]}
    articles = {a["article_id"]: a for a in tables["articles"]}
    carried = {}
    for mention in tables["claim_mentions"]:
        carried.setdefault(mention["claim_id"], set()).add(mention["article_id"])
    for claim_id, ids in carried.items():
        latest_first = min(articles[a]["not_after"] for a in ids)
        could = {a for a in ids if articles[a]["not_before"] <= latest_first}
        claim = claims[claim_id]
        assert claim["first_candidates"] == len(could), claim_id
        assert claim["first_uncertain"] == (len(could) > 1)
        assert claim["first_not_after"] == latest_first
    # YWN (known to the month, December 2020) could be before Middle East Monitor (18 December)
    assert claims["visitor-met-yossi-cohen"]["first_uncertain"]


# --- bad input: name: (mutate, file, needle (line holding it) or line number, message) ----------


def with_fixture(*mutations):
    def mutate(seeds):
        fixture(seeds)
        for mutation in mutations:
            mutation(seeds)

    return mutate


CASES = {
    "medium_basis: neither stated nor inferred": (
        replace(
            HT,
            "    medium: conversation\n    medium_basis: inferred\n",
            "    medium: conversation\n    medium_basis: guessed\n",
        ),
        HT,
        "medium_basis: guessed",
        r"citations\[\d+\]\.medium_basis: 'guessed' is not one of: stated, inferred",
    ),
    "medium_basis of an unspecified medium": (
        replace(
            HT,
            "    denier: zulfi-bukhari\n    medium: tweet\n    denied_on: 2021-06-28\n",
            "    denier: zulfi-bukhari\n    medium: unspecified\n    medium_basis: stated\n    denied_on: 2021-06-28\n",
        ),
        HT,
        "medium_basis: stated",
        r"denials\[0\]\.medium_basis: the medium is unspecified, so nothing is stated or inferred about it",
    ),
    "work: unknown id": (
        replace(HT, "    work: bukhari-tweet-2021-06-28\n", "    work: bukhari-tweets\n"),
        HT,
        "work: bukhari-tweets",
        r"citations\[\d+\]\.work: unknown work id 'bukhari-tweets' \(works are the `id`s in seeds/works\.yml\)",
    ),
    "work: free text, not an id": (
        replace(
            HT, "    work: bukhari-tweet-2021-06-28\n", "    work: Bukhari's tweet, June 2021\n"
        ),
        HT,
        "work: Bukhari's tweet, June 2021",
        r"citations\[\d+\]\.work: \"Bukhari's tweet, June 2021\" does not match the pattern",
    ),
    "citation with neither source nor work": (
        replace(
            HT,
            "    source: israel-hayom\n    source_basis: stated\n    medium: report\n    work: israel-hayom-2021-06-28-report",
            "    source_basis: stated\n    medium: report",
        ),
        HT,
        "id: ih-reported",
        r"citations\[1\]\.source: a citation needs a source \(an actor id\) or a work",
    ),
    "works.yml: unknown kind": (
        replace(
            WORKS,
            "  kind: tweet\n  author: zulfi-bukhari",
            "  kind: tweeet\n  author: zulfi-bukhari",
        ),
        WORKS,
        "kind: tweeet",
        r"bukhari-tweet-2021-06-28\.kind: 'tweeet' is not one of: report, opinion, tweet",
    ),
    "works.yml: unknown author": (
        replace(WORKS, "  author: noor-dahri", "  author: noor-dahrii"),
        WORKS,
        "author: noor-dahrii",
        r"noor-dahri-tweets-2020-12\.author: unknown actor id 'noor-dahrii'",
    ),
    "works.yml: duplicate id": (
        append(WORKS, "\n- id: nziv-2020-12-report\n  kind: report\n  title: again\n"),
        WORKS,
        "id: nziv-2020-12-report",
        r"nziv-2020-12-report\.id: duplicate work id 'nziv-2020-12-report'",
    ),
    "works.yml: bound outside published": (
        replace(WORKS, "  not_before: 2021-06-28\n", "  not_before: 2021-07-01\n"),
        WORKS,
        "not_before: 2021-07-01",
        r"bukhari-tweet-2021-06-28\.not_before: 2021-07-01 lies outside published '2021-06'",
    ),
    "works.yml: published without date_basis": (
        replace(WORKS, "  published: 2005\n  date_basis: stated\n", "  published: 2005\n"),
        WORKS,
        "id: israel-foreign-ministry-statement-2005",
        r"israel-foreign-ministry-statement-2005: published and date_basis go together",
    ),
    "works.yml: replies to an unknown work": (
        replace(
            WORKS, "  replies_to: israel-hayom-2021-06-28-report", "  replies_to: israel-hayom-june"
        ),
        WORKS,
        "replies_to: israel-hayom-june",
        r"bukhari-tweet-2021-06-28\.replies_to: unknown work id 'israel-hayom-june'",
    ),
    "excerpt not true or false": (
        with_fixture(replace(HT, "excerpt: true", "excerpt: partly")),
        HT,
        "excerpt: partly",
        r":\d+: excerpt: expected true or false, got text 'partly'",
    ),
    "ends mid-sentence without excerpt": (
        with_fixture(
            replace(HT, "excerpt: true\nends_mid_sentence: false", "ends_mid_sentence: true")
        ),
        HT,
        "ends_mid_sentence: true",
        r"ends_mid_sentence: only an excerpt can end mid-sentence",
    ),
    "denier list with an unknown actor": (
        replace(
            HT,
            "    claim: bukhari-visited-israel\n    denier: zulfi-bukhari\n",
            "    claim: bukhari-visited-israel\n    denier: [zulfi-bukhari, moeed]\n",
        ),
        HT,
        "denier: [zulfi-bukhari, moeed]",
        r"denials\[0\]\.denier\[1\]: unknown actor id 'moeed'",
    ),
    "denier listed twice": (
        replace(
            HT,
            "    claim: bukhari-visited-israel\n    denier: zulfi-bukhari\n",
            "    claim: bukhari-visited-israel\n    denier: [zulfi-bukhari, zulfi-bukhari]\n",
        ),
        HT,
        "denier: [zulfi-bukhari, zulfi-bukhari]",
        r"denials\[0\]\.denier\[1\]: 'zulfi-bukhari' is listed twice",
    ),
    "denial ground not in the enum": (
        with_fixture(replace(HT, "      - ground: source\n", "      - ground: sources\n")),
        HT,
        "ground: sources",
        r"denials\[0\]\.grounds\[1\]\.ground: 'sources' is not one of: no-such-event, alibi",
    ),
    "denial ground quote not in the text": (
        with_fixture(
            replace(
                HT, "        quote: DID NOT go to Israel\n", "        quote: did not go to Israel\n"
            )
        ),
        HT,
        "quote: did not go to Israel",
        r"denials\[0\]\.grounds\[0\]\.quote: quote not found verbatim",
    ),
    "denial covers an unknown claim": (
        with_fixture(
            replace(HT, "    covers: [visit-route-via-london]", "    covers: [visit-via-london]")
        ),
        HT,
        "covers: [visit-via-london]",
        r"denials\[0\]\.covers\[0\]: unknown claim id 'visit-via-london'",
    ),
    "denial rests on an unknown citation": (
        replace(HT, HT_DENIAL, HT_DENIAL + "    citation: bukhari-said\n"),
        HT,
        "citation: bukhari-said",
        r"denials\[0\]\.citation: unknown citation id 'bukhari-said' in this article",
    ),
    "denial made in an unknown work": (
        replace(HT, HT_DENIAL, HT_DENIAL + "    work: bukhari-tweet\n"),
        HT,
        "work: bukhari-tweet",
        r"denials\[0\]\.work: unknown work id 'bukhari-tweet'",
    ),
    "doubt of an unknown denial": (
        with_fixture(
            replace(
                HT,
                "    denial: bukhari-tweet\n    quote: kept",
                "    denial: bukhari-tweets\n    quote: kept",
            )
        ),
        HT,
        "denial: bukhari-tweets",
        r"doubts\[0\]\.denial: unknown denial id 'bukhari-tweets' in this article",
    ),
    "doubt of nothing": (
        with_fixture(replace(HT, "    denial: bukhari-tweet\n    quote: kept", "    quote: kept")),
        HT,
        "id: loop-doubt",
        r"doubts\[0\]: a doubt needs the denial it doubts",
    ),
    "doubter unknown": (
        with_fixture(replace(HT, "    doubter: bilawal-bhutto-zardari", "    doubter: bilawal")),
        HT,
        "doubter: bilawal",
        r"doubts\[0\]\.doubter: unknown actor id 'bilawal'",
    ),
    "retraction of an unknown article": (
        with_fixture(
            replace(
                RW,
                "    retracted: middle-east-monitor-2020-12-18",
                "    retracted: memo-2020-12-18",
            )
        ),
        RW,
        "retracted: memo-2020-12-18",
        r"retractions\[0\]\.retracted: unknown article id 'memo-2020-12-18'",
    ),
    "retraction kind not in the enum": (
        with_fixture(replace(RW, "    kind: retraction", "    kind: withdrawn")),
        RW,
        "kind: withdrawn",
        r"retractions\[0\]\.kind: 'withdrawn' is not one of: retraction, correction, apology",
    ),
    "retraction date without basis": (
        with_fixture(replace(RW, "    retracted_on_basis: inferred\n", "")),
        RW,
        "id: memo-withdrew",
        r"retractions\[0\]: retracted_on and retracted_on_basis go together",
    ),
    "retraction of an article and a work": (
        with_fixture(
            replace(
                RW,
                "    kind: retraction",
                "    retracted_work: nziv-2020-12-report\n    kind: retraction",
            )
        ),
        RW,
        "retracted_work: nziv-2020-12-report",
        r"retractions\[0\]\.retracted_work: give retracted \(a corpus article\) or retracted_work",
    ),
    "republishes both a work and an article": (
        with_fixture(
            replace(
                RW,
                "  article: middle-east-monitor-2020-12-18\n  extent",
                "  article: middle-east-monitor-2020-12-18\n  work: nziv-2020-12-report\n  extent",
            )
        ),
        RW,
        "article: middle-east-monitor-2020-12-18",
        r"republishes: republishes needs one of work",
    ),
    "republishes, stated with no quote": (
        with_fixture(replace(RW, "  basis: inferred\n", "  basis: stated\n")),
        RW,
        "basis: stated",
        r"republishes\.quote: basis: stated needs quote",
    ),
    "republishes not a mapping": (
        with_fixture(
            replace(
                RW,
                "republishes:\n  article: middle-east-monitor-2020-12-18\n  extent: part\n  basis: inferred\n",
                "republishes: middle-east-monitor-2020-12-18\n",
            )
        ),
        RW,
        "republishes: middle-east-monitor-2020-12-18",
        r":\d+: republishes: expected a mapping",
    ),
    "identification by source without a citation": (
        with_fixture(replace(HT, "    by: article\n", "    by: source\n")),
        HT,
        "by: source",
        r"identifications\[0\]\.by: by: source needs citation",
    ),
    "identification without basis": (
        with_fixture(
            replace(HT, "    basis: The next paragraph names the aide, Sayed Zulfi Bukhari.\n", "")
        ),
        HT,
        "id: aide-is-bukhari",
        r"identifications\[0\]\.basis: required field is missing or empty",
    ),
    "mention names an unknown identification": (
        with_fixture(
            replace(HT, "    identification: aide-is-bukhari\n", "    identification: aide\n")
        ),
        HT,
        "identification: aide",
        r"mentions\[0\]\.identification: unknown identification id 'aide' in this article",
    ),
    "presupposes an unknown claim": (
        replace(CLAIMS, CLAIM_COHEN, CLAIM_COHEN + "  presupposes: [bukhari-went-to-israel]\n"),
        CLAIMS,
        "presupposes: [bukhari-went-to-israel]",
        r"visitor-met-yossi-cohen\.presupposes\[0\]: unknown claim id 'bukhari-went-to-israel'",
    ),
    "presupposes in a circle": (
        with_fixture(
            replace(
                CLAIMS,
                "- id: bukhari-visited-israel\n",
                "- id: bukhari-visited-israel\n  presupposes: [visitor-met-yossi-cohen]\n",
            )
        ),
        CLAIMS,
        None,
        r"presupposes: presupposes goes round in a circle",
    ),
    "compatible with a different detail": (
        replace(CLAIMS, CLAIM_COHEN, CLAIM_COHEN + "  compatible_with: [bukhari-visited-israel]\n"),
        CLAIMS,
        "compatible_with: [bukhari-visited-israel]",
        r"visitor-met-yossi-cohen\.compatible_with\[0\]: 'bukhari-visited-israel' is not a detail of the same claim and attribute",
    ),
}


def test_the_story_cases_are_distinct():
    assert len({message for *_, message in CASES.values()}) == len(CASES)


def test_the_fixture_itself_builds(story):
    assert (
        story["doubts"]
        and story["retractions"]
        and story["republications"]
        and story["identifications"]
    )


def test_problems_are_build_errors(seeds_copy):
    misspelt = replace(
        WORKS, "  kind: tweet\n  author: zulfi-bukhari", "  kind: tweeet\n  author: zulfi-bukhari"
    )
    with pytest.raises(BuildError, match="tweeet"):
        assembled(seeds_copy, misspelt)


# --- derived tables, on the fixture -----------------------------------------------------


@pytest.fixture(scope="module")
def story_db(story, tmp_path_factory):
    import sqlite_utils

    from build.write.outputs import DATABASE_NAME, write_outputs
    from conftest import ROOT

    folder = tmp_path_factory.mktemp("story-data")
    write_outputs(story, folder, ROOT / "metadata.yml")
    return sqlite_utils.Database(folder / DATABASE_NAME)


def test_claims_resting_on_a_retracted_report_are_listed(story_db):
    reach = list(story_db["retraction_reach"].rows)
    assert {r["retracted_id"] for r in reach} == {"middle-east-monitor-2020-12-18"}
    how = {(r["article_id"], r["how"]) for r in reach}
    assert ("middle-east-monitor-2020-12-18", "carried in the retracted report") in how
    assert ("republic-world-2020-12-20", "cites the retracted report") in how
    retracted = story_db["retracted_reports"].get("republic-world-2020-12-20_memo-withdrew")
    assert (retracted["retracted_id"], retracted["retracted_on"], retracted["how"]) == (
        "middle-east-monitor-2020-12-18",
        "2020-12-23",
        "letter",
    )


def test_every_report_of_a_work_is_one_filter(story_db):
    reports = {
        (r["article_id"], r["role"])
        for r in story_db["work_reports"].rows_where("work_id = ?", ["bukhari-tweet-2021-06-28"])
    }
    assert ("hindustan-times-2021-06-29", "citation") in reports and (
        "hindustan-times-2021-06-29",
        "denial",
    ) in reports
    assert ("asian-lite-2021", "citation") in reports
    assert ("hindustan-times-2021-06-29", "doubt") in reports


def test_a_doubt_of_a_denial_is_listed_with_its_doubter(story_db):
    doubted = list(story_db["doubted_denials"].rows)
    assert {(d["denial_id"], d["doubted_by"]) for d in doubted} >= {
        ("hindustan-times-2021-06-29_bukhari-tweet", "Bilawal Bhutto Zardari")
    }


def test_denial_reach_is_what_status_says(story_db):
    reached = {r["claim_id"] for r in story_db["denial_reach"].rows}
    statuses = {c["claim_id"]: c["status"] for c in story_db["claims"].rows}
    assert reached == {
        claim for claim, status in statuses.items() if status in ("denied", "parent-denied")
    }
    assert any(
        "presupposes" in r["how"]
        for r in story_db["denial_reach"].rows_where("claim_id = ?", ["visitor-met-yossi-cohen"])
    )


def test_compatible_values_are_not_discrepancies(db):
    compatible = {
        (r["claim_id"], r["other_claim_id"])
        for r in db["claim_relations"].rows_where("relation = 'compatible_with'")
    }
    assert ("khan-aide-visited-israel", "bukhari-visited-israel") in compatible  # AUDIT E6
    found = {r["claim_id"] for r in db["discrepancies"].rows}
    for claim_id, other in compatible:
        values = {
            r["value"]
            for r in db["claims"].rows_where(
                "detail_of = (select detail_of from claims where claim_id = ?)"
                " and attribute = (select attribute from claims where claim_id = ?)",
                [claim_id, claim_id],
            )
        }
        if len(values) == 2:  # the two compatible values are the only ones: no disagreement
            assert claim_id not in found and other not in found


def test_a_value_carried_only_to_be_rejected_is_not_reported(db):
    # YWN carries Indonesia only to reject it ("the delegation was from Pakistan, not Indonesia")
    rows = {r["claim_id"]: r for r in db["discrepancies"].rows}
    for row in rows.values():
        assert row["carried_by"], row


def test_citation_edges_give_no_outlet_country_to_an_unnamed_source_and_a_country_its_own(db):
    for edge in db["citation_edges"].rows_where("edge = 'passed on'"):
        via_source = db.execute(
            "select v.source_id from citations c join citations v on v.citation_id = c.via_citation_id where c.citation_id = ?",
            [edge["citation_id"]],
        ).fetchone()[0]
        assert edge["from_actor_id"] == via_source
    [indonesia] = db["citation_edges"].rows_where(
        "citation_id = 'yeshiva-world-news-2020-12_indonesia'"
    )
    assert indonesia["to_country_id"] == "indonesia"


def test_lineage_first_marks_every_report_that_could_be_first(db):
    for claim in db["claims"].rows:
        firsts = {
            r["article_id"]
            for r in db["claim_lineage"].rows_where(
                "claim_id = ? and first_in_corpus = 1", [claim["claim_id"]]
            )
        }
        candidates = {
            r["article_id"]
            for r in db["claim_first_reports"].rows_where("claim_id = ?", [claim["claim_id"]])
        }
        assert firsts == candidates, claim["claim_id"]
        assert len(candidates) == claim["first_candidates"]
