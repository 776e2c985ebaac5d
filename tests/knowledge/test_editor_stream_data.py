"""A staff POST to the page editor with broken StreamField data gets the form back with a
message, never a 500, and saves nothing."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from wagtail.models import Locale, Page
from wagtail.test.utils.form_data import querydict_from_html

from core.forms import CheckedPostedDataMixin
from home.models import HomePage
from home.site_structure import practice_index_for
from knowledge.models import PracticePage, SessionPage, SessionSummaryPage
from tests.knowledge.factories import add_practice

pytestmark = pytest.mark.django_db

UNREADABLE = "could not be read"


@pytest.fixture
def practice(summit):
    return add_practice(
        practice_index_for(Locale.get_default()), "Drive-through screening", topics=["quarantine"]
    )


def editor_form(client, url: str, **streams_with_count):
    """The editor's own form as the browser would post it. StreamFields are drawn by
    JavaScript, so their management fields are added here, as the browser's script does."""
    response = client.get(url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    for stream, count in streams_with_count.items():
        data[f"{stream}-count"] = str(count)
    return data


def topic_ids(practice) -> list[str]:
    return [str(topic.pk) for topic in practice.topics.all()]


def assert_form_back_with_message(response):
    assert response.status_code == 200, response.status_code
    assert UNREADABLE in response.content.decode()
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("due to validation errors" in m for m in messages), messages


def test_editing_with_complete_stream_data_saves(admin_client, practice):
    url = f"/admin/pages/{practice.pk}/edit/"
    data = editor_form(admin_client, url, body=0)
    data["title"] = "Renamed"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert practice.revisions.count() == 2


@pytest.mark.parametrize(
    "breakage",
    [
        {"body-count": None},  # the management field left out
        {"body-count": "abc"},
        {"body-count": "1"},  # one block announced, none of its fields sent
        {"body-count": "1", "body-0-deleted": "", "body-0-type": "heading"},  # no order
        {
            "body-count": "1",
            "body-0-deleted": "",
            "body-0-order": "x",
            "body-0-type": "heading",
            "body-0-value": "A heading",
        },
        {
            "body-count": "1",
            "body-0-deleted": "",
            "body-0-order": "0",
            "body-0-type": "image",
            "body-0-value-image": "not-an-id",
            "body-0-value-alt_text": "",
            "body-0-value-caption": "",
        },
    ],
    ids=[
        "no-count",
        "count-not-a-number",
        "block-missing",
        "order-missing",
        "order-odd",
        "image-id-odd",
    ],
)
def test_editing_with_broken_stream_data_gets_the_form_back_and_saves_nothing(
    admin_client, practice, breakage
):
    url = f"/admin/pages/{practice.pk}/edit/"
    data = editor_form(admin_client, url)
    data["title"] = "Renamed"
    for name, value in breakage.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value

    response = admin_client.post(url, data)

    assert_form_back_with_message(response)
    practice.refresh_from_db()
    assert practice.title == "Drive-through screening"
    assert practice.revisions.count() == 1


@pytest.mark.parametrize("posted", ["not json", '{"blocks": [}', "[]", "42"])
def test_rich_text_that_is_not_the_editors_json_gets_the_form_back_and_saves_nothing(
    admin_client, practice, posted
):
    index = practice.get_parent()
    url = f"/admin/pages/{index.pk}/edit/"
    data = editor_form(admin_client, url)
    data["intro"] = posted
    revisions = index.revisions.count()

    response = admin_client.post(url, data)

    assert_form_back_with_message(response)
    assert index.revisions.count() == revisions


def test_creating_without_the_stream_count_gets_the_form_back_and_creates_nothing(
    admin_client, practice
):
    index = practice.get_parent()
    url = f"/admin/pages/add/knowledge/practicepage/{index.pk}/"
    data = editor_form(admin_client, url)
    data.update(
        {"title": "A new practice", "slug": "a-new-practice", "topics": topic_ids(practice)}
    )
    data.pop("body-count", None)

    response = admin_client.post(url, data)

    assert_form_back_with_message(response)
    assert not PracticePage.objects.filter(slug="a-new-practice").exists()
    # The same form with the count is created: only the stream data was wrong.
    data["body-count"] = "0"
    assert admin_client.post(url, data).status_code == 302
    assert PracticePage.objects.filter(slug="a-new-practice").exists()


def test_every_stream_of_a_session_summary_is_checked(admin_client, summit):
    session = SessionPage.objects.filter(locale=Locale.get_default()).first()
    summary = SessionSummaryPage(title="Summary", slug="summary")
    session.add_child(instance=summary)
    summary.save_revision()
    url = f"/admin/pages/{summary.pk}/edit/"
    data = editor_form(admin_client, url, key_messages=0, recommendations=0)
    data["title"] = "Renamed"  # notable_quotes-count left out

    response = admin_client.post(url, data)

    assert_form_back_with_message(response)
    assert summary.revisions.count() == 1
    data["notable_quotes-count"] = "0"
    assert admin_client.post(url, data).status_code == 302
    assert summary.revisions.count() == 2


def test_every_page_type_uses_the_checked_base_form():
    """The check lives in the checked base form: a page type on Wagtail's plain form would 500.
    (The system check core.E001 holds every page type and snippet to it as well.)"""
    from wagtail.models import get_page_models

    ours = [model for model in get_page_models() if model._meta.app_label in {"home", "knowledge"}]
    assert {HomePage, PracticePage, SessionPage, SessionSummaryPage} <= set(ours)
    for model in ours:
        form_class = model.get_edit_handler().get_form_class()
        assert issubclass(form_class, CheckedPostedDataMixin), model
    assert Page not in ours


def test_previewing_with_broken_stream_data_says_it_is_not_valid(admin_client, practice):
    url = f"/admin/pages/{practice.pk}/edit/"
    data = editor_form(admin_client, url)  # no body-count

    response = admin_client.post(f"/admin/pages/{practice.pk}/edit/preview/", data)

    assert response.status_code == 200
    assert response.json()["is_valid"] is False
