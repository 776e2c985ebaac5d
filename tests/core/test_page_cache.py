"""The page cache for anonymous visitors (core/page_cache.py): one rendering serves every
anonymous visitor, on the per-process cache and on Redis; a publish shows at once on the page,
its listings, the topic and the home page; nothing of a signed-in user, a preview, a form, a
private page or a draft is ever kept or served from it."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import resolve
from wagtail.models import Locale, PageViewRestriction

from core.page_cache import is_storable
from home.site_structure import practice_index_for
from tests.knowledge.factories import add_practice


@pytest.fixture
def page_cache(settings, cache_backend):
    """The page cache on, in the per-process cache (development) or Redis (production)."""
    settings.PAGE_CACHE_SECONDS = 600


@pytest.fixture
def practice(site_structure):
    index = practice_index_for(Locale.get_default())
    return add_practice(index, "Drive-through screening clinics", body=[])


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A change as a request makes it: its after-commit work (the purge) runs at its end.

    The test's setup never commits: its waiting callbacks are dropped first, or the purge,
    queued once per transaction, would count as queued already."""

    @contextmanager
    def commit():
        connection.run_on_commit.clear()
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return commit


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    return response, response.content.decode()


def test_one_rendering_serves_every_anonymous_visitor_without_a_query(
    client, page_cache, practice, django_assert_num_queries
):
    url = practice.url
    first, first_body = get(client, url)
    assert first.status_code == 200
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        second, second_body = get(Client(), url)
    assert second["X-Cache"] == "hit"
    assert second_body == first_body
    # Headers a CDN and browsers need; the security headers are added to every hit as well.
    for response in (first, second):
        assert response["Cache-Control"] == "public, max-age=0, s-maxage=10"
        assert "Cookie" in response["Vary"]
        assert response["ETag"] == first["ETag"]
        assert response["Last-Modified"] == first["Last-Modified"]
        assert response["Content-Security-Policy"]
        assert response["Content-Language"] == "en"
    assert not second.cookies


def test_a_client_holding_the_page_gets_not_modified(client, page_cache, practice):
    first, _ = get(client, practice.url)
    again = client.get(practice.url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert not again.content
    # Another version, or none, is sent in full.
    assert get(client, practice.url, **{"If-None-Match": '"other"'})[0].status_code == 200


def test_a_publish_shows_at_once_on_the_page_its_listings_the_topic_and_home(
    client, page_cache, summit, committed
):
    index = practice_index_for(Locale.get_default())
    practice = add_practice(index, "Old title", topics=["quarantine"], summary="Clinics", body=[])
    listings = ["/en/", index.url, "/en/topics/quarantine/"]
    for url in [*listings, practice.url]:  # each kept, then served from the cache
        get(client, url)
        assert get(client, url)[0]["X-Cache"] == "hit"

    practice.title = "New title"
    newcomer = add_practice(index, "Newcomer", topics=["quarantine"], publish=False, body=[])
    with committed():
        practice.save_revision().publish()
        newcomer.get_latest_revision().publish()
    for url in [*listings, practice.url]:
        response, body = get(client, url)
        assert response["X-Cache"] == "miss", url
        assert "New title" in body and "Old title" not in body, url
    for url in listings:
        assert "Newcomer" in get(client, url)[1], url
    newcomer_url = newcomer.specific.url
    assert get(client, newcomer_url)[0].status_code == 200

    with committed():
        newcomer.refresh_from_db()
        newcomer.unpublish()
    for url in listings:
        assert "Newcomer" not in get(client, url)[1], url
    assert get(client, newcomer_url)[0].status_code == 404


def test_signed_in_users_neither_get_nor_fill_the_cache(client, page_cache, practice):
    editor = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")
    signed_in = Client()
    signed_in.force_login(editor)
    # Their page, with Wagtail's user bar, is never kept for anyone else.
    response, body = get(signed_in, practice.url)
    assert "X-Cache" not in response
    assert "private" in response["Cache-Control"]
    assert "userbar" in body
    response, body = get(client, practice.url)
    assert response["X-Cache"] == "miss"
    assert "userbar" not in body
    # Nor do they get the anonymous page from the cache.
    assert get(client, practice.url)[0]["X-Cache"] == "hit"
    response, body = get(signed_in, practice.url)
    assert "X-Cache" not in response
    assert "userbar" in body


def test_a_preview_is_never_the_cached_live_page(client, page_cache, practice):
    get(client, practice.url)
    practice.title = "Draft title"
    practice.save_revision()
    # Wagtail renders a preview through the middleware, at the page's own address.
    preview = practice.make_preview_request()
    assert "Draft title" in preview.content.decode()
    assert "X-Cache" not in preview
    # The draft never reaches the public through the cache either.
    for _ in range(2):
        response, body = get(client, practice.url)
        assert "Draft title" not in body and "Drive-through screening clinics" in body


def test_private_pages_are_never_kept(client, page_cache, practice, committed):
    response, body = get(client, practice.url)
    assert "Drive-through screening clinics" in body
    # Made private after it was cached: the cached copy goes with the change.
    with committed():
        PageViewRestriction.objects.create(
            page=practice, restriction_type=PageViewRestriction.PASSWORD, password="secret"
        )
    for _ in range(2):
        response, body = get(client, practice.url)
        assert response.status_code == 200  # Wagtail's password form, with a CSRF token
        assert "X-Cache" not in response
        assert "private" in response["Cache-Control"]
        assert "password" in body.lower()
    with committed():
        PageViewRestriction.objects.filter(page=practice).update(
            restriction_type=PageViewRestriction.LOGIN
        )
    for _ in range(2):
        assert get(client, practice.url)[0].status_code == 302  # to sign in, never kept


def test_an_unpublished_page_leaves_the_cache(client, page_cache, practice, committed):
    get(client, practice.url)
    assert get(client, practice.url)[0]["X-Cache"] == "hit"
    with committed():
        practice.unpublish()
    assert get(client, practice.url)[0].status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "x=1",
        "page=1&page=2",
        "topic=%00",
        "topic=a%3Bb",
        "%ff=%fe",
        "topic=%E0%A4%A",
        "=&=",
        "topic=" + "a" * 300,
        "page=1&" + "&".join(f"p{n}=1" for n in range(200)),
        "utm_source=newsletter",
    ],
)
def test_odd_queries_are_served_never_kept(client, page_cache, site_structure, query):
    index = practice_index_for(Locale.get_default())
    for _ in range(2):
        response = client.get(f"{index.url}?{query}")
        assert response.status_code < 500
        assert "X-Cache" not in response


