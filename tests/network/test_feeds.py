"""Atom feeds of new practices: all, per topic area, per city; public practices only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from wagtail.models import Locale, PageViewRestriction

from knowledge.models import PracticeIndexPage
from sitedata.summit_programme import get_or_create_city
from tests.knowledge.factories import add_practice

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def index(summit):
    return PracticeIndexPage.objects.get(locale=Locale.get_default())


def entries(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 (our own response)
    return [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]


def test_feeds_list_public_practices_by_topic_and_city(client, index):
    seoul, milan = get_or_create_city("Seoul", "KR"), get_or_create_city("Milan", "IT")
    add_practice(index, "Drive-through screening", topics=["quarantine"], city=seoul)
    add_practice(index, "Open Roads", topics=["public-transportation"], city=milan)
    add_practice(index, "A draft plan", topics=["quarantine"], city=seoul, publish=False)
    private = add_practice(index, "Members only", topics=["quarantine"], city=seoul)
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    assert set(entries(client, "/en/feeds/practices.atom")) == {
        "Drive-through screening",
        "Open Roads",
    }
    assert entries(client, "/en/feeds/topics/quarantine.atom") == ["Drive-through screening"]
    assert entries(client, "/en/feeds/cities/milan.atom") == ["Open Roads"]
    assert client.get("/en/feeds/topics/no-such-topic.atom").status_code == 404
    get_or_create_city("Busan", "KR")  # no public practice: no feed, as no page
    assert client.get("/en/feeds/cities/busan.atom").status_code == 404


def test_pages_advertise_their_feed(client, index):
    add_practice(
        index,
        "Open Roads",
        topics=["public-transportation"],
        city=get_or_create_city("Milan", "IT"),
    )
    home = client.get("/en/").content.decode()
    assert 'rel="alternate" type="application/atom+xml" href="/en/feeds/practices.atom"' in home
    city = client.get("/en/cities/milan/").content.decode()
    assert 'href="/en/feeds/cities/milan.atom"' in city
    topic = client.get("/en/topics/public-transportation/").content.decode()
    assert 'href="/en/feeds/topics/public-transportation.atom"' in topic


def test_a_summary_is_text_in_the_feed_not_markup(client, index):
    add_practice(index, "Masks", summary="<script>alert(1)</script> & more")
    feed = ET.fromstring(client.get("/en/feeds/practices.atom").content)  # noqa: S314
    [summary] = [entry.findtext(f"{ATOM}summary") for entry in feed.iter(f"{ATOM}entry")]
    # Escaped once more inside Atom's HTML summary: a reader shows the characters.
    assert summary == "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"
