"""Who may do what in the admin: Seoul editors, moderators, session rapporteurs and city
representatives.

Editors write practices and pages in every locale and submit them for moderation;
moderators approve, publish and unpublish; a rapporteur writes the summary of the sessions
assigned to them and nothing else; a city representative writes their own city's practices
through a guided form and nothing else. Groups with page and collection permissions hold these
rules, so Wagtail enforces them in every admin view. Wagtail still *lists* some pages a
rapporteur cannot edit; `rapporteur_admin_pages` says what a rapporteur may see, and the
hooks in wagtail_hooks.py apply it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)
from wagtail.permissions import page_permission_policy

from editorial.models import CityAccess, SessionAccess, rapporteur_sessions
from home.models import HomePage
from home.site_structure import ensure_site_structure
from knowledge.models import City, SessionPage, SessionSummaryPage
from knowledge.visibility import visible_pages

# Stored in English, the names these rows are found by; marked (not translated) here so the
# catalogue holds them, and editorial/names.py shows them in the reader's language.
EDITORS = gettext_noop("Seoul editors")
MODERATORS = gettext_noop("Moderators")
RAPPORTEURS = gettext_noop("Rapporteurs")
REPRESENTATIVES = gettext_noop("City representatives")
MODERATION_WORKFLOW = gettext_noop("Moderation")
MODERATION_TASK = gettext_noop("Moderators approve")
# Parent of the per-session document collections, under the root collection.
SESSION_COLLECTIONS = gettext_noop("Summit sessions")
# Parent of the per-city collections that hold what representatives upload.
CITY_COLLECTIONS = gettext_noop("City contributions")

EDITOR_PAGE_ACTIONS = ("add", "change")
MODERATOR_PAGE_ACTIONS = ("add", "change", "publish", "lock", "unlock")
# Wagtail's "add" lets a rapporteur create summaries under the session and edit the pages
# they own, never anyone else's; the session page itself stays read-only to them.
RAPPORTEUR_PAGE_ACTIONS = ("add",)
MEDIA_COLLECTION_PERMISSIONS = (
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
)
SESSION_COLLECTION_PERMISSIONS = (
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
)
# As for sessions: their files. Photos from the guided form are stored by the form itself;
# Wagtail's image library stays closed to them.
CITY_COLLECTION_PERMISSIONS = SESSION_COLLECTION_PERMISSIONS
ADMIN_ACCESS = ("wagtailadmin.access_admin",)
EDITORIAL_MODEL_PERMISSIONS = ADMIN_ACCESS + (
    "knowledge.add_city",
    "knowledge.change_city",
    "knowledge.view_city",
    "knowledge.add_topicarea",
    "knowledge.change_topicarea",
    "knowledge.view_topicarea",
    # Search upkeep: the synonym list and promoted results (search picks).
    "search.add_synonymgroup",
    "search.change_synonymgroup",
    "search.delete_synonymgroup",
    "search.view_synonymgroup",
    "wagtailsearchpromotions.add_searchpromotion",
    "wagtailsearchpromotions.change_searchpromotion",
    "wagtailsearchpromotions.delete_searchpromotion",
    "wagtailsearchpromotions.view_searchpromotion",
)
# Moderators review requests to become a city's representative (network/representatives.py).
REQUEST_REVIEW_PERMISSIONS = (
    "network.view_representativerequest",
    "network.change_representativerequest",
)
# wagtail-localize's submit and update views publish translations of live pages without
# asking for publish permission, so only the people who may publish may translate.
TRANSLATION_PERMISSIONS = ("wagtail_localize.submit_translation",)


@dataclass
class EditorialRoles:
    editors: Group
    moderators: Group
    rapporteurs: Group
    workflow: Workflow
    home_pages: list[HomePage]


# ---------------------------------------------------------------------------
# Permissions, set exactly
# ---------------------------------------------------------------------------


def _permissions(names: Iterable[str]) -> list[Permission]:
    """auth Permissions from "app_label.codename" names; all must exist."""
    wanted = [name.split(".", 1) for name in names]
    found = {
        (perm.content_type.app_label, perm.codename): perm
        for perm in Permission.objects.filter(
            codename__in=[codename for _app, codename in wanted]
        ).select_related("content_type")
    }
    missing = [f"{app}.{codename}" for app, codename in wanted if (app, codename) not in found]
    if missing:
        raise LookupError(f"permissions missing (are all migrations applied?): {missing}")
    return [found[(app, codename)] for app, codename in wanted]


def _page_permissions(actions: Iterable[str]) -> list[Permission]:
    page_type = ContentType.objects.get_for_model(Page)
    return [
        Permission.objects.get(content_type=page_type, codename=f"{action}_page")
        for action in actions
    ]


def _set_page_permissions(group: Group, pages: Iterable[Page], actions: Iterable[str]) -> None:
    # Exact, not additive: a page permission left over from an older definition (or from
    # Wagtail's default Moderators group on the root page) would widen the boundary.
    wanted = {(page.pk, perm.pk) for page in pages for perm in _page_permissions(actions)}
    existing = GroupPagePermission.objects.filter(group=group)
    existing.exclude(
        pk__in=[grant.pk for grant in existing if (grant.page_id, grant.permission_id) in wanted]
    ).delete()
    have = set(existing.values_list("page_id", "permission_id"))
    GroupPagePermission.objects.bulk_create(
        GroupPagePermission(group=group, page_id=page_id, permission_id=permission_id)
        for page_id, permission_id in sorted(wanted - have)
    )


def _set_collection_permissions(group: Group, collection: Collection, names: Iterable[str]) -> None:
    wanted = {perm.pk for perm in _permissions(names)}
    existing = GroupCollectionPermission.objects.filter(group=group)
    existing.exclude(collection=collection, permission_id__in=wanted).delete()
    have = set(existing.values_list("permission_id", flat=True))
    GroupCollectionPermission.objects.bulk_create(
        GroupCollectionPermission(group=group, collection=collection, permission_id=perm_id)
        for perm_id in sorted(wanted - have)
    )


def _ensure_group(
    name: str, model_permissions: Iterable[str], withheld: Iterable[str] = ()
) -> Group:
    group, _created = Group.objects.get_or_create(name=name)
    # Model permissions are only added: a site admin may grant a group more (redirects,
    # say) without the next `setup_editorial_roles` taking it away. Only those that would
    # break the editorial boundary are withheld.
    group.permissions.add(*_permissions(model_permissions))
    group.permissions.remove(*_permissions(withheld))
    return group


def _ensure_moderation_workflow(moderators: Group, home_pages: list[HomePage]) -> Workflow:
    workflow, _created = Workflow.objects.get_or_create(name=MODERATION_WORKFLOW)
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    task = GroupApprovalTask.objects.filter(name=MODERATION_TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=MODERATION_TASK)
    task.groups.set([moderators])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for home in home_pages:
        # Attached to each locale's home page: the nearest attached workflow wins, so this
        # one covers practices, pages and session summaries in every language.
        WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})
    return workflow


@transaction.atomic
def ensure_editorial_roles() -> EditorialRoles:
    """Create or reset the editorial groups, their permissions and the moderation workflow.

    Safe to run again; also re-applies the permissions of every session already assigned.
    """
    home_pages = list(ensure_site_structure().values())
    root_collection = Collection.get_first_root_node()

    editors = _ensure_group(EDITORS, EDITORIAL_MODEL_PERMISSIONS, withheld=TRANSLATION_PERMISSIONS)
    _set_page_permissions(editors, home_pages, EDITOR_PAGE_ACTIONS)
    _set_collection_permissions(editors, root_collection, MEDIA_COLLECTION_PERMISSIONS)

    moderators = _ensure_group(
        MODERATORS,
        EDITORIAL_MODEL_PERMISSIONS + REQUEST_REVIEW_PERMISSIONS,
        withheld=TRANSLATION_PERMISSIONS,
    )
    _set_page_permissions(moderators, home_pages, MODERATOR_PAGE_ACTIONS)
    _set_collection_permissions(moderators, root_collection, MEDIA_COLLECTION_PERMISSIONS)

    rapporteurs = _ensure_rapporteurs_group()
    _ensure_representatives_group()
    workflow = _ensure_moderation_workflow(moderators, home_pages)
    for access in SessionAccess.objects.select_related("session"):
        ensure_session_access(access.session)
    for access in CityAccess.objects.select_related("city"):
        ensure_city_access(access.city)
    return EditorialRoles(editors, moderators, rapporteurs, workflow, home_pages)


# ---------------------------------------------------------------------------
# Rapporteurs and their sessions
# ---------------------------------------------------------------------------


def _ensure_rapporteurs_group() -> Group:
    """Every rapporteur's base group: admin access and nothing else."""
    group = _ensure_group(RAPPORTEURS, ADMIN_ACCESS)
    _set_page_permissions(group, [], ())
    GroupCollectionPermission.objects.filter(group=group).delete()
    return group


