"""The published data is right: every row traces to the exact words it came from,
keys hold, and the story's known facts are in the tables."""

import csv
import datetime
import hashlib
import json

import pytest

from build import schema
from build.write.exports import EXPORTS
from build.write.outputs import PACKAGE_NAME, validate_package
from conftest import ROOT

QUOTED_TABLES = ["claim_mentions", "citations", "denials", "actor_mentions"]


@pytest.mark.parametrize("table", QUOTED_TABLES)
def test_offsets_give_back_the_quote(db, table):
    quote_column = "alias" if table == "actor_mentions" else "quote"
    rows = db.execute(f"""
        select t.{quote_column}, substr(a.text, t.quote_start + 1, t.quote_end - t.quote_start)
        from {table} t join articles a using (article_id)
    """).fetchall()
    assert rows
    for quote, in_text in rows:
        assert in_text == quote


def test_offsets_count_characters_not_bytes(tables):
    """Python slicing and SQLite substr agree because both count code points."""
    texts = {a["article_id"]: a["text"] for a in tables["articles"]}
    non_ascii = [m for m in tables["claim_mentions"] if not m["quote"].isascii()]
    assert non_ascii, "the corpus has curly quotes, so some quotes are not ASCII"
    for mention in non_ascii:
        assert (
            texts[mention["article_id"]][mention["quote_start"] : mention["quote_end"]]
            == mention["quote"]
        )


