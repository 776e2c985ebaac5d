import sys

from django.core.management.base import BaseCommand, CommandError

from search.engines.base import EngineUnavailable
from search.indexing import rebuild_index


class Command(BaseCommand):
    help = "Rebuild the search index from every public page, aside, then swap it in."

    def handle(self, *args, **options):
        show_progress = self.stdout.isatty() and options["verbosity"] > 0

        def progress(documents):
            for number, document in enumerate(documents, start=1):
                if show_progress and number % 100 == 0:
                    self.stdout.write(f"\r{number} documents…", ending="")
                    sys.stdout.flush()
                yield document

        try:
            count = rebuild_index(progress=progress)
        except EngineUnavailable as error:
            raise CommandError(f"The search engine is unavailable: {error}") from error
        if show_progress:
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the search index: {count} documents."))
