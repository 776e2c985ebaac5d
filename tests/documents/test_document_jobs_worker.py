"""Document text jobs and moderation emails on a real Celery worker over Redis.

Uploads go through Wagtail's own document views (Seoul staff's practice attachments), the
job runs on the worker, and hostile files end as recorded failures with the worker alive.
"""

from __future__ import annotations

import time
from email import message_from_bytes

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import Collection, Locale

from documents.models import DocumentText
from editorial.roles import assign_rapporteur, ensure_editorial_roles
from knowledge.models import SessionPage
from tests.conftest import WORKER_EMAIL_DIR
from tests.documents import files

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

User = get_user_model()
PHRASE = "Marrowgate disinfection roster"


def _wait_for_text(document_id: int, timeout: float = 90) -> DocumentText:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = DocumentText.objects.filter(document_id=document_id).first()
        if record is not None and record.status in (
            DocumentText.Status.DONE,
            DocumentText.Status.FAILED,
        ):
            return record
        time.sleep(0.3)
    pytest.fail(f"document {document_id}: no text job finished within {timeout} s")


@pytest.fixture
def editor(db):
    roles = ensure_editorial_roles()
    user = User.objects.create_user("seoul-editor", email="editor@example.org", password="x")
    user.groups.add(roles.editors)
    return user


def test_practice_attachments_uploaded_in_wagtail_are_extracted_by_the_worker(
    celery_worker_process, client, editor
):
    client.force_login(editor)
    response = client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Disinfection roster",
            "collection": Collection.get_first_root_node().pk,
            "file": SimpleUploadedFile("roster.docx", files.docx_with_text("Intro", PHRASE)),
        },
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    document = get_document_model().objects.get(title="Disinfection roster")
    record = _wait_for_text(document.pk)
    assert record.status == DocumentText.Status.DONE, record.error_detail
    assert record.kind == "docx"
    assert PHRASE in record.text

    # The same check refuses a PNG named .pdf in Wagtail's form, naming the reason.
    response = client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Not a PDF",
            "collection": Collection.get_first_root_node().pk,
            "file": SimpleUploadedFile("scan.pdf", files.png_bytes()),
        },
    )
    assert response.status_code == 200
    assert "PNG" in response.content.decode()
    assert not get_document_model().objects.filter(title="Not a PDF").exists()


def test_hostile_files_end_as_recorded_failures_and_the_worker_lives_on(
    celery_worker_process, client, editor
):
    from cac.celery import app

    Document = get_document_model()
    root = Collection.get_first_root_node()
    # Saved by a script, so no upload form checked them: the job must cope on its own.
    malformed = Document.objects.create(
        title="Malformed", file=ContentFile(files.malformed_pdf(), name="m.pdf"), collection=root
    )
    bomb = Document.objects.create(
        title="Bomb",
        file=ContentFile(files.zip_bomb_docx(unpacked_mb=400), name="bomb.docx"),
        collection=root,
    )
    locked = Document.objects.create(
        title="Locked", file=ContentFile(files.encrypted_pdf(PHRASE), name="l.pdf"), collection=root
    )
    outcomes = {doc.title: _wait_for_text(doc.pk) for doc in (malformed, bomb, locked)}
    assert {title: r.status for title, r in outcomes.items()} == {
        "Malformed": "failed",
        "Bomb": "failed",
        "Locked": "failed",
    }
    assert outcomes["Malformed"].error_code == "damaged"
    assert outcomes["Bomb"].error_code == "zip_bomb"
    assert outcomes["Locked"].error_code == "encrypted"
    assert app.control.ping(timeout=2), "the worker died"

    # Editors see the failures, with the reason, in the "Document text" report.
    client.force_login(editor)
    text = client.get(reverse("document_text_report"), {"status": "failed"}).content
    text = text.decode()
    for title in ("Malformed", "Bomb", "Locked"):
        assert title in text
    assert PHRASE not in text  # the report never shows a document's text


def test_moderators_email_is_sent_by_the_worker(celery_worker_process, client, editor):
    for old in WORKER_EMAIL_DIR.glob("*"):
        old.unlink()
    roles = ensure_editorial_roles()
    User.objects.create_user("mod", email="mod@example.org", password="x").groups.add(
        roles.moderators
    )
    from django.core.management import call_command

    call_command("load_summit_2020", verbosity=0)
    session = SessionPage.objects.get(slug="education", locale=Locale.get_default())
    rapporteur = User.objects.create_user("rap", email="rap@example.org", password="x")
    assign_rapporteur(rapporteur, session)
    client.force_login(rapporteur)
    response = client.post(
        reverse("my_sessions:summary", args=[session.pk]),
        {
            "title": "Summary: Education",
            "key_messages": "One",
            "recommendations": "",
            "quotes-TOTAL_FORMS": "0",
            "quotes-INITIAL_FORMS": "0",
            "new_cities-TOTAL_FORMS": "0",
            "new_cities-INITIAL_FORMS": "0",
            "full_summary": "Text.",
            "submit": "",
        },
    )
    assert response.status_code == 302
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(WORKER_EMAIL_DIR.glob("*.log")):
        time.sleep(0.3)
    messages = [message_from_bytes(path.read_bytes()) for path in WORKER_EMAIL_DIR.glob("*.log")]
    assert messages, "the worker sent no email within 60 s"
    recipients = {message["To"] for message in messages}
    assert "mod@example.org" in recipients
    assert "rap@example.org" not in recipients
