"""Machine translation in the admin: a page action, its jobs, and the checked PO upload."""

import copy

from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem

from core.wagtail_internals import PO_UPLOAD_ROUTE
from translation.admin_views import (
    machine_translation,
    may_machine_translate,
    upload_pofile_checked,
)


@hooks.register("register_admin_urls")
def register_machine_translation_urls():
    return [
        path(
            "machine-translation/<int:page_id>/",
            machine_translation,
            name="machine_translation",
        ),
        # Ahead of wagtail-localize's own view at the same address (our app loads first).
        path(PO_UPLOAD_ROUTE, upload_pofile_checked, name="translation_upload_pofile"),
    ]


class MachineTranslationButton(PageMenuItem):
    label = _("Machine translate")
    icon_name = "globe"
    url_name = "machine_translation"
    priority = 66

    def is_shown(self, user):
        return may_machine_translate(user, self.page)


@hooks.register("register_page_header_buttons")
def machine_translation_page_button(page, user, view_name, next_url=None):
    yield MachineTranslationButton(page=page)


@hooks.register("construct_reports_menu")
def translations_report_in_the_readers_language(request, menu_items):
    # wagtail-localize labels its report with gettext when the reports menu is first built,
    # so every later request showed the first visitor's language ("Translations" for a
    # Korean editor). The label is given again per request, on a copy of the shared item.
    report_url = reverse("wagtail_localize:translations_report")
    for position, item in enumerate(menu_items):
        if getattr(item, "url", None) == report_url:
            item = copy.copy(item)
            item.label = gettext("Translations")
            menu_items[position] = item
