"""Machine translation in the admin: a page action, its jobs, and the checked PO upload."""

from django.urls import path
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
