"""Check the curated seeds and turn them into table rows.

Every check reports a Problem naming the file, line and field; all problems are
collected and raised together. Allowed values (enums, patterns, required fields)
come from the table schemas, so the seeds and the published tables cannot drift.
"""

import calendar
import datetime
import difflib
import re
import sys
from collections import Counter
from itertools import chain
from typing import NamedTuple

from build import schema
from build.check import story
from build.check.aliases import find_actor_mentions
from build.problems import BuildError, Problem
from build.read.seeds import Items, Record, display_path, line_of_item, sha256
from build.release.record import read_releases, release_tables

SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class Spec:
    """What one key of a seed entry may hold."""

    def __init__(self, kind="string", required=False, enum=None, pattern=None, items=None):
        self.kind, self.required, self.enum, self.pattern = kind, required, enum, pattern
        self.items = items  # for a list: "string" when every item must be text


def column(table, name, **overrides):
    """A Spec taken from a published column, so seeds obey the table's own rules."""
    fld = schema.field(table, name)
    constraints = fld.get("constraints", {})
    spec = Spec(
        kind={"string": "string", "date": "date", "integer": "integer"}.get(fld["type"], fld["type"]),
        required=constraints.get("required", False),
        enum=constraints.get("enum"),
        pattern=constraints.get("pattern"),
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
DRAFTED = {"start": Spec("offset"), "end": Spec("offset"), "confidence": Spec("number"), "status": STATUS}

ACTOR_KEYS = {
    "id": column("actors", "actor_id"),
    "name": column("actors", "name"),
    "kind": column("actors", "kind"),
    "country": Spec(),
    "description": column("actors", "description"),
    "aliases": Spec("list"),  # each item text or an ALIAS_KEYS mapping, checked in _actors
}
ALIAS_KEYS = {"alias": Spec(required=True), "misspelling": Spec("boolean"), "note": Spec()}
CLAIM_KEYS = {
    "id": column("claims", "claim_id"),
    "statement": column("claims", "statement"),
    "kind": column("claims", "kind"),
    "topic": column("claims", "topic"),
    "subject": Spec(required=True),
    "actors": Spec("list", items="string"),
    "detail_of": Spec(),
    "attribute": Spec(),
    "value": Spec(),
    "presupposes": Spec("list", items="string"),  # these two: build/story.py
    "compatible_with": Spec("list", items="string"),
    "note": Spec(),
}
ARTICLE_KEYS = {
    "text": Spec(required=True),
    "sha256": column("articles", "sha256"),
    "outlet": Spec(required=True),
    "outlet_basis": column("articles", "outlet_basis"),
    "outlet_evidence": column("articles", "outlet_evidence"),
    "title": column("articles", "title"),
    "title_basis": column("articles", "title_basis"),
    "published": column("articles", "published", kind="partial-date"),
    "date_precision": column("articles", "date_precision"),
    "date_basis": column("articles", "date_basis"),
    "date_evidence": column("articles", "date_evidence"),
    "not_before": column("articles", "not_before", required=False),
    "not_after": column("articles", "not_after", required=False),
    "url": column("articles", "url"),
    "excerpt": Spec("boolean"),
    "ends_mid_sentence": Spec("boolean"),
    "byline": column("articles", "byline"),
    "language": column("articles", "language"),
    "note": Spec(),
    "citations": Spec("list"),
    "identifications": Spec("list"),  # these four: build/story.py
    "mentions": Spec("list"),
    "denials": Spec("list"),
    "doubts": Spec("list"),
    "retractions": Spec("list"),
    "republishes": Spec("mapping"),
    "status": STATUS,
    "proposed_actors": Spec("list"),  # the extractor's proposals, for a person to move to actors.yml
    "proposed_claims": Spec("list"),  # ... and to claims.yml; the build does not read them
}
CITATION_KEYS = {
    "id": Spec(required=True, pattern=SLUG.pattern),
    **QUOTE,
    "cue": Spec(),
    "source": Spec(),  # or the author of its work (build/story.py)
    "source_basis": column("citations", "source_basis"),
    "medium": column("citations", "medium"),
    "work": Spec(pattern=SLUG.pattern),  # an id in works.yml
    "cited_article": Spec(),
    "via": Spec(),
    "note": Spec(),
    **DRAFTED,
}
MENTION_KEYS = {
    "claim": Spec(required=True),
    **QUOTE,
    "stance": column("claim_mentions", "stance"),
    "hedges": Spec("list", items="string"),
    "citation": Spec(),
    "identification": Spec(),
    "note": Spec(),
    **DRAFTED,
}
DENIAL_KEYS = {
    "id": Spec(required=True, pattern=SLUG.pattern),
    "claim": Spec(required=True),
    "denier": Spec("text-or-list", required=True),  # one actor id, or several
    "medium": column("denials", "medium"),
    "work": Spec(),  # these four: build/story.py
    "citation": Spec(),
    "grounds": Spec("list"),
    "covers": Spec("list", items="string"),
    "denied_on": column("denials", "denied_on", kind="partial-date"),
    "denied_on_basis": column("denials", "denied_on_basis"),
    **QUOTE,
    "cue": Spec(),
    "note": Spec(),
    **DRAFTED,
}

PRECISION_BY_LENGTH = {4: "year", 7: "month", 10: "day"}


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
            self.add(getattr(record, "line", None) or line, where or "(file)", f"expected a mapping (key: value lines), got {describe(record)}")
            return None
        clean = Record()
        clean.line, clean.key_lines, clean.invalid = record.line, record.key_lines, set()
        for key in record:
            if key not in keys:
                close = difflib.get_close_matches(str(key), list(keys), n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.add(record.line_of(key), _join(where, key), f"unknown field: {hint}expected one of: {', '.join(keys)}")
        for key, spec in keys.items():
            value = record.get(key)
            line, name = record.line_of(key), _join(where, key)
            if value is None or value == "" or value == []:
                if spec.required:
                    self.add(line, name, "required field is missing or empty")
                continue
            checked = self.value(value, spec, line, name)
            if checked is None:
                clean.invalid.add(key)
            else:
                clean[key] = checked
        return clean

    def value(self, value, spec, line, name):
        """The value if it has the spec's type (dates as text), else None; problems noted."""
        if spec.kind == "mapping":
            if not isinstance(value, Record):
                self.add(line, name, f"expected a mapping (key: value lines), got {describe(value)}")
                return None
            return value
        if spec.kind == "text-or-list" and isinstance(value, str):
            return value
        if spec.kind in ("list", "text-or-list"):
            if not isinstance(value, list):
                self.add(line, name, f"expected a list ([a, b], or one '- ' item per line), got {describe(value)}")
                return None
            if spec.items == "string" or spec.kind == "text-or-list":
                kept = Items()
                kept.line, kept.item_lines = getattr(value, "line", line), []
                for index, item in enumerate(value):
                    if isinstance(item, str) and item:
                        kept.append(item)
                        kept.item_lines.append(line_of_item(value, index, line))
                    else:
                        self.add(line_of_item(value, index, line), f"{name}[{index}]", f"expected text, got {describe(item)}")
                return kept if len(kept) == len(value) else None
            return value
        if spec.kind == "boolean":
            if not isinstance(value, bool):
                self.add(line, name, f"expected true or false, got {describe(value)}")
                return None
            return value
        if spec.kind == "offset":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                self.add(line, name, f"expected a character offset (a whole number from 0), got {describe(value)}")
                return None
            return value
        if spec.kind == "number":
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
                self.add(line, name, f"expected a number from 0 to 1, got {describe(value)}")
                return None
            return value
        if spec.kind == "integer":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                self.add(line, name, f"expected a whole number from 1 (1 = the first), got {describe(value)}")
                return None
            return value
        if spec.kind == "partial-date" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            hint = " (yes/no/on/off/true/false read as true or false: put the text in quotes)" if isinstance(value, bool) else " (put it in quotes)" if isinstance(value, (int, float)) else ""
            self.add(line, name, f"expected text, got {describe(value)}{hint}")
            return None
        if spec.enum and value not in spec.enum:
            self.add(line, name, f"{value!r} is not one of: {', '.join(spec.enum)}")
        if spec.pattern and not re.fullmatch(spec.pattern, value):
            self.add(line, name, f"{value!r} does not match the pattern {spec.pattern}")
        if spec.kind == "date" and parse_date(value) is None:
            self.add(line, name, f"{value!r} is not a real date (YYYY-MM-DD)")
        if spec.kind == "partial-date" and date_range(value) is None:
            self.add(line, name, f"{value!r} is not a real date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM+HH:MM)")
        return value


def describe(value):
    """A value as messages name it: its kind, and the value itself when short."""
    if isinstance(value, dict):
        return "a mapping (key: value lines)"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    kind = {bool: "true/false", int: "number", float: "number", str: "text"}.get(type(value), type(value).__name__)
    shown = repr(value)
    return f"{kind} {shown if len(shown) <= 60 else shown[:57] + '...'}"


def _join(where, key):
    return f"{where}.{key}" if where else str(key)


# The dates the seeds may give, in ASCII digits: YYYY, YYYY-MM, YYYY-MM-DD or
# YYYY-MM-DDTHH:MM with its UTC offset (Z or +HH:MM), as the schema's pattern says.
PARTIAL_DATE = re.compile(
    r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2})"
    r"(?:T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?:Z|[+-](?P<offset_hours>[0-9]{2}):(?P<offset_minutes>[0-9]{2})))?)?)?"
)


