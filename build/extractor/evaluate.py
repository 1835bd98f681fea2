"""Score the extractor against the curated annotations, leaving one article out.

For each article k, the extractor drafts k from k's text (and its URL, where the curated
file gives one) knowing only what the other articles teach. Hidden from it: the actors
only k refers to (k's own: named, credited, denying or publishing in k alone) with their
aliases; the aliases that occur only in k's text; the claims that only k mentions or
denies; and k's curated quotes, which would otherwise teach the claim matcher k itself.

A drafted item matches a curated one of the same kind, one to one, greedily by largest
overlap, when their character spans overlap and:
- actor mentions: the actor is the same, or the draft proposes a new actor where the
  curated actor is one the extractor could not know (hidden);
- citations, denials: nothing more (the spans overlap);
- citation sources: the cited actor is the same too (or new, as for actor mentions);
- deniers: the denying actor is the same too (or new, as for actor mentions);
- denial claims: the denier as for deniers, and the claim denied is the same;
- claim links: the claim is the same.
And per article:
- outlet, date: counted where the curated file says the text states them (outlet_basis or
  date_basis `stated`) or gives a URL (for the date: a URL holding the curated date). A
  true positive is the curated value (the outlet the same or, where the curated outlet is
  hidden, a new one; the date the same to the curated precision), a false positive a wrong
  drafted value, a false negative a value stated but not drafted right: recall is the
  share of reports whose outlet (date) the draft gets right.
- proposed actor kinds: each proposed actor whose mention (or citation, for a proposed
  source) overlaps the curated mention (citation) of a hidden actor: a true positive when its
  proposed kind is that actor's kind, else a false positive (precision is the share with the
  right kind); false negatives are hidden actors mentioned or credited in k that nothing
  proposes.
- kept unchanged: drafted citations, denials and claim mentions that a reviewer keeps as
  they are: the span exactly a curated item's, with the same source (citations), denier and
  claim (denials) or claim (mentions). A new actor proposed where the curated one is hidden
  is the same source or denier when its name is one of that actor's names (not any hidden
  actor, as above: the reviewer keeps the item only if the proposal is the actor). Precision
  is the share of drafted items kept; citations kept, denials kept and claim mentions kept
  are the same for each kind of item.
"""

from build.extractor.extract import DEFAULT, Options, extract, knowledge_from_tables

CATEGORIES = [
    "actor mentions",
    "citations",
    "citation sources",
    "denials",
    "deniers",
    "denial claims",
    "claim links",
    "outlet",
    "date",
    "proposed actor kinds",
    "kept unchanged",
    "citations kept",
    "denials kept",
    "claim mentions kept",
]
# kept unchanged, item by item: which kinds of drafted item a reviewer can trust as they are.
KEPT_BY_KIND = {
    "citation": "citations kept",
    "denial": "denials kept",
    "mention": "claim mentions kept",
}
# The targets of issue 13, and which of precision / recall / F1 each is read on.
TARGETS = {
    "citation sources": ("f1", 0.8),
    "deniers": ("f1", 0.8),
    "denial claims": ("f1", 0.7),
    "outlet": ("recall", 0.9),
    "date": ("recall", 0.9),
    "proposed actor kinds": ("precision", 0.8),
    "kept unchanged": ("precision", 0.7),
}


def _refs(tables):
    """{actor id: the articles that refer to it}: mentions, sources, deniers and outlets."""
    refs = {}
    for row in tables["actor_mentions"]:
        refs.setdefault(row["actor_id"], set()).add(row["article_id"])
    for row in _curated(tables["citations"]):
        refs.setdefault(row["source_id"], set()).add(row["article_id"])
    for row in _curated(tables["denials"]):
        for denier in _deniers(tables, row):
            refs.setdefault(denier, set()).add(row["article_id"])
    for row in tables["articles"]:
        refs.setdefault(row["outlet_id"], set()).add(row["article_id"])
    return refs


def _deniers(tables, denial):
    """The actors who make a denial (one, or several where the table of deniers lists them)."""
    listed = [
        r["denier_id"]
        for r in tables.get("denial_deniers", ())
        if r.get("denial_id") == denial["denial_id"]
        and r.get("article_id", denial["article_id"]) == denial["article_id"]
    ]
    return listed or ([denial["denier_id"]] if denial.get("denier_id") else [])


