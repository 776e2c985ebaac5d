"""wagtail-localize's workflow here: segments, sync on source change, PO files in and out."""

from __future__ import annotations

import polib
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Locale
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)
from wagtail_localize.operations import TranslationCreator

from home.site_structure import practice_index_for
from knowledge.models import TopicArea
from tests.knowledge.factories import add_practice

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _translate(instance, language_code: str) -> Translation:
    """What "Translate this page" in wagtail-localize does, for one locale."""
    locale = Locale.objects.get(language_code=language_code)
    TranslationCreator(user=None, target_locales=[locale]).create_translations(instance)
    return Translation.objects.get(source__object_id=instance.translation_key, target_locale=locale)


def _segment_texts(source: TranslationSource) -> set[str]:
    return {
        segment.string.as_value().render_text()
        for segment in StringSegment.objects.filter(source=source).select_related("string")
    }


def _translate_segment(translation: Translation, text: str, into: str, user=None):
    segment = next(
        segment
        for segment in StringSegment.objects.filter(source=translation.source).select_related(
            "string"
        )
        if segment.string.as_value().render_text() == text
    )
    return StringTranslation.objects.create(
        translation_of=segment.string,
        locale=translation.target_locale,
        context=segment.context,
        data=into,
        translation_type=StringTranslation.TRANSLATION_TYPE_MANUAL,
        last_translated_by=user,
    )


@pytest.fixture
def practice(tasks_in_process, site_structure):
    return add_practice(
        practice_index_for(Locale.get_default()),
        "Screening clinics",
        summary="Walk-through booths kept staff safe.",
    )


def test_topic_areas_are_translated_segment_by_segment(tasks_in_process, site_structure):
    area = TopicArea.objects.create(
        name="Quarantine", slug="quarantine", description="Isolation and testing."
    )
    translation = _translate(area, "ko")
    assert {"Quarantine", "Isolation and testing."} <= _segment_texts(translation.source)
    _translate_segment(translation, "Quarantine", "방역")
    translation.save_target()
    korean = TopicArea.objects.get(translation_key=area.translation_key, locale__language_code="ko")
    assert korean.name == "방역"


def test_a_changed_topic_area_reaches_its_translation_and_keeps_what_was_translated(
    tasks_in_process, site_structure
):
    area = TopicArea.objects.create(
        name="Quarantine", slug="quarantine", description="Isolation and testing."
    )
    translation = _translate(area, "ko")
    _translate_segment(translation, "Quarantine", "방역")
    translation.save_target()

    area.description = "Isolation, testing and tracing."
    area.save()  # the sync job runs on commit, in this process here

    korean = TopicArea.objects.get(translation_key=area.translation_key, locale__language_code="ko")
    assert korean.name == "방역"
    assert korean.description == "Isolation, testing and tracing."  # untranslated: the source
    assert "Isolation, testing and tracing." in _segment_texts(
        TranslationSource.objects.get(pk=translation.source_id)
    )


def test_a_published_change_reaches_the_translation_as_a_draft(tasks_in_process, practice):
    translation = _translate(practice, "ko")
    _translate_segment(translation, "Screening clinics", "선별진료소")
    translation.save_target(publish=True)
    korean = practice.get_translation(Locale.objects.get(language_code="ko"))
    assert korean.live and korean.title == "선별진료소"

    # The source changes and is published: the Korean page gets a draft with the new text
    # (untranslated, so the English shows) and keeps its translated title.
    practice.summary = "Booths and drive-throughs kept staff safe."
    practice.save_revision().publish()

    translation.source.refresh_from_db()
    assert "Booths and drive-throughs kept staff safe." in _segment_texts(translation.source)
    korean.refresh_from_db()
    assert korean.has_unpublished_changes
    draft = korean.get_latest_revision_as_object()
    assert draft.title == "선별진료소"
    assert draft.summary == "Booths and drive-throughs kept staff safe."
    assert korean.specific.summary == "Walk-through booths kept staff safe."  # live unchanged


def test_translators_download_and_upload_po_files(tasks_in_process, client, practice):
    translation = _translate(practice, "ko")
    admin = get_user_model().objects.create_superuser("translator", "t@example.org", "x")
    client.force_login(admin)

    download = client.get(reverse("wagtail_localize:download_pofile", args=[translation.pk]))
    assert download.status_code == 200
    po = polib.pofile(download.content.decode())
    assert {entry.msgid for entry in po} >= {"Screening clinics"}
    for entry in po:
        if entry.msgid == "Screening clinics":
            entry.msgstr = "선별진료소"

    upload = client.post(
        reverse("wagtail_localize:upload_pofile", args=[translation.pk]),
        {"file": SimpleUploadedFile("ko.po", str(po).encode())},
    )
    assert upload.status_code == 302
    imported = StringTranslation.objects.get(locale__language_code="ko", data="선별진료소")
    assert imported.translation_type == StringTranslation.TRANSLATION_TYPE_MANUAL


