"""Bad input: a clear message naming file, line and field, a non-zero exit, and the
last good outputs left exactly as they were; never a traceback.

Each case breaks one thing in a copy of seeds/ (or of metadata.yml, which sits beside
it as ../metadata.yml) and names the file, the line the message must point at (the
last line reading exactly `needle`, or a line number), and a pattern the message must
match; tests/test_bad_input.py runs the table, in process and as a real process.
Decisions taken here, each with its test below:
- article texts are verbatim: markup in them is text, accepted and stored unchanged;
  a text that is not UTF-8 text (another encoding, a byte-order mark, NUL bytes or
  control characters) is rejected, since its characters would not be the article's;
- curated short fields (titles, statements) are plain text and stored byte for byte,
  markup included: Datasette escapes what it shows, so `<script>` there is harmless;
- a YAML file may start with a UTF-8 byte-order mark (YAML allows it).
"""

import csv
import hashlib
import re
import shutil

import pytest
import sqlite_utils
from click.testing import CliRunner

from build.cli import cli
from conftest import ROOT

MEMO = "articles/middle-east-monitor-2020-12-18.yml"
HT = "articles/hindustan-times-2021-06-29.yml"
RW = "articles/republic-world-2020-12-20.yml"
AL = "articles/asian-lite-2021.yml"
META = "../metadata.yml"  # beside the seeds folder, passed with --metadata
MEMO_TEXT = "texts/000_2064759973fcbb03.txt"
RW_TEXT = "texts/001_b33190913e3caa3e.txt"


def replace(path, old, new, count=1):
    """Return a mutator that edits one seed file, failing loudly if the text is absent."""

    def mutate(seeds):
        text = (seeds / path).read_text(encoding="utf-8")
        assert old in text, f"fixture drifted: {old!r} not in {path}"
        (seeds / path).write_text(text.replace(old, new, count), encoding="utf-8")

    return mutate


def write_bytes(path, transform):
    """Return a mutator that rewrites one file's bytes with transform(bytes)."""

    def mutate(seeds):
        (seeds / path).write_bytes(transform((seeds / path).read_bytes()))

    return mutate


def retext(article, text, transform):
    """Return a mutator that changes an article's text file and records its new sha256,
    so that the only problem left is the one the new bytes carry."""

    def mutate(seeds):
        old = (seeds / text).read_bytes()
        new = transform(old)
        (seeds / text).write_bytes(new)
        replace(article, hashlib.sha256(old).hexdigest(), hashlib.sha256(new).hexdigest())(seeds)

    return mutate


def rename(path, new_path):
    return lambda seeds: (seeds / path).rename(seeds / new_path)


def line_of(seeds, path, needle):
    """1-based number of the last line that reads exactly needle (indentation and list dash aside)."""
    lines = (seeds / path).read_text(encoding="utf-8").splitlines()
    return max(
        number for number, line in enumerate(lines, 1) if line.strip().removeprefix("- ") == needle
    )


