from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from editorial.roles import ensure_editorial_roles


class Command(BaseCommand):
    help = _(
        "Create or reset the editorial groups (Seoul editors, Moderators, Rapporteurs), their "
        "permissions and the Moderation workflow. Safe to run again."
    )

    def handle(self, *args, **options):
        roles = ensure_editorial_roles()
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Editorial roles ready: %(groups)s; workflow “%(workflow)s” on "
                    "%(count)d home pages."
                )
                % {
                    "groups": ", ".join(
                        group.name for group in (roles.editors, roles.moderators, roles.rapporteurs)
                    ),
                    "workflow": roles.workflow.name,
                    "count": len(roles.home_pages),
                }
            )
        )
