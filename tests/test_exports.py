"""The linked-data exports: data/claims.jsonld (schema.org) and data/citations.prov.json
(W3C PROV-JSON) hold every claim and citation, read back with their own tools, are
written by `provenance build` from the database it has just written, through the same
scratch-folder swap as the CSVs, and are served as downloads. Each is a layout and
parts (build/write/parts.py): an article's parts are made from its rows alone, so a rebuild can
make one article's parts again and copy the rest."""

import importlib.resources
import json
import sqlite3
import warnings

import jsonschema
import prov
import pytest
import rdflib
from click.testing import CliRunner
from prov.model import (
    ProvAgent,
    ProvAttribution,
    ProvDerivation,
    ProvDocument,
    ProvEntity,
    ProvInfluence,
    ProvWarning,
)
from rdflib.compare import isomorphic

from build.write import exports
from build.cli import cli
from build.write.parts import join_parts, write_parts
from build.problems import BuildError, Problem
from conftest import get_ok

MEMO = "middle-east-monitor-2020-12-18"
REPUBLIC = "republic-world-2020-12-20"
HT = "hindustan-times-2021-06-29"


def by(rows, key):
    return {row[key]: row for row in rows}


def path(table, key):
    return f"/provenance/{table}/{key}"


def ref(table, key):
    return {"@id": path(table, key)}


def date_order(tables):
    """Sort key of article ids: earliest possible day, latest, id."""
    articles = by(tables["articles"], "article_id")
    return lambda key: (articles[key]["not_before"], articles[key]["not_after"], key)


# --- schema.org JSON-LD ---------------------------------------------------------------


