"""Derived tables that answer the dataset's provenance questions, and one view.

Each derived table is defined once, by the SELECT below that computes it from the base
tables, and stored as a real table at build time: the database is immutable while it is
served, so a stored table cannot go stale, and it can be indexed, so its pages, facets and
the canned queries over it read indexes instead of recomputing joins and windows on every
request. They are not part of the Frictionless package (no CSV, no datapackage.json
entry): they are derived, and rebuilt from the tables that are.

refresh_derived_tables() fills them all (a cold build), or, given the articles whose rows
changed, refreshes only what those articles can change (an incremental build); both give
the same table contents. Each becomes a page in Datasette with facets, CSV and JSON, like
a table; metadata.yml describes them.
"""

import json
from dataclasses import dataclass, field

from sqlite_utils.db import DescIndex

# Who credits whom. The citing actor is the article's outlet, or, for a source the
# article says was passed on by another ("Middle East Monitor, which cited a Hebrew
# website"), the source that passed it on.
CITATION_EDGES = """
select
  c.citation_id,
  c.article_id,
  a.not_before as article_date,
  coalesce(via.source_id, a.outlet_id) as from_actor_id,
  coalesce(via_actor.name, outlet.name) as from_actor,
  coalesce(via_actor.country_id, outlet.country_id) as from_country_id,
  c.source_id as to_actor_id,
  source.name as to_actor,
  source.kind as to_actor_kind,
  source.country_id as to_country_id,
  c.cited_article_id,
  c.work,
  c.medium,
  c.source_basis,
  case when c.via_citation_id is null then 'article' else 'passed on' end as edge,
  c.cue,
  c.quote
from citations c
join articles a on a.article_id = c.article_id
join actors outlet on outlet.actor_id = a.outlet_id
join actors source on source.actor_id = c.source_id
left join citations via on via.citation_id = c.via_citation_id
left join actors via_actor on via_actor.actor_id = via.source_id
"""

# The order of a claim's lineage: date order, then the article, then where in the
# article. Step n is the nth mention of the claim in this order.
LINEAGE_ORDER = "a.not_before, a.not_after, m.article_id, m.quote_start"

# Every article carrying each claim, in date order, with what it rests on.
CLAIM_LINEAGE = f"""
select
  m.claim_id,
  cl.statement,
  row_number() over (partition by m.claim_id order by {LINEAGE_ORDER}) as step,
  a.published,
  a.not_before as article_date,
  m.article_id,
  outlet.name as outlet,
  m.stance,
  m.hedges,
  m.hedged,
  coalesce(source.name, '(own voice)') as rests_on,
  c.work as cited_work,
  c.cited_article_id,
  case when m.article_id = cl.first_article_id then 1 else 0 end as first_in_corpus,
  m.quote,
  m.mention_id
from claim_mentions m
join claims cl on cl.claim_id = m.claim_id
join articles a on a.article_id = m.article_id
join actors outlet on outlet.actor_id = a.outlet_id
left join citations c on c.citation_id = m.citation_id
left join actors source on source.actor_id = c.source_id
"""

# Each hedge word of each claim mention, so hedges can be faceted and filtered through an
# index (a facet over the JSON array in claim_mentions.hedges reads every row).
CLAIM_MENTION_HEDGES = """
select distinct
  m.mention_id,
  h.value as hedge,
  m.claim_id,
  m.article_id,
  m.stance
from claim_mentions m, json_each(m.hedges) h
"""

# Each reported denial with the claim it denies.
CLAIM_DENIALS = """
select
  d.claim_id,
  cl.statement,
  cl.kind,
  denier.name as denied_by,
  d.denier_id,
  d.medium,
  d.denied_on,
  d.denied_on_basis,
  d.article_id as reported_in,
  a.not_before as reported_on,
  d.quote,
  d.denial_id
from denials d
join claims cl on cl.claim_id = d.claim_id
join actors denier on denier.actor_id = d.denier_id
join articles a on a.article_id = d.article_id
"""

