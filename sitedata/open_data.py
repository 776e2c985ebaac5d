"""The open data set of practices: one record per visible practice, in CSV or JSON Lines.

A record here is the same object `import_practices` reads, so an export imports back as it was.
The download page, its files and `export_practices` all build records through this module.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from html import escape
from html.parser import HTMLParser

from django.db.models import Case, Count, IntegerField, Max, QuerySet, Value, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from wagtail.blocks import StreamValue
from wagtail.models import Locale
from wagtail.rich_text import RichText

from core.absolute_urls import absolute_url_for_request, absolute_url_without_request
from knowledge.models import PracticeKind, PracticePage
from knowledge.visibility import visible_pages
from sitedata.datasets import PRACTICES, Dataset

# The keys of an exported record, in order, and the CSV's columns: defined with their meaning
# in sitedata/datasets.py, which the data dictionary page shows.
RECORD_FIELDS = PRACTICES.record_keys
CSV_COLUMNS = PRACTICES.csv_columns
CSV_LIST_SEPARATOR = ";"
# Excel reads a CSV without a byte-order mark in the computer's legacy code page, which garbles
# Korean and Arabic; with it, as UTF-8. Every CSV the site serves starts with one.
UTF8_BOM = "\ufeff"
# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# ...except a plain number, which it reads as the number: "-74.00597" stays as it is.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True)
class ExportFormat:
    content_type: str
    extension: str


# JSON Lines: one record per line, the format `import_practices` reads.
EXPORT_FORMATS = {
    "csv": ExportFormat(content_type="text/csv; charset=utf-8", extension="csv"),
    "json": ExportFormat(content_type="application/x-ndjson; charset=utf-8", extension="jsonl"),
}


# ---------------------------------------------------------------------------
# Body <-> paragraphs
# ---------------------------------------------------------------------------


def normalise_paragraph(text: str) -> str:
    """One paragraph as the open data carries it: single spaces, lines kept, no blank lines."""
    lines = (" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def paragraph_html(paragraph: str) -> str:
    return "<p>" + "<br/>".join(escape(line) for line in paragraph.split("\n")) + "</p>"


def body_from_paragraphs(paragraphs: Iterable[str]) -> list[tuple[str, RichText]]:
    """StreamField content for a body given as plain-text paragraphs: one block each."""
    return [("paragraph", RichText(paragraph_html(paragraph))) for paragraph in paragraphs]


class _RichTextParagraphs(HTMLParser):
    """Plain-text paragraphs of a rich-text fragment: block elements end a paragraph."""

    BLOCK_TAGS = {"p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._current: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCK_TAGS:
            self._flush()
        elif tag == "br":
            self._current.append("\n")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in self.BLOCK_TAGS:
            self._flush()

    def handle_data(self, data):
        self._current.append(data)

    def _flush(self) -> None:
        paragraph = normalise_paragraph("".join(self._current))
        if paragraph:
            self.paragraphs.append(paragraph)
        self._current = []

    def close(self):
        super().close()
        self._flush()


def rich_text_paragraphs(html: str) -> list[str]:
    parser = _RichTextParagraphs()
    parser.feed(html)
    parser.close()
    return parser.paragraphs


def paragraphs_from_body(body: StreamValue) -> list[str]:
    """The text of a practice's body as paragraphs. Images, embeds and files carry no text."""
    paragraphs: list[str] = []
    # raw_data avoids building every block: the import compares thousands of bodies.
    for block in body.raw_data:
        block_type, value = block["type"], block["value"]
        if block_type == "paragraph":
            paragraphs.extend(rich_text_paragraphs(value or ""))
        elif block_type == "heading":
            paragraphs.append(normalise_paragraph(value or ""))
        elif block_type == "quote":
            paragraphs.append(normalise_paragraph((value or {}).get("text", "")))
        elif block_type == "key_figure":
            value = value or {}
            figure = f"{value.get('value', '')} {value.get('label', '')}"
            paragraphs.append(normalise_paragraph(figure))
    return [paragraph for paragraph in paragraphs if paragraph]


# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------


def public_page_url(page, request: HttpRequest | None) -> str:
    """The page's address: on the host a download was asked from; without a request (the
    export command), under WAGTAILADMIN_BASE_URL."""
    path = page.get_url(request) or ""
    if request is None:
        return absolute_url_without_request(path) if path else ""
    return absolute_url_for_request(request, path) if path else ""


def contact_form_url(page: PracticePage, request: HttpRequest | None) -> str:
    """The address of the practice's contact form, in its own language; "" without one."""
    if not page.contact_email:
        return ""
    with translation.override(page.locale.language_code):
        path = reverse("practice_contact", args=[page.pk])
    if request is None:
        return absolute_url_without_request(path)
    return absolute_url_for_request(request, path)


