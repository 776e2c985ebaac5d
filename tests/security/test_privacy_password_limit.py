"""Privacy passwords (a page's password restriction, a document collection's) have an attempt
limit: past it, per restriction and client address or per restriction from all addresses,
the form refuses even the right password until the window passes."""

from __future__ import annotations

import time

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import resolve, reverse
from django.utils import translation
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, Locale, PageViewRestriction

from core import privacy_passwords
from home.site_structure import practice_index_for
from knowledge.models import PracticeAttachment
from tests.knowledge.factories import add_practice

PASSWORD = "summit-2020-private"
REFUSAL = "Too many wrong passwords. Try again in 1 minute."


@pytest.fixture
def limits(settings):
    settings.PRIVACY_PASSWORD_FAILURE_LIMIT = 3
    settings.PRIVACY_PASSWORD_FAILURE_RESTRICTION_LIMIT = 6
    settings.PRIVACY_PASSWORD_FAILURE_WINDOW_SECONDS = 60
    return settings


@pytest.fixture
def private_practice(site_structure):
    practice = add_practice(
        practice_index_for(Locale.get_default()),
        "Closed briefing for city officials",
        summary="What the mayors agreed behind closed doors.",
    )
    restriction = PageViewRestriction.objects.create(
        page=practice, restriction_type=PageViewRestriction.PASSWORD, password=PASSWORD
    )
    return practice, restriction


@pytest.fixture
def private_document(site_structure):
    """A document in a password-protected collection, attached to a public practice."""
    collection = Collection.get_first_root_node().add_child(name="Closed reports")
    restriction = CollectionViewRestriction.objects.create(
        collection=collection,
        restriction_type=CollectionViewRestriction.PASSWORD,
        password=PASSWORD,
    )
    document = get_document_model().objects.create(
        title="Closed report",
        file=ContentFile(b"closed report text", name="closed-report.txt"),
        collection=collection,
    )
    add_practice(
        practice_index_for(Locale.get_default()),
        "With a closed report",
        attachments=[PracticeAttachment(document=document)],
    )
    return document, restriction


def _try_page(client, practice, restriction, password, ip="10.0.0.1"):
    url = reverse("wagtailcore_authenticate_with_password", args=[restriction.id, practice.id])
    return client.post(url, {"password": password, "return_url": practice.url}, REMOTE_ADDR=ip)


def _try_document(client, document, restriction, password, ip="10.0.0.1"):
    url = reverse("wagtaildocs_authenticate_with_password", args=[restriction.id])
    return client.post(url, {"password": password, "return_url": document.url}, REMOTE_ADDR=ip)


def _sees_page(client, practice) -> bool:
    return "behind closed doors" in client.get(practice.url).content.decode()


def _wrong(attempt, times, **kwargs):
    for _ in range(times):
        response = attempt(password="wrong", **kwargs)
        assert response.status_code == 200
        assert "The password you have entered is not correct" in response.content.decode()


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------


def test_page_after_the_limit_the_right_password_is_refused_with_a_clear_message(
    client, limits, private_practice
):
    practice, restriction = private_practice
    _wrong(lambda **kw: _try_page(client, practice, restriction, **kw), 3)

    response = _try_page(client, practice, restriction, PASSWORD)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    html = response.content.decode()
    assert REFUSAL in html
    # The form is shown again, posting to the same place, so the reader can try later.
    assert 'type="password"' in html
    assert f'action="{response.wsgi_request.path}"' in html
    assert not _sees_page(client, practice)


def test_page_forty_wrong_passwords_then_the_right_one_is_refused_at_the_defaults(
    client, private_practice
):
    practice, restriction = private_practice
    for _ in range(40):
        _try_page(client, practice, restriction, "wrong")

    response = _try_page(client, practice, restriction, PASSWORD)

    assert response.status_code == 429
    assert not _sees_page(client, practice)


