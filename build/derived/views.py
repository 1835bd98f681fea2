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

import bisect
import json
import sqlite3
from dataclasses import dataclass, field

from build.derived import shared_text

# Who credits whom. The citing actor is the article's outlet, or, for a source the
# article says was passed on by another ("Middle East Monitor, which cited a Hebrew
# website"), the source that passed it on: its country is that source's, never the
# outlet's (an unnamed report has none), and an actor of kind country is its own country.
CITATION_EDGES = """
select
  c.citation_id,
  c.article_id,
  a.not_before as article_date,
  a.not_after as article_not_after,
  case when c.via_citation_id is null then a.outlet_id else via.source_id end as from_actor_id,
  case when c.via_citation_id is null then outlet.name else coalesce(via_actor.name, via_work.title) end as from_actor,
  case when c.via_citation_id is null then coalesce(outlet.country_id, case when outlet.kind = 'country' then outlet.actor_id end)
       else coalesce(via_actor.country_id, case when via_actor.kind = 'country' then via_actor.actor_id end) end as from_country_id,
  c.source_id as to_actor_id,
  coalesce(source.name, work.title) as to_actor,
  source.kind as to_actor_kind,
  coalesce(source.country_id, case when source.kind = 'country' then source.actor_id end) as to_country_id,
  c.cited_article_id,
  c.work_id,
  c.work,
  c.medium,
  c.source_basis,
  case when c.via_citation_id is null then 'article' else 'passed on' end as edge,
  c.cue,
  c.quote
from citations c
join articles a on a.article_id = c.article_id
join actors outlet on outlet.actor_id = a.outlet_id
left join actors source on source.actor_id = c.source_id
left join works work on work.work_id = c.work_id
left join citations via on via.citation_id = c.via_citation_id
left join actors via_actor on via_actor.actor_id = via.source_id
left join works via_work on via_work.work_id = via.work_id
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
  a.not_after as article_not_after,
  m.article_id,
  outlet.name as outlet,
  m.stance,
  m.hedges,
  m.hedged,
  case when m.citation_id is null then '(own voice)' else coalesce(source.name, c.work) end as rests_on,
  c.work as cited_work,
  c.cited_article_id,
  case when a.not_before <= cl.first_not_after then 1 else 0 end as first_in_corpus,
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

# Each reported denial with the claim it denies: every denier, the grounds given, the
# work it was made in, and whose words relay it when the article has it from someone else.
CLAIM_DENIALS = """
select
  d.claim_id,
  cl.statement,
  cl.kind,
  (select group_concat(name, '; ') from (
     select actor.name from denial_deniers dd join actors actor on actor.actor_id = dd.denier_id
     where dd.denial_id = d.denial_id order by dd.position)) as denied_by,
  d.denier_id,
  d.denier_count,
  d.medium,
  d.work_id,
  d.denied_on,
  d.denied_on_basis,
  (select group_concat(ground, '; ') from (
     select ground from denial_grounds g where g.denial_id = d.denial_id order by g.ground_id)) as grounds,
  relay.source_id as relayed_by_id,
  d.article_id as reported_in,
  a.not_before as reported_on,
  a.not_after as reported_until,
  d.quote,
  d.denial_id
from denials d
join claims cl on cl.claim_id = d.claim_id
join articles a on a.article_id = d.article_id
left join citations relay on relay.citation_id = d.citation_id
"""

# Reports that repeat another report in the corpus, followed to the first one. {starts}
# is the articles whose chains are computed: all of them, or those a refresh recomputes.
# shares_text_with and shares_text are filled after shared_text (_mark_chains_sharing_text).
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
     order by oc.work)) as origin_works,
  null as shares_text_with,
  0 as shares_text
from chain
where not exists (
  select 1 from citations c
  where c.article_id = chain.reached_id and c.cited_article_id is not null and instr(chain.path, c.cited_article_id) = 0
)
"""

# Where reports disagree: details of the same claim with different values, with the
# articles carrying each in date order (their order in claim_lineage, filled before this).
# A value counts as reported only where an article carries it without disputing it (YWN
# "carries" Indonesia only to reject it), and two values the curator marks compatible
# (claim_relations: "Zulfi Bukhari" narrows "an unnamed close aide") do not disagree.
CARRIED = "exists (select 1 from claim_mentions m where m.claim_id = {0}.claim_id and m.stance != 'disputes')"
DISCREPANCIES = f"""
select
  parent.claim_id as about_claim_id,
  parent.statement as about,
  detail.attribute,
  detail.value,
  detail.claim_id,
  detail.mention_count,
  (select group_concat(article_id, '; ') from (
     select article_id from claim_lineage where claim_id = detail.claim_id and stance != 'disputes'
     group by article_id order by min(step))) as carried_by,
  (select group_concat(article_id, '; ') from (
     select article_id from claim_lineage where claim_id = detail.claim_id and stance = 'disputes'
     group by article_id order by min(step))) as disputed_by,
  (select count(distinct other.value) from claims other
   where other.detail_of = detail.detail_of and other.attribute = detail.attribute and {CARRIED.format("other")}) as values_reported
from claims detail
join claims parent on parent.claim_id = detail.detail_of
where detail.attribute is not null and {CARRIED.format("detail")}
  and exists (
    select 1 from claims other
    where other.detail_of = detail.detail_of and other.attribute = detail.attribute
      and other.value != detail.value and {CARRIED.format("other")}
      and not exists (
        select 1 from claim_relations r where r.relation = 'compatible_with'
          and ((r.claim_id = detail.claim_id and r.other_claim_id = other.claim_id)
               or (r.claim_id = other.claim_id and r.other_claim_id = detail.claim_id))))
"""

