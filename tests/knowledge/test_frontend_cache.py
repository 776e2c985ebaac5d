"""A CDN in front (knowledge/frontend_cache.py): when one is configured, a publish purges every
address that shows the page, in every language, once the transaction commits; unconfigured,
nothing is sent."""

from __future__ import annotations

import pytest
from django.db import connection
from wagtail.contrib.frontend_cache.backends import BaseBackend
from wagtail.models import Locale

from home.site_structure import practice_index_for
from tests.knowledge.factories import add_practice

PURGED: list[str] = []


class RecordingBackend(BaseBackend):
    """Stands for a CDN: remembers what it was asked to purge."""

    def purge(self, url) -> None:
        PURGED.append(url)


@pytest.fixture
def cdn(settings):
    settings.WAGTAILFRONTENDCACHE = {
        "cdn": {"BACKEND": "tests.knowledge.test_frontend_cache.RecordingBackend"}
    }
    settings.WAGTAILADMIN_BASE_URL = "https://knowledge.example.org"
    PURGED.clear()
    yield PURGED
    PURGED.clear()


def publish_committed(capture, revision) -> None:
    connection.run_on_commit.clear()  # the setup's, which never commit in a test
    with capture(execute=True):
        revision.publish()


def test_a_publish_purges_every_address_that_shows_the_practice(
    cdn, summit, django_capture_on_commit_callbacks
):
    index = practice_index_for(Locale.get_default())
    practice = add_practice(index, "Clinics", topics=["quarantine"], publish=False, body=[])
    publish_committed(django_capture_on_commit_callbacks, practice.get_latest_revision())
    home = index.get_parent()
    assert {
        practice.get_full_url(),
        index.get_full_url(),
        home.get_full_url(),
        "https://knowledge.example.org/en/topics/",
        "https://knowledge.example.org/en/topics/quarantine/",
        "https://knowledge.example.org/ko/topics/quarantine/",
        "https://knowledge.example.org/ar/open-data/",
    } <= set(cdn)
    assert len(cdn) == len(set(cdn))  # each once


def test_nothing_is_sent_without_a_cdn(
    settings, site_structure, django_capture_on_commit_callbacks
):
    PURGED.clear()
    assert not settings.WAGTAILFRONTENDCACHE
    index = practice_index_for(Locale.get_default())
    practice = add_practice(index, "Clinics", publish=False, body=[])
    publish_committed(django_capture_on_commit_callbacks, practice.get_latest_revision())
    assert PURGED == []
