"""Every admin form field that takes an object's id accepts only what its user may choose.

A confined rapporteur once attached another session's draft upload to their summary by
adding `attachments-0-document=<id>` to the page editor's POST; approval then published it.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.models import Collection, Locale
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from core.forms import ChosenObjectsCheck, check_admin_forms_check_chosen_objects
from home.site_structure import practice_index_for
from knowledge.models import SessionSummaryAttachment, SessionSummaryPage
from tests.knowledge.factories import add_practice
from tests.security.conftest import draft_summary, session_collection, summary_form, upload

pytestmark = pytest.mark.django_db


def _edit(client, page, data):
    return client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)


def _latest(page):
    """The page as its newest revision has it (the object in hand may be stale)."""
    return type(page).objects.get(pk=page.pk).get_latest_revision_as_object()


def _attached_ids(page) -> list[int]:
    latest = _latest(page)
    return [attachment.document_id for attachment in latest.attachments.all()]


def _form_error_text(response) -> str:
    form = response.context["form"]
    texts = [form.errors.as_text()]
    for formset in form.formsets.values():
        texts += [subform.errors.as_text() for subform in formset.forms]
    return " ".join(texts)


@pytest.fixture
def own_summary(rapporteur, education):
    return draft_summary(education, rapporteur, "Education: lessons from closed schools")


def test_rapporteur_cannot_attach_another_sessions_upload_by_id(
    client, rapporteur, own_summary, culture, culture_rapporteur
):
    other_upload = upload("Culture slides", session_collection(culture), culture_rapporteur)
    client.force_login(rapporteur)

    response = _edit(
        client,
        own_summary,
        summary_form(
            own_summary.title,
            own_summary.slug,
            attachments=inline_formset([{"document": str(other_upload.pk)}]),
        ),
    )

    assert response.status_code == 200
    assert "not available to you" in _form_error_text(response)
    assert other_upload.pk not in _attached_ids(own_summary)
    # The form comes back with the chooser showing the id it was given, not its title.
    assert other_upload.title not in response.content.decode()


def test_rapporteur_cannot_attach_a_file_that_only_another_pages_draft_uses(
    client, rapporteur, own_summary, editor, site_structure
):
    # An editor's budget sheet, attached to a practice's unpublished revision only.
    practice = add_practice(practice_index_for(Locale.get_default()), "Night buses")
    draft_only = upload("Unreleased budget", Collection.get_first_root_node(), editor)
    practice.attachments.create(document=draft_only)
    practice.save_revision(user=editor)
    client.force_login(rapporteur)

    response = _edit(
        client,
        own_summary,
        summary_form(
            own_summary.title,
            own_summary.slug,
            attachments=inline_formset([{"document": str(draft_only.pk)}]),
        ),
    )

    assert response.status_code == 200
    assert draft_only.pk not in _attached_ids(own_summary)
    assert draft_only.title not in response.content.decode()


def test_rapporteur_cannot_link_a_foreign_document_or_a_draft_page_in_rich_text(
    client, rapporteur, own_summary, culture, culture_rapporteur
):
    other_upload = upload("Culture report", session_collection(culture), culture_rapporteur)
    other_draft = draft_summary(culture, culture_rapporteur, "Culture draft summary")
    client.force_login(rapporteur)

    for link in (
        f'<a linktype="document" id="{other_upload.pk}">the report</a>',
        f'<a linktype="page" id="{other_draft.pk}">their draft</a>',
    ):
        response = _edit(
            client,
            own_summary,
            summary_form(
                own_summary.title,
                own_summary.slug,
                full_summary=rich_text(f"<p>See {link}.</p>"),
            ),
        )
        assert response.status_code == 200, link
        assert "linktype" not in _latest(own_summary).full_summary, link
        assert other_upload.title not in response.content.decode(), link
        assert other_draft.title not in response.content.decode(), link


def test_rapporteur_may_attach_their_own_upload_and_keep_an_editors_attachment(
    client, rapporteur, own_summary, education, editor
):
    own_upload = upload("Education slides", session_collection(education), rapporteur)
    editors_file = upload("Editor's agenda", Collection.get_first_root_node(), editor)
    SessionSummaryAttachment.objects.create(page=own_summary, document=editors_file)
    own_summary.refresh_from_db()
    own_summary.save_revision(user=editor)
    client.force_login(rapporteur)
    attachment = own_summary.get_latest_revision_as_object().attachments.get()

    response = _edit(
        client,
        own_summary,
        summary_form(
            own_summary.title,
            own_summary.slug,
            attachments=inline_formset(
                [
                    {"id": str(attachment.pk), "document": str(editors_file.pk)},
                    {"document": str(own_upload.pk)},
                ],
                initial=1,
            ),
        ),
    )

    assert response.status_code == 302
    assert sorted(_attached_ids(own_summary)) == sorted([editors_file.pk, own_upload.pk])


def test_editor_may_attach_any_file_in_collections_they_may_choose_from(
    client, editor, site_structure, culture, culture_rapporteur
):
    practice = add_practice(
        practice_index_for(Locale.get_default()), "Bike lanes", topics=["public-transportation"]
    )
    other_upload = upload("Culture slides", session_collection(culture), culture_rapporteur)
    client.force_login(editor)

    response = _edit(
        client,
        practice,
        {"topics": [str(topic.pk) for topic in practice.topics.all()]}
        | nested_form_data(
            {
                "title": practice.title,
                "slug": practice.slug,
                "summary": practice.summary,
                "kind": practice.kind,
                "body": streamfield([]),
                "attachments": inline_formset([{"document": str(other_upload.pk)}]),
                "related_links": inline_formset([]),
                "comments": inline_formset([]),
            }
        ),
    )

    assert response.status_code == 302
    assert _attached_ids(practice) == [other_upload.pk]


def test_every_page_type_and_snippet_is_edited_through_the_checked_form():
    assert check_admin_forms_check_chosen_objects() == []
    assert issubclass(SessionSummaryPage.base_form_class, ChosenObjectsCheck)


def test_the_system_check_names_a_page_type_without_the_checked_form(monkeypatch):
    from wagtail.admin.forms import WagtailAdminPageForm

    monkeypatch.setattr(SessionSummaryPage, "base_form_class", WagtailAdminPageForm)
    errors = check_admin_forms_check_chosen_objects()
    assert [error.id for error in errors] == ["core.E001"]
    assert errors[0].obj is SessionSummaryPage


# ---------------------------------------------------------------------------
# The admin API agrees with the choosers
# ---------------------------------------------------------------------------


def _admin_api_ids(client, endpoint: str) -> set[int]:
    response = client.get(f"/admin/api/main/{endpoint}/?limit=100")
    assert response.status_code == 200
    return {item["id"] for item in response.json()["items"]}


def test_admin_api_lists_a_rapporteur_only_their_sessions_files(
    client, rapporteur, education, culture, culture_rapporteur, editor
):
    own = upload("Education slides", session_collection(education), rapporteur)
    other = upload("Culture slides", session_collection(culture), culture_rapporteur)
    editors = upload("Editor's agenda", Collection.get_first_root_node(), editor)
    client.force_login(rapporteur)

    assert _admin_api_ids(client, "documents") == {own.pk}
    assert client.get(f"/admin/api/main/documents/{other.pk}/").status_code == 404
    listing = client.get("/admin/api/main/documents/?limit=100").content.decode()
    for hidden in (other, editors):
        assert hidden.title not in listing
        assert hidden.file.name not in listing
    assert _admin_api_ids(client, "images") == set()

    client.force_login(editor)
    assert _admin_api_ids(client, "documents") == {own.pk, other.pk, editors.pk}
