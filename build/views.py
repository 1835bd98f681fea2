"""SQL views that answer the dataset's provenance questions. Each becomes a page in
Datasette with facets, CSV and JSON, like a table; metadata.yml describes them."""

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

# Every article carrying each claim, in date order, with what it rests on.
CLAIM_LINEAGE = """
select
  m.claim_id,
  cl.statement,
  row_number() over (partition by m.claim_id order by a.not_before, a.not_after, m.article_id, m.quote_start) as step,
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

# Reports that repeat another report in the corpus, followed to the first one.
SOURCE_CHAINS = """
with recursive chain(article_id, reached_id, path, hops) as (
  select article_id, article_id, article_id, 0 from articles
  union
  select chain.article_id, c.cited_article_id, chain.path || ' -> ' || c.cited_article_id, chain.hops + 1
  from chain join citations c on c.article_id = chain.reached_id
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

# Pairs of credits running opposite ways between two countries: one side's report
# rests on a source from the other side, whose report rests on a source from the
# first. The corpus' own denial tweet points this out. Only reports count as the
# crediting side (outlets and unnamed papers), and a credit that carries a denial
# is not sourcing.
CIRCULAR_SOURCING = """
with sourcing as (
  select e.* from citation_edges e join actors crediting on crediting.actor_id = e.from_actor_id
  where crediting.kind in ('outlet', 'anonymous_source')
    and not exists (select 1 from claim_mentions m where m.citation_id = e.citation_id and m.stance = 'disputes')
)
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
from sourcing one
join sourcing two
  on one.from_country_id = two.to_country_id
 and one.to_country_id = two.from_country_id
 and one.from_country_id < one.to_country_id
"""

# Where reports disagree: details of the same claim with different values.
DISCREPANCIES = """
select
  parent.claim_id as about_claim_id,
  parent.statement as about,
  detail.attribute,
  detail.value,
  detail.claim_id,
  detail.mention_count,
  (select group_concat(article_id, '; ') from (
     select distinct m.article_id from claim_mentions m join articles a using (article_id)
     where m.claim_id = detail.claim_id order by a.not_before)) as carried_by,
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

VIEWS = {
    "citation_edges": CITATION_EDGES,
    "claim_lineage": CLAIM_LINEAGE,
    "source_chains": SOURCE_CHAINS,
    "circular_sourcing": CIRCULAR_SOURCING,
    "discrepancies": DISCREPANCIES,
    "claim_denials": CLAIM_DENIALS,
}


def create_views(db):
    """Create every view, in order (circular_sourcing reads citation_edges)."""
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)