def test_article_texts_are_stored_byte_for_byte(tables):
    for article in tables["articles"]:
        data = (ROOT / article["text_file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == article["sha256"]
        assert data.decode("utf-8") == article["text"]


def test_foreign_keys_are_declared_and_intact(db):
    for res in schema.resources():
        declared = {
            (fk.column, fk.other_table, fk.other_column) for fk in db[res["name"]].foreign_keys
        }
        assert declared == set(schema.foreign_keys(res["name"])), res["name"]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_no_index_is_one_another_index_already_leads_with(db):
    """An index on a column that leads another index (or a composite primary key) is built
    and kept for nothing: the longer one serves every lookup on the column."""
    for name in db.table_names():
        indexes = [i for i in db[name].indexes if not i.partial]
        for index in indexes:
            if index.unique:
                continue
            for other in indexes:
                longer = len(other.columns) > len(index.columns)
                assert not (longer and other.columns[: len(index.columns)] == index.columns), (
                    f"{name}: {index.name} is led by {other.name}"
                )


def test_every_foreign_key_and_facet_column_is_indexed(db, built):
    metadata = json.loads((built / "metadata.json").read_text())
    tables = metadata["databases"]["provenance"]["tables"]
    for res in schema.resources():
        indexed = {index.columns[0] for index in db[res["name"]].indexes}
        indexed |= {res["schema"]["primaryKey"][0]}
        wanted = {column for column, _, _ in schema.foreign_keys(res["name"])}
        for facet in tables[res["name"]].get("facets", []):
            wanted.add(facet if isinstance(facet, str) else facet["array"])
        assert wanted <= indexed, f"{res['name']}: not indexed: {wanted - indexed}"


def test_full_text_search_covers_articles_and_claims(db):
    assert db["articles"].detect_fts() == "articles_fts"
    assert db["claims"].detect_fts() == "claims_fts"
    hits = db.execute("select rowid from articles_fts where articles_fts match 'Mossad'").fetchall()
    assert len(hits) >= 3


def test_every_article_has_claim_mentions_and_citations(db):
    for article_id, mentions, citations in db.execute("""
        select article_id,
          (select count(*) from claim_mentions m where m.article_id = a.article_id),
          (select count(*) from citations c where c.article_id = a.article_id)
        from articles a
    """).fetchall():
        assert mentions >= 5, article_id
        assert citations >= 3, article_id


def test_every_alias_belongs_to_one_actor_and_occurs(tables):
    aliases = [a["alias"] for a in tables["actor_aliases"]]
    assert len(aliases) == len(set(aliases))
    actor_ids = {a["actor_id"] for a in tables["actors"]}
    for alias in tables["actor_aliases"]:
        assert alias["actor_id"] in actor_ids
        assert alias["mention_count"] > 0, f"alias {alias['alias']!r} never occurs in the articles"


def test_longest_alias_wins(tables):
    found = {(m["article_id"], m["alias"]) for m in tables["actor_mentions"]}
    assert ("asian-lite-2021", "Israel Haymon") in found
    assert not any(
        m["alias"] == "Israel"
        and m["article_id"] == "hindustan-times-2021-06-29"
        and tables_text(tables, m).startswith("Israel Hayom")
        for m in tables["actor_mentions"]
    )


def tables_text(tables, mention):
    text = next(a["text"] for a in tables["articles"] if a["article_id"] == mention["article_id"])
    return text[mention["quote_start"] :]


def test_every_claim_is_carried_or_denied(tables):
    for claim in tables["claims"]:
        assert claim["mention_count"] + claim["denial_count"] > 0, claim["claim_id"]


def test_hedges_are_inside_their_quotes(tables):
    for mention in tables["claim_mentions"]:
        assert mention["hedged"] == bool(mention["hedges"])
        for hedge in mention["hedges"]:
            assert hedge in mention["quote"]


def test_voice_is_the_cited_source_or_the_outlet(tables):
    citations = {c["citation_id"]: c for c in tables["citations"]}
    outlets = {a["article_id"]: a["outlet_id"] for a in tables["articles"]}
    for mention in tables["claim_mentions"]:
        expected = (
            citations[mention["citation_id"]]["source_id"]
            if mention["citation_id"]
            else outlets[mention["article_id"]]
        )
        assert mention["voice_id"] == expected


def test_bukhari_denied_the_visit_on_twitter(db):
    rows = db.execute("""
        select article_id, medium from denials
        where claim_id = 'bukhari-visited-israel' and denier_id = 'zulfi-bukhari' and quote like '%DID NOT go to Israel%'
    """).fetchall()
    assert {article for article, _ in rows} == {"hindustan-times-2021-06-29", "asian-lite-2021"}
    assert {medium for _, medium in rows} == {"tweet"}
    assert db["claims"].get("bukhari-visited-israel")["status"] == "denied"


def test_a_detail_of_a_denied_claim_is_parent_denied(tables):
    from build.check.assemble import Summary, _derive_columns

    claims = {
        "visit": {
            "claim_id": "visit",
            "kind": "allegation",
            "detail_of": None,
            "status": "undenied",
        },
        "date": {
            "claim_id": "date",
            "kind": "allegation",
            "detail_of": "visit",
            "status": "undenied",
        },
        "other": {
            "claim_id": "other",
            "kind": "allegation",
            "detail_of": None,
            "status": "undenied",
        },
        "met": {
            "claim_id": "met",
            "kind": "allegation",
            "detail_of": "other",
            "status": "undenied",
        },
        "fact": {"claim_id": "fact", "kind": "background", "detail_of": None, "status": "undenied"},
    }
    reporting_a_denial = Summary(
        "2021-06-29",
        "2021-06-29",
        "2021-06-29",
        cites=(),
        claims=(),
        denials=("visit",),
        aliases=(),
    )
    presupposes = [{"claim_id": "met", "relation": "presupposes", "other_claim_id": "visit"}]
    _derive_columns(claims, [], {"an-article": reporting_a_denial}, presupposes)
    # a detail, and a claim presupposing the denied one, are reached; only allegations are undenied
    assert [claims[c]["status"] for c in ("visit", "date", "other", "met", "fact")] == [
        "denied",
        "parent-denied",
        "undenied",
        "parent-denied",
        None,
    ]


def test_republic_world_repeats_middle_east_monitor_which_repeats_nziv(db):
    chain = db.execute("""
        select c.source_id, c.cited_article_id, via.source_id
        from citations c left join citations via on via.via_citation_id = c.citation_id
        where c.article_id = 'republic-world-2020-12-20' and c.source_id = 'middle-east-monitor'
    """).fetchall()
    assert ("middle-east-monitor", "middle-east-monitor-2020-12-18", "nziv") in chain


def test_reports_disagree_on_the_date_of_the_visit(db):
    """Nziv's 20 November (MEMO, RW), Israel Hayom's "last week of November" (HT) and its December
    "some two weeks ago" (Algemeiner, 15 Dec) / "within the past two weeks" (MEMO): AUDIT O4."""
    values = {
        row[0]
        for row in db.execute("""
        select value from claims c
        where detail_of = 'muslim-country-officials-visited-israel' and attribute = 'date'
          and exists (select 1 from claim_mentions m where m.claim_id = c.claim_id)
    """).fetchall()
    }
    assert values == {
        "20 November 2020",
        "last week of November 2020",
        "within the two weeks before the December 2020 report",
        "some two weeks before the report of 15 December 2020",
    }


def test_reports_disagree_on_where_the_meetings_were(db):
    """AUDIT O1: Jerusalem (MEMO, Republic World) against Tel Aviv (Israel Hayom via Algemeiner, HT, Asian Lite, JC)."""
    carried = dict(
        db.execute("""
        select c.value, group_concat(distinct m.article_id) from claims c join claim_mentions m using (claim_id)
        where c.detail_of = 'muslim-country-officials-visited-israel' and c.attribute = 'meeting place' group by c.value
    """).fetchall()
    )
    assert set(carried["Jerusalem"].split(",")) == {
        "middle-east-monitor-2020-12-18",
        "republic-world-2020-12-20",
    }
    assert {
        "algemeiner-2020-12-15",
        "hindustan-times-2021-06-29",
        "asian-lite-2021",
        "jewish-chronicle-2021-07",
    } <= set(carried["Tel Aviv"].split(","))


def test_memo_s_retraction_is_reported_by_the_current(db):
    (row,) = db.execute("""
        select article_id, kind, by_id, retracted_on, how, work_id, quote from retractions
        where retracted_article_id = 'middle-east-monitor-2020-12-18' and kind = 'retraction'
    """).fetchall()
    assert row == (
        "the-current-2020-12",
        "retraction",
        "middle-east-monitor",
        "2020-12-23",
        "letter",
        "memo-letter-2020-12-23",
        "We have removed the offending item",
    )
    assert db.execute(
        "select kind, author_id from works where work_id = 'memo-letter-2020-12-23'"
    ).fetchone() == ("letter", "middle-east-monitor")


def test_claims_carried_only_on_memo_s_retracted_report_say_so(db, built):
    """Five claims reach the corpus only through Middle East Monitor's withdrawn report: in
    it, or in Republic World, which repeats it. Claims that other reports also carry rest on
    it in part; the rest not at all. The database and the CSV agree."""
    status = dict(db.execute("select claim_id, rests_on_retracted from claims"))
    every = {claim for claim, value in status.items() if value == "every"}
    assert every == {
        "muslim-country-visit-within-two-weeks-of-report",
        "pakistan-exploits-gulf-normalisation-climate",
        "pakistan-seeks-normalisation-to-help-with-india",
        "saudi-arabia-considering-normalisation",
        "visit-flight-british-airways",
    }
    carriers = {
        r[0]
        for r in db.execute(
            "select distinct article_id from claim_mentions where claim_id in "
            f"({', '.join('?' * len(every))})",
            sorted(every),
        )
    }
    assert carriers == {"middle-east-monitor-2020-12-18", "republic-world-2020-12-20"}
    assert status["bukhari-visited-israel"] == "some"
    assert status["visit-route-via-london"] == "some"
    # every, some or none of each claim's mentions are in retraction_reach, its one rule
    resting = dict(
        db.execute("""
            select m.claim_id, sum(m.mention_id in (select mention_id from retraction_reach))
                   || '/' || count(*)
            from claim_mentions m group by m.claim_id""")
    )
    for claim, value in status.items():
        hits, total = map(int, resting.get(claim, "0/0").split("/"))
        assert value == ("none" if hits == 0 else "every" if hits == total else "some"), claim
    with open(built / "claims.csv", encoding="utf-8", newline="") as file:
        assert {r["claim_id"]: r["rests_on_retracted"] for r in csv.DictReader(file)} == status


def test_the_foreign_office_statement_of_28_june_2021_is_one_row_reported_by_several_articles(db):
    work = db.execute(
        "select kind, author_id, published from works where work_id = 'foreign-office-statement-2021-06-28'"
    ).fetchone()
    assert work == ("statement", "pakistan-foreign-office", "2021-06-28")
    citing = {
        r[0]
        for r in db.execute(
            "select article_id from citations where work_id = 'foreign-office-statement-2021-06-28'"
        )
    }
    denying = {
        r[0]
        for r in db.execute(
            "select article_id from denials where work_id = 'foreign-office-statement-2021-06-28'"
        )
    }
    assert citing == denying == {"radio-pakistan-2021-06-28", "daily-pakistan-2021-06-29"}
    # Bukhari's denial reaches both only through the statement: it rests on the Foreign Office's citation
    relayed = db.execute("""
        select d.article_id, c.source_id from denials d join citations c on c.citation_id = d.citation_id
        where d.denier_id = 'zulfi-bukhari' and d.article_id in ('radio-pakistan-2021-06-28', 'daily-pakistan-2021-06-29')
    """).fetchall()
    assert sorted(relayed) == [
        ("daily-pakistan-2021-06-29", "zahid-hafeez-chaudhri"),
        ("radio-pakistan-2021-06-28", "zahid-hafeez-chaudhri"),
    ]


def test_denials_in_the_denier_s_own_words_without_a_denial_verb(db):
    quotes = {r[0] for r in db.execute("select quote from denials where denier_id = 'moeed-yusuf'")}
    assert (
        "Let me state categorically and on record that I have not had any meetings with any Israeli officials nor have I visited Israel"
        in quotes
    )
    grounds = {
        r[0] for r in db.execute("select quote from denial_grounds where ground = 'no-such-event'")
    }
    assert "No such visit to Israel has been undertaken" in grounds


def test_two_officials_deny_in_one_denial_and_bilawal_doubts_bukhari(db):
    deniers = [
        r[0]
        for r in db.execute(
            "select denier_id from denial_deniers where denial_id = 'business-recorder-2020-12-16_two-officials-deny' order by position"
        )
    ]
    assert deniers == ["tahir-ashrafi", "zulfi-bukhari"]
    assert db.execute("select doubter_id, denial_id from doubts").fetchall() == [
        ("bilawal-bhutto-zardari", "dawn-2021-06-28_bukhari-again")
    ]
    assert db.execute(
        "select ground from denial_grounds where denial_id = 'dawn-2021-06-28_bukhari-december'"
    ).fetchall() == [("alibi",)]


def test_the_visitor_is_identified_by_the_curator_where_ywn_names_no_one(db):
    """AUDIT E9: YWN's claims are about the unnamed visitor; the identification is the curator's."""
    assert db.execute(
        "select actor_id, identified_by from identifications where article_id = 'yeshiva-world-news-2020-12'"
    ).fetchall() == [("zulfi-bukhari", "curator")]
    subjects = {
        r[0]
        for r in db.execute("""
        select distinct c.subject_id from claim_mentions m join claims c using (claim_id)
        where m.article_id = 'yeshiva-world-news-2020-12' and m.identification_id is not null
    """)
    }
    assert "zulfi-bukhari" not in subjects and "unnamed-pakistani-visitor" in subjects
    assert db.execute(
        "select count(*) from claims where claim_id like 'bukhari-has-%'"
    ).fetchone() == (0,)


def test_no_self_citation_and_no_double_counted_tweet(db):
    """AUDIT E4 (Asian Lite credits itself) and E12 (HT's tweet counted as two denials)."""
    assert db.execute("""
        select count(*) from citations c join articles a using (article_id) where c.source_id = a.outlet_id
    """).fetchone() == (0,)
    assert db.execute("""
        select count(*) from denials where article_id = 'hindustan-times-2021-06-29' and claim_id = 'bukhari-visited-israel'
    """).fetchone() == (1,)


def test_first_reported_is_the_earliest_carrying_article(db):
    for claim_id, first_article, not_before in db.execute("""
        select c.claim_id, c.first_article_id, a.not_before from claims c join articles a on a.article_id = c.first_article_id
    """).fetchall():
        earliest = db.execute(
            """
            select min(a.not_before) from claim_mentions m join articles a using (article_id) where m.claim_id = ?
        """,
            [claim_id],
        ).fetchone()[0]
        assert not_before == earliest, claim_id


def test_a_timeline_lane_dated_to_a_month_spans_it_as_uncertain(db):
    """Every lane of the timeline starts on a day and ends after it; a denial the article
    dates only to its month (Business Recorder's "two top officials", December 2020) spans
    the month and is drawn as uncertain, not pinned to a day (AUDIT E5)."""
    lanes = db.execute("select kind, start, end, uncertain, dated from timeline_lanes").fetchall()
    assert all(
        datetime.date.fromisoformat(start) < datetime.date.fromisoformat(end)
        for _, start, end, _, _ in lanes
    ), lanes
    month_only = [lane for lane in lanes if lane[0] == "denial" and lane[4][:8] == "2020-12;"]
    assert month_only and all(
        lane[1:4] == ("2020-12-01", "2021-01-01", 1) for lane in month_only
    ), month_only


def test_ids_are_readable_slugs(tables):
    for article in tables["articles"]:
        assert article["article_id"].split("-")[0] in article["outlet_id"]
    for mention in tables["claim_mentions"]:
        assert mention["mention_id"].startswith(f"{mention['article_id']}_{mention['claim_id']}")


def test_every_row_says_how_it_was_made(tables):
    for table in ["citations", "claim_mentions", "denials"]:
        for row in tables[table]:
            assert row["method"] == "curated"
            line = (
                (ROOT / row["source_file"])
                .read_text(encoding="utf-8")
                .splitlines()[row["source_line"] - 1]
            )
            assert line.lstrip().startswith("- "), (
                table,
                row["source_file"],
                row["source_line"],
                line,
            )
    assert {m["method"] for m in tables["actor_mentions"]} == {"alias-match 1"}


def test_package_is_valid_frictionless(built):
    assert validate_package(built / PACKAGE_NAME) == []


def test_committed_outputs_equal_a_fresh_build(built):
    for res in schema.resources():
        name = f"{res['name']}.csv"
        assert (ROOT / "data" / name).read_bytes() == (built / name).read_bytes(), (
            f"data/{name} is stale: run make build"
        )
    assert (ROOT / "data" / PACKAGE_NAME).read_bytes() == (built / PACKAGE_NAME).read_bytes()
    for name in EXPORTS:
        assert (ROOT / "data" / name).read_bytes() == (built / name).read_bytes(), (
            f"data/{name} is stale: run make build"
        )