# name: (mutate, file under seeds/, needle or line number or None (any line) or False (no line), message pattern)
CASES = {
    # --- quotes and offsets ---------------------------------------------------------------
    "quote not found": (
        replace(
            MEMO,
            "quote: Hebrew website Nziv has reported",
            "quote: Hebrew website Nziv has announced",
        ),
        MEMO,
        "quote: Hebrew website Nziv has announced",
        r"citations\[0\]\.quote: quote not found verbatim",
    ),
    "quote found twice": (
        replace(
            MEMO,
            "quote: Hebrew website Nziv has reported\n    cue: has reported",
            'quote: "Bukhari"\n    cue: Bukhari',
        ),
        MEMO,
        'quote: "Bukhari"',
        r"citations\[0\]\.quote: quote is ambiguous: found \d+ times .*add occurrence: N",
    ),
    "occurrence beyond the count": (
        replace(RW, "occurrence: 2", "occurrence: 3"),
        RW,
        "occurrence: 3",
        r"citations\[\d+\]\.occurrence: occurrence 3 asked, but the quote is found 2 time\(s\): give a number from 1 to 2",
    ),
    "occurrence 0": (
        replace(RW, "occurrence: 1", "occurrence: 0"),
        RW,
        "occurrence: 0",
        r"citations\[\d+\]\.occurrence: expected a whole number from 1 \(1 = the first\), got number 0",
    ),
    "occurrence negative": (
        replace(RW, "occurrence: 2", "occurrence: -2"),
        RW,
        "occurrence: -2",
        r"citations\[\d+\]\.occurrence: expected a whole number from 1 \(1 = the first\), got number -2",
    ),
    "occurrence not a number": (
        replace(RW, "occurrence: 2", "occurrence: second"),
        RW,
        "occurrence: second",
        r"citations\[\d+\]\.occurrence: expected a whole number from 1 \(1 = the first\), got text 'second'",
    ),
    "hedge not in the quote": (
        replace(MEMO, "hedges: [It is claimed]", "hedges: [allegedly]"),
        MEMO,
        "hedges: [allegedly]",
        r"mentions\[\d+\]\.hedges: hedge 'allegedly' is not inside the quote",
    ),
    "cue not in the quote": (
        replace(MEMO, "cue: has reported", "cue: has announced"),
        MEMO,
        "cue: has announced",
        r"citations\[0\]\.cue: cue 'has announced' is not inside the quote",
    ),
    # --- fields: missing, extra, wrong type, enum -----------------------------------------
    "misspelt field": (
        replace(MEMO, "    stance: reports", "    stanse: reports"),
        MEMO,
        "stanse: reports",
        r"mentions\[\d+\]\.stanse: unknown field: did you mean 'stance'\?",
    ),
    "required article field missing": (
        replace(MEMO, "outlet: middle-east-monitor\n", ""),
        MEMO,
        1,
        r":1: outlet: required field is missing or empty",
    ),
    "required entry field missing": (
        replace(
            HT,
            "    claim: bukhari-visited-israel\n    denier: zulfi-bukhari\n",
            "    claim: bukhari-visited-israel\n",
        ),
        HT,
        "id: bukhari-tweet",
        r"denials\[0\]\.denier: required field is missing or empty",
    ),
    "stance outside the enum": (
        replace(MEMO, "stance: reports", "stance: alleges"),
        MEMO,
        "stance: alleges",
        r"mentions\[\d+\]\.stance: 'alleges' is not one of: asserts, reports, attributes, disputes",
    ),
    "number where text is expected": (
        replace(
            MEMO,
            'title: Pakistan has "opened secret normalisation talks" with Israel',
            "title: 1948",
        ),
        MEMO,
        "title: 1948",
        r"title: expected text, got number 1948 \(put it in quotes\)",
    ),
    "no read as false": (
        replace(MEMO, "language: en", "language: no"),
        MEMO,
        "language: no",
        r"language: expected text, got true/false False \(yes/no/on/off/true/false read as true or false: put the text in quotes\)",
    ),
    "mapping where a list is expected": (
        replace(MEMO, "hedges: [It is claimed]", "hedges: {It is claimed: true}"),
        MEMO,
        "hedges: {It is claimed: true}",
        r"mentions\[\d+\]\.hedges: expected a list \(\[a, b\], or one '- ' item per line\), got a mapping",
    ),
    "text where a list is expected": (
        replace("actors.yml", "aliases: [Nziv]", "aliases: Nziv"),
        "actors.yml",
        "aliases: Nziv",
        r"nziv\.aliases: expected a list .*, got text 'Nziv'",
    ),
    "list where an id is expected": (
        replace(
            HT,
            "claim: bukhari-visited-israel",
            "claim: [bukhari-visited-israel, bukhari-visited-mars]",
        ),
        HT,
        "claim: [bukhari-visited-israel, bukhari-visited-mars]",
        r"mentions\[\d+\]\.claim: expected text, got a list",
    ),
    "list item of the wrong type": (
        replace(MEMO, "hedges: [It is claimed]", "hedges: [[It is claimed]]"),
        MEMO,
        "hedges: [[It is claimed]]",
        r"mentions\[\d+\]\.hedges\[0\]: expected text, got a list",
    ),
    "entry that is not a mapping": (
        replace(
            "claims.yml",
            "- id: delegation-was-from-indonesia",
            "- a claim written as a line\n\n- id: delegation-was-from-indonesia",
        ),
        "claims.yml",
        "a claim written as a line",
        r"\[\d+\]: expected a mapping \(key: value lines\), got text 'a claim written as a line'",
    ),
    "id that is not a slug": (
        replace(MEMO, "- id: sources-pointed-out", "- id: Sources Pointed Out"),
        MEMO,
        "id: Sources Pointed Out",
        r"citations\[4\]\.id: 'Sources Pointed Out' does not match the pattern",
    ),
    # --- ids: unknown and duplicate -------------------------------------------------------
    "unknown claim id": (
        replace(HT, "claim: bukhari-visited-israel", "claim: bukhari-visited-mars"),
        HT,
        "claim: bukhari-visited-mars",
        r"mentions\[\d+\]\.claim: unknown claim id 'bukhari-visited-mars'",
    ),
    "unknown outlet": (
        replace(MEMO, "outlet: middle-east-monitor", "outlet: memo-uk"),
        MEMO,
        "outlet: memo-uk",
        r"outlet: unknown actor id 'memo-uk'",
    ),
    "cited article that does not exist": (
        replace(
            RW,
            "cited_article: middle-east-monitor-2020-12-18",
            "cited_article: middle-east-monitor-2020-12-19",
        ),
        RW,
        "cited_article: middle-east-monitor-2020-12-19",
        r"citations\[\d+\]\.cited_article: unknown article id 'middle-east-monitor-2020-12-19' \(article ids are the file names",
    ),
    "mention resting on an unknown citation": (
        replace(MEMO, "    citation: nziv\n", "    citation: nzav\n"),
        MEMO,
        "citation: nzav",
        r"mentions\[0\]\.citation: unknown citation id 'nzav' in this article",
    ),
    "via an unknown citation": (
        replace(RW, "via: memo", "via: memoo"),
        RW,
        "via: memoo",
        r"citations\.[a-z-]+\.via: unknown citation id 'memoo' in this article",
    ),
    "denial by an unknown actor": (
        replace(HT, "denier: zulfi-bukhari", "denier: sayed-bukhari"),
        HT,
        "denier: sayed-bukhari",
        r"denials\[\d+\]\.denier: unknown actor id 'sayed-bukhari'",
    ),
    "denial of an unknown claim": (
        replace(
            HT,
            "  - id: bukhari-tweet\n    claim: bukhari-visited-israel",
            "  - id: bukhari-tweet\n    claim: bukhari-visited-venus",
        ),
        HT,
        "claim: bukhari-visited-venus",
        r"denials\[0\]\.claim: unknown claim id 'bukhari-visited-venus'",
    ),
    "duplicate claim id": (
        replace(
            "claims.yml",
            "- id: delegation-was-from-indonesia",
            "- id: muslim-country-officials-visited-israel",
        ),
        "claims.yml",
        "id: muslim-country-officials-visited-israel",
        r"muslim-country-officials-visited-israel\.id: duplicate claim id 'muslim-country-officials-visited-israel'",
    ),
    "duplicate actor id": (
        replace("actors.yml", "- id: republic-world", "- id: nziv"),
        "actors.yml",
        "id: nziv",
        r"nziv\.id: duplicate actor id 'nziv'",
    ),
    "duplicate citation id": (
        replace(MEMO, "- id: nziv-claimed", "- id: nziv"),
        MEMO,
        "id: nziv",
        r"citations\[3\]\.id: duplicate citation id 'nziv'",
    ),
    "duplicate denial id": (
        replace(HT, "- id: bukhari-ring-road", "- id: bukhari-tweet"),
        HT,
        "id: bukhari-tweet",
        r"denials\[1\]\.id: duplicate denial id 'bukhari-tweet'",
    ),
    "alias claimed by two actors": (
        replace("actors.yml", "aliases: [Nziv]", "aliases: [Nziv, Israel Hayom]"),
        "actors.yml",
        "Israel Hayom",
        r"israel-hayom\.aliases\[0\]: alias 'Israel Hayom' already belongs to actor 'nziv'",
    ),
    # --- dates ----------------------------------------------------------------------------
    "impossible date": (
        replace(MEMO, "published: 2020-12-18", "published: 2020-02-30"),
        MEMO,
        "published: 2020-02-30",
        r"published: '2020-02-30' is not a real date",
    ),
    "precision disagrees with the date": (
        replace(MEMO, "date_precision: day", "date_precision: month"),
        MEMO,
        "date_precision: month",
        r"date_precision: published '2020-12-18' is given to the day, not the month",
    ),
    "not_before after not_after": (
        replace(AL, "not_after: 2021-07-10", "not_after: 2021-06-01"),
        AL,
        "not_before: 2021-06-28",
        r"not_before: 2021-06-28 is after not_after 2021-06-01: swap them, or correct one",
    ),
    "bound outside published": (
        replace(AL, "not_after: 2021-07-10", "not_after: 2022-01-15"),
        AL,
        "not_after: 2022-01-15",
        r"not_after: 2022-01-15 lies outside published '2021' \(2021-01-01\.\.2021-12-31\)",
    ),
    "bound not a real date": (
        replace(AL, "not_before: 2021-06-28", "not_before: 2021-06-31"),
        AL,
        "not_before: 2021-06-31",
        r"not_before: '2021-06-31' is not a real date \(YYYY-MM-DD\)",
    ),
    "denial date impossible": (
        replace(HT, "denied_on: 2021-06-28", "denied_on: 2021-13-01"),
        HT,
        "denied_on: 2021-13-01",
        r"denials\[0\]\.denied_on: '2021-13-01' is not a real date",
    ),
    # --- YAML -----------------------------------------------------------------------------
    "YAML syntax error": (
        replace(MEMO, "title_basis: supplied", "title_basis: [supplied"),
        MEMO,
        None,
        r"YAML syntax error: .*; check the indentation, brackets and quotes",
    ),
    "tab indentation": (
        replace("actors.yml", "  name: Nziv\n", "\tname: Nziv\n"),
        "actors.yml",
        "name: Nziv",
        r"YAML syntax error: found character '\\t' that cannot start any token.*; indent with spaces, not tabs",
    ),
    "duplicate YAML key": (
        replace(MEMO, "title_basis: supplied\n", "title_basis: supplied\ntitle_basis: stated\n"),
        MEMO,
        "title_basis: stated",
        r"title_basis: duplicate key: already given on line 7; keep only one",
    ),
    "list as a YAML key": (
        replace(MEMO, "language: en\n", "language: en\n? [a, b]\n: c\n"),
        MEMO,
        "? [a, b]",
        r"a list or mapping cannot be a key",
    ),
    "unsafe YAML tag": (
        replace(
            MEMO, "title_basis: supplied", "title_basis: !!python/object/apply:os.system [echo]"
        ),
        MEMO,
        "title_basis: !!python/object/apply:os.system [echo]",
        r"the YAML tag !!python/object/apply:os\.system is not allowed in seeds",
    ),
    "value that does not fit its YAML tag": (
        replace(MEMO, "title_basis: supplied", "title_basis: !!int supplied"),
        MEMO,
        "title_basis: !!int supplied",
        r"cannot read 'supplied' as !!int .*: remove the tag or correct the value",
    ),
    "second YAML document": (
        write_bytes(MEMO, lambda data: data + b"---\ntitle: another\n"),
        MEMO,
        "---",
        r"the file holds a second YAML document \(after a '---' line\): keep everything in one",
    ),
    "control character in YAML": (
        replace(MEMO, "title_basis: supplied", "title_basis: supp\x07lied"),
        MEMO,
        7,
        r"the file holds the control character U\+0007 at character \d+ \(line 7\): texts and seeds allow no control character but tab, line feed and carriage return; remove it",
    ),
    "form feed in YAML": (
        replace(MEMO, "title_basis: supplied", "title_basis: supp\x0clied"),
        MEMO,
        7,
        r"the file holds the control character U\+000C at character \d+ \(line 7\): texts and seeds allow no control character but tab, line feed and carriage return; remove it",
    ),
    # --- encodings and empty files --------------------------------------------------------
    "Latin-1 YAML": (
        write_bytes(MEMO, lambda data: "# Revisé par la rédaction\n".encode("latin-1") + data),
        MEMO,
        1,
        r"the file is not valid UTF-8 \(invalid continuation byte: byte 0xE9 at byte offset 7, line 1\).*save it as UTF-8",
    ),
    "UTF-16 YAML": (
        write_bytes(MEMO, lambda data: data.decode("utf-8").encode("utf-16")),
        MEMO,
        1,
        r"the file is UTF-16 \(it starts with a UTF-16 byte-order mark\): save it as UTF-8",
    ),
    "empty article file": (
        write_bytes(MEMO, lambda data: b""),
        MEMO,
        1,
        r"the file holds nothing \(empty, or only comments\): it should hold the article's fields",
    ),
    "empty actors.yml": (
        write_bytes("actors.yml", lambda data: b""),
        "actors.yml",
        1,
        r"the file holds nothing \(empty, or only comments\): it should list the actors",
    ),
    "actors.yml a mapping, not a list": (
        write_bytes("actors.yml", lambda data: b"# actors\nnziv:\n  name: Nziv\n"),
        "actors.yml",
        2,
        r"expected a list of actors \(one '- id: \.\.\.' entry each\), got a mapping",
    ),
    "Latin-1 article text": (
        retext(MEMO, MEMO_TEXT, lambda data: data + "Révisé.\n".encode("latin-1")),
        MEMO,
        "text: texts/000_2064759973fcbb03.txt",
        r"text: texts/000_2064759973fcbb03\.txt is not valid UTF-8 \(invalid continuation byte: byte 0xE9 at byte offset \d+, line \d+\).*save it as UTF-8, then update sha256",
    ),
    "UTF-16 article text": (
        retext(MEMO, MEMO_TEXT, lambda data: data.decode("utf-8").encode("utf-16")),
        MEMO,
        "text: texts/000_2064759973fcbb03.txt",
        r"text: texts/000_2064759973fcbb03\.txt is UTF-16 .*: save it as UTF-8",
    ),
    "byte-order mark in article text": (
        retext(MEMO, MEMO_TEXT, lambda data: b"\xef\xbb\xbf" + data),
        MEMO,
        "text: texts/000_2064759973fcbb03.txt",
        r"text: texts/000_2064759973fcbb03\.txt starts with a byte-order mark \(U\+FEFF\).*save it as UTF-8 without a BOM",
    ),
    "NUL bytes in article text": (
        retext(MEMO, MEMO_TEXT, lambda data: data[:100] + b"\x00\x00\x01\x02" + data[100:]),
        MEMO,
        "text: texts/000_2064759973fcbb03.txt",
        r"text: texts/000_2064759973fcbb03\.txt holds NUL bytes \(the first at byte offset 100, line 1\): it is binary data",
    ),
    "binary file as article text": (
        retext(
            MEMO, MEMO_TEXT, lambda data: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
        ),
        MEMO,
        "text: texts/000_2064759973fcbb03.txt",
        r"text: texts/000_2064759973fcbb03\.txt holds NUL bytes .*: it is binary data \(or UTF-16\), not text; save it as plain UTF-8 text, then update sha256",
    ),
    "control character in article text": (
        retext(MEMO, MEMO_TEXT, lambda data: data.replace(b"Nziv", b"N\x1bziv", 1)),
        MEMO,
        "text: texts/000_2064759973fcbb03.txt",
        r"text: texts/000_2064759973fcbb03\.txt holds the control character U\+001B at character \d+ \(line 1\): texts and seeds allow no control character but tab, line feed and carriage return; remove it, then update sha256",
    ),
    "form feed in article text": (
        retext(MEMO, MEMO_TEXT, lambda data: data.replace(b"Nziv", b"\x0cNziv", 1)),
        MEMO,
        "text: texts/000_2064759973fcbb03.txt",
        r"text: texts/000_2064759973fcbb03\.txt holds the control character U\+000C at character \d+ \(line 1\): texts and seeds allow no control character but tab, line feed and carriage return; remove it",
    ),
    "empty article text": (
        retext(MEMO, MEMO_TEXT, lambda data: b""),
        MEMO,
        "text: texts/000_2064759973fcbb03.txt",
        r"text: texts/000_2064759973fcbb03\.txt is empty: put the article's text there",
    ),
    # --- files ----------------------------------------------------------------------------
    "text changed after annotation": (
        write_bytes(MEMO_TEXT, lambda data: data + b"\nAn extra line.\n"),
        MEMO,
        "sha256: de1694561d3334d1a1e0828dedf427a2333bb6fe03c985cd4f05d4bda051f69d",
        r"sha256: texts/000_2064759973fcbb03.txt has sha256 [0-9a-f]{64}, not the recorded",
    ),
    "article text deleted while referenced": (
        lambda seeds: (seeds / RW_TEXT).unlink(),
        RW,
        "text: texts/001_b33190913e3caa3e.txt",
        r"text: cannot read texts/001_b33190913e3caa3e.txt: No such file or directory; put the text file back, or correct the path",
    ),
    "article text renamed while referenced": (
        rename(RW_TEXT, "texts/republic-world.txt"),
        RW,
        "text: texts/001_b33190913e3caa3e.txt",
        r"text: cannot read texts/001_b33190913e3caa3e.txt: .*; seeds/texts/republic-world\.txt has the recorded sha256: if the text was renamed, set text: texts/republic-world\.txt",
    ),
    "article text outside seeds": (
        replace(MEMO, "text: texts/000_2064759973fcbb03.txt", "text: ../metadata.yml"),
        MEMO,
        "text: ../metadata.yml",
        r"text: '\.\./metadata\.yml' is outside seeds/: give a path under seeds/, like texts/NAME\.txt",
    ),
    "article file ending in .yaml": (
        rename(MEMO, MEMO.replace(".yml", ".yaml")),
        MEMO.replace(".yml", ".yaml"),
        False,
        r"article files end in \.yml, so this one would be left out: rename it middle-east-monitor-2020-12-18\.yml",
    ),
    # --- metadata.yml ---------------------------------------------------------------------
    "metadata.yml YAML syntax error": (
        replace(META, "sort: not_before\n", "sort: not_before: published\n"),
        META,
        "sort: not_before: published",
        r"YAML syntax error: mapping values are not allowed here",
    ),
    "metadata.yml facet on a missing column": (
        replace(META, "facets: [kind, country_id]", "facets: [kind, country]"),
        META,
        "facets: [kind, country]",
        r"databases\.provenance\.tables\.actors\.facets\[1\]: table actors has no column 'country'",
    ),
    "metadata.yml duplicate key": (
        replace(META, "license_url:", "license: CC0\nlicense_url:"),
        META,
        "license: CC0",
        r"license: duplicate key: already given on line \d+; keep only one",
    ),
}


