import pytest
from wagtail.models import Page

from cac.celery import worker_check

pytestmark = pytest.mark.services


@pytest.mark.django_db(transaction=True)
def test_celery_worker_runs_project_tasks_on_the_shared_database(celery_worker_process, summit):
    result = worker_check.delay().get(timeout=30)

    assert result == {"pages": Page.objects.count()}
    assert result["pages"] > 15  # root, home pages, indexes, summit and its 15 sessions
