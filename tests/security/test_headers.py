"""Every response carries the security headers; the admin gets its looser script policy."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Collection

from core.security_headers import ADMIN_POLICY, PUBLIC_POLICY


def _directives(policy: str) -> dict[str, str]:
    return dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
    )


def _assert_common_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.parametrize(
    "path",
    ["/en/", "/en/search/?q=clinic", "/api/v1/search/?q=clinic", "/api/v2/pages/", "/healthz"],
)
def test_public_pages_and_apis_carry_the_strict_policy(client, site_structure, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == PUBLIC_POLICY
    _assert_common_headers(response)


def test_public_policy_allows_no_inline_script_or_style_element():
    directives = _directives(PUBLIC_POLICY)

    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in directives["default-src"] + directives["script-src"]


def test_a_404_carries_the_headers_too(client, site_structure):
    response = client.get("/en/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Security-Policy"] == PUBLIC_POLICY


def test_admin_login_carries_the_admin_policy(client, db):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == ADMIN_POLICY
    assert "'unsafe-inline'" in _directives(ADMIN_POLICY)["script-src"]
    assert response["X-Frame-Options"] in {"DENY", "SAMEORIGIN"}
    _assert_common_headers(response)


@pytest.mark.parametrize(
    ("name", "data", "content_type", "disposition"),
    [
        ("report.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf", "inline"),
        ("table.csv", b"a,b\n<script>alert(1)</script>,2\n", "text/csv", "attachment"),
        ("notes.txt", b"<html><script>alert(1)</script></html>", "text/plain", "attachment"),
        (
            "slides.pptx",
            b"PK\x05\x06" + b"\0" * 18,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "attachment",
        ),
    ],
)
def test_documents_are_served_with_their_checked_type_and_never_sniffed(
    client, django_user_model, name, data, content_type, disposition
):
    # An editor may fetch any stored file (a public one is served the same way).
    client.force_login(django_user_model.objects.create_superuser("admin", password="x"))
    document = get_document_model().objects.create(
        title=name, file=ContentFile(data, name=name), collection=Collection.get_first_root_node()
    )

    response = client.get(document.url)

    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == content_type
    assert response["Content-Disposition"].startswith(disposition)
    assert response["X-Content-Type-Options"] == "nosniff"
    # The serve view's own policy wins over the site's: nothing in a document may run.
    assert response["Content-Security-Policy"] == "default-src 'none'"


def test_svg_images_are_not_accepted(settings):
    from wagtail.images.utils import get_allowed_image_extensions

    assert "svg" not in get_allowed_image_extensions()


def test_only_the_admin_preview_may_be_framed_and_only_by_the_site(
    client, site_structure, django_user_model
):
    from wagtail.models import Page

    client.force_login(django_user_model.objects.create_superuser("admin", password="x"))
    page = Page.objects.filter(depth=2).first()

    public = client.get("/en/")
    preview = client.get(f"/admin/pages/{page.pk}/edit/preview/")

    assert public["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in public["Content-Security-Policy"]
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]


def test_debug_error_pages_in_development_are_left_without_a_policy(client, settings, db):
    settings.DEBUG = True

    response = client.get("/api/no-such-endpoint")

    assert response.status_code == 404
    assert "Content-Security-Policy" not in response
    assert response["X-Content-Type-Options"] == "nosniff"
