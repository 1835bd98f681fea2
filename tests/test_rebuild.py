"""Rebuilding after an edit: the build reads, checks and writes again only the articles
that changed (build/incremental/rebuild.py), and what it writes is what building everything
afresh writes, byte for byte (the database: the same rows and the same search results).
How fast that is, is for `make bench`."""

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from build import cli, schema
from build.write import outputs
from build.write.outputs import DATABASE_COLUMNS, DATABASE_NAME, validate_package
from build.read.seeds import sha256
from build.bench.synth import write_corpus
from build.incremental.cache import ParseCache
from build.incremental.rebuild import changed_articles, outputs_are_as_written, yml_fingerprints
from build.write.publish import LOCK_NAME

from conftest import ROOT


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The real seeds and 40 synthetic articles citing them."""
    return write_corpus(tmp_path_factory.mktemp("corpus") / "seeds", 40)


@pytest.fixture
def seeds(corpus, tmp_path):
    return shutil.copytree(corpus, tmp_path / "seeds")


@pytest.fixture(scope="module")
def first_build(corpus, tmp_path_factory):
    """The corpus built once with a build cache, as each test's first build would be."""
    folder = tmp_path_factory.mktemp("first-build")
    assert "(all articles)" in build(
        corpus, folder / "data", "--cache", str(folder / "cache.sqlite")
    )
    return folder


@pytest.fixture
def built(first_build, seeds, tmp_path):
    """tmp_path/data, built from the seeds with tmp_path/cache.sqlite, as if that first
    build had been made there: the outputs copied with their times, the build's state
    filed under the new folder, so that the next build there redoes only what changed
    (checked: with nothing changed yet, it does nothing)."""
    data = shutil.copytree(first_build / "data", tmp_path / "data", copy_function=shutil.copy2)
    shutil.copy(first_build / "cache.sqlite", tmp_path / "cache.sqlite")
    cache = ParseCache(tmp_path / "cache.sqlite")
    state = cache.get_state(str((first_build / "data").resolve()))
    cache.put_state(str(data.resolve()), state)
    cache.close()
    ymls = yml_fingerprints(seeds, state)
    assert changed_articles(seeds, ROOT / "metadata.yml", False, state, ymls)[0] == set()
    assert outputs_are_as_written(data, state)
    return data


def run_build(seeds, data, *options):
    """Run `provenance build` as a user does; return the click result."""
    return CliRunner().invoke(
        cli.cli, ["build", "--seeds", str(seeds), "--data", str(data), *options]
    )


def build(seeds, data, *options):
    """Run `provenance build`; return its output (it must succeed)."""
    result = run_build(seeds, data, *options)
    assert result.exit_code == 0, result.output
    return result.output


def incremental_build(seeds, data, tmp_path):
    return build(seeds, data, "--cache", str(tmp_path / "cache.sqlite"))


def failed_incremental_build(seeds, data, tmp_path):
    """Run the incremental build on seeds that are wrong; return its output (it must fail)."""
    result = run_build(seeds, data, "--cache", str(tmp_path / "cache.sqlite"))
    assert result.exit_code == 1, result.output
    return result.output


def full_build(seeds, tmp_path):
    data = tmp_path / "afresh"
    shutil.rmtree(data, ignore_errors=True)
    build(seeds, data, "--no-cache")
    return data


def article(seeds, name):
    return seeds / "articles" / f"{name}.yml"


def edit(seeds, name, change):
    """Apply change(record) to an article file's fields, and write it back."""
    path = article(seeds, name)
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(record)
    path.write_text(
        yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8"
    )


def database_contents(path):
    """Every row of every table and view, and what a few searches find: what the site serves."""
    connection = sqlite3.connect(path)
    names = [
        name
        for (name,) in connection.execute(
            "select name from sqlite_master where type in ('table', 'view') and name not like 'sqlite_%' and name not like '%_fts%'"
        )
    ]
    contents = {
        name: sorted(map(repr, connection.execute(f"select * from [{name}]"))) for name in names
    }
    for table, columns in (
        ("articles", "title, text"),
        ("claim_mentions", "quote"),
        ("claims", "statement"),
        ("actors", "name"),
    ):
        for term in ("bukhari", "israel", "passport", "visit", "denied", "edited"):
            contents[f"{table} matching {term}"] = sorted(
                map(
                    repr,
                    connection.execute(
                        f"select {columns} from [{table}] where rowid in (select rowid from [{table}_fts] where [{table}_fts] match ?)",
                        [term],
                    ),
                )
            )
    connection.close()
    return contents


