from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    """Editorial roles, rapporteurs' sessions and summaries, moderation."""

    name = "editorial"
    verbose_name = _("Editorial")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here: these modules import models, which exist only once apps are ready.
        from editorial import boundary, names, receivers

        boundary.confine_rapporteur_page_listings()
        boundary.show_drafts_only_to_their_editors()
        boundary.offer_rapporteurs_only_themselves_in_user_filters()
        boundary.show_choosers_only_what_the_viewer_may_choose()
        receivers.send_moderation_emails_from_celery()
        names.show_editorial_names_in_the_readers_language()
