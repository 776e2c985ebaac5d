"""The public site: every page answers, hidden pages stay hidden, and pages are accessible."""

from __future__ import annotations

from datetime import date, datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.views.defaults import server_error
from wagtail.models import Locale, PageViewRestriction

from home.models import HomePage
from home.site_structure import practice_index_for
from knowledge.models import (
    PracticeIndexPage,
    PracticePage,
    SessionPage,
    SessionSummaryPage,
)
from knowledge.session_times import session_times
from sitedata.summit_programme import get_or_create_city
from tests.knowledge.factories import add_practice
from tests.sitedata.expected import TOPIC_SLUGS

SEOUL = ZoneInfo("Asia/Seoul")
HIDDEN_TITLES = ["Draft drive-through", "Private drive-through", "Orphaned drive-through"]


@pytest.fixture
def practices(summit):
    """One public practice and three the public must never see, all in quarantine / Seoul."""
    index = practice_index_for(Locale.get_default())
    seoul = get_or_create_city("Seoul", "KR")
    public = add_practice(
        index,
        "Drive-through screening clinics",
        topics=["quarantine", "smart-city"],
        city=seoul,
        kind="countermeasure",
        started=date(2020, 2, 26),
        source_url="https://english.seoul.go.kr/",
        contact_email="cac@example.org",
    )
    draft = add_practice(index, HIDDEN_TITLES[0], topics=["quarantine"], city=seoul, publish=False)
    private = add_practice(index, HIDDEN_TITLES[1], topics=["quarantine"], city=seoul)
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    # A second index, taken down after a practice was published under it.
    archive = PracticeIndexPage(title="Archive", slug="archive")
    HomePage.objects.get(locale=Locale.get_default()).add_child(instance=archive)
    archive.save_revision().publish()
    orphan = add_practice(archive, HIDDEN_TITLES[2], topics=["quarantine"], city=seoul)
    archive.refresh_from_db()
    archive.unpublish()
    return {"public": public, "draft": draft, "private": private, "orphan": orphan}