def hidden_for(tables, article_id):
    """(aliases, claims, actors) that are article_id's own: found, mentioned, denied or
    referred to nowhere else."""
    alias_articles, claim_articles = {}, {}
    for mention in tables["actor_mentions"]:
        alias_articles.setdefault(mention["alias"], set()).add(mention["article_id"])
    for row in _curated(tables["claim_mentions"]) + _curated(tables["denials"]):
        claim_articles.setdefault(row["claim_id"], set()).add(row["article_id"])
    actors = {actor for actor, found in _refs(tables).items() if found == {article_id}}
    aliases = {alias for alias, found in alias_articles.items() if found == {article_id}}
    aliases |= {a["alias"] for a in tables["actor_aliases"] if a["actor_id"] in actors}
    claims = {claim for claim, found in claim_articles.items() if found == {article_id}}
    return aliases, claims, actors


def _curated(rows):
    """Rows a person wrote or reviewed: not drafted rows published with --include-drafts."""
    return [r for r in rows if r.get("method") != "extractor"]


def gold_items(tables, article_id):
    """The curated items of one article as (start, end, key) tuples per category."""

    def spans(rows, key):
        return [
            (r["quote_start"], r["quote_end"], key(r))
            for r in _curated(rows)
            if r["article_id"] == article_id
        ]

    denials = [r for r in _curated(tables["denials"]) if r["article_id"] == article_id]
    deniers = [(r["quote_start"], r["quote_end"], tuple(_deniers(tables, r))) for r in denials]
    return {
        "actor mentions": spans(tables["actor_mentions"], lambda r: r["actor_id"]),
        "citations": spans(tables["citations"], lambda r: r["source_id"]),
        "citation sources": spans(tables["citations"], lambda r: r["source_id"]),
        "denials": deniers,
        "deniers": deniers,
        "denial claims": [(s, e, (d, r["claim_id"])) for (s, e, d), r in zip(deniers, denials)],
        "claim links": spans(tables["claim_mentions"], lambda r: r["claim_id"]),
    }


def drafted_items(items):
    """Drafted items as (start, end, key) per category, like gold_items."""
    by_kind = {"actor_mention": [], "citation": [], "denial": [], "mention": []}
    for item in items:
        key = {
            "actor_mention": "actor",
            "citation": "source",
            "denial": "denier",
            "mention": "claim",
        }[item.kind]
        by_kind[item.kind].append((item.start, item.end, item.fields.get(key)))
    denials = [i for i in items if i.kind == "denial"]
    return {
        "actor mentions": by_kind["actor_mention"],
        "citations": by_kind["citation"],
        "citation sources": by_kind["citation"],
        "denials": by_kind["denial"],
        "deniers": by_kind["denial"],
        "denial claims": [
            (i.start, i.end, (i.fields["denier"], i.fields.get("claim"))) for i in denials
        ],
        "claim links": [m for m in by_kind["mention"] if m[2] is not None],
    }


def match_count(drafted, gold, agrees):
    """How many drafted spans match gold spans one to one, largest overlaps first."""
    return len(match_pairs(drafted, gold, agrees))


def match_pairs(drafted, gold, agrees):
    """[(drafted index, gold index)] matched one to one, largest overlaps first."""
    pairs = []
    for i, (ds, de, dkey) in enumerate(drafted):
        for j, (gs, ge, gkey) in enumerate(gold):
            overlap = min(de, ge) - max(ds, gs)
            if overlap > 0 and agrees(dkey, gkey):
                pairs.append((-overlap, i, j))
    used_d, used_g, matched = set(), set(), []
    for _, i, j in sorted(pairs):
        if i not in used_d and j not in used_g:
            used_d.add(i)
            used_g.add(j)
            matched.append((i, j))
    return matched


def score_article(tables, article_id, items, known_actors, metadata=None):
    """{category: (true positives, false positives, false negatives)} for one article."""
    gold, drafted = gold_items(tables, article_id), drafted_items(items)

    def same_or_new(d, g):
        """The same actor, or a new one proposed where the extractor could not know the actor."""
        g = g if isinstance(g, tuple) else (g,)
        return d in g or (d not in known_actors and any(a not in known_actors for a in g))

    rules = {
        "actor mentions": same_or_new,
        "citations": lambda d, g: True,
        "citation sources": same_or_new,
        "denials": lambda d, g: True,
        "deniers": same_or_new,
        "denial claims": lambda d, g: same_or_new(d[0], g[0]) and d[1] == g[1],
        "claim links": lambda d, g: d == g,
    }
    counts = {}
    for category, agrees in rules.items():
        matched = match_count(drafted[category], gold[category], agrees)
        counts[category] = (
            matched,
            len(drafted[category]) - matched,
            len(gold[category]) - matched,
        )
    article = next(a for a in tables["articles"] if a["article_id"] == article_id)
    metadata = metadata or {}
    counts["outlet"] = _outlet_counts(article, metadata.get("outlet"), known_actors)
    counts["date"] = _date_counts(article, metadata.get("published"))
    counts["proposed actor kinds"] = _kind_counts(tables, article_id, items, known_actors)
    kept = kept_counts(tables, article_id, items, known_actors)
    for kind, category in KEPT_BY_KIND.items():
        counts[category] = kept[kind]
    counts["kept unchanged"] = tuple(map(sum, zip(*kept.values())))
    return counts


