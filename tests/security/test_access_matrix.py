"""The role × surface matrix: every URL pattern, asked by every role, for objects each role
may and may not reach.

For each role, every probe of every route (tests/security/access_surfaces.py) is requested
with GET, and then, where the matrix says the role may not change anything through it, with
POST. The test holds that:

- no answer is a server error;
- no answer shows a secret the role may not read (titles of drafts and draft revisions,
  other sessions' work, private pages and files, other people's names);
- no listing for crawlers (sitemap, robots.txt) names a page or city the public may not read;
- each answer is the outcome the matrix (tests/security/access_matrix.py) gives;
- a refused POST leaves every record as it was.

It reports every mismatch of a role at once, so one run shows the whole picture.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client

from tests.security.access_matrix import MATRIX
from tests.security.access_surfaces import probes, url_patterns
from tests.security.access_world import ROLES, build_world

# Access rules do not depend on the database; the generated hostile input runs on both.
pytestmark = [pytest.mark.django_db, pytest.mark.database_independent]

# What a refused POST must leave untouched: every row of these models.
WATCHED_MODELS = (
    "wagtailcore.Page",
    "wagtailcore.Revision",
    "wagtailcore.PageViewRestriction",
    "wagtailcore.CollectionViewRestriction",
    "wagtailcore.Collection",
    "wagtailcore.GroupPagePermission",
    "wagtailcore.GroupCollectionPermission",
    "wagtailcore.Locale",
    "wagtailcore.Site",
    "wagtailcore.Workflow",
    "wagtailcore.WorkflowState",
    "wagtailcore.TaskState",
    "wagtailcore.Task",
    "wagtailcore.Comment",
    "wagtaildocs.Document",
    "wagtailimages.Image",
    "wagtailredirects.Redirect",
    "wagtailsearchpromotions.SearchPromotion",
    "auth.User",
    "auth.Group",
    "knowledge.TopicArea",
    "knowledge.City",
    "translation.GlossaryTerm",
    "knowledge.PracticeAttachment",
    "knowledge.SessionSummaryAttachment",
    "translation.MachineTranslationJob",
    "search.SynonymGroup",
    "wagtail_localize.Translation",
    "wagtail_localize.StringTranslation",
    "network.RepresentativeRequest",
    "network.AlertSubscription",
    "editorial.CityAccess",
    "auth.User_groups",
)
# Columns that change on every request and say nothing about access.
VOLATILE = {"last_login", "last_seen_at"}


def world_digest() -> str:
    digest = hashlib.sha256()
    for label in WATCHED_MODELS:
        model = apps.get_model(label)
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE]
        for row in model.objects.order_by("pk").values_list(*fields):
            digest.update(repr((label, row)).encode())
    return digest.hexdigest()


def outcome(response) -> str:
    status = response.status_code
    if status >= 500:
        return "error"
    if status == 405:
        return "post"
    if status == 400:
        return "bad request"
    if status in (401, 403, 404):
        return "deny"
    if status in (301, 302, 303, 307, 308):
        location = urlparse(response["Location"]).path
        if "/login/" in location:
            return "login"
        return "dashboard" if location == "/admin/" else "ok"
    return "ok" if status < 300 else f"status {status}"


def matches(expected: str, got: str, post_only: bool) -> bool:
    if post_only and got == "post":
        return True  # Django refuses the method before any permission check: the POST decides
    if expected == "deny":
        return got in ("deny", "dashboard")
    if expected == "post":
        # A POST-only view answers a GET with 405, unless the boundary refuses it first.
        return got == "post"
    return expected == got


def body_text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", errors="replace")
    return response.content.decode("utf-8", errors="replace")


def test_every_url_pattern_has_an_entry_in_the_matrix():
    routes = {pattern.route for pattern in url_patterns()}
    missing = sorted(routes - MATRIX.keys())
    stale = sorted(MATRIX.keys() - routes)
    assert not missing, "URL patterns with no entry in tests/security/access_matrix.py:\n" + (
        "\n".join(missing)
    )
    assert not stale, "matrix entries for routes that no longer exist:\n" + "\n".join(stale)


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(role, summit, tasks_in_process):
    world = build_world()
    secrets = world.secrets_hidden_from(role)
    unlisted = world.unlisted_addresses()
    client = Client(raise_request_exception=False)
    problems: list[str] = []

    def sign_in():
        if role != "anonymous":
            client.force_login(world.users[role])

    for pattern in url_patterns():
        access = MATRIX[pattern.route]
        for probe in probes(pattern, world):
            sign_in()
            where = f"GET {probe.path} [{probe.target or '-'}]"
            response = client.get(probe.path, dict(probe.query))
            got = outcome(response)
            expected = access.expected(role, probe.target)
            if got == "error":
                problems.append(f"{where}: server error {response.status_code}")
            elif not matches(expected, got, access.post_only):
                problems.append(f"{where}: expected {expected}, got {got}")
            leaked = [secret for secret in secrets if secret in body_text(response)]
            if leaked:
                problems.append(f"{where}: shows {leaked}")
            if access.lists_addresses:
                named = [key for key, path in unlisted.items() if path in body_text(response)]
                if named:
                    problems.append(f"{where}: lists {named}")

            if access.public or access.may_change(role, probe.target):
                continue
            # What the role may not change: a POST is refused and changes nothing.
            sign_in()
            before = world_digest()
            with transaction.atomic():
                response = client.post(f"{probe.path}", dict(probe.query))
                changed = world_digest() != before
                transaction.set_rollback(True)
            got = outcome(response)
            where = f"POST {probe.path} [{probe.target or '-'}]"
            if got not in ("deny", "dashboard", "login", "post", "bad request"):
                problems.append(f"{where}: expected a refusal, got {got}")
            if changed:
                problems.append(f"{where}: changed the database")
            leaked = [secret for secret in secrets if secret in body_text(response)]
            if leaked:
                problems.append(f"{where}: shows {leaked}")

    assert not problems, f"{role}: {len(problems)} problems\n" + "\n".join(problems)
