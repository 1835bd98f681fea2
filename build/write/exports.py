"""Linked-data exports of the published database, written by the build beside the CSVs:

- ``claims.jsonld``: every claim, and every article's appearances of claims and
  denials, as schema.org JSON-LD.
- ``citations.prov.json``: the citation chain as W3C PROV-JSON.

Both are read from the newly written SQLite database (``provenance.db``), so they are a
pure function of what is published: the same database gives the same bytes. Keys are
sorted, and every node (JSON-LD) or record (PROV-JSON) is on a line of its own, so a
diff shows records.

Files made of parts
-------------------
Each export is a layout and parts (``build/write/parts.py``): a file is sections (a prefix,
a separator between parts, a suffix), and each part belongs to a section, has a key
ordering it there, and an owner. A part made from one article's rows (its article
node, its claim mentions, denials and citations) is owned by that article and depends
on nothing else, so a one-article rebuild makes that article's parts again and copies
the others from the previous file. A part made from the corpus as a whole (claims,
actors, cited works, agents, and the prefixes) has no owner and is made every time.
``export_parts(db, article_ids)`` makes only the parts of the given articles plus the
corpus-wide ones, with queries that use the database's indexes.

Identifiers are the Datasette row pages of the published database, as site paths
(``/provenance/<table>/<primary key>``, for example ``/provenance/claims/bukhari-visited-israel``).
They are relative references: resolved against the address the site is served from,
they are the rows' own pages. ``SITE_ROOT`` prefixes them all, for a deployment that
wants absolute IRIs.

schema.org modelling (``claims.jsonld``)
-----------------------------------------
One flattened ``@graph`` with ``"@context": "https://schema.org"``: every node is at the
top level, and nodes refer to each other by ``@id``. In this order:

- One ``Claim`` per row of ``claims``, by claim id (no owner). ``@id`` and ``url``: the
  claim's row page; ``identifier``: the claim id; ``text``: the curator's statement of
  the proposition; ``about``: the actors the claim is about (``claim_actors``), the
  subject first; ``isPartOf``: the broader claim a detail claim states a detail of
  (``detail_of``); ``firstAppearance``: the first passage carrying the claim, which
  lies in the article of ``claims.first_article_id`` (the first there in text order).
- One node per actor the graph refers to, by actor id (no owner): ``@id`` its row page,
  ``name``, and a type by kind: person ``Person``; outlet ``NewsMediaOrganization``;
  government, agency and military ``GovernmentOrganization``; political party
  ``PoliticalParty``; organisation ``Organization``; country ``Country``; an anonymous
  source (or a social media account) is a plain ``Thing``, as the texts do not say what
  it is; an unidentified person (one the text does not name) a ``Person``.
- For each article, in date order (``not_before``, ``not_after``, id), one part owned by
  the article holding:

  - the article as a ``NewsArticle``: ``@id`` its row page, ``identifier``,
    ``headline``, ``datePublished`` at the precision known, ``publisher`` the outlet,
    ``inLanguage``, and ``url`` where known;
  - one appearance per claim mention, in text order: a ``CreativeWork`` that is the
    passage carrying the claim, not the whole article, so two mentions in one article
    stay two appearances. ``@id`` is the mention's row page, ``text`` the exact quote,
    ``author`` the voice the claim is carried in (``voice_id``: the cited source, or the
    outlet for the article's own voice), ``isPartOf`` the article, and ``citation`` the
    work the claim rests on when it rests on one: the cited corpus article, or a
    ``CreativeWork`` (a blank node) named by the citation's ``work`` and authored by the
    cited source, or, with no work named, a ``CreativeWork`` authored by the cited
    source. The claim's ``appearance`` is stated from the passage's side, as JSON-LD
    ``"@reverse": {"appearance": {"@id": <claim>}}``: the same triple (claim
    ``appearance`` passage) as a list on the claim would give, but made from the
    article's rows alone;
  - one node per denial, in text order. schema.org has no "denies" property and
    ``ClaimReview`` is for fact-checkers' verdicts, which this dataset does not give. A
    denial is therefore a ``Claim`` of its own: ``@id`` its row page, ``author`` the
    denier, ``about`` the denied claim, ``dateCreated`` when the denial was made (where
    known), and one ``appearance``: the passage of the article reporting it (a blank
    node: ``text`` the exact quote, ``isPartOf`` the article).

As RDF this is the same graph as a document nesting everything inside each claim (the
shape before parts, checked against it when it changed): flattening only moves where
each triple is written.

Left out: stance, hedges, offsets, status and counts, which have no faithful
schema.org property; they are in the CSVs and, for citations, in the PROV export.

PROV modelling (``citations.prov.json``)
-----------------------------------------
One PROV document with the namespace ``bukhari`` = ``SITE_ROOT + "/provenance/"``, so
``bukhari:articles/<article_id>`` is the article's row page, and ``schema`` =
``https://schema.org/`` for ``prov:type`` values. Attribute names in ``bukhari`` are the
column names of the published tables (``bukhari:quote_start`` is ``citations.quote_start``).
Its records are written directly in the form the ``prov`` package writes and reads
(a qualified-name value as ``{"$": ..., "type": "xsd:QName"}``, a number as ``xsd:int``);
the tests read the file back with ``prov`` and check that ``prov`` writes it again to the
same records. Each PROV-JSON group (``agent``, ``entity``, ``prefix``, ``wasAttributedTo``,
``wasDerivedFrom``, ``wasInfluencedBy``) is a section, always present (an empty object
when it has no records).

- Entities: each article (``bukhari:articles/<id>``, ``prov:type`` ``schema:NewsArticle``,
  ``prov:label`` its title, its published date as written, its not_before/not_after,
  sha256 and url where known; owned by the article), and each cited work of
  ``citations.work_id`` that is not a corpus article (``bukhari:works/<work_id>``, the
  work's row page; ``prov:type`` ``schema:CreativeWork``, ``prov:label`` its title; no owner).
- Agents (no owner): each actor that publishes an article or is cited
  (``bukhari:actors/<id>``, ``prov:label`` its name, ``bukhari:kind`` its kind,
  ``prov:type`` ``prov:Person`` for people and ``prov:Organization`` for outlets,
  governments, agencies, militaries, parties, organisations and countries; anonymous
  sources are untyped agents).
- ``wasAttributedTo``: each article to its outlet (``bukhari:articles/<id>#outlet``, with
  ``outlet_basis`` and ``outlet_evidence``; owned by the article); each cited work to the
  source credited with it (``bukhari:works/<slug>#by-<actor_id>``; no owner). Every
  record has an identifier, so none gets a serializer-numbered blank node.
- One relation per citation, owned by its article, identified by the citation's row page
  (``bukhari:citations/<citation_id>``), from the thing that did the citing to the
  thing cited. The thing cited is the cited corpus article when ``cited_article_id`` is
  set, else the cited work when ``work`` is set, else the cited source (an agent). The
  thing citing is the article, unless the citation has ``via_citation_id``: then it is
  whatever that via citation (in the same article) cites ("Middle East Monitor, which
  cited a Hebrew news website": the Middle East Monitor article cites the Nziv report).
  Between two entities the relation is ``wasDerivedFrom``; when either end is an agent
  it is ``wasInfluencedBy``. ``prov:label`` and ``bukhari:quote`` are the citation's
  exact words; ``bukhari:quote_start``/``quote_end`` their offsets in the text of
  ``bukhari:article`` (the article that makes the citation, which for a via chain is
  not the citing end); ``bukhari:source`` the credited actor; ``bukhari:via_citation`` the
  citation that passed it on; ``bukhari:cue``, ``bukhari:medium`` and
  ``bukhari:source_basis`` as in the table. A citation's id is its article's id, ``_``
  and its own slug, so an article's relations lie together in key order and are one part.
- Not used: ``wasQuotedFrom`` (``prov:Quotation``), because the data does not record
  whether an article's words are the cited work's own; ``actedOnBehalfOf``, because a
  source passing on another's words does not act on its behalf (no delegation or
  responsibility is claimed), so via chains are derivations or influences; activities,
  as the dataset records no publishing events beyond dates.
"""

