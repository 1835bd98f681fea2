"""Static files under hashed URLs: which version of each file under the `static` mount a
page links (plugins/assets.py serves them, plugins/charts.py and templates link them)."""

import os
import weakref
from pathlib import Path

from servestatic import ServeStaticASGI
from servestatic.manifest_hash import get_hashed_name

STATIC_MOUNT = "static"
SHORT_SECONDS = 300


class Assets:
    """The files of one static folder: {relative path: hashed relative path}."""

    def __init__(self, root):
        self.root = Path(root).resolve()
        self.hashed = {}
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith(".") or name.endswith((".gz", ".br")):
                    continue  # hidden files; compressed copies, which servestatic sends in the file's place
                path = Path(folder) / name
                relative = path.relative_to(self.root).as_posix()
                self.hashed[relative] = (
                    Path(get_hashed_name(path)).relative_to(self.root).as_posix()
                )
        self.immutable_urls = {f"/{STATIC_MOUNT}/{hashed}" for hashed in self.hashed.values()}

    def url(self, relative):
        """The hashed URL of the file at relative (to the static folder), or its plain URL
        when there is no such file (a mistake that then shows as a 404, not a crash)."""
        relative = relative.lstrip("/")
        return f"/{STATIC_MOUNT}/{self.hashed.get(relative, relative)}"

    def serve(self, app):
        """app, with the static folder served in front of it at plain and hashed URLs."""
        server = ServeStaticASGI(
            app,
            max_age=SHORT_SECONDS,
            allow_all_origins=True,
            immutable_file_test=lambda path, url: url in self.immutable_urls,
        )
        server.add_files(self.root, prefix=f"/{STATIC_MOUNT}/")
        for relative, hashed in self.hashed.items():
            server.add_file_to_dictionary(f"/{STATIC_MOUNT}/{hashed}", str(self.root / relative))
        return server


_ASSETS = weakref.WeakKeyDictionary()


def assets(datasette):
    """The Assets of datasette's `static` mount (worked out once per Datasette), or None."""
    if datasette not in _ASSETS:
        folder = dict((prefix.strip("/"), path) for prefix, path in datasette.static_mounts).get(
            STATIC_MOUNT
        )
        _ASSETS[datasette] = Assets(folder) if folder else None
    return _ASSETS[datasette]


def hashed_url(datasette, relative):
    found = assets(datasette)
    return found.url(relative) if found else f"/{STATIC_MOUNT}/{relative.lstrip('/')}"
