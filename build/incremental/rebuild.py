"""Builds that redo only what changed.

A build remembers, in the build cache (build/incremental/cache.py), what it read and what it wrote
for its data folder: a fingerprint of every article file and its text (size, time and
SHA-256), each article's summary (what the corpus-wide columns need of its rows:
build.check.assemble.article_summary) and where each article's part of every output lies
(build/write/parts.py). The next build compares the seeds with that:

- When nothing corpus-wide changed (actors.yml, claims.yml, the extractor scores,
  metadata.yml, the --include-drafts option, the build's code and pinned libraries) and
  the outputs in the data folder are the ones it wrote, it reads and checks the changed,
  added and removed articles only (and the articles citing one that is gone, so that the
  broken reference is reported), derives the corpus-wide columns from the summaries, and
  writes every output by copying the unchanged articles' parts from the last build
  (build.write.outputs.write_outputs with a Previous), read through hard links taken at the
  start, so that another build replacing the outputs meanwhile cannot mix into this one.
  With nothing changed, it writes nothing.
- Otherwise, or when a large share of the articles changed, it builds everything.

Either way the outputs are the same bytes (the database the same rows):
tests/test_rebuild.py builds both ways and compares."""

import contextlib
import hashlib
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from stat import S_ISREG
from dataclasses import dataclass, field
from pathlib import Path

from build import paths, schema
from build.check.assemble import assemble_with_summaries, is_drafted
from build.write.outputs import DATABASE_NAME, Previous, load_site_metadata, write_outputs
from build.write.publish import build_lock
from build.read import limits
from build.read.seeds import SCORES_FILE, read_seeds
from build.release.record import CHANGES_FILE, RELEASE_FILE

PACKAGE = paths.ROOT / "build"

# What the outputs are made by: an edit to any of these makes the next build a full one.
CODE_FILES = sorted(PACKAGE.rglob("*.py")) + [
    PACKAGE / "schema.yml",
    paths.ROOT / "requirements.lock",
]
CORPUS_FILES = ("actors.yml", "claims.yml", "works.yml", SCORES_FILE, RELEASE_FILE, CHANGES_FILE)

# Past this share of changed articles, copying parts saves less than it costs.
FULL_BUILD_FROM = 0.25

# A file whose time is this close to when it was fingerprinted may have changed within the
# same tick of the clock without its size or time changing: it is read and hashed again.
RACY_NANOSECONDS = 2_000_000_000


@dataclass
class BuildState:
    """What one build read and wrote, for the next one to compare with."""

    code: str  # fingerprint of the build's code and pinned libraries
    corpus: str  # fingerprint of the corpus-wide inputs and options
    taken_at: int  # time.time_ns() when the files were fingerprinted
    files: dict = field(
        default_factory=dict
    )  # article id: (yml fingerprint, text name, text fingerprint)
    summaries: dict = field(default_factory=dict)  # article id: summary, None when not published
    outputs: dict = field(default_factory=dict)  # output file name: (size, mtime_ns) as written
    # output file name: (its parts' index [(section, key, owner, offset, length)], bytes,
    # sha256 or None), as write_parts returned them
    parts: dict = field(default_factory=dict)


@dataclass
class Result:
    counts: dict  # table: rows, in the whole build
    written: list  # paths written
    changed: object  # ids of the articles read again, or None for a full build


def code_fingerprint():
    """SHA-256 of the build's code, its schemas and the pinned library versions."""
    digest = hashlib.sha256()
    for path in CODE_FILES:
        digest.update(
            path.relative_to(paths.ROOT).as_posix().encode()
            + b"\0"
            + (path.read_bytes() if path.exists() else b"")
            + b"\0"
        )
    return digest.hexdigest()


def corpus_fingerprint(seeds_dir, metadata_path, include_drafts):
    """SHA-256 of everything corpus-wide a build reads, and its options."""
    digest = hashlib.sha256(f"include_drafts={bool(include_drafts)}\0".encode())
    for path in [Path(seeds_dir) / name for name in CORPUS_FILES] + [Path(metadata_path)]:
        problem = limits.file_problem(
            path, path.parent, limits.MAX_YAML_BYTES
        )  # no named pipe read (it would wait)
        try:
            digest.update(path.read_bytes() if problem is None else f"({problem})".encode())
        except OSError:
            digest.update(b"(missing)")
        digest.update(b"\0")
    return digest.hexdigest()


def fingerprint(path, known=None, taken_at=0):
    """(size, mtime_ns, sha256) of a file, or None if it cannot be read. When `known` (a
    fingerprint taken at taken_at) has the same size and time and is not racy, it stands
    without reading the file."""
    try:
        stat = os.stat(path)
        if not S_ISREG(stat.st_mode):
            return None  # a named pipe, a folder: the reader reports it
        if (
            known
            and known[:2] == (stat.st_size, stat.st_mtime_ns)
            and stat.st_mtime_ns < taken_at - RACY_NANOSECONDS
        ):
            return known
        return (stat.st_size, stat.st_mtime_ns, hashlib.sha256(Path(path).read_bytes()).hexdigest())
    except OSError:
        return None


