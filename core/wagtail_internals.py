"""Every reach into the internals of Wagtail, wagtail-localize, treebeard and modelsearch.

Some of what this site does is not covered by those libraries' documented API: a private
method, a view we call or take the place of, the id Wagtail connects a signal receiver under,
a route we answer first. Each such reach is here, once, with why we need it and what the
library does there; the rules that use them (who is a confined rapporteur, what they may see)
stay with their packages and are passed in as callbacks.

On an upgrade of any package in CHECKED_AGAINST, tests/core/test_wagtail_internals.py fails:
re-read each section below against the new code, then move the pin. The same test checks
that each reached name still exists with the signature used here.

This module depends only on Django and those four packages (core is the bottom layer).

Reached elsewhere, on purpose: search/engines/ talk to the search engines' own clients, not
to Wagtail.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy
from wagtail import views as page_views
from wagtail.admin.api.views import PagesAdminAPIViewSet
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.mail import (
    GroupApprovalTaskStateSubmissionEmailNotifier,
    WorkflowStateApprovalEmailNotifier,
    WorkflowStateRejectionEmailNotifier,
    WorkflowStateSubmissionEmailNotifier,
)
from wagtail.admin.views.chooser import BaseLinkFormView, ExternalLinkView
from wagtail.admin.widgets.chooser import BaseChooser
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.documents.views import serve as document_views
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision, TaskState, WorkflowState
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.search.signal_handlers import post_save_signal_handler
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.signals import (
    page_published,
    task_submitted,
    workflow_approved,
    workflow_rejected,
    workflow_submitted,
)
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet
from wagtail.snippets.widgets import AdminSnippetChooser
from wagtail_localize.views.edit_translation import user_can_edit_instance

__all__ = [
    "ADMIN_BULK_ACTION_VIEW",
    "ADMIN_CHOSEN_MULTIPLE_VIEWS",
    "ADMIN_ID_KWARGS",
    "ADMIN_PK_NAMESPACES",
    "ADMIN_POSTED_IDS",
    "ADMIN_REPORT_VIEWS",
    "CHECKED_AGAINST",
    "DOCUMENT_PRIVACY_FORM_ROUTE",
    "EDIT_FORM_WORKFLOW_ACTION_FIELD",
    "ERROR_TEST_ROUTE",
    "EXTERNAL_LINK_CHOOSER_ROUTE",
    "MODERATION_EMAIL_RECEIVERS",
    "PAGE_EDIT_VIEW",
    "PAGE_PRIVACY_FORM_ROUTE",
    "PAGE_WORKFLOW_ACTION_VIEW",
    "PO_UPLOAD_ROUTE",
    "DocumentsAdminAPIViewSet",
    "GroupApprovalTaskStateSubmissionEmailNotifier",
    "ImagesAdminAPIViewSet",
    "PageCheckingExternalLinkView",
    "PagesAdminAPIViewSet",
    "TranslatedSnippetChooser",
    "TranslatedSnippetChooserViewSet",
    "TranslatedSnippetViewSet",
    "WorkflowStateApprovalEmailNotifier",
    "WorkflowStateRejectionEmailNotifier",
    "WorkflowStateSubmissionEmailNotifier",
    "base_content_type",
    "disable_reference_index_auto_update",
    "double_quotes_in_sqlite_search_terms",
    "empty_stream_in_posted_data",
    "first_child_path",
    "guard_chooser_values",
    "may_edit_translation_target",
    "narrow_explorable_pages",
    "narrow_user_filter_choices",
    "next_sibling_path",
    "override_admin_display_title",
    "password_accepted",
    "publish_new_page",
    "remember_parent",
    "search_index_on_save",
    "segments_for_translation",
    "set_document_file_metadata",
    "set_file_hash",
    "wagtail_document_password_view",
    "wagtail_page_password_view",
]

# The exact versions every reach below was read against (importlib.metadata names).
CHECKED_AGAINST = {
    "wagtail": "7.4.4",
    "wagtail-localize": "1.14.5",
    "django-treebeard": "5.3.1",
    "modelsearch": "1.3.2",
}


# ---------------------------------------------------------------------------
# The reference index
# ---------------------------------------------------------------------------


def base_content_type(model_or_object) -> ContentType:
    """The content type ReferenceIndex files rows of `model_or_object` under.

    ReferenceIndex stores each row against the base model of a multi-table hierarchy (Page for
    every page type) and filters by it in get_references_to; to ask which *pages* use a file
    we filter `base_content_type` the same way. Wagtail's own helper for it is private:
    ReferenceIndex._get_base_content_type.
    """
    return ReferenceIndex._get_base_content_type(model_or_object)


# ---------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------


def set_file_hash(document) -> None:
    """Compute the document's file_hash in memory (AbstractDocument._set_file_hash).

    Wagtail's upload views set it; a document saved by a script has none. The public
    get_file_hash() would also save() the document, which runs our post_save receivers
    (text extraction) again; the caller writes the hash with a queryset update instead.
    """
    document._set_file_hash()


def set_document_file_metadata(document) -> None:
    """Set file_size and file_hash from the uploaded file, before the first save, as Wagtail's
    document upload views do (AbstractDocument._set_document_file_metadata)."""
    document._set_document_file_metadata()


# ---------------------------------------------------------------------------
# wagtail-localize
# ---------------------------------------------------------------------------


def segments_for_translation(source, locale) -> list:
    """The segments wagtail-localize's save_target ingests into a translation, untranslated
    strings falling back to the source text (TranslationSource._get_segments_for_translation).

    translation/drafts.py saves a live translation's draft as a revision only; it repeats what
    save_target does up to the save, so it needs the same segments.
    """
    return source._get_segments_for_translation(locale, fallback=True)


def may_edit_translation_target(user, instance) -> bool:
    """wagtail-localize's own rule for who may translate a page or snippet, from its views
    (edit_translation.user_can_edit_instance); our checked PO upload applies the same."""
    return user_can_edit_instance(user, instance)


# wagtail-localize's PO upload, inside the admin's URLs (its register_admin_urls hook puts
# "translate/<int:translation_id>/pofile/upload/" under "localize/"). Our checked upload view
# is registered at the same route by an app that loads first, so it answers first.
PO_UPLOAD_ROUTE = "localize/translate/<int:translation_id>/pofile/upload/"


# ---------------------------------------------------------------------------
# Moderation emails
# ---------------------------------------------------------------------------

# (signal, sender, dispatch_uid) of the receivers wagtail/admin/signal_handlers.py connects to
# mail moderators and submitters inside the moderator's request. A signal keeps only the
# first receiver connected under one dispatch_uid and sender, so connecting ours under these
# ids first makes Wagtail's own registration a no-op (editorial/receivers.py).
MODERATION_EMAIL_RECEIVERS = (
    (task_submitted, TaskState, "group_approval_task_submitted_email_notification"),
    (workflow_submitted, WorkflowState, "workflow_state_submitted_email_notification"),
    (workflow_rejected, WorkflowState, "workflow_state_rejected_email_notification"),
    (workflow_approved, WorkflowState, "workflow_state_approved_email_notification"),
)

# The four notifiers (imported above from wagtail.admin.mail, no documented API) are what
# Wagtail connects under those ids. editorial/notifications.py calls them from a task instead,
# so recipients, preferences and languages stay Wagtail's, and extends the approval and
# rejection ones: their `notification` names the templates, get_template_set(instance) picks
# them and get_context(instance) fills them.


# ---------------------------------------------------------------------------
# The admin: functions wrapped once, at start-up
# ---------------------------------------------------------------------------
# Each installer wraps one Wagtail function with a rule given as a callback. The wrapper
# carries a marker attribute: a second call (a second ready()) changes nothing.


def narrow_explorable_pages(narrow: Callable[[Any, QuerySet], QuerySet]) -> None:
    """PagePermissionPolicy.explorable_instances(user) feeds every page listing: explorer,
    admin search, the admin pages API, site history. `narrow(user, pages)` gets Wagtail's
    answer and returns what that user may explore."""
    original = PagePermissionPolicy.explorable_instances
    if getattr(original, "confines_rapporteurs", False):
        return

    @functools.wraps(original)
    def explorable_instances(self, user):
        return narrow(user, original(self, user))

    explorable_instances.confines_rapporteurs = True
    PagePermissionPolicy.explorable_instances = explorable_instances


def override_admin_display_title(title_for: Callable[[Page], str | None]) -> None:
    """Page.get_admin_display_title is the page's newest title (its draft_title) wherever the
    admin names a page: choosers and their search, the explorer, breadcrumbs, the admin pages
    API. It is given no user. `title_for(page)` returns the title to show instead, or None
    for Wagtail's."""
    original = Page.get_admin_display_title
    if getattr(original, "hides_drafts", False):
        return

    @functools.wraps(original)
    def get_admin_display_title(self):
        title = title_for(self)
        return original(self) if title is None else title

    get_admin_display_title.hides_drafts = True
    Page.get_admin_display_title = get_admin_display_title


