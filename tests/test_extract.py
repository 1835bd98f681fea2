"""The extractor: drafting each seed article, the evaluation it publishes, odd article
files, drafts in the build, and a newcomer adding a sixth article as the README says.

The sixth article (tests/fixtures/sixth/) is made up for these tests, in our own words;
it is never copied into seeds/ or data/."""

import asyncio
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from build.check.assemble import assemble
from build.cli import cli
from build.extractor.draft import draft_record, draft_yaml, repeat_message
from build.extractor.evaluate import (
    CATEGORIES,
    TARGETS,
    extractor_scores,
    gold_items,
    hidden_for,
    kept_counts,
    match_count,
    scores_csv,
)
from build.extractor.extract import Item, extract, knowledge_from_tables
from build.read.seeds import SCORES_FILE, parse_yaml, read_seeds
from build.site.serve import datasette_app

ROOT = Path(__file__).resolve().parent.parent
SIXTH = Path(__file__).resolve().parent / "fixtures" / "sixth" / "901_fo-denial.txt"
SIXTH_ID = "capital-ledger-2021-07-02"


@pytest.fixture(scope="module")
def seed_drafts(tables):
    """{article id: the parsed YAML draft}, each drafted leaving that article out."""
    drafts = {}
    for article in tables["articles"]:
        article_id = article["article_id"]
        aliases, claims, actors = hidden_for(tables, article_id)
        knowledge = knowledge_from_tables(
            tables, aliases, claims, hidden_article=article_id, hidden_actors=actors
        )
        _, record, _ = draft_record(
            article["text"],
            article["text_file"].removeprefix("seeds/"),
            knowledge,
            url=article.get("url"),
        )
        drafts[article_id] = parse_yaml(
            draft_yaml(record, article["text_file"]), f"{article_id} draft"
        )
    return drafts


def test_each_seed_article_drafts_every_kind_of_item(seed_drafts):
    assert len(seed_drafts) >= 5
    for article_id, draft in seed_drafts.items():
        assert draft["status"] == "drafted", article_id
        assert draft["citations"] and draft["mentions"], article_id
        for kind in ("citations", "mentions", "denials"):
            for item in draft[kind]:
                assert item["status"] == "drafted" and 0 <= item["confidence"] <= 1, (
                    article_id,
                    item,
                )


def test_every_drafted_quote_is_the_text_at_its_offsets(seed_drafts, tables):
    texts = {a["article_id"]: a["text"] for a in tables["articles"]}
    for article_id, draft in seed_drafts.items():
        for kind in ("citations", "mentions", "denials"):
            for item in draft[kind]:
                assert texts[article_id][item["start"] : item["end"]] == item["quote"]


def test_the_drafts_score_what_the_evaluation_table_reports(seed_drafts, tables):
    """Scored from the YAML a person would get, each draft gives the published counts."""
    published = {(r["category"], r["article_id"]): r for r in tables["extractor_scores"]}
    for article_id, draft in seed_drafts.items():
        gold = gold_items(tables, article_id)
        aliases, _, actors = hidden_for(tables, article_id)
        known = {
            a["actor_id"]
            for a in tables["actor_aliases"]
            if a["alias"] not in aliases and a["actor_id"] not in actors
        }
        known |= {a["actor_id"] for a in tables["actors"] if a["actor_id"] not in actors}
        proposed_claims = {c["id"] for c in draft["proposed_claims"]}
        drafted = {
            "citations": [(c["start"], c["end"], c.get("source")) for c in draft["citations"]],
            "denials": [(d["start"], d["end"], d["denier"]) for d in draft["denials"]],
            "denial claims": [
                (d["start"], d["end"], (d["denier"], d["claim"])) for d in draft["denials"]
            ],
            "claim links": [
                (m["start"], m["end"], m["claim"])
                for m in draft["mentions"]
                if m["claim"] not in proposed_claims
            ],
        }
        drafted["citation sources"], drafted["deniers"] = drafted["citations"], drafted["denials"]

        def same_or_new(d, g):
            g = g if isinstance(g, tuple) else (g,)
            return d in g or (d not in known and any(a not in known for a in g))

        agrees = {
            "citations": lambda d, g: True,
            "denials": lambda d, g: True,
            "claim links": lambda d, g: d == g,
            "citation sources": same_or_new,
            "deniers": same_or_new,
            "denial claims": lambda d, g: same_or_new(d[0], g[0]) and d[1] == g[1],
        }
        for category, rule in agrees.items():
            matched = match_count(drafted[category], gold[category], rule)
            row = published[(category, article_id)]
            assert (matched, len(drafted[category]) - matched, len(gold[category]) - matched) == (
                row["true_positives"],
                row["false_positives"],
                row["false_negatives"],
            ), (article_id, category)
        outlet = published[("outlet", article_id)]
        if outlet["true_positives"]:
            assert same_or_new(draft["outlet"], tables_outlet(tables, article_id)), article_id


def test_a_proposal_is_kept_as_a_hidden_source_only_when_it_is_named_as_that_actor():
    """A citation crediting a new actor is kept unchanged where the curated source is hidden
    and the proposal bears one of its names; not a proposal of another name, and not a new
    actor where the curated source was known."""
    tables = {
        "actors": [
            {"actor_id": "avi-scharf", "name": "Avi Scharf"},
            {"actor_id": "zulfi-bukhari", "name": "Zulfi Bukhari"},
        ],
        "actor_aliases": [{"actor_id": "avi-scharf", "alias": "Avi Scarf"}],
        "citations": [
            {"article_id": "a", "quote_start": 0, "quote_end": 13, "source_id": "avi-scharf"},
            {"article_id": "a", "quote_start": 20, "quote_end": 30, "source_id": "zulfi-bukhari"},
        ],
        "denials": [],
        "claim_mentions": [],
    }

    def cite(start, end, source, name):
        return Item("citation", start, end, "", 0.5, {"source": source, "_name": name})

    known = {"zulfi-bukhari"}
    for items, kept in [
        ([cite(0, 13, "avi-scarf", "Avi Scarf"), cite(20, 30, "zulfi-bukhari", None)], 2),
        ([cite(0, 13, "avi-scarf", "Avi Cohen"), cite(20, 30, "bukhari-z", "Zulfi Bukhari")], 0),
        ([cite(0, 12, "avi-scarf", "Avi Scarf")], 0),
    ]:
        assert kept_counts(tables, "a", items, known)["citation"][0] == kept
    alone = kept_counts(tables, "a", [cite(0, 13, "avi-scarf", "Avi Scarf")], set())
    assert alone == {"citation": (1, 0, 1), "denial": (0, 0, 0), "mention": (0, 0, 0)}


def tables_outlet(tables, article_id):
    return next(a["outlet_id"] for a in tables["articles"] if a["article_id"] == article_id)


def test_leave_one_out_hides_the_article_s_own_aliases_and_claims(tables):
    aliases, claims, actors = hidden_for(tables, "hindustan-times-2021-06-29")
    assert "Silvan Shalom" in aliases and "Bukhari" not in aliases
    assert (
        "bukhari-benefited-from-ring-road-changes" in claims
        and "bukhari-visited-israel" not in claims
    )
    assert (
        "silvan-shalom" in actors and "zulfi-bukhari" not in actors and "israel-hayom" not in actors
    )


# What the extractor reaches now, leave one out (README, "The extractor and its scores"):
# a change that scores lower fails here. Issue 13's targets are in TARGETS; those not met
# yet are said in the README, not hidden by a lower floor here.
# citation sources: 0.7 until AUDIT E1 corrected Asian Lite's five credits from Israel Hayom to the
# first-person (Haaretz) piece the text relays: the extractor still credits Israel Hayom there, and
# on the five it now scores 0.684 against the corrected reading.
# Raised with issue 13's second round (parse 3 on the five: citations 0.915, citation sources
# 0.780, denials and deniers 0.909).
FLOORS = {
    "citations": ("f1", 0.9),
    "citation sources": ("f1", 0.75),
    "denials": ("f1", 0.85),
    "deniers": ("f1", 0.85),
    "outlet": ("recall", 0.9),
    "date": ("recall", 0.9),
}


