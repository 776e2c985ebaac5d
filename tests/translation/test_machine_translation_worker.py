"""Machine translation end to end: the admin queues jobs, a real Celery worker runs them.

The worker talks to a local server speaking DeepL's API (tests/conftest.py), the only fake.
"""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.models import Locale

from home.site_structure import practice_index_for
from tests.knowledge.factories import add_practice
from translation.models import MachineTranslationJob

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
Status = MachineTranslationJob.Status


def _wait_for_jobs(page, timeout: float = 90) -> list[MachineTranslationJob]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = list(MachineTranslationJob.objects.filter(page=page).order_by("pk"))
        if jobs and all(job.status in (Status.DONE, Status.FAILED) for job in jobs):
            return jobs
        time.sleep(0.3)
    pytest.fail(f"jobs still unfinished after {timeout} s: {jobs}")


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser("seoul-editor", "editor@example.org", "x")


@pytest.fixture
def practice(celery_worker_process, site_structure):
    return add_practice(
        practice_index_for(Locale.objects.get(language_code="en")),
        "Drive-through testing",
        summary="Cars queued for a swab without leaving their seats.",
    )


def test_an_editor_queues_translations_and_the_worker_leaves_drafts(
    celery_worker_process, machine_translation_settings, client, editor, practice
):
    provider = machine_translation_settings
    sent_before = len(provider.requests)
    languages = {"ko": "KO", "ja": "JA"}
    locales = Locale.objects.filter(language_code__in=languages)
    client.force_login(editor)

    response = client.post(
        reverse("machine_translation", args=[practice.pk]),
        {"locales": [locale.pk for locale in locales]},
    )

    assert response.status_code == 302
    jobs = _wait_for_jobs(practice)
    assert [job.status for job in jobs] == [Status.DONE, Status.DONE], [j.error for j in jobs]
    assert len(provider.requests) > sent_before  # the request itself sent nothing
    for code, provider_code in languages.items():
        translated = practice.get_translation(Locale.objects.get(language_code=code))
        assert not translated.live
        draft = translated.get_latest_revision_as_object()
        assert draft.summary == (
            f"[{provider_code}] CARS QUEUED FOR A SWAB WITHOUT LEAVING THEIR SEATS."
        )

    listing = client.get(reverse("machine_translation", args=[practice.pk]))
    assert listing.content.decode().count('data-status="done"') == 2


def test_a_rate_limited_provider_is_retried_after_the_wait_it_asks_for(
    celery_worker_process, machine_translation_settings, client, editor, practice
):
    provider = machine_translation_settings
    provider.fail_next(429, retry_after="1")
    client.force_login(editor)

    client.post(
        reverse("machine_translation", args=[practice.pk]),
        {"locales": [Locale.objects.get(language_code="fr").pk]},
    )

    (job,) = _wait_for_jobs(practice)
    assert job.status == Status.DONE, job.error
    assert job.attempts == 2
    french = practice.get_translation(Locale.objects.get(language_code="fr"))
    assert french.get_latest_revision_as_object().title == "[FR] DRIVE-THROUGH TESTING"


def test_a_refused_request_ends_the_job_with_the_providers_reason(
    celery_worker_process, machine_translation_settings, client, editor, practice
):
    machine_translation_settings.fail_next(403, message="Wrong endpoint. Use api-free.deepl.com")
    client.force_login(editor)

    client.post(
        reverse("machine_translation", args=[practice.pk]),
        {"locales": [Locale.objects.get(language_code="es").pk]},
    )

    (job,) = _wait_for_jobs(practice)
    assert job.status == Status.FAILED
    assert job.attempts == 1
    assert "Wrong endpoint" in job.error
    listing = client.get(reverse("machine_translation", args=[practice.pk]))
    assert "Wrong endpoint" in listing.content.decode()


def test_a_subtree_is_translated_page_by_page(
    celery_worker_process, machine_translation_settings, client, editor, practice
):
    index = practice.get_parent().specific
    spanish = Locale.objects.get(language_code="es")
    client.force_login(editor)

    client.post(
        reverse("machine_translation", args=[index.pk]),
        {"locales": [spanish.pk], "include_subtree": "on"},
    )

    jobs = _wait_for_jobs(index) + _wait_for_jobs(practice)
    assert [job.status for job in jobs] == [Status.DONE, Status.DONE], [j.error for j in jobs]
    translated = practice.get_translation(spanish)
    assert translated.get_parent().specific == index.get_translation(spanish).specific
    assert translated.get_latest_revision_as_object().title == "[ES] DRIVE-THROUGH TESTING"
    # The listing of the index shows the jobs of the pages below it too.
    listing = client.get(reverse("machine_translation", args=[index.pk]))
    assert listing.content.decode().count('data-status="done"') == 2
