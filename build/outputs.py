"""Write the assembled tables: SQLite database, one CSV per table, datapackage.json,
Datasette's metadata and the linked-data exports (build/exports.py). Everything is
written to a scratch folder, validated, and only then moved over the previous
outputs, so a failed build leaves the last good outputs untouched."""

import contextlib
import csv
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import sqlite_utils

from build import schema
from build.exports import write_exports
from build.problems import BuildError, Problem
from build.seeds import Record, line_of_item, load_yaml
from build.views import create_views
from build.workers import map_on_cores

DATABASE_NAME = "provenance.db"
METADATA_NAME = "metadata.json"
PACKAGE_NAME = "datapackage.json"

# Full-text search: which columns of which tables.
SEARCHABLE = {
    "articles": ["title", "text"],
    "claims": ["statement", "note"],
    "claim_mentions": ["quote"],
    "actors": ["name", "description"],
}


def cell(value, field_type):
    """A value as stored in SQLite: booleans as 0/1, lists as JSON text."""
    if value is None:
        return None
    if field_type == "boolean":
        return int(bool(value))
    if field_type == "array":
        return json.dumps(value, ensure_ascii=False)
    return value


def csv_cell(value, field_type):
    """A value as written to CSV, in the forms Frictionless reads back."""
    if value is None:
        return ""
    if field_type == "boolean":
        return "true" if value else "false"
    if field_type == "array":
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def csv_bytes(table, rows):
    """One table as UTF-8 CSV bytes: header of schema columns, rows in the given order."""
    fields = schema.fields(table)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f["name"] for f in fields])
    for row in rows:
        writer.writerow([csv_cell(row.get(f["name"]), f["type"]) for f in fields])
    return buffer.getvalue().encode("utf-8")


def write_csvs(tables, folder):
    """Write one CSV per table; return {table: bytes} for the package's hashes."""
    written = {}
    for res in schema.resources():
        data = csv_bytes(res["name"], tables[res["name"]])
        (folder / f"{res['name']}.csv").write_bytes(data)
        written[res["name"]] = data
    return written


def package_descriptor(csv_data):
    """The datapackage.json descriptor: the schema file plus each CSV's path, size and hash."""
    descriptor = json.loads(json.dumps(schema.package_descriptor()))
    for res in descriptor["resources"]:
        data = csv_data[res["name"]]
        res.update({
            "path": f"{res['name']}.csv",
            "scheme": "file",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": len(data),
            "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
        })
    return descriptor


