"""Linked-data exports of the assembled tables, written by the build beside the CSVs:

- ``claims.jsonld``: every canonical claim as schema.org JSON-LD.
- ``citations.prov.json``: the citation chain as W3C PROV-JSON, built with the ``prov``
  package.

Both are made from the ``tables`` dict that ``build.assemble.assemble`` returns, in a
fixed order, and dumped with sorted keys, so the same seeds give the same bytes.

Identifiers are the Datasette row pages of the published database, as site paths
(``/provenance/<table>/<primary key>``, for example ``/provenance/claims/bukhari-visited-israel``).
They are relative references: resolved against the address the site is served from,
they are the rows' own pages. ``SITE_ROOT`` prefixes them all, for a deployment that
wants absolute IRIs.

schema.org modelling (``claims.jsonld``)
-----------------------------------------
One ``@graph`` holding one ``Claim`` per row of ``claims``, sorted by claim id, with
``"@context": "https://schema.org"``.

- ``@id`` and ``url``: the claim's row page; ``identifier``: the claim id; ``text``: the
  curator's statement of the proposition.
- ``about``: the actors the claim is about (``claim_actors``), the subject first. Actors
  are typed by kind: person ``Person``; outlet ``NewsMediaOrganization``; government,
  agency and military ``GovernmentOrganization``; political party ``PoliticalParty``;
  organisation ``Organization``; country ``Country``; an anonymous source (or a social
  media account) is a plain ``Thing``, as the texts do not say what it is.
- ``isPartOf``: the broader claim a detail claim states a detail of (``detail_of``).
- ``appearance``: one ``CreativeWork`` per claim mention, in date order (articles by
  ``not_before``, ``not_after``, id; then by place in the text). Each is the passage
  carrying the claim, not the whole article: ``@id`` is the mention's row page, ``text``
  the exact quote, ``author`` the voice the claim is carried in (``voice_id``: the cited
  source, or the outlet for the article's own voice), ``isPartOf`` the article as a
  ``NewsArticle`` (``@id`` its row page, ``headline``, ``datePublished`` at the
  precision known, ``publisher`` the outlet as ``NewsMediaOrganization``,
  ``inLanguage``), and ``citation`` the work the claim rests on when it rests on one: the
  cited corpus article (``NewsArticle``), or a ``CreativeWork`` named by the citation's
  ``work`` and authored by the cited source, or, with no work named, a ``CreativeWork``
  authored by the cited source. The passage, not the article, is the appearance, so two
  mentions in one article stay two appearances (an article-level ``@id`` would merge
  them).
- ``firstAppearance``: a reference to the first of those appearances, which lies in the
  article of ``claims.first_article_id``.
- Denials: schema.org has no "denies" property and ``ClaimReview`` is for
  fact-checkers' verdicts, which this dataset does not give. A denial is therefore a
  ``Claim`` of its own: ``@id`` its row page, ``author`` the denier, ``about`` the denied
  claim, ``dateCreated`` when the denial was made (where known), and one
  ``appearance``: the passage of the article reporting it (``text`` the exact quote,
  ``isPartOf`` the ``NewsArticle``). Each denial is attached to the claim it denies
  through JSON-LD ``@reverse`` of ``about`` ("claims that are about this claim"), so
  each top-level node is one canonical claim with everything about it.

Left out: stance, hedges, offsets, status and counts, which have no faithful
schema.org property; they are in the CSVs and, for citations, in the PROV export.

PROV modelling (``citations.prov.json``)
-----------------------------------------
One ``ProvDocument`` with the namespace ``bukhari`` = ``SITE_ROOT + "/provenance/"``, so
``bukhari:articles/<article_id>`` is the article's row page, and ``schema`` =
``https://schema.org/`` for ``prov:type`` values. Attribute names in ``bukhari`` are the
column names of the published tables (``bukhari:quote_start`` is ``citations.quote_start``).

- Entities: each article (``bukhari:articles/<id>``, ``prov:type`` ``schema:NewsArticle``,
  ``prov:label`` its title, its published date as written, its not_before/not_after
  and sha256), and each cited work named in ``citations.work`` that is not a corpus
  article (``bukhari:works/<slug of the words>``, ``prov:type`` ``schema:CreativeWork``,
  ``prov:label`` the words). There is no works table, so a work's id is a slug of its
  wording, not a row page.
- Agents: each actor that publishes an article or is cited (``bukhari:actors/<id>``,
  ``prov:label`` its name, ``bukhari:kind`` its kind, ``prov:type`` ``prov:Person`` for
  people and ``prov:Organization`` for outlets, governments, agencies, militaries,
  parties, organisations and countries; anonymous sources are untyped agents).
- ``wasAttributedTo``: each article to its outlet (``bukhari:articles/<id>#outlet``, with
  ``outlet_basis`` and ``outlet_evidence``); each cited work to the source credited with
  it (``bukhari:works/<slug>#by-<actor_id>``). Every record has an identifier, so none
  gets a serializer-numbered blank node and the file reads back and re-dumps to the
  same bytes.
- One relation per citation, identified by the citation's row page
  (``bukhari:citations/<citation_id>``), from the thing that did the citing to the
  thing cited. The thing cited is the cited corpus article when ``cited_article_id`` is
  set, else the cited work when ``work`` is set, else the cited source (an agent). The
  thing citing is the article, unless the citation has ``via_citation_id``: then it is
  whatever that via citation cites ("Middle East Monitor, which cited a Hebrew news
  website": the Middle East Monitor article cites the Nziv report). Between two
  entities the relation is ``wasDerivedFrom``; when either end is an agent it is
  ``wasInfluencedBy``. ``prov:label`` and ``bukhari:quote`` are the citation's exact
  words; ``bukhari:quote_start``/``quote_end`` their offsets in the text of
  ``bukhari:article`` (the article that makes the citation, which for a via chain is
  not the citing end); ``bukhari:source`` the credited actor; ``bukhari:via_citation`` the
  citation that passed it on; ``bukhari:cue``, ``bukhari:medium`` and
  ``bukhari:source_basis`` as in the table.
- Not used: ``wasQuotedFrom`` (``prov:Quotation``), because the data does not record
  whether an article's words are the cited work's own; ``actedOnBehalfOf``, because a
  source passing on another's words does not act on its behalf (no delegation or
  responsibility is claimed), so via chains are derivations or influences; activities,
  as the dataset records no publishing events beyond dates.
"""

