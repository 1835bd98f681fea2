"""`make test` on a machine without Chromium (tests/chromium.py): installed when this is
root with apt-get, else a stop before any test runs, saying exactly what to install."""

import os
import subprocess
import sys
from pathlib import Path

import chromium

SCRIPT = Path(__file__).resolve().parent / "chromium.py"


def test_a_chromium_that_is_there_needs_nothing(tmp_path):
    found = tmp_path / "chromium"
    found.write_text("#!/bin/sh\n", encoding="utf-8")
    found.chmod(0o755)
    assert chromium.plan(found, is_root=False, apt_get=None) == ("ok", None)


def test_missing_as_root_with_apt_get_installs_debians_package(tmp_path):
    missing = tmp_path / "usr" / "bin" / "chromium"
    action, commands = chromium.plan(
        missing, is_root=True, apt_get="/usr/bin/apt-get", debian_chromium=missing
    )
    assert action == "install"
    assert commands == [
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
    ]


def test_missing_without_root_or_apt_get_says_what_to_install(tmp_path):
    missing = tmp_path / "chromium"
    for is_root, apt_get in ((False, "/usr/bin/apt-get"), (True, "")):
        action, message = chromium.plan(
            missing, is_root=is_root, apt_get=apt_get, debian_chromium=missing
        )
        assert action == "missing"
        assert f"Chromium at {missing}, which is not there" in message
        assert "sudo apt-get update && sudo apt-get install -y chromium" in message
        assert "make test CHROMIUM=/path/to/chromium" in message


def test_make_tests_first_step_stops_with_the_message_on_a_bare_machine(tmp_path):
    """As `make test` runs it, with CHROMIUM somewhere empty: exit 2 and the message,
    even as root (only Debian's own path is installed to)."""
    missing = tmp_path / "no-chromium-here"
    result = subprocess.run(
        [sys.executable, str(SCRIPT)],
        env={**os.environ, "CHROMIUM": str(missing)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2, result
    assert f"The browser tests need Chromium at {missing}" in result.stderr
    assert "sudo apt-get install -y chromium" in result.stderr


def test_the_makefile_runs_it_before_the_tests():
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest: ", 1)[1].split("\n\n", 1)[0]
    assert recipe.index("tests/chromium.py") < recipe.index("$(PYTEST)")
