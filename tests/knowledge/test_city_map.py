"""The cities index's world map: public cities as named, linked points on a self-hosted outline
drawn by d3-geo, projected in Python exactly as d3-geo projects."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from wagtail.models import Locale

from core.security_headers import PUBLIC_POLICY
from knowledge.city_facts import fill_city_facts
from knowledge.models import City, PracticeIndexPage
from knowledge.world_map import PARAMETERS_FILE, world_map_projection
from sitedata.summit_programme import get_or_create_city
from tests.knowledge.factories import add_practice
from tests.services import service_missing

ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = ROOT / "knowledge" / "world_map" / "build_world_map.mjs"
OUTLINE = ROOT / "knowledge" / "static" / "knowledge" / "world-map.svg"
NPM_PACKAGES = ["world-atlas", "d3-geo", "topojson-client"]


@pytest.fixture
def index(site_structure):
    return PracticeIndexPage.objects.get(locale=Locale.get_default())


def map_markup(content: str) -> str:
    return content[content.index('<section class="city-map"') : content.index("</section>")]


def points(markup: str) -> dict[str, dict[str, str]]:
    """Each point's link, with its accessible name and circle attributes, by address."""
    found = {}
    link_pattern = r'<a class="city-point" href="([^"]+)" aria-label="([^"]+)">(.*?)</a>'
    for link in re.finditer(link_pattern, markup, re.S):
        circle = dict(re.findall(r'(\w+)="([^"]*)"', re.search(r"<circle[^>]*>", link[3])[0]))
        found[link[1]] = {"name": link[2], **circle}
    return found


def test_python_projects_the_cities_exactly_as_d3_geo_does():
    parameters = json.loads(PARAMETERS_FILE.read_text())
    projection = world_map_projection()
    assert len(parameters["samples"]) >= 10
    for sample in parameters["samples"]:
        x, y = projection.project(sample["lon"], sample["lat"])
        assert x == pytest.approx(sample["xy"][0], abs=0.01), sample
        assert y == pytest.approx(sample["xy"][1], abs=0.01), sample


def test_every_place_on_earth_projects_inside_the_map():
    projection = world_map_projection()
    for longitude in range(-180, 181, 15):
        for latitude in range(-90, 91, 15):
            x, y = projection.project(longitude, latitude)
            assert 0 <= x <= projection.width and 0 <= y <= projection.height


def test_the_committed_map_is_what_the_npm_packages_draw(tmp_path):
    node = shutil.which("node")
    if node is None:
        service_missing("needs Node.js to redraw the world map (apt install nodejs)")
    missing = [name for name in NPM_PACKAGES if not (ROOT / "node_modules" / name).is_dir()]
    if missing:
        service_missing(f"needs the npm packages {', '.join(missing)}: run `npm ci`")
    subprocess.run([node, str(BUILD_SCRIPT), str(tmp_path)], check=True, timeout=60)
    assert (tmp_path / "world-map.json").read_text() == PARAMETERS_FILE.read_text(), (
        "world-map.json is stale: run `make world-map`"
    )
    assert (tmp_path / "world-map.svg").read_text() == OUTLINE.read_text(), (
        "world-map.svg is stale: run `make world-map`"
    )


def test_the_outline_is_a_static_file_with_nothing_from_elsewhere():
    assert finders.find("knowledge/world-map.svg") == str(OUTLINE)
    outline = OUTLINE.read_text()
    # The SVG namespace is a name, not a request; nothing else may point off the site.
    assert re.findall(r"https?://", outline.replace('xmlns="http://www.w3.org/2000/svg"', "")) == []
    assert "<script" not in outline and "href" not in outline


