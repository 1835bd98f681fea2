"""More bad input (issue 15): files that are not files, sizes past the limits, YAML that
expands or nests without bound, characters that are not text, numbers in other bases,
links that are not web links, quotes whose end is wrong, outlets that are people, stances
that do not fit their citation, the extractor scores broken in every way, metadata.yml
that Datasette would serve badly.

This file runs every bad-input table: its own and that of tests/test_errors.py (together
at least 150 distinct cases) in process (Click's runner) and as a real process, and that
of tests/test_story.py in process. Each case must give `error: FILE:LINE: ...` with its
message, exit 1, no traceback, and leave a built data folder byte for byte as it was. The
real processes run in one batch, two at a time, each against hard links to one shared good
build (marked slow: `make test` runs them)."""

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner

from build.cli import cli
from build.read import limits
from conftest import ROOT, SEEDS
from test_errors import (
    AL,
    CASES as BASIC_CASES,
    HT,
    MEMO,
    MEMO_TEXT,
    META,
    RW,
    expected_location,
    replace,
    retext,
    write_bytes,
)
from test_story import CASES as STORY_CASES

SCORES = "extractor_scores.csv"
TITLE = 'title: Pakistan has "opened secret normalisation talks" with Israel'


def append(path, text):
    return write_bytes(path, lambda data: data + text.encode("utf-8"))


def mkfifo(path):
    def mutate(seeds):
        (seeds / path).unlink()
        os.mkfifo(seeds / path)

    return mutate


def make_folder(path):
    def mutate(seeds):
        (seeds / path).unlink()
        (seeds / path).mkdir()
        (seeds / path / "inside.txt").write_text("x", encoding="utf-8")

    return mutate


def symlink_outside(path):
    """Replace a seed file by a symbolic link to an identical copy outside seeds/."""

    def mutate(seeds):
        outside = seeds.parent / ("outside-" + os.path.basename(path))
        shutil.copy(seeds / path, outside)
        (seeds / path).unlink()
        (seeds / path).symlink_to(outside)

    return mutate


def padded(path, size):
    """A YAML file made larger than size with a comment at its end (still valid YAML)."""
    return write_bytes(path, lambda data: data + b"\n# " + b"x" * size + b"\n")


def scores(transform):
    return write_bytes(SCORES, lambda data: transform(data.decode("utf-8")).encode("utf-8"))


def score_cell(column, value, row=1):
    """Set one cell of one row of the extractor scores (row 1 = the first after the header)."""

    def transform(text):
        rows = list(csv.reader(io.StringIO(text, newline="")))
        rows[row][rows[0].index(column)] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue()

    return scores(transform)


def merge_bomb(levels=12, width=10):
    """Nested merge keys: each level merges the one below `width` times."""
    lines = ["bomb0: &b0 {x: 1}"]
    for level in range(1, levels):
        lines.append(f"bomb{level}: &b{level}")
        lines.append("  <<: [" + ", ".join([f"*b{level - 1}"] * width) + "]")
        lines.append(f"  y{level}: 1")
    return "\n".join(lines) + "\n"


def alias_bomb(levels=9, width=9):
    """The billion laughs: each list holds the one below `width` times."""
    lines = ["lol0: &l0 [lol]"]
    lines += [
        f"lol{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]"
        for level in range(1, levels)
    ]
    return "\n".join(lines) + "\n"


def nested_blocks(depth):
    return (
        "".join(f"{'  ' * level}n{level}:\n" for level in range(depth)) + "  " * depth + "end: 1\n"
    )


JAVASCRIPT_HTML = '<p>Hello <a href="javascript:alert(1)">x</a></p>'

