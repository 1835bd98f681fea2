"""The table schemas in build/schema.yml, and what the rest of the build asks of them."""

from functools import lru_cache
from pathlib import Path

import yaml

SCHEMA_FILE = Path(__file__).with_name("schema.yml")

SQLITE_TYPES = {
    "string": str,
    "integer": int,
    "boolean": int,
    "date": str,
    "array": str,
    "number": float,
}


@lru_cache(maxsize=None)
def package_descriptor():
    """The Frictionless data package descriptor, without paths (the writer adds them)."""
    # libyaml when present: the pure-Python parser takes a tenth of a second over this
    # file, on every command; both read this plain file alike.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(SCHEMA_FILE.read_text(encoding="utf-8"), Loader=loader)


def resources():
    """Every table's resource descriptor, in creation order."""
    return package_descriptor()["resources"]


def resource(table):
    """The resource descriptor of one table."""
    for res in resources():
        if res["name"] == table:
            return res
    raise KeyError(table)


def fields(table):
    """The field descriptors of one table, in column order."""
    return resource(table)["schema"]["fields"]


def field(table, name):
    """One field descriptor."""
    for fld in fields(table):
        if fld["name"] == name:
            return fld
    raise KeyError(f"{table}.{name}")


def enum(table, name):
    """The allowed values of an enum field."""
    return field(table, name)["constraints"]["enum"]


def foreign_keys(table):
    """(column, other table, other column) for each foreign key; self references resolved."""
    keys = []
    for fk in resource(table)["schema"].get("foreignKeys", []):
        ref = fk["reference"]
        keys.append((fk["fields"][0], ref["resource"] or table, ref["fields"][0]))
    return keys
