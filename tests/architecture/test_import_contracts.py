"""The architecture, checked: layered packages, no cycles, services that never send jobs,
modules and folders of a readable size (docs/architecture.md explains each rule)."""

from __future__ import annotations

import pytest

from tests.architecture.imports import (
    LAYERS,
    ROOT,
    Import,
    cycles,
    imports,
    package_of,
    source_files,
)

pytestmark = pytest.mark.database_independent

MAX_MODULE_LINES = 700
MAX_MODULES_PER_FOLDER = 20
# The modules that may send a job: signal receivers, request handlers, Wagtail hooks, the
# wagtail-localize job backend and other tasks. A service that sent jobs itself would hide
# work from its callers (and import the tasks that import it).
JOB_SENDERS = {"receivers", "views", "admin_views", "wagtail_hooks", "job_backend", "tasks"}


def layer_violations(found: tuple[Import, ...]) -> list[str]:
    rank = {package: position for position, package in enumerate(LAYERS)}
    return [
        f"{each.importer}:{each.line} imports {each.imported}, a layer above it"
        for each in found
        if rank[package_of(each.imported)] < rank[package_of(each.importer)]
    ]


def job_sending_services(found: tuple[Import, ...]) -> list[str]:
    return [
        f"{each.importer}:{each.line} imports {each.imported}"
        for each in found
        if each.imported.endswith(".tasks")
        and each.importer.rsplit(".", 1)[-1] not in JOB_SENDERS
        and ".management.commands." not in each.importer
    ]


def test_packages_import_only_the_layers_below_them():
    assert set(LAYERS) == {path.parent.name for path in ROOT.glob("*/apps.py")} | {"cac", "core"}
    assert layer_violations(imports()) == []


def test_no_package_imports_the_wiring():
    assert [
        each
        for each in imports()
        if each.imported.startswith("cac") and not each.importer.startswith("cac")
    ] == []


def test_no_cycle_between_packages():
    edges = {(package_of(each.importer), package_of(each.imported)) for each in imports()}
    assert cycles({edge for edge in edges if edge[0] != edge[1]}) == []


def test_no_cycle_between_modules():
    # Imports inside functions count: they hide a cycle, they do not remove it.
    assert cycles({(each.importer, each.imported) for each in imports()}) == []


def test_an_import_inside_a_function_says_why():
    unexplained = [
        f"{each.importer}:{each.line} imports {each.imported}"
        for each in imports()
        if each.in_function and not each.commented
    ]
    assert unexplained == []


def test_services_never_send_jobs():
    # Receivers → tasks → services → models.
    assert job_sending_services(imports()) == []


def test_no_module_is_over_700_lines():
    long_modules = {
        name: length
        for name, path in source_files().items()
        if (length := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long_modules == {}


def test_no_folder_holds_more_than_20_modules():
    folders: dict[str, int] = {}
    for path in source_files().values():
        if path.name != "__init__.py":
            folder = str(path.parent.relative_to(ROOT))
            folders[folder] = folders.get(folder, 0) + 1
    assert {folder: n for folder, n in folders.items() if n > MAX_MODULES_PER_FOLDER} == {}


# The checks themselves can fail: each finds what it is for.


def test_the_checks_find_a_cycle_an_upward_import_and_a_service_sending_jobs():
    assert cycles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == [["a", "b", "c"]]
    upward = Import("core.forms", "editorial.roles", 3, in_function=True, commented=True)
    assert layer_violations((upward,)) == ["core.forms:3 imports editorial.roles, a layer above it"]
    service = Import("documents.services", "documents.tasks", 9, in_function=False, commented=False)
    receiver = Import(
        "documents.receivers", "documents.tasks", 9, in_function=False, commented=False
    )
    assert job_sending_services((service, receiver)) == [
        "documents.services:9 imports documents.tasks"
    ]
