from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    """The city network: reaching the people behind practices, and cities sharing their own."""

    name = "network"
    verbose_name = _("City network")
    default_auto_field = "django.db.models.BigAutoField"
