"""Kept search answers (search/serving/results_cache.py): the API's JSON and the anonymous
search page are computed once per question until what search finds changes; every search is
still counted; nothing unpublished outlives the drain that takes it out of the index; a
signed-in visitor's page, or one with parameters the page does not read, is never kept."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Locale

from home.site_structure import practice_index_for
from knowledge.models import PracticePage
from search.documents import iter_search_documents, page_document_id
from search.engines.selection import get_engine
from search.indexing import drain_all_due
from search.models import SearchQueryDay
from search.serving.results_cache import forget_answers

pytest.importorskip("search.engines.embedded")

WORD = "zucchiniwaffle"  # a word no other content contains
TITLE = "Drive-through screening clinics"


@pytest.fixture
def search_cache(settings, cache_backend):
    """Kept answers on, in the per-process cache (development) or Redis (production)."""
    settings.SEARCH_CACHE_SECONDS = 300


@pytest.fixture
def practice(site_structure):
    practice = PracticePage(
        title=TITLE,
        summary="Cars drive in.",
        body=json.dumps([{"type": "paragraph", "value": f"<p>A {WORD} test.</p>"}]),
    )
    practice_index_for(Locale.get_default()).add_child(instance=practice)
    practice.save_revision().publish()
    get_engine().rebuild(iter_search_documents())
    return practice


def api_total(client, query: str = WORD) -> int:
    response = client.get("/api/v1/search/", {"q": query})
    assert response.status_code == 200
    return response.json()["total"]


def test_an_answer_is_kept_until_search_changes_and_every_search_is_counted(
    client, search_cache, practice
):
    assert api_total(client) == 1
    # Out of the index behind the cache's back: the kept answer still says 1.
    get_engine().delete([page_document_id(practice.pk)])
    assert api_total(client) == 1
    forget_answers()
    assert api_total(client) == 0
    row = SearchQueryDay.objects.get(query=WORD, day=timezone.localdate())
    assert row.searches == 3  # answered from the cache or not, each search counts


def test_an_unpublished_practice_leaves_kept_answers_with_the_drain(client, search_cache, practice):
    assert api_total(client) == 1
    page = client.get("/en/search/", {"q": WORD}).content.decode()
    assert TITLE in page

    practice.unpublish()
    drain_all_due()

    assert api_total(client) == 0
    assert TITLE not in client.get("/en/search/", {"q": WORD}).content.decode()


def test_the_search_page_is_kept_only_for_anonymous_visitors_and_known_parameters(
    client, search_cache, practice
):
    assert TITLE in client.get("/en/search/", {"q": WORD}).content.decode()
    get_engine().delete([page_document_id(practice.pk)])
    # The same question, anonymously: the kept page.
    assert TITLE in client.get("/en/search/", {"q": WORD}).content.decode()
    # A parameter the page does not read: rendered afresh, and not kept.
    tagged = client.get("/en/search/", {"q": WORD, "utm_source": "mail"}).content.decode()
    assert TITLE not in tagged
    # A signed-in visitor: rendered afresh.
    user = get_user_model().objects.create_user("reader", password="x")  # noqa: S106
    signed_in = client.__class__()
    signed_in.force_login(user)
    assert TITLE not in signed_in.get("/en/search/", {"q": WORD}).content.decode()


def test_an_editors_pick_shows_in_kept_answers_at_once(
    client, search_cache, practice, django_capture_on_commit_callbacks
):
    assert client.get("/api/v1/search/", {"q": WORD}).json()["promoted"] == []
    # As a request commits it: the setup's callbacks never ran (its transaction never commits)
    # and would count as queued already.
    connection.run_on_commit.clear()
    with django_capture_on_commit_callbacks(execute=True):
        query = Query.get(WORD)
        SearchPromotion.objects.create(query=query, page=practice, sort_order=0)
    promoted = client.get("/api/v1/search/", {"q": WORD}).json()["promoted"]
    assert [pick["title"] for pick in promoted] == [TITLE]
