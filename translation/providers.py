"""Machine-translation clients: DeepL, Google Cloud Translation (Basic, v2), LibreTranslate.

Each client takes plain-text segments and our Django language codes, and returns translations in
input order. Glossary terms are swapped for their target-language wording before sending and
shielded from translation with the provider's own mechanism, so they come back verbatim:

- DeepL: ``tag_handling: "xml"`` with ``ignore_tags: ["x"]``; the rest of the text is XML-escaped.
- Google: ``format: "html"`` with ``<span translate="no">``; the rest is HTML-escaped.
- LibreTranslate: ``format: "html"`` with ``<span translate="no">``. The API documents only the
  ``text``/``html`` formats; LibreTranslate translates HTML with the translatehtml library, which
  leaves ``translate="no"`` elements alone. A server that drops the span translates the term like
  any other word: the text is kept, the glossary wording is not guaranteed.

Segments without glossary terms are sent as plain text, so the markup is used only where needed.
The clients never retry: 429, 5xx, timeouts and connection failures raise a retryable
ProviderError (with the provider's Retry-After), and the Celery task does the backoff.
"""

from __future__ import annotations

import email.utils
import html
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

TIMEOUT = (5, 30)  # connect, read (seconds)
ERROR_DETAIL_CHARS = 200


@dataclass(frozen=True)
class GlossaryEntry:
    source: str  # e.g. "자가격리"
    target: str  # e.g. "self-quarantine", already in the target language