# Reports that repeat another report in the corpus, followed to the first one. {starts}
# is the articles whose chains are computed: all of them, or those a refresh recomputes.
# (`in (chain.reached_id)` rather than `=`: with `=`, SQLite 3.40 first builds a Bloom
# filter over every citation, 20-30 ms at 10,000 articles, for a refresh of one chain.)
SOURCE_CHAINS = """
with recursive chain(article_id, reached_id, path, hops) as (
  select article_id, article_id, article_id, 0 from articles {starts}
  union
  select chain.article_id, c.cited_article_id, chain.path || ' -> ' || c.cited_article_id, chain.hops + 1
  from chain join citations c on c.article_id in (chain.reached_id)
  where c.cited_article_id is not null and instr(chain.path, c.cited_article_id) = 0
)
select
  chain.article_id,
  chain.path as chain,
  chain.hops,
  chain.reached_id as origin_article_id,
  (select group_concat(work, '; ') from (
     select distinct oc.work from citations oc
     where oc.article_id = chain.reached_id and oc.work is not null and oc.cited_article_id is null
     order by oc.work)) as origin_works
from chain
where not exists (
  select 1 from citations c
  where c.article_id = chain.reached_id and c.cited_article_id is not null and instr(chain.path, c.cited_article_id) = 0
)
"""

# Where reports disagree: details of the same claim with different values, with the
# articles carrying each in date order (their order in claim_lineage, filled before this).
DISCREPANCIES = """
select
  parent.claim_id as about_claim_id,
  parent.statement as about,
  detail.attribute,
  detail.value,
  detail.claim_id,
  detail.mention_count,
  (select group_concat(article_id, '; ') from (
     select article_id from claim_lineage where claim_id = detail.claim_id
     group by article_id order by min(step))) as carried_by,
  (select count(distinct other.value) from claims other
   where other.detail_of = detail.detail_of and other.attribute = detail.attribute and other.mention_count > 0) as values_reported
from claims detail
join claims parent on parent.claim_id = detail.detail_of
where detail.attribute is not null and detail.mention_count > 0
  and exists (
    select 1 from claims other
    where other.detail_of = detail.detail_of and other.attribute = detail.attribute
      and other.value != detail.value and other.mention_count > 0)
"""

# Pairs of credits running opposite ways between two countries: one side's report
# rests on a source from the other side, whose report rests on a source from the
# first. The corpus' own denial tweet points this out. Only reports count as the
# crediting side (outlets and unnamed papers), and a credit that carries a denial
# is not sourcing. A view, not a table: at 10,000 articles there are millions of such
# pairs. Written so that, ordered by the two citation ids, the first pairs come first,
# without computing the rest: citation_edges is read in citation order, with no common
# table expression (SQLite would compute it whole before the first row), and each
# edge's partners are the list the index on (from_country_id, to_country_id) gives,
# not a join, which SQLite serves with an index it builds on every request (200 ms at
# 10,000 articles: it takes ANALYZE's 4,000 rows a country pair for worse than its own
# index's guess).
CIRCULAR_SOURCING = """
select
  one.from_country_id || ' <-> ' || one.to_country_id as countries,
  one.from_actor as first_credits_from,
  one.to_actor as first_credits_to,
  one.citation_id as first_citation_id,
  two.from_actor as second_credits_from,
  two.to_actor as second_credits_to,
  two.citation_id as second_citation_id,
  one.article_id as first_article_id,
  two.article_id as second_article_id
from citation_edges one
join citation_edges two on two.rowid in (
  select partner.rowid from citation_edges partner
  where partner.from_country_id = one.to_country_id and partner.to_country_id = one.from_country_id)
where one.from_country_id < one.to_country_id
  and (select kind from actors where actor_id = one.from_actor_id) in ('outlet', 'anonymous_source')
  and (select kind from actors where actor_id = two.from_actor_id) in ('outlet', 'anonymous_source')
  and not exists (select 1 from claim_mentions m where m.citation_id = one.citation_id and m.stance = 'disputes')
  and not exists (select 1 from claim_mentions m where m.citation_id = two.citation_id and m.stance = 'disputes')
"""