def shown(path):
    """How messages name a case's file: seeds/... for seeds, any path ending metadata.yml for it."""
    return r"\S*metadata\.yml" if path == META else re.escape(f"seeds/{path}")


def expected_location(seeds, path, needle):
    """The pattern an error line starts with: `error: FILE:LINE: `."""
    if needle is False:
        return rf"^error: {shown(path)}: "
    if needle is None:
        line = r"\d+"
    elif isinstance(needle, int):
        line = str(needle)
    else:
        line = str(line_of(seeds, path, needle))
    return rf"^error: {shown(path)}:{line}: "


@pytest.fixture
def inputs(seeds_copy):
    """A copy of seeds/ with a copy of metadata.yml beside it; returns the seeds folder."""
    shutil.copy(ROOT / "metadata.yml", seeds_copy.parent / "metadata.yml")
    return seeds_copy


def test_there_are_many_distinct_cases():
    assert len(CASES) >= 25
    assert len({message for *_, message in CASES.values()}) == len(CASES)


def test_every_problem_is_reported_at_once(seeds_copy):
    replace(MEMO, "stance: reports", "stance: alleges", count=3)(seeds_copy)
    replace(HT, "claim: bukhari-visited-israel", "claim: bukhari-visited-mars")(seeds_copy)
    result = CliRunner().invoke(cli, ["check", "--seeds", str(seeds_copy)])
    assert result.exit_code == 1
    assert result.output.count("error: ") == 4