# Credits running in a circle between two countries within one account: one side's report
# rests on a source from the other side, whose report rests on a source from the first,
# both passed on by the same source in the same work, as Bukhari's tweet points out
# ("Pakistani paper says ... based on 'Israeli news source' & Israeli paper says ... based
# on a 'Pakistani source'"). One row a circle (AUDIT E7), however many reports carry that
# account; credits from unrelated reports do not pair. Only reports count as the crediting
# side (outlets and unnamed papers), and a credit that carries a denial is not sourcing.
SOURCING = """
select e.*, coalesce(root.work_id, root.citation_id) as account
from citation_edges e
join citations c on c.citation_id = e.citation_id
left join citations v1 on v1.citation_id = c.via_citation_id
left join citations v2 on v2.citation_id = v1.via_citation_id
left join citations v3 on v3.citation_id = v2.via_citation_id
join citations root on root.citation_id = coalesce(v3.citation_id, v2.citation_id, v1.citation_id)
where e.from_country_id is not null and e.to_country_id is not null and e.from_country_id != e.to_country_id
  and (select kind from actors where actor_id = e.from_actor_id) in ('outlet', 'anonymous_source')
  and not exists (select 1 from claim_mentions m where m.citation_id = e.citation_id and m.stance = 'disputes')
"""
# The sourcing rows are worked out once (materialized) and reduced to one row a side
# (countries and account) before the two sides are joined: joined row by row, a circle
# that many reports carry made a product of its rows with themselves.
CIRCULAR_SOURCING = f"""
with sourcing as materialized ({SOURCING}),
sides as (
  select from_country_id, to_country_id, account,
    min(from_actor) as from_actor, min(to_actor) as to_actor, min(citation_id) as citation_id
  from sourcing
  group by from_country_id, to_country_id, account
)
select
  one.from_country_id || ' <-> ' || one.to_country_id || ': ' || one.account as circle,
  one.from_country_id || ' <-> ' || one.to_country_id as countries,
  one.account,
  min(one.from_actor) as first_credits_from,
  min(one.to_actor) as first_credits_to,
  min(one.citation_id) as first_citation_id,
  min(two.from_actor) as second_credits_from,
  min(two.to_actor) as second_credits_to,
  min(two.citation_id) as second_citation_id,
  (select group_concat(article_id, ',') from (
     select distinct e.article_id from citation_edges e
     where e.citation_id in (select citation_id from citations where work_id = one.account or citation_id = one.account)
        or e.citation_id in (select c.citation_id from citations c join citations v on v.citation_id = c.via_citation_id
                             where v.work_id = one.account or v.citation_id = one.account)
     order by e.article_id)) as reported_in
from sides one
join sides two on two.account = one.account
  and two.from_country_id = one.to_country_id and two.to_country_id = one.from_country_id
where one.from_country_id < one.to_country_id
group by one.from_country_id, one.to_country_id, one.account
"""

# The citation graph chart's rows (/charts/graph, the chart_graph canned query): each report
# in date order, the first 500 (the chart draws 500 rows), then what it credits, as
# an outline (row, depth, parent_row). A table filled by the build: computed per request,
# it took about a second of SQL at 10,000 articles, the site's time limit. Parents
# come from window functions, not joins, which SQLite may plan as scans; the first
# step from the reports (a cross join, so that SQLite starts from the 500 reports, not
# from every citation); how many reports credit each source from source_credits, filled
# before it, and for a work without an author, from its citations.
GRAPH_OUTLINE = """
with recursive
report(article_id) as (
  select article_id from (
    select article_id, row_number() over (order by not_before, not_after, article_id) as number from articles)
  where number <= 500),
circle(citation_id) as (
  select first_citation_id from circular_sourcing union select second_citation_id from circular_sourcing),
retracted(article_id, note) as (
  select retracted_article_id, group_concat(r.kind || ' by ' || b.name || coalesce(' on ' || r.retracted_on, ''), '; ')
  from retractions r join actors b on b.actor_id = r.by_id where retracted_article_id is not null
  group by retracted_article_id),
retracted_work(work_id, note) as (
  select retracted_work_id, group_concat(r.kind || ' by ' || b.name || coalesce(' on ' || r.retracted_on, ''), '; ')
  from retractions r join actors b on b.actor_id = r.by_id where retracted_work_id is not null
  group by retracted_work_id),
credit(citation_id, article_id, via_citation_id, who, work_id, cited_article_id) as not materialized (
  select c.citation_id, c.article_id, c.via_citation_id,
    coalesce(c.source_id, w.author_id, 'work:' || c.work_id), c.work_id, c.cited_article_id
  from citations c left join works w using (work_id)),
step(article_id, citation_id, depth, path, who, work_id, cited_article_id) as (
  select c.article_id, c.citation_id, 1, char(31) || c.who || char(30) || coalesce(c.work_id, ''), c.who, c.work_id,
    c.cited_article_id
  from report r cross join credit c on c.article_id = r.article_id where c.via_citation_id is null
  union all
  select c.article_id, c.citation_id, s.depth + 1, s.path || char(31) || c.who || char(30) || coalesce(c.work_id, ''),
    c.who, c.work_id, c.cited_article_id
  from credit c join step s on c.via_citation_id = s.citation_id),
node(article_id, path, parent_path, depth, who, work_id, cited_article_id, citations, in_circle) as (
  select article_id, path, rtrim(rtrim(path, replace(path, char(31), '')), char(31)), depth, who, work_id,
    max(cited_article_id), count(*), max(citation_id in (select citation_id from circle))
  from step group by article_id, path),
item(article_id, path, parent_path, depth, kind, node_id, label, detail, citations, in_circle, retraction, link) as (
  select a.article_id, '', null, 0, 'report', a.article_id, o.name || ', ' || substr(a.published, 1, 10),
    a.title, (select count(*) from citations c where c.article_id = a.article_id), 0,
    (select note from retracted where article_id = a.article_id), '/article/' || a.article_id
  from articles a join report using (article_id) join actors o on o.actor_id = a.outlet_id
  union all
  select n.article_id, n.path, n.parent_path, n.depth,
    case when n.cited_article_id is not null then 'report in the corpus' when s.kind is null then 'work'
      else s.kind end,
    n.who, coalesce(s.name, w.title), coalesce(w.title, ca.title, ''), n.citations, n.in_circle,
    coalesce((select note from retracted where article_id = n.cited_article_id),
      (select note from retracted_work where work_id = n.work_id)),
    case when n.cited_article_id is not null then '/article/' || n.cited_article_id
      when s.actor_id is not null then '/actor/' || s.actor_id else '/work/' || n.work_id end
  from node n left join actors s on s.actor_id = n.who left join works w on w.work_id = n.work_id
    left join articles ca on ca.article_id = n.cited_article_id),
credited(node_id, credited_by) as (
  select source_id, articles from source_credits
  union all
  select 'work:' || w.work_id,
    (select count(distinct c.article_id) from citations c where c.work_id = w.work_id and c.source_id is null)
  from works w where w.author_id is null),
ordered as materialized (
  select i.*, row_number() over (order by a.not_before, a.not_after, a.article_id, i.path) - 1 as row
  from item i join articles a using (article_id)),
outline(role, row, depth, kind, node_id, label, detail, citations, in_circle, retraction, link, article_id, parent_key, credits) as (
  select 'row', row, depth, kind, node_id, label, detail, citations, in_circle, retraction, link, article_id, parent_path, null
  from ordered
  union all
  select 'parent', row, null, null, null, null, null, null, null, null, null, article_id, path, null from ordered
  union all
  select 'credits', null, null, null, node_id, null, null, null, null, null, null, null, null, credited_by from credited),
placed as (
  select *,
    max(case when role = 'parent' then row end) over (partition by article_id, parent_key) as parent_row,
    max(credits) over (partition by node_id) as credited_by
  from outline)
select row, depth, kind, node_id, label, detail, citations, in_circle, retraction, link, article_id, parent_row,
  case when parent_row is not null then depth - 1 end as parent_depth, coalesce(credited_by, 0) as credited_by
from placed where role = 'row'
"""

