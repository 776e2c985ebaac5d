"""docker/ and the deployment docs, checked against the project (no Docker daemon runs here).

What a build or `compose up` would reject late, these find now: a service without a
healthcheck, a command that does not exist, an environment variable nothing reads, a queue no
worker consumes. The build's collectstatic step, gunicorn with the web healthcheck, the beat
healthcheck and `check --deploy` with .env.example's values are run for real.
"""

from __future__ import annotations

import ast
import gzip
import http.client
import importlib
import json
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.services import require_postgresql, require_redis_broker

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
SERVICES = {"postgres", "redis", "elasticsearch", "web", "worker", "beat"}
APP_SERVICES = {"web", "worker", "beat"}
# Where commands are written down for operators to copy.
COMMAND_SOURCES = [
    DOCKER / "compose.yaml",
    ROOT / "README.md",
    ROOT / "docs" / "deployment.md",
    ROOT / "docs" / "scale-out.md",
]
# Variables the process environment carries for Django's sake, never for the settings module.
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE", "PATH", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"}


# --- Parsing helpers ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions, current = [], ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):  # a comment inside a continued instruction
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        keyword, _, rest = current.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        current = ""
    return instructions


def final_stage(instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def env_assignments(words: list[str]) -> tuple[dict[str, str], list[str]]:
    """Leading NAME=value words (Dockerfile ENV, or a shell command's prefix) and the rest."""
    values = {}
    for index, word in enumerate(words):
        name, equals, value = word.partition("=")
        if not equals or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
            return values, words[index:]
        values[name] = value
    return values, []


def settings_env_reads() -> dict[str, bool]:
    """Every variable cac/settings/ reads: name -> read without a default."""
    reads: dict[str, bool] = {}
    for path in (ROOT / "cac" / "settings").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            is_env = (isinstance(func, ast.Name) and func.id == "env") or (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "env"
            )
            if is_env and node.args and isinstance(node.args[0], ast.Constant):
                required = not any(keyword.arg == "default" for keyword in node.keywords)
                name = node.args[0].value
                reads[name] = reads.get(name, False) or required
    return reads


def env_example() -> tuple[dict[str, str], set[str]]:
    """.env.example: the active assignments, and the names of the commented-out optional ones."""
    active, optional = {}, set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        if match := re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line):
            active[match[1]] = match[2]
        elif match := re.fullmatch(r"#([A-Z][A-Z0-9_]*)=.*", line):
            optional.add(match[1])
    return active, optional


def code_spans(path: Path) -> list[str]:
    text = path.read_text()
    if path.suffix != ".md":
        return text.splitlines()
    spans = []
    for block, inline in re.findall(r"```[a-z]*\n(.*?)```|`([^`\n]+)`", text, re.S):
        spans.extend((block or inline).splitlines())
    return spans


def command_lines() -> list[tuple[Path, str]]:
    """Each command line an operator would copy: compose's commands and healthchecks (joined),
    the Dockerfile's RUN and CMD, and the code spans of the docs, continuation lines joined."""
    lines: list[tuple[Path, str]] = []
    compose_file = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    for service in compose_file["services"].values():
        for words in (service.get("command"), (service.get("healthcheck") or {}).get("test")):
            if isinstance(words, list):
                lines.append((DOCKER / "compose.yaml", " ".join(map(str, words))))
            elif isinstance(words, str):
                lines.append((DOCKER / "compose.yaml", words))
    for keyword, arguments in dockerfile_instructions(DOCKER / "Dockerfile"):
        if keyword in {"RUN", "CMD"}:
            lines.append((DOCKER / "Dockerfile", arguments))
    for path in COMMAND_SOURCES[1:]:
        joined = "\n".join(code_spans(path)).replace("\\\n", " ")
        lines.extend((path, line) for line in joined.splitlines())
    return lines


# The compose services' wiring, which production refuses to start without (or a stand-in).
SERVICE_VARIABLES = {"DATABASE_URL", "CELERY_BROKER_URL", "ELASTICSEARCH_URL", "CACHE_URL"}