import functools
import itertools
import json
import re
import sqlite3

from build import paths
from build.write.parts import Part, Section, join_parts, write_parts
from build.problems import BuildError, Problem

CLAIMS_JSONLD = "claims.jsonld"
CITATIONS_PROV = "citations.prov.json"
EXPORTS = (CLAIMS_JSONLD, CITATIONS_PROV)

# Prefix of every identifier: empty for site-relative paths, or "https://host".
SITE_ROOT = ""
DATABASE_PATH = paths.DATABASE_PATH

# Where the site serves the data folder, once build/site/serve.py mounts it (static_mounts).
STATIC_MOUNT = paths.EXPORTS_MOUNT

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
    "unidentified_person": "Person",
}

PROV_ORGANISATION_KINDS = {
    "outlet",
    "government",
    "agency",
    "military",
    "political_party",
    "organisation",
    "country",
}


# Keys tilde encoding leaves as they are: every id the build makes, so most keys skip
# tilde_encode, which takes a Python step per byte (seconds over a large corpus's rows).
_TILDE_SAFE = re.compile(r"[A-Za-z0-9_-]*")


def row_path(table, key):
    """The site path of one row's Datasette page, the key encoded as Datasette encodes it."""
    if _TILDE_SAFE.fullmatch(key):
        encoded = key
    else:
        from datasette.utils import tilde_encode  # rarely needed: Datasette's import is slow

        encoded = tilde_encode(key)
    return f"{SITE_ROOT}{DATABASE_PATH}/{table}/{encoded}"


