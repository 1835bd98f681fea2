"""Releases: two releases cut in a scratch git repository from two corpora (the seeds, then
the seeds with an article added whose denial changes a claim's status), a changelog that
lists exactly the rows that differ, both variants of the package valid, CITATION.cff valid
against the Citation File Format's schema, and the site saying which release it serves.
The tests that cut releases run git, builds and `frictionless validate`: marked slow."""

import asyncio
import csv
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

from build.incremental.cache import ParseCache
from build.incremental.rebuild import build
from build.problems import BuildError
from build.release import changes as diff
from build.release.citation import cff_problems
from build.release.cut import plan, release
from build.release.record import read_releases
from build.site.serve import datasette_app

from conftest import ROOT, SEEDS, served

SIXTH = Path(__file__).resolve().parent / "fixtures" / "sixth" / "901_fo-denial.txt"
ADDED = "capital-ledger-2021-07-02"
HOMEPAGE = "https://provenance.example.org/"


def git(repo, *args):
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def make_repo(path):
    """A git repository holding a copy of the seeds, metadata.yml and their build."""
    shutil.copytree(SEEDS, path / "seeds")
    shutil.copy(ROOT / "metadata.yml", path / "metadata.yml")
    shutil.copy(
        ROOT / ".gitignore", path / ".gitignore"
    )  # the database, metadata.json, inspect file, cache
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.name", "Release test")
    git(path, "config", "user.email", "release-test@example.org")
    rebuild_and_commit(path, "the seeds")
    return path


def rebuild_and_commit(repo, message):
    cache = ParseCache(repo / ".cache" / "build.sqlite")
    try:
        build(repo / "seeds", repo / "data", repo / "metadata.yml", cache)
    finally:
        cache.close()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def cut(repo, **options):
    return release(
        repo,
        repo / "seeds",
        repo / "data",
        repo / "metadata.yml",
        repo / ".cache" / "build.sqlite",
        test_command=["true"],
        echo=lambda line: None,
        **options,
    )


def undenied_claim(data):
    """The first allegation no report denies, in the built package in data."""
    with open(data / "claims.csv", newline="", encoding="utf-8") as file:
        return sorted(
            row["claim_id"] for row in csv.DictReader(file) if row["status"] == "undenied"
        )[0]