class ProviderError(Exception):
    """A provider request failed. ``retryable`` says whether trying again later may help."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        status: int | None = None,
    ):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status


# --- glossary --------------------------------------------------------------------------------


def split_on_terms(text: str, glossary: Sequence[GlossaryEntry]) -> list[tuple[str, bool]]:
    """The text as (piece, is_term) pairs, each term already replaced by its target wording.

    Longest source terms win where terms overlap ("생활 속 거리두기" before "거리두기").
    """
    targets: dict[str, str] = {}
    for term in glossary:
        if term.source and term.target:
            targets.setdefault(term.source, term.target)
    if not targets:
        return [(text, False)]
    pattern = re.compile("|".join(re.escape(s) for s in sorted(targets, key=len, reverse=True)))
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            pieces.append((text[position : match.start()], False))
        pieces.append((targets[match.group()], True))
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


# --- HTTP ------------------------------------------------------------------------------------


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: either delay-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class TranslationProvider:
    """Base class: glossary protection, batching and error mapping. Subclasses speak the API."""

    name = ""
    label = ""  # shown in messages
    max_texts = 50
    max_chars = 5000
    # Our language code -> the provider's code, for the source and for the target side.
    source_codes: dict[str, str] = {}
    target_codes: dict[str, str] = {}

    def __init__(self, *, api_key: str = "", base_url: str = ""):
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")

    # public API

    def supports(self, source: str, target: str) -> bool:
        return (
            source != target
            and self.source_code(source) is not None
            and self.target_code(target) is not None
        )

    def translate(
        self,
        texts: list[str],
        *,
        source: str,
        target: str,
        glossary: Sequence[GlossaryEntry] = (),
    ) -> list[str]:
        if not self.supports(source, target):
            raise ProviderError(
                _("%(provider)s does not translate from %(source)s into %(target)s.")
                % {"provider": self.label, "source": source, "target": target},
                retryable=False,
            )
        results = list(texts)
        plain: list[tuple[int, str]] = []
        protected: list[tuple[int, str]] = []
        for index, text in enumerate(texts):
            if not text.strip():
                continue  # nothing to translate: no request
            pieces = split_on_terms(text, glossary)
            if any(is_term for _piece, is_term in pieces):
                protected.append((index, self.mark_up(pieces)))
            else:
                plain.append((index, text))
        for group, marked in ((plain, False), (protected, True)):
            for batch in self.batches(group):
                sent = [text for _index, text in batch]
                answers = self.request(sent, source=source, target=target, marked=marked)
                if len(answers) != len(sent):
                    raise self.malformed()
                for (index, _text), answer in zip(batch, answers, strict=True):
                    results[index] = self.strip_markup(answer) if marked else answer
        return results

    def source_code(self, language: str) -> str | None:
        return self.source_codes.get(language)

    def target_code(self, language: str) -> str | None:
        return self.target_codes.get(language)

    # for subclasses

    def mark_up(self, pieces: list[tuple[str, bool]]) -> str:
        raise NotImplementedError

    def strip_markup(self, text: str) -> str:
        raise NotImplementedError

    def request(self, texts: list[str], *, source: str, target: str, marked: bool) -> list[str]:
        raise NotImplementedError

    def size(self, text: str) -> int:
        return len(text)

    def html_or_text_body(self, texts: list[str], *, source: str, target: str, marked: bool):
        """The request body Google v2 and LibreTranslate share: marked texts go as HTML."""
        return {
            "q": texts,
            "source": self.source_code(source),
            "target": self.target_code(target),
            "format": "html" if marked else "text",
        }

    def batches(self, items: list[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
        """Consecutive runs within the per-request limits; an oversized text goes alone."""
        batch: list[tuple[int, str]] = []
        total = 0
        for item in items:
            size = self.size(item[1])
            if batch and (len(batch) >= self.max_texts or total + size > self.max_chars):
                yield batch
                batch, total = [], 0
            batch.append(item)
            total += size
        if batch:
            yield batch

    def post(self, url: str, *, json: dict, headers: dict | None = None) -> object:
        """POST JSON; the parsed answer, or ProviderError. Never puts the key in a message."""
        try:
            response = requests.post(url, json=json, headers=headers or {}, timeout=TIMEOUT)
        except requests.Timeout:
            raise ProviderError(
                _("%(provider)s did not answer in time.") % {"provider": self.label},
                retryable=True,
            ) from None
        except requests.ConnectionError:
            raise ProviderError(
                _("%(provider)s could not be reached.") % {"provider": self.label},
                retryable=True,
            ) from None
        except requests.RequestException as error:
            raise ProviderError(
                _("%(provider)s request failed (%(kind)s).")
                % {"provider": self.label, "kind": type(error).__name__},
                retryable=False,
            ) from None
        status = response.status_code
        if status != 200:
            retryable = status == 429 or status >= 500 or self.is_rate_limited(response)
            raise ProviderError(
                _("%(provider)s answered HTTP %(status)d: %(detail)s")
                % {"provider": self.label, "status": status, "detail": self.error_detail(response)},
                retryable=retryable,
                retry_after=retry_after_seconds(response.headers.get("Retry-After"))
                if retryable
                else None,
                status=status,
            )
        try:
            return response.json()
        except ValueError:
            raise self.malformed() from None

    def is_rate_limited(self, response: requests.Response) -> bool:
        return False

    def error_detail(self, response: requests.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            body = None
        detail = self.message_from(body) if body is not None else ""
        detail = (detail or response.reason or "").strip()
        if self.api_key:
            detail = detail.replace(self.api_key, "***")
        return detail[:ERROR_DETAIL_CHARS]

    def message_from(self, body: object) -> str:
        return ""

    def malformed(self) -> ProviderError:
        return ProviderError(
            _("%(provider)s sent an answer that could not be read.") % {"provider": self.label},
            retryable=False,
        )

    def read_list(self, getter: Callable[[], list[str]]) -> list[str]:
        """Run ``getter`` on the parsed body; any shape mismatch is a malformed answer."""
        try:
            answers = getter()
        except (KeyError, IndexError, TypeError, AttributeError):
            raise self.malformed() from None
        if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
            raise self.malformed()
        return answers


# --- DeepL -----------------------------------------------------------------------------------

DEEPL_TAG = "x"
DEEPL_TAG_PATTERN = re.compile(rf"</?{DEEPL_TAG}\s*/?>")


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class DeepLProvider(TranslationProvider):
    """DeepL API v2 ``POST /v2/translate`` with a JSON body.

    Keys ending in ":fx" belong to the free plan and use api-free.deepl.com. At most 50 texts per
    request and 128 KiB of body; we batch at 50 texts and 100 000 bytes of text. 456 (quota
    exceeded) is not retried: it lasts until the quota resets or is raised.
    """

    name = "deepl"
    label = "DeepL"
    max_texts = 50
    max_chars = 100_000  # bytes of UTF-8 text, leaving room under the 128 KiB body limit
    source_codes = {
        "en": "EN",
        "ko": "KO",
        "zh-hans": "ZH",
        "ja": "JA",
        "es": "ES",
        "fr": "FR",
        "ar": "AR",
    }
    target_codes = {
        "en": "EN-GB",
        "ko": "KO",
        "zh-hans": "ZH-HANS",
        "ja": "JA",
        "es": "ES",
        "fr": "FR",
        "ar": "AR",
    }

    @property
    def endpoint(self) -> str:
        if self.base_url:
            base = self.base_url
        elif self.api_key.endswith(":fx"):
            base = "https://api-free.deepl.com"
        else:
            base = "https://api.deepl.com"
        return f"{base}/v2/translate"

    def size(self, text: str) -> int:
        return len(text.encode("utf-8"))

    def mark_up(self, pieces: list[tuple[str, bool]]) -> str:
        return "".join(
            f"<{DEEPL_TAG}>{xml_escape(piece)}</{DEEPL_TAG}>" if is_term else xml_escape(piece)
            for piece, is_term in pieces
        )

    def strip_markup(self, text: str) -> str:
        return html.unescape(DEEPL_TAG_PATTERN.sub("", text))

    def request(self, texts: list[str], *, source: str, target: str, marked: bool) -> list[str]:
        body: dict = {
            "text": texts,
            "source_lang": self.source_code(source),
            "target_lang": self.target_code(target),
        }
        if marked:
            body["tag_handling"] = "xml"
            body["ignore_tags"] = [DEEPL_TAG]
        answer = self.post(
            self.endpoint,
            json=body,
            headers={"Authorization": f"DeepL-Auth-Key {self.api_key}"},
        )
        return self.read_list(lambda: [t["text"] for t in answer["translations"]])

    def message_from(self, body: object) -> str:
        return body.get("message", "") if isinstance(body, dict) else ""


# --- Google Cloud Translation - Basic (v2) ---------------------------------------------------

NO_TRANSLATE_OPEN = '<span translate="no">'
NO_TRANSLATE_PATTERN = re.compile(r"""<span\s+translate\s*=\s*["']?no["']?\s*>|</span\s*>""")
LINE_BREAK_PATTERN = re.compile(r"<br\s*/?>")


def html_mark_up(pieces: list[tuple[str, bool]]) -> str:
    """HTML-escaped text, terms in translate="no" spans, newlines as <br> (HTML folds them)."""
    out = []
    for piece, is_term in pieces:
        escaped = html.escape(piece, quote=False).replace("\n", "<br>")
        out.append(f"{NO_TRANSLATE_OPEN}{escaped}</span>" if is_term else escaped)
    return "".join(out)


class GoogleProvider(TranslationProvider):
    """Cloud Translation - Basic (v2): ``POST /language/translate/v2`` with an API key.

    v2 is chosen over v3 because it works with a plain API key; v3 needs OAuth tokens from a
    service account, which would mean another dependency (google-auth) and key-file handling.
    The key travels in the X-goog-api-key header, not the URL, so it stays out of logs.
    At most 128 segments per request; Google recommends at most 5 000 code points per request.
    Google answers a per-minute quota overrun with 403 "rateLimitExceeded"/"userRateLimitExceeded":
    those are retried; a daily-limit 403 is not.
    """

    name = "google"
    label = "Google Cloud Translation"
    max_texts = 128
    max_chars = 5000
    codes = {
        "en": "en",
        "ko": "ko",
        "zh-hans": "zh-CN",
        "ja": "ja",
        "es": "es",
        "fr": "fr",
        "ar": "ar",
    }
    source_codes = codes
    target_codes = codes
    RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}

    @property
    def endpoint(self) -> str:
        return f"{self.base_url or 'https://translation.googleapis.com'}/language/translate/v2"

    def mark_up(self, pieces: list[tuple[str, bool]]) -> str:
        return html_mark_up(pieces)

    def strip_markup(self, text: str) -> str:
        text = NO_TRANSLATE_PATTERN.sub("", text)
        return html.unescape(LINE_BREAK_PATTERN.sub("\n", text))

    def request(self, texts: list[str], *, source: str, target: str, marked: bool) -> list[str]:
        body = self.html_or_text_body(texts, source=source, target=target, marked=marked)
        answer = self.post(self.endpoint, json=body, headers={"X-goog-api-key": self.api_key})
        return self.read_list(lambda: [t["translatedText"] for t in answer["data"]["translations"]])

    def is_rate_limited(self, response: requests.Response) -> bool:
        if response.status_code != 403:
            return False
        try:
            errors = response.json()["error"].get("errors", [])
            return any(e.get("reason") in self.RATE_LIMIT_REASONS for e in errors)
        except (ValueError, KeyError, TypeError, AttributeError):
            return False

    def message_from(self, body: object) -> str:
        try:
            return str(body["error"]["message"])
        except (KeyError, TypeError):
            return ""


