"""What the browser tests need: Chromium, driven by Playwright (which never downloads a
browser of its own here). `make test` runs this first (`python tests/chromium.py`):

- Chromium found (at $CHROMIUM, else /usr/bin/chromium): nothing to do.
- Missing, and this is root on a system with apt-get (Debian, Ubuntu, CI): installs
  Debian's `chromium` package.
- Missing otherwise: stops, saying exactly what to install, before any test runs.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")  # where Debian's package puts it
CHROMIUM = Path(os.environ.get("CHROMIUM") or DEBIAN_CHROMIUM)
APT_COMMANDS = [
    ["apt-get", "update"],
    ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
]


def missing_message(chromium):
    """What to tell a person whose machine lacks Chromium and who is not root."""
    return (
        f"The browser tests need Chromium at {chromium}, which is not there.\n"
        "Install it, then run `make test` again:\n"
        "    sudo apt-get update && sudo apt-get install -y chromium     # Debian, Ubuntu\n"
        "or point CHROMIUM at a Chromium or Chrome you have:\n"
        "    make test CHROMIUM=/path/to/chromium\n"
        "(`make test-fast` runs the tests that need no browser.)"
    )


def plan(chromium=CHROMIUM, is_root=None, apt_get=None, debian_chromium=DEBIAN_CHROMIUM):
    """("ok", None), ("install", the commands to run) or ("missing", the message). Only
    Debian's own path is installed to; a CHROMIUM elsewhere that is missing is reported."""
    if Path(chromium).is_file() and os.access(chromium, os.X_OK):
        return "ok", None
    is_root = os.geteuid() == 0 if is_root is None else is_root
    apt_get = shutil.which("apt-get") if apt_get is None else apt_get
    if is_root and apt_get and Path(chromium) == Path(debian_chromium):
        return "install", APT_COMMANDS
    return "missing", missing_message(chromium)


def main():
    action, detail = plan()
    if action == "install":
        print(
            f"{CHROMIUM} is missing: installing Debian's chromium for the browser tests", flush=True
        )
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in detail:
            subprocess.run(command, check=True, env=environment, stdout=subprocess.DEVNULL)
        action, detail = plan()
    if action == "missing":
        print(detail, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
