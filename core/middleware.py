import functools

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.urls import reverse
from django.utils import translation


class SiteLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, minus its 404 redirect for paths that have no language.

    The API, admin and downloads live outside the language prefix; a 404 there must stay
    a 404 rather than bounce to /en/..., which Wagtail's catch-all route would accept.
    """

    def process_response(self, request, response):
        if request.path_info.startswith(settings.UNPREFIXED_PATHS):
            return response
        return super().process_response(request, response)


class AdminLanguageMiddleware:
    """The admin in its user's language for the whole request, not only inside the view.

    Wagtail activates an editor's admin language (their profile's preferred language) around
    the view alone. What is said outside it read in the browser's language: Wagtail answers
    a view's PermissionDenied ("Sorry, you do not have permission to access this area.")
    after the language is reset, and AdminBoundaryMiddleware refuses before the view runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = None
        user = getattr(request, "user", None)
        if request.path_info.startswith(_admin_root()) and user and user.is_authenticated:
            profile = getattr(user, "wagtail_userprofile", None)
            language = profile.get_preferred_language() if profile else None
        if not language:
            return self.get_response(request)
        with translation.override(language):
            return self.get_response(request)


@functools.cache
def _admin_root() -> str:
    return reverse("wagtailadmin_home")