def _session_group_name(session: SessionPage) -> str:
    name = f"Rapporteurs: {session.title}"[:150]
    if Group.objects.filter(name=name).exclude(session_access__session=session).exists():
        # Two sessions with the same title: the id tells their groups apart.
        suffix = f" (#{session.pk})"
        name = name[: 150 - len(suffix)] + suffix
    return name


def _session_collection(session: SessionPage) -> Collection:
    root = Collection.get_first_root_node()
    parent = root.get_children().filter(name=SESSION_COLLECTIONS).first()
    if parent is None:
        parent = root.add_child(name=SESSION_COLLECTIONS)
    return parent.add_child(name=session.title[:255])


def _grant_session_permissions(access: SessionAccess) -> None:
    _set_page_permissions(access.group, [access.session], RAPPORTEUR_PAGE_ACTIONS)
    _set_collection_permissions(access.group, access.collection, SESSION_COLLECTION_PERMISSIONS)


@transaction.atomic
def ensure_session_access(session: SessionPage) -> SessionAccess:
    """The session's rapporteur group and document collection, created if missing."""
    access = (
        SessionAccess.objects.select_for_update()
        .select_related("group", "collection")
        .filter(session=session)
        .first()
    )
    if access is None:
        access = SessionAccess.objects.create(
            session=session,
            group=Group.objects.create(name=_session_group_name(session)),
            collection=_session_collection(session),
        )
    elif access.group.name != (name := _session_group_name(session)):
        # The session was renamed; its group follows so admins recognise it.
        access.group.name = name
        access.group.save(update_fields=["name"])
    _grant_session_permissions(access)
    return access


