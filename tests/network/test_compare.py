"""The compare page: up to four cities side by side on one topic area, public practices only,
in the reader's language; any odd address answered with the form and a reason, never a 500."""

from __future__ import annotations

from datetime import date

import pytest
from wagtail.models import Locale, PageViewRestriction

from home.site_structure import practice_index_for
from knowledge.models import City, TopicArea
from network.compare import MAX_CITIES, PRACTICES_SHOWN
from sitedata.summit_programme import get_or_create_city
from tests.knowledge.factories import add_practice
from tests.knowledge.test_public_pages import PageStructure

pytestmark = pytest.mark.django_db

COMPARE = "/en/compare/"
NO_PRACTICE = "No public practice on this topic yet"


@pytest.fixture
def world(site_structure):
    """Seoul and Milan with public practices on quarantine, Tokyo with one on another topic,
    and a draft and a private practice in Seoul on quarantine; Atlantis has only a draft."""
    default = Locale.get_default()
    korean = Locale.objects.get(language_code="ko")
    quarantine = TopicArea.objects.create(slug="quarantine", name="Quarantine", locale=default)
    korean_quarantine = quarantine.copy_for_translation(korean)
    korean_quarantine.name = "방역"
    korean_quarantine.save()
    TopicArea.objects.create(slug="education", name="Education", locale=default, sort_order=1)
    seoul = get_or_create_city("Seoul", "KR")
    seoul.population = 9_586_195
    seoul.save()
    milan = get_or_create_city("Milan", "IT")
    tokyo = get_or_create_city("Tokyo", "JP")
    index = practice_index_for(default)
    screening = add_practice(
        index,
        "Drive-through screening clinics",
        topics=["quarantine"],
        city=seoul,
        kind="countermeasure",
        practice_status="ended",
        started=date(2020, 2, 26),
        ended=date(2021, 6, 30),
        cost_band="medium",
        outcome="Tested " + "many people quickly " * 20 + "UNSEEN-TAIL",
    )
    add_practice(index, "Safe-distance wristbands", topics=["quarantine"], city=seoul)
    add_practice(index, "Open Roads tracing", topics=["quarantine"], city=milan)
    add_practice(index, "School laptops", topics=["education"], city=tokyo)
    add_practice(index, "Draft isolation plan", topics=["quarantine"], city=seoul, publish=False)
    private = add_practice(index, "Members-only briefing", topics=["quarantine"], city=seoul)
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    atlantis = get_or_create_city("Atlantis", "GR")
    add_practice(index, "Sunken draft", topics=["quarantine"], city=atlantis, publish=False)
    return {"screening": screening, "korean": korean, "index": index}


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def cells(content: str, row_heading: str) -> list[str]:
    """The cells of one row of the comparison, after its heading."""
    row = content.split(f'role="rowheader">{row_heading}</th>')[1].split("</tr>")[0]
    return [cell.split("</td>")[0] for cell in row.split('<td role="cell"')[1:]]


def count_in_row(content: str, row: int) -> list[str]:
    """The values of a row of the comparison by its position, whatever its language."""
    found = content.split("<tbody")[1].split("</tr>")[row]
    return [cell.split("</td>")[0].rsplit(">", 1)[1] for cell in found.split("<td")[1:]]


