"""The rapporteur's whole journey through the admin, with Django's test client.

Login, "My sessions", the guided form with a PDF, submission, the moderators' email, a
request for changes, the rapporteur's email, resubmission, approval, and the PDF's phrase
found on the public search page. Celery tasks run in-process here (the same task code a
worker runs); tests/documents/test_document_jobs_worker.py runs them on a real worker.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import Locale, TaskState, WorkflowState

from documents.models import DocumentText
from knowledge.models import City, SessionSummaryPage
from tests.documents import files
from tests.editorial.factories import RAPPORTEUR_PASSWORD

# Each request commits, as in production: publishing's after-commit work (text jobs, emails,
# the index drain) runs as it would for a real user.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

User = get_user_model()
PDF_PHRASE = "Quillfeather ventilation ledger"
# The public address e-mails must name, whatever host the requests that sent them used.
PUBLIC_BASE_URL = "https://cac.example.org"


def assert_links_name_the_public_address(email) -> None:
    links = [word for word in email.body.split() if "://" in word]
    assert links, email.body
    assert all(link.startswith(PUBLIC_BASE_URL + "/") for link in links), links


@pytest.fixture
def moderator(roles):
    user = User.objects.create_user(
        "moderator", email="moderator@example.org", password="moderator-pass-2020"
    )
    user.groups.add(roles.moderators)
    return user


def _form_data(**overrides) -> dict:
    data = {
        "title": "Summary: Education",
        "key_messages": "Schools reopened in stages\nOnline classes reached every pupil",
        "recommendations": "Keep a device loan scheme ready",
        "quotes-TOTAL_FORMS": "3",
        "quotes-INITIAL_FORMS": "0",
        "quotes-MIN_NUM_FORMS": "0",
        "quotes-MAX_NUM_FORMS": "20",
        "new_cities-TOTAL_FORMS": "1",
        "new_cities-INITIAL_FORMS": "0",
        "quotes-0-text": "No pupil was left offline.",
        "quotes-0-speaker": "A Seoul teacher",
        "full_summary": "The session compared school reopening plans.\n\nCities shared data.",
    }
    data.update(overrides)
    return data


def _pdf_upload(name="slides.pdf"):
    return SimpleUploadedFile(
        name, files.pdf_with_text("Education session slides", PDF_PHRASE), "application/pdf"
    )


def test_rapporteur_journey_from_login_to_a_published_searchable_summary(
    # First: with a broker set, the fixtures' own publishing must not queue tasks to Redis.
    tasks_in_process,
    settings,
    client,
    rapporteur,
    moderator,
    education,
    culture,
):
    settings.WAGTAILADMIN_BASE_URL = PUBLIC_BASE_URL
    # 1. Login lands on "My sessions": their session only, not started.
    response = client.post(
        reverse("wagtailadmin_login"),
        {"username": "rapporteur", "password": RAPPORTEUR_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("my_sessions:index")
    text = response.content.decode()
    assert education.title in text
    assert culture.title not in text
    assert "Not started" in text
    form_url = reverse("my_sessions:summary", args=[education.pk])
    assert form_url in text

    # Another session's form is not reachable.
    other_url = reverse("my_sessions:summary", args=[culture.pk])
    assert client.get(other_url).status_code == 404

    # 2. The guided form, with the session's cities ticked already.
    response = client.get(form_url)
    assert response.status_code == 200
    city = City.objects.filter(locale=Locale.get_default()).first()

    # 3. Fill it in, attach the slides, submit.
    response = client.post(
        form_url,
        _form_data(cities=[city.pk], new_files=[_pdf_upload()], submit=""),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    summary = SessionSummaryPage.objects.child_of(education).get()
    assert summary.owner == rapporteur
    assert not summary.live
    workflow_state = WorkflowState.objects.get(
        base_content_type__isnull=False, object_id=str(summary.pk)
    )
    assert workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    revision_page = summary.get_latest_revision_as_object()
    assert [str(block.value) for block in revision_page.key_messages] == [
        "Schools reopened in stages",
        "Online classes reached every pupil",
    ]
    assert revision_page.notable_quotes[0].value["speaker"] == "A Seoul teacher"
    [attachment] = revision_page.attachments.all()
    document = attachment.document
    assert document.collection == education.access.collection
    extracted = DocumentText.objects.get(document=document)
    assert extracted.status == DocumentText.Status.DONE, extracted.error_detail
    assert PDF_PHRASE in extracted.text

    # The moderators hear of it, by email from the task; the rapporteur does not.
    assert [message.to for message in mail.outbox] == [["moderator@example.org"]]
    assert summary.title in mail.outbox[0].subject
    assert_links_name_the_public_address(mail.outbox[0])
    text = client.get(reverse("my_sessions:index")).content.decode()
    assert "In moderation" in text
    # While with the moderators the form is read-only.
    assert 'name="submit"' not in client.get(form_url).content.decode()

    # Not public yet: neither the page nor search shows it.
    client.logout()
    assert client.get(summary.url or "/missing/").status_code == 404
    search_text = client.get("/en/search/", {"q": PDF_PHRASE}).content.decode()
    assert summary.url_path not in search_text
    assert "/summit-2020/education/summary/" not in search_text

    # 4. The moderator requests changes with a comment.
    mail.outbox.clear()
    client.force_login(moderator)
    task_state = TaskState.objects.get(workflow_state=workflow_state, status="in_progress")
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[summary.pk, "reject", task_state.pk]),
        {"comment": "Please add the recommendation on ventilation."},
    )
    assert response.status_code in (200, 302)
    workflow_state.refresh_from_db()
    assert workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES

    # 5. The rapporteur is told, with the comment and the way back to the form.
    [changes_email] = mail.outbox
    assert changes_email.to == ["rapporteur@example.org"]
    assert "Changes requested" in changes_email.subject
    assert "Please add the recommendation on ventilation." in changes_email.body
    assert form_url in changes_email.body
    assert_links_name_the_public_address(changes_email)

    client.force_login(rapporteur)
    text = client.get(reverse("my_sessions:index")).content.decode()
    assert "Changes requested" in text
    assert "Please add the recommendation on ventilation." in text

    # 6. They change it and send it again, keeping the slides.
    mail.outbox.clear()
    form_text = client.get(form_url).content.decode()
    assert "No pupil was left offline." in form_text
    response = client.post(
        form_url,
        _form_data(
            recommendations="Keep a device loan scheme ready\nVentilate classrooms hourly",
            cities=[city.pk],
            keep_documents=[document.pk],
            **{"quotes-INITIAL_FORMS": "1"},
            submit="",
        ),
    )
    assert response.status_code == 302
    workflow_state.refresh_from_db()
    assert workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert [message.to for message in mail.outbox] == [["moderator@example.org"]]

    # 7. The moderator approves: the summary is published.
    mail.outbox.clear()
    client.force_login(moderator)
    task_state = TaskState.objects.get(workflow_state=workflow_state, status="in_progress")
    client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[summary.pk, "approve", task_state.pk]),
        {"comment": ""},
    )
    summary.refresh_from_db()
    assert summary.live
    [published_email] = mail.outbox
    assert published_email.to == ["rapporteur@example.org"]
    assert "Published" in published_email.subject
    assert_links_name_the_public_address(published_email)
    assert f"{PUBLIC_BASE_URL}{summary.url}" in published_email.body

    # 8. The public sees it on the session page, and finds the PDF's phrase in search.
    client.logout()
    session_text = client.get(education.url).content.decode()
    assert "Ventilate classrooms hourly" in session_text
    assert "slides" in session_text
    search_text = client.get("/en/search/", {"q": PDF_PHRASE}).content.decode()
    assert summary.url in search_text

    client.force_login(rapporteur)
    assert "Published" in client.get(reverse("my_sessions:index")).content.decode()


def test_hostile_uploads_are_refused_by_name_and_nothing_is_written(
    tasks_in_process, client, rapporteur, education, settings
):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 200_000
    client.force_login(rapporteur)
    form_url = reverse("my_sessions:summary", args=[education.pk])
    uploads = [
        SimpleUploadedFile("bomb.docx", files.zip_bomb_docx(unpacked_mb=60)),
        SimpleUploadedFile("photo.pdf", files.png_bytes()),
        SimpleUploadedFile("broken.pdf", files.truncated_pdf()),
        SimpleUploadedFile("huge.pdf", files.pdf_with_text("x" * 10) + b"%" * 300_000),
        SimpleUploadedFile("fine.pdf", files.pdf_with_text(PDF_PHRASE)),
    ]
    documents_before = get_document_model().objects.count()
    stored_before = _stored_files(settings.MEDIA_ROOT)
    response = client.post(form_url, _form_data(new_files=uploads, submit=""))

    assert response.status_code == 200
    errors = response.context["form"].errors["new_files"]
    assert len(errors) == 4
    for name in ("bomb.docx", "photo.pdf", "broken.pdf", "huge.pdf"):
        assert any(name in error for error in errors), (name, errors)
    assert any("PNG" in error for error in errors)
    # Nothing half-written: no page, no document row, no file in storage.
    assert not SessionSummaryPage.objects.child_of(education).exists()
    assert get_document_model().objects.count() == documents_before
    assert _stored_files(settings.MEDIA_ROOT) == stored_before


def _stored_files(root) -> set[str]:
    from pathlib import Path

    return {str(path) for path in Path(root).rglob("*") if path.is_file()}
