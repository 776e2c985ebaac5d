from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = _("Knowledge")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save
        from wagtail.documents import get_document_model

        from .document_text import request_text_extraction_on_save
        from .editorial_admin import confine_rapporteur_page_listings
        from .moderation_notifications import send_moderation_emails_from_celery

        confine_rapporteur_page_listings()
        send_moderation_emails_from_celery()
        post_save.connect(
            request_text_extraction_on_save,
            sender=get_document_model(),
            dispatch_uid="knowledge_request_text_extraction",
        )
