"""The site `make run` builds: every internal link on it answers, in every language."""

from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

MAX_PAGES = 1500
# Every address in English and Korean is followed; in the five other languages, whose pages
# are the same templates over mostly the same originals, the first addresses of each.
FULLY_CRAWLED = ("en", "ko")
PER_OTHER_LANGUAGE = 40


class LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "link"):
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def internal_links(html: str) -> list[str]:
    collector = LinkCollector()
    collector.feed(html)
    links = []
    for href in collector.links:
        href, _fragment = urldefrag(href)
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(("/admin/", "/static/")):
            continue
        links.append(href)
    return links


@pytest.fixture
def seeded_site(db):
    call_command("load_summit_2020", verbosity=0)
    call_command("load_demo_practices", verbosity=0)
    call_command("create_demo_accounts", "--force", verbosity=0)
    call_command("search_rebuild", verbosity=0)


def test_every_internal_link_of_the_seeded_site_answers_200(client, seeded_site, settings):
    # One client follows every "Download these results" link: far past the per-address limit
    # a visitor has (SEARCH_DOWNLOAD_RATE_LIMIT, tested in test_open_data_sets.py).
    settings.SEARCH_DOWNLOAD_RATE_LIMIT = ""
    queue = ["/en/", "/ko/"]
    seen = set(queue)
    statuses = {}
    per_language = Counter()
    languages = {code for code, _name in settings.LANGUAGES}
    while queue and len(statuses) < MAX_PAGES:
        url = queue.pop(0)
        language = url.split("/")[1]
        if language in languages and language not in FULLY_CRAWLED:
            per_language[language] += 1
            if per_language[language] > PER_OTHER_LANGUAGE:
                continue
        response = client.get(url)
        statuses[url] = response.status_code
        content_type = response.get("Content-Type", "")
        if response.status_code == 200 and content_type.startswith("text/html"):
            for link in internal_links(response.content.decode()):
                if link not in seen:
                    seen.add(link)
                    queue.append(link)

    broken = {url: status for url, status in statuses.items() if status != 200}
    assert broken == {}
    crawled = set(statuses)
    # The crawl reached every kind of page a visitor can: practices, the programme, the
    # sessions, topic and city pages and the open-data files, in both languages.
    for expected in (
        "/en/practices/",
        "/ko/practices/",
        "/en/summit-2020/",
        "/en/summit-2020/education/",
        "/en/topics/",
        "/en/topics/economy/",
        "/en/cities/seoul/",
        "/en/open-data/",
        "/open-data/practices.csv",
    ):
        assert expected in crawled, f"{expected} not linked from the site"
    print(f"crawled {len(crawled)} URLs")
    assert len(crawled) > 60
