"""Who may reach each URL pattern of the site: the role × surface matrix.

Every route of the URL configuration has an entry here (test_access_matrix checks that), so
a new view cannot ship without someone deciding who may use it. An entry says which roles
may use the view, and, for views that name a page, document, image or session, which of the
world's objects (tests/security/access_world.py) each role may reach through it.

Outcomes: "ok" (200, or a redirect elsewhere), "deny" (403, 404, or Wagtail's redirect to
the dashboard that says "permission denied"), "login" (a redirect to sign in), "dashboard"
(a redirect to the dashboard that is not a refusal) and "post" (a view that takes only POST:
a GET answers 405, and the POST half of the test decides).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.security.access_world import ROLES

ANYONE = frozenset(ROLES)
# A city representative is a guest of the admin as a rapporteur is: confined, with no page
# permission of their own; where an entry names the rapporteur's targets, a representative
# reaches none of them unless the entry names theirs (`representative`).
STAFF = frozenset({"rapporteur", "representative", "editor", "moderator", "admin"})
EDITORIAL = frozenset({"editor", "moderator", "admin"})
PUBLISHERS = frozenset({"moderator", "admin"})
SUPERUSER = frozenset({"admin"})
NOBODY: frozenset[str] = frozenset()

# What a confined rapporteur may name in a URL: their summary, their session, their upload.
OWN_PAGE = ("own_summary",)
# The page chooser also offers public pages outside other sessions.
CHOOSABLE_PAGES = ("own_summary", "live")
OWN_SESSION = ("education",)
OWN_DOCUMENT = ("own",)
NOTHING = ("-",)
# What a rapporteur reaches because it is theirs; a representative reaches the rest of it.
RAPPORTEURS_OWN = ("own_summary", "education", "own")
# Wagtail's page listings need a page permission; a representative holds none.
NO_PAGE_PERMISSION = {"": {"representative": "deny"}}
LIVE_PAGES = ("live", "private")
NOT_LIVE_PAGES = ("never_live", "own_summary", "other_summary")


@dataclass(frozen=True)
class Access:
    roles: frozenset[str]
    # The targets a rapporteur reaches, when the view is theirs at all; None: every target.
    rapporteur: tuple[str, ...] | None = None
    # The targets a representative reaches; None: the rapporteur's, less the rapporteur's own.
    representative: tuple[str, ...] | None = None
    # Targets that only PUBLISHERS reach (a live page's delete, move, privacy).
    publish: tuple[str, ...] = ()
    # Targets nobody reaches through this view.
    hidden: tuple[str, ...] = ()
    post_only: bool = False
    public: bool = False
    # A listing of addresses for crawlers: it must name no page or city the public may not
    # read (test_access_matrix checks the world's unlisted addresses against its body).
    lists_addresses: bool = False
    # Exceptions, as {target: {role: outcome}}.
    outcomes: dict[str, dict[str, str]] = field(default_factory=dict)
    # Who may change something through the view (POST), where narrower than who may open it:
    # the roles, the rapporteur's targets, and targets that need the right to publish.
    changers: frozenset[str] | None = None
    change_rapporteur: tuple[str, ...] | None = None
    change_publish: tuple[str, ...] = ()
    why: str = ""

    def expected(self, role: str, target: str) -> str:
        if target in self.outcomes and role in self.outcomes[target]:
            return self.outcomes[target][role]
        if role == "anonymous" and not self.public:
            return "login"
        if role not in self.roles or target in self.hidden:
            return "deny"
        reach = self._reach(role)
        if reach is not None and target and target not in reach:
            return "deny"
        if target in self.publish and role not in PUBLISHERS:
            return "deny"
        return "post" if self.post_only else "ok"

    def _reach(self, role: str) -> tuple[str, ...] | None:
        if role == "rapporteur":
            return self.rapporteur
        if role == "representative":
            if self.representative is not None:
                return self.representative
            if self.rapporteur is None:
                return None
            return tuple(t for t in self.rapporteur if t not in RAPPORTEURS_OWN) or NOTHING
        return None

    def may_change(self, role: str, target: str) -> bool:
        if self.changers is not None and role not in self.changers:
            return False
        reach = self.change_rapporteur
        if role in ("rapporteur", "representative") and reach is not None and target not in reach:
            return False
        if target in self.change_publish and role not in PUBLISHERS:
            return False
        return self.expected(role, target) in ("ok", "post")


def public(**kwargs) -> Access:
    return Access(ANYONE, public=True, **kwargs)


def staff(**kwargs) -> Access:
    return Access(STAFF, **kwargs)


def editorial(**kwargs) -> Access:
    return Access(EDITORIAL, **kwargs)


def publishers(**kwargs) -> Access:
    return Access(PUBLISHERS, **kwargs)


def superuser(**kwargs) -> Access:
    return Access(SUPERUSER, **kwargs)


# Pages a rapporteur may reach in the admin's page views: their own summary.
own_page = staff(rapporteur=OWN_PAGE)
own_page_post = staff(rapporteur=OWN_PAGE, post_only=True)
own_document = staff(rapporteur=OWN_DOCUMENT)
own_document_post = staff(rapporteur=OWN_DOCUMENT, post_only=True)
no_rapporteur_image = staff(rapporteur=NOTHING)
images_post = staff(rapporteur=NOTHING, post_only=True)
# Sign-in, password reset and Wagtail's static helpers: open to all.
open_admin = public()


def snippet_viewset(prefix: str, *, delete: frozenset[str] = SUPERUSER) -> dict[str, Access]:
    """A snippet's admin views: editors and moderators keep topic areas, cities, the glossary
    and synonyms; deleting an area, a city or a glossary term is for admins."""
    return {
        f"admin/snippets/{prefix}/": editorial(),
        f"admin/snippets/{prefix}/results/": editorial(),
        f"admin/snippets/{prefix}/add/": editorial(),
        f"admin/snippets/{prefix}/edit/<int:pk>/": editorial(),
        f"admin/snippets/{prefix}/delete/<int:pk>/": Access(delete),
        f"admin/snippets/{prefix}/usage/<int:pk>/": editorial(),
        f"admin/snippets/{prefix}/history/<int:pk>/": editorial(),
        f"admin/snippets/{prefix}/history-results/<int:pk>/": editorial(),
        f"admin/snippets/{prefix}/copy/<int:pk>/": editorial(),
        # Choosers list public vocabulary (topic areas, cities, terms) to anyone in the admin.
        f"admin/snippets/choose/{prefix}/": staff(),
        f"admin/snippets/choose/{prefix}/results/": staff(),
        f"admin/snippets/choose/{prefix}/chosen/<str:pk>/": staff(),
        f"admin/snippets/choose/{prefix}/chosen-multiple/": staff(),
        f"admin/snippets/choose/{prefix}/create/": editorial(),
    }


def glossary_viewset() -> dict[str, Access]:
    """The machine-translation glossary: kept by administrators; its chooser is open."""
    views = snippet_viewset("translation/glossaryterm")
    for route in views:
        if "/choose/" not in route or route.endswith("create/"):
            views[route] = superuser()
    return views


def superuser_viewset(prefix: str, *, copy: bool = True) -> dict[str, Access]:
    """Sites, locales, users and groups: administrators only."""
    names = ["", "results/", "new/"] + [
        f"{action}/<int:pk>/" for action in ("edit", "delete", "history", "usage")
    ]
    names.append("history-results/<int:pk>/")
    if copy:
        names.append("copy/<int:pk>/")
    return {f"admin/{prefix}/{name}": superuser() for name in names}


MATRIX: dict[str, Access] = {
    # --- Probes and the public site -------------------------------------------------------
    "healthz": public(),
    "readyz": public(),
    "robots.txt": public(lists_addresses=True),
    "sitemap.xml": public(
        lists_addresses=True, why="the same public addresses, whoever asks: no draft, no private"
    ),
    "api/v1/search/": public(),
    "api/v1/search/suggest": public(),
    "api/v1/openapi.json": public(),
    "open-data/practices.<str:export_format>": public(),
    "open-data/session-summaries.<str:export_format>": public(
        why="published, public summaries only: no draft, no other session's work in progress"
    ),
    "i18n/setlang/": public(),
    "en/topics/": public(),
    "en/topics/<slug:slug>/": public(),
    "en/cities/": public(
        lists_addresses=True, why="only cities with a public practice or session, and their counts"
    ),
    "en/cities/<slug:slug>/": public(hidden=("",), why="a city with no public practice"),
    "en/compare/": public(
        lists_addresses=True,
        why="offers and compares only cities with public work, and only public practices",
    ),
    "en/open-data/": public(),
    "en/open-data/dictionary/": public(),
    "en/open-data/search.<str:export_format>": public(
        why="a search's results as a file: the search page's engine and index, public pages only"
    ),
    "en/search/": public(),
    "en/untranslated/<int:page_id>/": public(hidden=("never_live", "private", *NOT_LIVE_PAGES)),
    "en/feeds/practices.atom": public(
        lists_addresses=True, why="the latest public practices, as the listing shows them"
    ),
    "en/feeds/topics/<slug:slug>.atom": public(lists_addresses=True),
    "en/feeds/cities/<slug:slug>.atom": public(
        hidden=("",), lists_addresses=True, why="a city with no public practice has no feed"
    ),
    "en/contact/<int:page_id>/": public(
        hidden=("never_live", "private", *NOT_LIVE_PAGES),
        why="a public practice's contact form; the address itself is never shown",
    ),
    "en/_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/": public(),
    "en/_util/login/": public(),
    "en/^((?:[\\w\\-]+/)*)$": public(
        hidden=NOT_LIVE_PAGES,
        # A password-protected page answers with its password form.
    ),
    # --- Wagtail's public API: live, public pages and the files they use -------------------
    "api/v2/^pages/": public(),
    "api/v2/^pages/<int:pk>/": public(hidden=("private", *NOT_LIVE_PAGES)),
    "api/v2/^pages/find/": public(hidden=("private", *NOT_LIVE_PAGES)),
    "api/v2/^images/": public(),
    "api/v2/^images/<int:pk>/": public(hidden=("unused",)),
    "api/v2/^images/find/": public(hidden=("unused",)),
    "api/v2/^documents/": public(),
    "api/v2/^documents/<int:pk>/": public(hidden=("own", "other", "draft_only", "private")),
    "api/v2/^documents/find/": public(hidden=("own", "other", "draft_only", "private")),
    # --- Files: a visible page's file, or one the user may choose in the admin -------------
    "documents/^(\\d+)/(.*)$": public(
        hidden=("other", "draft_only"),
        outcomes={
            "own": {"anonymous": "deny", "rapporteur": "ok", "representative": "deny"},
            "other": {"editor": "ok", "moderator": "ok", "admin": "ok"},
            "draft_only": {"editor": "ok", "moderator": "ok", "admin": "ok"},
            # A staff-only collection: Wagtail asks anyone outside its groups to sign in.
            "private": {"anonymous": "login", "rapporteur": "login", "representative": "login"},
        },
    ),
    "documents/authenticate_with_password/<int:restriction_id>/": public(),
    # An image's original and renditions: a public image (a visible page uses it, outside
    # restricted collections) to anyone; any other only to those who may choose or edit it
    # in the admin, whose listings show its thumbnails. Rapporteurs hold no image permission.
    "media/original_images/<path:path>": public(
        hidden=("unused",),
        outcomes={"unused": {"editor": "ok", "moderator": "ok", "admin": "ok"}},
    ),
    "media/images/<path:path>": public(
        hidden=("unused",),
        outcomes={"unused": {"editor": "ok", "moderator": "ok", "admin": "ok"}},
    ),
    # --- Sign-in and Wagtail's static helpers ---------------------------------------------
    "admin/login/": public(
        outcomes={"": {role: "dashboard" for role in STAFF}},
        why="signed-in users are sent on to the dashboard",
    ),
    "admin/sprite/": open_admin,
    "admin/jsi18n/": open_admin,
    "admin/password_reset/": open_admin,
    "admin/password_reset/done/": open_admin,
    "admin/password_reset/confirm/<uidb64>/<token>/": open_admin,
    "admin/password_reset/complete/": open_admin,
    "admin/logout/": staff(post_only=True),
    # --- The admin's frame ----------------------------------------------------------------
    "admin/": staff(why="a rapporteur is sent on to My sessions"),
    "admin/test404/": staff(),
    "admin/failwhale/": Access(
        NOBODY, public=True, why="Wagtail's deliberate error page is switched off"
    ),
    "admin/^.*/$": staff(hidden=("",), why="unknown admin addresses answer 404"),
    "admin/account/": staff(),
    "admin/dismissibles/": staff(),
    "admin/block-preview/": staff(hidden=("",), why="needs a block to preview"),
    "admin/tag-autocomplete/": staff(),
    "admin/tag-autocomplete/<slug:app_name>/<slug:model_name>/": staff(
        hidden=("",), why="documents have no tag model of their own"
    ),
    "admin/editing-sessions/ping/<str:app_label>/<str:model_name>/<str:object_id>/"
    "<int:session_id>/": staff(post_only=True),
    "admin/editing-sessions/release/<int:session_id>/": staff(post_only=True),
    # --- Admin API --------------------------------------------------------------------------
    "admin/api/main/^pages/": staff(),
    "admin/api/main/^pages/<int:pk>/": own_page,
    "admin/api/main/^pages/find/": own_page,
    "admin/api/main/^pages/<int:pk>/action/<str:action_name>/": own_page_post,
    "admin/api/main/^documents/": staff(),
    "admin/api/main/^documents/<int:pk>/": own_document,
    "admin/api/main/^documents/find/": own_document,
    "admin/api/main/^images/": staff(),
    "admin/api/main/^images/<int:pk>/": no_rapporteur_image,
    "admin/api/main/^images/find/": no_rapporteur_image,
    # --- Pages: explorer, editor, actions --------------------------------------------------
    "admin/pages/": staff(outcomes=NO_PAGE_PERMISSION, why="a rapporteur is sent to their session"),
    # Outside their session, Wagtail sends a rapporteur back to it.
    "admin/pages/<int:parent_page_id>/": staff(
        rapporteur=OWN_SESSION, outcomes={"index": {"rapporteur": "ok"}}
    ),
    "admin/pages/<int:parent_page_id>/results/": staff(
        rapporteur=OWN_SESSION, outcomes={"index": {"rapporteur": "ok"}}
    ),
    "admin/bulk/<str:app_label>/<str:model_name>/<str:action>/": editorial(),
    "admin/pages/add/<slug:content_type_app_name>/<slug:content_type_model_name>/"
    "<int:parent_page_id>/": editorial(
        hidden=("education", "culture"), why="a session holds one summary, already there"
    ),
    "admin/pages/add/<slug:content_type_app_name>/<slug:content_type_model_name>/"
    "<int:parent_page_id>/preview/": editorial(hidden=("education", "culture")),
    "admin/pages/<int:parent_page_id>/add_subpage/": editorial(hidden=("education", "culture")),
    "admin/pages/create/<slug:app_label>/<slug:model_name>": staff(
        hidden=("",), why="Wagtail's route has no trailing slash: the probe's path 404s"
    ),
    "admin/pages/usage/<slug:content_type_app_name>/<slug:content_type_model_name>/": staff(
        outcomes=NO_PAGE_PERMISSION
    ),
    "admin/pages/usage/<slug:content_type_app_name>/<slug:content_type_model_name>/results/": staff(
        outcomes=NO_PAGE_PERMISSION
    ),
    "admin/pages/<int:page_id>/usage/": own_page,
    "admin/pages/<int:page_id>/edit/": own_page,
    "admin/pages/<int:page_id>/edit/preview/": own_page,
    "admin/pages/<int:page_id>/view_draft/": own_page,
    "admin/pages/<int:page_id>/delete/": staff(rapporteur=OWN_PAGE, publish=LIVE_PAGES),
    "admin/pages/<int:page_id>/unpublish/": publishers(hidden=NOT_LIVE_PAGES),
    "admin/pages/<int:page_id>/convert_alias/": staff(hidden=(*LIVE_PAGES, *NOT_LIVE_PAGES)),
    "admin/pages/search/": staff(outcomes=NO_PAGE_PERMISSION),
    "admin/pages/search/results/": staff(outcomes=NO_PAGE_PERMISSION),
    "admin/pages/<int:page_to_move_id>/move/": staff(rapporteur=OWN_PAGE, publish=LIVE_PAGES),
    "admin/pages/<int:page_to_move_id>/move/<int:destination_id>/confirm/": staff(
        rapporteur=CHOOSABLE_PAGES,
        change_rapporteur=(),
        change_publish=LIVE_PAGES,
        why="Wagtail asks for the right to move only when the move is posted",
    ),
    "admin/pages/<int:page_to_move_id>/set_position/": publishers(),
    "admin/pages/<int:page_id>/copy/": own_page,
    "admin/pages/workflow/action/<int:page_id>/<slug:action_name>/<int:task_state_id>/": (
        publishers()
    ),
    "admin/pages/workflow/collect_action_data/<int:page_id>/<slug:action_name>/"
    "<int:task_state_id>/": publishers(),
    # A confirmation dialog: it changes nothing, whatever the method.
    "admin/pages/workflow/confirm_cancellation/<int:page_id>/": staff(rapporteur=CHOOSABLE_PAGES),
    "admin/pages/workflow/preview/<int:page_id>/<int:task_id>/": publishers(
        hidden=(*LIVE_PAGES, "never_live", "own_summary"), why="only the page in moderation"
    ),
    "admin/pages/<int:page_id>/privacy/": publishers(),
    "admin/pages/<int:page_id>/lock/": own_page_post,
    "admin/pages/<int:page_id>/unlock/": own_page_post,
    # A redirect to the page's history, which checks.
    "admin/pages/<int:page_id>/revisions/": staff(rapporteur=CHOOSABLE_PAGES),
    "admin/pages/<int:page_id>/revisions/<int:revision_id>/view/": own_page,
    "admin/pages/<int:page_id>/revisions/<int:revision_id>/revert/": own_page,
    "admin/pages/<int:page_id>/revisions/<int:revision_id>/unschedule/": publishers(),
    "admin/pages/^(\\d+)/revisions/compare/(live|earliest|\\d+)\\.\\.\\.(live|latest|\\d+)/$": (
        own_page
    ),
    "admin/pages/<int:page_id>/workflow_history/": own_page,
    "admin/pages/<int:page_id>/workflow_history/detail/<int:workflow_state_id>/": own_page,
    "admin/pages/<int:page_id>/history/": own_page,
    "admin/pages/<int:page_id>/history/results/": own_page,
    # --- Choosers ---------------------------------------------------------------------------
    "admin/choose-page/": staff(),
    "admin/choose-page/<int:parent_page_id>/": staff(rapporteur=("index", "education")),
    "admin/choose-page/search/": staff(),
    "admin/choose-page/chosen-multiple/": staff(rapporteur=CHOOSABLE_PAGES),
    "admin/choose-external-link/": staff(),
    "admin/choose-email-link/": staff(),
    "admin/choose-phone-link/": staff(),
    "admin/choose-anchor-link/": staff(),
    "admin/documents/chooser/": staff(),
    "admin/documents/chooser/results/": staff(),
    "admin/documents/chooser/chosen/<str:pk>/": own_document,
    "admin/documents/chooser/chosen-multiple/": own_document,
    "admin/documents/chooser/create/": staff(),
    "admin/images/chooser/": staff(why="lists nothing to a rapporteur"),
    "admin/images/chooser/results/": staff(),
    "admin/images/chooser/chosen/<str:pk>/": no_rapporteur_image,
    "admin/images/chooser/chosen-multiple/": no_rapporteur_image,
    "admin/images/chooser/create/": editorial(),
    "admin/images/chooser/<int:image_id>/select_format/": no_rapporteur_image,
    "admin/embeds/chooser/": staff(),
    "admin/embeds/chooser/upload/": staff(),
    # --- Collections, workflows, reports ---------------------------------------------------
    "admin/collections/": superuser(),
    "admin/collections/add/": superuser(),
    "admin/collections/<int:pk>/": superuser(),
    "admin/collections/<int:pk>/delete/": superuser(),
    "admin/collections/<int:collection_id>/privacy/": superuser(),
    "admin/workflows/list/": superuser(),
    "admin/workflows/list/results/": superuser(),
    "admin/workflows/add/": superuser(),
    "admin/workflows/enable/<int:pk>/": superuser(post_only=True),
    "admin/workflows/disable/<int:pk>/": superuser(),
    "admin/workflows/edit/<int:pk>/": superuser(),
    "admin/workflows/usage/<int:pk>/": superuser(),
    "admin/workflows/usage/<int:pk>/results/": superuser(),
    "admin/workflows/remove/<int:page_pk>/": superuser(post_only=True),
    "admin/workflows/remove/<int:page_pk>/<int:workflow_pk>/": superuser(post_only=True),
    "admin/workflows/tasks/add/<str:app_label>/<str:model_name>/": superuser(),
    "admin/workflows/tasks/select_type/": superuser(),
    "admin/workflows/tasks/index/": superuser(),
    "admin/workflows/tasks/index/results/": superuser(),
    "admin/workflows/tasks/edit/<int:pk>/": superuser(),
    "admin/workflows/tasks/disable/<int:pk>/": superuser(),
    "admin/workflows/tasks/enable/<int:pk>/": superuser(post_only=True),
    "admin/workflows/task_chooser/": staff(changers=SUPERUSER),
    "admin/workflows/task_chooser/results/": staff(),
    "admin/workflows/task_chooser/create/": staff(changers=SUPERUSER),
    "admin/workflows/task_chooser/<int:task_id>/": staff(),
    "admin/reports/locked/": publishers(),
    "admin/reports/locked/results/": publishers(),
    "admin/reports/workflow/": editorial(),
    "admin/reports/workflow/results/": editorial(),
    "admin/reports/workflow_tasks/": editorial(),
    "admin/reports/workflow_tasks/results/": editorial(),
    "admin/reports/site-history/": editorial(),
    "admin/reports/site-history/results/": editorial(),
    "admin/reports/aging-pages/": editorial(),
    "admin/reports/aging-pages/results/": editorial(),
    "admin/reports/page-types-usage/": editorial(),
    "admin/reports/page-types-usage/results/": editorial(),
    "admin/reports/document-text/": editorial(),
    "admin/reports/document-text/results/": editorial(),
    "admin/search-index/": publishers(),
    "admin/search-queries/": editorial(),
    "admin/search-queries/results/": editorial(),
    # --- The rapporteur's journey -----------------------------------------------------------
    "admin/my-sessions/": staff(),
    "admin/my-sessions/<int:session_id>/summary/": staff(
        rapporteur=OWN_SESSION,
        hidden=("culture",),
        outcomes={"education": {"editor": "deny", "moderator": "deny", "admin": "deny"}},
        why="only a session's own rapporteurs write through this form",
    ),
    # --- City representatives ---------------------------------------------------------------
    "en/share/": public(why="anyone may ask to represent a city; the request is verified"),
    "en/share/verify/<str:token>/": public(
        outcomes={"": {role: "bad request" for role in ("anonymous", *STAFF)}},
        why="a signed link; a wrong one verifies nothing",
    ),
    "en/alerts/": public(why="anyone may ask for alerts; nothing is kept until confirmed"),
    "en/alerts/confirm/<str:token>/": public(
        outcomes={"": {role: "bad request" for role in ("anonymous", *STAFF)}},
        why="a signed link; a wrong one changes nothing",
    ),
    "en/alerts/unsubscribe/<str:token>/": public(
        outcomes={"": {role: "bad request" for role in ("anonymous", *STAFF)}},
        why="a signed link; a wrong one deletes nothing",
    ),
    "admin/my-city/": Access(
        frozenset({"representative"}), why="only those who represent a city have one"
    ),
    "admin/my-city/<int:city_id>/new/": Access(
        frozenset({"representative"}),
        representative=("own_city",),
        why="a representative writes for their own city only",
    ),
    "admin/my-city/practices/<int:practice_id>/": Access(
        frozenset({"representative"}),
        representative=("own_practice",),
        why="a representative edits their own city's practices that they wrote",
    ),
    "admin/representative-requests/": publishers(why="moderators approve representatives"),
    "admin/representative-requests/<int:request_id>/": publishers(),
    # --- Translation ------------------------------------------------------------------------
    "admin/machine-translation/<int:page_id>/": editorial(),
    "admin/localize/translate/<int:translation_id>/pofile/upload/": editorial(post_only=True),
    "admin/localize/jsi18n/": staff(),
    "admin/localize/submit/page/<int:page_id>/": superuser(
        why="wagtail-localize publishes a live page's translation unasked: admins only"
    ),
    "admin/localize/submit/snippet/<slug:app_label>/<slug:model_name>/<str:pk>/": superuser(),
    "admin/localize/update/<int:translation_source_id>/": superuser(),
    "admin/localize/translate/<int:translation_id>/strings/<int:string_segment_id>/edit/": (
        editorial(post_only=True)
    ),
    "admin/localize/translate/<int:translation_id>/overrides/<int:overridable_segment_id>/"
    "edit/": editorial(post_only=True),
    "admin/localize/translate/<int:translation_id>/pofile/download/": editorial(),
    "admin/localize/translate/<int:translation_id>/machine_translate/": editorial(post_only=True),
    "admin/localize/translate/<int:translation_id>/preview/": editorial(),
    "admin/localize/translate/<int:translation_id>/preview/<str:mode>/": editorial(
        hidden=("",), why="no such preview mode"
    ),
    "admin/localize/translate/<int:translation_id>/disable/": editorial(post_only=True),
    "admin/localize/page/<int:page_id>/convert_to_alias/": editorial(
        hidden=(*LIVE_PAGES, *NOT_LIVE_PAGES), why="none of the pages is a translation"
    ),
    "admin/localize/reports/translations/": editorial(),
    "admin/localize/reports/translations/results/": editorial(),
    "admin/localize/api/snippets/<slug:app_label>/<slug:model_name>/": staff(),
    "admin/localize/api/snippets/<slug:app_label>/<slug:model_name>/<str:pk>/": staff(),
    # --- Forms, redirects, promoted results, settings, snippets index ---------------------
    "admin/forms/": staff(
        outcomes=NO_PAGE_PERMISSION, why="there are no form pages: an empty list"
    ),
    "admin/forms/results/": staff(outcomes=NO_PAGE_PERMISSION),
    "admin/forms/submissions/<int:page_id>/": staff(hidden=(*LIVE_PAGES, *NOT_LIVE_PAGES)),
    "admin/forms/submissions/<int:page_id>/results/": staff(hidden=(*LIVE_PAGES, *NOT_LIVE_PAGES)),
    "admin/forms/submissions/<int:page_id>/delete/": staff(hidden=(*LIVE_PAGES, *NOT_LIVE_PAGES)),
    "admin/redirects/": superuser(),
    "admin/redirects/results/": superuser(),
    "admin/redirects/add/": superuser(),
    "admin/redirects/<int:redirect_id>/": superuser(),
    "admin/redirects/<int:redirect_id>/delete/": superuser(),
    "admin/redirects/import/": superuser(),
    "admin/redirects/import/process/": superuser(post_only=True),
    "admin/searchpicks/": editorial(),
    "admin/searchpicks/results/": editorial(),
    "admin/searchpicks/add/": editorial(),
    "admin/searchpicks/<int:query_id>/": editorial(),
    "admin/searchpicks/<int:query_id>/delete/": editorial(),
    "admin/searchpicks/queries/chooser/": staff(),
    "admin/searchpicks/queries/chooser/results/": staff(),
    "admin/searchpicks/reports/search-terms/": superuser(),
    "admin/searchpicks/reports/search-terms/results/": superuser(),
    "admin/settings/<slug:app_name>/<slug:model_name>/": staff(
        hidden=("",), why="the site has no settings models"
    ),
    "admin/settings/<slug:app_name>/<slug:model_name>/<int:pk>/": staff(hidden=("",)),
    "admin/settings/<slug:app_name>/<slug:model_name>/<int:pk>/preview/": staff(hidden=("",)),
    "admin/snippets/": editorial(),
    # --- Documents and images ---------------------------------------------------------------
    "admin/documents/": staff(why="a rapporteur's listing shows their session's files"),
    "admin/documents/results/": staff(),
    "admin/documents/add/": staff(),
    "admin/documents/edit/<int:document_id>/": own_document,
    "admin/documents/delete/<int:document_id>/": own_document,
    "admin/documents/multiple/add/": staff(),
    "admin/documents/multiple/<int:doc_id>/": own_document_post,
    "admin/documents/multiple/create_from_uploaded_document/<int:uploaded_file_id>/": staff(
        post_only=True
    ),
    "admin/documents/multiple/<int:doc_id>/delete/": own_document_post,
    "admin/documents/multiple/delete_upload/<int:uploaded_file_id>/": staff(post_only=True),
    "admin/documents/usage/<int:document_id>/": own_document,
    "admin/images/": editorial(),
    "admin/images/results/": editorial(),
    "admin/images/<int:image_id>/": no_rapporteur_image,
    "admin/images/<int:image_id>/delete/": no_rapporteur_image,
    "admin/images/<int:image_id>/generate_url/": staff(
        hidden=("public", "unused"), why="dynamic image URLs are off"
    ),
    "admin/images/<int:image_id>/generate_url/output/": staff(hidden=("public", "unused")),
    "admin/images/<int:image_id>/preview/<str:filter_spec>/": no_rapporteur_image,
    "admin/images/add/": editorial(),
    "admin/images/usage/<int:image_id>/": no_rapporteur_image,
    "admin/images/multiple/add/": editorial(),
    "admin/images/multiple/<int:image_id>/": images_post,
    "admin/images/multiple/create_from_uploaded_image/<int:uploaded_file_id>/": staff(
        post_only=True
    ),
    "admin/images/multiple/<int:image_id>/delete/": images_post,
    "admin/images/multiple/delete_upload/<int:uploaded_file_id>/": staff(post_only=True),
    # --- Snippets and administrators' sections --------------------------------------------
    **snippet_viewset("knowledge/topicarea"),
    **snippet_viewset("knowledge/city"),
    **glossary_viewset(),
    **snippet_viewset("search/synonymgroup", delete=EDITORIAL),
    **superuser_viewset("locales"),
    **superuser_viewset("sites"),
    **superuser_viewset("users"),
    **superuser_viewset("groups", copy=False),
}