VIEWS = {"circular_sourcing": CIRCULAR_SOURCING}


@dataclass(frozen=True)
class Derived:
    """A derived table: its SELECT; the columns naming a row (key), its primary key unless
    declared_key is False (a rowid table, filled in the SELECT's own order); the types of
    its computed columns (plain columns take their base column's type); its indexes beyond
    those metadata.yml's facet columns get, each a list of columns or (columns, a WHERE
    making it partial); and, for a table with one row per row of an article, which column
    names the article: (in the SELECT's base table, in the derived table). None for a table
    refreshed otherwise."""

    name: str
    select: str
    key: tuple
    types: dict
    indexes: list = field(default_factory=list)
    article_column: tuple | None = None
    declared_key: bool = True


CITATION_EDGES_TABLE = Derived(
    "citation_edges", CITATION_EDGES, ("citation_id",),
    {"from_actor_id": str, "from_actor": str, "from_country_id": str, "edge": str},
    # the circular_sourcing view's join, in citation order
    indexes=[["article_id"], ["from_country_id", "to_country_id"]],
    article_column=("c.article_id", "article_id"),
)
# A rowid table filled in the window's order (by claim, then step): when a refresh
# renumbers the later steps of a claim, the rows it rewrites are neighbours on disk, about
# half the work of rows scattered in mention_id order; and the fill does not insert
# 280,000 keys in random order. mention_id is unique, as in claim_mentions.
CLAIM_LINEAGE_TABLE = Derived(
    "claim_lineage", CLAIM_LINEAGE, ("mention_id",),
    {"step": int, "rests_on": str, "first_in_corpus": int},
    # a claim's steps in order, with their articles (the lineage query, discrepancies, and
    # a refresh renumbering steps: one index holding step, so a step is rewritten in one
    # place); for a refresh, an article's rows and each claim's first appearance (partial:
    # about a hundred rows, not one entry per mention)
    indexes=[["claim_id", "step", "article_id"], ["article_id"], (["claim_id"], "first_in_corpus = 1")],
    article_column=("m.article_id", "article_id"),
    declared_key=False,
)
CLAIM_MENTION_HEDGES_TABLE = Derived(
    "claim_mention_hedges", CLAIM_MENTION_HEDGES, ("mention_id", "hedge"), {"hedge": str},
    indexes=[["article_id"]],
    article_column=("m.article_id", "article_id"),
)
CLAIM_DENIALS_TABLE = Derived(
    "claim_denials", CLAIM_DENIALS, ("denial_id",), {},
    indexes=[["reported_in"], ["claim_id", "reported_on"]],  # the denied_claims query's order
    article_column=("d.article_id", "reported_in"),
)
SOURCE_CHAINS_TABLE = Derived(
    "source_chains", SOURCE_CHAINS, ("article_id", "chain"),
    {"article_id": str, "chain": str, "hops": int, "origin_article_id": str, "origin_works": str},
    indexes=[[DescIndex("hops"), "article_id", "chain"]],  # the chains query's order
)
DISCREPANCIES_TABLE = Derived(
    "discrepancies", DISCREPANCIES, ("claim_id",), {"carried_by": str, "values_reported": int},
    indexes=[["about_claim_id", "attribute", "value"]],  # the discrepancies_by_detail query's order
)

