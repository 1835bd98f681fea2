"""`provenance release` (make release): check that everything is green, then give the data
its next version, record what changed since the last release, write the version into the
package, CITATION.cff, .zenodo.json and the site, commit and tag.

The checks, each reported as `file:line: field: message` and all before anything is
written: the git tree is clean; the seeds check and a fresh build (no cache, in a scratch
folder) equals the committed data/ byte for byte; `frictionless validate` passes on the
package and on its text-free variant; the fast test tier passes (`make test-fast`, or
pytest without the browser and load tests where the Makefile has no such target); the
site's address is set in seeds/release.yml.

The version follows semantic versioning of the data (build/release/changes.next_version):
a release that removes rows, columns or tables is a major one (a cited row or a query may
break), one that adds some a minor one, one that only changes values a patch. `--version`
names it instead (it must come after the last)."""

import datetime
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import yaml

from build.incremental.cache import ParseCache
from build.write.outputs import DATABASE_NAME, METADATA_NAME, PACKAGE_NAME
from build.write.publish import build_lock
from build.problems import BuildError, Problem
from build.release import changes as diff
from build.release.citation import CFF_NAME, ZENODO_NAME, cff_problems, citation_cff, zenodo_json
from build.release.package import TEXT_FREE_PACKAGE_NAME
from build.release.record import (
    CHANGES_FILE,
    RELEASE_FILE,
    VERSION,
    changes_csv,
    content_fingerprint,
    read_releases,
)

# Outputs a build writes that are not committed (.gitignore): the database and Datasette's metadata.
NOT_COMMITTED = {DATABASE_NAME, METADATA_NAME}
FAST_TESTS = "make test-fast"
# Until the Makefile has a fast tier: everything but the slow, browser and load tests.
FAST_TESTS_FALLBACK = [
    sys.executable,
    "-m",
    "pytest",
    "-q",
    "-x",
    "-m",
    "not slow",
    "--ignore=tests/test_charts.py",
    "--ignore=tests/test_load.py",
]


def git(repo, *args, check=True):
    """Run git in repo; its standard output, stripped."""
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise BuildError(
            [
                Problem(
                    "git",
                    None,
                    "",
                    f"git {' '.join(args)}: {done.stderr.strip() or done.returncode}",
                )
            ]
        )
    return done.stdout.strip()


def check_clean_tree(repo):
    """Problems: every file git sees modified or untracked (ignored files are fine)."""
    status = git(repo, "status", "--porcelain")
    return [
        Problem(line[3:], None, "", "uncommitted change: commit or stash it before releasing")
        for line in status.splitlines()
    ]


def check_fresh_build(seeds_dir, data_dir, metadata_path, repo):
    """Problems: each committed output in data_dir that a fresh build (no cache) does not
    make byte for byte, and each output it makes that is not committed."""
    from build.incremental import rebuild as incremental

    scratch = Path(tempfile.mkdtemp(prefix="release-build-"))
    try:
        incremental.build(seeds_dir, scratch, metadata_path, ParseCache(None))
        # Hidden files are the build's machinery (its lock), not outputs.
        made = {
            path.name
            for path in scratch.iterdir()
            if path.is_file() and path.name not in NOT_COMMITTED and not path.name.startswith(".")
        }
        tracked = set(git(repo, "ls-files", "--", str(Path(data_dir).resolve())).splitlines())
        committed = {Path(name).name for name in tracked}
        shown = Path(data_dir).name
        problems = []
        for name in sorted(made | committed):
            if name not in committed:
                problems.append(
                    Problem(
                        f"{shown}/{name}",
                        None,
                        "",
                        "a fresh build makes this file but it is not committed: build and commit data/",
                    )
                )
            elif name not in made:
                problems.append(
                    Problem(
                        f"{shown}/{name}",
                        None,
                        "",
                        "committed, but a fresh build no longer makes it: remove it",
                    )
                )
            elif (scratch / name).read_bytes() != (Path(data_dir) / name).read_bytes():
                problems.append(
                    Problem(
                        f"{shown}/{name}",
                        None,
                        "",
                        "differs from a fresh build: run `provenance build` and commit data/",
                    )
                )
        return problems
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def check_packages(data_dir):
    """Problems `frictionless validate` (the command) finds in the package and in its
    text-free variant."""
    frictionless = Path(sys.executable).with_name("frictionless")
    problems = []
    for name in (PACKAGE_NAME, TEXT_FREE_PACKAGE_NAME):
        path = Path(data_dir) / name
        done = subprocess.run(
            [str(frictionless), "validate", str(path)], capture_output=True, text=True
        )
        if done.returncode != 0:
            problems.append(
                Problem(
                    f"{Path(data_dir).name}/{name}",
                    None,
                    "",
                    "frictionless validate failed:\n" + (done.stdout + done.stderr).strip()[-2000:],
                )
            )
    return problems


