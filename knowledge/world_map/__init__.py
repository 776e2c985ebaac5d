"""The cities index's world map: each city a point on an outline drawn by d3-geo.

The outline (static/knowledge/world-map.svg) and the projection's parameters
(world-map.json, beside this module) are generated from the npm packages world-atlas and d3-geo by
build_world_map.mjs, beside it, and committed, so the site draws the map without Node, tiles
or any request elsewhere. The cities are projected here with the same formula as d3-geo's
geoEqualEarth; a test holds the two to a hundredth of a pixel.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext, ngettext

from knowledge.cities import CityRow

PARAMETERS_FILE = Path(__file__).resolve().parent / "world-map.json"
OUTLINE_STATIC_PATH = "knowledge/world-map.svg"

# d3-geo's equalEarthRaw (src/projection/equalEarth.js), Šavrič, Patterson and Jenny (2018).
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2

# A point's radius grows with the square root of its practices (its area with their number),
# within bounds: a city with none (summit sessions only) is still visible and easy to hit,
# and the busiest one does not cover its neighbours.
MIN_RADIUS = 4.0
MAX_RADIUS = 12.0


@dataclass(frozen=True)
class Projection:
    """geoEqualEarth fitted to the map's box: `scale` and `translate` as d3-geo computed them."""

    scale: float
    translate_x: float
    translate_y: float
    width: int
    height: int

    def project(self, longitude: float, latitude: float) -> tuple[float, float]:
        lam, phi = math.radians(longitude), math.radians(latitude)
        # d3-geo's identity rotation wraps longitudes beyond ±180°.
        if abs(lam) > math.pi:
            lam -= round(lam / math.tau) * math.tau
        theta = math.asin(M * math.sin(phi))
        t2 = theta * theta
        t6 = t2 * t2 * t2
        x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
        y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
        return self.translate_x + self.scale * x, self.translate_y - self.scale * y


@cache
def world_map_projection() -> Projection:
    parameters = json.loads(PARAMETERS_FILE.read_text(encoding="utf-8"))
    if parameters["projection"]["name"] != "geoEqualEarth":
        raise ValueError(f"{PARAMETERS_FILE}: only geoEqualEarth is implemented here")
    translate_x, translate_y = parameters["projection"]["translate"]
    return Projection(
        scale=parameters["projection"]["scale"],
        translate_x=translate_x,
        translate_y=translate_y,
        width=parameters["width"],
        height=parameters["height"],
    )


@dataclass(frozen=True)
class MapPoint:
    row: CityRow
    x: float
    y: float
    radius: float
    accessible_name: str  # what a screen reader says, and the label shown on focus
    # The visible label runs away from the nearer side edge, so it stays on the map.
    label_anchor: str  # "start" or "end"

    @property
    def label_x(self) -> float:
        offset = self.radius + 3
        return self.x + offset if self.label_anchor == "start" else self.x - offset


@dataclass(frozen=True)
class CityMap:
    width: int
    height: int
    outline: str  # the static path of the outline image
    points: list[MapPoint]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def point_radius(practices: int) -> float:
    return min(MAX_RADIUS, MIN_RADIUS + 2 * math.sqrt(practices))


def accessible_name(row: CityRow) -> str:
    # The practice count is the one the practice listings already use. The placeholders'
    # names keep clear of the glossary's terms (tests/translation checks those).
    practices = ngettext("%(counter)s practice", "%(counter)s practices", row.practices) % {
        "counter": row.practices
    }
    sessions = ngettext(
        "%(counter)s summit session", "%(counter)s summit sessions", row.sessions
    ) % {"counter": row.sessions}
    if not row.sessions:
        counts = practices
    elif not row.practices:
        counts = sessions  # a summit city that shared no practice
    else:
        # Translators: a city's counts on the map, e.g. "3 practices, 2 summit sessions".
        counts = gettext("%(practice_count)s, %(session_count)s") % {
            "practice_count": practices,
            "session_count": sessions,
        }
    # Translators: a city's point on the map, e.g. "Seoul, South Korea: 3 practices".
    return gettext("%(city_name)s, %(country_name)s: %(counts)s") % {
        "city_name": row.city.name,
        "country_name": row.city.country.name,
        "counts": counts,
    }


def city_map(rows: list[CityRow]) -> CityMap:
    """The index's cities that have coordinates, as points in the index's order (most
    practices first: the larger points are drawn first, so smaller ones stay on top)."""
    projection = world_map_projection()
    points = []
    for row in rows:
        city = row.city
        if city.latitude is None or city.longitude is None:
            continue  # the table lists it
        x, y = projection.project(float(city.longitude), float(city.latitude))
        points.append(
            MapPoint(
                row=row,
                x=round(x, 1),
                y=round(y, 1),
                radius=round(point_radius(row.practices), 1),
                accessible_name=accessible_name(row),
                label_anchor="start" if x < projection.width / 2 else "end",
            )
        )
    return CityMap(
        width=projection.width,
        height=projection.height,
        outline=OUTLINE_STATIC_PATH,
        points=points,
    )