def production_requires() -> set[str]:
    """The variables production settings name when started with none of them set."""
    reads = settings_env_reads()
    environment = {key: value for key, value in os.environ.items() if key not in reads}
    environment["DJANGO_SETTINGS_MODULE"] = "cac.settings.production"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in message, result.stderr
    # "…: SECRET_KEY; …; CELERY_BROKER_URL (or CELERY_TASKS_IN_PROCESS=true: …); …"
    return set(re.findall(r"(?:: |; )([A-Z][A-Z0-9_]+)\b", message))


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a production process: .env.example's values, a real secret key, and
    a throwaway SQLite file and the embedded stand-ins instead of the compose services."""
    active, _ = env_example()
    environment = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
    environment.update(active)
    environment.update(
        DJANGO_SETTINGS_MODULE="cac.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        CELERY_TASKS_IN_PROCESS="true",
        CACHE_PER_PROCESS="true",
        SEARCH_ENGINE_EMBEDDED="true",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        SEARCH_INDEX_DIR=str(tmp_path / "search-index"),
    )
    environment.update(extra)
    return environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- compose.yaml -------------------------------------------------------------------------------
def test_compose_has_the_six_services_each_with_a_healthcheck(compose):
    services = compose["services"]
    assert set(services) == SERVICES
    for name, service in services.items():
        healthcheck = service.get("healthcheck")
        assert healthcheck, f"{name} has no healthcheck"
        assert not healthcheck.get("disable"), name
        assert healthcheck["test"][0] in {"CMD", "CMD-SHELL"}, name
        assert healthcheck.get("interval") and healthcheck.get("retries"), name


def test_app_services_run_the_image_as_its_non_root_user(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["build"]["dockerfile"] == "docker/Dockerfile"
        assert (DOCKER / service["build"]["context"] / service["build"]["dockerfile"]).exists()
        # No user: override in compose, so the image's USER applies.
        assert "user" not in service, name
        # Started only once the services they use answer their own healthchecks.
        assert {
            dependency
            for dependency, condition in service["depends_on"].items()
            if condition["condition"] == "service_healthy"
        } == {"postgres", "redis", "elasticsearch"}, name
    final = final_stage(dockerfile_instructions(DOCKER / "Dockerfile"))
    users = [arguments for keyword, arguments in final if keyword == "USER"]
    assert users, "the runtime stage never leaves root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    # USER comes before the process starts, after the build steps that need root.
    keywords = [keyword for keyword, _ in final]
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "RUN")
    assert keywords.index("USER") < keywords.index("CMD")


def test_compose_environment_and_env_example_name_only_variables_settings_read(compose):
    reads = settings_env_reads()
    for name in APP_SERVICES:
        environment = compose["services"][name].get("environment", {})
        unknown = set(environment) - set(reads)
        assert not unknown, f"{name} sets variables nothing reads: {unknown}"
        # Secrets come from .env, which stays out of git and out of the image.
        assert compose["services"][name]["env_file"] == "../.env"
    active, optional = env_example()
    assert not (set(active) | optional) - set(reads)
    dockerfile_env = {}
    # The runtime stage's ENV (the build stage's only configure pip).
    for keyword, arguments in final_stage(dockerfile_instructions(DOCKER / "Dockerfile")):
        if keyword == "ENV":
            dockerfile_env.update(env_assignments(shlex.split(arguments))[0])
    assert not set(dockerfile_env) - set(reads) - NOT_SETTINGS


def test_env_example_and_compose_give_production_every_variable_it_requires(compose):
    required = production_requires()
    # Production refuses to start half-configured, and says what is missing.
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "WAGTAILADMIN_BASE_URL"} | SERVICE_VARIABLES <= required
    active, _ = env_example()
    for name in APP_SERVICES:
        wiring = set(compose["services"][name]["environment"])
        # Compose names every service; none runs on a stand-in.
        assert wiring >= SERVICE_VARIABLES, name
        assert required <= set(active) | wiring, name
        assert not {"CELERY_TASKS_IN_PROCESS", "CACHE_PER_PROCESS", "SEARCH_ENGINE_EMBEDDED"} & (
            wiring | set(active)
        )
    # No working secret is shipped: an unfilled .env refuses to start.
    assert active["SECRET_KEY"] == ""


def test_env_file_stays_out_of_git_and_out_of_the_image():
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".env", ".venv", "var", "node_modules", ".git"):
        assert entry in ignored


# --- The image ----------------------------------------------------------------------------------
def test_image_installs_only_the_locked_runtime_dependencies():
    instructions = dockerfile_instructions(DOCKER / "Dockerfile")
    copies = [arguments.split() for keyword, arguments in instructions if keyword == "COPY"]
    assert ["requirements.lock", "."] in copies
    installs = [a for k, a in instructions if k == "RUN" and "pip install" in a]
    assert installs and all("--require-hashes -r requirements.lock" in a for a in installs)
    lock = (ROOT / "requirements.lock").read_text()
    assert "\nwagtail==" in lock and "\ngunicorn==" in lock
    # Test tools are in requirements-dev.lock only.
    assert "\npytest==" not in lock and "\nruff==" not in lock
    assert "requirements-dev.lock" not in (DOCKER / "Dockerfile").read_text()


def image_collectstatic(tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    """The Dockerfile's own collectstatic RUN line, with its ENV, into tmp_path/static: the
    command (run by this Python) and its environment."""
    final = final_stage(dockerfile_instructions(DOCKER / "Dockerfile"))
    image_env: dict[str, str] = {}
    for keyword, arguments in final:
        if keyword == "ENV":
            image_env.update(env_assignments(shlex.split(arguments))[0])
    runs = [shlex.split(a) for k, a in final if k == "RUN" and "collectstatic" in a]
    assert len(runs) == 1
    build_env, command = env_assignments(runs[0])
    assert command[:3] == ["python", "manage.py", "collectstatic"]
    assert image_env["DJANGO_SETTINGS_MODULE"] == "cac.settings.production"

    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "ELASTICSEARCH_URL"}
    }
    environment.update({k: v for k, v in image_env.items() if k != "PATH"})
    environment.update(build_env)
    environment["STATIC_ROOT"] = str(tmp_path / "static")
    environment["DATABASE_URL"] = f"sqlite:///{tmp_path / 'build.sqlite3'}"
    return [sys.executable, *command[1:]], environment


def test_the_images_collectstatic_step_builds_the_manifest(tmp_path):
    """Runs the Dockerfile's own RUN line, with its ENV, into a temporary STATIC_ROOT."""
    command, environment = image_collectstatic(tmp_path)
    started = time.monotonic()
    result = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=180
    )
    print(f"collectstatic as in the image: {time.monotonic() - started:.1f} s")
    assert result.returncode == 0, result.stderr
    manifest = tmp_path / "static" / "staticfiles.json"
    assert manifest.exists(), "ManifestStaticFilesStorage needs its manifest at run time"
    paths = json.loads(manifest.read_text())["paths"]
    # The admin's and the site's own files, with hashed names.
    assert any(name.startswith("wagtailadmin/") for name in paths)
    site_static = ROOT / "cac" / "static"
    site_files = [str(p.relative_to(site_static)) for p in site_static.rglob("*") if p.is_file()]
    assert site_files
    for relative in site_files:
        assert relative in paths
        assert (tmp_path / "static" / paths[relative]).exists()


