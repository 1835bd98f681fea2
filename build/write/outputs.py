"""Write the assembled tables: SQLite database, one CSV per table, datapackage.json,
Datasette's metadata and the linked-data exports (build/write/exports.py). Everything is
written to a scratch folder, validated, and only then moved over the previous
outputs, so a failed build leaves the last good outputs untouched."""

import concurrent.futures
import contextlib
import csv
import io
import json
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import NamedTuple

from build import paths, schema
from build.check import strict
from build.check.assemble import ARTICLE_TABLES
from build.write.exports import write_exports
from build.write.parts import Part, Section, join_parts, write_parts
from build.write.publish import SCRATCH_PREFIX, build_lock, files_in, publish, start_syncing
from build.problems import BuildError, Problem
from build.read.seeds import Record, line_of_item, load_yaml
from build.release.package import (
    RELEASE_OUTPUTS,
    TEXT_COLUMN,
    TEXT_FREE_ARTICLES,
    release_outputs,
)
from build.release.package import site_metadata as release_site_metadata
from build.workers import map_on_cores

DATABASE_NAME = paths.DATABASE_NAME
METADATA_NAME = "metadata.json"
PACKAGE_NAME = "datapackage.json"
# The package as the build validates it: every row against its schema, but no foreign
# keys, which SQLite checks in the database (write_database, patch_database) far faster
# than Frictionless, which reads every referenced table again for each reference.
ROWS_PACKAGE_NAME = "datapackage-rows.json"
# Columns the database works out from its derived tables (build/derived/views.py), by
# table: claims.rests_on_retracted, from retraction_reach. Their tables' CSVs are written
# once the database is, with these read back from it, so that the two agree.
DATABASE_COLUMNS = {"claims": ("rests_on_retracted",)}
# The package as the build validates the CSVs written after the database (rows only, as above).
LATE_ROWS_PACKAGE_NAME = "datapackage-rows-late.json"
# Indexes neither a key nor a facet asks for, by table: the PROV export's works
# (build/write/exports.py, _cited_works) are read from this one alone, in its order,
# rather than from every citation's row.
READ_INDEXES = {"citations": [("work_id", "source_id", "cited_article_id")]}

# Full-text search: which columns of which tables.
SEARCHABLE = {
    "articles": ["title", "text"],
    "claims": ["statement", "note"],
    "claim_mentions": ["quote"],
    "actors": ["name", "description"],
}


def _as_json(value):
    if value == []:
        return "[]"  # most lists (a mention's hedges) are empty: no encoder call for them
    return json.dumps(value, ensure_ascii=False)


# How a value of each type that needs converting is stored (any other value as it is; None
# stays None) in SQLite, and written to CSV (where csv.writer writes None as nothing and
# anything else as str() gives it, the forms Frictionless reads back).
SQLITE_FORMS = {"boolean": lambda value: int(bool(value)), "array": _as_json}
CSV_FORMS = {"boolean": lambda value: "true" if value else "false", "array": _as_json}


def row_values(table, forms, columns=None):
    """A function giving a row's values (a dict, columns missing as None) for the table's
    columns (or those named), in order, each converted by forms ({type: function}, as
    SQLITE_FORMS): the conversions looked up once per table rather than once per value."""
    fields = [f for f in schema.fields(table) if columns is None or f["name"] in columns]
    names = [f["name"] for f in fields]
    converted = [(i, forms[f["type"]]) for i, f in enumerate(fields) if f["type"] in forms]

    def values(row):
        found = [row.get(name) for name in names]
        for i, form in converted:
            if found[i] is not None:
                found[i] = form(found[i])
        return found

    return values


def csv_rows(table, rows, columns=None):
    """Rows of one table as UTF-8 CSV bytes, schema columns (or those named) in order, no
    header."""
    return b"".join(data for _, data in _csv_runs(table, rows, lambda row: None, columns))


