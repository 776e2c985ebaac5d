from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sitedata.demo_accounts import DemoAccountsError, admin_url, create_demo_accounts


class Command(BaseCommand):
    help = _(
        "Create or reset the demo accounts (admin, editor, moderator, rapporteur) with fixed "
        "passwords and print them. Development only: refuses to run unless DEBUG is on."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Run even though DEBUG is off. Never on a production site."),
        )

    def handle(self, *args, **options):
        try:
            accounts = create_demo_accounts(allow_without_debug=options["force"])
        except DemoAccountsError as error:
            raise CommandError(str(error)) from error

        self.stdout.write(
            self.style.SUCCESS(_("Demo accounts ready. Sign in at %(url)s") % {"url": admin_url()})
        )
        width = max(len(account.username) for account in accounts)
        for account in accounts:
            self.stdout.write(
                f"  {account.username:<{width}}  {account.password:<20}  {account.role}"
            )
        self.stdout.write(
            self.style.WARNING(
                _("These passwords are public: never use these accounts in production.")
            )
        )