def test_elasticsearch_image_is_9_with_the_korean_analyzer_the_engine_uses():
    instructions = dockerfile_instructions(DOCKER / "elasticsearch" / "Dockerfile")
    args = dict(a.split("=", 1) for k, a in instructions if k == "ARG" and "=" in a)
    froms = [a for k, a in instructions if k == "FROM"]
    assert froms == ["docker.elastic.co/elasticsearch/elasticsearch:${ES_VERSION}"]
    server = tuple(int(part) for part in args["ES_VERSION"].split("."))
    lock = (ROOT / "requirements.lock").read_text()
    client = tuple(int(p) for p in re.search(r"\nelasticsearch==([\d.]+)", lock)[1].split("."))
    # Same major; the client's minor no newer than the server's.
    assert server[0] == client[0] == 9
    assert server[:2] >= client[:2]
    assert ("RUN", "bin/elasticsearch-plugin install --batch analysis-nori") in instructions

    from search.engines.elasticsearch import ElasticsearchEngine

    template = str(ElasticsearchEngine("http://elasticsearch:9200").index_template_body())
    assert "nori_tokenizer" in template  # what the plugin provides


# --- Commands -----------------------------------------------------------------------------------
def test_elasticsearch_runs_with_a_2_gb_heap_on_the_newest_documented_9_5_patch(compose):
    service = compose["services"]["elasticsearch"]
    options = service["environment"]["ES_JAVA_OPTS"].split()
    assert "-Xms2g" in options and "-Xmx2g" in options
    # A memory limit, if one is set, leaves at least as much again for the file cache.
    limit = service.get("mem_limit") or (
        service.get("deploy", {}).get("resources", {}).get("limits", {}).get("memory")
    )
    if limit:
        assert int(str(limit).rstrip("gG")) >= 4, limit
    instructions = dockerfile_instructions(DOCKER / "elasticsearch" / "Dockerfile")
    assert ("ARG", "ES_VERSION=9.5.4") in instructions


