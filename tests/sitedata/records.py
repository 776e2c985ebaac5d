"""A valid import record for the practice-import tests, to change one field at a time."""


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
