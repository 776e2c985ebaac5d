"""Loads the CAC Global Summit 2020 (areas, summit, sessions) from the programme data file."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Locale

from home.models import HomePage
from home.site_structure import ensure_site_structure
from knowledge.city_facts import fill_city_facts
from knowledge.models import City, SessionPage, SummitPage, TopicArea
from sitedata.open_data import normalise_paragraph, paragraph_html
from sitedata.place_names import translate_cities, translate_topic_area

PROGRAMME_FILE = Path(__file__).parent / "data" / "summit_2020.toml"
SEOUL = ZoneInfo("Asia/Seoul")


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def read_programme(path: Path = PROGRAMME_FILE) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _seoul_datetime(day, hhmm: str) -> datetime:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=SEOUL)


def get_or_create_city(name: str, country: str, locale: Locale | None = None) -> City:
    """A city by its English name, created in the default locale if new."""
    locale = locale or Locale.get_default()
    slug = slugify(name)
    city, _created = City.objects.get_or_create(
        slug=slug, locale=locale, defaults={"name": name, "country": country}
    )
    return city


def load_topic_areas(
    topics: list[dict], report: LoadReport, languages: Collection[str] | None = None
) -> dict[str, TopicArea]:
    default_locale = Locale.get_default()
    areas = {}
    for position, item in enumerate(topics):
        area = TopicArea.objects.filter(slug=item["slug"], locale=default_locale).first()
        if area is None:
            area = TopicArea.objects.create(
                slug=item["slug"],
                name=item["name"],
                description=item.get("description", ""),
                sort_order=position,
                locale=default_locale,
            )
            report.created.append(f"topic area {area.slug}")
        else:
            report.unchanged.append(f"topic area {area.slug}")
        areas[area.slug] = area
        report.created.extend(translate_topic_area(area, item, languages))
    return areas


def paragraphs_html(text: str) -> str:
    """The data file's plain text, paragraphs split by blank lines, as rich text."""
    paragraphs = (normalise_paragraph(part) for part in text.split("\n\n"))
    return "".join(paragraph_html(paragraph) for paragraph in paragraphs if paragraph)


def sources_stream(item: dict) -> list[tuple[str, dict]]:
    return [("source", {"url": s["url"], "title": s["title"]}) for s in item.get("sources", [])]


def _apply_session_fields(session: SessionPage, item: dict, areas: dict[str, TopicArea]) -> None:
    session.title = item["title"]
    session.slug = item["slug"]
    session.start = _seoul_datetime(item["date"], item["start"])
    session.end = _seoul_datetime(item["date"], item["end"])
    session.topic = areas.get(item.get("topic", ""))
    session.countries = item.get("countries", [])
    session.description = paragraphs_html(item.get("description", ""))
    session.outcomes = paragraphs_html(item.get("outcomes", ""))
    session.video_url = item.get("video_url", "")
    session.sources = sources_stream(item)
    session.speakers = [
        (
            "speaker",
            {
                "name": s["name"],
                "role": s.get("role", ""),
                "organisation": s.get("organisation", ""),
            },
        )
        for s in item.get("speakers", [])
    ]


@transaction.atomic
def load_summit_2020(
    *,
    update: bool = False,
    path: Path = PROGRAMME_FILE,
    progress: Callable[[str], None] | None = None,
    languages: Collection[str] | None = None,
) -> LoadReport:
    """Create what is missing. With update=True, also reset existing pages to the data file.

    Without update, a page an editor has corrected is left as it is. `languages` limits the
    topic areas' and cities' translations to those language codes (all by default).
    """
    progress = progress or (lambda message: None)
    report = LoadReport()
    data = read_programme(path)
    homes = ensure_site_structure()
    home: HomePage = homes[Locale.get_default().language_code]
    areas = load_topic_areas(data["topics"], report, languages)
    progress(f"{len(areas)} topic areas")

    summit_data = data["summit"]
    summit = SummitPage.objects.child_of(home).filter(slug=summit_data["slug"]).first()
    summit_fields = {
        "title": summit_data["title"],
        "subtitle": summit_data["subtitle"],
        "start_date": summit_data["start_date"],
        "end_date": summit_data["end_date"],
        "description": summit_data["description"].strip(),
        "declaration_title": summit_data["declaration_title"],
        "declaration": summit_data["declaration"].strip(),
        "sources": sources_stream(summit_data),
    }
    if summit is None:
        summit = SummitPage(slug=summit_data["slug"], **summit_fields)
        home.add_child(instance=summit)
        summit.save_revision().publish()
        report.created.append(f"summit {summit.slug}")
    elif update:
        for name, value in summit_fields.items():
            setattr(summit, name, value)
        summit.save_revision().publish()
        report.updated.append(f"summit {summit.slug}")
    else:
        report.unchanged.append(f"summit {summit.slug}")

    for position, item in enumerate(data["sessions"], start=1):
        # A session renamed in the data file keeps its page: found by a former slug.
        slugs = [item["slug"], *item.get("former_slugs", [])]
        session = next(
            filter(
                None, (SessionPage.objects.child_of(summit).filter(slug=s).first() for s in slugs)
            ),
            None,
        )
        is_new = session is None
        if is_new:
            session = SessionPage(slug=item["slug"])
        if is_new or update:
            _apply_session_fields(session, item, areas)
            if is_new:
                summit.add_child(instance=session)
            cities = [get_or_create_city(c["name"], c["country"]) for c in item.get("cities", [])]
            session.cities.set(cities)
            session.save_revision().publish()
            (report.created if is_new else report.updated).append(f"session {session.slug}")
        else:
            report.unchanged.append(f"session {session.slug}")
        progress(f"session {position}/{len(data['sessions'])}: {item['slug']}")
    translated = translate_cities(languages=languages)
    report.created.extend(translated)
    progress(f"{len(translated)} city names translated")
    filled, _unmatched = fill_city_facts()
    progress(f"{filled} cities given their coordinates and population")
    return report