def static_mounts(data_dir):
    """The Datasette static mount that serves the data folder (and so the exports)."""
    return [(STATIC_MOUNT, str(data_dir))]


def download_paths():
    """{file name: site path} of each export once the data folder is mounted."""
    return {name: f"/{STATIC_MOUNT}/{name}" for name in EXPORTS}


# One line per record, through json's C encoder (indenting would bypass it: ten times
# slower on a large corpus). Records are trees, so the encoder need not look for cycles.
_ENCODE = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(", ", ": "), check_circular=False
).encode
RECORD_INDENT = "    "


def _lines(records):
    """Records as the lines of one part: indented, one per line."""
    return ",\n".join(RECORD_INDENT + record for record in records).encode("utf-8")


def _part(section, key, owner, records):
    return Part(section, key, owner, _lines(records))


# --- reading the database ---------------------------------------------------------------


def _connection(db):
    """The sqlite3 connection of an sqlite3 connection or a sqlite_utils.Database."""
    return getattr(db, "conn", db)


def _query(conn, sql, parameters=()):
    """Rows of a query, each read by column name (sqlite3.Row)."""
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row  # this cursor's only: the caller's connection is left as it is
    return cursor.execute(sql, parameters).fetchall()


def _chosen(alias, article_ids):
    """(SQL condition, parameters) keeping the rows of the chosen articles; None is all."""
    if article_ids is None:
        return "1", ()
    # One parameter however many articles: the ids as a JSON list, read by json_each,
    # with the article_id index answering the IN.
    return f"{alias}.article_id IN (SELECT value FROM json_each(?))", (
        json.dumps(sorted(set(article_ids))),
    )


def _by_article(rows):
    """{article_id: [rows]} of rows sorted by article id."""
    return {
        key: list(group)
        for key, group in itertools.groupby(rows, key=lambda row: row["article_id"])
    }