def _outlet_counts(article, drafted, known_actors):
    stated = article.get("outlet_basis") == "stated" or bool(article.get("url"))
    gold = article["outlet_id"]
    right = drafted == gold or (
        drafted and drafted not in known_actors and gold not in known_actors
    )
    if not stated:
        return (0, 0, 0)
    return (1, 0, 0) if right else ((0, 1, 1) if drafted else (0, 0, 1))


def url_holds_date(url, published):
    """True when a URL spells the date published (2020-12-15: /2020/12/15/, 15-Dec-2020,
    15-12-2020 or 20201215)."""
    if not url or not published or len(published) < 10:
        return False
    year, month, day = published[:4], published[5:7], published[8:10]
    names = "jan feb mar apr may jun jul aug sep oct nov dec".split()
    forms = [
        f"{year}/{month}/{day}",
        f"{year}-{month}-{day}",
        f"{day}-{month}-{year}",
        f"{year}{month}{day}",
        f"{int(day)}-{names[int(month) - 1]}-{year}",
        f"{day}-{names[int(month) - 1]}-{year}",
    ]
    return any(form in url.lower() for form in forms)


def _date_counts(article, drafted):
    gold = article.get("published") or ""
    stated = article.get("date_basis") == "stated" or url_holds_date(article.get("url"), gold)
    if not stated:
        return (0, 0, 0)
    precision = {"year": 4, "month": 7}.get(article.get("date_precision"), 10)
    right = bool(drafted) and drafted[:precision] == gold[:precision] and len(drafted) >= precision
    return (1, 0, 0) if right else ((0, 1, 1) if drafted else (0, 0, 1))


def _kind_counts(tables, article_id, items, known_actors):
    kinds = {a["actor_id"]: a["kind"] for a in tables["actors"]}
    gold = [
        (r["quote_start"], r["quote_end"], r["actor_id"])
        for r in tables["actor_mentions"]
        if r["article_id"] == article_id and r["actor_id"] not in known_actors
    ]
    judged, found = {}, set()
    for item in items:
        if (
            item.kind != "actor_mention"
            or "proposed_kind" not in item.fields
            or item.fields["actor"] in judged
        ):
            continue
        for start, end, actor in gold:
            if min(end, item.end) - max(start, item.start) > 0:
                judged[item.fields["actor"]] = item.fields["proposed_kind"] == kinds.get(actor)
                found.add(actor)
                break
    sources = [
        (r["quote_start"], r["quote_end"], r["source_id"])
        for r in _curated(tables["citations"])
        if r["article_id"] == article_id and r["source_id"] not in known_actors
    ]
    for item in items:
        # proposed sources: "people familiar with the developments said"
        actor = item.fields.get("source")
        if (
            item.kind != "citation"
            or actor in known_actors
            or actor in judged
            or not item.fields.get("_proposed_kind")
        ):
            continue
        for start, end, gold_actor in sources:
            if min(end, item.end) - max(start, item.start) > 0:
                judged[actor] = item.fields["_proposed_kind"] == kinds.get(gold_actor)
                found.add(gold_actor)
                break
    right = sum(judged.values())
    return right, len(judged) - right, len({a for _, _, a in gold + sources} - found)


