from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app stands on: jobs, throttling, security headers, forms that check ids."""

    name = "core"
    verbose_name = _("Core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here: these modules import Wagtail's models, ready only now.
        from django.core import checks
        from django.db.models.signals import pre_save

        from core.forms import check_admin_forms_check_chosen_objects
        from core.rich_text_safety import clean_rich_text_before_save

        checks.register(check_admin_forms_check_chosen_objects)
        # Every model: home's and Wagtail's own pages carry rich text too.
        pre_save.connect(clean_rich_text_before_save, dispatch_uid="core_clean_rich_text")
