from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Uploaded files: their inspection, their text and its extraction."""

    name = "documents"
    verbose_name = _("Documents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here: receivers use models, which exist only once apps are ready.
        from documents import receivers

        receivers.connect()
