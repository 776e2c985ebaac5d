"""A rapporteur's session summary: its state in moderation, and saving it from the guided form.

The form (editorial/forms.py) is the short road for summit guests; editors may still
open the same page in Wagtail's editor. Both end in page revisions and Wagtail's moderation
workflow, so moderators review summaries where they review everything else.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.models import WorkflowState

from documents.services import store_checked_uploads
from editorial.models import rapporteur_sessions
from editorial.new_cities import find_or_add_city
from editorial.roles import ensure_session_access
from knowledge.models import SessionPage, SessionSummaryAttachment, SessionSummaryPage

SUMMARY_SLUG = "summary"


class SummaryState:
    """Where a summary stands, as the rapporteur sees it."""

    NONE = "none"
    DRAFT = "draft"
    IN_MODERATION = "in_moderation"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"

    LABELS = {
        NONE: _("Not started"),
        DRAFT: _("Draft"),
        IN_MODERATION: _("In moderation"),
        CHANGES_REQUESTED: _("Changes requested"),
        PUBLISHED: _("Published"),
    }


@dataclass
class SummaryStatus:
    state: str
    summary: SessionSummaryPage | None = None
    workflow_state: WorkflowState | None = None
    # The moderator's comment when they asked for changes.
    comment: str = ""
    # A published summary with a newer draft that has not been submitted yet.
    has_unsubmitted_changes: bool = False

    @property
    def label(self) -> str:
        return str(SummaryState.LABELS[self.state])

    @property
    def editable(self) -> bool:
        return self.state != SummaryState.IN_MODERATION


def summary_status(summary: SessionSummaryPage | None) -> SummaryStatus:
    if summary is None:
        return SummaryStatus(SummaryState.NONE)
    workflow_state = summary.current_workflow_state
    if workflow_state is not None and workflow_state.status == WorkflowState.STATUS_IN_PROGRESS:
        return SummaryStatus(SummaryState.IN_MODERATION, summary, workflow_state)
    if workflow_state is not None and workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        task_state = workflow_state.current_task_state
        comment = task_state.specific.get_comment() if task_state else ""
        return SummaryStatus(SummaryState.CHANGES_REQUESTED, summary, workflow_state, comment)
    if summary.live:
        return SummaryStatus(
            SummaryState.PUBLISHED,
            summary,
            has_unsubmitted_changes=summary.has_unpublished_changes,
        )
    return SummaryStatus(SummaryState.DRAFT, summary)


def own_summary(session: SessionPage, user) -> SessionSummaryPage | None:
    return SessionSummaryPage.objects.child_of(session).filter(owner=user).first()


def someone_elses_summary(session: SessionPage, user) -> bool:
    return SessionSummaryPage.objects.child_of(session).exclude(owner=user).exists()


def assigned_session(user, session_id: int) -> SessionPage | None:
    """The session, if `user` reports on it; None for anyone else's."""
    # id, not pk: a page type's pk is its parent link, whose lookup Django does not guard
    # against a number beyond the column (the URL takes any digits; SQLite raised OverflowError).
    return rapporteur_sessions(user).filter(id=session_id).first()


# ---------------------------------------------------------------------------
# Saving the guided form
# ---------------------------------------------------------------------------


@dataclass
class SummaryContent:
    title: str
    key_messages: list[str]
    recommendations: list[str]
    quotes: list[tuple[str, str]]  # (quote, speaker)
    cities: list
    full_summary_html: str | None  # None: leave the stored rich text as it is
    keep_document_ids: list[int] = field(default_factory=list)
    new_files: list = field(default_factory=list)
    # (name, country code) of cities to find or add; see editorial/new_cities.py.
    new_cities: list[tuple[str, str]] = field(default_factory=list)


def paragraphs_to_html(text: str) -> str:
    """Plain text with blank lines between paragraphs, as safe rich text."""
    paragraphs = [" ".join(chunk.split()) for chunk in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)


def plain_paragraphs(rich_text: str) -> str:
    """Rich text back to the form's plain paragraphs (links and emphasis dropped)."""
    if not rich_text:
        return ""
    text = re.sub(r"(?i)</(p|h[1-6]|li|blockquote)>|<br\s*/?>", "\n\n", rich_text)
    chunks = (" ".join(html.unescape(strip_tags(chunk)).split()) for chunk in text.split("\n\n"))
    return "\n\n".join(chunk for chunk in chunks if chunk)


def _stream(block_name: str, values):
    return [(block_name, value) for value in values]


def save_summary(session: SessionPage, user, content: SummaryContent, *, submit: bool):
    """Write a new revision of the user's summary (creating it if needed); optionally submit it.

    All or nothing: if anything fails, no page, revision or document row is left, and the
    files already written to storage are deleted again.
    """
    stored_documents = []
    try:
        with transaction.atomic():
            collection = ensure_session_access(session).collection
            stored_documents = store_checked_uploads(content.new_files, collection, user)
            summary = own_summary(session, user)
            page = summary.get_latest_revision_as_object() if summary else None
            if page is None:
                page = SessionSummaryPage(
                    title=content.title,
                    slug=SUMMARY_SLUG,
                    locale=session.locale,
                    owner=user,
                    live=False,
                )
            keep = {
                attachment.document_id: attachment
                for attachment in page.attachments.all()
                if attachment.document_id in content.keep_document_ids
            }
            page.title = content.title
            page.key_messages = _stream("message", content.key_messages)
            page.recommendations = _stream("recommendation", content.recommendations)
            page.notable_quotes = _stream(
                "quote", [{"text": text, "speaker": speaker} for text, speaker in content.quotes]
            )
            if content.full_summary_html is not None:
                page.full_summary = content.full_summary_html
            added = [find_or_add_city(name, country) for name, country in content.new_cities]
            page.cities = list(dict.fromkeys([*content.cities, *added]))
            page.attachments = [
                SessionSummaryAttachment(document_id=document_id)
                for document_id in content.keep_document_ids
                if document_id in keep
            ] + [SessionSummaryAttachment(document=document) for document in stored_documents]

            if summary is None:
                session.add_child(instance=page)
            elif not page.live:
                # As Wagtail's editor does: a page never published keeps its fields in its row.
                page.save()
            page.save_revision(user=user, log_action=True)
            if submit:
                submit_for_moderation(page, user)
    except BaseException:
        for document in stored_documents:
            document.file.storage.delete(document.file.name)
        raise
    return page


def submit_for_moderation(page, user) -> None:
    """Send the page's latest revision to the moderators: resume a workflow that asked for
    changes, or start the workflow that covers the page. Shared by the guided forms."""
    workflow_state = page.current_workflow_state
    if workflow_state is not None and workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        workflow_state.resume(user)
        return
    workflow = page.get_workflow()
    if workflow is None:
        raise RuntimeError(f"no moderation workflow covers {page}")
    workflow.start(page, user)