@pytest.fixture(scope="module")
def jsonld(built):
    return json.loads((built / exports.CLAIMS_JSONLD).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def nodes(jsonld):
    """{@id: node} of every top-level node of the @graph."""
    return {node["@id"]: node for node in jsonld["@graph"]}


def kind(nodes, table):
    """{row key: node} of the nodes that are rows of a table."""
    prefix = f"/provenance/{table}/"
    return {key[len(prefix) :]: node for key, node in nodes.items() if key.startswith(prefix)}


def appearances_of(nodes, claim_id):
    """The passages carrying a claim: the nodes that say they are its appearance."""
    return [
        node
        for node in nodes.values()
        if node.get("@reverse", {}).get("appearance") == ref("claims", claim_id)
    ]


def test_jsonld_is_one_flat_graph_of_claims_actors_articles_mentions_and_denials(
    jsonld, nodes, tables
):
    assert jsonld["@context"] == "https://schema.org"
    assert set(jsonld) == {"@context", "@graph"}
    assert len(nodes) == len(jsonld["@graph"]), "every @id once"
    assert set(kind(nodes, "claims")) == {c["claim_id"] for c in tables["claims"]}
    assert set(kind(nodes, "articles")) == {a["article_id"] for a in tables["articles"]}
    assert set(kind(nodes, "claim_mentions")) == {m["mention_id"] for m in tables["claim_mentions"]}
    assert set(kind(nodes, "denials")) == {d["denial_id"] for d in tables["denials"]}
    referred = (
        {a["outlet_id"] for a in tables["articles"]}
        | {m["voice_id"] for m in tables["claim_mentions"]}
        | {r["actor_id"] for r in tables["claim_actors"]}
        | {d["denier_id"] for d in tables["denials"]}
    ) - {None}  # a mention relaying a work whose author the article does not name
    assert set(kind(nodes, "actors")) == referred
    assert len(nodes) == sum(
        len(kind(nodes, table))
        for table in ("claims", "actors", "articles", "claim_mentions", "denials")
    )

    # Claims by id, actors by id, then each article in date order followed by its
    # appearances and denials, each in text order.
    rows = [tuple(node["@id"].split("/")[2:]) for node in jsonld["@graph"]]
    claims, actors = sorted(kind(nodes, "claims")), sorted(kind(nodes, "actors"))
    assert rows[: len(claims) + len(actors)] == [("claims", key) for key in claims] + [
        ("actors", key) for key in actors
    ]
    articles = [key for table, key in rows if table == "articles"]
    assert articles == sorted(articles, key=date_order(tables))
    in_article = {
        "claim_mentions": by(tables["claim_mentions"], "mention_id"),
        "denials": by(tables["denials"], "denial_id"),
    }
    following = []
    for table, key in rows[len(claims) + len(actors) :]:
        if table == "articles":
            following.append((key, []))
        else:
            row = in_article[table][key]
            assert row["article_id"] == following[-1][0], key
            following[-1][1].append((table == "denials", row["quote_start"], row["quote_end"], key))
    for article_id, places in following:
        assert places == sorted(places), article_id


def test_jsonld_refers_to_nodes_by_id_and_every_reference_resolves(jsonld, nodes):
    """Flattened: a node holds another only as {"@id": ...}, and that node is in the graph.
    The only nodes written inside others are blank ones (no @id): a cited work outside the
    corpus, and a denial's passage."""

    def references(value):
        if isinstance(value, dict):
            if "@id" in value:
                yield value
                if set(value) != {"@id"}:
                    raise AssertionError(f"a node nested inside another: {value}")
                return
            for item in value.values():
                yield from references(item)
        elif isinstance(value, list):
            for item in value:
                yield from references(item)

    count = 0
    for node in jsonld["@graph"]:
        for reference in references({key: value for key, value in node.items() if key != "@id"}):
            assert reference["@id"] in nodes, reference
            count += 1
    assert count > len(nodes)


def test_jsonld_claims_have_their_statement_actors_and_broader_claim(nodes, tables):
    claim_actors = {}
    for row in tables["claim_actors"]:
        claim_actors.setdefault(row["claim_id"], []).append(row)
    actor_nodes = kind(nodes, "actors")
    actors = by(tables["actors"], "actor_id")
    for claim in tables["claims"]:
        node = kind(nodes, "claims")[claim["claim_id"]]
        assert node["@type"] == "Claim"
        assert node["@id"] == node["url"] == path("claims", claim["claim_id"])
        assert node["identifier"] == claim["claim_id"]
        assert node["text"] == claim["statement"]
        assert node.get("isPartOf") == (
            ref("claims", claim["detail_of"]) if claim["detail_of"] else None
        )
        about = sorted(
            claim_actors.get(claim["claim_id"], []),
            key=lambda r: (r["role"] != "subject", r["actor_id"]),
        )
        assert node.get("about", []) == [ref("actors", r["actor_id"]) for r in about]
        for row in about:
            actor = actor_nodes[row["actor_id"]]
            assert actor["name"] == actors[row["actor_id"]]["name"]
            assert actor["@type"] == exports.SCHEMA_TYPES[actors[row["actor_id"]]["kind"]]
    assert kind(nodes, "actors")["zulfi-bukhari"] == {
        "@id": path("actors", "zulfi-bukhari"),
        "@type": "Person",
        "name": "Zulfi Bukhari",
    }


def test_jsonld_has_one_appearance_per_mention_quoting_it_in_its_article(nodes, tables):
    mentions = by(tables["claim_mentions"], "mention_id")
    articles = by(tables["articles"], "article_id")
    actors = by(tables["actors"], "actor_id")
    seen = []
    for claim in tables["claims"]:
        appearances = appearances_of(nodes, claim["claim_id"])
        assert len(appearances) == claim["mention_count"], claim["claim_id"]
        for appearance in appearances:
            mention = mentions[appearance["identifier"]]
            article = articles[mention["article_id"]]
            assert mention["claim_id"] == claim["claim_id"]
            assert appearance["@type"] == "CreativeWork"
            assert appearance["@id"] == path("claim_mentions", mention["mention_id"])
            assert (
                appearance["text"]
                == mention["quote"]
                == article["text"][mention["quote_start"] : mention["quote_end"]]
            )
            assert appearance.get("author") == (
                ref("actors", mention["voice_id"]) if mention["voice_id"] else None
            )
            assert appearance["isPartOf"] == ref("articles", article["article_id"])
            news = nodes[appearance["isPartOf"]["@id"]]
            assert news["@type"] == "NewsArticle"
            assert news["identifier"] == article["article_id"]
            assert news["headline"] == article["title"]
            assert news["datePublished"] == article["published"]
            assert news["inLanguage"] == article["language"]
            assert news["publisher"] == ref("actors", article["outlet_id"])
            assert nodes[news["publisher"]["@id"]] == {
                "@id": path("actors", article["outlet_id"]),
                "@type": "NewsMediaOrganization",
                "name": actors[article["outlet_id"]]["name"],
            }
            assert ("citation" in appearance) == bool(mention["citation_id"])
            seen.append(mention["mention_id"])
    assert sorted(seen) == sorted(mentions)


def test_jsonld_first_appearance_is_in_the_first_reporting_article(nodes, tables):
    mentions = by(tables["claim_mentions"], "mention_id")
    in_date_order = date_order(tables)
    for claim in tables["claims"]:
        node = kind(nodes, "claims")[claim["claim_id"]]
        if not claim["mention_count"]:
            assert "firstAppearance" not in node
            continue
        first = mentions[node["firstAppearance"]["@id"].rsplit("/", 1)[1]]
        assert first["claim_id"] == claim["claim_id"]
        assert first["article_id"] == claim["first_article_id"], claim["claim_id"]
        carrying = [mentions[a["identifier"]] for a in appearances_of(nodes, claim["claim_id"])]
        earliest = min(
            carrying,
            key=lambda m: (
                in_date_order(m["article_id"]),
                m["quote_start"],
                m["quote_end"],
                m["mention_id"],
            ),
        )
        assert first == earliest


def test_jsonld_cites_the_corpus_article_a_mention_rests_on(nodes):
    carried = appearances_of(nodes, "bukhari-visited-israel")
    cited = {
        a["citation"].get("@id")
        for a in carried
        if a["isPartOf"] == ref("articles", REPUBLIC) and "citation" in a
    }
    assert path("articles", MEMO) in cited


def test_jsonld_names_a_cited_work_outside_the_corpus_and_its_author(nodes, tables):
    citations = by(tables["citations"], "citation_id")
    for mention in tables["claim_mentions"]:
        citation = citations.get(mention["citation_id"])
        if citation is None or citation["cited_article_id"]:
            continue
        work = kind(nodes, "claim_mentions")[mention["mention_id"]]["citation"]
        assert work["@type"] == "CreativeWork" and "@id" not in work
        assert work.get("author") == (
            ref("actors", citation["source_id"]) if citation["source_id"] else None
        )
        assert work.get("name") == citation["work"]


def test_jsonld_denials_are_claims_by_the_denier_about_the_claim(nodes, tables):
    denials = by(tables["denials"], "denial_id")
    denial_nodes = kind(nodes, "denials")
    for claim in tables["claims"]:
        about_it = [
            node
            for node in denial_nodes.values()
            if node["about"] == ref("claims", claim["claim_id"])
        ]
        assert len(about_it) == claim["denial_count"], claim["claim_id"]
    for key, node in denial_nodes.items():
        denial = denials[key]
        assert node["@type"] == "Claim"
        assert node["identifier"] == denial["denial_id"]
        assert node["author"] == ref("actors", denial["denier_id"])
        assert node["about"] == ref("claims", denial["claim_id"])
        assert node.get("dateCreated") == denial["denied_on"]
        assert node["appearance"] == [
            {
                "@type": "CreativeWork",
                "text": denial["quote"],
                "isPartOf": ref("articles", denial["article_id"]),
            }
        ]
    bukhari = [
        node
        for node in denial_nodes.values()
        if node["about"] == ref("claims", "bukhari-visited-israel")
    ]
    # Bukhari himself, and Pakistan's Foreign Office (Radio Pakistan, Daily Pakistan, 28 June 2021)
    assert {nodes[d["author"]["@id"]]["name"] for d in bukhari} == {
        "Zulfi Bukhari",
        "Ministry of Foreign Affairs of Pakistan",
    }


# The terms of schema.org's JSON-LD context (release 30.0, https://schema.org/docs/jsonldcontext.jsonld)
# that the export uses, as it defines them, so that the export is read as RDF here
# without fetching the context.
SCHEMA_ORG_CONTEXT = {
    "@vocab": "http://schema.org/",
    "schema": "http://schema.org/",
    "about": {"@id": "schema:about"},
    "appearance": {"@id": "schema:appearance"},
    "author": {"@id": "schema:author"},
    "citation": {"@id": "schema:citation"},
    "dateCreated": {"@id": "schema:dateCreated", "@type": "Date"},
    "datePublished": {"@id": "schema:datePublished", "@type": "Date"},
    "firstAppearance": {"@id": "schema:firstAppearance"},
    "headline": {"@id": "schema:headline"},
    "identifier": {"@id": "schema:identifier"},
    "inLanguage": {"@id": "schema:inLanguage"},
    "isPartOf": {"@id": "schema:isPartOf", "@type": "@id"},
    "name": {"@id": "schema:name"},
    "publisher": {"@id": "schema:publisher"},
    "text": {"@id": "schema:text"},
    "url": {"@id": "schema:url", "@type": "@id"},
}
BASE = "https://bukhari.example/"
SCHEMA = rdflib.Namespace("http://schema.org/")


def as_rdf(document):
    """The RDF graph of a schema.org JSON-LD document, read by rdflib."""
    assert document["@context"] == "https://schema.org"
    graph = rdflib.Graph()
    with warnings.catch_warnings():
        # rdflib's own JSON-LD parser uses its deprecated ConjunctiveGraph inside
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        graph.parse(
            data=json.dumps({**document, "@context": SCHEMA_ORG_CONTEXT}),
            format="json-ld",
            base=BASE,
        )
    return graph


class Nested:
    """The claims as the export wrote them before it was made of parts: every claim one
    node, with its appearances, their articles and actors, and its denials nested inside."""

    def __init__(self, tables):
        self.tables = tables
        self.actors = by(tables["actors"], "actor_id")
        self.articles = by(tables["articles"], "article_id")
        self.citations = by(tables["citations"], "citation_id")

    def document(self):
        return {
            "@context": "https://schema.org",
            "@graph": [self.claim(claim) for claim in self.tables["claims"]],
        }

    def actor(self, key):
        if key is None:  # a work whose author the article does not name
            return None
        return {
            "@id": path("actors", key),
            "@type": exports.SCHEMA_TYPES[self.actors[key]["kind"]],
            "name": self.actors[key]["name"],
        }

    def article(self, key):
        row = self.articles[key]
        node = {
            "@id": path("articles", key),
            "@type": "NewsArticle",
            "identifier": key,
            "headline": row["title"],
            "datePublished": row["published"],
            "publisher": self.actor(row["outlet_id"]),
            "inLanguage": row["language"],
        }
        return {**node, "url": row["url"]} if row.get("url") else node

    def claim(self, claim):
        key = claim["claim_id"]
        mentions = [m for m in self.tables["claim_mentions"] if m["claim_id"] == key]
        node = exports.claim_node(key, claim["statement"])
        node["about"] = [
            self.actor(r["actor_id"]) for r in self.tables["claim_actors"] if r["claim_id"] == key
        ]
        if claim["detail_of"]:
            node["isPartOf"] = {"@id": path("claims", claim["detail_of"]), "@type": "Claim"}
        node["appearance"] = [self.appearance(mention) for mention in mentions]
        if claim["first_article_id"]:
            in_text_order = sorted(
                (m for m in mentions if m["article_id"] == claim["first_article_id"]),
                key=lambda m: (m["quote_start"], m["quote_end"], m["mention_id"]),
            )
            node["firstAppearance"] = {
                "@id": path("claim_mentions", in_text_order[0]["mention_id"])
            }
        node["@reverse"] = {
            "about": [self.denial(d) for d in self.tables["denials"] if d["claim_id"] == key]
        }
        return node

    def appearance(self, mention):
        appearance = {
            "@id": path("claim_mentions", mention["mention_id"]),
            "@type": "CreativeWork",
            "identifier": mention["mention_id"],
            "text": mention["quote"],
            "author": self.actor(mention["voice_id"]),
            "isPartOf": self.article(mention["article_id"]),
        }
        if mention["citation_id"]:
            cited = self.citations[mention["citation_id"]]
            work = {
                "@type": "CreativeWork",
                "author": self.actor(cited["source_id"]),
                **({"name": cited["work"]} if cited["work"] else {}),
            }
            appearance["citation"] = (
                self.article(cited["cited_article_id"]) if cited["cited_article_id"] else work
            )
        return appearance

    def denial(self, denial):
        return {
            "@id": path("denials", denial["denial_id"]),
            "@type": "Claim",
            "identifier": denial["denial_id"],
            "author": self.actor(denial["denier_id"]),
            "appearance": [
                {
                    "@type": "CreativeWork",
                    "text": denial["quote"],
                    "isPartOf": self.article(denial["article_id"]),
                }
            ],
            **({"dateCreated": denial["denied_on"]} if denial["denied_on"] else {}),
        }


def nested_document(tables):
    """The claims document as the export wrote it before it was made of parts (Nested)."""
    return Nested(tables).document()


def test_jsonld_means_as_rdf_what_the_nested_document_meant(jsonld, tables):
    """Flattening moved where each statement is written, not what is stated: read as RDF
    under schema.org's context, the export is the graph of the nested document."""
    graph = as_rdf(jsonld)
    assert isomorphic(graph, as_rdf(nested_document(tables)))
    claim = rdflib.URIRef(BASE + "provenance/claims/bukhari-visited-israel")
    mention = rdflib.URIRef(BASE + f"provenance/claim_mentions/{REPUBLIC}_bukhari-visited-israel")
    assert (claim, SCHEMA.appearance, mention) in graph
    assert (
        mention,
        SCHEMA.isPartOf,
        rdflib.URIRef(BASE + f"provenance/articles/{REPUBLIC}"),
    ) in graph
    assert {
        d
        for d in graph.subjects(SCHEMA.about, claim)
        if (d, rdflib.RDF.type, SCHEMA.Claim) in graph
    }
    appearance_triples = len(list(graph.triples((None, SCHEMA.appearance, None))))
    assert appearance_triples == len(tables["claim_mentions"]) + len(tables["denials"])


def test_the_schema_org_context_excerpt_covers_every_term_the_export_uses(jsonld):
    def terms(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if not key.startswith("@"):
                    yield key
                yield from terms(item)
        elif isinstance(value, list):
            for item in value:
                yield from terms(item)

    assert set(terms(jsonld["@graph"])) == set(SCHEMA_ORG_CONTEXT) - {"@vocab", "schema"}


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


def test_prov_json_round_trips_through_the_prov_package(prov_doc, built):
    """The records are written directly, in the form prov writes: prov reads the file and
    writes back the same records, and reads what it wrote as the same document."""
    written = prov_doc.serialize(format="json")
    assert json.loads(written) == json.loads(
        (built / exports.CITATIONS_PROV).read_text(encoding="utf-8")
    )
    assert ProvDocument.deserialize(content=written, format="json") == prov_doc


def test_prov_json_is_valid_against_the_prov_json_schema(built):
    schema_file = importlib.resources.files("prov") / "tests" / "schemas" / "prov-json.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    errors = list(
        validator(schema).iter_errors(
            json.loads((built / exports.CITATIONS_PROV).read_text(encoding="utf-8"))
        )
    )
    assert not errors, "\n".join(str(e) for e in errors)


def test_prov_document_is_valid_prov_n_under_the_strict_grammar(prov_doc):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ProvWarning)
        again = ProvDocument.deserialize(
            content=prov_doc.get_provn(), format="provn", profile="strict"
        )
    assert again == prov_doc


