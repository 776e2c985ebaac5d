"""The page tree every locale needs: a home page, a practice index, and the summit."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page, Site

from home.models import HomePage
from knowledge.models import PracticeIndexPage

# Titles of the structural pages in each content language. Editors may rename them later.
HOME_TITLES = {
    "en": "Cities Against COVID-19",
    "ko": "코로나19 대응 도시들 (CAC)",
    "zh-hans": "城市携手抗击COVID-19（CAC）",
    "ja": "COVID-19に立ち向かう都市（CAC）",
    "es": "Ciudades contra la COVID-19",
    "fr": "Villes contre la COVID-19",
    "ar": "مدن ضد كوفيد-19",
}
PRACTICE_INDEX_TITLES = {
    "en": "Practices",
    "ko": "대응 사례",
    "zh-hans": "抗疫实践",
    "ja": "対応事例",
    "es": "Prácticas",
    "fr": "Pratiques",
    "ar": "الممارسات",
}
HOME_INTRO = {
    "en": "<p>Seoul's COVID-19 countermeasures and the CAC Global Summit 2020, shared with "
    "cities around the world: searchable, in your language, free to reuse.</p>",
    "ko": "<p>서울시의 코로나19 대응 사례와 CAC 글로벌 서밋 2020의 성과를 세계 도시와 "
    "나눕니다. 검색하고, 내 언어로 읽고, 자유롭게 활용하세요.</p>",
    "zh-hans": "<p>首尔市的新冠肺炎应对措施与2020年CAC全球峰会成果，与世界各城市分享："
    "可检索，以您的语言阅读，可自由使用。</p>",
    "ja": "<p>ソウル市の新型コロナ対策と CAC グローバルサミット 2020 の成果を世界の都市と"
    "共有します。検索でき、あなたの言語で読め、自由に再利用できます。</p>",
    "es": "<p>Las medidas de Seúl contra la COVID-19 y la Cumbre Mundial CAC 2020, "
    "compartidas con ciudades de todo el mundo: con buscador, en su idioma y de libre "
    "reutilización.</p>",
    "fr": "<p>Les mesures de Séoul contre la COVID-19 et le Sommet mondial CAC 2020, "
    "partagés avec les villes du monde entier : consultables, dans votre langue, "
    "librement réutilisables.</p>",
    "ar": "<p>تدابير سيول لمواجهة كوفيد-19 وقمة CAC العالمية 2020، متاحة لمدن العالم: "
    "قابلة للبحث، بلغتك، ومجانية لإعادة الاستخدام.</p>",
}


def content_language_codes() -> list[str]:
    return [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]


def ensure_locales() -> dict[str, Locale]:
    return {
        code: Locale.objects.get_or_create(language_code=code)[0]
        for code in content_language_codes()
    }


def _publish(page: Page) -> Page:
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def _translate(page: Page, locale: Locale, **fields) -> Page:
    """The page's translation in `locale`, created and published from it if missing."""
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.specific
    translation = page.copy_for_translation(locale).specific
    for name, value in fields.items():
        setattr(translation, name, value)
    return _publish(translation)


@transaction.atomic
def ensure_site_structure() -> dict[str, HomePage]:
    """Create the home page and practice index for each content locale. Idempotent."""
    locales = ensure_locales()
    default_locale = Locale.get_default()
    home = HomePage.objects.filter(locale=default_locale).first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's own "Welcome" page stands where the home page goes.
        for placeholder in root.get_children().filter(content_type__model="page"):
            placeholder.delete()
        home = HomePage(
            title=HOME_TITLES.get(default_locale.language_code, HOME_TITLES["en"]),
            slug="home",
            locale=default_locale,
            intro=HOME_INTRO.get(default_locale.language_code, ""),
        )
        root.add_child(instance=home)
        _publish(home)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=str(_("Cities Against COVID-19")),
        )
    elif not isinstance(site.root_page.specific, HomePage):
        # Only a site still rooted at a placeholder is moved; its hostname and port are the
        # operator's and stay as they are.
        site.root_page = home
        site.save(update_fields=["root_page"])
    index = PracticeIndexPage.objects.child_of(home).first()
    if index is None:
        index = PracticeIndexPage(
            title=PRACTICE_INDEX_TITLES["en"], slug="practices", locale=default_locale
        )
        home.add_child(instance=index)
        _publish(index)

    homes = {default_locale.language_code: home}
    for code, locale in locales.items():
        if locale == default_locale:
            continue
        homes[code] = _translate(
            home, locale, title=HOME_TITLES.get(code, home.title), intro=HOME_INTRO.get(code, "")
        )
        _translate(index, locale, title=PRACTICE_INDEX_TITLES.get(code, index.title))
    return homes


def practice_index_for(locale: Locale) -> PracticeIndexPage:
    """The practice index of a locale; the site structure must exist."""
    return PracticeIndexPage.objects.get(locale=locale)
