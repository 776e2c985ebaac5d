"""Editorial roles through the admin: editors submit, moderators publish, and a rapporteur
writes the summary of their own sessions and sees nothing else."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils.text import slugify
from wagtail.documents import get_document_model
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    WorkflowPage,
)
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from editorial.models import SessionAccess, rapporteur_sessions
from editorial.roles import (
    EDITORS,
    MODERATION_WORKFLOW,
    MODERATORS,
    RAPPORTEURS,
    assign_rapporteur,
    unassign_rapporteur,
)
from home.models import HomePage
from home.site_structure import practice_index_for
from knowledge.models import PracticePage, SessionPage, SessionSummaryPage, TopicArea
from tests.editorial.factories import practice_form_data

User = get_user_model()


# ---------------------------------------------------------------------------
# Fixtures and helpers
# ---------------------------------------------------------------------------


def _session(slug: str) -> SessionPage:
    return SessionPage.objects.get(slug=slug, locale=Locale.get_default())


def _user(username: str, *groups: Group):
    user = User.objects.create_user(username=username, password="not-used")  # noqa: S106
    user.groups.add(*groups)
    return user


@pytest.fixture
def editor(roles):
    return _user("editor", roles.editors)


@pytest.fixture
def moderator(roles):
    return _user("moderator", roles.moderators)


@pytest.fixture
def rapporteur(education):
    user = _user("rapporteur")
    assign_rapporteur(user, education)
    return user


@pytest.fixture
def co_rapporteur(education):
    """A second rapporteur on the same session."""
    user = _user("co-rapporteur")
    assign_rapporteur(user, education)
    return user


@pytest.fixture
def culture_rapporteur(culture):
    user = _user("culture-rapporteur")
    assign_rapporteur(user, culture)
    return user


def _draft_summary(session: SessionPage, owner, title: str) -> SessionSummaryPage:
    summary = SessionSummaryPage(title=title, owner=owner, live=False)
    session.add_child(instance=summary)
    summary.save_revision(user=owner)
    return summary


@pytest.fixture
def co_rapporteurs_draft(education, co_rapporteur):
    return _draft_summary(education, co_rapporteur, "Zebracrossing draft on schooling")


@pytest.fixture
def other_sessions_draft(culture, culture_rapporteur):
    return _draft_summary(culture, culture_rapporteur, "Quokkamarch draft on museums")


def _admin_text(client, url: str) -> tuple[int, str]:
    """Status of the first response and the text finally shown (redirects followed)."""
    response = client.get(url)
    final = client.get(url, follow=True)
    return response.status_code, final.content.decode()


def _summary_form(title: str, **overrides) -> dict:
    data = {
        "title": title,
        "slug": slugify(title),
        "key_messages": streamfield([("message", "Schools stayed open online.")]),
        "recommendations": streamfield([("recommendation", "Lend every pupil a tablet.")]),
        "notable_quotes": streamfield([]),
        "full_summary": rich_text("<p>What the session concluded.</p>"),
        "attachments": inline_formset([]),
        "comments": inline_formset([]),
    }
    data.update(overrides)
    return nested_form_data(data)


def _form_errors(response) -> str:
    """The admin form's errors, for a readable assertion message."""
    form = response.context["form"] if response.context else None
    return form.errors.as_text() if form is not None else ""


def _add_url(model_name: str, parent: Page) -> str:
    return reverse("wagtailadmin_pages:add", args=["knowledge", model_name, parent.pk])


# ---------------------------------------------------------------------------
# Rapporteurs
# ---------------------------------------------------------------------------


def test_rapporteur_cannot_open_edit_view_of_another_sessions_summary(
    client, rapporteur, other_sessions_draft
):
    client.force_login(rapporteur)
    for name in ("edit", "preview_on_edit", "view_draft", "history"):
        status, text = _admin_text(
            client, reverse(f"wagtailadmin_pages:{name}", args=[other_sessions_draft.pk])
        )
        assert status in (302, 403, 404), name
        assert other_sessions_draft.title not in text, name