# name: (mutate, file under seeds/, needle or line or None (any line) or False (no line), message pattern)
CASES = {
    # --- files that are not files, or too large, or outside seeds/ -----------------------
    "article text a named pipe": (
        mkfifo(MEMO_TEXT),
        MEMO,
        "text: texts/000_2064759973fcbb03.txt",
        r"text: the text texts/000_2064759973fcbb03\.txt is a named pipe: give a file",
    ),
    "article text a folder": (
        make_folder(MEMO_TEXT),
        MEMO,
        "text: texts/000_2064759973fcbb03.txt",
        r"text: the text texts/000_2064759973fcbb03\.txt is a folder: give a file",
    ),
    "article text too large": (
        retext(MEMO, MEMO_TEXT, lambda data: data + b"x" * limits.MAX_TEXT_BYTES),
        MEMO,
        "text: texts/000_2064759973fcbb03.txt",
        r"text: the text texts/000_2064759973fcbb03\.txt is [\d,]+ bytes: at most 500,000 are read",
    ),
    "article text a link out of seeds": (
        symlink_outside(MEMO_TEXT),
        MEMO,
        "text: texts/000_2064759973fcbb03.txt",
        r"text: 'texts/000_2064759973fcbb03\.txt' is outside seeds/",
    ),
    "article file a link out of seeds": (
        symlink_outside(HT),
        HT,
        False,
        r"the file leads outside seeds/ \(a symbolic link\?\): keep seeds inside it",
    ),
    "article file a named pipe": (
        mkfifo(RW),
        RW,
        False,
        r"republic-world-2020-12-20\.yml: the file is a named pipe: give a file",
    ),
    "article file a folder": (
        make_folder(AL),
        AL,
        False,
        r"asian-lite-2021\.yml: the file is a folder: give a file",
    ),
    "article file too large": (
        padded(MEMO, limits.MAX_YAML_BYTES),
        MEMO,
        False,
        r"middle-east-monitor-2020-12-18\.yml: the file is [\d,]+ bytes: at most 1,000,000 are read",
    ),
    "actors.yml too large": (
        padded("actors.yml", limits.MAX_YAML_BYTES),
        "actors.yml",
        False,
        r"actors\.yml: the file is [\d,]+ bytes: at most 1,000,000",
    ),
    "claims.yml too large": (
        padded("claims.yml", limits.MAX_YAML_BYTES),
        "claims.yml",
        False,
        r"claims\.yml: the file is [\d,]+ bytes: at most 1,000,000",
    ),
    "claims.yml a named pipe": (
        mkfifo("claims.yml"),
        "claims.yml",
        False,
        r"claims\.yml: the file is a named pipe",
    ),
    "metadata.yml too large": (
        padded(META, limits.MAX_YAML_BYTES),
        META,
        False,
        r"metadata\.yml: the file is [\d,]+ bytes: at most 1,000,000",
    ),
    "scores too large": (
        append(SCORES, "# " + "x" * limits.MAX_CSV_BYTES + "\n"),
        SCORES,
        False,
        r"extractor_scores\.csv: the file is [\d,]+ bytes: at most 1,000,000",
    ),
    "scores a folder": (
        make_folder(SCORES),
        SCORES,
        False,
        r"extractor_scores\.csv: the file is a folder",
    ),
    "text path too long": (
        replace(MEMO, "text: texts/000_2064759973fcbb03.txt", "text: texts/" + "a" * 300 + ".txt"),
        MEMO,
        None,
        r"text: 'texts/a+' is not a file name \(a NUL character, or over 255 characters\)",
    ),
    "claims.yml a folder": (
        make_folder("claims.yml"),
        "claims.yml",
        False,
        r"claims\.yml: the file is a folder: give a file",
    ),
    "actors.yml a link out of seeds": (
        symlink_outside("actors.yml"),
        "actors.yml",
        False,
        r"actors\.yml: the file leads outside seeds/",
    ),
    "actors.yml a named pipe": (
        mkfifo("actors.yml"),
        "actors.yml",
        False,
        r"actors\.yml: the file is a named pipe",
    ),
    "scores a named pipe": (
        mkfifo(SCORES),
        SCORES,
        False,
        r"extractor_scores\.csv: the file is a named pipe",
    ),
    # --- YAML that expands or nests without bound ------------------------------------------
    "merge keys in actors.yml": (
        append(
            "actors.yml",
            "- id: merged\n  name: x\n  kind: person\n  bombs:\n"
            + "".join("    " + line + "\n" for line in merge_bomb().splitlines()),
        ),
        "actors.yml",
        None,
        r"actors\.yml:\d+: this holds more than 100,000 values once its aliases",
    ),
    "flow mappings nested deep in claims.yml": (
        append("claims.yml", "- id: deep\n  statement: " + "{a: " * 70 + "1" + "}" * 70 + "\n"),
        "claims.yml",
        None,
        r"claims\.yml:\d+: lists and mappings are nested more than 64 deep",
    ),
    "merge keys nested in an article": (
        append(MEMO, merge_bomb()),
        MEMO,
        None,
        r"more than 100,000 values once its aliases \(\*name\) and merge keys \(<<\) are expanded",
    ),
    "the billion laughs in claims.yml": (
        append(
            "claims.yml",
            "- id: lol\n  statement: x\n  kind: background\n  laughs:\n"
            + "".join("    " + line + "\n" for line in alias_bomb().splitlines()),
        ),
        "claims.yml",
        None,
        r"claims\.yml:\d+: this holds more than 100,000 values",
    ),
    "aliases in actors.yml": (
        append(
            "actors.yml",
            "- id: lol\n  name: x\n  kind: person\n  l: &a [a, a, a, a, a, a, a, a, a, a]\n  m: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n  n: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n  o: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n  p: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
        ),
        "actors.yml",
        None,
        r"actors\.yml:\d+: this holds more than 100,000",
    ),
    "block mappings nested deep": (
        append(MEMO, nested_blocks(70)),
        MEMO,
        None,
        r"lists and mappings are nested more than 64 deep here",
    ),
    "flow lists nested deep": (
        append(HT, "deep: " + "[" * 70 + "]" * 70 + "\n"),
        HT,
        None,
        r"hindustan-times-2021-06-29\.yml:\d+: lists and mappings are nested more than 64",
    ),
    "metadata.yml nested deep": (
        append(META, "deep: " + "{a: " * 70 + "1" + "}" * 70 + "\n"),
        META,
        None,
        r"metadata\.yml:\d+: lists and mappings are nested more than 64",
    ),
    "an alias inside what it names": (
        append(MEMO, "loop: &loop\n  again: *loop\n"),
        MEMO,
        None,
        r"an alias \(\*name\) refers to the entry holding it",
    ),
    # --- characters that are not text ------------------------------------------------------
    "lone surrogate in a title": (
        replace(MEMO, TITLE, 'title: "Pakistan \\ud800 talks"'),
        MEMO,
        'title: "Pakistan \\ud800 talks"',
        r"the escape \\uD800 is half of a surrogate pair, not a character",
    ),
    "lone surrogate in a quote": (
        replace(MEMO, "quote: Hebrew website Nziv has reported", 'quote: "Hebrew \\udfff website"'),
        MEMO,
        'quote: "Hebrew \\udfff website"',
        r"the escape \\uDFFF is half of a surrogate pair",
    ),
    "lone surrogate in an actor's name": (
        replace("actors.yml", "  name: Nziv\n", '  name: "Nz\\udc00iv"\n'),
        "actors.yml",
        'name: "Nz\\udc00iv"',
        r"the escape \\uDC00 is half",
    ),
    "lone surrogate as a key": (
        append(MEMO, '"\\ud801": x\n'),
        MEMO,
        '"\\ud801": x',
        r"the escape \\uD801 is half",
    ),
    "NUL escape in a text path": (
        replace(MEMO, "text: texts/000_2064759973fcbb03.txt", 'text: "texts/000\\0.txt"'),
        MEMO,
        'text: "texts/000\\0.txt"',
        r"the value holds the control character U\+0000 \(written as an escape\): texts and seeds allow no control character but tab, line feed and carriage return; remove it",
    ),
    "escape character in a statement": (
        replace(
            "claims.yml",
            "- id: delegation-was-from-indonesia",
            '- id: x-escape\n  statement: "a \\e b"\n  kind: background\n\n- id: delegation-was-from-indonesia',
        ),
        "claims.yml",
        'statement: "a \\e b"',
        r"the value holds the control character U\+001B \(written as an escape\): texts and seeds allow no control character but tab, line feed and carriage return; remove it",
    ),
    "form feed escape in a note": (
        replace(MEMO, "title_basis: supplied", 'title_basis: "supp\\flied"'),
        MEMO,
        'title_basis: "supp\\flied"',
        r"the value holds the control character U\+000C \(written as an escape\): texts and seeds allow no control character but tab, line feed and carriage return; remove it",
    ),
    "DEL escape in a note": (
        replace(MEMO, "title_basis: supplied", 'title_basis: "supp\\x7flied"'),
        MEMO,
        'title_basis: "supp\\x7flied"',
        r"the value holds the control character U\+007F \(written as an escape\): texts and seeds allow no control character but tab, line feed and carriage return; remove it",
    ),
    # --- numbers in other bases or forms ---------------------------------------------------
    "a year in hexadecimal": (
        replace(MEMO, "published: 2020-12-18", "published: 0x7E4"),
        MEMO,
        "published: 0x7E4",
        r"'0x7E4' reads as a number in another base or form",
    ),
    "an occurrence in octal": (
        replace(RW, "occurrence: 2", "occurrence: 02"),
        RW,
        "occurrence: 02",
        r"'02' reads as a number in another base",
    ),
    "an occurrence in binary": (
        replace(RW, "occurrence: 2", "occurrence: 0b10"),
        RW,
        "occurrence: 0b10",
        r"'0b10' reads as a number in another base",
    ),
    "a number in base 60": (
        replace(RW, "occurrence: 2", "occurrence: 1:30"),
        RW,
        "occurrence: 1:30",
        r"'1:30' reads as a number in another base",
    ),
    "digits with underscores": (
        replace(RW, "occurrence: 2", "occurrence: 1_0"),
        RW,
        "occurrence: 1_0",
        r"'1_0' reads as a number in another base",
    ),
    "not a number": (
        replace(RW, "occurrence: 2", "occurrence: .nan"),
        RW,
        "occurrence: .nan",
        r"'\.nan' reads as an unusual number",
    ),
    "infinity": (
        replace(RW, "occurrence: 2", "occurrence: -.inf"),
        RW,
        "occurrence: -.inf",
        r"'-\.inf' reads as an unusual number",
    ),
    "a year in octal": (
        replace(MEMO, "published: 2020-12-18", "published: 03744"),
        MEMO,
        "published: 03744",
        r"'03744' reads as a number in another base",
    ),
    "a year with a sign": (
        replace(MEMO, "published: 2020-12-18", "published: +2020"),
        MEMO,
        "published: +2020",
        r"'\+2020' reads as a number in another base or form",
    ),
    "a float in base 60": (
        replace(RW, "occurrence: 2", "occurrence: 1:30.5"),
        RW,
        "occurrence: 1:30.5",
        r"'1:30\.5' reads as an unusual number",
    ),
    # --- links that are not web links ------------------------------------------------------
    "a javascript: link": (
        replace(MEMO, "language: en\n", "language: en\nurl: javascript:alert(1)\n"),
        MEMO,
        "url: javascript:alert(1)",
        r"url: 'javascript:alert\(1\)' is not a web address \(a javascript: link\)",
    ),
    "a data: link": (
        replace(MEMO, "language: en\n", "language: en\nurl: 'data:text/html,<b>x</b>'\n"),
        MEMO,
        "url: 'data:text/html,<b>x</b>'",
        r"url: 'data:text/html,<b>x</b>' holds a space, a control character or one of",
    ),
    "an ftp link": (
        replace(MEMO, "language: en\n", "language: en\nurl: ftp://example.org/a\n"),
        MEMO,
        "url: ftp://example.org/a",
        r"is not a web address \(a ftp: link\)",
    ),
    "a relative link": (
        replace(MEMO, "language: en\n", "language: en\nurl: /news/a.html\n"),
        MEMO,
        "url: /news/a.html",
        r"'/news/a\.html' is not a web address \(no http:// or https://\)",
    ),
    "a link with no host": (
        replace(MEMO, "language: en\n", "language: en\nurl: 'https:///path'\n"),
        MEMO,
        "url: 'https:///path'",
        r"'https:///path' names no host",
    ),
    "a link with a space": (
        replace(MEMO, "language: en\n", "language: en\nurl: https://example.org/a b\n"),
        MEMO,
        "url: https://example.org/a b",
        r"'https://example\.org/a b' holds a space",
    ),
    "a link with a bad port": (
        replace(MEMO, "language: en\n", "language: en\nurl: https://example.org:99999/\n"),
        MEMO,
        "url: https://example.org:99999/",
        r"is not a web address \(Port out of range",
    ),
    "a mailto: link": (
        replace(MEMO, "language: en\n", "language: en\nurl: mailto:editor@example.org\n"),
        MEMO,
        "url: mailto:editor@example.org",
        r"is not a web address \(a mailto: link\)",
    ),
    "a link holding markup": (
        replace(MEMO, "language: en\n", "language: en\nurl: https://example.org/<script>\n"),
        MEMO,
        "url: https://example.org/<script>",
        r"'https://example\.org/<script>' holds a space, a control character or one of <>",
    ),
    "a link as a list": (
        replace(MEMO, "language: en\n", "language: en\nurl: [https://example.org/]\n"),
        MEMO,
        "url: [https://example.org/]",
        r"url: expected text, got a list",
    ),
    "a link too long": (
        replace(
            MEMO, "language: en\n", "language: en\nurl: https://example.org/" + "a" * 2100 + "\n"
        ),
        MEMO,
        None,
        r"a web address of 2,1\d\d characters: at most 2,000",
    ),
    # --- quotes, stances, outlets ----------------------------------------------------------
    "a quote whose start is wrong": (
        replace(
            MEMO,
            "    quote: Hebrew website Nziv has reported\n",
            "    quote: Hebrew website Nziv has reported\n    start: 0\n    end: 5\n",
        ),
        MEMO,
        None,
        r"the quote is at \d+, not 0",
    ),
    "a quote whose end alone is wrong": (
        lambda seeds: quote_offsets(seeds, 1),
        MEMO,
        "end: 999",
        r"citations\[0\]\.end: the quote ends at \d+, not 999",
    ),
    "an outlet that is a person": (
        replace(MEMO, "outlet: middle-east-monitor", "outlet: zulfi-bukhari"),
        MEMO,
        "outlet: zulfi-bukhari",
        r"outlet: actor 'zulfi-bukhari' is a person, not an outlet",
    ),
    "an outlet that is a country": (
        replace(MEMO, "outlet: middle-east-monitor", "outlet: pakistan"),
        MEMO,
        "outlet: pakistan",
        r"outlet: actor 'pakistan' is a country, not an outlet",
    ),
    "an outlet that is an anonymous source": (
        replace(MEMO, "outlet: middle-east-monitor", "outlet: unnamed-israeli-media"),
        MEMO,
        "outlet: unnamed-israeli-media",
        r"actor 'unnamed-israeli-media' is an anonymous source, not an outlet",
    ),
    "a stance asserts resting on a citation": (
        replace(
            MEMO,
            "    stance: reports\n    hedges: [It is claimed]\n    citation: nziv\n    note: No year",
            "    stance: asserts\n    hedges: [It is claimed]\n    citation: nziv\n    note: No year",
        ),
        MEMO,
        None,
        r"mentions\[\d+\]\.stance: stance asserts is the article's own voice, but the mention rests on citation 'nziv'",
    ),
    # --- the extractor scores --------------------------------------------------------------
    "scores: a duplicate row": (
        scores(lambda text: text.rstrip("\n") + "\n" + text.split("\n")[1] + "\n"),
        SCORES,
        None,
        r"score_id: duplicate score_id '[^']+': already on line 2",
    ),
    "scores: a renamed header": (
        scores(lambda text: text.replace("precision", "precison", 1)),
        SCORES,
        1,
        r"the header lacks precision \(renamed\?\)",
    ),
    "scores: an unknown column": (
        scores(lambda text: text.replace("extractor", "extractor_name", 1)),
        SCORES,
        1,
        r"unknown column\(s\) 'extractor_name'",
    ),
    "scores: a column twice": (
        scores(lambda text: text.replace("recall,f1", "recall,recall", 1)),
        SCORES,
        1,
        r"column\(s\) recall given twice in the header",
    ),
    "scores: no header": (
        write_bytes(SCORES, lambda data: b""),
        SCORES,
        1,
        r"the file has no header: run `make evaluate`",
    ),
    "scores: nan": (
        score_cell("precision", "nan"),
        SCORES,
        2,
        r"precision: expected a number, got 'nan'",
    ),
    "scores: infinity": (
        score_cell("recall", "inf"),
        SCORES,
        2,
        r"recall: expected a number, got 'inf'",
    ),
    "scores: a score over 1": (
        score_cell("f1", "1.5"),
        SCORES,
        2,
        r"f1: 1\.5 (is above 1|is not a score from 0 to 1)",
    ),
    "scores: a negative count": (
        score_cell("true_positives", "-3"),
        SCORES,
        2,
        r"true_positives: expected a whole number from 0, got '-3'",
    ),
    "scores: a count with a decimal point": (
        score_cell("false_positives", "3.5"),
        SCORES,
        2,
        r"false_positives: expected a whole number from 0, got '3\.5'",
    ),
    "scores: a category unknown": (
        score_cell("category", "vibes"),
        SCORES,
        2,
        r"category: 'vibes' is not one of",
    ),
    "scores: a required cell empty": (
        score_cell("scope", ""),
        SCORES,
        2,
        r"scope: required, but empty",
    ),
    "scores: a huge cell": (
        score_cell("extractor", "x" * 140_000),
        SCORES,
        None,
        r"(cannot read the CSV: field larger than field limit|extractor: a cell of 140,000 characters: at most 1,000)",
    ),
    "scores: a long cell": (
        score_cell("extractor", "y" * 20_000),
        SCORES,
        2,
        r"extractor: a cell of 20,000 characters: at most 1,000",
    ),
    "scores: a row with a cell too many": (
        scores(lambda text: text.replace("\n", ",extra\n", 2).replace(",extra\n", "\n", 1)),
        SCORES,
        2,
        r"the row has \d+ cells, the header \d+",
    ),
    "scores: an unknown article": (
        score_cell("article_id", "no-such-article-2020"),
        SCORES,
        2,
        r"article_id: unknown article 'no-such-article-2020': the scores are stale",
    ),
    "scores: not UTF-8": (
        write_bytes(SCORES, lambda data: data + "café\n".encode("latin-1")),
        SCORES,
        None,
        r"extractor_scores\.csv:\d+: the file is not valid UTF-8",
    ),
    "scores: a count in hexadecimal": (
        score_cell("false_negatives", "0x12"),
        SCORES,
        2,
        r"false_negatives: expected a whole number from 0, got '0x12'",
    ),
    "scores: NaN in capitals": (
        score_cell("f1", "NaN"),
        SCORES,
        2,
        r"f1: expected a number, got 'NaN'",
    ),
    "scores: a negative score": (
        score_cell("precision", "-0.1"),
        SCORES,
        2,
        r"precision: -0\.1 (is below 0|is not a score from 0 to 1)",
    ),
    "scores: a scope unknown": (
        score_cell("scope", "everything"),
        SCORES,
        2,
        r"scope: 'everything' is not one of",
    ),
    "scores: a number in words": (
        score_cell("precision", "high"),
        SCORES,
        2,
        r"precision: expected a number, got 'high'",
    ),
    # --- metadata.yml as Datasette reads it ------------------------------------------------
    "metadata.yml sort and sort_desc": (
        replace(
            META,
            "        sort: not_before\n",
            "        sort: not_before\n        sort_desc: published\n",
        ),
        META,
        "sort_desc: published",
        r"sort_desc: give sort or sort_desc, not both: Datasette answers every visitor of the table with an error \(500\)",
    ),
    "metadata.yml an onerror handler": (
        replace(
            META, "description_html: |-\n", "description_html: |-\n  <img src=x onerror=alert(1)>\n"
        ),
        META,
        "description_html: |-",
        r"description_html: HTML a visitor's browser would run .*<img onerror='alert\(1\)'>",
    ),
    "metadata.yml a script": (
        replace(
            META, "description_html: |-\n", "description_html: |-\n  <script>alert(1)</script>\n"
        ),
        META,
        "description_html: |-",
        r"description_html: HTML .*<script>",
    ),
    "metadata.yml a javascript: link": (
        replace(
            META, "description_html: |-\n", "description_html: |-\n  " + JAVASCRIPT_HTML + "\n"
        ),
        META,
        "description_html: |-",
        r"description_html: HTML .*<a href='javascript:alert\(1\)'>",
    ),
    "metadata.yml an iframe": (
        replace(
            META,
            "description_html: |-\n",
            "description_html: |-\n  <iframe src=https://example.org></iframe>\n",
        ),
        META,
        "description_html: |-",
        r"description_html: HTML .*<iframe>",
    ),
    "metadata.yml a style attribute": (
        replace(
            META,
            "description_html: |-\n",
            'description_html: |-\n  <p style="position:fixed">x</p>\n',
        ),
        META,
        "description_html: |-",
        r"description_html: HTML .*<p style='position:fixed'>",
    ),
    "metadata.yml an onclick on a link": (
        replace(
            META,
            "description_html: |-\n",
            "description_html: |-\n  <a href=/x onclick=steal()>x</a>\n",
        ),
        META,
        "description_html: |-",
        r"description_html: HTML .*<a onclick='steal\(\)'>",
    ),
    "metadata.yml an embedded object": (
        replace(
            META,
            "description_html: |-\n",
            "description_html: |-\n  <object data=https://example.org/x.swf></object>\n",
        ),
        META,
        "description_html: |-",
        r"description_html: HTML .*<object>",
    ),
    "metadata.yml unsafe HTML in a table's description": (
        replace(
            META,
            "      articles:\n        sort: not_before\n",
            "      articles:\n        description_html: '<svg onload=alert(1)>'\n        sort: not_before\n",
        ),
        META,
        "description_html: '<svg onload=alert(1)>'",
        r"tables\.articles\.description_html: HTML .*<svg",
    ),
    "metadata.yml merge keys nested": (
        append(META, merge_bomb()),
        META,
        None,
        r"metadata\.yml:\d+: this holds more than 100,000 values",
    ),
    "metadata.yml a lone surrogate": (
        replace(
            META,
            'title: "Bukhari in Israel? Claims traced to their sources"',
            'title: "Bukhari \\ud83d in Israel?"',
        ),
        META,
        'title: "Bukhari \\ud83d in Israel?"',
        r"the escape \\uD83D is half",
    ),
    "metadata.yml a form in a query's description": (
        lambda seeds: query_html(seeds, "<form action=https://example.org><input name=q></form>"),
        META,
        None,
        r"queries\.\w+\.description_html: HTML .*<form>",
    ),
}


