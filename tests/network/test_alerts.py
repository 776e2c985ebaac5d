"""E-mail alerts: double opt-in, digests of new practices in the subscriber's language, and
a one-click signed unsubscribe. Tasks run in-process here; the last test runs the digest on
the real worker."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from email import message_from_bytes

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale

from knowledge.models import City, PracticeIndexPage, TopicArea
from network.alerts import CONFIRM_SALT, send_digests
from network.models import AlertSubscription
from tests.conftest import WORKER_EMAIL_DIR
from tests.knowledge.factories import add_practice

LINK = re.compile(r"https?://\S+")
ADDRESS = "official@lima.example"


@pytest.fixture
def index(tasks_in_process, site_structure):
    return PracticeIndexPage.objects.get(locale=Locale.get_default())


@pytest.fixture
def vocabulary(index):
    return {
        "testing": TopicArea.objects.get_or_create(slug="testing", defaults={"name": "Testing"})[0],
        "schools": TopicArea.objects.get_or_create(slug="schools", defaults={"name": "Schools"})[0],
        "lima": City.objects.create(name="Lima", slug="lima", country="PE"),
        "seoul": City.objects.get_or_create(
            slug="seoul", defaults={"name": "Seoul", "country": "KR"}
        )[0],
    }


def path_of(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def subscribe(client, vocabulary, **fields) -> str:
    """Sign up and return the confirmation link's path."""
    data = {
        "email": ADDRESS,
        "topics": [str(vocabulary["testing"].translation_key)],
        "cities": [],
        "frequency": "daily",
        "website": "",
    } | fields
    response = client.post("/en/alerts/", data)
    assert response.status_code == 200, response.content.decode()
    [email] = [m for m in mail.outbox if "Confirm" in m.subject]
    mail.outbox.clear()
    return path_of(LINK.findall(email.body)[0])


@pytest.mark.django_db
def test_nothing_is_kept_until_the_link_is_opened(client, vocabulary):
    form = client.get("/en/alerts/").content.decode()
    assert "Testing" in form and "Lima" not in form  # Lima has no public practice yet
    confirm_path = subscribe(client, vocabulary)
    assert AlertSubscription.objects.count() == 0
    done = client.get(confirm_path)
    assert done.status_code == 200
    assert "Your alerts are on" in done.content.decode()
    subscription = AlertSubscription.objects.get()
    assert subscription.email == ADDRESS and subscription.language == "en"
    assert subscription.topic_keys == [str(vocabulary["testing"].translation_key)]
    # Opening the link again changes nothing and makes no second subscription.
    assert client.get(confirm_path).status_code == 200
    assert AlertSubscription.objects.count() == 1


