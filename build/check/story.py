"""What real reports say, checked and turned into rows (issue 12): the works articles
cite and report (seeds/works.yml), how claims bear on each other (claims.yml's
`presupposes` and `compatible_with`), and, in each article file, the identifications of
unnamed people, the deniers, grounds and coverage of denials, doubts about denials,
retractions and republication. build/check/articles.py, claims.py and assemble.py call
these from small hooks; the format is in seeds/README.md.

Every problem names the file, line and field, like the rest of the checks."""

from build.check.dates import date_range, parse_date
from build.check.fields import (
    DRAFTED,
    QUOTE,
    SLUG,
    Checker,
    Spec,
    column,
    fill,
    seed_file,
    unique_entries,
)
from build.check.quotes import locate
from build.read.seeds import line_of_item


# The seed keys of each kind of entry this module checks, as Specs.
_SLUG = Spec(required=True, pattern=SLUG.pattern)
KEYS = {
    "work": {
        "id": column("works", "work_id"),
        "kind": column("works", "kind"),
        "author": Spec(),
        "title": column("works", "title"),
        "published": column("works", "published", kind="partial-date"),
        "date_basis": column("works", "date_basis"),
        "date_evidence": column("works", "date_evidence"),
        "not_before": column("works", "not_before"),
        "not_after": column("works", "not_after"),
        "url": column("works", "url"),
        "replies_to": Spec(),
        "note": Spec(),
    },
    "identification": {
        "id": _SLUG,
        **QUOTE,
        "actor": Spec(required=True),
        "by": column("identifications", "identified_by"),
        "basis": column("identifications", "basis"),
        "citation": Spec(),
        "note": Spec(),
        **DRAFTED,
    },
    "ground": {
        "ground": column("denial_grounds", "ground"),
        "quote": Spec(),
        "occurrence": Spec("integer"),
    },
    "doubt": {
        "id": _SLUG,
        "doubter": Spec(required=True),
        "denial": Spec(),
        "work": Spec(),
        "citation": Spec(),
        **QUOTE,
        "cue": Spec(),
        "note": Spec(),
        **DRAFTED,
    },
    "retraction": {
        "id": _SLUG,
        "retracted": Spec(),
        "retracted_work": Spec(),
        "kind": column("retractions", "kind"),
        "by": Spec(required=True),
        "retracted_on": column("retractions", "retracted_on", kind="partial-date"),
        "retracted_on_basis": column("retractions", "retracted_on_basis"),
        "how": column("retractions", "how"),
        "work": Spec(),
        "citation": Spec(),
        **QUOTE,
        "cue": Spec(),
        "note": Spec(),
        **DRAFTED,
    },
    "republishes": {
        "work": Spec(),
        "article": Spec(),
        "via": Spec(),
        "extent": column("republications", "extent"),
        "basis": column("republications", "basis"),
        "quote": Spec(),
        "occurrence": Spec("integer"),
        "note": Spec(),
    },
}


WORKS_HINT = "works are the `id`s in seeds/works.yml"


# --- works.yml -----------------------------------------------------------------------


def works(seeds, actors, problems):
    """{work id: row} of seeds/works.yml, checked; problems appended."""
    file = seed_file(seeds, "works.yml")
    check = Checker(file)
    rows, records = {}, {}
    for where, work_id, record in unique_entries(seeds.works, KEYS["work"], "work", check):
        records[work_id] = record
        rows[work_id] = _work_row(check, record, where, actors, file)
    _check_replies(check, records, rows)
    problems += check.problems
    return rows