def test_page_below_the_limit_the_right_password_grants_access(client, limits, private_practice):
    practice, restriction = private_practice
    assert not _sees_page(client, practice)
    _wrong(lambda **kw: _try_page(client, practice, restriction, **kw), 2)

    response = _try_page(client, practice, restriction, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == practice.url
    assert _sees_page(client, practice)


def test_success_clears_the_address_count(limits, private_practice):
    practice, restriction = private_practice
    first, second = Client(), Client()
    _wrong(lambda **kw: _try_page(first, practice, restriction, **kw), 2)
    assert _try_page(first, practice, restriction, PASSWORD).status_code == 302

    # A colleague behind the same address starts afresh.
    _wrong(lambda **kw: _try_page(second, practice, restriction, **kw), 2)
    assert _try_page(second, practice, restriction, PASSWORD).status_code == 302


def test_another_address_and_another_restriction_are_not_affected(client, limits, private_practice):
    practice, restriction = private_practice
    other = add_practice(practice_index_for(Locale.get_default()), "Another closed briefing")
    other_restriction = PageViewRestriction.objects.create(
        page=other, restriction_type=PageViewRestriction.PASSWORD, password=PASSWORD
    )
    _wrong(lambda **kw: _try_page(client, practice, restriction, **kw), 3)

    assert _try_page(Client(), practice, restriction, PASSWORD, ip="10.0.0.2").status_code == 302
    assert _try_page(client, other, other_restriction, PASSWORD).status_code == 302


def test_guessing_spread_over_many_addresses_is_capped_per_restriction(
    client, limits, private_practice
):
    practice, restriction = private_practice
    for number in range(3):
        _wrong(
            lambda **kw: _try_page(Client(), practice, restriction, **kw),
            2,
            ip=f"10.1.0.{number}",
        )

    response = _try_page(client, practice, restriction, PASSWORD, ip="10.2.0.1")

    assert response.status_code == 429
    assert REFUSAL in response.content.decode()


def test_the_address_comes_from_the_proxy_header_when_configured(
    limits, private_practice, settings
):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    practice, restriction = private_practice
    url = reverse("wagtailcore_authenticate_with_password", args=[restriction.id, practice.id])

    def attempt(client, password, forwarded):
        return client.post(
            url,
            {"password": password, "return_url": practice.url},
            REMOTE_ADDR="192.0.2.1",  # the proxy
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for _ in range(3):
        attempt(Client(), "wrong", "203.0.113.5, 10.5.5.5")
    assert attempt(Client(), PASSWORD, "10.5.5.5").status_code == 429
    assert attempt(Client(), PASSWORD, "10.6.6.6").status_code == 302


def test_a_window_closes(client, limits, private_practice):
    limits.PRIVACY_PASSWORD_FAILURE_WINDOW_SECONDS = 1
    practice, restriction = private_practice
    _wrong(lambda **kw: _try_page(client, practice, restriction, **kw), 3)
    assert _try_page(client, practice, restriction, PASSWORD).status_code == 429

    time.sleep(1.1)

    assert _try_page(client, practice, restriction, PASSWORD).status_code == 302


def test_a_zero_limit_turns_that_count_off(client, limits, private_practice):
    limits.PRIVACY_PASSWORD_FAILURE_LIMIT = 0
    limits.PRIVACY_PASSWORD_FAILURE_RESTRICTION_LIMIT = 0
    practice, restriction = private_practice
    _wrong(lambda **kw: _try_page(client, practice, restriction, **kw), 8)

    assert _try_page(client, practice, restriction, PASSWORD).status_code == 302


# ---------------------------------------------------------------------------
# Document collections
# ---------------------------------------------------------------------------


def test_collection_after_the_limit_the_right_password_is_refused(client, limits, private_document):
    document, restriction = private_document
    _wrong(lambda **kw: _try_document(client, document, restriction, **kw), 3)

    response = _try_document(client, document, restriction, PASSWORD)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    html = response.content.decode()
    assert REFUSAL in html
    assert "You need a password to access this document." in html
    assert b"closed report text" not in client.get(document.url).content


def test_collection_below_the_limit_the_right_password_serves_the_file(
    client, limits, private_document
):
    document, restriction = private_document
    assert b"closed report text" not in client.get(document.url).content
    _wrong(lambda **kw: _try_document(client, document, restriction, **kw), 2)

    response = _try_document(client, document, restriction, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == document.url
    served = client.get(document.url)
    assert b"".join(served.streaming_content) == b"closed report text"


def test_page_and_collection_restrictions_count_apart(
    client, limits, private_practice, private_document
):
    practice, page_restriction = private_practice
    document, collection_restriction = private_document
    _wrong(lambda **kw: _try_page(client, practice, page_restriction, **kw), 3)

    response = _try_document(client, document, collection_restriction, PASSWORD)

    assert response.status_code == 302


# ---------------------------------------------------------------------------
# The wiring: Wagtail's own forms post to the limited views
# ---------------------------------------------------------------------------


def test_wagtails_password_forms_post_to_the_limited_views():
    # core/privacy_passwords.py delegates to Wagtail's views and reads their answer (a
    # redirect is a success, anything else a wrong password): core/wagtail_internals.py,
    # whose Wagtail version tests/core/test_wagtail_internals.py pins.
    page_url = reverse("wagtailcore_authenticate_with_password", args=[1, 2])
    document_url = reverse("wagtaildocs_authenticate_with_password", args=[1])

    assert page_url == "/en/_util/authenticate_with_password/1/2/"
    assert resolve(page_url).func is privacy_passwords.authenticate_page_password
    with translation.override("ko"):
        korean_url = reverse("wagtailcore_authenticate_with_password", args=[1, 2])
        assert korean_url == "/ko/_util/authenticate_with_password/1/2/"
        assert resolve(korean_url).func is privacy_passwords.authenticate_page_password
    assert document_url == "/documents/authenticate_with_password/1/"
    assert resolve(document_url).func is privacy_passwords.authenticate_collection_password
