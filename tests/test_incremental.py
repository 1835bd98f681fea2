"""Reading a large corpus quickly: the parse cache (only changed files are parsed
again), parsing and validating on every core, and the progress bar. Each gives the same
tables and outputs as the plain path; how fast they are is for `make bench`."""

import sys

import pytest
from click.testing import CliRunner

from build import cli
from build.read import seeds
from build.write import outputs
from build.check.assemble import assemble
from build.incremental.cache import ParseCache, content_key
from build.read.seeds import parse_files, read_seeds

from conftest import SEEDS


@pytest.fixture
def parses(monkeypatch):
    """The display names of the files parse_yaml_bytes is asked to parse, in order."""
    names = []
    real = seeds.parse_yaml_bytes

    def counting(data, display_name):
        names.append(display_name)
        return real(data, display_name)

    monkeypatch.setattr(seeds, "parse_yaml_bytes", counting)
    return names


def article_files(seeds_dir):
    return sorted((seeds_dir / "articles").glob("*.yml"))


def test_a_second_read_parses_only_the_article_that_changed(seeds_copy, tmp_path, parses):
    cache = ParseCache(tmp_path / "cache.sqlite")
    first = assemble(read_seeds(seeds_copy, cache))
    assert (
        len(parses) == len(article_files(seeds_copy)) + 3
    )  # and actors.yml, claims.yml, works.yml

    parses.clear()
    assert assemble(read_seeds(seeds_copy, cache)) == first
    assert parses == []

    changed = next(
        f for f in article_files(seeds_copy) if "\nnote:" not in f.read_text(encoding="utf-8")
    )
    changed.write_text(
        changed.read_text(encoding="utf-8").replace(
            "language: en", "language: en\nnote: read again"
        ),
        encoding="utf-8",
    )
    again = assemble(read_seeds(seeds_copy, cache))
    assert parses == [f"seeds/articles/{changed.name}"]
    [article] = [row for row in again["articles"] if row["article_id"] == changed.stem]
    assert article["note"] == "read again"


def test_cached_records_keep_their_lines(seeds_copy, tmp_path):
    cache = ParseCache(tmp_path / "cache.sqlite")
    fresh = read_seeds(seeds_copy)
    read_seeds(seeds_copy, cache)
    cached = read_seeds(seeds_copy, cache)
    for a, b in zip(fresh.articles, cached.articles):
        assert a.record == b.record
        assert (a.record.line, a.record.key_lines) == (b.record.line, b.record.key_lines)
        assert [c.line for c in a.record["citations"]] == [c.line for c in b.record["citations"]]


def test_a_file_with_a_problem_is_never_cached_and_is_reported_every_time(seeds_copy, tmp_path):
    cache = ParseCache(tmp_path / "cache.sqlite")
    broken = article_files(seeds_copy)[0]
    broken.write_text("text: [unclosed\n", encoding="utf-8")
    for _ in range(2):
        results = parse_files([broken], seeds_copy, cache)
        value, problems = results[broken]
        assert value is None and "YAML syntax error" in problems[0].message
    assert cache.get_many([content_key(broken.read_bytes())]) == {}


def test_the_key_changes_with_the_bytes():
    assert content_key(b"a: 1\n") != content_key(b"a: 2\n")
    assert content_key(b"a: 1\n") == content_key(b"a: 1\n")


def test_an_unreadable_cache_is_ignored(seeds_copy, tmp_path, parses):
    garbage = tmp_path / "cache.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    tables = assemble(read_seeds(seeds_copy, ParseCache(garbage)))
    assert len(tables["articles"]) == len(article_files(seeds_copy))
    assert len(parses) == len(article_files(seeds_copy)) + 3


def test_parsing_on_every_core_gives_the_same_tables(monkeypatch, tables):
    monkeypatch.setattr(seeds, "PARALLEL_FROM", 1)  # the real seeds are too few to start workers
    assert assemble(read_seeds(SEEDS)) == tables


def test_problems_found_in_worker_processes_name_file_and_line(monkeypatch, seeds_copy):
    monkeypatch.setattr(seeds, "PARALLEL_FROM", 1)
    broken = article_files(seeds_copy)[1]
    broken.write_text(broken.read_text(encoding="utf-8") + "outlet: again\n", encoding="utf-8")
    result = CliRunner().invoke(cli.cli, ["check", "--seeds", str(seeds_copy), "--no-cache"])
    assert result.exit_code == 1
    assert (
        f"error: seeds/articles/{broken.name}:" in result.output
        and "duplicate key" in result.output
    )


def test_validating_on_every_core_finds_the_same_problems(monkeypatch, built, tmp_path):
    broken = tmp_path / "data"
    broken.mkdir()
    for path in built.iterdir():
        (broken / path.name).write_bytes(path.read_bytes())
    citations = broken / "citations.csv"
    citations.write_bytes(citations.read_bytes().replace(b",report,", b",rumour,", 1))
    serial = outputs.validate_package(broken / outputs.PACKAGE_NAME)
    monkeypatch.setattr(outputs, "PARALLEL_VALIDATION_FROM_BYTES", 0)
    parallel = outputs.validate_package(broken / outputs.PACKAGE_NAME)
    assert serial == parallel
    assert any(p.file == "data/citations.csv" and p.field == "medium" for p in parallel)
    assert outputs.validate_package(built / outputs.PACKAGE_NAME) == []


def test_the_progress_bar_is_quiet_off_a_terminal(seeds_copy, tmp_path):
    result = CliRunner().invoke(
        cli.cli,
        [
            "build",
            "--seeds",
            str(seeds_copy),
            "--data",
            str(tmp_path / "data"),
            "--cache",
            str(tmp_path / "c.sqlite"),
        ],
    )
    assert result.exit_code == 0, result.output
    for label in ("parsing", "checking", "writing"):
        assert label not in result.stderr


def test_the_progress_bar_draws_on_a_terminal(monkeypatch, capsys):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert list(cli.progress_bar(iter(range(3)), 3, "checking")) == [0, 1, 2]
    drawn = capsys.readouterr().err
    assert "checking" in drawn and "3/3" in drawn


def test_the_cycle_collector_is_back_on_after_a_command(seeds_copy):
    import gc

    assert gc.isenabled()
    result = CliRunner().invoke(cli.cli, ["check", "--seeds", str(seeds_copy), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert gc.isenabled()
    failed = CliRunner().invoke(
        cli.cli, ["check", "--seeds", str(seeds_copy / "missing"), "--no-cache"]
    )
    assert failed.exit_code == 1
    assert gc.isenabled()
