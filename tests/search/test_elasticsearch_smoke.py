"""bench/elasticsearch_smoke.py, as far as it runs without a cluster: its help, its refusal
without ELASTICSEARCH_URL, and its cleanup against the fake (tests/search/elasticsearch_fake.py),
which answers the setup requests only: the rebuild fails, and everything made is deleted."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.search.elasticsearch_fake import ACKNOWLEDGED

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "elasticsearch_smoke.py"
PREFIX = "cac-smoke-test"
INDEX = f"{PREFIX}-20261204000000000000"
NO_SYNONYMS_SETS = (200, {"count": 0, "results": []})


def run_script(*arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ELASTICSEARCH_")}
    env.update(environment)
    return subprocess.run(  # noqa: S603
        [sys.executable, str(SCRIPT), *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_describes_the_checks():
    done = run_script("--help")
    assert done.returncode == 0
    assert "--prefix" in done.stdout
    assert "contract suite" in done.stdout


def test_without_a_cluster_it_says_so_and_fails():
    done = run_script("--skip-suite")
    assert done.returncode == 2
    assert "ELASTICSEARCH_URL is not set" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("prefix", ["cac", "cac-knowledge", "cac-knowledge-20261204"])
def test_a_prefix_that_could_reach_the_deployments_indices_is_refused(fake_es, prefix):
    fake, url = fake_es
    done = run_script("--prefix", prefix, "--skip-suite", "--no-meaning", ELASTICSEARCH_URL=url)
    assert done.returncode == 2
    assert "would reach the deployment's indices" in done.stderr
    assert fake.requests == []


def test_a_prefix_in_use_is_refused_and_nothing_is_written(fake_es):
    fake, url = fake_es
    fake.on("GET", rf"/{PREFIX}\*", (200, {INDEX: {}}))
    fake.on("GET", "/_synonyms", NO_SYNONYMS_SETS)
    done = run_script("--prefix", PREFIX, "--skip-suite", "--no-meaning", ELASTICSEARCH_URL=url)
    assert done.returncode == 2
    assert "in use" in done.stderr
    assert {r.method for r in fake.requests} == {"GET"}  # the look-ups only


def test_everything_made_under_its_prefix_is_deleted_after_a_failed_rebuild(fake_es):
    fake, url = fake_es
    synonyms_set = f"{PREFIX}-synonyms"
    template = f"{PREFIX}-template"
    # Before: nothing under the prefix (the index templates' look-up is not answered: 404).
    fake.on("GET", rf"/{PREFIX}\*", (200, {}))
    fake.on(
        "GET",
        "/_synonyms",
        NO_SYNONYMS_SETS,
        (200, {"count": 1, "results": [{"synonyms_set": synonyms_set, "count": 1}]}),
        NO_SYNONYMS_SETS,
    )
    # Setup.
    fake.on("PUT", f"/_synonyms/{synonyms_set}", (200, {"result": "created"}))
    fake.on("PUT", f"/_index_template/{template}", ACKNOWLEDGED)
    fake.on("HEAD", f"/_index_template/{template}", (200, None))
    fake.on("GET", f"/_synonyms/{synonyms_set}", (200, {"count": 1, "synonyms_set": []}))
    # The rebuild's index creation is not answered (404): the rebuild fails. The cleanup lists
    # what is under the prefix, deletes it, and finds nothing left.
    fake.on("GET", rf"/{PREFIX}-\*", (200, {INDEX: {}}), (200, {}))
    fake.on(
        "GET",
        rf"/_index_template/{PREFIX}-\*",
        (200, {"index_templates": [{"name": template, "index_template": {}}]}),
        (404, {}),
    )
    fake.on(
        "DELETE", rf"/{INDEX}|/_index_template/{template}|/_synonyms/{synonyms_set}", ACKNOWLEDGED
    )

    done = run_script("--prefix", PREFIX, "--skip-suite", "--no-meaning", ELASTICSEARCH_URL=url)

    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "✓ setup" in done.stdout
    assert "✗ rebuild" in done.stdout
    assert "– rebuilds, synonyms, hybrid query — not run: the first rebuild failed" in done.stdout
    assert f"✓ cleanup: nothing left under {PREFIX}" in done.stdout
    deleted = [r.path for r in fake.sent("DELETE", r".*")]
    assert deleted[-3:] == [
        f"/{INDEX}",
        f"/_index_template/{template}",
        f"/_synonyms/{synonyms_set}",
    ]


def test_the_suite_runs_on_sqlite_never_the_deployments_database_or_broker(monkeypatch):
    spec = importlib.util.spec_from_file_location("elasticsearch_smoke", SCRIPT)
    smoke = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(smoke)
    monkeypatch.setenv("DATABASE_URL", "postgres://cac@db.internal/cac")
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://redis.internal:6379/0")
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "cac.settings.production")
    monkeypatch.delenv("ELASTICSEARCH_CA_CERTS", raising=False)
    site = SimpleNamespace(
        ELASTICSEARCH_URL="https://es.internal:9200",
        ELASTICSEARCH_API_KEY="id:key",
        ELASTICSEARCH_CA_CERTS=None,
    )
    environment = smoke.cluster_environment(site)
    assert not {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"} & set(environment)
    assert environment["ELASTICSEARCH_URL"] == "https://es.internal:9200"
    assert environment["ELASTICSEARCH_API_KEY"] == "id:key"
    assert "ELASTICSEARCH_CA_CERTS" not in environment
