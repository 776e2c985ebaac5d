"""Settings come from the environment; with none set, the embedded defaults apply."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "print(json.dumps({'db': settings.DATABASES['default']['ENGINE'],"
    " 'db_name': str(settings.DATABASES['default']['NAME']),"
    " 'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL,"
    " 'es': settings.ELASTICSEARCH_URL, 'media': str(settings.MEDIA_ROOT),"
    " 'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS}))"
)
SWITCHES = ("DATABASE_URL", "CELERY_BROKER_URL", "ELASTICSEARCH_URL", "MEDIA_ROOT", "DEBUG")


def settings_with(settings_module="cac.settings.dev", **env):
    clean = {key: value for key, value in os.environ.items() if key not in SWITCHES}
    clean.update(env, DJANGO_SETTINGS_MODULE=settings_module)
    output = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output)


def test_no_environment_means_sqlite_under_var_in_process_tasks_and_no_elasticsearch():
    values = settings_with()

    assert values["db"] == "django.db.backends.sqlite3"
    assert values["db_name"] == str(ROOT / "var" / "cac.sqlite3")
    assert values["eager"] is True
    assert values["broker"] is None
    assert values["es"] is None
    assert values["media"] == str(ROOT / "var" / "media")


def test_environment_switches_to_the_production_parts():
    values = settings_with(
        DATABASE_URL="postgres://cac@db.internal:5432/cac",
        CELERY_BROKER_URL="redis://broker.internal:6379/0",
        ELASTICSEARCH_URL="http://search.internal:9200",
        MEDIA_ROOT="/srv/media",
        DEBUG="false",
    )

    assert values["db"] == "django.db.backends.postgresql"
    assert values["db_name"] == "cac"
    assert values["eager"] is False
    assert values["broker"] == "redis://broker.internal:6379/0"
    assert values["es"] == "http://search.internal:9200"
    assert values["media"] == "/srv/media"
    assert values["debug"] is False


def test_production_settings_refuse_to_start_without_a_secret_key():
    clean = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY",)}
    clean.update(
        DJANGO_SETTINGS_MODULE="cac.settings.production",
        ALLOWED_HOSTS="cac.example",
        WAGTAILADMIN_BASE_URL="https://cac.example",
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cac.settings.production",
        "SECRET_KEY": "x" * 20 + "cac-production-check-0123456789-abcdefghij",
        "ALLOWED_HOSTS": "cac.example",
        "WAGTAILADMIN_BASE_URL": "https://cac.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )

    output = result.stderr + result.stdout
    assert result.returncode == 0, output
    # Nothing silenced and nothing merely reported: the checklist has no warning at all.
    assert "WARNING" not in output and "silenced" not in output.replace("(0 silenced)", "")