def quote_offsets(seeds, _):
    """Give citation 0 of the MEMO article its right start and a wrong end."""
    text = (seeds / MEMO_TEXT).read_text(encoding="utf-8")
    start = text.index("Hebrew website Nziv has reported")
    replace(
        MEMO,
        "    quote: Hebrew website Nziv has reported\n",
        f"    quote: Hebrew website Nziv has reported\n    start: {start}\n    end: 999\n",
    )(seeds)


def query_html(seeds, html):
    path = seeds / META
    text = path.read_text(encoding="utf-8")
    marker = "        description_html: >-\n"
    assert marker in text, "fixture drifted: no canned query with description_html"
    path.write_text(text.replace(marker, marker + f"          {html}\n", 1), encoding="utf-8")


# The bad-input table of issue 15: each case is checked in process and as a real process.
TABLE = {**BASIC_CASES, **CASES}
# The story's fields (tests/test_story.py), checked in process only.
IN_PROCESS = {**TABLE, **STORY_CASES}


def test_there_are_150_distinct_cases():
    tables = (BASIC_CASES, CASES, STORY_CASES)
    assert len(IN_PROCESS) == sum(map(len, tables)), "a case name is used twice"
    patterns = [message for *_, message in TABLE.values()]
    assert len(set(patterns)) == len(patterns) >= 150


