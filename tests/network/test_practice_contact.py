"""Writing to a practice's contact: the address is never shown, the message goes through."""

from __future__ import annotations

import time
from email import message_from_bytes

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.models import Locale, PageViewRestriction

from knowledge.models import PracticeIndexPage
from tests.conftest import WORKER_EMAIL_DIR
from tests.knowledge.factories import add_practice

ADDRESS = "tracing.desk@seoul.example"
MESSAGE = {
    "name": "Ana Souza",
    "email": "ana.souza@recife.example",
    "organisation": "Recife Health Department",
    "message": "How many staff ran the stations?\nWe plan the same in Recife.",
    "website": "",
}


def practice_with_contact(parent, title="Drive-through screening", **fields):
    fields.setdefault("contact_email", ADDRESS)
    fields.setdefault("contact_organisation", "Seoul Metropolitan Government")
    return add_practice(parent, title, **fields)


@pytest.fixture
def index(tasks_in_process, site_structure):
    return PracticeIndexPage.objects.get(locale=Locale.get_default())


def contact_url(page) -> str:
    return reverse("practice_contact", args=[page.pk])


@pytest.mark.django_db
def test_the_page_links_to_the_form_and_never_shows_the_address(client, index):
    practice = practice_with_contact(index)
    page = client.get(practice.url).content.decode()
    assert contact_url(practice) in page
    assert ADDRESS not in page
    form = client.get(contact_url(practice))
    assert form.status_code == 200
    assert ADDRESS not in form.content.decode()
    assert form["Cache-Control"].startswith("max-age=0") or "no-cache" in form["Cache-Control"]
    api = client.get(f"/api/v2/pages/{practice.pk}/").json()
    assert "contact_email" not in api and api["has_contact_form"] is True
    download = client.get("/open-data/practices.json")
    assert ADDRESS not in b"".join(download.streaming_content).decode()


@pytest.mark.django_db
def test_a_message_reaches_the_contact_who_replies_to_the_sender(client, index):
    practice = practice_with_contact(index)
    response = client.post(contact_url(practice), MESSAGE)
    assert response.status_code == 200
    assert "on its way" in response.content.decode()
    [email] = mail.outbox
    assert email.to == [ADDRESS]
    assert email.reply_to == [MESSAGE["email"]]
    assert practice.title in email.subject
    assert MESSAGE["message"] in email.body
    assert "Recife Health Department" in email.body


@pytest.mark.django_db
def test_a_filled_honeypot_is_thanked_and_nothing_is_sent(client, index):
    practice = practice_with_contact(index)
    response = client.post(contact_url(practice), MESSAGE | {"website": "http://spam.example"})
    assert response.status_code == 200
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-address"),
        ("name", ""),
        ("message", ""),
        ("message", "x" * 5001),
        ("name", "Ana\nBcc: everyone@example.org"),
        ("organisation", "Recife\x07"),
        ("message", "hello\x00"),
    ],
)
def test_bad_fields_get_clear_errors_and_nothing_is_sent(client, index, field, value):
    practice = practice_with_contact(index)
    response = client.post(contact_url(practice), MESSAGE | {field: value})
    assert response.status_code == 400
    assert 'class="field-errors"' in response.content.decode()
    assert MESSAGE["message"].splitlines()[0] in response.content.decode() or field == "message"
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_form_is_rate_limited_per_address(client, index, settings):
    settings.CONTACT_FORM_RATE_LIMIT = "2/hour"
    practice = practice_with_contact(index)
    assert client.post(contact_url(practice), MESSAGE).status_code == 200
    assert client.post(contact_url(practice), MESSAGE | {"email": "bad"}).status_code == 400
    refused = client.post(contact_url(practice), MESSAGE)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_practices_the_public_may_not_write_to_answer_404(client, index):
    without_address = add_practice(index, "No contact")
    draft = practice_with_contact(index, "A draft plan", publish=False)
    private = practice_with_contact(index, "Members only")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    for page in (without_address, draft, private):
        assert client.get(contact_url(page)).status_code == 404
        assert client.post(contact_url(page), MESSAGE).status_code == 404
    assert client.get(reverse("practice_contact", args=[999999])).status_code == 404
    assert mail.outbox == []


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_sends_the_message(celery_worker_process, client, site_structure):
    for old in WORKER_EMAIL_DIR.glob("*"):
        old.unlink()
    index = PracticeIndexPage.objects.get(locale=Locale.get_default())
    practice = practice_with_contact(index)
    assert client.post(contact_url(practice), MESSAGE).status_code == 200
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(WORKER_EMAIL_DIR.glob("*.log")):
        time.sleep(0.3)
    messages = [message_from_bytes(path.read_bytes()) for path in WORKER_EMAIL_DIR.glob("*.log")]
    assert [message["To"] for message in messages] == [ADDRESS]
    assert messages[0]["Reply-To"] == MESSAGE["email"]
