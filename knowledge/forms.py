"""Admin forms for knowledge pages."""

from django.core import checks
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.models import Locale, Page, get_page_models
from wagtail.snippets.models import get_snippet_models

from .references import chosen_in_form, references_on_object

# Pages link to the default-locale topic areas and cities, whatever the page's own language:
# a translated page then keeps the same links, and templates show `.localized` names.
CANONICAL_SNIPPET_FIELDS = ("topics", "topic", "city", "cities")


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
        # Imported here: knowledge.models imports this module for its page types, and the
        # rules import the models.
        from .choosable import refused_choices

        valid = super().is_valid()
        user = getattr(self, "for_user", None)
        if not valid or user is None:
            return valid
        refused = refused_choices(user, chosen_in_form(self), self._references_before)
        for form, name, (model, _pk) in refused:
            form.add_error(
                name if name in form.fields else None,
                _("This %(kind)s is not available to you. Choose another one.")
                % {"kind": model._meta.verbose_name},
            )
        if any(form is not self for form, _name, _reference in refused):
            # An attachment row's error alone would leave the page form itself "valid".
            self.add_error(None, _("Some chosen items are not available to you."))
        return not refused


class CheckedPageForm(ChosenObjectsCheck, WagtailAdminPageForm):
    """The base form of every page type (a system check insists)."""


class CheckedModelForm(ChosenObjectsCheck, WagtailAdminModelForm):
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
                    hint="Set base_form_class to knowledge.forms.CheckedPageForm or "
                    "CheckedModelForm (or a subclass).",
                    obj=model,
                    id="knowledge.E001",
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
