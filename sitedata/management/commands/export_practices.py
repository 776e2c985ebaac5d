from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from sitedata.open_data import EXPORT_FORMATS, export_chunks, iter_public_practice_records


class Command(BaseCommand):
    help = _(
        "Export every published, public practice in every language. --format json writes "
        "JSON Lines (one practice per line), the format import_practices reads."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=sorted(EXPORT_FORMATS), default="json")
        parser.add_argument(
            "--output", help=_("File to write; the standard output when not given.")
        )

    def handle(self, *args, **options):
        chunks = export_chunks(options["format"], iter_public_practice_records())
        if options["output"]:
            # newline="" keeps the CSV's own line endings.
            with Path(options["output"]).open("w", encoding="utf-8", newline="") as output:
                output.writelines(chunks)
        else:
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            self.stdout.flush()
