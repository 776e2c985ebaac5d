"""Builders for editors, rapporteurs and their work, shared by the test packages."""

from django.contrib.auth import get_user_model

from knowledge.models import SessionPage, SessionSummaryPage


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
