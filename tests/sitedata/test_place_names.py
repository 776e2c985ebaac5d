"""Topic areas and cities in the visitors' languages, translated through wagtail-localize."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from wagtail.models import Locale
from wagtail_localize.models import StringTranslation, Translation

from knowledge.models import City, TopicArea
from translation.from_data import translate_from_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def summit(db):
    """The summit as `make run` loads it: every language (tests/conftest.py's has Korean)."""
    call_command("load_summit_2020", verbosity=0)


def _in(model, code: str, slug: str):
    return model.objects.get(locale__language_code=code, slug=slug)


def test_the_summit_loads_korean_topic_areas_and_city_names_in_every_language(summit):
    quarantine = _in(TopicArea, "ko", "quarantine")
    assert quarantine.name == "방역·공중보건"
    assert quarantine.description.startswith("검사와 선별진료소")
    assert {code: _in(TopicArea, code, "quarantine").name for code in ("ar", "ja")} == {
        "ar": "الحجر الصحي والصحة العامة",
        "ja": "防疫・公衆衛生",
    }
    moscow = {
        code: _in(City, code, "moscow").name for code in ("ko", "zh-hans", "ja", "es", "fr", "ar")
    }
    assert moscow == {
        "ko": "모스크바",
        "zh-hans": "莫斯科",
        "ja": "モスクワ",
        "es": "Moscú",
        "fr": "Moscou",
        "ar": "موسكو",
    }
    # Through the workflow: a Translation of the English source, with manual strings, so it
    # shows in the translation editor and follows the source (translation/sync.py).
    source = TopicArea.objects.get(locale=Locale.get_default(), slug="quarantine")
    translation = Translation.objects.get(
        source__object_id=source.translation_key, target_locale__language_code="ko"
    )
    texts = set(
        StringTranslation.objects.filter(
            locale__language_code="ko", translation_of__segments__source=translation.source
        ).values_list("data", "translation_type")
    )
    assert ("방역·공중보건", StringTranslation.TRANSLATION_TYPE_MANUAL) in texts


def test_loading_again_keeps_an_editors_translation(summit):
    korean = _in(City, "ko", "moscow")
    string = StringTranslation.objects.get(locale=korean.locale, data="모스크바")
    string.data = "모스끄바"  # an editor's correction in the translation editor
    string.save()
    Translation.objects.get(
        source__object_id=korean.translation_key, target_locale=korean.locale
    ).save_target()
    call_command("load_summit_2020", verbosity=0)
    assert _in(City, "ko", "moscow").name == "모스끄바"


def test_a_field_the_data_does_not_translate_is_refused_not_published_in_english(summit):
    # An area the programme file does not give (the summit's ten are in every language).
    area = TopicArea.objects.create(
        locale=Locale.get_default(), slug="housing", name="Housing", description="Shelters."
    )
    french = Locale.objects.get(language_code="fr")
    with pytest.raises(ValueError, match="description"):
        translate_from_data(area, french, {"name": "Logement"})
    assert not TopicArea.objects.filter(locale=french, slug="housing").exists()


def test_korean_and_spanish_pages_name_places_in_their_language(client, summit):
    korean = client.get("/ko/topics/quarantine/").content.decode()
    assert "방역·공중보건" in korean and "검사와 선별진료소" in korean
    assert "Testing, screening clinics" not in korean
    session = client.get("/es/summit-2020/world-mayors-summit/").content.decode()
    assert "Moscú" in session and "Yakarta" in session
