from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TranslationConfig(AppConfig):
    """Translation jobs: machine translation, wagtail-localize's jobs, translations that follow."""

    name = "translation"
    verbose_name = _("Translation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here: receivers use models, which exist only once apps are ready.
        from translation import receivers

        receivers.connect()