# The floors were set on the five seed reports; the eight reports added in issue 12 are text the
# extractor had not seen, and score lower (parse 2, on the eight: citations F1 0.792, citation
# sources 0.591, denials 0.634, deniers 0.488). So the floors hold on the five, where a change of
# the extractor is measured against what it reached; the all-thirteen figures are published as
# measured.
FLOOR_ARTICLES = {
    "middle-east-monitor-2020-12-18",
    "republic-world-2020-12-20",
    "hindustan-times-2021-06-29",
    "asian-lite-2021",
    "yeshiva-world-news-2020-12",
}


def test_the_published_scores_reach_their_floors(tables):
    totals = {r["category"]: r for r in tables["extractor_scores"] if r["article_id"] is None}
    assert set(totals) == set(CATEGORIES) and set(TARGETS) <= set(CATEGORIES)
    for category, (measure, floor) in FLOORS.items():
        rows = [
            r
            for r in tables["extractor_scores"]
            if r["category"] == category and r["article_id"] in FLOOR_ARTICLES
        ]
        assert {r["article_id"] for r in rows} == FLOOR_ARTICLES, category
        tp, fp, fn = (
            sum(r[k] for r in rows)
            for k in ("true_positives", "false_positives", "false_negatives")
        )
        value = {
            "f1": 2 * tp / (2 * tp + fp + fn),
            "recall": tp / (tp + fn),
            "precision": tp / (tp + fp),
        }[measure]
        assert value >= floor, (category, measure, value)
    for row in totals.values():
        assert row["true_positives"] + row["false_negatives"] > 0, (
            row
        )  # every category has curated items


def test_make_evaluate_prints_the_scores_and_writes_what_the_build_publishes(seeds_copy, tmp_path):
    (seeds_copy / SCORES_FILE).unlink()
    result = CliRunner().invoke(cli, ["evaluate", "--seeds", str(seeds_copy)])
    assert result.exit_code == 0, result.output
    assert (
        "citations" in result.output
        and "ALL (micro)" in result.output
        and "leave one article out" in result.output
    )
    assert (seeds_copy / SCORES_FILE).read_bytes() == (ROOT / "seeds" / SCORES_FILE).read_bytes()
    built = CliRunner().invoke(
        cli, ["build", "--seeds", str(seeds_copy), "--data", str(tmp_path / "data"), "--no-cache"]
    )
    assert built.exit_code == 0, built.output
    assert (tmp_path / "data" / SCORES_FILE).read_bytes() == (seeds_copy / SCORES_FILE).read_bytes()


def test_the_committed_scores_are_what_the_extractor_scores_now(tables):
    """seeds/extractor_scores.csv is written by `make evaluate`; a change to the extractor or
    to the curated annotations without it would publish stale scores."""
    fresh = extractor_scores(tables)
    assert scores_csv(fresh) == (ROOT / "seeds" / SCORES_FILE).read_bytes(), (
        "seeds/extractor_scores.csv is stale: run make evaluate"
    )
    assert tables["extractor_scores"] == fresh


def test_stale_scores_naming_a_removed_article_are_an_error(seeds_copy):
    scores = seeds_copy / SCORES_FILE
    scores.write_text(
        scores.read_text(encoding="utf-8").replace(",asian-lite-2021,", ",asian-lite-2099,", 1),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["check", "--seeds", str(seeds_copy), "--no-cache"])
    assert result.exit_code == 1
    assert (
        "error: seeds/extractor_scores.csv:" in result.output
        and "run `make evaluate`" in result.output
    )


# --- odd article files ---------------------------------------------------------------------

ODD = {
    "empty.txt": (b"  \n\n", "the file is empty"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "it is binary data"),
    "latin1.txt": ("Pakistan’s Foreign Office said".encode("cp1252"), "is not valid UTF-8"),
    "long.txt": (("Bukhari denied the report. " * 4000).encode(), "characters long"),
    "urdu.txt": (
        (
            "دفتر خارجہ نے ان خبروں کو مسترد کر دیا کہ ذوالفی بخاری نے اسرائیل کا دورہ کیا۔ " * 5
        ).encode(),
        "does not read as English",
    ),
    "german.txt": (
        (
            (
                "Das Außenministerium wies die Berichte zurück, wonach Bukhari im November "
                "heimlich nach Israel gereist sei. Die Regierung habe keine Kontakte. "
            )
            * 3
        ).encode(),
        "does not read as English",
    ),
}


@pytest.mark.parametrize("name", sorted(ODD))
def test_odd_article_files_get_a_clear_message(seeds_copy, name):
    data, expected = ODD[name]
    path = seeds_copy / "texts" / name
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["draft", str(path), "--seeds", str(seeds_copy)])
    assert result.exit_code == 1
    assert f"error: seeds/texts/{name}" in result.output and expected in result.output, (
        result.output
    )
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (seeds_copy / "articles").iterdir()) == sorted(
        p.name for p in (ROOT / "seeds" / "articles").iterdir()
    )


