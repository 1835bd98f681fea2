"""Datasette plugin: the reading pages (templates/pages/) and labelled links on every page.

- render_cell: every id (an article, claim, actor, claim mention, citation or denial, by its
  column's name: ID_COLUMNS) is a link with a label, on table, row and query pages alike,
  derived tables and canned queries included: articles, claims and actors link to their
  reading pages (/article/ID, /claim/ID, /actor/ID), the others to their row pages. A
  list of ids in one cell (a source chain, the reports carrying a detail) is a list of
  links. Hedge words (a JSON array) show as words, booleans as yes / no.
- extra_template_vars: what the templates need that SQL alone says badly: the article
  text with every claim mention, citation and denial marked (`marked_article`), a quote
  in its words before and after (`in_context`), a link to the original sentence with a
  text fragment (`text_fragment`), a labelled link for any id (`id_link`), the date
  order of a claim's lineage with uncertain order shown (`lineage`), and `hedge_words`.

Labels are read from the database on first use and kept (the database is immutable while
served): a table of at most WHOLE_TABLE rows is read whole, a larger one an id at a time,
at most KEPT_LABELS kept per table.
"""

import json
import urllib.parse
import weakref
from dataclasses import dataclass, field

from datasette import hookimpl
from markupsafe import Markup, escape

DATABASE = "provenance"
# Each kind of id: its table, primary key, the SQL of its label, and the URL of its page.
KINDS = {
    "article": ("articles", "article_id", "title", "/article/{}"),
    "claim": ("claims", "claim_id", "statement", "/claim/{}"),
    "actor": ("actors", "actor_id", "name", "/actor/{}"),
    "mention": ("claim_mentions", "mention_id", "quote", "/provenance/claim_mentions/{}"),
    "citation": ("citations", "citation_id", "quote", "/provenance/citations/{}"),
    "denial": ("denials", "denial_id", "quote", "/provenance/denials/{}"),
    "work": ("works", "work_id", "title", "/work/{}"),
    "retraction": ("retractions", "retraction_id", "quote", "/provenance/retractions/{}"),
    "doubt": ("doubts", "doubt_id", "quote", "/provenance/doubts/{}"),
    "identification": (
        "identifications",
        "identification_id",
        "quote",
        "/provenance/identifications/{}",
    ),
    "ground": (
        "denial_grounds",
        "ground_id",
        "coalesce(quote, ground)",
        "/provenance/denial_grounds/{}",
    ),
    "republication": (
        "republications",
        "article_id",
        "coalesce(quote, extent)",
        "/provenance/republications/{}",
    ),
    "shared": ("shared_text", "shared_id", "quote", "/provenance/shared_text/{}"),
}
# Columns holding one id, by name, on any table or query page.
ID_COLUMNS = {
    **dict.fromkeys(
        [
            "article_id",
            "cited_article_id",
            "first_article_id",
            "origin_article_id",
            "second_article_id",
            "reported_in",
            "retracted_article_id",
            "republished_article_id",
            "other_article_id",
            "denial_reported_in",
            "doubt_reported_in",
        ],
        "article",
    ),
    # An id of an article or, failing that, of a work (a retraction retracts either).
    "retracted_id": ("article", "work"),
    **dict.fromkeys(
        ["claim_id", "about_claim_id", "detail_of", "denied_claim_id", "other_claim_id"], "claim"
    ),
    **dict.fromkeys(
        [
            "actor_id",
            "from_actor_id",
            "to_actor_id",
            "denier_id",
            "subject_id",
            "voice_id",
            "source_id",
            "outlet_id",
            "country_id",
            "from_country_id",
            "to_country_id",
            "author_id",
            "by_id",
            "doubter_id",
            "via_id",
        ],
        "actor",
    ),
    "mention_id": "mention",
    **dict.fromkeys(
        ["citation_id", "first_citation_id", "second_citation_id", "via_citation_id"], "citation"
    ),
    "denial_id": "denial",
    **dict.fromkeys(["work_id", "retracted_work_id", "replies_to"], "work"),
    "retraction_id": "retraction",
    "doubt_id": "doubt",
    "identification_id": "identification",
    "ground_id": "ground",
    "shared_id": "shared",
}
# Columns holding several article ids, with their separator.
ID_LIST_COLUMNS = {"chain": (" -> ", "article"), "carried_by": ("; ", "article")}
# The kind of a query's `id` column, by the value of the column naming what the row is.
ROW_KIND_COLUMNS = {
    "role": {
        "citation": "citation",
        "denial": "denial",
        "doubt": "doubt",
        "retraction": "retraction",
        "republication": "article",
    },
    "found_in": {"article": "article", "claim": "claim", "claim mention": "mention"},
    "relation": {
        "claim carried in their words": "mention",
        "credited as a source": "citation",
        "denied": "denial",
        "named in article": "article",
    },
}
BOOLEAN_COLUMNS = {
    "hedged",
    "misspelling",
    "first_in_corpus",
    "excerpt",
    "ends_mid_sentence",
    "first_uncertain",
    "linked",
}
# Columns whose kind of id the row says (row_kind): a query's `id`, work_reports' `row_id`.
ROW_KIND_ID_COLUMNS = {"id", "row_id"}
JSON_LIST_COLUMNS = {"hedges"}
LABEL_LENGTH = 90
WHOLE_TABLE = 20_000
KEPT_LABELS = 50_000
CONTEXT = 240  # characters of context either side of a quote, cut back to a word


