"""core/wagtail_internals.py holds every reach into the internals of Wagtail, wagtail-localize,
treebeard and modelsearch. These tests make an upgrade of any of them fail loudly: the versions
the reaches were read against are pinned, and each reached name must still be there, with the
signature the module uses."""

from __future__ import annotations

import ast
import inspect
import re
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from django.db import connections
from django.http import QueryDict
from django.urls import URLResolver, get_resolver
from treebeard.mp_tree import MP_Node
from wagtail import views as page_views
from wagtail.admin import signal_handlers as admin_signal_handlers
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views import home
from wagtail.admin.views.chooser import BaseLinkFormView, ExternalLinkView
from wagtail.admin.views.pages import copy as copy_page_view
from wagtail.admin.views.pages import edit as edit_page_view
from wagtail.admin.widgets.chooser import BaseChooser
from wagtail.blocks import CharBlock, StreamBlock
from wagtail.blocks.base import BlockWidget
from wagtail.documents.models import AbstractDocument
from wagtail.documents.views import serve as document_views
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.signals import page_published
from wagtail_localize.models import TranslationSource
from wagtail_localize.views import edit_translation

from core import privacy_passwords, wagtail_internals
from editorial.boundary import switched_off
from translation.admin_views import upload_pofile_checked

MODULE = Path(wagtail_internals.__file__)


def test_the_reaches_were_checked_against_the_installed_versions():
    installed = {name: version(name) for name in wagtail_internals.CHECKED_AGAINST}
    assert installed == wagtail_internals.CHECKED_AGAINST, (
        f"Installed {installed}, but core/wagtail_internals.py was checked against "
        f"{wagtail_internals.CHECKED_AGAINST}. Re-read each reach listed in that module (every "
        "section: the reference index, documents, wagtail-localize, moderation emails, the "
        "admin wraps, the views taken over, privacy passwords, the practice import, modelsearch "
        "on SQLite) against the new code, fix what changed, then update CHECKED_AGAINST."
    )


