from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = _("Knowledge")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core import checks
        from django.db.models.signals import post_save
        from wagtail.documents import get_document_model

        from .admin_boundary import (
            confine_rapporteur_page_listings,
            offer_rapporteurs_only_themselves_in_user_filters,
            show_choosers_only_what_the_viewer_may_choose,
            show_drafts_only_to_their_editors,
        )
        from .document_text import request_text_extraction_on_save
        from .forms import check_admin_forms_check_chosen_objects
        from .moderation_notifications import send_moderation_emails_from_celery

        checks.register(check_admin_forms_check_chosen_objects)
        confine_rapporteur_page_listings()
        show_drafts_only_to_their_editors()
        offer_rapporteurs_only_themselves_in_user_filters()
        show_choosers_only_what_the_viewer_may_choose()
        send_moderation_emails_from_celery()
        post_save.connect(
            request_text_extraction_on_save,
            sender=get_document_model(),
            dispatch_uid="knowledge_request_text_extraction",
        )
        self._connect_translation_sync()
        self._connect_rich_text_cleaning()

    def _connect_rich_text_cleaning(self):
        from django.db.models.signals import pre_save

        from .rich_text_safety import clean_rich_text_before_save

        # Every model: home's and Wagtail's own pages carry rich text too.
        pre_save.connect(clean_rich_text_before_save, dispatch_uid="knowledge_clean_rich_text")

    def _connect_translation_sync(self):
        from django.db.models.signals import post_save
        from wagtail.signals import page_published

        from .translation.sync import SYNCED_SNIPPETS, sync_on_page_published, sync_on_snippet_saved

        page_published.connect(sync_on_page_published, dispatch_uid="knowledge_sync_translations")
        for model in SYNCED_SNIPPETS:
            post_save.connect(
                sync_on_snippet_saved,
                sender=model,
                dispatch_uid=f"knowledge_sync_translations_{model._meta.model_name}",
            )