def check_tests(repo, command=None):
    """Problems: the fast test tier failing (its last lines)."""
    if command is None:
        makefile = Path(repo) / "Makefile"
        has_target = makefile.exists() and any(
            line.startswith("test-fast:") for line in makefile.read_text().splitlines()
        )
        command = FAST_TESTS.split() if has_target else FAST_TESTS_FALLBACK
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        return [
            Problem(
                " ".join(command), None, "", f"the tests failed (exit {done.returncode}):\n{tail}"
            )
        ]
    return []


def previous_package(repo, version, into, data_dir):
    """The folder of the package released as `version`: data_dir at its git tag, exported."""
    tag = f"v{version}"
    folder = Path(data_dir).resolve().relative_to(Path(repo).resolve()).as_posix()
    if git(repo, "rev-parse", "-q", "--verify", f"refs/tags/{tag}", check=False) == "":
        raise BuildError(
            [
                Problem(
                    "git",
                    None,
                    "",
                    f"no tag {tag} for the last release in {RELEASE_FILE}: fetch the tags, or name its package with --previous",
                )
            ]
        )
    archive = Path(into) / "previous.tar"
    with open(archive, "wb") as out:
        subprocess.run(
            ["git", "-C", str(repo), "archive", "--format=tar", tag, folder], stdout=out, check=True
        )
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return Path(into) / folder


def plan(seeds_dir, data_dir, previous, version=None):
    """(version, change rows) of the next release: the committed package in data_dir
    against the package folder `previous` (None for a first release)."""
    record = read_releases(seeds_dir)
    last = record.last["version"] if record.last else None
    if last and previous is None:
        raise BuildError(
            [
                Problem(
                    str(Path(seeds_dir) / RELEASE_FILE),
                    None,
                    "",
                    f"no package to compare with release {last}",
                )
            ]
        )
    before = diff.read_package(previous) if previous else {}
    after = diff.read_package(data_dir)
    proposed = diff.next_version(last, diff.package_changes(before, after, "next"))
    if version is None:
        if proposed is None:
            raise BuildError(
                [
                    Problem(
                        f"{Path(data_dir).name}/{PACKAGE_NAME}",
                        None,
                        "",
                        f"no row, column or table differs from release {last}: nothing to release (name a --version to release anyway)",
                    )
                ]
            )
        version = proposed
    elif not VERSION.fullmatch(version) or (
        last and tuple(map(int, version.split("."))) <= tuple(map(int, last.split(".")))
    ):
        raise BuildError(
            [
                Problem(
                    "--version",
                    None,
                    "",
                    f"expected MAJOR.MINOR.PATCH after {last or 'nothing'}, got {version!r}",
                )
            ]
        )
    return version, diff.package_changes(before, after, version)


def write_record(seeds_dir, data_dir, version, date, notes, rows, homepage):
    """Add the release to seeds/release.yml and its changes to seeds/changes.csv."""
    record = read_releases(seeds_dir)
    descriptor = json.loads((Path(data_dir) / PACKAGE_NAME).read_text(encoding="utf-8"))
    digests = {res["name"]: res["hash"].removeprefix("sha256:") for res in descriptor["resources"]}
    fields = ("version", "date", "content_sha256", "homepage", "notes")
    entries = [{k: r[k] for k in fields if r[k] is not None} for r in record.releases]
    entry = {
        "version": version,
        "date": date,
        "content_sha256": content_fingerprint(digests),
        "homepage": homepage,
        "notes": notes,
    }
    entries.append({k: v for k, v in entry.items() if v is not None})
    header = (
        "# The releases of the data, oldest first, written by `provenance release` (make release);\n"
        "# the build publishes them as the releases table and writes the last into datapackage.json.\n"
        "# homepage is the site's public address, for datapackage.json and CITATION.cff.\n"
    )
    body = yaml.safe_dump(
        {"homepage": homepage, "releases": entries}, sort_keys=False, allow_unicode=True, width=100
    )
    (Path(seeds_dir) / RELEASE_FILE).write_text(header + body, encoding="utf-8")
    (Path(seeds_dir) / CHANGES_FILE).write_bytes(changes_csv(record.changes + rows))


def write_citation(repo, data_dir):
    """Write CITATION.cff and .zenodo.json from the released package; problems the CFF
    schema finds in it."""
    descriptor = json.loads((Path(data_dir) / PACKAGE_NAME).read_text(encoding="utf-8"))
    cff = citation_cff(descriptor)
    (Path(repo) / CFF_NAME).write_text(cff, encoding="utf-8")
    (Path(repo) / ZENODO_NAME).write_text(zenodo_json(descriptor), encoding="utf-8")
    return [Problem(CFF_NAME, None, "", message) for message in cff_problems(cff)]


