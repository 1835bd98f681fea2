"""A deterministic synthetic corpus for benchmarks: N articles made from the seed
articles' sentences, recombined, under varied outlets and dates, each with the
annotations its sentences carry. The real seeds are copied in too, so citations
of corpus articles still resolve.

    provenance synth OUT_DIR --articles 1000 [--seed 1]
"""

import datetime
import random
import re
import shutil
from pathlib import Path

import click
import yaml

from build import paths
from build.check.assemble import assemble
from build.read.seeds import read_seeds, sha256

SENTENCE = re.compile(r"[^\n]+?(?:[.!?][”\"’']?(?=\s)|$)", re.MULTILINE)
FIRST_DAY = datetime.date(2020, 11, 1)
DAYS = 900


def sentence_units(tables):
    """Each sentence of each seed article with the annotations lying wholly inside it."""
    units = []
    for article in tables["articles"]:
        text, article_id = article["text"], article["article_id"]
        rows = {
            kind: [r for r in tables[kind] if r["article_id"] == article_id]
            for kind in ("citations", "claim_mentions", "denials")
        }
        for match in SENTENCE.finditer(text):
            start, end = match.span()

            def inside(row):
                return start <= row["quote_start"] and row["quote_end"] <= end

            unit = {kind: [r for r in found if inside(r)] for kind, found in rows.items()}
            if unit["claim_mentions"] or unit["citations"]:
                unit.update(text=match.group(), start=start, article_id=article_id)
                units.append(unit)
    return units


def local_id(citation_id, article_id):
    return citation_id[len(article_id) + 1 :]


def synthetic_article(number, units, rng, outlets):
    """(text, annotation dict) of one synthetic article."""
    chosen = rng.sample(units, k=min(len(units), rng.randint(8, 20)))
    text, placed = "", []
    for index, unit in enumerate(chosen):
        if text:
            text += "\n\n"
        placed.append((index, unit, len(text)))
        text += unit["text"]
    citations, mentions, denials = [], [], []
    for index, unit, offset in placed:
        kept = {local_id(c["citation_id"], unit["article_id"]) for c in unit["citations"]}
        place = (text, unit, index, offset)
        citations += [_citation_entry(place, kept, row) for row in unit["citations"]]
        mentions += [_mention_entry(place, kept, row) for row in unit["claim_mentions"]]
        denials += [_denial_entry(place, row) for row in unit["denials"]]
    published = FIRST_DAY + datetime.timedelta(days=rng.randrange(DAYS))
    outlet = rng.choice(outlets)
    annotation = {
        "sha256": sha256(text.encode("utf-8")),
        "outlet": outlet["id"],
        "outlet_basis": "stated",
        "outlet_evidence": f"Synthetic article {number} for benchmarks.",
        "title": f"Synthetic report {number}: {chosen[0]['text'][:60].strip()}",
        "title_basis": "supplied",
        "published": published.isoformat(),
        "date_precision": "day",
        "date_basis": "stated",
        "date_evidence": "Synthetic date.",
        "language": "en",
        "citations": citations,
        "mentions": mentions,
        "denials": denials,
    }
    _story_items(annotation, random.Random(number * 7919 + 1))
    return text, annotation


def _quoted(place, row):
    """{quote, occurrence when needed} of a row's quote where its unit was placed:
    place is (article text, unit, unit's index, unit's offset in the text)."""
    text, unit, _, offset = place
    quote = row["quote"]
    position = offset + row["quote_start"] - unit["start"]
    entry = {"quote": quote}
    if text.count(quote) > 1:
        entry["occurrence"] = text.count(quote, 0, position) + 1
    return entry


def _local(place, row_id):
    """The synthetic article's id of a seed row of the placed unit: u{index}-{local id}."""
    _, unit, index, _ = place
    return f"u{index}-{local_id(row_id, unit['article_id'])}"


def _citation_entry(place, kept, citation):
    """The citations entry of a unit's citation row; its via kept when that citation is."""
    _, unit, index, _ = place
    entry = {"id": _local(place, citation["citation_id"]), **_quoted(place, citation)}
    if citation["cue"]:
        entry["cue"] = citation["cue"]
    if citation["source_id"]:
        entry["source"] = citation["source_id"]
    entry.update(source_basis=citation["source_basis"], medium=citation["medium"])
    if citation["work_id"]:
        entry["work"] = citation["work_id"]
    if citation["cited_article_id"]:
        entry["cited_article"] = citation["cited_article_id"]
    via = citation["via_citation_id"] and local_id(citation["via_citation_id"], unit["article_id"])
    if via in kept:
        entry["via"] = f"u{index}-{via}"
    return entry


def _mention_entry(place, kept, mention):
    """The mentions entry of a unit's claim_mentions row; its citation kept when it is."""
    _, unit, index, _ = place
    entry = {
        "claim": mention["claim_id"],
        **_quoted(place, mention),
        "stance": mention["stance"],
        "hedges": list(mention["hedges"]),
    }
    cited = mention["citation_id"] and local_id(mention["citation_id"], unit["article_id"])
    if cited in kept:
        entry["citation"] = f"u{index}-{cited}"
    return entry