def _articles(conn, article_ids):
    where, parameters = _chosen("a", article_ids)
    return _query(
        conn,
        f"""
        SELECT a.article_id, a.title, a.published, a.not_before, a.not_after, a.url, a.language,
               a.sha256, a.outlet_id, a.outlet_basis, a.outlet_evidence
        FROM articles a WHERE {where} ORDER BY a.article_id""",
        parameters,
    )


def _chosen_by_article(conn, alias, article_ids, sql):
    """{article_id: [rows]} of sql, its {where} the condition keeping the chosen articles'
    rows of the table named alias (_chosen); sql orders by article_id first."""
    where, parameters = _chosen(alias, article_ids)
    return _by_article(_query(conn, sql.format(where=where), parameters))


def _mentions(conn, article_ids):
    """{article_id: [claim mentions in text order, with the citation each rests on]}."""
    return _chosen_by_article(
        conn,
        "m",
        article_ids,
        """
        SELECT m.article_id, m.mention_id, m.claim_id, m.quote, m.voice_id, m.citation_id,
               c.cited_article_id, c.work, c.source_id
        FROM claim_mentions m LEFT JOIN citations c ON c.citation_id = m.citation_id
        WHERE {where} ORDER BY m.article_id, m.quote_start, m.quote_end, m.mention_id""",
    )


def _denials(conn, article_ids):
    """{article_id: [denials in text order]}."""
    return _chosen_by_article(
        conn,
        "d",
        article_ids,
        """
        SELECT d.article_id, d.denial_id, d.claim_id, d.denier_id, d.denied_on, d.quote
        FROM denials d WHERE {where} ORDER BY d.article_id, d.quote_start, d.quote_end, d.denial_id""",
    )


def _citations(conn, article_ids):
    """{article_id: [citations by id, with what their via citation cites]}."""
    return _chosen_by_article(
        conn,
        "c",
        article_ids,
        """
        SELECT c.article_id, c.citation_id, c.source_id, c.source_basis, c.medium, c.work_id AS work,
               c.cited_article_id, c.via_citation_id, c.cue, c.quote, c.quote_start, c.quote_end,
               v.cited_article_id AS via_cited_article_id, v.work_id AS via_work, v.source_id AS via_source_id
        FROM citations c LEFT JOIN citations v ON v.citation_id = c.via_citation_id
        WHERE {where} ORDER BY c.article_id, c.citation_id""",
    )


# Read from an index alone (build/write/outputs.py READ_INDEXES), not from every citation.
CITED_WORKS_SQL = """
    SELECT DISTINCT c.work_id, w.title, c.source_id FROM citations c JOIN works w ON w.work_id = c.work_id
    WHERE c.cited_article_id IS NULL OR c.cited_article_id = ''
    ORDER BY c.work_id, c.source_id"""


def _cited_works(conn):
    """[(work id, title, source_id)] of every citation naming a work that is not a corpus article."""
    return conn.execute(CITED_WORKS_SQL).fetchall()


# --- schema.org JSON-LD -------------------------------------------------------------

JSONLD_LAYOUT = [
    Section(b'{\n  "@context": "https://schema.org",\n  "@graph": [\n', b",\n", b"\n  ]\n}\n")
]
# Order of the kinds of part in the @graph.
CLAIM_NODES, ACTOR_NODES, ARTICLE_NODES = 0, 1, 2


@functools.lru_cache(maxsize=100_000)
def _ref(table, key):
    """A reference to a row's node. The same few thousand (articles, claims, actors) are
    referred to by every mention, so each is made once; nothing changes them."""
    return {"@id": row_path(table, key)}


def claim_node(claim_id, statement):
    """A claim's node with what it states of itself (id, address, text); what it refers
    to (actors, the claim it is a detail of, its first appearance) is added by the caller."""
    return {
        "@id": row_path("claims", claim_id),
        "@type": "Claim",
        "identifier": claim_id,
        "url": row_path("claims", claim_id),
        "text": statement,
    }