def kept_counts(tables, article_id, items, known_actors=()):
    """{"citation" | "denial" | "mention": (kept, changed, curated items not drafted as they
    are)} for one article.

    A drafted source or denier is kept when it is the curated actor, or when it is a new
    actor proposed where the curated one is hidden and the proposal's name is one of that
    actor's names: the reviewer keeps the proposal, and only the curator of the seeds could
    have chosen its id."""

    def rows(name):
        return [r for r in _curated(tables[name]) if r["article_id"] == article_id]

    proposed_names = _proposed_names(items)
    curated_names = _actor_names(tables)

    def same_actor(drafted, curated):
        return drafted == curated or (
            drafted not in known_actors
            and curated not in known_actors
            and bool(proposed_names.get(drafted, set()) & curated_names.get(curated, set()))
        )

    gold = {}
    for r in rows("citations"):
        gold.setdefault(("citation", r["quote_start"], r["quote_end"]), []).append(r["source_id"])
    for r in rows("denials"):
        gold.setdefault(("denial", r["quote_start"], r["quote_end"]), []).append(
            (tuple(_deniers(tables, r)), r["claim_id"])
        )
    for r in rows("claim_mentions"):
        gold.setdefault(("mention", r["quote_start"], r["quote_end"]), []).append(r["claim_id"])

    def agrees(kind, drafted, curated):
        if kind == "citation":
            return same_actor(drafted, curated)
        if kind == "denial":
            (denier,), claim = drafted
            deniers, curated_claim = curated
            return claim == curated_claim and len(deniers) == 1 and same_actor(denier, deniers[0])
        return drafted == curated

    drafted = []
    for item in items:
        if item.kind == "citation":
            drafted.append(("citation", item.start, item.end, item.fields["source"]))
        elif item.kind == "denial":
            denial = ((item.fields["denier"],), item.fields.get("claim"))
            drafted.append(("denial", item.start, item.end, denial))
        elif item.kind == "mention":
            drafted.append(("mention", item.start, item.end, item.fields.get("claim")))
    taken, kept = set(), {kind: 0 for kind in KEPT_BY_KIND}
    for kind, start, end, value in drafted:
        for index, curated in enumerate(gold.get((kind, start, end), ())):
            if (kind, start, end, index) not in taken and agrees(kind, value, curated):
                taken.add((kind, start, end, index))
                kept[kind] += 1
                break
    counts = {}
    for kind in KEPT_BY_KIND:
        drafted_count = sum(1 for d in drafted if d[0] == kind)
        curated_count = sum(len(values) for key, values in gold.items() if key[0] == kind)
        counts[kind] = (kept[kind], drafted_count - kept[kind], curated_count - kept[kind])
    return counts


def _proposed_names(items):
    """{proposed actor id: its names as drafted, folded}: the words of its mentions, and the
    phrase a citation or denial proposes it from."""
    names = {}
    for item in items:
        if item.kind == "actor_mention" and "proposed_kind" in item.fields:
            names.setdefault(item.fields["actor"], set()).add(_folded(item.quote))
        actor = item.fields.get("source") or item.fields.get("denier")
        if item.kind in ("citation", "denial") and item.fields.get("_name"):
            names.setdefault(actor, set()).add(_folded(item.fields["_name"]))
    return names


def _actor_names(tables):
    """{actor id: its name and aliases, folded}."""
    names = {}
    for actor in tables["actors"]:
        names.setdefault(actor["actor_id"], set()).add(_folded(actor["name"]))
    for alias in tables["actor_aliases"]:
        names.setdefault(alias["actor_id"], set()).add(_folded(alias["alias"]))
    return names


def _folded(name):
    """A name compared without case, spacing or a leading article ("the Israeli press")."""
    words = name.lower().split()
    return " ".join(words[1:] if words[:1] in (["the"], ["a"], ["an"]) else words)


def leave_one_out(tables, options=DEFAULT):
    """{article id: {category: (tp, fp, fn)}}, each article drafted with its own hidden."""
    from build.extractor.draft import find_metadata

    results = {}
    for article in sorted(tables["articles"], key=lambda a: a["article_id"]):
        article_id = article["article_id"]
        aliases, claims, actors = hidden_for(tables, article_id)
        knowledge = knowledge_from_tables(
            tables, aliases, claims, hidden_article=article_id, hidden_actors=actors
        )
        known_actors = {a["actor_id"] for a in knowledge.aliases} | set(knowledge.actors)
        items = extract(article["text"], knowledge, options)
        fields, _ = find_metadata(article["text"], url=article.get("url"), knowledge=knowledge)
        results[article_id] = score_article(tables, article_id, items, known_actors, fields)
    return results


