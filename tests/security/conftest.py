"""An editorial world for access tests: the four roles, two sessions, and files each role may
or may not reach."""

from __future__ import annotations

import pytest
from wagtail.models import Collection, Locale
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from editorial.models import SessionAccess
from editorial.roles import assign_rapporteur, ensure_editorial_roles
from knowledge.models import SessionPage
from tests.documents.factories import upload_document as upload
from tests.editorial.factories import add_draft_summary as draft_summary
from tests.editorial.factories import add_user

__all__ = ["draft_summary", "upload"]


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


@pytest.fixture
def editor(roles):
    return add_user("eve.editor", "Eve Editorson", roles.editors)


@pytest.fixture
def moderator(roles):
    return add_user("mo.moderator", "Mo Moderata", roles.moderators)


@pytest.fixture
def rapporteur(education):
    user = add_user("rhea.rapporteur", "Rhea Rapport")
    assign_rapporteur(user, education)
    return user


@pytest.fixture
def culture_rapporteur(culture):
    user = add_user("carla.culture", "Carla Culturelli")
    assign_rapporteur(user, culture)
    return user


def session_collection(session_page: SessionPage) -> Collection:
    return SessionAccess.objects.get(session=session_page).collection


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