def _claim_nodes(conn):
    """One Claim node per claim, with its actors and first appearance."""
    claims = _query(
        conn,
        """
        SELECT c.claim_id, c.statement, c.detail_of,
               (SELECT m.mention_id FROM claim_mentions m
                WHERE m.article_id = c.first_article_id AND m.claim_id = c.claim_id
                ORDER BY m.quote_start, m.quote_end, m.mention_id LIMIT 1) AS first_mention_id
        FROM claims c ORDER BY c.claim_id""",
    )
    about = {}
    for row in _query(
        conn,
        "SELECT claim_id, actor_id FROM claim_actors ORDER BY claim_id, role != 'subject', actor_id",
    ):
        about.setdefault(row["claim_id"], []).append(_ref("actors", row["actor_id"]))
    for claim in claims:
        claim_id = claim["claim_id"]
        node = claim_node(claim_id, claim["statement"])
        if claim_id in about:
            node["about"] = about[claim_id]
        if claim["detail_of"]:
            node["isPartOf"] = _ref("claims", claim["detail_of"])
        if claim["first_mention_id"]:
            node["firstAppearance"] = _ref("claim_mentions", claim["first_mention_id"])
        yield claim_id, node


def _actor_nodes(conn):
    """One node per actor the graph refers to: claims are about them, they publish an
    article, carry a claim in their voice, author a cited work, or deny a claim."""
    actors = _query(
        conn,
        """
        SELECT a.actor_id, a.name, a.kind FROM actors a
        WHERE EXISTS (SELECT 1 FROM claim_actors WHERE actor_id = a.actor_id)
           OR EXISTS (SELECT 1 FROM articles WHERE outlet_id = a.actor_id)
           OR EXISTS (SELECT 1 FROM claim_mentions WHERE voice_id = a.actor_id)
           OR EXISTS (SELECT 1 FROM denials WHERE denier_id = a.actor_id)
           OR EXISTS (SELECT 1 FROM citations c WHERE c.source_id = a.actor_id
                      AND (c.cited_article_id IS NULL OR c.cited_article_id = '')
                      AND EXISTS (SELECT 1 FROM claim_mentions m WHERE m.citation_id = c.citation_id))
        ORDER BY a.actor_id""",
    )
    for actor in actors:
        yield (
            actor["actor_id"],
            {
                "@id": row_path("actors", actor["actor_id"]),
                "@type": SCHEMA_TYPES[actor["kind"]],
                "name": actor["name"],
            },
        )


def _article_node(article):
    node = {
        "@id": row_path("articles", article["article_id"]),
        "@type": "NewsArticle",
        "identifier": article["article_id"],
        "headline": article["title"],
        "datePublished": article["published"],
        "publisher": _ref("actors", article["outlet_id"]),
        "inLanguage": article["language"],
    }
    if article["url"]:
        node["url"] = article["url"]
    return node


def _appearance_node(mention):
    """The passage carrying a claim, tied to the claim from the passage's side."""
    node = {
        "@id": row_path("claim_mentions", mention["mention_id"]),
        "@type": "CreativeWork",
        "identifier": mention["mention_id"],
        "text": mention["quote"],
        **({"author": _ref("actors", mention["voice_id"])} if mention["voice_id"] else {}),
        "isPartOf": _ref("articles", mention["article_id"]),
        "@reverse": {"appearance": _ref("claims", mention["claim_id"])},
    }
    if mention["citation_id"]:
        if mention["cited_article_id"]:
            node["citation"] = _ref("articles", mention["cited_article_id"])
        else:
            work = {"@type": "CreativeWork"}
            if mention["source_id"]:
                work["author"] = _ref("actors", mention["source_id"])
            if mention["work"]:
                work["name"] = mention["work"]
            node["citation"] = work
    return node


