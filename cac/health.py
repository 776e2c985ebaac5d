"""Health endpoints for load balancers and orchestrators.

- /healthz (liveness): the process answers. It touches nothing else, so a database outage never
  gets healthy web processes restarted.
- /readyz (readiness): the database, the Celery broker, the search engine and the age of the
  index outbox. 200 when the process can serve its full job, 503 (with every check's result)
  when it cannot, so the balancer stops sending it traffic.

Both answer JSON and are never cached. Failures name the kind of error, not hosts or credentials.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

Check = Callable[[], dict[str, Any]]


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    checks = {name: _timed(check) for name, check in READINESS_CHECKS.items()}
    ready = all(result["ok"] for result in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


def _timed(check: Check) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as error:  # a check reports; it never raises
        result = {"ok": False, "error": type(error).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def check_broker() -> dict[str, Any]:
    from cac.celery import app

    if app.conf.task_always_eager:
        return {"ok": True, "mode": "in-process"}
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=settings.READYZ_TIMEOUT)
    return {"ok": True, "mode": "broker"}


def check_search() -> dict[str, Any]:
    from search.engines.selection import get_engine

    health = get_engine().health()
    result: dict[str, Any] = {"ok": health.ok, "engine": health.engine}
    if health.documents is not None:
        result["documents"] = health.documents
    if not health.ok:
        result["error"] = "engine unavailable"
    return result


def check_outbox() -> dict[str, Any]:
    """Changes waiting to reach the index; too old means indexing has stalled."""
    from search.indexing import outbox_backlog

    pending, oldest_age = outbox_backlog()
    age = oldest_age.total_seconds() if oldest_age else 0.0
    limit = settings.READYZ_OUTBOX_MAX_AGE_SECONDS
    return {
        "ok": age <= limit,
        "pending": pending,
        "oldest_age_seconds": round(age, 1),
        "max_age_seconds": limit,
    }


READINESS_CHECKS: dict[str, Check] = {
    "database": check_database,
    "broker": check_broker,
    "search": check_search,
    "outbox": check_outbox,
}
