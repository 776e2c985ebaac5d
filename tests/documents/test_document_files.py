"""Upload inspection: a document is accepted for what its bytes are, not what its name says."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from documents.inspection import (
    DocumentKind,
    UploadLimits,
    UploadRejected,
    inspect_upload,
)
from tests.documents import files

LIMITS = UploadLimits(max_bytes=50 * 1024 * 1024)


def rejection(content: bytes, filename: str, limits: UploadLimits = LIMITS) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        inspect_upload(io.BytesIO(content), filename, limits)
    return caught.value


class SizedStream(io.BytesIO):
    """A file that says it is larger than the bytes it holds, as UploadedFile.size does."""

    def __init__(self, content: bytes, size: int) -> None:
        super().__init__(content)
        self.size = size


@pytest.mark.parametrize(
    ("filename", "content", "kind"),
    [
        ("summit-report.pdf", files.pdf_with_text("Seoul's response"), DocumentKind.PDF),
        ("minutes.docx", files.docx_with_text("Session minutes"), DocumentKind.DOCX),
        ("slides.pptx", files.pptx_with_text("Drive-through testing"), DocumentKind.PPTX),
        ("cases.xlsx", files.xlsx_with_rows([["District", "Cases"]]), DocumentKind.XLSX),
        ("cases.csv", "구,확진자\n종로구,12\n".encode("utf-8-sig"), DocumentKind.CSV),
        ("notes.txt", "서울시 코로나19 대응\n".encode(), DocumentKind.TXT),
        ("SLIDES.PPTX", files.pptx_with_text("Upper-case name"), DocumentKind.PPTX),
        ("C:\\Users\\kim\\report.pdf", files.pdf_with_text("Windows path"), DocumentKind.PDF),
    ],
)
def test_real_documents_are_accepted_as_their_kind(filename, content, kind):
    assert inspect_upload(io.BytesIO(content), filename, LIMITS) == kind


def test_django_uploaded_files_are_inspected_and_left_at_the_start(tmp_path):
    content = files.docx_with_text("Rapporteur summary")
    in_memory = SimpleUploadedFile("summary.docx", content)
    on_disk = TemporaryUploadedFile("summary.docx", "application/octet-stream", len(content), None)
    on_disk.write(content)
    for upload in (in_memory, on_disk):
        upload.seek(100)
        assert inspect_upload(upload, upload.name, LIMITS) == DocumentKind.DOCX
        assert upload.tell() == 0
        assert upload.read() == content
    on_disk.close()


def test_a_rejected_file_is_also_left_at_the_start():
    stream = io.BytesIO(files.png_bytes())
    with pytest.raises(UploadRejected):
        inspect_upload(stream, "slides.pdf", LIMITS)
    assert stream.tell() == 0


def test_an_empty_file_is_rejected():
    error = rejection(b"", "report.pdf")
    assert error.code == "empty"
    assert "“report.pdf”" in error.message


def test_a_file_over_the_limit_is_rejected_with_both_sizes():
    stream = SizedStream(files.docx_with_text("big"), size=64_172_851)
    with pytest.raises(UploadRejected) as caught:
        inspect_upload(stream, "report.docx", LIMITS)
    assert caught.value.code == "too_large"
    assert caught.value.message == "“report.docx” is 61.2 MB; the limit is 50 MB."


def test_a_file_just_over_the_limit_shows_exact_sizes():
    stream = SizedStream(b"a,b\n", size=1024 * 1024 + 1)
    with pytest.raises(UploadRejected) as caught:
        inspect_upload(stream, "data.csv", UploadLimits(max_bytes=1024 * 1024))
    assert caught.value.code == "too_large"
    assert caught.value.message == ("“data.csv” is 1,048,577 bytes; the limit is 1,048,576 bytes.")


def test_a_stream_without_a_size_is_measured():
    limits = UploadLimits(max_bytes=2048)
    error = rejection(b"x" * 5000, "data.txt", limits)
    assert error.code == "too_large"
    assert "4.9 KB" in error.message


@pytest.mark.parametrize("filename", ["photo.heic", "archive.zip", "slides.key", "README"])
def test_other_extensions_are_unsupported(filename):
    error = rejection(b"plain words", filename)
    assert error.code == "unsupported_type"
    assert f"“{filename}”" in error.message
    assert ".docx" in error.message


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("slides.pdf", files.png_bytes(), "“slides.pdf” is a PNG image, not a PDF."),
        (
            "photo.docx",
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(100),
            "“photo.docx” is a JPEG image, not a Word document (.docx).",
        ),
        ("anim.pptx", b"GIF89a" + bytes(100), "is a GIF image, not a PowerPoint"),
        ("setup.pdf", b"MZ\x90\x00\x03\x00" + bytes(200), "“setup.pdf” is a Windows program"),
        ("tool.xlsx", b"\x7fELF\x02\x01\x01" + bytes(200), "is a Linux program"),
        (
            "report.pdf",
            b"<!DOCTYPE html><html><body>Login required</body></html>",
            "“report.pdf” is an HTML page, not a PDF.",
        ),
        ("page.txt", b"\n  <html><body>x</body></html>", "is an HTML page, not a plain-text"),
        ("report.pdf", b"Just some words.\n", "“report.pdf” is a plain-text file, not a PDF."),
        ("report.pdf", bytes(range(256)) * 4, "is a file of another type, not a PDF."),
        (
            "minutes.pptx",
            files.docx_with_text("x"),
            "“minutes.pptx” is a Word document (.docx), not a PowerPoint presentation (.pptx).",
        ),
        (
            "report.docx",
            files.pdf_with_text("x"),
            "“report.docx” is a PDF, not a Word document (.docx).",
        ),
        ("cases.csv", files.xlsx_with_rows([[1]]), "is an Excel workbook (.xlsx), not a CSV"),
        ("cases.txt", files.pdf_with_text("x"), "is a PDF, not a plain-text file."),
        (
            "bundle.docx",
            files.plain_zip({"a.txt": b"hello", "b.txt": b"world"}),
            "“bundle.docx” is a ZIP archive, not a Word document (.docx).",
        ),
    ],
)
def test_content_that_is_not_what_the_name_says_is_named_in_the_message(filename, content, message):
    error = rejection(content, filename)
    assert error.code == "type_mismatch"
    assert message in error.message


def test_a_zip_with_the_main_part_but_no_content_types_is_not_office():
    content = files.plain_zip({"word/document.xml": b"<w:document/>"})
    error = rejection(content, "letter.docx")
    assert error.code == "type_mismatch"
    assert "ZIP archive" in error.message


def test_a_cut_off_pdf_is_damaged():
    error = rejection(files.truncated_pdf(), "report.pdf")
    assert error.code == "damaged"
    assert "“report.pdf”" in error.message


def test_a_pdf_with_a_garbage_body_passes_inspection():
    # Inspection reads only the ends; the extractor finds the damage later.
    assert inspect_upload(io.BytesIO(files.malformed_pdf()), "x.pdf", LIMITS) == DocumentKind.PDF


def test_a_pdf_header_after_some_junk_is_still_a_pdf():
    content = b"\x00junk from a mail gateway\n" + files.pdf_with_text("late header")
    assert inspect_upload(io.BytesIO(content), "late.pdf", LIMITS) == DocumentKind.PDF


def test_a_zip_whose_directory_is_missing_is_damaged():
    whole = files.docx_with_text("cut off")
    error = rejection(whole[: len(whole) // 2], "minutes.docx")
    assert error.code == "damaged"


def test_a_highly_compressed_docx_is_refused_as_a_zip_bomb():
    error = rejection(files.zip_bomb_docx(unpacked_mb=200), "innocent.docx")
    assert error.code == "zip_bomb"
    assert re.search(r"is compressed \d{3,} to 1, .*\(the limit is 100 to 1\)", error.message)
    assert "“innocent.docx”" in error.message


def test_too_much_unpacked_data_is_refused_as_a_zip_bomb():
    content = files.docx_with_text("fine on its own")
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(content)).infolist())
    error = rejection(content, "x.docx", UploadLimits(max_bytes=10**8, max_unpacked_bytes=1000))
    assert error.code == "zip_bomb"
    assert declared > 1000
    assert "would unpack to" in error.message


def test_too_many_parts_are_refused_as_a_zip_bomb():
    content = files.pptx_with_text("one", "two")
    error = rejection(content, "x.pptx", UploadLimits(max_bytes=10**8, max_zip_entries=5))
    assert error.code == "zip_bomb"
    assert "internal parts" in error.message


def test_small_parts_may_compress_well():
    # A 1 MB run of spaces compresses ~1000:1 but is too small to matter.
    content = files.zip_bomb_docx(unpacked_mb=0)
    assert inspect_upload(io.BytesIO(content), "x.docx", LIMITS) == DocumentKind.DOCX


@pytest.mark.parametrize("filename", ["budget.xlsx", "minutes.docx", "old-minutes.doc"])
def test_ole_files_are_password_protected_or_old_office(filename):
    error = rejection(files.ole_file_bytes(), filename)
    assert error.code == "password_protected"
    assert f"“{filename}”" in error.message
    assert ".docx, .pptx or .xlsx without a password" in error.message


def test_a_zip_with_encrypted_entries_is_password_protected():
    error = rejection(files.encrypted_zip_docx(), "secret.docx")
    assert error.code == "password_protected"
    assert "without a password" in error.message


@pytest.mark.parametrize(
    "content",
    [
        "café,1\n".encode("latin-1"),
        "번호,구\n".encode("euc-kr"),
        "plain text".encode("utf-16"),
        b"text with a \x00 NUL byte",
    ],
)
def test_text_files_must_be_utf8_without_nul_bytes(content):
    error = rejection(content, "data.csv")
    assert error.code == "not_text"
    assert "UTF-8" in error.message


def test_a_character_cut_at_the_end_of_the_checked_sample_is_fine():
    content = b"a" * (64 * 1024 - 1) + "한국어".encode() + b"\n"
    assert inspect_upload(io.BytesIO(content), "long.txt", LIMITS) == DocumentKind.TXT


def test_a_short_text_file_ending_mid_character_is_not_text():
    error = rejection(b"abc" + "한".encode()[:2], "short.txt")
    assert error.code == "not_text"


def test_a_csv_whose_first_cell_is_mz_is_text():
    assert inspect_upload(io.BytesIO(b"MZ,Mazowieckie\n"), "regions.csv", LIMITS) == "csv"


def test_rejection_is_a_value_error_carrying_its_message():
    error = rejection(b"", "x.pdf")
    assert isinstance(error, ValueError)
    assert str(error) == error.message


def test_limits_come_from_settings(settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1234
    settings.DOCUMENT_MAX_UNPACKED_BYTES = 5678
    settings.DOCUMENT_MAX_COMPRESSION_RATIO = 42
    assert UploadLimits.from_settings() == UploadLimits(
        max_bytes=1234, max_unpacked_bytes=5678, max_compression_ratio=42
    )


def test_limits_default_when_settings_are_absent(settings):
    del settings.DOCUMENT_MAX_UNPACKED_BYTES
    del settings.DOCUMENT_MAX_COMPRESSION_RATIO
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = None
    assert UploadLimits.from_settings() == UploadLimits(
        max_bytes=50 * 1024 * 1024,
        max_unpacked_bytes=300 * 1024 * 1024,
        max_compression_ratio=100,
        max_zip_entries=10_000,
    )