# The timeline chart's rows (/charts/timeline, the chart_timeline canned query): a lane per
# report, from the earliest to the latest day it can have appeared, one per denial (on the day
# it was made, over its month or year when only those are known, or, undated, on or before its
# first report) and one per retraction, dated likewise. A table
# filled by the build, as graph_outline: computed per request, it took a sixth of a second of
# SQL at 10,000 articles.
TIMELINE_LANES = """
with report as (
  select a.article_id, o.name as outlet, a.title, a.published, a.date_precision, a.date_basis,
    a.not_before, a.not_after
  from articles a join actors o on o.actor_id = a.outlet_id
),
retraction as (
  select r.retraction_id, r.kind, b.name as by_name, coalesce(ra.title, w.title) as what,
    coalesce(ro.outlet, w.title) as whose,
    r.retracted_on, coalesce(substr(r.retracted_on || '-01-01', 1, 10), rep.not_before) as start,
    rep.outlet || ', ' || rep.published as reported_by,
    coalesce('/article/' || r.retracted_article_id, '/work/' || r.retracted_work_id) as link,
    r.article_id as reported_in
  from retractions r join actors b on b.actor_id = r.by_id join report rep on rep.article_id = r.article_id
    left join report ro on ro.article_id = r.retracted_article_id
    left join articles ra on ra.article_id = r.retracted_article_id
    left join works w on w.work_id = r.retracted_work_id
),
denial_report as materialized (
  select d.denier_id, d.claim_id, d.denied_on, r.not_before, r.published, r.outlet, r.article_id
  from denials d join report r using (article_id)
  order by d.denier_id, d.claim_id, d.denied_on, r.not_before, r.article_id
),
denial as (
  select e.denier_id, e.claim_id, e.denied_on, p.name as denier, c.statement,
    coalesce(substr(e.denied_on || '-01-01', 1, 10), e.not_before) as start,
    e.reports, e.reported_by, e.first_reported, e.reported_in
  from (
    select denier_id, claim_id, denied_on, min(not_before) as not_before, count(*) as reports,
      group_concat(outlet, '; ') as reported_by, min(published) as first_reported,
      substr(min(not_before || char(31) || article_id), length(min(not_before)) + 2) as reported_in
    from denial_report group by denier_id, claim_id, denied_on
  ) e join claims c using (claim_id) join actors p on p.actor_id = e.denier_id
),
event as (
  select 'report' as kind, 1 as section, r.outlet || ', ' || substr(r.published, 1, 10) as label,
    r.title as detail, r.not_before as start, date(r.not_after, '+1 day') as end,
    r.not_before != r.not_after as uncertain,
    'published ' || r.published || ' (' || r.date_precision || ', ' || r.date_basis || '); between '
      || r.not_before || ' and ' || r.not_after as dated,
    '/article/' || r.article_id as link, r.article_id as reported_in
  from report r
  union all
  select 'denial', 2, d.denier || ' denies: ' || d.statement, d.statement, d.start,
    date(d.start, case length(d.denied_on) when 4 then '+1 year' when 7 then '+1 month' else '+1 day' end),
    coalesce(length(d.denied_on), 0) < 10,
    case when d.denied_on is null then 'date not given: on or before ' || d.start else d.denied_on end
      || '; reported by ' || d.reported_by,
    '/claim/' || d.claim_id, d.reported_in
  from denial d
  union all
  select 'retraction', 3, x.by_name || ' (' || x.kind || '): ' || x.what, x.what, x.start,
    date(x.start, case length(x.retracted_on) when 4 then '+1 year' when 7 then '+1 month' else '+1 day' end),
    coalesce(length(x.retracted_on), 0) < 10,
    case when x.retracted_on is null then 'date not given: on or before ' || x.start else x.retracted_on end
      || '; reported by ' || x.reported_by,
    x.link, x.reported_in
  from retraction x
)
select row_number() over (order by e.section, e.start, e.end, e.label, e.link, e.reported_in) as lane,
  e.kind, e.label, e.detail,
  e.start, e.end, e.uncertain, e.dated, e.link, e.reported_in
from event e
"""

# The citations chart's rows (/charts/citations, the chart_citations canned query): how many
# citations credit each source (or the author of the work cited), in how many articles.
SOURCE_CREDITS = """
select a.actor_id as source_id, a.name as source, a.kind as source_kind,
  count(*) as citations, count(distinct c.article_id) as articles
from citations c left join works w using (work_id)
  join actors a on a.actor_id = coalesce(c.source_id, w.author_id)
group by a.actor_id, a.name, a.kind
"""

# Every claim a denial reaches (AUDIT E17): the claim denied, the claims that are details
# of it or presuppose it, followed on, and those a denial lists in covers. One row per
# claim and denied claim; a claim no row names stands undenied.
DENIAL_REACH = """
with recursive reach(claim_id, denied_claim_id, how, steps) as (
  select distinct claim_id, claim_id, 'denied', 0 from denials
  union
  select distinct dc.claim_id, d.claim_id, 'covers', 1 from denial_covers dc join denials d on d.denial_id = dc.denial_id
  union
  select child.claim_id, reach.denied_claim_id, 'detail', reach.steps + 1
  from reach join claims child on child.detail_of = reach.claim_id where reach.steps < 20
  union
  select r.claim_id, reach.denied_claim_id, 'presupposes', reach.steps + 1
  from reach join claim_relations r on r.relation = 'presupposes' and r.other_claim_id = reach.claim_id where reach.steps < 20
)
select
  reach.claim_id,
  cl.statement,
  cl.kind,
  cl.status,
  reach.denied_claim_id,
  min(reach.steps) as steps,
  (select group_concat(how, ', ') from (select distinct how from reach r2
     where r2.claim_id = reach.claim_id and r2.denied_claim_id = reach.denied_claim_id order by how)) as how,
  (select count(*) from denials d where d.claim_id = reach.denied_claim_id) as denials
from reach join claims cl on cl.claim_id = reach.claim_id
group by reach.claim_id, reach.denied_claim_id
"""

