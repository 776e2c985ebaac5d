"""Every page reachable in the visitor's language: locales, the switcher, hreflang, RTL."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from wagtail.models import Locale, PageViewRestriction

from home.models import HomePage
from home.site_structure import ensure_site_structure, practice_index_for
from tests.knowledge.factories import add_practice

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ["en", "ko", "zh-hans", "ja", "es", "fr", "ar"]


class HeadLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.alternates: dict[str, str] = {}
        self.switcher: dict[str, dict[str, str]] = {}
        self.html: dict[str, str] = {}
        self._in_switcher = False

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.html = attributes
        if tag == "link" and attributes.get("rel") == "alternate" and "hreflang" in attributes:
            self.alternates[attributes["hreflang"]] = attributes["href"]
        if tag == "nav" and "language-switcher" in attributes.get("class", ""):
            self._in_switcher = True
        if tag == "a" and self._in_switcher:
            self.switcher[attributes["lang"]] = attributes

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_switcher = False


def _parse(response) -> HeadLinks:
    parser = HeadLinks()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def structure(db):
    return ensure_site_structure()


@pytest.fixture
def translated_practice(structure):
    """A practice in English with a published Korean translation, and none in French."""
    english = add_practice(practice_index_for(Locale.get_default()), "Drive-through testing")
    korean = english.copy_for_translation(Locale.objects.get(language_code="ko"))
    korean.title = "드라이브 스루 선별진료소"
    korean.save_revision().publish()
    korean.refresh_from_db()
    return english, korean


def test_the_shipped_languages_each_have_a_home_page_in_their_own_language(client, structure):
    assert [code for code, _name in settings.LANGUAGES] == SHIPPED
    for code in SHIPPED:
        home = HomePage.objects.get(locale__language_code=code)
        response = client.get(f"/{code}/")
        assert response.status_code == 200, code
        page = _parse(response)
        assert page.html["lang"] == code
        assert page.html["dir"] == ("rtl" if code == "ar" else "ltr")
        assert home.title in response.content.decode()
    assert HomePage.objects.get(locale__language_code="ar").title == "مدن ضد كوفيد-19"


def test_hreflang_names_each_public_translation_with_absolute_urls(client, translated_practice):
    english, korean = translated_practice
    for page in (english, korean):
        alternates = _parse(client.get(page.url)).alternates
        assert alternates == {
            "en": f"http://testserver{english.url}",
            "ko": f"http://testserver{korean.url}",
            "x-default": f"http://testserver{english.url}",
        }


def test_a_draft_translation_is_not_an_alternate_and_is_never_linked(client, translated_practice):
    english, korean = translated_practice
    korean.unpublish()
    page = _parse(client.get(english.url))
    assert set(page.alternates) == {"en", "x-default"}
    # The Korean address of the page serves the public original, never the draft.
    assert page.switcher["ko"]["href"] == "/ko/practices/drive-through-testing/"
    assert "language-switcher__untranslated" in page.switcher["ko"]["class"]
    shown = client.get("/ko/practices/drive-through-testing/").content.decode()
    assert "드라이브 스루" not in shown and "Drive-through testing" in shown
    notice = client.get(f"/ko/untranslated/{english.pk}/")
    assert notice.status_code == 302
    assert notice["Location"] == "/ko/practices/drive-through-testing/"


def test_the_switcher_goes_to_the_translation_or_to_the_original_in_that_language(
    client, translated_practice
):
    english, korean = translated_practice
    switcher = _parse(client.get(english.url)).switcher
    assert switcher["en"]["aria-current"] == "true"
    assert switcher["ko"]["href"] == korean.url
    assert "language-switcher__untranslated" not in switcher["ko"].get("class", "")
    for code in ("fr", "ar", "zh-hans"):
        assert switcher[code]["href"] == f"/{code}/practices/drive-through-testing/"
        assert "language-switcher__untranslated" in switcher[code]["class"]
        assert switcher[code]["rel"] == "nofollow"

    # The old notice address now leads there too.
    moved = client.get(f"/fr/untranslated/{english.pk}/")
    assert moved.status_code == 302
    assert moved["Location"] == "/fr/practices/drive-through-testing/"
    # From the French address of the original, the switcher still offers the translation.
    shown = client.get("/fr/practices/drive-through-testing/")
    assert shown.status_code == 200
    shown_switcher = _parse(shown).switcher
    assert shown_switcher["ko"]["href"] == korean.url
    assert shown_switcher["fr"]["aria-current"] == "true"
    assert shown_switcher["en"]["href"] == english.url
    # In Korean, the translation answers at its own address.
    redirect = client.get(f"/ko/untranslated/{english.pk}/")
    assert redirect.status_code == 302 and redirect["Location"] == korean.url


def test_the_notice_never_names_a_draft_or_private_page(client, structure):
    index = practice_index_for(Locale.get_default())
    draft = add_practice(index, "Unreleased plan", publish=False)
    private = add_practice(index, "Staff only plan")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    for page in (draft, private):
        response = client.get(f"/fr/untranslated/{page.pk}/")
        assert response.status_code == 404
        assert page.title not in response.content.decode()
    assert client.get("/fr/untranslated/999999/").status_code == 404


def test_the_stylesheet_lays_out_right_to_left_with_logical_properties():
    css = (ROOT / "cac" / "static" / "css" / "cac.css").read_text()
    physical = re.findall(r"(?m)^\s*((?:margin|padding|border)-(?:left|right)|left|right)\s*:", css)
    assert physical == [], "use inline-start/end so Arabic pages mirror"


def test_cac_languages_narrows_the_list_and_refuses_unknown_codes():
    probe = (
        "import django; from django.conf import settings; django.setup(); print(settings.LANGUAGES)"
    )

    def run(value):
        return subprocess.run(
            [sys.executable, "-c", probe],
            cwd=ROOT,
            env={"CAC_LANGUAGES": value, "DJANGO_SETTINGS_MODULE": "cac.settings.dev", "PATH": ""},
            capture_output=True,
            text=True,
        )

    narrowed = run("en,ko,ar")
    assert narrowed.returncode == 0, narrowed.stderr
    assert narrowed.stdout.strip() == "[('en', 'English'), ('ko', '한국어'), ('ar', 'العربية')]"
    for bad in ("ko,ar", "en,xx"):
        refused = run(bad)
        assert refused.returncode != 0
        assert "CAC_LANGUAGES" in refused.stderr