@pytest.fixture(scope="module")
def good_build(tmp_path_factory):
    """A build of the real seeds; its parse cache (good/cache.sqlite) holds every seed file,
    as a user's does before an edit breaks one."""
    folder = tmp_path_factory.mktemp("good")
    result = CliRunner().invoke(
        cli, ["build", "--data", str(folder / "data"), "--cache", str(folder / "cache.sqlite")]
    )
    assert result.exit_code == 0, result.output
    return folder / "data"


def linked_copy(good_build, folder):
    """A data folder of hard links to the good build's outputs (a failed build replaces
    nothing, so none is written to); its own lock file."""
    folder.mkdir(parents=True)
    for path in good_build.iterdir():
        if path.is_file() and not path.name.startswith("."):
            os.link(path, folder / path.name)
    return folder


def snapshot(folder):
    return {
        p.name: p.read_bytes()
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".")
    }


def build_argv(seeds, data, *options):
    """`provenance build`'s arguments for a prepared seeds copy (its metadata.yml beside it)
    into data; the in-process and the real-process runs differ only in options."""
    return [
        "build",
        "--seeds",
        str(seeds),
        "--data",
        str(data),
        "--metadata",
        str(seeds.parent / "metadata.yml"),
        *options,
    ]


def prepare(case, folder):
    """A copy of seeds/ with metadata.yml beside it, broken as the case says."""
    seeds = folder / "seeds"
    shutil.copytree(SEEDS, seeds, symlinks=True)
    shutil.copy(ROOT / "metadata.yml", folder / "metadata.yml")
    IN_PROCESS[case][0](seeds)
    return seeds


