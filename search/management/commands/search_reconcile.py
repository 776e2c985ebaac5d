from django.core.management.base import BaseCommand, CommandError

from search.engines.base import EngineUnavailable
from search.indexing import reconcile_index


class Command(BaseCommand):
    help = "Compare the public pages with the search index and repair any drift."

    def handle(self, *args, **options):
        try:
            report = reconcile_index()
        except EngineUnavailable as error:
            raise CommandError(f"The search engine is unavailable: {error}") from error
        self.stdout.write(
            f"Indexed {len(report.indexed_missing)} missing, reindexed "
            f"{len(report.reindexed_stale)} stale, removed {len(report.deleted_extra)} extra."
        )
