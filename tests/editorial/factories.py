"""Builders for editors, rapporteurs and their work, shared by the test packages."""

from django.contrib.auth import get_user_model
from django.utils.text import slugify
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from knowledge.models import SessionPage, SessionSummaryPage, TopicArea

RAPPORTEUR_PASSWORD = "guest-pass-2020"  # noqa: S105 (a test account)


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


def add_draft_summary(session: SessionPage, owner, title: str) -> SessionSummaryPage:
    """A never-published summary under `session`, owned by `owner`, with one revision."""
    summary = SessionSummaryPage(title=title, owner=owner, live=False)
    session.add_child(instance=summary)
    summary.save_revision(user=owner, log_action=True)
    return summary


def practice_form_data(title: str, topic: TopicArea, **overrides) -> dict:
    """What the admin's practice form posts: a valid countermeasure under `topic`."""
    fields = {
        "title": title,
        "slug": slugify(title),
        "summary": "Drive-through testing stations.",
        "kind": "countermeasure",
        "city": "",
        "started": "",
        "source_url": "",
        "contact_name": "",
        "contact_organisation": "",
        "contact_email": "",
        "body": streamfield([("paragraph", rich_text("<p>Cars queue, swabs are taken.</p>"))]),
        "attachments": inline_formset([]),
        "related_links": inline_formset([]),
        "comments": inline_formset([]),
    }
    # A list value would be flattened into "topics-0"; a multiple choice is posted as a list.
    return {"topics": [str(topic.pk)]} | nested_form_data(fields | overrides)
