"""Every URL pattern of the site, and the concrete requests that probe it.

`url_patterns()` walks the URL configuration, so a new view appears here by itself; the
matrix (access_matrix.py) must then say who may reach it, or its coverage test fails.
`probes(route, world)` turns a pattern into requests: one per object it can name, so that
a view is asked both for something the role may reach and for something it may not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.access_world import World


@dataclass(frozen=True)
class Pattern:
    route: str  # the full route, the matrix's key
    namespace: str
    name: str | None
    kwargs: tuple[str, ...]


@dataclass(frozen=True)
class Probe:
    """One request: `target` names the object in the URL (its world key), if any."""

    path: str
    target: str = ""
    query: tuple[tuple[str, str], ...] = ()


def url_patterns() -> list[Pattern]:
    found = []

    def walk(patterns, prefix: str, namespace: str):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                kwargs = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))
                found.append(Pattern(route, namespace, entry.name, kwargs))

    walk(get_resolver().url_patterns, "", "")
    return found


PAGE_KEYS = ("live", "never_live", "private", "own_summary", "other_summary")
DOCUMENT_KEYS = ("own", "other", "draft_only", "private", "public")
IMAGE_KEYS = ("public", "unused")
SNIPPET_KEYS = {
    "wagtailsnippets_knowledge_topicarea": "topic_area",
    "wagtailsnippets_knowledge_city": "city",
    "wagtailsnippets_translation_glossaryterm": "glossary_term",
    "wagtailsnippets_search_synonymgroup": "synonym_group",
    "wagtailsnippetchoosers_knowledge_topicarea": "topic_area",
    "wagtailsnippetchoosers_knowledge_city": "city",
    "wagtailsnippetchoosers_translation_glossaryterm": "glossary_term",
    "wagtailsnippetchoosers_search_synonymgroup": "synonym_group",
}
# `pk` names an object of the namespace's kind.
PK_OBJECTS = {
    "wagtailadmin_collections": "collection",
    "wagtailusers_users": "user",
    "wagtailusers_groups": "group",
    "wagtaillocales": "locale",
    "wagtailsites": "site",
}
# Regular-expression routes, probed at fixed paths built from the world.
EXPLICIT = {
    # A representative's form for a city, and for a practice: theirs, and others'.
    "admin/my-city/<int:city_id>/new/": lambda world: [
        Probe(f"/admin/my-city/{world.objects[key].pk}/new/", key)
        for key in ("own_city", "other_city")
    ],
    "admin/my-city/practices/<int:practice_id>/": lambda world: [
        Probe(f"/admin/my-city/practices/{world.pages[key].pk}/", key)
        for key in ("own_practice", "other_practice", "live", "never_live")
    ],
    "admin/^.*/$": lambda world: [Probe("/admin/no-such-view/")],
    "admin/pages/^(\\d+)/revisions/compare/(live|earliest|\\d+)\\.\\.\\.(live|latest|\\d+)/$": (
        lambda world: [
            Probe(f"/admin/pages/{world.pages[key].pk}/revisions/compare/earliest...latest/", key)
            for key in PAGE_KEYS
        ]
    ),
    "documents/^(\\d+)/(.*)$": lambda world: [
        Probe(world.documents[key].url, key) for key in DOCUMENT_KEYS
    ],
    # Image files: each image's original and one rendition.
    "media/original_images/<path:path>": lambda world: [
        Probe(world.images[key].file.url, key) for key in IMAGE_KEYS
    ],
    "media/images/<path:path>": lambda world: [
        Probe(world.images[key].get_rendition("fill-10x10").url, key) for key in IMAGE_KEYS
    ],
    "en/^((?:[\\w\\-]+/)*)$": lambda world: (
        [Probe("/en/", "home")] + [Probe(_page_path(world.pages[key]), key) for key in PAGE_KEYS]
    ),
}


def _page_path(page) -> str:
    """Where the page is (or would be) served, live or not."""
    return page.get_url()


def _fixed_values(pattern: Pattern, world: World) -> dict[str, object]:
    """Values for every kwarg but the one that varies (the object probed)."""
    objects = world.objects
    name = pattern.name or ""
    ns = pattern.namespace
    values: dict[str, object] = {
        "content_type_app_name": "knowledge",
        "content_type_model_name": "practicepage",
        "app_name": "wagtaildocs",
        "model_name": "document",
        "app_label": "knowledge",
        "action": "delete",
        "action_name": "approve",
        "task_state_id": objects["task_state"].pk,
        "workflow_state_id": objects["workflow_state"].pk,
        "task_id": objects["task_state"].task_id,
        "translation_id": objects["translation"].pk,
        "translation_source_id": objects["translation_source"].pk,
        "string_segment_id": objects["string_segment"].pk,
        "overridable_segment_id": getattr(objects["overridable_segment"], "pk", 0),
        "uploaded_file_id": objects["uploaded_file"].pk,
        "collection_id": objects["collection"].pk,
        "redirect_id": objects["redirect"].pk,
        "query_id": objects["query"].pk,
        "page_pk": world.pages["live"].pk,
        "workflow_pk": objects["workflow"].pk,
        "destination_id": world.pages["index"].pk,
        "filter_spec": "fill-10x10",
        "mode": "x",
        "restriction_id": objects["collection_restriction"].pk,
        "page_view_restriction_id": objects["page_restriction"].pk,
        "export_format": "csv",
        "uidb64": "MQ",
        "token": "set-password",
        "object_id": str(world.pages["live"].pk),
        "session_id": objects["editing_session"].pk,
        "request_id": objects["representative_request"].pk,
    }
    if ns == "wagtailadmin_api:pages":
        values["action_name"] = "copy"
    if ns == "wagtailadmin_workflows" and name == "add_task":
        values.update(app_label="wagtailcore", model_name="groupapprovaltask")
    if ns == "wagtailadmin_editing_sessions":
        values.update(app_label="wagtailcore", model_name="page")
    if name == "wagtail_bulk_action":
        values.update(app_label="wagtailcore", model_name="page")
    if ns == "wagtail_localize":
        values.update(app_label="knowledge", model_name="topicarea", pk=objects["topic_area"].pk)
    if ns == "wagtailsettings":
        values.update(app_name="knowledge", model_name="glossaryterm", pk=1)
    if name == "topic_area_detail":
        values["slug"] = objects["topic_area"].slug
    if name in ("city_detail", "city_feed"):
        values["slug"] = objects["city"].slug
    if name == "topic_feed":
        values["slug"] = objects["topic_area"].slug
    if "page_view_restriction_id" in pattern.kwargs:
        values["page_id"] = world.pages["private"].pk
    if ns == "wagtailadmin_workflows":
        values["pk"] = (objects["task"] if "task" in name else objects["workflow"]).pk
    if ns in PK_OBJECTS:
        values["pk"] = (
            world.users["other_rapporteur"].pk
            if PK_OBJECTS[ns] == "user"
            else objects[PK_OBJECTS[ns]].pk
        )
    if ns in SNIPPET_KEYS:
        values["pk"] = objects[SNIPPET_KEYS[ns]].pk
    return values


def _varying(pattern: Pattern, world: World) -> tuple[str, list[tuple[str, object]]] | None:
    """The kwarg that names a page, document, image or session, and its probe values."""
    ns, kwargs = pattern.namespace, pattern.kwargs
    pages = [(key, world.pages[key].pk) for key in PAGE_KEYS]
    documents = [(key, world.documents[key].pk) for key in DOCUMENT_KEYS]
    images = [(key, world.images[key].pk) for key in IMAGE_KEYS]
    if "workflow_state_id" in kwargs or "task_state_id" in kwargs:
        return "page_id", [("other_summary", world.pages["other_summary"].pk)]
    if "page_view_restriction_id" in kwargs:
        return None
    for name in ("page_id", "page_to_move_id"):
        if name in kwargs:
            return name, pages
    if "parent_page_id" in kwargs:
        return "parent_page_id", [
            (key, world.pages[key].pk) for key in ("index", "education", "culture")
        ]
    if "document_id" in kwargs or "doc_id" in kwargs:
        return ("document_id" if "document_id" in kwargs else "doc_id"), documents
    if "image_id" in kwargs:
        return "image_id", images
    if ns.endswith(":pages") and "pk" in kwargs:
        return "pk", pages
    if (ns.endswith(":documents") or ns == "wagtaildocs_chooser") and "pk" in kwargs:
        return "pk", documents
    if (ns.endswith(":images") or ns == "wagtailimages_chooser") and "pk" in kwargs:
        return "pk", images
    if ns == "my_sessions" and "session_id" in kwargs:
        return "session_id", [
            ("education", world.objects["education"].pk),
            ("culture", world.objects["culture"].pk),
        ]
    return None


def _fill(route: str, values: dict[str, object]) -> str:
    path = route.replace("^", "").replace("$", "")
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), path)


def _ids_in_query(pattern: Pattern, world: World) -> list[tuple[str, object]] | None:
    """Views that take the ids they show in the query string (`?id=`)."""
    view = (pattern.namespace, pattern.name)
    ns = pattern.namespace
    pages = [(key, world.pages[key].pk) for key in PAGE_KEYS]
    documents = [(key, world.documents[key].pk) for key in DOCUMENT_KEYS]
    images = [(key, world.images[key].pk) for key in IMAGE_KEYS]
    if view in (("", "wagtailadmin_choose_page_chosen_multiple"), ("", "wagtail_bulk_action")):
        return pages
    if view == ("wagtaildocs_chooser", "chosen_multiple"):
        return documents
    if view == ("wagtailimages_chooser", "chosen_multiple"):
        return images
    if pattern.name == "find":  # the APIs' lookup by id: a redirect to the detail
        if ns.endswith(":pages"):
            return pages
        return documents if ns.endswith(":documents") else images
    return None


def probes(pattern: Pattern, world: World) -> list[Probe]:
    if pattern.route in EXPLICIT:
        return EXPLICIT[pattern.route](world)
    values = _fixed_values(pattern, world)
    in_query = _ids_in_query(pattern, world)
    if in_query is not None:
        path = _fill(pattern.route, values)
        return [Probe(path, key, (("id", str(pk)),)) for key, pk in in_query]
    varying = _varying(pattern, world)
    if varying is None:
        return [Probe(_fill(pattern.route, values))]
    name, choices = varying
    result = []
    for key, value in choices:
        these = {**values, name: value}
        if name == "page_id" and "revision_id" in pattern.kwargs:
            page = world.pages[key]
            these["revision_id"] = page.latest_revision_id or 0
        if "content_type_model_name" in pattern.kwargs and key in ("education", "culture"):
            these["content_type_model_name"] = "sessionsummarypage"
        result.append(Probe(_fill(pattern.route, these), key))
    return result
