"""One line of an import file as a record: the keys it may hold, each field's rules, the errors.

Only the line itself is checked here, without the database or the rest of the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_countries import countries

from ..import_limits import ImportLimits
from ..models import PracticeKind
from ..open_data import normalise_paragraph
from ..site_structure import content_language_codes

REQUIRED_KEYS = ("slug", "locale", "title", "body", "kind", "topics", "city", "country")
# `url` is what an export adds; an import ignores it, the page's place in the tree decides it.
OPTIONAL_KEYS = ("summary", "started", "source_url", "contact", "translation_of", "status", "url")
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
    source_url: str
    contact_name: str
    contact_organisation: str
    contact_email: str
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


def _text(
    data: dict, key: str, reasons: list[str], *, required: bool = False, limit: int | None = None
) -> str:
    """The key's string value, stripped; `limit` (characters) replaces its column length."""
    value = data.get(key)
    if value is None:
        if required:
            reasons.append(_("%(key)s must not be empty") % {"key": key})
        return ""
    if not isinstance(value, str):
        reasons.append(_("%(key)s must be a string") % {"key": key})
        return ""
    value = value.strip()
    if "\x00" in value:
        # PostgreSQL cannot store it; caught here, the file fails before anything is written.
        reasons.append(_("%(key)s contains a NUL character") % {"key": key})
        return ""
    if required and not value:
        reasons.append(_("%(key)s must not be empty") % {"key": key})
    limit = MAX_LENGTHS.get(key) if limit is None else limit
    if limit is not None and len(value) > limit:
        reasons.append(
            _("%(key)s is longer than %(limit)d characters") % {"key": key, "limit": limit}
        )
    return value


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
                        _("%(key)s contains text that is not valid Unicode") % {"key": key}
                    )
                else:
                    reasons.append(_("a key contains text that is not valid Unicode"))
                break
    return reasons


def parse_object(
    number: int, data: dict, limits: ImportLimits
) -> tuple[PracticeRecord | None, list[str]]:
    """Check one line's object on its own, without the database or the rest of the file."""
    # First and alone: the other reasons quote values, and this text cannot be printed.
    reasons = _invalid_unicode_reasons(data)
    if reasons:
        return None, reasons
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        reasons.append(_("missing required key(s): %(keys)s") % {"keys": ", ".join(missing)})
    unknown = sorted(set(data) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        reasons.append(_("unknown key(s): %(keys)s") % {"keys": ", ".join(unknown)})

    slug = _text(data, "slug", reasons, required="slug" in data)
    if slug and not SLUG_PATTERN.fullmatch(slug):
        reasons.append(_("slug %(slug)r may only hold a-z, 0-9 and hyphens") % {"slug": slug})

    locale = _text(data, "locale", reasons, required="locale" in data)
    locales = content_language_codes()
    if locale and locale not in locales:
        reasons.append(
            _("locale %(locale)r is not one of: %(choices)s")
            % {"locale": locale, "choices": ", ".join(locales)}
        )

    title = _text(data, "title", reasons, required="title" in data)
    summary = _text(data, "summary", reasons, limit=limits.summary_chars)

    body = _text(data, "body", reasons, required="body" in data, limit=limits.body_chars)
    paragraphs = tuple(
        paragraph
        for paragraph in (
            normalise_paragraph(part) for part in PARAGRAPH_BREAK.split(body.replace("\r", ""))
        )
        if paragraph
    )

    kind = _text(data, "kind", reasons, required="kind" in data)
    if kind and kind not in PracticeKind.values:
        reasons.append(
            _("kind %(kind)r is not one of: %(choices)s")
            % {"kind": kind, "choices": ", ".join(PracticeKind.values)}
        )

    topics: tuple[str, ...] = ()
    if "topics" in data:
        raw_topics = data["topics"]
        if (
            not isinstance(raw_topics, list)
            or not raw_topics
            or not all(isinstance(topic, str) and topic.strip() for topic in raw_topics)
        ):
            reasons.append(_("topics must be a non-empty list of topic-area slugs"))
        else:
            topics = tuple(sorted({topic.strip() for topic in raw_topics}))

    city = _text(data, "city", reasons, required="city" in data)
    if city and not slugify(city):
        reasons.append(_("city %(city)r must be given by its English name") % {"city": city})

    country = _text(data, "country", reasons, required="country" in data).upper()
    if country and (len(country) != 2 or countries.alpha2(country) != country):
        reasons.append(
            _("country %(country)r is not an ISO 3166-1 alpha-2 code") % {"country": country}
        )

    started = None
    started_text = _text(data, "started", reasons)
    if started_text:
        try:
            if not DATE_PATTERN.fullmatch(started_text):
                raise ValueError
            started = date.fromisoformat(started_text)
        except ValueError:
            reasons.append(
                _("started %(value)r is not a date as YYYY-MM-DD") % {"value": started_text}
            )

    source_url = _text(data, "source_url", reasons)
    if source_url:
        try:
            validate_url(source_url)
        except ValidationError:
            reasons.append(
                _("source_url %(url)r is not a valid http(s) address") % {"url": source_url}
            )

    contact = {key: "" for key in CONTACT_KEYS}
    raw_contact = data.get("contact")
    if raw_contact is not None:
        if not isinstance(raw_contact, dict) or set(raw_contact) - set(CONTACT_KEYS):
            reasons.append(_("contact must be an object with name, organisation and/or email"))
        else:
            contact = {key: _text(raw_contact, key, reasons) for key in CONTACT_KEYS}
            if contact["email"]:
                try:
                    validate_email(contact["email"])
                except ValidationError:
                    reasons.append(
                        _("contact email %(email)r is not a valid e-mail address")
                        % {"email": contact["email"]}
                    )

    translation_of = _text(data, "translation_of", reasons)
    if translation_of and not SLUG_PATTERN.fullmatch(translation_of):
        reasons.append(_("translation_of must be the slug of a practice"))

    status = _text(data, "status", reasons) or STATUS_PUBLISHED
    if status not in (STATUS_PUBLISHED, STATUS_DRAFT):
        reasons.append(
            _("status %(status)r is not %(published)r or %(draft)r")
            % {"status": status, "published": STATUS_PUBLISHED, "draft": STATUS_DRAFT}
        )

    if reasons:
        return None, reasons
    return (
        PracticeRecord(
            line=number,
            slug=slug,
            locale=locale,
            title=title,
            summary=summary,
            paragraphs=paragraphs,
            kind=kind,
            topics=topics,
            city=city,
            country=country,
            started=started,
            source_url=source_url,
            contact_name=contact["name"],
            contact_organisation=contact["organisation"],
            contact_email=contact["email"],
            translation_of=translation_of,
            publish=status == STATUS_PUBLISHED,
        ),
        [],
    )
