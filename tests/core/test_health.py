"""/healthz and /readyz: JSON, and the status codes a load balancer acts on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from search.models import IndexOutboxEntry
from tests.services import require_redis_broker

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(monkeypatch):
    """Point Celery at `url` for one test, then restore it."""
    from cac.celery import app

    previous = (app.conf.broker_url, app.conf.task_always_eager)

    def use(url: str) -> None:
        # Celery reads the environment variable before its own setting.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        app.conf.broker_url = url
        app.conf.task_always_eager = False

    yield use
    app.conf.broker_url, app.conf.task_always_eager = previous


def test_liveness_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_ready_when_every_part_answers(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "search", "outbox"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["outbox"]["pending"] == 0
    assert all(check["ms"] >= 0 for check in body["checks"].values())


def test_a_stalled_index_outbox_makes_the_process_not_ready(client, settings):
    settings.READYZ_OUTBOX_MAX_AGE_SECONDS = 300
    entry = IndexOutboxEntry.objects.create(document_id="page-1", action="index")
    IndexOutboxEntry.objects.filter(pk=entry.pk).update(
        created_at=timezone.now() - timedelta(minutes=20)
    )

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    outbox = body["checks"]["outbox"]
    assert outbox["ok"] is False
    assert outbox["pending"] == 1
    assert 1190 <= outbox["oldest_age_seconds"] <= 1300
    assert body["checks"]["database"]["ok"] is True


def test_a_stopped_search_engine_makes_the_process_not_ready(client, unreachable_engine):
    response = client.get("/readyz")

    assert response.status_code == 503
    search = response.json()["checks"]["search"]
    assert search == {
        "ok": False,
        "engine": "elasticsearch",
        "error": "engine unavailable",
        "ms": search["ms"],
    }
    assert "127.0.0.1" not in response.content.decode()  # no hosts in a public answer


def test_an_unreachable_broker_makes_the_process_not_ready(client, broker):
    broker("redis://127.0.0.1:9/0")  # nothing listens there

    response = client.get("/readyz")

    assert response.status_code == 503
    check = response.json()["checks"]["broker"]
    assert check["ok"] is False
    assert check["error"]
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.services
def test_a_running_broker_is_ready(client, broker):
    broker(require_redis_broker())

    response = client.get("/readyz")

    assert response.json()["checks"]["broker"] == {
        "ok": True,
        "mode": "broker",
        "ms": response.json()["checks"]["broker"]["ms"],
    }


def test_health_endpoints_refuse_other_methods(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
