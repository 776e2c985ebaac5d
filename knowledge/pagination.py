"""One page of a public listing, from the `?page=` a visitor (or a crawler) sends."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

PAGE_SIZE = 20
# Longer than any page number a listing can have; anything longer is no number we serve.
MAX_PAGE_PARAM_LENGTH = 10


def listing_page(items: QuerySet, page_param: str | None, page_size: int = PAGE_SIZE) -> Page:
    """The requested page; a value that is not a page number ("abc", "-1", "1e9", a NUL byte)
    gives the first page and one past the end the last, so no value is a server error."""
    number = str(page_param or "")[:MAX_PAGE_PARAM_LENGTH]
    if not (number.isascii() and number.isdigit()):
        number = "1"
    return Paginator(items, page_size).get_page(number)
