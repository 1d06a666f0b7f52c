"""One index build at a time (issue 21, item 6), with real processes.

The attack: two ``index`` runs into the same folder, one paused just before its swap. Without a lock
both exited 0 and each deleted the other's build, leaving the pointer on a missing build (503 until
the next build). Here run A pauses on its last post (inside the build, before the swap) by waiting
for a file; run B is ``python run.py index`` started meanwhile. B must stop at once with a clear
message and change nothing; A then finishes; the index is usable throughout. A build killed while it
holds the lock leaves nothing that stops the next one.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from search.store import current_build, index_problem, verify_index

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "corpus"
HANG_GUARD = 120  # seconds; a build of the seed takes about two

# Run A: build_index with a progress callback that, on the last post, says so and waits to be let go.
PAUSED_BUILD = """
import sys, time
from pathlib import Path
from indexer.build import build_index
corpus, root, ready, go = sys.argv[1:5]
def progress(done, total):
    if done == total:
        Path(ready).write_text("ready")
        while not Path(go).exists():
            time.sleep(0.02)
build_index(corpus, root, progress=progress)
"""


def _start_paused(root: Path, signals: Path) -> subprocess.Popen:
    signals.mkdir(exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-c", PAUSED_BUILD, str(CORPUS), str(root), str(signals / "ready"), str(signals / "go")],
        cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + HANG_GUARD
    while not (signals / "ready").exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "run A never reached its last post"
        time.sleep(0.02)
    return process


def _index_run(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "run.py", "index", "--corpus", str(CORPUS), "--index", str(root)],
                          cwd=PROJECT, capture_output=True, text=True, timeout=HANG_GUARD)


@pytest.fixture
def built(tmp_path) -> Path:
    root = tmp_path / "index"
    assert _index_run(root).returncode == 0
    return root


def test_a_second_build_during_the_first_stops_with_a_clear_message_and_the_index_survives(built, tmp_path):
    before = current_build(built)
    first = _start_paused(built, tmp_path / "signals")
    try:
        second = _index_run(built)
        assert second.returncode == 1
        assert f"another index build (process {first.pid}) is writing to {built}" in second.stderr, second.stderr
        assert "changed nothing" in second.stderr
        assert current_build(built) == before and index_problem(built) is None
    finally:
        (tmp_path / "signals" / "go").write_text("go")
        out, err = first.communicate(timeout=HANG_GUARD)
    assert first.returncode == 0, err
    after = current_build(built)
    assert after != before and verify_index(built) is None
    assert sorted(path.name for path in (built / "builds").iterdir()) == [after.name]  # B left nothing behind

    third = _index_run(built)  # the lock went with run A
    assert third.returncode == 0, third.stderr
    assert current_build(built) not in (before, after) and verify_index(built) is None


def test_a_build_killed_while_it_holds_the_lock_does_not_block_the_next(built, tmp_path):
    before = current_build(built)
    first = _start_paused(built, tmp_path / "signals")
    os.kill(first.pid, signal.SIGKILL)
    first.communicate(timeout=HANG_GUARD)
    assert current_build(built) == before and index_problem(built) is None

    second = _index_run(built)

    assert second.returncode == 0, second.stderr
    after = current_build(built)
    assert after != before and verify_index(built) is None
    assert sorted(path.name for path in (built / "builds").iterdir()) == [after.name]  # the dead run's partial build is gone
