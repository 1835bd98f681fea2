"""The release record: which releases of the data there have been, and what each changed.

Two committed files under seeds/, written by `provenance release` (build/release/cut.py)
and read by every build, so that the build stays a pure function of what is committed
(no clock, no git): `release.yml` (the site's address, and one entry per release: version,
date, the fingerprint of the tables released, the site's address then, notes) and `changes.csv` (every release's
changes, row by row: build/release/changes.py). The build publishes them as the
`releases` and `changes` tables, and from them writes the version into datapackage.json
and onto the site.

A build whose tables are byte for byte those of the last release (the same fingerprint)
is that release: its package says `"version": "1.2.0"` and `created` is the release's
date. Any other build is not a release, and says so: `"version": "1.2.0+dev.<hash>"`
(semantic versioning's build metadata, which names a build without ordering it: after
1.2.0, not yet the next), with no `created`, and the site says it serves unreleased data."""

import csv
import datetime
import hashlib
import io
import json
import re
from pathlib import Path
from typing import NamedTuple

from build import schema
from build.problems import BuildError, Problem
from build.release.changes import RELEASE_TABLES, counts
from build.read.seeds import Items, Record, decode_utf8, display_path, line_of_item, load_yaml

RELEASE_FILE = "release.yml"
CHANGES_FILE = "changes.csv"
VERSION = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")


class Releases(NamedTuple):
    homepage: object  # the site's public address, None until it is set
    homepage_line: int
    releases: list  # {version, date, content_sha256, notes, line}, oldest first
    changes: list  # rows of the changes table, in file order

    @property
    def last(self):
        return self.releases[-1] if self.releases else None


def read_releases(seeds_dir, parse=None):
    """The release record in seeds_dir; empty when neither file is there (a corpus never
    released). BuildError, naming file, line and field, when either is malformed. parse,
    when given, parses release.yml: parse(path) -> (data, problems) (build.read.seeds
    passes its parse cache's)."""
    root = Path(seeds_dir)
    path, shown = root / RELEASE_FILE, display_path(root / RELEASE_FILE, root)
    problems, releases, homepage, homepage_line = [], [], None, 1
    if path.exists():
        if parse is None:
            data = load_yaml(path, shown)
        else:
            data, file_problems = parse(path)
            if file_problems:
                raise BuildError(file_problems)
        if data is not None and not isinstance(data, Record):
            raise BuildError(
                [
                    Problem(
                        shown,
                        getattr(data, "line", 1),
                        "",
                        "expected a mapping (homepage: ..., releases: [...])",
                    )
                ]
            )
        data = data or Record()
        homepage, homepage_line = data.get("homepage"), data.line_of("homepage") or 1
        if homepage is not None and not _is_address(homepage):
            problems.append(
                Problem(
                    shown,
                    homepage_line,
                    "homepage",
                    f"expected the site's address (https://...), got {homepage!r}",
                )
            )
        entries = data.get("releases") or Items()
        if not isinstance(entries, list):
            problems.append(
                Problem(
                    shown,
                    data.line_of("releases"),
                    "releases",
                    "expected a list of releases (- version: ...)",
                )
            )
            entries = Items()
        for index, entry in enumerate(entries):
            releases.append(
                _release(
                    entry,
                    shown,
                    line_of_item(entries, index, data.line_of("releases")),
                    f"releases[{index}]",
                    releases,
                    problems,
                )
            )
    changes = _read_changes(root, {r["version"] for r in releases}, problems)
    if problems:
        raise BuildError(problems)
    return Releases(homepage, homepage_line, releases, changes)


