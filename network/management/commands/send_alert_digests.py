"""Send the e-mail alert digests now: what Celery beat runs daily and weekly, for sites
without a beat (the embedded default, run from cron)."""

from django.core.management.base import BaseCommand

from network.alerts import send_digests
from network.models import DigestFrequency


class Command(BaseCommand):
    help = "Send the daily or weekly e-mail alert digests."

    def add_arguments(self, parser):
        parser.add_argument("frequency", choices=DigestFrequency.values)

    def handle(self, *args, frequency, **options):
        def progress(number: int, total: int) -> None:
            if number == total or number % 100 == 0:
                self.stdout.write(f"{number}/{total} subscriptions")

        sent, failed = send_digests(frequency, progress=progress)
        self.stdout.write(self.style.SUCCESS(f"{sent} digests sent, {failed} failed"))