def test_an_article_without_a_date_drafts_with_a_warning(seeds_copy):
    path = seeds_copy / "texts" / "undated.txt"
    path.write_text(SIXTH.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    result = CliRunner().invoke(cli, ["draft", str(path), "--seeds", str(seeds_copy)])
    assert result.exit_code == 0, result.output
    assert "warning: seeds/texts/undated.txt: published: no date found" in result.output
    draft = yaml.safe_load(
        (seeds_copy / "articles" / "capital-ledger.yml").read_text(encoding="utf-8")
    )
    assert draft["published"] is None and draft["title_basis"] == "stated"


def test_a_text_outside_seeds_and_an_existing_draft_are_refused(seeds_copy, tmp_path):
    outside = tmp_path / "article.txt"
    shutil.copy(SIXTH, outside)
    result = CliRunner().invoke(cli, ["draft", str(outside), "--seeds", str(seeds_copy)])
    assert result.exit_code == 1 and "put the text under seeds/texts/ first" in result.output
    inside = seeds_copy / "texts" / SIXTH.name
    shutil.copy(SIXTH, inside)
    assert (
        CliRunner().invoke(cli, ["draft", str(inside), "--seeds", str(seeds_copy)]).exit_code == 0
    )
    again = CliRunner().invoke(cli, ["draft", str(inside), "--seeds", str(seeds_copy)])
    assert again.exit_code == 1 and "already exists" in again.output and "--force" in again.output
    assert (
        CliRunner()
        .invoke(cli, ["draft", str(inside), "--seeds", str(seeds_copy), "--force"])
        .exit_code
        == 0
    )


# --- drafts in the build -------------------------------------------------------------------


def draft_sixth(seeds):
    """Put the sixth article's text in seeds/texts/ and run `provenance draft`, as the README says."""
    text_path = seeds / "texts" / SIXTH.name
    shutil.copy(SIXTH, text_path)
    result = CliRunner().invoke(cli, ["draft", str(text_path), "--seeds", str(seeds)])
    assert result.exit_code == 0, result.output
    return seeds / "articles" / f"{SIXTH_ID}.yml"


def test_a_fresh_draft_reads_the_metadata_of_the_text(seeds_copy):
    draft = yaml.safe_load(draft_sixth(seeds_copy).read_text(encoding="utf-8"))
    assert draft["published"] == "2021-07-02T14:10+05:00" and draft["date_basis"] == "stated"
    assert (
        draft["title"].startswith("Foreign Office rejects reports")
        and draft["title_basis"] == "stated"
    )
    assert (
        draft["outlet"] == "capital-ledger" and draft["outlet_evidence"] == "Source: Capital Ledger"
    )
    cues = {d.get("cue") for d in draft["denials"]}
    assert any(c and c.endswith("rejected") for c in cues), (
        cues
    )  # "retracted its own report" is a retraction, not a denial
    assert any(c["cue"] == "According to" for c in draft["citations"])
    assert "capital-ledger" in {a["id"] for a in draft["proposed_actors"]}


def test_drafted_items_are_left_out_unless_asked(seeds_copy):
    path = draft_sixth(seeds_copy)
    draft = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert SIXTH_ID not in {a["article_id"] for a in assemble(read_seeds(seeds_copy))["articles"]}
    accept_proposals(seeds_copy, draft)
    draft["status"] = "reviewed"  # the metadata is right; the items are not reviewed yet
    path.write_text(yaml.safe_dump(draft, allow_unicode=True, sort_keys=False), encoding="utf-8")
    default = assemble(read_seeds(seeds_copy))
    assert SIXTH_ID in {a["article_id"] for a in default["articles"]}
    assert not [c for c in default["citations"] if c["article_id"] == SIXTH_ID]
    included = assemble(read_seeds(seeds_copy), include_drafts=True)
    rows = [
        r
        for name in ("citations", "denials", "claim_mentions")
        for r in included[name]
        if r["article_id"] == SIXTH_ID
    ]
    assert len(rows) == len(draft["citations"]) + len(draft["denials"]) + len(draft["mentions"])
    assert {r["method"] for r in rows} == {"extractor"}
    assert {
        r["method"]
        for name in ("citations", "denials")
        for r in included[name]
        if r["article_id"] != SIXTH_ID
    } == {"curated"}
    # A drafted report credited to no one waits for its work to be named, even then.
    unnamed = dict(draft["citations"][0], id="unnamed-report")
    unnamed.pop("source")
    draft["citations"].append(unnamed)
    path.write_text(yaml.safe_dump(draft, allow_unicode=True, sort_keys=False), encoding="utf-8")
    included = assemble(read_seeds(seeds_copy), include_drafts=True)
    ids = {c["citation_id"] for c in included["citations"] if c["article_id"] == SIXTH_ID}
    assert f"{SIXTH_ID}_unnamed-report" not in ids and len(ids) == len(draft["citations"]) - 1


def accept_proposals(seeds, draft):
    """What a reviewer does with the proposals: move them to actors.yml and claims.yml."""
    actors = [{k: v for k, v in a.items() if k != "status"} for a in draft.pop("proposed_actors")]
    for actor in actors:
        actor["kind"] = "outlet" if actor["id"] == draft["outlet"] else "anonymous_source"
        actor["aliases"] = []
    claims = [
        {**{k: v for k, v in c.items() if k != "status"}, "subject": "pakistan"}
        for c in draft.pop("proposed_claims")
    ]
    # (none to move is possible: with the thirteen reports the sixth's statements all link to known claims)
    for name, entries in (("actors.yml", actors), ("claims.yml", claims)):
        if entries:
            with open(seeds / name, "a", encoding="utf-8") as file:
                file.write("\n" + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False))


def test_a_newcomer_adds_a_sixth_article_and_sees_it_published(seeds_copy, tmp_path):
    """The README's path: text in, draft, review, build, and it is on the site."""
    path = draft_sixth(seeds_copy)
    draft = yaml.safe_load(path.read_text(encoding="utf-8"))
    accept_proposals(seeds_copy, draft)
    for kind in ("citations", "mentions", "denials"):
        for item in draft[kind]:
            item["status"] = "reviewed"
    draft["status"] = "reviewed"
    path.write_text(yaml.safe_dump(draft, allow_unicode=True, sort_keys=False), encoding="utf-8")

    data = tmp_path / "data"
    data.mkdir()
    checked = CliRunner().invoke(cli, ["check", "--seeds", str(seeds_copy)])
    assert checked.exit_code == 0, checked.output
    evaluated = CliRunner().invoke(
        cli, ["evaluate", "--seeds", str(seeds_copy)]
    )  # `make evaluate`: rescore with it
    assert evaluated.exit_code == 0, evaluated.output
    built = CliRunner().invoke(cli, ["build", "--seeds", str(seeds_copy), "--data", str(data)])
    assert built.exit_code == 0, built.output

    async def fetch(path):
        response = await datasette_app(data).client.get(path)
        assert response.status_code == 200, path
        return response.json()

    article = asyncio.run(fetch(f"/provenance/articles/{SIXTH_ID}.json?_shape=objects"))["rows"][0]
    assert (
        article["outlet_id"] == "capital-ledger"
        and article["published"] == "2021-07-02T14:10+05:00"
    )
    denials = asyncio.run(fetch(f"/provenance/denials.json?article_id={SIXTH_ID}&_shape=objects"))[
        "rows"
    ]
    citations = asyncio.run(
        fetch(f"/provenance/citations.json?article_id={SIXTH_ID}&_shape=objects")
    )["rows"]
    assert len(denials) == len(draft["denials"]) >= 3 and len(citations) == len(draft["citations"])
    assert {d["method"] for d in denials + citations} == {"curated"}  # reviewed by a person
    assert any("rejected" in d["quote"] for d in denials)
    scores = asyncio.run(
        fetch("/provenance/extractor_scores.json?_shape=objects&category=denials")
    )["rows"]
    assert SIXTH_ID in {row["article_id"] for row in scores}


def test_the_sixth_article_is_not_published():
    for folder in (ROOT / "seeds", ROOT / "data"):
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in (".yml", ".txt", ".csv", ".json"):
                text = path.read_text(encoding="utf-8", errors="replace")
                assert "capital-ledger" not in text and "Daily Safeer" not in text, path


def test_check_lists_drafts_left_out_and_reviewed_files_still_holding_drafts(seeds_copy):
    path = draft_sixth(seeds_copy)
    shown = f"warning: seeds/articles/{SIXTH_ID}.yml:"
    first = CliRunner().invoke(cli, ["check", "--seeds", str(seeds_copy), "--no-cache"])
    assert first.exit_code == 0, first.output
    assert (
        shown in first.output
        and "status: left out of the build: the file is still drafted" in first.output
    )
    draft = yaml.safe_load(path.read_text(encoding="utf-8"))
    proposals = len(draft["proposed_actors"])
    accept_proposals(
        seeds_copy, dict(draft)
    )  # the actors are known now, but the section stays in the file
    draft["status"] = "reviewed"
    path.write_text(yaml.safe_dump(draft, allow_unicode=True, sort_keys=False), encoding="utf-8")
    second = CliRunner().invoke(cli, ["check", "--seeds", str(seeds_copy), "--no-cache"])
    assert second.exit_code == 0, second.output
    assert (
        f"citations: the file is marked reviewed but {len(draft['citations'])} of its citations are still `status: drafted`"
        in second.output
    )
    assert (
        f"proposed_actors: the file is marked reviewed but still holds {proposals} proposed actors"
        in second.output
    )
    assert "left out of the build: the file is still drafted" not in second.output


# --- a text that repeats a corpus article (issue 13) ----------------------------------------
# Radio Pakistan's report of the Foreign Office statement (28 June 2021) and Daily Pakistan's
# of the next day, which carries most of it: two real texts of the corpus.
RADIO, DAILY = "radio-pakistan-2021-06-28", "daily-pakistan-2021-06-29"


