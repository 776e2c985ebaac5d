"""One line of an import file as a record: the keys it may hold, a validator per field, the
errors. Only the line itself is checked here, without the database or the rest of the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_countries import countries

from home.site_structure import content_language_codes
from knowledge.models import CostBand, PracticeKind, PracticeStatus
from sitedata.import_limits import ImportLimits
from sitedata.open_data import normalise_paragraph

REQUIRED_KEYS = ("slug", "locale", "title", "body", "kind", "topics", "city", "country")
# `url` and `contact_form` are what an export adds; an import ignores them (the page's place in
# the tree decides its address).
OPTIONAL_KEYS = (
    "summary",
    "started",
    "ended",
    "practice_status",
    "outcome",
    "target_group",
    "cost_band",
    "last_reviewed",
    "source_url",
    "contact",
    "translation_of",
    "status",
    "contact_form",
    "url",
)
CONTACT_KEYS = ("name", "organisation", "email")
STATUS_PUBLISHED = "published"
STATUS_DRAFT = "draft"

SLUG_PATTERN = re.compile(r"[a-z0-9-]+")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# Field lengths of the models the values end up in. Summary and body have no column length:
# their limits are settings (ImportLimits).
MAX_LENGTHS = {
    "slug": 255,
    "title": 255,
    "city": 120,
    "source_url": 500,
    "target_group": 200,
    "outcome": 5000,
    "name": 200,
    "organisation": 200,
    "email": 254,
}

validate_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class PracticeRecord:
    """One valid line of an import file, normalised."""

    line: int
    slug: str
    locale: str
    title: str
    summary: str
    paragraphs: tuple[str, ...]
    kind: str
    topics: tuple[str, ...]
    city: str
    country: str
    started: date | None
    ended: date | None
    practice_status: str
    outcome: str
    target_group: str
    cost_band: str
    last_reviewed: date | None
    source_url: str
    contact_name: str
    contact_organisation: str
    contact_email: str | None  # None: the file does not say (an export never does); kept
    translation_of: str
    publish: bool


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str

    def __str__(self) -> str:
        return _("line %(number)d: %(reason)s") % {"number": self.line, "reason": self.reason}


class InvalidPracticeFile(Exception):
    """The file has bad lines; nothing was imported."""

    def __init__(self, errors: Sequence[LineError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


# ---------------------------------------------------------------------------
# Field validators: the value a line gives (None when an optional key is left out or null)
# in, the cleaned value out, or a ValidationError whose messages each name the field.
# ---------------------------------------------------------------------------

# How much of a refused value a message quotes: a 2 MB "kind" is refused, not printed back.
QUOTED_CHARS = 80


def shown(value: str) -> str:
    """The value as an error message quotes it, cut short if it is long."""
    return value if len(value) <= QUOTED_CHARS else value[: QUOTED_CHARS - 1] + "…"


def _text(value: object, key: str, *, required: bool = False, limit: int | None = None) -> str:
    """A string value, stripped; "" for None. `limit` is the most characters it may have."""
    if value is None:
        if required:
            raise ValidationError(_("%(key)s must not be empty") % {"key": key})
        return ""
    if not isinstance(value, str):
        raise ValidationError(_("%(key)s must be a string") % {"key": key})
    value = value.strip()
    if "\x00" in value:
        # PostgreSQL cannot store it; caught here, the file fails before anything is written.
        raise ValidationError(_("%(key)s contains a NUL character") % {"key": key})
    if required and not value:
        raise ValidationError(_("%(key)s must not be empty") % {"key": key})
    if limit is not None and len(value) > limit:
        raise ValidationError(
            _("%(key)s is longer than %(limit)d characters") % {"key": key, "limit": limit}
        )
    return value


def clean_slug(value: object) -> str:
    slug = _text(value, "slug", required=True, limit=MAX_LENGTHS["slug"])
    if not SLUG_PATTERN.fullmatch(slug):
        raise ValidationError(
            _("slug %(slug)r may only hold a-z, 0-9 and hyphens") % {"slug": shown(slug)}
        )
    return slug


def clean_locale(value: object) -> str:
    locale = _text(value, "locale", required=True)
    locales = content_language_codes()
    if locale not in locales:
        raise ValidationError(
            _("locale %(locale)r is not one of: %(choices)s")
            % {"locale": shown(locale), "choices": ", ".join(locales)}
        )
    return locale


def clean_title(value: object) -> str:
    return _text(value, "title", required=True, limit=MAX_LENGTHS["title"])


def clean_summary(value: object, *, limit: int) -> str:
    return _text(value, "summary", limit=limit)


def clean_body(value: object, *, limit: int) -> tuple[str, ...]:
    """The body's paragraphs: blank lines divide them, whitespace is normalised."""
    body = _text(value, "body", required=True, limit=limit)
    parts = (normalise_paragraph(part) for part in PARAGRAPH_BREAK.split(body.replace("\r", "")))
    return tuple(paragraph for paragraph in parts if paragraph)


