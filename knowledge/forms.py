"""Admin forms for knowledge pages."""

from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.models import Locale

# Pages link to the default-locale topic areas and cities, whatever the page's own language:
# a translated page then keeps the same links, and templates show `.localized` names.
CANONICAL_SNIPPET_FIELDS = ("topics", "topic", "city", "cities")


class KnowledgePageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default_locale = Locale.get_default()
        for name in CANONICAL_SNIPPET_FIELDS:
            field = self.fields.get(name)
            if field is not None and hasattr(field, "queryset"):
                field.queryset = field.queryset.filter(locale=default_locale)
