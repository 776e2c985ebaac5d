"""The indexing outbox: every change is recorded with the change, and reaches the engine."""

from __future__ import annotations

import io
from datetime import date, timedelta
from functools import partial

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Locale, PageViewRestriction

from home.models import HomePage
from home.site_structure import practice_index_for
from knowledge.models import (
    PracticeAttachment,
    PracticeIndexPage,
    PracticePage,
    SessionPage,
    SessionSummaryPage,
    TopicArea,
)
from search.documents import build_search_document, iter_search_documents
from search.engines.base import SearchRequest
from search.indexing import drain_index_outbox, index_status, reconcile_index
from search.models import IndexOutboxEntry
from sitedata.summit_programme import get_or_create_city
from tests.knowledge.factories import add_practice

embedded = pytest.importorskip("search.engines.embedded")


_add_practice = partial(add_practice, topics=("quarantine",))


def _outbox(page) -> list[tuple[str, str]]:
    return list(
        IndexOutboxEntry.objects.filter(document_id=f"page-{page.pk}").values_list(
            "document_id", "action"
        )
    )


def _titles(engine, query: str) -> list[str]:
    response = engine.search(SearchRequest(query=query, collapse_translations=False))
    return [hit.title for hit in response.hits]


@pytest.fixture
def index_page(summit):
    return practice_index_for(Locale.get_default())


@pytest.fixture
def engine(tmp_path):
    return embedded.EmbeddedEngine(tmp_path / "index")


@pytest.fixture
def seoul(summit):
    return get_or_create_city("Seoul", "KR")


# ---------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------


def test_practice_document_carries_plain_text_and_classification(index_page, seoul):
    practice = _add_practice(
        index_page,
        "Drive-through screening clinics",
        topics=("quarantine", "smart-city"),
        city=seoul,
        kind="countermeasure",
        started=date(2020, 2, 26),
        body=[
            ("heading", "How it works"),
            ("paragraph", "<p>Cars <b>drive</b> in &amp; out in ten minutes.</p>"),
        ],
    )

    document = build_search_document(practice)

    assert document.id == f"page-{practice.pk}"
    assert document.locale == "en"
    assert document.content_type == "practice"
    assert document.kind == "countermeasure"
    assert document.topics == ("quarantine", "smart-city")
    assert (document.city, document.country) == ("Seoul", "KR")
    assert document.started == date(2020, 2, 26)
    assert document.published == practice.last_published_at
    assert document.url == "/en/practices/drive-through-screening-clinics/"
    assert "How it works" in document.body
    assert "Cars drive in & out in ten minutes." in document.body
    assert "<" not in document.body


def test_korean_translation_names_its_city_in_english(index_page, seoul):
    practice = _add_practice(index_page, "Mask distribution", city=seoul)
    korean = practice.copy_for_translation(Locale.objects.get(language_code="ko")).specific
    korean.title = "공적 마스크 공급"
    korean.save_revision().publish()
    korean.refresh_from_db()

    document = build_search_document(korean)

    assert document.locale == "ko"
    assert document.translation_key == str(practice.translation_key)
    assert document.title == "공적 마스크 공급"
    assert document.city == "Seoul"


def test_drafts_private_pages_and_hidden_branches_have_no_document(index_page):
    draft = _add_practice(index_page, "Draft", publish=False)
    private = _add_practice(index_page, "Private")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    archive = PracticeIndexPage(title="Archive", slug="archive")
    HomePage.objects.get(locale=Locale.get_default()).add_child(instance=archive)
    archive.save_revision().publish()
    orphan = _add_practice(archive, "Orphan")
    archive.refresh_from_db()
    archive.unpublish()

    assert [build_search_document(page) for page in (draft, private, orphan)] == [None] * 3
    assert {document.title for document in iter_search_documents()}.isdisjoint(
        {"Draft", "Private", "Orphan"}
    )