def test_prov_has_every_article_work_and_cited_actor(prov_doc, tables):
    entities = {r.identifier.localpart for r in prov_doc.get_records(ProvEntity)}
    agents = {r.identifier.localpart for r in prov_doc.get_records(ProvAgent)}
    assert {f"articles/{a['article_id']}" for a in tables["articles"]} <= entities
    works = {
        c["work_id"] for c in tables["citations"] if c["work_id"] and not c["cited_article_id"]
    }
    assert {f"works/{w}" for w in works} == entities - {
        f"articles/{a['article_id']}" for a in tables["articles"]
    }
    expected = {a["outlet_id"] for a in tables["articles"]} | {
        c["source_id"] for c in tables["citations"] if c["source_id"]
    }
    assert agents == {f"actors/{actor}" for actor in expected}
    assert prov_doc.get_record(q(prov_doc, "actors/zulfi-bukhari"))[0].label == "Zulfi Bukhari"


def test_prov_attributes_each_article_to_its_outlet(prov_doc, tables):
    attributed = relations(prov_doc, ProvAttribution)
    for article in tables["articles"]:
        assert (f"articles/{article['article_id']}", f"actors/{article['outlet_id']}") in attributed
    assert (f"articles/{HT}", "actors/hindustan-times") in attributed
    assert ("works/nziv-2020-12-report", "actors/nziv") in attributed


