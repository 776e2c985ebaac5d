"""Generated hostile input for every public endpoint and every admin form: odd and huge
parameters, NUL bytes, wrong types, missing management fields and the ids of objects the
user may not choose. Nothing answers with a server error, and nothing a user may not choose
ends up on their pages.

Runs on SQLite and on PostgreSQL (CI runs the suite on both): the two databases fail on
different things (PostgreSQL refuses NUL bytes and out-of-range integers).
"""

from __future__ import annotations

import traceback

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.models import Page

from core.references import base_model, references_on_object
from tests.security.access_matrix import MATRIX
from tests.security.access_surfaces import probes, url_patterns
from tests.security.access_world import build_world
from tests.security.hostile import hostile_posts, main_post_form, query_strings

pytestmark = pytest.mark.django_db

# Parameter names the public endpoints read, so that generated queries reach real code.
KNOWN_PARAMETERS = (
    "q",
    "lang",
    "topic",
    "kind",
    "country",
    "city",
    "year",
    "page",
    "page_size",
    "sort",
    "limit",
    "offset",
    "order",
    "fields",
    "type",
    "search",
    "search_operator",
    "child_of",
    "descendant_of",
    "ancestor_of",
    "site",
    "locale",
    "translation_of",
    "html_path",
    "id",
    "next",
    "language",
)

EXAMPLES_PER_FORM = 3
PUBLIC_EXAMPLES = 400


def hypothesis_settings(examples: int):
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )


@pytest.fixture
def world(summit, tasks_in_process, settings):
    # The API's per-address rate limit would answer 429 long before the examples run out.
    settings.SEARCH_API_RATE_LIMIT = ""
    settings.SEARCH_DOWNLOAD_RATE_LIMIT = ""
    return build_world()


def forbidden_ids(world) -> list[int]:
    """Objects a rapporteur may not choose: other sessions' work, drafts, private files."""
    pages = [world.pages[key].pk for key in ("never_live", "other_summary", "private")]
    documents = [world.documents[key].pk for key in ("other", "draft_only", "private")]
    return pages + documents + [image.pk for image in world.images.values()]


def _public_paths(world) -> list[str]:
    paths = []
    for pattern in url_patterns():
        if MATRIX[pattern.route].public and not pattern.route.startswith("admin/"):
            paths += [probe.path for probe in probes(pattern, world)]
    return sorted(set(paths))


def test_public_endpoints_answer_generated_query_strings_without_a_server_error(world):
    client = Client(raise_request_exception=False)
    paths = _public_paths(world)
    ids = forbidden_ids(world)

    @hypothesis_settings(PUBLIC_EXAMPLES)
    @given(path=st.sampled_from(paths), query=query_strings(KNOWN_PARAMETERS, ids))
    def request_is_answered(path, query):
        response = client.get(path, _as_query_dict(query))
        # Hypothesis shrinks a failure to the smallest query that still fails.
        assert response.status_code < 500, f"GET {path} {query!r}: {_error(response)}"

    request_is_answered()


def _error(response) -> str:
    """The status, and the exception behind a server error with where it was raised."""
    exc_info = getattr(response, "exc_info", None)
    if not exc_info:
        return str(response.status_code)
    frame = traceback.extract_tb(exc_info[2])[-1]
    return f"{response.status_code} {exc_info[1]!r:.200} at {frame.filename}:{frame.lineno}"


def _as_query_dict(pairs) -> dict[str, list[str]]:
    query: dict[str, list[str]] = {}
    for name, value in pairs:
        query.setdefault(name, []).append(value)
    return query


def _forms_of(role, world, client, *, beyond: str | None = None) -> list[tuple[str, object]]:
    """(path, form) for every admin view this role may change something through; with
    `beyond`, only those that role may not (a moderator's forms beyond an editor's)."""
    found = []
    for pattern in url_patterns():
        access = MATRIX[pattern.route]
        if access.public or not pattern.route.startswith("admin/"):
            continue
        for probe in probes(pattern, world):
            if not access.may_change(role, probe.target) or access.post_only:
                continue
            if beyond is not None and access.may_change(beyond, probe.target):
                continue
            response = client.get(probe.path, dict(probe.query))
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            form = main_post_form(response.content.decode())
            if form is not None and form.fields:
                found.append((probe.path, form))
    return found