import functools
import io
import json
import re
import unicodedata

from datasette.utils import tilde_encode
from prov.constants import PROV_LABEL, PROV_TYPE
from prov.model import PROV, ProvDocument

from build.assemble import date_order
from build.problems import BuildError, Problem

CLAIMS_JSONLD = "claims.jsonld"
CITATIONS_PROV = "citations.prov.json"
EXPORTS = (CLAIMS_JSONLD, CITATIONS_PROV)

# Prefix of every identifier: empty for site-relative paths, or "https://host".
SITE_ROOT = ""
DATABASE_PATH = "/provenance"

# Where the site serves the data folder, once build/serve.py mounts it (static_mounts).
STATIC_MOUNT = "exports"

SCHEMA_TYPES = {
    "person": "Person",
    "outlet": "NewsMediaOrganization",
    "government": "GovernmentOrganization",
    "agency": "GovernmentOrganization",
    "military": "GovernmentOrganization",
    "political_party": "PoliticalParty",
    "organisation": "Organization",
    "country": "Country",
    "anonymous_source": "Thing",
    "social_media_account": "Thing",
}

PROV_ORGANISATION_KINDS = {"outlet", "government", "agency", "military", "political_party", "organisation", "country"}


@functools.lru_cache(maxsize=None)
def row_path(table, key):
    """The site path of one row's Datasette page, the key encoded as Datasette encodes it."""
    return f"{SITE_ROOT}{DATABASE_PATH}/{table}/{tilde_encode(key)}"


def static_mounts(data_dir):
    """The Datasette static mount that serves the data folder (and so the exports)."""
    return [(STATIC_MOUNT, str(data_dir))]


def download_paths():
    """{file name: site path} of each export once the data folder is mounted."""
    return {name: f"/{STATIC_MOUNT}/{name}" for name in EXPORTS}


_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(", ", ": ")).encode


def _dump(document, open_levels=2):
    """JSON with sorted keys, laid out one record per line: the first open_levels of
    mappings and lists are spread over lines, everything inside is written on one line.
    A diff then shows records, and the one-line parts go through json's C encoder, which
    indenting would bypass (ten times slower on a large corpus)."""

    def layout(value, level):
        if level == open_levels or not isinstance(value, (dict, list)) or not value:
            return _ENCODE(value)
        pad = "  " * (level + 1)
        if isinstance(value, dict):
            items = [f"{pad}{_ENCODE(key)}: {layout(value[key], level + 1)}" for key in sorted(value)]
            brackets = "{}"
        else:
            items = [pad + layout(item, level + 1) for item in value]
            brackets = "[]"
        return brackets[0] + "\n" + ",\n".join(items) + "\n" + "  " * level + brackets[1]

    return (layout(document, 0) + "\n").encode("utf-8")


# --- schema.org JSON-LD -------------------------------------------------------------


def _actor_node(actor):
    return {"@id": row_path("actors", actor["actor_id"]), "@type": SCHEMA_TYPES[actor["kind"]], "name": actor["name"]}