def test_a_draft_names_the_corpus_article_its_text_repeats_with_spans_and_score(tables):
    texts = {a["article_id"]: a["text"] for a in tables["articles"]}
    knowledge = knowledge_from_tables(tables)
    for text_id, other_id, verdict in (
        (RADIO, DAILY, "repeats"),
        (DAILY, RADIO, "shares passages"),
    ):
        text, other = texts[text_id], texts[other_id]
        _, record, warnings = draft_record(
            text, "texts/new.txt", knowledge, corpus=[(other_id, other)]
        )
        [entry] = record["repeats"]
        assert entry["article"] == other_id and entry["verdict"] == verdict
        assert (entry["coverage"] >= 0.5) == (verdict == "repeats") and 0 < entry["coverage"] <= 1
        for passage in entry["passages"]:
            assert text[passage["start"] : passage["end"]] == passage["quote"]
            words, other_words = (
                re.findall(r"\w+", span.lower())
                for span in (passage["quote"], other[passage["other_start"] : passage["other_end"]])
            )
            assert (words[0], words[-1]) == (other_words[0], other_words[-1])  # aligned spans
            assert 0.5 <= passage["similarity"] <= 1
        assert ("repeats", repeat_message(entry)) in warnings
    _, alone, _ = draft_record(texts[RADIO], "texts/new.txt", knowledge)
    assert "repeats" not in alone  # no corpus given, nothing said


def test_drafting_a_copy_of_a_corpus_text_warns_and_check_shows_it(seeds_copy):
    """The draft command searches the corpus, its draft passes the check, and the check
    repeats what the draft found; the article's own text is not a repeat of itself."""
    radio = next(
        parse_yaml(p.read_text(encoding="utf-8"), p.name)["text"]
        for p in (seeds_copy / "articles").glob(f"{RADIO}.yml")
    )
    copy = seeds_copy / "texts" / "990_copy.txt"
    shutil.copy(seeds_copy / radio, copy)
    output = seeds_copy / "articles" / "copy.yml"
    result = CliRunner().invoke(
        cli, ["draft", str(copy), "--seeds", str(seeds_copy), "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert f"repeats: the text repeats corpus article {RADIO}: 100% of its words" in result.output
    assert f"repeats: the text repeats corpus article {DAILY}: " in result.output
    draft = yaml.safe_load(output.read_text(encoding="utf-8"))
    assert [(e["article"], e["verdict"]) for e in draft["repeats"]][:2] == [
        (RADIO, "repeats"),
        (DAILY, "repeats"),
    ]
    assert draft["repeats"][0]["coverage"] == 1.0
    assert "# - `repeats` names the corpus articles" in output.read_text(encoding="utf-8")
    checked = CliRunner().invoke(cli, ["check", "--seeds", str(seeds_copy), "--no-cache"])
    assert checked.exit_code == 0, checked.output
    assert f"repeats: the text repeats corpus article {RADIO}" in checked.output
    again = CliRunner().invoke(
        cli,
        [
            "draft",
            str(seeds_copy / radio),
            "--seeds",
            str(seeds_copy),
            "--output",
            str(output),
            "--force",
        ],
    )
    assert again.exit_code == 0, again.output
    assert f"corpus article {RADIO}:" not in again.output and DAILY in again.output


# --- reports of other stories ------------------------------------------------------------
# Passages written for these tests about made-up stories (tests/fixtures/other/): the rules
# must read English, not our reports. Never in seeds/ or data/.

OTHER = Path(__file__).resolve().parent / "fixtures" / "other"


@pytest.fixture(scope="module")
def other_drafts(tables):
    knowledge = knowledge_from_tables(tables)
    return {
        path.stem: (
            path.read_text(encoding="utf-8"),
            extract(path.read_text(encoding="utf-8"), knowledge),
        )
        for path in sorted(OTHER.glob("*.txt"))
    }


def _credits(items, kind="citation", key="source"):
    return {(i.quote, i.fields[key]) for i in items if i.kind == kind}


def test_speakers_are_the_subjects_of_reporting_verbs_in_other_stories(other_drafts):
    _, items = other_drafts["defence-trip"]
    credits = _credits(items)
    assert ("ministry spokesperson Maria Keller told", "maria-keller") in credits
    assert ("She said", "maria-keller") in credits  # a pronoun: the last person credited
    assert ("According to the Daily Herald", "daily-herald") in credits
    assert (
        "The newspaper cited two unnamed diplomats",
        "two-unnamed-diplomats",
    ) in credits  # cite: the object
    assert ("The report added", "daily-herald") in credits  # "the report": the last outlet credited
    # "X, speaking to Y, said": X, not the outlet named nearer the verb; then "he" is X
    assert ("Opposition leader Hans Brauer, speaking to Radio Nord, said", "hans-brauer") in credits
    assert ("he said", "hans-brauer") in credits
    assert (
        "Riedel himself dismissed",
        "tomas-riedel",
    ) in credits  # a surname: the person named in full before (the cue: not what is denied)
    _, items = other_drafts["club-chairman"]
    credits = _credits(items)
    assert ("The paper said", "coastal-gazette") in credits and (
        "His lawyer, Ruth Adams, said",
        "ruth-adams",
    ) in credits


def test_denials_without_a_denial_verb_in_other_stories(other_drafts):
    text, items = other_drafts["defence-trip"]
    denials = {(i.quote.split(",")[0], i.fields["denier"]) for i in items if i.kind == "denial"}
    assert (
        '"No such trip has taken place',
        "maria-keller",
    ) in denials  # "No such ..." in the speaker's words
    assert any(
        q.startswith('Riedel himself dismissed the story. "I have never been')
        and d == "tomas-riedel"
        for q, d in {(i.quote, i.fields["denier"]) for i in items if i.kind == "denial"}
    )  # the verb and the quote after it: one denial
    text, items = other_drafts["club-chairman"]
    assert (
        "It is a completely false story, a club director told the BBC",
        "club-director",
    ) in _credits(items, "denial", "denier")
    # a denial about another story is linked to no claim of ours: the draft proposes one
    assert all(i.fields["claim"] is None for i in items if i.kind == "denial")


def test_proposed_actors_are_typed_and_places_are_not_actors(other_drafts):
    _, items = other_drafts["defence-trip"]
    kinds = {
        i.fields["actor"]: i.fields["proposed_kind"]
        for i in items
        if i.kind == "actor_mention" and "proposed_kind" in i.fields
    }
    assert (
        kinds["maria-keller"] == "person"
        and kinds["daily-herald"] == "outlet"
        and kinds["radio-nord"] == "outlet"
    )
    assert kinds["ministry-of-defence"] == "government" and kinds["hans-brauer"] == "person"
    assert "moscow" not in kinds  # a place: not proposed, never a source


# --- metadata -----------------------------------------------------------------------------

from build.extractor.draft import (  # noqa: E402 - the metadata tests' own imports
    date_from_url,
    find_metadata,
    outlet_from_site,
    read_sidecar,
    url_site,
)  # noqa: E402

BODY = "The council said on Monday that the bridge would reopen next week, after repairs that took a month.\n"


@pytest.mark.parametrize(
    "text, published, evidence",
    [
        (
            "Bridge to reopen\nJune 28, 2021\n\n" + BODY,
            "2021-06-28",
            "June 28, 2021",
        ),  # a date on its own line
        ("Bridge to reopen\n28 June 2021\n" + BODY, "2021-06-28", "28 June 2021"),
        ("Bridge to reopen\nUpdated 29 June 2021\n" + BODY, "2021-06-29", "Updated 29 June 2021"),
        (
            "Bridge to reopen\nPublished: 14:10 PKT, July 2nd 2021\n" + BODY,
            "2021-07-02T14:10+05:00",
            "Published: 14:10 PKT, July 2nd 2021",
        ),
        (" date 2021-06-29 " + BODY, "2021-06-29", "date 2021-06-29"),
    ],
)
def test_dates_the_text_states(text, published, evidence):
    fields, _ = find_metadata(text)
    assert (fields["published"], fields["date_basis"], fields["date_evidence"]) == (
        published,
        "stated",
        evidence,
    )


def test_a_dateline_and_a_date_line_are_not_the_title():
    assert (
        find_metadata("Bridge to reopen\nJune 28, 2021\n" + BODY)[0]["title"] == "Bridge to reopen"
    )
    fields, _ = find_metadata("HARBOUR CITY – " + BODY)
    assert fields["title"].startswith("The council said") and fields["title_basis"] == "supplied"
    fields, _ = find_metadata(
        "HARBOUR CITY – " + BODY, meta={"title": "Bridge to reopen next week"}
    )
    assert (fields["title"], fields["title_basis"]) == ("Bridge to reopen next week", "supplied")


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://www.example-news.com/2020/12/15/bridge-to-reopen/", ("2020-12-15", "day")),
        ("https://en.example.com.pk/19-Dec-2020/bridge-to-reopen", ("2020-12-19", "day")),
        ("http://radio.example.pk/28-06-2021/bridge-to-reopen", ("2021-06-28", "day")),
        ("https://example.org/news/2021/07/bridge", ("2021-07", "month")),
        ("https://example.org/news/1631979/bridge", None),
    ],
)
def test_dates_in_urls(url, expected):
    found = date_from_url(url)
    assert (found[:2] if found else None) == expected


