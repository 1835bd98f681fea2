"""Score the extractor against the curated annotations, leaving one article out.

For each article k, the extractor drafts k's annotations from k's text knowing only
what the other articles teach: the aliases that occur in some other article's text,
and the claims that some other article mentions or denies, with the quotes of the
other articles' curated mentions. Aliases that occur only in k's text ("k's own
aliases") and claims that only k mentions or denies ("k's own claims") are hidden.

A drafted item matches a curated one of the same kind, one to one, greedily by
largest overlap, when their character spans overlap and:
- actor mentions: the actor is the same, or the draft proposes a new actor where the
  curated actor is one the extractor could not know (all its aliases hidden);
- citations, denials: nothing more (the spans overlap);
- citation sources: the cited actor is the same too (or new, as for actor mentions);
- deniers: the denying actor is the same too (or new, as for actor mentions);
- claim links: the claim is the same.
"""


from build.extractor.extract import EXTRACTOR_VERSION, extract, knowledge_from_tables

CATEGORIES = ["actor mentions", "citations", "citation sources", "denials", "deniers", "claim links"]


def hidden_for(tables, article_id):
    """(aliases, claims) that are article_id's own: found, mentioned or denied nowhere else."""
    alias_articles, claim_articles = {}, {}
    for mention in tables["actor_mentions"]:
        alias_articles.setdefault(mention["alias"], set()).add(mention["article_id"])
    for row in _curated(tables["claim_mentions"]) + _curated(tables["denials"]):
        claim_articles.setdefault(row["claim_id"], set()).add(row["article_id"])
    aliases = {alias for alias, found in alias_articles.items() if found == {article_id}}
    claims = {claim for claim, found in claim_articles.items() if found == {article_id}}
    return aliases, claims


def _curated(rows):
    """Rows a person wrote or reviewed: not drafted rows published with --include-drafts."""
    return [r for r in rows if r.get("method") != "extractor"]


def gold_items(tables, article_id):
    """The curated items of one article as (category, start, end, key) tuples."""
    def spans(rows, key):
        return [(r["quote_start"], r["quote_end"], r[key]) for r in _curated(rows) if r["article_id"] == article_id]

    return {
        "actor mentions": spans(tables["actor_mentions"], "actor_id"),
        "citations": spans(tables["citations"], "source_id"),
        "citation sources": spans(tables["citations"], "source_id"),
        "denials": spans(tables["denials"], "denier_id"),
        "deniers": spans(tables["denials"], "denier_id"),
        "claim links": spans(tables["claim_mentions"], "claim_id"),
    }


def drafted_items(items):
    """Drafted items as (start, end, key) per category, like gold_items."""
    by_kind = {"actor_mention": [], "citation": [], "denial": [], "mention": []}
    for item in items:
        key = {"actor_mention": "actor", "citation": "source", "denial": "denier", "mention": "claim"}[item.kind]
        by_kind[item.kind].append((item.start, item.end, item.fields.get(key)))
    return {
        "actor mentions": by_kind["actor_mention"],
        "citations": by_kind["citation"],
        "citation sources": by_kind["citation"],
        "denials": by_kind["denial"],
        "deniers": by_kind["denial"],
        "claim links": [m for m in by_kind["mention"] if m[2] is not None],
    }


def match_count(drafted, gold, agrees):
    """How many drafted spans match gold spans one to one, largest overlaps first."""
    pairs = []
    for i, (ds, de, dkey) in enumerate(drafted):
        for j, (gs, ge, gkey) in enumerate(gold):
            overlap = min(de, ge) - max(ds, gs)
            if overlap > 0 and agrees(dkey, gkey):
                pairs.append((-overlap, i, j))
    used_d, used_g = set(), set()
    for _, i, j in sorted(pairs):
        if i not in used_d and j not in used_g:
            used_d.add(i)
            used_g.add(j)
    return len(used_d)


def score_article(tables, article_id, items, known_actors):
    """{category: (true positives, false positives, false negatives)} for one article."""
    gold, drafted = gold_items(tables, article_id), drafted_items(items)

    def same(d, g):
        return d == g

    def same_or_new(d, g):
        """The same actor, or a new one proposed where the extractor could not know the actor."""
        return d == g or (d not in known_actors and g not in known_actors)

    rules = {
        "actor mentions": same_or_new,
        "citations": lambda d, g: True,
        "citation sources": same_or_new,
        "denials": lambda d, g: True,
        "deniers": same_or_new,
        "claim links": same,
    }
    counts = {}
    for category in CATEGORIES:
        matched = match_count(drafted[category], gold[category], rules[category])
        counts[category] = (matched, len(drafted[category]) - matched, len(gold[category]) - matched)
    return counts


def leave_one_out(tables, ner="rules"):
    """{article id: {category: (tp, fp, fn)}}, each article drafted with its own hidden."""
    results = {}
    for article in sorted(tables["articles"], key=lambda a: a["article_id"]):
        article_id = article["article_id"]
        aliases, claims = hidden_for(tables, article_id)
        knowledge = knowledge_from_tables(tables, aliases, claims, hidden_article=article_id)
        known_actors = {a["actor_id"] for a in knowledge.aliases}
        items = extract(article["text"], knowledge, ner=ner)
        results[article_id] = score_article(tables, article_id, items, known_actors)
    return results


def prf(tp, fp, fn):
    """(precision, recall, F1), each rounded to 3 places; 0 where undefined."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return round(precision, 3), round(recall, 3), round(f1, 3)


def score_rows(results, ner="rules"):
    """extractor_scores rows: per category, each article and all of them (micro-averaged)."""
    rows = []
    for category in CATEGORIES:
        total = [0, 0, 0]
        for article_id, counts in results.items():
            tp, fp, fn = counts[category]
            total = [total[0] + tp, total[1] + fp, total[2] + fn]
            rows.append(_row(category, article_id, tp, fp, fn, ner))
        rows.append(_row(category, None, *total, ner))
    return rows


def _row(category, article_id, tp, fp, fn, ner):
    precision, recall, f1 = prf(tp, fp, fn)
    scope = article_id or "all"
    return {
        "score_id": f"{category.replace(' ', '-')}_{scope}",
        "category": category,
        "article_id": article_id,
        "scope": "article" if article_id else "all (micro-average)",
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "extractor": f"{EXTRACTOR_VERSION}, {'NER model' if ner == 'model' else 'rules only'}",
    }


def extractor_scores(tables, ner="rules"):
    """The extractor_scores rows for these tables: every article drafted with its own
    aliases and claims hidden, and scored against its curated annotations."""
    return sorted(score_rows(leave_one_out(tables, ner), ner), key=lambda row: row["score_id"])


def scores_csv(rows):
    """The bytes of seeds/extractor_scores.csv, written as the build writes its CSVs."""
    from build.write.outputs import csv_bytes

    return csv_bytes("extractor_scores", rows)


def format_table(rows):
    """The scores as a plain-text table, as `provenance evaluate` prints them."""
    lines = [f"{'category':<17} {'article':<33} {'tp':>4} {'fp':>4} {'fn':>4} {'P':>6} {'R':>6} {'F1':>6}"]
    for row in rows:
        lines.append(
            f"{row['category']:<17} {row['article_id'] or 'ALL (micro)':<33} {row['true_positives']:>4} "
            f"{row['false_positives']:>4} {row['false_negatives']:>4} {row['precision']:>6.3f} {row['recall']:>6.3f} {row['f1']:>6.3f}"
        )
    return "\n".join(lines)