def test_the_module_depends_only_on_django_and_the_libraries_it_reaches_into():
    allowed = {"django", "wagtail", "wagtail_localize", "treebeard", "modelsearch"}
    imported = set()
    for node in ast.walk(ast.parse(MODULE.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported - allowed - set(sys.stdlib_module_names) - {"__future__"} == set()


def test_everything_it_exports_exists():
    missing = [name for name in wagtail_internals.__all__ if not hasattr(wagtail_internals, name)]
    assert missing == []


def _signature(function) -> str:
    """The signature of the library's own function, under any wrapper of ours."""
    return str(inspect.signature(inspect.unwrap(function)))


@pytest.mark.parametrize(
    "function, expected",
    [
        (ReferenceIndex._get_base_content_type, "(model_or_object)"),
        (AbstractDocument._set_file_hash, "(self)"),
        (AbstractDocument._set_document_file_metadata, "(self)"),
        (TranslationSource._get_segments_for_translation, "(self, locale, fallback=False)"),
        (edit_translation.user_can_edit_instance, "(user, instance)"),
        (Page._get_path, "(path, depth, newstep)"),
        (MP_Node._inc_path, "(self)"),
        (PagePermissionPolicy.explorable_instances, "(self, user)"),
        (Page.get_admin_display_title, "(self)"),
        (WagtailFilterSet.form.fget, "(self)"),
        (BaseChooser.get_instance, "(self, value)"),
        (BaseChooser.get_value_data, "(self, value)"),
        (ExternalLinkView.post, "(self, request)"),
        (BaseLinkFormView.post, "(self, request)"),
        (page_views.authenticate_with_password, "(request, page_view_restriction_id, page_id)"),
        (document_views.authenticate_with_password, "(request, restriction_id)"),
        (wagtail_internals.search_index_on_save, "(instance, **kwargs)"),
        (wagtail_internals.disable_reference_index_auto_update, "()"),
    ],
    ids=lambda value: getattr(value, "__qualname__", None) if callable(value) else None,
)
def test_each_reached_function_keeps_its_signature(function, expected):
    assert _signature(function) == expected


@pytest.mark.parametrize(
    "notifier",
    [
        wagtail_internals.GroupApprovalTaskStateSubmissionEmailNotifier,
        wagtail_internals.WorkflowStateSubmissionEmailNotifier,
        wagtail_internals.WorkflowStateApprovalEmailNotifier,
        wagtail_internals.WorkflowStateRejectionEmailNotifier,
    ],
    ids=lambda notifier: notifier.__name__,
)
def test_wagtails_notifiers_are_still_called_and_extended_as_we_do(notifier):
    # editorial/notifications.py: notifier(instance=state, user=user), and the summaries'
    # mixin calls get_template_set and get_context with the state, and reads `notification`.
    instance = notifier()
    inspect.signature(instance).bind(instance=object(), user=None)
    inspect.signature(instance.get_template_set).bind(object(), user=None)
    inspect.signature(instance.get_context).bind(object(), user=None)
    assert notifier.notification


def test_the_attributes_the_wraps_read_are_still_there():
    # A filter set's request, a chooser's model and the key of its title in the widget data.
    assert "request" in inspect.signature(WagtailFilterSet.__init__).parameters
    assert hasattr(BaseChooser, "model_class")
    assert hasattr(BaseChooser, "display_title_key")
    # The external-link step extends the plain link form, whose answer keeps a link as typed.
    assert issubclass(ExternalLinkView, BaseLinkFormView)
    # treebeard's get_parent answers from the parent that add_child (and the import) leaves.
    assert "_cached_parent_obj" in inspect.getsource(MP_Node.get_parent)


def test_the_tree_paths_the_import_sets_are_treebeards(db, django_assert_num_queries):
    parent = Page(path="00010002", depth=2)
    first = Page(path=wagtail_internals.first_child_path(parent.path, 3), depth=3)
    wagtail_internals.remember_parent(first, parent)

    assert first.path == "000100020001"
    assert wagtail_internals.next_sibling_path(first) == "000100020002"
    with django_assert_num_queries(0):
        assert first.get_parent() is parent


# Set by the publish itself, so different for any two pages; the rest must be equal.
_FIELDS_EACH_PAGE_HAS_ITS_OWN = {
    "id", "page_ptr", "path", "title", "draft_title", "slug", "url_path", "translation_key",
    "first_published_at", "last_published_at", "latest_revision_created_at",
    "latest_revision", "live_revision",
}  # fmt: skip


def _what_a_publish_left(page: Page) -> dict:
    page.refresh_from_db()
    revisions = list(Revision.page_revisions.filter(object_id=str(page.pk)))
    return {
        "page": {
            field.attname: getattr(page, field.attname)
            for field in Page._meta.concrete_fields
            if field.name not in _FIELDS_EACH_PAGE_HAS_ITS_OWN
        },
        "published at once": page.first_published_at == page.last_published_at is not None,
        "revisions": [
            (
                revision.pk == page.latest_revision_id == page.live_revision_id,
                revision.created_at == page.latest_revision_created_at,
                revision.content_type_id,
                revision.base_content_type_id,
                revision.object_str == page.title,
                revision.content["title"] == page.title,
                sorted(revision.content),
            )
            for revision in revisions
        ],
        "log": sorted(
            (
                entry.action,
                entry.content_type_id,
                entry.label == page.title,
                entry.revision_id == page.live_revision_id,
                entry.content_changed,
                entry.deleted,
            )
            for entry in PageLogEntry.objects.filter(page=page)
        ),
    }


def test_the_imports_publish_leaves_what_wagtails_own_publish_leaves(db, tasks_in_process):
    root = Page.get_first_root_node()
    published = []

    def record(sender, instance, **kwargs):
        published.append(instance.pk)

    page_published.connect(record)  # a weak reference, dropped with the test
    by_wagtail = root.add_child(instance=Page(title="By Wagtail", slug="by-wagtail"))
    by_wagtail.save_revision().publish()

    by_import = Page(title="By the import", slug="by-the-import")
    log_entry = wagtail_internals.publish_new_page(
        by_import, lambda page: root.add_child(instance=page)
    )
    PageLogEntry.objects.bulk_create([log_entry])

    wagtails = _what_a_publish_left(by_wagtail)
    assert wagtails["log"] and wagtails["revisions"]  # the comparison compares something
    assert _what_a_publish_left(by_import) == wagtails
    assert published == [by_wagtail.pk, by_import.pk]


def test_the_modelsearch_sqlite_term_still_writes_its_sql_as_wrapped():
    if connections["default"].vendor != "sqlite":
        pytest.skip("modelsearch's SQLite query module loads on SQLite only")
    from modelsearch.backends.database.sqlite.query import Lexeme  # SQLite only, as above

    assert Lexeme.as_sql.doubles_quotes
    assert _signature(Lexeme.as_sql) == "(self, compiler, connection)"


def test_wagtail_connects_its_moderation_emails_under_the_ids_we_take(monkeypatch):
    connected = []
    for signal, _sender, _uid in wagtail_internals.MODERATION_EMAIL_RECEIVERS:
        monkeypatch.setattr(
            signal,
            "connect",
            lambda receiver, sender, dispatch_uid, signal=signal: connected.append(
                (signal, sender, dispatch_uid)
            ),
        )

    admin_signal_handlers.register_signal_handlers()

    assert tuple(connected) == wagtail_internals.MODERATION_EMAIL_RECEIVERS


def _view(callback):
    """A view's class, or its function under the decorators that say what they wrap."""
    return getattr(callback, "view_class", None) or inspect.unwrap(callback)


def _views_by_route(patterns=None, prefix=""):
    """(route, view) for every URL pattern of the site, in the order they are tried."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _views_by_route(pattern.url_patterns, route)
        else:
            yield route, _view(pattern.callback)


@pytest.mark.parametrize(
    "route, wagtails_view, ours",
    [
        ("admin/" + wagtail_internals.EXTERNAL_LINK_CHOOSER_ROUTE, ExternalLinkView, None),
        ("admin/" + wagtail_internals.ERROR_TEST_ROUTE, home.error_test, switched_off),
        (
            "admin/" + wagtail_internals.PO_UPLOAD_ROUTE,
            edit_translation.upload_pofile,
            upload_pofile_checked,
        ),
        (
            "en/" + wagtail_internals.PAGE_PRIVACY_FORM_ROUTE,
            page_views.authenticate_with_password,
            privacy_passwords.authenticate_page_password,
        ),
        (
            "documents/" + wagtail_internals.DOCUMENT_PRIVACY_FORM_ROUTE,
            document_views.authenticate_with_password,
            privacy_passwords.authenticate_collection_password,
        ),
    ],
)
def test_our_views_answer_first_at_wagtails_own_routes(route, wagtails_view, ours):
    views = [view for each_route, view in _views_by_route() if each_route == route]

    assert _view(wagtails_view) in views, f"Wagtail no longer answers at {route}: re-read its URLs"
    assert views[0] is not _view(wagtails_view)
    if ours is not None:  # the external link's view is wrapped beyond recognition
        assert views[0] is _view(ours)


def _admin_routes(patterns=None, prefix="", namespace=""):
    """(namespace, url name, names of the URL's arguments) for every admin URL pattern."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            inner = f"{namespace}:{inner}" if namespace and inner else namespace or inner
            yield from _admin_routes(pattern.url_patterns, route, inner)
        elif route.startswith("admin/"):
            arguments = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
            yield namespace, pattern.name, {a or b for a, b in arguments}


# The admin's other id-like URL arguments, and why the boundary leaves them to Wagtail.
IDS_THE_BOUNDARY_LEAVES = {
    "revision_id": "always beside page_id, which is checked; Wagtail reads it from that page",
    "task_state_id": "always beside page_id, as above",
    "workflow_state_id": "always beside page_id, as above",
    "object_id": "editing sessions' ping: Wagtail answers 404 unless the user may edit it",
    "session_id": "a user's own editing session, or a summit session checked by My sessions",
    "page_pk": "removing a workflow: needs the workflow permission, which rapporteurs lack",
    "workflow_pk": "as page_pk",
    "task_id": "workflow tasks: the same permission",
    "collection_id": "collection privacy: needs the collection permission",
    "query_id": "search promotions: needs their permission",
    "redirect_id": "redirects: need their permission",
    "translation_id": "wagtail-localize checks the target (may_edit_translation_target)",
    "string_segment_id": "always beside translation_id",
    "overridable_segment_id": "always beside translation_id",
    "translation_source_id": "wagtail-localize checks that the user may edit the source",
    "uploaded_file_id": "an upload of the user's own",
    "city_id": "My city: the view answers 404 for any city the user does not represent",
    "practice_id": "My city: the view answers 404 unless the user wrote it for their city",
    "request_id": "representative requests: the view needs the moderators' permission",
}
BESIDE = {"page_id": {"revision_id", "task_state_id", "workflow_state_id"}}
BESIDE["translation_id"] = {"string_segment_id", "overridable_segment_id"}
# Namespaces whose `pk` is a snippet, user, group, site… behind Wagtail's model permissions.
PK_NAMESPACES_THE_BOUNDARY_LEAVES = {
    "wagtail_localize",
    "wagtailadmin_collections",
    "wagtailadmin_workflows",
    "wagtaillocales",
    "wagtailsettings",
    "wagtailsites",
    "wagtailusers_groups",
    "wagtailusers_users",
}


def test_every_id_an_admin_url_carries_is_checked_by_the_boundary_or_known_to_be_safe():
    routes = list(_admin_routes())
    arguments = set().union(*(names for _namespace, _name, names in routes))
    id_like = {name for name in arguments if re.search(r"(^|_)(id|pk)$", name)}

    assert id_like == set(wagtail_internals.ADMIN_ID_KWARGS) | {"pk"} | set(
        IDS_THE_BOUNDARY_LEAVES
    ), "Wagtail's admin URLs name objects differently: re-read editorial/boundary.py"
    for checked, beside in BESIDE.items():
        for _namespace, name, names in routes:
            assert not (names & beside) or checked in names, name
    pk_namespaces = {namespace for namespace, _name, names in routes if "pk" in names}
    assert pk_namespaces == set(wagtail_internals.ADMIN_PK_NAMESPACES) | {
        namespace
        for namespace in pk_namespaces
        if namespace in PK_NAMESPACES_THE_BOUNDARY_LEAVES
        or namespace.startswith(("wagtailsnippets_", "wagtailsnippetchoosers_"))
    }


def test_the_admin_views_the_boundary_names_are_all_there():
    views = {(namespace, name) for namespace, name, _names in _admin_routes()}

    assert set(wagtail_internals.ADMIN_CHOSEN_MULTIPLE_VIEWS) <= views
    assert wagtail_internals.ADMIN_BULK_ACTION_VIEW in views
    # Every site-wide report, so that a new one in an upgrade is not open to rapporteurs.
    reports = {view for view in views if view[0] == "wagtailadmin_reports"}
    assert reports <= wagtail_internals.ADMIN_REPORT_VIEWS <= views
    # The copy view looks the new parent up from the posted data before its form checks it.
    for name in wagtail_internals.ADMIN_POSTED_IDS:
        assert f'request.POST["{name}"]' in inspect.getsource(copy_page_view)


def test_the_workflow_actions_the_moderation_confirmation_watches_are_still_there():
    views = {(namespace, name) for namespace, name, _names in _admin_routes()}
    assert wagtail_internals.PAGE_WORKFLOW_ACTION_VIEW in views
    assert wagtail_internals.PAGE_EDIT_VIEW in views
    field = wagtail_internals.EDIT_FORM_WORKFLOW_ACTION_FIELD
    assert f'self.request.POST.get("{field}")' in inspect.getsource(edit_page_view.EditView)


def test_an_emptied_stream_reads_as_no_blocks():
    widget = BlockWidget(StreamBlock([("paragraph", CharBlock())]))
    posted = QueryDict("body-count=2&body-0-type=nonsense&body-0-order=x&title=Kept")

    with pytest.raises(KeyError):  # a block's "deleted" field is missing
        widget.value_from_datadict(posted, {}, "body")  # why core/forms.py empties it
    emptied = wagtail_internals.empty_stream_in_posted_data(posted, "body")

    assert emptied["title"] == "Kept" and posted["body-count"] == "2"
    assert list(widget.value_from_datadict(emptied, {}, "body")) == []
