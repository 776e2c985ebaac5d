"""City representatives: from the public request, through e-mail verification and a
moderator's approval, to a practice shared by the city and published after moderation.

Celery tasks run in-process here (the same task code a worker runs).
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Locale, TaskState, WorkflowState

from editorial.roles import REPRESENTATIVES, assign_representative, ensure_editorial_roles
from knowledge.models import City, PracticePage, TopicArea
from network.models import RepresentativeRequest, RequestStatus
from network.representatives import VERIFY_SALT
from tests.documents import files
from tests.editorial.factories import add_user

User = get_user_model()
PASSWORD = "Recife-share-2020!"  # noqa: S105 (a test account)
REQUEST = {
    "name": "Ana Souza",
    "role": "Director of Health Surveillance",
    "email": "ana.souza@recife.pe.gov.example",
    "city_name": "Recife",
    "country": "BR",
    "message": "We ran drive-through vaccination.",
    "website": "",
}
LINK = re.compile(r"https?://\S+")


@pytest.fixture
def roles(tasks_in_process, site_structure):
    return ensure_editorial_roles()


@pytest.fixture
def moderator(roles):
    return add_user("mo.moderator", "Mo Moderata", roles.moderators)


@pytest.fixture
def topic(roles):
    return TopicArea.objects.create(name="Vaccination", slug="vaccination")


def practice_data(topic, **overrides) -> dict:
    data = {
        "language": "en",
        "title": "Drive-through vaccination in Recife",
        "summary": "Cars queued at three sites; nurses vaccinated people in their seats.",
        "body": "Sites opened at 8 am.\n\nEach car took four minutes.",
        "topics": [topic.pk],
        "kind": "countermeasure",
        "practice_status": "ended",
        "started": "2021-01-19",
        "ended": "2021-06-30",
        "outcome": "About 40,000 doses were given at the sites.",
        "target_group": "People over 60",
        "cost_band": "low",
        "source_url": "https://www2.recife.pe.gov.br/noticias/vacinacao-drive-thru",
        "contact_name": "Ana Souza",
        "contact_organisation": "Recife Health Department",
        "contact_email": "vacina@recife.pe.gov.example",
        "image_alt_text": "",
    }
    return data | overrides


def only_link(email) -> str:
    [link] = LINK.findall(email.body)
    return link


@pytest.mark.django_db
def test_a_representative_goes_from_request_to_a_published_practice(
    client, roles, moderator, topic, settings
):
    settings.WAGTAILADMIN_BASE_URL = "https://cac.example.org"
    share = client.get("/en/share/")
    assert share.status_code == 200
    assert "Share your city" in share.content.decode()

    # 1. The request: stored unverified, a signed link e-mailed to the official address.
    response = client.post("/en/share/", REQUEST)
    assert response.status_code == 200, response.content.decode()
    assert "Check your inbox" in response.content.decode()
    request = RepresentativeRequest.objects.get()
    assert request.status == RequestStatus.UNVERIFIED
    assert request.language == "en"
    [verify_email] = mail.outbox
    assert verify_email.to == [REQUEST["email"]]
    link = only_link(verify_email)
    assert link.startswith("https://cac.example.org/en/share/verify/")
    assert not User.objects.filter(email=REQUEST["email"]).exists()

    # 2. The link proves the address; moderators are told.
    mail.outbox.clear()
    path = link.removeprefix("https://cac.example.org")
    verified = client.get(path)
    assert verified.status_code == 200
    assert "Your address is confirmed" in verified.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.VERIFIED and request.verified_at
    [notice] = mail.outbox
    assert notice.to == [moderator.email]
    assert "Recife" in notice.subject
    # A second click changes nothing and sends nothing.
    mail.outbox.clear()
    assert client.get(path).status_code == 200
    assert mail.outbox == []

    # 3. A moderator approves; the account exists only now, confined to the city.
    client.force_login(moderator)
    listing = client.get(reverse("representative_requests:index")).content.decode()
    assert REQUEST["email"] in listing
    review = reverse("representative_requests:review", args=[request.pk])
    assert client.get(review).status_code == 200
    response = client.post(review, {"city": "", "note": "", "approve": "1"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    representative = request.user
    assert representative.email == REQUEST["email"]
    assert not representative.has_usable_password()
    assert representative.groups.filter(name=REPRESENTATIVES).exists()
    city = request.city
    assert (city.name, city.country.code) == ("Recife", "BR")
    [decision] = mail.outbox
    assert decision.to == [REQUEST["email"]]
    assert representative.get_username() in decision.body

    # 4. They choose a password through the link, and sign in.
    client.logout()
    reset_path = only_link(decision).removeprefix("https://cac.example.org")
    form_page = client.get(reset_path, follow=True)
    assert form_page.status_code == 200
    set_password = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else reset_path,
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert set_password.status_code == 302
    assert client.login(username=representative.get_username(), password=PASSWORD)

    # 5. The admin opens on "My city"; the guided form files the practice under the city.
    home = client.get("/admin/")
    assert home.status_code == 302 and home["Location"] == reverse("my_city:index")
    my_city = client.get(reverse("my_city:index")).content.decode()
    new_url = reverse("my_city:new", args=[city.pk])
    assert new_url in my_city
    assert client.get(new_url).status_code == 200
    pdf = SimpleUploadedFile(
        "plan.pdf", files.pdf_with_text("Recife drive-through plan"), "application/pdf"
    )
    response = client.post(new_url, practice_data(topic, new_files=pdf, submit="1"))
    assert response.status_code == 302, response.content.decode()
    page = PracticePage.objects.get(title="Drive-through vaccination in Recife")
    assert not page.live
    assert page.owner == representative
    assert page.shared_by_city
    assert page.city.translation_key == city.translation_key
    assert page.contact_email == "vacina@recife.pe.gov.example"
    assert [a.document.title for a in page.attachments.all()] == ["plan"]
    assert page.attachments.get().document.collection == city.access.collection
    workflow_state = page.current_workflow_state
    assert workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert "In moderation" in client.get(reverse("my_city:index")).content.decode()
    # Their own practice opens read-only while the moderators hold it.
    held = client.get(reverse("my_city:edit", args=[page.pk]))
    assert held.status_code == 200
    assert "The moderators are reviewing this practice" in held.content.decode()
    assert (
        client.post(reverse("my_city:edit", args=[page.pk]), practice_data(topic)).status_code
        == 200
    )
    assert PracticePage.objects.get(pk=page.pk).latest_revision_id == page.latest_revision_id

    # 6. The moderator sees who vouched for it, and publishes it.
    client.force_login(moderator)
    editor = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert editor.status_code == 200
    text = editor.content.decode()
    assert "Shared by Recife" in text and REQUEST["email"] in text and "Mo Moderata" in text
    task_state = TaskState.objects.get(workflow_state=workflow_state, status="in_progress")
    client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]),
        {"comment": ""},
    )
    page.refresh_from_db()
    assert page.live

    # 7. The public page says who shared it, and never shows the contact's address.
    client.logout()
    public = client.get(page.url).content.decode()
    assert "Shared by Recife" in public
    assert "vacina@recife.pe.gov.example" not in public
    assert "40,000 doses" in public


@pytest.fixture
def recife_representative(roles):
    city = City.objects.create(name="Recife", slug="recife", country="BR")
    user = add_user("ana", "Ana Souza")
    assign_representative(user, city)
    return user, city


@pytest.fixture
def lima_representative(roles):
    city = City.objects.create(name="Lima", slug="lima", country="PE")
    user = add_user("luis", "Luis Lima")
    assign_representative(user, city)
    return user, city


@pytest.mark.django_db
def test_a_representative_reaches_only_their_own_city_and_practices(
    client, recife_representative, lima_representative, topic
):
    ana, recife = recife_representative
    luis, lima = lima_representative
    client.force_login(luis)
    assert (
        client.post(reverse("my_city:new", args=[lima.pk]), practice_data(topic)).status_code == 302
    )
    lima_draft = PracticePage.objects.get(owner=luis)

    client.force_login(ana)
    # Another city's form, another representative's draft: 404, not even a title.
    assert client.get(reverse("my_city:new", args=[lima.pk])).status_code == 404
    other = client.get(reverse("my_city:edit", args=[lima_draft.pk]))
    assert other.status_code == 404
    assert lima_draft.title not in other.content.decode()
    assert lima_draft.title not in client.get(reverse("my_city:index")).content.decode()
    # A hand-made POST naming another city is filed under their own city all the same.
    client.post(
        reverse("my_city:new", args=[recife.pk]),
        practice_data(topic, title="Recife plan", city=lima.pk),
    )
    assert PracticePage.objects.get(title="Recife plan").city == recife
    # The moderators' pages and Wagtail's page editor are closed to them.
    assert client.get(reverse("representative_requests:index")).status_code in (302, 403)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[lima_draft.pk])).status_code in (
        302,
        403,
        404,
    )
    assert client.get(
        reverse("wagtailadmin_pages:add_subpage", args=[lima_draft.get_parent().pk])
    ).status_code in (302, 403)
    explorer = client.get(reverse("wagtailadmin_explore_root")).content.decode()
    assert lima_draft.title not in explorer
    assert client.get(reverse("my_sessions:index")).status_code == 200


@pytest.mark.django_db
def test_bad_input_in_the_guided_form_is_explained_and_nothing_is_written(
    client, recife_representative, topic
):
    ana, recife = recife_representative
    client.force_login(ana)
    url = reverse("my_city:new", args=[recife.pk])
    pages_before = PracticePage.objects.count()
    cases = {
        "source_url": "",
        "contact_email": "not-an-address",
        "contact_name": "",
        "title": "Nul\x00byte",
        "ended": "2020-01-01",
        "started": "2020-13-40",
        "topics": ["999999"],
        "language": "xx",
    }
    for name, value in cases.items():
        response = client.post(url, practice_data(topic, **{name: value}))
        assert response.status_code == 200, name
        assert "was not saved" in response.content.decode(), name
    bad_pdf = SimpleUploadedFile("photo.pdf", files.png_bytes(), "application/pdf")
    response = client.post(url, practice_data(topic, new_files=bad_pdf))
    assert "photo.pdf" in response.content.decode()
    response = client.post(
        url, practice_data(topic, new_image=SimpleUploadedFile("x.png", b"not an image"))
    )
    assert "was not saved" in response.content.decode()
    assert PracticePage.objects.count() == pages_before


@pytest.mark.django_db
def test_hostile_requests_get_clear_errors_and_store_nothing(client, roles):
    hostile = {
        "email": "not-an-address",
        "name": "Ana\x00Souza",
        "role": "x" * 500,
        "city_name": "<script>alert(1)</script>",
        "country": "ZZ",
    }
    for name, value in hostile.items():
        response = client.post("/en/share/", REQUEST | {name: value})
        assert response.status_code == 400, name
        assert "was not sent" in response.content.decode(), name
        assert "<script>alert" not in response.content.decode()
    assert RepresentativeRequest.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_honeypot_is_thanked_and_nothing_is_stored(client, roles):
    response = client.post("/en/share/", REQUEST | {"website": "http://spam.example"})
    assert response.status_code == 200
    assert RepresentativeRequest.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_requests_are_rate_limited_per_address(client, roles, settings):
    settings.REPRESENTATIVE_REQUEST_RATE_LIMIT = "2/hour"
    for _ in range(2):
        assert client.post("/en/share/", REQUEST).status_code == 200
    refused = client.post("/en/share/", REQUEST)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # The same person asking twice for the same city leaves one request, not two.
    assert RepresentativeRequest.objects.count() == 1


@pytest.mark.django_db
def test_a_forged_or_expired_link_verifies_nothing(client, roles, settings):
    client.post("/en/share/", REQUEST)
    request = RepresentativeRequest.objects.get()
    forged = signing.dumps({"request": request.pk, "email": "other@example.org"}, salt=VERIFY_SALT)
    unsigned = signing.dumps({"request": request.pk, "email": request.email}, salt="other")
    for token in (forged, unsigned, "garbage", "x" * 300):
        response = client.get(reverse("representative_verify", args=[token]))
        assert response.status_code == 400
        assert "does not work" in response.content.decode()
    settings.REPRESENTATIVE_VERIFY_DAYS = -1
    valid = signing.dumps({"request": request.pk, "email": request.email}, salt=VERIFY_SALT)
    assert client.get(reverse("representative_verify", args=[valid])).status_code == 400
    request.refresh_from_db()
    assert request.status == RequestStatus.UNVERIFIED


@pytest.mark.django_db
def test_an_unverified_request_cannot_be_approved(client, roles, moderator):
    client.post("/en/share/", REQUEST)
    request = RepresentativeRequest.objects.get()
    client.force_login(moderator)
    review = reverse("representative_requests:review", args=[request.pk])
    client.post(review, {"city": "", "approve": "1"})
    request.refresh_from_db()
    assert request.status == RequestStatus.UNVERIFIED
    assert not User.objects.filter(email=REQUEST["email"]).exists()


@pytest.mark.django_db
def test_share_page_is_linked_from_home_and_practice_listings(client, roles):
    assert "/en/share/" in client.get("/en/").content.decode()
    assert "/en/share/" in client.get("/en/practices/").content.decode()
    korean = client.get("/ko/share/")
    assert korean.status_code == 200
    assert Locale.objects.filter(language_code="ko").exists()


@pytest.mark.django_db
def test_every_public_form_is_rate_limited(client, roles, settings):
    """The forms whose views are not the network's: search and the password reset."""
    settings.SEARCH_PAGE_RATE_LIMIT = "2/minute"
    settings.PASSWORD_RESET_RATE_LIMIT = "1/hour"
    assert client.get("/en/search/").status_code == 200  # the empty form is not counted
    for _ in range(2):
        assert client.get("/en/search/", {"q": "masks"}).status_code == 200
    refused = client.get("/en/search/", {"q": "masks"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many requests" in refused.content.decode()
    reset = reverse("wagtailadmin_password_reset")
    assert client.post(reset, {"email": "nobody@example.org"}).status_code == 302
    again = client.post(reset, {"email": "nobody@example.org"})
    assert again.status_code == 429
