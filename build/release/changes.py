"""What changed between two releases, row by row, as data: the rows of the `changes` table.

The two packages are compared table by table with csv-diff (Simon Willison's library,
pinned in the `release` extra and imported only here, when releasing), each table's rows keyed by its primary key: a row whose
key is new is added, a row whose key is gone is removed, and a row whose key is in both
with other values is changed, with the old and new value of each column that differs.
Columns a table gained or lost are listed too; a table in one package only has all its
rows added (or removed).

Why csv-diff: it keys each row by a key column (here the primary key, compound keys
joined) and answers in the changelog's own shape: rows added, removed, changed with the
old and new value of each column, and columns added or removed. daff aligns rows by
their content (or by key columns it is told) and answers with a "highlighter" table whose
marker column (+++, ---, ->, with "old->new" in the cells) would have to be parsed back
into rows; Frictionless validates and describes packages but does not compare two.

The release tables themselves (`releases`, `changes`) are not compared: they describe
the comparison. The article texts are not copied into the changelog, which is under
CC BY 4.0 while the texts are their publishers': a changed text shows as `text` in the
columns that changed (its sha256 changes with it), without its words."""

import csv
import json
from pathlib import Path

# The tables that record releases, not the data released.
RELEASE_TABLES = ("releases", "changes")
CHANGE_KINDS = ("added", "removed", "changed", "column added", "column removed")
# Columns whose values the changelog never copies (see the module's docstring).
WITHHELD = {("articles", "text")}
# Separates the values of a compound primary key in `row_key`.
KEY_SEPARATOR = ", "


def read_package(path):
    """{table: (primary key columns, header, {row key: row})} of the package whose
    datapackage.json is at path (or in the folder path), the release tables left out."""
    path = Path(path)
    descriptor_path = path / "datapackage.json" if path.is_dir() else path
    from csv_diff import load_csv  # only releasing diffs: the `release` extra, not the site's

    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    tables = {}
    for resource in descriptor["resources"]:
        if resource["name"] in RELEASE_TABLES:
            continue
        key = resource["schema"]["primaryKey"]
        key = [key] if isinstance(key, str) else list(key)
        with open(descriptor_path.parent / resource["path"], newline="", encoding="utf-8") as file:
            header = next(csv.reader(file), [])
            file.seek(0)
            # The package's CSVs are plain RFC 4180 ("excel"): no sniffing of the dialect.
            rows = load_csv(file, dialect="excel").values()
        tables[resource["name"]] = (
            key,
            header,
            {KEY_SEPARATOR.join(row[k] for k in key): row for row in rows},
        )
    return tables


def package_changes(previous, current, release):
    """The `changes` rows of a release: what differs from the previous package to the
    current one (each as read_package returns it; previous is {} for a first release)."""
    rows = []
    order = list(current) + [name for name in previous if name not in current]
    for table in order:
        old_key, old_header, old_rows = previous.get(table, (None, [], {}))
        new_key, new_header, new_rows = current.get(table, (None, [], {}))
        result = _compare(old_rows, new_rows)
        if table in previous and table in current:
            result["columns_added"] = [c for c in new_header if c not in old_header]
            result["columns_removed"] = [c for c in old_header if c not in new_header]
        key = new_key or old_key
        for column in result["columns_added"]:
            rows.append(_change(release, table, "column added", column))
        for column in result["columns_removed"]:
            rows.append(_change(release, table, "column removed", column))
        for row in result["added"]:
            rows.append(_change(release, table, "added", KEY_SEPARATOR.join(row[k] for k in key)))
        for row in result["removed"]:
            rows.append(_change(release, table, "removed", KEY_SEPARATOR.join(row[k] for k in key)))
        for changed in result["changed"]:
            columns = [c for c in new_header if c in changed["changes"]]
            shown = [c for c in columns if (table, c) not in WITHHELD]
            rows.append(
                _change(
                    release,
                    table,
                    "changed",
                    changed["key"],
                    columns,
                    {c: changed["changes"][c][0] for c in shown},
                    {c: changed["changes"][c][1] for c in shown},
                )
            )
    rank = {table: index for index, table in enumerate(order)}
    rows.sort(
        key=lambda row: (rank[row["table_name"]], CHANGE_KINDS.index(row["change"]), row["row_key"])
    )
    return rows


def _compare(old_rows, new_rows):
    """csv-diff's comparison of two tables' rows ({key: row}); it needs rows on both
    sides, so a table empty (or absent) on one side has all the other side's rows added
    or removed."""
    from csv_diff import compare

    if old_rows and new_rows:
        return compare(old_rows, new_rows)
    return {
        "added": list(new_rows.values()),
        "removed": list(old_rows.values()),
        "changed": [],
        "columns_added": [],
        "columns_removed": [],
    }


def _change(release, table, change, row_key, columns=(), before=None, after=None):
    return {
        "change_id": f"{release}/{table}/{change}/{row_key}",
        "release": release,
        "table_name": table,
        "change": change,
        "row_key": row_key,
        "columns": list(columns),
        "before": json.dumps(before, ensure_ascii=False, sort_keys=True)
        if before is not None
        else None,
        "after": json.dumps(after, ensure_ascii=False, sort_keys=True)
        if after is not None
        else None,
    }


def counts(rows):
    """{change kind: rows} of a release's changes."""
    found = {kind: 0 for kind in CHANGE_KINDS}
    for row in rows:
        found[row["change"]] += 1
    return found


def next_version(previous_version, rows):
    """The semantic version of the data after changes `rows`: the major number when a
    row, column or table went (a cited row URL or a query may break), the minor when rows
    or columns were added, the patch when only values changed; None when nothing did."""
    if previous_version is None:
        return "1.0.0"
    major, minor, patch = (int(part) for part in previous_version.split("."))
    kinds = {row["change"] for row in rows}
    if kinds & {"removed", "column removed"}:
        return f"{major + 1}.0.0"
    if kinds & {"added", "column added"}:
        return f"{major}.{minor + 1}.0"
    if kinds:
        return f"{major}.{minor}.{patch + 1}"
    return None
