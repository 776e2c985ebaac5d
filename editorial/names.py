"""The names of the editorial groups, workflows, tasks and collections, in the reader's language.

They are rows, not code: Wagtail shows `workflow.name`, `task.name`, `group.name` and
`collection.name` as stored ("Submit to %(workflow_name)s", the status panel, the dashboard,
workflow history and reports, lock messages, emails, the group and collection choosers).
They are stored in English, the names our setup finds them by, and marked with gettext_noop
where they are created. Translating each instance as it is loaded reaches every one of those
screens at once; a hook or a template override would cover one screen each and drift on
every Wagtail upgrade. A name someone typed in the admin is not in SOURCE_NAMES and stays as
typed; pre_save puts the English name back, so saving from a Korean screen never stores Korean.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import Group
from django.db.models import Model
from django.db.models.signals import post_init, post_save, pre_save
from django.utils.translation import gettext, gettext_noop
from wagtail.models import Collection, Task, Workflow

from editorial.roles import (
    EDITORS,
    MODERATION_TASK,
    MODERATION_WORKFLOW,
    MODERATORS,
    RAPPORTEURS,
    SESSION_COLLECTIONS,
)

# What Wagtail's own migrations create (wagtailcore 0048, wagtailadmin 0003): the groups
# "Editors" and "Moderators", and a workflow and a task both called "Moderators approval".
WAGTAIL_DEFAULT_NAMES = (
    gettext_noop("Editors"),
    gettext_noop("Moderators approval"),
)
SOURCE_NAMES = frozenset(
    (
        EDITORS,
        MODERATORS,
        RAPPORTEURS,
        MODERATION_WORKFLOW,
        MODERATION_TASK,
        SESSION_COLLECTIONS,
        *WAGTAIL_DEFAULT_NAMES,
    )
)
_STORED = "_cac_stored_name"


def show_name_translated(sender, instance: Model, **kwargs) -> None:
    # __dict__, not getattr: a deferred name is not loaded, and reading it would query.
    stored = instance.__dict__.get("name")
    if stored in SOURCE_NAMES:
        shown = gettext(stored)
        if shown != stored:
            setattr(instance, _STORED, (stored, shown))
            instance.name = shown


def keep_name_stored_in_english(sender, instance: Model, **kwargs) -> None:
    stored, shown = getattr(instance, _STORED, (None, None))
    if stored is not None and instance.name == shown:
        instance.name = stored


def named_models() -> list[type[Model]]:
    # Every kind of task (GroupApprovalTask and any other) sends its own post_init.
    tasks = [model for model in apps.get_models() if issubclass(model, Task)]
    return [Group, Workflow, Collection, *tasks]


def show_editorial_names_in_the_readers_language() -> None:
    for model in named_models():
        post_init.connect(show_name_translated, sender=model, dispatch_uid=f"cac_name_{model}")
        pre_save.connect(
            keep_name_stored_in_english, sender=model, dispatch_uid=f"cac_name_save_{model}"
        )
        # The saved instance goes on being shown (a success message names it).
        post_save.connect(
            show_name_translated, sender=model, dispatch_uid=f"cac_name_saved_{model}"
        )
