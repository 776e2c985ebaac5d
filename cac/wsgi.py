import os

# One BLAS thread per web process, set before numpy loads: the workers are the parallelism
# (the query's embedding is the only BLAS work of a search); BLAS's own threads would only
# wait for cores other requests hold.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from django.core.wsgi import get_wsgi_application  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cac.settings.production")

application = get_wsgi_application()

# Before the first request, not during it: Kiwi's Korean model takes seconds to load. Under
# gunicorn --preload this runs once, in the master, and the workers share the models.
from search.serving.warm import load_shared_models  # noqa: E402

load_shared_models()
