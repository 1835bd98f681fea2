"""The linked-data exports: data/claims.jsonld (schema.org) and data/citations.prov.json
(W3C PROV-JSON) hold every claim and citation, read back with their own tools, are
written by `provenance build` through the same scratch-folder swap as the CSVs, and are
served as downloads."""

import importlib.resources
import json
import warnings

import jsonschema
import prov
import pytest
from click.testing import CliRunner
from prov.model import ProvAgent, ProvAttribution, ProvDerivation, ProvDocument, ProvEntity, ProvInfluence, ProvWarning

from build import exports
from build.cli import cli
from build.problems import BuildError, Problem

MEMO = "middle-east-monitor-2020-12-18"
REPUBLIC = "republic-world-2020-12-20"
HT = "hindustan-times-2021-06-29"


def by(rows, key):
    return {row[key]: row for row in rows}


# --- schema.org JSON-LD ---------------------------------------------------------------


@pytest.fixture(scope="module")
def jsonld(built):
    return json.loads((built / exports.CLAIMS_JSONLD).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def claim_nodes(jsonld):
    return {node["identifier"]: node for node in jsonld["@graph"]}


def test_jsonld_has_the_schema_org_context_and_one_claim_per_claim(jsonld, claim_nodes, tables):
    assert jsonld["@context"] == "https://schema.org"
    assert set(jsonld) == {"@context", "@graph"}
    assert len(claim_nodes) == len(jsonld["@graph"])
    assert set(claim_nodes) == {c["claim_id"] for c in tables["claims"]}
    assert [n["identifier"] for n in jsonld["@graph"]] == sorted(claim_nodes)
    for claim in tables["claims"]:
        node = claim_nodes[claim["claim_id"]]
        assert node["@type"] == "Claim"
        assert node["@id"] == node["url"] == f"/provenance/claims/{claim['claim_id']}"
        assert node["text"] == claim["statement"]
        if claim["detail_of"]:
            assert node["isPartOf"]["@id"] == f"/provenance/claims/{claim['detail_of']}"


def test_jsonld_has_one_appearance_per_mention_quoting_it_in_its_article(claim_nodes, tables):
    mentions = by(tables["claim_mentions"], "mention_id")
    articles = by(tables["articles"], "article_id")
    actors = by(tables["actors"], "actor_id")
    seen = []
    for claim in tables["claims"]:
        appearances = claim_nodes[claim["claim_id"]].get("appearance", [])
        assert len(appearances) == claim["mention_count"], claim["claim_id"]
        for appearance in appearances:
            mention = mentions[appearance["identifier"]]
            article = articles[mention["article_id"]]
            assert mention["claim_id"] == claim["claim_id"]
            assert appearance["@type"] == "CreativeWork"
            assert appearance["@id"] == f"/provenance/claim_mentions/{mention['mention_id']}"
            assert appearance["text"] == mention["quote"] == article["text"][mention["quote_start"]:mention["quote_end"]]
            assert appearance["author"]["@id"] == f"/provenance/actors/{mention['voice_id']}"
            news = appearance["isPartOf"]
            assert news["@type"] == "NewsArticle"
            assert news["@id"] == f"/provenance/articles/{article['article_id']}"
            assert news["headline"] == article["title"]
            assert news["datePublished"] == article["published"]
            assert news["publisher"] == {
                "@id": f"/provenance/actors/{article['outlet_id']}",
                "@type": "NewsMediaOrganization",
                "name": actors[article["outlet_id"]]["name"],
            }
            assert ("citation" in appearance) == bool(mention["citation_id"])
            seen.append(mention["mention_id"])
    assert sorted(seen) == sorted(mentions)


def test_jsonld_first_appearance_is_in_the_first_reporting_article(claim_nodes, tables):
    mentions = by(tables["claim_mentions"], "mention_id")
    for claim in tables["claims"]:
        node = claim_nodes[claim["claim_id"]]
        if not claim["mention_count"]:
            assert "firstAppearance" not in node
            continue
        first = node["firstAppearance"]["@id"]
        assert first == node["appearance"][0]["@id"]
        mention = mentions[first.rsplit("/", 1)[1]]
        assert mention["article_id"] == claim["first_article_id"], claim["claim_id"]


def test_jsonld_cites_the_corpus_article_a_mention_rests_on(claim_nodes):
    node = claim_nodes["bukhari-visited-israel"]
    cited = {a["citation"].get("@id") for a in node["appearance"] if a["isPartOf"]["identifier"] == REPUBLIC and "citation" in a}
    assert f"/provenance/articles/{MEMO}" in cited


def test_jsonld_denials_are_claims_by_the_denier_about_the_claim(claim_nodes, tables):
    denials = by(tables["denials"], "denial_id")
    seen = []
    for claim in tables["claims"]:
        about_it = claim_nodes[claim["claim_id"]].get("@reverse", {}).get("about", [])
        assert len(about_it) == claim["denial_count"], claim["claim_id"]
        for node in about_it:
            denial = denials[node["identifier"]]
            assert denial["claim_id"] == claim["claim_id"]
            assert node["@type"] == "Claim"
            assert node["@id"] == f"/provenance/denials/{denial['denial_id']}"
            assert node["author"]["@id"] == f"/provenance/actors/{denial['denier_id']}"
            assert node.get("dateCreated") == denial["denied_on"]
            [appearance] = node["appearance"]
            assert appearance["text"] == denial["quote"]
            assert appearance["isPartOf"]["@id"] == f"/provenance/articles/{denial['article_id']}"
            seen.append(denial["denial_id"])
    assert sorted(seen) == sorted(denials)
    bukhari = claim_nodes["bukhari-visited-israel"]["@reverse"]["about"]
    assert {d["author"]["name"] for d in bukhari} == {"Zulfi Bukhari"}


# --- W3C PROV-JSON ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def prov_doc(built):
    """The PROV-JSON read back with prov, any warning (a construct prov means to reject) an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", ProvWarning)
        doc = prov.read(str(built / exports.CITATIONS_PROV), format="json")
    assert isinstance(doc, ProvDocument)
    return doc


def q(doc, local):
    return doc.valid_qualified_name(f"bukhari:{local}")


def relations(doc, kind):
    """{(from, to)} of every relation of a kind, as bukhari local names."""
    def local(name):
        return name.localpart if name is not None else None
    return {(local(r.args[0]), local(r.args[1])) for r in doc.get_records(kind)}


def test_prov_json_round_trips(prov_doc, built, tables):
    assert prov_doc == exports.citations_prov(tables)
    assert exports.prov_json_bytes(prov_doc) == (built / exports.CITATIONS_PROV).read_bytes()
    assert prov_doc == ProvDocument.deserialize(content=(built / exports.CITATIONS_PROV).read_text(encoding="utf-8"), format="json")


def test_prov_json_is_valid_against_the_prov_json_schema(built):
    schema_file = importlib.resources.files("prov") / "tests" / "schemas" / "prov-json.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    errors = list(validator(schema).iter_errors(json.loads((built / exports.CITATIONS_PROV).read_text(encoding="utf-8"))))
    assert not errors, "\n".join(str(e) for e in errors)


def test_prov_document_is_valid_prov_n_under_the_strict_grammar(prov_doc):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ProvWarning)
        again = ProvDocument.deserialize(content=prov_doc.get_provn(), format="provn", profile="strict")
    assert again == prov_doc


def test_prov_has_every_article_work_and_cited_actor(prov_doc, tables):
    entities = {r.identifier.localpart for r in prov_doc.get_records(ProvEntity)}
    agents = {r.identifier.localpart for r in prov_doc.get_records(ProvAgent)}
    assert {f"articles/{a['article_id']}" for a in tables["articles"]} <= entities
    works = {c["work"] for c in tables["citations"] if c["work"] and not c["cited_article_id"]}
    assert {f"works/{exports.work_slug(w)}" for w in works} == entities - {f"articles/{a['article_id']}" for a in tables["articles"]}
    expected = {a["outlet_id"] for a in tables["articles"]} | {c["source_id"] for c in tables["citations"]}
    assert agents == {f"actors/{actor}" for actor in expected}
    assert prov_doc.get_record(q(prov_doc, "actors/zulfi-bukhari"))[0].label == "Zulfi Bukhari"


def test_prov_attributes_each_article_to_its_outlet(prov_doc, tables):
    attributed = relations(prov_doc, ProvAttribution)
    for article in tables["articles"]:
        assert (f"articles/{article['article_id']}", f"actors/{article['outlet_id']}") in attributed
    assert (f"articles/{HT}", "actors/hindustan-times") in attributed
    assert ("works/nziv-report-december-2020", "actors/nziv") in attributed


def test_prov_has_one_relation_per_citation_with_its_quote(prov_doc, tables):
    citations = by(tables["citations"], "citation_id")
    records = {r.identifier.localpart: r for r in prov_doc.get_records((ProvDerivation, ProvInfluence))}
    assert set(records) == {f"citations/{key}" for key in citations}
    for key, citation in citations.items():
        record = records[f"citations/{key}"]
        assert record.label == citation["quote"]
        assert record.get_attribute(q(prov_doc, "quote")) == {citation["quote"]}
        assert record.get_attribute(q(prov_doc, "quote_start")) == {citation["quote_start"]}
        assert record.get_attribute(q(prov_doc, "quote_end")) == {citation["quote_end"]}
        assert record.get_attribute(q(prov_doc, "article")) == {q(prov_doc, f"articles/{citation['article_id']}")}
        assert record.get_attribute(q(prov_doc, "source")) == {q(prov_doc, f"actors/{citation['source_id']}")}
        if not citation["via_citation_id"]:
            assert record.args[0] == q(prov_doc, f"articles/{citation['article_id']}")
        if citation["cited_article_id"]:
            assert isinstance(record, ProvDerivation)
            assert record.args[1] == q(prov_doc, f"articles/{citation['cited_article_id']}")


def test_prov_traces_republic_world_to_middle_east_monitor_to_nziv(prov_doc):
    derived = relations(prov_doc, ProvDerivation)
    assert (f"articles/{REPUBLIC}", f"articles/{MEMO}") in derived
    # Republic World: "Middle East Monitor, which cited a Hebrew news website as its source"
    assert (f"articles/{MEMO}", "works/nziv-report-december-2020") in derived
    [via] = prov_doc.get_record(q(prov_doc, f"citations/{REPUBLIC}_hebrew-website"))
    assert via.get_attribute(q(prov_doc, "article")) == {q(prov_doc, f"articles/{REPUBLIC}")}
    # Middle East Monitor: Nziv "quoting Israeli political sources"
    assert ("works/nziv-report-december-2020", "actors/israeli-political-sources") in relations(prov_doc, ProvInfluence)


def test_exports_are_deterministic(tables):
    first = exports.export_bytes(tables)
    assert exports.export_bytes(tables) == first
    for data in first.values():
        json.loads(data, object_pairs_hook=keys_are_sorted)


def keys_are_sorted(pairs):
    keys = [key for key, _ in pairs]
    assert keys == sorted(keys)
    return dict(pairs)


def test_exports_put_one_record_on_each_line(tables):
    """Top-level nodes (JSON-LD) and records (PROV-JSON) one per line, so diffs show records."""
    jsonld = exports.export_bytes(tables)[exports.CLAIMS_JSONLD].decode("utf-8").splitlines()
    claims = [line.strip().rstrip(",") for line in jsonld if line.startswith('    {"@id": "/provenance/claims/')]
    assert len(claims) == len(tables["claims"])
    assert all(json.loads(line)["@type"] == "Claim" for line in claims)
    prov = json.loads(exports.export_bytes(tables)[exports.CITATIONS_PROV])
    prov_lines = exports.export_bytes(tables)[exports.CITATIONS_PROV].decode("utf-8").splitlines()
    records = sum(len(group) for key, group in prov.items() if key != "prefix")
    assert len(prov_lines) == 2 + sum(len(group) + 2 for group in prov.values())
    assert records > len(tables["citations"])


# --- the build -----------------------------------------------------------------------------


def snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_build_writes_the_exports_and_a_failed_build_leaves_them(tmp_path, seeds_copy, tables, monkeypatch):
    data = tmp_path / "data"
    result = CliRunner().invoke(cli, ["build", "--data", str(data)])
    assert result.exit_code == 0, result.output
    fresh = exports.export_bytes(tables)
    for name in exports.EXPORTS:
        assert (data / name).read_bytes() == fresh[name]
    before = snapshot(data)

    # bad seeds: stopped before anything is written
    claims = seeds_copy / "claims.yml"
    text = claims.read_text(encoding="utf-8")
    assert "- id: bukhari-visited-israel\n" in text, "fixture drifted"
    claims.write_text(text.replace("- id: bukhari-visited-israel\n", "- id: bukhari-visited-mars\n", 1), encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--seeds", str(seeds_copy), "--data", str(data)])
    assert result.exit_code == 1
    assert snapshot(data) == before

    # the exporter itself fails after writing part of its output into the scratch folder
    def half_written(tables, folder):
        (folder / exports.CLAIMS_JSONLD).write_text("{", encoding="utf-8")
        raise BuildError([Problem(exports.CITATIONS_PROV, None, "", "exporter failed")])

    monkeypatch.setattr("build.outputs.write_exports", half_written)
    result = CliRunner().invoke(cli, ["build", "--data", str(data)])
    assert result.exit_code == 1
    assert "exporter failed" in result.stderr
    assert snapshot(data) == before


# --- serving ---------------------------------------------------------------------------------


async def test_the_site_serves_the_exports(datasette, built):
    assert exports.download_paths() == {
        "claims.jsonld": "/exports/claims.jsonld",
        "citations.prov.json": "/exports/citations.prov.json",
    }
    types = {exports.CLAIMS_JSONLD: "application/ld+json", exports.CITATIONS_PROV: "application/json"}
    for name, path in exports.download_paths().items():
        response = await datasette.client.get(path)
        assert response.status_code == 200, path
        assert response.content == (built / name).read_bytes()
        assert response.headers["content-type"].split(";")[0] == types[name]


async def test_exports_are_linked_from_the_home_page(datasette):
    home = (await datasette.client.get("/")).text
    for path in exports.download_paths().values():
        assert f'href="{path}"' in home
