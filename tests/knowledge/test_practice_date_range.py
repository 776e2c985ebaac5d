"""Practices filtered by when they started and by country: the listing and the pages API."""

from __future__ import annotations

from datetime import date

import pytest
from wagtail.models import Locale

from home.site_structure import practice_index_for
from sitedata.summit_programme import get_or_create_city
from tests.knowledge.factories import add_practice

TITLES = ("Spring masks", "Summer schools", "Winter buses", "Undated clinic")


@pytest.fixture
def dated(summit):
    index = practice_index_for(Locale.get_default())
    seoul = get_or_create_city("Seoul", "KR")
    milan = get_or_create_city("Milan", "IT")
    return {
        "spring": add_practice(index, TITLES[0], city=seoul, started=date(2020, 3, 1)),
        "summer": add_practice(index, TITLES[1], city=milan, started=date(2020, 6, 30)),
        "winter": add_practice(index, TITLES[2], city=seoul, started=date(2021, 1, 15)),
        "undated": add_practice(index, TITLES[3], city=seoul),
        "draft": add_practice(
            index, "Draft in range", city=seoul, started=date(2020, 4, 1), publish=False
        ),
    }


def listed(client, query: str) -> set[str]:
    content = client.get("/en/practices/" + query).content.decode()
    return {title for title in (*TITLES, "Draft in range") if title in content}


def test_listing_keeps_practices_that_started_within_the_range_both_ends_included(client, dated):
    assert listed(client, "?date_from=2020-03-01&date_to=2020-06-30") == {
        "Spring masks",
        "Summer schools",
    }
    assert listed(client, "?date_from=2020-03-02") == {"Summer schools", "Winter buses"}
    assert listed(client, "?date_to=2020-03-01") == {"Spring masks"}
    assert listed(client, "?date_from=2020-01-01&country=KR") == {"Spring masks", "Winter buses"}
    # Without a range the undated practice is listed; with one it is not (docstring of
    # PracticeFilter.dates): nobody knows whether it started within it.
    assert "Undated clinic" in listed(client, "")
    assert "Undated clinic" not in listed(client, "?date_from=1900-01-01")


def test_listing_links_and_form_keep_the_range(client, dated):
    index = dated["spring"].get_parent()
    index.page_size = 1
    response = client.get("/en/practices/?date_from=2020-01-01&date_to=2021-12-31")
    content = response.content.decode()
    assert 'name="date_from" value="2020-01-01"' in content
    assert 'name="date_to" value="2021-12-31"' in content
    # "Download these results" asks the search for the same range.
    assert "date_from=2020-01-01&amp;date_to=2021-12-31" in content


def test_listing_pagination_keeps_the_range(client, dated, monkeypatch):
    from knowledge.models import PracticeIndexPage

    monkeypatch.setattr(PracticeIndexPage, "page_size", 1)
    content = client.get("/en/practices/?date_from=2020-01-01").content.decode()
    assert 'rel="next" href="/en/practices/?date_from=2020-01-01&amp;page=2"' in content


@pytest.mark.parametrize(
    "query",
    [
        "?date_from=2020-13-40",
        "?date_to=yesterday",
        "?date_from=" + "2" * 5000,
        "?date_from=20200101",
        "?date_from=2020-W01-1",
        "?date_from=%00",
        "?date_from=2021-01-01&date_to=2020-01-01",
    ],
)
def test_listing_says_why_it_did_not_use_odd_dates_and_lists_everything(client, dated, query):
    response = client.get("/en/practices/" + query)
    assert response.status_code == 200
    content = response.content.decode()
    assert "The dates were not used" in content
    assert listed(client, query) == set(TITLES)


def test_pages_api_filters_practices_by_start_date_and_country(client, dated):
    def titles(query: str) -> set[str]:
        response = client.get("/api/v2/pages/?type=knowledge.PracticePage" + query)
        assert response.status_code == 200, response.content
        return {item["title"] for item in response.json()["items"]}

    assert titles("&date_from=2020-03-01&date_to=2020-06-30") == {"Spring masks", "Summer schools"}
    assert titles("&date_to=2020-12-31&country=KR") == {"Spring masks"}
    assert titles("&country=IT") == {"Summer schools"}
    assert titles("&date_from=2022-01-01") == set()
    assert titles("&date_from=2020-01-01&search=masks") <= {"Spring masks"}


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("&date_from=2020-13-40", "date_from: a date as YYYY-MM-DD."),
        ("&date_to=yesterday", "date_to: a date as YYYY-MM-DD."),
        ("&date_from=" + "9" * 3000, "date_from: a date as YYYY-MM-DD."),
        ("&date_from=2021-01-01&date_to=2020-01-01", "date_from: not after date_to."),
        ("&country=XX", "country: an ISO 3166-1 alpha-2 country code"),
        ("&country=kr", "country: an ISO 3166-1 alpha-2 country code"),
        ("&country=Korea", "country: an ISO 3166-1 alpha-2 country code"),
    ],
)
def test_pages_api_refuses_odd_dates_and_countries_with_a_400(client, dated, query, reason):
    response = client.get("/api/v2/pages/?type=knowledge.PracticePage" + query)
    assert response.status_code == 400
    assert reason in response.json()["message"]


def test_pages_api_practice_filters_need_the_practice_type(client, dated):
    response = client.get("/api/v2/pages/?date_from=2020-01-01")
    assert response.status_code == 400
    assert "type=knowledge.PracticePage" in response.json()["message"]
    # Drafts stay out whatever the range.
    response = client.get("/api/v2/pages/?type=knowledge.PracticePage&date_from=2020-04-01")
    assert "Draft in range" not in response.content.decode()
