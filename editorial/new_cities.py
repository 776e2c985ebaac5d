"""Cities a rapporteur adds by name and country from the summary form.

Cities are shared snippets that editors look after. A rapporteur may add one that is missing
(Helsinki, Wellington), never change one that exists: a city already known under that slug in
that country is reused as it is.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from itertools import count

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from wagtail.coreutils import cautious_slugify
from wagtail.models import Locale

from knowledge.models import City

NAME_MAX_LENGTH = 120
NEW_CITY_ROWS_MAX = 10
# Besides letters (and the marks some scripts write them with): what city names are made of,
# "Saint-Étienne", "Xi'an", "St. Gallen", "N’Djamena".
NAME_PUNCTUATION = frozenset(" -'.’")


def country_choices() -> list[tuple[str, str]]:
    # Called at render time: country names in the reader's language.
    return [("", _("Choose a country")), *countries]


def _is_name_character(character: str) -> bool:
    return character in NAME_PUNCTUATION or unicodedata.category(character)[0] in "LM"


def clean_city_name(name: str) -> str:
    """A city's name as typed, checked: letters and the punctuation city names use."""
    if not name:
        return ""
    if not all(_is_name_character(character) for character in name) or not any(
        unicodedata.category(character)[0] == "L" for character in name
    ):
        raise forms.ValidationError(
            _(
                "Use letters, spaces, hyphens, apostrophes and dots only, "
                "as in “Saint-Étienne” or “St. Gallen”."
            ),
            code="invalid_city_name",
        )
    return " ".join(name.split())


class NewCityForm(forms.Form):
    """One "new city" row; left empty, it adds nothing."""

    name = forms.CharField(label=_("New city: name"), required=False, max_length=NAME_MAX_LENGTH)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=country_choices)

    def clean_name(self) -> str:
        return clean_city_name(self.cleaned_data["name"])  # already trimmed

    def clean(self):
        cleaned = super().clean()
        name, country = cleaned.get("name"), cleaned.get("country")
        if name and not country and "country" not in self.errors:
            self.add_error("country", _("Choose the city's country."))
        if country and not name and "name" not in self.errors:
            self.add_error("name", _("Write the city's name, or clear the country."))
        return cleaned


class NewCityFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": _("Add at most %(num)d new cities at a time."),
    }

    def new_cities(self) -> list[tuple[str, str]]:
        """(name, country code) of each filled row, once each."""
        rows = [(row["name"], row["country"]) for row in self.cleaned_data if row.get("name")]
        return list(dict.fromkeys(rows))


NewCityRows = forms.formset_factory(
    NewCityForm,
    formset=NewCityFormSet,
    extra=1,
    max_num=NEW_CITY_ROWS_MAX,
    absolute_max=NEW_CITY_ROWS_MAX,
    validate_max=True,
)


def _candidate_slugs(name: str, country: str) -> Iterator[str]:
    # cautious_slugify keeps every script as ASCII (서울 → uc11cuc6b8): public URLs take
    # ASCII slugs, and Django's slugify would leave nothing of a Korean or Arabic name.
    base = cautious_slugify(name)[: NAME_MAX_LENGTH - 10].strip("-") or "city"
    yield base
    yield f"{base}-{country.lower()}"
    for number in count(2):
        yield f"{base}-{country.lower()}-{number}"


def find_or_add_city(name: str, country: str) -> City:
    """The default-locale city of that name in that country, created if there is none.

    The same name in another country gets its own slug (`name-cc`). An existing city is
    returned unchanged. Call inside the summary's transaction, so a failed save adds nothing.
    """
    locale = Locale.get_default()
    for slug in _candidate_slugs(name, country):
        city = City.objects.filter(slug=slug, locale=locale).first()
        if city is None:
            return City.objects.create(name=name, slug=slug, country=country, locale=locale)
        if city.country.code == country:
            return city
    raise AssertionError("unreachable: the candidate slugs never end")
