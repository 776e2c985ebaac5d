"""What explains a search hit to its reader: its kind and topics, named as the filters name
them, and its date as the reader's language writes dates. On the page and in the API."""

from __future__ import annotations

import datetime
import html as html_text
import json
import re

import pytest
from wagtail.models import Locale

from home.site_structure import practice_index_for
from knowledge.models import PracticeKind, PracticePage, TopicArea
from search.documents import iter_search_documents
from search.engines.selection import get_engine
from tests.knowledge.factories import add_practice

pytest.importorskip("search.engines.embedded")

BODY_WORD = "zucchiniwaffle"  # a word no summit content contains
STARTED = datetime.date(2020, 6, 1)


def _body(text: str) -> str:
    return json.dumps([{"type": "paragraph", "value": f"<p>{text}</p>"}])


@pytest.fixture
def guideline(summit) -> PracticePage:
    """An English guideline on two of the summit's topics, started on 1 June 2020, with a
    Korean translation; indexed."""
    practice = add_practice(
        practice_index_for(Locale.get_default()),
        "Guideline for screening clinics",
        topics=("smart-city", "quarantine"),
        kind=PracticeKind.GUIDELINE,
        started=STARTED,
        body=_body(f"A {BODY_WORD} guideline for every clinic."),
    )
    korean = practice.copy_for_translation(Locale.objects.get(language_code="ko")).specific
    korean.title = "선별진료소 지침"
    korean.body = _body(f"모든 진료소를 위한 {BODY_WORD} 지침.")
    korean.save_revision().publish()
    get_engine().rebuild(iter_search_documents())
    return practice


def _hit_meta(html: str) -> str:
    """The labels and date line of the page's only hit."""
    metas = re.findall(r'<div class="search-hit__meta"[^>]*>(.*?)</div>', html, re.S)
    assert len(metas) == 1, metas
    return metas[0]


def _chips(meta: str) -> tuple[str, list[str]]:
    kind = re.search(r'<span class="badge search-hit__kind">(.*?)</span>', meta)
    topics = re.findall(r"<li>(.*?)</li>", meta)
    return (
        html_text.unescape(kind.group(1)) if kind else "",
        [html_text.unescape(topic) for topic in topics],
    )


def _facet_labels(html: str) -> set[str]:
    aside = html[html.index('<aside class="search-facets"') : html.index("</aside>")]
    labels = re.findall(
        r'<a href="[^"]*"[^>]*>(?:✓ )?<bdi>(.*?)</bdi> <span class="search-facet__', aside
    )
    return {html_text.unescape(label) for label in labels}


def test_a_hit_names_its_kind_and_topics_in_korean_on_the_korean_page(client, guideline):
    html = client.get("/ko/search/", {"q": BODY_WORD}).content.decode()

    meta = _hit_meta(html)
    kind, topics = _chips(meta)
    assert '<ul class="search-hit__topics" aria-label="분야">' in meta
    assert kind == "지침"
    # In the order of the hit's topics (by slug): quarantine, then smart-city.
    assert topics == ["방역·공중보건", "스마트시티"]
    # The filters beside the hit name its kind and topics the same way.
    assert {kind, *topics} <= _facet_labels(html)


def test_a_hit_names_its_kind_and_topics_in_english_on_the_english_page(client, guideline):
    html = client.get("/en/search/", {"q": BODY_WORD}).content.decode()

    kind, topics = _chips(_hit_meta(html))
    assert kind == "Guideline"
    assert topics == ["Quarantine & Public Health", "Smart City"]
    assert {kind, *topics} <= _facet_labels(html)


def test_a_hit_in_another_language_keeps_its_own_but_its_labels_are_the_readers(client, guideline):
    # The reader asked for English hits on the Korean page.
    html = client.get("/ko/search/", {"q": BODY_WORD, "lang": "en"}).content.decode()

    assert '<li class="search-hit" lang="en">' in html
    assert '<div class="search-hit__meta" lang="ko" dir="ltr">' in html
    assert _chips(_hit_meta(html))[0] == "지침"


