"""The corpus-wide columns (claims' status, counts and first report; aliases' mention
counts), from a summary of each article's rows: an incremental build keeps the summaries
of the articles it does not read again."""

import sys
from collections import Counter
from itertools import chain
from typing import NamedTuple

from build.check import story
from build.check.dates import date_order


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
    The ids are interned, so that ten thousand summaries store each id once."""
    intern = sys.intern
    return Summary(
        article["not_before"],
        article["not_after"],
        article["published"],
        tuple(
            sorted(
                {intern(c["cited_article_id"]) for c in citations if c["cited_article_id"]}
                | story.cross_references(more or {})
            )
        ),
        tuple(intern(m["claim_id"]) for m in mentions),
        tuple(intern(d["claim_id"]) for d in denials),
        tuple(intern(m["alias"]) for m in actor_mentions),
        tuple(intern(c["claim_id"]) for c in (more or {}).get("denial_covers", ())),
    )


def derive_columns(claims, aliases, summaries, relations=()):
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
    first, first_after, candidates = _first_reports(summaries, carried)
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
    _statuses(claims, relations, summaries)


def _first_reports(summaries, carried):
    """({claim: first article in date order}, {claim: earliest not_after of the articles
    carrying it}, Counter of the articles that could each be its first)."""
    first, first_after, candidates = {}, {}, Counter()
    for article_id in sorted(
        summaries, key=date_order({key: s._asdict() for key, s in summaries.items()})
    ):
        for claim_id in carried[article_id]:
            first.setdefault(claim_id, article_id)
            first_after[claim_id] = min(
                first_after.get(claim_id, "9999"), summaries[article_id].not_after
            )
    for article_id, claim_ids in carried.items():
        not_before = summaries[article_id].not_before
        for claim_id in claim_ids:
            if not_before <= first_after[claim_id]:
                candidates[claim_id] += 1
    return first, first_after, candidates


def _statuses(claims, relations, summaries):
    """Each claim's status: denied, parent-denied (a denial reaches it), undenied (an
    allegation nothing denies), or None for the other kinds."""
    reached = story.reach(claims, relations)
    covered = set(chain.from_iterable(s.covers for s in summaries.values()))
    for claim_id in [key for key, claim in claims.items() if claim["denial_count"]] + sorted(
        covered
    ):
        covered |= reached(claim_id)
    for claim_id, claim in claims.items():
        if claim["denial_count"]:
            claim["status"] = "denied"
        elif claim_id in covered:
            claim["status"] = "parent-denied"
        else:
            claim["status"] = "undenied" if claim["kind"] == "allegation" else None
