from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sitedata.demo_practices import load_demo_practices
from sitedata.practice_import import InvalidPracticeFile


class Command(BaseCommand):
    help = _(
        "Load the demo practices (Seoul's COVID-19 countermeasures of 2020, some in Korean) "
        "through the practice import. Safe to run again: practices already there are kept."
    )

    def handle(self, *args, **options):
        try:
            report = load_demo_practices()
        except InvalidPracticeFile as invalid:
            for error in invalid.errors:
                self.stderr.write(str(error))
            raise CommandError(_("The demo practice file is invalid.")) from None
        self.stdout.write(self.style.SUCCESS(report.describe()))
