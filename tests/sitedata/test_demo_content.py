"""The starter corpus `make run` loads is real and traceable (docs/content.md).

Every record names the specific page its facts come from (a path, never a home page), its
date, city and country; slugs are unique; translations point at an original; no record's
title or summary is its source page's own title; the corpus is as wide as it promises.
These read the data files only: the import itself is tested in test_practice_import.py.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import Counter
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils.text import slugify

from sitedata.demo_practices import DEMO_PRACTICES_FILE
from sitedata.place_names import PLACE_NAMES_FILE
from tests.sitedata.records import demo_records

SOURCE_TITLES_FILE = DEMO_PRACTICES_FILE.with_name("demo_source_titles.tsv")
CONTENT_LANGUAGES = {code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES}

# What issue 17 asks the starter corpus to reach.
MIN_PRACTICES, MIN_CITIES, MIN_COUNTRIES = 100, 25, 15
# Before the summit (June 2020) and after the period the platform covers, nothing is dated.
EARLIEST, LATEST = date(2020, 1, 1), date(2022, 12, 31)


RECORDS = list(demo_records())
ORIGINALS = [r for r in RECORDS if not r.get("translation_of")]
TRANSLATIONS = [r for r in RECORDS if r.get("translation_of")]


def _ids(records: list[dict]) -> list[str]:
    return [f"{r['locale']}:{r['slug']}" for r in records]


def _normalised(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", " ", text).strip()


def _source_titles() -> dict[str, str]:
    """url → the page's title; "" where the stored copy of the page shows no headline."""
    lines = SOURCE_TITLES_FILE.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]
    assert rows[0] == ["url", "title"]
    return dict(rows[1:])


@pytest.mark.parametrize("record", RECORDS, ids=_ids(RECORDS))
def test_each_record_names_a_specific_source_page_a_date_a_city_and_a_country(record):
    url = urlsplit(record.get("source_url", ""))
    assert url.scheme in {"http", "https"} and url.netloc, record.get("source_url")
    # A specific page: a path beyond the site's root, or a query naming the article.
    assert url.path.strip("/") or url.query, f"{record['source_url']} is a home page"
    started = date.fromisoformat(record.get("started", ""))
    assert EARLIEST <= started <= LATEST, started
    assert record.get("city", "").strip()
    assert re.fullmatch(r"[A-Z]{2}", record.get("country", "")), record.get("country")
    assert record["locale"] in CONTENT_LANGUAGES


def test_slugs_are_unique_in_each_language():
    counted = Counter((r["locale"], r["slug"]) for r in RECORDS)
    assert not [key for key, count in counted.items() if count > 1]


def test_translations_point_at_an_original_in_the_default_language_and_share_its_facts():
    originals = {r["slug"]: r for r in ORIGINALS if r["locale"] == settings.LANGUAGE_CODE}
    for translation in TRANSLATIONS:
        original = originals.get(translation["translation_of"])
        assert original is not None, f"{translation['slug']}: no original to translate"
        assert translation["locale"] != original["locale"]
        for fact in ("source_url", "started", "city", "country", "kind", "topics"):
            assert translation[fact] == original[fact], (translation["slug"], fact)
        # A translation, not a copy of the original's English words.
        assert _normalised(translation["body"]) != _normalised(original["body"])


def test_no_title_or_summary_is_its_source_pages_own_title():
    titles = _source_titles()
    missing = sorted({r["source_url"] for r in RECORDS} - set(titles))
    assert not missing, f"source pages without their title in {SOURCE_TITLES_FILE.name}: {missing}"
    known = [record for record in RECORDS if titles[record["source_url"]]]
    assert len(known) >= len(RECORDS) / 2, "most source titles should be recorded"
    for record in known:
        source_title = _normalised(titles[record["source_url"]])
        for field in ("title", "summary"):
            assert _normalised(record[field]) != source_title, (record["slug"], field)
        assert not _normalised(record["body"]).startswith(source_title), record["slug"]


def test_the_corpus_is_wide_enough_and_every_published_seoul_practice_is_in_korean():
    cities = {(r["city"], r["country"]) for r in ORIGINALS}
    countries = {r["country"] for r in ORIGINALS}
    assert len(ORIGINALS) >= MIN_PRACTICES, len(ORIGINALS)
    assert len(cities) >= MIN_CITIES, len(cities)
    assert len(countries) >= MIN_COUNTRIES, len(countries)
    korean = {r["translation_of"] for r in TRANSLATIONS if r["locale"] == "ko"}
    untranslated = [
        r["slug"]
        for r in ORIGINALS
        if r["city"] == "Seoul"
        and r["locale"] != "ko"
        and r.get("status") != "draft"
        and r["slug"] not in korean
    ]
    assert not untranslated, f"Seoul practices with no Korean translation: {untranslated}"


def test_every_city_has_its_name_in_every_language():
    with PLACE_NAMES_FILE.open("rb") as handle:
        names = tomllib.load(handle)
    other_languages = CONTENT_LANGUAGES - {settings.LANGUAGE_CODE}
    for city in {slugify(r["city"]) for r in ORIGINALS}:
        assert set(names.get(city, {})) >= other_languages, city