def test_the_outlet_from_the_text_and_from_the_url(tables):
    knowledge = knowledge_from_tables(tables)
    assert (
        url_site("https://en.dailypakistan.com.pk/19-Dec-2020/x") == "dailypakistan"
        and url_site("https://www.dawn.com/news/1") == "dawn"
    )
    assert outlet_from_site("hindustantimes", knowledge) == "hindustan-times"  # run together
    assert outlet_from_site("middleeastmonitor", knowledge) == "middle-east-monitor"
    assert (
        outlet_from_site("memonitor", knowledge) == "middle-east-monitor"
    )  # leading words as initials
    fields, _ = find_metadata("The Harbour Times can reveal that the bridge will reopen. " + BODY)
    assert (fields["outlet"], fields["outlet_basis"], fields["outlet_evidence"]) == (
        "harbour-times",
        "stated",
        "The Harbour Times can reveal",
    )
    fields, _ = find_metadata(
        "Bridge to reopen\n\nby Coastal Gazette / Wire.org\n\nCoastal Gazette has learned that the bridge will reopen. "
        + BODY,
        url="https://www.harbourpost.com/2021/06/28/bridge/",
        knowledge=knowledge,
    )
    # republished: the byline names the outlet that speaks; the page's site is the outlet
    assert (
        fields["outlet"] == "harbourpost"
        and fields["byline"] == "Coastal Gazette / Wire.org"
        and fields["published"] == "2021-06-28"
    )
    assert fields["url"] == "https://www.harbourpost.com/2021/06/28/bridge/"


def test_a_sidecar_gives_the_url_and_draft_names_the_file(seeds_copy, tmp_path):
    text = seeds_copy / "texts" / "77_bridge.txt"
    text.write_text("HARBOUR CITY – " + BODY * 3, encoding="utf-8")
    (seeds_copy / "texts" / "77.meta").write_text(
        "url: https://www.harbourpost.com/2021/06/28/bridge-to-reopen/\ntitle: Bridge: to reopen\ndate: 2021-06-28\n",
        encoding="utf-8",
    )
    assert read_sidecar(seeds_copy / "texts" / "77.meta")["title"] == "Bridge: to reopen"
    result = CliRunner().invoke(cli, ["draft", str(text), "--seeds", str(seeds_copy)])
    assert result.exit_code == 0, result.output
    draft = yaml.safe_load(
        (seeds_copy / "articles" / "harbourpost-2021-06-28.yml").read_text(encoding="utf-8")
    )
    assert (
        draft["url"].startswith("https://www.harbourpost.com/")
        and draft["title"] == "Bridge: to reopen"
    )
    assert "harbourpost" in {a["id"] for a in draft["proposed_actors"]}


def test_a_spokesperson_denies_for_the_body_and_a_headline_credits_no_one(other_drafts):
    _, items = other_drafts["ministry-meeting"]
    denials = [i for i in items if i.kind == "denial"]
    assert [(d.fields["denier"], d.quote.split(".")[0]) for d in denials] == [
        (
            "interior-ministry",
            "Interior Ministry spokesman Omar Haddad rejected the claims on Sunday",
        )
    ]
    assert (
        '"No such meeting took place' in denials[0].quote
    )  # his words that follow are the same denial
    credits = _credits(items)
    assert (
        "Interior Ministry spokesman Omar Haddad rejected the claims on Sunday",
        "omar-haddad",
    ) in credits  # the citation is his, with when he said it (as the curated citations do)
    assert not [
        c for c in credits if c[0].startswith("Rebel talks")
    ]  # "talks denied": no one speaks


# --- made-up stories with made-up knowledge (issue 13: each rule checked off the corpus) ----

from build.extractor.extract import Knowledge  # noqa: E402 - these tests' own import


def _health_knowledge():
    """Actors of a made-up story: a senator and two countries' health ministries."""
    return Knowledge(
        actors={
            "maria-lopez-garcia": {"kind": "person", "name": "Maria Lopez Garcia"},
            "chile-health-ministry": {"kind": "government", "name": "Ministry of Health of Chile"},
            "peru-health-ministry": {"kind": "government", "name": "Ministry of Health of Peru"},
        },
        aliases=[
            {"alias": "Lopez Garcia", "actor_id": "maria-lopez-garcia"},
            {"alias": "Chilean health ministry", "actor_id": "chile-health-ministry"},
            {"alias": "Peruvian health ministry", "actor_id": "peru-health-ministry"},
        ],
        claims={},
    )


HEALTH = (
    "The Chilean health ministry said on Tuesday that it had never paid a consultancy linked to "
    "the minister's brother.\n"
    "Senator Maria Lopez told reporters the payments should be investigated. The Ministry of "
    "Health rejected the report as baseless. A spokesperson added that this ministry has "
    "published every contract since 2019.\n"
    "In a statement, the ministry said the consultancy was chosen by open tender.\n"
)


def test_a_name_given_short_is_the_known_actor_whose_name_it_begins():
    items = extract(HEALTH, _health_knowledge())
    mentions = {(i.quote, i.fields["actor"]) for i in items if i.kind == "actor_mention"}
    assert ("Maria Lopez", "maria-lopez-garcia") in mentions  # not a new person
    # two ministries' names begin "Ministry of Health": the one the story has named
    assert ("Ministry of Health", "chile-health-ministry") in mentions
    alone = extract(HEALTH.split("\n", 1)[1], _health_knowledge())
    assert "chile-health-ministry" not in {
        i.fields["actor"] for i in alone if i.kind == "actor_mention"
    }  # neither named before: not guessed


def test_this_ministry_is_the_body_last_credited():
    items = extract(HEALTH, _health_knowledge())
    credits = _credits(items)
    assert (
        "this ministry has published every contract since 2019",
        "chile-health-ministry",
    ) in credits
    assert ("the ministry said", "chile-health-ministry") in credits
    assert [d.fields["denier"] for d in items if d.kind == "denial"] == ["chile-health-ministry"]


MERGER = """Merger talks stall

by Harbour Post / Wire.org

Although bound by a court order not to name the buyer, we can report that the bid was worth two billion dollars.
The Coastal Gazette reported the talks on Monday. Another report said the buyer had walked away.
Many on the trading floor speculated that the bid had been withdrawn. "The figures were never agreed," the analysts pointed out. A rival chairman has insinuated that the board misled its shareholders. The Coastal Gazette can reveal that the board met twice.
"""


def test_first_person_quantifiers_and_more_reporting_verbs_in_a_made_up_story():
    items = extract(MERGER, Knowledge(actors={}, aliases=[], claims={}))
    credits = _credits(items)
    names = {i.quote for i in items if i.kind == "actor_mention"}
    assert {"Harbour Post", "Wire.org"} <= names  # a slash parts two names
    assert ("we can report", "harbour-post") in credits  # the byline's outlet speaks as "we"
    assert ("Another report said", "coastal-gazette") not in credits  # another: not the last
    assert any(q == "Many on the trading floor speculated" for q, _ in credits)
    assert any(q == "the analysts pointed out" for q, _ in credits)
    assert ("A rival chairman has insinuated", "rival-chairman") in credits
    assert not [q for q, _ in credits if "can reveal" in q]  # the paper of itself: a hedge still


