"""A document uploaded under its file name is titled from its content: its metadata title,
else its first heading or meaningful line; hostile metadata is cleaned, and an editor's own
title is never replaced."""

from __future__ import annotations

import unicodedata

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.models import Collection

from documents.services import extract_and_store
from documents.titles import TITLE_MAX_CHARS, clean_title, title_is_file_name
from editorial.roles import ensure_editorial_roles
from tests.documents import files
from tests.editorial.factories import add_user

Document = get_document_model()


def _stored(name: str, data: bytes, title: str | None = None):
    """A document as Wagtail's multiple upload leaves it (titled with its file name), with
    its text job run."""
    document = Document.objects.create(
        title=name if title is None else title,
        file=ContentFile(data, name=name),
        collection=Collection.get_first_root_node(),
    )
    extract_and_store(document.pk)
    document.refresh_from_db()
    return document


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_uploaded_pdf_takes_its_metadata_title(tasks_in_process, client):
    editor = add_user("editor", "Eun Editor", ensure_editorial_roles().editors)
    client.force_login(editor)
    data = files.pdf_with_text("Page one", title="Seoul drive-through screening guide")
    response = client.post(
        reverse("wagtaildocs:add_multiple"),
        {
            "files[]": SimpleUploadedFile("scan_0042.pdf", data),
            "collection": Collection.get_first_root_node().pk,
        },
    )
    assert response.json()["success"] is True
    document = Document.objects.get()
    assert document.title == "Seoul drive-through screening guide"
    # The editor can still change it.
    response = client.post(
        reverse("wagtaildocs:edit", args=[document.pk]),
        {"title": "Screening guide (2020)", "collection": document.collection_id},
    )
    document.refresh_from_db()
    assert document.title == "Screening guide (2020)"


@pytest.mark.django_db
def test_a_docx_without_a_metadata_title_takes_its_first_heading():
    data = files.docx_with_text("Draft 3 - internal", heading="Mask distribution in pharmacies")
    assert _stored("masks.docx", data).title == "Mask distribution in pharmacies"


@pytest.mark.django_db
def test_slides_with_placeholder_titles_take_their_first_meaningful_line():
    # python-pptx's slides are titled "Slide 1", "Slide 2": placeholders, not titles.
    data = files.pptx_with_text("Ferries to the islands kept running", "Second slide")
    assert _stored("deck.pptx", data).title == "Ferries to the islands kept running"


@pytest.mark.django_db
def test_a_file_with_nothing_that_names_it_keeps_its_file_name():
    spreadsheet = _stored("cases.xlsx", files.xlsx_with_rows([["Date", "Cases"], [1, 2]]))
    assert spreadsheet.title == "cases.xlsx"
    numbers = _stored("123.txt", b"42\n\n7 - 9\n")
    assert numbers.title == "123.txt"


@pytest.mark.django_db
def test_a_spreadsheet_takes_only_its_metadata_title():
    data = files.xlsx_with_rows([["Date", "Cases"]], title="Daily confirmed cases, Seoul")
    assert _stored("cases.xlsx", data).title == "Daily confirmed cases, Seoul"


@pytest.mark.django_db
def test_an_editors_own_title_is_kept():
    data = files.pdf_with_text("Page one", title="Metadata title")
    assert _stored("guide.pdf", data, title="Our screening guide").title == "Our screening guide"


@pytest.mark.django_db
def test_the_file_name_without_its_extension_counts_as_the_default_title():
    data = files.pdf_with_text("Page one", title="Contact tracing handbook")
    assert _stored("handbook.pdf", data, title="handbook").title == "Contact tracing handbook"


@pytest.mark.django_db
def test_hostile_metadata_is_cleaned_and_capped():
    hostile = "\u202eevil\u0007 \x00title\u200b   with\ttabs " + "long " * 2000
    document = _stored("h.pdf", files.pdf_with_text("Page one", title=hostile))
    assert len(document.title) <= TITLE_MAX_CHARS
    assert document.title.startswith("evil title with tabs long")
    assert not any(unicodedata.category(char).startswith("C") for char in document.title)


@pytest.mark.django_db
def test_metadata_that_says_nothing_falls_back_to_the_text():
    for placeholder in ("Untitled", "Microsoft Word - report.docx", "\u202e\u0007", "h.pdf"):
        data = files.pdf_with_text("Quarantine hotel checklist", title=placeholder)
        assert _stored("h.pdf", data).title == "Quarantine hotel checklist", placeholder


def test_titles_are_cleaned_to_one_visible_line():
    assert clean_title("  Seoul\r\n\u2028guide\u202e ") == "Seoul guide"
    long_title = clean_title("word " * 100)
    assert len(long_title) <= TITLE_MAX_CHARS
    assert long_title.endswith("word…")


def test_a_file_name_renamed_by_storage_is_still_the_file_name():
    assert title_is_file_name("report.pdf", "report_AbC1234.pdf")
    assert title_is_file_name("report", "report_AbC1234.pdf")
    assert title_is_file_name("report_AbC1234", "report_AbC1234.pdf")
    assert not title_is_file_name("Annual report", "report.pdf")