def test_session_and_summary_documents(summit):
    session = SessionPage.objects.get(slug="municipal-health-officials-meeting")
    summary = SessionSummaryPage(
        title="What the health officials concluded",
        key_messages=[("message", "Test early and widely.")],
        full_summary="<p>Share <i>data</i>.</p>",
    )
    session.add_child(instance=summary)
    summary.save_revision().publish()

    session_document = build_search_document(session)
    summary_document = build_search_document(summary)

    assert session_document.content_type == "session"
    assert session_document.topics == (session.topic.slug,)
    assert session_document.started == session.start.date()
    assert summary_document.content_type == "session_summary"
    assert summary_document.topics == session_document.topics
    assert "Test early and widely." in summary_document.body
    assert "Share data." in summary_document.body


def test_listing_every_document_reads_a_fixed_number_of_queries(
    index_page, seoul, django_assert_max_num_queries
):
    for number in range(30):
        _add_practice(index_page, f"Practice {number}", city=seoul, topics=("quarantine",))

    with django_assert_max_num_queries(25):
        documents = list(iter_search_documents())

    assert sum(document.content_type == "practice" for document in documents) == 30
    assert sum(document.content_type == "session" for document in documents) == 15


# ---------------------------------------------------------------------------
# The outbox is written with the change
# ---------------------------------------------------------------------------


def test_publish_and_its_outbox_row_roll_back_together(index_page):
    with transaction.atomic():
        practice = _add_practice(index_page, "Rolled back")
        assert _outbox(practice) == [(f"page-{practice.pk}", "upsert")]
        transaction.set_rollback(True)

    assert not IndexOutboxEntry.objects.filter(document_id=f"page-{practice.pk}").exists()


def test_unpublish_delete_and_move_write_rows(index_page):
    practice = _add_practice(index_page, "Changing")
    IndexOutboxEntry.objects.all().delete()

    practice.unpublish()
    assert _outbox(practice) == [(f"page-{practice.pk}", "delete")]

    archive = PracticeIndexPage(title="Archive", slug="archive")
    HomePage.objects.get(locale=Locale.get_default()).add_child(instance=archive)
    IndexOutboxEntry.objects.all().delete()
    practice.move(archive, pos="last-child")
    assert _outbox(practice) == [(f"page-{practice.pk}", "upsert")]

    IndexOutboxEntry.objects.all().delete()
    page_id = practice.pk
    practice.delete()
    assert list(IndexOutboxEntry.objects.values_list("document_id", "action")) == [
        (f"page-{page_id}", "delete")
    ]


def test_unpublishing_a_parent_enqueues_its_branch(index_page):
    practice = _add_practice(index_page, "Under the index")
    IndexOutboxEntry.objects.all().delete()

    index_page.refresh_from_db()
    index_page.unpublish()

    assert _outbox(practice) == [(f"page-{practice.pk}", "delete")]


def test_privacy_change_enqueues_the_page_and_rolls_back_with_it(index_page):
    practice = _add_practice(index_page, "Soon private")
    IndexOutboxEntry.objects.all().delete()

    with transaction.atomic():
        restriction = PageViewRestriction.objects.create(
            page=practice, restriction_type=PageViewRestriction.LOGIN
        )
        assert _outbox(practice) == [(f"page-{practice.pk}", "upsert")]
        transaction.set_rollback(True)
    assert _outbox(practice) == []

    restriction = PageViewRestriction.objects.create(
        page=practice, restriction_type=PageViewRestriction.LOGIN
    )
    restriction.delete()
    assert len(_outbox(practice)) == 2


def test_changing_an_attached_document_enqueues_its_pages(index_page):
    document = get_document_model().objects.create(
        title="Report", file=ContentFile(b"text", name="report.txt")
    )
    practice = _add_practice(index_page, "With a report")
    PracticeAttachment.objects.create(page=practice, document=document)
    IndexOutboxEntry.objects.all().delete()

    document.title = "Report, second edition"
    document.save()

    assert _outbox(practice) == [(f"page-{practice.pk}", "upsert")]


