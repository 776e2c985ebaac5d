"""A new file behind a published page goes live only through someone who may publish it.

An editor once replaced the file of a document that a live practice attached: its public
URL served the new content and search indexed it at once, with no moderation. Now only
someone who may publish every live page that uses the file may replace it; editors upload a
new document and attach it in a page revision, which goes to the moderators.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, CollectionViewRestriction, Locale

from home.site_structure import practice_index_for
from tests.documents import files
from tests.knowledge.factories import add_practice
from tests.security.conftest import draft_summary, session_collection, upload

pytestmark = pytest.mark.django_db


def _served(client, document) -> bytes:
    document.refresh_from_db()
    response = client.get(document.url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _replace_file(client, document, text: str, **extra):
    new_file = SimpleUploadedFile("new-version.pdf", files.pdf_with_text(text), "application/pdf")
    return client.post(
        reverse("wagtaildocs:edit", args=[document.pk]),
        {"title": document.title, "file": new_file, "collection": document.collection_id, **extra},
    )


@pytest.fixture
def live_attachment(site_structure):
    document = upload("Testing station guide", Collection.get_first_root_node())
    practice = add_practice(practice_index_for(Locale.get_default()), "Testing stations")
    practice.attachments.create(document=document)
    practice.save_revision().publish()
    return practice, document


def test_editor_cannot_replace_the_file_of_a_document_a_live_page_uses(
    client, editor, live_attachment
):
    practice, document = live_attachment
    before = _served(client, document)
    client.force_login(editor)

    response = _replace_file(client, document, "Unreviewed replacement")

    assert response.status_code == 200
    assert "without moderation" in response.content.decode()
    assert "Testing stations" in response.content.decode()
    client.logout()
    assert _served(client, document) == before


def test_moderator_may_replace_it(client, moderator, live_attachment):
    _practice, document = live_attachment
    client.force_login(moderator)

    response = _replace_file(client, document, "Reviewed replacement")

    assert response.status_code == 302
    client.logout()
    assert _served(client, document) == files.pdf_with_text("Reviewed replacement")


def test_editor_may_replace_a_file_that_only_drafts_use(client, editor, site_structure):
    document = upload("Draft guide", Collection.get_first_root_node())
    practice = add_practice(
        practice_index_for(Locale.get_default()), "Draft practice", publish=False
    )
    practice.attachments.create(document=document)
    practice.save()
    client.force_login(editor)

    assert _replace_file(client, document, "New draft guide").status_code == 302


def test_rapporteur_cannot_replace_the_slides_of_their_published_summary(
    client, rapporteur, education
):
    slides = upload("Education slides", session_collection(education), rapporteur)
    summary = draft_summary(education, rapporteur, "Education summary")
    summary.attachments.create(document=slides)
    summary.save_revision().publish()
    client.force_login(rapporteur)

    response = _replace_file(client, slides, "Changed after approval")

    assert response.status_code == 200
    assert "without moderation" in response.content.decode()


def test_editor_cannot_move_a_used_file_out_of_a_private_collection(
    client, editor, live_attachment
):
    _practice, document = live_attachment
    private = Collection.get_first_root_node().add_child(name="Staff only")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN
    )
    client.force_login(editor)
    edit_url = reverse("wagtaildocs:edit", args=[document.pk])
    data = {"title": document.title, "tags": ""}

    # Into the private collection: the file leaves the public, nothing is published.
    assert client.post(edit_url, {**data, "collection": private.pk}).status_code == 302
    # And back out: that would publish it.
    response = client.post(edit_url, {**data, "collection": Collection.get_first_root_node().pk})
    assert response.status_code == 200
    document.refresh_from_db()
    assert document.collection_id == private.pk


def test_editor_cannot_replace_an_image_a_live_page_shows(client, editor, site_structure):
    image = get_image_model().objects.create(title="Station photo", file=get_test_image_file())
    practice = add_practice(
        practice_index_for(Locale.get_default()),
        "Photographed stations",
        body=[("image", {"image": image, "alt_text": "A station", "caption": ""})],
    )
    assert practice.live
    file_before = image.file.name
    client.force_login(editor)

    response = client.post(
        reverse("wagtailimages:edit", args=[image.pk]),
        {
            "title": image.title,
            "file": get_test_image_file(filename="other.png", colour="red"),
            "collection": image.collection_id,
            "tags": "",
            "focal_point_x": "",
            "focal_point_y": "",
            "focal_point_width": "",
            "focal_point_height": "",
        },
    )

    assert response.status_code == 200
    assert "without moderation" in response.content.decode()
    image.refresh_from_db()
    assert image.file.name == file_before
