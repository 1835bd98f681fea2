"""What a release adds to datapackage.json and to the site: the version and date, who made
the data and who owns the texts, every article as a source, and the licences that say
what is whose; and the text-free variant of the package.

Licences: the tables and annotations are CC BY 4.0 (build/schema.yml, `licenses`), and
every resource says so, but the `text` column of `articles`, whose words belong to each
article's publisher: that resource (and its `text` field's description) says that too,
and the package lists both. The text-free variant (`datapackage-text-free.json`) is the
same package with `articles` read from `articles-text-free.csv`, the same rows less the
`text` column (quotes, offsets, URLs and each text's SHA-256 stay, so that someone who
obtains a text can check it and find every quote in it): all of it is CC BY 4.0, for
those who may not redistribute the texts."""

import contextlib
import html
import json
import sqlite3
from pathlib import Path

from build.release.record import content_fingerprint, served_release

PACKAGE_NAME = "datapackage.json"
TEXT_FREE_PACKAGE_NAME = "datapackage-text-free.json"
TEXT_FREE_ARTICLES = "articles-text-free.csv"
# The release's files beside the tables' CSVs (the text-free CSV is written with them).
RELEASE_OUTPUTS = (TEXT_FREE_ARTICLES, TEXT_FREE_PACKAGE_NAME)
TEXT_COLUMN = "text"


def published_articles(database):
    """[{article_id, title, published, url, outlet}] of every article in the database just
    written (also in an incremental build, whose tables hold the changed articles only),
    by id. The columns read all come before the text in each row, so no text is read."""
    query = (
        "SELECT a.article_id, a.title, a.published, a.url, a.outlet_id, o.name"
        " FROM articles a LEFT JOIN actors o ON o.actor_id = a.outlet_id ORDER BY a.article_id"
    )
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        rows = db.execute(query).fetchall()
    return [
        {
            "article_id": article_id,
            "title": title,
            "published": published,
            "url": url,
            "outlet": name or outlet,
        }
        for article_id, title, published, url, outlet, name in rows
    ]


