"""Machine translation of pages: what a job sends, what it keeps, and what the editor sees.

The provider is a local HTTP server speaking DeepL's documented API (tests/translation/fakes.py),
the only stand-in allowed. The job runs in this process here; tests/knowledge/
test_machine_translation_worker.py runs the same pipeline on a real Celery worker.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from wagtail.models import Locale
from wagtail_localize.models import StringTranslation, Translation
from wagtail_localize.operations import TranslationCreator

from editorial.roles import assign_rapporteur, ensure_editorial_roles
from home.site_structure import practice_index_for
from knowledge.models import PracticePage, SessionPage
from tests.knowledge.factories import add_practice
from tests.translation.fakes import FakeDeepL
from translation.jobs import run_machine_translation
from translation.models import GlossaryTerm, MachineTranslationJob

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
Status = MachineTranslationJob.Status
User = get_user_model()


@pytest.fixture
def deepl(settings):
    with FakeDeepL(api_key="test-key") as fake:
        settings.MACHINE_TRANSLATION_PROVIDER = "deepl"
        settings.MACHINE_TRANSLATION_API_KEY = "test-key"
        settings.MACHINE_TRANSLATION_URL = fake.url
        yield fake


@pytest.fixture
def editor(db):
    return User.objects.create_superuser("seoul-editor", "editor@example.org", "x")


@pytest.fixture
def practice(tasks_in_process, site_structure):
    return add_practice(
        practice_index_for(Locale.objects.get(language_code="en")),
        "Walk-through screening booths",
        summary="Booths kept staff apart from visitors.",
    )


def _korean():
    return Locale.objects.get(language_code="ko")


def _job(page, language_code: str, user=None) -> MachineTranslationJob:
    return MachineTranslationJob.objects.create(
        page=page,
        target_locale=Locale.objects.get(language_code=language_code),
        requested_by=user,
        provider="deepl",
    )


def _sent_texts(fake: FakeDeepL) -> list[str]:
    return [text for body in fake.bodies() for text in body["text"]]


def _draft(page, language_code: str) -> PracticePage:
    translated = page.get_translation(Locale.objects.get(language_code=language_code))
    return translated.get_latest_revision_as_object()


def test_a_job_translates_every_segment_of_a_new_translation_into_a_draft(deepl, practice, editor):
    job = _job(practice, "ko", editor)

    run_machine_translation(job.pk)

    job.refresh_from_db()
    assert job.status == Status.DONE, job.error
    assert job.attempts == 1
    assert job.segments_translated >= 2  # title and summary at least
    assert {"Walk-through screening booths", "Booths kept staff apart from visitors."} <= set(
        _sent_texts(deepl)
    )
    assert {body["target_lang"] for body in deepl.bodies()} == {"KO"}
    korean = practice.get_translation(_korean())
    assert not korean.live  # a draft for review: nothing public yet
    draft = _draft(practice, "ko")
    assert draft.title == "[KO] WALK-THROUGH SCREENING BOOTHS"
    assert draft.summary == "[KO] BOOTHS KEPT STAFF APART FROM VISITORS."
    machine = StringTranslation.objects.filter(locale=_korean())
    assert machine.exists()
    assert set(machine.values_list("translation_type", flat=True)) == {"machine"}
    assert set(machine.values_list("tool_name", flat=True)) == {"deepl"}


def test_segments_a_person_translated_are_kept_and_not_sent(deepl, practice, editor):
    TranslationCreator(user=editor, target_locales=[_korean()]).create_translations(practice)
    translation = Translation.objects.get(target_locale=_korean())
    title = next(
        segment
        for segment in translation.source.stringsegment_set.select_related("string")
        if segment.string.as_value().render_text() == "Walk-through screening booths"
    )
    StringTranslation.objects.create(
        translation_of=title.string,
        locale=_korean(),
        context=title.context,
        data="도보형 선별진료소",
        translation_type=StringTranslation.TRANSLATION_TYPE_MANUAL,
        last_translated_by=editor,
    )

    job = _job(practice, "ko", editor)
    run_machine_translation(job.pk)

    job.refresh_from_db()
    assert job.status == Status.DONE, job.error
    assert job.segments_kept == 1
    assert "Walk-through screening booths" not in _sent_texts(deepl)
    draft = _draft(practice, "ko")
    assert draft.title == "도보형 선별진료소"
    assert draft.summary == "[KO] BOOTHS KEPT STAFF APART FROM VISITORS."
    manual = StringTranslation.objects.get(translation_of=title.string, locale=_korean())
    assert manual.translation_type == "manual" and manual.data == "도보형 선별진료소"


def test_a_changed_source_sends_only_the_changed_segment(deepl, practice, editor):
    run_machine_translation(_job(practice, "ko", editor).pk)
    first_round = len(_sent_texts(deepl))

    practice.summary = "Booths and drive-throughs kept staff apart from visitors."
    practice.save_revision().publish()  # the sync job refreshes the source in this process
    job = _job(practice, "ko", editor)
    run_machine_translation(job.pk)

    assert _sent_texts(deepl)[first_round:] == [
        "Booths and drive-throughs kept staff apart from visitors."
    ]
    job.refresh_from_db()
    assert job.segments_translated == 1
    assert _draft(practice, "ko").summary == (
        "[KO] BOOTHS AND DRIVE-THROUGHS KEPT STAFF APART FROM VISITORS."
    )


def test_a_live_translation_stays_as_published_until_a_person_publishes_the_draft(
    deepl, practice, editor
):
    run_machine_translation(_job(practice, "ko", editor).pk)
    korean = practice.get_translation(_korean())
    korean.get_latest_revision().publish()
    korean.refresh_from_db()
    assert korean.live and korean.summary == "[KO] BOOTHS KEPT STAFF APART FROM VISITORS."

    practice.summary = "Booths moved outdoors in summer."
    practice.save_revision().publish()
    run_machine_translation(_job(practice, "ko", editor).pk)

    korean = PracticePage.objects.get(pk=korean.pk)
    # What visitors see is the reviewed text; the machine's new words wait in a draft.
    assert korean.summary == "[KO] BOOTHS KEPT STAFF APART FROM VISITORS."
    assert korean.has_unpublished_changes
    assert korean.get_latest_revision_as_object().summary == "[KO] BOOTHS MOVED OUTDOORS IN SUMMER."
    response = korean.serve(_request_for(korean))
    assert "BOOTHS MOVED OUTDOORS" not in response.rendered_content


def _request_for(page):
    request = RequestFactory().get(page.url)
    request.user = AnonymousUser()
    return request


def test_the_glossary_wording_reaches_the_translation(deepl, tasks_in_process, site_structure):
    assert GlossaryTerm.objects.filter(source_term="방역", target_language="en").exists()
    korean_practice = add_practice(
        practice_index_for(_korean()),
        "서울시 방역 지침",
        summary="자가격리 중인 시민에게 생활지원을 제공했다.",
    )

    run_machine_translation(_job(korean_practice, "en").pk)

    marked = [body for body in deepl.bodies() if body.get("tag_handling") == "xml"]
    assert marked and all(body["ignore_tags"] == ["x"] for body in marked)
    sent = _sent_texts(deepl)
    assert "서울시 <x>disease control</x> 지침" in sent
    assert "<x>self-quarantine</x> 중인 시민에게 생활지원을 제공했다." in sent
    draft = _draft(korean_practice, "en")
    # The fake upper-cases what it translates; the glossary's words come back as written.
    assert draft.title == "[EN-GB] 서울시 disease control 지침"
    assert draft.summary.startswith("[EN-GB] self-quarantine ")


def test_an_error_the_provider_will_repeat_fails_the_job_with_its_reason(deepl, practice, editor):
    deepl.fail_next(456, message="Quota exceeded")
    from translation.tasks import machine_translate_page

    job = _job(practice, "ko", editor)
    machine_translate_page.apply(args=[job.pk])

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "456" in job.error or "Quota" in job.error
    assert practice.get_translation_or_none(_korean()) is None


# ---------------------------------------------------------------------------
# The admin: asking for a translation, and why no job is queued
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "told"),
    [("", "no provider is configured"), ("babelfish", "not set up correctly")],
)
def test_without_a_working_provider_the_editor_is_told_and_no_job_is_queued(
    settings, client, practice, editor, provider, told
):
    settings.MACHINE_TRANSLATION_PROVIDER = provider
    client.force_login(editor)
    url = reverse("machine_translation", args=[practice.pk])
    response = client.post(url, {"locales": [_korean().pk]}, follow=True)

    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any(told in m for m in messages), messages
    assert not MachineTranslationJob.objects.exists()


def test_without_a_worker_the_editor_is_told_and_no_job_is_queued(deepl, client, practice, editor):
    # tasks_in_process (through the practice fixture): jobs would run inside the request.
    client.force_login(editor)
    url = reverse("machine_translation", args=[practice.pk])
    response = client.post(url, {"locales": [_korean().pk]}, follow=True)

    messages = [str(m) for m in response.context["messages"]]
    assert any("needs a background worker" in m for m in messages), messages
    assert not MachineTranslationJob.objects.exists()
    assert deepl.requests == []


def test_the_page_lists_its_jobs_with_state_and_reason(deepl, client, practice, editor):
    done = _job(practice, "ko", editor)
    run_machine_translation(done.pk)
    MachineTranslationJob.objects.create(
        page=practice,
        target_locale=Locale.objects.get(language_code="ja"),
        provider="deepl",
        status=Status.FAILED,
        attempts=3,
        error="DeepL answered 503: Service unavailable",
    )
    client.force_login(editor)

    response = client.get(reverse("machine_translation", args=[practice.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-job="{done.pk}" data-status="done"' in html
    assert 'data-status="failed"' in html
    assert "DeepL answered 503: Service unavailable" in html
    assert "after 3 attempts" in html


def test_the_page_menu_offers_machine_translation_to_editors(client, practice, editor):
    client.force_login(editor)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[practice.pk]))
    assert reverse("machine_translation", args=[practice.pk]) in response.content.decode()


def test_a_rapporteur_cannot_reach_machine_translation(client, practice, summit):
    ensure_editorial_roles()
    rapporteur = User.objects.create_user("rapporteur", password="x")
    assign_rapporteur(rapporteur, SessionPage.objects.descendant_of(summit).first())
    client.force_login(rapporteur)

    response = client.get(reverse("machine_translation", args=[practice.pk]))

    assert response.status_code in (302, 403, 404)
    assert not MachineTranslationJob.objects.exists()


def test_editors_edit_the_glossary_in_the_admin(client, editor):
    client.force_login(editor)
    listing = client.get(reverse("wagtailsnippets_translation_glossaryterm:list"))
    assert listing.status_code == 200
    assert "선별진료소" in listing.content.decode()

    response = client.post(
        reverse("wagtailsnippets_translation_glossaryterm:add"),
        {
            "source_language": "ko",
            "source_term": "비대면",
            "target_language": "en",
            "target_term": "contactless",
            "notes": "",
        },
    )

    assert response.status_code == 302
    assert GlossaryTerm.objects.get(source_term="비대면").target_term == "contactless"
