"""The admin offers each topic area and city once, in the default locale."""

import pytest
from wagtail.models import Locale

from home.site_structure import practice_index_for

pytestmark = pytest.mark.django_db


def test_practice_form_offers_the_ten_areas_once_in_every_locale(client, admin_user, summit):
    client.force_login(admin_user)
    for language_code in ("en", "ko"):
        index = practice_index_for(Locale.objects.get(language_code=language_code))

        response = client.get(f"/admin/pages/add/knowledge/practicepage/{index.pk}/")

        assert response.status_code == 200
        topic_choices = response.context["form"].fields["topics"].queryset
        assert topic_choices.count() == 10
        assert set(topic_choices.values_list("locale__language_code", flat=True)) == {"en"}
