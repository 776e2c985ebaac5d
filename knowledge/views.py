"""Public views that are not Wagtail pages. Thin: the work lives in the services they call."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from wagtail.models import Locale, Page

from knowledge.cities import city_by_slug, city_contents
from knowledge.listings import topic_areas_for
from knowledge.topic_areas import topic_area_by_slug, topic_area_contents
from knowledge.visibility import is_publicly_visible, visible_pages


def topic_area_list(request: HttpRequest) -> HttpResponse:
    locale = Locale.get_active()
    return render(
        request, "knowledge/topic_area_list.html", {"topic_areas": topic_areas_for(locale)}
    )


def topic_area_detail(request: HttpRequest, slug: str) -> HttpResponse:
    locale = Locale.get_active()
    area = topic_area_by_slug(slug, locale)
    if area is None:
        raise Http404
    contents = topic_area_contents(area, locale, request.GET.get("page"))
    context = {"topic_area": area, "contents": contents}
    return render(request, "knowledge/topic_area_detail.html", context)


def city_detail(request: HttpRequest, slug: str) -> HttpResponse:
    locale = Locale.get_active()
    city = city_by_slug(slug, locale)
    if city is None:
        raise Http404
    contents = city_contents(city, locale, request.GET.get("page"))
    if contents.is_empty:
        # A city known only from drafts (an import's draft line, say) is not public yet.
        raise Http404
    context = {"city": city, "contents": contents}
    return render(request, "knowledge/city_detail.html", context)


def untranslated_page(request: HttpRequest, page_id: int) -> HttpResponse:
    """Where the language switcher goes when a page has no translation in that language.

    Says so plainly, in the chosen language, and offers the page in the languages it has
    and the home page of the chosen one. Only public pages are named here.
    """
    page = visible_pages(Page.objects.filter(pk=page_id)).specific().first()
    if page is None:
        raise Http404
    locale = Locale.get_active()
    translation = page.get_translation_or_none(locale)
    if translation is not None and is_publicly_visible(translation):
        return redirect(translation.get_url(request))
    available = visible_pages(page.get_translations(inclusive=True)).select_related("locale")
    context = {
        "original": page,
        "language_switch_page": page,
        "available": [(p, language_name_of(p.locale)) for p in available],
        "language_name": language_name_of(locale),
    }
    response = render(request, "knowledge/untranslated.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


def language_name_of(locale: Locale) -> str:
    return dict(settings.LANGUAGES).get(locale.language_code, locale.language_code)