def shorten(text, length=LABEL_LENGTH):
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "\u2026"


@dataclass
class Labels:
    """One server's labels: {kind: {id: label}}, and the kinds read whole."""

    by_kind: dict = field(default_factory=dict)
    whole: set = field(default_factory=set)


LABELS = weakref.WeakKeyDictionary()


async def label_for(datasette, kind, value):
    """The label of an id of a kind, or None when no row has that id."""
    labels = LABELS.setdefault(datasette, Labels())
    kept = labels.by_kind.setdefault(kind, {})
    if value in kept:
        return kept[value]
    if kind in labels.whole:
        return None
    table, key, label, _ = KINDS[kind]
    db = datasette.get_database(DATABASE)
    counts = await db.table_counts(limit=5)
    if table not in counts:  # a database built before the table existed
        labels.whole.add(kind)
        return None
    if (counts.get(table) or 0) <= WHOLE_TABLE:
        rows = await db.execute(f"select {key}, {label} from {table}")
        kept.update((row[0], shorten(row[1])) for row in rows)
        labels.whole.add(kind)
        return kept.get(value)
    rows = (await db.execute(f"select {label} from {table} where {key} = ?", [value])).rows
    if len(kept) >= KEPT_LABELS:
        kept.clear()
    kept[value] = shorten(rows[0][0]) if rows else None
    return kept[value]


def url_of(kind, value):
    return KINDS[kind][3].format(urllib.parse.quote(str(value), safe=""))


def link_markup(kind, value, label):
    """`<a href=page>label</a>` for an id of a kind (built with escape, not Markup.format,
    which is ten times slower: a table page makes hundreds of these)."""
    if label is None:
        return Markup(f'<span class="id-unknown">{escape(value)}</span>')
    return Markup(
        f'<a class="id-link id-{kind}" href="{escape(url_of(kind, value))}" title="{escape(value)}">'
        f"{escape(label or value)}</a>"
    )


def kept_label(datasette, kind, value):
    """(True, label) when the label of an id is known without a query, else (False, None)."""
    labels = LABELS.get(datasette)
    if labels is None:
        return False, None
    kept = labels.by_kind.get(kind)
    if kept is not None and value in kept:
        return True, kept[value]
    if kind in labels.whole:
        return True, None
    return False, None


async def id_link(datasette, kind, value, label=None):
    """`<a href=page>label</a>` for an id of a kind (or of the first of several kinds that
    has a row for it); the id itself where it has no row."""
    if value in (None, ""):
        return Markup("")
    if isinstance(kind, tuple):
        return await first_kind_link(datasette, kind, value)
    if label is None:
        label = await label_for(datasette, kind, value)
    return link_markup(kind, value, label)


async def label_then_link(datasette, kind, value):
    return link_markup(kind, value, await label_for(datasette, kind, value))