def test_prov_has_one_relation_per_citation_with_its_quote(prov_doc, tables):
    citations = by(tables["citations"], "citation_id")
    records = {
        r.identifier.localpart: r for r in prov_doc.get_records((ProvDerivation, ProvInfluence))
    }
    assert set(records) == {f"citations/{key}" for key in citations}
    for key, citation in citations.items():
        record = records[f"citations/{key}"]
        assert record.label == citation["quote"]
        assert record.get_attribute(q(prov_doc, "quote")) == {citation["quote"]}
        assert record.get_attribute(q(prov_doc, "quote_start")) == {citation["quote_start"]}
        assert record.get_attribute(q(prov_doc, "quote_end")) == {citation["quote_end"]}
        assert record.get_attribute(q(prov_doc, "article")) == {
            q(prov_doc, f"articles/{citation['article_id']}")
        }
        if citation["source_id"]:
            assert record.get_attribute(q(prov_doc, "source")) == {
                q(prov_doc, f"actors/{citation['source_id']}")
            }
        if not citation["via_citation_id"]:
            assert record.args[0] == q(prov_doc, f"articles/{citation['article_id']}")
        if citation["cited_article_id"]:
            assert isinstance(record, ProvDerivation)
            assert record.args[1] == q(prov_doc, f"articles/{citation['cited_article_id']}")


