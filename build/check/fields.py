"""What a seed entry may hold, the checker that holds it to that, and the row it fills.

Every check reports a Problem naming the file, line and field. Allowed values (enums,
patterns, required fields) come from the table schemas, so the seeds and the published
tables cannot drift; a row takes its columns from the schema too (`fill`)."""

import difflib
import re
from build import schema
from build.check import strict
from build.check.dates import date_range, parse_date
from build.problems import Problem
from build.read.seeds import Items, Record, display_path, line_of_item

SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class Spec:
    """What one key of a seed entry may hold, and the column of the row it fills (by
    default the column of its own name, when the table has one)."""

    def __init__(
        self,
        kind="string",
        required=False,
        enum=None,
        pattern=None,
        items=None,
        fills=None,
        format=None,
    ):
        self.kind, self.required, self.enum, self.pattern = kind, required, enum, pattern
        self.items = items  # for a list: "string" when every item must be text
        self.fills = fills
        self.format = format  # "uri": a web address (build/check/strict.py)


def column(table, name, **overrides):
    """A Spec taken from a published column, so seeds obey the table's own rules."""
    fld = schema.field(table, name)
    constraints = fld.get("constraints", {})
    spec = Spec(
        kind={"string": "string", "date": "date", "integer": "integer"}.get(
            fld["type"], fld["type"]
        ),
        required=constraints.get("required", False),
        enum=constraints.get("enum"),
        pattern=constraints.get("pattern"),
        fills=name,
        format=fld.get("format"),
    )
    for key, value in overrides.items():
        setattr(spec, key, value)
    return spec


QUOTE = {
    "quote": Spec(required=True),
    "occurrence": Spec("integer"),
}
# What the extractor adds to each item it drafts (seeds/README.md, "Drafts"): offsets,
# a confidence, and `status: drafted` until a person marks the item reviewed.
STATUS = Spec(enum=["drafted", "reviewed"])
DRAFTED = {
    "start": Spec("offset"),
    "end": Spec("offset"),
    "confidence": Spec("number"),
    "status": STATUS,
}


_COLUMNS = {}


def _columns(table, keys):
    """((column, the seed key that fills it, or None), ...) in the schema's order."""
    found = _COLUMNS.get((table, id(keys)))
    if found is not None:
        return found
    names = [f["name"] for f in schema.fields(table)]
    sources = {}
    for key, spec in keys.items():
        target = spec.fills or (key if key in names else None)
        if target is not None:
            sources.setdefault(target, key)
    found = _COLUMNS[table, id(keys)] = tuple((name, sources.get(name)) for name in names)
    return found


def fill(table, entry, keys, **values):
    """A row of `table`: each column from values when given there, else from the seed key
    whose Spec fills it, else None."""
    return {
        name: values[name] if name in values else (entry.get(key) if key is not None else None)
        for name, key in _columns(table, keys)
    }


def is_drafted(record):
    """True when an article file or item is still as the extractor drafted it."""
    return isinstance(record, dict) and record.get("status") == "drafted"


