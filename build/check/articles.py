"""One seeds/articles/*.yml file and its text -> its articles, citations, claim_mentions
and denials rows. The three kinds of item (citations, mentions, denials) go through one
loop (check_items): each kind says which keys it has, what it refers to and how its ids
work; the row takes its columns from the schema (fields.fill)."""

from collections import Counter
from typing import NamedTuple

from build import schema
from build.check.dates import date_range, parse_date
from build.check import story, strict
from build.check.fields import (
    DRAFTED,
    QUOTE,
    SLUG,
    STATUS,
    Checker,
    Spec,
    column,
    fill,
    is_drafted,
    undrafted_items,
)
from build.check.quotes import locate
from build.read.seeds import sha256
from build.read.text import decode_text

ARTICLE_KEYS = {
    "text": Spec(required=True),
    "sha256": column("articles", "sha256"),
    "outlet": Spec(required=True, fills="outlet_id"),
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
    "identifications": Spec("list"),  # these four: build/check/story.py
    "mentions": Spec("list"),
    "denials": Spec("list"),
    "doubts": Spec("list"),
    "retractions": Spec("list"),
    "republishes": Spec("mapping"),
    "status": STATUS,
    "proposed_actors": Spec(
        "list"
    ),  # the extractor's proposals, for a person to move to actors.yml
    "proposed_claims": Spec("list"),  # ... and to claims.yml; the build does not read them
    "repeats": Spec("list"),  # the corpus articles the text shares passages with (the draft's)
}
CITATION_KEYS = {
    "id": Spec(required=True, pattern=SLUG.pattern),
    **QUOTE,
    "cue": Spec(),
    "source": Spec(fills="source_id"),  # or the author of its work (build/check/story.py)
    "source_basis": column("citations", "source_basis"),
    "medium": column("citations", "medium"),
    "medium_basis": column("citations", "medium_basis"),
    "work": Spec(pattern=SLUG.pattern),  # an id in works.yml
    "cited_article": Spec(fills="cited_article_id"),
    "via": Spec(),
    "note": Spec(),
    **DRAFTED,
}
MENTION_KEYS = {
    "claim": Spec(required=True, fills="claim_id"),
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
    "claim": Spec(required=True, fills="claim_id"),
    "denier": Spec("text-or-list", required=True),  # one actor id, or several
    "medium": column("denials", "medium"),
    "medium_basis": column("denials", "medium_basis"),
    "work": Spec(),  # these four: build/check/story.py
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

# What a reference names, and how a problem says it names nothing.
UNKNOWN = {
    "actor": "unknown actor id {!r}",
    "claim": "unknown claim id {!r}",
    "article": "unknown article id {!r} (article ids are the file names in seeds/articles/, without .yml)",
    "citation": "unknown citation id {!r} in this article",
}


class Kind(NamedTuple):
    """One kind of item of an article file."""

    key: str  # the list in the article file
    table: str  # the table its rows go to
    keys: dict  # what an item may hold
    refs: tuple  # (key, what it names): checked once the quote is found
    needs: tuple  # (key, what it names): a drafted item naming what is only proposed is left out
    ids: str  # "unique": an item without an id, or with one already used, is left out; "flagged": a repeat is reported; "": no ids
    noun: str = ""  # how messages name an item's id


CITATIONS = Kind(
    "citations",
    "citations",
    CITATION_KEYS,
    (("source", "actor"), ("cited_article", "article")),
    (("source", "actor"),),
    "unique",
    "citation",
)
MENTIONS = Kind(
    "mentions",
    "claim_mentions",
    MENTION_KEYS,
    (("claim", "claim"), ("citation", "citation")),
    (("claim", "claim"), ("citation", "citation")),
    "",
)
# A denial's deniers (one or several) are checked by build/check/story.py.
DENIALS = Kind(
    "denials",
    "denials",
    DENIAL_KEYS,
    (("claim", "claim"),),
    (("claim", "claim"), ("denier", "actor")),
    "flagged",
    "denial",
)


class Article:
    """What checking one article's items needs: its file, text and the ids it may name."""

    def __init__(self, seed, record, text, check, known, include_drafts):
        self.seed, self.record, self.text, self.check = seed, record, text, check
        self.article_id = seed.article_id
        self.known = known  # {what: ids}: actor, claim, article, work, and this article's citations
        self.include_drafts = include_drafts
        self.skipped = set()  # ids of drafted items left out
        self.more = {
            "denial_deniers": [],
            "denial_grounds": [],
            "denial_covers": [],
        }  # rows of the tables story.py makes
        self.story = story.ArticleContext(
            self.article_id,
            check,
            record,
            known["actor"],
            known["claim"],
            known["work"],
            known["article"],
            self.quoted,
            self.provenance,
            lambda rec, key, skip: undrafted_items(rec, key, include_drafts, skip),
        )
        self.story.text = text

    def provenance(self, entry):
        method = "extractor" if is_drafted(entry) or is_drafted(self.seed.record) else "curated"
        return {"method": method, "source_file": self.seed.path, "source_line": entry.line}

    def unresolved(self, entry, kind):
        """True for a drafted item resting on an actor, claim or citation only proposed so
        far: published with --include-drafts only once the proposal is in the seeds. So is a
        drafted citation of a report credited to no one until its work is named."""
        if not is_drafted(entry):
            return False
        if kind is CITATIONS and entry.get("source") is None and entry.get("work") is None:
            return True
        return any(
            value not in self.known[what]
            for key, what in kind.needs
            for value in (
                [entry.get(key)] if isinstance(entry.get(key), str) else entry.get(key) or []
            )
        )

    def quoted(self, entry, where):
        """Offsets of the entry's quote, checking cue, hedges; (None, None) when unlocatable."""
        quote, check = entry.get("quote"), self.check
        if self.text is None or quote is None or "occurrence" in entry.invalid:
            return None, None
        start, end, error = locate(self.text, quote, entry.get("occurrence"))
        if error:
            field = "occurrence" if error.startswith("occurrence") else "quote"
            check.add(entry.line_of(field), f"{where}.{field}", f"{error}: {quote!r}")
        elif "start" in entry and entry["start"] != start:
            check.add(
                entry.line_of("start"),
                f"{where}.start",
                f"the quote is at {start}, not {entry['start']}: correct start and end, or remove them (the build finds the quote)",
            )
        elif strict.quote_end_problem(entry, start, end):
            check.add(
                entry.line_of("end"), f"{where}.end", strict.quote_end_problem(entry, start, end)
            )
        cue = entry.get("cue")
        if cue is not None and cue not in quote:
            check.add(entry.line_of("cue"), f"{where}.cue", f"cue {cue!r} is not inside the quote")
        for hedge in entry.get("hedges") or []:
            if hedge not in quote:
                check.add(
                    entry.line_of("hedges"),
                    f"{where}.hedges",
                    f"hedge {hedge!r} is not inside the quote",
                )
        return start, end

    def resolve(self, entry, where, kind):
        for key, what in kind.refs:
            value = entry.get(key)
            if value is not None and value not in self.known[what]:
                still = (
                    " (it is still drafted: review it too, or empty this citation)"
                    if what == "citation" and value in self.skipped
                    else ""
                )
                self.check.add(
                    entry.line_of(key), f"{where}.{key}", UNKNOWN[what].format(value) + still
                )


def check_items(article, kind, make_row):
    """[(entry, row)] of one kind of item of an article: each item checked against its
    keys, its quote found, its references resolved; make_row(article, entry, raw, where,
    start, end) adds the kind's own checks and returns the row."""
    made, ids, check = [], set(), article.check
    for index, raw, line in undrafted_items(
        article.record, kind.key, article.include_drafts, article.skipped
    ):
        where = f"{kind.key}[{index}]"
        entry = check.entry(raw, kind.keys, where, line)
        if entry is None:
            continue
        if article.unresolved(entry, kind):
            article.skipped.add(entry.get("id"))
            continue
        local = entry.get("id")
        if kind.ids == "unique" and local is None:
            continue
        if kind.ids and local is not None and local in ids:
            check.add(entry.line_of("id"), f"{where}.id", f"duplicate {kind.noun} id {local!r}")
            if kind.ids == "unique":
                continue
        ids.add(local)
        start, end = article.quoted(entry, where)
        article.resolve(entry, where, kind)
        made.append((entry, make_row(article, entry, raw, where, start, end)))
    return made


def _citation_row(article, entry, raw, where, start, end):
    source, work_id, work_title = story.citation_work(
        article.story, entry, where, entry.get("source")
    )
    _check_medium_basis(article, entry, where)
    if entry.get("cited_article") == article.article_id:
        article.check.add(
            entry.line_of("cited_article"),
            f"{where}.cited_article",
            "an article cannot cite itself",
        )
    return fill(
        "citations",
        entry,
        CITATION_KEYS,
        citation_id=f"{article.article_id}_{entry['id']}",
        article_id=article.article_id,
        source_id=source,
        work_id=work_id,
        work=work_title,
        quote_start=start,
        quote_end=end,
        **article.provenance(entry),
    )


def _check_medium_basis(article, entry, where):
    problem = strict.medium_basis_problem(entry)
    if problem:
        article.check.add(entry.line_of("medium_basis"), f"{where}.medium_basis", problem)


def _link_vias(article, made):
    """Each citation's via_citation_id: the citation (of this article) it was relayed through."""
    records = {entry["id"]: entry for entry, row in made}
    rows = {entry["id"]: row for entry, row in made}
    for local, entry in records.items():
        via = entry.get("via")
        if via is None:
            continue
        if via not in rows:
            article.check.add(
                entry.line_of("via"),
                f"citations.{local}.via",
                f"unknown citation id {via!r} in this article",
            )
            continue
        seen, cursor = {local}, via
        while cursor is not None:
            if cursor in seen:
                article.check.add(
                    entry.line_of("via"), f"citations.{local}.via", "via goes round in a circle"
                )
                break
            seen.add(cursor)
            cursor = records.get(cursor, {}).get("via")
        rows[local]["via_citation_id"] = f"{article.article_id}_{via}"
    return list(rows.values())


def _mention_row(article, entry, raw, where, start, end):
    citation = article.known["citation"].get(entry.get("citation"))
    problem = strict.stance_problem(entry.get("stance"), entry.get("citation"))
    if problem:
        article.check.add(entry.line_of("stance"), f"{where}.stance", problem)
    hedges = list(entry.get("hedges") or [])
    return fill(
        "claim_mentions",
        entry,
        MENTION_KEYS,
        article_id=article.article_id,
        quote_start=start,
        quote_end=end,
        hedges=hedges,
        hedged=bool(hedges),
        citation_id=citation["citation_id"] if citation else None,
        voice_id=citation["source_id"] if citation else article.record.get("outlet"),
        identification_id=story.mention_identification(article.story, entry, where),
        **article.provenance(entry),
    )


def _denial_row(article, entry, raw, where, start, end):
    denial_id = f"{article.article_id}_{entry.get('id')}"
    _check_medium_basis(article, entry, where)
    extra, deniers, grounds, covers = story.denial_extras(article.story, entry, where, denial_id)
    for table, rows in (
        ("denial_deniers", deniers),
        ("denial_grounds", grounds),
        ("denial_covers", covers),
    ):
        article.more[table] += rows
    given = [key in raw and raw[key] is not None for key in ("denied_on", "denied_on_basis")]
    if given[0] != given[1]:
        article.check.add(
            entry.line, where, "denied_on and denied_on_basis go together: give both or neither"
        )
    return fill(
        "denials",
        entry,
        DENIAL_KEYS,
        denial_id=denial_id,
        article_id=article.article_id,
        **extra,
        quote_start=start,
        quote_end=end,
        **article.provenance(entry),
    )


def check_article(seed, known, problems, include_drafts=False):
    """(article, citations, mentions, denials, {table: rows} of the tables build/check/story.py
    makes) rows of one article, or None when it has problems (appended to `problems`).
    known: {"actor": actors, "claim": claims, "work": works, "article": the ids of the
    articles that may be cited}."""
    check = Checker(seed.path)
    record = check.entry(seed.record, ARTICLE_KEYS, "")
    if not SLUG.fullmatch(seed.article_id):
        check.add(
            None,
            "",
            f"file name {seed.article_id!r} is not a valid article id (lower-case words joined by hyphens)",
        )
    text = _article_text(seed, record, check)
    outlet = record.get("outlet")
    if outlet is not None and outlet not in known["actor"]:
        check.add(record.line_of("outlet"), "outlet", f"unknown actor id {outlet!r}")
    elif outlet is not None and strict.outlet_problem(outlet, known["actor"]):
        check.add(record.line_of("outlet"), "outlet", strict.outlet_problem(outlet, known["actor"]))
    not_before, not_after = _article_dates(record, check)

    article = Article(seed, record, text, check, {**known, "citation": {}}, include_drafts)
    flags = story.article_fields(article.story)
    made = check_items(article, CITATIONS, _citation_row)
    article.known["citation"] = article.story.citations = {entry["id"]: row for entry, row in made}
    citations = _link_vias(article, made)
    article.more["identifications"] = story.identifications(article.story)
    mentions = [row for entry, row in check_items(article, MENTIONS, _mention_row)]
    made = check_items(article, DENIALS, _denial_row)
    denials = [row for entry, row in made]
    article.more.update(
        story.after_denials(article.story, {entry.get("id"): row for entry, row in made})
    )

    problems += check.problems
    if check.problems:
        return None
    _number_mentions(seed.article_id, mentions)
    row = fill(
        "articles",
        record,
        ARTICLE_KEYS,
        article_id=seed.article_id,
        published=str(record.get("published")),
        not_before=not_before.isoformat(),
        not_after=not_after.isoformat(),
        **flags,
        text_file=f"seeds/{record.get('text')}",
        sha256=sha256(seed.text_bytes),
        characters=len(text),
        text=text,
        source_file=seed.path,
    )
    return row, citations, mentions, denials, article.more


def _article_text(seed, record, check):
    """The article text, checked against its recorded sha256 and decoded (build/read/text.py);
    None, with a problem, when it is not UTF-8 text."""
    if seed.text_bytes is None:
        return None
    recorded, actual = record.get("sha256"), sha256(seed.text_bytes)
    if isinstance(recorded, str) and recorded != actual:
        check.add(
            record.line_of("sha256"),
            "sha256",
            f"{record.get('text')} has sha256 {actual}, not the recorded {recorded}: the text changed; "
            "texts are kept as received, so restore it, or if the change is meant, check every quote and record the new sha256",
        )
    text, problem = decode_text(seed.text_bytes, record.get("text"))
    if problem:
        check.add(record.line_of("text"), "text", f"{problem.message}, then update sha256")
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
        check.add(
            record.line_of("date_precision"),
            "date_precision",
            f"published {published!r} is given to the {precision}, not the {stated}",
        )
    bounds = []
    for key, default in (("not_before", first), ("not_after", last)):
        value = record.get(key)
        bounds.append(
            parse_date(value) if isinstance(value, str) and parse_date(value) else default
        )
    not_before, not_after = bounds
    if not_before > not_after:
        check.add(
            record.line_of("not_before"),
            "not_before",
            f"{not_before} is after not_after {not_after}: swap them, or correct one",
        )
    for key, bound in (("not_before", not_before), ("not_after", not_after)):
        if key in record and not first <= bound <= last:
            check.add(
                record.line_of(key),
                key,
                f"{bound} lies outside published {published!r} ({first}..{last}): "
                "the bounds narrow published down, so they must lie within it; correct the bound or published",
            )
    return not_before, not_after


def _number_mentions(article_id, mentions):
    """Give mentions stable ids: article_claim, then _2, _3 in text order for repeats."""
    seen = Counter()
    for mention in sorted(
        mentions, key=lambda m: (m["quote_start"], m["quote_end"], m["claim_id"])
    ):
        seen[mention["claim_id"]] += 1
        suffix = "" if seen[mention["claim_id"]] == 1 else f"_{seen[mention['claim_id']]}"
        mention["mention_id"] = f"{article_id}_{mention['claim_id']}{suffix}"
