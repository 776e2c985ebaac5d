"""The filter menus of the admin's listings, histories and reports never offer a confined
rapporteur other people's names."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.models import Locale

from home.site_structure import practice_index_for
from tests.knowledge.factories import add_practice
from tests.security.conftest import draft_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def others_at_work(editor, education, culture, culture_rapporteur, site_structure):
    """An editor who owns and edits pages, among them the rapporteur's session, and another
    session's rapporteur with a draft."""
    practice = add_practice(practice_index_for(Locale.get_default()), "Pop-up clinics")
    practice.owner = editor
    practice.save()
    practice.save_revision(user=editor, log_action=True)
    education.save_revision(user=editor, log_action=True)
    draft_summary(culture, culture_rapporteur, "Culture summary draft")
    return [editor, culture_rapporteur]


def _offered_users(client, url: str) -> set[str]:
    """The usernames every user filter of the listing offers, from the view's filter set."""
    response = client.get(url)
    assert response.status_code == 200, url
    filters = response.context["filters"]
    offered = set()
    for field in filters.form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and queryset.model is get_user_model():
            offered |= set(queryset.values_list("username", flat=True))
    return offered


@pytest.mark.parametrize(
    "url_name",
    [
        "session_listing",
        "own_page_history",
        "forms_listing",
    ],
)
def test_a_rapporteurs_filter_menus_name_nobody_else(
    client, rapporteur, education, others_at_work, url_name
):
    own = draft_summary(education, rapporteur, "Education summary")
    own.save_revision(user=rapporteur, log_action=True)
    urls = {
        "session_listing": reverse("wagtailadmin_explore", args=[education.pk]),
        "own_page_history": reverse("wagtailadmin_pages:history", args=[own.pk]),
        "forms_listing": reverse("wagtailforms:index"),
    }
    client.force_login(rapporteur)

    assert _offered_users(client, urls[url_name]) <= {rapporteur.username}


@pytest.mark.parametrize(
    "url_name",
    [
        "wagtailadmin_reports:site_history",
        "wagtailadmin_reports:aging_pages",
        "wagtailadmin_reports:locked_pages",
        "wagtailadmin_reports:workflow",
        "wagtailadmin_reports:workflow_tasks",
    ],
)
def test_site_wide_reports_are_closed_to_a_rapporteur(client, rapporteur, others_at_work, url_name):
    client.force_login(rapporteur)
    response = client.get(reverse(url_name), follow=True)
    html = response.content.decode()
    assert response.redirect_chain, url_name
    for other in others_at_work:
        assert other.get_full_name() not in html


def test_an_editor_still_filters_by_anyone(client, editor, education, others_at_work):
    client.force_login(editor)
    offered = _offered_users(client, reverse("wagtailadmin_reports:site_history"))
    assert {user.username for user in others_at_work} <= offered
