"""The date range (date_from, date_to on SearchDocument.started) and the country filter: both
engines' contract, the passage vectors' filter, the search page and the search API."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest
from django.http import QueryDict
from wagtail.models import Locale

from home.site_structure import practice_index_for
from search.engines.base import DocumentVectors, SearchRequest
from search.engines.common import started_day_bounds
from search.engines.embedded.schema import INDEX_FORMAT
from search.engines.embedded.vectors import VectorStore
from search.service import invalid_api_parameters, parse_search_request
from sitedata.summit_programme import get_or_create_city
from tests.search import test_engine_contract as contract
from tests.search.test_search_page import _add_practice, _make_searchable

# The contract suite's fixtures and documents: its `engine` runs each case on every
# reachable engine; `elasticsearch_requests` is the Elasticsearch engine before a fake.
engine = contract.engine
elasticsearch_requests = contract.elasticsearch_requests
doc, undated, found_ids, sent_searches = (
    contract.doc,
    contract.undated,
    contract.found_ids,
    contract.sent_searches,
)
pytestmark = contract.pytestmark

SPRING, SUMMER, WINTER = date(2020, 3, 1), date(2020, 6, 30), date(2021, 1, 15)


def dated_documents():
    return [
        doc(1, body="masks", started=SPRING, country="KR"),
        doc(2, body="masks", started=SUMMER, country="FR", city="Paris"),
        doc(3, body="masks", started=WINTER, country="KR"),
        # Published within the range but with no start of its own: never in a range.
        undated(4, datetime(2020, 5, 1, tzinfo=UTC), body="masks"),
    ]


# --- Both engines (the contract suite's `engine` fixture) ------------------------------------
def test_a_date_range_keeps_what_started_within_it_both_ends_included(engine):
    engine.index(dated_documents())

    def within(query="masks", **dates):
        return sorted(found_ids(engine, query, **dates))

    assert within() == ["page-1", "page-2", "page-3", "page-4"]
    assert within(date_from=SPRING, date_to=SUMMER) == ["page-1", "page-2"]
    assert within(date_from=date(2020, 3, 2)) == ["page-2", "page-3"]
    assert within(date_to=SPRING) == ["page-1"]
    assert within(date_from=date(2022, 1, 1)) == []
    # Browsing (no words) and sorting by date go through the same filter.
    assert within("", date_from=SUMMER) == ["page-2", "page-3"]
    assert found_ids(engine, "masks", sort="date", date_to=WINTER) == [
        "page-3",
        "page-2",
        "page-1",
    ]


def test_facets_count_only_what_is_within_the_range_with_the_country_filter(engine):
    engine.index(dated_documents())
    ranged = engine.search(SearchRequest(date_from=SPRING, date_to=WINTER))
    assert ranged.total == 3
    assert {f.value: f.count for f in ranged.facets["country"]} == {"KR": 2, "FR": 1}
    assert {f.value: f.count for f in ranged.facets["year"]} == {"2020": 2, "2021": 1}
    korean_2020 = engine.search(
        SearchRequest(query="masks", filters={"country": ("KR",)}, date_to=date(2020, 12, 31))
    )
    assert [hit.id for hit in korean_2020.hits] == ["page-1"]
    # A browse's counts are kept per request: a range is not answered with another's counts.
    assert engine.search(SearchRequest()).total == 4
    assert engine.search(SearchRequest(date_from=WINTER)).total == 1


def test_a_translation_shown_in_the_visitors_language_is_within_the_range_too(engine):
    english = doc(1, body="ventilation", started=SPRING)
    korean = doc(2, body="환기", locale="ko", translation_key="group-1", started=SPRING)
    engine.index([english, korean, doc(3, body="ventilation", started=WINTER)])
    hits = engine.search(SearchRequest(query="ventilation", language="ko", date_to=SUMMER)).hits
    assert [hit.id for hit in hits] == ["page-2"]


def test_the_embedded_index_format_changed_with_the_date_field():
    # An index written before started_day cannot answer a range: it asks for a rebuild
    # (test_embedded_index_of_an_older_format_asks_for_a_rebuild).
    assert INDEX_FORMAT == "7"


def test_by_meaning_only_documents_within_the_range_are_found(tmp_path):
    rng = np.random.default_rng(5)
    query = np.zeros(16, dtype=np.float32)
    query[0] = 1.0
    items = []
    for number, started in enumerate([SPRING, SUMMER, WINTER, None]):
        row = query + 0.1 * rng.standard_normal(16).astype(np.float32)
        document = doc(number, started=started)
        items.append(DocumentVectors(document, "model@1", (row / np.linalg.norm(row))[None, :]))
    store = VectorStore(tmp_path / "vectors")
    store.write(items)
    snapshot = store.snapshot()

    def found(**dates):
        bounds = started_day_bounds(SearchRequest(**dates))
        matches = snapshot.search(query, "model@1", {}, limit=10, started_days=bounds)
        return sorted(match.document_id for match in matches)

    assert found() == ["page-0", "page-1", "page-2", "page-3"]
    assert found(date_from=SUMMER) == ["page-1", "page-2"]
    assert found(date_to=SPRING) == ["page-0"]


# --- Elasticsearch: what the engine asks for ---------------------------------------------------
def test_elasticsearch_requests_filter_the_range_on_the_mapped_start_date(elasticsearch_requests):
    engine, fake = elasticsearch_requests
    engine.search(
        SearchRequest(query="masks", filters={"country": ("KR",)}, date_from=SPRING, date_to=WINTER)
    )
    engine.search(SearchRequest(date_to=SUMMER))

    properties = engine.index_template_body()["template"]["mappings"]["properties"]
    assert properties["started"] == {"type": "date", "format": "strict_date"}
    both_ends, upper_only = sent_searches(fake)
    in_range = {
        "range": {"started": {"gte": "2020-03-01", "lte": "2021-01-15", "format": "strict_date"}}
    }
    assert both_ends["post_filter"] == {
        "bool": {"filter": [{"terms": {"country": ["KR"]}}, in_range]}
    }
    # Every facet counts within the range, the country facet too (it leaves out only its
    # own filter).
    for facet, aggregation in both_ends["aggs"].items():
        if facet != "collapsed_total":
            assert in_range in aggregation["filter"]["bool"]["filter"], facet
    assert in_range in both_ends["aggs"]["collapsed_total"]["filter"]["bool"]["filter"]
    assert upper_only["post_filter"] == {
        "bool": {"filter": [{"range": {"started": {"lte": "2020-06-30", "format": "strict_date"}}}]}
    }


def test_elasticsearch_requests_without_a_range_have_no_range_filter(elasticsearch_requests):
    engine, fake = elasticsearch_requests
    engine.search(SearchRequest(query="masks"))
    (body,) = sent_searches(fake)
    assert "range" not in str(body.get("post_filter", ""))


# --- Parsing -----------------------------------------------------------------------------------
def test_the_api_names_each_odd_date_and_country():
    assert invalid_api_parameters(QueryDict("date_from=2020-01-01&date_to=2020-12-31")) == []
    assert invalid_api_parameters(QueryDict("country=KR&country=FR")) == []
    assert invalid_api_parameters(QueryDict("date_from=2020-13-40&date_to=yesterday")) == [
        "date_from: a date as YYYY-MM-DD.",
        "date_to: a date as YYYY-MM-DD.",
    ]
    assert invalid_api_parameters(QueryDict("date_from=2021-01-01&date_to=2020-01-01")) == [
        "date_from: not after date_to."
    ]
    for odd in ("XX", "kr", "Korea"):
        assert invalid_api_parameters(QueryDict(f"country={odd}")) == [
            "country: an ISO 3166-1 alpha-2 country code, such as KR"
        ]


def test_the_page_drops_a_range_it_cannot_use():
    for odd in (
        "date_from=2020-13-40",
        "date_to=" + "1" * 5000,
        "date_from=2021-01-01&date_to=2020-01-01",
    ):
        request = parse_search_request(QueryDict(odd), "en")
        assert (request.date_from, request.date_to) == (None, None)
    request = parse_search_request(QueryDict("date_from=2020-03-01"), "en")
    assert (request.date_from, request.date_to) == (SPRING, None)


# --- The search page and the API, over the real embedded engine --------------------------------
WORD = "quinceharbour"  # no summit content has it


@pytest.fixture
def dated_practices(summit):
    index = practice_index_for(Locale.get_default())
    seoul = get_or_create_city("Seoul", "KR")
    milan = get_or_create_city("Milan", "IT")
    _add_practice(index, "Spring harbour", f"{WORD} spring", city=seoul, started=SPRING)
    _add_practice(index, "Summer harbour", f"{WORD} summer", city=milan, started=SUMMER)
    _add_practice(index, "Undated harbour", f"{WORD} undated", city=seoul)
    _make_searchable()


def test_search_api_filters_by_range_and_country(client, dated_practices):
    def titles(**params):
        response = client.get("/api/v1/search/", {"q": WORD, **params})
        assert response.status_code == 200, response.content
        return {hit["title"] for hit in response.json()["hits"]}

    assert titles() == {"Spring harbour", "Summer harbour", "Undated harbour"}
    assert titles(date_from="2020-01-01") == {"Spring harbour", "Summer harbour"}
    assert titles(date_to="2020-03-01") == {"Spring harbour"}
    assert titles(country="IT") == {"Summer harbour"}
    assert titles(country="KR", date_from="2020-01-01") == {"Spring harbour"}


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2020-13-40"},
        {"date_to": "yesterday"},
        {"date_from": "9" * 5000},
        {"date_from": "2021-01-01", "date_to": "2020-01-01"},
        {"country": "XX"},
    ],
)
def test_search_api_answers_odd_dates_and_countries_with_a_400(client, dated_practices, params):
    response = client.get("/api/v1/search/", {"q": WORD, **params})
    assert response.status_code == 400
    assert response.json()["errors"]


def test_search_page_has_labelled_date_controls_and_links_keep_the_range(client, dated_practices):
    response = client.get("/en/search/", {"q": WORD, "date_from": "2020-01-01", "page_size": 1})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'for="search-date-from"' in content and 'id="search-date-from"' in content
    assert 'for="search-date-to"' in content and 'id="search-date-to"' in content
    assert 'name="date_from" value="2020-01-01"' in content
    assert "Undated harbour" not in content
    # The next page, the facets and the sort keep the range.
    links = [part.split('"')[0] for part in content.split('href="?')[1:]]
    assert links and all("date_from=2020-01-01" in link for link in links), links
    assert "date_from=2020-01-01" in content.split("open-data/search.csv")[1][:300]


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2020-13-40"},
        {"date_to": "x" * 5000},
        {"date_from": "2021-01-01", "date_to": "2020-01-01"},
    ],
)
def test_search_page_says_why_it_did_not_use_odd_dates(client, dated_practices, params):
    response = client.get("/en/search/", {"q": WORD, **params})
    assert response.status_code == 200
    content = response.content.decode()
    assert "The dates were not used" in content
    assert "Undated harbour" in content and "Summer harbour" in content
