"""What an object, or a submitted admin form, refers to: pages, documents, images, snippets.

Read from foreign keys, many-to-many fields, StreamField chooser blocks, links and embeds in
rich text, and child objects such as attachments. `core.choices` judges the result.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel, get_all_child_relations
from wagtail.models import Page

# (model, primary key as text). The model is the one a chooser lists (Page for every page
# type), so that ids compare whatever subclass a field names.
Reference = tuple[type[models.Model], str]
# Where a form chose a reference: the (sub)form and its field name.
Choice = tuple[object, str, Reference]


def base_model(model: type[models.Model]) -> type[models.Model]:
    """The model whose ids a chooser works with: Page for every page type."""
    return Page if issubclass(model, Page) else model._meta.concrete_model


# ---------------------------------------------------------------------------
# What an object, or a submitted form, refers to
# ---------------------------------------------------------------------------


def _references_in_value(field: models.Field, value) -> Iterator[Reference]:
    if value is None or isinstance(field, ParentalKey) or field.primary_key:
        return
    if hasattr(field, "extract_references"):
        # StreamField and RichTextField: chooser blocks, page and document links, embeds.
        for to_model, to_object_id, _model_path, _content_path in field.extract_references(value):
            yield base_model(to_model), str(to_object_id)
    elif field.many_to_many:
        for obj in value:
            # Tags arrive as names, not objects: they choose nothing.
            if isinstance(obj, models.Model):
                yield base_model(field.related_model), str(obj.pk)
    elif field.is_relation and (field.many_to_one or field.one_to_one):
        pk = value.pk if isinstance(value, models.Model) else value
        if pk is not None:
            yield base_model(field.related_model), str(pk)


def _model_field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if field.concrete or field.many_to_many else None


def references_on_object(obj: models.Model) -> set[Reference]:
    """Everything `obj` refers to through its fields and its child objects (attachments)."""
    found: set[Reference] = set()
    for field in obj._meta.get_fields():
        if field.many_to_many and not field.auto_created:
            if obj.pk is None and not isinstance(field, ParentalManyToManyField):
                continue  # a plain many-to-many needs a saved object
            found.update(_references_in_value(field, getattr(obj, field.name).all()))
        elif field.concrete:
            found.update(_references_in_value(field, field.value_from_object(obj)))
    if isinstance(obj, ClusterableModel):
        for relation in get_all_child_relations(obj):
            for child in getattr(obj, relation.get_accessor_name()).all():
                found |= references_on_object(child)
    return found


def chosen_in_form(form) -> Iterator[Choice]:
    """(form, field name, reference) for each object a bound, cleaned form chooses,
    its inline formsets (attachments) included."""
    model = form._meta.model
    for name, value in form.cleaned_data.items():
        field = _model_field(model, name)
        if field is not None:
            for reference in _references_in_value(field, value):
                yield form, name, reference
    for formset in getattr(form, "formsets", {}).values():
        for subform in formset.forms:
            cleaned = getattr(subform, "cleaned_data", None)
            if cleaned and not cleaned.get("DELETE"):
                yield from chosen_in_form(subform)
