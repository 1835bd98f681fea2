"""Publishing is all or nothing, one build per data folder at a time (build/write/publish.py):
a build killed while it moves its outputs in is finished by whatever next uses the folder;
two builds at once take turns, the second saying whom it waits for; nothing a killed build
left stays; worker processes end with their build, however it ends."""

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from build.write.publish import JOURNAL_NAME, LOCK_NAME, build_lock, publish, recover
from conftest import ROOT, SEEDS

MEMO = "articles/middle-east-monitor-2020-12-18.yml"
TITLE = 'title: Pakistan has "opened secret normalisation talks" with Israel'

# A build that kills itself (SIGKILL: no clean-up runs) once it has moved `after` outputs in.
KILLED_BUILD = textwrap.dedent("""
    import os, signal, sys
    data, after = os.path.realpath(sys.argv[1]), int(sys.argv[2])
    real_replace, moved = os.replace, []

    def replace(source, target, *args, **kwargs):
        real_replace(source, target, *args, **kwargs)
        if os.path.dirname(os.path.realpath(target)) == data and not os.path.basename(target).startswith("."):
            moved.append(target)
            if len(moved) == after:
                os.kill(os.getpid(), signal.SIGKILL)

    os.replace = replace
    from build.cli import cli
    cli(sys.argv[3:])
""")


def command(*args):
    """The command line of `provenance ARGS`, run from this checkout."""
    return [sys.executable, "-m", "build", *map(str, args)]


def run_to_end(argv):
    """Run argv as a process from this checkout, to its end."""
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)


def provenance(*args):
    """Run `provenance ARGS` as a process to its end."""
    return run_to_end(command(*args))