def _references_refused_to(world, role) -> set[tuple[type, str]]:
    if role != "rapporteur":
        return set()
    pages = {(Page, str(world.pages[key].pk)) for key in ("never_live", "other_summary")}
    documents = {
        (base_model(type(world.documents[key])), str(world.documents[key].pk))
        for key in ("other", "draft_only", "private")
    }
    images = {(base_model(type(image)), str(image.pk)) for image in world.images.values()}
    return pages | documents | images


def _own_pages_refer_to(user, refused) -> set:
    """What the user's own pages (their rows and newest revisions) refer to of `refused`."""
    found = set()
    for page in Page.objects.filter(owner=user).specific():
        for version in (page, page.get_latest_revision_as_object()):
            found |= references_on_object(version) & refused
    return found


def _post_hostile_data(client, user, path, form, ids, refused) -> list[str]:
    """Generated posts to one form; what went wrong, if anything."""
    failures: list[str] = []

    @hypothesis_settings(EXAMPLES_PER_FORM)
    @given(data=hostile_posts(form, ids), upload=st.booleans())
    def post_is_answered(data, upload):
        client.force_login(user)
        payload = dict(data)
        if upload:
            for name in form.files:
                payload[name] = SimpleUploadedFile("odd.pdf", b"%PDF-1.4\n\x00\xff")
        with transaction.atomic():
            response = client.post(path, payload)
            chosen = _own_pages_refer_to(user, refused) if refused else set()
            transaction.set_rollback(True)
        if response.status_code >= 500:
            failures.append(f"POST {path}: {_error(response)} with {data!r:.300}")
        if chosen:
            failures.append(f"POST {path}: own pages now refer to {chosen}")

    post_is_answered()
    return failures


@pytest.mark.parametrize("role", ["rapporteur", "editor", "moderator"])
def test_admin_forms_answer_generated_posts_without_a_server_error(world, role):
    client = Client(raise_request_exception=False)
    user = world.users[role]
    client.force_login(user)
    # A moderator's forms are an editor's and those of moderation and publishing.
    forms = _forms_of(role, world, client, beyond="editor" if role == "moderator" else None)
    assert len(forms) >= 3, f"too few forms found for {role}: {[path for path, _ in forms]}"
    ids = forbidden_ids(world) + [2**63, -1]
    refused = _references_refused_to(world, role)
    failures: list[str] = []

    for path, form in forms:
        failures += _post_hostile_data(client, user, path, form, ids, refused)

    assert not failures, f"{role}: {len(failures)} failures\n" + "\n".join(failures[:40])


def _post_anonymously(client, action, form, ids) -> list[str]:
    failures: list[str] = []

    @hypothesis_settings(EXAMPLES_PER_FORM * 2)
    @given(data=hostile_posts(form, ids))
    def post_is_answered(data):
        response = client.post(action, dict(data))
        if response.status_code >= 500:
            failures.append(f"POST {action}: {_error(response)} with {data!r:.300}")

    post_is_answered()
    return failures


def test_anonymous_forms_answer_generated_posts_without_a_server_error(world):
    """Sign-in, password reset and the privacy-password forms."""
    client = Client(raise_request_exception=False)
    pages = [
        "/admin/login/",
        "/admin/password_reset/",
        world.pages["private"].get_url(),
        world.documents["private"].url,
    ]
    ids = forbidden_ids(world)
    failures = []
    for path in pages:
        response = client.get(path, follow=True)
        form = main_post_form(response.content.decode())
        if form is None:
            continue
        action = form.action or response.request["PATH_INFO"]

        failures += _post_anonymously(client, action, form, ids)
    assert not failures, "\n".join(failures)