class PageStructure(HTMLParser):
    """Headings, form controls, labels and external assets of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.controls: list[dict[str, str]] = []
        self.label_targets: set[str] = set()
        self.external_assets: list[str] = []
        self.landmarks: set[str] = set()
        self.ids: list[str] = []
        self.html_lang = ""

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        if tag == "html":
            self.html_lang = attributes.get("lang", "")
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append(int(tag[1]))
        if tag in {"header", "nav", "main", "footer"}:
            self.landmarks.add(tag)
        if tag in {"input", "select", "textarea"} and attributes.get("type") not in {
            "hidden",
            "submit",
            "button",
        }:
            self.controls.append(attributes)
        if tag == "label" and attributes.get("for"):
            self.label_targets.add(attributes["for"])
        if tag == "script" and attributes.get("src", "").startswith(("http:", "https:", "//")):
            self.external_assets.append(attributes["src"])
        # rel=alternate names the page in other languages; it loads nothing.
        if (
            tag == "link"
            and attributes.get("rel") != "alternate"
            and attributes.get("href", "").startswith(("http:", "https:", "//"))
        ):
            self.external_assets.append(attributes["href"])


def _structure(response) -> PageStructure:
    parser = PageStructure()
    parser.feed(response.content.decode())
    return parser


def _public_urls(practices) -> list[str]:
    urls = [
        "/en/",
        "/ko/",
        "/en/practices/",
        "/ko/practices/",
        "/en/practices/?topic=quarantine&kind=countermeasure&city=seoul",
        practices["public"].url,
        "/en/summit-2020/",
        "/en/topics/",
        "/ko/topics/",
        "/en/cities/seoul/",
        "/ko/cities/moscow/",
    ]
    urls += [session.url for session in SessionPage.objects.all()]
    urls += [f"/{lang}/topics/{slug}/" for slug in TOPIC_SLUGS for lang in ("en", "ko")]
    return urls


def test_every_public_page_answers(client, practices):
    answers = {url: client.get(url).status_code for url in _public_urls(practices)}
    assert {url: code for url, code in answers.items() if code != 200} == {}
    assert len(answers) == 11 + 15 + 20


def test_unknown_topic_city_and_page_give_the_not_found_page(client, practices):
    for url in ["/en/topics/no-such-area/", "/ko/cities/atlantis/", "/en/no-such-page/"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "404.html" in [template.name for template in response.templates], url


def test_draft_and_unpublished_branch_practices_are_not_served(client, practices):
    assert client.get(f"/en/practices/{practices['draft'].slug}/").status_code == 404
    assert client.get("/en/archive/").status_code == 404
    assert client.get(f"/en/archive/{practices['orphan'].slug}/").status_code == 404


def test_private_practice_sends_anonymous_visitors_to_log_in(client, practices):
    response = client.get(practices["private"].url)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_hidden_practices_are_listed_nowhere(client, practices):
    listing_urls = [
        "/en/",
        "/ko/",
        "/en/practices/",
        "/en/practices/?topic=quarantine",
        "/en/practices/?city=seoul",
        "/ko/practices/",
        "/en/cities/seoul/",
        "/ko/cities/seoul/",
    ] + [f"/{lang}/topics/quarantine/" for lang in ("en", "ko")]
    for url in listing_urls:
        content = client.get(url).content.decode()
        for title in HIDDEN_TITLES:
            assert title not in content, (title, url)
    # The public one shows where it belongs, so the check above is not vacuous.
    for url in ["/en/", "/en/practices/?topic=quarantine", "/en/topics/quarantine/"]:
        assert "Drive-through screening clinics" in client.get(url).content.decode(), url


@pytest.mark.parametrize(
    "query",
    [
        "?topic=<script>alert(1)</script>",
        "?page=abc",
        "?page=99999",
        "?page=-1",
        "?kind=x",
        "?city=%00",
        "?topic=" + "a" * 5000 + "&kind=" + "b" * 5000 + "&city=" + "c" * 5000,
        "?kind=countermeasure&kind=countermeasure&page=1&page=2",
    ],
)
def test_odd_query_strings_give_the_listing_not_an_error(client, practices, query):
    response = client.get("/en/practices/" + query)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "Drive-through screening clinics" in content


def test_filtered_listing_paginates_and_keeps_its_filter(client, practices, monkeypatch):
    index = practices["public"].get_parent()
    add_practice(index, "Subway disinfection", topics=["quarantine"], kind="countermeasure")
    monkeypatch.setattr(PracticeIndexPage, "page_size", 1)
    first = client.get("/en/practices/?kind=countermeasure").content.decode()
    assert "2 practices" in first
    assert 'href="/en/practices/?kind=countermeasure&amp;page=2"' in first
    second = client.get("/en/practices/?kind=countermeasure&page=2").content.decode()
    assert "Page 2 of 2" in second


def test_listings_filter_by_country_and_status_and_ignore_odd_values(client, practices):
    index = practices["public"].get_parent()
    milan = get_or_create_city("Milan", "IT")
    add_practice(index, "Open Roads", city=milan, practice_status="active")
    add_practice(
        index, "Mask rule", city=get_or_create_city("Seoul", "KR"), practice_status="ended"
    )

    def titles(query: str) -> set[str]:
        content = client.get("/en/practices/" + query).content.decode()
        return {
            title
            for title in ("Open Roads", "Mask rule", "Drive-through screening clinics")
            if title in content
        }

    assert titles("?country=IT") == {"Open Roads"}
    assert titles("?country=kr") == {"Mask rule", "Drive-through screening clinics"}
    assert titles("?status=ended") == {"Mask rule"}
    assert titles("?country=KR&status=active") == set()
    content = client.get("/en/practices/?country=IT&status=active").content.decode()
    assert '<option value="IT" selected>Italy</option>' in content
    assert "country=IT&amp;status=active" in content  # the download keeps the filter
    # Unknown values are ignored, as the other filters' are: everything is listed.
    for odd in ("?country=XX", "?country=%00", "?status=paused", "?country=" + "K" * 5000):
        assert client.get("/en/practices/" + odd).status_code == 200
        assert len(titles(odd)) == 3, odd
    # The search that downloads the listing asks for the same filters.
    assert "country=IT" in client.get("/en/practices/?country=IT").content.decode()


def test_no_results_message_when_the_filter_matches_nothing(client, practices):
    content = client.get("/en/practices/?topic=sports").content.decode()
    assert "No practices match these filters." in content


def test_programme_shows_pre_summit_session_in_kst_and_utc(client, summit):
    content = client.get(summit.url).content.decode()
    pre_summit = content.index("Everyday Life Quarantine")
    excerpt = content[pre_summit : pre_summit + 1200]
    assert '<time datetime="2020-06-01T02:00:00Z">11:00</time>' in excerpt
    assert "KST" in excerpt
    assert "02:00–03:00 UTC" in excerpt
    assert "Seoul Declaration" in content
    assert "/static/js/local-times.js" in content


def test_session_times_cross_midnight_in_utc():
    times = session_times(
        datetime(2020, 6, 4, 8, 0, tzinfo=SEOUL), datetime(2020, 6, 4, 9, 30, tzinfo=SEOUL)
    )
    assert times.kst_range == "08:00–09:30"
    assert times.utc_range == "23:00–00:30"
    assert times.start_iso == "2020-06-03T23:00:00Z"
    assert times.utc_day_differs


def test_session_page_shows_summary_only_once_published(client, summit):
    session = SessionPage.objects.get(slug="municipal-health-officials-meeting")
    content = client.get(session.url).content.decode()
    assert "The summary of this session has not been published yet." in content
    assert "Netherlands" in content  # country names come from django_countries

    summary = SessionSummaryPage(
        title="What the health officials concluded",
        live=False,
        key_messages=[("message", "Test early and widely.")],
        recommendations=[("recommendation", "Share data between cities.")],
    )
    session.add_child(instance=summary)
    summary.save_revision()  # a draft: still not public
    assert "Test early and widely." not in client.get(session.url).content.decode()

    summary.save_revision().publish()
    content = client.get(session.url).content.decode()
    assert "Test early and widely." in content
    assert "Share data between cities." in content
    assert "not been published yet" not in content
    assert client.get(summary.url).status_code == 200
    topic_page = client.get("/en/topics/quarantine/").content.decode()
    assert "What the health officials concluded" in topic_page


def test_korean_session_country_names_are_translated(client, summit):
    session = SessionPage.objects.get(slug="municipal-health-officials-meeting")
    with_korean = client.get(session.url, headers={"accept-language": "ko"})
    assert with_korean.status_code == 200
    # The page lives under /en/, so it is English whatever the browser asks for.
    assert "Netherlands" in with_korean.content.decode()


def test_topic_page_lists_only_that_areas_sessions(client, summit):
    content = client.get("/en/topics/education/").content.decode()
    assert "Discussion Session: Education" in content
    assert "Discussion Session: Culture" not in content
    assert "No practices have been published in this area yet." in content
    # The sessions exist in English only; the Korean page still lists them.
    assert "Discussion Session: Education" in client.get("/ko/topics/education/").content.decode()


def test_korean_listings_show_english_originals_until_a_translation_is_published(client, practices):
    public = practices["public"]
    korean_listings = ["/ko/", "/ko/practices/", "/ko/topics/quarantine/", "/ko/cities/seoul/"]
    for url in korean_listings:
        assert f">{public.title}</a>" in client.get(url).content.decode(), url

    translation = public.copy_for_translation(Locale.objects.get(language_code="ko"))
    translation.title = "드라이브 스루 선별진료소"
    translation.save_revision().publish()
    for url in korean_listings:
        content = client.get(url).content.decode()
        assert "드라이브 스루 선별진료소" in content, url
        assert f">{public.title}</a>" not in content, url  # the original is replaced
    english = client.get(public.url).content.decode()
    assert f'href="{translation.specific.url}" lang="ko"' in english


def test_city_page_lists_the_sessions_the_city_took_part_in(client, summit):
    content = client.get("/en/cities/moscow/").content.decode()
    assert "<h1>Moscow</h1>" in content
    assert "Russia" in content
    assert "World Mayors Summit" in content


def test_korean_home_falls_back_to_the_default_summit(client, summit):
    content = client.get("/ko/").content.decode()
    assert 'lang="ko"' in content
    assert "CAC Global Summit 2020" in content
    # Read under /ko/: the interface stays Korean (knowledge/reader_language.py).
    assert 'href="/ko/summit-2020/"' in content
    assert "방역·공중보건" in content  # topic areas in Korean


def test_language_switcher_links_to_the_translation_or_says_there_is_none(client, summit):
    topic_page = client.get("/en/topics/culture/").content.decode()
    assert 'href="/ko/topics/culture/" lang="ko"' in topic_page
    session = SessionPage.objects.get(slug="culture")
    session_page = client.get(session.url).content.decode()
    # No Korean session yet: the Korean link leads to the original under /ko/, marked as such.
    korean_url = session.url.replace("/en/", "/ko/", 1)
    assert (
        f'href="{korean_url}" lang="ko" dir="auto" class="language-switcher__untranslated"'
        in session_page
    )
    shown = client.get(korean_url)
    assert shown.status_code == 200
    assert '<meta name="robots" content="noindex, follow">' in shown.content.decode()
    assert f'<link rel="canonical" href="http://testserver{session.url}">' in shown.content.decode()


def test_pages_have_one_h1_ordered_headings_landmarks_lang_and_unique_ids(client, practices):
    for url in _public_urls(practices) + ["/en/no-such-page/"]:
        structure = _structure(client.get(url))
        assert structure.headings.count(1) == 1, url
        assert structure.headings[0] == 1, url
        skips = [
            (before, after)
            for before, after in zip(structure.headings, structure.headings[1:], strict=False)
            if after > before + 1
        ]
        assert skips == [], url
        assert {"header", "nav", "main", "footer"} <= structure.landmarks, url
        assert structure.html_lang in {"en", "ko"}, url
        assert structure.external_assets == [], url
        assert len(structure.ids) == len(set(structure.ids)), url


def test_every_form_control_has_a_label(client, practices):
    structure = _structure(client.get("/en/practices/?topic=quarantine"))
    # topic, kind, country, city, status, and the start-date range (from, to)
    assert len(structure.controls) == 7
    for control in structure.controls:
        assert control.get("id") in structure.label_targets or control.get("aria-label"), control


def test_server_error_page_needs_no_context_processors_or_database():
    response = server_error(RequestFactory().get("/en/"))
    assert response.status_code == 500
    content = response.content.decode()
    assert "Something went wrong" in content
    assert content.count("<h1>") == 1
    assert "Something went wrong" in render_to_string("500.html")


def test_untranslated_items_in_a_korean_listing_declare_their_language(client, summit):
    from django.core.management import call_command

    call_command("load_demo_practices", verbosity=0)

    html = client.get("/ko/practices/").content.decode()

    assert 'lang="en"' in html  # English originals without a Korean translation
    assert html.count('<li class="card" lang="en">') < html.count('<li class="card"')


def test_a_city_known_only_from_drafts_has_no_public_page(client, summit):
    city = get_or_create_city("Atlantis", "GR")
    index = PracticeIndexPage.objects.get(locale__language_code="en")
    draft = PracticePage(title="Sunken draft", slug="sunken-draft", city=city)
    index.add_child(instance=draft)
    draft.save_revision()
    draft.unpublish()

    assert client.get("/en/cities/atlantis/").status_code == 404
