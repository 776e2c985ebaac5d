"""Builders of real document files for upload and extraction tests.

Each builder returns the bytes of a file that the real libraries (pypdf, python-docx,
python-pptx, openpyxl) read as a person's upload would be read, or, for the hostile ones,
a file shaped like the attack it stands for.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence

# --- PDF -------------------------------------------------------------------------------------


def _pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsiEncoding (Helvetica's), with ( ) \\ escaped."""
    raw = text.encode("cp1252", errors="replace")
    out = bytearray(b"(")
    for byte in raw:
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif 32 <= byte < 127:
            out.append(byte)
        else:
            out += b"\\%03o" % byte
    out += b")"
    return bytes(out)


def _pdf_text_string(text: str) -> bytes:
    """A PDF text string in UTF-16 with its byte-order mark: any character, controls too."""
    return b"<" + ("\ufeff" + text).encode("utf-16-be").hex().upper().encode() + b">"


def pdf_with_pages(pages: Sequence[Sequence[str]], title: str | None = None) -> bytes:
    """A valid PDF written by hand: one page per item, each line of text in Helvetica, and
    `title` as its document information title if given.

    The xref table holds the true byte offsets, so strict readers accept it.
    """
    page_count = len(pages)
    # Objects: 1 catalog, 2 pages, 3 font, then a page and its content stream per page.
    page_ids = [4 + 2 * i for i in range(page_count)]
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % pid for pid in page_ids), page_count),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    for page_id, lines in zip(page_ids, pages, strict=True):
        content = bytearray(b"BT\n/F1 12 Tf\n14 TL\n72 760 Td\n")
        for line in lines:
            content += _pdf_string(line) + b" Tj T*\n"
        content += b"ET\n"
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            b" /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (page_id + 1)
        )
        objects[page_id + 1] = b"<< /Length %d >>\nstream\n%s\nendstream" % (
            len(content),
            bytes(content),
        )

    info = b""
    if title is not None:
        info_id = max(objects) + 1
        objects[info_id] = b"<< /Title %s >>" % _pdf_text_string(title)
        info = b" /Info %d 0 R" % info_id

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for obj_id in sorted(objects):
        offsets[obj_id] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (obj_id, objects[obj_id])
    xref_at = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for obj_id in range(1, size):
        out += b"%010d 00000 n \n" % offsets[obj_id]
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        info,
        xref_at,
    )
    return bytes(out)


def pdf_with_text(*lines: str, title: str | None = None) -> bytes:
    """A one-page PDF whose text pypdf extracts as the given lines."""
    return pdf_with_pages([lines], title=title)