def _forget_cached_permissions(user) -> None:
    # Wagtail and is_confined_rapporteur cache a user's permissions on the user object.
    for name in (
        "_cac_confined_rapporteur",
        "_page_permission_cache",
        "_explorable_root_page_cache",
        "_collection_permission_cache",
        "_perm_cache",
        "_group_perm_cache",
    ):
        user.__dict__.pop(name, None)


@transaction.atomic
def assign_rapporteur(user, session: SessionPage) -> SessionAccess:
    """Let `user` write the summary of `session`, and nothing else unless they have other roles."""
    access = ensure_session_access(session)
    user.groups.add(_ensure_rapporteurs_group(), access.group)
    _forget_cached_permissions(user)
    return access


@transaction.atomic
def unassign_rapporteur(user, session: SessionPage) -> bool:
    """Take `session` away from `user`. Returns whether they had it.

    The summary they wrote stays (owned by them) for editors and moderators to finish.
    """
    access = SessionAccess.objects.filter(session=session).select_related("group").first()
    if access is None or not user.groups.filter(pk=access.group_id).exists():
        return False
    user.groups.remove(access.group)
    if not user.groups.filter(session_access__isnull=False).exists():
        user.groups.remove(*Group.objects.filter(name=RAPPORTEURS))
    _forget_cached_permissions(user)
    return True


# ---------------------------------------------------------------------------
# City representatives and their cities
# ---------------------------------------------------------------------------


def _ensure_representatives_group() -> Group:
    """Every representative's base group: admin access and nothing else."""
    group = _ensure_group(REPRESENTATIVES, ADMIN_ACCESS)
    _set_page_permissions(group, [], ())
    GroupCollectionPermission.objects.filter(group=group).delete()
    return group