@pytest.mark.django_db
def test_the_map_shows_each_public_city_as_a_named_link_to_its_page(client, index):
    seoul = get_or_create_city("Seoul", "KR")
    milan = get_or_create_city("Milan", "IT")
    busan = get_or_create_city("Busan", "KR")
    fill_city_facts()
    add_practice(index, "Drive-through screening", city=seoul)
    add_practice(index, "Walk-through booths", city=seoul)
    add_practice(index, "Open Roads", city=milan)
    add_practice(index, "A draft", city=busan, publish=False)

    response = client.get("/en/cities/")

    assert response.status_code == 200
    markup = map_markup(response.content.decode())
    found = points(markup)
    assert set(found) == {"/en/cities/seoul/", "/en/cities/milan/"}  # Busan has only a draft
    assert found["/en/cities/seoul/"]["name"] == "Seoul, South Korea: 2 practices"
    assert found["/en/cities/milan/"]["name"] == "Milan, Italy: 1 practice"
    # More practices, a larger point.
    assert float(found["/en/cities/seoul/"]["r"]) > float(found["/en/cities/milan/"]["r"])
    # Seoul lies east of and below Milan.
    seoul_point, milan_point = found["/en/cities/seoul/"], found["/en/cities/milan/"]
    assert float(seoul_point["cx"]) > float(milan_point["cx"])
    assert float(seoul_point["cy"]) > float(milan_point["cy"])
    assert "World map of 2 cities" in markup
    # The map is skippable, to the table that lists every city.
    assert 'href="#city-table"' in markup
    assert 'id="city-table"' in response.content.decode()


@pytest.mark.django_db
def test_a_city_without_coordinates_is_in_the_table_but_not_on_the_map(client, index):
    seoul = get_or_create_city("Seoul", "KR")
    fill_city_facts()
    add_practice(index, "Drive-through screening", city=seoul)
    add_practice(index, "Lantern walks", city=get_or_create_city("Nowhereville", "KR"))

    content = client.get("/en/cities/").content.decode()

    assert set(points(map_markup(content))) == {"/en/cities/seoul/"}
    assert 'href="/en/cities/nowhereville/"' in content  # the table's row


@pytest.mark.django_db
def test_no_map_when_no_city_has_coordinates(client, index):
    add_practice(index, "Lantern walks", city=get_or_create_city("Nowhereville", "KR"))
    content = client.get("/en/cities/").content.decode()
    assert 'class="city-map"' not in content
    assert 'href="/en/cities/nowhereville/"' in content


@pytest.mark.django_db
def test_the_map_makes_no_outside_request_and_keeps_the_policy(client, index):
    seoul = get_or_create_city("Seoul", "KR")
    fill_city_facts()
    add_practice(index, "Drive-through screening", city=seoul)

    response = client.get("/fr/cities/")

    assert response["Content-Security-Policy"] == PUBLIC_POLICY
    markup = map_markup(response.content.decode())
    addresses = re.findall(r'(?:href|src)="([^"]*)"', markup)
    assert addresses and all(address.startswith(("/", "#")) for address in addresses), addresses
    assert "<script" not in markup and "style=" not in markup
    # Coordinates are numbers in any language: no decimal comma in French.
    circle = re.search(r'<circle cx="([^"]+)" cy="([^"]+)" r="([^"]+)"', markup)
    assert all(re.fullmatch(r"\d+(\.\d+)?", value) for value in circle.groups())
    # The outline image is served from this site.
    assert '<image href="/static/knowledge/world-map.svg"' in markup


@pytest.mark.django_db
def test_a_point_is_named_and_linked_in_the_visitors_language(client, index):
    seoul = get_or_create_city("Seoul", "KR")
    fill_city_facts()
    add_practice(index, "Drive-through screening", city=seoul)

    markup = map_markup(client.get("/ko/cities/").content.decode())

    # The country's name is the visitor's; the city's is its record's (English here).
    assert points(markup)["/ko/cities/seoul/"]["name"].startswith("Seoul(대한민국): ")


@pytest.mark.django_db
def test_a_summit_city_is_named_with_its_sessions(client, summit, index):
    seoul = City.objects.get(slug="seoul", locale=Locale.get_default())
    add_practice(index, "Drive-through screening", city=seoul)

    found = points(map_markup(client.get("/en/cities/").content.decode()))

    assert re.fullmatch(
        r"Seoul, South Korea: 1 practice, \d+ summit sessions?", found["/en/cities/seoul/"]["name"]
    )
    # A city that took part in the summit but shared no practice: its sessions alone.
    summit_only = [p["name"] for href, p in found.items() if href != "/en/cities/seoul/"]
    assert summit_only  # the summit's cities have coordinates from GeoNames
    assert all(re.search(r": \d+ summit sessions?$", name) for name in summit_only), summit_only
    # Still a point one can see and hit.
    assert all(float(p["r"]) >= 4 for p in found.values())