def _denial_node(denial):
    node = {
        "@id": row_path("denials", denial["denial_id"]),
        "@type": "Claim",
        "identifier": denial["denial_id"],
        "author": _ref("actors", denial["denier_id"]),
        "about": _ref("claims", denial["claim_id"]),
        "appearance": [
            {
                "@type": "CreativeWork",
                "text": denial["quote"],
                "isPartOf": _ref("articles", denial["article_id"]),
            }
        ],
    }
    if denial["denied_on"]:
        node["dateCreated"] = denial["denied_on"]
    return node


def jsonld_parts(conn, article_ids=None):
    """The parts of claims.jsonld: every claim and actor node, and the parts of the chosen
    articles (all when article_ids is None)."""
    parts = [
        _part(0, (CLAIM_NODES, key), None, [_ENCODE(node)]) for key, node in _claim_nodes(conn)
    ]
    parts += [
        _part(0, (ACTOR_NODES, key), None, [_ENCODE(node)]) for key, node in _actor_nodes(conn)
    ]
    mentions, denials = _mentions(conn, article_ids), _denials(conn, article_ids)
    for article in _articles(conn, article_ids):
        key = article["article_id"]
        nodes = [_article_node(article)]
        nodes += [_appearance_node(mention) for mention in mentions.get(key, [])]
        nodes += [_denial_node(denial) for denial in denials.get(key, [])]
        parts.append(
            _part(
                0,
                (ARTICLE_NODES, article["not_before"], article["not_after"], key),
                key,
                [_ENCODE(node) for node in nodes],
            )
        )
    return parts


# --- W3C PROV-JSON -------------------------------------------------------------------

PROV_GROUPS = ("agent", "entity", "prefix", "wasAttributedTo", "wasDerivedFrom", "wasInfluencedBy")
AGENT, ENTITY, PREFIX, ATTRIBUTION, DERIVATION, INFLUENCE = range(len(PROV_GROUPS))


def _prov_layout():
    """One section per PROV-JSON group, in key order; each a JSON object of records."""
    sections = []
    for number, group in enumerate(PROV_GROUPS):
        start = "{\n" if number == 0 else ""
        end = "\n  }\n}\n" if number == len(PROV_GROUPS) - 1 else "\n  },\n"
        sections.append(Section(f'{start}  "{group}": {{\n'.encode(), b",\n", end.encode()))
    return sections


PROV_LAYOUT = _prov_layout()

BUKHARI = "bukhari"


def _name(local):
    """A qualified name in the bukhari namespace, as PROV-JSON writes a record's id or a formal argument."""
    return f"{BUKHARI}:{local}"


def _name_value(name):
    """A qualified name as an attribute value (prov writes it typed xsd:QName)."""
    return {"$": name, "type": "xsd:QName"}


def _int_value(number):
    """A whole number as an attribute value. prov types numbers up to 2**31 - 1 as
    xsd:int (larger ones as xsd:long), and offsets into a text never reach that."""
    return {"$": str(number), "type": "xsd:int"}


def _record(identifier, attributes):
    return f"{_ENCODE(identifier)}: {_ENCODE(attributes)}"


def _agent_records(conn):
    """Every actor that publishes an article or is cited, as a PROV agent."""
    actors = _query(
        conn,
        """
        SELECT a.actor_id, a.name, a.kind FROM actors a
        WHERE EXISTS (SELECT 1 FROM articles WHERE outlet_id = a.actor_id)
           OR EXISTS (SELECT 1 FROM citations WHERE source_id = a.actor_id)
        ORDER BY a.actor_id""",
    )
    for actor in actors:
        attributes = {"prov:label": actor["name"], f"{BUKHARI}:kind": actor["kind"]}
        if actor["kind"] == "person":
            attributes["prov:type"] = _name_value("prov:Person")
        elif actor["kind"] in PROV_ORGANISATION_KINDS:
            attributes["prov:type"] = _name_value("prov:Organization")
        identifier = _name(f"actors/{actor['actor_id']}")
        yield identifier, _record(identifier, attributes)


