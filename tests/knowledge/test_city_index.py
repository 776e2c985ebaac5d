"""The cities index and each city's facts (coordinates, population) from GeoNames data."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from wagtail.models import Locale

from knowledge.city_facts import CityFactsLookup, fill_city_facts
from knowledge.models import City, PracticeIndexPage
from sitedata.summit_programme import get_or_create_city
from tests.knowledge.factories import add_practice

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(site_structure):
    return PracticeIndexPage.objects.get(locale=Locale.get_default())


def test_the_lookup_knows_cities_by_any_name_and_refuses_unknown_ones():
    lookup = CityFactsLookup()
    seoul = lookup.facts("Seoul", "KR")
    assert seoul is not None and seoul.population > 9_000_000
    assert 37 < seoul.latitude < 38 and 126 < seoul.longitude < 128
    assert lookup.facts("서울", "kr") == seoul  # an alternate name, any case of country code
    assert lookup.facts("Seoul", "FR") is None  # the country must match
    assert lookup.facts("Atlantis", "GR") is None


def test_facts_fill_what_is_missing_and_keep_what_an_editor_set(index):
    seoul = get_or_create_city("Seoul", "KR")
    milan = get_or_create_city("Milan", "IT")
    milan.population = 1_234  # an editor's correction
    milan.save()
    nowhere = get_or_create_city("Nowhereville", "KR")

    filled, unmatched = fill_city_facts()

    seoul.refresh_from_db()
    milan.refresh_from_db()
    assert seoul.population > 9_000_000 and seoul.latitude is not None
    assert milan.population == 1_234 and milan.latitude is not None
    assert unmatched == ["Nowhereville"] and filled == 2
    nowhere.refresh_from_db()
    assert nowhere.population is None


def test_the_command_reports_what_it_could_not_match(index, capsys):
    get_or_create_city("Nowhereville", "KR")
    call_command("fill_city_facts")
    output = capsys.readouterr().out
    assert "Nowhereville" in output


def test_the_index_lists_cities_with_public_work_and_counts_each_practice_once(client, index):
    seoul = get_or_create_city("Seoul", "KR")
    fill_city_facts()
    screening = add_practice(index, "Drive-through screening", city=seoul)
    add_practice(index, "Walk-through booths", city=seoul)
    # Its Korean translation is the same practice: Seoul still has two.
    korean = screening.copy_for_translation(Locale.objects.get(language_code="ko"))
    korean.save_revision().publish()
    add_practice(index, "A draft", city=get_or_create_city("Busan", "KR"), publish=False)
    add_practice(index, "Open Roads", city=get_or_create_city("Milan", "IT"))

    response = client.get("/en/cities/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Busan" not in content  # only a draft: not public
    assert content.index("Seoul") < content.index("Milan")  # most practices first
    table = content[content.index('class="city-table"') :]  # after the map
    seoul_row = table[table.index('href="/en/cities/seoul/"') :].split("</tr>")[0]
    assert '<td class="numeric">2</td>' in seoul_row
    assert "2 cities in 2 countries" in content
    population = City.objects.get(slug="seoul", locale=Locale.get_default()).population
    assert f"{population:,}" in seoul_row
    korean = client.get("/ko/cities/").content.decode()
    assert "도시" in korean