def narrow_user_filter_choices(narrow: Callable[[Any, QuerySet], QuerySet]) -> None:
    """Every admin filter that offers users (a page listing's owner and editor, a history's or
    report's user) is a field of a WagtailFilterSet's form, each filter set building its user
    list its own way. WagtailFilterSet.form (django-filter's property, which builds the form
    once per filter set) is wrapped: `narrow(request_user, users)` returns the users offered
    to that user."""
    original = WagtailFilterSet.form
    if getattr(original.fget, "narrows_users", False):
        return

    @functools.wraps(original.fget)
    def form(self):
        built = original.fget(self)
        request = self.request
        if request is not None and not getattr(built, "users_narrowed", False):
            built.users_narrowed = True
            user_model = get_user_model()
            for field in built.fields.values():
                queryset = getattr(field, "queryset", None)
                if queryset is not None and queryset.model is user_model:
                    narrowed = narrow(request.user, queryset)
                    if narrowed is not queryset:
                        field.queryset = narrowed
        return built

    form.narrows_users = True
    WagtailFilterSet.form = property(form)


def guard_chooser_values(
    may_show: Callable[[type[Model], Any], bool], withheld_title: Callable[[], str]
) -> None:
    """Wagtail's chooser widgets (page, document, image, snippet) render the object whose id a
    form holds, title and all, even when the form was posted by hand, and fail with a server
    error on an id that is not a number. BaseChooser.get_instance and get_value_data are
    wrapped: an id that is not one shows as nothing chosen, and an object for which
    `may_show(model, pk)` is false keeps its id (saving the form again keeps it) but shows
    `withheld_title()` and no edit link."""
    original_get_instance = BaseChooser.get_instance
    original_get_value_data = BaseChooser.get_value_data
    if getattr(original_get_value_data, "hides_unchoosable", False):
        return

    @functools.wraps(original_get_instance)
    def get_instance(self, value):
        try:
            return original_get_instance(self, value)
        except (ValueError, TypeError, OverflowError, ValidationError):
            return None

    @functools.wraps(original_get_value_data)
    def get_value_data(self, value):
        data = original_get_value_data(self, value)
        if data and not may_show(self.model_class, data["id"]):
            return {"id": data["id"], "edit_url": "", self.display_title_key: withheld_title()}
        return data

    get_value_data.hides_unchoosable = True
    BaseChooser.get_instance = get_instance
    BaseChooser.get_value_data = get_value_data


