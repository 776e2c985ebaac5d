"""The search query log and the editors' report on it: what visitors look for, never who."""

from __future__ import annotations

import json
import logging
import re
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale

from editorial.roles import ensure_editorial_roles
from home.site_structure import practice_index_for
from knowledge.models import PracticePage
from search.documents import iter_search_documents
from search.engines.selection import get_engine
from search.models import SearchQueryDay
from search.service import record_search
from tests.services import require_postgresql

pytest.importorskip("search.engines.embedded")

WORD = "zucchiniwaffle"  # a word no summit content contains
NOTHING = "quixoticplumbus"  # a word no content contains at all


@pytest.fixture
def searchable(site_structure):
    practice = PracticePage(
        title="Drive-through screening clinics",
        summary="Cars drive in.",
        body=json.dumps([{"type": "paragraph", "value": f"<p>A {WORD} test.</p>"}]),
    )
    practice_index_for(Locale.get_default()).add_child(instance=practice)
    practice.save_revision().publish()
    get_engine().rebuild(iter_search_documents())
    return practice


def _logged() -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (row.query, row.language): (row.searches, row.zero_result_searches)
        for row in SearchQueryDay.objects.filter(day=timezone.localdate())
    }


def test_page_and_api_searches_are_counted_per_query_and_language(client, searchable):
    client.get("/en/search/", {"q": WORD})
    client.get("/en/search/", {"q": f"  {WORD.upper()} "})  # the same query, normalized
    client.get("/en/search/", {"q": NOTHING})
    client.get("/ko/search/", {"q": WORD})
    client.get("/api/v1/search/", {"q": WORD, "lang": "en"})
    client.get("/api/v1/search/", {"q": NOTHING, "lang": "ko"})

    assert _logged() == {
        (WORD, "en"): (3, 0),
        (NOTHING, "en"): (1, 1),
        (WORD, "ko"): (1, 0),
        (NOTHING, "ko"): (1, 1),
    }


def test_counts_add_up_on_the_same_day_row(client, searchable):
    for _ in range(3):
        client.get("/en/search/", {"q": NOTHING})

    row = SearchQueryDay.objects.get(query=NOTHING, language="en")
    assert (row.searches, row.zero_result_searches, row.day) == (3, 3, timezone.localdate())


def test_paging_autocomplete_and_blank_queries_are_not_counted(client, searchable):
    client.get("/en/search/", {"q": WORD, "page": 2})
    client.get("/api/v1/search/", {"q": WORD, "page": 3})
    client.get("/api/v1/search/suggest", {"q": "Driv"})
    client.get("/en/search/", {"q": "   "})
    client.get("/en/search/")

    assert not SearchQueryDay.objects.exists()


def test_log_holds_no_personal_data(client, searchable):
    fields = {field.name for field in SearchQueryDay._meta.get_fields()}
    assert fields == {"id", "query", "language", "day", "searches", "zero_result_searches"}
    assert SearchQueryDay._meta.get_field("day").get_internal_type() == "DateField"

    client.get("/en/search/", {"q": "jane.doe@example.org"})
    client.get("/en/search/", {"q": "call me on 010-1234-5678"})
    client.get("/api/v1/search/", {"q": "+82 2 123 4567"})
    client.get("/en/search/", {"q": "covid 19 clinics"})

    assert list(SearchQueryDay.objects.values_list("query", flat=True)) == ["covid 19 clinics"]


def test_a_failing_log_never_breaks_the_search(client, searchable, caplog):
    table = SearchQueryDay._meta.db_table
    with connection.cursor() as cursor:  # undone with the test's transaction
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_gone")

    with caplog.at_level(logging.ERROR, logger="search.service"):
        page = client.get("/en/search/", {"q": WORD})
        api = client.get("/api/v1/search/", {"q": WORD})

    assert page.status_code == 200
    assert "Drive-through screening clinics" in page.content.decode()
    assert api.status_code == 200
    assert api.json()["total"] == 1
    assert "could not record a search" in caplog.text


def test_searches_are_counted_in_memory_and_written_together(client, searchable, settings):
    """With a flush interval, a search makes no write of its own: the counts wait in the
    process and go to the database in one batch."""
    from search.service import flush_query_log

    settings.SEARCH_QUERY_LOG_FLUSH_SECONDS = 3600  # the thread waits; the test flushes
    flush_query_log()  # the interval starts now
    for _ in range(3):
        assert client.get("/api/v1/search/", {"q": WORD}).status_code == 200
    client.get("/ko/search/", {"q": NOTHING})
    assert not SearchQueryDay.objects.exists()

    flush_query_log()
    rows = {
        (row.query, row.language): (row.searches, row.zero_result_searches)
        for row in SearchQueryDay.objects.all()
    }
    assert rows == {(WORD, "en"): (3, 0), (NOTHING, "ko"): (1, 1)}
    flush_query_log()  # nothing is written twice
    assert SearchQueryDay.objects.get(query=WORD).searches == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_process_writes_its_counts_by_itself_within_the_interval(settings):
    """The writing thread: started by the first search, it writes without being asked."""
    import time

    settings.SEARCH_QUERY_LOG_FLUSH_SECONDS = 0.2
    record_search("Contact Tracing", "en", found=True)
    deadline = time.monotonic() + 30
    while not SearchQueryDay.objects.filter(query="contact tracing").exists():
        assert time.monotonic() < deadline, "the counts were never written"
        time.sleep(0.1)
    assert SearchQueryDay.objects.get(query="contact tracing").searches == 1