def start(*args):
    """Start `provenance ARGS` as a process, its output piped; it runs on."""
    return subprocess.Popen(
        command(*args), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def killed_build(data, after, seeds, cache):
    """Run a build of seeds into data that kills itself once it has moved `after` outputs in."""
    return run_to_end(
        [
            sys.executable,
            "-c",
            KILLED_BUILD,
            *map(str, [data, after, *build_args(seeds, data, cache)]),
        ]
    )


def build_args(seeds, data, cache):
    return [
        "build",
        "--seeds",
        seeds,
        "--data",
        data,
        "--metadata",
        ROOT / "metadata.yml",
        "--cache",
        cache,
    ]


def outputs(data):
    """The bytes of every published file but the database (whose bytes may differ between
    builds of the same rows), and the names of every file and folder."""
    return {
        p.name: p.read_bytes()
        for p in data.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix != ".db"
    }


def hidden(data):
    return sorted(p.name for p in data.iterdir() if p.name.startswith(".") and p.name != LOCK_NAME)


@pytest.fixture(scope="module")
def two_corpora(tmp_path_factory):
    """(seeds A, seeds B, reference outputs of A, of B): B retitles one article."""
    root = tmp_path_factory.mktemp("corpora")
    a, b = root / "a" / "seeds", root / "b" / "seeds"
    shutil.copytree(SEEDS, a)
    shutil.copytree(SEEDS, b)
    text = (b / MEMO).read_text(encoding="utf-8")
    assert TITLE in text
    (b / MEMO).write_text(
        text.replace(TITLE, "title: Pakistan opened talks, a report says"), encoding="utf-8"
    )
    references = []
    for seeds in (a, b):
        data = seeds.parent / "data"
        result = provenance(*build_args(seeds, data, seeds.parent / "cache.sqlite"))
        assert result.returncode == 0, result.stderr
        references.append(outputs(data))
    assert references[0] != references[1]
    return a, b, *references


def fresh_data(tmp_path, seeds):
    data = tmp_path / "data"
    result = provenance(*build_args(seeds, data, tmp_path / "cache.sqlite"))
    assert result.returncode == 0, result.stderr
    return data


@pytest.mark.slow  # real build processes, as all but the last here
@pytest.mark.parametrize("after", [1, 7])
def test_a_build_killed_during_the_swap_is_finished_before_anything_reads_the_folder(
    two_corpora, tmp_path, after
):
    a, b, reference_a, reference_b = two_corpora
    data = fresh_data(tmp_path, a)
    killed = killed_build(data, after, b, tmp_path / "cache.sqlite")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert outputs(data) != reference_b, "the kill came mid-swap: not every new file is in"
    assert (data / JOURNAL_NAME).exists()
    # Whatever uses the folder next finishes the swap first: here validation.
    result = provenance("validate", data / "datapackage.json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert outputs(data) == reference_b
    assert hidden(data) == [], "no journal, no scratch folder left"


@pytest.mark.slow
def test_a_build_after_a_killed_one_finishes_its_swap_and_then_builds(two_corpora, tmp_path):
    a, b, reference_a, reference_b = two_corpora
    data = fresh_data(tmp_path, a)
    killed = killed_build(data, 2, b, tmp_path / "cache.sqlite")
    assert killed.returncode == -signal.SIGKILL
    result = provenance(*build_args(a, data, tmp_path / "cache.sqlite"))
    assert result.returncode == 0, result.stderr
    assert outputs(data) == reference_a
    assert hidden(data) == []
    assert provenance("validate", data / "datapackage.json").returncode == 0


@pytest.mark.slow
def test_a_second_build_waits_for_the_first_and_says_who_holds_the_lock(two_corpora, tmp_path):
    a, b, reference_a, reference_b = two_corpora
    data = fresh_data(tmp_path, a)
    with open(data / LOCK_NAME, "a+", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock.write(f"the test's process {os.getpid()}\n")
        lock.flush()
        second = start(*build_args(b, data, tmp_path / "cache.sqlite"))
        time.sleep(3)
        assert second.poll() is None, "the second build went ahead"
        assert outputs(data) == reference_a
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert f"waiting for the test's process {os.getpid()}, which holds {data / LOCK_NAME}" in err
    assert outputs(data) == reference_b


@pytest.mark.slow
def test_two_builds_at_once_take_turns_and_leave_one_whole_build(two_corpora, tmp_path):
    a, b, reference_a, reference_b = two_corpora
    data = fresh_data(tmp_path, a)
    runs = [
        start(*build_args(seeds, data, tmp_path / f"cache-{n}.sqlite"), "--no-cache")
        for n, seeds in enumerate((b, a))
    ]
    results = [(run.wait(timeout=300), run.stderr.read()) for run in runs]
    assert [code for code, _ in results] == [0, 0], results
    assert outputs(data) in (reference_a, reference_b)
    assert hidden(data) == []
    assert provenance("validate", data / "datapackage.json").returncode == 0


@pytest.mark.slow
def test_leftovers_of_killed_builds_are_removed(two_corpora, tmp_path):
    a, *_ = two_corpora
    data = fresh_data(tmp_path, a)
    for leftover in (".build-killed", ".previous-killed"):
        (data / leftover).mkdir()
        (data / leftover / "provenance.db").write_bytes(b"x" * 1000)
    (data / (JOURNAL_NAME + ".12345")).write_text("{", encoding="utf-8")  # a journal never finished
    result = provenance(*build_args(a, data, tmp_path / "cache.sqlite"))
    assert result.returncode == 0, result.stderr
    assert hidden(data) == []


@pytest.mark.slow
def test_sigterm_ends_a_build_without_leaving_scratch(two_corpora, tmp_path):
    a, b, reference_a, reference_b = two_corpora
    data = fresh_data(tmp_path, a)
    run = start(*build_args(b, data, tmp_path / "cache.sqlite"), "--no-cache")
    while not any(p.name.startswith(".build-") for p in data.iterdir()) and run.poll() is None:
        time.sleep(0.01)
    run.send_signal(signal.SIGTERM)
    code = run.wait(timeout=120)
    assert code in (0, 128 + signal.SIGTERM), run.stderr.read()
    assert "Traceback" not in run.stderr.read()
    assert hidden(data) == []
    assert outputs(data) in (reference_a, reference_b)


@pytest.mark.slow
def test_workers_end_when_their_build_is_killed(tmp_path):
    """The workers of a killed build (SIGKILL: no clean-up) end within seconds."""
    script = textwrap.dedent("""
        import contextlib, sys, time
        from build.workers import map_on_cores
        with contextlib.ExitStack() as stack:
            results = map_on_cores(time.sleep, [60, 60], stack, worth_it=True)
            print("started", flush=True)
            time.sleep(60)
    """)
    parent = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout.readline().strip() == "started"
    deadline = time.monotonic() + 20
    children = []
    while time.monotonic() < deadline and len(children) < 2:
        children = [
            int(pid)
            for task in Path(f"/proc/{parent.pid}/task").iterdir()
            for pid in (task / "children").read_text().split()
        ]
        time.sleep(0.1)
    assert len(children) >= 2, children
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(
        Path(f"/proc/{pid}").exists()
        and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
        for pid in children
    ):
        time.sleep(0.1)
    alive = [
        pid
        for pid in children
        if Path(f"/proc/{pid}").exists()
        and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    ]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert alive == [], "workers outlived their killed build"


def test_publish_and_recover_in_process(tmp_path):
    """The swap itself: the journal is gone after a publish; a journal left by a kill is
    finished by recover, which also removes leftovers."""
    data = tmp_path / "data"
    scratch = data / ".build-one"
    with build_lock(data):  # taking it removes leftovers: the scratch folder comes after
        scratch.mkdir()
        for name in ("a.csv", "b.csv"):
            (scratch / name).write_text("new", encoding="utf-8")
            (data / name).write_text("old", encoding="utf-8")
        publish(scratch, data, ["a.csv", "b.csv"])
    assert {p.name: p.read_text() for p in data.iterdir() if not p.name.startswith(".")} == {
        "a.csv": "new",
        "b.csv": "new",
    }
    assert not (data / JOURNAL_NAME).exists()
    # as a kill would leave it: journal written, one file of two moved
    (scratch / "b.csv").write_text("newer", encoding="utf-8")
    (data / "a.csv").write_text("newer", encoding="utf-8")
    (data / JOURNAL_NAME).write_text(
        '{"scratch": ".build-one", "names": ["a.csv", "b.csv"]}', encoding="utf-8"
    )
    recover(data)
    assert (
        (data / "b.csv").read_text() == "newer"
        and not scratch.exists()
        and not (data / JOURNAL_NAME).exists()
    )