def assert_same_outputs(data, afresh):
    names = sorted(path.name for path in afresh.iterdir() if not path.name.startswith("."))
    assert sorted(path.name for path in data.iterdir() if not path.name.startswith(".")) == names
    for name in names:
        if name == DATABASE_NAME:
            assert database_contents(data / name) == database_contents(afresh / name)
        else:
            assert (data / name).read_bytes() == (afresh / name).read_bytes(), name


def retitle(seeds):
    edit(seeds, "synthetic-000003", lambda record: record.update(title="Edited title"))
    return ["synthetic-000003"]


def credit_another_source(seeds):
    """One citation credits another actor: the tables counting credits (source_credits, the
    graph's credited_by) change, those reading none of it are left as they were."""

    def recredit(record):
        citation = next(c for c in record["citations"] if c.get("source") and not c.get("via"))
        citation["source"] = "haaretz" if citation["source"] != "haaretz" else "israel-hayom"

    edit(seeds, "synthetic-000009", recredit)
    return ["synthetic-000009"]


def add_article(seeds):
    shutil.copy(article(seeds, "synthetic-000004"), article(seeds, "synthetic-000999"))
    return ["synthetic-000999"]


def remove_article(seeds):
    article(seeds, "synthetic-000005").unlink()
    return ["synthetic-000005"]


def make_it_the_first_report(seeds):
    """Dated before every other article: every claim it carries is now first reported there."""

    def earliest(record):
        record.update(published="2019-01-01", date_precision="day")
        record.pop("not_before", None)
        record.pop("not_after", None)

    edit(seeds, "synthetic-000006", earliest)
    return ["synthetic-000006"]


def drop_denials_and_mentions(seeds):
    """Claims lose a carrier and denials: counts, status and first report change."""
    name = next(
        path.stem
        for path in sorted((seeds / "articles").glob("synthetic-*.yml"))
        if yaml.safe_load(path.read_text(encoding="utf-8")).get("denials")
    )
    edit(
        seeds,
        name,
        lambda record: [record.pop("denials"), record.update(mentions=record["mentions"][:1])],
    )
    return [name]


def drop_the_retraction(seeds):
    """Middle East Monitor's report is no longer retracted: no claim rests on a retracted
    report any more (claims.rests_on_retracted, worked out in the database, changes)."""
    edit(seeds, "the-current-2020-12", lambda record: record.pop("retractions"))
    return ["the-current-2020-12"]


def draft_whole_article(seeds):
    edit(seeds, "synthetic-000007", lambda record: record.update(status="drafted"))
    return ["synthetic-000007"]


def append_to_text(seeds):
    record = yaml.safe_load(article(seeds, "synthetic-000008").read_text(encoding="utf-8"))
    text = seeds / record["text"]
    text.write_bytes(
        text.read_bytes() + b"\nA paragraph added later, about Bukhari and a passport.\n"
    )
    edit(seeds, "synthetic-000008", lambda record: record.update(sha256=sha256(text.read_bytes())))
    return ["synthetic-000008"]


EDITS = [
    retitle,
    credit_another_source,
    add_article,
    remove_article,
    make_it_the_first_report,
    drop_denials_and_mentions,
    drop_the_retraction,
    draft_whole_article,
    append_to_text,
]


@pytest.mark.parametrize("change", EDITS, ids=[change.__name__ for change in EDITS])
def test_a_rebuild_after_an_edit_writes_what_a_full_build_writes(seeds, built, tmp_path, change):
    data = built
    changed = change(seeds)
    output = incremental_build(seeds, data, tmp_path)
    assert f"({len(changed)} changed article(s), the rest copied from the last build)" in output
    # Byte for byte a full build's package (validated below, after a series of edits).
    assert_same_outputs(data, full_build(seeds, tmp_path))


@pytest.mark.parametrize("change", [retitle, credit_another_source], ids=lambda c: c.__name__)
def test_a_rebuild_validates_the_new_rows_of_each_table_whose_csv_changed_and_no_other(
    seeds, built, tmp_path, monkeypatch, change
):
    """Every row of a CSV the rebuild leaves as it was passed validation in the last build."""
    data = built
    before = {path.name: path.read_bytes() for path in data.glob("*.csv")}
    validated = []
    start_validating = outputs.start_validating

    def spy(descriptor_path, *args, **kwargs):
        if Path(descriptor_path).parent.name == "new-rows":
            descriptor = json.loads(Path(descriptor_path).read_text(encoding="utf-8"))
            validated.extend(res["name"] for res in descriptor["resources"])
        return start_validating(descriptor_path, *args, **kwargs)

    monkeypatch.setattr(outputs, "start_validating", spy)
    change(seeds)
    incremental_build(seeds, data, tmp_path)
    changed = {
        res["name"]
        for res in schema.resources()
        if res["name"] not in DATABASE_COLUMNS
        and (data / f"{res['name']}.csv").read_bytes() != before[f"{res['name']}.csv"]
    }
    assert changed, "the edit changes some table"
    assert sorted(validated) == sorted(changed)


