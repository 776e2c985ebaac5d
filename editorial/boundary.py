"""The admin's boundary around people who may not see everything: a confined rapporteur
reaches their sessions and their own work, and nobody reads a draft they may not edit.

Wagtail enforces who may *change* what. Some admin views *show* objects with no check of
their own: a page's title from its newest revision, any page or file whose id is in the
URL, a few site-wide reports. This module holds the rules that close that; how each is
attached to Wagtail (the functions wrapped, the view extended) is in
core/wagtail_internals.py, with the other reaches into Wagtail's internals:

- `confine_rapporteur_page_listings` narrows PagePermissionPolicy.explorable_instances, which
  feeds every page listing (explorer, admin search, pages API, site history);
- `show_drafts_only_to_their_editors` makes Page.get_admin_display_title give the live
  title to anyone who may not edit the page (choosers, explorer, breadcrumbs, admin API);
- `offer_rapporteurs_only_themselves_in_user_filters` keeps other people's names out of the
  "owner", "edited by", "user" filter menus of listings, histories and reports;
- `AdminBoundaryMiddleware` answers 404 to an admin request naming a page, document or image
  that does not exist (Wagtail looks some up unchecked) or, for a confined rapporteur, that
  they may not choose; it keeps rapporteurs out of the site-wide reports, and drops a `next`
  that is not a path on this site;
- `show_choosers_only_what_the_viewer_may_choose` keeps a chooser widget from showing what
  a hand-made POST named, and from failing on an id that is not a number;
- `ExternalLinkChooserView` turns a pasted URL into a page link only for its editors.
"""

from __future__ import annotations

import contextvars

from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext
from wagtail.admin.auth import permission_denied
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page

from core import wagtail_internals
from core.choices import choosable, choosable_documents, choosable_images, choosable_pages
from editorial.models import representative_cities
from editorial.roles import is_confined_rapporteur, pages_hidden_from_rapporteur

# The signed-in user of the request being served, for the one Wagtail method that is not
# given one (get_admin_display_title). Unset outside requests: tasks and commands.
current_viewer: contextvars.ContextVar = contextvars.ContextVar("current_viewer", default=None)


def confine_rapporteur_page_listings() -> None:
    """Drop other people's drafts from the pages Wagtail lets a rapporteur explore.

    Installed once, at start-up (EditorialConfig.ready), on every page listing. Everyone but
    a confined rapporteur gets Wagtail's answer unchanged.
    """
    wagtail_internals.narrow_explorable_pages(_explorable_by)


def _explorable_by(user, pages: QuerySet) -> QuerySet:
    if is_confined_rapporteur(user):
        return pages.exclude(pk__in=pages_hidden_from_rapporteur(user).values("pk"))
    return pages


def may_read_draft(user, page: Page) -> bool:
    return page.permissions_for_user(user).can_edit()


def show_drafts_only_to_their_editors() -> None:
    """A live page's newest, unpublished title is shown only to those who may edit it.

    Installed once, at start-up, on Page.get_admin_display_title, which the page chooser and
    its search, the explorer, breadcrumbs and the admin pages API show.
    """
    wagtail_internals.override_admin_display_title(_title_for_viewer)


def _title_for_viewer(page: Page) -> str | None:
    """The live title for a viewer who may not read the draft; None: Wagtail's answer."""
    viewer = current_viewer.get()
    if (
        viewer is not None
        and page.live
        and page.has_unpublished_changes
        and page.draft_title != page.title
        and not may_read_draft(viewer, page)
    ):
        return page.title
    return None


def offer_rapporteurs_only_themselves_in_user_filters() -> None:
    """Every admin filter that offers users (a page listing's owner and editor, a history's
    or report's user) offers a confined rapporteur only themselves.

    Installed once, at start-up: each of Wagtail's filter sets builds its user list its own
    way, from everyone who ever owned or edited anything.
    """
    wagtail_internals.narrow_user_filter_choices(_users_offered_to)


def _users_offered_to(user, users: QuerySet) -> QuerySet:
    if is_confined_rapporteur(user):
        return users.filter(pk=user.pk)
    return users


def show_choosers_only_what_the_viewer_may_choose() -> None:
    """Wagtail's chooser widgets (page, document, image, snippet) render the object whose id
    a form holds, title and all, even when the form was posted by hand with an id its user
    may not choose, and fail with a server error on an id that is not a number. Installed
    once, at start-up: an id that is not one shows as nothing chosen, and an object the
    viewer may not choose keeps its id (so saving an editor's attachment again keeps it) but
    not its title."""
    wagtail_internals.guard_chooser_values(_viewer_may_choose, _withheld_title)