# ---------------------------------------------------------------------------
# The admin: views we take the place of, and the admin API
# ---------------------------------------------------------------------------
# Each route is Wagtail's own, relative to the URLconf it is included from; cac/urls.py puts
# ours at the same address ahead of Wagtail's include, so ours answers first.

# Wagtail's "external link" chooser step (wagtail/admin/urls/__init__.py).
EXTERNAL_LINK_CHOOSER_ROUTE = "choose-external-link/"
# Wagtail's deliberate server error, for trying error pages (admin.views.home.error_test).
ERROR_TEST_ROUTE = "failwhale/"


class PageCheckingExternalLinkView(ExternalLinkView):
    """Wagtail's external-link chooser step: a pasted URL of one of the site's pages becomes a
    link to that page, labelled with its draft_title, in the JSON answer's "result" (or, when
    the editor is asked to confirm, "internal"). Where `may_link_page(user, page)` is false,
    the link is kept as typed: the answer of BaseLinkFormView.post, which ExternalLinkView
    extends with that conversion."""

    def may_link_page(self, user, page: Page) -> bool:
        return True

    def post(self, request):
        response = super().post(request)
        data = json.loads(response.content)
        page_id = (data.get("result") or data.get("internal") or {}).get("id")
        if page_id is not None:
            page = Page.objects.filter(pk=page_id).first()
            if page is not None and not self.may_link_page(request.user, page):
                return BaseLinkFormView.post(self, request)
        return response


