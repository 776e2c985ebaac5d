"""The demo practices a new clone starts with, loaded through the ordinary practice import."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from home.site_structure import ensure_site_structure
from knowledge.city_facts import fill_city_facts
from sitedata.place_names import translate_cities
from sitedata.practice_import import ImportReport, import_practice_file
from sitedata.summit_programme import LoadReport, load_topic_areas, read_programme

DEMO_PRACTICES_FILE = Path(__file__).parent / "data" / "demo_practices.jsonl"


@transaction.atomic
def load_demo_practices(path: Path = DEMO_PRACTICES_FILE) -> ImportReport:
    """Import the demo practices that are missing, with the site structure and topic areas.

    Practices already there are kept as they are: `make run` loads the demo every time,
    and must not undo what an editor changed since.
    """
    ensure_site_structure()
    load_topic_areas(read_programme()["topics"], LoadReport())
    report = import_practice_file(path, keep_existing=True)
    # The import creates the cities its practices name; they are translated once they exist,
    # then given their coordinates and population.
    translate_cities()
    fill_city_facts()
    return report
