from django.core.management.base import BaseCommand

from search.indexing import index_status


class Command(BaseCommand):
    help = "Documents indexed, the indexing backlog, and the search engine's health."

    def handle(self, *args, **options):
        status = index_status()
        health = status.health
        state = "ok" if health.ok else f"UNAVAILABLE ({health.detail})"
        age = (
            f"{status.oldest_pending_age.total_seconds():.0f} s"
            if status.oldest_pending_age is not None
            else "-"
        )
        documents = "?" if status.documents is None else status.documents
        self.stdout.write(f"Engine: {health.engine}, {state}")
        self.stdout.write(f"Documents indexed: {documents}")
        self.stdout.write(f"Outbox backlog: {status.backlog} ({status.failing} failing)")
        self.stdout.write(f"Oldest pending change: {age}")