# The reports that could each be the first to carry a claim (AUDIT E5): every article
# carrying it whose window opens no later than the earliest window closes. Materialized,
# so that the fill's ORDER BY does not lead SQLite to walk every article for every claim.
CLAIM_FIRST_REPORTS = """
with first_reports as materialized (
select
  cl.claim_id,
  cl.statement,
  a.article_id,
  a.published,
  a.not_before,
  a.not_after,
  cl.first_uncertain
from claims cl
join articles a on a.not_before <= cl.first_not_after
where exists (select 1 from claim_mentions m where m.article_id = a.article_id and m.claim_id = cl.claim_id)
)
select * from first_reports
"""

# Each report retracted, corrected or apologised for, with when and how, and where that is reported.
RETRACTED_REPORTS = """
select
  r.retraction_id,
  coalesce(r.retracted_article_id, r.retracted_work_id) as retracted_id,
  r.retracted_article_id,
  r.retracted_work_id,
  coalesce(a.title, w.title) as title,
  r.kind,
  r.by_id,
  r.retracted_on,
  r.retracted_on_basis,
  r.how,
  r.work_id,
  r.article_id as reported_in,
  r.quote
from retractions r
left join articles a on a.article_id = r.retracted_article_id
left join works w on w.work_id = r.retracted_work_id
"""

# Every claim mention resting on a retracted report: carried in it, citing it (or the
# retracted work), or citing a corpus report whose source chain runs through it. One row a
# mention and report retracted (however many articles report the retraction). A report
# both apologised for and withdrawn counts as withdrawn: the strongest kind names it, the
# earliest date dates it.
RETRACTION_REACH = """
with ranked as (
  select retracted_article_id as article_id, retracted_work_id as work_id, retraction_id, kind,
         min(retracted_on) over (partition by retracted_article_id, retracted_work_id) as retracted_on,
         row_number() over (
           partition by retracted_article_id, retracted_work_id
           order by case kind when 'retraction' then 0 when 'correction' then 1 else 2 end, retraction_id
         ) as strength
  from retractions
),
retracted as (
  select article_id, work_id, retraction_id, kind, retracted_on from ranked where strength = 1
),
resting(mention_id, retraction_id, how) as (
  select m.mention_id, r.retraction_id, 'carried in the retracted report'
  from retracted r join claim_mentions m on m.article_id = r.article_id
  union
  select m.mention_id, r.retraction_id, 'cites the retracted report'
  from retracted r join citations c on c.cited_article_id = r.article_id join claim_mentions m on m.citation_id = c.citation_id
  union
  select m.mention_id, r.retraction_id, 'cites the retracted work'
  from retracted r join citations c on c.work_id = r.work_id join claim_mentions m on m.citation_id = c.citation_id
  union
  select m.mention_id, r.retraction_id, 'cites a report resting on it: ' || sc.chain
  from retracted r
  join source_chains sc on sc.article_id != r.article_id and instr(sc.chain || ' ->', ' -> ' || r.article_id || ' ->') > 0
  join citations c on c.cited_article_id = sc.article_id
  join claim_mentions m on m.citation_id = c.citation_id
)
select
  m.mention_id,
  m.claim_id,
  m.article_id,
  m.citation_id,
  r.retraction_id,
  coalesce(r.article_id, r.work_id) as retracted_id,
  r.kind,
  r.retracted_on,
  min(resting.how) as how,
  m.quote
from resting
join claim_mentions m on m.mention_id = resting.mention_id
join retracted r on r.retraction_id = resting.retraction_id
group by m.mention_id, r.retraction_id
"""

# claims.rests_on_retracted, from retraction_reach (its one rule of what rests on a retracted
# report): every, some or none of the claim's mentions are there.
CLAIMS_RESTING_ON_RETRACTED = """
update claims set rests_on_retracted = (
  select case when resting = 0 then 'none' when resting = total then 'every' else 'some' end
  from (
    select (select count(*) from claim_mentions m where m.claim_id = claims.claim_id) as total,
           (select count(distinct rr.mention_id) from retraction_reach rr
            where rr.claim_id = claims.claim_id) as resting
  )
)
"""

# Every place an article reports a work: cites it, reports a denial or a doubt made in it,
# a retraction carried by it or of it, or carries its text.
WORK_REPORTS = """
select * from (
  select c.work_id, c.article_id, 'citation' as role, c.citation_id as row_id, c.quote, c.quote_start
  from citations c where c.work_id is not null
  union all
  select d.work_id, d.article_id, 'denial', d.denial_id, d.quote, d.quote_start from denials d where d.work_id is not null
  union all
  select o.work_id, o.article_id, 'doubt', o.doubt_id, o.quote, o.quote_start from doubts o where o.work_id is not null
  union all
  select r.work_id, r.article_id, 'retraction', r.retraction_id, r.quote, r.quote_start from retractions r where r.work_id is not null
  union all
  select r.retracted_work_id, r.article_id, 'retracted', r.retraction_id, r.quote, r.quote_start
  from retractions r where r.retracted_work_id is not null
  union all
  select p.work_id, p.article_id, 'republication', p.article_id, p.quote, p.quote_start from republications p where p.work_id is not null
) u
"""

# Each denial someone doubts, with who doubts it and where: a doubt names the denial (in its
# own article) or the work a denial was made in, and then doubts every report of that denial.
DOUBTED_DENIALS = """
select
  d.denial_id,
  d.claim_id,
  d.denier_id,
  d.work_id,
  d.article_id as denial_reported_in,
  o.doubt_id,
  o.doubter_id,
  doubter.name as doubted_by,
  o.article_id as doubt_reported_in,
  o.quote as doubt_quote,
  d.quote as denial_quote
from (
  select doubt_id, denial_id from doubts where denial_id is not null
  union
  select o.doubt_id, d.denial_id from doubts o join denials d on d.work_id = o.work_id where o.work_id is not null
) pair
join doubts o on o.doubt_id = pair.doubt_id
join denials d on d.denial_id = pair.denial_id
join actors doubter on doubter.actor_id = o.doubter_id
"""