def test_problems_in_seeds_and_metadata_are_reported_together(inputs):
    replace(MEMO, "stance: reports", "stance: alleges")(inputs)
    replace(META, "sort: not_before\n", "sort: not_before: published\n")(inputs)
    result = CliRunner().invoke(
        cli, ["check", "--seeds", str(inputs), "--metadata", str(inputs.parent / "metadata.yml")]
    )
    assert result.exit_code == 1
    assert "stance: 'alleges' is not one of" in result.output
    assert re.search(r"metadata\.yml:\d+: YAML syntax error", result.output)


def test_duplicate_keys_are_all_reported(inputs):
    replace(MEMO, "title_basis: supplied\n", "title_basis: supplied\ntitle_basis: stated\n")(inputs)
    replace(MEMO, "    stance: reports\n", "    stance: reports\n    stance: asserts\n")(inputs)
    result = CliRunner().invoke(cli, ["check", "--seeds", str(inputs)])
    assert result.exit_code == 1
    assert result.output.count("duplicate key") == 2, result.output


def test_check_passes_on_the_real_seeds():
    result = CliRunner().invoke(cli, ["check", "--seeds", str(ROOT / "seeds")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("seeds are good:")


def build_into(seeds, data):
    result = CliRunner().invoke(cli, ["build", "--seeds", str(seeds), "--data", str(data)])
    assert result.exit_code == 0, result.output
    return sqlite_utils.Database(data / "provenance.db")


def test_markup_in_curated_fields_is_stored_verbatim(seeds_copy, tmp_path):
    """A title or statement is plain text: markup in it is kept byte for byte (Datasette
    escapes what it shows), not rejected and not altered."""
    title = 'Pakistan <b>"opened"</b> talks <script>alert("x")</script> &amp; more'
    statement = "<img src=x onerror=alert(1)> Bukhari visited Israel & </td><script>document.cookie</script>"
    replace(
        MEMO,
        'title: Pakistan has "opened secret normalisation talks" with Israel',
        f"title: '{title}'",
    )(seeds_copy)
    text = (seeds_copy / "claims.yml").read_text(encoding="utf-8")
    old = re.search(r"- id: bukhari-visited-israel\n  statement: (.*)\n", text).group(1)
    replace(
        "claims.yml",
        f"- id: bukhari-visited-israel\n  statement: {old}\n",
        f"- id: bukhari-visited-israel\n  statement: '{statement}'\n",
    )(seeds_copy)
    db = build_into(seeds_copy, tmp_path / "data")
    assert (
        db.execute(
            "select title from articles where article_id = 'middle-east-monitor-2020-12-18'"
        ).fetchone()[0]
        == title
    )
    assert (
        db.execute(
            "select statement from claims where claim_id = 'bukhari-visited-israel'"
        ).fetchone()[0]
        == statement
    )
    with open(tmp_path / "data" / "articles.csv", encoding="utf-8", newline="") as rows:
        assert title in {row["title"] for row in csv.DictReader(rows)}


def test_markup_in_article_text_is_kept_verbatim(seeds_copy, tmp_path):
    """Article texts are verbatim: markup is part of what was received, and offsets count it."""
    extra = '\n<p class="x">A <b>bold</b> line &amp; <script>alert(1)</script></p>\n'
    retext(MEMO, MEMO_TEXT, lambda data: data + extra.encode("utf-8"))(seeds_copy)
    db = build_into(seeds_copy, tmp_path / "data")
    text = db.execute(
        "select text from articles where article_id = 'middle-east-monitor-2020-12-18'"
    ).fetchone()[0]
    assert text == (seeds_copy / MEMO_TEXT).read_bytes().decode("utf-8")
    assert text.endswith(extra)


def test_a_yaml_file_may_start_with_a_byte_order_mark(seeds_copy, tmp_path):
    write_bytes(MEMO, lambda data: b"\xef\xbb\xbf" + data)(seeds_copy)
    result = CliRunner().invoke(cli, ["check", "--seeds", str(seeds_copy)])
    assert result.exit_code == 0, result.output
    # and lines still count from the first: a problem on line 7 is reported on line 7
    replace(MEMO, "title_basis: supplied", "title_basis: given")(seeds_copy)
    result = CliRunner().invoke(cli, ["check", "--seeds", str(seeds_copy)])
    assert f"error: seeds/{MEMO}:7: title_basis: 'given' is not one of" in result.output
