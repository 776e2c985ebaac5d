"""Settings come from the environment; with none set, the embedded defaults apply."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
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


# What production needs named, and the stand-ins it accepts only when asked for.
PRODUCTION_VARIABLES = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "WAGTAILADMIN_BASE_URL",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "ELASTICSEARCH_URL",
)
STAND_INS = ("CELERY_TASKS_IN_PROCESS", "CACHE_PER_PROCESS", "SEARCH_ENGINE_EMBEDDED")
COMPLETE_PRODUCTION = {
    "SECRET_KEY": "x" * 20 + "cac-production-check-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "cac.example",
    "WAGTAILADMIN_BASE_URL": "https://cac.example",
    "DATABASE_URL": "postgres://cac@db.internal:5432/cac",
    "CELERY_BROKER_URL": "redis://broker.internal:6379/0",
    "CACHE_URL": "redis://broker.internal:6379/1",
    "ELASTICSEARCH_URL": "http://search.internal:9200",
}


def production(*command: str, **env: str) -> subprocess.CompletedProcess:
    """A process on production settings with exactly these of its variables set."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in (*PRODUCTION_VARIABLES, *STAND_INS, *SWITCHES)
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="cac.settings.production")
    return subprocess.run(
        list(command) or [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )


def refusal(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0, result.stdout
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: "), result.stderr
    return last_line


def test_production_without_a_broker_refuses_to_run_tasks_inside_web_requests():
    without_broker = {k: v for k, v in COMPLETE_PRODUCTION.items() if k != "CELERY_BROKER_URL"}

    message = refusal(production(**without_broker))

    assert "CELERY_BROKER_URL (or CELERY_TASKS_IN_PROCESS=true" in message
    for name in set(PRODUCTION_VARIABLES) - {"CELERY_BROKER_URL"}:
        assert name not in message, name


def test_production_runs_tasks_in_process_only_when_asked_to():
    without_broker = {k: v for k, v in COMPLETE_PRODUCTION.items() if k != "CELERY_BROKER_URL"}

    result = production(**without_broker, CELERY_TASKS_IN_PROCESS="true")

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["eager"] is True and values["broker"] is None


def test_production_starts_with_every_service_named():
    result = production(**COMPLETE_PRODUCTION)

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["db"] == "django.db.backends.postgresql"
    assert values["eager"] is False and values["broker"] == "redis://broker.internal:6379/0"
    assert values["es"] == "http://search.internal:9200"


def test_production_names_every_missing_variable_in_one_message():
    message = refusal(production(SECRET_KEY=""))  # empty counts as missing

    for name in PRODUCTION_VARIABLES:
        assert name in message, name
    for stand_in in STAND_INS:
        assert f"{stand_in}=true" in message, stand_in


def test_production_accepts_every_stand_in_when_each_is_asked_for():
    named = {k: COMPLETE_PRODUCTION[k] for k in ("SECRET_KEY", "ALLOWED_HOSTS")}
    result = production(
        **named,
        WAGTAILADMIN_BASE_URL="https://cac.example",
        DATABASE_URL="sqlite:////tmp/cac-production-check.sqlite3",  # SQLite, but named
        **dict.fromkeys(STAND_INS, "true"),
    )

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["db"] == "django.db.backends.sqlite3" and values["es"] is None


def test_production_settings_pass_the_deployment_checklist():
    result = production(
        sys.executable,
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **COMPLETE_PRODUCTION,
    )

    output = result.stderr + result.stdout
    assert result.returncode == 0, output
    # Nothing silenced and nothing merely reported: the checklist has no warning at all.
    assert "WARNING" not in output and "silenced" not in output.replace("(0 silenced)", "")
