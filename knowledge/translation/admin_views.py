"""Admin: ask for a page's machine translation, and see its jobs. Thin; the work is in jobs.py."""

from __future__ import annotations

import tempfile

import polib
from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.models import Locale, Page

from ..editorial_roles import is_confined_rapporteur
from ..models import MachineTranslationJob
from .jobs import MachineTranslationUnavailable, request_machine_translation

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
            return redirect("knowledge_machine_translation", page_id=page.pk)
    jobs = (
        MachineTranslationJob.objects.filter(page__path__startswith=page.path)
        .select_related("page", "target_locale", "requested_by")
        .order_by("-created_at")[:RECENT_JOBS]
    )
    return TemplateResponse(
        request,
        "knowledge/admin/machine_translation.html",
        {
            "page_title": _("Machine translation"),
            "page": page,
            "form": form,
            "jobs": jobs,
        },
    )


# wagtail-localize's PO upload answers 500 to a request without a file, to a file that is not
# a PO file made for a translation, or to a huge one. This view answers those with a message
# and hands everything else to wagtail-localize unchanged.
MAX_PO_FILE_BYTES = 5 * 1024 * 1024
PO_TRANSLATION_ID = "X-WagtailLocalize-TranslationID"


@require_POST
def upload_pofile_checked(request, translation_id: int):
    from wagtail_localize.views.edit_translation import upload_pofile

    upload = request.FILES.get("file")
    problem = _po_upload_problem(upload)
    if problem:
        messages.error(request, problem)
        next_url = get_valid_next_url_from_request(request) or reverse("wagtailadmin_home")
        return redirect(next_url)
    upload.seek(0)
    return upload_pofile(request, translation_id)


def _po_upload_problem(upload) -> str:
    if upload is None:
        return _("Choose a PO file to upload.")
    if upload.size > MAX_PO_FILE_BYTES:
        return _("That file is too big for a PO file of one page (more than 5 MB).")
    data = upload.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _("That file is not a PO file: it is not UTF-8 text.")
    # polib reads a *file name* when given one, so it only ever sees a temporary file here.
    with tempfile.NamedTemporaryFile("w", suffix=".po", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        try:
            po = polib.pofile(handle.name)
        except (OSError, ValueError):
            return _("That file is not a valid PO file.")
    if PO_TRANSLATION_ID not in po.metadata:
        return _("That PO file was not downloaded from this site's translation editor.")
    return ""