def prf(tp, fp, fn):
    """(precision, recall, F1), each rounded to 3 places; 0 where undefined."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return round(precision, 3), round(recall, 3), round(f1, 3)


def score_rows(results, options=DEFAULT):
    """extractor_scores rows: per category, each article and all of them (micro-averaged)."""
    rows = []
    for category in CATEGORIES:
        total = [0, 0, 0]
        for article_id, counts in results.items():
            tp, fp, fn = counts[category]
            total = [total[0] + tp, total[1] + fp, total[2] + fn]
            rows.append(_row(category, article_id, tp, fp, fn, options))
        rows.append(_row(category, None, *total, options))
    return rows


def _row(category, article_id, tp, fp, fn, options):
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
        "extractor": options.label(),
    }


def extractor_scores(tables, options=DEFAULT):
    """The extractor_scores rows for these tables: every article drafted with its own
    aliases, actors and claims hidden, and scored against its curated annotations."""
    return sorted(
        score_rows(leave_one_out(tables, options), options), key=lambda row: row["score_id"]
    )


# The alternatives `provenance evaluate --compare` measures against the default.
ALTERNATIVES = {
    "default": DEFAULT,
    "names by rule (no NER model)": Options(names="rules"),
    "speaker: last name before the cue": Options(speaker="nearest"),
    "claims: TF-IDF of words": Options(claims="words"),
    "claims: embeddings of statements only": Options(claims="embeddings"),
}


def compare(tables):
    """{alternative: {category: row of the total}} for each alternative of ALTERNATIVES."""
    table = {}
    for name, options in ALTERNATIVES.items():
        rows = score_rows(leave_one_out(tables, options), options)
        table[name] = {r["category"]: r for r in rows if r["article_id"] is None}
    return table


def format_comparison(table):
    """The comparison as a Markdown table: the F1 (or the share the target reads) per category."""
    categories = [c for c in CATEGORIES if c != "actor mentions" and c not in KEPT_BY_KIND.values()]
    lines = ["| alternative | " + " | ".join(categories) + " |", "|---|" + "---|" * len(categories)]
    for name, totals in table.items():
        cells = []
        for category in categories:
            measure = TARGETS.get(category, ("f1", None))[0]
            cells.append(f"{totals[category][measure]:.2f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def scores_csv(rows):
    """The bytes of seeds/extractor_scores.csv, written as the build writes its CSVs."""
    from build.write.outputs import csv_bytes

    return csv_bytes("extractor_scores", rows)


def _target_note(row, missed):
    """ "f1 >= 0.8: met" (or missed) for a total row of a category with a target, else ""."""
    if row["article_id"] is not None or row["category"] not in TARGETS:
        return ""
    measure, goal = TARGETS[row["category"]]
    return f"{measure} >= {goal}: {'met' if row[measure] >= goal else missed}"


def format_table(rows):
    """The scores as a plain-text table, as `provenance evaluate` prints them."""
    lines = [
        f"{'category':<21} {'article':<33} {'tp':>4} {'fp':>4} {'fn':>4} {'P':>6} {'R':>6} {'F1':>6}  target"
    ]
    for row in rows:
        target = _target_note(row, "NOT met")
        lines.append(
            f"{row['category']:<21} {row['article_id'] or 'ALL (micro)':<33} {row['true_positives']:>4} "
            f"{row['false_positives']:>4} {row['false_negatives']:>4} {row['precision']:>6.3f} {row['recall']:>6.3f} {row['f1']:>6.3f}  {target}"
        )
    return "\n".join(lines)


def format_markdown(rows):
    """The totals and each article's scores as Markdown tables (docs/extractor.md, README)."""
    totals = {r["category"]: r for r in rows if r["article_id"] is None}
    lines = ["| category | precision | recall | F1 | target |", "|---|---|---|---|---|"]
    for category in CATEGORIES:
        row = totals[category]
        target = _target_note(row, "**not met**")
        lines.append(
            f"| {category} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | {target} |"
        )
    articles = sorted({r["article_id"] for r in rows if r["article_id"]})
    shown = list(TARGETS)  # each article's score on the measure each target reads
    lines += [
        "",
        "Each article, left out (the measure each target reads; `-` where the article has nothing to score):",
        "",
        "| article | " + " | ".join(shown) + " |",
        "|---|" + "---|" * len(shown),
    ]
    by = {(r["category"], r["article_id"]): r for r in rows}
    for article in articles:
        cells = []
        for category in shown:
            row = by[(category, article)]
            measure = TARGETS[category][0]
            empty = row["true_positives"] + row["false_positives"] + row["false_negatives"] == 0
            cells.append("-" if empty else f"{row[measure]:.2f}")
        lines.append(f"| {article} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
