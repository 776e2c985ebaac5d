"""The running parts the load and fault scripts share: a fresh database, Redis, gunicorn, Celery.

Each script (bench/load_search_api.py, bench/fault_*.py) calls `configure()` before Django is
set up, so it and every subprocess it starts see the same database, broker and index folder.
Nothing here touches the shared PostgreSQL database or Redis: the database is created and
dropped by name, and Redis is a server of our own on its own port.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
VENV_BIN = Path(sys.executable).parent


def log(message: str) -> None:
    # UTC: Django sets the process's time zone to TIME_ZONE (Seoul) once it is set up.
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(pct) - 1]


# ---------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------


def _admin(url: str):
    import psycopg

    return psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True)


def create_database(url: str) -> None:
    if url.startswith("sqlite:"):
        # A file of the run's own: migrate creates it.
        Path(urlsplit(url).path).unlink(missing_ok=True)
        return
    name = urlsplit(url).path.lstrip("/")
    with _admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    if url.startswith("sqlite:"):
        Path(urlsplit(url).path).unlink(missing_ok=True)
        return
    name = urlsplit(url).path.lstrip("/")
    with _admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------------------
# Redis of our own
# ---------------------------------------------------------------------------


def redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(port: int) -> None:
    subprocess.run(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
         "--daemonize", "yes"],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(50):
        if redis_ping(port):
            return
        time.sleep(0.1)
    raise SystemExit(f"redis on port {port} did not start")


def stop_redis(port: int) -> None:
    subprocess.run(
        ["redis-cli", "-p", str(port), "shutdown", "nosave"],
        check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(50):
        if not redis_ping(port):
            return
        time.sleep(0.1)


# ---------------------------------------------------------------------------
# Environment and content
# ---------------------------------------------------------------------------


class Stack:
    """Temp folders, the environment for every process, and the processes started."""

    def __init__(
        self,
        database_url: str,
        *,
        redis_port: int | None,
        keep: bool,
        folder: Path | None = None,
    ):
        self.database_url = database_url
        self.redis_port = redis_port
        self.keep = keep
        # A given folder is kept (a later run reuses what was prepared in it).
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            self.keep = True
        self.folder = folder or Path(tempfile.mkdtemp(prefix="cac-fault-"))
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.started_redis = False

    def configure(self, **extra: str) -> None:
        """Production settings over plain HTTP on loopback, with this run's own parts."""
        env = {
            "DJANGO_SETTINGS_MODULE": "cac.settings.production",
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": "bench-not-secret",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "WAGTAILADMIN_BASE_URL": "http://127.0.0.1",
            "SECURE_SSL_REDIRECT": "False",
            "SEARCH_INDEX_DIR": str(self.folder / "index"),
            "STATIC_ROOT": str(self.folder / "static"),
            "MEDIA_ROOT": str(self.folder / "media"),
            "PYTHONPATH": str(PROJECT_ROOT),
        }
        if self.redis_port:
            env["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{self.redis_port}/0"
        else:
            env["CELERY_TASKS_IN_PROCESS"] = "true"
        # Production refuses to start on its stand-ins unless asked: this run's processes
        # count throttling on their own and share the embedded index in this folder.
        env["CACHE_PER_PROCESS"] = "true"
        env["SEARCH_ENGINE_EMBEDDED"] = "true"
        env.update(extra)
        os.environ.update(env)
        for name in ("ELASTICSEARCH_URL",):
            if name not in env:
                os.environ.pop(name, None)

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=PROJECT_ROOT, check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def prepare(self, practices: int, *, drafts: int = 0) -> None:
        """Migrate, load the demo content and `practices` generated practices, build the index.

        `drafts` more practices are imported unpublished: the fault scripts publish them.
        """
        from import_practices import generate_lines  # bench/import_practices.py

        log(f"database {urlsplit(self.database_url).path}: creating, migrating")
        create_database(self.database_url)
        self.manage("migrate")
        log("loading demo content (load_summit_2020, load_demo_practices)")
        self.manage("load_summit_2020")
        self.manage("load_demo_practices")
        self.manage("collectstatic", "--noinput")
        import json

        records = [json.loads(line) for line in generate_lines(practices, seed=2026)]
        # The drafts: English originals only (a translation needs a published source).
        extra = [json.loads(line) for line in generate_lines(drafts * 2, seed=7)]
        extra = [r for r in extra if r["locale"] == "en"][:drafts]
        for number, record in enumerate(extra):
            record.update(slug=f"fault-draft-{number:05d}", status="draft")
        path = self.folder / "practices.jsonl"
        path.write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in records + extra) + "\n",
            encoding="utf-8",
        )
        log(f"importing {practices} practices (+{drafts} drafts)")
        started = time.perf_counter()
        self.manage("import_practices", str(path))
        log(f"imported in {time.perf_counter() - started:.0f} s; search_rebuild")
        self.manage("search_rebuild")

    # -- processes -------------------------------------------------------------------------

    def spawn(self, name: str, args: list[str], **env: str) -> subprocess.Popen:
        logfile = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            args, cwd=PROJECT_ROOT, env={**os.environ, **env}, stdout=logfile,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.processes.append((name, process))
        return process

    def gunicorn(self, port: int, workers: int, **env: str) -> subprocess.Popen:
        process = self.spawn(
            f"gunicorn-{port}",
            [str(VENV_BIN / "gunicorn"), "cac.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--timeout", "60", "--backlog", "2048"],
            **env,
        )  # fmt: skip
        wait_http(f"http://127.0.0.1:{port}/healthz", timeout=120)
        return process

    def worker(self, name: str = "worker", concurrency: int = 2) -> subprocess.Popen:
        return self.spawn(
            name,
            [str(VENV_BIN / "celery"), "-A", "cac", "worker", "-l", "info", "-n",
             f"{name}@%h", "--concurrency", str(concurrency)],
        )  # fmt: skip

    def beat(self) -> subprocess.Popen:
        return self.spawn(
            "beat",
            [str(VENV_BIN / "celery"), "-A", "cac", "beat", "-l", "info",
             "-s", str(self.folder / "beat-schedule")],
        )  # fmt: skip

    def kill(self, process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
        """The process and its children (a Celery worker's pool, gunicorn's workers)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def __enter__(self) -> Stack:
        # Stopped from outside (even as a background job, where SIGINT is ignored): clean up.
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, _exit_on_signal)
        if self.redis_port:
            if redis_ping(self.redis_port):
                raise SystemExit(f"something already answers on port {self.redis_port}")
            start_redis(self.redis_port)
            self.started_redis = True
        return self

    def __exit__(self, *exc) -> None:
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                self.kill(process)
        if self.started_redis:
            stop_redis(self.redis_port)
        if self.keep:
            log(f"kept database and logs under {self.folder}")
            return
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        drop_database(self.database_url)
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)


def _exit_on_signal(signum, _frame) -> None:
    raise SystemExit(128 + signum)


def wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - http://127.0.0.1 only
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def fetch(url: str, timeout: float = 30) -> tuple[int, float, bytes]:
    """(status, seconds, body) of one GET; HTTP errors are answers too."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body = error.read()
        status = error.code
    return status, time.perf_counter() - started, body


def conditions() -> str:
    load = os.getloadavg()
    return (
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )


def default_database_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def stack_arguments(parser, *, practices: int) -> None:
    """The options every fault script shares: where its stack lives and what it holds."""
    parser.add_argument("database_url", nargs="?", default=default_database_url("cac_faults"))
    parser.add_argument("--practices", type=int, default=practices, help="published first")
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--keep", action="store_true")


def imported_drafts():
    """The drafts Stack.prepare(drafts=N) imported, and the search ids they will have."""
    from knowledge.models import PracticePage
    from search.documents import page_document_id

    drafts = list(
        PracticePage.objects.filter(slug__startswith="fault-draft-", live=False).order_by("pk")
    )
    return drafts, {page_document_id(page.pk) for page in drafts}


def indexed_id_counts(engine) -> dict[str, int]:
    """How many stored documents carry each id: more than one would be a duplicate.

    The embedded engine's indexed_versions() is a dict, so it cannot show duplicates; this
    reads every stored document of the live snapshot instead.
    """
    import tantivy

    searcher = engine._snapshot().searcher
    counts: dict[str, int] = {}
    if not searcher.num_docs:
        return counts
    result = searcher.search(tantivy.Query.all_query(), limit=searcher.num_docs, count=False)
    for _score, address in result.hits:
        doc_id = searcher.doc(address).get_first("id")
        counts[doc_id] = counts.get(doc_id, 0) + 1
    return counts


def wait_for_worker(timeout: float = 120) -> float:
    """Seconds until a Celery worker answers a ping over the broker."""
    from cac.celery import app

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with contextlib.suppress(Exception):
            if app.control.ping(timeout=1.0):
                return time.monotonic() - started
        time.sleep(0.5)
    raise SystemExit(f"no Celery worker answered within {timeout} s")


def django_setup() -> None:
    import django

    django.setup()


# ---------------------------------------------------------------------------
# wrk
# ---------------------------------------------------------------------------

# wrk's script: the paths in turn, and its summary as one JSON line.
WRK_LUA = """
local paths = {%(paths)s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "seconds": %%.3f, "p50": %%.2f, "p95": %%.2f, "p99": %%.2f, ' ..
    '"max": %%.2f, "connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def run_wrk(base: str, paths: list[str], connections: int, duration: int, folder: Path) -> dict:
    """wrk with 2 threads against `base`, asking for `paths` in turn: requests/s, latency
    percentiles (ms) and errors."""
    script = folder / "paths.lua"
    script.write_text(
        WRK_LUA % {"paths": ", ".join(json.dumps(p) for p in paths)}, encoding="utf-8"
    )
    completed = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s",
         "-s", str(script), base],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(x for x in completed.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / result["seconds"]
    result["socket"] = sum(result[k] for k in ("connect", "read", "write", "timeout"))
    result["errors"] = result["socket"] + result["status"]
    return result
