"""The second data set (session summaries), "Download these results" of a search, the UTF-8
byte-order mark of every CSV, and the data dictionary that documents every exported field."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.http import QueryDict
from django.utils import timezone
from wagtail.models import Locale, PageViewRestriction

from home.site_structure import practice_index_for
from knowledge.models import City, PracticeKind, SessionPage, SessionSummaryPage
from search.engines.common import MAX_PAGE_SIZE
from search.service import EXPORT_MAX_HITS, MAX_PAGE, search_for_export
from sitedata.datasets import DATASETS, PRACTICES, SEARCH_RESULTS, SESSION_SUMMARIES
from tests.search.test_search_page import BODY_WORD, _add_practice, _make_searchable

pytest.importorskip("search.engines.embedded")

BOM = "\ufeff"
KOREAN_TITLE = "교육 세션 요약"


def _summary(session: SessionPage, title: str, *, publish: bool = True) -> SessionSummaryPage:
    summary = SessionSummaryPage(
        title=title,
        key_messages=json.dumps([{"type": "message", "value": "Schools reopened in stages"}]),
        recommendations=json.dumps([{"type": "recommendation", "value": "Ventilate hourly"}]),
        full_summary="<p>The session compared plans.</p><p>Cities shared data.</p>",
        live=publish,
    )
    session.add_child(instance=summary)
    summary.cities.set(City.objects.filter(locale=Locale.get_default())[:1])
    revision = summary.save_revision()
    if publish:
        revision.publish()
    summary.refresh_from_db()
    return summary


@pytest.fixture
def world(summit):
    """Public, draft and private practices and summaries, in the search index."""
    index_page = practice_index_for(Locale.get_default())
    sessions = SessionPage.objects.filter(locale=Locale.get_default())
    education = sessions.get(slug="education")
    other, another = sessions.exclude(pk=education.pk).order_by("path")[:2]
    public = _add_practice(
        index_page,
        "Drive-through screening clinics",
        f"Cars drive in and the {BODY_WORD} test takes ten minutes.",
        kind=PracticeKind.COUNTERMEASURE,
    )
    _add_practice(index_page, "Secret draft", f"{BODY_WORD} draft", publish=False)
    private = _add_practice(index_page, "Secret private", f"{BODY_WORD} private")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    summary = _summary(education, KOREAN_TITLE)
    _summary(other, "Secret draft summary", publish=False)
    hidden = _summary(another, "Secret private summary")
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.LOGIN)
    _make_searchable()
    return {"public": public, "summary": summary, "education": education}


def _download(client, path: str, **params) -> tuple:
    response = client.get(path, params)
    if response.streaming:
        return response, b"".join(response.streaming_content).decode("utf-8")
    return response, response.content.decode("utf-8")


def _csv_rows(text: str) -> tuple[list[str], list[dict]]:
    assert text.startswith(BOM), "a CSV without a byte-order mark: Excel garbles Korean"
    reader = csv.reader(io.StringIO(text.removeprefix(BOM)))
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


def _json_lines(text: str) -> list[dict]:
    assert not text.startswith(BOM)
    return [json.loads(line) for line in text.splitlines()]


# --- Session summaries -----------------------------------------------------------------------


def test_session_summaries_are_a_data_set_of_published_public_summaries(client, world):
    response, text = _download(client, "/open-data/session-summaries.json")
    _csv_response, csv_text = _download(client, "/open-data/session-summaries.csv")

    assert response.status_code == 200
    assert 'filename="cac-session-summaries.jsonl"' in response["Content-Disposition"]
    [record] = _json_lines(text)
    summary, education = world["summary"], world["education"]
    assert record["title"] == KOREAN_TITLE
    assert record["session"] == education.title
    assert record["session_start"] == education.start.isoformat()
    assert record["topic"] == education.topic.slug
    assert record["cities"] and record["countries"]
    assert record["key_messages"] == ["Schools reopened in stages"]
    assert record["recommendations"] == ["Ventilate hourly"]
    assert record["full_summary"] == "The session compared plans.\n\nCities shared data."
    assert record["published"] == summary.first_published_at.date().isoformat()
    assert record["url"] == f"http://testserver{summary.url}"
    assert "Secret" not in text and "Secret" not in csv_text
    header, [row] = _csv_rows(csv_text)
    assert row["title"] == KOREAN_TITLE


def test_open_data_page_lists_both_data_sets_and_the_dictionary(client, world):
    html = client.get("/en/open-data/").content.decode()

    for path in (
        "/open-data/practices.csv",
        "/open-data/session-summaries.csv",
        "/open-data/session-summaries.json",
        "/en/open-data/dictionary/",
    ):
        assert path in html
    assert "Secret" not in html


# --- Download these results -----------------------------------------------------------------


def test_search_results_download_as_csv_with_a_byte_order_mark_and_a_telling_name(client, world):
    response, text = _download(client, "/en/open-data/search.csv", q=BODY_WORD)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="cac-search-{BODY_WORD}-{today}.csv"'
    )
    header, rows = _csv_rows(text)
    assert tuple(header) == SEARCH_RESULTS.csv_columns
    assert [row["title"] for row in rows] == ["Drive-through screening clinics"]
    assert rows[0]["rank"] == "1"
    assert rows[0]["url"] == f"http://testserver{world['public'].url}"
    assert BODY_WORD in rows[0]["snippet"] and "<mark>" not in rows[0]["snippet"]
    assert "Secret" not in text


def test_search_results_download_keeps_the_searchs_filters(client, world):
    _response, matching = _download(
        client, "/en/open-data/search.json", q=BODY_WORD, kind="countermeasure"
    )
    _response, other_kind = _download(client, "/en/open-data/search.json", q=BODY_WORD, kind="news")

    assert [r["title"] for r in _json_lines(matching)] == ["Drive-through screening clinics"]
    assert _json_lines(other_kind) == []


def test_search_results_download_keeps_the_date_range_and_refuses_odd_dates(client, world):
    response, ranged = _download(
        client, "/en/open-data/search.json", q=BODY_WORD, date_from="2020-01-01"
    )
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="cac-search-{BODY_WORD}-from-2020-01-01-{today}.jsonl"'
    )
    # The practice has no start date: no range holds it.
    assert _json_lines(ranged) == []
    odd = client.get("/en/open-data/search.csv", {"q": BODY_WORD, "date_to": "2020-13-40"})
    assert odd.status_code == 400
    assert "date_to: a date as YYYY-MM-DD." in odd.content.decode()


def test_search_results_are_bounded_and_read_through_the_search_service(world):
    hits = search_for_export(QueryDict(f"q={BODY_WORD}&page=7&page_size=1"), "en", limit=1)

    assert [hit.title for hit in hits] == ["Drive-through screening clinics"]
    # The cap fits within what the engine interface serves, page after page.
    assert EXPORT_MAX_HITS <= MAX_PAGE * MAX_PAGE_SIZE


def test_search_page_and_listings_offer_the_current_search_as_files(client, world):
    search_html = client.get(
        "/en/search/", {"q": BODY_WORD, "kind": "countermeasure", "page": "1"}
    ).content.decode()
    listing_html = client.get(
        practice_index_for(Locale.get_default()).url, {"kind": "countermeasure"}
    ).content.decode()

    query = f"q={BODY_WORD}&amp;kind=countermeasure"
    assert f"/en/open-data/search.csv?{query}" in search_html
    assert f"/en/open-data/search.json?{query}" in search_html
    assert "/en/open-data/search.csv?kind=countermeasure" in listing_html


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 201},
        {"q": "a\x00b"},
        {"sort": "drop table"},
        {"lang": "xx"},
        {"topic": "<script>"},
        {"year": "' OR 1=1 --" + "x" * 80},
        {"page_size": "100000"},
    ],
)
def test_hostile_search_download_parameters_get_a_clear_400(client, db, params):
    response = client.get("/en/open-data/search.csv", params)

    assert response.status_code == 400
    assert response.json()["errors"]


def test_search_results_download_is_rate_limited(client, db, settings):
    settings.SEARCH_DOWNLOAD_RATE_LIMIT = "2/minute"

    statuses = [client.get("/en/open-data/search.csv", {"q": "x"}).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_unknown_download_formats_are_not_found(client, db):
    assert client.get("/en/open-data/search.xml").status_code == 404
    assert client.get("/open-data/session-summaries.xlsx").status_code == 404


# --- The data dictionary -------------------------------------------------------------------


def test_every_exported_field_is_documented_and_every_documented_field_exported(client, world):
    exported = {
        PRACTICES: "/open-data/practices",
        SESSION_SUMMARIES: "/open-data/session-summaries",
        SEARCH_RESULTS: f"/en/open-data/search?q={BODY_WORD}",
    }
    dictionary = client.get("/en/open-data/dictionary/").content.decode()

    assert {dataset.slug for dataset in DATASETS} == {dataset.slug for dataset in exported}
    for dataset, path in exported.items():
        base, _sep, query = path.partition("?")
        _response, jsonl = _download(client, f"{base}.json?{query}")
        _response, csv_text = _download(client, f"{base}.csv?{query}")
        records = _json_lines(jsonl)
        header, _rows = _csv_rows(csv_text)
        assert records, dataset.slug
        assert all(tuple(record) == dataset.record_keys for record in records)
        assert tuple(header) == dataset.csv_columns
        assert f'id="dataset-{dataset.slug}"' in dictionary
        for field in dataset.fields:
            assert f'id="field-{dataset.slug}-{field.name}"' in dictionary
            assert str(field.meaning).replace("'", "&#x27;") in dictionary
            for column in field.csv_columns:
                assert f'<code dir="ltr">{column}</code>' in dictionary
    assert "CC BY 4.0" in dictionary


def test_data_dictionary_is_public_and_translatable(client, db):
    english = client.get("/en/open-data/dictionary/")
    korean = client.get("/ko/open-data/dictionary/")

    assert english.status_code == korean.status_code == 200
    assert '<html lang="ko"' in korean.content.decode() or 'lang="ko"' in korean.content.decode()