def release_outputs(folder, descriptor, releases, database, text_free):
    """Write datapackage.json and its text-free variant into folder, beside the CSVs and
    the database just written there; return the package descriptor. descriptor:
    build.write.outputs.package_descriptor's; releases: the releases table's rows;
    text_free: (index, bytes, sha256) of the articles-text-free.csv written there."""
    folder = Path(folder)
    fingerprint = content_fingerprint(
        {res["name"]: res["hash"].removeprefix("sha256:") for res in descriptor["resources"]}
    )
    articles = published_articles(database)
    package = release_properties(descriptor, releases, fingerprint, articles)
    _, size, digest = text_free
    for name, value in (
        (PACKAGE_NAME, package),
        (TEXT_FREE_PACKAGE_NAME, text_free_descriptor(package, size, digest)),
    ):
        (folder / name).write_text(
            json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return package


def release_properties(descriptor, releases, fingerprint, articles):
    """The descriptor (build.schema's package, with paths and hashes) with what a release
    says: version, created, contributors (the schema's, and each outlet as the holder of
    its texts' rights), sources (every article, with its URL), homepage; and every
    resource's licences."""
    version, release = served_release(releases, fingerprint)
    described = dict(descriptor)
    described["version"] = version
    if release:
        described["created"] = f"{release['released']}T00:00:00Z"
        if release["homepage"]:
            described["homepage"] = release["homepage"]
    outlets = sorted({article["outlet"] for article in articles})
    described["contributors"] = list(descriptor.get("contributors", [])) + [
        {"title": outlet, "roles": ["rightsHolder"]} for outlet in outlets
    ]
    described["sources"] = [
        {
            "title": f"{a['outlet']}: {a['title']} ({a['published']})",
            **({"path": a["url"]} if a["url"] else {}),
        }
        for a in articles
    ]
    package_licenses = descriptor["licenses"]
    described["resources"] = [
        dict(res, licenses=res.get("licenses", package_licenses)) for res in descriptor["resources"]
    ]
    described["licenses"] = _unique(
        package_licenses + [lic for res in described["resources"] for lic in res["licenses"]]
    )
    # The descriptor's keys in a fixed order (a build is compared byte for byte).
    order = [
        "name",
        "title",
        "description",
        "version",
        "created",
        "homepage",
        "keywords",
        "contributors",
        "sources",
        "licenses",
        "resources",
    ]
    return {
        key: described[key]
        for key in order + sorted(set(described) - set(order))
        if key in described
    }


def text_free_descriptor(descriptor, size, digest):
    """The text-free variant of a package descriptor (see the module's docstring)."""
    variant = json.loads(json.dumps(descriptor))
    variant["name"] += "-text-free"
    variant["title"] += " (without the article texts)"
    variant["description"] += (
        " This variant leaves out the article texts (the articles table without its text column),"
        " which belong to their publishers: everything in it is CC BY 4.0."
    )
    open_licenses = descriptor["licenses"][:1]
    variant["licenses"] = open_licenses
    variant["contributors"] = [
        c for c in variant.get("contributors", []) if "rightsHolder" not in c.get("roles", [])
    ]
    for res in variant["resources"]:
        res["licenses"] = open_licenses
        if res["name"] != "articles":
            continue
        res["schema"]["fields"] = [f for f in res["schema"]["fields"] if f["name"] != TEXT_COLUMN]
        res["description"] += (
            " (In this variant, without the text column: the offsets index into the texts, which are not included; sha256 identifies each.)"
        )
        res.update(
            {
                "path": TEXT_FREE_ARTICLES,
                "bytes": size,
                "hash": f"sha256:{digest}",
            }
        )
    return variant


def _unique(licenses):
    """The licences, one of each name (the first, with its title)."""
    seen, kept = set(), []
    for lic in licenses:
        key = lic.get("name") or lic.get("path")
        if key not in seen:
            seen.add(key)
            kept.append(lic)
    return kept


def site_metadata(metadata, descriptor):
    """Datasette's metadata (as build.outputs.datasette_metadata makes it) with the release
    served said on the home page, every outlet whose texts are published named as the data's
    source in each page's footer, and each table's licence in its footer."""
    version, created = descriptor["version"], descriptor.get("created")
    if created:
        said = (
            f"<p><strong>Release {version}</strong> of {created[:10]}: "
            f'<a href="/provenance/changes?release={version}">what changed</a> since the release before, '
            f'<a href="/provenance/changelog">every release and its changes</a>; cite it as {html.escape(descriptor["title"])}, version {version} (CITATION.cff).'
        )
    else:
        after = version.split("+")[0]
        said = f"<p><strong>Unreleased data</strong> (version {version}): " + (
            f'built from the curated files as they are since release {after} (<a href="/provenance/releases">every release</a>); cite a release, not this.'
            if after != "0.0.0"
            else "no release of the data has been made yet."
        )
    said += (
        " The tables and annotations are CC BY 4.0; the article texts (the text column of articles) belong to"
        ' their publishers; <a href="/exports/datapackage-text-free.json">a package without them</a>.</p>'
    )
    metadata["description_html"] = said + "\n" + metadata.get("description_html", "")
    holders = [c["title"] for c in descriptor["contributors"] if "rightsHolder" in c["roles"]]
    metadata["source"] = ", ".join(holders)
    tables = metadata["databases"]["provenance"]["tables"]
    for res in descriptor["resources"]:
        table = tables.setdefault(res["name"], {})
        titles = [lic.get("title") or lic.get("name") for lic in res["licenses"]]
        table.setdefault("license", "; ".join(titles))
        url = next((lic["path"] for lic in res["licenses"] if lic.get("path")), None)
        if url:
            table.setdefault("license_url", url)
    return metadata