# PagesAdminAPIViewSet, DocumentsAdminAPIViewSet and ImagesAdminAPIViewSet (imported above)
# are Wagtail's admin API endpoints, the admin's own and no documented extension point.
# editorial/admin_api.py extends them and registers them again under Wagtail's endpoint names
# ("pages", "documents", "images") from the construct_admin_api hook, after Wagtail's own.


# ---------------------------------------------------------------------------
# Privacy passwords
# ---------------------------------------------------------------------------
# core/privacy_passwords.py puts an attempt limit in front of Wagtail's password views, at
# their own routes, calls them and reads their answer.

# Routes of the forms' views: wagtail/urls.py, inside the site's URLs (i18n_patterns here),
# and wagtail/documents/urls.py, inside the documents' URLs ("documents/" here).
PAGE_PRIVACY_FORM_ROUTE = (
    "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/"
)
DOCUMENT_PRIVACY_FORM_ROUTE = "authenticate_with_password/<int:restriction_id>/"


def wagtail_page_password_view(
    request: HttpRequest, page_view_restriction_id: int, page_id: int
) -> HttpResponse:
    """Wagtail's view behind a page's password form (wagtail.views)."""
    return page_views.authenticate_with_password(request, page_view_restriction_id, page_id)


def wagtail_document_password_view(request: HttpRequest, restriction_id: int) -> HttpResponse:
    """Wagtail's view behind a document collection's password form (documents.views.serve)."""
    return document_views.authenticate_with_password(request, restriction_id)


def password_accepted(response: HttpResponse) -> bool:
    """How either view answers: on the right password it puts the grant in the session and
    redirects; on a wrong one it shows the form again."""
    return isinstance(response, HttpResponseRedirect)


# ---------------------------------------------------------------------------
# Where the admin's requests name pages, documents and images (editorial/boundary.py)
# ---------------------------------------------------------------------------
# Some admin views look up the object their URL names before any permission check, and
# show it (its title, a 403 rather than a 404). The admin boundary checks every id a
# request names first; these are the places Wagtail's URLconf and views put them. The test
# lists every id-like URL argument of the admin and fails on one it has not classified.

ADMIN_ID_KWARGS = {
    "page_id": "page",
    "parent_page_id": "page",
    "page_to_move_id": "page",
    "destination_id": "page",
    "document_id": "document",
    "doc_id": "document",  # the multiple upload's edit and delete
    "image_id": "image",
}
# Namespaces whose `pk` names a page, a document or an image.
ADMIN_PK_NAMESPACES = {
    "wagtailadmin_api:pages": "page",
    "wagtailadmin_api:documents": "document",
    "wagtailadmin_api:images": "image",
    "wagtaildocs_chooser": "document",
    "wagtailimages_chooser": "image",
}
# (namespace, url name) of the choosers' "chosen multiple" views, which read `?id=` repeated.
ADMIN_CHOSEN_MULTIPLE_VIEWS = {
    ("", "wagtailadmin_choose_page_chosen_multiple"): "page",
    ("wagtaildocs_chooser", "chosen_multiple"): "document",
    ("wagtailimages_chooser", "chosen_multiple"): "image",
}
# Posted fields that Wagtail's views look up before any form checks them (copy and move).
ADMIN_POSTED_IDS = {"new_parent_page": "page"}
# Every site-wide report, with the `_results` view that refreshes its listing.
ADMIN_REPORT_VIEWS = {
    ("wagtailadmin_reports", name)
    for name in (
        "page_types_usage",
        "site_history",
        "aging_pages",
        "locked_pages",
        "workflow",
        "workflow_tasks",
    )
} | {("wagtail_localize", "translations_report")}
ADMIN_REPORT_VIEWS |= {(namespace, f"{name}_results") for namespace, name in ADMIN_REPORT_VIEWS}
# The listings' bulk actions (delete, move, publish…) for pages, documents, images and users.
ADMIN_BULK_ACTION_VIEW = ("", "wagtail_bulk_action")
# Where a page's workflow task is approved or sent back (editorial/moderation_confirmation.py):
# the task's own view (the dashboard's dialog, the status side panel; its URL names the task
# state), and the edit view when its form posts this field (EditView.perform_workflow_action).
PAGE_WORKFLOW_ACTION_VIEW = ("wagtailadmin_pages", "workflow_action")
PAGE_EDIT_VIEW = ("wagtailadmin_pages", "edit")
EDIT_FORM_WORKFLOW_ACTION_FIELD = "action-workflow-action"


