"""Fixtures the editorial tests share: the roles, two summit sessions, the education session's
rapporteur, one editor and one moderator."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Locale

from editorial.roles import assign_rapporteur, ensure_editorial_roles
from knowledge.models import SessionPage
from tests.editorial.factories import RAPPORTEUR_PASSWORD, add_user


@pytest.fixture
def roles(summit):
    return ensure_editorial_roles()


@pytest.fixture
def editor(roles):
    return add_user("editor", "Eun Editor", roles.editors)


@pytest.fixture
def moderator(roles):
    return add_user("moderator", "Min Moderator", roles.moderators)


@pytest.fixture
def education(roles):
    return SessionPage.objects.get(slug="education", locale=Locale.get_default())


@pytest.fixture
def culture(roles):
    return SessionPage.objects.get(slug="culture", locale=Locale.get_default())


@pytest.fixture
def rapporteur(education):
    """The education session's rapporteur, who can also sign in with a password."""
    user = get_user_model().objects.create_user(
        "rapporteur", email="rapporteur@example.org", password=RAPPORTEUR_PASSWORD
    )
    assign_rapporteur(user, education)
    return user