VIEWS = {}


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
    "citation_edges",
    CITATION_EDGES,
    ("citation_id",),
    {
        "from_actor_id": str,
        "from_actor": str,
        "from_country_id": str,
        "to_actor": str,
        "to_country_id": str,
        "edge": str,
    },
    # circular_sourcing's join
    indexes=[["article_id"]],
    article_column=("c.article_id", "article_id"),
)
# A rowid table filled in the window's order (by claim, then step): when a refresh
# renumbers the later steps of a claim, the rows it rewrites are neighbours on disk, about
# half the work of rows scattered in mention_id order; and the fill does not insert
# 280,000 keys in random order. mention_id is unique, as in claim_mentions.
CLAIM_LINEAGE_TABLE = Derived(
    "claim_lineage",
    CLAIM_LINEAGE,
    ("mention_id",),
    {"step": int, "rests_on": str, "first_in_corpus": int},
    # a claim's steps in order, with their articles (the lineage query, discrepancies, and
    # a refresh renumbering steps: one index holding step, so a step is rewritten in one
    # place); for a refresh, an article's rows and each claim's first appearance (partial:
    # about a hundred rows, not one entry per mention)
    indexes=[
        ["claim_id", "step", "article_id"],
        ["article_id"],
        (["claim_id"], "first_in_corpus = 1"),
    ],
    article_column=("m.article_id", "article_id"),
    declared_key=False,
)
CLAIM_MENTION_HEDGES_TABLE = Derived(
    "claim_mention_hedges",
    CLAIM_MENTION_HEDGES,
    ("mention_id", "hedge"),
    {"hedge": str},
    indexes=[["article_id"]],
    article_column=("m.article_id", "article_id"),
)
CLAIM_DENIALS_TABLE = Derived(
    "claim_denials",
    CLAIM_DENIALS,
    ("denial_id",),
    {"denied_by": str, "grounds": str},
    indexes=[["reported_in"], ["claim_id", "reported_on"]],  # the denied_claims query's order
    article_column=("d.article_id", "reported_in"),
)
SOURCE_CHAINS_TABLE = Derived(
    "source_chains",
    SOURCE_CHAINS,
    ("article_id", "chain"),
    {
        "article_id": str,
        "chain": str,
        "hops": int,
        "origin_article_id": str,
        "origin_works": str,
        "shares_text_with": str,
        "shares_text": int,
    },
    indexes=[["hops desc", "article_id", "chain"]],  # the chains query's order
)
DISCREPANCIES_TABLE = Derived(
    "discrepancies",
    DISCREPANCIES,
    ("claim_id",),
    {"carried_by": str, "disputed_by": str, "values_reported": int},
    indexes=[["about_claim_id", "attribute", "value"]],  # the discrepancies_by_detail query's order
)
WORK_REPORTS_TABLE = Derived(
    "work_reports",
    WORK_REPORTS,
    ("work_id", "role", "row_id"),
    {"role": str, "row_id": str},
    indexes=[["article_id"]],
    article_column=("u.article_id", "article_id"),
)
# Corpus-wide and small: made afresh by every build, a refresh included (WHOLE).
CIRCULAR_SOURCING_TABLE = Derived(
    "circular_sourcing",
    CIRCULAR_SOURCING,
    ("circle",),
    {
        "circle": str,
        "countries": str,
        "account": str,
        "first_credits_from": str,
        "first_credits_to": str,
        "first_citation_id": str,
        "second_credits_from": str,
        "second_credits_to": str,
        "second_citation_id": str,
        "reported_in": str,
    },
)
GRAPH_OUTLINE_TABLE = Derived(
    "graph_outline",
    GRAPH_OUTLINE,
    ("row",),
    {
        "row": int,
        "depth": int,
        "kind": str,
        "node_id": str,
        "label": str,
        "detail": str,
        "citations": int,
        "in_circle": int,
        "retraction": str,
        "link": str,
        "article_id": str,
        "parent_row": int,
        "parent_depth": int,
        "credited_by": int,
    },
)
TIMELINE_LANES_TABLE = Derived(
    "timeline_lanes",
    TIMELINE_LANES,
    ("lane",),
    {
        "lane": int,
        "kind": str,
        "label": str,
        "detail": str,
        "start": str,
        "end": str,
        "uncertain": int,
        "dated": str,
        "link": str,
        "reported_in": str,
    },
)
SOURCE_CREDITS_TABLE = Derived(
    "source_credits",
    SOURCE_CREDITS,
    ("source_id",),
    {"citations": int, "articles": int},
    declared_key=False,  # a rowid table: the page links each source to its actor, not to this row
)
DENIAL_REACH_TABLE = Derived(
    "denial_reach",
    DENIAL_REACH,
    ("claim_id", "denied_claim_id"),
    {"claim_id": str, "denied_claim_id": str, "steps": int, "how": str, "denials": int},
)
CLAIM_FIRST_REPORTS_TABLE = Derived(
    "claim_first_reports", CLAIM_FIRST_REPORTS, ("claim_id", "article_id"), {}
)
RETRACTED_REPORTS_TABLE = Derived(
    "retracted_reports", RETRACTED_REPORTS, ("retraction_id",), {"retracted_id": str, "title": str}
)
RETRACTION_REACH_TABLE = Derived(
    "retraction_reach",
    RETRACTION_REACH,
    ("mention_id", "retraction_id"),
    {"retraction_id": str, "retracted_id": str, "kind": str, "retracted_on": str, "how": str},
)
DOUBTED_DENIALS_TABLE = Derived(
    "doubted_denials",
    DOUBTED_DENIALS,
    ("denial_id", "doubt_id"),
    {"denial_id": str, "doubt_id": str},
)
WHOLE = [
    CIRCULAR_SOURCING_TABLE,
    SOURCE_CREDITS_TABLE,
    GRAPH_OUTLINE_TABLE,
    TIMELINE_LANES_TABLE,
    DENIAL_REACH_TABLE,
    CLAIM_FIRST_REPORTS_TABLE,
    RETRACTED_REPORTS_TABLE,
    RETRACTION_REACH_TABLE,
    DOUBTED_DENIALS_TABLE,
]