def _csv_runs(table, rows, owner, columns=None):
    """[(owner, CSV bytes of its rows)] for each run of consecutive rows with the same
    owner(row): all rows go through one writer, and each run is cut out of its text."""
    values = row_values(table, CSV_FORMS, columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    cuts, current = [], object()
    for row in rows:
        this = owner(row)
        if this != current:
            cuts.append((this, buffer.tell()))
            current = this
        writer.writerow(values(row))
    text = buffer.getvalue()
    ends = [start for _, start in cuts[1:]] + [len(text)]
    return [(this, text[start:end].encode("utf-8")) for (this, start), end in zip(cuts, ends)]


def csv_bytes(table, rows):
    """One table as UTF-8 CSV bytes: header of schema columns, rows in the given order."""
    return join_parts(csv_layout(table), csv_parts(table, rows))


def csv_layout(table, columns=None):
    """A CSV's layout (build/write/parts.py): the header, then the rows, nothing between
    parts. columns: the schema's columns to write, when not all."""
    names = [f["name"] for f in schema.fields(table) if columns is None or f["name"] in columns]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(names)
    return [Section(buffer.getvalue().encode("utf-8"), b"", b"")]


def csv_parts(table, rows, columns=None):
    """The parts of one table's CSV (of the columns named, when not all): for a table made
    article by article, one part per article (an article's rows are consecutive, as each
    starts with its article id), ordered by its first row's primary key; for any other
    table, one part of all rows."""
    if table not in ARTICLE_TABLES:
        return [Part(0, (), None, csv_rows(table, rows, columns))]
    key = schema.resource(table)["schema"]["primaryKey"]
    firsts = {}
    for row in rows:
        firsts.setdefault(row["article_id"], tuple(row[k] for k in key))
    return [
        Part(0, firsts[article_id], article_id, data)
        for article_id, data in _csv_runs(table, rows, lambda row: row["article_id"], columns)
    ]


def write_csvs(tables, folder, previous=None, names=None):
    """Write one CSV per table (or per table in names); return {table: (index, bytes,
    sha256)} (build.write.parts.write_parts). previous, for an incremental build, is the
    last build's Previous: tables then hold the rows of the changed articles only, and
    every other article's rows are copied."""
    written = {}
    for res in schema.resources():
        name = res["name"]
        if names is not None and name not in names:
            continue
        file = f"{name}.csv"
        reuse = previous.reuse(file) if previous else None
        written[name] = write_parts(
            folder / file, csv_layout(name), csv_parts(name, tables[name]), reuse
        )
    return written


def write_text_free_articles(articles, folder, previous=None):
    """articles-text-free.csv: the articles table's CSV without its text column, written
    part by part as write_csvs writes each table (articles: the rows of the changed
    articles, in an incremental build); return what write_parts returns."""
    columns = [f["name"] for f in schema.fields("articles") if f["name"] != TEXT_COLUMN]
    return write_parts(
        folder / TEXT_FREE_ARTICLES,
        csv_layout("articles", columns),
        csv_parts("articles", articles, columns),
        previous.reuse(TEXT_FREE_ARTICLES) if previous else None,
    )


def package_descriptor(csv_files, foreign_keys=True):
    """The datapackage.json descriptor: the schema file plus each CSV's path, size and hash
    (csv_files: {table: (index, bytes, sha256)}, as write_csvs returns). Without
    foreign_keys, for validating some rows of a package apart from the rest: then only
    the tables in csv_files are listed."""
    descriptor = json.loads(json.dumps(schema.package_descriptor()))
    if not foreign_keys:
        descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] in csv_files]
    for res in descriptor["resources"]:
        _, size, digest = csv_files[res["name"]]
        res.update(
            {
                "path": f"{res['name']}.csv",
                "scheme": "file",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": size,
                "hash": f"sha256:{digest}",
            }
        )
        if not foreign_keys:
            res["schema"].pop("foreignKeys", None)
    return descriptor


def _insert_rows(connection, name, rows):
    """Insert rows into a table the schemas made. sqlite-utils' insert_all spends most of
    its time inspecting each value (about 30 s for the 800,000 rows of 10,000 articles);
    the table already has the types, so the rows go in through one executemany."""
    fields = schema.fields(name)
    columns = ", ".join(f"[{f['name']}]" for f in fields)
    connection.executemany(
        f"INSERT INTO [{name}] ({columns}) VALUES ({', '.join('?' * len(fields))})",
        map(row_values(name, SQLITE_FORMS), rows),
    )


