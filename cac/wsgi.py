import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cac.settings.production")

application = get_wsgi_application()

# Before the first request, not during it: Kiwi's Korean model takes seconds to load.
from search.analysis import warm_up  # noqa: E402

warm_up()