def _work_records(conn):
    """Each cited work as an entity, and its attribution to each source credited with it."""
    credited = _cited_works(conn)
    titles = dict(sorted({(work, title) for work, title, _ in credited}))
    entities, attributions = [], []
    for work, title in titles.items():
        identifier = _name(f"works/{work}")
        entities.append(
            (
                identifier,
                _record(
                    identifier,
                    {"prov:label": title, "prov:type": _name_value("schema:CreativeWork")},
                ),
            )
        )
    for work, _, source in credited:
        if source is None:
            continue
        identifier = _name(f"works/{work}#by-{source}")
        attributions.append(
            (
                identifier,
                _record(
                    identifier,
                    {
                        "prov:agent": _name(f"actors/{source}"),
                        "prov:entity": _name(f"works/{work}"),
                    },
                ),
            )
        )
    return entities, attributions


def _article_entity(article):
    attributes = {
        "prov:type": _name_value("schema:NewsArticle"),
        "prov:label": article["title"],
        f"{BUKHARI}:published": article["published"],
        f"{BUKHARI}:not_before": article["not_before"],
        f"{BUKHARI}:not_after": article["not_after"],
        f"{BUKHARI}:sha256": article["sha256"],
    }
    if article["url"]:
        attributes[f"{BUKHARI}:url"] = article["url"]
    return _record(_name(f"articles/{article['article_id']}"), attributes)


def _outlet_attribution(article):
    key = article["article_id"]
    return _record(
        _name(f"articles/{key}#outlet"),
        {
            f"{BUKHARI}:outlet_basis": article["outlet_basis"],
            f"{BUKHARI}:outlet_evidence": article["outlet_evidence"],
            "prov:agent": _name(f"actors/{article['outlet_id']}"),
            "prov:entity": _name(f"articles/{key}"),
        },
    )


def _cited(cited_article_id, work, source_id):
    """(qualified name, is an entity) of what a citation cites."""
    if cited_article_id:
        return _name(f"articles/{cited_article_id}"), True
    if work:
        return _name(f"works/{work}"), True
    return _name(f"actors/{source_id}"), False


def _citation_relation(citation):
    """(group, record) of one citation: a derivation between entities, else an influence."""
    if citation["via_citation_id"]:
        citing, citing_is_entity = _cited(
            citation["via_cited_article_id"], citation["via_work"], citation["via_source_id"]
        )
    else:
        citing, citing_is_entity = _name(f"articles/{citation['article_id']}"), True
    cited, cited_is_entity = _cited(
        citation["cited_article_id"], citation["work"], citation["source_id"]
    )
    attributes = {
        "prov:label": citation["quote"],
        f"{BUKHARI}:quote": citation["quote"],
        f"{BUKHARI}:quote_start": _int_value(citation["quote_start"]),
        f"{BUKHARI}:quote_end": _int_value(citation["quote_end"]),
        f"{BUKHARI}:article": _name_value(_name(f"articles/{citation['article_id']}")),
        **(
            {f"{BUKHARI}:source": _name_value(_name(f"actors/{citation['source_id']}"))}
            if citation["source_id"]
            else {}
        ),
        f"{BUKHARI}:medium": citation["medium"],
        f"{BUKHARI}:source_basis": citation["source_basis"],
    }
    if citation["cue"]:
        attributes[f"{BUKHARI}:cue"] = citation["cue"]
    if citation["via_citation_id"]:
        attributes[f"{BUKHARI}:via_citation"] = _name_value(
            _name(f"citations/{citation['via_citation_id']}")
        )
    if citing_is_entity and cited_is_entity:
        group, ends = DERIVATION, {"prov:generatedEntity": citing, "prov:usedEntity": cited}
    else:
        group, ends = INFLUENCE, {"prov:influencee": citing, "prov:influencer": cited}
    return group, _record(_name(f"citations/{citation['citation_id']}"), {**attributes, **ends})