def test_edits_one_after_another_keep_the_outputs_those_of_a_full_build(seeds, built, tmp_path):
    data = built
    for change in (retitle, remove_article, add_article, make_it_the_first_report):
        change(seeds)
        assert "changed article(s)" in incremental_build(seeds, data, tmp_path)
    assert_same_outputs(data, full_build(seeds, tmp_path))
    assert validate_package(data / "datapackage.json") == []


def test_with_nothing_changed_a_rebuild_writes_nothing(seeds, tmp_path):
    data = tmp_path / "data"
    incremental_build(seeds, data, tmp_path)

    def outputs():
        return {p.name: p.stat().st_mtime_ns for p in data.iterdir() if p.name != LOCK_NAME}

    before = outputs()
    assert "nothing changed since the last build" in incremental_build(seeds, data, tmp_path)
    assert outputs() == before  # the build lock is taken, and says who holds it


def test_an_edit_within_the_same_tick_of_the_clock_is_seen(seeds, tmp_path):
    """Same size, same modification time: only the content tells. A file written less than
    two seconds before a build is hashed again by the next one."""
    data = tmp_path / "data"
    path = article(seeds, "synthetic-000003")
    path.write_text(
        path.read_text(encoding="utf-8").replace("\noutlet_evidence: ", "\noutlet_evidence: A", 1),
        encoding="utf-8",
    )
    incremental_build(seeds, data, tmp_path)
    stat = path.stat()
    path.write_text(
        path.read_text(encoding="utf-8").replace("\noutlet_evidence: A", "\noutlet_evidence: B", 1),
        encoding="utf-8",
    )
    shutil.os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert "(1 changed article(s)" in incremental_build(seeds, data, tmp_path)
    assert_same_outputs(data, full_build(seeds, tmp_path))


@pytest.mark.parametrize("change", ["actors.yml", "metadata", "outputs", "options"])
def test_a_change_beyond_the_articles_builds_everything(seeds, built, tmp_path, change):
    data = built
    metadata = tmp_path / "metadata.yml"
    shutil.copy(ROOT / "metadata.yml", metadata)
    options = ["--cache", str(tmp_path / "cache.sqlite"), "--metadata", str(metadata)]
    assert "nothing changed since the last build" in build(seeds, data, *options)
    retitle(seeds)
    if change == "actors.yml":
        actors = seeds / "actors.yml"
        actors.write_text(
            actors.read_text(encoding="utf-8").replace(
                "name: Zulfi Bukhari", "name: Zulfikar Bukhari"
            ),
            encoding="utf-8",
        )
    elif change == "metadata":
        metadata.write_text(
            metadata.read_text(encoding="utf-8").replace("title: ", "title: New ", 1),
            encoding="utf-8",
        )
    elif change == "outputs":
        (data / "claims.csv").write_bytes((data / "claims.csv").read_bytes() + b"\n")
    else:
        options.append("--include-drafts")
    assert "(all articles)" in build(seeds, data, *options)


def test_removing_a_cited_article_is_reported_where_it_is_cited_and_nothing_is_written(
    seeds, built, tmp_path
):
    data = built
    before = {path.name: path.read_bytes() for path in data.iterdir() if path.is_file()}
    article(seeds, "middle-east-monitor-2020-12-18").unlink()
    output = failed_incremental_build(seeds, data, tmp_path)
    assert "seeds/articles/republic-world-2020-12-20.yml:" in output
    assert "cited_article: unknown article id 'middle-east-monitor-2020-12-18'" in output
    assert {path.name: path.read_bytes() for path in data.iterdir() if path.is_file()} == before


def test_after_a_failed_rebuild_the_next_one_still_redoes_only_what_changed(seeds, built, tmp_path):
    data = built
    path = article(seeds, "synthetic-000003")
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("\noutlet: ", "\noutlet: nobody-", 1), encoding="utf-8")
    assert "unknown actor id 'nobody-" in failed_incremental_build(seeds, data, tmp_path)
    path.write_text(
        good.replace("\noutlet_evidence: ", "\noutlet_evidence: Fixed ", 1), encoding="utf-8"
    )
    assert "(1 changed article(s)" in incremental_build(seeds, data, tmp_path)
    assert_same_outputs(data, full_build(seeds, tmp_path))
