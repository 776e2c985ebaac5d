"""A moderator who approves or requests changes is told, on the page they land on, which page
and what happened."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from wagtail.models import Locale

from home.site_structure import practice_index_for
from knowledge.models import PracticePage, TopicArea
from tests.editorial.factories import practice_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted_practice(editor):
    index = practice_index_for(Locale.get_default())
    practice = PracticePage(
        title="Drive-through testing", summary="Cars queue.", owner=editor, live=False
    )
    index.add_child(instance=practice)
    practice.topics.set(TopicArea.objects.filter(locale=Locale.get_default())[:1])
    practice.save_revision(user=editor)
    practice.get_workflow().start(practice, editor)
    return practice


def _workflow_action(client, page, action: str, comment: str = ""):
    task_state = page.current_workflow_task_state
    return client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state.pk]),
        {"comment": comment},
        follow=True,
    )


def _shown(response) -> str:
    return response.content.decode()


def test_moderator_who_approves_is_told_the_page_is_published(
    client, moderator, submitted_practice
):
    client.force_login(moderator)
    response = _workflow_action(client, submitted_practice, "approve")
    submitted_practice.refresh_from_db()
    assert submitted_practice.live
    assert "You approved &#x27;Drive-through testing&#x27;. It is now published." in _shown(
        response
    )


def test_moderator_who_requests_changes_is_told_it_goes_back(client, moderator, submitted_practice):
    client.force_login(moderator)
    response = _workflow_action(client, submitted_practice, "reject", "Add the queue times.")
    submitted_practice.refresh_from_db()
    assert not submitted_practice.live
    assert (
        "You requested changes to &#x27;Drive-through testing&#x27;. It goes back to its author."
        in _shown(response)
    )


def test_approving_from_the_dashboards_dialog_leaves_the_message_for_the_next_page(
    client, moderator, submitted_practice
):
    client.force_login(moderator)
    task_state = submitted_practice.current_workflow_task_state
    response = client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=[submitted_practice.pk, "approve", task_state.pk],
        ),
        {"comment": ""},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert response.status_code == 200
    landing = client.get(reverse("wagtailadmin_home"))
    assert "It is now published." in _shown(landing)


def test_approving_from_the_edit_views_buttons_says_so_too(client, moderator, submitted_practice):
    client.force_login(moderator)
    topic = submitted_practice.topics.first()
    form = practice_form_data(
        "Drive-through testing", topic, slug=submitted_practice.slug, summary="Cars queue."
    )
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[submitted_practice.pk]),
        {**form, "action-workflow-action": "1", "workflow-action-name": "approve"},
        follow=True,
    )
    submitted_practice.refresh_from_db()
    assert submitted_practice.live
    assert "You approved &#x27;Drive-through testing&#x27;. It is now published." in _shown(
        response
    )


def test_an_editor_who_may_not_approve_gets_no_approval_message(client, editor, submitted_practice):
    client.force_login(editor)
    response = _workflow_action(client, submitted_practice, "approve")
    submitted_practice.refresh_from_db()
    assert not submitted_practice.live
    assert not any("You approved" in str(m) for m in get_messages(response.wsgi_request))
    assert "You approved" not in _shown(response)