def test_the_known_parameters_share_one_entry_in_any_order(client, page_cache, site_structure):
    index = practice_index_for(Locale.get_default())
    first = client.get(f"{index.url}?topic=quarantine&kind=&page=1")
    again = client.get(f"{index.url}?page=1&topic=quarantine")
    assert (first["X-Cache"], again["X-Cache"]) == ("miss", "hit")
    assert client.get(f"{index.url}?page=2")["X-Cache"] == "miss"


def test_a_date_range_is_kept_apart_from_the_unfiltered_listing(client, page_cache, site_structure):
    index = practice_index_for(Locale.get_default())
    assert client.get(index.url)["X-Cache"] == "miss"
    ranged = client.get(f"{index.url}?date_from=2020-01-01&date_to=2020-12-31")
    assert ranged["X-Cache"] == "miss"
    again = client.get(f"{index.url}?date_to=2020-12-31&date_from=2020-01-01")
    assert again["X-Cache"] == "hit"
    assert client.get(f"{index.url}?date_from=2020-01-02")["X-Cache"] == "miss"


@pytest.fixture
def topics_request(rf):
    request = rf.get("/en/topics/")
    request.resolver_match = resolve("/en/topics/")
    return request


def storable(request, **change) -> bool:
    response = HttpResponse("<p>Topics</p>")
    for name, value in change.get("headers", {}).items():
        response[name] = value
    if change.get("cookie"):
        response.set_cookie("seen", "1")
    return is_storable(request, response)


def test_only_the_same_page_for_every_visitor_is_kept(topics_request):
    assert storable(topics_request)
    assert not storable(topics_request, cookie=True)
    for value in ("private", "no-store", "no-cache", "max-age=0, private"):
        assert not storable(topics_request, headers={"Cache-Control": value})
    assert not storable(topics_request, headers={"Vary": "Accept-Language"})
    assert storable(topics_request, headers={"Vary": "Cookie"})
    topics_request.META["CSRF_COOKIE_USED"] = True
    assert not storable(topics_request)


def test_views_outside_the_allow_list_are_never_kept(client, page_cache, site_structure):
    search = RequestFactory().get("/en/search/")
    search.resolver_match = resolve("/en/search/")
    assert not storable(search)
    assert "X-Cache" not in client.get("/en/search/?q=clinic")
    # Nor anything outside the language prefix, nor the redirect to it.
    for url in ("/", "/healthz", "/api/v2/pages/", "/open-data/practices.csv"):
        assert "X-Cache" not in client.get(url), url


def test_off_when_the_setting_is_zero(client, settings, practice):
    settings.PAGE_CACHE_SECONDS = 0
    for _ in range(2):
        response = client.get(practice.url)
        assert "X-Cache" not in response
        assert "Cache-Control" not in response