# In filling order: discrepancies reads claim_lineage.
DERIVED = [
    CITATION_EDGES_TABLE, CLAIM_LINEAGE_TABLE, CLAIM_MENTION_HEDGES_TABLE, CLAIM_DENIALS_TABLE,
    SOURCE_CHAINS_TABLE, DISCREPANCIES_TABLE,
]
DERIVED_NAMES = [table.name for table in DERIVED]
# Indexes on base tables that canned queries in metadata.yml need beyond those on their
# keys, foreign keys and facet columns: the actor query's first rows of each kind in
# article order, read off an index in that order (at 10,000 articles, rather than sorting
# an actor's thousands of mentions, credits and 27,000 alias mentions on every request).
CANNED_QUERY_INDEXES = {
    "claim_mentions": [["voice_id", "article_id"]],
    "citations": [["source_id", "article_id"]],
    "actor_mentions": [["actor_id", "article_id"]],
}
# The types CREATE TABLE ... AS SELECT gives a column copied from a base table.
AFFINITIES = {"TEXT": str, "INT": int, "REAL": float}


def refresh_derived_tables(db, article_ids=None):
    """Create and fill the derived tables, the views and the canned queries' indexes
    (article_ids None: a cold build; derived tables and views already there are made
    again), or bring the derived tables up to date after the rows of the articles in
    article_ids were replaced in the base tables (an incremental build).

    For a refresh, every base table (claims' computed columns included) must already hold
    the new rows of those articles, and no other article's rows may have changed; nor
    actors, nor the claims as curated (statement, kind, detail_of, attribute, value): a
    change to those calls for a cold build. An id may name an article that was added
    or removed. Either way the tables end up as a cold build would fill them. Runs in
    one transaction; db is a sqlite_utils.Database."""
    with db.conn:
        if article_ids is None:
            for name in VIEWS:
                db.execute(f"drop view if exists [{name}]")
            for table in DERIVED:
                db[table.name].drop(ignore=True)
                _create(db, table)
                _insert(db, table)
                for index in table.indexes:
                    _create_index(db, table.name, index)
            for name, sql in VIEWS.items():
                db.create_view(name, sql.strip(), replace=True)
            for name, indexes in CANNED_QUERY_INDEXES.items():
                for columns in indexes:
                    db[name].create_index(columns, if_not_exists=True)
            return
        ids = json.dumps(sorted(set(article_ids)))
        for table in (CITATION_EDGES_TABLE, CLAIM_MENTION_HEDGES_TABLE, CLAIM_DENIALS_TABLE):
            _replace_articles(db, table, ids)
        reordered = _refresh_lineage(db, ids)
        _refresh_chains(db, ids)
        _refresh_discrepancies(db, reordered)


def _select(table, only=None):
    """The table's SELECT; with only (a JSON list of article ids), its rows of those articles."""
    if table is SOURCE_CHAINS_TABLE:
        return SOURCE_CHAINS.format(starts="" if only is None else "where article_id in (select value from json_each(:only))")
    if table is DISCREPANCIES_TABLE and only is not None:  # only: claim ids
        return f"{table.select} and detail.claim_id in (select value from json_each(:only))"
    if only is None:
        return table.select
    return f"{table.select} where {table.article_column[0]} in (select value from json_each(:only))"


def _insert(db, table, only=None):
    """Insert the rows of the table's SELECT (of the articles in only, when given)."""
    columns = ", ".join(f"[{column}]" for column in db[table.name].columns_dict)
    # A cold fill in key order: each row goes at the end of the key's index rather than
    # at a random place in it (a third faster for tables of 100,000 rows).
    in_order = "" if only or not table.declared_key else " order by " + ", ".join(f"[{column}]" for column in table.key)
    db.execute(f"insert into [{table.name}] ({columns}) select {columns} from ({_select(table, only)}){in_order}", {"only": only})


def _create(db, table):
    """Create the empty table: its SELECT's columns, typed, and its key."""
    shape = "_derived_shape"
    db.execute(f"create temp table {shape} as select * from ({_select(table)}) limit 0")
    try:
        columns = {}
        for _, name, declared, *_ in db.execute(f"pragma temp.table_info({shape})").fetchall():
            kind = table.types.get(name) or AFFINITIES.get(declared)
            if not kind:
                raise ValueError(f"{table.name}.{name}: a computed column needs its type in build/derived/views.py")
            columns[name] = kind
    finally:
        db.execute(f"drop table temp.{shape}")
    key = None if not table.declared_key else table.key[0] if len(table.key) == 1 else table.key
    db[table.name].create(columns, pk=key)