def test_prov_traces_republic_world_to_middle_east_monitor_to_nziv(prov_doc):
    derived = relations(prov_doc, ProvDerivation)
    assert (f"articles/{REPUBLIC}", f"articles/{MEMO}") in derived
    # Republic World: "Middle East Monitor, which cited a Hebrew news website as its source"
    assert (f"articles/{MEMO}", "works/nziv-2020-12-report") in derived
    [via] = prov_doc.get_record(q(prov_doc, f"citations/{REPUBLIC}_hebrew-website"))
    assert via.get_attribute(q(prov_doc, "article")) == {q(prov_doc, f"articles/{REPUBLIC}")}
    # Middle East Monitor: Nziv "quoting Israeli political sources"
    assert ("works/nziv-2020-12-report", "actors/israeli-political-sources") in relations(
        prov_doc, ProvInfluence
    )


def test_a_work_is_its_row_page_labelled_with_its_title(prov_doc, tables):
    [work] = [w for w in tables["works"] if w["work_id"] == "nziv-2020-12-report"]
    [entity] = prov_doc.get_record(q(prov_doc, "works/nziv-2020-12-report"))
    assert entity.label == work["title"]


# --- both: bytes and lines -------------------------------------------------------------------


def test_exports_are_the_database_s_and_deterministic(db, built):
    """Same database, same bytes; keys sorted in every object."""
    first = exports.export_bytes(db)
    assert exports.export_bytes(db) == first
    for name, data in first.items():
        assert data == (built / name).read_bytes()
        json.loads(data, object_pairs_hook=keys_are_sorted)