def _work_row(check, record, where, actors, file):
    """The works row of one checked entry of works.yml: its author known, its dates whole."""
    author = record.get("author")
    if author is not None and author not in actors:
        check.add(record.line_of("author"), f"{where}.author", f"unknown actor id {author!r}")
    published = record.get("published")
    not_before, not_after = _work_window(check, record, where)
    return {
        "work_id": record["id"],
        "kind": record.get("kind"),
        "author_id": author,
        "title": record.get("title"),
        "published": None if published is None else str(published),
        "date_basis": record.get("date_basis"),
        "date_evidence": record.get("date_evidence"),
        "not_before": not_before.isoformat() if not_before else None,
        "not_after": not_after.isoformat() if not_after else None,
        "url": record.get("url"),
        "replies_to": record.get("replies_to"),
        "note": record.get("note"),
        "source_file": file,
        "source_line": record.line,
    }


def _work_window(check, record, where):
    """(not_before, not_after) of a work: the span of published, narrowed by not_before
    and not_after when they lie inside it; published and date_basis go together."""
    published = record.get("published")
    if (published is None) != (
        record.get("date_basis") is None
    ) and "published" not in record.invalid:
        check.add(record.line, where, "published and date_basis go together: give both or neither")
    span = date_range(published) if published is not None else None
    not_before, not_after = (span[0], span[1]) if span else (None, None)
    for key in ("not_before", "not_after"):
        value = parse_date(record.get(key))
        if value is None:
            continue
        if span is None:
            check.add(
                record.line_of(key),
                f"{where}.{key}",
                f"{key} narrows published down: give published too",
            )
        elif not span[0] <= value <= span[1]:
            check.add(
                record.line_of(key),
                f"{where}.{key}",
                f"{value} lies outside published {published!r} ({span[0]}..{span[1]})",
            )
        elif key == "not_before":
            not_before = value
        else:
            not_after = value
    if not_before and not_after and not_before > not_after:
        check.add(
            record.line_of("not_before"),
            f"{where}.not_before",
            f"{not_before} is after not_after {not_after}",
        )
    return not_before, not_after


def _check_replies(check, records, rows):
    """Each work's replies_to names another known work."""
    for work_id, record in records.items():
        reply = record.get("replies_to")
        if reply is None:
            continue
        if reply not in rows:
            check.add(
                record.line_of("replies_to"),
                f"{work_id}.replies_to",
                f"unknown work id {reply!r} ({WORKS_HINT})",
            )
        elif reply == work_id:
            check.add(
                record.line_of("replies_to"),
                f"{work_id}.replies_to",
                "a work cannot reply to itself",
            )


# --- claims.yml: presupposes, compatible_with ---------------------------------------


def claim_relations(check, records, claims):
    """The claim_relations rows of claims.yml, checked into check: every id known, none
    the claim itself, no circle of presuppositions, and compatible claims details of the
    same claim and attribute."""
    rows, presupposes = [], {}
    for claim_id, record in records.items():
        for relation in ("presupposes", "compatible_with"):
            others = record.get(relation) or []
            for index, other in enumerate(others):
                line = line_of_item(others, index, record.line_of(relation))
                where = f"{claim_id}.{relation}[{index}]"
                if other not in claims:
                    check.add(line, where, f"unknown claim id {other!r}")
                    continue
                if other == claim_id:
                    check.add(line, where, f"a claim cannot be {relation.replace('_', ' ')} itself")
                    continue
                if relation == "compatible_with":
                    mine, theirs = claims[claim_id], claims[other]
                    if mine["attribute"] is None or (mine["detail_of"], mine["attribute"]) != (
                        theirs["detail_of"],
                        theirs["attribute"],
                    ):
                        check.add(
                            line,
                            where,
                            f"{other!r} is not a detail of the same claim and attribute "
                            f"(detail_of {theirs['detail_of']!r}, attribute {theirs['attribute']!r}): only such values can be compatible",
                        )
                        continue
                else:
                    presupposes.setdefault(claim_id, []).append(other)
                rows.append(
                    {
                        "claim_id": claim_id,
                        "relation": relation,
                        "other_claim_id": other,
                        "source_file": check.file,
                        "source_line": line,
                    }
                )
    for claim_id in presupposes:
        stack, seen = list(presupposes[claim_id]), set()
        while stack:
            cursor = stack.pop()
            if cursor == claim_id:
                check.add(
                    records[claim_id].line_of("presupposes"),
                    f"{claim_id}.presupposes",
                    "presupposes goes round in a circle",
                )
                break
            if cursor not in seen:
                seen.add(cursor)
                stack.extend(presupposes.get(cursor, []))
    return rows


