from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteDataConfig(AppConfig):
    """The site's data in and out: structure, summit programme, practice import and export."""

    name = "sitedata"
    verbose_name = _("Site data")
    default_auto_field = "django.db.models.BigAutoField"
