"""The "Document text" report: which uploads are searchable by their text, and which failed."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, NumberColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.documents.permissions import permission_policy as document_permission_policy

from core.choices import is_confined
from documents.models import DocumentText


def may_see_document_text_report(user) -> bool:
    """Anyone who manages documents beyond one session's collection: editors, moderators."""
    return (
        user.is_active
        and not is_confined(user)
        and document_permission_policy.user_has_any_permission(user, ["change"])
    )


class DocumentTextFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=DocumentText.Status.choices
    )

    class Meta:
        model = DocumentText
        fields = ["status"]


class FailureColumn(Column):
    def get_value(self, instance):
        if instance.status != DocumentText.Status.FAILED:
            return ""
        detail = f" ({instance.error_detail})" if instance.error_detail else ""
        return f"{instance.failure_message}{detail}"


class DocumentTextReportView(ReportView):
    page_title = gettext_lazy("Document text")
    header_icon = "doc-full"
    model = DocumentText
    filterset_class = DocumentTextFilterSet
    index_url_name = "document_text_report"
    index_results_url_name = "document_text_report_results"
    default_ordering = "-requested_at"
    columns = [
        TitleColumn(
            "document",
            label=gettext_lazy("Document"),
            url_name="wagtaildocs:edit",
            id_accessor="document_id",
        ),
        Column("status", label=gettext_lazy("Status"), accessor="get_status_display"),
        Column("kind", label=gettext_lazy("File type")),
        NumberColumn("characters", label=gettext_lazy("Characters"), accessor="characters"),
        FailureColumn("error", label=gettext_lazy("Why it failed")),
        NumberColumn("attempts", label=gettext_lazy("Attempts")),
        DateColumn("finished_at", label=gettext_lazy("Finished"), sort_key="finished_at"),
    ]
    list_export = ["document__title", "status", "kind", "error_code", "attempts", "finished_at"]

    def dispatch(self, request, *args, **kwargs):
        if not may_see_document_text_report(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        # Only documents the user may change; text is never shown here, only its length.
        documents = document_permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["change"]
        )
        return (
            DocumentText.objects.filter(document__in=documents)
            .select_related("document")
            .defer("text")
            .annotate(characters=Length("text"))
        )