# In filling order: discrepancies reads claim_lineage; circular_sourcing citation_edges,
# graph_outline circular_sourcing and source_credits, retraction_reach source_chains.
DERIVED = [
    CITATION_EDGES_TABLE,
    CLAIM_LINEAGE_TABLE,
    CLAIM_MENTION_HEDGES_TABLE,
    CLAIM_DENIALS_TABLE,
    SOURCE_CHAINS_TABLE,
    DISCREPANCIES_TABLE,
    WORK_REPORTS_TABLE,
    *WHOLE,
]
# Passages two articles share (build/derived/shared_text.py): found in Python, not by a
# SELECT; made afresh by every build, after source_chains, which says whether the two
# articles are linked by their sources.
SHARED_TEXT_COLUMNS = {
    "shared_id": str,
    "article_id": str,
    "quote_start": int,
    "quote_end": int,
    "quote": str,
    "other_article_id": str,
    "other_start": int,
    "other_end": int,
    "other_quote": str,
    "similarity": float,
    "words_matched": int,
    "linked": int,
    "common_work_id": str,
    "method": str,
}
DERIVED_NAMES = [table.name for table in DERIVED] + ["shared_text"]
# Indexes on base tables that canned queries in metadata.yml need beyond those on their
# keys, foreign keys and facet columns: the actor query's first rows of each kind in
# article order, read off an index in that order (at 10,000 articles, rather than sorting
# an actor's thousands of mentions, credits and 27,000 alias mentions on every request).
CANNED_QUERY_INDEXES = {
    "claim_mentions": [["voice_id", "article_id"]],
    "citations": [["source_id", "article_id"]],
    "actor_mentions": [["actor_id", "article_id"]],
}
# Indexes on base tables that filling the derived tables needs beyond the keys' (made
# before the fill; the facets' indexes come after it): claim_first_reports reads each
# claim's articles opening by its first_not_after.
FILL_INDEXES = {"articles": [["not_before"]]}
# The types CREATE TABLE ... AS SELECT gives a column copied from a base table.
AFFINITIES = {"TEXT": str, "INT": int, "REAL": float}


def _connection(db):
    """db's sqlite3 connection: db is a sqlite_utils.Database, or, for a refresh, which
    needs no more, the connection itself."""
    return getattr(db, "conn", db)


def refresh_derived_tables(db, article_ids=None, changed=None):
    """Create and fill the derived tables, the views and the canned queries' indexes
    (article_ids None: a cold build; derived tables and views already there are made
    again), or bring the derived tables up to date after the rows of the articles in
    article_ids were replaced in the base tables (an incremental build).

    changed, for a refresh, is the set of (table, column) pairs of the base tables whose
    values this build changed ((table, "*"): rows came or went; (table, "ROWID"): rows were
    put back): a corpus-wide table (WHOLE) whose SELECT reads none of them holds what it
    held, and is left as it is. None: every corpus-wide table is made again.

    For a refresh, every base table (claims' other computed columns included) must already hold
    the new rows of those articles, and no other article's rows may have changed; nor
    actors, nor the claims as curated (statement, kind, detail_of, attribute, value): a
    change to those calls for a cold build. An id may name an article that was added
    or removed. Either way the tables end up as a cold build would fill them. Runs in
    one transaction; db is a sqlite_utils.Database or, for a refresh, a sqlite3 connection.
    Last, claims.rests_on_retracted is worked out again for every claim (from
    retraction_reach)."""
    with _connection(db):
        if article_ids is None:
            for name in VIEWS:
                db.execute(f"drop view if exists [{name}]")
            for name, indexes in FILL_INDEXES.items():
                for columns in indexes:
                    db[name].create_index(columns, if_not_exists=True)
            for table in DERIVED:
                db[table.name].drop(ignore=True)
                _create(db, table)
                _insert(db, table)
                for index in table.indexes:
                    _create_index(db, table.name, index)
            _fill_from_whole_tables(db, create=True)
            for name, sql in VIEWS.items():
                db.create_view(name, sql.strip(), replace=True)
            for name, indexes in CANNED_QUERY_INDEXES.items():
                for columns in indexes:
                    db[name].create_index(columns, if_not_exists=True)
            return
        ids = json.dumps(sorted(set(article_ids)))
        for table in (
            CITATION_EDGES_TABLE,
            CLAIM_MENTION_HEDGES_TABLE,
            CLAIM_DENIALS_TABLE,
            WORK_REPORTS_TABLE,
        ):
            _replace_articles(db, table, ids)
        touched = _refresh_lineage(db, ids)
        _refresh_chains(db, ids)
        _refresh_discrepancies(db, touched)
        changed = None if changed is None else _with_refreshed_tables(db, changed)
        for table in WHOLE:
            if changed is not None:
                if not reads_changed(db, table, changed):
                    continue
                changed.add((table.name, "*"))
            db.execute(f"delete from [{table.name}]")
            _insert(db, table)
        _fill_from_whole_tables(db)


# What each derived table's SELECT reads, by table name: it depends on the schema alone.
_reads = {}


def table_reads(db, table):
    """The (table, column) pairs a derived table's SELECT reads, as SQLite tells an
    authorizer while it prepares the statement: every column of every table, in
    subqueries and CTEs too; ("t", "") for a table whose rows are counted or tested for,
    with no column read."""
    if table.name not in _reads:
        found = set()

        def note(action, first, second, *_):
            if action == sqlite3.SQLITE_READ:
                found.add((first, second))
            return sqlite3.SQLITE_OK

        _connection(db).set_authorizer(note)
        try:
            _connection(db).execute("explain " + _select(table))
        finally:
            _connection(db).set_authorizer(None)
        _reads[table.name] = frozenset(found)
    return _reads[table.name]


def reads_changed(db, table, changed):
    """Whether a derived table's SELECT reads anything in changed (refresh_derived_tables)."""
    return any(
        (name, column) in changed or (name, "*") in changed
        for name, column in table_reads(db, table)
    )


