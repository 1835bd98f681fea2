"""Check the curated seeds and turn them into table rows: actors.yml (check/actors.py),
claims.yml (check/claims.py), each article file (check/articles.py), then the corpus-wide
columns (check/summaries.py) and the extractor's scores.

Every check reports a Problem naming the file, line and field; all problems are
collected and raised together."""

from build import schema
from build.check import story, strict
from build.check.actors import check_actors
from build.check.aliases import find_actor_mentions
from build.check.articles import check_article
from build.check.claims import check_claims
from build.check.dates import date_order, date_range, parse_date  # noqa: F401 - names other modules import from here
from build.check.fields import is_drafted, seed_file
from build.check.quotes import appearances, locate  # noqa: F401
from build.check.summaries import Summary, article_summary, derive_columns  # noqa: F401
from build.problems import BuildError, Problem
from build.release.record import read_releases, release_tables

# The name tests/test_data.py uses.
_derive_columns = derive_columns

# The tables made article by article: each of their rows belongs to one article (its
# article_id), and no row of one article depends on another article's rows.
ARTICLE_TABLES = (
    "articles",
    "citations",
    "identifications",
    "claim_mentions",
    "denials",
    "denial_deniers",
    "denial_grounds",
    "denial_covers",
    "doubts",
    "retractions",
    "republications",
    "actor_mentions",
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
    actors, aliases = check_actors(seeds, problems)
    claims, claim_actors, claim_relations = check_claims(seeds, actors, problems)
    works = story.works(seeds, actors, problems)
    article_seeds = [a for a in seeds.articles if include_drafts or not is_drafted(a.record)]
    summaries = {a.article_id: None for a in seeds.articles}
    known = {**(published or {}), **summaries}
    article_ids = {a.article_id for a in article_seeds} | {
        key for key, summary in known.items() if summary is not None and key not in summaries
    }
    rows = _article_rows(
        article_seeds,
        {"actor": actors, "claim": claims, "work": works, "article": article_ids},
        aliases,
        summaries,
        problems,
        progress,
        include_drafts,
    )
    if problems:
        raise BuildError(problems)
    derive_columns(claims, aliases, {**known, **summaries}, claim_relations)

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


def _article_rows(article_seeds, known, aliases, summaries, problems, progress, include_drafts):
    """{table: rows} of the article tables, filling summaries for each article made."""
    rows = {name: [] for name in ARTICLE_TABLES}
    if progress:
        article_seeds = progress(article_seeds, len(article_seeds), "checking")
    for article_seed in article_seeds:
        made = check_article(article_seed, known, problems, include_drafts)
        if made:
            article, citations, mentions, denials, more = made
            actor_mentions = find_actor_mentions(article["article_id"], article["text"], aliases)
            made_rows = {
                "articles": [article],
                "citations": citations,
                "claim_mentions": mentions,
                "denials": denials,
                "actor_mentions": actor_mentions,
                **more,
            }
            for name in ARTICLE_TABLES:
                rows[name] += made_rows[name]
            summaries[article["article_id"]] = article_summary(
                article, citations, mentions, denials, actor_mentions, more
            )
    return rows


def _extractor_scores(seeds, article_ids, problems):
    """The rows of seeds/extractor_scores.csv (written by `provenance evaluate`), typed by
    the schema: published as they are, since scoring takes seconds per article."""
    file = seed_file(seeds, "extractor_scores.csv")
    fields = {
        f["name"]: (f["type"], f.get("constraints", {})) for f in schema.fields("extractor_scores")
    }
    rows, lines = [], {}
    if hasattr(seeds.extractor_scores, "header"):  # the file is there
        problems.extend(strict.scores_header_problems(seeds.extractor_scores.header, file))
    for record in seeds.extractor_scores:
        row = {}
        if None in record:
            problems.append(
                Problem(
                    file,
                    record.line,
                    "",
                    f"the row has {len(fields) + len(record[None])} cells, the header {len(fields)}",
                )
            )
        for name, (kind, constraints) in fields.items():
            value = record.get(name) or None
            row[name], message = strict.score_value_problem(name, kind, constraints, value)
            if message:
                problems.append(Problem(file, record.line, name, message))
        score = row.get("score_id")
        if score in lines:
            problems.append(
                Problem(
                    file,
                    record.line,
                    "score_id",
                    f"duplicate score_id {score!r}: already on line {lines[score]}; run `make evaluate`",
                )
            )
        lines.setdefault(score, record.line)
        if row.get("article_id") and row["article_id"] not in article_ids:
            problems.append(
                Problem(
                    file,
                    record.line,
                    "article_id",
                    f"unknown article {row['article_id']!r}: the scores are stale, run `make evaluate`",
                )
            )
        rows.append(row)
    return sorted(rows, key=lambda row: row.get("score_id") or "")