def encrypted_pdf(text: str, user_password: str = "seoul-2020") -> bytes:  # noqa: S107
    """A PDF that opens only with a password (RC4-128, which pypdf reads without extras)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf_with_text(text))).pages:
        writer.add_page(page)
    writer.encrypt(user_password=user_password, owner_password="owner-" + user_password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def owner_locked_pdf(text: str) -> bytes:
    """An encrypted PDF with an empty user password: it opens without asking, like most
    'protected' PDFs that only forbid printing or copying."""
    return encrypted_pdf(text, user_password="")


def malformed_pdf() -> bytes:
    """Has the %PDF- header and the %%EOF trailer, so it passes inspection, but the body
    is garbage that no parser can read."""
    body = bytes((i * 37 + 11) % 256 for i in range(4096)).replace(b"%%EOF", b"")
    return b"%PDF-1.7\n" + body + b"\nstartxref\n999999\n%%EOF\n"


def truncated_pdf() -> bytes:
    """A real PDF cut off partway, as an interrupted upload leaves it (no %%EOF)."""
    whole = pdf_with_text("This report was cut off in transit.")
    return whole[: len(whole) // 2]


# --- Office Open XML -------------------------------------------------------------------------


def docx_with_text(
    *paragraphs: str,
    table_rows: Sequence[Sequence[str]] = (),
    heading: str | None = None,
    title: str | None = None,
) -> bytes:
    """A DOCX with one paragraph per argument and, if given, a table after them; `heading`
    as a Heading 1 after the first paragraph, `title` as its document properties' title."""
    import docx

    document = docx.Document()
    if title is not None:
        document.core_properties.title = title
    if heading is not None and not paragraphs:
        document.add_heading(heading, level=1)
    for index, paragraph in enumerate(paragraphs):
        document.add_paragraph(paragraph)
        if heading is not None and index == 0:
            document.add_heading(heading, level=1)
    if table_rows:
        table = document.add_table(rows=len(table_rows), cols=len(table_rows[0]))
        for row, values in zip(table.rows, table_rows, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pptx_with_text(
    *slides: str,
    notes: Sequence[str] = (),
    table_rows: Sequence[Sequence[str]] = (),
) -> bytes:
    """A PPTX with one slide per argument (its text in a title and a text box), speaker
    notes for the first len(notes) slides, and a table on the last slide if given."""
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    layout = presentation.slide_layouts[5]  # "Title Only"
    for index, text in enumerate(slides):
        slide = presentation.slides.add_slide(layout)
        slide.shapes.title.text = f"Slide {index + 1}"
        box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(8), Inches(3))
        box.text_frame.text = text
        if index < len(notes):
            slide.notes_slide.notes_text_frame.text = notes[index]
    if table_rows:
        slide = presentation.slides[-1] if slides else presentation.slides.add_slide(layout)
        shape = slide.shapes.add_table(
            len(table_rows), len(table_rows[0]), Inches(1), Inches(5), Inches(8), Inches(1)
        )
        for r, values in enumerate(table_rows):
            for c, value in enumerate(values):
                shape.table.cell(r, c).text = value
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def xlsx_with_rows(
    rows: Iterable[Sequence[object]], sheet_title: str = "Data", title: str | None = None
) -> bytes:
    """An XLSX with one sheet holding the given rows; `title` as its properties' title."""
    from openpyxl import Workbook

    workbook = Workbook()
    if title is not None:
        workbook.properties.title = title
    sheet = workbook.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _replace_zip_entry(original: bytes, name: str, write_entry) -> bytes:
    """Copy a zip, writing entry `name` with write_entry(stream) instead of its old bytes."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(original)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename == name:
                replacement = zipfile.ZipInfo(name, info.date_time)
                replacement.compress_type = zipfile.ZIP_DEFLATED
                with target.open(replacement, "w", force_zip64=True) as out:
                    write_entry(out)
            else:
                target.writestr(info, source.read(info.filename))
    return buffer.getvalue()


_DOCX_BODY_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body>"
)
_DOCX_BODY_END = b"</w:body></w:document>"


def zip_bomb_docx(unpacked_mb: int = 200) -> bytes:
    """A DOCX whose word/document.xml is valid XML padded with whitespace to unpacked_mb MB:
    a few hundred KB on disk, a compression ratio near 1000:1."""
    chunk = b" " * (1024 * 1024)

    def write(out) -> None:
        out.write(_DOCX_BODY_START + b"<w:p><w:r><w:t>Bomb</w:t></w:r></w:p>")
        for _ in range(unpacked_mb):
            out.write(chunk)
        out.write(_DOCX_BODY_END)

    return _replace_zip_entry(docx_with_text("placeholder"), "word/document.xml", write)


def docx_with_large_body(unpacked_mb: int = 40, seed: int = 7) -> bytes:
    """A DOCX with unpacked_mb MB of paragraphs of random words: not a zip bomb (it
    compresses about 2:1), but parsing it takes several times its size in memory."""
    import random

    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    paragraphs = []
    size = 0
    while size < 1024 * 1024:
        words = " ".join("".join(rng.choices(alphabet, k=rng.randint(3, 9))) for _ in range(20))
        paragraphs.append(f"<w:p><w:r><w:t>{words}</w:t></w:r></w:p>")
        size += len(paragraphs[-1])
    # Repeating a 1 MB block keeps it fast to build; deflate's 32 KB window cannot see
    # the repeats, so the ratio stays low.
    block = "".join(paragraphs).encode()

    def write(out) -> None:
        out.write(_DOCX_BODY_START)
        for _ in range(unpacked_mb):
            out.write(block)
        out.write(_DOCX_BODY_END)

    return _replace_zip_entry(docx_with_text("placeholder"), "word/document.xml", write)


def encrypted_zip_docx() -> bytes:
    """A DOCX whose entries carry the 'encrypted' flag (bit 0), as a zip tool's password
    option leaves them. The bytes are not really encrypted; only the flag matters here."""
    data = bytearray(docx_with_text("secret"))
    # Set bit 0 of the general-purpose flags in every local header and central entry.
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := data.find(signature, start)) != -1:
            (flags,) = struct.unpack_from("<H", data, at + flag_offset)
            struct.pack_into("<H", data, at + flag_offset, flags | 1)
            start = at + 4
    return bytes(data)


def plain_zip(entries: dict[str, bytes]) -> bytes:
    """A zip archive with the given entries (not an Office file)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# --- Other types ------------------------------------------------------------------------------


def png_bytes() -> bytes:
    """A real 1x1 PNG image."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x80\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def ole_file_bytes() -> bytes:
    """The OLE compound file signature and padding: what an old .doc or a password-protected
    .docx starts with."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