# ---------------------------------------------------------------------------
# Draining into the real embedded engine
# ---------------------------------------------------------------------------


def test_drain_indexes_published_pages_and_removes_unpublished_ones(index_page, engine):
    practice = _add_practice(index_page, "Drive-through screening clinics")
    practice.save_revision().publish()  # a second row for the same page

    report = drain_index_outbox(engine=engine)

    assert report.ok and report.indexed >= 1
    assert "Drive-through screening clinics" in _titles(engine, "screening")
    assert not IndexOutboxEntry.objects.exists()

    practice.unpublish()
    drain_index_outbox(engine=engine)
    assert "Drive-through screening clinics" not in _titles(engine, "screening")

    practice.save_revision().publish()
    PageViewRestriction.objects.create(page=practice, restriction_type=PageViewRestriction.LOGIN)
    drain_index_outbox(engine=engine)
    assert "Drive-through screening clinics" not in _titles(engine, "screening")


def test_duplicate_rows_make_one_engine_write(index_page, engine):
    practice = _add_practice(index_page, "Often edited")
    IndexOutboxEntry.objects.all().delete()
    for _ in range(3):
        practice.save_revision().publish()

    report = drain_index_outbox(engine=engine)

    assert (report.rows, report.indexed, report.deleted) == (3, 1, 0)


def test_engine_outage_keeps_rows_with_backoff_then_recovers(index_page, engine, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    broken = embedded.EmbeddedEngine(blocker / "index")  # cannot be created: a file is in the way
    IndexOutboxEntry.objects.all().delete()
    practice = _add_practice(index_page, "Published during an outage")  # publishing succeeds

    report = drain_index_outbox(engine=broken)

    assert not report.ok and report.failed_rows == 1
    row = IndexOutboxEntry.objects.get(document_id=f"page-{practice.pk}")
    assert row.attempts == 1 and row.last_error
    assert row.next_attempt_at > timezone.now()
    # Not due yet: a second drain leaves it alone.
    assert drain_index_outbox(engine=engine).rows == 0

    drain_index_outbox(engine=broken)  # nothing due: attempts unchanged
    IndexOutboxEntry.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert drain_index_outbox(engine=broken).failed_rows == 1
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.next_attempt_at - timezone.now() > timedelta(seconds=8)  # the delay doubled

    IndexOutboxEntry.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert drain_index_outbox(engine=engine).ok
    assert "Published during an outage" in _titles(engine, "outage")
    assert not IndexOutboxEntry.objects.exists()


def test_reconcile_repairs_only_the_documents_that_drifted(index_page, engine):
    untouched = _add_practice(index_page, "Untouched practice")
    lost = _add_practice(index_page, "Lost practice")
    renamed = _add_practice(index_page, "Renamed practice")
    removed = _add_practice(index_page, "Removed practice")
    area = TopicArea.objects.get(slug="education", locale=Locale.get_default())
    engine.rebuild(iter_search_documents())
    before = engine.indexed_versions()
    # Drift the outbox never heard of:
    engine.delete([f"page-{lost.pk}"])  # (a) deleted behind the index's back
    PracticePage.objects.filter(pk=renamed.pk).update(title="Renamed in the database")  # (b)
    TopicArea.objects.filter(pk=area.pk).update(name="Schools")  # (b) for a topic area
    removed_id = f"page-{removed.pk}"
    removed.delete()  # (c) the page is gone, and its outbox row is lost
    IndexOutboxEntry.objects.all().delete()

    report = reconcile_index(engine=engine)

    assert report.indexed_missing == [f"page-{lost.pk}"]
    assert sorted(report.reindexed_stale) == sorted([f"page-{renamed.pk}", f"topic-{area.pk}"])
    assert report.deleted_extra == [removed_id]
    assert _titles(engine, "lost") == ["Lost practice"]
    assert _titles(engine, "renamed") == ["Renamed in the database"]
    assert "Schools" in _titles(engine, "schools")
    assert _titles(engine, "removed") == []
    after = engine.indexed_versions()
    assert after[f"page-{untouched.pk}"] == before[f"page-{untouched.pk}"]
    assert set(after) == {document.id for document in iter_search_documents()}


def test_reconcile_of_an_index_in_step_changes_nothing(index_page, engine):
    _add_practice(index_page, "In step")
    engine.rebuild(iter_search_documents())

    report = reconcile_index(engine=engine)

    assert (report.indexed_missing, report.reindexed_stale, report.deleted_extra) == ([], [], [])


def test_reconcile_fills_an_empty_index(index_page, engine):
    _add_practice(index_page, "First practice")
    expected = {document.id for document in iter_search_documents()}

    report = reconcile_index(engine=engine)

    assert set(report.indexed_missing) == expected
    assert set(engine.indexed_versions()) == expected


def test_status_reports_documents_backlog_and_oldest_row(index_page, engine):
    _add_practice(index_page, "Pending")

    status = index_status(engine=engine)

    assert status.health.ok
    assert status.documents == 0
    assert status.backlog >= 1
    assert status.oldest_pending_age is not None


def test_status_command_prints_the_backlog(index_page, settings, tmp_path):
    from search.engines.selection import get_engine

    settings.SEARCH_INDEX_DIR = tmp_path / "status-index"
    get_engine.cache_clear()
    try:
        out = io.StringIO()
        call_command("search_status", stdout=out)
    finally:
        get_engine.cache_clear()
    assert "Outbox backlog:" in out.getvalue()
    assert "Documents indexed: 0" in out.getvalue()


def test_moderators_see_the_index_status_in_the_admin(client, index_page, django_user_model):
    from django.contrib.auth.models import Group, Permission

    from editorial.roles import MODERATORS

    moderators, _ = Group.objects.get_or_create(name=MODERATORS)
    moderators.permissions.add(Permission.objects.get(codename="access_admin"))
    moderator = django_user_model.objects.create_user("moderator", password="x")
    moderator.groups.add(moderators)
    editor = django_user_model.objects.create_user("editor", password="x")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))

    client.force_login(editor)
    assert client.get("/admin/search-index/").status_code in (302, 403)
    client.force_login(moderator)
    response = client.get("/admin/search-index/")
    assert response.status_code == 200
    assert "Changes waiting to be indexed" in response.content.decode()


