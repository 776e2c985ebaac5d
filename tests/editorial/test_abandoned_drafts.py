"""An editor who abandons a new page's form, after Wagtail's autosave stored it as a draft,
and starts again with the same title is told so on the title, with the way to the draft;
never a bare slug error on the Promote tab they never opened."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from wagtail.models import Locale

from home.site_structure import practice_index_for
from knowledge.models import PracticePage, TopicArea
from tests.editorial.factories import practice_form_data
from tests.knowledge.factories import add_practice

pytestmark = pytest.mark.django_db

TITLE = "Drive-through testing"


@pytest.fixture
def practices(roles):
    return practice_index_for(Locale.get_default())


def _add_url(parent) -> str:
    return reverse("wagtailadmin_pages:add", args=["knowledge", "practicepage", parent.pk])


def _practice_form(title: str, **overrides) -> dict:
    topic = TopicArea.objects.filter(locale=Locale.get_default()).first()
    return practice_form_data(title, topic, **overrides)


def _autosave_then_abandon(client, parent, title: str) -> PracticePage:
    """What the add form's autosave sends after the editor typed a title, then left."""
    response = client.post(
        _add_url(parent),
        _practice_form(title, summary=""),
        headers={"accept": "application/json"},
    )
    assert json.loads(response.content)["success"] is True
    return PracticePage.objects.get(title=title)


def test_autosave_of_an_abandoned_add_form_leaves_a_never_published_draft(
    client, editor, practices
):
    client.force_login(editor)
    ghost = _autosave_then_abandon(client, practices, TITLE)
    assert not ghost.live
    assert ghost.first_published_at is None
    assert ghost.owner == editor


def test_starting_again_with_the_same_title_points_to_the_draft_on_the_title(
    client, editor, practices
):
    client.force_login(editor)
    ghost = _autosave_then_abandon(client, practices, TITLE)

    response = client.post(_add_url(practices), {**_practice_form(TITLE), "action-submit": "1"})

    assert response.status_code == 200
    form = response.context["form"]
    assert "slug" not in form.errors  # not on the Promote tab, which the editor never opened
    [title_error] = form.errors["title"]
    assert "You already started" in title_error
    text = response.content.decode()
    # The way back to the draft they started, shown above the form.
    assert reverse("wagtailadmin_pages:edit", args=[ghost.pk]) in text
    assert PracticePage.objects.filter(title=TITLE).count() == 1


def test_a_published_page_with_the_same_title_is_named_on_the_title_too(client, editor, practices):
    add_practice(practices, TITLE)
    client.force_login(editor)

    response = client.post(_add_url(practices), {**_practice_form(TITLE), "action-submit": "1"})

    form = response.context["form"]
    assert "slug" not in form.errors
    [title_error] = form.errors["title"]
    assert "already has the web address" in title_error


def test_a_slug_typed_on_the_promote_tab_keeps_its_error_there(client, editor, practices):
    add_practice(practices, "Mask rationing", slug="masks")
    client.force_login(editor)

    response = client.post(
        _add_url(practices),
        {**_practice_form("Mask distribution", slug="masks"), "action-submit": "1"},
    )

    form = response.context["form"]
    assert "slug" in form.errors
    assert "title" not in form.errors