BRIBERY = """Finance Minister Elena Varga dismissed the allegations on Friday, saying that she had never met the contractor. The allegation had been attributed to a source in the tax office. The story first appeared in a report in the Evening Standard alleging that cash changed hands. A report in March said nothing of it.
The Daily Courier and other local newspapers reported that the contractor had been questioned. A firm rejection was also issued by the Green Party. This is the third time that Varga has denied such reports. She took to Twitter to deny the claims. The contractor was pressuring officials, accusing them of delays.
"""


def test_clauses_that_go_on_with_a_speech_and_works_that_name_their_source():
    items = extract(BRIBERY, Knowledge(actors={}, aliases=[], claims={}))
    credits = _credits(items)
    # a participle going on with a reporting or denial verb is the same speaker's
    assert ("saying that she had never met the contractor", "elena-varga") in credits
    assert not [q for q, _ in credits if q.startswith("accusing")]  # "pressuring": no speech
    assert (
        "The allegation had been attributed to a source in the tax office",
        "source-in-the-tax-office",
    ) in credits
    assert ("in a report in the Evening Standard alleging", "evening-standard") in credits
    assert not [q for q, _ in credits if q.startswith("in March")]  # a date is not an outlet
    # each subject joined by "and" is credited
    assert ("other local newspapers reported", "other-local-newspapers") in credits
    assert ("A firm rejection was also issued by the Green Party", "green-party") in credits
    assert not [q for q, _ in credits if "third time" in q or q.startswith("Varga has")]
    assert ("She took to Twitter to deny", "elena-varga") in credits  # a purpose clause


STEEL = """Two senior executives of Norvik Steel have denied reports that the company is in merger talks with Balder Metals.
"There is no truth in it," chief financial officer Jonas Berg told the Harbour Post.
Chief executive Lisa Holm said the story was false.
Later, union leader Per Dahl said the claims were nonsense.
But people close to the talks confirmed that, contrary to the reports, the two boards have never met.
"""


def test_a_counted_group_s_denial_takes_in_its_members_words_and_contrary_to_the_reports():
    denials = [
        i for i in extract(STEEL, Knowledge(actors={}, aliases=[], claims={})) if i.kind == "denial"
    ]
    first = denials[0]
    assert first.quote.startswith("Two senior executives of Norvik Steel have denied reports")
    # "two" executives: the next two speakers' own words are its grounds ("no truth in it")
    assert [g["quote"].split(",")[0] for g in first.fields["grounds"]] == [
        '"There is no truth in it',
        "Chief executive Lisa Holm said the story was false",
    ]
    # a third speaker is not one of the two: a denial of his own
    assert denials[1].quote == "Later, union leader Per Dahl said the claims were nonsense"
    assert denials[2].fields["denier"] == "people-close-to-the-talks"
    assert "contrary to the reports" in denials[2].quote
    assert len(denials) == 3


RAIL = """Transport Minister Ana Ruiz has rejected reports that she accepted a bribe from a rail contractor.
“I am saddened to read these stories. Let me be clear that I have never met anyone from the company,” Ana Ruiz wrote on Twitter.
Union leader Marta Gil also rejected the claims.
“We are shocked by these claims. We have not been consulted about any contract,” the union's treasurer Pablo Sanz said.
"""


def test_a_denial_takes_in_the_quotation_of_the_denier_that_follows_it():
    denials = [
        i for i in extract(RAIL, Knowledge(actors={}, aliases=[], claims={})) if i.kind == "denial"
    ]
    first = denials[0]
    assert first.fields["denier"] == "ana-ruiz"
    assert first.quote.startswith("Transport Minister Ana Ruiz has rejected reports")
    assert "I have never met anyone from the company" in first.quote  # her words, one denial
    # another speaker's quotation after another denial is not that denial's
    assert not any("Pablo Sanz" in d.quote and d.fields["denier"] != "pablo-sanz" for d in denials)


TENDER = """MADRID – The rail contract was reportedly awarded without a public tender, according to the Evening Standard, which cited two officials.
However, the tender rules were reportedly changed in March. The minister reportedly met the contractor twice.
Ana Ruiz told the Harbour Post last week that the minister acted lawfully. She denied that she had accepted a bribe from the contractor. "It is a complete fabrication," she said.
The newspaper quoted an official in Madrid. The claim had been attributed to a "senior official".
"""


def _tender_knowledge():
    claims = {
        "ruiz-took-bribe": "Transport Minister Ana Ruiz accepted a bribe from a rail contractor.",
        "no-tender": "The rail contract was awarded without a public tender.",
    }
    return Knowledge(
        actors={},
        aliases=[],
        claims=claims,
        claim_kinds=dict.fromkeys(claims, "allegation"),
        # another report's denial of the claim, as the corpus would hold it
        denial_quotes={
            "ruiz-took-bribe": ["Ruiz denied that she had accepted a bribe from the contractor"]
        },
    )


def test_statements_are_quoted_without_their_framing_in_a_made_up_story():
    items = extract(TENDER, _tender_knowledge())
    mentions = {i.quote: i.fields["claim"] for i in items if i.kind == "mention"}
    # no dateline, no closing "according to X"; no opening "However,"; a whole sentence
    # with its full stop
    assert (
        mentions["The rail contract was reportedly awarded without a public tender"] == "no-tender"
    )
    assert "the tender rules were reportedly changed in March" in mentions
    assert "The minister reportedly met the contractor twice." in mentions
    # the words of a denial that are like no claim dispute the claim it denies
    assert mentions["It is a complete fabrication"] == "ruiz-took-bribe"
    assert mentions["the minister acted lawfully"] is None  # not in a denial: a new claim
    credits = {q for q, _ in _credits(items)}
    assert "Ana Ruiz told the Harbour Post last week" in credits  # whom and when
    assert "The newspaper quoted an official in Madrid" in credits
    assert 'The claim had been attributed to a "senior official"' in credits  # quote closed


def test_an_unnamed_outlet_of_a_nation_is_the_one_of_that_nation_the_text_names():
    knowledge = Knowledge(
        actors={
            "spain": {"kind": "country", "name": "Spain"},
            "france": {"kind": "country", "name": "France"},
            "el-diario": {
                "kind": "outlet",
                "name": "El Diario",
                "country": "spain",
                "description": "Spanish daily newspaper.",
            },
            "le-monde": {"kind": "outlet", "name": "Le Monde", "country": "france"},
        },
        aliases=[
            {"alias": "El Diario", "actor_id": "el-diario"},
            {"alias": "Le Monde", "actor_id": "le-monde"},
        ],
        claims={},
    )
    text = (
        "According to a Spanish newspaper, the minister resigned on Friday. El Diario later "
        "published the documents, and other Spanish outlets reported the story. A French "
        "paper said the talks had failed.\n"
    )
    credits = _credits(extract(text, knowledge))
    assert ("According to a Spanish newspaper", "el-diario") in credits  # named later
    assert ("other Spanish outlets reported the story", "el-diario") not in credits  # "other"
    assert ("A French paper said", "le-monde") not in credits  # Le Monde is not in the text


BRIDGE = """Speaking to Radio Nord, Mayor Lena Frisk acknowledged that the bridge had failed its inspection.
Referring to newspapers that reported the inspection, she said the city would publish it.
"There is nothing to hide," Frisk said during an interview with Radio Nord, where she stressed that repairs had begun.
The company has rejected the reports. Its chairman dismissed the claims on Monday.
"""


