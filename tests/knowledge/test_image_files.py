"""Image files under /media/: public images to anyone, with cache headers; other images only
to those who may choose them in the admin; nothing else under MEDIA_ROOT, whatever the path."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, CollectionViewRestriction, Locale

from editorial.roles import ensure_editorial_roles
from home.site_structure import practice_index_for
from knowledge.public_media import is_public_image, public_images
from tests.editorial.factories import add_user
from tests.knowledge.factories import add_practice

pytestmark = pytest.mark.django_db

Image = get_image_model()


def add_image(title: str, collection=None, filename: str = "photo.png"):
    image = Image(title=title, file=get_test_image_file(filename=filename))
    if collection is not None:
        image.collection = collection
    image.save()
    return image


def show_on_a_practice(image, title: str = "Drive-through testing", *, publish=True):
    body = [("image", {"image": image, "alt_text": "A station", "caption": ""})]
    return add_practice(practice_index_for(Locale.get_default()), title, body=body, publish=publish)


@pytest.fixture
def public_image(site_structure):
    image = add_image("Station photo")
    show_on_a_practice(image)
    return image


@pytest.fixture
def unused_image(site_structure):
    return add_image("Unused photo", filename="unused.png")


@pytest.fixture
def editor(site_structure):
    return add_user("eve.editor", "Eve Editorson", ensure_editorial_roles().editors)


def read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_public_images_original_and_rendition_are_served_with_cache_headers(client, public_image):
    rendition = public_image.get_rendition("fill-40x30")
    for url, name in (
        (public_image.file.url, public_image.file.name),
        (rendition.url, rendition.file.name),
    ):
        assert url.startswith(("/media/original_images/", "/media/images/"))
        response = client.get(url)

        assert response.status_code == 200, url
        assert response["Content-Type"] == "image/png"
        assert response["Cache-Control"] == "public, max-age=86400"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["ETag"] and response["Last-Modified"]
        # Never read the session, so a shared cache may keep the answer for everyone.
        assert "Cookie" not in response.get("Vary", "")
        with public_image.file.storage.open(name, "rb") as stored:
            assert read(response) == stored.read()
        # A current copy is not sent again.
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304
        assert again["Cache-Control"] == "public, max-age=86400"


def test_the_cache_lifetime_is_a_setting(client, public_image, settings):
    settings.IMAGE_CACHE_MAX_AGE = 600
    assert client.get(public_image.file.url)["Cache-Control"] == "public, max-age=600"


def test_behind_nginx_the_view_answers_with_x_accel_redirect(client, public_image, settings):
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    response = client.get(public_image.file.url)

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{public_image.file.name}"
    assert response.content == b""
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=86400"


def test_an_image_no_visible_page_uses_is_not_found_except_by_editors(client, unused_image, editor):
    draft_only = add_image("Draft photo", filename="draft.png")
    show_on_a_practice(draft_only, "Draft practice", publish=False)
    for image in (unused_image, draft_only):
        rendition = image.get_rendition("fill-40x30")
        for url in (image.file.url, rendition.url):
            assert client.get(url).status_code == 404, url

    # The admin shows their thumbnails to editors: served, but to them only.
    client.force_login(editor)
    for image in (unused_image, draft_only):
        response = client.get(image.get_rendition("fill-40x30").url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-cache"


def test_an_image_in_a_restricted_collection_is_not_public_even_on_a_public_page(
    client, site_structure
):
    staff_only = Collection.get_first_root_node().add_child(name="Staff only")
    CollectionViewRestriction.objects.create(
        collection=staff_only, restriction_type=CollectionViewRestriction.LOGIN
    )
    # The restriction covers sub-collections too.
    inner = Collection.objects.get(pk=staff_only.pk).add_child(name="Inner")
    image = add_image("Inner photo", inner, filename="inner.png")
    show_on_a_practice(image)

    assert not is_public_image(image)
    assert client.get(image.file.url).status_code == 404
    # Signed in, but with no permission on the image: still nothing.
    client.force_login(add_user("rhea.reader", "Rhea Reader"))
    assert client.get(image.file.url).status_code == 404


def test_an_unpublished_pages_image_stops_being_served(client, site_structure):
    image = add_image("Station photo")
    practice = show_on_a_practice(image)
    assert client.get(image.file.url).status_code == 200
    practice.unpublish()
    assert client.get(image.file.url).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/media/original_images/../documents/guide.txt",
        "/media/original_images/%2e%2e/documents/guide.txt",
        "/media/original_images/..%2fdocuments%2fguide.txt",
        "/media/images/%2Fetc%2Fpasswd.png",
        "/media/original_images//etc/passwd.png",
        "/media/original_images/photo%00.png",
        "/media/original_images/photo.png%00",
        "/media/original_images/..%5c..%5cphoto.png",
        "/media/original_images/./photo.png",
        "/media/original_images/no-such-photo.png",
        "/media/images/no-such-photo.fill-40x30.png",
        "/media/original_images/photo.svg",
        "/media/original_images/",
        "/media/documents/guide.txt",
        "/media/guide.txt",
    ],
)
def test_odd_and_unknown_paths_are_not_found(client, public_image, path):
    document = get_document_model()(title="Guide")
    document.file.save("guide.txt", ContentFile(b"Private guide"), save=False)
    document.save()

    response = client.get(path)

    assert response.status_code == 404
    assert b"Private guide" not in read(response)


def test_only_get_and_head(client, public_image):
    assert client.head(public_image.file.url).status_code == 200
    assert client.post(public_image.file.url).status_code == 405


def test_is_public_image_agrees_with_public_images_in_a_constant_number_of_queries(
    site_structure,
):
    private = Collection.get_first_root_node().add_child(name="Private")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN
    )
    images = [
        add_image("Public", filename="a.png"),
        add_image("Unused", filename="b.png"),
        add_image("Private", private, filename="c.png"),
        add_image("Draft", filename="d.png"),
    ]
    show_on_a_practice(images[0], "Public practice")
    show_on_a_practice(images[2], "Private image practice")
    show_on_a_practice(images[3], "Draft practice", publish=False)
    public = set(public_images().values_list("pk", flat=True))

    def queries_for(image) -> int:
        image = Image.objects.select_related("collection").get(pk=image.pk)
        with CaptureQueriesContext(connection) as queries:
            assert is_public_image(image) == (image.pk in public)
        return len(queries)

    counts = [queries_for(image) for image in images]
    for number in range(10):
        show_on_a_practice(images[0], f"More practice {number}")
        show_on_a_practice(images[1], f"Unpublished practice {number}", publish=False)
    assert [queries_for(image) for image in images] == counts
    assert max(counts) <= 5
