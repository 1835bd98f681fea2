"""build/site/internals.py, the one module that reaches into Datasette's private parts:
written for one version, refusing any other, and the only place plugins reach from."""

import importlib
import re
import subprocess
import sys

import datasette
import pytest

from build.site import internals
from conftest import ROOT

# What only internals.py may touch: Datasette's private names and the classes it subclasses.
PRIVATE = re.compile(
    r"_table_permission_allows|handle_exception|setattr\(db|db\.path\s*=|cached_hash|"
    r"from datasette\.(database|facets) import|import datasette\.(database|facets|handle_exception)"
)


def test_it_is_written_for_the_pinned_datasette():
    """Fails on an upgrade: check each item in internals.py's docstring, then WRITTEN_FOR."""
    pinned = re.search(
        r"^datasette==(\S+)$", (ROOT / "requirements.lock").read_text(encoding="utf-8"), re.M
    ).group(1)
    assert internals.WRITTEN_FOR == pinned == datasette.__version__


def test_it_refuses_to_load_on_another_version(monkeypatch):
    monkeypatch.setattr(datasette, "__version__", "1.0a19")
    with pytest.raises(
        ImportError,
        match=r"private parts of Datasette 0\.65\.5 .* this is Datasette 1\.0a19: check each",
    ):
        importlib.reload(internals)
    monkeypatch.undo()
    importlib.reload(internals)


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "plugins").glob("*.py")) + sorted((ROOT / "build").rglob("*.py")),
    ids=lambda p: p.name,
)
def test_no_other_module_reaches_into_datasette(path):
    if path.name == "internals.py":
        return
    reaches = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if PRIVATE.search(line) and not line.lstrip().startswith("#")
    ]
    assert reaches == [], f"{path.relative_to(ROOT)}: go through build/site/internals.py"


def test_imported_first_it_leaves_datasettes_error_pages_whole():
    """In a fresh process, as when a test or a tool imports it before any Datasette app."""
    check = (
        "import build.site.internals\n"
        "from datasette.plugins import pm\n"
        "names = [i.plugin_name for i in pm.hook.handle_exception.get_hookimpls()]\n"
        "assert 'datasette.handle_exception' in names, names\n"
    )
    result = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
