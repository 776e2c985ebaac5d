"""Public views that are not Wagtail pages. Thin: the work lives in the services they call."""

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale, Page
from wagtail.views import serve as wagtail_serve

from knowledge.cities import city_by_slug, city_contents, city_index
from knowledge.listings import PracticeFilter, practices_search_query, topic_areas_for
from knowledge.reader_language import SHOWN_IN_READER_LANGUAGE, reader_url, route_original
from knowledge.sitemaps import PublicSitemap
from knowledge.topic_areas import topic_area_by_slug, topic_area_contents
from knowledge.visibility import is_publicly_visible, visible_pages
from knowledge.world_map import city_map


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
    context = {
        "topic_area": area,
        "contents": contents,
        "results_query": practices_search_query(PracticeFilter(topic=area.slug)),
    }
    return render(request, "knowledge/topic_area_detail.html", context)


def city_list(request: HttpRequest) -> HttpResponse:
    rows = city_index(Locale.get_active())
    context = {
        "rows": rows,
        "countries": len({row.city.country.code for row in rows}),
        "map": city_map(rows),
    }
    return render(request, "knowledge/city_list.html", context)


def city_detail(request: HttpRequest, slug: str) -> HttpResponse:
    locale = Locale.get_active()
    city = city_by_slug(slug, locale)
    if city is None:
        raise Http404
    contents = city_contents(city, locale, request.GET.get("page"))
    if contents.is_empty:
        # A city known only from drafts (an import's draft line, say) is not public yet.
        raise Http404
    context = {
        "city": city,
        "contents": contents,
        "results_query": practices_search_query(PracticeFilter(city=city.slug)),
    }
    return render(request, "knowledge/city_detail.html", context)


def serve_page(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's serve view, and under another language's address a page that has no public
    translation in it yet: the original, read in the visitor's interface language
    (knowledge/reader_language.py)."""
    if Page.route_for_request(request, path) is None:
        route_result = route_original(request, path)
        if route_result is None:
            raise Http404
        # wagtail.views.serve, and Wagtail's later look-ups (the user bar), read the route
        # from this cache, so they all serve the original.
        request._wagtail_route_for_request = route_result
        setattr(request, SHOWN_IN_READER_LANGUAGE, True)
    return wagtail_serve(request, path)


def untranslated_page(request: HttpRequest, page_id: int) -> HttpResponse:
    """Where the language switcher went when a page had no translation in that language.

    A public page now has an address in every language (serve_page), so this sends the
    visitor there. A page outside the default language's tree (an original in another
    language) has none: this says so plainly and offers the languages it has.
    """
    page = visible_pages(Page.objects.filter(pk=page_id)).specific().first()
    if page is None:
        raise Http404
    locale = Locale.get_active()
    translation = page.get_translation_or_none(locale)
    if translation is not None and is_publicly_visible(translation):
        return redirect(translation.get_url(request))
    if page.locale.language_code == settings.LANGUAGE_CODE:
        return redirect(reader_url(page, request))
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


def sitemap(request: HttpRequest) -> HttpResponse:
    """/sitemap.xml: every public address, with its public translations (knowledge/sitemaps.py).

    A new sitemap each request: it keeps the request, whose host the addresses are on.
    """
    return sitemap_views.sitemap(request, {"public": PublicSitemap(request)})


def robots_txt(request: HttpRequest) -> HttpResponse:
    """/robots.txt: crawl the public site, not the admin, the APIs or search results."""
    disallowed = ["/admin/", "/api/"]
    for code, _name in settings.LANGUAGES:
        # Each language's search page by its URL name (the search app, a layer above, owns
        # it): one line per prefix, which every crawler reads, rather than a wildcard.
        with translation.override(code):
            disallowed.append(reverse("search"))
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallowed), ""]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
