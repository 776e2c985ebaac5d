from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from wagtail.models import Locale

from editorial.roles import assign_rapporteur, unassign_rapporteur
from knowledge.models import SessionPage


class Command(BaseCommand):
    help = _("Let a user write the summary of one summit session (or, with --remove, stop).")

    def add_arguments(self, parser):
        parser.add_argument("username", help=_("The rapporteur's username."))
        parser.add_argument("session_slug", help=_("The session's slug, e.g. education."))
        parser.add_argument(
            "--locale",
            help=_("Language of the session page (default: the site's default language)."),
        )
        parser.add_argument(
            "--remove", action="store_true", help=_("Take the session away from the user.")
        )

    def handle(self, *args, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: options["username"]})
        except User.DoesNotExist as error:
            raise CommandError(
                _("No user called “%(username)s”.") % {"username": options["username"]}
            ) from error

        try:
            locale = (
                Locale.objects.get(language_code=options["locale"])
                if options["locale"]
                else Locale.get_default()
            )
        except Locale.DoesNotExist as error:
            raise CommandError(
                _("No content language “%(code)s”.") % {"code": options["locale"]}
            ) from error

        sessions = list(SessionPage.objects.filter(slug=options["session_slug"], locale=locale))
        if not sessions:
            raise CommandError(
                _("No summit session with the slug “%(slug)s” in %(locale)s.")
                % {"slug": options["session_slug"], "locale": locale.get_display_name()}
            )
        if len(sessions) > 1:
            raise CommandError(
                _("More than one session has the slug “%(slug)s”.")
                % {"slug": options["session_slug"]}
            )
        session = sessions[0]

        if options["remove"]:
            removed = unassign_rapporteur(user, session)
            message = (
                _("%(user)s no longer reports on “%(session)s”.")
                if removed
                else _("%(user)s was not reporting on “%(session)s”.")
            )
        else:
            assign_rapporteur(user, session)
            message = _("%(user)s reports on “%(session)s”.")
        self.stdout.write(
            self.style.SUCCESS(message % {"user": user.get_username(), "session": session.title})
        )
