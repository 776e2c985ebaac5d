from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from sitedata.summit_programme import PROGRAMME_FILE, load_summit_2020


class Command(BaseCommand):
    help = _(
        "Load the CAC Global Summit 2020: the site structure, the ten topic areas and the "
        "fifteen sessions. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help=_("Reset existing summit and session pages to the data file."),
        )
        parser.add_argument("--file", default=str(PROGRAMME_FILE), help=_("Programme data file."))

    def handle(self, *args, **options):
        from pathlib import Path

        report = load_summit_2020(
            update=options["update"],
            path=Path(options["file"]),
            progress=(lambda message: self.stdout.write(f"  {message}"))
            if options["verbosity"] > 1
            else None,
        )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Summit loaded: %(created)d created, %(updated)d updated, "
                    "%(unchanged)d unchanged."
                )
                % {
                    "created": len(report.created),
                    "updated": len(report.updated),
                    "unchanged": len(report.unchanged),
                }
            )
        )
