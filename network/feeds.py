"""Atom feeds of new practices: all of them, a topic area's, a city's; in each language.

An official's feed reader polls these; each lists the latest practices the public may read,
in the feed's language where a translation exists (the original otherwise, as listings do).
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _
from wagtail.models import Locale

from knowledge.cities import city_by_slug, city_contents
from knowledge.localized import prefer_locale
from knowledge.models import PracticeIndexPage, PracticePage
from knowledge.reader_language import reader_url
from knowledge.topic_areas import topic_area_by_slug
from knowledge.visibility import visible_pages

FEED_ITEMS = 50


class PracticesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, *args, **kwargs):
        return None

    def title(self, obj):
        return _("New practices · Cities Against COVID-19")

    def link(self, obj):
        index = PracticeIndexPage.objects.filter(locale=Locale.get_active()).first()
        return reader_url(index) if index else "/"

    def subtitle(self, obj):
        return _("The latest practices shared on the CAC Knowledge Platform.")

    def _practices(self, obj):
        practices = visible_pages(PracticePage.objects.all())
        return prefer_locale(self.narrow(practices, obj), Locale.get_active())

    def narrow(self, practices, obj):
        return practices

    def items(self, obj):
        return (
            self._practices(obj)
            .select_related("city")
            .order_by("-first_published_at", "-pk")[:FEED_ITEMS]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # A summary is plain text; Atom's summary is HTML, so its characters are escaped.
        return escape(item.summary)

    def item_link(self, item):
        return reader_url(item)

    def item_guid(self, item):
        return f"urn:cac:practice:{item.translation_key}:{item.locale_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [topic.slug for topic in item.topics.all()]


class TopicPracticesFeed(PracticesFeed):
    def get_object(self, request, slug):
        area = topic_area_by_slug(slug, Locale.get_active())
        if area is None:
            raise Http404
        return area

    def title(self, area):
        return _("New practices: %(name)s") % {"name": area.name}

    def link(self, area):
        return reverse("topic_area_detail", args=[area.slug])

    def narrow(self, practices, area):
        return practices.filter(topics__translation_key=area.translation_key).distinct()


class CityPracticesFeed(PracticesFeed):
    def get_object(self, request, slug):
        city = city_by_slug(slug, Locale.get_active())
        # A city known only from drafts is not public, here as on its page.
        if city is None or city_contents(city, Locale.get_active()).is_empty:
            raise Http404
        return city

    def title(self, city):
        return _("New practices: %(name)s") % {"name": city.name}

    def link(self, city):
        return reverse("city_detail", args=[city.slug])

    def narrow(self, practices, city):
        return practices.filter(city__translation_key=city.translation_key)
