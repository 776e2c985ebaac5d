"""A range of days from a query string (?date_from=&date_to=), read the same way by the
practice listings, the search page, the search API and the pages API.

Both ends are optional and inclusive, ISO dates (YYYY-MM-DD). Pages show a message and drop
a range they cannot use; the APIs answer 400 with `problems`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.http import QueryDict
from django.utils.translation import gettext as _

DATE_PARAMS = ("date_from", "date_to")
# Only YYYY-MM-DD, in ASCII digits: Python 3.11 also reads "20200101" and "2020-W01-1".
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class DateRange:
    start: date | None = None
    end: date | None = None

    @property
    def is_set(self) -> bool:
        return self.start is not None or self.end is not None

    def query_items(self) -> list[tuple[str, str]]:
        """The range as query parameters, for links that keep it."""
        return [
            (name, day.isoformat())
            for name, day in zip(DATE_PARAMS, (self.start, self.end), strict=True)
            if day is not None
        ]


@dataclass(frozen=True)
class ParsedDateRange:
    dates: DateRange
    # For an API: one message per wrong parameter, naming it. Empty when the range is usable.
    problems: tuple[str, ...] = ()
    # For a page: one sentence for the visitor. Empty when the range is usable.
    message: str = ""


def _iso_date(raw: str) -> date | None:
    if not _ISO_DATE.fullmatch(raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:  # "2020-13-40"
        return None


def parse_date_range(query: QueryDict) -> ParsedDateRange:
    """The range asked for; an empty DateRange, with the reasons, when it cannot be used.

    Either a malformed end or a start after the end makes the whole range unusable: half of
    what the visitor asked would be a range they did not ask for.
    """
    days = {}
    problems = []
    for name in DATE_PARAMS:
        raw = str(query.get(name, "") or "").strip()
        if not raw:
            days[name] = None
            continue
        days[name] = _iso_date(raw)
        if days[name] is None:
            problems.append(_("%(name)s: a date as YYYY-MM-DD.") % {"name": name})
    if problems:
        message = _("The dates were not used: enter each date as YYYY-MM-DD.")
        return ParsedDateRange(DateRange(), tuple(problems), message)
    start, end = days["date_from"], days["date_to"]
    if start and end and start > end:
        return ParsedDateRange(
            DateRange(),
            (_("date_from: not after date_to."),),
            _("The dates were not used: the first date is after the second."),
        )
    return ParsedDateRange(DateRange(start, end))