def write_database(tables, path, index_columns):
    """Create the SQLite database from the schemas: types, keys, foreign keys, indexes, FTS."""
    db = sqlite_utils.Database(path, recreate=True)
    # A scratch file, swapped in only once complete, so a crash mid-build loses nothing a
    # journal would save; without these each insert batch waits for the disk. VACUUM's
    # final rewrite runs with synchronous back on, so what is swapped in is on disk.
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    for res in schema.resources():
        name = res["name"]
        fields = res["schema"]["fields"]
        required = {f["name"] for f in fields if f.get("constraints", {}).get("required")}
        db[name].create(
            {f["name"]: schema.SQLITE_TYPES[f["type"]] for f in fields},
            pk=tuple(res["schema"]["primaryKey"]) if len(res["schema"]["primaryKey"]) > 1 else res["schema"]["primaryKey"][0],
            not_null=required,
            foreign_keys=schema.foreign_keys(name),
        )
        # sqlite-utils' insert_all spends most of its time inspecting each value (about
        # 30 s for the 800,000 rows of 10,000 articles); the table it created already has
        # the types, so the rows go in through one executemany.
        columns = ", ".join(f"[{f['name']}]" for f in fields)
        db.conn.executemany(
            f"INSERT INTO [{name}] ({columns}) VALUES ({', '.join('?' * len(fields))})",
            ([cell(row.get(f["name"]), f["type"]) for f in fields] for row in tables[name]),
        )
    db.index_foreign_keys()
    for table, columns in index_columns.items():
        if table not in db.table_names():
            continue  # a view: its underlying tables' columns are indexed
        existing = {tuple(index.columns) for index in db[table].indexes}
        for column in columns:
            if (column,) not in existing:
                db[table].create_index([column])
    for table, columns in SEARCHABLE.items():
        db[table].enable_fts(columns, create_triggers=False, tokenize="porter")
    create_views(db)
    broken = db.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise BuildError([Problem(DATABASE_NAME, None, row[0], f"foreign key broken: row {row[1]} -> {row[2]}") for row in broken])
    db.execute("ANALYZE")
    db.conn.commit()
    db.execute("PRAGMA synchronous = FULL")
    db.vacuum()
    db.close()


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
        raise BuildError([Problem(shown, getattr(metadata, "line", 1), "", "expected a mapping of Datasette metadata (title: ..., databases: ...)")])
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
    """Problems with the table settings of metadata.yml: shapes, and columns the tables lack."""
    problems = []

    def mapping(parent, key, where):
        value = parent.get(key)
        if value is None:
            return Record()
        if not isinstance(value, dict):
            problems.append(Problem(shown, parent.line_of(key), where, "expected a mapping (key: value lines)"))
            return Record()
        return value

    database = mapping(mapping(metadata, "databases", "databases"), Path(DATABASE_NAME).stem, "databases.provenance")
    tables = mapping(database, "tables", "databases.provenance.tables")
    known = {res["name"]: {f["name"] for f in res["schema"]["fields"]} for res in schema.resources()}
    for table in tables:
        where = f"databases.provenance.tables.{table}"
        config = mapping(tables, table, where)
        columns = known.get(table)  # None for a view: its columns are not in the schema
        for key in ("sort", "sort_desc", "label_column"):
            value = config.get(key)
            if value is None:
                continue
            if not isinstance(value, str):
                problems.append(Problem(shown, config.line_of(key), f"{where}.{key}", "expected a column name"))
            elif columns is not None and value not in columns:
                problems.append(Problem(shown, config.line_of(key), f"{where}.{key}", f"table {table} has no column {value!r} (its columns: {', '.join(sorted(columns))})"))
        facets = config.get("facets")
        if facets is None:
            continue
        if not isinstance(facets, list):
            problems.append(Problem(shown, config.line_of("facets"), f"{where}.facets", "expected a list of columns ([a, b])"))
            continue
        for index, facet in enumerate(facets):
            line = line_of_item(facets, index, config.line_of("facets"))
            names = [facet] if isinstance(facet, str) else list(facet.values()) if isinstance(facet, dict) else [None]
            for name in names:
                if not isinstance(name, str):
                    problems.append(Problem(shown, line, f"{where}.facets[{index}]", "expected a column name, or {array: column}"))
                elif columns is not None and name not in columns:
                    problems.append(Problem(shown, line, f"{where}.facets[{index}]", f"table {table} has no column {name!r} (its columns: {', '.join(sorted(columns))})"))
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
    """{table: [columns]} of every facet metadata.yml declares, to be indexed."""
    columns = {}
    tables = site_metadata.get("databases", {}).get(Path(DATABASE_NAME).stem, {}).get("tables", {})
    for table, config in tables.items():
        for facet in config.get("facets", []):
            if isinstance(facet, str):
                columns.setdefault(table, []).append(facet)
            elif isinstance(facet, dict):
                columns.setdefault(table, []).extend(v for v in facet.values() if isinstance(v, str))
    return columns


def validate_package(descriptor_path):
    """Problems Frictionless finds in a written package, one per error, naming resource,
    row and field; large packages are validated on every core."""
    with contextlib.ExitStack() as stack:
        return start_validating(descriptor_path, stack)()


