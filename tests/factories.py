"""Small builders for test content, shared by the test modules."""

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils.text import slugify
from wagtail.documents import get_document_model
from wagtail.models import Collection, Locale

from knowledge.models import PracticePage, SessionPage, SessionSummaryPage, TopicArea
from tests import files


def add_practice(parent, title: str, *, topics=(), publish=True, **fields) -> PracticePage:
    """A practice under `parent`, published unless publish=False (then a never-live draft)."""
    fields.setdefault("summary", f"{title} summary")
    practice = PracticePage(title=title, **fields)
    parent.add_child(instance=practice)
    practice.topics.set(TopicArea.objects.filter(slug__in=topics, locale=Locale.get_default()))
    revision = practice.save_revision()
    if publish:
        revision.publish()
    else:
        PracticePage.objects.filter(pk=practice.pk).update(live=False)
    practice.refresh_from_db()
    return practice


def add_user(username: str, full_name: str, *groups, **extra):
    """A user with a name, an address at example.org and the given groups."""
    first, last = full_name.split(" ", 1)
    user = get_user_model().objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password="not-used",  # noqa: S106
        first_name=first,
        last_name=last,
        **extra,
    )
    user.groups.add(*groups)
    return user


def upload_document(title: str, collection: Collection, user=None):
    """A stored PDF whose text is its title, as Wagtail's upload views leave it."""
    return get_document_model().objects.create(
        title=title,
        file=ContentFile(files.pdf_with_text(title), name=f"{slugify(title)}.pdf"),
        collection=collection,
        uploaded_by_user=user,
    )


def add_draft_summary(session: SessionPage, owner, title: str) -> SessionSummaryPage:
    """A never-published summary under `session`, owned by `owner`, with one revision."""
    summary = SessionSummaryPage(title=title, owner=owner, live=False)
    session.add_child(instance=summary)
    summary.save_revision(user=owner, log_action=True)
    return summary