def test_citation_quotes_are_the_cue_with_its_speaker_in_a_made_up_story():
    quotes = {q for q, _ in _credits(extract(BRIDGE, Knowledge(actors={}, aliases=[], claims={})))}
    # an opening participle that leads to the verb is part of it, unless it cites itself
    assert "Speaking to Radio Nord, Mayor Lena Frisk acknowledged" in quotes
    assert {"newspapers that reported the inspection", "she said"} <= quotes
    # the medium, but not a clause hung on it, which credits again
    assert {"Frisk said during an interview with Radio Nord", "she stressed"} <= quotes
    # a denial verb's object is not the cue, unless when it was said follows
    assert "The company has rejected" in quotes
    assert "Its chairman dismissed the claims on Monday" in quotes


def test_a_claim_s_curated_words_found_in_a_text_are_its_mention():
    claims = {
        "met-contractor": "Minister Ana Ruiz met the rail contractor twice.",
        "no-tender": "The rail contract was awarded without a public tender.",
    }
    knowledge = Knowledge(
        actors={},
        aliases=[],
        claims=claims,
        claim_kinds=dict.fromkeys(claims, "allegation"),
        claim_quotes={"met-contractor": ["the minister met the contractor twice in March"]},
    )
    text = (
        "The Evening Standard reported that the minister met the contractor twice in March, "
        "weeks before the deal was signed.\n"
    )
    mentions = [i for i in extract(text, knowledge) if i.kind == "mention"]
    assert [(m.quote, m.fields["claim"], m.fields["stance"]) for m in mentions] == [
        ("the minister met the contractor twice in March", "met-contractor", "reports")
    ]  # in the curated words, and instead of the clause that holds them
    # Two curated quotes of the claim found in one place are one mention, in the longer.
    knowledge.claim_quotes["met-contractor"].insert(0, "met the contractor twice in March")
    mentions = [i for i in extract(text, knowledge) if i.kind == "mention"]
    assert [m.quote for m in mentions] == ["the minister met the contractor twice in March"]


def test_statements_of_other_stories_link_to_none_of_our_claims(other_drafts):
    """With the corpus as knowledge, a made-up story's statements (a minister's trip to
    Moscow, a club chairman, an interior ministry) are about none of our claims: each
    proposes a new one, the words of its denials too."""
    for name, (_, items) in other_drafts.items():
        linked = [(i.quote, i.fields["claim"]) for i in items if i.kind == "mention"]
        assert linked and all(claim is None for _, claim in linked), (name, linked)


def test_a_definite_description_is_the_person_the_text_names_who_is_so_described():
    knowledge = Knowledge(
        actors={
            "jonas-berg": {
                "kind": "person",
                "name": "Jonas Berg",
                "description": "Norwegian shipping businessman and former minister.",
            }
        },
        aliases=[{"alias": "Jonas Berg", "actor_id": "jonas-berg"}],
        claims={},
    )
    text = (
        "Jonas Berg was named in the leaked files. The Norwegian businessman denied the claims "
        "on Tuesday. The Swedish businessman said nothing.\n"
    )
    credits = _credits(extract(text, knowledge))
    assert ("The Norwegian businessman denied the claims on Tuesday", "jonas-berg") in credits
    assert ("The Swedish businessman said", "jonas-berg") not in credits  # not so described


def test_a_frame_is_not_part_of_the_statement_it_introduces():
    text = (
        "It is understood that the contract was reportedly signed in secret.\n"
        "The point is that the deal was reportedly never approved.\n"
    )
    quotes = [
        i.quote
        for i in extract(text, Knowledge(actors={}, aliases=[], claims={}))
        if i.kind == "mention"
    ]
    assert quotes == [
        "the contract was reportedly signed in secret",  # a passive frame
        "the deal was reportedly never approved",
    ]


def test_a_document_speaks_for_its_author():
    text = (
        "The Harbour Post has apologised for its story, in a letter from the Harbour Post to "
        "the minister.\n"
        '"We regret the error," the letter read, adding that the story had been removed. The '
        "minister read the letter twice.\n"
        '"We accept your complaint," concluded the letter.\n'
    )
    credits = _credits(extract(text, Knowledge(actors={}, aliases=[], claims={})))
    assert {
        ("The Harbour Post has apologised", "harbour-post"),  # an apology is a speech act
        ("the letter read", "harbour-post"),
        ("adding that the story had been removed", "harbour-post"),
        ("concluded the letter", "harbour-post"),
    } <= credits
    assert not [q for q, _ in credits if "minister read" in q]  # a person reading: no credit


def _quotes(text, kind):
    """The quotes of the items of one kind drafted from a made-up text knowing nothing."""
    items = extract(text, Knowledge(actors={}, aliases=[], claims={}))
    return [i.quote for i in items if i.kind == kind]


def test_a_statement_of_two_verbs_joined_by_and_is_its_first_verb_s_claim():
    text = (
        "A senior harbour official reportedly flew to Lisbon and signed a secret dredging deal "
        "with the port authority.\n"
        "Union leaders said that the mayor had met the developers in Porto and approved the "
        "tower.\n"
        "Marta Vale said that it was and is plainly unsafe to cross the old bridge.\n"
    )
    assert _quotes(text, "mention") == [
        "A senior harbour official reportedly flew to Lisbon",
        "the mayor had met the developers in Porto",  # in a reported clause too
        "it was and is plainly unsafe to cross the old bridge",  # "was" has nothing of its own
    ]


def test_a_reported_clause_ends_before_a_participle_after_a_comma():
    text = "Marta Vale said that the tender was rigged, sparking protests outside the council.\n"
    assert _quotes(text, "mention") == ["the tender was rigged"]


def test_an_opening_phrase_ends_at_its_comma_and_a_described_speaker_is_quoted_from_the_name():
    text = (
        "In a report from the Valley Courier, Anna Lund, the mayor of Eastport, bought three "
        "farms near the airport last spring.\n"
        "A Danish weekly, the Harbour Herald, reported that the dredging deal had collapsed.\n"
    )
    quotes = _quotes(text, "citation")
    assert "In a report from the Valley Courier" in quotes
    assert "the Harbour Herald, reported" in quotes


def test_a_speaker_described_before_the_name_without_an_article_is_quoted_from_the_name():
    """A bare role before the name ("Former special adviser to the mayor on harbour affairs,
    Anna Lund, ...") only introduces the speaker, as "a ..." does; its citation and its denial
    are quoted from the name. A relation ("His lawyer, Ruth Adams, said") stays."""
    text = (
        "Former special adviser to the mayor on harbour affairs, Anna Lund, on Friday once "
        "again denied reports that she had sold the dredging contract.\n"
        "His lawyer, Ruth Adams, said her client would sue the newspaper.\n"
    )
    assert "Anna Lund, on Friday once again denied" in _quotes(text, "citation")
    assert any(q.startswith("Anna Lund, on Friday") for q in _quotes(text, "denial"))
    assert "His lawyer, Ruth Adams, said" in _quotes(text, "citation")


def test_a_source_line_names_the_outlet_and_a_byline_states_no_claim():
    """ "Source: X" names the text's own outlet: crediting it would loop from the outlet to
    itself (AUDIT E4), and "we" is X. A byline credits who wrote, and states nothing."""
    text = (
        "by Harbour Herald / Coast Wire\n"
        "The Harbour Herald reported that the dredging deal had collapsed.\n"
        "We can report that the mayor knew of it, the paper said.\n"
        "Source: Valley Courier\n"
    )
    items = extract(text, Knowledge(actors={}, aliases=[], claims={}))
    credited = [(i.quote, i.fields["source"]) for i in items if i.kind == "citation"]
    assert ("by Harbour Herald", "harbour-herald") in credited
    assert ("We can report", "valley-courier") in credited
    assert not any("Source:" in quote for quote, _ in credited)
    statements = [i.quote for i in items if i.kind == "mention"]
    assert "the dredging deal had collapsed" in statements
    assert not any("Coast Wire" in quote for quote in statements)


