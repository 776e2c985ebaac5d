"""compose's web command (gunicorn --preload with cac/gunicorn.py), run for real: the workers it
forks answer searches that need every model, and each worker, the first ones and those that
replace a recycled one (--max-requests), warms its search up before it takes a request."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.cac.test_deployment_files import free_port, production_env

ROOT = Path(__file__).resolve().parents[2]
# Several Korean runs between Latin words: Kiwi analyses them as one batch, which its threads,
# lost in the fork, would never return (search/analysis.py).
MIXED_QUERY = "방역 수칙 screening 선별진료소 test 자가격리 앱"


def web_command(port: int, **overrides: str) -> list[str]:
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    command = list(compose["services"]["web"]["command"])
    assert command[0] == "gunicorn"
    assert "--preload" in command and "--config=python:cac.gunicorn" in command
    command = [f"--bind=127.0.0.1:{port}" if w.startswith("--bind") else w for w in command]
    for option, value in overrides.items():
        flag = "--" + option.replace("_", "-")
        command = [f"{flag}={value}" if word.startswith(flag + "=") else word for word in command]
    return [sys.executable, "-m", "gunicorn", *command[1:]]


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - loopback
        return response.status, response.read()


@pytest.mark.database_independent
def test_forked_workers_answer_searches_and_each_warms_up_before_its_first_request(tmp_path):
    environment = production_env(
        tmp_path, LOG_LEVEL="INFO", ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="false"
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT, env=environment, check=True, timeout=300,
    )  # fmt: skip
    port = free_port()
    log = tmp_path / "web.log"
    # Two workers, each replaced after three requests.
    command = web_command(port, workers="2", max_requests="3", max_requests_jitter="0")
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=output)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if get(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                    break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.5)
        query = urllib.parse.urlencode({"q": MIXED_QUERY, "lang": "ko"})
        for _ in range(12):
            status, body = get(f"http://127.0.0.1:{port}/api/v1/search/?{query}")
            assert status == 200
            assert json.loads(body)["total"] == 0  # an empty index, searched to the end
    finally:
        server.terminate()
        server.wait(timeout=60)
    text = log.read_text()
    booted = text.count("Booting worker with pid")
    # 13 requests at three a worker: at least two replacements besides the first two.
    assert booted >= 4, text
    assert text.count("search warmed up") == booted, text
    assert "search warm-up failed" not in text
    # A recycled worker exits cleanly: nothing the master loaded aborts it on the way out.
    assert "SIGABRT" not in text and "terminate called" not in text, text
