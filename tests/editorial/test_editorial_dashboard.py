"""The dashboard an editor or moderator starts from: quick actions, their drafts, what waits
in moderation and what was published lately, each holding only pages they may edit."""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.models import Locale, Page
from wagtail.users.models import UserProfile

from editorial.panels import editorial_desk_panels
from editorial.roles import assign_rapporteur
from home.site_structure import practice_index_for
from knowledge.models import PracticePage, SessionPage
from tests.editorial.factories import add_draft_summary, add_user
from tests.knowledge.factories import add_practice

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_editor(roles):
    return add_user("other-editor", "Oh Editor", roles.editors)


@pytest.fixture
def english_practices(roles):
    return practice_index_for(Locale.get_default())


def _add_url(parent: Page) -> str:
    return reverse("wagtailadmin_pages:add", args=["knowledge", "practicepage", parent.pk])


def _dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


def _panel(text: str, panel_id: str) -> str:
    """The HTML of one dashboard panel, from its opening to the next panel."""
    start = text.index(f'id="{panel_id}')
    end = text.find('class="w-panel ', start + 1)
    return text[start : end if end != -1 else None]


def _draft(parent: Page, owner, title: str) -> PracticePage:
    practice = PracticePage(title=title, summary="A draft.", owner=owner, live=False)
    parent.add_child(instance=practice)
    practice.save_revision(user=owner)
    return practice


def _submitted(parent: Page, owner, title: str) -> PracticePage:
    practice = _draft(parent, owner, title)
    practice.get_workflow().start(practice, owner)
    return practice


def test_editor_adds_a_practice_from_the_dashboard_in_their_language(
    client, editor, english_practices
):
    text = _dashboard(client, editor)
    assert "Add practice" in text
    assert _add_url(english_practices) in text
    # The add form it links to is one the editor may use.
    assert client.get(_add_url(english_practices)).status_code == 200

    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = "ko"
    profile.save()
    korean_practices = practice_index_for(Locale.objects.get(language_code="ko"))
    assert _add_url(korean_practices) in _dashboard(client, editor)


def test_my_drafts_lists_the_editors_own_unpublished_pages_newest_first(
    client, editor, other_editor, english_practices
):
    older = _draft(english_practices, editor, "Gingko older draft")
    newer = _draft(english_practices, editor, "Gingko newer draft")
    _draft(english_practices, other_editor, "Someone else's magnolia draft")
    _submitted(english_practices, editor, "Gingko sent to moderators")
    add_practice(english_practices, "Gingko published practice")

    drafts = _panel(_dashboard(client, editor), "editorial-my-drafts")
    assert drafts.index(newer.title) < drafts.index(older.title)
    assert reverse("wagtailadmin_pages:edit", args=[newer.pk]) in drafts
    assert "<td>practice</td>" in drafts
    assert "<td>English</td>" in drafts
    assert "magnolia" not in drafts
    assert "sent to moderators" not in drafts
    assert "Gingko published practice" not in drafts


def test_moderator_sees_what_awaits_their_review_and_editor_sees_their_own_submissions(
    client, editor, other_editor, moderator, english_practices
):
    mine = _submitted(english_practices, editor, "Camellia drive-through testing")
    theirs = _submitted(english_practices, other_editor, "Azalea mask rationing")

    waiting = _panel(_dashboard(client, moderator), "editorial-in-moderation")
    assert mine.title in waiting
    assert theirs.title in waiting

    own = _panel(_dashboard(client, editor), "editorial-in-moderation")
    assert mine.title in own
    assert theirs.title not in own


def test_a_page_sent_back_for_changes_is_the_editors_draft_again(
    client, editor, moderator, english_practices
):
    practice = _submitted(english_practices, editor, "Lilac quarantine hotels")
    task_state = practice.current_workflow_task_state
    client.force_login(moderator)
    client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[practice.pk, "reject", task_state.pk]),
        {"comment": "Add the hotel list."},
    )

    text = _dashboard(client, editor)
    assert practice.title in _panel(text, "editorial-my-drafts")
    assert practice.title not in _panel(text, "editorial-in-moderation")
    assert practice.title not in _panel(_dashboard(client, moderator), "editorial-in-moderation")


def test_recently_published_lists_only_pages_the_user_may_edit(
    client, editor, moderator, english_practices
):
    add_practice(english_practices, "Peony contact tracing")
    # A page outside the editors' home pages (another site's tree): not theirs to edit.
    elsewhere = Page.get_first_root_node().add_child(
        instance=Page(title="Hidden staff intranet notice", slug="intranet")
    )
    elsewhere.save_revision().publish()

    published = _panel(_dashboard(client, editor), "editorial-recently-published")
    assert "Peony contact tracing" in published
    assert "Hidden staff intranet notice" not in published


def test_rapporteur_gets_no_editorial_lists_and_sees_no_one_elses_drafts(
    client, roles, english_practices, editor
):
    education = SessionPage.objects.get(slug="education", locale=Locale.get_default())
    rapporteur = add_user("rapporteur", "Ra Porteur")
    assign_rapporteur(rapporteur, education)
    add_draft_summary(education, editor, "Editor's wisteria note on schooling")
    _draft(english_practices, editor, "Editor's lotus draft")

    assert editorial_desk_panels(rapporteur) == []
    client.force_login(rapporteur)
    text = client.get(reverse("wagtailadmin_home"), follow=True).content.decode()
    assert "editorial-my-drafts" not in text
    assert "Add practice" not in text
    assert "wisteria" not in text
    assert "lotus" not in text


def _render_editorial_panels(user) -> str:
    return "".join(panel.render_html({}) for panel in editorial_desk_panels(user))


def test_editorial_panels_cost_as_many_queries_for_many_pages_as_for_few(
    editor, moderator, english_practices, django_assert_max_num_queries
):
    # Our panels alone: Wagtail's own "Awaiting your review" costs queries per task.
    def grow(count: int, start: int) -> None:
        for number in range(start, start + count):
            _draft(english_practices, moderator, f"Moderator draft {number}")
            _submitted(english_practices, editor, f"Submitted practice {number}")
            add_practice(english_practices, f"Published practice {number}")

    grow(2, 0)
    with django_assert_max_num_queries(25) as few:
        _render_editorial_panels(moderator)
    grow(12, 2)
    moderator = type(moderator).objects.get(pk=moderator.pk)  # no permissions cached
    with django_assert_max_num_queries(len(few)) as many:
        text = _render_editorial_panels(moderator)
    assert "Submitted practice 0" in text
    assert "Moderator draft 13" in text
    assert "Published practice 13" in text
    assert len(many) == len(few)