def test_a_report_the_text_names_no_one_for_is_credited_to_no_one():
    """ "another report said", "a news report claimed": a work no one is named for leaves its
    source out (as seeds/README.md writes it), where "an Italian media report" and "a report
    by the Valley Courier" are someone's, and the draft proposes no actor called "report"."""
    text = (
        "The Valley Courier reported that the dredging deal had collapsed.\n"
        "Another report said that the mayor knew of it.\n"
        "A news report claimed that the contract was signed in March.\n"
        "A report by the Harbour Herald said that the port would close.\n"
    )
    knowledge = Knowledge(actors={}, aliases=[], claims={})
    credited = {
        i.quote: i.fields["source"] for i in extract(text, knowledge) if i.kind == "citation"
    }
    assert credited["Another report said"] is None
    assert credited["A news report claimed"] is None
    assert credited["The Valley Courier reported"] == "valley-courier"
    assert any(source == "harbour-herald" for source in credited.values())
    _, record, _ = draft_record(text, "texts/new.txt", knowledge)
    unnamed = [c for c in record["citations"] if c["quote"] == "Another report said"]
    assert unnamed and "source" not in unnamed[0] and unnamed[0]["medium"] == "report"
    assert not any(
        "report" == a["id"] or "news-report" == a["id"] for a in record["proposed_actors"]
    )


def test_a_title_parsed_apart_from_the_name_is_quoted_and_a_predicate_is_not():
    """ "PM Ravi Mehta admitting": the title starts the speaker's quote though the parser
    ends a sentence before the name; "He termed it an attempt to ...": what the object is
    called is what is said, and the cue is "He termed it"."""
    knowledge = Knowledge(
        actors={"ravi-mehta": {"kind": "person", "name": "Ravi Mehta"}},
        aliases=[{"alias": "Ravi Mehta", "actor_id": "ravi-mehta"}],
        claims={},
    )
    text = (
        "Anna Lund ruled out Sweden, which many had expected following PM Ravi Mehta admitting "
        "that neighbours had been pressing Oslo.\n"
        "Councillor Peter Holm told the Valley Courier that the vote was unfair. He termed it an "
        "attempt to create chaos in the harbour and malign the council.\n"
    )
    quotes = [i.quote for i in extract(text, knowledge) if i.kind == "citation"]
    assert "PM Ravi Mehta admitting" in quotes
    assert "He termed it" in quotes


def test_a_sentence_the_parser_cut_before_its_closing_name_is_one_and_ends_with_it():
    """The small model sometimes ends a sentence before the name that closes it ("... on
    Overseas Pakistanis | Syed Zulfiqar Bukhari to Israel."): a parse built so here. The
    two parts are one sentence, and a quote that ends where the cut was runs on to the end
    of the words the parser left outside the tree."""
    from spacy.tokens import Doc

    from build.extractor.extract import Sentence, _cut_before_name, _past_loose_roots, pipeline

    words = "The office rejected reports about Adviser Anna Lund to Oslo .".split()
    doc = Doc(
        pipeline().vocab,
        words=words,
        spaces=[True] * 9 + [False, False],
        heads=[1, 2, 2, 2, 3, 4, 7, 7, 7, 8, 7],
        deps="det nsubj ROOT dobj prep pobj compound ROOT prep pobj punct".split(),
        pos="DET NOUN VERB NOUN ADP PROPN PROPN PROPN ADP PROPN PUNCT".split(),
        sent_starts=[True] + [False] * 5 + [True] + [False] * 4,
    )
    first, rest = doc.sents
    assert _cut_before_name(first, rest)
    assert not _cut_before_name(doc[0:3], doc[3:5])  # "reports about": no name opens it
    sentence = Sentence(0, len(doc.text), doc[:], 0)
    cut = len("The office rejected reports about Adviser")
    assert doc.text[: _past_loose_roots(doc.text, sentence, cut)] == (
        "The office rejected reports about Adviser Anna Lund to Oslo"
    )


def test_a_work_s_citation_runs_from_the_work_to_what_it_says_without_a_preposition():
    """ "with a report in X alleging that ...": the quote is "a report in X alleging", the
    work with the participle that says what it reports, not the "with" the sentence hangs
    it on; an opening "In a statement issued by X" keeps its "In"."""
    text = (
        "The row began this week with a report in the Harbour Herald alleging that the mayor "
        "had sold the port.\n"
        "This was followed by further articles in the Valley Times saying that the sale was "
        "signed in March.\n"
        "In a statement issued by the Port Authority, the board denied any sale.\n"
    )
    quotes = _quotes(text, "citation")
    assert "a report in the Harbour Herald alleging" in quotes
    assert "further articles in the Valley Times saying" in quotes
    assert "In a statement issued by the Port Authority" in quotes


def test_an_acronym_told_is_the_addressee_though_tagged_a_noun():
    """ "Holm told the HP that ...": an addressee the tagger calls a common noun, being all
    capitals, is still a name, and the cue is "told the HP"; "told reporters that" stays
    "told". Hand-built parses: the tagging varies with the sentence."""
    from spacy.tokens import Doc

    from build.extractor.extract import Sentence, _cue_end, _said_end, pipeline

    def said(words, heads, deps, pos):
        doc = Doc(
            pipeline().vocab,
            words=words,
            spaces=[True] * (len(words) - 2) + [False, False],
            heads=heads,
            deps=deps.split(),
            pos=pos.split(),
            lemmas=[w.lower() if w != "told" else "tell" for w in words],
        )
        sentence, verb = Sentence(0, len(doc.text), doc[:], 0), doc[1]
        return doc.text[: _said_end(doc.text, sentence, verb, _cue_end(sentence, verb))]

    assert (
        said(
            "Holm told the HP that it failed .".split(),
            [1, 1, 3, 1, 6, 6, 1, 1],
            "nsubj ROOT det dobj mark nsubj ccomp punct",
            "PROPN VERB DET NOUN SCONJ PRON VERB PUNCT",
        )
        == "Holm told the HP"
    )
    assert (
        said(
            "Holm told reporters that it failed .".split(),
            [1, 1, 1, 5, 5, 1, 1],
            "nsubj ROOT dobj mark nsubj ccomp punct",
            "PROPN VERB NOUN SCONJ PRON VERB PUNCT",
        )
        == "Holm told"
    )


def test_a_denial_is_quoted_without_an_opening_but_and_a_closing_bare_participle():
    text = (
        "The ministry was accused of hiding the audit. But the ministry denied the claims on "
        "Friday.\n"
        "Mr Lund took to Twitter to deny the reports, writing:\n"
        "“A story made up from start to finish.”\n"
    )
    assert "the ministry denied the claims on Friday" in _quotes(text, "denial")
    assert "Mr Lund took to Twitter to deny the reports" in _quotes(text, "mention")


def test_an_opening_participle_with_what_it_disputes_leads_to_the_speaker_s_verb():
    text = (
        "Dismissing the claims, Anna Lund said the tender had been fair.\n"
        "Referring to the Valley Courier's report, Marta Vale said the farms were sold.\n"
    )
    quotes = _quotes(text, "citation")
    assert "Dismissing the claims, Anna Lund said" in quotes
    assert "Marta Vale said" in quotes  # the report is a source of its own


def test_an_emphatic_reflexive_belongs_to_the_source_it_follows():
    text = (
        "Anna Lund was accused of rigging the tender. A categorical rejection was also issued "
        "today by Anna Lund herself.\n"
    )
    assert "A categorical rejection was also issued today by Anna Lund herself" in _quotes(
        text, "citation"
    )


def test_a_reported_clause_starts_after_its_own_opening_phrase():
    text = "Marta Vale said that according to the ledger, the farms had been sold in secret.\n"
    assert _quotes(text, "mention") == ["the farms had been sold in secret"]
