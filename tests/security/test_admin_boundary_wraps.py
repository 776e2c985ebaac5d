"""The admin boundary wraps four Wagtail functions at start-up (editorial/boundary.py, through
core/wagtail_internals.py; tests/core/test_wagtail_internals.py pins the Wagtail version)."""

from __future__ import annotations

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.widgets.chooser import BaseChooser
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy


def test_every_wrap_is_in_place_once():
    assert PagePermissionPolicy.explorable_instances.confines_rapporteurs
    assert Page.get_admin_display_title.hides_drafts
    assert WagtailFilterSet.form.fget.narrows_users
    assert BaseChooser.get_value_data.hides_unchoosable
    # Applying them again (a second ready()) does not wrap twice.
    from editorial import boundary as admin_boundary

    before = Page.get_admin_display_title
    admin_boundary.show_drafts_only_to_their_editors()
    assert Page.get_admin_display_title is before
