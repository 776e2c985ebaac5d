"""Fixtures of the translation tests."""

import pytest


@pytest.fixture
def machine_translation_settings(settings, worker_translation_provider):
    """This process configured like the worker, so the admin offers the same provider."""
    settings.MACHINE_TRANSLATION_PROVIDER = "deepl"
    settings.MACHINE_TRANSLATION_API_KEY = worker_translation_provider.api_key
    settings.MACHINE_TRANSLATION_URL = worker_translation_provider.url
    return worker_translation_provider
