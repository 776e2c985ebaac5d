"""wagtail-localize's background jobs go through Celery (WAGTAILLOCALIZE_JOBS)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Locale, Page
from wagtail_localize.models import LocaleSynchronization
from wagtail_localize.tasks import background

from home.site_structure import practice_index_for
from tests.knowledge.factories import add_practice
from translation.job_backend import CeleryJobBackend
from translation.localize_jobs import (
    decode,
    encode,
    function_path,
    run_job,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_wagtail_localize_uses_the_celery_backend():
    assert isinstance(background, CeleryJobBackend)


def test_models_and_querysets_travel_as_references(site_structure):
    user = get_user_model().objects.create_user("translator")
    locales = Locale.objects.filter(language_code__in=["ko", "fr"]).order_by("pk")
    message = encode([locales, user, {"include_subtree": True, "note": None}])
    # What a Celery message can carry: JSON only.
    import json

    assert json.loads(json.dumps(message)) == message
    decoded_locales, decoded_user, options = decode(message)
    assert decoded_locales == list(locales)
    assert decoded_user == user
    assert options == {"include_subtree": True, "note": None}
    with pytest.raises(TypeError):
        encode([object()])


def test_only_wagtail_localize_functions_may_run():
    with pytest.raises(ValueError):
        function_path(test_only_wagtail_localize_functions_may_run)
    with pytest.raises(ValueError):
        run_job("os.system", ["true"], {})


def test_a_locale_synchronisation_fills_the_new_tree_through_the_job(
    tasks_in_process, site_structure
):
    english_index = practice_index_for(Locale.get_default())
    practice = add_practice(english_index, "Contact tracing in 24 hours")
    french = Locale.objects.get(language_code="fr")
    assert practice.get_translation_or_none(french) is None

    # Saving the synchronisation enqueues wagtail-localize's synchronize_tree job.
    LocaleSynchronization.objects.create(locale=french, sync_from=Locale.get_default())

    alias = Page.objects.get(translation_key=practice.translation_key, locale=french)
    assert alias.alias_of_id == practice.pk


@pytest.mark.services
def test_a_locale_synchronisation_runs_on_the_worker(celery_worker_process, site_structure):
    import time

    english_index = practice_index_for(Locale.get_default())
    practice = add_practice(english_index, "Safe return to school")
    spanish = Locale.objects.get(language_code="es")

    LocaleSynchronization.objects.create(locale=spanish, sync_from=Locale.get_default())

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        alias = Page.objects.filter(translation_key=practice.translation_key, locale=spanish)
        if alias.exists():
            break
        time.sleep(0.3)
    else:
        pytest.fail("the worker did not synchronise the Spanish tree within 60 s")
    assert alias.get().alias_of_id == practice.pk
