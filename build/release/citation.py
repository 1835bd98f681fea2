"""How to cite a release: CITATION.cff (Citation File Format 1.2.0) and .zenodo.json,
both made from the released datapackage.json, so that they say the same as the package.

Zenodo's GitHub integration archives each tagged release and gives it a DOI; it reads
.zenodo.json (upload type dataset, creators, licence, version, date, the texts' rights in
the notes) and would otherwise read CITATION.cff. GitHub shows CITATION.cff as "Cite this
repository".

CITATION.cff is checked against the Citation File Format's own JSON Schema, version
1.2.0 (cff-schema-1.2.0.json beside this file: the schema cffconvert 2.0.0 ships, taken
from its wheel on PyPI, SHA-256 0b8d2214...; CC BY 4.0, the Citation File Format
authors), with jsonschema (already pinned, for Frictionless). cffconvert itself is not a
dependency: it pins jsonschema < 4, and Frictionless needs 4."""

import json
from pathlib import Path

import jsonschema
import yaml

CFF_NAME = "CITATION.cff"
ZENODO_NAME = ".zenodo.json"
CFF_SCHEMA = Path(__file__).with_name("cff-schema-1.2.0.json")


def _creators(descriptor):
    return [
        c["title"] for c in descriptor.get("contributors", []) if "creator" in c.get("roles", [])
    ]


def _texts_note(descriptor):
    outlets = ", ".join(
        c["title"]
        for c in descriptor.get("contributors", [])
        if "rightsHolder" in c.get("roles", [])
    )
    return (
        f"The tables and annotations are CC BY 4.0. The article texts (the text column of the articles table) belong to their publishers ({outlets}), "
        "are reproduced, credited, for research and fact-checking, and are not under CC BY; datapackage-text-free.json is the package without them."
    )


def citation_cff(descriptor):
    """The text of CITATION.cff for a released package descriptor (with version and created)."""
    cff = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite this release as below. "
        + _texts_note(descriptor),
        "type": "dataset",
        "title": descriptor["title"],
        "version": descriptor["version"],
        "date-released": descriptor["created"][:10],
        "abstract": descriptor["description"],
        "authors": [{"name": name} for name in _creators(descriptor)],
        "keywords": descriptor.get("keywords", []),
        "license": "CC-BY-4.0",
    }
    if descriptor.get("homepage"):
        cff["url"] = descriptor["homepage"]
    header = "# Written by `provenance release` from data/datapackage.json: edit build/schema.yml and seeds/release.yml instead.\n"
    return header + yaml.safe_dump(cff, sort_keys=False, allow_unicode=True, width=100)


def zenodo_json(descriptor):
    """The text of .zenodo.json (Zenodo's deposit metadata) for a released package descriptor."""
    zenodo = {
        "upload_type": "dataset",
        "title": descriptor["title"],
        "version": descriptor["version"],
        "publication_date": descriptor["created"][:10],
        "description": descriptor["description"],
        "creators": [{"name": name} for name in _creators(descriptor)],
        "keywords": descriptor.get("keywords", []),
        "license": "cc-by-4.0",
        "access_right": "open",
        "notes": _texts_note(descriptor),
    }
    if descriptor.get("homepage"):
        zenodo["related_identifiers"] = [
            {"identifier": descriptor["homepage"], "relation": "isSupplementTo", "scheme": "url"}
        ]
    return json.dumps(zenodo, indent=2, ensure_ascii=False) + "\n"


def cff_problems(text):
    """What the Citation File Format 1.2.0 schema finds wrong with a CITATION.cff text:
    one message per error, naming the key path; [] when it is valid."""
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    data = yaml.safe_load(text)
    # YAML reads an unquoted date as a date; the schema (like cffconvert) wants its text.
    if hasattr(data.get("date-released"), "isoformat"):
        data["date-released"] = data["date-released"].isoformat()
    return [
        f"{'.'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
        for error in sorted(validator.iter_errors(data), key=str)
    ]
