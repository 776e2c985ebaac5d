from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    """The content model: topic areas, cities, practices and the summit."""

    name = "knowledge"
    verbose_name = _("Knowledge")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: receivers use models, which exist only once apps are ready.
        from knowledge import receivers

        receivers.connect()