def reach(claims, relations):
    """{claim id: set of claim ids a denial of it reaches}: itself, the claims that are
    details of it, and those presupposing it, followed on from each of those."""
    onward = {}
    for claim_id, claim in claims.items():
        if claim["detail_of"] is not None:
            onward.setdefault(claim["detail_of"], set()).add(claim_id)
    for row in relations:
        if row["relation"] == "presupposes":
            onward.setdefault(row["other_claim_id"], set()).add(row["claim_id"])
    reached = {}

    def follow(claim_id):
        if claim_id not in reached:
            found, stack = {claim_id}, [claim_id]
            while stack:
                for nxt in onward.get(stack.pop(), ()):
                    if nxt not in found:
                        found.add(nxt)
                        stack.append(nxt)
            reached[claim_id] = found
        return reached[claim_id]

    return follow


# --- article files -------------------------------------------------------------------


class ArticleContext:
    """What the hooks need of the article being checked (made in build/check/articles.py)."""

    def __init__(
        self,
        article_id,
        check,
        record,
        actors,
        claims,
        works_by_id,
        article_ids,
        quoted,
        provenance,
        items,
    ):
        self.article_id, self.check, self.record = article_id, check, record
        self.actors, self.claims, self.works, self.article_ids = (
            actors,
            claims,
            works_by_id,
            article_ids,
        )
        self.quoted, self.provenance, self.items = quoted, provenance, items
        self.citations = {}
        self.identifications = {}

    def actor(self, entry, key, where):
        value = entry.get(key)
        if value is not None and value not in self.actors:
            self.check.add(entry.line_of(key), f"{where}.{key}", f"unknown actor id {value!r}")
        return value

    def work(self, entry, key, where):
        value = entry.get(key)
        if value is not None and value not in self.works:
            self.check.add(
                entry.line_of(key), f"{where}.{key}", f"unknown work id {value!r} ({WORKS_HINT})"
            )
        return value

    def citation(self, entry, key, where):
        """The citation_id of a local citation id, or None (a problem if unknown)."""
        value = entry.get(key)
        if value is None:
            return None
        if value not in self.citations:
            self.check.add(
                entry.line_of(key),
                f"{where}.{key}",
                f"unknown citation id {value!r} in this article",
            )
            return None
        return self.citations[value]["citation_id"]

    def article(self, entry, key, where):
        value = entry.get(key)
        if value is not None and value not in self.article_ids:
            self.check.add(
                entry.line_of(key),
                f"{where}.{key}",
                f"unknown article id {value!r} (article ids are the file names in seeds/articles/, without .yml)",
            )
        return value

    def with_date(self, entry, date_key, basis_key, where):
        if (entry.get(date_key) is None) != (
            entry.get(basis_key) is None
        ) and date_key not in entry.invalid:
            self.check.add(
                entry.line, where, f"{date_key} and {basis_key} go together: give both or neither"
            )
        value = entry.get(date_key)
        return None if value is None else str(value)


def article_fields(ctx):
    """excerpt and ends_mid_sentence of the article row."""
    excerpt = bool(ctx.record.get("excerpt", False))
    ends = bool(ctx.record.get("ends_mid_sentence", False))
    if ends and not excerpt:
        ctx.check.add(
            ctx.record.line_of("ends_mid_sentence"),
            "ends_mid_sentence",
            "only an excerpt can end mid-sentence: add excerpt: true, or remove this",
        )
    return {"excerpt": excerpt, "ends_mid_sentence": ends}