def release(
    repo,
    seeds_dir,
    data_dir,
    metadata_path,
    cache_path=None,
    version=None,
    date=None,
    notes=None,
    homepage=None,
    previous=None,
    test_command=None,
    dry_run=False,
    echo=print,
):
    """Check, then cut the release (see the module's docstring); return its version.
    homepage, when given, is the site's address from now on (else seeds/release.yml's).
    Raises BuildError listing every problem, before anything is written when a check fails.
    From the comparison with the last release to the commit it holds data_dir's build lock
    (build/write/publish.py), so that no other build changes data/ meanwhile; its own build
    takes the lock again, as the same process. The checks run without it: the tests may
    build."""
    repo, seeds_dir, data_dir = Path(repo), Path(seeds_dir), Path(data_dir)
    record = read_releases(seeds_dir)
    homepage = homepage or record.homepage
    check(repo, seeds_dir, data_dir, metadata_path, record, homepage, test_command, echo)
    with build_lock(data_dir, say=echo):
        with tempfile.TemporaryDirectory(prefix="release-previous-") as scratch:
            if previous is None and record.last:
                previous = previous_package(repo, record.last["version"], scratch, data_dir)
            version, rows = plan(seeds_dir, data_dir, previous, version)
        found = ", ".join(f"{count} {kind}" for kind, count in diff.counts(rows).items() if count)
        last = record.last["version"] if record.last else "nothing"
        echo(f"release {version}: {found or 'no row changed'} against {last}")
        if dry_run:
            return version
        date = date or datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        write_record(seeds_dir, data_dir, version, date, notes, rows, homepage)
        rebuild(seeds_dir, data_dir, metadata_path, cache_path, version)
        problems = write_citation(repo, data_dir)
        if problems:
            raise BuildError(problems)
        commit_and_tag(
            repo, [seeds_dir / RELEASE_FILE, seeds_dir / CHANGES_FILE, data_dir], version, notes
        )
    echo(f"committed and tagged v{version}")
    return version


def check(repo, seeds_dir, data_dir, metadata_path, record, homepage, test_command, echo):
    """Every check a release needs (the module's docstring); BuildError when one fails."""
    problems = check_clean_tree(repo)
    if homepage is None:
        message = "set the site's public address (https://...), or give --homepage: datapackage.json and CITATION.cff give it"
        problems.append(
            Problem(f"{seeds_dir.name}/{RELEASE_FILE}", record.homepage_line, "homepage", message)
        )
    elif not re.fullmatch(r"https?://\S+", homepage):
        problems.append(
            Problem(
                "--homepage",
                None,
                "",
                f"expected the site's address (https://...), got {homepage!r}",
            )
        )
    steps = [
        (
            "a fresh build equals the committed data/",
            lambda: check_fresh_build(seeds_dir, data_dir, metadata_path, repo),
        ),
        ("frictionless validate, both packages", lambda: check_packages(data_dir)),
        ("the fast tests", lambda: check_tests(repo, test_command)),
    ]
    for what, step in steps:
        if problems:
            raise BuildError(problems)
        echo(f"checking: {what}")
        problems += step()
    if problems:
        raise BuildError(problems)


def rebuild(seeds_dir, data_dir, metadata_path, cache_path, version):
    """Build data/ with the release record; BuildError unless it is that release."""
    from build.incremental import rebuild as incremental

    cache = ParseCache(cache_path)
    try:
        incremental.build(seeds_dir, data_dir, metadata_path, cache)
    finally:
        cache.close()
    # The build validated its rows (Frictionless) and keys (SQLite); the packages passed
    # `frictionless validate` before, and only the release tables and descriptors changed.
    said = json.loads((data_dir / PACKAGE_NAME).read_text(encoding="utf-8")).get("version")
    if said != version:
        message = f"the build says {said!r}, not {version}: the tables changed while releasing"
        raise BuildError([Problem(f"{data_dir.name}/{PACKAGE_NAME}", None, "version", message)])


def commit_and_tag(repo, paths, version, notes):
    """Commit paths, CITATION.cff and .zenodo.json as the release, and tag it vVERSION (annotated)."""
    paths = [*paths, repo / CFF_NAME, repo / ZENODO_NAME]
    git(repo, "add", "--", *(str(p.resolve()) for p in paths))
    message = f"Release {version}" + (f": {notes}" if notes else "")
    git(repo, "commit", "-q", "-m", message)
    git(repo, "tag", "-a", f"v{version}", "-m", message)