def yml_fingerprints(seeds_dir, state=None):
    """{article id: fingerprint} of every article file, taken before any is read: a file
    edited after this is read again next time (its content no longer matches)."""
    folder = os.path.join(seeds_dir, "articles")
    names = (
        sorted(
            name
            for name in os.listdir(folder)
            if name.endswith(".yml") and limits.is_seed_name(name)
        )
        if os.path.isdir(folder)
        else []
    )
    old = state.files if state else {}
    taken_at = state.taken_at if state else 0
    return {
        name[:-4]: fingerprint(os.path.join(folder, name), old.get(name[:-4], (None,))[0], taken_at)
        for name in names
    }


def text_fingerprint(seeds_dir, text_name, text_bytes):
    """The fingerprint of an article's text as read: the file's size and time now, and the
    hash of the bytes the build used. If the file changed since it was read, its time is
    after the build began, so the next build hashes it again (RACY_NANOSECONDS)."""
    if not isinstance(text_name, str) or text_bytes is None:
        return None
    try:
        stat = os.stat(Path(seeds_dir) / text_name)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns, hashlib.sha256(text_bytes).hexdigest())


def same_content(one, other):
    """Whether two (yml fingerprint, text name, text fingerprint) name the same bytes."""
    return (
        one is not None
        and other is not None
        and one[1] == other[1]
        and all(
            a is not None and b is not None and a[2] == b[2]
            for a, b in ((one[0], other[0]), (one[2], other[2]))
        )
    )


def outputs_are_as_written(data_dir, state):
    """Whether every output the state describes is in data_dir as that build wrote it."""
    for name, (size, mtime_ns) in state.outputs.items():
        try:
            stat = os.stat(Path(data_dir) / name)
        except OSError:
            return False
        if (stat.st_size, stat.st_mtime_ns) != (size, mtime_ns):
            return False
    return bool(state.outputs)


def snapshot_outputs(data_dir, state):
    """A hidden folder in data_dir holding a hard link to each output the state describes,
    checked to be the file that build wrote; None when one is not. An incremental build
    copies from these links, so another build replacing the outputs meanwhile (each is
    renamed over the old one) cannot mix two builds' files into this one."""
    try:
        snapshot = Path(tempfile.mkdtemp(prefix=".previous-", dir=data_dir))
    except OSError:
        return None
    try:
        for name in state.outputs:
            os.link(Path(data_dir) / name, snapshot / name)
        if outputs_are_as_written(snapshot, state):
            return snapshot
    except OSError:
        pass
    shutil.rmtree(snapshot, ignore_errors=True)
    return None


def changed_articles(seeds_dir, metadata_path, include_drafts, state, ymls):
    """(ids of the articles to read again, {id: files fingerprint} of the others) when an
    incremental build can follow state; (None, {}) when everything must be built."""
    if (
        state is None
        or state.code != code_fingerprint()
        or state.corpus != corpus_fingerprint(seeds_dir, metadata_path, include_drafts)
    ):
        return None, {}
    unchanged, changed = {}, set(state.files) - set(ymls)
    real_folders = set()
    for article_id, yml in ymls.items():
        old = state.files.get(article_id)
        text = None
        if old is not None and yml is not None and old[0] is not None and yml[2] == old[0][2]:
            text = (
                fingerprint(os.path.join(seeds_dir, old[1]), old[2], state.taken_at)
                if isinstance(old[1], str)
                else None
            )
        now = (yml, old and old[1], text)
        if same_content(now, old) and not files_problem(
            seeds_dir, article_id, old[1], real_folders
        ):
            unchanged[article_id] = now
        else:
            changed.add(article_id)
    if len(changed) > FULL_BUILD_FROM * max(len(state.files), 1):
        return None, {}
    return changed, unchanged


def files_problem(seeds_dir, article_id, text_name, real_folders=None):
    """Whether an unchanged article's files would now fail the reader's file checks (a text
    made a symbolic link out of seeds/, made unreadable ...), which a fingerprint of size,
    time and content cannot see: the article is then read again, and the problem reported.
    real_folders: as limits.file_problem takes it, kept across the articles of one build."""
    seeds_dir = os.fspath(seeds_dir)
    yml = f"{seeds_dir}{os.sep}articles{os.sep}{article_id}.yml"
    if limits.file_problem(yml, seeds_dir, limits.MAX_YAML_BYTES, real_folders=real_folders):
        return True
    return (
        isinstance(text_name, str)
        and limits.file_problem(
            os.path.join(seeds_dir, text_name),
            seeds_dir,
            limits.MAX_TEXT_BYTES,
            real_folders=real_folders,
        )
        is not None
    )


