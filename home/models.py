from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from knowledge.blocks import RICH_TEXT_FEATURES


class HomePage(Page):
    """The front page of one locale: the ten areas, the latest practices and the summit."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["knowledge.PracticeIndexPage", "knowledge.SummitPage"]
    parent_page_types = ["wagtailcore.Page"]
    latest_practices_count = 6

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from knowledge.models import PracticePage, SummitPage, TopicArea
        from knowledge.visibility import visible_pages

        context = super().get_context(request, *args, **kwargs)
        context["topics"] = TopicArea.objects.filter(locale=self.locale)
        context["latest_practices"] = (
            visible_pages(PracticePage.objects.descendant_of(self))
            .order_by("-first_published_at")
            .select_related("city")[: self.latest_practices_count]
        )
        context["summit"] = visible_pages(SummitPage.objects.descendant_of(self)).first()
        return context