# ---------------------------------------------------------------------------
# StreamField's posted data (core/forms.py)
# ---------------------------------------------------------------------------


def empty_stream_in_posted_data(data, prefix: str):
    """A copy of posted form `data` with the StreamField at `prefix` emptied: no blocks.

    A StreamField posts `{prefix}-count` and, for each block, fields under
    `{prefix}-{index}-…`; with its blocks removed and a count of 0, the widget reads an
    empty stream, so a form whose stream could not be read can still be shown again.
    """
    data = data.copy()
    for key in [key for key in data if key.startswith(f"{prefix}-")]:
        del data[key]
    data[f"{prefix}-count"] = "0"
    return data


# ---------------------------------------------------------------------------
# The practice import (sitedata/practice_import/writing.py)
# ---------------------------------------------------------------------------
# The import adds thousands of pages under one parent. It publishes each new one as Wagtail
# would, saving it once (publish_new_page). treebeard's add_child locks and updates
# the parent row for each; the import sets each child's materialised path itself and updates
# the parent's child count once, which needs treebeard's private path arithmetic.


def first_child_path(parent_path: str, depth: int) -> str:
    """The path of a first child at `depth` under `parent_path` (MP_Node._get_path)."""
    return Page._get_path(parent_path, depth, 1)


def next_sibling_path(page: Page) -> str:
    """The path of the sibling after `page` (MP_Node._inc_path); raises PathOverflow past the
    last step a path can hold."""
    return page._inc_path()


def remember_parent(page: Page, parent: Page) -> None:
    """What add_child leaves on a new node: treebeard's get_parent() then answers from memory
    (MP_Node caches the parent as `_cached_parent_obj`) instead of a query per page."""
    page._cached_parent_obj = parent


def publish_new_page(page: Page, add_to_tree: Callable[[Page], None]) -> PageLogEntry:
    """Add a new `page` to the tree, published, and return its publish log entry, unsaved.

    What `add_child(instance=page)` then `page.save_revision().publish()` leave behind for a
    new page (a live page, one revision that is both latest and live, the page_published
    signal, a "wagtail.publish" log entry), with one validated save where Wagtail saves and
    validates the page three times. `add_to_tree` saves the page at its place in the tree.
    The caller writes the log entries in bulk: one saved on its own validates each foreign
    key. tests/core/test_wagtail_internals.py compares the result with Wagtail's own publish.
    """
    now = timezone.now()
    page.live = True
    page.has_unpublished_changes = False
    page.first_published_at = page.last_published_at = now
    add_to_tree(page)
    revision = Revision.objects.create(
        content_object=page,
        base_content_type=page.get_base_content_type(),
        content=page.serializable_data(),
        object_str=str(page),
    )
    # Page, not the specific class: the fields live on the parent table, so one UPDATE does.
    Page.objects.filter(pk=page.pk).update(
        latest_revision=revision,
        live_revision=revision,
        latest_revision_created_at=revision.created_at,
    )
    page.latest_revision = page.live_revision = revision
    page.latest_revision_created_at = revision.created_at
    page_published.send(sender=page.specific_class, instance=page, revision=revision)
    return PageLogEntry(
        page=page,
        content_type=ContentType.objects.get_for_model(page.specific_class),
        label=page.get_admin_display_title(),
        action="wagtail.publish",
        timestamp=now,
        revision=revision,
        content_changed=True,
    )