def citation_work(ctx, entry, where, source):
    """(source_id, work_id, work title) of a citation: source defaults to the work's author."""
    work = ctx.work(entry, "work", where)
    if work is None:
        if source is None and "source" not in entry.invalid and "work" not in entry.invalid:
            ctx.check.add(
                entry.line,
                f"{where}.source",
                "a citation needs a source (an actor id) or a work (a works.yml id), or both",
            )
        return source, None, None
    if work not in ctx.works:
        return source, None, None
    row = ctx.works[work]
    return (source if source is not None else row["author_id"]), work, row["title"]


def identifications(ctx):
    """The identifications rows of the article; kept in ctx for its mentions."""
    rows = []
    for where, entry, start, end in _items(ctx, "identification"):
        by = entry.get("by")
        if by == "source" and entry.get("citation") is None:
            ctx.check.add(
                entry.line_of("by"),
                f"{where}.by",
                "by: source needs citation (the citation whose source identifies them)",
            )
        if by not in (None, "source") and entry.get("citation") is not None:
            ctx.check.add(
                entry.line_of("citation"),
                f"{where}.citation",
                f"citation is for by: source, not by: {by}",
            )
        row = _item_row(
            ctx,
            "identification",
            entry,
            start,
            end,
            actor_id=ctx.actor(entry, "actor", where),
            citation_id=ctx.citation(entry, "citation", where),
        )
        ctx.identifications[entry["id"]] = row
        rows.append(row)
    return rows


def mention_identification(ctx, entry, where):
    """The identification_id a mention names, or None."""
    value = entry.get("identification")
    if value is None:
        return None
    if value not in ctx.identifications:
        ctx.check.add(
            entry.line_of("identification"),
            f"{where}.identification",
            f"unknown identification id {value!r} in this article",
        )
        return None
    return ctx.identifications[value]["identification_id"]


def denial_extras(ctx, entry, where, denial_id):
    """(fields of the denial row, deniers rows, grounds rows, covers rows) of one denial."""
    deniers, denier_rows = _denier_rows(ctx, entry, where, denial_id)
    ground_rows = _ground_rows(ctx, entry, where, denial_id)
    cover_rows = _cover_rows(ctx, entry, where, denial_id)
    fields = {
        "denier_id": deniers[0] if deniers else None,
        "denier_count": max(len(denier_rows), 1),
        "work_id": ctx.work(entry, "work", where),
        "citation_id": ctx.citation(entry, "citation", where),
    }
    return fields, denier_rows, ground_rows, cover_rows


def _denier_rows(ctx, entry, where, denial_id):
    """(the denier ids as given, denial_deniers rows) of a denial: one denier or a list,
    each a known actor, none twice."""
    deniers = entry.get("denier")
    deniers = [deniers] if isinstance(deniers, str) else list(deniers or [])
    denier_rows = []
    for position, denier in enumerate(deniers, 1):
        line = (
            line_of_item(entry["denier"], position - 1, entry.line_of("denier"))
            if not isinstance(entry["denier"], str)
            else entry.line_of("denier")
        )
        if denier not in ctx.actors:
            ctx.check.add(
                line,
                f"{where}.denier"
                + ("" if isinstance(entry["denier"], str) else f"[{position - 1}]"),
                f"unknown actor id {denier!r}",
            )
        if denier in deniers[: position - 1]:
            ctx.check.add(line, f"{where}.denier[{position - 1}]", f"{denier!r} is listed twice")
            continue
        denier_rows.append(
            {
                "denial_id": denial_id,
                "denier_id": denier,
                "position": position,
                "article_id": ctx.article_id,
            }
        )
    return deniers, denier_rows