@pytest.mark.parametrize("case", IN_PROCESS)
def test_bad_input_is_reported_in_process(case, tmp_path, good_build):
    _, path, needle, message = IN_PROCESS[case]
    seeds = prepare(case, tmp_path)
    data = linked_copy(good_build, tmp_path / "data")
    before = snapshot(data)
    # The good build's parse cache: files are cached by content, so only the broken one is parsed.
    cache = good_build.parent / "cache.sqlite"
    result = CliRunner().invoke(cli, build_argv(seeds, data, "--cache", str(cache)))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert re.search(expected_location(seeds, path, needle), result.stderr, re.MULTILINE), (
        result.stderr
    )
    assert re.search(message, result.stderr), result.stderr
    assert "nothing was written" in result.stderr
    assert snapshot(data) == before


@pytest.fixture(scope="module")
def real_processes(tmp_path_factory, good_build):
    """{case: (exit code, output, data folder, bytes before)}: `python -m build build` run
    as a process on every case, two at a time."""
    folders = {case: tmp_path_factory.mktemp("process") for case in TABLE}

    def run(case):
        folder = folders[case]
        seeds = prepare(case, folder)
        data = linked_copy(good_build, folder / "data")
        before = snapshot(data)
        process = subprocess.run(
            [sys.executable, "-m", "build", *build_argv(seeds, data, "--no-cache")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return case, (process.returncode, process.stdout + process.stderr, data, before)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, TABLE))