def test_every_manage_py_command_written_down_exists():
    from django.core.management import get_commands

    named = {
        (path.name, name)
        for path, line in command_lines()
        for name in re.findall(r"manage\.py\s+([a-z_0-9]+)", line)
    }
    names = {name for _, name in named}
    # The README's production section and the deployment guide name the one-off commands.
    assert {"migrate", "load_summit_2020", "search_rebuild", "collectstatic"} <= names
    missing = {(source, name) for source, name in named if name not in get_commands()}
    assert not missing


def test_every_celery_command_names_our_app_a_real_subcommand_and_routed_queues():
    from celery import Celery
    from celery.bin.celery import celery as celery_cli

    celery_lines = [
        (path, line) for path, line in command_lines() if re.search(r"\bcelery\s+-A\b", line)
    ]
    assert {path.name for path, _ in celery_lines} >= {"compose.yaml", "scale-out.md"}
    queues = {route["queue"] for route in settings.TASK_QUEUE_ROUTES.values()}
    queues.add(settings.CELERY_TASK_DEFAULT_QUEUE)
    consumed: set[str] = set()
    for path, line in celery_lines:
        words = shlex.split(line.split("#")[0].replace("$$", "$"))
        at = words.index("-A")
        app_path, subcommand = words[at + 1], words[at + 2]
        assert app_path == "cac", (path.name, line)
        assert isinstance(importlib.import_module("cac.celery").app, Celery)
        assert subcommand in celery_cli.commands, (path.name, line)
        for flag_at, word in enumerate(words):
            if word in {"-Q", "--queues"}:
                named = set(words[flag_at + 1].split(","))
                assert named <= queues, (path.name, line)
                consumed |= named
    # The scale-out workers, together, consume every queue a task can be routed to.
    assert consumed == queues


def test_queue_routes_match_real_tasks_and_stay_off_by_default():
    from celery.app.routes import Router, prepare

    from cac.celery import app

    app.loader.import_default_modules()
    task_names = {name for name in app.tasks if not name.startswith("celery.")}
    for pattern in settings.TASK_QUEUE_ROUTES:
        regex = re.compile(re.escape(pattern).replace(r"\*", ".*") + "$")
        assert any(regex.match(name) for name in task_names), f"{pattern} routes nothing"
    router = Router(prepare(settings.TASK_QUEUE_ROUTES), app.amqp.queues, app=app)

    def queue_of(task_name: str) -> str:
        return router.route({}, task_name)["queue"].name

    assert queue_of("search.tasks.drain_index_outbox") == "indexing"
    assert queue_of("translation.tasks.machine_translate_page") == "translation"
    assert queue_of("documents.tasks.extract_document_text") == "documents"
    assert queue_of("editorial.tasks.send_moderation_email") == "celery"
    # Beat's tasks reach a queue too (beat sends through the same router).
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in task_names
    # Off unless asked for: one `celery -A cac worker` (no -Q) consumes everything.
    assert app.conf.task_routes == {}
    assert app.conf.task_default_queue == "celery"


