"""Admin: machine translation of a page and its jobs (jobs.py), and PO uploads (po_upload.py).

Thin: the work is in those modules.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.models import Locale, Page
from wagtail_localize.models import Translation

from core.wagtail_internals import may_edit_translation_target
from editorial.roles import is_confined_rapporteur
from translation.jobs import MachineTranslationUnavailable
from translation.models import MachineTranslationJob
from translation.po_upload import POUploadRefused, import_po_upload
from translation.tasks import request_machine_translation

RECENT_JOBS = 50


class MachineTranslationForm(forms.Form):
    locales = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Translate into"),
        queryset=Locale.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    include_subtree = forms.BooleanField(
        label=gettext_lazy("Also translate the pages below this one"), required=False
    )

    def __init__(self, *args, page: Page, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locales"].queryset = Locale.objects.exclude(pk=page.locale_id).order_by(
            "language_code"
        )
        self.fields["locales"].label_from_instance = lambda locale: locale.get_display_name()


def may_machine_translate(user, page: Page) -> bool:
    return not is_confined_rapporteur(user) and page.permissions_for_user(user).can_edit()


def machine_translation(request, page_id: int):
    page = get_object_or_404(Page, pk=page_id, depth__gt=1).specific
    if not may_machine_translate(request.user, page):
        raise Http404
    form = MachineTranslationForm(request.POST or None, page=page)
    if request.method == "POST" and form.is_valid():
        try:
            jobs = request_machine_translation(
                page,
                form.cleaned_data["locales"],
                request.user,
                include_subtree=form.cleaned_data["include_subtree"],
            )
        except MachineTranslationUnavailable as reason:
            messages.error(request, str(reason))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d translation job queued. It leaves a draft for review; "
                    "the list below shows how it is doing.",
                    "%(count)d translation jobs queued. Each leaves a draft for review; "
                    "the list below shows how they are doing.",
                    len(jobs),
                )
                % {"count": len(jobs)},
            )
            return redirect("machine_translation", page_id=page.pk)
    jobs = (
        MachineTranslationJob.objects.filter(page__path__startswith=page.path)
        .select_related("page", "target_locale", "requested_by")
        .order_by("-created_at")[:RECENT_JOBS]
    )
    return TemplateResponse(
        request,
        "translation/admin/machine_translation.html",
        {
            "page_title": _("Machine translation"),
            "page": page,
            "form": form,
            "jobs": jobs,
        },
    )


@require_POST
def upload_pofile_checked(request, translation_id: int):
    """Takes the place of wagtail-localize's upload view (same URL): see po_upload.py."""
    translation = get_object_or_404(Translation, id=translation_id)
    if not may_edit_translation_target(request.user, translation.get_target_instance()):
        raise PermissionDenied
    try:
        outcome = import_po_upload(translation, request.FILES.get("file"), request.user)
    except POUploadRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.add_message(request, outcome.level, outcome.message())
    return redirect(get_valid_next_url_from_request(request) or reverse("wagtailadmin_home"))