@pytest.mark.slow
@pytest.mark.parametrize("case", TABLE)
def test_bad_input_is_reported_by_a_real_process(case, real_processes):
    code, output, data, before = real_processes[case]
    assert "Traceback" not in output, output
    assert code == 1, output
    assert re.search(r"^error: \S+", output, re.MULTILINE), output
    assert re.search(TABLE[case][3], output), output
    assert snapshot(data) == before


def test_an_editors_lock_file_is_not_an_article(tmp_path):
    """Emacs keeps `.#NAME.yml` (a dangling symbolic link) beside a file being edited."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / "articles" / ".#middle-east-monitor-2020-12-18.yml").symlink_to(
        "root@host.1234:1700000000"
    )
    (seeds / "articles" / ".hidden.yml").write_text("not: an article\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--seeds", str(seeds)])
    assert result.exit_code == 0, result.output


def test_the_incremental_build_checks_unchanged_files_again(tmp_path):
    """A text made a link out of seeds/ (to identical bytes) since the last build is
    refused by an incremental build too, as by a build from scratch."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    args = [
        "build",
        "--seeds",
        str(seeds),
        "--data",
        str(tmp_path / "data"),
        "--cache",
        str(tmp_path / "cache.sqlite"),
    ]
    assert CliRunner().invoke(cli, args).exit_code == 0
    symlink_outside(MEMO_TEXT)(seeds)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert "is outside seeds/" in result.stderr


