"""Security headers on every response: a Content-Security-Policy and a Permissions-Policy.

Django's SecurityMiddleware already sends X-Content-Type-Options, Referrer-Policy and
Cross-Origin-Opener-Policy (SECURE_* settings). The policies are explained in docs/security.md.
"""

from __future__ import annotations

from django.conf import settings


def _policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


# The public site loads only its own scripts, styles and images: no inline script runs.
PUBLIC_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # Wagtail's responsive embeds size their frame with a style attribute; an attribute
    # cannot run script, so attributes are allowed while <style> elements are not.
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    # Embedded media (EmbedBlock) comes from the video hosts editors embed.
    "frame-src": "https://www.youtube.com https://www.youtube-nocookie.com https://player.vimeo.com",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    # Nothing frames the public site (X-Frame-Options: DENY says the same to old browsers).
    "frame-ancestors": "'none'",
}
# Wagtail's admin still relies on inline scripts and styles, and previews pages in a frame
# of itself; it is for signed-in staff only, so it gets a looser policy (docs/security.md).
ADMIN_DIRECTIVES = {
    **PUBLIC_DIRECTIVES,
    "script-src": "'self' 'unsafe-inline'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "frame-src": "'self' " + PUBLIC_DIRECTIVES["frame-src"],
    "frame-ancestors": "'self'",
}
PUBLIC_POLICY = _policy(PUBLIC_DIRECTIVES)
ADMIN_POLICY = _policy(ADMIN_DIRECTIVES)
# Features the site never uses; an injected frame or script cannot ask for them either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
ADMIN_PREFIX = "/admin/"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        is_admin = request.path_info.startswith(ADMIN_PREFIX)
        # Django's debug error pages (development only) are styled inline.
        debug_error_page = settings.DEBUG and response.status_code >= 400
        # A view that set its own, stricter policy keeps it (Wagtail's document serve view
        # sends "default-src 'none'").
        if not debug_error_page:
            response.headers.setdefault(
                "Content-Security-Policy", ADMIN_POLICY if is_admin else PUBLIC_POLICY
            )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
