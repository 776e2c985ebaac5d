"""The admin boundary wraps four Wagtail functions at start-up (editorial/boundary.py).
They were checked against Wagtail 7.4: an upgrade must re-read them, and this test says so."""

from __future__ import annotations

import wagtail
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.widgets.chooser import BaseChooser
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy


def test_the_boundary_was_checked_against_this_wagtail_version():
    assert wagtail.VERSION[:2] == (7, 4), (
        "Wagtail changed: re-read PagePermissionPolicy.explorable_instances, "
        "Page.get_admin_display_title, WagtailFilterSet.form, BaseChooser.get_instance and "
        "get_value_data, and the views named in editorial/boundary.py, then update this pin"
    )


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
