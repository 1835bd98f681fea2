"""seeds/actors.yml -> the actors and actor_aliases rows."""

from build.check.fields import Checker, Spec, column, fill, seed_file, unique_entries
from build.read.seeds import Record, line_of_item

ACTOR_KEYS = {
    "id": column("actors", "actor_id"),
    "name": column("actors", "name"),
    "kind": column("actors", "kind"),
    "country": Spec(fills="country_id"),
    "description": column("actors", "description"),
    "aliases": Spec("list"),  # each item text or an ALIAS_KEYS mapping, checked in _aliases
}
ALIAS_KEYS = {"alias": Spec(required=True), "misspelling": Spec("boolean"), "note": Spec()}


def check_actors(seeds, problems):
    """({actor id: row}, alias rows) of actors.yml; problems appended to `problems`."""
    file = seed_file(seeds, "actors.yml")
    check = Checker(file)
    actors, records, aliases, alias_owner = {}, {}, [], {}
    for where, actor_id, record in unique_entries(seeds.actors, ACTOR_KEYS, "actor", check):
        records[actor_id] = record
        actors[actor_id] = fill(
            "actors", record, ACTOR_KEYS, source_file=file, source_line=record.line
        )
        aliases += _aliases(record, where, actor_id, alias_owner, check)
    for actor_id, record in records.items():
        _check_country(actors, actor_id, record, check)
    problems += check.problems
    return actors, aliases


def _aliases(record, where, actor_id, alias_owner, check):
    """The alias rows of one actor; an alias another actor has already is a problem."""
    rows = []
    for alias_index, entry in enumerate(record.get("aliases") or []):
        alias_where = f"{where}.aliases[{alias_index}]"
        item_line = line_of_item(record["aliases"], alias_index, record.line_of("aliases"))
        if isinstance(entry, str):
            entry_record = Record(alias=entry)
            entry_record.line = item_line
        else:
            entry_record = check.entry(entry, ALIAS_KEYS, alias_where, item_line)
            if entry_record is None:
                continue
        alias = entry_record.get("alias")
        if not isinstance(alias, str) or not alias.strip():
            continue
        line = entry_record.line or record.line_of("aliases")
        if alias in alias_owner:
            check.add(
                line,
                alias_where,
                f"alias {alias!r} already belongs to actor {alias_owner[alias]!r}",
            )
            continue
        alias_owner[alias] = actor_id
        rows.append(
            fill(
                "actor_aliases",
                entry_record,
                ALIAS_KEYS,
                actor_id=actor_id,
                misspelling=bool(entry_record.get("misspelling", False)),
                mention_count=0,
                source_file=check.file,
                source_line=line,
            )
        )
    return rows


def _check_country(actors, actor_id, record, check):
    country = actors[actor_id]["country_id"]
    if country is None:
        return
    if country not in actors:
        check.add(record.line_of("country"), f"{actor_id}.country", f"unknown actor id {country!r}")
    elif actors[country]["kind"] != "country":
        check.add(
            record.line_of("country"),
            f"{actor_id}.country",
            f"{country!r} is not an actor of kind country",
        )
