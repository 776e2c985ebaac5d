"""Admin forms: every page type and snippet is edited through a checked form (a system
check insists). The checks: a field whose posted data cannot be read is a form error,
and every chosen object is one the user may choose."""

from __future__ import annotations

import logging

from django.core import checks
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.blocks import StreamBlock
from wagtail.blocks.base import BlockWidget
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.models import Locale, Page, get_page_models
from wagtail.snippets.models import get_snippet_models

from core.choices import refused_choices
from core.references import chosen_in_form, references_on_object
from core.slug_clash import SlugClashOnTitleMixin
from core.wagtail_internals import empty_stream_in_posted_data

logger = logging.getLogger(__name__)

# Pages link to the default-locale topic areas and cities, whatever the page's own language:
# a translated page then keeps the same links, and templates show `.localized` names.
CANONICAL_SNIPPET_FIELDS = ("topics", "topic", "city", "cities")

UNREADABLE_STREAM = _(
    "This content could not be read from what the browser sent, so nothing was saved. "
    "Reload the editor and make the change again."
)


class CheckedPostedDataMixin:
    """Posted data that a widget cannot read is a form error, not a 500.

    Wagtail's StreamField blocks read their management fields (`body-count`, `body-0-order`,
    a chooser's id …) with int() and [], and its rich-text editor parses its field as JSON;
    each raises on anything missing or odd, both while validating and while showing the form
    again. Such a field is emptied in the bound data (a stream to no blocks, anything else to
    nothing posted), so the form can be shown, and carries an error, so nothing is saved.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unreadable_fields: list[str] = []
        if not self.is_bound:
            return
        for name, field in self.fields.items():
            prefix = self.add_prefix(name)
            try:
                field.widget.value_from_datadict(self.data, self.files, prefix)
            except (KeyError, ValueError, TypeError, AttributeError, OverflowError) as error:
                logger.info("Unreadable posted data for %s: %r", prefix, error)
                self.unreadable_fields.append(name)
                if isinstance(field.widget, BlockWidget):
                    self.data = empty_stream_in_posted_data(self.data, prefix)
                else:
                    self.data = self.data.copy()
                    self.data.pop(prefix, None)

    def clean(self):
        cleaned_data = super().clean()
        for name in self.unreadable_fields:
            message = str(UNREADABLE_STREAM)  # the editor's script gets it as JSON
            widget = self.fields[name].widget
            if isinstance(widget, BlockWidget) and isinstance(widget.block_def, StreamBlock):
                error = StreamBlockValidationError(non_block_errors=[message])
            else:
                error = ValidationError(message)
            self.add_error(name, error)
        return cleaned_data


class ChosenObjectsCheck:
    """Form mixin: every object the form chooses is one its user may choose.

    For Wagtail's admin model forms, which are given `for_user`. Covers the form's own
    fields, its inline formsets (attachments), chooser blocks and rich-text links. What the
    edited object referred to before stays acceptable, so an editor's attachment on a
    rapporteur's summary does not block the rapporteur's next save.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read now: cleaning writes the submitted values into the instance.
        self._references_before = references_on_object(self.instance) if self.is_bound else set()

    def is_valid(self) -> bool:
        valid = super().is_valid()
        user = getattr(self, "for_user", None)
        if not valid or user is None:
            return valid
        refused = refused_choices(user, chosen_in_form(self), self._references_before)
        for form, name, (model, _pk) in refused:
            form.add_error(
                name if name in form.fields else None,
                gettext("This %(kind)s is not available to you. Choose another one.")
                % {"kind": model._meta.verbose_name},
            )
        if any(form is not self for form, _name, _reference in refused):
            # An attachment row's error alone would leave the page form itself "valid".
            self.add_error(None, gettext("Some chosen items are not available to you."))
        return not refused


class CheckedPageForm(
    CheckedPostedDataMixin, ChosenObjectsCheck, SlugClashOnTitleMixin, WagtailAdminPageForm
):
    """The base form of every page type (a system check insists)."""


class CheckedModelForm(CheckedPostedDataMixin, ChosenObjectsCheck, WagtailAdminModelForm):
    """The base form of every snippet (a system check insists)."""


def check_admin_forms_check_chosen_objects(app_configs=None, **kwargs) -> list[checks.Error]:
    """System check: every page type and snippet edits through a form that checks ids."""
    errors = []
    for model in [*get_page_models(), *get_snippet_models()]:
        if model is Page:
            continue  # the tree's root: never edited in a form
        form_class = getattr(model, "base_form_class", None)
        if not (isinstance(form_class, type) and issubclass(form_class, ChosenObjectsCheck)):
            errors.append(
                checks.Error(
                    f"{model._meta.label} is edited through a form that accepts any object id.",
                    hint="Set base_form_class to core.forms.CheckedPageForm or "
                    "CheckedModelForm (or a subclass).",
                    obj=model,
                    id="core.E001",
                )
            )
    return errors


class KnowledgePageForm(CheckedPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default_locale = Locale.get_default()
        for name in CANONICAL_SNIPPET_FIELDS:
            field = self.fields.get(name)
            if field is not None and hasattr(field, "queryset"):
                field.queryset = field.queryset.filter(locale=default_locale)