# Wagtail's post_save receiver that indexes an object for its own search (modelsearch's,
# re-exported by wagtail.search.signal_handlers): the import disconnects it while it indexes
# in bulk. disable_reference_index_auto_update (imported above) stops the reference index's
# update on each save, which the import also does in bulk.
search_index_on_save = post_save_signal_handler


# ---------------------------------------------------------------------------
# modelsearch on SQLite (development and the test suite; PostgreSQL is not affected)
# ---------------------------------------------------------------------------


def double_quotes_in_sqlite_search_terms() -> None:
    """A double quote in an admin search term is not a server error on SQLite.

    modelsearch's SQLite backend writes each term of a query as an FTS5 string, "term",
    doubling ' and \\ inside it but not ". A term that holds a " (a lone quote, a quoted word
    without its closing quote) ends the string early: FTS5 fails with "unterminated string" or
    "syntax error", and the admin's page explorer and chooser answered 500. FTS5 writes a "
    inside a string as "", which the wrapped Lexeme.as_sql adds. Installed once, from
    SearchConfig.ready(); re-check on an upgrade whether it is still needed.
    """
    if connections["default"].vendor != "sqlite":
        return
    # Imported here: the module loads SQLite's full-text index model, which exists on SQLite only.
    from modelsearch.backends.database.sqlite.query import Lexeme

    original = Lexeme.as_sql
    if getattr(original, "doubles_quotes", False):
        return

    @functools.wraps(original)
    def as_sql(self, compiler, connection):
        sql, params = original(self, compiler, connection)
        return sql, [param.replace('"', '""') for param in params]

    as_sql.doubles_quotes = True
    Lexeme.as_sql = as_sql


# ---------------------------------------------------------------------------
# Snippet breadcrumbs and choosers in the reader's language
# ---------------------------------------------------------------------------


def _object_text(msgid: str, model: type[Model]) -> str:
    return gettext(msgid) % {"object": model._meta.verbose_name}


_lazy_object_text = lazy(_object_text, str)


class TranslatedSnippetChooser(AdminSnippetChooser):
    """AdminSnippetChooser formats "Choose %(object)s" and its kin with gettext when it is
    built, once at start-up, so the practice editor read "Choose city" in Korean. The same
    msgids (translated by Wagtail's catalogues), formatted when shown."""

    def __init__(self, model, **kwargs):
        super().__init__(model, **kwargs)
        self.choose_one_text = _lazy_object_text("Choose %(object)s", model)
        self.choose_another_text = _lazy_object_text("Choose another %(object)s", model)
        self.link_to_chosen_text = _lazy_object_text("Edit this %(object)s", model)


class TranslatedSnippetChooserViewSet(SnippetChooserViewSet):
    @functools.cached_property
    def widget_class(self):
        return TranslatedSnippetChooser(model=self.model, icon=self.icon)


class TranslatedSnippetViewSet(SnippetViewSet):
    """A snippet viewset whose breadcrumbs and chooser follow the editor's admin language.

    SnippetViewSet.breadcrumbs_items builds its "Home" and "Snippets" with gettext (not
    gettext_lazy) when the viewset is registered at start-up, so every snippet listing and
    form read "Home" in English whatever the admin language. The lazy labels are Wagtail's
    own msgids. Drop this when Wagtail makes them lazy.
    """

    chooser_viewset_class = TranslatedSnippetChooserViewSet

    @property
    def breadcrumbs_items(self):
        items = super().breadcrumbs_items
        labels = {"Home": gettext_lazy("Home"), "Snippets": gettext_lazy("Snippets")}
        return [{**item, "label": labels.get(str(item["label"]), item["label"])} for item in items]