def _ground_rows(ctx, entry, where, denial_id):
    """The denial_grounds rows of a denial, each quote found in the text."""
    ground_rows = []
    text = ctx.text
    for index, raw in enumerate(entry.get("grounds") or []):
        line = line_of_item(entry["grounds"], index, entry.line_of("grounds"))
        gwhere = f"{where}.grounds[{index}]"
        ground = ctx.check.entry(raw, KEYS["ground"], gwhere, line)
        if ground is None:
            continue
        start = end = None
        quote = ground.get("quote")
        if quote is not None and text is not None:
            start, end, error = locate(text, quote, ground.get("occurrence"))
            if error:
                field = "occurrence" if error.startswith("occurrence") else "quote"
                ctx.check.add(ground.line_of(field), f"{gwhere}.{field}", f"{error}: {quote!r}")
        elif quote is None and ground.get("occurrence") is not None:
            ctx.check.add(
                ground.line_of("occurrence"), f"{gwhere}.occurrence", "occurrence goes with quote"
            )
        ground_rows.append(
            {
                "ground_id": f"{denial_id}_{index + 1}",
                "denial_id": denial_id,
                "article_id": ctx.article_id,
                "ground": ground.get("ground"),
                "quote": quote,
                "quote_start": start,
                "quote_end": end,
                "source_line": ground.line or line,
            }
        )
    return ground_rows


def _cover_rows(ctx, entry, where, denial_id):
    """The denial_covers rows of a denial: known claims besides its own, none twice."""
    cover_rows, covers = [], entry.get("covers") or []
    for index, claim in enumerate(covers):
        line = line_of_item(covers, index, entry.line_of("covers"))
        if claim not in ctx.claims:
            ctx.check.add(line, f"{where}.covers[{index}]", f"unknown claim id {claim!r}")
            continue
        if claim == entry.get("claim"):
            ctx.check.add(
                line,
                f"{where}.covers[{index}]",
                "the denial's own claim need not be listed in covers",
            )
            continue
        if claim in covers[:index]:
            ctx.check.add(line, f"{where}.covers[{index}]", f"{claim!r} is listed twice")
            continue
        cover_rows.append({"denial_id": denial_id, "claim_id": claim, "article_id": ctx.article_id})
    return cover_rows


def after_denials(ctx, denials_by_local):
    """{table: rows} of the article's doubts, retractions and republication."""
    return {
        "doubts": [_doubt_row(ctx, denials_by_local, *item) for item in _items(ctx, "doubt")],
        "retractions": [_retraction_row(ctx, *item) for item in _items(ctx, "retraction")],
        "republications": _republication_rows(ctx),
    }


def _items(ctx, noun):
    """(where, entry, quote start, quote end) of each entry of the article's list of
    `noun`s that has an id, the first of each id (a duplicate is reported and left out)."""
    key, seen = f"{noun}s", set()
    for index, raw, line in ctx.items(ctx.record, key, set()):
        where = f"{key}[{index}]"
        entry = ctx.check.entry(raw, KEYS[noun], where, line)
        if entry is None or entry.get("id") is None:
            continue
        if entry["id"] in seen:
            ctx.check.add(
                entry.line_of("id"), f"{where}.id", f"duplicate {noun} id {entry['id']!r}"
            )
            continue
        seen.add(entry["id"])
        yield where, entry, *ctx.quoted(entry, where)


def _item_row(ctx, noun, entry, start, end, **values):
    """The row of an entry of the article's list of `noun`s, in the table of that name:
    its id (the article's id and the entry's), the article, the quote's offsets and
    provenance, and values (the columns the caller checked)."""
    return fill(
        f"{noun}s",
        entry,
        KEYS[noun],
        **{f"{noun}_id": f"{ctx.article_id}_{entry['id']}"},
        article_id=ctx.article_id,
        quote_start=start,
        quote_end=end,
        **values,
        **ctx.provenance(entry),
    )


