"""Moderation e-mails link under WAGTAILADMIN_BASE_URL, the public address: never the Site's
root ("http://localhost" on a fresh site) nor a host written in code. The summary e-mails are
checked along the rapporteur's journey (test_rapporteur_journey.py); this is a practice's."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from wagtail.models import Locale

from editorial.notifications import send_notification
from editorial.roles import ensure_editorial_roles
from home.site_structure import practice_index_for
from tests.knowledge.test_public_api import add_practice

pytestmark = pytest.mark.django_db

PUBLIC_BASE_URL = "https://cac.example.org"


def test_practice_approval_email_links_the_page_under_the_public_address(summit, settings):
    settings.WAGTAILADMIN_BASE_URL = PUBLIC_BASE_URL
    roles = ensure_editorial_roles()
    users = get_user_model().objects
    editor = users.create_user("editor", email="editor@example.org", password="pw-2020-long")
    editor.groups.add(roles.editors)
    moderator = users.create_user("moderator", email="mod@example.org", password="pw-2020-long")
    moderator.groups.add(roles.moderators)
    practice = add_practice(practice_index_for(Locale.get_default()), "drive-through-clinics")
    practice.save_revision(user=editor)
    workflow_state = practice.get_workflow().start(practice, editor)
    workflow_state.current_task_state.approve(user=moderator)
    mail.outbox.clear()

    assert send_notification("workflow_approved", workflow_state.pk, moderator.pk)

    [email] = mail.outbox
    assert email.to == ["editor@example.org"]
    links = [word for word in email.body.split() if "://" in word]
    assert f"{PUBLIC_BASE_URL}{practice.url}" in links
    assert all(link.startswith(PUBLIC_BASE_URL + "/") for link in links), links
