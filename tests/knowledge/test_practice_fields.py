"""The structured fields of a practice: status, dates, outcome, target group, cost."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Locale

from knowledge.models import PracticeIndexPage
from tests.knowledge.factories import add_practice

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(site_structure):
    return PracticeIndexPage.objects.get(locale=Locale.get_default())


def test_a_practice_cannot_end_before_it_started(index):
    practice = add_practice(index, "Masks", started=date(2020, 3, 9))
    practice.ended = date(2020, 3, 1)
    with pytest.raises(ValidationError) as refused:
        practice.clean()
    assert "ended" in refused.value.message_dict


def test_the_api_gives_the_structured_fields_and_no_address(client, index):
    practice = add_practice(
        index,
        "Masks",
        started=date(2020, 3, 9),
        ended=date(2020, 6, 30),
        practice_status="ended",
        outcome="Two million masks.",
        target_group="People with disabilities",
        cost_band="high",
        last_reviewed=date(2026, 12, 1),
        contact_name="Lee",
        contact_email="masks@seoul.example",
    )
    data = client.get(f"/api/v2/pages/{practice.pk}/").json()
    assert {
        key: data[key]
        for key in ("ended", "practice_status", "outcome", "target_group", "cost_band")
    } == {
        "ended": "2020-06-30",
        "practice_status": "ended",
        "outcome": "Two million masks.",
        "target_group": "People with disabilities",
        "cost_band": "high",
    }
    assert data["last_reviewed"] == "2026-12-01"
    assert (data["contact_name"], data["has_contact_form"]) == ("Lee", True)
    assert "masks@seoul.example" not in str(data)
