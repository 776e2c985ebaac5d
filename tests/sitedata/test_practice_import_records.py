"""One import line's fields, each checked by its own validator: every bad field is reported,
named, with its line; no value, however odd, raises anything but a ValidationError."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.models import PracticePage
from sitedata.import_limits import ImportLimits
from sitedata.practice_import import (
    OPTIONAL_KEYS,
    REQUIRED_KEYS,
    LineError,
    PracticeRecord,
    validate_practice_lines,
)
from sitedata.practice_import.records import QUOTED_CHARS, field_validators, parse_record
from sitedata.summit_programme import LoadReport, load_topic_areas, read_programme
from tests.sitedata.records import practice

LIMITS = ImportLimits(line_bytes=2_097_152, summary_chars=5_000, body_chars=200_000)

GOOD = practice()


def line(**changes) -> dict:
    """The good line with some keys changed; a value of ... leaves the key out."""
    data = {**GOOD, **changes}
    return {key: value for key, value in data.items() if value is not ...}


def messages(data: dict) -> list[str]:
    """What the line is refused for; [] if it is a valid record."""
    try:
        assert isinstance(parse_record(1, data, LIMITS), PracticeRecord)
    except ValidationError as error:
        return error.messages
    return []


def test_every_key_has_a_validator_but_the_addresses_an_import_ignores():
    assert set(field_validators(LIMITS)) == set(REQUIRED_KEYS + OPTIONAL_KEYS) - {
        "url",
        "contact_form",
    }


def test_a_good_line_gives_its_cleaned_record():
    record = parse_record(
        7, line(slug=" padded ", country="kr", topics=["smart-city", "quarantine "]), LIMITS
    )

    assert record.line == 7
    assert record.slug == "padded"
    assert record.country == "KR"
    assert record.topics == ("quarantine", "smart-city")
    assert record.paragraphs == ("People stay in their car.", "A sample takes a few minutes.")
    assert str(record.started) == "2020-03-03"
    assert (record.contact_name, record.contact_email) == ("Kim", "kim@example.org")
    assert record.publish and record.translation_of == ""


def test_optional_keys_may_be_left_out_or_null():
    left_out = parse_record(1, line(summary=..., started=..., source_url=..., contact=...), LIMITS)
    null = parse_record(1, line(summary=None, started=None, source_url=None, contact=None), LIMITS)

    assert left_out == null
    assert (null.summary, null.started, null.source_url) == ("", None, "")
    assert null.contact_email is None  # not given: an import keeps the page's address


def test_a_line_with_several_bad_fields_reports_each_of_them_in_order():
    data = line(
        slug="Bad Slug!",
        title=None,
        kind="poster",
        topics="quarantine",
        country="XX",
        started="2020-02-30",
        source_url="ftp://example.org/",
        contact={"name": 12, "email": "not-an-address"},
        status="archived",
        title_fr="Titre",
        locale=...,
    )

    assert messages(data) == [
        "missing required key(s): locale",
        "unknown key(s): title_fr",
        "slug 'Bad Slug!' may only hold a-z, 0-9 and hyphens",
        "title must not be empty",
        "kind 'poster' is not one of: "
        "countermeasure, case_study, guideline, briefing_note, dataset, news",
        "topics must be a non-empty list of topic-area slugs",
        "country 'XX' is not an ISO 3166-1 alpha-2 code",
        "started '2020-02-30' is not a date as YYYY-MM-DD",
        "source_url 'ftp://example.org/' is not a valid http(s) address",
        "contact.name must be a string",
        "contact email 'not-an-address' is not a valid e-mail address",
        "status 'archived' is not 'published' or 'draft'",
    ]


def test_the_structured_fields_are_read_and_checked():
    record = parse_record(
        1,
        line(
            ended="2020-12-31",
            practice_status="ended",
            outcome="  33,000 masks in 20 days. ",
            target_group="Older people living alone",
            cost_band="low",
            last_reviewed="2026-12-01",
        ),
        LIMITS,
    )
    assert (str(record.ended), record.practice_status, record.cost_band) == (
        "2020-12-31",
        "ended",
        "low",
    )
    assert record.outcome == "33,000 masks in 20 days."
    assert str(record.last_reviewed) == "2026-12-01"

    assert messages(
        line(
            ended="2020-01-01",
            practice_status="paused",
            cost_band="cheap",
            last_reviewed="yesterday",
            outcome="o" * 5001,
            target_group=["everyone"],
        )
    ) == [
        "practice_status 'paused' is not one of: planned, active, ended",
        "outcome is longer than 5000 characters",
        "target_group must be a string",
        "cost_band 'cheap' is not one of: none, low, medium, high, very_high",
        "last_reviewed 'yesterday' is not a date as YYYY-MM-DD",
        "ended 2020-01-01 is before started 2020-03-03",
    ]


def test_every_missing_key_is_named_once():
    data = {key: value for key, value in GOOD.items() if key not in ("title", "city", "topics")}

    assert messages(data) == ["missing required key(s): title, topics, city"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # NUL characters, which PostgreSQL cannot store.
        ({"title": "a\x00b"}, "title contains a NUL character"),
        ({"body": "\x00"}, "body contains a NUL character"),
        (
            {"contact": {"organisation": "Seoul\x00"}},
            "contact.organisation contains a NUL character",
        ),
        # Huge strings: refused by their column's length or the settings' limits.
        ({"title": "t" * 256}, "title is longer than 255 characters"),
        ({"slug": "s" * 1_000_000}, "slug is longer than 255 characters"),
        ({"city": "c" * 121}, "city is longer than 120 characters"),
        ({"summary": "s" * 5_001}, "summary is longer than 5000 characters"),
        ({"body": "b" * 200_001}, "body is longer than 200000 characters"),
        ({"contact": {"name": "n" * 201}}, "contact.name is longer than 200 characters"),
        ({"source_url": "https://example.org/" + "p" * 500}, "source_url is longer than 500"),
        # Wrong types.
        ({"title": 12}, "title must be a string"),
        ({"body": ["one", "two"]}, "body must be a string"),
        ({"started": 20200303}, "started must be a string"),
        ({"status": True}, "status must be a string"),
        ({"country": {"code": "KR"}}, "country must be a string"),
        ({"kind": 1.5}, "kind must be a string"),
        ({"topics": "quarantine"}, "topics must be a non-empty list of topic-area slugs"),
        ({"topics": []}, "topics must be a non-empty list"),
        ({"topics": ["quarantine", 3]}, "topics must be a non-empty list"),
        ({"topics": ["  "]}, "topics must be a non-empty list"),
        ({"contact": "Kim"}, "contact must be an object with name, organisation and/or email"),
        ({"contact": {"phone": "010"}}, "contact must be an object"),
        ({"slug": None}, "slug must not be empty"),
        ({"city": "   "}, "city must not be empty"),
        # Dates that are not YYYY-MM-DD, or no day of the calendar.
        ({"started": "03/03/2020"}, "started '03/03/2020' is not a date as YYYY-MM-DD"),
        ({"started": "2020-3-3"}, "started '2020-3-3' is not a date"),
        ({"started": "2021-02-29"}, "started '2021-02-29' is not a date"),
        ({"started": "2020-03-03T10:00"}, "started '2020-03-03T10:00' is not a date"),
        ({"started": "٢٠٢٠-٠٣-٠٣"}, "is not a date as YYYY-MM-DD"),
        # Values outside their lists.
        ({"kind": "poster"}, "kind 'poster' is not one of: countermeasure, "),
        ({"locale": "de"}, "locale 'de' is not one of: en, ko, "),
        ({"country": "KOR"}, "country 'KOR' is not an ISO 3166-1 alpha-2 code"),
        ({"city": "!!!"}, "city '!!!' must be given by its English name"),
        ({"status": "live"}, "status 'live' is not 'published' or 'draft'"),
        ({"translation_of": "Other Practice"}, "translation_of must be the slug of a practice"),
        # Addresses.
        ({"source_url": "javascript:alert(1)"}, "source_url 'javascript:alert(1)' is not a valid"),
        ({"source_url": "www.example.org"}, "source_url 'www.example.org' is not a valid"),
        ({"source_url": "https://exa mple.org/"}, "is not a valid http(s) address"),
        ({"contact": {"email": "kim@"}}, "contact email 'kim@' is not a valid e-mail address"),
        # Text JSON allows but UTF-8 cannot encode: reported alone, since it cannot be quoted.
        ({"title": "\ud800", "kind": "poster"}, "title contains text that is not valid Unicode"),
    ],
)
def test_an_odd_value_gives_one_clear_message_naming_its_field(changes, expected):
    reported = messages(line(**changes))

    assert len(reported) == 1, reported
    assert expected in reported[0]
    assert reported[0].startswith(next(iter(changes)))


@pytest.mark.parametrize("key", ["kind", "locale", "country", "started", "status"])
def test_a_huge_refused_value_is_quoted_cut_short(key):
    (reported,) = messages(line(**{key: "X" * 1_000_000}))

    assert reported.startswith(f"{key} '{'X' * (QUOTED_CHARS - 1)}…' ")
    assert len(reported) < QUOTED_CHARS + 100


def test_an_unknown_key_of_any_length_is_quoted_cut_short():
    (reported,) = messages({**GOOD, "k" * 100_000: "v"})

    assert reported == "unknown key(s): " + "k" * (QUOTED_CHARS - 1) + "…"


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
    | st.sampled_from(
        ["", " ", "\x00", "\ud800", "en", "KR", "draft", "2020-03-03", "https://x.org"]
    ),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["name", "organisation", "email", "x"]), children)
    ),
    max_leaves=6,
)


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(
    changes=st.dictionaries(st.sampled_from([*REQUIRED_KEYS, *OPTIONAL_KEYS]), JSON_VALUES),
    dropped=st.sets(st.sampled_from(REQUIRED_KEYS), max_size=2),
)
def test_no_value_raises_anything_but_a_validation_error_naming_fields(changes, dropped):
    data = {key: value for key, value in {**GOOD, **changes}.items() if key not in dropped}

    for message in messages(data):
        assert isinstance(message, str) and message
        assert message.split()[0].split(".")[0] in {
            *REQUIRED_KEYS,
            *OPTIONAL_KEYS,
            "missing",
        }, message


def test_the_messages_are_translated():
    with translation.override("ko"):
        (reported,) = messages(line(title=""))
        shown = str(LineError(3, reported))

    assert shown == "3행: title 값은 비어 있으면 안 됩니다"


@pytest.fixture
def topic_areas(site_structure):
    load_topic_areas(read_programme()["topics"], LoadReport())


def test_each_bad_field_is_reported_with_its_line_and_nothing_is_kept(topic_areas):
    result = validate_practice_lines(
        [
            "",
            json.dumps(line(slug="first-fine")),
            json.dumps(line(slug="second", kind="poster", started="soon", contact={"email": 1})),
        ]
    )

    assert [str(error) for error in result.errors] == [
        "line 3: kind 'poster' is not one of: "
        "countermeasure, case_study, guideline, briefing_note, dataset, news",
        "line 3: started 'soon' is not a date as YYYY-MM-DD",
        "line 3: contact.email must be a string",
    ]
    assert result.records == []


def test_the_command_lists_every_bad_field_of_a_line_and_imports_nothing(topic_areas, tmp_path):
    path = tmp_path / "p.jsonl"
    bad = line(slug="bad", title=" ", country="Korea", source_url="seoul")
    path.write_text(json.dumps(line()) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_practices", str(path), stdout=io.StringIO(), stderr=err)

    assert raised.value.returncode == 1
    assert err.getvalue().splitlines() == [
        "line 2: title must not be empty",
        "line 2: country 'KOREA' is not an ISO 3166-1 alpha-2 code",
        "line 2: source_url 'seoul' is not a valid http(s) address",
    ]
    assert PracticePage.objects.count() == 0
