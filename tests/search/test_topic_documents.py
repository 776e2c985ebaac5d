"""Topic areas are search documents: one per area and locale, kept current through the outbox."""

from __future__ import annotations

import pytest
from django.db import transaction
from wagtail.models import Locale

from home.site_structure import practice_index_for
from knowledge.models import TopicArea
from search.documents import build_topic_area_document, iter_search_documents
from search.engines.base import SearchRequest
from search.engines.selection import get_engine
from search.indexing import drain_all_due
from search.models import IndexOutboxEntry
from tests.knowledge.factories import add_practice

pytest.importorskip("search.engines.embedded")

WORD = "zucchiniwaffle"  # a word no summit content contains
# A search hit, not the list of areas the page offers when nothing matched.
MOBILITY_HIT = (
    '<h2 class="search-hit__title" dir="ltr"><a href="/en/topics/mobility/">Urban Mobility</a></h2>'
)


def _korean() -> Locale:
    return Locale.objects.get(language_code="ko")


def _outbox_ids() -> set[str]:
    return set(IndexOutboxEntry.objects.values_list("document_id", flat=True))


@pytest.fixture
def mobility(summit):
    """A new area in English, with no translation yet."""
    return TopicArea.objects.create(
        slug="mobility",
        name="Urban Mobility",
        description=f"Buses, bikes and the {WORD} <b>shuttle</b> &amp; more.",
        sort_order=20,
        locale=Locale.get_default(),
    )


def _translate(area: TopicArea, name: str, description: str) -> TopicArea:
    korean = area.copy_for_translation(_korean())
    korean.name = name
    korean.description = description
    korean.save()
    return korean


# ---------------------------------------------------------------------------
# The document
# ---------------------------------------------------------------------------


def test_topic_area_document_carries_its_name_public_url_and_slug(mobility):
    document = build_topic_area_document(mobility)

    assert document.id == f"topic-{mobility.pk}"
    assert document.translation_key == str(mobility.translation_key)
    assert (document.locale, document.url) == ("en", "/en/topics/mobility/")
    assert document.title == "Urban Mobility"
    assert (document.content_type, document.kind) == ("topic_area", "topic_area")
    assert document.summary == f"Buses, bikes and the {WORD} shuttle & more."
    assert document.topics == ("mobility",)


def test_korean_translation_is_its_own_document_in_the_same_group(client, mobility):
    korean = _translate(mobility, "도시 이동성", f"버스와 {WORD} 자전거")

    document = build_topic_area_document(korean)

    assert document.id == f"topic-{korean.pk}"
    assert document.translation_key == str(mobility.translation_key)
    assert (document.locale, document.title) == ("ko", "도시 이동성")
    # The facet value stays the English slug, as on every page tagged with the area.
    assert document.topics == ("mobility",)
    # The document links where the public site serves that translation.
    assert document.url == "/ko/topics/mobility/"
    assert "도시 이동성" in client.get(document.url).content.decode()


def test_every_area_of_every_language_is_listed_for_rebuild(summit):
    areas = {
        document.id: document
        for document in iter_search_documents()
        if document.content_type == "topic_area"
    }

    assert set(areas) == {f"topic-{pk}" for pk in TopicArea.objects.values_list("pk", flat=True)}
    # The summit fixture translates the areas into Korean only.
    assert {document.locale for document in areas.values()} == {"en", "ko"}


def test_areas_the_public_site_cannot_show_have_no_document(mobility):
    # A locale the site has no language prefix for: /de/topics/ does not exist.
    german = mobility.copy_for_translation(Locale.objects.create(language_code="de"))
    german.save()
    # A slug the topic URL refuses (the admin form would, too; a script may not).
    unreachable = TopicArea.objects.create(
        slug="이동", name="Unreachable", locale=Locale.get_default()
    )

    assert build_topic_area_document(german) is None
    assert build_topic_area_document(unreachable) is None
    listed = {document.id for document in iter_search_documents()}
    assert {f"topic-{german.pk}", f"topic-{unreachable.pk}"}.isdisjoint(listed)


# ---------------------------------------------------------------------------
# The outbox is written with the change
# ---------------------------------------------------------------------------


def test_saving_an_area_and_its_outbox_row_roll_back_together(mobility):
    IndexOutboxEntry.objects.all().delete()

    with transaction.atomic():
        mobility.name = "Mobility and transport"
        mobility.save()
        assert _outbox_ids() == {f"topic-{mobility.pk}"}
        transaction.set_rollback(True)

    assert _outbox_ids() == set()


