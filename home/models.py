from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Locale, Page

from core.forms import CheckedPageForm
from knowledge.blocks import RICH_TEXT_FEATURES
from knowledge.listings import topic_areas_for
from knowledge.localized import prefer_locale
from knowledge.models import PracticeIndexPage, PracticePage, SummitPage
from knowledge.visibility import visible_pages


class HomePage(Page):
    """The front page of one locale: the ten areas, the latest practices and the summit."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    base_form_class = CheckedPageForm
    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["knowledge.PracticeIndexPage", "knowledge.SummitPage"]
    parent_page_types = ["wagtailcore.Page"]
    latest_practices_count = 6

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["topics"] = topic_areas_for(self.locale)
        # As on the practice index: this locale's practices, and untranslated originals.
        context["latest_practices"] = (
            prefer_locale(visible_pages(PracticePage.objects.all()), self.locale)
            .order_by("-first_published_at", "-pk")
            .select_related("city")
            .prefetch_related("topics")[: self.latest_practices_count]
        )
        context["summit"] = self.localized_summit()
        context["practice_index"] = visible_pages(PracticeIndexPage.objects.child_of(self)).first()
        return context

    def localized_summit(self) -> Page | None:
        """This locale's summit page; the default locale's while it is not translated."""
        summit = visible_pages(SummitPage.objects.descendant_of(self)).first()
        if summit is None:
            summit = visible_pages(SummitPage.objects.filter(locale=Locale.get_default())).first()
        return summit