def clean_kind(value: object) -> str:
    kind = _text(value, "kind", required=True)
    if kind not in PracticeKind.values:
        raise ValidationError(
            _("kind %(kind)r is not one of: %(choices)s")
            % {"kind": shown(kind), "choices": ", ".join(PracticeKind.values)}
        )
    return kind


def clean_topics(value: object) -> tuple[str, ...]:
    """Topic-area slugs, sorted, each once. Whether they exist is the database's to say."""
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(topic, str) and topic.strip() for topic in value)
    ):
        raise ValidationError(_("topics must be a non-empty list of topic-area slugs"))
    return tuple(sorted({topic.strip() for topic in value}))


def clean_city(value: object) -> str:
    city = _text(value, "city", required=True, limit=MAX_LENGTHS["city"])
    if not slugify(city):
        raise ValidationError(
            _("city %(city)r must be given by its English name") % {"city": shown(city)}
        )
    return city


def clean_country(value: object) -> str:
    country = _text(value, "country", required=True).upper()
    if len(country) != 2 or countries.alpha2(country) != country:
        raise ValidationError(
            _("country %(country)r is not an ISO 3166-1 alpha-2 code") % {"country": shown(country)}
        )
    return country


def _clean_date(value: object, key: str) -> date | None:
    text = _text(value, key)
    if not text:
        return None
    try:
        if not DATE_PATTERN.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _("%(key)s %(value)r is not a date as YYYY-MM-DD") % {"key": key, "value": shown(text)}
        ) from None


def clean_started(value: object) -> date | None:
    return _clean_date(value, "started")


def clean_ended(value: object) -> date | None:
    return _clean_date(value, "ended")


def clean_last_reviewed(value: object) -> date | None:
    return _clean_date(value, "last_reviewed")


def _clean_choice(value: object, key: str, choices: list[str]) -> str:
    text = _text(value, key)
    if text and text not in choices:
        raise ValidationError(
            _("%(key)s %(value)r is not one of: %(choices)s")
            % {"key": key, "value": shown(text), "choices": ", ".join(choices)}
        )
    return text


def clean_practice_status(value: object) -> str:
    return _clean_choice(value, "practice_status", PracticeStatus.values)


def clean_cost_band(value: object) -> str:
    return _clean_choice(value, "cost_band", CostBand.values)


def clean_outcome(value: object) -> str:
    return _text(value, "outcome", limit=MAX_LENGTHS["outcome"])


def clean_target_group(value: object) -> str:
    return _text(value, "target_group", limit=MAX_LENGTHS["target_group"])


def clean_source_url(value: object) -> str:
    url = _text(value, "source_url", limit=MAX_LENGTHS["source_url"])
    if url:
        try:
            validate_url(url)
        except ValidationError:
            raise ValidationError(
                _("source_url %(url)r is not a valid http(s) address") % {"url": shown(url)}
            ) from None
    return url


def clean_contact(value: object) -> dict[str, str | None]:
    """Name and organisation, "" when not given; the e-mail None when the file leaves it out
    (exports never publish it, so re-importing one keeps the address). Each bad one is
    reported."""
    if value is None:
        return {"name": "", "organisation": "", "email": None}
    if not isinstance(value, dict) or set(value) - set(CONTACT_KEYS):
        raise ValidationError(_("contact must be an object with name, organisation and/or email"))
    contact: dict[str, str | None] = {}
    messages: list[str] = []
    for key in CONTACT_KEYS:
        try:
            contact[key] = _text(value.get(key), f"contact.{key}", limit=MAX_LENGTHS[key])
        except ValidationError as error:
            messages.extend(error.messages)
    if "email" not in value:
        contact["email"] = None
    if contact.get("email"):
        try:
            validate_email(contact["email"])
        except ValidationError:
            messages.append(
                _("contact email %(email)r is not a valid e-mail address")
                % {"email": shown(contact["email"])}
            )
    if messages:
        raise ValidationError(messages)
    return contact


def clean_translation_of(value: object) -> str:
    slug = _text(value, "translation_of")
    if slug and not SLUG_PATTERN.fullmatch(slug):
        raise ValidationError(_("translation_of must be the slug of a practice"))
    return slug


