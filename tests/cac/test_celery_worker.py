import pytest
from wagtail.models import Page

from cac.celery import app, worker_check


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_celery_worker_runs_project_tasks_on_the_shared_database(celery_worker_process, summit):
    result = worker_check.delay().get(timeout=30)

    assert result == {"pages": Page.objects.count()}
    assert result["pages"] > 15  # root, home pages, indexes, summit and its 15 sessions


@pytest.mark.django_db
def test_in_process_mode_runs_tasks_without_a_broker(summit):
    # The embedded default: no CELERY_BROKER_URL means always-eager (see test_settings).
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        result = worker_check.delay()
    finally:
        app.conf.task_always_eager = previous

    assert result.get() == {"pages": Page.objects.count()}