def parse_date(value):
    """A datetime.date from YYYY-MM-DD (a real day, ASCII digits), or None."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def date_range(value):
    """(first day, last day, precision) of an ISO 8601 date at year, month, day or minute
    precision (a minute with its UTC offset; the day is the day as written); None unless
    the value is one of those forms and a real date and time."""
    match = PARTIAL_DATE.fullmatch(str(value))
    if not match:
        return None
    year, month, day = (int(match[name]) if match[name] else None for name in ("year", "month", "day"))
    try:
        if day is not None:
            moment = datetime.date(year, month, day)
            if match["hour"] is None:
                return moment, moment, "day"
            numbers = [int(match[name] or 0) for name in ("hour", "minute", "offset_hours", "offset_minutes")]
            if numbers[0] > 23 or numbers[1] > 59 or numbers[2] > 23 or numbers[3] > 59:
                return None
            return moment, moment, "minute"
        if month is not None:
            return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1]), "month"
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31), "year"
    except ValueError:
        return None


def appearances(text, quote):
    """Where quote appears in text: every start offset, overlapping ones included."""
    starts, start = [], text.find(quote)
    while start != -1:
        starts.append(start)
        start = text.find(quote, start + 1)
    return starts


def locate(text, quote, occurrence):
    """(start, end, error) of the occurrence-th appearance (1 = first) of quote in text.
    Appearances may overlap ("aXa" is in "aXaXa" twice), so that each can be named."""
    starts = appearances(text, quote)
    if not starts:
        return None, None, "quote not found verbatim in the article text (copy it exactly: curly quotes, spaces and typos as printed)"
    if occurrence is None:
        if len(starts) > 1:
            places = ", ".join(str(s) for s in starts)
            return None, None, f"quote is ambiguous: found {len(starts)} times (offsets {places}); add occurrence: N (1 = the first), or quote more words"
        occurrence = 1
    if occurrence > len(starts):
        return None, None, f"occurrence {occurrence} asked, but the quote is found {len(starts)} time(s): give a number from 1 to {len(starts)}"
    start = starts[occurrence - 1]
    return start, start + len(quote), None


# The tables made article by article: each of their rows belongs to one article (its
# article_id), and no row of one article depends on another article's rows.
ARTICLE_TABLES = (
    "articles", "citations", "identifications", "claim_mentions", "denials", "denial_deniers", "denial_grounds",
    "denial_covers", "doubts", "retractions", "republications", "actor_mentions",
)


def assemble(seeds, progress=None, include_drafts=False):
    """Check every seed and return {table name: rows}; raise BuildError listing every problem.
    progress, when given, wraps the articles as progress(items, length, label). Items (and
    article files) still marked `status: drafted` are left out unless include_drafts, and
    then published with method = extractor."""
    return assemble_with_summaries(seeds, progress, include_drafts)[0]


def assemble_with_summaries(seeds, progress=None, include_drafts=False, published=None):
    """(tables, {article id: summary}) of the seeds, as assemble, with the summary of each
    article published (see article_summary; None for an article file left out as drafted).

    published, for an incremental build (build/incremental/rebuild.py), holds the summaries of the
    articles already in the outputs that were not read again: they are known to citations
    and count in the claims' and aliases' derived columns, but their rows are not made
    again, so the article tables then hold the rows of the articles in seeds only."""
    problems = []
    actors, aliases = _actors(seeds, problems)
    claims, claim_actors, claim_relations = _claims(seeds, actors, problems)
    works = story.works(seeds, actors, problems)
    article_seeds = [a for a in seeds.articles if include_drafts or not is_drafted(a.record)]
    summaries = {a.article_id: None for a in seeds.articles}
    known = {**(published or {}), **summaries}
    article_ids = {a.article_id for a in article_seeds} | {key for key, summary in known.items() if summary is not None and key not in summaries}
    rows = {name: [] for name in ARTICLE_TABLES}
    if progress:
        article_seeds = progress(article_seeds, len(article_seeds), "checking")
    for article_seed in article_seeds:
        made = _article(article_seed, actors, claims, article_ids, problems, include_drafts, works)
        if made:
            article, citations, mentions, denials, more = made
            actor_mentions = find_actor_mentions(article["article_id"], article["text"], aliases)
            made_rows = {"articles": [article], "citations": citations, "claim_mentions": mentions, "denials": denials,
                         "actor_mentions": actor_mentions, **more}
            for name in ARTICLE_TABLES:
                rows[name] += made_rows[name]
            summaries[article["article_id"]] = article_summary(article, citations, mentions, denials, actor_mentions, more)
    if problems:
        raise BuildError(problems)
    _derive_columns(claims, aliases, {**known, **summaries}, claim_relations)

    tables = {
        "actors": list(actors.values()),
        "actor_aliases": aliases,
        "articles": rows["articles"],
        "works": list(works.values()),
        "claims": list(claims.values()),
        "claim_actors": claim_actors,
        "claim_relations": claim_relations,
        **{name: rows[name] for name in ARTICLE_TABLES[1:]},
    }
    for name, table_rows in tables.items():
        key = schema.resource(name)["schema"]["primaryKey"]
        table_rows.sort(key=lambda row: [row[k] for k in key])
    tables["extractor_scores"] = _extractor_scores(seeds, article_ids, problems)
    tables.update(release_tables(seeds.releases or read_releases(seeds.root)))
    if problems:
        raise BuildError(problems)
    return tables, summaries


def _extractor_scores(seeds, article_ids, problems):
    """The rows of seeds/extractor_scores.csv (written by `provenance evaluate`), typed by
    the schema: published as they are, since scoring takes seconds per article."""
    file = _seed_file(seeds, "extractor_scores.csv")
    fields = {f["name"]: f["type"] for f in schema.fields("extractor_scores")}
    rows = []
    for record in seeds.extractor_scores:
        row = {}
        for name, kind in fields.items():
            value = record.get(name) or None
            try:
                row[name] = value if value is None or kind == "string" else int(value) if kind == "integer" else float(value)
            except ValueError:
                problems.append(Problem(file, record.line, name, f"expected {'a whole number' if kind == 'integer' else 'a number'}, got {value!r}: run `make evaluate` to write this file afresh"))
        if row.get("article_id") and row["article_id"] not in article_ids:
            problems.append(Problem(file, record.line, "article_id", f"unknown article {row['article_id']!r}: the scores are stale, run `make evaluate`"))
        rows.append(row)
    return sorted(rows, key=lambda row: row.get("score_id") or "")


def is_drafted(record):
    """True when an article file or item is still as the extractor drafted it."""
    return isinstance(record, dict) and record.get("status") == "drafted"


def _items(record, key, include_drafts, skipped):
    """_list, less the drafted items unless include_drafts; the ids of those left out go in skipped."""
    kept = []
    for index, raw, line in _list(record, key):
        if is_drafted(raw) and not include_drafts:
            skipped.add(raw.get("id"))
            continue
        kept.append((index, raw, line))
    return kept


def _actors(seeds, problems):
    file = _seed_file(seeds, "actors.yml")
    check = Checker(file)
    actors, aliases, alias_owner = {}, [], {}
    for index, raw in enumerate(seeds.actors):
        where = _entry_name(raw, index)
        record = check.entry(raw, ACTOR_KEYS, where, line_of_item(seeds.actors, index))
        if record is None:
            continue
        actor_id = record.get("id")
        if actor_id is None:
            continue
        if actor_id in actors:
            check.add(record.line_of("id"), f"{where}.id", f"duplicate actor id {actor_id!r}")
            continue
        actors[actor_id] = {
            "actor_id": actor_id,
            "name": record.get("name"),
            "kind": record.get("kind"),
            "country_id": record.get("country"),
            "description": record.get("description"),
            "source_file": file,
            "source_line": record.line,
            "_record": record,
        }
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
                check.add(line, alias_where, f"alias {alias!r} already belongs to actor {alias_owner[alias]!r}")
                continue
            alias_owner[alias] = actor_id
            aliases.append({
                "alias": alias,
                "actor_id": actor_id,
                "misspelling": bool(entry_record.get("misspelling", False)),
                "note": entry_record.get("note"),
                "mention_count": 0,
                "source_file": file,
                "source_line": line,
            })
    for actor in actors.values():
        record = actor.pop("_record")
        country = actor["country_id"]
        if country is not None:
            if country not in actors:
                check.add(record.line_of("country"), f"{actor['actor_id']}.country", f"unknown actor id {country!r}")
            elif actors[country]["kind"] != "country":
                check.add(record.line_of("country"), f"{actor['actor_id']}.country", f"{country!r} is not an actor of kind country")
    problems += check.problems
    return actors, aliases


def _claims(seeds, actors, problems):
    file = _seed_file(seeds, "claims.yml")
    check = Checker(file)
    claims, records, claim_actors = {}, {}, []
    for index, raw in enumerate(seeds.claims):
        where = _entry_name(raw, index)
        record = check.entry(raw, CLAIM_KEYS, where, line_of_item(seeds.claims, index))
        if record is None:
            continue
        claim_id = record.get("id")
        if claim_id is None:
            continue
        if claim_id in claims:
            check.add(record.line_of("id"), f"{where}.id", f"duplicate claim id {claim_id!r}")
            continue
        records[claim_id] = record
        claims[claim_id] = {
            "claim_id": claim_id,
            "statement": record.get("statement"),
            "kind": record.get("kind"),
            "topic": record.get("topic"),
            "subject_id": record.get("subject"),
            "detail_of": record.get("detail_of"),
            "attribute": record.get("attribute"),
            "value": record.get("value"),
            "status": "undenied",
            "mention_count": 0,
            "article_count": 0,
            "denial_count": 0,
            "first_article_id": None,
            "first_reported": None,
            "first_not_before": None,
            "first_not_after": None,
            "first_candidates": 0,
            "first_uncertain": False,
            "note": record.get("note"),
            "source_file": file,
            "source_line": record.line,
        }
    for claim_id, claim in claims.items():
        record = records[claim_id]
        subject = claim["subject_id"]
        if subject is not None and subject not in actors:
            check.add(record.line_of("subject"), f"{claim_id}.subject", f"unknown actor id {subject!r}")
        involved = record.get("actors") or []
        for actor_index, actor_id in enumerate(involved):
            if actor_id not in actors:
                check.add(line_of_item(involved, actor_index, record.line_of("actors")), f"{claim_id}.actors[{actor_index}]", f"unknown actor id {actor_id!r}")
        parent = claim["detail_of"]
        if parent is not None and parent not in claims:
            check.add(record.line_of("detail_of"), f"{claim_id}.detail_of", f"unknown claim id {parent!r}")
        if (claim["attribute"] is None) != (claim["value"] is None):
            check.add(record.line, claim_id, "attribute and value go together: give both or neither")
        if claim["attribute"] is not None and parent is None:
            check.add(record.line_of("attribute"), f"{claim_id}.attribute", "an attribute needs detail_of (the claim it is a detail of)")
        seen, cursor = {claim_id}, parent
        while cursor in claims:
            if cursor in seen:
                check.add(record.line_of("detail_of"), f"{claim_id}.detail_of", "detail_of goes round in a circle")
                break
            seen.add(cursor)
            cursor = claims[cursor]["detail_of"]
        claim_actors.append({"claim_id": claim_id, "actor_id": subject, "role": "subject"})
        for actor_id in dict.fromkeys(involved):
            if actor_id != subject:
                claim_actors.append({"claim_id": claim_id, "actor_id": actor_id, "role": "involved"})
    relations = story.claim_relations(check, records, claims)
    problems += check.problems
    return claims, claim_actors, relations


def _article(seed, actors, claims, article_ids, problems, include_drafts=False, works=None):
    """Rows for one article (article, citations, mentions, denials, {table: rows} of the
    tables build/story.py makes), or None when it has problems."""
    check = Checker(seed.path)
    before = len(problems)
    record = check.entry(seed.record, ARTICLE_KEYS, "")
    article_id = seed.article_id
    if not SLUG.fullmatch(article_id):
        check.add(None, "", f"file name {article_id!r} is not a valid article id (lower-case words joined by hyphens)")

    text = None
    if seed.text_bytes is not None:
        recorded = record.get("sha256")
        actual = sha256(seed.text_bytes)
        if isinstance(recorded, str) and recorded != actual:
            check.add(record.line_of("sha256"), "sha256", f"{record.get('text')} has sha256 {actual}, not the recorded {recorded}: the text changed; "
                      "texts are kept as received, so restore it, or if the change is meant, check every quote and record the new sha256")
        text = _article_text(seed.text_bytes, record, check)
    outlet = record.get("outlet")
    if outlet is not None and outlet not in actors:
        check.add(record.line_of("outlet"), "outlet", f"unknown actor id {outlet!r}")

    not_before, not_after = _article_dates(record, check)

    def quoted(entry, where):
        """Offsets of the entry's quote, checking cue, hedges; (None, None) when unlocatable."""
        quote = entry.get("quote")
        if text is None or quote is None or "occurrence" in entry.invalid:
            return None, None
        start, end, error = locate(text, quote, entry.get("occurrence"))
        if error:
            field = "occurrence" if error.startswith("occurrence") else "quote"
            check.add(entry.line_of(field), f"{where}.{field}", f"{error}: {quote!r}")
        elif "start" in entry and entry["start"] != start:
            check.add(entry.line_of("start"), f"{where}.start", f"the quote is at {start}, not {entry['start']}: correct start and end, or remove them (the build finds the quote)")
        cue = entry.get("cue")
        if cue is not None and cue not in quote:
            check.add(entry.line_of("cue"), f"{where}.cue", f"cue {cue!r} is not inside the quote")
        for hedge in entry.get("hedges") or []:
            if hedge not in quote:
                check.add(entry.line_of("hedges"), f"{where}.hedges", f"hedge {hedge!r} is not inside the quote")
        return start, end

    def provenance(entry):
        method = "extractor" if is_drafted(entry) or is_drafted(seed.record) else "curated"
        return {"method": method, "source_file": seed.path, "source_line": entry.line}

    def unresolved(entry, references):
        """True for a drafted item resting on an actor or claim only proposed so far:
        published with --include-drafts only once the proposal is in actors.yml or claims.yml."""
        return is_drafted(entry) and any(
            value not in known for key, known in references
            for value in ([entry.get(key)] if isinstance(entry.get(key), str) else entry.get(key) or []))

    skipped = set()  # ids of drafted items left out
    ctx = story.ArticleContext(article_id, check, record, actors, claims, works or {}, article_ids, quoted, provenance,
                               lambda rec, key, skip: _items(rec, key, include_drafts, skip))
    ctx.text = text
    flags = story.article_fields(ctx)

    citations, citation_records = {}, {}
    for index, raw, line in _items(record, "citations", include_drafts, skipped):
        where = f"citations[{index}]"
        entry = check.entry(raw, CITATION_KEYS, where, line)
        if entry is None:
            continue
        if unresolved(entry, [("source", actors)]):
            skipped.add(entry.get("id"))
            continue
        local = entry.get("id")
        if local is None:
            continue
        if local in citation_records:
            check.add(entry.line_of("id"), f"{where}.id", f"duplicate citation id {local!r}")
            continue
        start, end = quoted(entry, where)
        source = entry.get("source")
        if source is not None and source not in actors:
            check.add(entry.line_of("source"), f"{where}.source", f"unknown actor id {source!r}")
        source, work_id, work_title = story.citation_work(ctx, entry, where, source)
        cited = entry.get("cited_article")
        if cited is not None and cited not in article_ids:
            check.add(entry.line_of("cited_article"), f"{where}.cited_article", f"unknown article id {cited!r} (article ids are the file names in seeds/articles/, without .yml)")
        if cited == article_id:
            check.add(entry.line_of("cited_article"), f"{where}.cited_article", "an article cannot cite itself")
        citation_records[local] = entry
        citations[local] = {
            "citation_id": f"{article_id}_{local}",
            "article_id": article_id,
            "source_id": source,
            "source_basis": entry.get("source_basis"),
            "medium": entry.get("medium"),
            "work_id": work_id,
            "work": work_title,
            "cited_article_id": cited,
            "via_citation_id": None,
            "cue": entry.get("cue"),
            "quote": entry.get("quote"),
            "quote_start": start,
            "quote_end": end,
            "note": entry.get("note"),
            **provenance(entry),
        }
    for local, entry in citation_records.items():
        via = entry.get("via")
        if via is None:
            continue
        if via not in citations:
            check.add(entry.line_of("via"), f"citations.{local}.via", f"unknown citation id {via!r} in this article")
            continue
        seen, cursor = {local}, via
        while cursor is not None:
            if cursor in seen:
                check.add(entry.line_of("via"), f"citations.{local}.via", "via goes round in a circle")
                break
            seen.add(cursor)
            cursor = citation_records.get(cursor, {}).get("via")
        citations[local]["via_citation_id"] = f"{article_id}_{via}"
    ctx.citations = citations
    identifications = story.identifications(ctx)

    mentions = []
    for index, raw, line in _items(record, "mentions", include_drafts, skipped):
        where = f"mentions[{index}]"
        entry = check.entry(raw, MENTION_KEYS, where, line)
        if entry is None:
            continue
        if unresolved(entry, [("claim", claims), ("citation", citations)]):
            continue
        start, end = quoted(entry, where)
        claim = entry.get("claim")
        if claim is not None and claim not in claims:
            check.add(entry.line_of("claim"), f"{where}.claim", f"unknown claim id {claim!r}")
        citation = entry.get("citation")
        if citation is not None and citation not in citations:
            still = " (it is still drafted: review it too, or empty this citation)" if citation in skipped else ""
            check.add(entry.line_of("citation"), f"{where}.citation", f"unknown citation id {citation!r} in this article{still}")
        hedges = list(entry.get("hedges") or [])
        mentions.append({
            "mention_id": None,
            "article_id": article_id,
            "claim_id": claim,
            "quote": entry.get("quote"),
            "quote_start": start,
            "quote_end": end,
            "stance": entry.get("stance"),
            "hedges": hedges,
            "hedged": bool(hedges),
            "citation_id": citations[citation]["citation_id"] if citation in citations else None,
            "voice_id": citations[citation]["source_id"] if citation in citations else outlet,
            "identification_id": story.mention_identification(ctx, entry, where),
            "note": entry.get("note"),
            **provenance(entry),
        })

    denials, denial_ids, denials_by_local = [], set(), {}
    more = {"identifications": identifications, "denial_deniers": [], "denial_grounds": [], "denial_covers": []}
    for index, raw, line in _items(record, "denials", include_drafts, skipped):
        where = f"denials[{index}]"
        entry = check.entry(raw, DENIAL_KEYS, where, line)
        if entry is None:
            continue
        if unresolved(entry, [("claim", claims), ("denier", actors)]):
            continue
        local = entry.get("id")
        if local is not None and local in denial_ids:
            check.add(entry.line_of("id"), f"{where}.id", f"duplicate denial id {local!r}")
        denial_ids.add(local)
        start, end = quoted(entry, where)
        claim = entry.get("claim")
        if claim is not None and claim not in claims:
            check.add(entry.line_of("claim"), f"{where}.claim", f"unknown claim id {claim!r}")
        extra, deniers, grounds, covers = story.denial_extras(ctx, entry, where, f"{article_id}_{local}")
        more["denial_deniers"] += deniers
        more["denial_grounds"] += grounds
        more["denial_covers"] += covers
        denied_on = entry.get("denied_on")
        if ("denied_on" in raw and raw["denied_on"] is not None) != ("denied_on_basis" in raw and raw["denied_on_basis"] is not None):
            check.add(entry.line, where, "denied_on and denied_on_basis go together: give both or neither")
        denials.append({
            "denial_id": f"{article_id}_{local}",
            "article_id": article_id,
            "claim_id": claim,
            **extra,
            "medium": entry.get("medium"),
            "denied_on": None if denied_on is None else str(denied_on),
            "denied_on_basis": entry.get("denied_on_basis"),
            "cue": entry.get("cue"),
            "quote": entry.get("quote"),
            "quote_start": start,
            "quote_end": end,
            "note": entry.get("note"),
            **provenance(entry),
        })
        denials_by_local[local] = denials[-1]
    more.update(story.after_denials(ctx, denials_by_local))

    problems += check.problems
    if len(problems) > before:
        return None
    _number_mentions(article_id, mentions)
    published = str(record.get("published"))
    article = {
        "article_id": article_id,
        "title": record.get("title"),
        "title_basis": record.get("title_basis"),
        "outlet_id": outlet,
        "outlet_basis": record.get("outlet_basis"),
        "outlet_evidence": record.get("outlet_evidence"),
        "published": published,
        "date_precision": record.get("date_precision"),
        "date_basis": record.get("date_basis"),
        "date_evidence": record.get("date_evidence"),
        "not_before": not_before.isoformat(),
        "not_after": not_after.isoformat(),
        "url": record.get("url"),
        **flags,
        "byline": record.get("byline"),
        "language": record.get("language"),
        "note": record.get("note"),
        "text_file": f"seeds/{record.get('text')}",
        "sha256": sha256(seed.text_bytes),
        "characters": len(text),
        "text": text,
        "source_file": seed.path,
    }
    return article, list(citations.values()), mentions, denials, more


