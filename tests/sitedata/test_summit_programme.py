from datetime import datetime
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
    assert "Megacity Alliance Against Pandemic" in summit.declaration


@pytest.mark.parametrize(
    ("slug", "start", "end", "countries"),
    [
        ("pre-summit-everyday-life-quarantine", (1, 11, 0), (1, 12, 0), []),
        (
            "municipal-health-officials-meeting",
            (2, 13, 0),
            (2, 14, 30),
            ["US", "CN", "AT", "DE", "HK", "JP"],
        ),
        ("world-mayors-summit", (2, 22, 0), (2, 23, 30), []),
        ("public-transportation", (3, 21, 0), (3, 22, 30), ["CN", "GB", "SG"]),
        ("sports", (4, 17, 0), (4, 18, 30), ["TW", "US", "MY"]),
        ("smart-city", (5, 7, 45), (5, 9, 0), ["SG", "IT"]),
    ],
)
def test_sessions_keep_their_seoul_time_and_countries(summit, slug, start, end, countries):
    session = SessionPage.objects.get(slug=slug)
    day, hour, minute = start
    assert session.start == datetime(2020, 6, day, hour, minute, tzinfo=SEOUL)
    day, hour, minute = end
    assert session.end == datetime(2020, 6, day, hour, minute, tzinfo=SEOUL)
    assert [country.code for country in session.countries] == countries


def test_loading_twice_creates_nothing_new_and_keeps_editors_corrections(summit):
    session = SessionPage.objects.get(slug="discussion-session-uk-singapore")
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
