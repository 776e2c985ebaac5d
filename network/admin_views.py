"""Admin views of the city network: a representative's "My city" and guided practice form,
and the moderators' review of requests to become a representative."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.admin.auth import permission_denied
from wagtail.models import Locale

from core.queue import run_or_queue
from editorial.models import representative_cities
from knowledge.models import City
from network import contributions
from network.forms import SharedPracticeForm
from network.models import RepresentativeRequest, RequestStatus
from network.representatives import (
    DecisionError,
    approve,
    decline,
    matching_city,
    pending_review,
)
from network.tasks import send_representative_email

logger = logging.getLogger(__name__)

REVIEW_PERMISSION = "network.change_representativerequest"


# ---------------------------------------------------------------------------
# My city
# ---------------------------------------------------------------------------


def _cities_or_404(user):
    cities = list(representative_cities(user))
    if not cities:
        raise Http404
    return cities


def my_city(request):
    cities = _cities_or_404(request.user)
    rows = [
        (page, contributions.practice_status(page))
        for page in contributions.own_practices(request.user)
    ]
    return TemplateResponse(
        request,
        "network/admin/my_city.html",
        {"page_title": _("My city"), "cities": cities, "rows": rows},
    )


def _languages():
    return [
        (locale.language_code, locale.get_display_name()) for locale in Locale.all_objects.all()
    ]


def _default_language(user) -> str:
    codes = {code for code, _name in _languages()}
    preferred = translation.get_language()
    return preferred if preferred in codes else Locale.get_default().language_code


@require_http_methods(["GET", "POST"])
def new_practice(request, city_id: int):
    cities = _cities_or_404(request.user)
    city = next((city for city in cities if city.pk == city_id), None)
    if city is None:
        raise Http404
    return _practice_form(request, city, page=None)


@require_http_methods(["GET", "POST"])
def edit_practice(request, practice_id: int):
    page = contributions.own_practice(request.user, practice_id)
    if page is None:
        # Another representative's or another city's practice: not even its title.
        raise Http404
    default = Locale.get_default()
    city = page.city.get_translation_or_none(default) or page.city
    return _practice_form(request, city, page=page)


def _practice_form(request, city: City, page):
    status = contributions.practice_status(page)
    can_submit = page.get_workflow() is not None if page else True
    form_kwargs = {
        "page": page,
        "languages": _languages(),
        "default_language": _default_language(request.user),
    }
    if request.method == "POST" and status.editable:
        form = SharedPracticeForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            submit = "submit" in request.POST and can_submit
            locale = Locale.objects.get(language_code=form.cleaned_data["language"])
            saved = contributions.save_practice(
                request.user, city, form.content(), page=page, locale=locale, submit=submit
            )
            if submit:
                messages.success(
                    request,
                    _(
                        "“%(title)s” was sent to the moderators. You will get an email when "
                        "they have reviewed it."
                    )
                    % {"title": saved.title},
                )
                return redirect("my_city:index")
            messages.success(request, _("Draft saved. Nobody else can see it yet."))
            return redirect("my_city:edit", practice_id=saved.pk)
        messages.error(request, _("The practice was not saved. Please correct the errors below."))
    else:
        if request.method == "POST":
            messages.warning(
                request, _("This practice is with the moderators and can't be changed now.")
            )
        form = SharedPracticeForm(**form_kwargs)
    attachments = form.fields["keep_documents"].choices
    return TemplateResponse(
        request,
        "network/admin/practice_form.html",
        {
            "page_title": page.title if page else _("A new practice of %(city)s") % {"city": city},
            "city": city,
            "page": page,
            "form": form,
            "status": status,
            "can_submit": can_submit and status.editable,
            "attachments": attachments,
        },
    )


# ---------------------------------------------------------------------------
# Moderators: requests to become a representative
# ---------------------------------------------------------------------------


def _may_review(user) -> bool:
    return user.has_perm(REVIEW_PERMISSION)


def requests_index(request):
    if not _may_review(request.user):
        return permission_denied(request)
    decided = RepresentativeRequest.objects.exclude(status=RequestStatus.VERIFIED)
    return TemplateResponse(
        request,
        "network/admin/requests.html",
        {
            "page_title": _("City representatives: requests"),
            "pending": pending_review().order_by("verified_at", "pk"),
            "others": decided.select_related("city", "decided_by")[:100],
        },
    )


class DecisionForm(forms.Form):
    city = forms.ModelChoiceField(
        label=gettext_lazy("City"),
        queryset=City.objects.none(),
        required=False,
        empty_label=gettext_lazy("Add the city as the applicant wrote it"),
        help_text=gettext_lazy("The city this person will represent."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the applicant (sent when you decline)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = City.objects.filter(locale=Locale.get_default())


@require_http_methods(["GET", "POST"])
def request_review(request, request_id: int):
    if not _may_review(request.user):
        return permission_denied(request)
    representative_request = get_object_or_404(RepresentativeRequest, id=request_id)
    form = DecisionForm(
        request.POST or None, initial={"city": matching_city(representative_request)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            if "approve" in request.POST:
                approve(representative_request, request.user, city=form.cleaned_data["city"])
                message = _("%(name)s can now share the practices of their city.")
            elif "decline" in request.POST:
                decline(representative_request, request.user, form.cleaned_data["note"])
                message = _("The request of %(name)s was declined.")
            else:
                raise DecisionError(_("Choose to approve or to decline."))
        except DecisionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, message % {"name": representative_request.name})
            try:
                run_or_queue(send_representative_email, representative_request.pk, "decision")
            except Exception:
                logger.exception("The decision on request %s was not e-mailed", request_id)
                messages.warning(request, _("The applicant could not be e-mailed just now."))
            return redirect("representative_requests:index")
    return TemplateResponse(
        request,
        "network/admin/request_review.html",
        {
            "page_title": _("Request from %(name)s") % {"name": representative_request.name},
            "representative_request": representative_request,
            "form": form,
            "pending": representative_request.status == RequestStatus.VERIFIED,
        },
    )