def test_cities_stand_side_by_side_on_the_topic_with_only_public_practices(client, world):
    content = page(client, f"{COMPARE}?topic=quarantine&cities=seoul,milan,tokyo")

    headings = content.split("<thead")[1].split("</thead>")[0]
    # Columns in the order chosen, each linking to its city page.
    assert headings.index("/en/cities/seoul/") < headings.index("/en/cities/milan/")
    assert headings.index("/en/cities/milan/") < headings.index("/en/cities/tokyo/")
    seoul, milan, tokyo = cells(content, "Country")
    assert "South Korea" in seoul and "Italy" in milan and "Japan" in tokyo
    population = cells(content, "Population")
    assert "9,586,195" in population[0] and "not known" in population[1]
    assert count_in_row(content, row=2) == ["2", "1", "0"]

    seoul, milan, tokyo = cells(content, "Practices")
    assert "Drive-through screening clinics" in seoul and "Safe-distance wristbands" in seoul
    assert f'href="{world["screening"].url}"' in seoul
    for fact in ("Countermeasure", "Ended", "2020-02-26", "2021-06-30", "US$100,000 to 1 million"):
        assert fact in seoul, fact
    assert "Tested many people quickly" in seoul and "UNSEEN-TAIL" not in seoul  # shortened
    assert "Open Roads tracing" in milan
    assert NO_PRACTICE in tokyo and "School laptops" not in content  # another topic
    for hidden in ("Draft isolation plan", "Members-only briefing", "Sunken draft"):
        assert hidden not in content
    assert '<meta name="robots" content="noindex, follow">' in content


def test_a_reader_sees_the_practice_in_their_language_and_never_both(client, world):
    translation = world["screening"].copy_for_translation(world["korean"])
    translation.title = "드라이브스루 선별진료소"
    translation.save_revision().publish()

    # Written in Korean, with no English version: for Korean readers only.
    seoul_city = City.objects.get(slug="seoul", locale=Locale.get_default())
    korean_index = practice_index_for(world["korean"])
    add_practice(korean_index, "자가격리 앱", topics=["quarantine"], city=seoul_city)

    korean = page(client, "/ko/compare/?topic=quarantine&cities=seoul")
    assert "드라이브스루 선별진료소" in korean and "자가격리 앱" in korean
    assert count_in_row(korean, row=2) == ["3"]  # the Korean one counts for Korean readers
    assert "Drive-through screening clinics" not in korean
    seoul = cells(korean, "대응 사례")[0]  # "Practices"
    # Untranslated: the original, marked as English.
    assert '<a href="/ko/practices/safe-distance-wristbands/" lang="en" dir="ltr">' in seoul
    assert '<h2 id="comparison-heading"><a href="/ko/topics/quarantine/">방역</a>' in korean
    english = page(client, f"{COMPARE}?topic=quarantine&cities=seoul")
    assert "드라이브스루" not in english and "자가격리" not in english
    assert count_in_row(english, row=2) == ["2"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("topic=no-such-topic&cities=seoul", "There is no topic area “no-such-topic”"),
        ("topic=quarantine&cities=seoul,nowhere", "No city “nowhere” has public work here"),
        # Known only from drafts: refused exactly as a city that does not exist.
        ("topic=quarantine&cities=atlantis", "No city “atlantis” has public work here"),
        ("topic=quarantine&cities=a,b,c,d,e", f"at most {MAX_CITIES} cities"),
        ("topic=quarantine&topic=education&cities=seoul", "one topic area at a time"),
        ("topic=%00&cities=seoul", "The topic area in the address is not one we know"),
        ("topic=quarantine&cities=%00", "A city in the address is not one we know"),
        ("topic=<script>alert(1)</script>", "The topic area in the address is not one we know"),
        ("topic=quarantine&cities=" + "x" * 5000, "A city in the address is not one we know"),
        ("topic=quarantine&cities=%C3%A9", "A city in the address is not one we know"),
    ],
)
def test_an_address_naming_anything_else_gets_the_form_and_the_reason(
    client, world, query, message
):
    client.raise_request_exception = False
    content = page(client, f"{COMPARE}?{query}", status=400)
    assert message in content
    assert 'role="alert"' in content
    assert '<select id="compare-topic" name="topic">' in content  # the form to choose again
    assert "<table" not in content
    assert "<script>alert" not in content


