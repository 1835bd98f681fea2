"""Bad input: a clear message naming file, line and field, a non-zero exit, and the
last good outputs left exactly as they were."""

import re

import pytest
from click.testing import CliRunner

from build.cli import cli
from conftest import ROOT

MEMO = "articles/middle-east-monitor-2020-12-18.yml"
HT = "articles/hindustan-times-2021-06-29.yml"


def replace(path, old, new, count=1):
    """Return a mutator that edits one seed file, failing loudly if the text is absent."""
    def mutate(seeds):
        text = (seeds / path).read_text(encoding="utf-8")
        assert old in text, f"fixture drifted: {old!r} not in {path}"
        (seeds / path).write_text(text.replace(old, new, count), encoding="utf-8")
    return mutate


def line_of(seeds, path, needle):
    """1-based number of the last line that reads exactly needle (indentation and list dash aside)."""
    lines = (seeds / path).read_text(encoding="utf-8").splitlines()
    return max(number for number, line in enumerate(lines, 1) if line.strip().removeprefix("- ") == needle)


CASES = {
    "quote not found": (
        replace(MEMO, "quote: Hebrew website Nziv has reported", "quote: Hebrew website Nziv has announced"),
        MEMO, "quote: Hebrew website Nziv has announced", r"citations\[0\]\.quote: quote not found verbatim",
    ),
    "quote found twice": (
        replace(MEMO, "quote: Hebrew website Nziv has reported\n    cue: has reported", 'quote: "Bukhari"\n    cue: Bukhari'),
        MEMO, 'quote: "Bukhari"', r"citations\[0\]\.quote: quote is ambiguous: found \d+ times",
    ),
    "unknown claim id": (
        replace(HT, "claim: bukhari-visited-israel", "claim: bukhari-visited-mars"),
        HT, "claim: bukhari-visited-mars", r"mentions\[\d+\]\.claim: unknown claim id 'bukhari-visited-mars'",
    ),
    "stance outside the enum": (
        replace(MEMO, "stance: reports", "stance: alleges"),
        MEMO, "stance: alleges", r"mentions\[\d+\]\.stance: 'alleges' is not one of: asserts, reports, attributes, disputes",
    ),
    "misspelt field": (
        replace(MEMO, "    stance: reports", "    stanse: reports"),
        MEMO, "stanse: reports", r"mentions\[\d+\]\.stanse: unknown field",
    ),
    "YAML syntax error": (
        replace(MEMO, "title_basis: supplied", "title_basis: [supplied"),
        MEMO, None, r"YAML syntax error",
    ),
    "text changed after annotation": (
        lambda seeds: (seeds / "texts/000_2064759973fcbb03.txt").write_bytes(
            (seeds / "texts/000_2064759973fcbb03.txt").read_bytes() + b"\nAn extra line.\n"),
        MEMO, "sha256: de1694561d3334d1a1e0828dedf427a2333bb6fe03c985cd4f05d4bda051f69d", r"sha256: texts/000_2064759973fcbb03.txt has sha256 [0-9a-f]{64}, not the recorded",
    ),
    "impossible date": (
        replace(MEMO, "published: 2020-12-18", "published: 2020-02-30"),
        MEMO, "published: 2020-02-30", r"published: '2020-02-30' is not a real date",
    ),
    "precision disagrees with the date": (
        replace(MEMO, "date_precision: day", "date_precision: month"),
        MEMO, "date_precision: month", r"date_precision: published '2020-12-18' is given to the day, not the month",
    ),
    "hedge not in the quote": (
        replace(MEMO, "hedges: [It is claimed]", "hedges: [allegedly]"),
        MEMO, "hedges: [allegedly]", r"hedges: hedge 'allegedly' is not inside the quote",
    ),
    "duplicate claim id": (
        replace("claims.yml", "- id: delegation-was-from-indonesia", "- id: muslim-country-officials-visited-israel"),
        "claims.yml", "id: muslim-country-officials-visited-israel", r"muslim-country-officials-visited-israel\.id: duplicate claim id 'muslim-country-officials-visited-israel'",
    ),
    "alias claimed by two actors": (
        replace("actors.yml", "aliases: [Nziv]", "aliases: [Nziv, Israel Hayom]"),
        "actors.yml", "Israel Hayom", r"israel-hayom\.aliases\[0\]: alias 'Israel Hayom' already belongs to actor 'nziv'",
    ),
    "article text deleted while referenced": (
        lambda seeds: (seeds / "texts/001_b33190913e3caa3e.txt").unlink(),
        "articles/republic-world-2020-12-20.yml", "text: texts/001_b33190913e3caa3e.txt", r"text: cannot read texts/001_b33190913e3caa3e.txt",
    ),
    "denial by an unknown actor": (
        replace(HT, "denier: zulfi-bukhari", "denier: sayed-bukhari"),
        HT, "denier: sayed-bukhari", r"denials\[\d+\]\.denier: unknown actor id 'sayed-bukhari'",
    ),
}


@pytest.fixture
def good_outputs(tmp_path):
    """A data folder holding a good build, and a snapshot of its bytes."""
    data = tmp_path / "data"
    result = CliRunner().invoke(cli, ["build", "--data", str(data)])
    assert result.exit_code == 0, result.output
    return data, {p.name: p.read_bytes() for p in data.iterdir()}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_reported_and_nothing_is_lost(case, seeds_copy, good_outputs):
    mutate, path, needle, message = CASES[case]
    mutate(seeds_copy)
    data, before = good_outputs
    result = CliRunner().invoke(cli, ["build", "--seeds", str(seeds_copy), "--data", str(data)])
    assert result.exit_code == 1
    errors = result.stderr
    line = line_of(seeds_copy, path, needle) if needle else r"\d+"
    assert re.search(rf"^error: {re.escape('seeds/' + path)}:{line}: ", errors, re.MULTILINE), errors
    assert re.search(message, errors), errors
    assert "nothing was written" in errors
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before


def test_every_problem_is_reported_at_once(seeds_copy):
    replace(MEMO, "stance: reports", "stance: alleges", count=3)(seeds_copy)
    replace(HT, "claim: bukhari-visited-israel", "claim: bukhari-visited-mars")(seeds_copy)
    result = CliRunner().invoke(cli, ["check", "--seeds", str(seeds_copy)])
    assert result.exit_code == 1
    assert result.output.count("error: ") == 4


def test_check_passes_on_the_real_seeds():
    result = CliRunner().invoke(cli, ["check", "--seeds", str(ROOT / "seeds")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("seeds are good:")