def test_rapporteur_can_create_and_edit_a_summary_under_their_own_session(
    client, rapporteur, education
):
    client.force_login(rapporteur)
    add_url = _add_url("sessionsummarypage", education)
    assert client.get(add_url).status_code == 200

    response = client.post(add_url, _summary_form("Education: what we learned"))

    assert response.status_code == 302, _form_errors(response)
    summary = SessionSummaryPage.objects.child_of(education).get()
    assert summary.owner == rapporteur
    assert not summary.live
    draft = summary.get_latest_revision_as_object()
    assert [block.value for block in draft.key_messages] == ["Schools stayed open online."]

    edit_url = reverse("wagtailadmin_pages:edit", args=[summary.pk])
    assert client.get(edit_url).status_code == 200
    response = client.post(
        edit_url, _summary_form("Education: what we learned, revised", slug=summary.slug)
    )
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.get_latest_revision_as_object().title == "Education: what we learned, revised"
    assert not summary.live


def test_rapporteur_cannot_publish(client, rapporteur, education):
    summary = _draft_summary(education, rapporteur, "Education summary")
    client.force_login(rapporteur)
    edit_url = reverse("wagtailadmin_pages:edit", args=[summary.pk])

    edit_view = client.get(edit_url).content.decode()
    assert 'name="action-publish"' not in edit_view
    assert 'name="action-submit"' in edit_view

    client.post(edit_url, {**_summary_form("Published?", slug=summary.slug), "action-publish": "1"})
    summary.refresh_from_db()
    assert not summary.live

    client.post(reverse("wagtailadmin_pages:unpublish", args=[summary.pk]))
    response = client.post(
        edit_url, {**_summary_form("For review", slug=summary.slug), "action-submit": "1"}
    )
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.workflow_in_progress
    assert not summary.live


def test_rapporteur_cannot_see_other_peoples_drafts(
    client, rapporteur, editor, education, culture, co_rapporteurs_draft, other_sessions_draft
):
    own_draft = _draft_summary(_session("smart-city"), rapporteur, "Ownwork draft")
    # Own work, for the positive control: assign the smart-city session as well.
    assign_rapporteur(rapporteur, _session("smart-city"))
    # The co-rapporteur edits last, so their draft is the "last edited" summary in reports.
    co_rapporteurs_draft.save_revision(user=co_rapporteurs_draft.owner)
    hidden = (co_rapporteurs_draft.title, other_sessions_draft.title)
    client.force_login(rapporteur)

    # Explorer listings: their session lists their pages only; other sessions are closed.
    for parent in (education, culture, co_rapporteurs_draft, other_sessions_draft):
        _status, text = _admin_text(client, reverse("wagtailadmin_explore", args=[parent.pk]))
        assert not any(word in text for word in hidden), parent
    _status, text = _admin_text(
        client, reverse("wagtailadmin_explore", args=[own_draft.get_parent().pk])
    )
    assert "Ownwork draft" in text

    # Admin search, in the search view and in the explorer's "search whole tree".
    for query in ("draft", "Zebracrossing", "Quokkamarch"):
        text = client.get(reverse("wagtailadmin_pages:search"), {"q": query}).content.decode()
        assert not any(word in text for word in hidden), query
        text = client.get(
            reverse("wagtailadmin_explore", args=[education.pk]),
            {"q": query, "search_all": "1"},
        ).content.decode()
        assert not any(word in text for word in hidden), query
    text = client.get(reverse("wagtailadmin_pages:search"), {"q": "Ownwork"}).content.decode()
    assert "Ownwork draft" in text

    # Page chooser: browsing, searching, and browsing into a hidden page.
    for url in (
        reverse("wagtailadmin_choose_page_child", args=[education.pk]),
        reverse("wagtailadmin_choose_page_search") + "?q=draft",
        reverse("wagtailadmin_choose_page_search") + "?q=Zebracrossing",
    ):
        text = client.get(url).content.decode()
        assert not any(word in text for word in hidden), url
    for page in (co_rapporteurs_draft, other_sessions_draft, culture):
        response = client.get(reverse("wagtailadmin_choose_page_child", args=[page.pk]))
        assert response.status_code == 404

    # The admin pages API behind the sidebar explorer.
    listing = client.get(
        "/admin/api/main/pages/", {"child_of": education.pk, "for_explorer": "1"}
    ).json()
    assert [item["id"] for item in listing["items"]] == []
    for page in (co_rapporteurs_draft, other_sessions_draft):
        assert client.get(f"/admin/api/main/pages/{page.pk}/").status_code == 404

    # Edit and preview URLs of a co-rapporteur's draft and another session's draft.
    for page in (co_rapporteurs_draft, other_sessions_draft):
        for name in ("edit", "preview_on_edit", "view_draft", "history", "usage"):
            status, text = _admin_text(
                client, reverse(f"wagtailadmin_pages:{name}", args=[page.pk])
            )
            assert status in (302, 403, 404), (page, name)
            assert not any(word in text for word in hidden), (page, name)

    # Site-wide reports that list pages without asking the permission policy.
    for url in (
        reverse("wagtailadmin_reports:page_types_usage"),
        reverse("wagtailadmin_reports:site_history"),
        reverse("wagtailadmin_pages:type_use", args=["knowledge", "sessionsummarypage"]),
    ):
        _status, text = _admin_text(client, url)
        assert not any(word in text for word in hidden), url

    # The search index does hold the drafts: an editor finds them.
    client.force_login(editor)
    text = client.get(reverse("wagtailadmin_pages:search"), {"q": "draft"}).content.decode()
    assert all(word in text for word in hidden)


