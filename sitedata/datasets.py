"""The open data sets, described once: their fields, in export order, with what each means.

The exports write exactly these fields (sitedata/open_data.py, summary_data.py,
search_results.py) and the data dictionary page shows them, so the files and their
documentation cannot drift apart (tests/sitedata/test_data_dictionary.py checks both ways).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# What a field holds, as the dictionary names it.
TEXT = _("text")
CODE = _("code")
DATE = _("date (YYYY-MM-DD)")
DATETIME = _("date and time (ISO 8601, with offset)")
URL = _("URL")
LIST = _("list of text (joined with ; in CSV)")
OBJECT = _("object (columns in CSV)")


@dataclass(frozen=True)
class DatasetField:
    name: str  # the key in JSON Lines
    type: Promise
    meaning: Promise
    example: str
    # The CSV's columns for this field, when not the one column `name` (an object's parts).
    csv_parts: tuple[str, ...] = ()

    @property
    def csv_columns(self) -> tuple[str, ...]:
        return tuple(f"{self.name}_{part}" for part in self.csv_parts) or (self.name,)


@dataclass(frozen=True)
class Dataset:
    slug: str  # its downloads' name: /open-data/<slug>.csv
    title: Promise
    description: Promise
    fields: tuple[DatasetField, ...]
    update_frequency: Promise
    # The public API addresses that answer with the same records, for the dictionary.
    api_equivalents: tuple[str, ...]
    # A download of the whole set at /open-data/<slug>.<format>; a search is asked per query.
    whole_download: bool = True

    @property
    def record_keys(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields)

    @property
    def csv_columns(self) -> tuple[str, ...]:
        return tuple(column for field in self.fields for column in field.csv_columns)


ON_PUBLISH = _("At once: every publish and unpublish changes the next download.")

PRACTICES = Dataset(
    slug="practices",
    title=_("Practices"),
    description=_(
        "Every published practice (countermeasures, case studies, guidelines and more), in "
        "every language, one record per practice and language. The JSON Lines file is the "
        "format the platform imports."
    ),
    update_frequency=ON_PUBLISH,
    api_equivalents=("/api/v2/pages/?type=knowledge.PracticePage", "/api/v1/search/?kind="),
    fields=(
        DatasetField(
            "slug", CODE, _("Identifier of the practice, unique within its language."), "masks"
        ),
        DatasetField("locale", CODE, _("Language of the record, as a language code."), "en"),
        DatasetField(
            "translation_of",
            CODE,
            _("For a translation: the slug of the English record it translates. Empty otherwise."),
            "masks",
        ),
        DatasetField("title", TEXT, _("Title."), "Public mask distribution"),
        DatasetField("summary", TEXT, _("A short summary."), "Masks for every household."),
        DatasetField(
            "body",
            TEXT,
            _("The full text as plain text; paragraphs are separated by a blank line."),
            "Seoul distributed…",
        ),
        DatasetField(
            "kind",
            CODE,
            _("countermeasure, case_study, guideline, briefing_note, dataset or news."),
            "countermeasure",
        ),
        DatasetField("topics", LIST, _("Slugs of the topic areas."), "health;economy"),
        DatasetField("city", TEXT, _("The city, by its English name."), "Seoul"),
        DatasetField("country", CODE, _("The city's country as an ISO 3166-1 alpha-2 code."), "KR"),
        DatasetField("started", DATE, _("When the practice started, if known."), "2020-03-09"),
        DatasetField("ended", DATE, _("When the practice ended, if it has."), "2020-12-31"),
        DatasetField(
            "practice_status",
            CODE,
            _("planned, active or ended; empty when not known."),
            "ended",
        ),
        DatasetField(
            "outcome",
            TEXT,
            _("What came of it, with figures where there are any, and how it is known."),
            "2.1 million masks handed out in 10 days.",
        ),
        DatasetField("target_group", TEXT, _("Whom the practice is for."), "Older people"),
        DatasetField(
            "cost_band",
            CODE,
            _(
                "What it cost, in US dollars: none, low (under 100,000), medium (to 1 million), "
                "high (to 10 million) or very_high; empty when not known."
            ),
            "medium",
        ),
        DatasetField(
            "last_reviewed", DATE, _("When an editor last checked it against its sources."), ""
        ),
        DatasetField("source_url", URL, _("Where the practice was first published."), ""),
        DatasetField(
            "contact",
            OBJECT,
            _(
                "Contact name and organisation (two contact_ columns in CSV). Their e-mail "
                "address is not published: write through the contact form."
            ),
            "Jane Kim; Seoul Metropolitan Government",
            csv_parts=("name", "organisation"),
        ),
        DatasetField(
            "contact_form",
            URL,
            _("The practice's contact form on this platform; empty when it has no contact."),
            "https://cac.example/en/contact/42/",
        ),
        DatasetField(
            "url",
            URL,
            _("The practice's page on this platform, on the address the file was asked from."),
            "https://cac.example/en/practices/masks/",
        ),
    ),
)

SESSION_SUMMARIES = Dataset(
    slug="session-summaries",
    title=_("Session summaries"),
    description=_(
        "The rapporteurs' published summaries of the CAC Global Summit 2020 sessions, in "
        "every language, one record per summary and language."
    ),
    update_frequency=ON_PUBLISH,
    api_equivalents=("/api/v2/pages/?type=knowledge.SessionSummaryPage&fields=*",),
    fields=(
        DatasetField("locale", CODE, _("Language of the record, as a language code."), "ko"),
        DatasetField("title", TEXT, _("Title of the summary."), "Education: summary"),
        DatasetField("session", TEXT, _("Title of the summit session."), "Education"),
        DatasetField(
            "session_start",
            DATETIME,
            _("When the session began."),
            "2020-06-02T10:00:00+09:00",
        ),
        DatasetField("topic", CODE, _("Slug of the session's topic area."), "education"),
        DatasetField(
            "cities", LIST, _("Participating cities, by their English names."), "Seoul;Paris"
        ),
        DatasetField(
            "countries", LIST, _("Their countries, as ISO 3166-1 alpha-2 codes."), "KR;FR"
        ),
        DatasetField(
            "participants",
            LIST,
            _("The session's speakers, as “name (role, organisation)”."),
            "Jane Kim (Mayor, Seoul)",
        ),
        DatasetField("key_messages", LIST, _("The key messages, one per item."), ""),
        DatasetField("recommendations", LIST, _("The recommendations, one per item."), ""),
        DatasetField(
            "full_summary",
            TEXT,
            _("The full text as plain text; paragraphs are separated by a blank line."),
            "",
        ),
        DatasetField(
            "published",
            DATE,
            _("When the summary was first published."),
            "2020-06-10",
        ),
        DatasetField(
            "url",
            URL,
            _("The summary's page on this platform, on the address the file was asked from."),
            "https://cac.example/en/summit-2020/education/summary/",
        ),
    ),
)

SEARCH_RESULTS = Dataset(
    slug="search",
    title=_("Search results"),
    description=_(
        "The results of one search, with its words and filters, in the order the search "
        "page lists them. Any published practice, session, summary or topic area can appear."
    ),
    update_frequency=_("Each download searches again: it is as current as the search page."),
    api_equivalents=("/api/v1/search/",),
    whole_download=False,
    fields=(
        DatasetField("rank", TEXT, _("Position in the results, from 1."), "1"),
        DatasetField("title", TEXT, _("Title."), "Public mask distribution"),
        DatasetField("locale", CODE, _("Language of the result, as a language code."), "en"),
        DatasetField(
            "kind",
            CODE,
            _("A practice's kind, or session, session_summary or topic_area."),
            "countermeasure",
        ),
        DatasetField("topics", LIST, _("Slugs of the topic areas."), "health"),
        DatasetField("city", TEXT, _("The city, by its English name."), "Seoul"),
        DatasetField("country", CODE, _("The city's country as an ISO 3166-1 alpha-2 code."), "KR"),
        DatasetField("started", DATE, _("When it started or took place, if known."), ""),
        DatasetField("snippet", TEXT, _("The passage that matched, as plain text."), "…masks for…"),
        DatasetField(
            "url",
            URL,
            _("The result's page on this platform, on the address the file was asked from."),
            "https://cac.example/en/practices/masks/",
        ),
    ),
)

DATASETS = (PRACTICES, SESSION_SUMMARIES, SEARCH_RESULTS)
WHOLE_DATASETS = {dataset.slug: dataset for dataset in DATASETS if dataset.whole_download}