def _entry_name(record, index):
    """How messages name an entry of actors.yml or claims.yml: its id, else its position."""
    entry_id = record.get("id") if isinstance(record, dict) else None
    return entry_id if isinstance(entry_id, str) and entry_id else f"[{index}]"


def _list(record, key):
    """(index, item, line) of each item of a list field; nothing when it is missing or not a list."""
    value = record.get(key) or []
    return [(index, item, line_of_item(value, index, record.line_of(key))) for index, item in enumerate(value)]


CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")


def _article_text(data, record, check):
    """The article text decoded from its bytes, or None with a problem when it is not
    UTF-8 text: another encoding, a byte-order mark, NUL bytes or control characters
    (binary data), or nothing at all. Markup is text like any other and kept verbatim."""
    name, line = record.get("text"), record.line_of("text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        check.add(line, "text", f"{name} is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8, then update sha256")
        return None
    if b"\0" in data:
        at = data.index(b"\0")
        at_line = data.count(b"\n", 0, at) + 1
        check.add(line, "text", f"{name} holds NUL bytes (the first at byte offset {at}, line {at_line}): "
                  "it is binary data (or UTF-16), not article text; put the plain UTF-8 text there")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        at = data.count(b"\n", 0, error.start) + 1
        check.add(line, "text", f"{name} is not valid UTF-8 ({error.reason}: byte 0x{data[error.start]:02X} at byte offset {error.start}, line {at}); "
                  "it looks like another encoding (Latin-1, Windows-1252?): save it as UTF-8, then update sha256")
        return None
    if text.startswith("\ufeff"):
        check.add(line, "text", f"{name} starts with a byte-order mark (U+FEFF), which would become an invisible first character of the text: save it as UTF-8 without a BOM, then update sha256")
        return None
    control = CONTROL.search(text)
    if control:
        at = text.count("\n", 0, control.start()) + 1
        check.add(line, "text", f"{name} holds the control character U+{ord(control.group()):04X} at character {control.start()} (line {at}): "
                  "it is binary data, not article text; put the plain UTF-8 text there")
        return None
    if not text.strip():
        check.add(line, "text", f"{name} is empty: put the article's text there")
        return None
    return text


def _article_dates(record, check):
    """(not_before, not_after) of an article, checked against published and its precision."""
    published = record.get("published")
    span = date_range(published) if published is not None else None
    if span is None:
        return None, None
    first, last, precision = span
    stated = record.get("date_precision")
    if stated in schema.enum("articles", "date_precision") and stated != precision:
        check.add(record.line_of("date_precision"), "date_precision", f"published {published!r} is given to the {precision}, not the {stated}")
    bounds = []
    for key, default in (("not_before", first), ("not_after", last)):
        value = record.get(key)
        bounds.append(parse_date(value) if isinstance(value, str) and parse_date(value) else default)
    not_before, not_after = bounds
    if not_before > not_after:
        check.add(record.line_of("not_before"), "not_before", f"{not_before} is after not_after {not_after}: swap them, or correct one")
    for key, bound in (("not_before", not_before), ("not_after", not_after)):
        if key in record and not first <= bound <= last:
            check.add(record.line_of(key), key, f"{bound} lies outside published {published!r} ({first}..{last}): "
                      "the bounds narrow published down, so they must lie within it; correct the bound or published")
    return not_before, not_after


def _number_mentions(article_id, mentions):
    """Give mentions stable ids: article_claim, then _2, _3 in text order for repeats."""
    seen = Counter()
    for mention in sorted(mentions, key=lambda m: (m["quote_start"], m["quote_end"], m["claim_id"])):
        seen[mention["claim_id"]] += 1
        suffix = "" if seen[mention["claim_id"]] == 1 else f"_{seen[mention['claim_id']]}"
        mention["mention_id"] = f"{article_id}_{mention['claim_id']}{suffix}"


def date_order(articles_by_id):
    """Sort key putting article ids in date order: earliest possible day, latest, then id."""
    return lambda article_id: (articles_by_id[article_id]["not_before"], articles_by_id[article_id]["not_after"], article_id)


class Summary(NamedTuple):
    """What the corpus-wide columns need of one article's rows (see article_summary)."""

    not_before: str
    not_after: str
    published: str
    cites: tuple  # the corpus articles it cites
    claims: tuple  # the claim of each of its claim mentions
    denials: tuple  # the claim of each denial it reports
    aliases: tuple  # the alias of each of its actor mentions
    covers: tuple = ()  # the further claims its denials cover (denial_covers)


def article_summary(article, citations, mentions, denials, actor_mentions, more=None):
    """What the corpus-wide columns need of one article's rows: its dates, the claims it
    carries and reports denials of, the aliases it uses, and the corpus articles it cites.
    An incremental build keeps these for the articles it does not read again; the ids are
    interned, so that ten thousand summaries store each id once."""
    intern = sys.intern
    return Summary(
        article["not_before"], article["not_after"], article["published"],
        tuple(sorted({intern(c["cited_article_id"]) for c in citations if c["cited_article_id"]} | story.cross_references(more or {}))),
        tuple(intern(m["claim_id"]) for m in mentions),
        tuple(intern(d["claim_id"]) for d in denials),
        tuple(intern(m["alias"]) for m in actor_mentions),
        tuple(intern(c["claim_id"]) for c in (more or {}).get("denial_covers", ())),
    )


def _derive_columns(claims, aliases, summaries, relations=()):
    """The aliases' mention counts, and the claims' status, counts and first report, from
    the summaries of every published article ({article id: Summary, or None}).

    A claim's first report is uncertain when articles whose date windows overlap could
    each be the first: those whose not_before is no later than the earliest not_after
    of the articles carrying it (the first candidates). Status: denied when a denial
    addresses the claim, parent-denied when a denial reaches it only through detail_of,
    presupposes (claim_relations) or a denial's covers, else undenied for an allegation
    and nothing for the other kinds."""
    summaries = {key: summary for key, summary in summaries.items() if summary is not None}
    # Counting chained tuples runs in C: this is over every mention of the corpus.
    alias_counts = Counter(chain.from_iterable(s.aliases for s in summaries.values()))
    mention_counts = Counter(chain.from_iterable(s.claims for s in summaries.values()))
    denial_counts = Counter(chain.from_iterable(s.denials for s in summaries.values()))
    carried = {key: set(s.claims) for key, s in summaries.items()}
    article_counts = Counter(chain.from_iterable(carried.values()))
    first, first_after, candidates = {}, {}, Counter()
    for article_id in sorted(summaries, key=date_order({key: s._asdict() for key, s in summaries.items()})):
        for claim_id in carried[article_id]:
            first.setdefault(claim_id, article_id)
            first_after[claim_id] = min(first_after.get(claim_id, "9999"), summaries[article_id].not_after)
    for article_id, claim_ids in carried.items():
        not_before = summaries[article_id].not_before
        for claim_id in claim_ids:
            if not_before <= first_after[claim_id]:
                candidates[claim_id] += 1
    for alias in aliases:
        alias["mention_count"] = alias_counts[alias["alias"]]
    for claim_id, claim in claims.items():
        claim["mention_count"] = mention_counts[claim_id]
        claim["article_count"] = article_counts[claim_id]
        claim["denial_count"] = denial_counts[claim_id]
        claim["first_candidates"] = candidates[claim_id]
        claim["first_uncertain"] = candidates[claim_id] > 1
        if claim_id in first:
            claim["first_article_id"] = first[claim_id]
            claim["first_reported"] = summaries[first[claim_id]].published
            claim["first_not_before"] = summaries[first[claim_id]].not_before
            claim["first_not_after"] = first_after[claim_id]
    reached = story.reach(claims, relations)
    covered = set(chain.from_iterable(s.covers for s in summaries.values()))
    for claim_id in [key for key, claim in claims.items() if claim["denial_count"]] + sorted(covered):
        covered |= reached(claim_id)
    for claim_id, claim in claims.items():
        if claim["denial_count"]:
            claim["status"] = "denied"
        elif claim_id in covered:
            claim["status"] = "parent-denied"
        else:
            claim["status"] = "undenied" if claim["kind"] == "allegation" else None


def _seed_file(seeds, name):
    return display_path(seeds.root / name, seeds.root)
