"""wagtail-localize's background jobs (tree sync, subtree submission) on Celery.

wagtail-localize hands its backend a function and arguments: model instances, querysets of
locales, users. Celery messages are JSON here, so models travel as references and are read
again in the worker. Only wagtail-localize's own functions may be run this way.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet

ALLOWED_MODULE_PREFIX = "wagtail_localize."


def encode(value: Any) -> Any:
    if isinstance(value, Model):
        return {"__model__": value._meta.label, "pk": value.pk}
    if isinstance(value, QuerySet):
        return {
            "__models__": value.model._meta.label,
            "pks": list(value.values_list("pk", flat=True)),
        }
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {"__dict__": [[encode(key), encode(item)] for key, item in value.items()]}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot send {type(value).__name__} to a Celery job")


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(item) for item in value]
    if isinstance(value, dict):
        if "__model__" in value:
            return apps.get_model(value["__model__"])._default_manager.get(pk=value["pk"])
        if "__models__" in value:
            model = apps.get_model(value["__models__"])
            by_pk = model._default_manager.in_bulk(value["pks"])
            return [by_pk[pk] for pk in value["pks"] if pk in by_pk]
        if "__dict__" in value:
            return {decode(key): decode(item) for key, item in value["__dict__"]}
    return value


def function_path(func: Callable) -> str:
    path = f"{func.__module__}.{func.__qualname__}"
    if not path.startswith(ALLOWED_MODULE_PREFIX):
        raise ValueError(f"{path} is not a wagtail-localize job")
    return path


def run_job(path: str, args: list, kwargs: dict) -> None:
    """The worker's side: import the wagtail-localize function and call it."""
    if not path.startswith(ALLOWED_MODULE_PREFIX):
        raise ValueError(f"{path} is not a wagtail-localize job")
    module_name, _, name = path.rpartition(".")
    func = getattr(importlib.import_module(module_name), name)
    func(*decode(args), **decode(kwargs))