def write_database(tables, path, index_columns):
    """Create the SQLite database from the schemas: types, keys, foreign keys, indexes, FTS."""
    # Imported here, not at the top: a build that fails its checks never writes, and exits
    # sooner without them.
    import sqlite_utils

    from build.derived.views import CANNED_QUERY_INDEXES, refresh_derived_tables

    db = sqlite_utils.Database(path, recreate=True)
    # A scratch file, swapped in only once complete, so a crash mid-build loses nothing a
    # journal would save; without these each insert batch waits for the disk. One fsync
    # (start_syncing) puts what is swapped in on disk. No VACUUM: a fresh file, filled table by
    # table, has no free pages, and the rewrite cost seconds for 1% of its size.
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    for res in schema.resources():
        name = res["name"]
        fields = res["schema"]["fields"]
        required = {f["name"] for f in fields if f.get("constraints", {}).get("required")}
        db[name].create(
            {f["name"]: schema.SQLITE_TYPES[f["type"]] for f in fields},
            pk=tuple(res["schema"]["primaryKey"])
            if len(res["schema"]["primaryKey"]) > 1
            else res["schema"]["primaryKey"][0],
            not_null=required,
            foreign_keys=schema.foreign_keys(name),
        )
        _insert_rows(db.conn, name, tables[name])
    for table, indexes in [*READ_INDEXES.items(), *CANNED_QUERY_INDEXES.items()]:
        for columns in indexes:
            db[table].create_index(columns)
    # Not sqlite-utils' index_foreign_keys, which counts single-column indexes only: a key
    # leading one of the indexes above (or a composite primary key) needs none of its own.
    for name in db.table_names():
        _index_leading(db[name], [key.column for key in db[name].foreign_keys])
    # After the keys' indexes, which its joins need (at 10,000 articles the chains alone
    # take minutes without them), and before the facets' indexes, some on derived tables.
    refresh_derived_tables(db)
    for table, columns in index_columns.items():
        if table not in db.table_names():
            continue  # a view: its underlying tables' columns are indexed
        _index_leading(db[table], columns)
    for table, columns in SEARCHABLE.items():
        db[table].enable_fts(columns, create_triggers=False, tokenize="porter")
    broken = db.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise BuildError(_broken_keys(broken))
    db.execute("ANALYZE")
    db.conn.commit()
    db.close()


def _index_leading(table, columns):
    """Index each of columns that no index of the table leads with: an index led by the
    column serves its lookups."""
    led = {index.columns[0] for index in table.indexes}
    for column in dict.fromkeys(columns):
        if column not in led:
            table.create_index([column])
            led.add(column)


def _broken_keys(broken):
    return [
        Problem(DATABASE_NAME, None, row[0], f"foreign key broken: row {row[1]} -> {row[2]}")
        for row in broken
    ]


def patch_database(tables, path, owners):
    """Bring a copy of the last build's database up to date, for an incremental build: the
    rows of the articles in owners (changed, added or removed) go, the article rows in
    tables come in, the other tables' rows are updated in place (only their derived
    columns can differ: any other change to them makes a full build), and the derived
    tables (build/derived/views.py) are refreshed for those articles."""
    from build.derived.views import refresh_derived_tables

    db = sqlite3.connect(path)  # plain: a refresh needs no more (and sqlite_utils imports numpy)
    db.execute("PRAGMA journal_mode = OFF")  # a scratch copy, as in write_database
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("BEGIN")
    # Checked at the end: an article's rows go out and come back in within this transaction.
    db.execute("PRAGMA defer_foreign_keys = ON")
    db.execute("CREATE TEMP TABLE owners (article_id TEXT PRIMARY KEY)")
    db.executemany("INSERT INTO owners VALUES (?)", [(owner,) for owner in sorted(owners)])
    searchable = [
        (table, columns) for table, columns in SEARCHABLE.items() if table in ARTICLE_TABLES
    ]
    before = {table: _owners_rows(db, table) for table in ARTICLE_TABLES}
    for table, columns in searchable:
        names = ", ".join(f"[{c}]" for c in columns)
        # External-content full-text tables forget a row only when told its old values.
        db.execute(
            f"INSERT INTO [{table}_fts] ([{table}_fts], rowid, {names}) "
            f"SELECT 'delete', rowid, {names} FROM [{table}] WHERE article_id IN (SELECT article_id FROM owners)"
        )
    for table in reversed(ARTICLE_TABLES):
        db.execute(f"DELETE FROM [{table}] WHERE article_id IN (SELECT article_id FROM owners)")
    for table in ARTICLE_TABLES:
        _insert_rows(db, table, tables[table])
    for table, columns in searchable:
        names = ", ".join(f"[{c}]" for c in columns)
        db.execute(
            f"INSERT INTO [{table}_fts] (rowid, {names}) "
            f"SELECT rowid, {names} FROM [{table}] WHERE article_id IN (SELECT article_id FROM owners)"
        )
    changed = set()
    for table in ARTICLE_TABLES:
        changed |= _changed_columns(table, before[table], _owners_rows(db, table))
    for res in schema.resources():
        if res["name"] not in ARTICLE_TABLES:
            changed |= _update_rows(db, res["name"], tables[res["name"]])
    try:
        # It commits: the foreign keys are checked then.
        refresh_derived_tables(db, owners, changed)
        db.commit()
    except sqlite3.IntegrityError:
        broken = db.execute("PRAGMA foreign_key_check").fetchall()
        raise BuildError(
            _broken_keys(broken) or [Problem(DATABASE_NAME, None, "", "a foreign key is broken")]
        )
    finally:
        db.close()