def _doubt_row(ctx, denials_by_local, where, entry, start, end):
    denial, work = entry.get("denial"), ctx.work(entry, "work", where)
    denial_id = None
    if denial is None and work is None and not {"denial", "work"} & entry.invalid:
        ctx.check.add(
            entry.line,
            where,
            "a doubt needs the denial it doubts (a denial id in this article) or the work that denial was made in",
        )
    if denial is not None and denial not in denials_by_local:
        ctx.check.add(
            entry.line_of("denial"),
            f"{where}.denial",
            f"unknown denial id {denial!r} in this article",
        )
    elif denial is not None:
        denial_id = denials_by_local[denial]["denial_id"]
        made_in = denials_by_local[denial]["work_id"]
        if work is not None and made_in is not None and made_in != work:
            ctx.check.add(
                entry.line_of("work"),
                f"{where}.work",
                f"denial {denial!r} was made in {made_in!r}, not {work!r}: give one of them",
            )
        work = work or made_in
    return _item_row(
        ctx,
        "doubt",
        entry,
        start,
        end,
        doubter_id=ctx.actor(entry, "doubter", where),
        denial_id=denial_id,
        work_id=work,
        citation_id=ctx.citation(entry, "citation", where),
    )


def _retraction_row(ctx, where, entry, start, end):
    retracted = ctx.article(entry, "retracted", where)
    retracted_work = ctx.work(entry, "retracted_work", where)
    if retracted is not None and retracted_work is not None:
        ctx.check.add(
            entry.line_of("retracted_work"),
            f"{where}.retracted_work",
            "give retracted (a corpus article) or retracted_work (a work), not both",
        )
    if retracted is None and retracted_work is None:
        retracted = ctx.article_id  # its own editor's note
    return _item_row(
        ctx,
        "retraction",
        entry,
        start,
        end,
        retracted_article_id=retracted,
        retracted_work_id=retracted_work,
        by_id=ctx.actor(entry, "by", where),
        retracted_on=ctx.with_date(entry, "retracted_on", "retracted_on_basis", where),
        work_id=ctx.work(entry, "work", where),
        citation_id=ctx.citation(entry, "citation", where),
    )


def _republication_rows(ctx):
    """The article's republication row (none, or one: whose text it republishes)."""
    raw, where = ctx.record.get("republishes"), "republishes"
    if raw is None:
        return []
    entry = ctx.check.entry(raw, KEYS[where], where, ctx.record.line_of(where))
    if entry is None:
        return []
    work = ctx.work(entry, "work", where)
    article = ctx.article(entry, "article", where)
    if (work is None) == (article is None) and not {"work", "article"} & entry.invalid:
        ctx.check.add(
            entry.line,
            where,
            "republishes needs one of work (a works.yml id) or article (a corpus article id)",
        )
    if article == ctx.article_id:
        ctx.check.add(
            entry.line_of("article"), f"{where}.article", "an article cannot republish itself"
        )
    start = end = None
    if entry.get("quote") is not None:
        start, end = ctx.quoted(entry, where)
    elif entry.get("basis") == "stated":
        ctx.check.add(
            entry.line_of("basis"),
            f"{where}.quote",
            "basis: stated needs quote (the words in the text saying whose text it is)",
        )
    return [
        fill(
            "republications",
            entry,
            KEYS[where],
            article_id=ctx.article_id,
            work_id=work,
            republished_article_id=article,
            via_id=ctx.actor(entry, "via", where),
            quote_start=start,
            quote_end=end,
            source_file=ctx.provenance(entry)["source_file"],
            source_line=entry.line,
        )
    ]


def cross_references(rows):
    """The corpus articles an article's new rows name (retracted, republished): an
    incremental build checks the article again when one of them is gone."""
    named = {
        r["retracted_article_id"] for r in rows.get("retractions", ()) if r["retracted_article_id"]
    }
    named |= {
        r["republished_article_id"]
        for r in rows.get("republications", ())
        if r["republished_article_id"]
    }
    return named