def test_draining_a_large_batch_reads_a_fixed_number_of_queries(
    index_page, seoul, engine, django_assert_max_num_queries
):
    for number in range(40):
        _add_practice(index_page, f"Batch practice {number}", city=seoul)

    with django_assert_max_num_queries(40):
        report = drain_index_outbox(batch_size=500, engine=engine)

    assert report.ok and report.indexed >= 40


def test_rebuild_and_reconcile_commands_fill_the_configured_index(index_page, settings, tmp_path):
    from search.engines.selection import get_engine

    practice = _add_practice(index_page, "Rebuilt practice")
    settings.SEARCH_INDEX_DIR = tmp_path / "command-index"
    get_engine.cache_clear()
    try:
        out = io.StringIO()
        call_command("search_rebuild", stdout=out)
        expected = len(list(iter_search_documents()))
        assert f"{expected} documents" in out.getvalue()
        call_command("search_reconcile", stdout=out)
        assert "Indexed 0 missing, reindexed 0 stale, removed 0 extra." in out.getvalue()
        assert get_engine().count() == expected

        get_engine().delete([f"page-{practice.pk}"])
        out = io.StringIO()
        # The progress bar goes to stderr: stdout keeps the report alone.
        call_command("search_reconcile", "--progress", stdout=out, verbosity=2)
        assert out.getvalue().splitlines() == [
            "Indexed 1 missing, reindexed 0 stale, removed 0 extra.",
            f"Missing: page-{practice.pk}",
        ]
        assert get_engine().count() == expected
    finally:
        get_engine.cache_clear()
