"""A stand-in for Elasticsearch at the HTTP boundary, for the tests that check the requests the
engine sends.

A small local HTTP server records every request a real `Elasticsearch` client sends and answers
with canned bodies shaped like the Elasticsearch reference's examples. It never searches: tests
assert on the requests, and on how documented responses are parsed. The `fake_es` fixture
(tests/search/conftest.py) starts one per test. tests/search/test_elasticsearch_recorded.py
answers instead with example responses recorded from the Elasticsearch API specification
(tests/search/recorded/, sources in its SOURCES.md).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any  # parsed JSON, a list of parsed NDJSON lines, or None
    size: int = 0  # bytes of the body as sent


Responder = Callable[[RecordedRequest], tuple[int, Any]]


class FakeElasticsearch:
    """Routes (method, path regex) to queued answers; records everything it is sent."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._routes: list[tuple[str, re.Pattern[str], list[tuple[int, Any] | Responder]]] = []

    def on(self, method: str, path: str, *answers: tuple[int, Any] | Responder) -> None:
        """Answer in turn; the last answer repeats. A later route for the same path wins."""
        self._routes.insert(0, (method, re.compile(path), list(answers)))

    def answer(self, request: RecordedRequest) -> tuple[int, Any]:
        for method, pattern, answers in self._routes:
            if method == request.method and pattern.fullmatch(request.path):
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
                return answer(request) if callable(answer) else answer
        return 404, {"error": {"type": "fake_route_missing", "reason": request.path}, "status": 404}

    def sent(self, method: str, path: str) -> list[RecordedRequest]:
        pattern = re.compile(path)
        return [r for r in self.requests if r.method == method and pattern.fullmatch(r.path)]


def _handler_for(fake: FakeElasticsearch) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            url = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body: Any = None
            if raw:
                text = raw.decode("utf-8")
                if "ndjson" in (self.headers.get("Content-Type") or ""):
                    body = [json.loads(line) for line in text.splitlines() if line.strip()]
                else:
                    body = json.loads(text)
            request = RecordedRequest(self.command, url.path, parse_qs(url.query), body, len(raw))
            fake.requests.append(request)
            try:
                status, payload = fake.answer(request)
            except Exception as error:  # a broken fake answers 500 rather than hanging up
                status, payload = 500, {"error": {"type": "fake_error", "reason": repr(error)}}
            data = b"" if payload is None else json.dumps(payload).encode("utf-8")
            try:
                self.send_response(status)
                # The client refuses servers that do not identify as Elasticsearch.
                self.send_header("X-Elastic-Product", "Elasticsearch")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # an answer given after the client stopped waiting (a timeout test)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

    return Handler


@contextmanager
def running_fake() -> Iterator[tuple[FakeElasticsearch, str]]:
    """A fake and the URL it listens on, for as long as the block runs."""
    fake = FakeElasticsearch()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(fake))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def bulk_ok(request: RecordedRequest) -> tuple[int, Any]:
    """The documented bulk response: one item per action line, all successful."""
    items = []
    for line in request.body:
        op, meta = next(iter(line.items()))
        if len(line) == 1 and op in ("index", "delete", "update"):
            status = 201 if op == "index" else 200
            result = {"index": "created", "delete": "deleted", "update": "updated"}[op]
            items.append(
                {
                    op: {
                        "_index": meta["_index"],
                        "_id": meta["_id"],
                        "_version": 1,
                        "result": result,
                        "status": status,
                        "_seq_no": 0,
                        "_primary_term": 1,
                        "_shards": {"total": 2, "successful": 1, "failed": 0},
                    }
                }
            )
    return 200, {"took": 3, "errors": False, "items": items}


ACKNOWLEDGED = (200, {"acknowledged": True})
REFRESHED = (200, {"_shards": {"total": 2, "successful": 1, "failed": 0}})

LIVE_INDEX = "cac-knowledge-20200601000000000000"
BUILDING_INDEX = "cac-knowledge-20261128000000000000"
ALIAS_LOOKUP = r"/_alias/cac-knowledge,cac-knowledge-rebuilding"


def aliases_found(
    live: tuple[str, ...] = (LIVE_INDEX,), rebuilding: tuple[str, ...] = ()
) -> tuple[int, Any]:
    """GET _alias/cac-knowledge,cac-knowledge-rebuilding as Elasticsearch answers it.

    The indices holding each alias; when one of the aliases exists nowhere, status 404 with an
    "error" entry beside the indices that were found.
    """
    body: dict[str, Any] = {}
    for alias, indices in (("cac-knowledge", live), ("cac-knowledge-rebuilding", rebuilding)):
        for index in indices:
            body.setdefault(index, {"aliases": {}})["aliases"][alias] = {"is_write_index": True}
    missing = [
        alias
        for alias, indices in (("cac-knowledge", live), ("cac-knowledge-rebuilding", rebuilding))
        if not indices
    ]
    if missing:
        return 404, {"error": f"alias [{','.join(missing)}] missing", "status": 404, **body}
    return 200, body