def _with_refreshed_tables(db, changed):
    """changed, with the per-article derived tables a refresh has just brought up to date:
    all of one table when its SELECT reads anything changed (in filling order, so that a
    table reading another follows it), and the rowids of each, whose changed articles' rows
    were put back."""
    changed = set(changed)
    for table in DERIVED:
        if table in WHOLE:
            continue
        if reads_changed(db, table, changed):
            changed.add((table.name, "*"))
        changed.add((table.name, "ROWID"))
    return changed


def _fill_from_whole_tables(db, create=False):
    """The steps that read whole derived tables, alike in a cold build and a refresh (so
    that the two cannot drift apart): shared_text, which chains share text, and
    claims.rests_on_retracted."""
    _fill_shared_text(db, create=create)
    _mark_chains_sharing_text(db)
    db.execute(CLAIMS_RESTING_ON_RETRACTED)


def _fill_shared_text(db, create=False):
    """(Re)make the shared_text table: every passage two articles share, and whether
    either article's source chain, or a republication, links the two (linked = 0: the
    two are independent branches that share text). The passages depend on the texts
    alone: a refresh that changed no text (shared_text_inputs holds each text's sha256)
    only works out `linked` again."""
    if create:
        for name in ("shared_text", "shared_text_inputs"):
            db[name].drop(ignore=True)
        db["shared_text"].create(SHARED_TEXT_COLUMNS, pk="shared_id")
        for columns in (["article_id"], ["other_article_id"], ["linked"], ["method"]):
            db["shared_text"].create_index(columns)
        db["shared_text_inputs"].create({"article_id": str, "sha256": str}, pk="article_id")
        same = False
    else:
        same = db.execute("""
            select (select count(*) from articles) = (select count(*) from shared_text_inputs)
               and not exists (select 1 from articles a left join shared_text_inputs i on i.article_id = a.article_id
                               where i.sha256 is not a.sha256)""").fetchone()[0]
    if not same:
        db.execute("delete from shared_text")
        db.execute("delete from shared_text_inputs")
        db.execute(
            "insert into shared_text_inputs (article_id, sha256) select article_id, sha256 from articles order by article_id"
        )
        rows = shared_text.shared_passages(
            db.execute("select article_id, text from articles order by article_id").fetchall()
        )
        columns = list(SHARED_TEXT_COLUMNS)
        _connection(db).executemany(
            f"insert into shared_text ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
            (
                [row.get(column, 0 if column == "linked" else None) for column in columns]
                for row in rows
            ),
        )
    db.execute("""
        update shared_text set linked = exists (
          select 1 from source_chains sc
          where (sc.article_id = shared_text.article_id and instr(sc.chain || ' ->', ' -> ' || shared_text.other_article_id || ' ->') > 0)
             or (sc.article_id = shared_text.other_article_id and instr(sc.chain || ' ->', ' -> ' || shared_text.article_id || ' ->') > 0)
        ) or exists (
          select 1 from republications p
          where (p.article_id = shared_text.article_id and p.republished_article_id = shared_text.other_article_id)
             or (p.article_id = shared_text.other_article_id and p.republished_article_id = shared_text.article_id)
             or (p.article_id = shared_text.article_id
                 and exists (select 1 from citations c where c.article_id = shared_text.other_article_id and c.work_id = p.work_id))
             or (p.article_id = shared_text.other_article_id
                 and exists (select 1 from citations c where c.article_id = shared_text.article_id and c.work_id = p.work_id))
        )""")
    # A work both cite (or one carries and the other cites): quoting the same statement
    # explains shared words without one report resting on the other.
    db.execute("""
        update shared_text set common_work_id = (
          select min(mine.work_id) from (
            select work_id from citations where article_id = shared_text.article_id and work_id is not null
            union select work_id from republications where article_id = shared_text.article_id and work_id is not null) mine
          join (
            select work_id from citations where article_id = shared_text.other_article_id and work_id is not null
            union select work_id from republications where article_id = shared_text.other_article_id and work_id is not null) theirs
          on theirs.work_id = mine.work_id)""")


def _mark_chains_sharing_text(db):
    """Say on each source chain which reports outside it share text with a report in it
    although no chain or republication links the two (shared_text.linked = 0): branches
    that look independent but are not. Every chain is worked out afresh (a changed text or
    credit anywhere can change any chain's), but only the rows that change are written."""
    partners = {}
    for first, second in db.execute(
        "select distinct article_id, other_article_id from shared_text where linked = 0"
    ):
        partners.setdefault(first, set()).add(second)
        partners.setdefault(second, set()).add(first)
    # Matched here rather than in SQL: a chain against every partner by instr() was
    # quadratic once thousands of reports share text.
    changes = []
    for article_id, chain, before in db.execute(
        "select article_id, chain, shares_text_with from source_chains"
    ):
        members = chain.split(" -> ")
        if before is None and partners.keys().isdisjoint(members):
            continue
        others = set().union(*(partners.get(member, ()) for member in members)) - set(members)
        after = "; ".join(sorted(others)) or None
        if after != before:
            changes.append((after, int(after is not None), article_id, chain))
    _connection(db).executemany(
        "update source_chains set shares_text_with = ?, shares_text = ? where article_id = ? and chain = ?",
        changes,
    )


def _select(table, only=None):
    """The table's SELECT; with only (a JSON list of article ids), its rows of those articles."""
    if table is SOURCE_CHAINS_TABLE:
        return SOURCE_CHAINS.format(
            starts=""
            if only is None
            else "where article_id in (select value from json_each(:only))"
        )
    if table is DISCREPANCIES_TABLE and only is not None:  # only: claim ids
        return f"{table.select} and detail.claim_id in (select value from json_each(:only))"
    if only is None:
        return table.select
    return f"{table.select} where {table.article_column[0]} in (select value from json_each(:only))"


def _insert(db, table, only=None):
    """Insert the rows of the table's SELECT (of the articles in only, when given)."""
    columns = ", ".join(
        f"[{row[1]}]" for row in db.execute(f"pragma table_info([{table.name}])").fetchall()
    )
    # A cold fill in key order: each row goes at the end of the key's index rather than
    # at a random place in it (a third faster for tables of 100,000 rows).
    in_order = (
        ""
        if only or not table.declared_key
        else " order by " + ", ".join(f"[{column}]" for column in table.key)
    )
    db.execute(
        f"insert into [{table.name}] ({columns}) select {columns} from ({_select(table, only)}){in_order}",
        {"only": only},
    )


