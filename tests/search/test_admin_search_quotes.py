"""Searching the admin with a stray double quote finds pages instead of answering 500
(core/wagtail_internals.py, double_quotes_in_sqlite_search_terms; its modelsearch version is
pinned in tests/core/test_wagtail_internals.py)."""

import pytest
from wagtail.models import Locale

from home.site_structure import practice_index_for
from tests.knowledge.factories import add_practice

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(site_structure):
    index = practice_index_for(Locale.get_default())
    add_practice(index, "Drive-through screening")
    return index


@pytest.mark.parametrize("query", ['"', '"Drive', 'Drive"', 'a"b', '"""'])
def test_the_page_explorer_and_chooser_search_with_a_stray_quote(admin_client, index, query):
    admin_client.raise_request_exception = False  # as the editor would see it

    for url in (f"/admin/pages/{index.pk}/", "/admin/choose-page/search/", "/admin/pages/search/"):
        response = admin_client.get(url, {"q": query})

        assert response.status_code == 200, (url, response.status_code)


def test_a_quoted_word_still_finds_its_page(admin_client, index):
    response = admin_client.get(f"/admin/pages/{index.pk}/", {"q": '"Drive'})

    assert "Drive-through screening" in response.content.decode()