def _article_node(article, actors):
    node = {
        "@id": row_path("articles", article["article_id"]),
        "@type": "NewsArticle",
        "identifier": article["article_id"],
        "headline": article["title"],
        "datePublished": article["published"],
        "publisher": _actor_node(actors[article["outlet_id"]]),
        "inLanguage": article["language"],
    }
    if article.get("url"):
        node["url"] = article["url"]
    return node


def _cited_work_node(citation, articles, actors):
    """What a claim mention rests on, as schema.org: the corpus article, or a work by the source."""
    if citation.get("cited_article_id"):
        return _article_node(articles[citation["cited_article_id"]], actors)
    node = {"@type": "CreativeWork", "author": _actor_node(actors[citation["source_id"]])}
    if citation.get("work"):
        node["name"] = citation["work"]
    return node


def claims_jsonld(tables):
    """The schema.org JSON-LD document of every canonical claim (see the module docstring)."""
    actors = {a["actor_id"]: a for a in tables["actors"]}
    articles = {a["article_id"]: a for a in tables["articles"]}
    citations = {c["citation_id"]: c for c in tables["citations"]}
    article_order = date_order(articles)

    about = {}
    for row in tables["claim_actors"]:
        about.setdefault(row["claim_id"], []).append(row)
    mentions = {}
    for mention in tables["claim_mentions"]:
        mentions.setdefault(mention["claim_id"], []).append(mention)
    denials = {}
    for denial in tables["denials"]:
        denials.setdefault(denial["claim_id"], []).append(denial)

    def in_text_order(row):
        return (article_order(row["article_id"]), row["quote_start"], row["quote_end"])

    graph = []
    for claim in sorted(tables["claims"], key=lambda c: c["claim_id"]):
        claim_id = claim["claim_id"]
        node = {
            "@id": row_path("claims", claim_id),
            "@type": "Claim",
            "identifier": claim_id,
            "url": row_path("claims", claim_id),
            "text": claim["statement"],
        }
        actors_about = sorted(about.get(claim_id, []), key=lambda r: (r["role"] != "subject", r["actor_id"]))
        if actors_about:
            node["about"] = [_actor_node(actors[r["actor_id"]]) for r in actors_about]
        if claim.get("detail_of"):
            node["isPartOf"] = {"@id": row_path("claims", claim["detail_of"]), "@type": "Claim"}
        appearances = []
        for mention in sorted(mentions.get(claim_id, []), key=lambda m: (in_text_order(m), m["mention_id"])):
            appearance = {
                "@id": row_path("claim_mentions", mention["mention_id"]),
                "@type": "CreativeWork",
                "identifier": mention["mention_id"],
                "text": mention["quote"],
                "author": _actor_node(actors[mention["voice_id"]]),
                "isPartOf": _article_node(articles[mention["article_id"]], actors),
            }
            if mention.get("citation_id"):
                appearance["citation"] = _cited_work_node(citations[mention["citation_id"]], articles, actors)
            appearances.append(appearance)
        if appearances:
            node["appearance"] = appearances
            node["firstAppearance"] = {"@id": appearances[0]["@id"]}
        denial_nodes = []
        for denial in sorted(denials.get(claim_id, []), key=lambda d: (in_text_order(d), d["denial_id"])):
            denial_node = {
                "@id": row_path("denials", denial["denial_id"]),
                "@type": "Claim",
                "identifier": denial["denial_id"],
                "author": _actor_node(actors[denial["denier_id"]]),
                "appearance": [{
                    "@type": "CreativeWork",
                    "text": denial["quote"],
                    "isPartOf": _article_node(articles[denial["article_id"]], actors),
                }],
            }
            if denial.get("denied_on"):
                denial_node["dateCreated"] = denial["denied_on"]
            denial_nodes.append(denial_node)
        if denial_nodes:
            node["@reverse"] = {"about": denial_nodes}
        graph.append(node)
    return {"@context": "https://schema.org", "@graph": graph}


# --- W3C PROV-JSON -------------------------------------------------------------------


