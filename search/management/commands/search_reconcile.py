from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from search.indexing import reconcile_index
from search.management.progress import document_bar, engine_errors_as_command_errors


class Command(BaseCommand):
    help = _(
        "Compare every public page and topic area with the search index by fingerprint, and "
        "repair the drift: index what is missing, reindex what changed, remove what is extra."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--progress",
            action="store_true",
            help=_("Show a progress bar even when the output is not a terminal."),
        )

    def handle(self, *args, **options):
        show_progress = options["progress"] or (self.stdout.isatty() and options["verbosity"] > 0)
        # The bar goes to stderr, so the report on stdout stays one line a script can read.
        with document_bar(show_progress) as bar, engine_errors_as_command_errors():
            report = reconcile_index(progress=bar.wrap)
        self.stdout.write(
            _("Indexed %(missing)d missing, reindexed %(stale)d stale, removed %(extra)d extra.")
            % {
                "missing": len(report.indexed_missing),
                "stale": len(report.reindexed_stale),
                "extra": len(report.deleted_extra),
            }
        )
        if options["verbosity"] > 1:
            for label, ids in (
                (_("Missing"), report.indexed_missing),
                (_("Stale"), report.reindexed_stale),
                (_("Extra"), report.deleted_extra),
            ):
                for document_id in ids:
                    self.stdout.write(f"{label}: {document_id}")
