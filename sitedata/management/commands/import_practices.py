import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from sitedata.practice_import import InvalidPracticeFile, import_practice_file


class Command(BaseCommand):
    help = _(
        "Import practices from a JSON Lines file, one practice per line. The whole file is "
        "checked first; if any line is bad, nothing is imported. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The JSON Lines file to import."))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Check the file and report; write nothing.")
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            help=_("Show a progress bar even when the output is not a terminal."),
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        show_progress = options["progress"] or self.stdout.isatty()
        with tqdm(disable=not show_progress, unit=_("practice"), file=sys.stderr) as bar:
            try:
                report = import_practice_file(
                    path,
                    dry_run=options["dry_run"],
                    on_validated=lambda total: bar.reset(total=total),
                    on_record=bar.update,
                )
            except InvalidPracticeFile as invalid:
                for error in invalid.errors:
                    self.stderr.write(str(error))
                raise CommandError(
                    _("%(count)d problem(s) in %(path)s; nothing was imported.")
                    % {"count": len(invalid.errors), "path": path}
                ) from None
        self.stdout.write(self.style.SUCCESS(report.describe()))