def test_separate_queues_setting_turns_the_routes_on():
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.CELERY_TASK_ROUTES, settings.TASK_QUEUE_ROUTES]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cac.settings.test",
            "CELERY_SEPARATE_QUEUES": "true",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    routes, all_routes = json.loads(result.stdout.strip().splitlines()[-1])
    assert routes == all_routes != {}


def test_gunicorn_command_parses_and_its_app_imports(compose):
    from gunicorn.config import Config

    command = compose["services"]["web"]["command"]
    assert command[0] == "gunicorn"
    options = Config().parser().parse_args(command[1:])
    module, _, attribute = options.args[0].partition(":")
    assert callable(getattr(importlib.import_module(module), attribute))
    assert options.timeout and options.workers


# --- Healthchecks and production settings, run for real ----------------------------------------
def web_command(compose, port: int) -> list[str]:
    """compose's web command (gunicorn), run by this Python, on `port` with one worker."""
    command = [
        f"--bind=127.0.0.1:{port}" if word.startswith("--bind") else word
        for word in compose["services"]["web"]["command"]
    ]
    command = ["--workers=1" if word.startswith("--workers") else word for word in command]
    assert command[0] == "gunicorn"
    return [sys.executable, "-m", "gunicorn", *command[1:]]


def test_gunicorn_serves_and_the_web_healthcheck_passes(compose, tmp_path):
    """compose's web command with .env.example's settings; then its healthcheck, verbatim but
    for the port."""
    port = free_port()
    environment = production_env(tmp_path)
    server = subprocess.Popen(
        web_command(compose, port),
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    check = compose["services"]["web"]["healthcheck"]["test"]
    assert check[:3] == ["CMD", "python", "-c"]
    probe = check[3].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    assert probe != check[3]
    try:
        deadline = time.monotonic() + 60
        while True:
            result = subprocess.run(
                [sys.executable, "-c", probe], env=environment, capture_output=True, timeout=30
            )
            if result.returncode == 0:
                break
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, result.stderr
            time.sleep(0.5)
        # The probe's Host header matters: production refuses hosts not in ALLOWED_HOSTS.
        other_host = {**environment, "ALLOWED_HOSTS": "not-this-site.example"}
        refused = subprocess.run(
            [sys.executable, "-c", probe], env=other_host, capture_output=True, timeout=30
        )
        assert refused.returncode != 0
    finally:
        server.terminate()
        server.wait(timeout=30)


# A public practice with an image in its body and a document attached, published as an editor
# would; prints the practice's path. Run with production settings, before gunicorn starts.
PUBLIC_PRACTICE_WITH_AN_IMAGE = """
import django
django.setup()
from django.core.files.base import ContentFile
from django.core.management import call_command
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Locale
from home.site_structure import ensure_site_structure, practice_index_for
from knowledge.models import PracticeAttachment, PracticePage

call_command("migrate", "--noinput", verbosity=0)
ensure_site_structure()
image = get_image_model().objects.create(title="Station", file=get_test_image_file("station.png"))
document = get_document_model()(title="Station guide")
document.file.save("station-guide.txt", ContentFile(b"How the stations work."), save=False)
document.save()
body = [("image", {"image": image, "alt_text": "A testing station", "caption": ""})]
practice = PracticePage(title="Drive-through testing", summary="Cars queue.", body=body)
practice_index_for(Locale.get_default()).add_child(instance=practice)
PracticeAttachment.objects.create(page=practice, document=document)
practice.save_revision().publish()
practice.refresh_from_db()
print(practice.url)
"""


def original_image_url(media_root: Path) -> str:
    """The URL of the one original image under `media_root` (Wagtail names it on upload)."""
    (original,) = (media_root / "original_images").iterdir()
    return f"/media/original_images/{original.name}"


def test_the_web_command_serves_a_styled_site_with_its_images(compose, tmp_path):
    """As the stack runs it, with no proxy: the image's collectstatic, then compose's gunicorn
    command with production settings. The stylesheet, the page's images and its document
    answer from gunicorn, each as it should be cached."""
    collect, collect_env = image_collectstatic(tmp_path)
    # No model loaded for search by meaning: publishing indexes the words only.
    environment = production_env(tmp_path, SEARCH_EMBEDDERS="")
    started = time.monotonic()
    collecting = subprocess.Popen(
        collect, cwd=ROOT, env=collect_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    setup = subprocess.run(
        [sys.executable, "-c", PUBLIC_PRACTICE_WITH_AN_IMAGE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collecting.wait(timeout=300) == 0, collecting.stderr.read()
    assert setup.returncode == 0, setup.stderr
    practice_path = setup.stdout.strip().splitlines()[-1]
    assert practice_path.startswith("/en/")

    port = free_port()
    server = subprocess.Popen(
        web_command(compose, port),
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    host = environment["ALLOWED_HOSTS"].split(",")[0].strip()

    def get(path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            # As the TLS proxy in front sends it (production redirects plain HTTP).
            connection.request(
                "GET", path, headers={"Host": host, "X-Forwarded-Proto": "https", **headers}
            )
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if get("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz"
            time.sleep(0.3)

        status, _, page = get(practice_path)
        assert status == 200
        html = page.decode()
        stylesheet = re.search(
            r'<link rel="stylesheet" href="(/static/css/cac\.[0-9a-f]{12}\.css)"', html
        )
        assert stylesheet, "the page links no hashed stylesheet"

        status, headers, css = get(stylesheet[1], **{"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(css) == (ROOT / "cac" / "static" / "css" / "cac.css").read_bytes()
        cache_control = headers["Cache-Control"]
        assert "immutable" in cache_control and "public" in cache_control
        assert int(re.search(r"max-age=(\d+)", cache_control)[1]) >= 365 * 24 * 60 * 60
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "Accept-Encoding" in headers["Vary"]
        # The unhashed name answers too, briefly cached (WhiteNoise's default, 60 s).
        status, headers, _ = get("/static/css/cac.css")
        assert (status, headers["Cache-Control"]) == (200, "max-age=60, public")

        images = re.findall(r'<img[^>]* src="(/media/images/[^"]+)"', html)
        assert images, "the page shows no image rendition"
        original = original_image_url(Path(environment["MEDIA_ROOT"]))
        for path in (images[0], original):
            status, headers, body = get(path)
            assert status == 200, path
            assert headers["Content-Type"] == "image/png"
            assert body.startswith(b"\x89PNG")
            assert headers["Cache-Control"] == "public, max-age=86400"
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["ETag"] and headers["Last-Modified"]
            assert "Cookie" not in headers.get("Vary", "")

        # The document still goes through Wagtail's serve view, never straight from MEDIA_ROOT.
        documents = re.findall(r'<a href="(/documents/\d+/station-guide\.txt)"', html)
        assert documents
        status, headers, body = get(documents[0])
        assert (status, body) == (200, b"How the stations work.")
        assert headers["Content-Security-Policy"] == "default-src 'none'"
        assert get("/media/documents/station-guide.txt")[0] == 404
        print(
            f"collectstatic, migrate, gunicorn and the requests: {time.monotonic() - started:.1f} s"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize(
    ("age_seconds", "healthy"), [(None, False), (0, True), (9 * 60, True), (11 * 60, False)]
)
def test_beat_healthcheck_wants_a_recently_written_schedule(
    compose, tmp_path, age_seconds, healthy
):
    check = compose["services"]["beat"]["healthcheck"]["test"]
    assert check[:3] == ["CMD", "python", "-c"]
    schedule_flag = [
        w for w in compose["services"]["beat"]["command"] if w.startswith("--schedule")
    ]
    schedule = schedule_flag[0].partition("=")[2]
    assert schedule in check[3]
    here = tmp_path / "celerybeat-schedule"
    if age_seconds is not None:
        written = tmp_path / "celerybeat-schedule.dat"  # dbm.dumb's name; gdbm uses the bare one
        written.write_bytes(b"")
        os.utime(written, (time.time() - age_seconds, time.time() - age_seconds))
    probe = check[3].replace(schedule, str(here))
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=30)
    assert (result.returncode == 0) is healthy, result.stderr


def test_production_settings_pass_check_deploy_with_env_example_values(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_healthcheck_pings_its_own_node(compose, celery_worker_process):
    require_postgresql()
    broker_url = require_redis_broker()
    check = compose["services"]["worker"]["healthcheck"]["test"]
    assert check[0] == "CMD-SHELL"
    # Compose turns $$ into $; the container's shell then expands HOSTNAME.
    command = check[1].replace("$$", "$")
    environment = {
        **os.environ,
        "CELERY_BROKER_URL": broker_url,
        "DJANGO_SETTINGS_MODULE": "cac.settings.test",
        "HOSTNAME": socket.gethostname(),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    # CMD-SHELL runs its string with /bin/sh -c.
    alive = subprocess.run(
        ["/bin/sh", "-c", command], cwd=ROOT, env=environment, capture_output=True, timeout=60
    )
    assert alive.returncode == 0, alive.stdout + alive.stderr
    # Another node's name gets no answer: the check is about this container's worker.
    absent = subprocess.run(
        ["/bin/sh", "-c", command.replace("$HOSTNAME", "no-such-worker")],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        timeout=60,
    )
    assert absent.returncode != 0


# --- Docs ---------------------------------------------------------------------------------------
def test_readme_production_section_gives_the_compose_and_one_off_commands():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Production", 1)[1].split("\n## ", 1)[0]
    assert "docker compose -f docker/compose.yaml up -d" in section
    for command in ("migrate", "load_summit_2020", "search_rebuild"):
        assert re.search(
            rf"docker compose -f docker/compose.yaml run --rm web python manage.py {command}\b",
            section,
        ), command
    assert "docs/deployment.md" in section


def test_deployment_docs_say_what_was_not_run():
    deployment = (ROOT / "docs" / "deployment.md").read_text()
    assert "## What was not run here" in deployment
    assert "tests/cac/test_deployment_files.py" in deployment
    scale_out = (ROOT / "docs" / "scale-out.md").read_text()
    for topic in ("number_of_replicas", "pg_basebackup", "archive_command", "-Q indexing"):
        assert topic in scale_out, topic


@pytest.mark.services
def test_separate_queues_put_tasks_on_their_queue_in_redis():
    """With the routes on, a sent task lands in its queue's Redis list (no worker consumes it)."""
    import redis

    broker_url = require_redis_broker()
    connection = redis.Redis.from_url(broker_url)
    queues = ("indexing", "translation", "documents")
    connection.delete(*queues)
    code = (
        "import django; django.setup(); "
        "from search.tasks import prune_query_log_task as a; "
        "from translation.tasks import sync_page_translations as b; "
        "from documents.tasks import extract_document_text as c; "
        "a.apply_async(); b.apply_async(args=[0]); c.apply_async(args=[0])"
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "cac.settings.test",
                "CELERY_BROKER_URL": broker_url,
                "CELERY_SEPARATE_QUEUES": "true",
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        sent = {}
        for queue in queues:
            messages = connection.lrange(queue, 0, -1)
            sent[queue] = [json.loads(m)["headers"]["task"] for m in messages]
        assert sent == {
            "indexing": ["search.tasks.prune_query_log"],
            "translation": ["translation.tasks.sync_page_translations"],
            "documents": ["documents.tasks.extract_document_text"],
        }
    finally:
        connection.delete(*queues)
