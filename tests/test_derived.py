"""The derived tables (build/derived/views.py): claim_lineage, citation_edges and the others are
stored tables filled by the build, and an incremental build refreshes only the rows the
changed articles can change. Either way they hold what their SELECTs compute; how fast a
refresh is, is for `make bench` and the README."""

import shutil
from pathlib import Path

import sqlite_utils

from build import schema
from build.check.assemble import assemble
from build.write.outputs import DATABASE_NAME, SQLITE_FORMS, row_values
from build.read.seeds import read_seeds
from build.derived.views import (
    DERIVED,
    DERIVED_NAMES,
    SOURCE_CREDITS_TABLE,
    WHOLE,
    reads_changed,
    refresh_derived_tables,
    table_reads,
)

# The base tables holding rows that belong to one article, by the column naming it.
ARTICLE_ROWS = ["articles", "citations", "claim_mentions", "denials", "actor_mentions"]
MOVED = "asian-lite-2021"  # cites no corpus report and none cites it: it can go and come back


def copy_of(path, target):
    shutil.copyfile(path, target)
    return sqlite_utils.Database(target)


def write_article_rows(db, tables, article_ids):
    """What an incremental build does before the refresh: replace the rows of these
    articles in every base table with their rows in tables, and claims (whose counts and
    first report are computed over every article) whole."""
    for table in reversed(ARTICLE_ROWS):
        db.execute(
            f"delete from [{table}] where article_id in ({', '.join('?' * len(article_ids))})",
            article_ids,
        )
    db.execute("delete from claims")
    for table in ["claims"] + ARTICLE_ROWS:
        names = [f["name"] for f in schema.fields(table)]
        values = row_values(table, SQLITE_FORMS)
        rows = [
            row for row in tables[table] if table == "claims" or row["article_id"] in article_ids
        ]
        db[table].insert_all(dict(zip(names, values(row))) for row in rows)


def contents(db):
    """Every derived table's rows, in a fixed order."""
    return {
        table.name: db.execute(
            f"select * from [{table.name}] order by {', '.join(table.key)}"
        ).fetchall()
        for table in DERIVED
    }


def cold_contents(db, tmp_path):
    """The derived tables a cold build fills from db's base tables as they are now."""
    db.conn.commit()
    cold = copy_of(
        Path(db.conn.execute("pragma database_list").fetchone()[2]), tmp_path / "cold.db"
    )
    indexes = cold.execute("select count(*) from sqlite_master where type = 'index'").fetchone()
    refresh_derived_tables(cold)  # on a database that has them: they are made again
    assert (
        cold.execute("select count(*) from sqlite_master where type = 'index'").fetchone()
        <= indexes
    )  # no index twice
    return contents(cold)


def seeds_without(seeds_copy, article_id):
    """The tables assembled from the seeds without one article (and its extractor scores)."""
    (seeds_copy / "articles" / f"{article_id}.yml").unlink()
    scores = seeds_copy / "extractor_scores.csv"
    scores.write_text(
        "".join(
            line
            for line in scores.read_text(encoding="utf-8").splitlines(keepends=True)
            if article_id not in line
        ),
        encoding="utf-8",
    )
    return assemble(read_seeds(seeds_copy))


def test_every_derived_table_is_filled_by_the_build(db):
    for name in DERIVED_NAMES:
        assert db[name].exists() and db[name].count > 0, name


def test_an_article_taken_out_and_put_back_through_a_refresh_leaves_what_a_cold_build_fills(
    built, tables, seeds_copy, tmp_path
):
    db = copy_of(built / DATABASE_NAME, tmp_path / "refreshed.db")
    original = contents(db)

    without = seeds_without(seeds_copy, MOVED)
    write_article_rows(db, without, [MOVED])
    refresh_derived_tables(db, [MOVED])
    taken_out = contents(db)
    assert taken_out != original
    assert not any(row for row in db["claim_lineage"].rows_where("article_id = ?", [MOVED]))
    assert taken_out == cold_contents(db, tmp_path)

    write_article_rows(db, tables, [MOVED])
    refresh_derived_tables(db, [MOVED])
    assert contents(db) == original