def work_slug(work):
    """A readable id for a cited work, from its words: "Bukhari's tweet, June 2021" -> bukharis-tweet-june-2021."""
    text = unicodedata.normalize("NFKD", work).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"['\u2019]", "", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def citations_prov(tables):
    """The citation chain as a prov.model.ProvDocument (see the module docstring)."""
    doc = ProvDocument()
    ns = doc.add_namespace("bukhari", f"{SITE_ROOT}{DATABASE_PATH}/")
    schema_org = doc.add_namespace("schema", "https://schema.org/")

    actors = {a["actor_id"]: a for a in tables["actors"]}
    articles = {a["article_id"]: a for a in tables["articles"]}
    citations = {c["citation_id"]: c for c in tables["citations"]}

    def article_id(key):
        return ns[f"articles/{key}"]

    def actor_id(key):
        return ns[f"actors/{key}"]

    def work_id(work):
        return ns[f"works/{work_slug(work)}"]

    # A cited work is each distinct `work` of a citation that does not cite a corpus article.
    works = sorted({c["work"] for c in citations.values() if c.get("work") and not c.get("cited_article_id")})
    slugs = {}
    for work in works:
        slugs.setdefault(work_slug(work), []).append(work)
    clashes = [Problem(CITATIONS_PROV, None, "citations.work", f"works {names!r} share the id works/{slug}")
               for slug, names in slugs.items() if len(names) > 1 or not slug]
    if clashes:
        raise BuildError(clashes)

    agent_ids = sorted({a["outlet_id"] for a in articles.values()} | {c["source_id"] for c in citations.values()})
    for key in agent_ids:
        actor = actors[key]
        attributes = [(PROV_LABEL, actor["name"]), (ns["kind"], actor["kind"])]
        if actor["kind"] == "person":
            attributes.append((PROV_TYPE, PROV["Person"]))
        elif actor["kind"] in PROV_ORGANISATION_KINDS:
            attributes.append((PROV_TYPE, PROV["Organization"]))
        doc.agent(actor_id(key), attributes)

    for key in sorted(articles):
        article = articles[key]
        attributes = [
            (PROV_TYPE, schema_org["NewsArticle"]),
            (PROV_LABEL, article["title"]),
            (ns["published"], article["published"]),
            (ns["not_before"], article["not_before"]),
            (ns["not_after"], article["not_after"]),
            (ns["sha256"], article["sha256"]),
        ]
        if article.get("url"):
            attributes.append((ns["url"], article["url"]))
        doc.entity(article_id(key), attributes)

    for work in works:
        doc.entity(work_id(work), [(PROV_TYPE, schema_org["CreativeWork"]), (PROV_LABEL, work)])

    for key in sorted(articles):
        article = articles[key]
        doc.wasAttributedTo(article_id(key), actor_id(article["outlet_id"]), identifier=ns[f"articles/{key}#outlet"], other_attributes=[
            (ns["outlet_basis"], article["outlet_basis"]),
            (ns["outlet_evidence"], article["outlet_evidence"]),
        ])

    def cited(citation):
        """(identifier, is_entity) of what a citation cites."""
        if citation.get("cited_article_id"):
            return article_id(citation["cited_article_id"]), True
        if citation.get("work"):
            return work_id(citation["work"]), True
        return actor_id(citation["source_id"]), False

    def citing(citation):
        """(identifier, is_entity) of what does the citing: the article, or what the via citation cites."""
        via = citation.get("via_citation_id")
        return cited(citations[via]) if via else (article_id(citation["article_id"]), True)

    for key in sorted(citations):
        citation = citations[key]
        source, source_is_entity = citing(citation)
        target, target_is_entity = cited(citation)
        attributes = [
            (PROV_LABEL, citation["quote"]),
            (ns["quote"], citation["quote"]),
            (ns["quote_start"], citation["quote_start"]),
            (ns["quote_end"], citation["quote_end"]),
            (ns["article"], article_id(citation["article_id"])),
            (ns["source"], actor_id(citation["source_id"])),
            (ns["medium"], citation["medium"]),
            (ns["source_basis"], citation["source_basis"]),
        ]
        if citation.get("cue"):
            attributes.append((ns["cue"], citation["cue"]))
        if citation.get("via_citation_id"):
            attributes.append((ns["via_citation"], ns[f"citations/{citation['via_citation_id']}"]))
        identifier = ns[f"citations/{key}"]
        if source_is_entity and target_is_entity:
            doc.wasDerivedFrom(source, target, identifier=identifier, other_attributes=attributes)
        else:
            doc.wasInfluencedBy(source, target, identifier=identifier, other_attributes=attributes)

    credited = sorted({(c["work"], c["source_id"]) for c in citations.values() if c.get("work") and not c.get("cited_article_id")})
    for work, source in credited:
        doc.wasAttributedTo(work_id(work), actor_id(source), identifier=ns[f"works/{work_slug(work)}#by-{source}"])
    return doc


def prov_json_bytes(document):
    """PROV-JSON of a ProvDocument, re-dumped with sorted keys so the bytes are stable."""
    buffer = io.StringIO()
    document.serialize(buffer, format="json")
    return _dump(json.loads(buffer.getvalue()))


def export_bytes(tables):
    """{file name: bytes} of every export."""
    return {
        CLAIMS_JSONLD: _dump(claims_jsonld(tables)),
        CITATIONS_PROV: prov_json_bytes(citations_prov(tables)),
    }


def write_exports(tables, folder):
    """Write every export into folder (the build's scratch folder); return their names."""
    for name, data in export_bytes(tables).items():
        (folder / name).write_bytes(data)
    return list(EXPORTS)