def _city_group_name(city: City) -> str:
    name = f"Representatives: {city.name} ({city.country.code})"[:150]
    if Group.objects.filter(name=name).exclude(city_access__city=city).exists():
        suffix = f" (#{city.pk})"
        name = name[: 150 - len(suffix)] + suffix
    return name


def _city_collection(city: City) -> Collection:
    root = Collection.get_first_root_node()
    parent = root.get_children().filter(name=CITY_COLLECTIONS).first()
    if parent is None:
        parent = root.add_child(name=CITY_COLLECTIONS)
    return parent.add_child(name=f"{city.name} ({city.country.code})"[:255])


@transaction.atomic
def ensure_city_access(city: City) -> CityAccess:
    """The city's representative group and upload collection, created if missing.

    Keyed by the city's row in the default locale, so every translation of the city is the
    same city here."""
    city = city.get_translation_or_none(Locale.get_default()) or city
    access = (
        CityAccess.objects.select_for_update()
        .select_related("group", "collection")
        .filter(city=city)
        .first()
    )
    if access is None:
        access = CityAccess.objects.create(
            city=city,
            group=Group.objects.create(name=_city_group_name(city)),
            collection=_city_collection(city),
        )
    # No page permission: the guided form is their only way to write (network/contributions).
    _set_page_permissions(access.group, [], ())
    _set_collection_permissions(access.group, access.collection, CITY_COLLECTION_PERMISSIONS)
    return access


@transaction.atomic
def assign_representative(user, city: City) -> CityAccess:
    """Let `user` share practices for `city`, and nothing else unless they have other roles."""
    access = ensure_city_access(city)
    user.groups.add(_ensure_representatives_group(), access.group)
    _forget_cached_permissions(user)
    return access


# ---------------------------------------------------------------------------
# What a rapporteur or representative may see in the admin
# ---------------------------------------------------------------------------


def is_confined_rapporteur(user) -> bool:
    """A rapporteur or city representative with no wider editorial role: the admin shows them
    their sessions or their city's work only.

    Someone who is also an editor or moderator keeps that role's view.
    """
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return False
    cached = getattr(user, "_cac_confined_rapporteur", None)
    if cached is None:
        is_guest = user.groups.filter(
            Q(name__in=[RAPPORTEURS, REPRESENTATIVES])
            | Q(session_access__isnull=False)
            | Q(city_access__isnull=False)
        ).exists()
        has_wider_role = GroupPagePermission.objects.filter(
            group__user=user, group__session_access__isnull=True
        ).exists()
        cached = is_guest and not has_wider_role
        user._cac_confined_rapporteur = cached
    return cached


def pages_hidden_from_rapporteur(user) -> QuerySet[Page]:
    """Unpublished pages under the user's sessions that someone else owns.

    Wagtail lets the user explore the whole session branch; a co-rapporteur's draft (or an
    editor's) is not theirs to see.
    """
    sessions = list(rapporteur_sessions(user).values_list("path", "depth"))
    if not sessions:
        return Page.objects.none()
    under_sessions = Q()
    for path, depth in sessions:
        under_sessions |= Q(path__startswith=path, depth__gt=depth)
    return Page.objects.filter(under_sessions, live=False).exclude(owner=user)


def rapporteur_admin_pages(user) -> QuerySet[Page]:
    """The pages a confined rapporteur may see in the explorer, admin search and admin API:
    their sessions, the pages above them, their own pages and published ones below them."""
    return page_permission_policy.explorable_instances(user).exclude(
        pk__in=pages_hidden_from_rapporteur(user).values("pk")
    )


def rapporteur_choosable_pages(user) -> QuerySet[Page]:
    """What a confined rapporteur may link to: their admin pages and any public page that
    is not another session or its summary."""
    public_pages = visible_pages(Page.objects.all()).not_type(SessionPage, SessionSummaryPage)
    return Page.objects.filter(
        Q(pk__in=rapporteur_admin_pages(user).values("pk")) | Q(pk__in=public_pages.values("pk"))
    )