def keys_are_sorted(pairs):
    keys = [key for key, _ in pairs]
    assert keys == sorted(keys)
    return dict(pairs)


def canonical(value):
    """One record as the exports write it: sorted keys, on one line."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def test_jsonld_puts_one_node_on_each_line(built, jsonld):
    lines = (built / exports.CLAIMS_JSONLD).read_text(encoding="utf-8").splitlines()
    assert lines[:3] == ["{", '  "@context": "https://schema.org",', '  "@graph": ['] and lines[
        -2:
    ] == ["  ]", "}"]
    records = [line.removeprefix("    ").removesuffix(",") for line in lines[3:-2]]
    assert len(records) == len(jsonld["@graph"])
    assert records == [canonical(node) for node in jsonld["@graph"]]


def test_prov_json_puts_one_record_on_each_line(built, tables):
    document = json.loads((built / exports.CITATIONS_PROV).read_text(encoding="utf-8"))
    assert list(document) == list(exports.PROV_GROUPS)
    lines = (built / exports.CITATIONS_PROV).read_text(encoding="utf-8").splitlines()
    expected = ["{"]
    for number, (group, records) in enumerate(document.items()):
        expected.append(f'  "{group}": {{')
        expected += [f"    {canonical(key)}: {canonical(value)}," for key, value in records.items()]
        expected[-1] = expected[-1].removesuffix(",")
        expected.append("  }," if number < len(document) - 1 else "  }")
    assert lines == expected + ["}"]
    assert sum(len(records) for group, records in document.items() if group != "prefix") > len(
        tables["citations"]
    )


# --- parts ------------------------------------------------------------------------------------


def copy_of(db):
    """A private in-memory copy of the built database, to change."""
    copy = sqlite3.connect(":memory:")
    db.conn.backup(copy)
    return copy


def test_joining_the_parts_gives_the_written_files(db, built, tmp_path):
    written = exports.write_exports(db, tmp_path)
    assert set(written) == set(exports.EXPORTS)
    for name, (layout, parts) in exports.export_parts(db).items():
        data = (built / name).read_bytes()
        assert join_parts(layout, parts) == data == (tmp_path / name).read_bytes()
        index, size, sha256 = written[name]
        assert (size, sha256) == (
            len(data),
            None,
        )  # the exports carry no hash: their copied parts never pass through Python
        assert [(section, key, owner) for section, key, owner, _, _ in index] == sorted(
            (part.section, part.key, part.owner) for part in parts
        )


def test_an_article_s_parts_are_the_same_made_alone_or_with_the_rest(db, tables):
    everything = exports.export_parts(db)
    for article_id in [REPUBLIC, MEMO, HT]:
        alone = exports.export_parts(db, [article_id])
        for name, (layout, parts) in everything.items():
            assert alone[name][0] == layout
            assert alone[name][1] == [part for part in parts if part.owner in (article_id, None)], (
                name,
                article_id,
            )
            assert any(part.owner == article_id for part in alone[name][1])
    corpus_wide = {
        name: [part for part in parts if part.owner is None]
        for name, (layout, parts) in everything.items()
    }
    assert {
        name: parts for name, (layout, parts) in exports.export_parts(db, []).items()
    } == corpus_wide
    assert {
        name: parts
        for name, (layout, parts) in exports.export_parts(db, ["no-such-article"]).items()
    } == corpus_wide
    owners = {part.owner for layout, parts in everything.values() for part in parts}
    assert owners == {a["article_id"] for a in tables["articles"]} | {None}


def test_an_article_s_parts_hold_only_its_own_rows(db, tables):
    mentions, denials = (
        by(tables["claim_mentions"], "mention_id"),
        by(tables["denials"], "denial_id"),
    )
    citations = by(tables["citations"], "citation_id")
    layout, parts = exports.export_parts(db)[exports.CLAIMS_JSONLD]
    for part in parts:
        for node in (
            json.loads(line.rstrip(",")) for line in part.data.decode("utf-8").splitlines()
        ):
            table, key = node["@id"].split("/")[2:]
            rows = {"claim_mentions": mentions, "denials": denials}.get(table)
            owner = key if table == "articles" else rows[key]["article_id"] if rows else None
            assert part.owner == owner, node["@id"]
    layout, parts = exports.export_parts(db)[exports.CITATIONS_PROV]
    for part in parts:
        for identifier in (
            json.loads("{" + line.rstrip(",") + "}")
            for line in part.data.decode("utf-8").splitlines()
        ):
            [identifier] = identifier
            local = identifier.removeprefix("bukhari:")
            if local.startswith("articles/"):
                owner = local.split("/")[1].split("#")[0]
            elif local.startswith("citations/"):
                owner = citations[local.split("/")[1]]["article_id"]
            else:
                owner = None  # agents, works, prefixes
            assert part.owner == owner, identifier


def test_a_rebuild_of_one_article_copies_the_other_parts(db, tmp_path):
    """What an incremental build does: change one article, make its parts and the
    corpus-wide ones again, copy the rest from the previous file; the bytes are those of
    a whole export of the changed database."""
    before = {
        name: write_parts(tmp_path / f"before-{name}", layout, parts)
        for name, (layout, parts) in exports.export_parts(db).items()
    }
    changed = copy_of(db)
    changed.execute("UPDATE articles SET title = 'A new title' WHERE article_id = ?", (MEMO,))
    changed.execute(
        "UPDATE claim_mentions SET quote = 'new words' WHERE mention_id = (SELECT min(mention_id) FROM claim_mentions WHERE article_id = ?)",
        (MEMO,),
    )
    changed.execute(
        "UPDATE citations SET cue = 'told' WHERE citation_id = (SELECT min(citation_id) FROM citations WHERE article_id = ?)",
        (MEMO,),
    )
    whole = exports.export_bytes(changed)
    for name, (layout, parts) in exports.export_parts(changed, [MEMO]).items():
        after = tmp_path / f"after-{name}"
        write_parts(
            after, layout, parts, previous=(tmp_path / f"before-{name}", before[name], {MEMO})
        )
        assert after.read_bytes() == whole[name]
        assert whole[name] != (tmp_path / f"before-{name}").read_bytes()
    assert (
        b"A new title" in whole[exports.CLAIMS_JSONLD]
        and b"A new title" in whole[exports.CITATIONS_PROV]
    )


# --- the build -----------------------------------------------------------------------------


def snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_build_writes_the_exports_and_a_failed_build_leaves_them(
    tmp_path, seeds_copy, db, monkeypatch
):
    data = tmp_path / "data"
    result = CliRunner().invoke(cli, ["build", "--data", str(data)])
    assert result.exit_code == 0, result.output
    fresh = exports.export_bytes(db)
    for name in exports.EXPORTS:
        assert (data / name).read_bytes() == fresh[name]
    before = snapshot(data)

    # bad seeds: stopped before anything is written
    claims = seeds_copy / "claims.yml"
    text = claims.read_text(encoding="utf-8")
    assert "- id: bukhari-visited-israel\n" in text, "fixture drifted"
    claims.write_text(
        text.replace("- id: bukhari-visited-israel\n", "- id: bukhari-visited-mars\n", 1),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["build", "--seeds", str(seeds_copy), "--data", str(data)])
    assert result.exit_code == 1
    assert snapshot(data) == before

    # the exporter itself fails after writing part of its output into the scratch folder
    def half_written(db, folder, previous=None):
        (folder / exports.CLAIMS_JSONLD).write_text("{", encoding="utf-8")
        raise BuildError([Problem(exports.CITATIONS_PROV, None, "", "exporter failed")])

    monkeypatch.setattr("build.write.outputs.write_exports", half_written)
    # Nothing in the seeds changed since the last build, so only --no-cache writes again.
    result = CliRunner().invoke(cli, ["build", "--data", str(data), "--no-cache"])
    assert result.exit_code == 1
    assert "exporter failed" in result.stderr
    assert snapshot(data) == before


# --- serving ---------------------------------------------------------------------------------


async def test_the_site_serves_the_exports(datasette, built):
    assert exports.download_paths() == {
        "claims.jsonld": "/exports/claims.jsonld",
        "citations.prov.json": "/exports/citations.prov.json",
    }
    types = {
        exports.CLAIMS_JSONLD: "application/ld+json",
        exports.CITATIONS_PROV: "application/json",
    }
    for name, path in exports.download_paths().items():
        response = await get_ok(datasette, path)
        assert response.content == (built / name).read_bytes()
        assert response.headers["content-type"].split(";")[0] == types[name]


async def test_exports_are_linked_from_the_home_page(datasette):
    home = (await datasette.client.get("/")).text
    for path in exports.download_paths().values():
        assert f'href="{path}"' in home


def test_the_prov_exports_works_are_read_from_an_index_alone(db):
    """A rebuild writes the PROV export again: its works must not cost a read of every
    citation's row."""
    plan = [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + exports.CITED_WORKS_SQL)]
    on_citations = [step for step in plan if " c " in f" {step} "]
    assert on_citations and all("COVERING INDEX" in step for step in on_citations), plan
