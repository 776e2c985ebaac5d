"""Admin forms for knowledge pages. Every page type of the project uses KnowledgePageForm."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.blocks import StreamBlock
from wagtail.blocks.base import BlockWidget
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.models import Locale

logger = logging.getLogger(__name__)

# Pages link to the default-locale topic areas and cities, whatever the page's own language:
# a translated page then keeps the same links, and templates show `.localized` names.
CANONICAL_SNIPPET_FIELDS = ("topics", "topic", "city", "cities")

UNREADABLE_STREAM = _(
    "This content could not be read from what the browser sent, so nothing was saved. "
    "Reload the editor and make the change again."
)


class CheckedStreamDataMixin:
    """A StreamField whose posted data is incomplete is a form error, not a 500.

    Wagtail's blocks read their management fields (`body-count`, `body-0-order`, a chooser's
    id …) with int() and [] and raise on anything missing or odd, both while validating and
    while showing the form again. Such a stream is replaced by an empty one in the bound data,
    so the form can be shown, and carries an error, so nothing is saved.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unreadable_streams: list[str] = []
        if not self.is_bound:
            return
        for name, field in self.fields.items():
            if not isinstance(field.widget, BlockWidget):
                continue
            prefix = self.add_prefix(name)
            try:
                field.widget.value_from_datadict(self.data, self.files, prefix)
            except (KeyError, ValueError, TypeError, OverflowError) as error:
                logger.info("Unreadable StreamField data for %s: %r", prefix, error)
                self.unreadable_streams.append(name)
                self.data = _with_empty_stream(self.data, prefix)

    def clean(self):
        cleaned_data = super().clean()
        for name in self.unreadable_streams:
            message = str(UNREADABLE_STREAM)  # the editor's script gets it as JSON
            if isinstance(self.fields[name].widget.block_def, StreamBlock):
                error = StreamBlockValidationError(non_block_errors=[message])
            else:
                error = ValidationError(message)
            self.add_error(name, error)
        return cleaned_data


def _with_empty_stream(data, prefix: str):
    """The posted data with the stream at `prefix` emptied: no blocks, a count of 0."""
    data = data.copy()
    for key in [key for key in data if key.startswith(f"{prefix}-")]:
        del data[key]
    data[f"{prefix}-count"] = "0"
    return data


class KnowledgePageForm(CheckedStreamDataMixin, WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default_locale = Locale.get_default()
        for name in CANONICAL_SNIPPET_FIELDS:
            field = self.fields.get(name)
            if field is not None and hasattr(field, "queryset"):
                field.queryset = field.queryset.filter(locale=default_locale)