def test_a_refresh_renumbers_lineages_when_an_article_moves_to_the_front(
    built, tables, seeds_copy, tmp_path
):
    article = seeds_copy / "articles" / f"{MOVED}.yml"
    text = article.read_text(encoding="utf-8")
    for old, new in (
        ('published: "2021"', 'published: "2019"'),
        ("not_before: 2021-06-28", "not_before: 2019-01-01"),
        ("not_after: 2021-07-10", "not_after: 2019-12-31"),
    ):
        assert old in text
        text = text.replace(old, new)
    article.write_text(text, encoding="utf-8")
    moved = assemble(read_seeds(seeds_copy))
    db = copy_of(built / DATABASE_NAME, tmp_path / "moved.db")

    write_article_rows(db, moved, [MOVED])
    refresh_derived_tables(db, [MOVED])

    firsts = {
        row["claim_id"]
        for row in db["claim_lineage"].rows_where(
            "article_id = ? and step = 1 and first_in_corpus = 1", [MOVED]
        )
    }
    assert "bukhari-visited-israel" in firsts  # it now comes first in the claim's lineage
    assert contents(db) == cold_contents(db, tmp_path)


def test_a_refresh_of_an_article_that_did_not_change_changes_nothing(built, tables, tmp_path):
    db = copy_of(built / DATABASE_NAME, tmp_path / "same.db")
    original = contents(db)
    write_article_rows(db, tables, ["republic-world-2020-12-20", "middle-east-monitor-2020-12-18"])
    refresh_derived_tables(db, ["republic-world-2020-12-20", "middle-east-monitor-2020-12-18"])
    assert contents(db) == original


def test_what_a_derived_table_reads_is_what_its_select_reads(db):
    reads = table_reads(db, SOURCE_CREDITS_TABLE)
    assert {
        ("citations", "source_id"),
        ("citations", "article_id"),
        ("works", "author_id"),
    } <= reads
    assert ("articles", "title") not in reads
    assert not reads_changed(
        db, SOURCE_CREDITS_TABLE, {("articles", "title"), ("articles", "ROWID")}
    )
    assert reads_changed(db, SOURCE_CREDITS_TABLE, {("citations", "source_id")})
    assert reads_changed(db, SOURCE_CREDITS_TABLE, {("citations", "*")})  # rows came or went


def test_no_corpus_wide_table_reads_what_is_worked_out_after_it(db):
    """shared_text, the chains' shares_text and claims.rests_on_retracted are filled after the
    corpus-wide tables, in a cold build and a refresh alike: a table reading them would see
    this build's values in one and the last build's in the other."""
    later = {
        ("claims", "rests_on_retracted"),
        ("source_chains", "shares_text"),
        ("source_chains", "shares_text_with"),
        ("shared_text", "*"),
    }
    for table in WHOLE:
        assert not reads_changed(db, table, later), table.name


def test_a_refresh_told_what_changed_leaves_the_tables_reading_none_of_it(
    built, tables, seeds_copy, tmp_path
):
    """Told that nothing changed, a refresh leaves a corpus-wide table as it was, even one
    made wrong on purpose; told that what it reads changed, it makes it again."""
    db = copy_of(built / DATABASE_NAME, tmp_path / "told.db")
    credits = SOURCE_CREDITS_TABLE.name
    db.execute(f"update [{credits}] set citations = -1")
    db.conn.commit()
    refresh_derived_tables(db, [MOVED], changed=set())
    assert {row["citations"] for row in db[credits].rows} == {-1}
    refresh_derived_tables(db, [MOVED], changed={("citations", "source_id")})
    assert contents(db) == cold_contents(db, tmp_path)