def _create_index(db, name, index):
    """Create one index of a derived table: a list of columns, or (columns, a WHERE)."""
    if isinstance(index, list):
        db[name].create_index(index, find_unique_name=True)
        return
    columns, where = index
    # sqlite-utils' create_index makes no partial index
    db.execute(f"create index [idx_{name}_{'_'.join(columns)}_where] on [{name}] ({', '.join(columns)}) where {where}")


def _replace_articles(db, table, ids):
    """Delete a per-article table's rows of the articles in ids, and insert them again."""
    db.execute(f"delete from [{table.name}] where [{table.article_column[1]}] in (select value from json_each(?))", [ids])
    _insert(db, table, ids)


def _refresh_lineage(db, ids):
    """Replace the changed articles' rows in claim_lineage, and renumber the steps of the
    claims they carry or carried without recomputing them: the other mentions of a claim
    keep their order, and each moves by the number of mentions removed before it and
    added before it. Then mark each of those claims' first appearance anew. Returns the
    claims whose articles, or their order, changed (not only their mentions' contents)."""
    removed = {}  # claim -> the old steps of the rows removed
    was = {}  # claim -> [(step, article)] of the rows removed
    for claim_id, step, article_id in db.execute(
        "select claim_id, step, article_id from claim_lineage where article_id in (select value from json_each(?)) order by claim_id, step", [ids]
    ).fetchall():
        removed.setdefault(claim_id, []).append(step)
        was.setdefault(claim_id, []).append((step, article_id))
    added = {}  # claim -> [(article_id, not_before, not_after, mentions)] in lineage order
    for claim_id, article_id, not_before, not_after, count in db.execute(
        """select m.claim_id, m.article_id, a.not_before, a.not_after, count(*) from claim_mentions m
           join articles a on a.article_id = m.article_id
           where m.article_id in (select value from json_each(?))
           group by m.claim_id, m.article_id order by m.claim_id, a.not_before, a.not_after, m.article_id""", [ids]
    ).fetchall():
        added.setdefault(claim_id, []).append((article_id, not_before, not_after, count))
    claims = sorted(set(removed) | set(added))
    totals = dict(db.execute(
        "select claim_id, count(*) from claim_lineage where claim_id in (select value from json_each(?)) group by claim_id",
        [json.dumps(claims)],
    ).fetchall())
    db.execute("delete from claim_lineage where article_id in (select value from json_each(?))", [ids])

    offsets = []  # (claim, article, steps before the article's block among the rows kept)
    for claim_id in claims:
        gone = removed.get(claim_id, [])
        kept = totals.get(claim_id, 0) - len(gone)
        moves = [(step, -1) for step in gone]  # each row after a removed one moves up one
        for article_id, not_before, not_after, count in added.get(claim_id, []):
            before = _kept_before(db, claim_id, gone, kept, (not_before, not_after, article_id))
            offsets.append((claim_id, article_id, before))
            moves.append((_old_step(before, gone), count))  # rows after the block move down
        _move_steps(db, claim_id, moves)

    # The new rows, numbered among themselves by the same SELECT, then placed.
    _insert(db, CLAIM_LINEAGE_TABLE, ids)
    db.conn.executemany(
        "update claim_lineage set step = step + ? where article_id = ? and claim_id = ?",
        [(before, article_id, claim_id) for claim_id, article_id, before in offsets if before],
    )
    firsts = json.dumps(claims)
    db.execute(
        """update claim_lineage set first_in_corpus = 0
           where first_in_corpus = 1 and claim_id in (select value from json_each(:claims))
             and article_id is not (select first_article_id from claims where claims.claim_id = claim_lineage.claim_id)""",
        {"claims": firsts},
    )
    db.execute(
        """update claim_lineage set first_in_corpus = 1
           where first_in_corpus = 0
             and (article_id, claim_id) in (select first_article_id, claim_id from claims where claim_id in (select value from json_each(:claims)))""",
        {"claims": firsts},
    )
    now = {}
    for claim_id, step, article_id in db.execute(
        "select claim_id, step, article_id from claim_lineage where article_id in (select value from json_each(?)) order by claim_id, step", [ids]
    ).fetchall():
        now.setdefault(claim_id, []).append((step, article_id))
    return {claim_id for claim_id in claims if was.get(claim_id) != now.get(claim_id)}