def clean_status(value: object) -> str:
    status = _text(value, "status") or STATUS_PUBLISHED
    if status not in (STATUS_PUBLISHED, STATUS_DRAFT):
        raise ValidationError(
            _("status %(status)r is not %(published)r or %(draft)r")
            % {"status": shown(status), "published": STATUS_PUBLISHED, "draft": STATUS_DRAFT}
        )
    return status


def field_validators(limits: ImportLimits) -> dict[str, Callable[[object], object]]:
    """Each field's validator, in the order a line's errors are reported. Every key of
    REQUIRED_KEYS and OPTIONAL_KEYS has one but `url` and `contact_form`, which an import
    ignores."""
    return {
        "slug": clean_slug,
        "locale": clean_locale,
        "title": clean_title,
        "summary": partial(clean_summary, limit=limits.summary_chars),
        "body": partial(clean_body, limit=limits.body_chars),
        "kind": clean_kind,
        "topics": clean_topics,
        "city": clean_city,
        "country": clean_country,
        "started": clean_started,
        "ended": clean_ended,
        "practice_status": clean_practice_status,
        "outcome": clean_outcome,
        "target_group": clean_target_group,
        "cost_band": clean_cost_band,
        "last_reviewed": clean_last_reviewed,
        "source_url": clean_source_url,
        "contact": clean_contact,
        "translation_of": clean_translation_of,
        "status": clean_status,
    }


# ---------------------------------------------------------------------------
# A line's object
# ---------------------------------------------------------------------------


def _is_valid_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _invalid_unicode_reasons(data: dict) -> list[str]:
    """Keys holding a string UTF-8 cannot encode, anywhere below them: JSON allows a lone
    surrogate such as "\\ud800", which no database stores and no output can print."""
    reasons = []
    for key, value in data.items():
        pending = [key, value]  # a stack, not recursion: values may nest deeply
        while pending:
            item = pending.pop()
            if isinstance(item, dict):
                pending.extend(item.keys())
                pending.extend(item.values())
            elif isinstance(item, list):
                pending.extend(item)
            elif isinstance(item, str) and not _is_valid_unicode(item):
                if _is_valid_unicode(key):
                    reasons.append(
                        _("%(key)s contains text that is not valid Unicode") % {"key": shown(key)}
                    )
                else:
                    reasons.append(_("a key contains text that is not valid Unicode"))
                break
    return reasons


def parse_record(line: int, data: dict, limits: ImportLimits) -> PracticeRecord:
    """One line's object checked on its own, without the database or the rest of the file.

    Raises ValidationError with every problem of the line, one message each: all the missing
    and unknown keys, then each bad field.
    """
    # First and alone: the other messages quote values, and this text cannot be printed.
    reasons = _invalid_unicode_reasons(data)
    if reasons:
        raise ValidationError(reasons)
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        reasons.append(_("missing required key(s): %(keys)s") % {"keys": ", ".join(missing)})
    unknown = sorted(set(data) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        reasons.append(
            _("unknown key(s): %(keys)s") % {"keys": ", ".join(shown(key) for key in unknown)}
        )

    cleaned: dict[str, Any] = {}
    for key, clean in field_validators(limits).items():
        if key in missing:
            continue  # reported above
        try:
            cleaned[key] = clean(data.get(key))
        except ValidationError as error:
            reasons.extend(error.messages)
    started, ended = cleaned.get("started"), cleaned.get("ended")
    if started and ended and ended < started:
        reasons.append(_("ended %(ended)s is before started %(started)s") % cleaned)
    if reasons:
        raise ValidationError(reasons)

    contact = cleaned["contact"]
    return PracticeRecord(
        line=line,
        slug=cleaned["slug"],
        locale=cleaned["locale"],
        title=cleaned["title"],
        summary=cleaned["summary"],
        paragraphs=cleaned["body"],
        kind=cleaned["kind"],
        topics=cleaned["topics"],
        city=cleaned["city"],
        country=cleaned["country"],
        started=cleaned["started"],
        ended=cleaned["ended"],
        practice_status=cleaned["practice_status"],
        outcome=cleaned["outcome"],
        target_group=cleaned["target_group"],
        cost_band=cleaned["cost_band"],
        last_reviewed=cleaned["last_reviewed"],
        source_url=cleaned["source_url"],
        contact_name=contact["name"],
        contact_organisation=contact["organisation"],
        contact_email=contact["email"],
        translation_of=cleaned["translation_of"],
        publish=cleaned["status"] == STATUS_PUBLISHED,
    )