def _citation_parts(article_id, citations):
    """An article's citations as at most two parts, its derivations and its influences.
    Their ids begin with the article id and "_", which no other article's do (article ids
    have no "_"), so each part's records lie together in key order."""
    owned_prefix = f"{article_id}_"
    strays = [c["citation_id"] for c in citations if not c["citation_id"].startswith(owned_prefix)]
    if strays:
        raise BuildError(
            [
                Problem(
                    CITATIONS_PROV,
                    None,
                    "citations.citation_id",
                    f"citation {key!r} of article {article_id!r} does not begin with {owned_prefix!r}",
                )
                for key in strays
            ]
        )
    by_group = {DERIVATION: [], INFLUENCE: []}
    for citation in citations:  # by citation id, so in key order
        group, record = _citation_relation(citation)
        by_group[group].append(record)
    key = (_name(f"citations/{owned_prefix}"),)
    return [
        _part(group, key, article_id, records) for group, records in by_group.items() if records
    ]


def prov_parts(conn, article_ids=None):
    """The parts of citations.prov.json: agents, works and prefixes, and the parts of the
    chosen articles (all when article_ids is None)."""
    parts = [
        _part(AGENT, (identifier,), None, [record]) for identifier, record in _agent_records(conn)
    ]
    prefixes = {BUKHARI: f"{SITE_ROOT}{DATABASE_PATH}/", "schema": "https://schema.org/"}
    parts += [_part(PREFIX, (name,), None, [_record(name, iri)]) for name, iri in prefixes.items()]
    work_entities, work_attributions = _work_records(conn)
    parts += [_part(ENTITY, (identifier,), None, [record]) for identifier, record in work_entities]
    parts += [
        _part(ATTRIBUTION, (identifier,), None, [record])
        for identifier, record in work_attributions
    ]
    citations = _citations(conn, article_ids)
    for article in _articles(conn, article_ids):
        key = article["article_id"]
        parts.append(_part(ENTITY, (_name(f"articles/{key}"),), key, [_article_entity(article)]))
        parts.append(
            _part(
                ATTRIBUTION, (_name(f"articles/{key}#outlet"),), key, [_outlet_attribution(article)]
            )
        )
        parts += _citation_parts(key, citations.get(key, []))
    return parts


# --- both ----------------------------------------------------------------------------


def export_parts(db, article_ids=None):
    """{file name: (layout, [Part, ...])} of every export, read from the published
    database (an sqlite3 connection or a sqlite_utils.Database). With article_ids, only
    the parts owned by those articles (an id not in the database gives none) and every
    corpus-wide part (owner None); without, every part."""
    conn = _connection(db)
    return {
        CLAIMS_JSONLD: (JSONLD_LAYOUT, jsonld_parts(conn, article_ids)),
        CITATIONS_PROV: (PROV_LAYOUT, prov_parts(conn, article_ids)),
    }


def export_bytes(db):
    """{file name: bytes} of every export, whole."""
    return {name: join_parts(layout, parts) for name, (layout, parts) in export_parts(db).items()}


def write_exports(db, folder, previous=None):
    """Write every export into folder (the build's scratch folder), from the database just
    written there; return {file name: (index, size, sha256)} as build.write.parts.write_parts
    gives them, for a later build to copy parts from. previous, for an incremental build
    (build.write.outputs.Previous), makes only the changed articles' parts and the corpus-wide
    ones, and copies the rest from the last build's exports."""
    owners = None if previous is None else previous.owners
    return {
        name: write_parts(
            folder / name, layout, parts, previous.reuse(name) if previous else None, digest=False
        )
        for name, (layout, parts) in export_parts(db, owners).items()
    }
