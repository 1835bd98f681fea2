"""The build cache: parsed seed files, keyed by their content, so that a rebuild parses
only the files that changed; and what the last build of each data folder read and wrote
(build/incremental/rebuild.py), so that a rebuild writes only what changed. Parsing YAML is most of the cost of reading a large corpus
(about 3 ms a file with libyaml; a cached file loads in a tenth of a millisecond).

The key is the SHA-256 of the file's bytes together with the version of the code that
parses them (build/read/ and PyYAML), so an edit to either reads everything afresh.
Only files that parsed cleanly are stored: a file with a problem is read again, and so
reported again, every time.

The cache is one SQLite file (by default .cache/build.sqlite, git-ignored), written by
sqlite-utils. It holds pickles that only this build writes; delete the file at any time
to start cold. A cache that cannot be opened or read is ignored, never an error."""

import hashlib
import pickle
import sqlite3
from pathlib import Path

import yaml

TABLE = "parsed"
STATES = "builds"
# The code that reads the seeds: build/read/ (the YAML loader and the text check).
_PARSER_SOURCES = sorted((Path(__file__).resolve().parent.parent / "read").glob("*.py"))
PARSER_VERSION = hashlib.sha256(
    b"".join(path.read_bytes() for path in _PARSER_SOURCES) + yaml.__version__.encode()
).hexdigest()


def content_key(data):
    """The cache key of one file's bytes: what they are and what parses them."""
    return hashlib.sha256(PARSER_VERSION.encode() + b"\0" + data).hexdigest()


class ParseCache:
    """Parsed files by content key, in one SQLite file; a no-op when path is None."""

    def __init__(self, path):
        self.db = None
        if path is None:
            return
        # Plain sqlite3 for two key-value tables: sqlite_utils (and the numpy it imports)
        # would cost every build's start, the one with nothing to do included.
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(path), timeout=30)
            # Disposable: a cache left broken by a crash is ignored, so no waiting for the disk.
            self.db.execute("PRAGMA synchronous = OFF")
            self.db.execute(
                f"create table if not exists [{TABLE}] ([key] text primary key, [value] blob)"
            )
        except (OSError, sqlite3.Error):
            self.db = None

    def get_many(self, keys):
        """{key: parsed value} for the keys that are cached."""
        if self.db is None or not keys:
            return {}
        found = {}
        keys = list(keys)
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                for key, value in self.db.execute(
                    f"select key, value from {TABLE} where key in ({marks})", chunk
                ):
                    found[key] = pickle.loads(value)
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return {}
        return found

    def put_many(self, items):
        """Store {key: parsed value}; a cache that cannot be written is left as it is."""
        if self.db is None or not items:
            return
        rows = (
            (key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            for key, value in items.items()
        )
        try:
            with self.db:
                self.db.executemany(f"insert or replace into [{TABLE}] values (?, ?)", rows)
        except sqlite3.Error:
            pass

    def get_state(self, key):
        """The state the last build of a data folder left (build.incremental.rebuild.BuildState), or None."""
        if self.db is None:
            return None
        try:
            for (value,) in self.db.execute(f"select value from {STATES} where key = ?", [key]):
                return pickle.loads(value)
        except (
            sqlite3.Error,
            pickle.UnpicklingError,
            EOFError,
            AttributeError,
            ImportError,
            TypeError,
        ):
            return None
        return None

    def put_state(self, key, state):
        """Store a data folder's build state, replacing the last; None forgets it."""
        if self.db is None:
            return
        try:
            with self.db:
                self.db.execute(
                    f"create table if not exists {STATES} (key text primary key, value blob)"
                )
                self.db.execute(f"delete from {STATES} where key = ?", [key])
                # The states of data folders since deleted (tests' temporary ones) go too.
                gone = [
                    other
                    for (other,) in self.db.execute(f"select key from {STATES}")
                    if not Path(other).is_dir()
                ]
                self.db.executemany(
                    f"delete from {STATES} where key = ?", [(other,) for other in gone]
                )
                if state is not None:
                    self.db.execute(
                        f"insert into {STATES} values (?, ?)",
                        [key, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)],
                    )
        except sqlite3.Error:
            pass

    def close(self):
        if self.db is not None:
            self.db.close()
