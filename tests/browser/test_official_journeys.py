"""A city official looks for a practice, in English, Korean, Spanish and Arabic, in a real
browser, on a desktop screen and on a phone.

From the home page: the site menu's "Search", a query in the search box, one facet link to
narrow the results, then the practice itself. Each step checks what the official sees: the
result count the page states, the hits listed, the chosen filter marked, the practice's title.
On a phone every step also fits the screen's width, and the facets wait behind "Filter".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect
from wagtail.models import Locale

from knowledge.models import PracticeKind, PracticePage
from search.service import DEFAULT_PAGE_SIZE
from tests.browser.conftest import new_browser_page
from tests.browser.journeys import Stopwatch, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Search:
    language: str
    menu_label: str
    box_label: str
    button_label: str
    query: str
    facet_heading: str
    facet_value: str  # the filter's label, as the facet list shows it
    practice_slug: str

    def practice(self) -> PracticePage:
        return self._practice(self.practice_slug)

    def practice_for_hit(self, href: str) -> PracticePage:
        # Every hit opens under the page's language, translated or not (reader_language.py).
        match = re.fullmatch(rf"/{self.language}/practices/([\w-]+)/", href)
        assert match, f"{href} is not a practice under /{self.language}/"
        return self._practice(match.group(1))

    def _practice(self, slug: str) -> PracticePage:
        """The practice in this language, or the original when it is not translated yet."""
        for language in (self.language, settings.LANGUAGE_CODE):
            found = PracticePage.objects.filter(
                slug=slug, locale=Locale.objects.get(language_code=language)
            ).first()
            if found is not None:
                return found
        raise AssertionError(f"no practice {slug}")


ENGLISH = Search(
    language="en",
    menu_label="Search",
    box_label="Search practices, sessions and summaries",
    button_label="Search",
    query="screening",
    facet_heading="Kind",
    facet_value="Countermeasure",
    practice_slug="drive-through-screening-clinics",
)
KOREAN = Search(
    language="ko",
    menu_label="검색",
    box_label="대응 사례, 세션, 요약 검색",
    button_label="검색",
    query="방역",  # disease control
    facet_heading="분야",  # topic area
    facet_value="시민참여",  # citizen participation
    practice_slug="itaewon-anonymous-testing",
)


def interface_search(language: str, query: str, practice_slug: str) -> Search:
    """A search whose labels are read from the interface catalogue of `language`: these
    journeys check that the page says them, the catalogue check that they are translated."""
    with translation.override(language):
        return Search(
            language=language,
            menu_label=gettext("Search"),
            box_label=gettext("Search practices, sessions and summaries"),
            button_label=gettext("Search"),
            query=query,
            facet_heading=gettext("Kind"),
            facet_value=str(PracticeKind.COUNTERMEASURE.label),
            practice_slug=practice_slug,
        )


SPANISH = interface_search("es", "screening", "drive-through-screening-clinics")
ARABIC = interface_search("ar", "screening", "drive-through-screening-clinics")


def stated_count(page: Page) -> int:
    """The number of results the page states: "4 results", "검색 결과 4건"."""
    text = page.locator(".search-summary").inner_text()
    return int(re.search(r"\d+", text).group(0))


def facet_link(page: Page, search: Search):
    group = page.locator(".search-facet").filter(
        has=page.get_by_role("heading", name=search.facet_heading, exact=True)
    )
    return group.get_by_role("link").filter(has_text=search.facet_value)


def hit_hrefs(page: Page) -> list[str]:
    return [
        link.get_attribute("href")
        for link in page.locator(".search-hits .search-hit__title a").all()
    ]


def fits_a_phone(page: Page) -> None:
    """Nothing on the page is wider than the phone: no sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"