@pytest.mark.parametrize(
    "upload",
    [
        None,
        SimpleUploadedFile("x.po", b"\xff\xfe not utf-8"),
        SimpleUploadedFile("x.po", b'msgid "a"\nmsgstr "b"\n'),  # not from this site
        SimpleUploadedFile("x.po", b"/etc/passwd"),  # polib would read a file name
    ],
)
def test_a_bad_po_upload_gets_a_message_not_an_error(tasks_in_process, client, practice, upload):
    translation = _translate(practice, "ko")
    admin = get_user_model().objects.create_superuser("translator", "t@example.org", "x")
    client.force_login(admin)
    data = {"file": upload} if upload is not None else {}
    response = client.post(
        reverse("wagtail_localize:upload_pofile", args=[translation.pk]), data, follow=True
    )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not StringTranslation.objects.filter(locale__language_code="ko").exists()


def _downloaded_po(client, translation: Translation) -> polib.POFile:
    download = client.get(reverse("wagtail_localize:download_pofile", args=[translation.pk]))
    assert download.status_code == 200
    return polib.pofile(download.content.decode())


def _upload_po(client, translation: Translation, po: polib.POFile):
    response = client.post(
        reverse("wagtail_localize:upload_pofile", args=[translation.pk]),
        {"file": SimpleUploadedFile("ko.po", str(po).encode())},
        follow=True,
    )
    assert response.status_code == 200
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


@pytest.fixture
def translator_client(client):
    admin = get_user_model().objects.create_superuser("translator", "t@example.org", "x")
    client.force_login(admin)
    return client


def test_a_po_file_with_a_nul_byte_is_refused_and_nothing_stored(
    tasks_in_process, translator_client, practice
):
    translation = _translate(practice, "ko")
    po = _downloaded_po(translator_client, translation)
    for entry in po:
        entry.msgstr = "선별진료소"
        if entry.msgid == "Screening clinics":
            entry.msgstr = "선별\x00진료소"

    shown = _upload_po(translator_client, translation, po)

    assert len(shown) == 1 and shown[0][0] == "error"
    assert "NUL character" in shown[0][1] and "Nothing was imported" in shown[0][1]
    assert not StringTranslation.objects.filter(locale__language_code="ko").exists()


def test_a_po_file_whose_every_string_is_rejected_says_nothing_was_imported(
    tasks_in_process, translator_client, practice
):
    translation = _translate(practice, "ko")
    po = _downloaded_po(translator_client, translation)
    for entry in po:
        entry.msgid = f"{entry.msgid} (an older version)"
        entry.msgstr = "번역"

    shown = _upload_po(translator_client, translation, po)

    assert shown == [
        (
            "error",
            f"Nothing was imported. {len(po)} translated strings were rejected: they do not "
            "match this page's source text (the file may be from an older version of the page).",
        )
    ]
    assert not StringTranslation.objects.filter(locale__language_code="ko").exists()


def test_a_po_file_with_some_rejected_strings_says_how_many_of_each(
    tasks_in_process, translator_client, practice
):
    translation = _translate(practice, "ko")
    po = _downloaded_po(translator_client, translation)
    for entry in po:
        if entry.msgid == "Screening clinics":
            entry.msgstr = "선별진료소"
    po.append(polib.POEntry(msgid="A sentence no longer on the page", msgstr="옛 문장"))

    shown = _upload_po(translator_client, translation, po)

    assert shown == [
        (
            "warning",
            "Imported 1 translated string from the PO file. 1 translated string was rejected: "
            "it does not match this page's source text (the file may be from an older version "
            "of the page).",
        )
    ]
    assert StringTranslation.objects.get(locale__language_code="ko").data == "선별진료소"


def test_a_po_file_with_no_translations_says_nothing_was_imported(
    tasks_in_process, translator_client, practice
):
    translation = _translate(practice, "ko")
    po = _downloaded_po(translator_client, translation)

    shown = _upload_po(translator_client, translation, po)

    assert shown == [("error", "Nothing was imported: the PO file holds no translated strings.")]


def test_a_po_file_of_another_translation_is_refused(tasks_in_process, translator_client, practice):
    korean = _translate(practice, "ko")
    japanese = _translate(practice, "ja")
    po = _downloaded_po(translator_client, japanese)
    for entry in po:
        entry.msgstr = "翻訳"

    shown = _upload_po(translator_client, korean, po)

    assert [level for level, _text in shown] == ["error"]
    assert not StringTranslation.objects.exists()


def test_only_someone_who_may_edit_the_page_can_upload_its_translation(
    tasks_in_process, client, practice
):
    from django.contrib.auth.models import Permission

    translation = _translate(practice, "ko")
    po = polib.POFile()
    po.metadata = {"X-WagtailLocalize-TranslationID": str(translation.uuid)}
    po.append(polib.POEntry(msgid="Screening clinics", msgstr="선별진료소", msgctxt="title"))
    visitor = get_user_model().objects.create_user("visitor", "v@example.org", "x")
    visitor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(visitor)

    response = client.post(
        reverse("wagtail_localize:upload_pofile", args=[translation.pk]),
        {"file": SimpleUploadedFile("ko.po", str(po).encode())},
        follow=True,
    )

    # Wagtail's admin answers PermissionDenied with its home page and an error.
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not StringTranslation.objects.exists()