def _viewer_may_choose(model: type[Model], pk) -> bool:
    viewer = current_viewer.get()
    return (
        viewer is None
        or not viewer.is_authenticated
        or choosable(viewer, model).filter(pk=pk).exists()
    )


def _withheld_title() -> str:
    return gettext("(not available to you)")


def switched_off(request, *args, **kwargs):
    """Wagtail views this site does not offer, such as its deliberate error page."""
    raise Http404


class ExternalLinkChooserView(wagtail_internals.PageCheckingExternalLinkView):
    """Wagtail's "external link" chooser step. Pasting a page's URL turns it into a page
    link labelled with the page's newest title, read straight from `draft_title`: only
    those who may edit that page get the conversion; others keep the link as typed."""

    def may_link_page(self, user, page: Page) -> bool:
        return may_read_draft(user, page)


# ---------------------------------------------------------------------------
# Ids in admin URLs
# ---------------------------------------------------------------------------

CHOOSABLE = {"page": choosable_pages, "document": choosable_documents, "image": choosable_images}
EVERY = {
    "page": lambda: Page.objects.all(),
    "document": lambda: get_document_model().objects.all(),
    "image": lambda: get_image_model().objects.all(),
}


def _named_ids(match, kwargs, request):
    """(kind, ids) for each page, document or image that this admin request names."""
    for name, value in kwargs.items():
        if name in wagtail_internals.ADMIN_ID_KWARGS:
            yield wagtail_internals.ADMIN_ID_KWARGS[name], [value]
        elif name == "pk" and match.namespace in wagtail_internals.ADMIN_PK_NAMESPACES:
            yield wagtail_internals.ADMIN_PK_NAMESPACES[match.namespace], [value]
    kind = wagtail_internals.ADMIN_CHOSEN_MULTIPLE_VIEWS.get((match.namespace, match.url_name))
    if kind is not None:
        yield kind, request.GET.getlist("id")
    if request.method == "POST":
        for name, kind in wagtail_internals.ADMIN_POSTED_IDS.items():
            if name in request.POST:
                yield kind, request.POST.getlist(name)


def _within_reach(user, kind: str, ids, confined: bool) -> bool:
    """Every id names an existing object; for a confined rapporteur, one they may choose."""
    try:
        wanted = {int(value) for value in ids}
    except (TypeError, ValueError):
        return False
    if any(not 0 < pk < 2**63 for pk in wanted):
        return False
    objects = CHOOSABLE[kind](user) if confined else EVERY[kind]()
    return objects.filter(pk__in=wanted).count() == len(wanted)


def _local_path_only(params, name: str = "next"):
    """Wagtail redirects to a `next` it was given; one that is not a path on this site
    (a word, say) made the redirect fail with a server error. It is dropped instead."""
    values = params.getlist(name)
    if values and not all(value.startswith("/") and not value.startswith("//") for value in values):
        params = params.copy()
        params.pop(name)
    return params


# Site-wide reports. They list pages a rapporteur may browse but not edit (the home page,
# the summit, their session) with who changed them and the titles of their drafts (a log
# entry keeps the title it was saved with); the usage report names the last edited page of
# each type, whoever's draft it is; a bulk action's confirmation page shows the title of
# any page or document whose id is in the URL. Rapporteurs need none of them: their own
# summary's history is on its page.
REPORTS_CLOSED_TO_RAPPORTEURS = wagtail_internals.ADMIN_REPORT_VIEWS  # all of them
ADMIN_VIEWS_CLOSED_TO_RAPPORTEURS = REPORTS_CLOSED_TO_RAPPORTEURS | {
    wagtail_internals.ADMIN_BULK_ACTION_VIEW
}


class AdminBoundaryMiddleware:
    """Records each request's viewer, and keeps confined rapporteurs to what they may see."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_viewer.set(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            current_viewer.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or not match.route.startswith("admin/"):
            return None
        request.GET = _local_path_only(request.GET)
        if request.method == "POST":
            request.POST = _local_path_only(request.POST)
        confined = is_confined_rapporteur(request.user)
        view = (match.namespace, match.url_name)
        if confined and view == ("", "wagtailadmin_home"):
            # A rapporteur's starting point is their sessions, a representative's their
            # city's practices; not Wagtail's dashboard.
            if representative_cities(request.user).exists():
                return redirect("my_city:index")
            return redirect("my_sessions:index")
        if confined and view in ADMIN_VIEWS_CLOSED_TO_RAPPORTEURS:
            return permission_denied(request)
        if request.user.is_authenticated and not all(
            _within_reach(request.user, kind, ids, confined)
            for kind, ids in _named_ids(match, view_kwargs, request)
        ):
            raise Http404
        return None
