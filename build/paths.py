"""Where things are, once: the checkout's folders, the database's name, the exports mount."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = ROOT / "data"
METADATA = ROOT / "metadata.yml"
CACHE = ROOT / ".cache" / "build.sqlite"
STATIC = ROOT / "static"
PLUGINS = ROOT / "plugins"
TEMPLATES = ROOT / "templates"

DATABASE_NAME = "provenance.db"
# The database's path on the site: Datasette names a database after its file.
DATABASE_PATH = "/" + Path(DATABASE_NAME).stem
# Where the site serves the data folder (build/site/serve.py mounts it; the exports are there).
EXPORTS_MOUNT = "exports"
