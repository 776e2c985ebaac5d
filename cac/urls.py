from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from django.views.decorators.cache import never_cache
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.documents import urls as wagtaildocs_urls

from cac.api import api_router
from core import health, privacy_passwords, wagtail_internals
from editorial.boundary import ExternalLinkChooserView, switched_off
from knowledge import urls as knowledge_urls
from knowledge import views as knowledge_views
from network import urls as network_urls
from search import urls as search_urls
from sitedata import urls as sitedata_urls

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # For crawlers, at the addresses they ask: one for all languages (knowledge/sitemaps.py).
    path("robots.txt", knowledge_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", knowledge_views.sitemap, name="sitemap"),
    path("readyz", health.readyz, name="readyz"),
    # Ahead of Wagtail's view at the same address: a pasted URL becomes a page link only for
    # those who may read the page's draft title (editorial/boundary.py).
    path(
        f"admin/{wagtail_internals.EXTERNAL_LINK_CHOOSER_ROUTE}",
        require_admin_access(never_cache(ExternalLinkChooserView.as_view())),
        name="wagtailadmin_choose_page_external_link",
    ),
    # Wagtail's deliberate server error, for trying error pages: never on this site.
    path(f"admin/{wagtail_internals.ERROR_TEST_ROUTE}", switched_off),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's privacy-password forms post to these, ahead of Wagtail's own views at the same
    # addresses: the attempt limit, then Wagtail's view (core/privacy_passwords.py).
    path(
        f"documents/{wagtail_internals.DOCUMENT_PRIVACY_FORM_ROUTE}",
        privacy_passwords.authenticate_collection_password,
    ),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v2/", api_router.urls),
    path("api/v1/", include(search_urls.api_urlpatterns)),
    path("open-data/", include(sitedata_urls.download_urlpatterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    # Images in every environment, to whoever may see them (knowledge/image_files.py). Nothing
    # serves MEDIA_ROOT/documents: documents go through Wagtail's serve view above. Static files
    # are WhiteNoise's (settings MIDDLEWARE), under runserver too.
    path("", include(knowledge_urls.media_urlpatterns)),
]

urlpatterns += i18n_patterns(
    path("", include(knowledge_urls)),
    path("", include(sitedata_urls)),
    path("", include(search_urls)),
    path("", include(network_urls)),
    # Ahead of Wagtail's page password view at the same address, as above.
    path(
        wagtail_internals.PAGE_PRIVACY_FORM_ROUTE,
        privacy_passwords.authenticate_page_password,
    ),
    # Everything else is a Wagtail page; this stays last. Wagtail's serve view is replaced by
    # one that also answers a language's address of a page not yet translated into it.
    *[pattern for pattern in wagtail_urls.urlpatterns if pattern.name != "wagtail_serve"],
    re_path(wagtail_urls.serve_pattern, knowledge_views.serve_page, name="wagtail_serve"),
    prefix_default_language=True,
)
