from django.conf import settings
from django.middleware.locale import LocaleMiddleware


class SiteLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, minus its 404 redirect for paths that have no language.

    The API, admin and downloads live outside the language prefix; a 404 there must stay
    a 404 rather than bounce to /en/..., which Wagtail's catch-all route would accept.
    """

    def process_response(self, request, response):
        if request.path_info.startswith(settings.UNPREFIXED_PATHS):
            return response
        return super().process_response(request, response)