def _owners_rows(db, table):
    """{primary key: row} of an article table's rows of the articles in the temp table owners."""
    names = [f["name"] for f in schema.fields(table)]
    key = [names.index(k) for k in schema.resource(table)["schema"]["primaryKey"]]
    rows = db.execute(
        f"SELECT {', '.join(f'[{n}]' for n in names)} FROM [{table}] "
        "WHERE article_id IN (SELECT article_id FROM owners)"
    )
    return {tuple(row[i] for i in key): row for row in rows}


def _changed_columns(table, before, after):
    """What patching changed in an article table, as refresh_derived_tables takes it:
    (table, column) for each column whose value changed in a row kept, (table, "*") when
    rows came or went, (table, "ROWID") when any were put back."""
    names = [f["name"] for f in schema.fields(table)]
    changed = {(table, "ROWID")} if before or after else set()
    if before.keys() != after.keys():
        changed.add((table, "*"))
    for key in before.keys() & after.keys():
        changed |= {
            (table, name) for name, old, new in zip(names, before[key], after[key]) if old != new
        }
    return changed


def _update_rows(db, name, rows):
    """Update a table's rows from those given, through the primary key, so that each row
    keeps its rowid (and so its full-text entry); return the (table, column) pairs whose
    values changed. An incremental build runs only when actors.yml, claims.yml and the
    scores are unchanged, so these are the same rows, and only their derived columns
    (counts, status, first report) can differ; the database's own (DATABASE_COLUMNS) it
    works out itself, after."""
    key = schema.resource(name)["schema"]["primaryKey"]
    # Keys are left out of the SET list: were they in it, SQLite would count every row
    # referring to each key (the 100,000 mentions of an actor) as if it could change.
    columns = [
        f["name"]
        for f in schema.fields(name)
        if f["name"] not in key and f["name"] not in DATABASE_COLUMNS.get(name, ())
    ]
    names = ", ".join(f"[{column}]" for column in [*key, *columns])
    stored = {
        tuple(row[: len(key)]): row[len(key) :]
        for row in db.execute(f"SELECT {names} FROM [{name}]")
    }
    values = row_values(name, SQLITE_FORMS, columns)
    changed, updates = set(), []
    for row in rows:
        new, old = values(row), stored.get(tuple(row[k] for k in key))
        if old is None:
            changed.add((name, "*"))
        elif tuple(new) == tuple(old):
            continue
        else:
            changed |= {(name, c) for c, was, now in zip(columns, old, new) if was != now}
        updates.append(new + [row[k] for k in key])
    assignments = ", ".join(f"[{column}] = ?" for column in columns)
    db.executemany(
        f"UPDATE [{name}] SET {assignments} WHERE {' AND '.join(f'[{k}] = ?' for k in key)}",
        updates,
    )
    return changed


def load_site_metadata(path):
    """The hand-written Datasette metadata (title, license, facets...) from metadata.yml.

    Raises BuildError naming the file and line when it cannot be read (encoding, YAML
    syntax, duplicate keys) or names a column a table does not have (a facet, sort or
    label column), which would otherwise fail while writing or when served."""
    shown = _shown(path)
    metadata = load_yaml(path, shown)
    if metadata is None:
        return {}
    if not isinstance(metadata, Record):
        raise BuildError(
            [
                Problem(
                    shown,
                    getattr(metadata, "line", 1),
                    "",
                    "expected a mapping of Datasette metadata (title: ..., databases: ...)",
                )
            ]
        )
    problems = check_site_metadata(metadata, shown)
    if problems:
        raise BuildError(problems)
    return metadata


