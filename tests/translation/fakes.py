"""Local HTTP servers that speak the machine-translation providers' documented APIs.

No provider can be reached from the test machines, so these are the only stand-ins allowed.
Each fake checks method, path, auth and body shape as the provider documents them and answers
errors the way the provider does; it records every request for assertions.

"Translation" is deterministic: ``"[<target code>] " + text`` with the translatable text
upper-cased, while text the provider must not translate (DeepL ignore_tags, HTML
``translate="no"``) is kept verbatim. So a glossary term that lost its protection shows up
upper-cased, and a term that kept it comes back exactly.

    with FakeDeepL(api_key="k") as fake:
        provider = DeepLProvider(api_key="k", base_url=fake.url)
        fake.fail_next(429, retry_after="3")
"""

from __future__ import annotations

import html
import json
import threading
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: object  # parsed JSON, or None
    raw: bytes


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def json_answer(status: int, data: object, **headers: str) -> Answer:
    return Answer(
        status,
        json.dumps(data, ensure_ascii=False).encode("utf-8"),
        {"Content-Type": "application/json", **headers},
    )


def shout(text: str) -> str:
    """The fakes' stand-in for translating a piece of text."""
    return text.upper()


class FakeProvider:
    """Base: a ThreadingHTTPServer on 127.0.0.1, a request log and queued failures."""

    def __init__(self, *, api_key: str = "test-key"):
        self.api_key = api_key
        self.requests: list[RecordedRequest] = []
        self._queued: deque[Answer] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    def __enter__(self) -> FakeProvider:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake._serve(self, "GET")

            def do_POST(self):
                fake._serve(self, "POST")

            def log_message(self, format, *args):  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # test controls

    def fail_next(
        self,
        status: int,
        *,
        count: int = 1,
        retry_after: str | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next ``count`` requests with ``status`` in the provider's error format."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        answer = self.error_answer(status, message or self.default_message(status), headers)
        with self._lock:
            self._queued.extend([answer] * count)

    def answer_next_raw(self, body: bytes, *, status: int = 200, content_type: str = "") -> None:
        """Answer the next request with these bytes (e.g. a malformed body)."""
        headers = {"Content-Type": content_type} if content_type else {}
        with self._lock:
            self._queued.append(Answer(status, body, headers))

    def bodies(self) -> list[object]:
        return [r.body for r in self.requests]

    # for subclasses

    def handle(self, request: RecordedRequest) -> Answer:
        raise NotImplementedError

    def error_answer(self, status: int, message: str, headers: dict[str, str]) -> Answer:
        raise NotImplementedError

    def default_message(self, status: int) -> str:
        return {
            400: "Bad request",
            403: "Forbidden",
            429: "Too many requests",
            456: "Quota exceeded",
            500: "Internal server error",
            503: "Service unavailable",
        }.get(status, "Error")

    # plumbing

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        parts = urlsplit(handler.path)
        body = None
        if raw and "json" in (handler.headers.get("Content-Type") or ""):
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        request = RecordedRequest(
            method=method,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
            raw=raw,
        )
        with self._lock:
            self.requests.append(request)
            queued = self._queued.popleft() if self._queued else None
        answer = queued or self.handle(request)
        handler.send_response(answer.status)
        for name, value in answer.headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(answer.body)))
        handler.end_headers()
        handler.wfile.write(answer.body)


def is_json_request(request: RecordedRequest) -> bool:
    return "application/json" in request.headers.get("content-type", "")