def _release(entry, shown, line, where, earlier, problems):
    if not isinstance(entry, Record):
        problems.append(Problem(shown, line, where, "expected a mapping (version: ..., date: ...)"))
        return {
            "version": None,
            "date": None,
            "content_sha256": None,
            "notes": None,
            "homepage": None,
            "line": line,
        }
    version, date = entry.get("version"), entry.get("date")
    if not (isinstance(version, str) and VERSION.fullmatch(version)):
        problems.append(
            Problem(
                shown,
                entry.line_of("version"),
                f"{where}.version",
                f"expected a version MAJOR.MINOR.PATCH (1.0.0), got {version!r}",
            )
        )
    elif earlier and earlier[-1]["version"] and _key(version) <= _key(earlier[-1]["version"]):
        problems.append(
            Problem(
                shown,
                entry.line_of("version"),
                f"{where}.version",
                f"{version} does not follow {earlier[-1]['version']}: releases are listed oldest first",
            )
        )
    if isinstance(date, datetime.date):
        date = date.isoformat()
    try:
        datetime.date.fromisoformat(date)
    except (TypeError, ValueError):
        problems.append(
            Problem(
                shown,
                entry.line_of("date"),
                f"{where}.date",
                f"expected a date YYYY-MM-DD, got {date!r}",
            )
        )
    fingerprint = entry.get("content_sha256")
    if not (isinstance(fingerprint, str) and re.fullmatch(r"[0-9a-f]{64}", fingerprint)):
        problems.append(
            Problem(
                shown,
                entry.line_of("content_sha256"),
                f"{where}.content_sha256",
                "expected the SHA-256 of the tables released (64 hex digits), as `provenance release` writes it",
            )
        )
    notes, homepage = entry.get("notes"), entry.get("homepage")
    if notes is not None and not isinstance(notes, str):
        problems.append(Problem(shown, entry.line_of("notes"), f"{where}.notes", "expected text"))
    if homepage is not None and not _is_address(homepage):
        problems.append(
            Problem(
                shown,
                entry.line_of("homepage"),
                f"{where}.homepage",
                f"expected the site's address (https://...), got {homepage!r}",
            )
        )
    return {
        "version": version,
        "date": date,
        "content_sha256": fingerprint,
        "notes": notes,
        "homepage": homepage,
        "line": entry.line,
    }


def _is_address(value):
    return isinstance(value, str) and re.fullmatch(r"https?://\S+", value) is not None


def _key(version):
    return tuple(int(part) for part in version.split("."))


def _read_changes(root, versions, problems):
    path, shown = root / CHANGES_FILE, display_path(root / CHANGES_FILE, root)
    if not path.exists():
        return []
    source, problem = decode_utf8(path.read_bytes(), shown)
    if problem:
        problems.append(problem)
        return []
    fields = {f["name"]: f["type"] for f in schema.fields("changes")}
    reader = csv.DictReader(io.StringIO(source, newline=""))
    if reader.fieldnames != list(fields):
        problems.append(
            Problem(
                shown,
                1,
                "",
                f"expected the columns {', '.join(fields)}: `provenance release` writes this file",
            )
        )
        return []
    rows = []
    for record in reader:
        row = {name: record[name] or None for name in fields}
        try:
            row["columns"] = json.loads(row["columns"]) if row["columns"] else []
        except ValueError:
            problems.append(
                Problem(
                    shown,
                    reader.line_num,
                    "columns",
                    f"expected a JSON list of column names, got {row['columns']!r}",
                )
            )
        if row["release"] not in versions:
            problems.append(
                Problem(
                    shown,
                    reader.line_num,
                    "release",
                    f"release {row['release']!r} is not in {RELEASE_FILE}",
                )
            )
        rows.append(row)
    return rows


def changes_csv(rows):
    """The bytes of changes.csv holding rows (the changes table's columns, in order)."""
    fields = schema.fields("changes")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f["name"] for f in fields])
    for row in rows:
        writer.writerow(
            [
                json.dumps(row[f["name"]], ensure_ascii=False)
                if f["type"] == "array"
                else row[f["name"]] or ""
                for f in fields
            ]
        )
    return buffer.getvalue().encode("utf-8")


def release_tables(record):
    """{"releases": rows, "changes": rows}: the release record as the build publishes it."""
    by_release = {}
    for row in record.changes:
        by_release.setdefault(row["release"], []).append(row)
    releases, previous = [], None
    for entry in record.releases:
        found = counts(by_release.get(entry["version"], []))
        releases.append(
            {
                "version": entry["version"],
                "released": entry["date"],
                "previous": previous,
                "tag": f"v{entry['version']}",
                "content_sha256": entry["content_sha256"],
                "notes": entry["notes"],
                "homepage": entry["homepage"],
                "rows_added": found["added"],
                "rows_removed": found["removed"],
                "rows_changed": found["changed"],
            }
        )
        previous = entry["version"]
    changes = sorted(record.changes, key=lambda row: row["change_id"])
    return {"releases": releases, "changes": changes}


def content_fingerprint(digests):
    """SHA-256 of the released tables: of each table's name and CSV SHA-256 (digests:
    {table: sha256}), the release tables left out, in name order."""
    lines = "".join(
        f"{name} {digests[name]}\n" for name in sorted(digests) if name not in RELEASE_TABLES
    )
    return hashlib.sha256(lines.encode()).hexdigest()


def served_release(releases, fingerprint):
    """(version, release row or None): the release whose tables these are (releases: the
    rows of the releases table), or the version string of an unreleased build after the
    last release (see the module's docstring)."""
    last = max(releases, key=lambda row: _key(row["version"]), default=None)
    if last and last["content_sha256"] == fingerprint:
        return last["version"], last
    return f"{last['version'] if last else '0.0.0'}+dev.{fingerprint[:12]}", None