def test_more_than_four_cities_are_refused_and_four_are_kept_in_the_form(client, world):
    content = page(client, f"{COMPARE}?topic=quarantine&cities=seoul,milan,tokyo,seoul,x,y", 400)
    assert content.count('name="cities"') == MAX_CITIES
    assert content.count(" selected") == 4  # the topic and the three known cities
    assert "“x”" in content  # the fourth is named as unknown; the fifth is past the limit
    assert "“y”" not in content


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        # The form sends one `cities` per select, empty ones included.
        (
            "cities=milan&cities=seoul&cities=&cities=&topic=quarantine",
            "?topic=quarantine&cities=milan,seoul",
        ),
        ("topic=quarantine&cities=seoul,seoul,milan", "?topic=quarantine&cities=seoul,milan"),
        ("topic=quarantine&cities=seoul%2Cmilan", "?topic=quarantine&cities=seoul,milan"),
        ("topic=quarantine&cities=seoul&utm_source=x", "?topic=quarantine&cities=seoul"),
        ("topic=&cities=&cities=", ""),
    ],
)
def test_one_choice_has_one_address(client, world, query, canonical):
    response = client.get(f"{COMPARE}?{query}")
    assert response.status_code == 302
    assert response["Location"] == f"{COMPARE}{canonical}"
    assert client.get(response["Location"]).status_code == 200


def test_an_unfinished_choice_asks_for_the_rest(client, world):
    content = page(client, COMPARE)
    assert "Choose a topic area and up to 4 cities" in content
    assert "<table" not in content
    # Only cities with public work are offered.
    offered = content.split('id="compare-city-1"')[1].split("</select>")[0]
    assert 'value="seoul"' in offered and 'value="tokyo"' in offered
    assert "atlantis" not in offered.lower()
    assert "Choose at least one city." in page(client, f"{COMPARE}?topic=quarantine")
    assert "Choose a topic area." in page(client, f"{COMPARE}?cities=seoul")


def test_city_and_topic_pages_lead_to_the_comparison_prefilled(client, world):
    city_page = page(client, "/en/cities/seoul/")
    assert f'href="{COMPARE}?cities=seoul">Compare with other cities</a>' in city_page
    prefilled = page(client, f"{COMPARE}?cities=seoul")
    first = prefilled.split('id="compare-city-1"')[1].split("</select>")[0]
    assert '<option value="seoul" selected>' in first

    topic_page = page(client, "/en/topics/quarantine/")
    assert f'href="{COMPARE}?topic=quarantine">Compare cities on this topic</a>' in topic_page
    prefilled = page(client, f"{COMPARE}?topic=quarantine")
    assert '<option value="quarantine" selected>' in prefilled

    assert f'href="{COMPARE}">Compare cities</a>' in page(client, "/en/cities/")


def test_a_city_with_more_practices_than_shown_links_to_the_listing(client, world):
    seoul = City.objects.get(slug="seoul", locale=Locale.get_default())
    for number in range(PRACTICES_SHOWN):
        add_practice(world["index"], f"Measure {number}", topics=["quarantine"], city=seoul)
    content = page(client, f"{COMPARE}?topic=quarantine&cities=seoul")
    column = cells(content, "Practices")[0]
    assert column.count("<li") == PRACTICES_SHOWN
    assert count_in_row(content, row=2) == [str(PRACTICES_SHOWN + 2)]
    assert 'href="/en/practices/?topic=quarantine&amp;city=seoul"' in column


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600


def test_a_comparison_is_kept_in_the_page_cache_and_a_refusal_is_not(client, world, page_cache):
    url = f"{COMPARE}?topic=quarantine&cities=seoul,milan"
    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"
    client.raise_request_exception = False
    for _ in range(2):
        assert "X-Cache" not in client.get(f"{COMPARE}?topic=nope&cities=seoul")


def test_the_page_is_one_h1_ordered_headings_and_labelled_controls(client, world):
    client.raise_request_exception = False
    expected = {
        f"{COMPARE}?topic=quarantine&cities=seoul,milan": [1, 2, 2],  # the form, the comparison
        f"{COMPARE}?topic=nope": [1, 2],
    }
    for url, headings in expected.items():
        structure = PageStructure()
        structure.feed(client.get(url).content.decode())
        assert structure.headings == headings, url
        assert len(structure.controls) == 1 + MAX_CITIES
        for control in structure.controls:
            assert control.get("id") in structure.label_targets, control
        assert len(structure.ids) == len(set(structure.ids)), url