def official_finds_a_practice(
    page: Page, base_url: str, search: Search, *, on_phone: bool = False
) -> PracticePage:
    device = "phone" if on_phone else "desktop"
    watch = Stopwatch(f"Official journey ({search.language}, {device})")
    lang = search.language
    shot = f"official-{lang}-phone" if on_phone else f"official-{lang}"

    # 1. From the home page, the menu's search page; search from its box.
    page.goto(f"{base_url}/{lang}/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.locator(".site-nav").get_by_role("link", name=search.menu_label, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/{lang}/search/$"))
    page.get_by_label(search.box_label).fill(search.query)
    page.get_by_role("button", name=search.button_label, exact=True).click()
    expect(page.locator(".search-summary")).to_be_visible()
    watch.lap("search")
    unfiltered = stated_count(page)
    # The first page lists as many hits as the count says, up to a page's worth.
    assert page.locator(".search-hits .search-hit").count() == min(unfiltered, DEFAULT_PAGE_SIZE)
    assert unfiltered > 1
    if on_phone:
        fits_a_phone(page)
        # The facets wait behind the Filter button, which sits under the count.
        expect(page.locator(".search-facets")).to_be_hidden()
        page.locator(".search-filters > summary").click()
        expect(page.locator(".search-facets")).to_be_visible()

    # 2. One facet value narrows the list to what it announced.
    link = facet_link(page, search)
    expect(link).to_have_count(1)
    announced = int(re.search(r"\((\d+)\)", link.inner_text()).group(1))
    link.click()
    expect(page).to_have_url(re.compile(r"[?&](kind|topic)="))
    if on_phone:
        # The panel closes again; its button counts the filter chosen.
        toggle = page.locator(".search-filters > summary")
        expect(toggle.locator(".search-filters__active")).to_contain_text("1")
        toggle.click()
    expect(facet_link(page, search)).to_have_attribute("aria-current", "true")
    watch.lap("filter")
    filtered = stated_count(page)
    assert filtered == announced
    assert 0 < filtered < unfiltered
    hrefs = hit_hrefs(page)
    assert len(hrefs) == min(filtered, DEFAULT_PAGE_SIZE)
    # Every hit left is a practice in the page's language that the filter describes.
    for href in hrefs:
        practice = search.practice_for_hit(href)
        if search.facet_heading != KOREAN.facet_heading:
            assert practice.kind == PracticeKind.COUNTERMEASURE
        else:
            assert "citizen-participation" in {topic.slug for topic in practice.topics.all()}

    if on_phone:
        fits_a_phone(page)
        screenshot(page, f"{shot}-filtered")
    else:
        screenshot(page.locator(".search-layout"), f"{shot}-filtered")

    # 3. The practice opens with its own title.
    expected = search.practice()
    page.locator(".search-hits").get_by_role("link", name=expected.title, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/{lang}/practices/{expected.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(expected.title)
    watch.lap("open practice")
    if on_phone:
        fits_a_phone(page)
    screenshot(page, f"{shot}-practice")
    watch.report()
    return expected


def test_official_searches_filters_and_opens_a_practice_in_english(
    seeded_site, browser_page, live_server
):
    official_finds_a_practice(browser_page, live_server.url, ENGLISH)


def test_official_searches_filters_and_opens_a_practice_in_korean(
    seeded_site, browser_page, live_server
):
    practice = official_finds_a_practice(browser_page, live_server.url, KOREAN)
    # The Korean page, not the English original it was translated from.
    expect(browser_page.locator("html")).to_have_attribute("lang", "ko")
    assert practice.title != practice.get_translation(Locale.get_default()).title


def test_official_searches_filters_and_opens_a_practice_in_spanish_and_arabic(
    seeded_site, browser_page, live_server
):
    for search in (SPANISH, ARABIC):  # one site for both: loading it is most of the time
        practice = official_finds_a_practice(browser_page, live_server.url, search)
        # Not translated yet: the English original, read with the interface in the
        # official's language, its own words marked as English.
        html = browser_page.locator("html")
        expect(html).to_have_attribute("lang", search.language)
        expect(html).to_have_attribute("dir", "rtl" if search.language == "ar" else "ltr")
        expect(browser_page.get_by_role("heading", level=1)).to_have_attribute("lang", "en")
        assert practice.locale.language_code == "en"
        expect(browser_page.locator(".original-language-notice")).to_be_visible()


def test_official_goes_from_home_to_a_practice_on_a_phone(
    seeded_site, chromium_browser, live_server
):
    # One site for the four languages: loading it is most of the test's time.
    for search in (ENGLISH, KOREAN, SPANISH, ARABIC):
        page = new_browser_page(chromium_browser, viewport=PHONE, is_mobile=True, has_touch=True)
        try:
            official_finds_a_practice(page, live_server.url, search, on_phone=True)
        finally:
            page.context.close()