class Checker:
    """Collects problems while checking the entries of one file."""

    def __init__(self, file):
        self.file = file
        self.problems = []

    def add(self, line, field, message):
        self.problems.append(Problem(self.file, line, field, message))

    def entry(self, record, keys, where, line=None):
        """Check an entry's keys and values against their specs.

        Returns the entry holding only its well-typed values (text where text is
        expected, lists of text, whole numbers...), so that later checks can use
        them without tripping over a list where an id belongs; the names of the
        keys that were given but dropped are in its `invalid`. Returns None when
        the entry is not a mapping at all."""
        if not isinstance(record, Record):
            self.add(
                getattr(record, "line", None) or line,
                where or "(file)",
                f"expected a mapping (key: value lines), got {describe(record)}",
            )
            return None
        clean = Record()
        clean.line, clean.key_lines, clean.invalid = record.line, record.key_lines, set()
        for key in record:
            if key not in keys:
                close = difflib.get_close_matches(str(key), list(keys), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.add(
                    record.line_of(key),
                    _join(where, key),
                    f"unknown field: {hint}expected one of: {', '.join(keys)}",
                )
        for key, spec in keys.items():
            value = record.get(key)
            if value is None or value == "" or value == []:
                if spec.required:
                    self.add(
                        record.line_of(key), _join(where, key), "required field is missing or empty"
                    )
                continue
            checked = self.value(value, spec, record.line_of(key), _join(where, key))
            if checked is None:
                clean.invalid.add(key)
            else:
                clean[key] = checked
        return clean

    def value(self, value, spec, line, name):
        """The value if it has the spec's type (dates as text), else None; problems noted."""
        if spec.kind == "mapping":
            if not isinstance(value, Record):
                self.add(
                    line, name, f"expected a mapping (key: value lines), got {describe(value)}"
                )
                return None
            return value
        if spec.kind == "text-or-list" and isinstance(value, str):
            return value
        if spec.kind in ("list", "text-or-list"):
            if not isinstance(value, list):
                self.add(
                    line,
                    name,
                    f"expected a list ([a, b], or one '- ' item per line), got {describe(value)}",
                )
                return None
            return (
                self.string_items(value, line, name)
                if spec.items == "string" or spec.kind == "text-or-list"
                else value
            )
        check = _VALUE_CHECKS.get(spec.kind)
        if check is not None:
            message = check(value)
            if message is not None:
                self.add(line, name, message)
                return None
            return value
        if spec.kind == "partial-date" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            hint = (
                " (yes/no/on/off/true/false read as true or false: put the text in quotes)"
                if isinstance(value, bool)
                else " (put it in quotes)"
                if isinstance(value, (int, float))
                else ""
            )
            self.add(line, name, f"expected text, got {describe(value)}{hint}")
            return None
        for message in _text_problems(value, spec):
            self.add(line, name, message)
        return value

    def string_items(self, value, line, name):
        """A list whose every item is text, with the items' lines; None (problems noted) if not."""
        kept = Items()
        kept.line, kept.item_lines = getattr(value, "line", line), []
        for index, item in enumerate(value):
            if isinstance(item, str) and item:
                kept.append(item)
                kept.item_lines.append(line_of_item(value, index, line))
            else:
                self.add(
                    line_of_item(value, index, line),
                    f"{name}[{index}]",
                    f"expected text, got {describe(item)}",
                )
        return kept if len(kept) == len(value) else None


def _text_problems(value, spec):
    """What is wrong with a text value: not in the enum, off the pattern, not a real date."""
    if spec.enum and value not in spec.enum:
        yield f"{value!r} is not one of: {', '.join(spec.enum)}"
    if spec.pattern and not re.fullmatch(spec.pattern, value):
        yield f"{value!r} does not match the pattern {spec.pattern}"
    if spec.kind == "date" and parse_date(value) is None:
        yield f"{value!r} is not a real date (YYYY-MM-DD)"
    if spec.kind == "partial-date" and date_range(value) is None:
        yield f"{value!r} is not a real date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM+HH:MM)"
    if spec.format == "uri" and strict.web_url_problem(value):
        yield strict.web_url_problem(value)


def _whole(value):
    return isinstance(value, int) and not isinstance(value, bool)


# Checks of the values that are neither text nor lists: each returns None when the value
# is good, else the message.
_VALUE_CHECKS = {
    "boolean": lambda value: (
        None if isinstance(value, bool) else f"expected true or false, got {describe(value)}"
    ),
    "offset": lambda value: (
        None
        if _whole(value) and value >= 0
        else f"expected a character offset (a whole number from 0), got {describe(value)}"
    ),
    "number": lambda value: (
        None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1
        else f"expected a number from 0 to 1, got {describe(value)}"
    ),
    "integer": lambda value: (
        None
        if _whole(value) and value >= 1
        else f"expected a whole number from 1 (1 = the first), got {describe(value)}"
    ),
}


def describe(value):
    """A value as messages name it: its kind, and the value itself when short."""
    if isinstance(value, dict):
        return "a mapping (key: value lines)"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    kind = {bool: "true/false", int: "number", float: "number", str: "text"}.get(
        type(value), type(value).__name__
    )
    shown = repr(value)
    return f"{kind} {shown if len(shown) <= 60 else shown[:57] + '...'}"


def _join(where, key):
    return f"{where}.{key}" if where else str(key)


def entry_name(record, index):
    """How messages name an entry of actors.yml or claims.yml: its id, else its position."""
    entry_id = record.get("id") if isinstance(record, dict) else None
    return entry_id if isinstance(entry_id, str) and entry_id else f"[{index}]"


def unique_entries(items, keys, noun, check):
    """(where, id, record) of each entry of a list file (actors.yml, claims.yml) that is a
    mapping with an id not seen before; a repeated id is a problem."""
    seen = set()
    for index, raw in enumerate(items):
        where = entry_name(raw, index)
        record = check.entry(raw, keys, where, line_of_item(items, index))
        entry_id = record.get("id") if record is not None else None
        if entry_id is None:
            continue
        if entry_id in seen:
            check.add(record.line_of("id"), f"{where}.id", f"duplicate {noun} id {entry_id!r}")
            continue
        seen.add(entry_id)
        yield where, entry_id, record


def list_items(record, key):
    """(index, item, line) of each item of a list field; nothing when it is missing or not a list."""
    value = record.get(key) or []
    return [
        (index, item, line_of_item(value, index, record.line_of(key)))
        for index, item in enumerate(value)
    ]


def undrafted_items(record, key, include_drafts, skipped):
    """list_items, less the drafted items unless include_drafts; the ids of those left out go in skipped."""
    kept = []
    for index, raw, line in list_items(record, key):
        if is_drafted(raw) and not include_drafts:
            skipped.add(raw.get("id"))
            continue
        kept.append((index, raw, line))
    return kept


def seed_file(seeds, name):
    return display_path(seeds.root / name, seeds.root)