def test_on_the_arabic_page_the_labels_run_right_to_left_and_an_english_hits_text_left_to_right(
    client, guideline
):
    html = client.get("/ar/search/", {"q": BODY_WORD, "lang": "en"}).content.decode()

    assert '<li class="search-hit" lang="en">' in html
    # Its title and snippet read left to right; the list and its labels stay right to left.
    assert '<h2 class="search-hit__title" dir="ltr">' in html
    assert '<p class="search-hit__snippet" dir="ltr">' in html
    assert '<div class="search-hit__meta" lang="ar" dir="rtl">' in html


def test_the_date_is_written_as_each_language_writes_dates(client, guideline):
    shown = {}
    for language in ("en", "ko", "ja", "zh-hans", "fr", "es", "ar"):
        html = client.get(f"/{language}/search/", {"q": BODY_WORD, "lang": "en"}).content.decode()
        time = re.search(r'<time datetime="([^"]*)">(.*?)</time>', _hit_meta(html))
        assert time.group(1) == "2020-06-01"
        shown[language] = time.group(2)

    assert shown == {
        "en": "June 1, 2020",
        "ko": "2020년 6월 1일",
        "ja": "2020年6月1日",
        "zh-hans": "2020年6月1日",
        "fr": "1 juin 2020",
        "es": "1 de junio de 2020",
        "ar": "1 يونيو، 2020",
    }


def test_the_api_explains_each_hit_in_the_lang_language_and_keeps_its_values(client, guideline):
    # The browser's language does not choose the labels: ?lang= does.
    korean = client.get(
        "/api/v1/search/", {"q": BODY_WORD, "lang": "ko"}, HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    english = client.get(
        "/api/v1/search/", {"q": BODY_WORD, "lang": "en"}, HTTP_ACCEPT_LANGUAGE="ko"
    ).json()

    [ko_hit] = korean["hits"]
    [en_hit] = english["hits"]
    for hit in (ko_hit, en_hit):
        assert hit["kind"] == "guideline"
        assert hit["topics"] == ["quarantine", "smart-city"]
        assert hit["started"] == "2020-06-01"
    assert ko_hit["locale"] == "ko" and ko_hit["title"] == "선별진료소 지침"
    assert ko_hit["kind_label"] == "지침"
    assert ko_hit["topic_labels"] == ["방역·공중보건", "스마트시티"]
    assert ko_hit["started_display"] == "2020년 6월 1일"
    assert en_hit["kind_label"] == "Guideline"
    assert en_hit["topic_labels"] == ["Quarantine & Public Health", "Smart City"]
    assert en_hit["started_display"] == "June 1, 2020"
    # The facets name the kind as the hit does.
    kinds = {item["value"]: item["label"] for item in korean["facets"]["kind"]}
    assert kinds["guideline"] == ko_hit["kind_label"]


def test_the_api_gives_null_for_a_hit_without_a_date(client, guideline):
    PracticePage.objects.filter(translation_key=guideline.translation_key).update(started=None)
    get_engine().rebuild(iter_search_documents())

    [hit] = client.get("/api/v1/search/", {"q": BODY_WORD, "lang": "en"}).json()["hits"]

    assert hit["started"] is None
    assert hit["started_display"] is None
    assert hit["kind_label"] == "Guideline"


def test_the_openapi_document_describes_the_labels(client, db):
    document = client.get("/api/v1/openapi.json").json()
    hit = document["paths"]["/api/v1/search/"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]["properties"]["hits"]["items"]

    assert hit["properties"]["kind_label"]["type"] == "string"
    assert hit["properties"]["topic_labels"] == {
        "type": "array",
        "items": {"type": "string"},
        "description": hit["properties"]["topic_labels"]["description"],
    }
    assert hit["properties"]["started_display"]["nullable"] is True


def test_a_renamed_topic_area_is_named_anew_though_the_labels_were_kept(client, guideline):
    """The labels are kept between searches (search.service.facet_labels); saving a topic
    area forgets them, so the next search names it as the editor just did."""

    def topic_labels() -> list[str]:
        [hit] = client.get("/api/v1/search/", {"q": BODY_WORD, "lang": "en"}).json()["hits"]
        return hit["topic_labels"]

    assert topic_labels() == ["Quarantine & Public Health", "Smart City"]
    area = TopicArea.objects.get(slug="smart-city", locale=Locale.get_default())
    area.name = "Smart Cities and Data"
    area.save()
    assert topic_labels() == ["Quarantine & Public Health", "Smart Cities and Data"]
    area.delete()
    assert topic_labels() == ["Quarantine & Public Health", "smart-city"]
