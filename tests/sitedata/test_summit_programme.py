from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from knowledge.models import SessionPage, SummitPage, TopicArea
from tests.sitedata.expected import TOPIC_SLUGS

SEOUL = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db


def test_load_summit_2020_creates_the_ten_areas_and_fifteen_sessions(summit):
    assert sorted(
        TopicArea.objects.filter(locale__language_code="en").values_list("slug", flat=True)
    ) == sorted(TOPIC_SLUGS)
    assert TopicArea.objects.get(slug="education", locale__language_code="ko").name == "교육"
    sessions = SessionPage.objects.child_of(summit).live()
    assert sessions.count() == 15
    assert summit.start_date.isoformat() == "2020-06-01"
    assert summit.declaration_title == "The Seoul Statement"
    # The release's name for the alliance and the one used on the day are both kept.
    assert "Megacity Alliance Against Pandemic" in summit.declaration
    assert "Cities Alliance Against Pandemic" in summit.declaration


# The dates that reports of the day give, not the press release's flattened table
# (docs/content-research/summit-facts.md, section 0).
@pytest.mark.parametrize(
    ("slug", "start", "end", "countries"),
    [
        ("pre-summit-everyday-life-quarantine", (1, 11, 0), (1, 12, 0), ["RU", "GB", "NP"]),
        ("world-mayors-summit", (2, 22, 0), (2, 23, 30), ["KR", "GB", "US", "ID", "RU"]),
        ("climate-environment", (3, 9, 30), (3, 11, 10), ["KR", "US", "GB"]),
        (
            "municipal-health-officials-meeting",
            (3, 13, 0),
            (3, 14, 30),
            ["KR", "US", "NL", "CN", "CA"],
        ),
        ("welfare", (4, 18, 0), (4, 19, 30), ["KR", "GB", "SG"]),
        ("public-transportation", (4, 21, 0), (4, 22, 30), ["CN", "GB", "SG"]),
        ("sports", (5, 17, 0), (5, 18, 30), ["KR", "TW", "US"]),
        ("smart-city", (5, 7, 45), (5, 9, 0), ["KR", "SG", "IT", "TW"]),
    ],
)
def test_sessions_keep_their_seoul_time_and_countries(summit, slug, start, end, countries):
    session = SessionPage.objects.get(slug=slug)
    day, hour, minute = start
    assert session.start == datetime(2020, 6, day, hour, minute, tzinfo=SEOUL)
    day, hour, minute = end
    assert session.end == datetime(2020, 6, day, hour, minute, tzinfo=SEOUL)
    assert [country.code for country in session.countries] == countries


def test_every_session_names_its_sources_and_a_topic_where_reports_name_one(summit):
    for session in SessionPage.objects.child_of(summit):
        sources = [block.value for block in session.sources]
        assert sources, session.slug
        for source in sources:
            assert urlsplit(source["url"]).path.strip("/"), (session.slug, source["url"])
            assert source["title"].strip(), session.slug
        assert "not named" not in session.title, session.slug
    welfare = SessionPage.objects.get(slug="welfare")
    assert welfare.title == "Discussion Session: Welfare"
    assert "Lena Dominelli" in [block.value["name"] for block in welfare.speakers]
    assert [block.value["url"] for block in summit.sources]


def test_sessions_show_their_outcomes_speakers_recording_and_sources(summit, client):
    mayors = SessionPage.objects.get(slug="world-mayors-summit")
    page = client.get(mayors.url).content.decode()
    assert "Outcomes" in page and "Seoul Statement" in page
    assert "Sadiq Khan" in page and "Anies Baswedan" in page
    assert 'href="https://english.seoul.go.kr/global-organization-for-joint-' in page

    education = SessionPage.objects.get(slug="education")
    page = client.get(education.url).content.decode()
    assert 'href="https://youtu.be/46yU-Kx_Xl4"' in page

    page = client.get(summit.url).content.decode()
    assert 'id="sources"' in page and "The Seoul Statement" in page


def test_a_session_renamed_in_the_data_file_keeps_its_page(summit):
    welfare = SessionPage.objects.get(slug="welfare")
    welfare.slug = "discussion-session-uk-singapore"
    welfare.title = "Discussion Session (topic not named in the release)"
    welfare.save_revision().publish()

    call_command("load_summit_2020", "--update", verbosity=0)

    assert SessionPage.objects.child_of(summit).count() == 15
    welfare.refresh_from_db()
    assert (welfare.slug, welfare.title) == ("welfare", "Discussion Session: Welfare")


def test_loading_twice_creates_nothing_new_and_keeps_editors_corrections(summit):
    session = SessionPage.objects.get(slug="welfare")
    session.title = "Discussion Session: Urban Resilience"
    session.save_revision().publish()
    pages_before = SessionPage.objects.count()
    revisions_before = session.revisions.count()

    call_command("load_summit_2020", verbosity=0)

    assert SessionPage.objects.count() == pages_before
    assert SummitPage.objects.count() == 1
    session.refresh_from_db()
    assert session.title == "Discussion Session: Urban Resilience"
    assert session.revisions.count() == revisions_before


def test_update_resets_pages_to_the_data_file(summit):
    session = SessionPage.objects.get(slug="culture")
    session.title = "Wrong title"
    session.save_revision().publish()

    call_command("load_summit_2020", "--update", verbosity=0)

    session.refresh_from_db()
    assert session.title == "Discussion Session: Culture"


def test_reloading_keeps_the_operators_site_hostname(summit):
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "cac.seoul.example", 443
    site.save()

    call_command("load_summit_2020", verbosity=0)

    site.refresh_from_db()
    assert (site.hostname, site.port) == ("cac.seoul.example", 443)
    assert site.root_page.specific_class.__name__ == "HomePage"