def public_practices() -> QuerySet[PracticePage]:
    """Every practice the public may see, in every locale: default locale first, then by slug."""
    default_locale = Locale.get_default()
    return (
        visible_pages(PracticePage.objects.all())
        .select_related("locale", "city")
        .prefetch_related("topics")
        .annotate(
            default_first=Case(
                When(locale=default_locale, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("default_first", "locale__language_code", "slug")
    )


def translation_sources() -> dict:
    """Slug of each visible default-locale practice, by translation key.

    Only visible ones: a translation of a draft must not reveal the draft's slug.
    """
    return dict(
        visible_pages(PracticePage.objects.filter(locale=Locale.get_default())).values_list(
            "translation_key", "slug"
        )
    )


def practice_record(
    page: PracticePage,
    *,
    sources: dict | None = None,
    request: HttpRequest | None = None,
    default_locale: Locale | None = None,
) -> dict:
    """One practice as an open-data record (the import format plus its public URL).

    An export passes `sources` and `default_locale`, read once: each costs a query.
    """
    if sources is None:
        sources = translation_sources()
    if default_locale is None:
        default_locale = Locale.get_default()
    is_translation = page.locale_id != default_locale.pk
    # The e-mail address is never published; the contact form sends a message on.
    contact = {"name": page.contact_name, "organisation": page.contact_organisation}
    topics = sorted(page.topics.all(), key=lambda topic: (topic.sort_order, topic.slug))
    return {
        "slug": page.slug,
        "locale": page.locale.language_code,
        "translation_of": sources.get(page.translation_key) if is_translation else None,
        "title": page.title,
        "summary": page.summary,
        "body": "\n\n".join(paragraphs_from_body(page.body)),
        "kind": page.kind,
        "topics": [topic.slug for topic in topics],
        "city": page.city.name if page.city else "",
        "country": page.city.country.code if page.city else "",
        "started": page.started.isoformat() if page.started else None,
        "ended": page.ended.isoformat() if page.ended else None,
        "practice_status": page.practice_status,
        "outcome": page.outcome,
        "target_group": page.target_group,
        "cost_band": page.cost_band,
        "last_reviewed": page.last_reviewed.isoformat() if page.last_reviewed else None,
        "source_url": page.source_url,
        "contact": contact if any(contact.values()) else None,
        "contact_form": contact_form_url(page, request),
        "url": public_page_url(page, request),
    }


def iter_public_practice_records(request: HttpRequest | None = None) -> Iterator[dict]:
    """Records of every visible practice, streamed so a large export stays small in memory.

    A bounded number of queries per chunk of 500 practices (the chunk and its topics).
    """
    sources = translation_sources()
    default_locale = Locale.get_default()
    for page in public_practices().iterator(chunk_size=500):
        yield practice_record(page, sources=sources, request=request, default_locale=default_locale)


def spreadsheet_safe(cell: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading apostrophe when it would start a
    formula (OWASP's remedy). JSON Lines keep the exact text; only the CSV is for spreadsheets."""
    if cell.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def _csv_row(record: dict, dataset: Dataset) -> list[str]:
    row = []
    for field in dataset.fields:
        value = record[field.name]
        if field.csv_parts:
            row.extend(str((value or {}).get(part) or "") for part in field.csv_parts)
        elif isinstance(value, list):
            row.append(CSV_LIST_SEPARATOR.join(value))
        else:
            row.append("" if value is None else str(value))
    return [spreadsheet_safe(cell) for cell in row]


def iter_csv_lines(records: Iterable[dict], dataset: Dataset = PRACTICES) -> Iterator[str]:
    """The CSV of `records` (records of `dataset`), a byte-order mark first."""
    buffer = io.StringIO()
    # Every cell quoted: a spreadsheet that splits on ";" (a French or German locale's list
    # separator) cannot cut a cell in two and start a new one with a formula.
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(dataset.csv_columns)
    yield UTF8_BOM + take()
    for record in records:
        writer.writerow(_csv_row(record, dataset))
        yield take()


def iter_json_lines(records: Iterable[dict]) -> Iterator[str]:
    for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"


def export_chunks(
    export_format: str, records: Iterable[dict], dataset: Dataset = PRACTICES
) -> Iterator[str]:
    """The export file of `dataset` in `export_format` ("csv" or "json"), as text chunks."""
    if export_format == "csv":
        return iter_csv_lines(records, dataset)
    if export_format == "json":
        return iter_json_lines(records)
    raise ValueError(f"unknown export format {export_format!r}")


# ---------------------------------------------------------------------------
# What the download page says about the data set
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenDataSummary:
    total: int
    by_locale: list[tuple[str, int]]
    by_kind: list[tuple[str, int]]
    cities: int
    countries: int
    last_updated: datetime | None


def open_data_summary() -> OpenDataSummary:
    """Counts over the same practices the downloads contain."""
    practices = visible_pages(PracticePage.objects.all())
    locale_names = {
        locale.language_code: locale.get_display_name() for locale in Locale.objects.all()
    }
    by_locale = [
        (locale_names.get(row["locale__language_code"], row["locale__language_code"]), row["n"])
        for row in practices.values("locale__language_code")
        .annotate(n=Count("pk"))
        .order_by("locale__language_code")
    ]
    kind_labels = dict(PracticeKind.choices)
    by_kind = [
        (kind_labels.get(row["kind"], row["kind"]), row["n"])
        for row in practices.values("kind").annotate(n=Count("pk")).order_by("kind")
    ]
    with_city = practices.exclude(city=None)
    return OpenDataSummary(
        total=practices.count(),
        by_locale=by_locale,
        by_kind=by_kind,
        cities=with_city.values("city__slug").distinct().count(),
        countries=with_city.values("city__country").distinct().count(),
        last_updated=practices.aggregate(latest=Max("last_published_at"))["latest"],
    )
