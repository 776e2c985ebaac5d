"""Fixtures the editorial tests share: the roles, and one editor and one moderator."""

from __future__ import annotations

import pytest

from editorial.roles import ensure_editorial_roles
from tests.editorial.factories import add_user


@pytest.fixture
def roles(summit):
    return ensure_editorial_roles()


@pytest.fixture
def editor(roles):
    return add_user("editor", "Eun Editor", roles.editors)


@pytest.fixture
def moderator(roles):
    return add_user("moderator", "Min Moderator", roles.moderators)
