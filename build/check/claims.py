"""seeds/claims.yml -> the claims and claim_actors rows."""

from build.check import story
from build.check.fields import Checker, Spec, column, fill, seed_file, unique_entries
from build.read.seeds import line_of_item

CLAIM_KEYS = {
    "id": column("claims", "claim_id"),
    "statement": column("claims", "statement"),
    "kind": column("claims", "kind"),
    "topic": column("claims", "topic"),
    "subject": Spec(required=True, fills="subject_id"),
    "actors": Spec("list", items="string"),
    "detail_of": Spec(),
    "attribute": Spec(),
    "value": Spec(),
    "presupposes": Spec("list", items="string"),  # these two: build/check/story.py
    "compatible_with": Spec("list", items="string"),
    "note": Spec(),
}
# The derived columns start so; check/summaries.py fills them from the articles.
DERIVED_START = {
    "status": "undenied",
    "mention_count": 0,
    "article_count": 0,
    "denial_count": 0,
    "first_candidates": 0,
    "first_uncertain": False,
}


def check_claims(seeds, actors, problems):
    """({claim id: row}, claim_actors rows, claim_relations rows) of claims.yml; problems
    appended to `problems`."""
    file = seed_file(seeds, "claims.yml")
    check = Checker(file)
    claims, records, claim_actors = {}, {}, []
    for _where, claim_id, record in unique_entries(seeds.claims, CLAIM_KEYS, "claim", check):
        records[claim_id] = record
        claims[claim_id] = fill(
            "claims", record, CLAIM_KEYS, **DERIVED_START, source_file=file, source_line=record.line
        )
    for claim_id, claim in claims.items():
        claim_actors += _check_claim(claim, records[claim_id], claims, actors, check)
    relations = story.claim_relations(check, records, claims)
    problems += check.problems
    return claims, claim_actors, relations


def _check_claim(claim, record, claims, actors, check):
    """Check one claim's references to actors and claims; return its claim_actors rows."""
    claim_id, subject, parent = claim["claim_id"], claim["subject_id"], claim["detail_of"]
    if subject is not None and subject not in actors:
        check.add(record.line_of("subject"), f"{claim_id}.subject", f"unknown actor id {subject!r}")
    involved = record.get("actors") or []
    for actor_index, actor_id in enumerate(involved):
        if actor_id not in actors:
            check.add(
                line_of_item(involved, actor_index, record.line_of("actors")),
                f"{claim_id}.actors[{actor_index}]",
                f"unknown actor id {actor_id!r}",
            )
    if parent is not None and parent not in claims:
        check.add(
            record.line_of("detail_of"), f"{claim_id}.detail_of", f"unknown claim id {parent!r}"
        )
    if (claim["attribute"] is None) != (claim["value"] is None):
        check.add(record.line, claim_id, "attribute and value go together: give both or neither")
    if claim["attribute"] is not None and parent is None:
        check.add(
            record.line_of("attribute"),
            f"{claim_id}.attribute",
            "an attribute needs detail_of (the claim it is a detail of)",
        )
    seen, cursor = {claim_id}, parent
    while cursor in claims:
        if cursor in seen:
            check.add(
                record.line_of("detail_of"),
                f"{claim_id}.detail_of",
                "detail_of goes round in a circle",
            )
            break
        seen.add(cursor)
        cursor = claims[cursor]["detail_of"]
    rows = [{"claim_id": claim_id, "actor_id": subject, "role": "subject"}]
    rows += [
        {"claim_id": claim_id, "actor_id": actor_id, "role": "involved"}
        for actor_id in dict.fromkeys(involved)
        if actor_id != subject
    ]
    return rows
