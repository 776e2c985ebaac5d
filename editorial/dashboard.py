"""What an editor or moderator finds on the dashboard: where to start a page, their drafts,
what waits in moderation and what was published lately.

Every list holds only pages the user may edit (Wagtail's page permission policy), so a
dashboard never shows a title its reader could not open. Each list is one query, capped.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.documents.permissions import permission_policy as document_permission_policy
from wagtail.models import Locale, Page, TaskState, WorkflowState, get_default_page_content_type
from wagtail.permissions import page_permission_policy

from editorial.roles import is_confined_rapporteur
from knowledge.models import PracticeIndexPage, PracticePage, SessionSummaryPage

# Enough to pick up where one left off; the explorer holds the rest.
DASHBOARD_LIST_LIMIT = 8
# What editors and rapporteurs write, as opposed to the structure the site is built from.
WRITTEN_PAGE_TYPES = (PracticePage, SessionSummaryPage)


@dataclass(frozen=True)
class QuickAction:
    label: str
    url: str
    icon: str


def has_editorial_desk(user) -> bool:
    """Editors, moderators and admins: anyone who may change pages beyond a rapporteur's own."""
    if not user.is_authenticated or is_confined_rapporteur(user):
        return False
    return page_permission_policy.user_has_any_permission(user, ["add", "change", "publish"])


def may_moderate(user) -> bool:
    """Moderators (and admins) publish; their moderation list is what waits for them."""
    return page_permission_policy.user_has_permission(user, "publish")


def _editable_pages(user) -> QuerySet[Page]:
    return page_permission_policy.instances_user_has_permission_for(user, "change")


def _listed(pages: QuerySet[Page]) -> QuerySet[Page]:
    # The type and language are shown on each row: joined here, not fetched row by row.
    return pages.select_related("content_type", "locale")


def _moderation_in_progress_of_page() -> QuerySet[WorkflowState]:
    # In progress only: a page sent back for changes is its author's draft again.
    # WorkflowState.object_id is text; cast the page's id to match on every database.
    return WorkflowState.objects.filter(
        status=WorkflowState.STATUS_IN_PROGRESS,
        base_content_type_id=get_default_page_content_type().pk,
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
    )


def my_drafts(user, limit: int = DASHBOARD_LIST_LIMIT) -> list[Page]:
    """The user's pages with changes not yet published and not in moderation, newest first."""
    pages = (
        _editable_pages(user)
        .filter(has_unpublished_changes=True)
        .filter(Q(owner=user) | Q(latest_revision__user=user))
        .exclude(Exists(_moderation_in_progress_of_page()))
        .order_by("-latest_revision_created_at", "-pk")
    )
    return list(_listed(pages)[:limit])


def in_moderation(user, limit: int = DASHBOARD_LIST_LIMIT) -> list[Page]:
    """For a moderator, the pages waiting on a task they may act on; for anyone else, their
    own pages in moderation. Oldest request first: it has waited longest."""
    page_type_id = get_default_page_content_type().pk
    reviewable = TaskState.objects.reviewable_by(user).filter(
        workflow_state__base_content_type_id=page_type_id,
        workflow_state__object_id=Cast(OuterRef("pk"), output_field=CharField()),
    )
    pages = _editable_pages(user)
    if may_moderate(user):
        pages = pages.filter(Exists(reviewable))
    else:
        pages = pages.filter(
            Exists(_moderation_in_progress_of_page().filter(requested_by=user))
            | (Q(owner=user) & Exists(_moderation_in_progress_of_page()))
        )
    return list(_listed(pages.order_by("latest_revision_created_at", "pk"))[:limit])


def recently_published(user, limit: int = DASHBOARD_LIST_LIMIT) -> list[Page]:
    """Practices and session summaries the user may edit, the most recently published first.

    The home pages, indexes, summit and sessions are the site's structure, not news.
    """
    pages = (
        _editable_pages(user)
        .type(*WRITTEN_PAGE_TYPES)
        .filter(live=True, last_published_at__isnull=False)
        .order_by("-last_published_at", "-pk")
    )
    return list(_listed(pages)[:limit])


def _practice_index_in_language(user) -> PracticeIndexPage | None:
    """The practice index in the admin's current language, else in the default language."""
    language = translation.get_language() or ""
    locales = Locale.objects.filter(
        language_code__in=[language, Locale.get_default().language_code]
    )
    indexes = {
        index.locale.language_code: index
        for index in PracticeIndexPage.objects.filter(locale__in=locales).select_related("locale")
    }
    return indexes.get(language) or next(iter(indexes.values()), None)


def quick_actions(user) -> list[QuickAction]:
    """Shortcuts to what editors create, each offered only where the user may create it."""
    actions = []
    index = _practice_index_in_language(user)
    if index is not None and index.permissions_for_user(user).can_add_subpage():
        meta = PracticePage._meta
        actions.append(
            QuickAction(
                label=_("Add practice"),
                url=reverse(
                    "wagtailadmin_pages:add", args=[meta.app_label, meta.model_name, index.pk]
                ),
                icon="plus",
            )
        )
    if document_permission_policy.user_has_permission(user, "add"):
        actions.append(
            QuickAction(
                label=_("Upload documents"),
                url=reverse("wagtaildocs:add_multiple"),
                icon="doc-full",
            )
        )
    return actions
