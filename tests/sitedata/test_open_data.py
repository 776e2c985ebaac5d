"""The open data: export command, download page and files. Only what the public may see."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from wagtail.models import PageViewRestriction

from knowledge.models import City, PracticePage
from sitedata.open_data import CSV_COLUMNS, RECORD_FIELDS
from tests.sitedata.records import demo_record, demo_records

DRAFT_SLUG = "return-to-office-guideline"


@pytest.fixture
def demo_practices(db):
    call_command("load_demo_practices", stdout=io.StringIO())


def export(export_format: str = "json") -> str:
    out = io.StringIO()
    call_command("export_practices", "--format", export_format, stdout=out)
    return out.getvalue()


def json_records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def download(client, url: str) -> tuple:
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body.decode("utf-8")


def test_export_holds_every_visible_practice_in_the_import_format(demo_practices):
    records = json_records(export("json"))

    visible = PracticePage.objects.live().count()
    assert len(records) == visible == PracticePage.objects.count() - 1
    assert all(list(record) == list(RECORD_FIELDS) for record in records)
    assert DRAFT_SLUG not in {record["slug"] for record in records}
    korean = [record for record in records if record["locale"] == "ko"]
    translated = [record for record in korean if record["translation_of"]]
    # Some Korean practices are translations of English ones, others exist only in Korean.
    assert translated and len(translated) < len(korean)
    english_slugs = {record["slug"] for record in records if record["locale"] == "en"}
    assert {record["translation_of"] for record in translated} <= english_slugs
    # Sources come before their translations, so the file imports in one pass.
    assert [record["locale"] for record in records] == sorted(
        (record["locale"] for record in records), key=lambda code: code != "en"
    )
    screening = next(r for r in records if r["slug"] == "drive-through-screening-clinics")
    # Its paragraphs come out as they went in.
    assert screening["body"] == demo_record("drive-through-screening-clinics")["body"]
    assert screening["body"].count("\n\n") >= 1
    assert screening["topics"] == ["quarantine"]
    assert (screening["city"], screening["country"]) == ("Seoul", "KR")
    assert screening["url"].endswith("/en/practices/drive-through-screening-clinics/")


def test_export_imports_back_into_an_empty_database_unchanged(demo_practices, tmp_path):
    first = export("json")
    path = tmp_path / "export.jsonl"
    path.write_text(first, encoding="utf-8")
    for page in PracticePage.objects.all():
        page.delete()
    City.objects.all().delete()
    assert export("json") == ""

    call_command("import_practices", str(path), stdout=io.StringIO())

    # Everything comes back but the contacts' e-mail addresses, which an export never
    # publishes: without them there is no contact form to point to.
    def without_contact_form(text: str) -> list[dict]:
        return [json.loads(line) | {"contact_form": ""} for line in text.splitlines()]

    assert any(json.loads(line)["contact_form"] for line in first.splitlines())
    assert without_contact_form(export("json")) == without_contact_form(first)
    assert not any(json.loads(line)["contact_form"] for line in export("json").splitlines())


def test_importing_an_export_into_the_same_database_changes_nothing(demo_practices, tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text(export("json"), encoding="utf-8")
    out = io.StringIO()

    call_command("import_practices", str(path), stdout=out)

    assert "0 created, 0 updated" in out.getvalue()


def test_export_to_a_file(demo_practices, tmp_path):
    path = tmp_path / "practices.csv"

    call_command("export_practices", "--format", "csv", "--output", str(path))

    assert path.read_bytes().decode("utf-8") == export("csv")


def test_csv_has_one_row_per_practice_with_lists_joined(demo_practices):
    text = export("csv")
    # A byte-order mark first: Excel then reads the file as UTF-8, Korean included.
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))

    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == PracticePage.objects.live().count()
    # A practice in several topic areas: its topics are joined with ";".
    several = next(r for r in demo_records() if r["locale"] == "en" and len(r["topics"]) > 1)
    row = next(row for row in rows if row["slug"] == several["slug"] and row["locale"] == "en")
    assert set(row["topics"].split(";")) == set(several["topics"])
    screening = next(row for row in rows if row["slug"] == "drive-through-screening-clinics")
    assert (
        screening["contact_organisation"]
        == (demo_record("drive-through-screening-clinics")["contact"]["organisation"])
    )
    assert "\n\n" in screening["body"]


def test_unpublished_private_and_draft_practices_are_left_out(demo_practices):
    unpublished = PracticePage.objects.get(slug="milan-open-roads", locale__language_code="en")
    unpublished.unpublish()
    private = PracticePage.objects.get(slug="seoul-green-new-deal", locale__language_code="en")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    # The English source of a Korean translation goes private: the translation stays,
    # but must not name a slug the public cannot see.
    source = PracticePage.objects.get(slug="itaewon-anonymous-testing", locale__language_code="en")
    PageViewRestriction.objects.create(page=source, restriction_type="login")

    records = json_records(export("json"))

    slugs = {(record["locale"], record["slug"]) for record in records}
    assert ("en", "milan-open-roads") not in slugs
    assert ("en", "seoul-green-new-deal") not in slugs
    assert ("en", "itaewon-anonymous-testing") not in slugs
    assert ("en", DRAFT_SLUG) not in slugs
    korean = next(r for r in records if r["slug"] == "itaewon-anonymous-testing")
    assert korean["translation_of"] is None


def test_download_page_describes_the_data_set(demo_practices, client):
    response = client.get("/en/open-data/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/open-data/practices.csv" in html
    assert "/open-data/practices.json" in html
    assert "CC BY 4.0" in html
    assert "https://creativecommons.org/licenses/by/4.0/" in html
    visible = PracticePage.objects.live().count()
    assert f"<dd>{visible}</dd>" in html
    for field in RECORD_FIELDS:
        assert f'<code dir="ltr">{field}</code>' in html


def test_download_page_in_korean(demo_practices, client):
    assert client.get("/ko/open-data/").status_code == 200


def test_download_page_with_no_practices_yet(db, client):
    assert client.get("/en/open-data/").status_code == 200


@pytest.mark.parametrize(
    ("export_format", "content_type", "extension"),
    [("csv", "text/csv", "csv"), ("json", "application/x-ndjson", "jsonl")],
)
def test_downloads_are_attachments_of_live_practices_only(
    demo_practices, client, export_format, content_type, extension
):
    response, body = download(client, f"/open-data/practices.{export_format}")

    assert response.status_code == 200
    assert response["Content-Type"] == f"{content_type}; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="cac-practices.{extension}"'
    assert DRAFT_SLUG not in body
    assert "drive-through-screening-clinics" in body
    assert "선별진료소" in body


def test_json_download_is_the_same_data_as_the_export_command(demo_practices, client):
    _response, body = download(client, "/open-data/practices.json")

    by_url = {record["slug"] + record["locale"]: record for record in json_records(export())}
    for record in json_records(body):
        expected = by_url[record["slug"] + record["locale"]]

        # Addresses are on the host asked (here testserver), the command's on its own.
        def on_no_host(each: dict) -> dict:
            return each | {"url": "", "contact_form": bool(each["contact_form"])}

        assert on_no_host(record) == on_no_host(expected)


@pytest.mark.parametrize(
    "url",
    [
        "/open-data/practices.xml",
        "/open-data/practices.JSON",
        "/open-data/practices.",
        "/open-data/practices.json.exe",
        "/open-data/practices.csv/",
        "/open-data/practices/",
    ],
)
def test_odd_formats_are_not_found(db, client, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/en/open-data/?page=-1&format=xml",
        "/en/open-data/?%00=%ff",
        "/open-data/practices.csv?limit=abc",
        "/open-data/practices.json?locale=%ff",
    ],
)
def test_odd_queries_are_ignored(demo_practices, client, url):
    response, _body = download(client, url)

    assert response.status_code == 200


def test_reimporting_an_export_keeps_the_contacts_addresses(demo_practices, tmp_path):
    page = PracticePage.objects.exclude(contact_email="").first()
    address, revisions = page.contact_email, page.revisions.count()
    exported = export("json")
    assert address not in exported
    path = tmp_path / "export.jsonl"
    path.write_text(exported, encoding="utf-8")

    call_command("import_practices", str(path), stdout=io.StringIO())

    page.refresh_from_db()
    assert page.contact_email == address
    assert page.revisions.count() == revisions  # nothing changed, so nothing was written
