"""An editorial world for access tests: the four roles, two sessions, and files each role may
or may not reach."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils.text import slugify
from wagtail.documents import get_document_model
from wagtail.models import Collection, Locale
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from knowledge.editorial_roles import assign_rapporteur, ensure_editorial_roles
from knowledge.models import SessionAccess, SessionPage, SessionSummaryPage
from tests import files

User = get_user_model()
Document = get_document_model()


@pytest.fixture
def roles(summit):
    return ensure_editorial_roles()


def session(slug: str) -> SessionPage:
    return SessionPage.objects.get(slug=slug, locale=Locale.get_default())


@pytest.fixture
def education(roles):
    return session("education")


@pytest.fixture
def culture(roles):
    return session("culture")


def make_user(username: str, full_name: str, *groups, **extra):
    first, last = full_name.split(" ", 1)
    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password="not-used",  # noqa: S106
        first_name=first,
        last_name=last,
        **extra,
    )
    user.groups.add(*groups)
    return user


@pytest.fixture
def editor(roles):
    return make_user("eve.editor", "Eve Editorson", roles.editors)


@pytest.fixture
def moderator(roles):
    return make_user("mo.moderator", "Mo Moderata", roles.moderators)


@pytest.fixture
def rapporteur(education):
    user = make_user("rhea.rapporteur", "Rhea Rapport")
    assign_rapporteur(user, education)
    return user


@pytest.fixture
def culture_rapporteur(culture):
    user = make_user("carla.culture", "Carla Culturelli")
    assign_rapporteur(user, culture)
    return user


def upload(title: str, collection: Collection, user=None) -> Document:
    """A stored PDF, as Wagtail's upload views leave it."""
    return Document.objects.create(
        title=title,
        file=ContentFile(files.pdf_with_text(title), name=f"{slugify(title)}.pdf"),
        collection=collection,
        uploaded_by_user=user,
    )


def session_collection(session_page: SessionPage) -> Collection:
    return SessionAccess.objects.get(session=session_page).collection


def draft_summary(session_page: SessionPage, owner, title: str) -> SessionSummaryPage:
    summary = SessionSummaryPage(title=title, owner=owner, live=False)
    session_page.add_child(instance=summary)
    summary.save_revision(user=owner)
    return summary


def summary_form(title: str, slug: str, **overrides) -> dict:
    """The POST of Wagtail's page editor for a session summary."""
    data = {
        "title": title,
        "slug": slug,
        "key_messages": streamfield([("message", "Schools stayed open online.")]),
        "recommendations": streamfield([]),
        "notable_quotes": streamfield([]),
        "full_summary": rich_text("<p>What the session concluded.</p>"),
        "attachments": inline_formset([]),
        "comments": inline_formset([]),
    }
    data.update(overrides)
    return nested_form_data(data)
