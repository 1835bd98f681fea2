"""Datasette plugin: a build while the site is served never shows through half-way.

`provenance build` writes every output to a scratch folder inside the data folder and
then renames each file over the old one (build/write/outputs.py). Nothing is ever written in
place, so a file opened before a rename is still whole afterwards (the old inode), and
one opened after is the new build. Datasette 0.65, unaided, still gets this wrong:

- it opens one database connection per SQL thread, lazily, on that thread's first
  query; after a build the threads opened since read the new file and the others the
  old one, so requests flip between builds, and one table page (its count and its rows
  come from different threads) can say 96 rows and list 95;
- its download of the database reads the file's path afresh, under the ETag of
  whichever file it hashed first;
- its static files are sent with the size of the file found by one look and the bytes
  of the file found by the next, so a file replaced in between is cut off or overrun
  (the client sees a broken response); and it serves the scratch folder (/exports/.build-*/)
  too, half-written database included.

So this plugin:

- at startup copies each immutable database to a private folder and serves the copy,
  taken from one open file: every query, count, the database's hash and size, and its
  download (/provenance.db) are of the build the server started with, until it restarts
  (the copy, under 1 MB, is removed when the server stops; a killed server's copy is
  removed by the next server to start);
- serves the data folder (/exports/) itself: each file opened first and its size read
  from the open file, so each response is one whole file of one build; names starting
  with a dot (the scratch folders) are not served.

A running server therefore shows the build it started with, consistently, however many
builds happen meanwhile; /exports/ offers the newest files. Restart it after a build
(`make serve`) to serve the new build.

No copy is made of a database whose folder the server cannot write to, as in the container
image (the folder belongs to root, the server runs as nobody): a build replaces files by
renaming them inside that folder, and builds run as the user who serves (`make build`,
`make serve`), so nothing can change such a file under the server. There a copy would only
cost a second file's worth of disk, or of memory where the temporary folder is in memory
(Cloud Run), and a slower start.
"""

import asyncio
import mimetypes
import os
import shutil
import stat
import tempfile
import weakref
from pathlib import Path

from datasette import hookimpl

from build.paths import EXPORTS_MOUNT
from build.site import (
    internals,
)  # the one module that reaches into Datasette's private parts  # where build/site/serve.py mounts the data folder

CHUNK = 64 * 1024
# Each server's copy lives in the temporary folder, in provenance-serving-PID-*/.
SNAPSHOT_PREFIX = "provenance-serving-"


def snapshot(path, folder):
    """Copy the file at path into folder, from one open file, and return the copy's path."""
    target = Path(folder) / Path(path).name
    with open(path, "rb") as source, open(target, "wb") as copy:
        shutil.copyfileobj(source, copy, CHUNK)
    target.chmod(0o444)
    return str(target)


def remove_stale_snapshots():
    """Remove the copies of servers that are gone without cleaning up (killed)."""
    for folder in Path(tempfile.gettempdir()).glob(SNAPSHOT_PREFIX + "*"):
        pid = folder.name[len(SNAPSHOT_PREFIX) :].split("-")[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass  # another user's server, alive


# Each Datasette's clean-ups (one per copy), run when the server shuts down.
CLEANUPS = weakref.WeakKeyDictionary()


@hookimpl
def startup(datasette):
    # `datasette serve` runs this before any query. (Datasette's in-process test client
    # counts the tables first, so a few of its connections are of the original file.)
    remove_stale_snapshots()
    for db in list(datasette.databases.values()):
        if (
            db.path
            and not db.is_mutable
            and not db.is_memory
            and os.access(Path(db.path).parent, os.W_OK)
        ):
            folder = tempfile.mkdtemp(prefix=f"{SNAPSHOT_PREFIX}{os.getpid()}-")
            # On shutdown (see asgi_wrapper), when the Datasette is collected, or at exit.
            CLEANUPS.setdefault(datasette, []).append(
                weakref.finalize(datasette, shutil.rmtree, folder, True)
            )
            internals.serve_database_from(db, snapshot(db.path, folder))


def exports_folder(datasette):
    for prefix, folder in datasette.static_mounts:
        if prefix.strip("/") == EXPORTS_MOUNT:
            return Path(folder).resolve()
    return None


def open_export(folder, relative):
    """(file descriptor, size) of the file at relative inside folder, or an HTTP status."""
    parts = relative.split("/")
    if any(part.startswith(".") or not part for part in parts):
        return 404  # scratch folders (.build-*), hidden files, "..", empty segments
    path = folder.joinpath(*parts)
    if not os.path.realpath(path).startswith(str(folder) + os.sep):
        return 404
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return 404
    info = os.fstat(fd)  # the size of the file opened, whatever is renamed over it later
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        return 403 if stat.S_ISDIR(info.st_mode) else 404
    return fd, info.st_size


async def send_plain(send, status, text):
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def send_export(scope, send, datasette, folder):
    opened = open_export(folder, scope["path"][len(EXPORTS_MOUNT) + 2 :])
    if isinstance(opened, int):
        message = {403: "403: Directory listing is not allowed", 404: "404: File not found"}[opened]
        return await send_plain(send, opened, message)
    fd, size = opened
    try:
        content_type = mimetypes.guess_type(scope["path"])[0] or "text/plain"
        headers = [
            (b"content-type", content_type.encode("latin1")),
            (b"content-length", str(size).encode()),
        ]
        if datasette.cors:
            headers.append((b"access-control-allow-origin", b"*"))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        if scope["method"] == "HEAD":
            return await send({"type": "http.response.body", "body": b""})
        offset = 0
        while True:
            chunk = (
                await asyncio.to_thread(os.pread, fd, min(CHUNK, size - offset), offset)
                if offset < size
                else b""
            )
            offset += len(chunk)
            more = bool(chunk) and offset < size
            await send({"type": "http.response.body", "body": chunk, "more_body": more})
            if not more:
                return
    finally:
        os.close(fd)


@hookimpl
def asgi_wrapper(datasette):
    prefix = f"/{EXPORTS_MOUNT}/"

    def wrap(app):
        async def whole_files(scope, receive, send):
            if (
                scope["type"] == "http"
                and scope["method"] in ("GET", "HEAD")
                and scope["path"].startswith(prefix)
            ):
                folder = exports_folder(datasette)
                if folder is not None:
                    return await send_export(scope, send, datasette, folder)
            if scope["type"] == "lifespan":
                # The server is stopping (Ctrl-C or SIGTERM): remove the copy. uvicorn
                # re-raises SIGTERM afterwards, so no clean-up at exit would run.
                async def receive_and_clean_up():
                    message = await receive()
                    if message["type"] == "lifespan.shutdown":
                        for cleanup in CLEANUPS.pop(datasette, []):
                            cleanup()
                    return message

                return await app(scope, receive_and_clean_up, send)
            return await app(scope, receive, send)

        return whole_files

    return wrap