def is_string_list(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


# --- DeepL -----------------------------------------------------------------------------------

DEEPL_SOURCES = {"AR", "BG", "CS", "DA", "DE", "EL", "EN", "ES", "ET", "FI", "FR", "HU", "ID"}
DEEPL_SOURCES |= {"IT", "JA", "KO", "LT", "LV", "NB", "NL", "PL", "PT", "RO", "RU", "SK", "SL"}
DEEPL_SOURCES |= {"SV", "TR", "UK", "ZH"}
DEEPL_TARGETS = (DEEPL_SOURCES - {"EN", "PT"}) | {"EN-GB", "EN-US", "PT-BR", "PT-PT"}
DEEPL_TARGETS |= {"ZH-HANS", "ZH-HANT"}
DEEPL_MAX_TEXTS = 50
DEEPL_MAX_BODY = 128 * 1024


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class FakeDeepL(FakeProvider):
    """DeepL API v2 ``POST /v2/translate`` (JSON body, ``Authorization: DeepL-Auth-Key``)."""

    def error_answer(self, status, message, headers):
        return json_answer(status, {"message": message}, **headers)

    def handle(self, request):
        if request.path != "/v2/translate":
            return self.error_answer(404, "Not found", {})
        if request.method != "POST":
            return self.error_answer(405, "Method not allowed", {})
        if request.headers.get("authorization") != f"DeepL-Auth-Key {self.api_key}":
            return self.error_answer(
                403, "Authorization failed. Please supply a valid auth_key parameter.", {}
            )
        if len(request.raw) > DEEPL_MAX_BODY:
            return self.error_answer(413, "Request Entity Too Large", {})
        body = request.body
        if not is_json_request(request) or not isinstance(body, dict):
            return self.error_answer(400, "Bad request. Reason: invalid JSON body", {})
        texts = body.get("text")
        if not is_string_list(texts):
            return self.error_answer(400, "Parameter 'text' not specified.", {})
        if len(texts) > DEEPL_MAX_TEXTS:
            return self.error_answer(400, "Too many texts in request.", {})
        target = body.get("target_lang")
        if target not in DEEPL_TARGETS:
            return self.error_answer(400, "Value for 'target_lang' not supported.", {})
        source = body.get("source_lang")
        if source is not None and source not in DEEPL_SOURCES:
            return self.error_answer(400, "Value for 'source_lang' not supported.", {})
        tag_handling = body.get("tag_handling")
        if tag_handling not in (None, "xml", "html"):
            return self.error_answer(400, "Value for 'tag_handling' not supported.", {})
        ignore = body.get("ignore_tags", [])
        if isinstance(ignore, str):
            ignore = [t for t in ignore.split(",") if t]
        if not isinstance(ignore, list):
            return self.error_answer(400, "Value for 'ignore_tags' not supported.", {})
        translations = []
        for text in texts:
            if tag_handling == "xml":
                try:
                    root = ET.fromstring(f"<root>{text}</root>")  # noqa: S314 (our own test input)
                except ET.ParseError:
                    return self.error_answer(
                        400, "Tag handling parsing failed, please check input.", {}
                    )
                translated = self.render(root, set(ignore))
            else:
                translated = shout(text)
            translations.append(
                {"detected_source_language": source or "KO", "text": f"[{target}] {translated}"}
            )
        return json_answer(200, {"translations": translations})

    def render(self, element: ET.Element, ignore: set[str]) -> str:
        out = [xml_escape(shout(element.text or ""))]
        for child in element:
            if child.tag in ignore:
                inner = ET.tostring(child, encoding="unicode").removesuffix(
                    xml_escape(child.tail or "")
                )
                out.append(inner)
            else:
                out.append(f"<{child.tag}>{self.render(child, ignore)}</{child.tag}>")
            out.append(xml_escape(shout(child.tail or "")))
        return "".join(out)


# --- HTML translation shared by Google and LibreTranslate -----------------------------------


class HtmlTranslator(HTMLParser):
    """Upper-cases text outside translate="no" elements; keeps tags; re-escapes text."""

    VOID = {"br", "img", "hr", "input", "meta", "link", "wbr"}

    def __init__(self, *, escape_quotes: bool, self_closing_br: bool):
        super().__init__(convert_charrefs=True)
        self.escape_quotes = escape_quotes
        self.self_closing_br = self_closing_br
        self.out: list[str] = []
        self.stack: list[bool] = []  # per open element: is it translate="no"?

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            self.out.append("<br/>" if tag == "br" and self.self_closing_br else f"<{tag}>")
            return
        self.stack.append(dict(attrs).get("translate") == "no")
        self.out.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        self.out.append("<br/>" if tag == "br" and self.self_closing_br else f"<{tag}/>")

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if self.stack:
            self.stack.pop()
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        kept = any(self.stack)
        self.out.append(html.escape(data if kept else shout(data), quote=self.escape_quotes))

    def translate(self, markup: str) -> str:
        self.feed(markup)
        self.close()
        return "".join(self.out)


# --- Google Cloud Translation - Basic (v2) ---------------------------------------------------

GOOGLE_LANGUAGES = {"en", "ko", "zh-CN", "zh-TW", "zh", "ja", "es", "fr", "ar", "de", "ru"}
GOOGLE_MAX_SEGMENTS = 128


class FakeGoogle(FakeProvider):
    """Cloud Translation Basic ``POST /language/translate/v2`` with an API key."""

    REASONS = {
        400: "badRequest",
        403: "forbidden",
        429: "rateLimitExceeded",
        500: "backendError",
        503: "backendError",
    }

    def fail_next_rate_limited(self, *, count: int = 1) -> None:
        """Google's per-minute quota overrun: a 403 with reason userRateLimitExceeded."""
        answer = self.error_answer(403, "User Rate Limit Exceeded", {}, "userRateLimitExceeded")
        with self._lock:
            self._queued.extend([answer] * count)

    def error_answer(self, status, message, headers, reason=None):
        reason = reason or self.REASONS.get(status, "error")
        error = {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": "global", "reason": reason}],
        }
        return json_answer(status, {"error": error}, **headers)

    def handle(self, request):
        if request.path != "/language/translate/v2":
            return self.error_answer(404, "Not Found", {}, "notFound")
        if request.method != "POST":
            return self.error_answer(405, "Method Not Allowed", {}, "notAllowed")
        key = request.headers.get("x-goog-api-key") or request.query.get("key", [""])[0]
        if not key:
            return self.error_answer(
                403, "The request is missing a valid API key.", {}, "forbidden"
            )
        if key != self.api_key:
            return self.error_answer(
                400, "API key not valid. Please pass a valid API key.", {}, "keyInvalid"
            )
        body = request.body
        if not is_json_request(request) or not isinstance(body, dict):
            return self.error_answer(400, "Invalid JSON payload received.", {})
        segments = body.get("q")
        if isinstance(segments, str):
            segments = [segments]
        if not is_string_list(segments):
            return self.error_answer(400, "Required Text", {}, "required")
        if len(segments) > GOOGLE_MAX_SEGMENTS:
            return self.error_answer(400, "Too many text segments", {}, "invalid")
        target = body.get("target")
        if target not in GOOGLE_LANGUAGES:
            return self.error_answer(400, "Invalid Value", {}, "invalid")
        source = body.get("source")
        if source is not None and source not in GOOGLE_LANGUAGES:
            return self.error_answer(400, "Invalid Value", {}, "invalid")
        text_format = body.get("format", "html")  # v2 defaults to html
        if text_format not in ("text", "html"):
            return self.error_answer(400, "Invalid Value", {}, "invalid")
        translations = []
        for segment in segments:
            if text_format == "html":
                translated = HtmlTranslator(escape_quotes=True, self_closing_br=False).translate(
                    segment
                )
            else:
                translated = shout(segment)
            entry = {"translatedText": f"[{target}] {translated}"}
            if source is None:
                entry["detectedSourceLanguage"] = "ko"
            translations.append(entry)
        return json_answer(200, {"data": {"translations": translations}})


# --- LibreTranslate --------------------------------------------------------------------------


class FakeLibreTranslate(FakeProvider):
    """A LibreTranslate server: ``POST /translate`` and ``GET /languages``.

    ``api_key=""`` runs it without API keys. ``chinese`` is the server's Chinese code ("zh-Hans"
    on current releases, "zh" on older ones). ``char_limit``/``batch_limit`` mirror the operator
    options (-1: unlimited).
    """

    def __init__(
        self,
        *,
        api_key: str = "test-key",
        chinese: str = "zh-Hans",
        char_limit: int = -1,
        batch_limit: int = -1,
    ):
        super().__init__(api_key=api_key)
        self.languages = ["en", "ko", chinese, "ja", "es", "fr", "ar"]
        self.char_limit = char_limit
        self.batch_limit = batch_limit

    def error_answer(self, status, message, headers):
        if status == 429:
            message = f"Slowdown: {message}"
        return json_answer(status, {"error": message}, **headers)

    def handle(self, request):
        if request.path == "/languages" and request.method == "GET":
            return json_answer(
                200,
                [
                    {
                        "code": code,
                        "name": code,
                        "targets": [c for c in self.languages if c != code],
                    }
                    for code in self.languages
                ],
            )
        if request.path != "/translate":
            return self.error_answer(404, "Not Found", {})
        if request.method != "POST":
            return self.error_answer(405, "Method Not Allowed", {})
        body = request.body
        if not is_json_request(request) or not isinstance(body, dict):
            return self.error_answer(400, "Invalid JSON format", {})
        if self.api_key:
            given = body.get("api_key")
            if given and given != self.api_key:
                return self.error_answer(403, "Invalid API key", {})
            if not given:
                return self.error_answer(
                    400, "Please contact the server operator to get an API key", {}
                )
        for name in ("q", "source", "target"):
            if not body.get(name):
                return self.error_answer(400, f"Invalid request: missing {name} parameter", {})
        q = body["q"]
        batch = isinstance(q, list)
        texts = q if batch else [q]
        if not all(isinstance(t, str) for t in texts):
            return self.error_answer(400, "Invalid request: q must be text", {})
        if batch and self.batch_limit != -1 and len(texts) > self.batch_limit:
            return self.error_answer(
                400,
                f"Invalid request: request ({len(texts)}) exceeds text limit ({self.batch_limit})",
                {},
            )
        chars = sum(len(t) for t in texts)
        if self.char_limit != -1 and chars > self.char_limit:
            return self.error_answer(
                400,
                f"Invalid request: request ({chars}) exceeds text limit ({self.char_limit})",
                {},
            )
        for name in ("source", "target"):
            if body[name] not in self.languages:
                return self.error_answer(400, f"{body[name]} is not supported", {})
        text_format = body.get("format") or "text"
        if text_format not in ("text", "html"):
            return self.error_answer(400, f"{text_format} format is not supported", {})
        results = []
        for text in texts:
            if text_format == "html":
                minified = " ".join(text.split())  # as translatehtml does
                translated = HtmlTranslator(escape_quotes=False, self_closing_br=True).translate(
                    minified
                )
            else:
                translated = shout(text)
            # LibreTranslate HTML-unescapes every answer before sending it.
            results.append(html.unescape(f"[{body['target']}] {translated}"))
        return json_answer(200, {"translatedText": results if batch else results[0]})
