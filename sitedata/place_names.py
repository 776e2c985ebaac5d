"""Cities and topic areas in every language, from the data files, through the workflow."""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from pathlib import Path

from wagtail.models import Locale

from knowledge.models import City, TopicArea
from translation.from_data import translate_from_data

PLACE_NAMES_FILE = Path(__file__).parent / "data" / "place_names.toml"


def translate_cities(
    path: Path = PLACE_NAMES_FILE, languages: Collection[str] | None = None
) -> list[str]:
    """Translate each default-language city that the file names, into each language it gives.

    Returns what was translated now, as "city <slug> (code)". A city the file does not name stays
    untranslated (its English name shows) until someone translates it in the admin.
    """
    with path.open("rb") as handle:
        names = tomllib.load(handle)
    locales = {locale.language_code: locale for locale in Locale.objects.all()}
    done = []
    for city in City.objects.filter(locale=Locale.get_default(), slug__in=names):
        for code, name in names[city.slug].items():
            if languages is not None and code not in languages:
                continue
            if code in locales and translate_from_data(city, locales[code], {"name": name}):
                done.append(f"city {city.slug} ({code})")
    return done


def translate_topic_area(
    area: TopicArea, item: dict, languages: Collection[str] | None = None
) -> list[str]:
    """The area in each language for which `item` (one [[topics]] entry of the programme
    file) gives a name_<code> and, where the area has a description, a description_<code>."""
    done = []
    for locale in Locale.objects.exclude(pk=area.locale_id):
        code = locale.language_code
        if languages is not None and code not in languages:
            continue
        texts = {"name": item.get(f"name_{code}"), "description": item.get(f"description_{code}")}
        if not texts["name"] or (area.description and not texts["description"]):
            continue
        if not area.description:
            texts.pop("description")
        if translate_from_data(area, locale, texts):
            done.append(f"topic area {area.slug} ({code})")
    return done