def start_validating(descriptor_path, stack):
    """Start validating a written package; return a function that waits for the problems.
    Each resource is validated on its own (inside its package, so foreign keys are checked),
    in worker processes, largest first, when the package is large: Frictionless validates a
    package with foreign keys on one core only. The workers belong to `stack` (an ExitStack),
    and run while the caller does other work."""
    descriptor_path = Path(descriptor_path)
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
        sizes = {res["name"]: res.get("bytes", 0) for res in descriptor["resources"]}
    except (OSError, ValueError, KeyError, TypeError) as error:
        problem = Problem(PACKAGE_NAME, None, "", f"cannot read the package descriptor: {error}")
        return lambda: [problem]
    largest_first = sorted(sizes, key=lambda name: -sizes[name])
    jobs = [(str(descriptor_path), name) for name in largest_first]
    reports = map_on_cores(_validate_resource, jobs, stack, worth_it=sum(sizes.values()) >= PARALLEL_VALIDATION_FROM_BYTES)

    def problems():
        by_resource = dict(zip(largest_first, reports))
        # In package order; a broken descriptor is reported by every resource, so once.
        return list(dict.fromkeys(problem for name in sizes for problem in by_resource[name]))

    return problems


# Below this many bytes of CSV, starting worker processes costs more than it saves.
PARALLEL_VALIDATION_FROM_BYTES = 2_000_000


def _validate_resource(job):
    """Problems in one resource of a package: [(Problem), ...] (Frictionless's report, flattened)."""
    from frictionless import Package, FrictionlessException

    descriptor_path, name = job
    try:
        report = Package(descriptor_path).get_resource(name).validate()
    except FrictionlessException as error:
        return [Problem(PACKAGE_NAME, None, "", f"{error.error.type}: {error.error.note}")]
    problems = []
    for task in report.tasks:
        for error in task.errors:
            row = getattr(error, "row_number", None)
            field = getattr(error, "field_name", "") or ""
            problems.append(Problem(f"data/{task.name}.csv", row, field, f"{error.type}: {error.note}"))
    for error in report.errors:
        problems.append(Problem(PACKAGE_NAME, None, "", f"{error.type}: {error.note}"))
    return problems


WRITE_STAGES = ["CSV files", "database", "exports", "validation", "swap"]


def write_outputs(tables, data_dir, site_metadata_path, site_metadata=None, progress=None):
    """Write every output into a scratch folder beside data_dir, validate, then swap them in.
    site_metadata, when given, is metadata.yml as load_site_metadata already read it;
    progress, when given, wraps the stages as progress(items, length, label)."""
    data_dir = Path(data_dir)
    if site_metadata is None:
        site_metadata = load_site_metadata(site_metadata_path)
    data_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=data_dir))
    stages = iter(progress(WRITE_STAGES, len(WRITE_STAGES), "writing") if progress else WRITE_STAGES)
    try:
        next(stages)
        csv_data = write_csvs(tables, scratch)
        descriptor = package_descriptor(csv_data)
        (scratch / PACKAGE_NAME).write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        with contextlib.ExitStack() as workers:
            # Frictionless checks the CSVs in other processes while this one writes the rest.
            validation_problems = start_validating(scratch / PACKAGE_NAME, workers)
            next(stages)
            write_database(tables, str(scratch / DATABASE_NAME), facet_columns(site_metadata))
            (scratch / METADATA_NAME).write_text(
                json.dumps(datasette_metadata(site_metadata), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            next(stages)
            # The exports are read from the database just written: a pure function of it.
            with contextlib.closing(sqlite3.connect(scratch / DATABASE_NAME)) as db:
                exports = write_exports(db, scratch)
            next(stages)
            problems = validation_problems()
        if problems:
            raise BuildError(problems)
        next(stages, None)
        names = [f"{res['name']}.csv" for res in schema.resources()] + [PACKAGE_NAME, METADATA_NAME, DATABASE_NAME] + list(exports)
        for name in names:
            os.replace(scratch / name, data_dir / name)
        return [data_dir / name for name in names]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