def hedge_words(value):
    """A JSON array of hedge words as words ("reportedly, is said to"), or "" when none."""
    try:
        words = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return value
    if not isinstance(words, list):
        return value
    return ", ".join(str(w) for w in words)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if database != DATABASE:
        return None
    kind = ID_COLUMNS.get(column)
    if kind is None and column in ROW_KIND_ID_COLUMNS:
        kind = row_kind(row)
    if isinstance(kind, tuple):
        return first_kind_link(datasette, kind, value) if value not in (None, "") else None
    if kind is not None and isinstance(value, str) and ("," in value or "; " in value):
        return id_list(datasette, value, "; " if "; " in value else ",", kind)
    if kind is not None:
        if isinstance(value, dict):  # a foreign key Datasette has labelled already
            label, value = value.get("label"), value.get("value")
            if label is not None and label != value:
                return link_markup(kind, value, label)
        if value in (None, ""):
            return None
        known, label = kept_label(datasette, kind, value)
        if known:  # answered without a query: no coroutine to make and await
            return link_markup(kind, value, label)
        return label_then_link(datasette, kind, value)
    if column in ID_LIST_COLUMNS and isinstance(value, str) and value:
        return id_list(datasette, value, *ID_LIST_COLUMNS[column])
    if column in BOOLEAN_COLUMNS and value in (0, 1):
        return "yes" if value else "no"
    if column in JSON_LIST_COLUMNS and isinstance(value, str) and value.startswith("["):
        return hedge_words(value) or Markup("&nbsp;")
    return None


def row_kind(row):
    try:
        keys = row.keys()
    except AttributeError:
        return None
    for column, kinds in ROW_KIND_COLUMNS.items():
        if column in keys:
            what = str(row[column])
            if what.startswith("claim about them"):
                return "claim"
            return kinds.get(what)
    return None


async def first_kind_link(datasette, kinds, value):
    """A link for an id that may be of any of kinds: the first kind that has a row for it."""
    if isinstance(value, dict):
        value = value.get("value")
    for kind in kinds:
        label = await label_for(datasette, kind, value)
        if label is not None:
            return link_markup(kind, value, label)
    return link_markup(kinds[0], value, None)


# At most this many ids of a list are linked in a cell (a claim carried by thousands of
# reports lists them all: a link and a label each made the page take a quarter of a second);
# the rest are counted, and the row's JSON has them all.
ID_LIST_LINKS = 100


async def id_list(datasette, value, separator, kind):
    parts = [part.strip() for part in value.split(separator) if part.strip()]
    links = [await id_link(datasette, kind, part) for part in parts[:ID_LIST_LINKS]]
    joiner = Markup(" \u2192 ") if separator.strip() == "->" else Markup("; ")
    more = len(parts) - len(links)
    if more:
        links.append(Markup(f'<span class="id-more">and {more:,} more</span>'))
    return joiner.join(links)


# --- the article text, marked -----------------------------------------------------------


def text_fragment(url, quote):
    """url with a text fragment (`#:~:text=`) that finds quote: the whole quote when short,
    else its first and last words (`start,end`). Each part is percent-encoded, `-`, `,` and
    `&` included, as the fragment's syntax requires."""
    if not url:
        return None

    def encoded(words):
        return urllib.parse.quote(" ".join(words), safe="").replace("-", "%2D")

    words = str(quote).split()
    if len(words) <= 8:
        directive = encoded(words)
    else:
        directive = encoded(words[:4]) + "," + encoded(words[-4:])
    return str(url).split("#", 1)[0] + "#:~:text=" + directive


def cut_before(text, start, length=CONTEXT):
    piece = text[max(0, start - length) : start]
    if start > length and " " in piece:
        piece = "\u2026" + piece.split(" ", 1)[1]
    return piece


def cut_after(text, end, length=CONTEXT):
    piece = text[end : end + length]
    if end + length < len(text) and " " in piece:
        piece = piece.rsplit(" ", 1)[0] + "\u2026"
    return piece