def _shown(path):
    """A path as messages show it: relative to the working folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def check_site_metadata(metadata, shown):
    """Problems with the table settings of metadata.yml: shapes, and columns the tables lack;
    HTML that is not safe to show (build/check/strict.py html_problem)."""
    problems = html_problems(metadata, shown)
    databases = _mapping(metadata, "databases", "databases", shown, problems)
    database = _mapping(
        databases, Path(DATABASE_NAME).stem, "databases.provenance", shown, problems
    )
    tables = _mapping(database, "tables", "databases.provenance.tables", shown, problems)
    known = {
        res["name"]: {f["name"] for f in res["schema"]["fields"]} for res in schema.resources()
    }
    for table in tables:
        where = f"databases.provenance.tables.{table}"
        config = _mapping(tables, table, where, shown, problems)
        columns = known.get(table)  # None for a view: its columns are not in the schema
        problems.extend(_sort_problems(config, table, columns, where, shown))
        problems.extend(_facet_problems(config, table, columns, where, shown))
    return problems


def _mapping(parent, key, where, shown, problems):
    """parent[key] when it is a mapping; an empty Record when it is absent, or is not a
    mapping (then with a problem added to problems)."""
    value = parent.get(key)
    if value is None:
        return Record()
    if not isinstance(value, dict):
        problems.append(
            Problem(shown, parent.line_of(key), where, "expected a mapping (key: value lines)")
        )
        return Record()
    return value


def _no_column(shown, line, where, table, name, columns):
    """The problem of a setting that names a column the table lacks."""
    return Problem(
        shown,
        line,
        where,
        f"table {table} has no column {name!r} (its columns: {', '.join(sorted(columns))})",
    )


def _sort_problems(config, table, columns, where, shown):
    """Problems with a table's sort, sort_desc and label_column (columns None: not checked)."""
    problems = []
    for key in ("sort", "sort_desc", "label_column"):
        value = config.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append(
                Problem(shown, config.line_of(key), f"{where}.{key}", "expected a column name")
            )
        elif columns is not None and value not in columns:
            problems.append(
                _no_column(shown, config.line_of(key), f"{where}.{key}", table, value, columns)
            )
    if config.get("sort") is not None and config.get("sort_desc") is not None:
        problems.append(
            Problem(
                shown,
                config.line_of("sort_desc"),
                f"{where}.sort_desc",
                "give sort or sort_desc, not both: Datasette answers every visitor of the table with an error (500) then",
            )
        )
    return problems


def _facet_problems(config, table, columns, where, shown):
    """Problems with a table's facets: a list of column names or {array: column}."""
    facets = config.get("facets")
    if facets is None:
        return []
    if not isinstance(facets, list):
        return [
            Problem(
                shown,
                config.line_of("facets"),
                f"{where}.facets",
                "expected a list of columns ([a, b])",
            )
        ]
    problems = []
    for index, facet in enumerate(facets):
        line = line_of_item(facets, index, config.line_of("facets"))
        names = (
            [facet]
            if isinstance(facet, str)
            else list(facet.values())
            if isinstance(facet, dict)
            else [None]
        )
        for name in names:
            at = f"{where}.facets[{index}]"
            if not isinstance(name, str):
                problems.append(
                    Problem(shown, line, at, "expected a column name, or {array: column}")
                )
            elif columns is not None and name not in columns:
                problems.append(_no_column(shown, line, at, table, name, columns))
    return problems