def _refresh_discrepancies(db, reordered):
    """Recompute the discrepancies of every detail group (same detail_of and attribute)
    holding a claim whose articles changed: its rows' carried_by and mention_count, and
    whether and how its values differ. Other groups cannot have changed."""
    claims = json.dumps(sorted(row[0] for row in db.execute(
        """select detail.claim_id from claims detail
           where exists (select 1 from claims changed where changed.claim_id in (select value from json_each(?))
                         and changed.detail_of = detail.detail_of and changed.attribute = detail.attribute)""",
        [json.dumps(sorted(reordered))],
    ).fetchall()))
    db.execute("delete from discrepancies where claim_id in (select value from json_each(?))", [claims])
    _insert(db, DISCREPANCIES_TABLE, claims)


def _old_step(rank, gone):
    """The step, before removal, of the row that is rank-th among the rows kept (0 for
    none): its rank plus the removed steps at or before it. gone is sorted."""
    step = rank
    for removed_step in gone:
        if removed_step > step:
            break
        step += 1
    return step


def _kept_before(db, claim_id, gone, kept, key):
    """How many of a claim's kept rows come before an article with lineage key (not_before,
    not_after, article_id), the article's part of LINEAGE_ORDER: a binary search over
    their steps, which are in that order."""
    low, high = 0, kept  # the answer is in [low, high]
    while low < high:
        middle = (low + high + 1) // 2
        earlier = db.execute(
            """select (a.not_before, a.not_after, a.article_id) < (?, ?, ?) from claim_lineage l
               join articles a on a.article_id = l.article_id where l.claim_id = ? and l.step = ?""",
            [*key, claim_id, _old_step(middle, gone)],
        ).fetchone()[0]
        if earlier:
            low = middle
        else:
            high = middle - 1
    return low


def _move_steps(db, claim_id, moves):
    """Add to each kept row's step the sum of the moves [(after step, by)] it comes after,
    in one UPDATE (each row is changed once, whatever its new step), for the rows that move."""
    moves.sort()
    positions = [position for position, _ in moves]
    ranges, total = [], 0
    for index, (position, by) in enumerate(moves):
        total += by
        end = positions[index + 1] if index + 1 < len(positions) else None
        if total and (end is None or end > position):
            ranges.append((position, end, total))
    if not ranges:
        return
    cases = " ".join(
        f"when step > {start}" + (f" and step <= {end}" if end is not None else "") + f" then {by}"
        for start, end, by in ranges
    )
    db.execute(
        f"update claim_lineage set step = step + case {cases} else 0 end where claim_id = ? and step > ?"
        + (f" and step <= {ranges[-1][1]}" if ranges[-1][1] is not None else ""),
        [claim_id, ranges[0][0]],
    )


def _refresh_chains(db, ids):
    """Recompute the source chains of the changed articles and of every article whose chain
    can pass through one: those that cite one, and those that cite those, and so on."""
    affected = json.dumps([row[0] for row in db.execute(
        """with recursive affected(article_id) as (
             select value from json_each(?)
             union
             select c.article_id from citations c join affected on c.cited_article_id = affected.article_id
           ) select article_id from affected""", [ids]
    ).fetchall()])
    db.execute("delete from source_chains where article_id in (select value from json_each(?))", [affected])
    _insert(db, SOURCE_CHAINS_TABLE, affected)
