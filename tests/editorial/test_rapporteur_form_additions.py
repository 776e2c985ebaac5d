"""What new rapporteurs missed in the summary form (issue 16): adding a city that is not in
the list, adding quote rows beyond those rendered, and session times with their zone.

Through the real views with Django's test client, as test_rapporteur_journey.py posts it.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.models import Locale

from knowledge.models import City, SessionSummaryPage
from knowledge.session_times import session_times

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

User = get_user_model()


def _form(new_cities=(), quotes=(), **extra) -> dict:
    data = {
        "title": "Summary of Education",
        "key_messages": "One",
        "recommendations": "",
        "full_summary": "Text.",
        "quotes-TOTAL_FORMS": str(len(quotes)),
        "quotes-INITIAL_FORMS": "0",
        "new_cities-TOTAL_FORMS": str(len(new_cities)),
        "new_cities-INITIAL_FORMS": "0",
        "save": "",
    }
    for index, (name, country) in enumerate(new_cities):
        data[f"new_cities-{index}-name"] = name
        data[f"new_cities-{index}-country"] = country
    for index, (text, speaker) in enumerate(quotes):
        data[f"quotes-{index}-text"] = text
        data[f"quotes-{index}-speaker"] = speaker
    data.update(extra)
    return data


def _saved_summary(session) -> SessionSummaryPage:
    return SessionSummaryPage.objects.child_of(session).get().get_latest_revision_as_object()


def _default_cities():
    return City.objects.filter(locale=Locale.get_default())


def test_rapporteur_adds_cities_that_are_not_in_the_list(
    tasks_in_process, client, rapporteur, education
):
    client.force_login(rapporteur)
    url = reverse("my_sessions:summary", args=[education.pk])
    assert 'name="new_cities-0-name"' in client.get(url).content.decode()
    listed = _default_cities().first()

    response = client.post(
        url,
        _form(
            new_cities=[("  Helsinki ", "FI"), ("Wellington", "NZ"), ("Αθήνα", "GR"), ("", "")],
            cities=[listed.pk],
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    helsinki = _default_cities().get(slug="helsinki")
    assert (helsinki.name, helsinki.country.code) == ("Helsinki", "FI")
    assert _default_cities().get(slug="wellington").country.code == "NZ"
    athens = _default_cities().get(name="Αθήνα")
    assert athens.slug.isascii() and athens.slug  # public URLs take ASCII slugs
    summary_cities = set(_saved_summary(education).cities.all())
    assert summary_cities == {listed, helsinki, athens, _default_cities().get(slug="wellington")}


def test_a_known_city_is_reused_unchanged_and_a_namesake_abroad_gets_its_own_slug(
    tasks_in_process, client, rapporteur, education
):
    default = Locale.get_default()
    paris = City.objects.create(name="Paris", slug="paris", country="FR", locale=default)
    cities_before = _default_cities().count()
    client.force_login(rapporteur)
    url = reverse("my_sessions:summary", args=[education.pk])

    response = client.post(url, _form(new_cities=[("PARIS", "FR"), ("Paris", "US")]))

    assert response.status_code == 302, response.content.decode()[:3000]
    paris.refresh_from_db()
    # A rapporteur never edits an existing city: the spelling they typed is not kept.
    assert (paris.name, paris.slug, paris.country.code) == ("Paris", "paris", "FR")
    texas = _default_cities().get(slug="paris-us")
    assert (texas.name, texas.country.code) == ("Paris", "US")
    assert _default_cities().count() == cities_before + 1
    assert set(_saved_summary(education).cities.all()) == {paris, texas}


def test_invalid_new_cities_are_refused_by_field_and_nothing_is_written(
    tasks_in_process, client, rapporteur, education
):
    client.force_login(rapporteur)
    url = reverse("my_sessions:summary", args=[education.pk])
    cities_before = set(_default_cities().values_list("pk", flat=True))

    response = client.post(
        url,
        _form(
            new_cities=[
                ("<b>Oslo</b>", "NO"),
                ("Tromsø", ""),
                ("", "FI"),
                ("x" * 121, "SE"),
                ("Oulu\x07", "FI"),
                ("...", "FI"),
                ("Bergen", "XX"),
                ("Turku", "FI"),  # valid, but the form as a whole is not saved
            ]
        ),
    )

    assert response.status_code == 200
    rows = response.context["form"].new_cities.forms
    assert "letters, spaces, hyphens" in rows[0].errors["name"][0]
    assert rows[1].errors["country"] == ["Choose the city's country."]
    assert "Write the city's name" in rows[2].errors["name"][0]
    assert "at most 120" in rows[3].errors["name"][0]
    assert "name" in rows[4].errors
    assert "name" in rows[5].errors
    assert "country" in rows[6].errors
    assert not rows[7].errors
    assert "The summary was not saved" in response.content.decode()
    assert set(_default_cities().values_list("pk", flat=True)) == cities_before
    assert not SessionSummaryPage.objects.child_of(education).exists()

    # A valid city with an invalid summary: still nothing written.
    response = client.post(url, _form(new_cities=[("Turku", "FI")], title=""))
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert not _default_cities().filter(name="Turku").exists()


def test_only_the_sessions_rapporteur_can_add_a_city_through_its_summary(
    tasks_in_process, client, rapporteur, culture
):
    client.force_login(rapporteur)
    url = reverse("my_sessions:summary", args=[culture.pk])
    response = client.post(url, _form(new_cities=[("Helsinki", "FI")]))
    assert response.status_code == 404
    assert not City.objects.filter(name="Helsinki").exists()


def test_quote_rows_added_in_the_browser_are_all_saved_up_to_the_cap(
    tasks_in_process, client, rapporteur, education
):
    client.force_login(rapporteur)
    url = reverse("my_sessions:summary", args=[education.pk])
    page = client.get(url).content.decode()
    # The form renders three rows; the button's script and its row to copy come with it.
    assert 'name="quotes-TOTAL_FORMS" value="3"' in page
    assert "editorial/js/formset-rows.js" in page
    assert 'data-formset-add="quotes"' in page
    assert 'name="quotes-__prefix__-text"' in page

    quotes = [(f"Quote number {n}", f"Speaker {n}") for n in range(7)]
    response = client.post(url, _form(quotes=quotes))
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = [
        (block.value["text"], block.value["speaker"])
        for block in _saved_summary(education).notable_quotes
    ]
    assert saved == quotes

    too_many = [(f"Quote {n}", f"Speaker {n}") for n in range(21)]
    response = client.post(url, _form(quotes=too_many, title="Changed"))
    assert response.status_code == 200
    assert response.context["form"].quotes.non_form_errors() == [
        "A summary holds at most 20 quotes. Remove the extra rows."
    ]
    assert "at most 20 quotes" in response.content.decode()
    assert _saved_summary(education).title == "Summary of Education"


def test_session_times_in_the_rapporteurs_screens_carry_their_zone(client, rapporteur, education):
    client.force_login(rapporteur)
    times = session_times(education.start, education.end)
    for url in (
        reverse("my_sessions:index"),
        reverse("my_sessions:summary", args=[education.pk]),
    ):
        page = client.get(url).content.decode()
        assert (
            f'>{times.start_kst_hm}</time>–<time datetime="{times.end_iso}">'
            f"{times.end_kst_hm}</time> KST (UTC+9)"
        ) in page
        assert f"{times.utc_range} UTC" in page
        assert f'datetime="{times.start_iso}"' in page