def test_a_year_in_decimal_is_still_a_year(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    replace(AL, "published: '2021'", "published: 2021")(seeds) if "published: '2021'" in (
        seeds / AL
    ).read_text() else None
    result = CliRunner().invoke(cli, ["check", "--seeds", str(seeds)])
    assert result.exit_code == 0, result.output


def test_inside_seeds_means_inside_once_every_link_is_followed(tmp_path):
    """limits.is_inside answers as realpath does, though it calls it only when a link or a
    `..` lies below the root: a link leading out, at any depth, is outside."""
    root = tmp_path / "seeds"
    (root / "texts").mkdir(parents=True)
    (root / "texts" / "a.txt").write_text("a", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "b.txt").write_text("b", encoding="utf-8")
    (root / "texts" / "in-link.txt").symlink_to(root / "texts" / "a.txt")
    (root / "texts" / "out-link.txt").symlink_to(tmp_path / "elsewhere" / "b.txt")
    (root / "linked-folder").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "root-link").symlink_to(root)
    cases = {
        root / "texts" / "a.txt": True,
        root / "texts" / "missing.txt": True,
        root / "texts" / "in-link.txt": True,
        root / "texts" / "out-link.txt": False,
        root / "linked-folder" / "b.txt": False,
        root / "texts" / ".." / ".." / "elsewhere" / "b.txt": False,
        root / "texts" / ".." / "texts" / "a.txt": True,
        tmp_path / "elsewhere" / "b.txt": False,
    }
    for path, inside in cases.items():
        assert limits.is_inside(str(path), str(root)) is inside, path
        assert limits.is_inside(str(path), str(tmp_path / "root-link")) is inside, path
