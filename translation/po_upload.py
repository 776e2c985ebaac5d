"""PO files uploaded to wagtail-localize's translation editor: checked, imported, reported.

wagtail-localize's own upload view answered 500 to a request without a file, to a file that
is not a PO file made for a translation, or to a huge one; stored a NUL byte (which
PostgreSQL refuses); and said "Successfully imported" when it had rejected every string.
Here a refused file stores nothing, and the editor is told how many strings were imported
and how many rejected.
"""

from __future__ import annotations

import dataclasses
import tempfile

import polib
from django.contrib import messages
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail_localize.models import Translation

MAX_PO_FILE_BYTES = 5 * 1024 * 1024
PO_TRANSLATION_ID = "X-WagtailLocalize-TranslationID"
PO_TOOL_NAME = "PO File"  # as wagtail-localize records its own uploads


class POUploadRefused(Exception):
    """The file is refused as a whole; the message is for the editor. Nothing was stored."""


@dataclasses.dataclass(frozen=True)
class POImportOutcome:
    imported: int  # translated strings that matched the source and were stored
    rejected: int  # translated strings that matched no source text of this translation

    @property
    def level(self) -> int:
        if not self.imported:
            return messages.ERROR
        return messages.WARNING if self.rejected else messages.SUCCESS

    def message(self) -> str:
        rejected = ngettext(
            "%(count)d translated string was rejected: it does not match this page's source "
            "text (the file may be from an older version of the page).",
            "%(count)d translated strings were rejected: they do not match this page's source "
            "text (the file may be from an older version of the page).",
            self.rejected,
        ) % {"count": self.rejected}
        if not self.imported and not self.rejected:
            return _("Nothing was imported: the PO file holds no translated strings.")
        if not self.imported:
            return _("Nothing was imported.") + " " + rejected
        imported = ngettext(
            "Imported %(count)d translated string from the PO file.",
            "Imported %(count)d translated strings from the PO file.",
            self.imported,
        ) % {"count": self.imported}
        return f"{imported} {rejected}" if self.rejected else imported


def read_po_upload(upload, translation: Translation) -> polib.POFile:
    """The uploaded PO file, or POUploadRefused saying why not."""
    if upload is None:
        raise POUploadRefused(_("Choose a PO file to upload."))
    if upload.size > MAX_PO_FILE_BYTES:
        raise POUploadRefused(_("That file is too big for a PO file of one page (more than 5 MB)."))
    try:
        text = upload.read().decode("utf-8")
    except UnicodeDecodeError:
        raise POUploadRefused(_("That file is not a PO file: it is not UTF-8 text.")) from None
    # polib reads a *file name* when given one, so it only ever sees a temporary file here.
    with tempfile.NamedTemporaryFile("w", suffix=".po", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        try:
            po = polib.pofile(handle.name)
        except (OSError, ValueError):
            raise POUploadRefused(_("That file is not a valid PO file.")) from None
    if PO_TRANSLATION_ID not in po.metadata:
        raise POUploadRefused(
            _("That PO file was not downloaded from this site's translation editor.")
        )
    if po.metadata[PO_TRANSLATION_ID] != str(translation.uuid):
        raise POUploadRefused(
            _("That PO file was made for another translation. Nothing was imported.")
        )
    for entry in po:
        if any("\x00" in (text or "") for text in (entry.msgid, entry.msgstr, entry.msgctxt)):
            raise POUploadRefused(
                _(
                    "That PO file contains a NUL character (line %(line)d), which cannot be "
                    "stored. Nothing was imported."
                )
                % {"line": entry.linenum}
            )
    return po


def import_po_upload(translation: Translation, upload, user) -> POImportOutcome:
    """Import an uploaded PO file into `translation`, all or nothing.

    Raises POUploadRefused when the file is refused as a whole.
    """
    po = read_po_upload(upload, translation)
    with transaction.atomic():
        warnings = translation.import_po(po, user=user, tool_name=PO_TOOL_NAME)
    # import_po skips entries without a translation and warns, by index, about entries that
    # match no string or context of the source.
    warned = {warning.index for warning in warnings}
    translated = [index for index, entry in enumerate(po) if entry.msgstr]
    return POImportOutcome(
        imported=sum(1 for index in translated if index not in warned),
        rejected=sum(1 for index in translated if index in warned),
    )
