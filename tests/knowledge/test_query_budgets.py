"""Query budgets: every public page and API stays within one bound at 10 and 1,000 practices.

Each bound is a fixed constant per page, the same at both sizes: a listing that grows with the
site (an N+1, a list of every visible page's id) breaks it at 1,000 practices. The practices
are written as an import writes them (live pages with revisions, topics and a city), which is
much faster than one add_child and publish per page. `pytest -s` prints what was measured.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, CollectionViewRestriction, ReferenceIndex

from knowledge.models import (
    PracticePage,
    SessionPage,
    SessionSummaryPage,
    SummitPage,
    TopicArea,
)
from knowledge.public_media import (
    is_public_image,
    is_servable_document,
    public_documents,
    public_images,
)
from search.indexing import drain_index_outbox
from sitedata.practice_import.records import PracticeRecord
from sitedata.practice_import.writing import apply_practice_records
from tests.documents.factories import upload_document

pytestmark = pytest.mark.django_db


def practice_records(start: int, stop: int) -> list[PracticeRecord]:
    """Published English practices in two topic areas, from Seoul, as an import writes them."""
    return [
        PracticeRecord(
            line=number,
            slug=f"practice-{number}",
            locale="en",
            title=f"Practice {number}",
            summary=f"What practice {number} did",
            paragraphs=(f"How practice {number} worked.",),
            kind="countermeasure",
            topics=("quarantine", "smart-city"),
            city="Seoul",
            country="KR",
            started=None,
            ended=None,
            practice_status="",
            outcome="",
            target_group="",
            cost_band="",
            last_reviewed=None,
            source_url="",
            contact_name="",
            contact_organisation="",
            contact_email="",
            translation_of="",
            publish=True,
        )
        for number in range(start, stop)
    ]


def grow_to(practice_count: int, *, index_for_search: bool = True) -> None:
    """Import practices until there are `practice_count`, then index them for search."""
    existing = PracticePage.objects.count()
    apply_practice_records(practice_records(existing, practice_count))
    while index_for_search and drain_index_outbox(batch_size=500).rows:
        pass


@pytest.fixture
def world(summit):
    """The summit with a published session summary, a practice attaching a document and
    showing an image; practices are added by grow_to."""
    grow_to(1)
    first = PracticePage.objects.get(slug="practice-0")
    document = upload_document("Testing station guide", Collection.get_first_root_node())
    image = get_image_model().objects.create(title="Station photo", file=get_test_image_file())
    first.attachments.create(document=document)
    first.body = [("image", {"image": image, "alt_text": "A station", "caption": ""})]
    first.save_revision().publish()
    session = SessionPage.objects.filter(topic__slug="quarantine").first()
    summary = SessionSummaryPage.objects.child_of(session).first()
    if summary is None:
        summary = SessionSummaryPage(title=f"Summary of {session.title}", slug="summary")
        session.add_child(instance=summary)
        summary.save_revision().publish()
    ReferenceIndex.create_or_update_for_object(first)
    return {
        "practice": first,
        "document": document,
        "image": image,
        "summit": SummitPage.objects.get(),
        "session": session,
        "summary": summary,
    }


# The most queries each public page or API may make, whatever the number of practices.
# Listings are paginated (20 practices, 20 API items); the rest of each page is the header's
# navigation and language links, which do not depend on the content's size either.
BUDGETS = {
    "home": 70,
    "home, Korean": 80,
    "practice index": 72,
    "practice index, filtered, page 2": 75,
    "practice page": 60,
    "topic areas": 28,
    "topic area": 45,
    "topic area, Korean": 48,
    "topic area, page 2": 45,
    "city": 40,
    "city, Korean": 45,
    "compare": 40,
    "summit": 45,
    "session": 50,
    "session summary": 45,
    "practice page, read in Korean": 60,
    "search page": 35,
    "pages API": 20,
    "pages API, practices with every field": 22,
    "pages API, one practice": 22,
    "images API": 10,
    "documents API": 10,
    "search API": 6,
    "open data": 35,
}
# The open-data downloads stream every practice: a bounded number of queries per chunk.
DOWNLOAD_BASE = 20
DOWNLOAD_PER_CHUNK = 3
DOWNLOAD_CHUNK = 500  # sitedata.open_data.iter_public_practice_records
# is_servable_document and is_public_image: a constant, whatever the site's size.
FILE_CHECK_BUDGET = 4


def public_urls(world) -> dict[str, str]:
    practice = world["practice"]
    return {
        "home": "/en/",
        "home, Korean": "/ko/",
        "practice index": "/en/practices/",
        "practice index, filtered, page 2": (
            "/en/practices/?topic=quarantine&kind=countermeasure&city=seoul&page=2"
        ),
        "practice page": practice.url,
        "topic areas": "/en/topics/",
        "topic area": "/en/topics/quarantine/",
        "topic area, Korean": "/ko/topics/quarantine/",
        "topic area, page 2": "/en/topics/quarantine/?page=2",
        "city": "/en/cities/seoul/",
        "city, Korean": "/ko/cities/seoul/",
        "compare": "/en/compare/?topic=quarantine&cities=seoul",
        "summit": world["summit"].url,
        "session": world["session"].url,
        "session summary": world["summary"].url,
        "practice page, read in Korean": practice.url.replace("/en/", "/ko/", 1),
        "search page": "/en/search/?q=practice",
        "pages API": "/api/v2/pages/",
        "pages API, practices with every field": (
            "/api/v2/pages/?type=knowledge.PracticePage&fields=*"
        ),
        "pages API, one practice": f"/api/v2/pages/{practice.pk}/",
        "images API": "/api/v2/images/",
        "documents API": "/api/v2/documents/",
        "search API": "/api/v1/search/?q=practice",
        "open data": "/en/open-data/",
    }


DOWNLOADS = ["/open-data/practices.json", "/open-data/practices.csv"]


def fetch(client, url: str):
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return response


# Filled by the tests as they measure; printed with -s.
MEASURED: dict[str, dict[int, int]] = {}


def within_budget(client, django_assert_max_num_queries, name, url, budget, size) -> None:
    # Once first: a first visit does one-off work (an image's renditions, a file's size).
    fetch(client, url)
    with django_assert_max_num_queries(budget) as queries:
        fetch(client, url)
    MEASURED.setdefault(name, {})[size] = len(queries)


@pytest.fixture
def file_checks(world):
    """Each public-file check with an object and the answer expected of it."""
    private = Collection.get_first_root_node().add_child(name="Staff only")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN
    )
    private_image = get_image_model().objects.create(
        title="Private photo", file=get_test_image_file(), collection=private
    )
    unused_document = upload_document("Unused guide", Collection.get_first_root_node())
    return [
        (is_servable_document, world["document"], True),
        (is_servable_document, unused_document, False),
        (is_public_image, world["image"], True),
        (is_public_image, private_image, False),
    ]


def file_check_costs(checks) -> dict[tuple[str, str], int]:
    costs = {}
    for check, obj, expected in checks:
        with CaptureQueriesContext(connection) as queries:
            assert check(obj) is expected, (check.__name__, obj.title)
        costs[(check.__name__, obj.title)] = len(queries)
    return costs


def test_every_public_page_api_and_file_check_costs_as_much_at_10_as_at_1000_practices(
    client, world, file_checks, django_assert_max_num_queries
):
    # One test builds the 1,000 practices once, for the pages and the file checks alike.
    file_costs = {}
    for size in (10, 1000):
        grow_to(size)
        assert PracticePage.objects.live().count() == size
        for name, url in public_urls(world).items():
            within_budget(client, django_assert_max_num_queries, name, url, BUDGETS[name], size)
        chunks = -(-size // DOWNLOAD_CHUNK)
        for url in DOWNLOADS:
            budget = DOWNLOAD_BASE + DOWNLOAD_PER_CHUNK * chunks
            within_budget(client, django_assert_max_num_queries, url, url, budget, size)
        file_costs[size] = file_check_costs(file_checks)
    for name, counts in MEASURED.items():
        print(f"{name:45} {counts[10]:5} {counts[1000]:5}")
    assert file_costs[10] == file_costs[1000]
    assert max(file_costs[1000].values()) <= FILE_CHECK_BUDGET
    # The single-object checks agree with the listings the APIs serve.
    assert set(public_images()) == {world["image"]}
    assert set(public_documents()) == {world["document"]}


@pytest.fixture
def listed_practices(site_structure):
    """25 practices in two topic areas, from Seoul: two pages of the area's and the city's."""
    for number, slug in enumerate(("quarantine", "smart-city")):
        TopicArea.objects.create(slug=slug, name=slug.title(), sort_order=number)
    grow_to(25, index_for_search=False)
    return [
        practice.title
        for practice in PracticePage.objects.live().order_by(
            "-started", "-first_published_at", "pk"
        )
    ]


def practice_titles(content: str) -> list[str]:
    return re.findall(r">(Practice \d+)</a>", content)


LISTINGS = ("/en/topics/quarantine/", "/en/cities/seoul/", "/ko/topics/quarantine/")


def test_topic_and_city_pages_are_paginated(client, listed_practices):
    for base in LISTINGS:
        first = client.get(base).content.decode()
        second = client.get(f"{base}?page=2").content.decode()
        assert practice_titles(first) == listed_practices[:20], base
        assert practice_titles(second) == listed_practices[20:], base
        # Relative links: the path, with its language prefix, stays.
        assert 'href="?page=2#practices"' in first
        assert 'href="?#practices"' in second and "page=1" not in second
    tracked = client.get("/en/topics/quarantine/?utm_source=mail").content.decode()
    assert 'href="?utm_source=mail&amp;page=2#practices"' in tracked


HOSTILE_PAGE_VALUES = ["abc", "-1", "0", "99999", "1e9", "2.0", "%00", "1%002", "%C2%B2", "9" * 40]


def test_a_page_value_that_is_no_page_number_is_never_a_server_error(client, listed_practices):
    for base in (*LISTINGS, "/en/practices/", "/en/practices/?topic=quarantine&"):
        for value in HOSTILE_PAGE_VALUES:
            separator = "" if base.endswith("&") else "?"
            response = client.get(f"{base}{separator}page={value}")
            assert response.status_code == 200, (base, value)
            # The first page, or the last for a number past the end.
            assert practice_titles(response.content.decode()) in (
                listed_practices[:20],
                listed_practices[20:],
            ), (base, value)


def test_a_topic_area_with_more_sessions_than_listed_links_the_whole_programme(
    client, summit, monkeypatch
):
    import knowledge.cities
    import knowledge.topic_areas

    monkeypatch.setattr(knowledge.topic_areas, "SESSION_LIMIT", 1)
    monkeypatch.setattr(knowledge.cities, "SESSION_LIMIT", 1)
    busiest = (
        TopicArea.objects.annotate(session_count=Count("sessions"))
        .order_by("-session_count")
        .first()
    )
    assert busiest.session_count > 1
    content = client.get(f"/en/topics/{busiest.slug}/").content.decode()
    assert content.count('class="session"') == 1
    assert f'href="{summit.url}#programme"' in content
    assert "See every session in the summit programme" in content
