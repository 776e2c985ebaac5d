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

from celery import current_app
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils.module_loading import import_string
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
    checks = {name: _timed(check) for name, check in readiness_checks().items()}
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
    app = current_app
    if app.conf.task_always_eager:
        return {"ok": True, "mode": "in-process"}
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=settings.READYZ_TIMEOUT)
    return {"ok": True, "mode": "broker"}


def readiness_checks() -> dict[str, Check]:
    """settings.READINESS_CHECKS: each app names its own check (search: engine and outbox)."""
    return {name: import_string(path) for name, path in settings.READINESS_CHECKS.items()}