# ---------------------------------------------------------------------------
# The report in the admin
# ---------------------------------------------------------------------------

User = get_user_model()


@pytest.fixture
def roles(site_structure):
    return ensure_editorial_roles()


def _user(username: str, *groups):
    user = User.objects.create_user(username=username, password="not-used")  # noqa: S106
    user.groups.add(*groups)
    return user


@pytest.fixture
def logged_queries(db):
    today = timezone.localdate()
    for query, language, days_ago, searches, zero in (
        ("quarantine", "en", 0, 40, 0),
        ("quarantine", "en", 3, 2, 0),
        ("mask rules", "en", 1, 9, 0),
        ("교통", "ko", 2, 7, 7),
        ("tracing app", "en", 5, 4, 4),
        ("ancient query", "en", 45, 500, 500),
    ):
        SearchQueryDay.objects.create(
            query=query,
            language=language,
            day=today - timedelta(days=days_ago),
            searches=searches,
            zero_result_searches=zero,
        )


def _rows(html: str, *queries: str) -> list[str]:
    """The queries that appear in the report, in the order they appear."""
    cells = re.sub(r"\s*(<|>)\s*", r"\1", html)
    found = [(cells.find(f"<td>{query}</td>"), query) for query in queries]
    return [query for position, query in sorted(found) if position >= 0]


ALL = ("quarantine", "mask rules", "교통", "tracing app", "ancient query")


def test_editor_sees_top_queries_of_the_last_30_days_with_counts(client, roles, logged_queries):
    client.force_login(_user("editor", roles.editors))

    response = client.get(reverse("search_query_report"))

    assert response.status_code == 200
    html = response.content.decode()
    # Most searched first; the 45-day-old query is outside the default period.
    assert _rows(html, *ALL) == ["quarantine", "mask rules", "교통", "tracing app"]
    assert "<td>42</td>" in re.sub(r"\s*(<|>)\s*", r"\1", html)  # quarantine's two days summed


def test_editor_lists_queries_that_found_nothing_per_language(client, roles, logged_queries):
    client.force_login(_user("editor", roles.editors))
    url = reverse("search_query_report")

    zero = client.get(url, {"show": "nothing_found", "period": "7"}).content.decode()
    korean = client.get(url, {"language": "ko"}).content.decode()
    longer = client.get(url, {"period": "90", "show": "nothing_found"}).content.decode()

    assert _rows(zero, *ALL) == ["교통", "tracing app"]
    assert _rows(korean, *ALL) == ["교통"]
    assert _rows(longer, *ALL) == ["ancient query", "교통", "tracing app"]


def test_report_is_in_the_reports_menu_for_moderators(client, roles, logged_queries):
    client.force_login(_user("moderator", roles.moderators))

    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    report = client.get(reverse("search_query_report"), {"export": "csv"})

    assert reverse("search_query_report") in dashboard
    assert report.status_code == 200
    assert "quarantine" in b"".join(report.streaming_content).decode()


def test_rapporteur_cannot_see_the_search_query_report(client, roles, logged_queries):
    rapporteur = _user("rapporteur", roles.rapporteurs)
    client.force_login(rapporteur)

    report = client.get(reverse("search_query_report"))
    results = client.get(reverse("search_query_report_results"))
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()

    # Wagtail's admin turns the refusal into a redirect to the dashboard with a message.
    for refused in (report, results):
        assert refused.status_code in (302, 403)
        assert "quarantine" not in refused.content.decode()
    assert reverse("search_query_report") not in dashboard


# serialized_rollback, as every committing test here: a plain flush lets post_migrate
# recreate content types, and the next test that restores the database would collide.
@pytest.mark.services  # needs PostgreSQL: the SQLite pass of .ci/run deselects it
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_searches_lose_no_count():
    """Many first searches of a new query at once: exactly one row, every search counted."""
    require_postgresql()  # SQLite serializes writers; the race needs real concurrency
    searches_per_thread, threads = 5, 8
    start = threading.Barrier(threads)

    def search_many(found: bool) -> None:
        try:
            start.wait()
            for _ in range(searches_per_thread):
                record_search("Contact Tracing", "en", found=found)
        finally:
            connection.close()

    workers = [
        threading.Thread(target=search_many, args=(index % 2 == 0,)) for index in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    row = SearchQueryDay.objects.get()
    assert row.query == "contact tracing"
    assert row.searches == searches_per_thread * threads
    assert row.zero_result_searches == searches_per_thread * threads // 2


@pytest.mark.django_db
def test_the_log_forgets_days_older_than_its_retention(settings):
    from search.tasks import prune_query_log_task

    settings.SEARCH_QUERY_LOG_DAYS = 30
    today = timezone.localdate()
    SearchQueryDay.objects.create(query="masks", language="en", day=today, searches=3)
    SearchQueryDay.objects.create(
        query="masks", language="en", day=today - timedelta(days=31), searches=5
    )
    assert prune_query_log_task.apply().get() == 1  # run here, whatever the broker
    assert list(SearchQueryDay.objects.values_list("day", "searches")) == [(today, 3)]
