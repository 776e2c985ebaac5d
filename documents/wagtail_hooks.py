"""The "Document text" report: which files' text search has, and which failed."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from documents.reports import DocumentTextReportView, may_see_document_text_report


@hooks.register("register_admin_urls")
def register_document_text_report_url():
    return [
        path(
            "reports/document-text/",
            DocumentTextReportView.as_view(),
            name="document_text_report",
        ),
        path(
            "reports/document-text/results/",
            DocumentTextReportView.as_view(results_only=True),
            name="document_text_report_results",
        ),
    ]


class DocumentTextReportMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_document_text_report(request.user)


@hooks.register("register_reports_menu_item")
def register_document_text_report_menu_item():
    return DocumentTextReportMenuItem(
        _("Document text"),
        reverse("document_text_report"),
        icon_name="doc-full",
        order=900,
    )