def _create(db, table):
    """Create the empty table: its SELECT's columns, typed, and its key."""
    shape = "_derived_shape"
    db.execute(f"create temp table {shape} as select * from ({_select(table)}) limit 0")
    try:
        columns = {}
        for _, name, declared, *_ in db.execute(f"pragma temp.table_info({shape})").fetchall():
            kind = table.types.get(name) or AFFINITIES.get(declared)
            if not kind:
                raise ValueError(
                    f"{table.name}.{name}: a computed column needs its type in build/derived/views.py"
                )
            columns[name] = kind
    finally:
        db.execute(f"drop table temp.{shape}")
    key = None if not table.declared_key else table.key[0] if len(table.key) == 1 else table.key
    db[table.name].create(columns, pk=key)


def _create_index(db, name, index):
    """Create one index of a derived table: a list of columns ("name desc" for a
    descending one), or (columns, a WHERE)."""
    if isinstance(index, list):
        from sqlite_utils.db import DescIndex

        columns = [
            DescIndex(column.removesuffix(" desc")) if column.endswith(" desc") else column
            for column in index
        ]
        db[name].create_index(columns, find_unique_name=True)
        return
    columns, where = index
    # sqlite-utils' create_index makes no partial index
    db.execute(
        f"create index [idx_{name}_{'_'.join(columns)}_where] on [{name}] ({', '.join(columns)}) where {where}"
    )


def _replace_articles(db, table, ids):
    """Delete a per-article table's rows of the articles in ids, and insert them again."""
    db.execute(
        f"delete from [{table.name}] where [{table.article_column[1]}] in (select value from json_each(?))",
        [ids],
    )
    _insert(db, table, ids)


def _refresh_lineage(db, ids):
    """Replace the changed articles' rows in claim_lineage, and renumber the steps of the
    claims they carry or carried without recomputing them: the other mentions of a claim
    keep their order, and each moves by the number of mentions removed before it and
    added before it. Then mark each of those claims' possible first appearances anew.
    Returns the claims the changed articles carry or carried."""
    removed = {}  # claim -> the old steps of the rows removed
    was = {}  # claim -> [(step, article)] of the rows removed
    for claim_id, step, article_id in db.execute(
        "select claim_id, step, article_id from claim_lineage where article_id in (select value from json_each(?)) order by claim_id, step",
        [ids],
    ).fetchall():
        removed.setdefault(claim_id, []).append(step)
        was.setdefault(claim_id, []).append((step, article_id))
    added = {}  # claim -> [(article_id, not_before, not_after, mentions)] in lineage order
    for claim_id, article_id, not_before, not_after, count in db.execute(
        """select m.claim_id, m.article_id, a.not_before, a.not_after, count(*) from claim_mentions m
           join articles a on a.article_id = m.article_id
           where m.article_id in (select value from json_each(?))
           group by m.claim_id, m.article_id order by m.claim_id, a.not_before, a.not_after, m.article_id""",
        [ids],
    ).fetchall():
        added.setdefault(claim_id, []).append((article_id, not_before, not_after, count))
    claims = sorted(set(removed) | set(added))
    totals = dict(
        db.execute(
            "select claim_id, count(*) from claim_lineage where claim_id in (select value from json_each(?)) group by claim_id",
            [json.dumps(claims)],
        ).fetchall()
    )
    db.execute(
        "delete from claim_lineage where article_id in (select value from json_each(?))", [ids]
    )

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
    _connection(db).executemany(
        "update claim_lineage set step = step + ? where article_id = ? and claim_id = ?",
        [(before, article_id, claim_id) for claim_id, article_id, before in offsets if before],
    )
    # Each claim's possible first reports are the first steps: lineage order is by
    # not_before, and they are the articles opening no later than the claim's
    # first_not_after. Mark those and unmark the rest, touching only rows that change.
    for claim_id in claims:
        possible = _steps_opening_by(db, claim_id)
        db.execute(
            "update claim_lineage set first_in_corpus = 1 where claim_id = ? and step <= ? and first_in_corpus = 0",
            [claim_id, possible],
        )
        db.execute(
            "update claim_lineage set first_in_corpus = 0 where claim_id = ? and step > ? and first_in_corpus = 1",
            [claim_id, possible],
        )
    # Every claim these articles carry or carried: its discrepancies may change with a
    # mention's stance as well as with its articles.
    return set(claims)


def _steps_opening_by(db, claim_id):
    """How many of a claim's lineage steps are of articles opening no later than the claim's
    first_not_after. Steps follow article_date (not_before, required), so the count is
    found by bisection on the step index, not by reading the claim's every row (a claim
    of 10,000 mentions took a tenth of a second that way, for each claim an article carries)."""
    (first_not_after,) = db.execute(
        "select first_not_after from claims where claim_id = ?", [claim_id]
    ).fetchone()
    (steps,) = db.execute(
        "select max(step) from claim_lineage where claim_id = ?", [claim_id]
    ).fetchone()
    if first_not_after is None or steps is None:
        return 0

    def opens_after(step):
        (date,) = db.execute(
            "select article_date from claim_lineage where claim_id = ? and step = ?",
            [claim_id, step],
        ).fetchone()
        return date > first_not_after

    return bisect.bisect_left(range(1, steps + 1), True, key=opens_after)


def _refresh_discrepancies(db, reordered):
    """Recompute the discrepancies of every detail group (same detail_of and attribute)
    holding a claim whose articles changed: its rows' carried_by and mention_count, and
    whether and how its values differ. Other groups cannot have changed."""
    claims = json.dumps(
        sorted(
            row[0]
            for row in db.execute(
                """select detail.claim_id from claims detail
           where exists (select 1 from claims changed where changed.claim_id in (select value from json_each(?))
                         and changed.detail_of = detail.detail_of and changed.attribute = detail.attribute)""",
                [json.dumps(sorted(reordered))],
            ).fetchall()
        )
    )
    db.execute(
        "delete from discrepancies where claim_id in (select value from json_each(?))", [claims]
    )
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
    affected = json.dumps(
        [
            row[0]
            for row in db.execute(
                """with recursive affected(article_id) as (
             select value from json_each(?)
             union
             select c.article_id from citations c join affected on c.cited_article_id = affected.article_id
           ) select article_id from affected""",
                [ids],
            ).fetchall()
        ]
    )
    db.execute(
        "delete from source_chains where article_id in (select value from json_each(?))", [affected]
    )
    _insert(db, SOURCE_CHAINS_TABLE, affected)
