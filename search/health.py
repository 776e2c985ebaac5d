"""The search engine's part of /readyz (core/health.py, settings.READINESS_CHECKS)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from search.engines.selection import get_engine
from search.indexing import outbox_backlog


def check_search() -> dict[str, Any]:
    health = get_engine().health()
    result: dict[str, Any] = {"ok": health.ok, "engine": health.engine}
    if health.documents is not None:
        result["documents"] = health.documents
    if not health.ok:
        result["error"] = "engine unavailable"
    return result


def check_outbox() -> dict[str, Any]:
    """Changes waiting to reach the index; too old means indexing has stalled."""
    pending, oldest_age = outbox_backlog()
    age = oldest_age.total_seconds() if oldest_age else 0.0
    limit = settings.READYZ_OUTBOX_MAX_AGE_SECONDS
    return {
        "ok": age <= limit,
        "pending": pending,
        "oldest_age_seconds": round(age, 1),
        "max_age_seconds": limit,
    }
