"""Every absolute address the site gives names where it is reached: the API, the search API
and the open-data files name the host and scheme of the request (behind the proxy too); the
e-mails name WAGTAILADMIN_BASE_URL (tests/editorial/test_rapporteur_journey.py, and the
password reset here). Never 127.0.0.1:8000 nor localhost."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.models import Locale

from home.site_structure import practice_index_for
from search.documents import iter_search_documents
from search.engines.selection import get_engine
from tests.knowledge.test_public_api import add_practice, make_document, make_image

pytestmark = pytest.mark.django_db

HOST = "data.cac.example"
BEHIND_PROXY = {"HTTP_HOST": HOST, "HTTP_X_FORWARDED_PROTO": "https"}
EXPECTED_ORIGIN = f"https://{HOST}/"


@pytest.fixture
def proxied(settings):
    """Production's proxy settings, and a host name the development default never names."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = [HOST, "testserver"]
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"


@pytest.fixture
def published(summit):
    index = practice_index_for(Locale.get_default())
    image = make_image("clinic-photo")
    practice = add_practice(index, "drive-through-clinics", attachment=make_document("slides"))
    practice.body = [("image", {"image": image, "alt_text": "", "caption": ""})]
    practice.save_revision().publish()
    get_engine().rebuild(iter_search_documents())
    return practice


def urls_in(value, key: str = "") -> Iterator[str]:
    """Every value of a key ending in `url` (url, detail_url, html_url, download_url)."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from urls_in(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from urls_in(item, key)
    elif key.endswith("url") and isinstance(value, str) and value:
        yield value


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode("utf-8")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v2/pages/",
        "/api/v2/pages/?type=knowledge.PracticePage&fields=*",
        "/api/v2/images/",
        "/api/v2/documents/",
        "/api/v1/search/?q=drive",
    ],
)
def test_api_urls_name_the_host_and_scheme_the_client_asked(client, proxied, published, path):
    response = client.get(path, **BEHIND_PROXY)

    assert response.status_code == 200, body(response)
    urls = list(urls_in(response.json()))
    assert urls, response.json()
    assert all(url.startswith(EXPECTED_ORIGIN) for url in urls), urls


def test_api_detail_and_find_name_the_host_asked(client, proxied, published):
    detail = client.get(f"/api/v2/pages/{published.pk}/", **BEHIND_PROXY).json()
    found = client.get(
        "/api/v2/pages/find/", {"html_path": published.url_path.split("/", 2)[-1]}, **BEHIND_PROXY
    )
    document = client.get("/api/v2/documents/find/", {"id": "999999"}, **BEHIND_PROXY)

    assert detail["meta"]["html_url"] == f"https://{HOST}{published.url}"
    assert detail["meta"]["detail_url"] == f"https://{HOST}/api/v2/pages/{published.pk}/"
    assert all(url.startswith(EXPECTED_ORIGIN) for url in urls_in(detail))
    assert found.status_code == 302
    assert found["Location"] == f"https://{HOST}/api/v2/pages/{published.pk}/"
    assert document.status_code == 404


def test_a_host_outside_allowed_hosts_is_refused(client, proxied, published):
    response = client.get("/api/v2/pages/", HTTP_HOST="evil.example")

    assert response.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/open-data/practices.csv",
        "/open-data/practices.json",
        "/open-data/session-summaries.json",
        "/en/open-data/search.csv?q=drive",
        "/en/open-data/search.json?q=drive",
    ],
)
def test_open_data_files_name_the_host_and_scheme_the_client_asked(
    client, proxied, published, path
):
    response = client.get(path, **BEHIND_PROXY)
    text = body(response)

    assert response.status_code == 200, text
    if ".csv" in path:
        rows = list(csv.DictReader(io.StringIO(text)))
        urls = [row["url"] for row in rows]
    else:
        urls = [json.loads(line)["url"] for line in text.splitlines()]
    assert all(url.startswith(EXPECTED_ORIGIN) for url in urls), urls
    assert "127.0.0.1" not in text and "localhost" not in text
    assert (
        response["Link"] == f'<https://{HOST}{reverse("open_data_dictionary")}>; rel="describedby"'
    )


def test_password_reset_email_names_the_public_address_not_the_host_asked(
    client, settings, django_user_model
):
    settings.WAGTAILADMIN_BASE_URL = "https://cac.example.org"
    django_user_model.objects.create_user("official", "official@example.org", "pw-2020-long")

    client.post(
        reverse("wagtailadmin_password_reset"),
        {"email": "official@example.org"},
        HTTP_HOST="127.0.0.1:8000",
    )

    [email] = mail.outbox
    links = [word for word in email.body.split() if "://" in word]
    assert links and all(link.startswith("https://cac.example.org/admin/") for link in links)