def test_rapporteur_lands_on_my_sessions_listing_only_their_sessions(
    client, rapporteur, education, culture
):
    client.force_login(rapporteur)
    response = client.get(reverse("wagtailadmin_home"), follow=True)
    assert response.redirect_chain == [(reverse("my_sessions:index"), 302)]
    text = response.content.decode()
    assert education.title in text
    assert reverse("my_sessions:summary", args=[education.pk]) in text
    assert culture.title not in text


def test_an_editor_who_also_reports_keeps_the_dashboard_with_a_my_sessions_panel(
    client, editor, education, culture
):
    assign_rapporteur(editor, education)
    client.force_login(editor)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "My sessions" in text
    assert reverse("my_sessions:summary", args=[education.pk]) in text
    assert culture.title not in text


def test_rapporteur_sees_only_their_sessions_documents(client, rapporteur, education):
    Document = get_document_model()
    session_collection = SessionAccess.objects.get(session=education).collection
    Document.objects.create(
        title="Education slides",
        file=ContentFile(b"slides", name="slides.pdf"),
        collection=session_collection,
    )
    Document.objects.create(
        title="Internal budget memo",
        file=ContentFile(b"memo", name="memo.pdf"),
        collection=Collection.get_first_root_node(),
    )
    client.force_login(rapporteur)
    for url in (reverse("wagtaildocs:index"), reverse("wagtaildocs_chooser:choose")):
        text = client.get(url).content.decode()
        assert "Education slides" in text, url
        assert "Internal budget memo" not in text, url


