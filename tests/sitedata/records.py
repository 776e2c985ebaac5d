"""A valid import record for the practice-import tests, to change one field at a time, and the
demo corpus's records as its data file holds them."""

import json
from functools import cache

from sitedata.demo_practices import DEMO_PRACTICES_FILE


def practice(**overrides) -> dict:
    """A record that imports; an override of None leaves the key out."""
    record = {
        "slug": "drive-through-screening",
        "locale": "en",
        "title": "Drive-through screening clinics",
        "summary": "Testing people in their cars.",
        "body": "People stay in their car.\n\nA sample takes a few minutes.",
        "kind": "countermeasure",
        "topics": ["quarantine"],
        "city": "Seoul",
        "country": "KR",
        "started": "2020-03-03",
        "source_url": "https://english.seoul.go.kr/",
        "contact": {"name": "Kim", "organisation": "Seoul", "email": "kim@example.org"},
    }
    record.update(overrides)
    return {key: value for key, value in record.items() if value is not None}


@cache
def demo_records() -> tuple[dict, ...]:
    """The records of sitedata/data/demo_practices.jsonl, in file order."""
    lines = DEMO_PRACTICES_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


def demo_record(slug: str, locale: str = "en") -> dict:
    return next(r for r in demo_records() if r["slug"] == slug and r["locale"] == locale)
