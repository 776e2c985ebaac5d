"""Uploaded documents' text: asking for it, extracting it, storing it.

Every upload route (the rapporteur's summary form, Wagtail's document views, the chooser,
scripts) ends in a Document save, so one post_save receiver asks for the text. The job runs
on Celery; the parsing itself runs in a child process with time and memory limits
(text_extraction.py), so a hostile file ends as a recorded failure.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.documents import get_document_model

from core.wagtail_internals import set_document_file_metadata, set_file_hash
from documents.extraction import extract_in_sandbox
from documents.inspection import UploadLimits, UploadRejected, inspect_upload
from documents.models import DocumentText
from documents.titles import title_from_content, title_is_file_name

logger = logging.getLogger(__name__)

# A job still waiting or running this long after it was asked for is queued again: its
# message was lost (broker down at upload time) or its worker died.
STALLED_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3
# Their text is sheet names and cells: only their metadata title names them.
SPREADSHEET_KINDS = frozenset({"xlsx", "csv"})


def _current_hash(document) -> str:
    # Documents saved outside Wagtail's forms may not have their hash yet.
    if not document.file_hash and document.file:
        set_file_hash(document)
        type(document).objects.filter(pk=document.pk).update(file_hash=document.file_hash)
    return document.file_hash


def mark_text_wanted(document, *, force: bool = False) -> DocumentText | None:
    """Record that `document` needs its text; the record when a job must run, else None.

    The text of this very file, once known, is kept unless `force`. The caller queues the job
    (documents/receivers.py, after commit).
    """
    if not document.file:
        return None
    file_hash = _current_hash(document)
    record = DocumentText.objects.filter(document=document).first()
    if record is not None and record.source_hash == file_hash and not force:
        return None
    record, _created = DocumentText.objects.update_or_create(
        document=document,
        defaults={
            "status": DocumentText.Status.PENDING,
            "source_hash": file_hash,
            "kind": "",
            "text": "",
            "truncated": False,
            "error_code": "",
            "error_detail": "",
            "attempts": 0,
            "requested_at": timezone.now(),
            "finished_at": None,
            "duration_ms": None,
        },
    )
    return record


def _read_file(document) -> bytes:
    with document.open_file() as handle:
        return handle.read()


def extract_and_store(document_id: int) -> DocumentText | None:
    """The job: take the document's text out in a sandbox and store the outcome."""
    document = get_document_model().objects.filter(pk=document_id).first()
    if document is None:
        return None  # deleted since the upload; its record went with it
    with transaction.atomic():
        record = DocumentText.objects.select_for_update().filter(document_id=document_id).first()
        if record is None or record.status == DocumentText.Status.DONE:
            return record
        wanted_hash = record.source_hash
        record.status = DocumentText.Status.RUNNING
        record.attempts += 1
        record.save(update_fields=["status", "attempts"])

    started = time.monotonic()
    outcome = _extract(document)
    duration_ms = int((time.monotonic() - started) * 1000)

    with transaction.atomic():
        record = DocumentText.objects.select_for_update().filter(document_id=document_id).first()
        if record is None or record.source_hash != wanted_hash:
            # A new file was uploaded meanwhile; its own job stores its own text.
            return record
        record.kind = outcome.get("kind", "")
        record.text = outcome.get("text", "")
        record.truncated = outcome.get("truncated", False)
        record.error_code = outcome.get("error_code", "")
        record.error_detail = outcome.get("detail", "")
        record.status = (
            DocumentText.Status.FAILED if record.error_code else DocumentText.Status.DONE
        )
        record.finished_at = timezone.now()
        record.duration_ms = duration_ms
        record.save()
    if record.status == DocumentText.Status.DONE:
        title_document_from_content(
            document,
            outcome.get("title_candidates", ()),
            record.text,
            from_lines=record.kind not in SPREADSHEET_KINDS,
        )
    logger.info(
        "document %s text: %s in %d ms (%d characters)",
        document_id,
        record.status,
        duration_ms,
        len(record.text),
    )
    return record


def title_document_from_content(
    document, candidates, text: str, *, from_lines: bool = True
) -> bool:
    """Give a document still titled with its file name the title its content carries.

    Returns whether the title changed. An editor's own title is never replaced.
    """
    if not title_is_file_name(document.title, document.filename):
        return False
    title = title_from_content(candidates, text, document.filename, from_lines=from_lines)
    if title is None:
        return False
    with transaction.atomic():
        current = type(document).objects.select_for_update().filter(pk=document.pk).first()
        # The editor may have renamed it while the text was being read.
        if current is None or current.title != document.title:
            return False
        current.title = title
        # save(), not update(): Wagtail's own search index of documents follows the title.
        current.save(update_fields=["title"])
    logger.info("document %s titled from its content", document.pk)
    return True


def _extract(document) -> dict:
    try:
        data = _read_file(document)
    except OSError as error:
        return {"error_code": "missing", "detail": str(error)[:500]}
    # Files from before upload checks, or saved by scripts, are checked here too.
    try:
        kind = inspect_upload(_BytesFile(data), document.filename, UploadLimits.from_settings())
    except UploadRejected as rejection:
        return {"error_code": rejection.code, "detail": str(rejection.message)[:500]}
    result = extract_in_sandbox(
        data,
        str(kind),
        time_limit_s=settings.DOCUMENT_TEXT_TIME_LIMIT_SECONDS,
        memory_limit_bytes=settings.DOCUMENT_TEXT_MEMORY_LIMIT_MB * 1024 * 1024,
        max_chars=settings.DOCUMENT_TEXT_MAX_CHARS,
    )
    if not result.ok:
        return {"kind": str(kind), "error_code": result.error_code, "detail": result.detail}
    return {
        "kind": str(kind),
        "text": result.text,
        "truncated": result.truncated,
        "title_candidates": result.title_candidates,
    }


class _BytesFile:
    """The bytes of a stored file, seekable like the upload the checks expect."""

    def __init__(self, data: bytes):
        import io

        self._buffer = io.BytesIO(data)
        self.size = len(data)

    def __getattr__(self, name):
        return getattr(self._buffer, name)


def reset_stalled_extractions() -> list[int]:
    """The jobs whose message was lost or whose worker died, reset to pending: their ids.

    A job that failed MAX_ATTEMPTS times is given up as crashed instead.
    """
    cutoff = timezone.now() - STALLED_AFTER
    stalled = DocumentText.objects.filter(
        status__in=[DocumentText.Status.PENDING, DocumentText.Status.RUNNING],
        requested_at__lt=cutoff,
    )
    to_queue = []
    for record in stalled:
        if record.attempts >= MAX_ATTEMPTS:
            DocumentText.objects.filter(pk=record.pk).update(
                status=DocumentText.Status.FAILED,
                error_code="crashed",
                error_detail=f"gave up after {record.attempts} attempts",
                finished_at=timezone.now(),
            )
            continue
        DocumentText.objects.filter(pk=record.pk).update(
            status=DocumentText.Status.PENDING, requested_at=timezone.now()
        )
        to_queue.append(record.pk)
    return to_queue


def store_checked_uploads(files, collection, user) -> list:
    """Save uploads that passed `documents.forms.check_uploads` as documents in `collection`.

    Call inside the caller's transaction; on failure the caller deletes the stored files."""
    document_model = get_document_model()
    documents = []
    for uploaded in files:
        document = document_model(
            title=Path(uploaded.name).stem[:255] or uploaded.name,
            file=uploaded,
            collection=collection,
            uploaded_by_user=user,
        )
        set_document_file_metadata(document)
        document.save()
        documents.append(document)
    return documents