@pytest.mark.django_db
def test_a_digest_lists_new_matching_practices_once_and_unsubscribes_in_one_click(
    client, index, vocabulary, settings
):
    settings.WAGTAILADMIN_BASE_URL = "https://cac.example.org"
    client.get(subscribe(client, vocabulary, cities=[]))
    subscription = AlertSubscription.objects.get()
    add_practice(index, "Old testing plan", topics=["testing"])  # before: covered already
    AlertSubscription.objects.update(covered_until=timezone.now())
    add_practice(index, "Walk-in testing booths", topics=["testing"])
    add_practice(index, "School reopening rota", topics=["schools"])
    draft = add_practice(index, "Unpublished testing idea", topics=["testing"], publish=False)
    assert draft.live is False

    sent, failed = send_digests("daily")
    assert (sent, failed) == (1, 0)
    [digest] = mail.outbox
    assert digest.to == [ADDRESS]
    assert "Walk-in testing booths" in digest.body
    assert "School reopening rota" not in digest.body
    assert "Old testing plan" not in digest.body
    assert "Unpublished testing idea" not in digest.body
    assert "1 new practice" in digest.subject
    # No tracking: every link is the practice's own address or the unsubscribe link.
    links = LINK.findall(digest.body)
    assert all(link.startswith("https://cac.example.org/en/") for link in links)
    unsubscribe_link = digest.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe_link in links
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The next digest does not repeat it; a weekly run leaves daily subscribers alone.
    mail.outbox.clear()
    assert send_digests("daily") == (0, 0)
    assert send_digests("weekly") == (0, 0)
    assert mail.outbox == []

    # One click (a mail program's POST, with no CSRF token) deletes the subscription.
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post(path_of(unsubscribe_link), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not AlertSubscription.objects.filter(pk=subscription.pk).exists()
    again = client.get(path_of(unsubscribe_link))
    assert again.status_code == 200 and "You are unsubscribed" in again.content.decode()


@pytest.mark.django_db
def test_a_korean_subscriber_gets_the_korean_translation_in_korean(client, index, vocabulary):
    AlertSubscription.objects.create(
        email="kim@seoul.example",
        language="ko",
        frequency="weekly",
        city_keys=[str(vocabulary["seoul"].translation_key)],
        confirmed_at=timezone.now() - timedelta(days=1),
        covered_until=timezone.now() - timedelta(days=1),
    )
    korean_index = PracticeIndexPage.objects.get(locale__language_code="ko")
    english = add_practice(index, "Seoul phone booths", city=vocabulary["seoul"])
    korean = english.copy_for_translation(Locale.objects.get(language_code="ko"))
    korean.title = "서울 전화 부스 검사"
    korean.save_revision().publish()
    assert korean.get_parent().pk == korean_index.pk
    assert send_digests("weekly") == (1, 0)
    [digest] = mail.outbox
    assert "서울 전화 부스 검사" in digest.body
    assert "Seoul phone booths" not in digest.body
    assert "대응 사례" in digest.subject or "새" in digest.subject


@pytest.mark.django_db
def test_bad_links_and_hostile_sign_ups_change_nothing(client, vocabulary, settings):
    for token in ("garbage", "x" * 500, signing.dumps({"email": ADDRESS}, salt=CONFIRM_SALT)):
        assert client.get(reverse("alerts_confirm", args=[token])).status_code == 400
        assert client.get(reverse("alerts_unsubscribe", args=[token])).status_code == 400
    for fields in (
        {"email": "not-an-address"},
        {"topics": ["not-a-key"]},
        {"cities": [str(vocabulary["lima"].translation_key)]},  # no public practice: not offered
        {"frequency": "hourly"},
    ):
        response = client.post("/en/alerts/", {"email": ADDRESS, "frequency": "daily"} | fields)
        assert response.status_code == 400, fields
        assert "Nothing was sent" in response.content.decode()
    honeypot = {"email": ADDRESS, "frequency": "daily", "website": "x"}
    assert client.post("/en/alerts/", honeypot).status_code == 200
    assert mail.outbox == []
    settings.ALERT_SUBSCRIBE_RATE_LIMIT = "1/hour"
    client.post("/en/alerts/", {"email": ADDRESS, "frequency": "daily"})
    refused = client.post("/en/alerts/", {"email": ADDRESS, "frequency": "daily"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    settings.ALERT_CONFIRM_DAYS = -1
    mail.outbox.clear()
    settings.ALERT_SUBSCRIBE_RATE_LIMIT = ""
    expired = subscribe(client, vocabulary)
    assert client.get(expired).status_code == 400
    assert AlertSubscription.objects.count() == 0


@pytest.mark.django_db
def test_the_command_sends_the_digests_and_reports(index, vocabulary, capsys):
    AlertSubscription.objects.create(
        email=ADDRESS,
        language="en",
        frequency="daily",
        confirmed_at=timezone.now() - timedelta(days=1),
        covered_until=timezone.now() - timedelta(days=1),
    )
    add_practice(index, "Any new practice")
    call_command("send_alert_digests", "daily")
    assert "1 digests sent, 0 failed" in capsys.readouterr().out
    assert len(mail.outbox) == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_sends_the_digest(celery_worker_process, site_structure):
    from network.tasks import send_alert_digests

    for old in WORKER_EMAIL_DIR.glob("*"):
        old.unlink()
    AlertSubscription.objects.create(
        email=ADDRESS,
        language="en",
        frequency="weekly",
        confirmed_at=timezone.now() - timedelta(days=1),
        covered_until=timezone.now() - timedelta(days=1),
    )
    index = PracticeIndexPage.objects.get(locale=Locale.get_default())
    add_practice(index, "Worker-sent testing practice")
    result = send_alert_digests.apply_async(args=["weekly"]).get(timeout=60)
    assert result == {"sent": 1, "failed": 0}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not list(WORKER_EMAIL_DIR.glob("*.log")):
        time.sleep(0.3)
    messages = [message_from_bytes(path.read_bytes()) for path in WORKER_EMAIL_DIR.glob("*.log")]
    assert [message["To"] for message in messages] == [ADDRESS]
    assert "Worker-sent testing practice" in messages[0].get_payload(decode=True).decode()
    # A long header is folded onto a second line; unfolded, it is one <address>.
    assert messages[0]["List-Unsubscribe"].strip().startswith("<http")