def test_creating_translating_and_deleting_an_area_write_rows(summit):
    IndexOutboxEntry.objects.all().delete()
    area = TopicArea.objects.create(slug="mobility", name="Mobility", locale=Locale.get_default())
    assert _outbox_ids() == {f"topic-{area.pk}"}

    IndexOutboxEntry.objects.all().delete()
    korean = _translate(area, "이동성", "")
    assert _outbox_ids() == {f"topic-{korean.pk}"}

    IndexOutboxEntry.objects.all().delete()
    korean_pk = korean.pk
    korean.delete()
    assert list(IndexOutboxEntry.objects.values_list("document_id", "action")) == [
        (f"topic-{korean_pk}", "delete")
    ]


def test_a_new_slug_reaches_the_pages_tagged_with_the_area(summit):
    practice = add_practice(
        practice_index_for(Locale.get_default()), "Tagged", topics=("quarantine",)
    )
    area = TopicArea.objects.get(slug="quarantine", locale=Locale.get_default())
    korean = area.get_translation(_korean())
    IndexOutboxEntry.objects.all().delete()

    area.name = "Quarantine"  # the slug is unchanged: only the area's own document
    area.save()
    assert _outbox_ids() == {f"topic-{area.pk}"}

    area.slug = "quarantine-and-health"
    area.save()
    sessions = area.sessions.values_list("pk", flat=True)
    assert {f"page-{practice.pk}", f"topic-{korean.pk}"} <= _outbox_ids()
    assert {f"page-{pk}" for pk in sessions} <= _outbox_ids()


def test_editing_an_area_in_the_admin_writes_a_row(admin_client, mobility):
    IndexOutboxEntry.objects.all().delete()

    response = admin_client.post(
        f"/admin/snippets/knowledge/topicarea/edit/{mobility.pk}/",
        {"name": "Urban Mobility", "slug": "mobility", "description": "Edited", "sort_order": 20},
    )

    assert response.status_code == 302
    assert _outbox_ids() == {f"topic-{mobility.pk}"}


def test_publishing_a_wagtail_localize_translation_writes_a_row(mobility):
    from wagtail_localize.models import StringTranslation, Translation, TranslationSource

    source, _created = TranslationSource.get_or_create_from_instance(mobility)
    translation = Translation.objects.create(source=source, target_locale=_korean())
    korean_text = {"Urban Mobility": "도시 이동성", "mobility": "mobility"}
    for segment in source.stringsegment_set.select_related("string"):
        StringTranslation.objects.create(
            translation_of=segment.string,
            locale=_korean(),
            context=segment.context,
            data=korean_text.get(segment.string.data, segment.string.data),
        )
    IndexOutboxEntry.objects.all().delete()

    translation.save_target()

    korean = mobility.get_translation(_korean())
    assert korean.name == "도시 이동성"
    assert _outbox_ids() == {f"topic-{korean.pk}"}


# ---------------------------------------------------------------------------
# Draining into the site's engine: what a visitor finds
# ---------------------------------------------------------------------------


def test_area_is_found_on_the_search_page_once_the_outbox_drains(client, mobility):
    assert MOBILITY_HIT not in client.get("/en/search/", {"q": WORD}).content.decode()

    report = drain_all_due()

    assert report.ok and not IndexOutboxEntry.objects.exists()
    html = client.get("/en/search/", {"q": WORD}).content.decode()
    assert MOBILITY_HIT in html
    assert f"<mark>{WORD}</mark>" in html


def test_korean_translation_collapses_with_the_english_area(client, mobility):
    korean = _translate(mobility, "도시 이동성", f"버스와 {WORD} 자전거")
    drain_all_due()

    every_locale = get_engine().search(SearchRequest(query=WORD, collapse_translations=False))
    korean_page = client.get("/ko/search/", {"q": WORD}).content.decode()
    english_api = client.get("/api/v1/search/", {"q": WORD}).json()

    assert {hit.id for hit in every_locale.hits} == {f"topic-{mobility.pk}", f"topic-{korean.pk}"}
    assert "도시 이동성" in korean_page and "Urban Mobility" not in korean_page
    assert english_api["total"] == 1
    assert [hit["title"] for hit in english_api["hits"]] == ["Urban Mobility"]


def test_deleting_an_area_removes_its_document(client, mobility):
    drain_all_due()
    assert MOBILITY_HIT in client.get("/en/search/", {"q": WORD}).content.decode()

    document_id = f"topic-{mobility.pk}"
    mobility.delete()
    drain_all_due()

    assert MOBILITY_HIT not in client.get("/en/search/", {"q": WORD}).content.decode()
    assert document_id not in get_engine().indexed_versions()
