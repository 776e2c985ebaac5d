"""The rules around the guided summary form and the text jobs that the journey tests pass by.

A rapporteur can attach only their own uploads, can't change a summary the moderators hold,
gets their emails in their own language; stalled text jobs are retried, then given up.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection, TaskState, WorkflowState
from wagtail.users.models import UserProfile

from documents.models import DocumentText
from documents.services import MAX_ATTEMPTS
from documents.tasks import retry_stalled_text_extraction
from knowledge.models import SessionSummaryPage
from tests.documents import files

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

User = get_user_model()


@pytest.fixture
def moderator(roles):
    user = User.objects.create_user("moderator", email="moderator@example.org", password="x")
    user.groups.add(roles.moderators)
    return user


def _form(**extra) -> dict:
    return {
        "title": "Summary of Education",
        "key_messages": "One",
        "recommendations": "",
        "quotes-TOTAL_FORMS": "0",
        "quotes-INITIAL_FORMS": "0",
        "new_cities-TOTAL_FORMS": "0",
        "new_cities-INITIAL_FORMS": "0",
        "full_summary": "Text.",
        **extra,
    }


def test_a_rapporteur_cannot_attach_someone_elses_document(
    tasks_in_process, client, rapporteur, education
):
    secret = get_document_model().objects.create(
        title="Another session's report",
        file=ContentFile(files.pdf_with_text("Confidential"), name="other.pdf"),
        collection=Collection.get_first_root_node(),
    )
    client.force_login(rapporteur)
    url = reverse("my_sessions:summary", args=[education.pk])
    response = client.post(url, _form(keep_documents=[secret.pk], save=""))
    assert response.status_code == 200
    assert "keep_documents" in response.context["form"].errors
    assert not SessionSummaryPage.objects.child_of(education).exists()


@pytest.mark.parametrize("session_id", ["999999999", str(2**63), "9" * 30])
def test_a_session_that_does_not_exist_is_not_found_whatever_its_number(
    client, rapporteur, session_id
):
    client.force_login(rapporteur)
    client.raise_request_exception = False  # as the rapporteur would see it

    response = client.get(f"/admin/my-sessions/{session_id}/summary/")

    assert response.status_code == 404


def test_a_summary_with_the_moderators_cannot_be_changed_by_its_rapporteur(
    tasks_in_process, client, rapporteur, education
):
    client.force_login(rapporteur)
    url = reverse("my_sessions:summary", args=[education.pk])
    assert client.post(url, _form(submit="")).status_code == 302
    summary = SessionSummaryPage.objects.child_of(education).get()
    revisions = summary.revisions.count()

    response = client.post(url, _form(title="Changed behind the moderators' back", save=""))
    assert response.status_code == 200
    summary.refresh_from_db()
    assert summary.revisions.count() == revisions
    assert summary.get_latest_revision_as_object().title == "Summary of Education"


def test_the_rapporteur_gets_the_outcome_in_their_own_language(
    tasks_in_process, client, rapporteur, moderator, education
):
    profile = UserProfile.get_for_user(rapporteur)
    profile.preferred_language = "ko"
    profile.save()
    client.force_login(rapporteur)
    url = reverse("my_sessions:summary", args=[education.pk])
    client.post(url, _form(submit=""))
    summary = SessionSummaryPage.objects.child_of(education).get()
    workflow_state = WorkflowState.objects.get(object_id=str(summary.pk))
    task_state = TaskState.objects.get(workflow_state=workflow_state, status="in_progress")

    mail.outbox.clear()
    client.force_login(moderator)
    client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[summary.pk, "reject", task_state.pk]),
        {"comment": "Add the figures."},
    )
    [email] = mail.outbox
    assert email.to == ["rapporteur@example.org"]
    assert "수정 요청" in email.subject, email.subject
    assert "Add the figures." in email.body


def test_stalled_text_jobs_are_retried_and_then_given_up(tasks_in_process, db):
    Document = get_document_model()
    root = Collection.get_first_root_node()
    stalled = Document.objects.create(
        title="Stalled",
        file=ContentFile(files.docx_with_text("Found again"), name="s.docx"),
        collection=root,
    )
    hopeless = Document.objects.create(
        title="Hopeless",
        file=ContentFile(files.docx_with_text("Never"), name="h.docx"),
        collection=root,
    )
    long_ago = timezone.now() - timedelta(hours=1)
    # As a lost message (broker down at upload) or a dead worker would leave them.
    DocumentText.objects.filter(document=stalled).update(
        status=DocumentText.Status.PENDING, text="", requested_at=long_ago, attempts=1
    )
    DocumentText.objects.filter(document=hopeless).update(
        status=DocumentText.Status.RUNNING, text="", requested_at=long_ago, attempts=MAX_ATTEMPTS
    )
    fresh = DocumentText.objects.get(document=stalled)
    assert fresh.status == DocumentText.Status.PENDING

    assert retry_stalled_text_extraction() == 1

    stalled_text = DocumentText.objects.get(document=stalled)
    assert stalled_text.status == DocumentText.Status.DONE
    assert "Found again" in stalled_text.text
    hopeless_text = DocumentText.objects.get(document=hopeless)
    assert hopeless_text.status == DocumentText.Status.FAILED
    assert hopeless_text.error_code == "crashed"
    # A job that is merely recent is left alone.
    DocumentText.objects.filter(document=stalled).update(status=DocumentText.Status.PENDING)
    assert retry_stalled_text_extraction() == 0