def html_problems(value, shown, where=""):
    """Problems with every description_html (and any other *_html) anywhere in metadata.yml."""
    problems = []
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and key.endswith("_html") and isinstance(item, str):
                message = strict.html_problem(item)
                if message:
                    problems.append(
                        Problem(
                            shown,
                            value.line_of(key) if isinstance(value, Record) else None,
                            name,
                            message,
                        )
                    )
            else:
                problems.extend(html_problems(item, shown, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems.extend(html_problems(item, shown, f"{where}[{index}]"))
    return problems


def datasette_metadata(site_metadata):
    """metadata.yml plus each table's title, description and column descriptions from the schemas."""
    metadata = json.loads(json.dumps(site_metadata))
    database = metadata.setdefault("databases", {}).setdefault(Path(DATABASE_NAME).stem, {})
    tables = database.setdefault("tables", {})
    for res in schema.resources():
        table = tables.setdefault(res["name"], {})
        table.setdefault("title", res["title"])
        table.setdefault("description", " ".join(res["description"].split()))
        table["columns"] = {f["name"]: f["description"] for f in res["schema"]["fields"]}
    return metadata


def facet_columns(site_metadata):
    """{table: [columns]} of every facet and sort column metadata.yml declares, to be indexed."""
    columns = {}
    tables = site_metadata.get("databases", {}).get(Path(DATABASE_NAME).stem, {}).get("tables", {})
    for table, config in tables.items():
        columns.setdefault(table, []).extend(
            config[key] for key in ("sort", "sort_desc") if isinstance(config.get(key), str)
        )
        for facet in config.get("facets", []):
            if isinstance(facet, str):
                columns.setdefault(table, []).append(facet)
            elif isinstance(facet, dict):
                columns.setdefault(table, []).extend(
                    v for v in facet.values() if isinstance(v, str)
                )
    return columns


def validate_package(descriptor_path):
    """Problems Frictionless finds in a written package, one per error, naming resource,
    row and field; large packages are validated on every core."""
    with contextlib.ExitStack() as stack:
        return start_validating(descriptor_path, stack)()


def start_validating(descriptor_path, stack, whole=False, beside=0):
    """Start validating a written package; return a function that waits for the problems.
    Each resource is validated on its own (inside its package, so foreign keys are checked),
    in worker processes, largest first, when the package is large: Frictionless validates a
    package with foreign keys on one core only. The workers belong to `stack` (an ExitStack),
    and run while the caller does other work. whole validates a small package in one go:
    an incremental build's new rows, or the rows written after the database. When the
    build it is part of is large (beside: the bytes of that build's outputs), that is on one
    worker process, checked while the rest is written (Frictionless is not imported
    here); else in this process, as the problems are taken, since a worker starting
    Frictionless afresh costs more than a small build's whole validation."""
    descriptor_path = Path(descriptor_path)
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
        sizes = {res["name"]: res.get("bytes", 0) for res in descriptor["resources"]}
    except (OSError, ValueError, KeyError, TypeError) as error:
        problem = Problem(PACKAGE_NAME, None, "", f"cannot read the package descriptor: {error}")
        return lambda: [problem]
    if whole:
        reports = map_on_cores(
            _validate_resource,
            [(str(descriptor_path), None)],
            stack,
            worth_it=beside >= PARALLEL_VALIDATION_FROM_BYTES,
        )
        return lambda: list(dict.fromkeys(next(iter(reports))))
    largest_first = sorted(sizes, key=lambda name: -sizes[name])
    jobs = [(str(descriptor_path), name) for name in largest_first]
    reports = map_on_cores(
        _validate_resource,
        jobs,
        stack,
        worth_it=sum(sizes.values()) >= PARALLEL_VALIDATION_FROM_BYTES,
    )

    def problems():
        by_resource = dict(zip(largest_first, reports))
        # In package order; a broken descriptor is reported by every resource, so once.
        return list(dict.fromkeys(problem for name in sizes for problem in by_resource[name]))

    return problems


# Below this many bytes of CSV, starting worker processes costs more than it saves.
PARALLEL_VALIDATION_FROM_BYTES = 2_000_000


def _validate_resource(job):
    """Problems in one resource of a package (every resource when name is None):
    [(Problem), ...] (Frictionless's report, flattened)."""
    from frictionless import Package, FrictionlessException

    descriptor_path, name = job
    try:
        package = _loaded_package(Package, descriptor_path)
        report = package.validate() if name is None else package.get_resource(name).validate()
    except FrictionlessException as error:
        return [Problem(PACKAGE_NAME, None, "", f"{error.error.type}: {error.error.note}")]
    problems = []
    for task in report.tasks:
        for error in task.errors:
            row = getattr(error, "row_number", None)
            field = getattr(error, "field_name", "") or ""
            problems.append(
                Problem(f"data/{task.name}.csv", row, field, f"{error.type}: {error.note}")
            )
    for error in report.errors:
        problems.append(Problem(PACKAGE_NAME, None, "", f"{error.type}: {error.note}"))
    return problems


# The package last loaded in this process, for the next resource of the same package:
# reading a descriptor of 20 resources costs Frictionless more than validating most of them.
_last_package = {}


def _loaded_package(package_class, descriptor_path):
    """The Frictionless package of descriptor_path, loaded again only when the file is
    another (a new build writes a new file: another inode, size or time)."""
    stat = os.stat(descriptor_path)
    key = (descriptor_path, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if key not in _last_package:
        _last_package.clear()
        _last_package[key] = package_class(descriptor_path)
    return _last_package[key]


WRITE_STAGES = ["CSV files", "database", "exports", "validation", "swap"]


class Previous(NamedTuple):
    """The last build's outputs, for an incremental build to copy from (build/incremental/rebuild.py)."""

    data_dir: Path
    parts: dict  # file name: (its parts' index, bytes, sha256), as write_parts returned them
    owners: frozenset  # ids of the articles whose rows are made again (or are gone)

    def reuse(self, name):
        """What write_parts needs to copy the unchanged parts of one file."""
        return self.data_dir / name, self.parts[name], self.owners


class Written(NamedTuple):
    paths: list  # every file written, in data_dir
    parts: dict  # as Previous.parts, for the next build


def write_outputs(
    tables, data_dir, site_metadata_path, site_metadata=None, progress=None, previous=None
):
    """Write every output into a scratch folder beside data_dir, validate, then swap them in.
    site_metadata, when given, is metadata.yml as load_site_metadata already read it;
    progress, when given, wraps the stages as progress(items, length, label).

    previous, for an incremental build, is the last build's Previous: the article tables
    in tables then hold the rows of previous.owners only, and everything else is copied
    from the outputs in previous.data_dir (the database, patched in a copy).

    Frictionless validates every row against its table's schema (in an incremental build
    the new rows of the tables whose CSV changed: the copied ones passed before), and
    SQLite checks the keys, unique and foreign, across all rows.

    Under the data folder's build lock, published all or nothing (build/write/publish.py)."""
    data_dir = Path(data_dir)
    if site_metadata is None:
        site_metadata = load_site_metadata(site_metadata_path)
    with build_lock(data_dir):
        return _write_outputs(tables, data_dir, site_metadata, progress, previous)


def _write_outputs(tables, data_dir, site_metadata, progress, previous):
    scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=data_dir))
    stages = iter(
        progress(WRITE_STAGES, len(WRITE_STAGES), "writing") if progress else WRITE_STAGES
    )
    try:
        next(stages)
        database = scratch / DATABASE_NAME
        with contextlib.ExitStack() as workers, concurrent.futures.ThreadPoolExecutor(1) as copier:
            if previous:
                # The kernel copies the last database (the largest output) while this thread
                # writes the CSVs: the copy does not hold the interpreter.
                copied = copier.submit(shutil.copyfile, previous.data_dir / DATABASE_NAME, database)
            # Frictionless checks the CSVs in other processes while this one writes the rest;
            # an incremental build's new rows apart, once its CSVs show which tables changed.
            early = [r["name"] for r in schema.resources() if r["name"] not in DATABASE_COLUMNS]
            csv_files = write_csvs(tables, scratch, previous, early)
            if previous:
                validation_problems = _start_validating_new_rows(
                    tables, scratch, previous, csv_files, workers
                )
            else:
                _write_package(scratch, csv_files, foreign_keys=False, name=ROWS_PACKAGE_NAME)
                validation_problems = start_validating(scratch / ROWS_PACKAGE_NAME, workers)
            # The last database may still be being copied into scratch: not its file yet.
            syncing = start_syncing(copier, (scratch / f"{name}.csv" for name in csv_files), [])
            next(stages)
            if previous:
                copied.result()
                patch_database(tables, str(database), previous.owners)
            else:
                write_database(tables, str(database), facet_columns(site_metadata))
            csv_files.update(_read_back(tables, database, scratch, previous))
            late_problems = start_validating(
                scratch / LATE_ROWS_PACKAGE_NAME, workers, whole=True, beside=_bytes(csv_files)
            )
            # datapackage.json, with the release's version, sources and licences, and its text-free variant
            text_free = write_text_free_articles(tables["articles"], scratch, previous)
            package = release_outputs(
                scratch, package_descriptor(csv_files), tables["releases"], database, text_free
            )
            (scratch / METADATA_NAME).write_text(
                json.dumps(
                    release_site_metadata(datasette_metadata(site_metadata), package),
                    indent=2,
                    ensure_ascii=False,
                )
                + "\n",
                encoding="utf-8",
            )
            syncing = start_syncing(copier, files_in(scratch), syncing)
            next(stages)
            # The exports are read from the database just written: a pure function of it.
            with contextlib.closing(sqlite3.connect(scratch / DATABASE_NAME)) as db:
                exports = write_exports(db, scratch, previous)
            syncing = start_syncing(copier, files_in(scratch), syncing)
            next(stages)
            problems = validation_problems() + late_problems()
            for synced in syncing:
                synced.result()
        if problems:
            raise BuildError(_by_key(problems, tables) if previous else problems)
        next(stages, None)
        names = (
            [f"{res['name']}.csv" for res in schema.resources()]
            + [PACKAGE_NAME, *RELEASE_OUTPUTS, METADATA_NAME, DATABASE_NAME]
            + list(exports)
        )
        publish(scratch, data_dir, names)
        parts = {f"{name}.csv": written for name, written in csv_files.items()}
        parts[TEXT_FREE_ARTICLES] = text_free
        parts.update(exports)
        return Written([data_dir / name for name in names], parts)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _start_validating_new_rows(tables, scratch, previous, csv_files, workers):
    """Start validating the new rows of an incremental build (start_validating's function
    for their problems): those of each table whose CSV is not the last build's byte for
    byte, for every row of an unchanged file passed validation then."""
    changed = [
        name
        for name, (_, _, digest) in csv_files.items()
        if digest != previous.parts[f"{name}.csv"][2]
    ]
    if not changed:
        return lambda: []
    new_rows = scratch / "new-rows"
    new_rows.mkdir()
    _write_package(new_rows, write_csvs(tables, new_rows, None, changed), False)
    return start_validating(
        new_rows / PACKAGE_NAME, workers, whole=True, beside=_bytes(previous.parts)
    )


def _bytes(written):
    """The bytes of the files in {name: (index, bytes, sha256)}, as write_parts returns them."""
    return sum(size for _, size, _ in written.values())


def _read_back(tables, database, folder, previous):
    """Set the DATABASE_COLUMNS of the rows in tables from the database just written, and
    write those tables' CSVs, with a package to validate their rows; return {table:
    (index, bytes, sha256)}, as write_csvs does."""
    late = {}  # new rows: the caller's tables are left as they were given
    with contextlib.closing(sqlite3.connect(database)) as db:
        for name, columns in DATABASE_COLUMNS.items():
            key = schema.resource(name)["schema"]["primaryKey"]
            names = ", ".join(f"[{c}]" for c in [*key, *columns])
            values = {
                tuple(row[: len(key)]): row[len(key) :]
                for row in db.execute(f"select {names} from [{name}]")
            }
            late[name] = [
                {**row, **dict(zip(columns, values[tuple(row[k] for k in key)]))}
                for row in tables[name]
            ]
    written = write_csvs({**tables, **late}, folder, previous, list(DATABASE_COLUMNS))
    _write_package(folder, written, foreign_keys=False, name=LATE_ROWS_PACKAGE_NAME)
    return written


def _write_package(folder, csv_files, foreign_keys=True, name=PACKAGE_NAME):
    descriptor = package_descriptor(csv_files, foreign_keys)
    (folder / name).write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def _by_key(problems, tables):
    """Problems in the new rows of an incremental build, located by each row's primary key:
    their row numbers count in the new rows alone, not in the published CSV."""
    located = []
    for problem in problems:
        name = Path(problem.file).stem
        if (
            problem.line is None
            or name not in tables
            or not 2 <= problem.line < len(tables[name]) + 2
        ):
            located.append(problem)
            continue
        row = tables[name][problem.line - 2]
        key = ", ".join(str(row[k]) for k in schema.resource(name)["schema"]["primaryKey"])
        located.append(Problem(problem.file, None, problem.field, f"row {key}: {problem.message}"))
    return located