def _denial_entry(place, denial):
    """The denials entry of a unit's denials row."""
    entry = {
        "id": _local(place, denial["denial_id"]),
        "claim": denial["claim_id"],
        "denier": denial["denier_id"],
        "medium": denial["medium"],
        **_quoted(place, denial),
    }
    if denial["cue"]:
        entry["cue"] = denial["cue"]
    if denial["work_id"]:
        entry["work"] = denial["work_id"]
    return entry


# Ids in the seeds the synthetic articles' retractions, doubts and identifications name.
RETRACTED, RETRACTED_BY, DOUBTER, IDENTIFIED = (
    "middle-east-monitor-2020-12-18",
    "middle-east-monitor",
    "bilawal-bhutto-zardari",
    "zulfi-bukhari",
)


def _story_items(annotation, rng):
    """Give a synthetic article some of what real reports carry beyond citations, mentions
    and denials (issue 12): excerpts, denial grounds, doubts, identifications, now and
    then a retraction or a republication. Its own random stream, so that the rest of the
    corpus is as before."""
    if rng.random() < 0.5:
        annotation["excerpt"] = True
        annotation["ends_mid_sentence"] = rng.random() < 0.3
    denials, mentions, citations = (
        annotation["denials"],
        annotation["mentions"],
        annotation["citations"],
    )
    for denial in denials:
        if rng.random() < 0.5:
            denial["grounds"] = [
                {
                    "ground": "no-such-event",
                    "quote": denial["quote"],
                    **({"occurrence": denial["occurrence"]} if "occurrence" in denial else {}),
                }
            ]
    # rare, as in the real corpus: a doubt of a tweet doubts every report of the denial
    # made in it (doubted_denials), thousands of rows a doubt at 10,000 articles
    if denials and rng.random() < 0.002:
        first = denials[0]
        annotation["doubts"] = [
            {
                "id": "doubt",
                "doubter": DOUBTER,
                "denial": first["id"],
                "quote": first["quote"],
                **({"occurrence": first["occurrence"]} if "occurrence" in first else {}),
            }
        ]
    if mentions and rng.random() < 0.3:
        first = mentions[0]
        annotation["identifications"] = [
            {
                "id": "identified",
                "quote": first["quote"],
                **({"occurrence": first["occurrence"]} if "occurrence" in first else {}),
                "actor": IDENTIFIED,
                "by": "curator",
                "basis": "Synthetic identification.",
            }
        ]
        first["identification"] = "identified"
    if citations and rng.random() < 0.01:
        first = citations[0]
        annotation["retractions"] = [
            {
                "id": "retraction",
                "retracted": RETRACTED,
                "kind": "retraction",
                "by": RETRACTED_BY,
                "how": "letter",
                "quote": first["quote"],
                **({"occurrence": first["occurrence"]} if "occurrence" in first else {}),
            }
        ]
    if rng.random() < 0.02:
        annotation["republishes"] = {"article": RETRACTED, "extent": "part", "basis": "inferred"}


def synthetic_outlets(count):
    """Actor entries for the synthetic outlets."""
    return [
        {
            "id": f"synthetic-outlet-{n:03d}",
            "name": f"Synthetic Outlet {n}",
            "kind": "outlet",
            "description": "A made-up outlet of the benchmark corpus.",
            "aliases": [],
        }
        for n in range(1, count + 1)
    ]


def write_corpus(out_dir, articles, seed=1, seeds_dir=paths.SEEDS):
    """Write a seeds folder holding the real seeds plus `articles` synthetic ones."""
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    shutil.copytree(seeds_dir, out_dir)
    tables = assemble(read_seeds(seeds_dir))
    units = sentence_units(tables)
    rng = random.Random(seed)
    outlets = synthetic_outlets(max(1, articles // 50))
    with open(out_dir / "actors.yml", "a", encoding="utf-8") as actors_file:
        actors_file.write("\n" + yaml.safe_dump(outlets, sort_keys=False, allow_unicode=True))
    for number in range(1, articles + 1):
        text, annotation = synthetic_article(number, units, rng, outlets)
        name = f"synthetic-{number:06d}"
        (out_dir / "texts" / f"{name}.txt").write_text(text, encoding="utf-8")
        annotation = {"text": f"texts/{name}.txt", **annotation}
        (out_dir / "articles" / f"{name}.yml").write_text(
            yaml.safe_dump(annotation, sort_keys=False, allow_unicode=True, width=1000),
            encoding="utf-8",
        )
    return out_dir


@click.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--articles", default=1000, show_default=True, help="How many synthetic articles.")
@click.option(
    "--seed", default=1, show_default=True, help="Random seed: the same seed gives the same corpus."
)
def main(out_dir, articles, seed):
    """Write a synthetic seeds folder for benchmarks."""
    write_corpus(out_dir, articles, seed)
    click.echo(f"wrote {articles} synthetic articles (plus the real seeds) to {out_dir}")


if __name__ == "__main__":
    main()