# --- LibreTranslate --------------------------------------------------------------------------


class LibreTranslateProvider(TranslationProvider):
    """A self-hosted LibreTranslate server: ``POST /translate`` with ``q`` as a list.

    The API key, when the server asks for one, goes in the body as ``api_key``. Limits are the
    server operator's (``--char-limit``, ``--batch-limit``, unlimited by default); we stay at
    50 texts and 5 000 characters per request. The server HTML-unescapes its answers itself.
    Chinese is "zh-Hans" on current servers and "zh" on older ones: ``GET /languages`` decides.
    """

    name = "libretranslate"
    label = "LibreTranslate"
    max_texts = 50
    max_chars = 5000
    codes = {"en": "en", "ko": "ko", "ja": "ja", "es": "es", "fr": "fr", "ar": "ar"}
    source_codes = codes
    target_codes = codes

    def __init__(self, *, api_key: str = "", base_url: str = ""):
        super().__init__(api_key=api_key, base_url=base_url)
        self._chinese_code: str | None = None

    def source_code(self, language: str) -> str | None:
        return self.chinese_code() if language == "zh-hans" else self.codes.get(language)

    def target_code(self, language: str) -> str | None:
        return self.source_code(language)

    def supports(self, source: str, target: str) -> bool:
        # Chinese is assumed supported without asking; the code is settled at translate time.
        known = {*self.codes, "zh-hans"}
        return source != target and source in known and target in known

    def chinese_code(self) -> str:
        if self._chinese_code is None:
            try:
                response = requests.get(f"{self.base_url}/languages", timeout=TIMEOUT)
                codes = {entry["code"] for entry in response.json()}
            except (requests.RequestException, ValueError, KeyError, TypeError):
                return "zh-Hans"  # don't cache: ask again next time
            self._chinese_code = "zh-Hans" if "zh-Hans" in codes or "zh" not in codes else "zh"
        return self._chinese_code

    def mark_up(self, pieces: list[tuple[str, bool]]) -> str:
        return html_mark_up(pieces)

    def strip_markup(self, text: str) -> str:
        # No unescape: LibreTranslate already unescapes HTML answers.
        return LINE_BREAK_PATTERN.sub("\n", NO_TRANSLATE_PATTERN.sub("", text))

    def request(self, texts: list[str], *, source: str, target: str, marked: bool) -> list[str]:
        body = self.html_or_text_body(texts, source=source, target=target, marked=marked)
        if self.api_key:
            body["api_key"] = self.api_key
        answer = self.post(f"{self.base_url}/translate", json=body)
        return self.read_list(lambda: answer["translatedText"])

    def message_from(self, body: object) -> str:
        return str(body.get("error", "")) if isinstance(body, dict) else ""


