"""Publishing a build into its data folder: all of it or none, one build at a time.

- **One build per data folder at a time.** A build holds an exclusive lock on
  DATA/.build.lock (`fcntl.flock`: the kernel lets go of it when the holder ends, however
  it ends) from before it reads the last build's outputs until its own are in place. A
  second build waits for it, saying which process holds the lock and since when.
- **All or nothing.** The outputs are written to a scratch folder in the data folder
  (DATA/.build-*/) and moved in by renaming each over the old one. Before the first rename,
  the list of files and the scratch folder's name go to a journal (DATA/.publish.json,
  itself written whole and renamed into place); after the last, the journal is removed.
  A build killed between the two (SIGKILL, a crash, the machine going down) leaves the
  journal, and whatever next takes the lock (a build, `provenance validate`, `provenance
  serve`) first finishes the renames from the scratch folder, which holds every new
  file, complete and validated, before it reads anything. SIGINT, SIGTERM and SIGHUP wait
  until the renames are done.
- **No scratch left.** A build removes its scratch folder however it fails; what a killed
  build left (DATA/.build-*/, the hard links DATA/.previous-*/ of an incremental build)
  is removed by the next holder of the lock, which alone could be using them.

What is not covered: readers that open files while a swap is under way (a few
milliseconds) may see one file of each build; the Datasette server is not affected (it
serves a private copy of the database, plugins/snapshot.py), but a download from
/exports/ started then may be of the other build than the one beside it.
"""

import contextlib
import fcntl
import json
import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

LOCK_NAME = ".build.lock"
JOURNAL_NAME = ".publish.json"
SCRATCH_PREFIX = ".build-"
PREVIOUS_PREFIX = ".previous-"  # build/incremental/rebuild.py snapshot_outputs
DEFERRED_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}

# Locks this process holds: {data folder: [open lock file, depth]}, so that a build
# holding its folder's lock can call what takes it again (write_outputs from build).
_held = {}


def _key(data_dir):
    # Per thread: flock locks belong to each open file, so another thread of this process
    # waits for this one as another process would.
    return os.path.realpath(data_dir), threading.get_ident()


def _holder(lock_file):
    lock_file.seek(0)
    text = lock_file.read().strip()
    return text or "another process"


@contextlib.contextmanager
def build_lock(data_dir, wait=True, say=None):
    """Hold data_dir's build lock (creating the folder and the lock file if missing);
    yield True. When another process holds it: with wait, say (a function of one line)
    who it is and wait for it; without, yield False at once."""
    data_dir = Path(data_dir)
    key = _key(data_dir)
    if key in _held:
        _held[key][1] += 1
        try:
            yield True
        finally:
            _held[key][1] -= 1
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    lock_file = open(data_dir / LOCK_NAME, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                yield False
                return
            (say or _say)(f"waiting for {_holder(lock_file)}, which holds {data_dir / LOCK_NAME}")
            fcntl.flock(lock_file, fcntl.LOCK_EX)
        lock_file.seek(0)
        lock_file.truncate()
        lock_file.write(
            f"the build of process {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}: {' '.join(sys.argv)[:200]}\n"
        )
        lock_file.flush()
        _held[key] = [lock_file, 1]
        try:
            recover(data_dir)
            yield True
        finally:
            del _held[key]
            lock_file.seek(0)
            lock_file.truncate()
            lock_file.flush()
    finally:
        lock_file.close()  # lets go of the lock


def _say(line):
    print(line, file=sys.stderr, flush=True)


def recover(data_dir):
    """Finish a swap a killed build left half-done, then remove what killed builds left.
    Only the holder of the lock may call this (build_lock does, on taking it)."""
    data_dir = Path(data_dir)
    journal = data_dir / JOURNAL_NAME
    try:
        entry = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        entry = None
    except (OSError, ValueError):
        entry = None  # a journal never completed: the swap had not begun
        journal.unlink(missing_ok=True)
    if entry is not None:
        scratch = data_dir / entry["scratch"]
        for name in entry["names"]:
            if (scratch / name).exists():
                os.replace(scratch / name, data_dir / name)
        _sync_folder(data_dir)
        journal.unlink()
    for leftover in list(data_dir.glob(SCRATCH_PREFIX + "*")) + list(
        data_dir.glob(PREVIOUS_PREFIX + "*")
    ):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    for stale in data_dir.glob(".publish.json.*"):
        stale.unlink(missing_ok=True)


def recover_if_idle(data_dir):
    """Recover data_dir (finish a killed build's swap) unless a build holds its lock now
    (then that build does); for readers of the folder: the server, validation."""
    data_dir = Path(data_dir)
    leftovers = [JOURNAL_NAME + "*", SCRATCH_PREFIX + "*", PREVIOUS_PREFIX + "*"]
    if not any(next(data_dir.glob(pattern), None) for pattern in leftovers):
        return  # nothing to do: no lock taken, nothing written (the folder may be read-only)
    with build_lock(data_dir, wait=False):
        pass


def publish(scratch, data_dir, names):
    """Move the files `names` from scratch into data_dir, all or (after a kill, once
    recovered) all: journal first, then one rename each, then no journal."""
    scratch, data_dir = Path(scratch), Path(data_dir)
    journal = data_dir / JOURNAL_NAME
    written = data_dir / f"{JOURNAL_NAME}.{os.getpid()}"
    with open(written, "w", encoding="utf-8") as file:
        json.dump({"scratch": scratch.name, "names": list(names)}, file)
        file.flush()
        os.fsync(file.fileno())
    previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, DEFERRED_SIGNALS)
    try:
        os.replace(written, journal)
        for name in names:
            os.replace(scratch / name, data_dir / name)
        _sync_folder(data_dir)
        journal.unlink()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)


def start_syncing(executor, paths, syncing):
    """syncing (futures), with one more for each file in paths it has none for yet:
    executor's thread puts that file on disk (fsync) while the build goes on. Before a
    publish, every one is waited for; the renames then wait for no file's blocks (ext4
    writes a file's blocks out when it is renamed over another)."""
    started = {future.path for future in syncing}
    for path in map(str, paths):
        if path not in started:
            future = executor.submit(_sync_file, path)
            future.path = path
            syncing.append(future)
    return syncing


def files_in(folder):
    """The paths of the regular files directly in folder."""
    return [entry.path for entry in os.scandir(folder) if entry.is_file(follow_symlinks=False)]


def _sync_file(path):
    with open(path, "rb") as file:
        os.fsync(file.fileno())


def _sync_folder(folder):
    """fsync a folder, so that the renames in it are on disk."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
