"""What a user may choose: one answer for the choosers, the admin API and every admin form.

Wagtail's choosers list what a user may pick, but its forms accept any id that exists: a
hand-made POST could attach another session's draft upload to a summary, and approval would
publish it. The page, document and image choosers, the admin API and the form check in
`core.forms.ChosenObjectsCheck` all ask this module.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.documents.permissions import permission_policy as document_permission_policy
from wagtail.images import get_image_model
from wagtail.images.permissions import permission_policy as image_permission_policy
from wagtail.models import DraftStateMixin, Page

from core.references import Choice, Reference, base_model


def is_confined(user) -> bool:
    """Whether an app confines `user` to part of the admin (its `confines_user` hook says so):
    such a user sees only what the app allows, in reports and choosers alike."""
    return any(confines(user) for confines in hooks.get_hooks("confines_user"))


def choosable_pages(user) -> QuerySet[Page]:
    """The pages the page chooser offers: what a `choosable_pages` hook allows a user it
    confines (a rapporteur: their own pages and public pages outside other sessions);
    everyone else in the admin, the whole tree."""
    for confine in hooks.get_hooks("choosable_pages"):
        pages = confine(user)
        if pages is not None:
            return pages
    return Page.objects.all()


def choosable_documents(user) -> QuerySet:
    """Documents in the collections where the user holds "choose" (Wagtail's own rule)."""
    return document_permission_policy.instances_user_has_any_permission_for(user, ["choose"])


def choosable_images(user) -> QuerySet:
    return image_permission_policy.instances_user_has_any_permission_for(user, ["choose"])


def choosable(user, model: type[models.Model]) -> QuerySet:
    """Every instance of `model` the user may choose in a form field or a chooser."""
    base = base_model(model)
    if base is Page:
        return choosable_pages(user)
    if base is get_document_model():
        return choosable_documents(user)
    if base is get_image_model():
        return choosable_images(user)
    objects = base._default_manager.all()
    if issubclass(base, DraftStateMixin):
        # A snippet's draft is not public yet: choosing it would publish it by reference.
        objects = objects.filter(live=True)
    return objects


def refused_choices(user, chosen: Iterable[Choice], already_there: set[Reference]) -> list[Choice]:
    """The chosen references that the user may not choose and that were not there before."""
    new = [choice for choice in chosen if choice[2] not in already_there]
    wanted: dict[type[models.Model], set[str]] = {}
    for _form, _name, (model, pk) in new:
        wanted.setdefault(model, set()).add(pk)
    allowed: set[Reference] = set()
    for model, pks in wanted.items():
        ids = choosable(user, model).filter(pk__in=_valid_pks(model, pks))
        allowed.update((model, str(pk)) for pk in ids.values_list("pk", flat=True))
    return [choice for choice in new if choice[2] not in allowed]


def _valid_pks(model: type[models.Model], pks: Iterable[str]) -> list:
    valid = []
    for pk in pks:
        try:
            valid.append(model._meta.pk.to_python(pk))
        except ValidationError:
            continue
    return valid
