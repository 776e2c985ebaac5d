"""Odd query strings on Wagtail's APIs (public and admin) get a 400 with a reason, never a
500: Wagtail passes several parameters to the database as they come."""

from __future__ import annotations

import logging
import re

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DatabaseError, connection, models
from django.utils.translation import gettext as _
from wagtail.api.v2.utils import BadRequestError

logger = logging.getLogger(__name__)

# Far beyond any real listing, and an OFFSET every database accepts (Wagtail checks only > 0).
MAX_OFFSET = 2**31 - 1
# Real field selections nest two or three levels; Wagtail's parser recurses once per level.
MAX_FIELDS_DEPTH = 8
SEARCH_OPERATORS = ("and", "or")
_WHOLE_NUMBER = re.compile(r"[0-9]{1,19}")


def is_whole_number(value: str, high: int) -> bool:
    return bool(_WHOLE_NUMBER.fullmatch(value)) and int(value) <= high


def fields_depth(fields: str) -> int:
    depth = deepest = 0
    for character in fields:
        if character == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif character == ")":
            depth -= 1
    return deepest


def query_problem(query_params) -> str:
    """What is wrong with an API query string before Wagtail reads it; empty when nothing."""
    for _name, values in query_params.lists():
        if any("\x00" in value for value in values):
            return _("Query parameters may not contain NUL characters.")
    offset = query_params.get("offset")
    if offset is not None and not is_whole_number(offset, MAX_OFFSET):
        return _("offset: a whole number from 0 to %(max)d.") % {"max": MAX_OFFSET}
    if query_params.get("search_operator", "or") not in SEARCH_OPERATORS:
        return _("search_operator: “and” or “or”.")
    if fields_depth(query_params.get("fields", "")) > MAX_FIELDS_DEPTH:
        return _("fields: nested too deeply (at most %(depth)d levels).") % {
            "depth": MAX_FIELDS_DEPTH
        }
    return ""


def field_filter_problem(query_params, model, filter_fields) -> str:
    """A field filter (?started=…, ?alias_of=…) whose value its column cannot hold.

    Wagtail converts only booleans and integers, and not to the column's range: a bad date
    raised ValidationError and an out-of-range key OverflowError, each a 500.
    """
    for name, value in query_params.items():
        if name not in filter_fields or name == "locale":
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not isinstance(field, models.Field) or (
            field.is_relation and not isinstance(field, models.ForeignKey)
        ):
            continue  # tags and other relations: Wagtail handles them
        column = field.target_field if field.is_relation else field
        try:
            converted = column.to_python(value)
        except ValidationError:
            return _("%(name)s: not a valid value for this field.") % {"name": name}
        if isinstance(column, (models.IntegerField, models.AutoField)) and converted is not None:
            low, high = connection.ops.integer_field_range(column.get_internal_type())
            if not (low is None or low <= converted) or not (high is None or converted <= high):
                return _("%(name)s: a whole number from %(low)d to %(high)d.") % {
                    "name": name,
                    "low": low,
                    "high": high,
                }
    return ""


class OddQueryMixin:
    """Odd query strings get a 400 with a reason, never a 500."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        problem = query_problem(request.GET)
        if problem:
            raise BadRequestError(problem)

    def filter_queryset(self, queryset):
        filter_fields = self.get_available_fields(queryset.model, db_fields_only=True)
        problem = field_filter_problem(self.request.GET, queryset.model, filter_fields)
        if problem:
            raise BadRequestError(problem)
        return super().filter_queryset(queryset)

    def find_object(self, queryset, request):
        # Wagtail passes ?id= to the database as it comes.
        if "id" in request.GET and not is_whole_number(request.GET["id"], 2**63 - 1):
            raise BadRequestError(_("id: a whole number."))
        return super().find_object(queryset, request)

    def listing_view(self, request):
        try:
            return super().listing_view(request)
        except DatabaseError:
            # Wagtail's database search backend passes some syntax (a lone quote on SQLite's
            # full-text index) straight to the database.
            if "search" not in request.GET:
                raise
            logger.info("Search query rejected by the database: %r", request.GET["search"])
            raise BadRequestError(_("The search query could not be understood.")) from None