def context_of(text, start, end, length=CONTEXT // 2):
    """{before, quote, after}: the words of text around [start, end)."""
    return {
        "before": cut_before(text, start, length),
        "quote": text[start:end],
        "after": cut_after(text, end, length),
    }


async def in_context(datasette, article_id, start, end):
    """{before, quote, after}: the words of article_id's text around [start, end)."""
    rows = (
        await datasette.get_database(DATABASE).execute(
            "select text from articles where article_id = ?", [article_id]
        )
    ).rows
    if not rows:
        return None
    text = rows[0][0]
    return {
        "before": cut_before(text, start),
        "quote": text[start:end],
        "after": cut_after(text, end),
    }


MENTIONS_SQL = """
select m.mention_id as id, m.quote_start as start, m.quote_end as "end", m.quote, m.stance,
  m.hedges, m.claim_id, c.statement, c.status, v.name as voice, s.name as source,
  ci.citation_id
from claim_mentions m join claims c using (claim_id)
left join actors v on v.actor_id = m.voice_id
left join citations ci on ci.citation_id = m.citation_id
left join actors s on s.actor_id = ci.source_id
where m.article_id = :article order by m.quote_start, m.quote_end desc, m.mention_id
"""
CITATIONS_SQL = """
select ci.citation_id as id, ci.quote_start as start, ci.quote_end as "end", ci.quote,
  ci.medium, ci.work, ci.source_basis, ci.cue, ci.source_id, s.name as source,
  ci.cited_article_id
from citations ci left join actors s on s.actor_id = ci.source_id
where ci.article_id = :article order by ci.quote_start, ci.quote_end desc, ci.citation_id
"""
DENIALS_SQL = """
select d.denial_id as id, d.quote_start as start, d.quote_end as "end", d.quote, d.medium,
  d.denied_on, d.denier_id, a.name as denier, d.claim_id, c.statement
from denials d left join actors a on a.actor_id = d.denier_id
left join claims c on c.claim_id = d.claim_id
where d.article_id = :article order by d.quote_start, d.quote_end desc, d.denial_id
"""
GROUNDS_SQL = """
select g.ground_id as id, g.quote_start as start, g.quote_end as "end", g.quote, g.ground,
  g.denial_id, c.statement
from denial_grounds g join denials d using (denial_id) left join claims c on c.claim_id = d.claim_id
where g.article_id = :article and g.quote_start is not null
order by g.quote_start, g.quote_end desc, g.ground_id
"""
RETRACTIONS_SQL = """
select r.retraction_id as id, r.quote_start as start, r.quote_end as "end", r.quote, r.kind, r.how,
  r.retracted_on, b.name as by_name, r.by_id, r.retracted_article_id, ra.title as retracted_title,
  r.retracted_work_id, w.title as retracted_work
from retractions r left join actors b on b.actor_id = r.by_id
left join articles ra on ra.article_id = r.retracted_article_id
left join works w on w.work_id = r.retracted_work_id
where r.article_id = :article order by r.quote_start, r.quote_end desc, r.retraction_id
"""
DOUBTS_SQL = """
select q.doubt_id as id, q.quote_start as start, q.quote_end as "end", q.quote, q.doubter_id,
  a.name as doubter, q.denial_id, d.quote as denial_quote, q.work_id, w.title as work
from doubts q left join actors a on a.actor_id = q.doubter_id
left join denials d on d.denial_id = q.denial_id left join works w on w.work_id = q.work_id
where q.article_id = :article order by q.quote_start, q.quote_end desc, q.doubt_id
"""
IDENTIFICATIONS_SQL = """
select i.identification_id as id, i.quote_start as start, i.quote_end as "end", i.quote,
  i.actor_id, a.name as actor, i.identified_by, i.basis
from identifications i left join actors a using (actor_id)
where i.article_id = :article order by i.quote_start, i.quote_end desc, i.identification_id
"""
REPUBLICATIONS_SQL = """
select p.article_id as id, p.quote_start as start, p.quote_end as "end", p.quote, p.extent, p.basis,
  p.work_id, w.title as work, p.republished_article_id, ra.title as republished_title,
  p.via_id, v.name as via
from republications p left join works w on w.work_id = p.work_id
left join articles ra on ra.article_id = p.republished_article_id
left join actors v on v.actor_id = p.via_id
where p.article_id = :article and p.quote_start is not null
"""
SHARED_SQL = """
select s.shared_id as id, s.quote_start as start, s.quote_end as "end", s.quote, s.similarity,
  s.linked, s.other_article_id as other_id, o.title as other_title, s.other_start as other_start
from shared_text s left join articles o on o.article_id = s.other_article_id where s.article_id = :article
union all
select s.shared_id, s.other_start, s.other_end, s.other_quote, s.similarity, s.linked,
  s.article_id, o.title, s.quote_start
from shared_text s left join articles o on o.article_id = s.article_id where s.other_article_id = :article
order by 2, 3 desc, 1
"""
# Each kind of mark: its SQL (rows with id, start, end, quote), the table it needs, the
# prefix of its number, and its name in the legend and the lists.
MARK_KINDS = {
    "mention": (MENTIONS_SQL, "claim_mentions", "C", "Claims in this article", "claims"),
    "citation": (CITATIONS_SQL, "citations", "S", "Sources it credits", "sources credited"),
    "denial": (DENIALS_SQL, "denials", "D", "Denials it reports", "denials"),
    "ground": (
        GROUNDS_SQL,
        "denial_grounds",
        "G",
        "Grounds the denials give",
        "grounds of a denial",
    ),
    "doubt": (DOUBTS_SQL, "doubts", "Q", "Doubts about a denial", "doubts"),
    "retraction": (
        RETRACTIONS_SQL,
        "retractions",
        "R",
        "Retractions and corrections it reports",
        "retractions",
    ),
    "identification": (
        IDENTIFICATIONS_SQL,
        "identifications",
        "I",
        "Unnamed people identified",
        "identifications",
    ),
    "republication": (
        REPUBLICATIONS_SQL,
        "republications",
        "P",
        "What it republishes",
        "republication credit",
    ),
    "shared": (
        SHARED_SQL,
        "shared_text",
        "T",
        "Passages it shares with other reports",
        "text shared with another report",
    ),
}
PREFIX = {kind: spec[2] for kind, spec in MARK_KINDS.items()}
KIND_NAME = {kind: spec[3] for kind, spec in MARK_KINDS.items()}
LEGEND_NAME = {kind: spec[4] for kind, spec in MARK_KINDS.items()}


def tip_of(kind, row):
    """The words a mark shows on hover and focus: what it is, its stance and its source."""
    if kind == "mention":
        hedges = hedge_words(row["hedges"])
        parts = [
            f"Claim: {row['statement']}",
            f"stance: {row['stance']}",
            f"in the words of {row['voice']}",
            hedges and f"hedged: {hedges}",
            f"source: {row['source']}" if row["source"] else "source: none named",
            f"claim {row['status']}",
        ]
    elif kind == "citation":
        parts = [
            f"Source: {row['source']}",
            f"medium: {row['medium']}",
            row["work"],
            f"source {row['source_basis']}",
        ]
    elif kind == "denial":
        parts = [
            f"Denial by {row['denier']}",
            f"of: {row['statement']}",
            f"medium: {row['medium']}",
            row["denied_on"] and f"on {row['denied_on']}",
        ]
    elif kind == "ground":
        parts = [
            f"Ground of a denial: {row['ground'].replace('-', ' ')}",
            f"denying: {row['statement']}",
        ]
    elif kind == "doubt":
        parts = [
            f"Doubt by {row['doubter']}",
            f"about the denial: {shorten(row['denial_quote'] or row['work'] or '', 120)}",
        ]
    elif kind == "retraction":
        what = row["retracted_title"] or row["retracted_work"] or "this article"
        parts = [
            f"{row['kind'].capitalize()} by {row['by_name']}",
            f"of: {what}",
            f"how: {row['how']}",
            row["retracted_on"] and f"on {row['retracted_on']}",
        ]
    elif kind == "identification":
        parts = [
            f"Taken to mean {row['actor']}",
            f"identified by the {row['identified_by']}",
            row["basis"],
        ]
    elif kind == "shared":
        parts = [
            f"Nearly the same words in: {row['other_title']}",
            f"similarity {row['similarity']:.2f}",
            "one credits the other" if row["linked"] else "neither credits the other",
        ]
    else:
        what = row["work"] or row["republished_title"]
        parts = [
            f"Republishes: {what}",
            f"{row['extent']}",
            f"credit {row['basis']}",
            row["via"] and f"via {row['via']}",
        ]
    # Parts a row leaves empty (no hedges, work, date or via) are left out.
    return " \u00b7 ".join(str(p) for p in parts if p)


@dataclass
class Span:
    kind: str
    row: dict
    number: int
    start: int
    end: int
    opened: bool = False

    @property
    def ident(self):
        return f"{self.kind}-{self.row['id']}"

    def open_tag(self):
        first = "" if self.opened else Markup(' id="{}"').format(self.ident)
        self.opened = True
        extra = f" stance-{self.row['stance']}" if self.kind == "mention" else ""
        return Markup('<mark class="mark mark-{}{}" data-mark="{}"{}>').format(
            self.kind, extra, self.ident, first
        )

    def close_tag(self, final):
        if not final:
            return Markup("</mark>")
        return Markup(
            '<a class="ref ref-{kind}" href="{href}" aria-describedby="tip-{ident}">{label}'
            '<span class="tip" role="tooltip" id="tip-{ident}">{tip}</span></a></mark>'
        ).format(
            kind=self.kind,
            href=url_of(self.kind, self.row["id"]),
            ident=self.ident,
            label=f"{PREFIX[self.kind]}{self.number}",
            tip=tip_of(self.kind, self.row),
        )


def mark_spans(text, spans):
    """text as HTML with each span wrapped in <mark>: nested spans nest; a span crossing
    another's end is closed there and opened again, so every tag pair is well formed. Each
    span's first piece carries its id, its last its numbered link and tooltip."""
    spans = sorted(
        (s for s in spans if 0 <= s.start < s.end <= len(text)), key=lambda s: (s.start, -s.end)
    )
    positions = sorted({s.start for s in spans} | {s.end for s in spans})
    starting = {}
    for span in spans:
        starting.setdefault(span.start, []).append(span)
    out, stack, at = [], [], 0
    for position in positions:
        out.append(escape(text[at:position]))
        at = position
        ending = [i for i, s in enumerate(stack) if s.end == position]
        if ending:
            depth = ending[0]
            closed = stack[depth:]
            for span in reversed(closed):
                out.append(span.close_tag(final=span.end == position))
            stack = stack[:depth]
            for span in closed:
                if span.end != position:
                    out.append(span.open_tag())
                    stack.append(span)
        for span in starting.get(position, []):
            out.append(span.open_tag())
            stack.append(span)
    out.append(escape(text[at:]))
    return Markup("").join(out)


async def marked_article(datasette, article_id):
    """{text: the article text as HTML with every mark, marks: {kind: [row, ...]}}, each row
    with its number, label (C1, S1, D1) and `in_context` words; None for no such article."""
    db = datasette.get_database(DATABASE)
    found = (
        await db.execute("select text, url from articles where article_id = ?", [article_id])
    ).rows
    if not found:
        return None
    text, url = found[0]
    marks, spans = {}, []
    tables = set(await db.table_names())
    for kind, (sql, table, *_) in MARK_KINDS.items():
        if table not in tables:
            continue
        rows = [dict(row) for row in (await db.execute(sql, {"article": article_id})).rows]
        for number, row in enumerate(rows, 1):
            row["number"] = number
            row["label"] = f"{PREFIX[kind]}{number}"
            row["anchor"] = f"{kind}-{row['id']}"
            row["fragment"] = text_fragment(url, row["quote"])
            row["tip"] = tip_of(kind, row)
            spans.append(Span(kind, row, number, row["start"], row["end"]))
        marks[kind] = rows
    return {
        "text": mark_spans(text, spans),
        "marks": marks,
        "kind_names": KIND_NAME,
        "legend": LEGEND_NAME,
        "prefix": PREFIX,
    }


# --- a claim's lineage ------------------------------------------------------------------

LINEAGE_SQL = """
select l.step, l.published, l.article_id, a.title, l.outlet, l.stance, l.hedges, l.rests_on,
  l.cited_work, l.cited_article_id, l.first_in_corpus, l.quote, l.mention_id,
  a.not_before, a.not_after, a.date_precision, a.url, m.quote_start, m.quote_end, a.text
from claim_lineage l join articles a using (article_id)
join claim_mentions m on m.mention_id = l.mention_id
where l.claim_id = :claim order by l.step, l.mention_id
limit :limit
"""
LIST_LIMIT = 40  # items of each list on an actor's or a work's page; their tables have them all
LINEAGE_LIMIT = 50  # steps shown on a claim's page; the claim_lineage table has them all


async def lineage(datasette, claim_id):
    """A claim's lineage in date order, one entry per report (its step, date, and its
    mentions of the claim, each with its words around it and its text fragment link), with
    `uncertain`: the reports whose publication windows (not_before..not_after) overlap its
    own, so that which came first is not known. At most LINEAGE_LIMIT mentions."""
    params = {"claim": claim_id, "limit": LINEAGE_LIMIT}
    rows = [
        dict(r) for r in (await datasette.get_database(DATABASE).execute(LINEAGE_SQL, params)).rows
    ]
    reports = []
    for row in rows:
        text = row.pop("text")
        row["before"] = cut_before(text, row["quote_start"], CONTEXT // 3)
        row["after"] = cut_after(text, row["quote_end"], CONTEXT // 3)
        row["fragment"] = text_fragment(row["url"], row["quote"])
        row["hedge_words"] = hedge_words(row["hedges"])
        if not reports or reports[-1]["article_id"] != row["article_id"]:
            reports.append(
                {
                    key: row[key]
                    for key in (
                        "step",
                        "published",
                        "article_id",
                        "title",
                        "outlet",
                        "first_in_corpus",
                        "not_before",
                        "not_after",
                        "date_precision",
                        "url",
                    )
                }
                | {"mentions": []}
            )
        reports[-1]["mentions"].append(row)
    for report in reports:
        report["overlaps"] = sorted(
            {
                other["article_id"]
                for other in reports
                if other["article_id"] != report["article_id"]
                and other["not_before"] <= report["not_after"]
                and report["not_before"] <= other["not_after"]
            }
        )
        report["uncertain"] = bool(report["overlaps"])
    return {"reports": reports, "mentions": len(rows)}


def reading_template_vars(datasette):
    async def _id_link(kind, value, label=None):
        return await id_link(datasette, kind, value, label)

    async def _marked_article(article_id):
        return await marked_article(datasette, article_id)

    async def _in_context(article_id, start, end):
        return await in_context(datasette, article_id, start, end)

    async def _lineage(claim_id):
        return await lineage(datasette, claim_id)

    async def _has_table(name):
        return name in set(await datasette.get_database(DATABASE).table_names())

    return {
        "has_table": _has_table,
        "id_link": _id_link,
        "marked_article": _marked_article,
        "in_context": _in_context,
        "lineage": _lineage,
        "text_fragment": text_fragment,
        "context_of": context_of,
        "lineage_limit": LINEAGE_LIMIT,
        "list_limit": LIST_LIMIT,
        "hedge_words": hedge_words,
        "url_of": url_of,
    }


# --- canned queries ---------------------------------------------------------------------

# A canned query's parameter offered as a choice of labels: the SQL of its (value, label)
# options, at most CHOICES of them, the most carried first.
CHOICES = 500
PARAMETER_CHOICES = {
    "claim": (
        "Claim",
        "select claim_id, statement from claims order by article_count desc, mention_count desc, claim_id limit :limit",
    ),
    "actor": (
        "Actor",
        "select actor_id, name || ' (' || replace(kind, '_', ' ') || ')' from actors order by name, actor_id limit :limit",
    ),
    "article": (
        "Article",
        "select article_id, title from articles order by not_before, article_id limit :limit",
    ),
}
# Parameters asked for as words, with their label and what to say before any is given.
PARAMETER_WORDS = {"q": ("Words to search for", "Type a word or two and press Search.")}
# Readable headers for the columns of query pages (the column's name stays in its title).
COLUMN_LABELS = {
    "step": "Step",
    "published": "Published",
    "article_id": "Article",
    "outlet": "Outlet",
    "stance": "Stance",
    "hedges": "Hedge words",
    "rests_on": "Rests on",
    "cited_work": "Cited work",
    "cited_article_id": "Repeats report",
    "first": "First?",
    "quote": "Quote",
    "mention_id": "Mention",
    "chain": "Chain of reports",
    "hops": "Reports in between",
    "origin_article_id": "First report",
    "origin_works": "Works the first report credits",
    "countries": "Countries",
    "first_credits_from": "Credit from",
    "first_credits_to": "to",
    "first_citation_id": "Citation",
    "second_credits_from": "and back from",
    "second_credits_to": "to",
    "second_citation_id": "Citation",
    "first_article_id": "First report",
    "second_article_id": "Second report",
    "statement": "Claim",
    "denied_by": "Denied by",
    "medium": "Medium",
    "denied_on": "Denied on",
    "denied_on_basis": "Date known",
    "reported_in": "Reported in",
    "claim_id": "Claim",
    "topic": "Topic",
    "article_count": "Articles",
    "mention_count": "Mentions",
    "first_reported": "First reported",
    "about": "About",
    "attribute": "Detail",
    "value": "Value",
    "carried_by": "Reported by",
    "relation": "How they figure",
    "id": "What",
    "detail": "Words",
    "status": "Status or stance",
    "found_in": "Found in",
    "text": "Title or claim",
    "match": "Match",
    "citation_id": "Credit",
    "article_date": "Date",
    "from_actor_id": "Passed on by",
    "from_actor": "Passed on by (name)",
    "from_country_id": "From country",
    "to_actor_id": "Credited",
    "to_actor": "Credited (name)",
    "to_actor_kind": "Kind of source",
    "to_country_id": "Credited's country",
    "work": "Work credited",
    "source_basis": "Source named?",
    "edge": "Credit from",
    "cue": "Cue words",
    "hedged": "Hedged?",
    "first_in_corpus": "First here?",
    "about_claim_id": "Broader claim",
    "values_reported": "Versions",
    "kind": "Kind",
    "denier_id": "Denier",
    "reported_on": "Reported on",
    "denial_id": "Denial",
    "hedge": "Hedge word",
}


async def parameter_choices(datasette, name, current=None):
    """(label, [(value, label)], words) for a canned query's parameter: options when it is an
    id of a kind (the current value kept even when beyond the first CHOICES), else None."""
    if name in PARAMETER_CHOICES:
        label, sql = PARAMETER_CHOICES[name]
        db = datasette.get_database(DATABASE)
        options = [
            (row[0], shorten(row[1], 110))
            for row in (await db.execute(sql, {"limit": CHOICES})).rows
        ]
        if current and current not in {value for value, _ in options}:
            kind = name if name in KINDS else None
            options.insert(
                0, (current, await label_for(datasette, kind, current) if kind else current)
            )
        return {
            "label": label,
            "options": options,
            "prompt": f"Choose a {label.lower()} above to see the answer.",
        }
    label, prompt = PARAMETER_WORDS.get(
        name, (name.replace("_", " ").capitalize(), f"Give a {name} above.")
    )
    return {"label": label, "options": None, "prompt": prompt}


def column_label(column):
    return COLUMN_LABELS.get(column, column.replace("_", " ").capitalize())


@hookimpl
def extra_template_vars(datasette):
    async def _parameter_choices(name, current=None):
        return await parameter_choices(datasette, name, current)

    async def _facet_label(column, value, label):
        return await facet_label(datasette, column, value, label)

    return {
        **reading_template_vars(datasette),
        "parameter_choices": _parameter_choices,
        "column_label": column_label,
        "facet_label": _facet_label,
        "kind_of_column": kind_of_column,
    }


async def facet_label(datasette, column, value, label):
    """A facet value's label: Datasette's (a foreign key's label) when it has one, else the
    label of the id when the column holds ids (a derived table's), else the value."""
    label = "" if label is None else str(label)
    kind = ID_COLUMNS.get(column)
    if kind is None or value in (None, "") or (label and label != str(value)):
        return label
    for one in kind if isinstance(kind, tuple) else (kind,):
        found = await label_for(datasette, one, value)
        if found is not None:
            return found
    return label


def kind_of_column(column):
    return ID_COLUMNS.get(column)