def test_anonymous_visitors_get_404_for_drafts(client, rapporteur, education):
    summary = _draft_summary(education, rapporteur, "Unpublished summary")
    public_path = f"{education.url}{summary.slug}/"
    assert client.get(public_path).status_code == 404
    assert client.get(education.url).status_code == 200
    for name in ("edit", "preview_on_edit", "view_draft"):
        response = client.get(reverse(f"wagtailadmin_pages:{name}", args=[summary.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_unassigned_rapporteur_loses_the_session(client, rapporteur, education):
    summary = _draft_summary(education, rapporteur, "Half-written summary")
    assert unassign_rapporteur(rapporteur, education) is True
    assert unassign_rapporteur(rapporteur, education) is False
    assert list(rapporteur_sessions(rapporteur)) == []
    assert not rapporteur.groups.filter(name=RAPPORTEURS).exists()
    client.force_login(rapporteur)
    status, text = _admin_text(client, reverse("wagtailadmin_pages:edit", args=[summary.pk]))
    assert status == 302
    assert "Half-written summary" not in text


# ---------------------------------------------------------------------------
# Editors and moderators
# ---------------------------------------------------------------------------


def test_editor_submits_a_practice_and_a_moderator_approves_it(client, editor, moderator):
    index = practice_index_for(Locale.get_default())
    topic = TopicArea.objects.filter(locale=Locale.get_default()).first()
    client.force_login(editor)

    add_view = client.get(_add_url("practicepage", index)).content.decode()
    assert 'name="action-publish"' not in add_view
    response = client.post(
        _add_url("practicepage", index),
        {**practice_form_data("Drive-through testing", topic), "action-submit": "1"},
    )
    assert response.status_code == 302, _form_errors(response)
    practice = PracticePage.objects.get(title="Drive-through testing")
    assert not practice.live
    assert practice.workflow_in_progress

    # Publishing directly is not open to an editor.
    response = client.post(
        _add_url("practicepage", index),
        {**practice_form_data("Walk-through testing", topic), "action-publish": "1"},
    )
    assert not PracticePage.objects.get(title="Walk-through testing").live

    client.force_login(moderator)
    task_state = practice.current_workflow_task_state
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[practice.pk, "approve", task_state.pk]),
        {"comment": ""},
    )
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.live
    assert not practice.workflow_in_progress
    assert client.get(practice.url).status_code == 200

    response = client.post(reverse("wagtailadmin_pages:unpublish", args=[practice.pk]))
    assert response.status_code == 302
    practice.refresh_from_db()
    assert not practice.live


def test_editor_cannot_approve_or_unpublish(client, editor, moderator):
    index = practice_index_for(Locale.get_default())
    practice = PracticePage(title="Mask distribution", summary="Free masks.")
    index.add_child(instance=practice)
    practice.topics.set(TopicArea.objects.filter(locale=Locale.get_default())[:1])
    practice.save_revision(user=moderator).publish()
    client.force_login(editor)
    client.post(reverse("wagtailadmin_pages:unpublish", args=[practice.pk]))
    practice.refresh_from_db()
    assert practice.live
    text = client.get(reverse("wagtailadmin_pages:edit", args=[practice.pk])).content.decode()
    assert 'name="action-publish"' not in text


def test_editors_and_moderators_work_in_every_locale(client, editor, moderator, roles):
    korean = Locale.objects.get(language_code="ko")
    korean_index = practice_index_for(korean)
    for user in (editor, moderator):
        client.force_login(user)
        edit_url = reverse("wagtailadmin_pages:edit", args=[korean_index.pk])
        assert client.get(edit_url).status_code == 200
    for home in HomePage.objects.all():
        assert WorkflowPage.objects.get(page=home).workflow.name == MODERATION_WORKFLOW


# ---------------------------------------------------------------------------
# Setup and commands
# ---------------------------------------------------------------------------


def _role_state() -> tuple:
    return (
        Group.objects.count(),
        GroupPagePermission.objects.count(),
        GroupCollectionPermission.objects.count(),
        Collection.objects.count(),
        SessionAccess.objects.count(),
        WorkflowPage.objects.count(),
    )


def test_setup_editorial_roles_is_idempotent_and_exact(summit, education):
    call_command("setup_editorial_roles")
    user = _user("someone")
    assign_rapporteur(user, education)
    before = _role_state()
    call_command("setup_editorial_roles")
    assign_rapporteur(user, education)
    assert _role_state() == before

    root = Page.get_first_root_node()
    # Wagtail's default Moderators group had permissions on the root page; ours are per locale.
    assert not GroupPagePermission.objects.filter(group__name=MODERATORS, page=root).exists()
    homes = set(HomePage.objects.values_list("pk", flat=True))
    for name in (EDITORS, MODERATORS):
        granted = set(
            GroupPagePermission.objects.filter(group__name=name).values_list("page_id", flat=True)
        )
        assert granted == homes
    assert not GroupPagePermission.objects.filter(
        group__name=EDITORS, permission__codename="publish_page"
    ).exists()
    session_group = SessionAccess.objects.get(session=education).group
    assert list(
        GroupPagePermission.objects.filter(group=session_group).values_list(
            "page_id", "permission__codename"
        )
    ) == [(education.pk, "add_page")]


def test_assign_rapporteur_command(summit, education):
    user = _user("writer")
    call_command("assign_rapporteur", "writer", "education")
    call_command("assign_rapporteur", "writer", "education")
    assert list(rapporteur_sessions(user)) == [education]
    assert SessionAccess.objects.filter(session=education).count() == 1
    assert user.groups.filter(name=RAPPORTEURS).exists()

    with pytest.raises(CommandError, match="nobody"):
        call_command("assign_rapporteur", "nobody", "education")
    with pytest.raises(CommandError, match="no-such-session"):
        call_command("assign_rapporteur", "writer", "no-such-session")

    call_command("assign_rapporteur", "writer", "education", "--remove")
    assert list(rapporteur_sessions(user)) == []


def test_create_demo_accounts_refuses_without_debug(summit):
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("create_demo_accounts")
    assert not User.objects.filter(username__in=["admin", "editor"]).exists()


def test_create_demo_accounts_prints_the_accounts_and_is_idempotent(summit, capsys):
    with override_settings(DEBUG=True):
        call_command("create_demo_accounts")
    printed = capsys.readouterr().out
    for expected in (
        "http://127.0.0.1:8000/admin/",
        "admin",
        "cac-admin-demo",
        "editor",
        "cac-editor-demo",
        "moderator",
        "cac-moderator-demo",
        "rapporteur",
        "cac-rapporteur-demo",
    ):
        assert expected in printed
    before = (_role_state(), User.objects.count())
    call_command("create_demo_accounts", "--force")
    assert (_role_state(), User.objects.count()) == before

    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("cac-admin-demo")
    assert User.objects.get(username="editor").groups.filter(name=EDITORS).exists()
    assert User.objects.get(username="moderator").groups.filter(name=MODERATORS).exists()
    rapporteur = User.objects.get(username="rapporteur")
    assert [session.slug for session in rapporteur_sessions(rapporteur)] == ["education"]
    assert rapporteur.check_password("cac-rapporteur-demo")


def test_rapporteur_cannot_read_titles_through_bulk_actions(
    client, rapporteur, education, co_rapporteurs_draft, other_sessions_draft
):
    document = get_document_model().objects.create(title="Walrusledger budget memo")
    hidden = (co_rapporteurs_draft.title, other_sessions_draft.title, document.title)
    client.force_login(rapporteur)
    page_ids = "&".join(f"id={page.pk}" for page in (co_rapporteurs_draft, other_sessions_draft))

    for action in ("publish", "unpublish", "delete", "move"):
        status, text = _admin_text(client, f"/admin/bulk/wagtailcore/page/{action}/?{page_ids}")
        assert status in (302, 403), action
        assert not any(word in text for word in hidden), action
    status, text = _admin_text(client, f"/admin/bulk/wagtaildocs/document/delete/?id={document.pk}")
    assert status in (302, 403)
    assert document.title not in text


def test_editor_cannot_publish_a_translation_without_moderation(client, editor, moderator):
    index = practice_index_for(Locale.get_default())
    practice = PracticePage(title="Public bike data", slug="public-bike-data", summary="Open data.")
    index.add_child(instance=practice)
    practice.topics.set(TopicArea.objects.filter(locale=Locale.get_default())[:1])
    practice.save_revision(user=moderator).publish()
    korean = Locale.objects.get(language_code="ko")
    client.force_login(editor)

    # wagtail-localize publishes a live page's translation without asking for publish
    # permission, so translating is the moderators' job.
    client.post(
        reverse("wagtail_localize:submit_page_translation", args=[practice.pk]),
        {"locales": [korean.pk]},
    )

    assert practice.get_translation_or_none(korean) is None
    # Only the English original answers at the Korean address (knowledge/reader_language.py).
    shown = client.get("/ko/practices/public-bike-data/").content.decode()
    assert '<link rel="canonical" href="http://testserver/en/practices/public-bike-data/">' in shown


@pytest.mark.parametrize(
    "url",
    ["/admin/searchpicks/", "/admin/searchpicks/add/", "/admin/snippets/search/synonymgroup/"],
)
def test_editors_keep_search_picks_and_synonyms_but_rapporteurs_cannot(
    client, editor, rapporteur, url
):
    client.force_login(editor)
    assert client.get(url).status_code == 200
    client.force_login(rapporteur)
    assert client.get(url).status_code in (302, 403)
