"""Absolute addresses, for the two places that need them.

A response to a request names the host the visitor used (`request.build_absolute_uri`: the
Host header checked against ALLOWED_HOSTS, and https behind our proxy through
SECURE_PROXY_SSL_HEADER), so the API and downloads are right on every address the site is
served at. What has no request (e-mails sent by a task) names WAGTAILADMIN_BASE_URL, the
public address production requires; never a host written in code.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def absolute_url_for_request(request: HttpRequest, location: str) -> str:
    """`location` (a path, or already absolute) as an absolute URL on the request's host."""
    return request.build_absolute_uri(location)


def absolute_url_without_request(location: str) -> str:
    """`location` under WAGTAILADMIN_BASE_URL, for what has no request: e-mails, commands."""
    if location.startswith(("http://", "https://")):
        return location
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/" + location.lstrip("/")