def add_article_with_a_denial(seeds, claim):
    """The second corpus: an article more (made up, tests/fixtures/sixth/), from a new
    outlet, whose one denial is of `claim`, which no report had denied."""
    text = SIXTH.read_bytes()
    (seeds / "texts" / SIXTH.name).write_bytes(text)
    with open(seeds / "actors.yml", "a", encoding="utf-8") as file:
        file.write(
            "\n- id: capital-ledger\n  name: Capital Ledger\n  kind: outlet\n  description: A made-up outlet, for the release tests.\n  aliases: []\n"
        )
    article = {
        "text": f"texts/{SIXTH.name}",
        "sha256": hashlib.sha256(text).hexdigest(),
        "outlet": "capital-ledger",
        "outlet_basis": "stated",
        "outlet_evidence": "Source: Capital Ledger",
        "title": "Foreign Office rejects reports of aide’s Israel trip as outlet withdraws its story",
        "title_basis": "stated",
        "published": "2021-07-02",
        "date_precision": "day",
        "date_basis": "stated",
        "date_evidence": "Published 14:10 PKT, July 2nd 2021",
        "language": "en",
        "citations": [],
        "mentions": [],
        "denials": [
            {
                "id": "fo-briefing",
                "claim": claim,
                "denier": "government-of-pakistan",
                "medium": "statement",
                "quote": "our position on Israel remains unchanged",
                "cue": "remains unchanged",
            }
        ],
    }
    (seeds / "articles" / f"{ADDED}.yml").write_text(
        yaml.safe_dump(article, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def rows_by_key(package):
    """{(table, key)}: row} of a package, read with the csv module (not csv-diff)."""
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    rows = {}
    for res in descriptor["resources"]:
        if res["name"] in diff.RELEASE_TABLES:
            continue
        with open(package / res["path"], newline="", encoding="utf-8") as file:
            for row in csv.DictReader(file):
                rows[res["name"], ", ".join(row[k] for k in res["schema"]["primaryKey"])] = row
    return rows


def rows_by_key_of(package, table):
    return {key: row for (name, key), row in rows_by_key(package).items() if name == table}


def expected_changes(before, after):
    """{(table, row key, change)} between two packages, worked out here by hand."""
    old, new = rows_by_key(before), rows_by_key(after)
    return (
        {(t, k, "added") for t, k in new.keys() - old.keys()}
        | {(t, k, "removed") for t, k in old.keys() - new.keys()}
        | {(t, k, "changed") for t, k in new.keys() & old.keys() if new[t, k] != old[t, k]}
    )


def summary_of(changes):
    found = {}
    for row in changes:
        found[row["table_name"], row["change"]] = (
            found.get((row["table_name"], row["change"]), 0) + 1
        )
    return found


def changes_of(repo, version):
    with open(repo / "data" / "changes.csv", newline="", encoding="utf-8") as file:
        return [row for row in csv.DictReader(file) if row["release"] == version]


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A repository with two releases: 1.0.0 of the seeds, then 1.1.0 with an article added.
    Returns (repo, the package of 1.0.0, of 1.1.0, the claim the new article denies)."""
    repo = make_repo(tmp_path_factory.mktemp("repo"))
    assert (
        cut(repo, date="2026-12-01", notes="The five curated reports", homepage=HOMEPAGE) == "1.0.0"
    )
    first = tmp_path_factory.mktemp("first") / "data"
    shutil.copytree(repo / "data", first)
    denied = undenied_claim(first)
    add_article_with_a_denial(repo / "seeds", denied)
    rebuild_and_commit(repo, "an article more")
    assert cut(repo, date="2026-12-08", notes="An article more") == "1.1.0"
    return repo, first, repo / "data", denied


@pytest.mark.slow
def test_the_changelog_lists_exactly_the_rows_that_differ(released):
    repo, first, second, denied = released
    listed = {
        (row["table_name"], row["row_key"], row["change"]) for row in changes_of(repo, "1.1.0")
    }
    assert listed == expected_changes(first, second)
    assert ("articles", ADDED, "added") in listed
    [denial] = [key for table, key, change in listed if table == "denials"]
    assert denial.startswith(ADDED)
    [status] = [
        row
        for row in changes_of(repo, "1.1.0")
        if row["table_name"] == "claims" and row["row_key"] == denied
    ]
    assert "status" in json.loads(status["columns"])
    assert (
        json.loads(status["before"])["status"] == "undenied"
        and json.loads(status["after"])["status"] == "denied"
    )
    # The first release lists every row, as added to nothing.
    assert len(changes_of(repo, "1.0.0")) == len(rows_by_key(first))
    assert summary_of(changes_of(repo, "1.0.0"))["articles", "added"] == len(
        rows_by_key_of(first, "articles")
    )


def test_a_changed_text_is_listed_without_its_words(tmp_path):
    package = tmp_path / "data"
    shutil.copytree(
        Path(__file__).resolve().parent.parent / "data",
        package,
        ignore=shutil.ignore_patterns("*.db", ".*"),
    )
    before = diff.read_package(package)
    after = diff.read_package(package)
    key = next(iter(after["articles"][2]))
    after["articles"][2][key] = dict(after["articles"][2][key], text="new words", sha256="0" * 64)
    [row] = diff.package_changes(before, after, "2.0.0")
    assert row["row_key"] == key and row["columns"] == ["sha256", "text"]
    assert json.loads(row["before"]) == {"sha256": before["articles"][2][key]["sha256"]}


@pytest.mark.parametrize(
    "kinds, version",
    [
        ({"changed"}, "1.2.4"),
        ({"added", "changed"}, "1.3.0"),
        ({"column added"}, "1.3.0"),
        ({"removed", "added"}, "2.0.0"),
        ({"column removed"}, "2.0.0"),
        (set(), None),
    ],
)
def test_the_version_follows_what_changed(kinds, version):
    assert diff.next_version("1.2.3", [{"change": kind} for kind in kinds]) == version


@pytest.mark.slow
def test_each_release_is_recorded_tagged_and_cited(released):
    repo, _, second, _ = released
    record = read_releases(repo / "seeds")
    assert [(r["version"], r["date"], r["homepage"]) for r in record.releases] == [
        ("1.0.0", "2026-12-01", HOMEPAGE),
        ("1.1.0", "2026-12-08", HOMEPAGE),
    ]
    assert git(repo, "tag", "--list").split() == ["v1.0.0", "v1.1.0"]
    assert git(repo, "cat-file", "-t", "v1.1.0").strip() == "tag"  # annotated
    assert git(repo, "status", "--porcelain") == ""
    package = json.loads((second / "datapackage.json").read_text(encoding="utf-8"))
    assert (
        package["version"] == "1.1.0"
        and package["created"] == "2026-12-08T00:00:00Z"
        and package["homepage"] == HOMEPAGE
    )
    assert package["keywords"] and {"creator"} <= set(package["contributors"][0]["roles"])
    assert "Capital Ledger" in {
        c["title"] for c in package["contributors"] if "rightsHolder" in c["roles"]
    }
    assert len(package["sources"]) == len(rows_by_key_of(second, "articles"))
    cff_text = (repo / "CITATION.cff").read_text(encoding="utf-8")
    assert cff_problems(cff_text) == []
    cff = yaml.safe_load(cff_text)
    assert (
        cff["version"] == "1.1.0"
        and str(cff["date-released"]) == "2026-12-08"
        and cff["type"] == "dataset"
    )
    zenodo = json.loads((repo / ".zenodo.json").read_text(encoding="utf-8"))
    assert (
        zenodo["version"] == "1.1.0" and zenodo["upload_type"] == "dataset" and zenodo["creators"]
    )


@pytest.mark.slow
def test_nothing_changed_is_no_release_and_a_version_must_come_after_the_last(released):
    repo, _, second, _ = released
    with pytest.raises(BuildError) as refused:
        plan(repo / "seeds", second, second)
    assert "nothing to release" in refused.value.problems[0].message
    with pytest.raises(BuildError) as refused:
        plan(repo / "seeds", second, second, version="1.0.5")
    assert "after 1.1.0" in refused.value.problems[0].message
    assert plan(repo / "seeds", second, second, version="1.1.1") == ("1.1.1", [])


def test_the_cff_schema_finds_what_is_wrong():
    problems = cff_problems(
        "cff-version: 1.2.0\nmessage: Cite it.\ntitle: T\nauthors: []\nlicense: not-a-licence\n"
    )
    assert any(p.startswith("authors:") for p in problems) and any(
        p.startswith("license:") for p in problems
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", ["datapackage.json", "datapackage-text-free.json"])
def test_frictionless_validate_passes_on_both_variants(released, name):
    _, _, second, _ = released
    done = subprocess.run(
        [str(Path(sys.executable).with_name("frictionless")), "validate", str(second / name)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.mark.slow
def test_the_text_free_variant_has_no_texts_and_says_whose_they_are(released):
    _, _, second, _ = released
    full = json.loads((second / "datapackage.json").read_text(encoding="utf-8"))
    free = json.loads((second / "datapackage-text-free.json").read_text(encoding="utf-8"))
    articles = {res["name"]: res for res in free["resources"]}["articles"]
    assert "text" not in {f["name"] for f in articles["schema"]["fields"]}
    text = (second / articles["path"]).read_text(encoding="utf-8")
    assert "our position on Israel remains unchanged" not in text and ADDED in text
    with open(second / "articles.csv", newline="", encoding="utf-8") as file:
        whole = [{k: v for k, v in row.items() if k != "text"} for row in csv.DictReader(file)]
    with open(second / articles["path"], newline="", encoding="utf-8") as file:
        assert list(csv.DictReader(file)) == whole  # the same rows and values, less the texts
    assert {lic["name"] for res in free["resources"] for lic in res["licenses"]} == {"CC-BY-4.0"}
    by_name = {res["name"]: res for res in full["resources"]}
    assert {lic["name"] for lic in by_name["articles"]["licenses"]} == {"CC-BY-4.0", "other-closed"}
    assert all(res["licenses"] for res in full["resources"])
    assert (
        "publisher"
        in {f["name"]: f for f in by_name["articles"]["schema"]["fields"]}["text"]["description"]
    )


@pytest.mark.slow
def test_the_site_says_which_release_it_serves(released, tmp_path):
    """Over HTTP, from a Datasette process serving the release as `make serve` does."""
    _, _, second, _ = released
    paths = (
        "/",
        "/provenance/releases.json?_shape=objects&_sort=version",
        "/provenance/changes.json?release=1.1.0&table_name=articles&_shape=objects",
        "/provenance/changelog.json?_shape=objects",
        "/provenance/articles",
    )
    with served(second, tmp_path / "datasette.log") as base:
        home, releases, changes, changelog, articles = [
            httpx.get(base + path, timeout=30) for path in paths
        ]
    assert {
        response.status_code for response in (home, releases, changes, changelog, articles)
    } == {200}
    assert "Release 1.1.0" in home.text and 'href="/provenance/changes?release=1.1.0"' in home.text
    assert [row["version"] for row in releases.json()["rows"]] == ["1.0.0", "1.1.0"]
    assert [row["row_key"] for row in changes.json()["rows"]] == [ADDED]
    summary = {
        (row["version"], row["table_name"], row["change"]): row["rows"]
        for row in changelog.json()["rows"]
    }
    assert summary["1.1.0", "articles", "added"] == 1 and summary["1.1.0", "denials", "added"] == 1
    assert summary["1.0.0", "articles", "added"] == len(rows_by_key_of(second, "articles")) - 1
    # Each table's footer gives its licence; the articles' says the texts are not CC BY.
    assert "every column but text" in articles.text and "not under CC BY" in articles.text


@pytest.mark.slow
def test_an_unreleased_build_says_so(tmp_path):
    data = tmp_path / "data"
    build(SEEDS, data, ROOT / "metadata.yml", ParseCache(None))
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    assert "+dev." in package["version"] and "created" not in package

    async def home():
        return await datasette_app(data).client.get("/")

    assert "Unreleased data" in asyncio.run(home()).text


@pytest.mark.slow
def test_a_release_refuses_an_unclean_tree_and_a_stale_build(tmp_path):
    repo = make_repo(tmp_path / "repo")
    (repo / "seeds" / "notes.txt").write_text("not committed")
    with pytest.raises(BuildError) as refused:
        cut(repo, homepage=HOMEPAGE)
    assert any("uncommitted" in p.message for p in refused.value.problems)
    (repo / "seeds" / "notes.txt").unlink()
    claims = repo / "seeds" / "claims.yml"
    claims.write_text(
        claims.read_text(encoding="utf-8").replace(
            "in November 2020.", "in November 2020 (edited).", 1
        ),
        encoding="utf-8",
    )
    git(repo, "commit", "-q", "-am", "an edit without a build")
    with pytest.raises(BuildError) as refused:
        cut(repo, homepage=HOMEPAGE)
    assert any(
        p.file == "data/claims.csv" and "fresh build" in p.message for p in refused.value.problems
    )
    assert not (repo / "seeds" / "release.yml").exists()
