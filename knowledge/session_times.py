"""How a session's time is written for an international audience: KST, UTC, and machine time.

The server writes Seoul time (the summit's own clock) and UTC; a small script adds the
visitor's own time from the ISO timestamps, so the page is complete without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


@dataclass(frozen=True)
class SessionTimes:
    start_kst: datetime
    end_kst: datetime
    start_utc: datetime
    end_utc: datetime

    @property
    def day_kst(self) -> date:
        return self.start_kst.date()

    @property
    def start_iso(self) -> str:
        return _iso_utc(self.start_utc)

    @property
    def end_iso(self) -> str:
        return _iso_utc(self.end_utc)

    @property
    def start_kst_hm(self) -> str:
        return f"{self.start_kst:%H:%M}"

    @property
    def end_kst_hm(self) -> str:
        return f"{self.end_kst:%H:%M}"

    @property
    def kst_range(self) -> str:
        """For example "13:00–14:30"."""
        return f"{self.start_kst_hm}–{self.end_kst_hm}"

    @property
    def day_utc(self) -> date:
        return self.start_utc.date()

    @property
    def utc_range(self) -> str:
        return f"{self.start_utc:%H:%M}–{self.end_utc:%H:%M}"

    @property
    def utc_day_differs(self) -> bool:
        """True when the session starts on another calendar day in UTC than in Seoul."""
        return self.day_utc != self.day_kst


def session_times(start: datetime, end: datetime) -> SessionTimes:
    return SessionTimes(
        start_kst=start.astimezone(SEOUL),
        end_kst=end.astimezone(SEOUL),
        start_utc=start.astimezone(UTC),
        end_utc=end.astimezone(UTC),
    )


def _iso_utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
