"""Admin views of the rapporteur's journey: "My sessions" and the guided summary form."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from documents.models import DocumentText
from editorial.forms import SessionSummaryForm
from editorial.panels import session_tasks_for
from editorial.summaries import (
    SummaryState,
    assigned_session,
    own_summary,
    save_summary,
    someone_elses_summary,
    summary_status,
)


def index(request):
    tasks = session_tasks_for(request.user)
    return TemplateResponse(
        request,
        "editorial/admin/my_sessions.html",
        {"tasks": tasks, "page_title": _("My sessions")},
    )


@require_http_methods(["GET", "POST"])
def summary(request, session_id: int):
    session = assigned_session(request.user, session_id)
    if session is None:
        # Another session's summary is none of this user's business; not even its title.
        raise Http404
    if someone_elses_summary(session, request.user) and own_summary(session, request.user) is None:
        messages.warning(
            request,
            _("Someone else has started this summary. Ask an editor if you should take it over."),
        )
        return redirect("my_sessions:index")
    summary_page = own_summary(session, request.user)
    permissions = (summary_page or session).permissions_for_user(request.user)
    if not (permissions.can_edit() if summary_page else permissions.can_add_subpage()):
        raise Http404
    status = summary_status(summary_page)
    can_submit = session.get_workflow() is not None
    if request.method == "POST" and status.editable:
        form = SessionSummaryForm(
            request.POST, request.FILES, summary=summary_page, session=session
        )
        if form.is_valid():
            submit = "submit" in request.POST and can_submit
            page = save_summary(session, request.user, form.content(), submit=submit)
            if submit:
                messages.success(
                    request,
                    _(
                        "“%(title)s” was sent to the moderators. You will get an email when "
                        "they have reviewed it."
                    )
                    % {"title": page.title},
                )
                return redirect("my_sessions:index")
            messages.success(request, _("Draft saved. Nobody else can see it yet."))
            return redirect("my_sessions:summary", session_id=session.pk)
        messages.error(request, _("The summary was not saved. Please correct the errors below."))
    else:
        if request.method == "POST":
            messages.warning(
                request, _("This summary is with the moderators and can't be changed now.")
            )
        form = SessionSummaryForm(summary=summary_page, session=session)

    return TemplateResponse(
        request,
        "editorial/admin/summary_form.html",
        {
            "page_title": _("Summary of %(session)s") % {"session": session.title},
            "session": session,
            "form": form,
            "status": status,
            "can_submit": can_submit and status.editable,
            "attachment_rows": _attachment_rows(form),
            "states": SummaryState,
            "preview_url": (
                reverse("wagtailadmin_pages:view_draft", args=[summary_page.pk])
                if summary_page
                else None
            ),
        },
    )


def _attachment_rows(form) -> list[tuple[int, str, DocumentText | None]]:
    """Each attached file with the state of its text extraction, shown beside it."""
    choices = form.fields["keep_documents"].choices
    records = DocumentText.objects.filter(document_id__in=[value for value, _title in choices])
    by_document = {record.document_id: record for record in records}
    return [(value, title, by_document.get(value)) for value, title in choices]
