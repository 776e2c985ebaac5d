"""The summit programme, grouped by day in Seoul time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from .models import SessionPage, SummitPage
from .visibility import visible_pages

SEOUL = ZoneInfo("Asia/Seoul")


@dataclass
class ProgrammeDay:
    day: date
    sessions: list[SessionPage]


def programme_days(summit: SummitPage) -> list[ProgrammeDay]:
    sessions = (
        visible_pages(SessionPage.objects.child_of(summit))
        .select_related("topic")
        .order_by("start", "pk")
    )
    days: dict[date, list[SessionPage]] = {}
    for session in sessions:
        days.setdefault(session.start.astimezone(SEOUL).date(), []).append(session)
    return [ProgrammeDay(day=day, sessions=items) for day, items in days.items()]
