"""What `provenance check` tells a reviewer about drafts: the files the build leaves out
(still `status: drafted`), and the files marked reviewed that still hold drafted items or
proposals (which the build leaves out, or does not read, without saying so); and each
corpus article a draft's `repeats` says its text repeats or shares passages with.

Only files that hold the words `drafted` or `proposed_` are parsed again, so a corpus of
reviewed files costs one read of each file's bytes."""

from pathlib import Path

from build.extractor.draft import repeat_message
from build.problems import BuildError, Problem
from build.read import limits
from build.read.seeds import display_path, parse_yaml_bytes

ITEM_LISTS = ("citations", "mentions", "denials", "retractions", "doubts", "identifications")
PROPOSALS = ("proposed_actors", "proposed_claims")


def review_notes(seeds_dir):
    """[Problem] to show as warnings: one per file left out, and per list of drafted items or
    proposals in a file marked reviewed."""
    notes = []
    for path in sorted(Path(seeds_dir, "articles").glob("*.yml")):
        if not limits.is_seed_name(path.name) or limits.file_problem(
            path, seeds_dir, limits.MAX_YAML_BYTES
        ):
            continue  # not an article (an editor's lock file), or the check proper reports it
        data = path.read_bytes()
        if b"drafted" not in data and b"proposed_" not in data:
            continue
        shown = display_path(path, Path(seeds_dir))
        try:
            record = parse_yaml_bytes(data, shown)
        except BuildError:
            continue  # the check proper reports it
        if not isinstance(record, dict):
            continue
        notes.extend(_file_notes(record, shown))
    return notes


def _line(record, key):
    line_of = getattr(record, "line_of", None)
    return line_of(key) if line_of else None


def _file_notes(record, shown):
    drafted = {
        key: [
            i for i in record.get(key) or () if isinstance(i, dict) and i.get("status") == "drafted"
        ]
        for key in ITEM_LISTS
    }
    proposals = {key: record.get(key) or [] for key in PROPOSALS}
    if record.get("status") == "drafted":
        counts = (
            ", ".join(f"{len(items)} {key}" for key, items in drafted.items() if items)
            or "no items"
        )
        return [
            Problem(
                shown,
                _line(record, "status"),
                "status",
                f"left out of the build: the file is still drafted ({counts} drafted); review the metadata "
                "and each item, then set `status: reviewed`",
            )
        ] + _repeat_notes(record, shown)
    notes = []
    for key, items in drafted.items():
        if items:
            first = getattr(items[0], "line", None) or _line(record, key)
            notes.append(
                Problem(
                    shown,
                    first,
                    key,
                    f"the file is marked reviewed but {len(items)} of its {key} are still "
                    "`status: drafted` and are left out of the build: review each (or delete it)",
                )
            )
    for key, items in proposals.items():
        if items:
            target = "seeds/actors.yml" if key == "proposed_actors" else "seeds/claims.yml"
            notes.append(
                Problem(
                    shown,
                    _line(record, key),
                    key,
                    f"the file is marked reviewed but still holds {len(items)} "
                    f"{key.replace('_', ' ')}, which the build does not read: move those you keep to {target}, "
                    "then delete the section",
                )
            )
    return notes + _repeat_notes(record, shown)


def _repeat_notes(record, shown):
    """In a drafted file, one note per corpus article its `repeats` names (what the draft
    warned); in a file marked reviewed, one that the section is still there."""
    entries = [e for e in record.get("repeats") or () if isinstance(e, dict)]
    if entries and record.get("status") != "drafted":
        return [
            Problem(
                shown,
                _line(record, "repeats"),
                "repeats",
                f"the file is marked reviewed but still holds `repeats` ({len(entries)} corpus "
                "articles its text shares passages with), which the build does not read: say under "
                "`republishes:` what the text republishes, then delete the section",
            )
        ]
    return [
        Problem(
            shown,
            getattr(entry, "line", None) or _line(record, "repeats"),
            "repeats",
            repeat_message(entry),
        )
        for entry in entries
    ]
