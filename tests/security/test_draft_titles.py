"""A title that exists only in an unpublished revision is shown only to those who may edit
the page: the page chooser, its search, the chosen-page lookup, the external-link chooser and
the admin API give everyone else the live title."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from wagtail.models import Locale

from home.site_structure import practice_index_for
from tests.knowledge.factories import add_practice
from tests.security.conftest import draft_summary

pytestmark = pytest.mark.django_db

DRAFT_TITLE = "Night buses, renamed in an unreviewed draft"


@pytest.fixture
def practice_with_draft_title(site_structure, editor):
    practice = add_practice(practice_index_for(Locale.get_default()), "Night buses")
    draft = practice.get_latest_revision_as_object()
    draft.title = DRAFT_TITLE
    draft.save_revision(user=editor)
    practice.refresh_from_db()
    assert practice.draft_title == DRAFT_TITLE
    return practice


def _modal_json(response) -> dict:
    assert response.status_code == 200
    return json.loads(response.content)


def test_page_chooser_and_its_search_show_a_rapporteur_the_live_title(
    client, rapporteur, practice_with_draft_title
):
    client.force_login(rapporteur)
    parent = practice_with_draft_title.get_parent()

    browse = _modal_json(client.get(reverse("wagtailadmin_choose_page_child", args=[parent.pk])))
    search = client.get(reverse("wagtailadmin_choose_page_search"), {"q": "Night"})

    assert "Night buses" in browse["html"]
    assert DRAFT_TITLE not in browse["html"]
    assert search.status_code == 200
    assert "Night buses" in search.content.decode()
    assert DRAFT_TITLE not in search.content.decode()


def test_chosen_page_lookup_gives_the_live_title_and_nothing_for_unreachable_ids(
    client, rapporteur, practice_with_draft_title, culture, culture_rapporteur
):
    other_draft = draft_summary(culture, culture_rapporteur, "Culture draft, not yours")
    client.force_login(rapporteur)
    url = reverse("wagtailadmin_choose_page_chosen_multiple")

    chosen = _modal_json(client.get(url, {"id": practice_with_draft_title.pk}))
    assert [page["adminTitle"] for page in chosen["result"]] == ["Night buses"]

    response = client.get(url, {"id": other_draft.pk})
    assert response.status_code == 404
    assert other_draft.title not in response.content.decode()


def test_external_link_to_a_page_is_not_converted_for_a_rapporteur(
    client, rapporteur, practice_with_draft_title
):
    client.force_login(rapporteur)
    response = client.post(
        reverse("wagtailadmin_choose_page_external_link"),
        {
            "external-link-chooser-url": f"http://localhost{practice_with_draft_title.url}",
            "external-link-chooser-link_text": "",
        },
    )
    data = _modal_json(response)
    assert DRAFT_TITLE not in response.content.decode()
    assert data["step"] == "external_link_chosen"
    assert "id" not in data["result"]


def test_admin_pages_api_gives_a_rapporteur_the_live_title(client, rapporteur, summit, editor):
    live_title = summit.title
    draft = summit.get_latest_revision_as_object()
    draft.title = "Summit, renamed in a draft"
    draft.save_revision(user=editor)
    client.force_login(rapporteur)

    detail = client.get(f"/admin/api/main/pages/{summit.pk}/")

    assert detail.status_code == 200
    assert detail.json()["admin_display_title"] == live_title
    assert "renamed in a draft" not in detail.content.decode()


def test_editors_see_the_draft_title_they_may_edit(client, editor, practice_with_draft_title):
    client.force_login(editor)
    chosen = _modal_json(
        client.get(
            reverse("wagtailadmin_choose_page_chosen_multiple"),
            {"id": practice_with_draft_title.pk},
        )
    )
    assert [page["adminTitle"] for page in chosen["result"]] == [DRAFT_TITLE]