# --- settings --------------------------------------------------------------------------------

PROVIDERS: dict[str, type[TranslationProvider]] = {
    "deepl": DeepLProvider,
    "google": GoogleProvider,
    "libretranslate": LibreTranslateProvider,
}


def provider_from_settings() -> TranslationProvider | None:
    """The provider chosen in settings, or None when machine translation is not set up.

    Reads MACHINE_TRANSLATION_PROVIDER ("", "deepl", "google", "libretranslate"),
    MACHINE_TRANSLATION_API_KEY (required for DeepL and Google) and MACHINE_TRANSLATION_URL
    (required for LibreTranslate; optional base-URL override for the others).
    """
    name = (getattr(settings, "MACHINE_TRANSLATION_PROVIDER", "") or "").strip().lower()
    if not name:
        return None
    if name not in PROVIDERS:
        raise ImproperlyConfigured(
            f"MACHINE_TRANSLATION_PROVIDER (MT_PROVIDER) is {name!r}; "
            f"use one of {', '.join(sorted(PROVIDERS))}, or leave it empty."
        )
    api_key = (getattr(settings, "MACHINE_TRANSLATION_API_KEY", "") or "").strip()
    base_url = (getattr(settings, "MACHINE_TRANSLATION_URL", "") or "").strip()
    if name in ("deepl", "google") and not api_key:
        raise ImproperlyConfigured(
            f"MACHINE_TRANSLATION_PROVIDER is {name!r} but MACHINE_TRANSLATION_API_KEY "
            "(MT_API_KEY) is empty."
        )
    if name == "libretranslate" and not base_url:
        raise ImproperlyConfigured(
            "MACHINE_TRANSLATION_PROVIDER is 'libretranslate' but MACHINE_TRANSLATION_URL "
            "(MT_URL) is empty; set it to the server's base URL, e.g. http://translate:5000."
        )
    if base_url and not base_url.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            "MACHINE_TRANSLATION_URL (MT_URL) must start with http:// or https://, "
            f"not {base_url!r}."
        )
    return PROVIDERS[name](api_key=api_key, base_url=base_url)
