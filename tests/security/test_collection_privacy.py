"""A collection's privacy keeps its files out of search, the public APIs and open data,
even when a live, public page attaches them."""

from __future__ import annotations

import pytest
from django.conf import settings
from wagtail.models import Collection, CollectionViewRestriction, Locale

from documents.models import DocumentText
from home.site_structure import practice_index_for
from search.indexing import drain_index_outbox
from tests.knowledge.factories import add_practice
from tests.security.conftest import upload

pytestmark = pytest.mark.django_db

PHRASE = "Marmalade ventilation ledger"


@pytest.fixture
def staff_only(db):
    return Collection.get_first_root_node().add_child(name="Staff only")


@pytest.fixture
def attached_private_file(site_structure, staff_only):
    """A live practice that attaches a file from a collection open to signed-in users only."""
    CollectionViewRestriction.objects.create(
        collection=staff_only, restriction_type=CollectionViewRestriction.LOGIN
    )
    document = upload("Internal ventilation audit", staff_only)
    DocumentText.objects.update_or_create(
        document=document,
        defaults={"status": DocumentText.Status.DONE, "text": f"{PHRASE} for schools."},
    )
    practice = add_practice(practice_index_for(Locale.get_default()), "School ventilation")
    practice.attachments.create(document=document)
    practice.save_revision().publish()
    drain_index_outbox()
    return practice, document


def _search_hits(client, language: str) -> tuple[str, dict]:
    page = client.get(f"/{language}/search/", {"q": PHRASE}).content.decode()
    api = client.get("/api/v1/search/", {"q": PHRASE, "lang": language}).json()
    return page, api


def test_a_private_collections_file_is_not_found_by_search_in_any_language(
    client, attached_private_file
):
    practice, document = attached_private_file
    for language, _name in settings.LANGUAGES:
        page, api = _search_hits(client, language)
        assert practice.title not in page, language
        assert api["total"] == 0, language


def test_a_private_collections_file_is_not_in_the_documents_api(client, attached_private_file):
    _practice, document = attached_private_file
    listing = client.get("/api/v2/documents/").content.decode()
    assert document.title not in listing
    assert document.file.name not in listing
    assert client.get(f"/api/v2/documents/{document.pk}/").status_code == 404


def test_its_url_asks_for_sign_in_and_the_public_page_does_not_list_it(
    client, attached_private_file, editor
):
    practice, document = attached_private_file
    response = client.get(document.url)
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert document.title not in client.get(practice.url).content.decode()

    # Signed in, the restriction admits the visitor: the page lists it and the file opens.
    client.force_login(editor)
    assert document.title in client.get(practice.url).content.decode()
    assert client.get(document.url).status_code == 200


def test_making_a_collection_public_again_brings_its_text_back_to_search(
    client, attached_private_file, staff_only
):
    practice, _document = attached_private_file
    CollectionViewRestriction.objects.filter(collection=staff_only).delete()
    drain_index_outbox()

    _page, api = _search_hits(client, "en")
    assert [hit["title"] for hit in api["hits"]] == [practice.title]


def test_a_restriction_on_a_parent_collection_covers_its_children(client, site_structure):
    parent = Collection.get_first_root_node().add_child(name="Partners")
    child = parent.add_child(name="Partner reports")
    document = upload("Partner report", child)
    practice = add_practice(practice_index_for(Locale.get_default()), "Partner work")
    practice.attachments.create(document=document)
    practice.save_revision().publish()
    assert client.get(f"/api/v2/documents/{document.pk}/").status_code == 200

    CollectionViewRestriction.objects.create(
        collection=parent,
        restriction_type=CollectionViewRestriction.PASSWORD,
        password="partners-only",  # noqa: S106
    )

    assert client.get(f"/api/v2/documents/{document.pk}/").status_code == 404
    # Wagtail's own hook asks for the password instead of serving the file.
    response = client.get(document.url)
    assert response.status_code == 200
    assert b"password" in response.content.lower()
    assert response["Content-Type"].startswith("text/html")
