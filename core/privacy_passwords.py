"""An attempt limit on Wagtail's privacy passwords: a page's password view restriction and a
document collection's. Past PRIVACY_PASSWORD_FAILURE_LIMIT wrong passwords for one
restriction from one client address, or PRIVACY_PASSWORD_FAILURE_RESTRICTION_LIMIT from all
addresses together (guessing spread over many addresses), within
PRIVACY_PASSWORD_FAILURE_WINDOW_SECONDS, the form refuses even the right password until the
window closes. A limit of 0 turns that count off.

Wagtail's views are not forked: cac/urls.py places these views at Wagtail's own addresses,
ahead of Wagtail's URL includes, so Wagtail's forms post here. Each checks the limit, then
hands the request to Wagtail's view and reads its answer: a redirect means the password was
right (Wagtail has put the grant in the session); anything else is the form shown again, a
wrong password, and is counted. Those views, their addresses and that reading are reaches
into Wagtail's internals: they are in core/wagtail_internals.py.

A refusal is Wagtail's own password form again, carrying the reason as its error, with
HTTP 429 and Retry-After: a person sees the usual page and why, a script sees the status.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import ngettext
from wagtail.forms import PasswordViewRestrictionForm
from wagtail.models import CollectionViewRestriction, Page, PageViewRestriction

from core import throttling
from core.wagtail_internals import (
    password_accepted,
    wagtail_document_password_view,
    wagtail_page_password_view,
)


def _window() -> int:
    return settings.PRIVACY_PASSWORD_FAILURE_WINDOW_SECONDS


def _address_counter(kind: str, restriction_id: int, request: HttpRequest):
    ip = throttling.client_ip(request)
    limit = settings.PRIVACY_PASSWORD_FAILURE_LIMIT
    if not ip or limit <= 0:
        return None
    return throttling.FailureCounter(f"privacy-{kind}-ip", f"{restriction_id}:{ip}", limit)


def _restriction_counter(kind: str, restriction_id: int):
    limit = settings.PRIVACY_PASSWORD_FAILURE_RESTRICTION_LIMIT
    if limit <= 0:
        return None
    return throttling.FailureCounter(f"privacy-{kind}", str(restriction_id), limit)


def refusal_message(seconds: int) -> str:
    minutes = throttling.minutes_to_wait(seconds)
    return ngettext(
        "Too many wrong passwords. Try again in %(minutes)d minute.",
        "Too many wrong passwords. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class RefusedPasswordForm(PasswordViewRestrictionForm):
    """Wagtail's form, bound to what was posted, whose one error is the refusal. The password
    is not compared: while refused, a right guess must not be told from a wrong one."""

    def __init__(self, *args, wait: int, **kwargs):
        self.wait = wait
        super().__init__(*args, **kwargs)

    def clean_password(self):
        return self.cleaned_data["password"]

    def clean(self):
        raise ValidationError(refusal_message(self.wait), code="throttled")


def _limited(
    request: HttpRequest,
    kind: str,
    restriction_id: int,
    wagtail_view: Callable[[], HttpResponse],
    password_form_response: Callable[[RefusedPasswordForm], HttpResponse],
    restriction_model: type,
) -> HttpResponse:
    """Wagtail's view behind the limit: `kind` keeps page and collection restrictions, which
    are numbered apart, in separate counts."""
    if request.method != "POST":
        return wagtail_view()
    address = _address_counter(kind, restriction_id, request)
    counters = [c for c in (address, _restriction_counter(kind, restriction_id)) if c]
    wait = throttling.locked_for(counters, _window())
    if wait is not None:
        restriction = get_object_or_404(restriction_model, id=restriction_id)
        form = RefusedPasswordForm(request.POST, instance=restriction, wait=wait)
        form.full_clean()
        response = password_form_response(form)
        response.status_code = 429
        response["Retry-After"] = str(wait)
        add_never_cache_headers(response)
        return response
    response = wagtail_view()
    if password_accepted(response):
        # The right password: Wagtail put the grant in the session. This address starts
        # afresh (a colleague behind it); the restriction's count stays.
        if address is not None:
            throttling.clear(address.scope, address.key)
    else:
        throttling.count_failure(counters, _window())
    return response


def authenticate_page_password(
    request: HttpRequest, page_view_restriction_id: int, page_id: int
) -> HttpResponse:
    """Wagtail's wagtailcore_authenticate_with_password, with the attempt limit."""

    def password_form_response(form: RefusedPasswordForm) -> HttpResponse:
        page = get_object_or_404(Page, id=page_id).specific
        action_url = reverse(
            "wagtailcore_authenticate_with_password", args=[page_view_restriction_id, page.id]
        )
        return page.serve_password_required_response(request, form, action_url)

    return _limited(
        request,
        "page",
        page_view_restriction_id,
        lambda: wagtail_page_password_view(request, page_view_restriction_id, page_id),
        password_form_response,
        PageViewRestriction,
    )


def authenticate_collection_password(request: HttpRequest, restriction_id: int) -> HttpResponse:
    """Wagtail's wagtaildocs_authenticate_with_password, with the attempt limit."""

    def password_form_response(form: RefusedPasswordForm) -> HttpResponse:
        template = getattr(
            settings, "WAGTAILDOCS_PASSWORD_REQUIRED_TEMPLATE", "wagtaildocs/password_required.html"
        )
        action_url = reverse("wagtaildocs_authenticate_with_password", args=[restriction_id])
        return TemplateResponse(request, template, {"form": form, "action_url": action_url})

    return _limited(
        request,
        "collection",
        restriction_id,
        lambda: wagtail_document_password_view(request, restriction_id),
        password_form_response,
        CollectionViewRestriction,
    )
