"""Seoul staff's practice attachments get the rapporteurs' upload handling.

Wagtail's own upload views (single, multiple, replacing a file) check content and size;
every stored document gets a text job; the text makes the practice findable. Tasks run
in-process here; test_document_jobs_worker.py runs them on a real worker.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import Collection, Locale

from documents.models import DocumentText
from editorial.roles import MODERATORS, ensure_editorial_roles
from home.site_structure import practice_index_for
from knowledge.models import PracticeAttachment
from search.models import IndexOutboxEntry
from tests.documents import files
from tests.knowledge.factories import add_practice

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

User = get_user_model()
PHRASE = "Thistledown quarantine ferry timetable"


@pytest.fixture
def editor(db):
    roles = ensure_editorial_roles()
    user = User.objects.create_user("seoul-editor", password="x")
    user.groups.add(roles.editors)
    return user


def _multiple_upload(client, name: str, data: bytes):
    return client.post(
        reverse("wagtaildocs:add_multiple"),
        {"files[]": SimpleUploadedFile(name, data), "collection": _root().pk},
    )


def _root():
    return Collection.get_first_root_node()


def test_multiple_upload_refuses_hostile_files_with_the_reason(tasks_in_process, client, editor):
    client.force_login(editor)
    cases = {
        "bomb.docx": (files.zip_bomb_docx(unpacked_mb=60), "unsafe"),
        "scan.pdf": (files.png_bytes(), "PNG"),
        "old.doc": (files.ole_file_bytes(), "password"),
        "cut.pdf": (files.truncated_pdf(), "incomplete"),
    }
    for name, (data, reason) in cases.items():
        response = _multiple_upload(client, name, data)
        body = response.json()
        assert body["success"] is False, name
        message = body["error_message"]
        assert name in message and reason.lower() in message.lower(), (name, message)
        # One clear reason, not Wagtail's extension check on the refused file as well.
        assert "extension" not in message, message
    assert not get_document_model().objects.exists()
    assert not DocumentText.objects.exists()


def test_an_attachment_makes_its_practice_findable_and_a_new_file_replaces_the_text(
    tasks_in_process, client, editor
):
    client.force_login(editor)
    response = _multiple_upload(client, "ferry.pptx", files.pptx_with_text("Ferries", PHRASE))
    assert response.json()["success"] is True
    document = get_document_model().objects.get()
    record = DocumentText.objects.get(document=document)
    assert record.status == DocumentText.Status.DONE
    assert PHRASE in record.text

    practice = add_practice(practice_index_for(Locale.get_default()), "Island ferries")
    # Attached and published the way the editor's form does it: a new revision, published.
    page = practice.get_latest_revision_as_object()
    page.attachments = [PracticeAttachment(document=document)]
    page.save_revision(user=editor).publish()

    results = client.get("/en/search/", {"q": "quarantine ferry timetable"}).content.decode()
    assert practice.url in results

    # Replacing the file in Wagtail's edit form extracts the new text and re-queues the page.
    # A live page uses it, so a moderator does it (an editor's attempt is refused:
    # tests/security/test_published_files.py).
    moderator = User.objects.create_user("moderator", password="x")
    moderator.groups.add(Group.objects.get(name=MODERATORS))
    client.force_login(moderator)
    IndexOutboxEntry.objects.all().delete()
    response = client.post(
        reverse("wagtaildocs:edit", args=[document.pk]),
        {
            "title": document.title,
            "collection": _root().pk,
            "file": SimpleUploadedFile("ferry.docx", files.docx_with_text("Bridges only")),
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    record.refresh_from_db()
    assert record.status == DocumentText.Status.DONE
    assert "Bridges only" in record.text
    assert PHRASE not in record.text
    results = client.get("/en/search/", {"q": "quarantine ferry timetable"}).content.decode()
    assert practice.url not in results