def build(seeds_dir, data_dir, metadata_path, cache, include_drafts=False, progress=None, say=None):
    """Check the seeds and write every output to data_dir, redoing only what changed since
    the build whose state `cache` (a build.incremental.cache.ParseCache) holds for data_dir; return a
    Result. Raises BuildError, with nothing written, when anything is wrong. One build of
    a data folder at a time (build/write/publish.py): say(line) tells whom it waits for."""
    seeds_dir, data_dir = Path(seeds_dir), Path(data_dir)
    if not data_dir.is_dir():  # a first build: write_outputs takes the lock, making the folder
        return _build(seeds_dir, data_dir, metadata_path, cache, include_drafts, progress)
    # The last build's outputs and state are read under the lock, as well as written.
    with build_lock(data_dir, say=say):
        return _build(seeds_dir, data_dir, metadata_path, cache, include_drafts, progress)


def _build(seeds_dir, data_dir, metadata_path, cache, include_drafts, progress):
    key = str(data_dir.resolve())
    taken_at = time.time_ns()
    state = cache.get_state(key)
    site_metadata = load_site_metadata(metadata_path)
    ymls = yml_fingerprints(seeds_dir, state)
    owners, unchanged = changed_articles(seeds_dir, metadata_path, include_drafts, state, ymls)
    if owners == set() and outputs_are_as_written(data_dir, state):
        return Result(counts=table_counts(data_dir), written=[], changed=[])
    removal = None
    with contextlib.ExitStack() as stack:
        snapshot = snapshot_outputs(data_dir, state) if owners is not None else None
        if snapshot is None:
            owners, unchanged = None, {}
        else:
            stack.callback(shutil.rmtree, snapshot, ignore_errors=True)
        if owners is None:
            seeds = read_seeds(seeds_dir, cache, progress)
            tables, summaries = assemble_with_summaries(seeds, progress, include_drafts)
            previous = None
        else:
            seeds = read_seeds(seeds_dir, cache, progress, articles=owners)
            published_now = {
                a.article_id for a in seeds.articles if include_drafts or not is_drafted(a.record)
            }
            gone = owners - published_now
            # An article citing one that is gone is checked again, to report the broken citation.
            citing = {
                key
                for key in unchanged
                if state.summaries.get(key) and set(state.summaries[key].cites) & gone
            }
            if citing:
                owners |= citing
                unchanged = {key: files for key, files in unchanged.items() if key not in citing}
                seeds = read_seeds(seeds_dir, cache, progress, articles=owners)
            published = {key: state.summaries.get(key) for key in unchanged}
            tables, summaries = assemble_with_summaries(seeds, progress, include_drafts, published)
            summaries = {**published, **summaries}
            previous = Previous(snapshot, state.parts, frozenset(owners))
        written = write_outputs(tables, data_dir, metadata_path, site_metadata, progress, previous)
        if snapshot is not None:
            # The snapshot holds the last links to the last build's outputs: freeing their
            # blocks (slow where the disk is mounted with discard) goes on while the state
            # is written, in a thread of its own.
            stack.pop_all()
            removal = threading.Thread(target=shutil.rmtree, args=(snapshot, True))
            removal.start()
    files = dict(unchanged)
    for article in seeds.articles:
        text_name = article.record.get("text")
        files[article.article_id] = (
            ymls.get(article.article_id),
            text_name,
            text_fingerprint(seeds_dir, text_name, article.text_bytes),
        )
    outputs = {}
    for path in written.paths:
        stat = os.stat(path)
        outputs[path.name] = (stat.st_size, stat.st_mtime_ns)
    cache.put_state(
        key,
        BuildState(
            code=code_fingerprint(),
            corpus=corpus_fingerprint(seeds_dir, metadata_path, include_drafts),
            taken_at=taken_at,
            files=files,
            summaries={key: summaries.get(key) for key in files},
            outputs=outputs,
            parts=written.parts,
        ),
    )
    counts = table_counts(data_dir)
    if removal is not None:
        removal.join()
    return Result(
        counts=counts,
        written=written.paths,
        changed=None if previous is None else sorted(owners),
    )


def table_counts(data_dir):
    """{table: rows} of the published tables, from the database just written."""
    connection = sqlite3.connect(f"file:{Path(data_dir) / DATABASE_NAME}?mode=ro", uri=True)
    try:
        return {
            res["name"]: connection.execute(f"select count(*) from [{res['name']}]").fetchone()[0]
            for res in schema.resources()
        }
    finally:
        connection.close()
