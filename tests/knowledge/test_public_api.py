"""Wagtail API v2 and document downloads show only what the public may see."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Locale, PageViewRestriction

from home.site_structure import practice_index_for
from knowledge.models import PracticeAttachment, PracticePage, TopicArea

pytestmark = pytest.mark.django_db


def add_practice(parent, slug, *, publish=True, attachment=None):
    practice = PracticePage(title=slug.replace("-", " ").title(), slug=slug, summary="A summary.")
    if attachment is not None:
        practice.attachments = [PracticeAttachment(document=attachment)]
    parent.add_child(instance=practice)
    practice.topics.set(TopicArea.objects.filter(slug="quarantine", locale=practice.locale))
    revision = practice.save_revision()
    if publish:
        revision.publish()
    else:
        practice.unpublish()
    return PracticePage.objects.get(pk=practice.pk)


def make_document(title):
    document = get_document_model()(title=title)
    document.file.save(f"{title}.txt", ContentFile(b"slides"), save=False)
    document.save()
    return document


@pytest.fixture
def practice_index(summit):
    return practice_index_for(Locale.get_default())


def api_slugs(client, **params):
    response = client.get("/api/v2/pages/", {"type": "knowledge.PracticePage", **params})
    assert response.status_code == 200
    return {item["meta"]["slug"] for item in response.json()["items"]}


def test_pages_api_lists_live_public_practices_only(client, practice_index):
    add_practice(practice_index, "drive-through-screening")
    add_practice(practice_index, "unfinished-draft", publish=False)
    private = add_practice(practice_index, "private-briefing")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    assert api_slugs(client) == {"drive-through-screening"}


def test_pages_api_hides_live_pages_under_an_unpublished_ancestor(client, practice_index):
    add_practice(practice_index, "mask-distribution")
    practice_index.unpublish()
    assert PracticePage.objects.get(slug="mask-distribution").live

    assert api_slugs(client) == set()
    assert client.get("/en/practices/mask-distribution/").status_code == 404


def test_pages_api_detail_exposes_practice_fields(client, practice_index):
    practice = add_practice(practice_index, "contact-tracing")

    response = client.get(f"/api/v2/pages/{practice.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["topic_slugs"] == ["quarantine"]
    assert body["summary"] == "A summary."
    draft = add_practice(practice_index, "secret-draft", publish=False)
    assert client.get(f"/api/v2/pages/{draft.pk}/").status_code == 404


def test_documents_of_drafts_are_neither_listed_nor_served(client, practice_index):
    public_document = make_document("public-slides")
    draft_document = make_document("draft-slides")
    add_practice(practice_index, "published-with-slides", attachment=public_document)
    add_practice(practice_index, "draft-with-slides", publish=False, attachment=draft_document)

    listed = client.get("/api/v2/documents/").json()["items"]
    assert [item["title"] for item in listed] == ["public-slides"]
    assert client.get(f"/api/v2/documents/{draft_document.pk}/").status_code == 404
    assert client.get(public_document.url).status_code == 200
    assert client.get(draft_document.url).status_code == 404


def test_editors_can_still_download_documents_of_drafts(client, admin_user, practice_index):
    draft_document = make_document("draft-report")
    add_practice(practice_index, "draft-with-report", publish=False, attachment=draft_document)
    client.force_login(admin_user)

    assert client.get(draft_document.url).status_code == 200


def make_image(title):
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    return get_image_model().objects.create(title=title, file=get_test_image_file())


def test_images_api_lists_only_images_used_on_visible_pages(client, practice_index):
    public_image = make_image("screening-clinic-photo")
    draft_image = make_image("draft-only-photo")
    make_image("unused-upload")
    for slug, image, publish in (
        ("clinic-photos", public_image, True),
        ("draft-photos", draft_image, False),
    ):
        practice = add_practice(practice_index, slug, publish=False)
        practice.body = [("image", {"image": image, "alt_text": "", "caption": ""})]
        practice.save()
        revision = practice.save_revision()
        if publish:
            revision.publish()

    listed = client.get("/api/v2/images/").json()["items"]

    assert [item["title"] for item in listed] == ["screening-clinic-photo"]
    assert client.get(f"/api/v2/images/{draft_image.pk}/").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "/api/v2/pages/?search=%22",
        "/api/v2/pages/?search=%00",
        "/api/v2/pages/?locale=%00",
        "/api/v2/images/?search=%22",
        "/api/v2/images/?search=%00",
        "/api/v2/documents/?search=%22",
        "/api/v2/pages/?type=nothing.Here",
        "/api/v2/pages/?limit=abc",
        "/api/v2/pages/?child_of=%00",
    ],
)
def test_odd_api_queries_get_a_clear_400_never_a_500(client, practice_index, query):
    add_practice(practice_index, "drive-through-screening")

    response = client.get(query)

    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert response.json()["message"]
