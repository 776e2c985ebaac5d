"""Importing practices from JSON Lines: all or nothing, idempotent, translations, drafts."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.embeds.blocks import EmbedValue
from wagtail.models import Locale, Page, Revision

from home.site_structure import ensure_site_structure
from knowledge.models import City, PracticePage, RelatedPractice
from sitedata.demo_practices import load_demo_practices
from sitedata.import_limits import read_lines
from sitedata.open_data import paragraphs_from_body
from sitedata.practice_import import (
    InvalidPracticeFile,
    apply_practice_records,
    validate_practice_lines,
)
from sitedata.summit_programme import LoadReport, load_topic_areas, read_programme
from tests.sitedata.records import practice


@pytest.fixture
def topic_areas(db):
    """The site structure and the ten topic areas, as `make run` sets them up."""
    ensure_site_structure()
    load_topic_areas(read_programme()["topics"], LoadReport())


def write_lines(path: Path, *lines: dict | str) -> Path:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def import_file(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_practices", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def import_errors(path: Path, *args: str) -> list[str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_practices", str(path), *args, stdout=io.StringIO(), stderr=err)
    assert raised.value.returncode == 1
    return err.getvalue().splitlines()


def live_practice(slug: str, locale: str = "en") -> PracticePage:
    return PracticePage.objects.get(slug=slug, locale__language_code=locale)


def test_valid_file_creates_live_practices_with_all_their_fields(topic_areas, tmp_path):
    path = write_lines(
        tmp_path / "p.jsonl",
        practice(),
        practice(slug="mask-making", city="Milan", country="IT", kind="case_study"),
    )

    output = import_file(path)

    assert "2 created" in output
    page = live_practice("drive-through-screening")
    assert page.live and not page.has_unpublished_changes
    assert page.title == "Drive-through screening clinics"
    assert page.summary == "Testing people in their cars."
    assert [block.block_type for block in page.body] == ["paragraph", "paragraph"]
    assert paragraphs_from_body(page.body) == [
        "People stay in their car.",
        "A sample takes a few minutes.",
    ]
    assert page.kind == "countermeasure"
    assert page.topic_slugs == ["quarantine"]
    assert (page.city.name, page.city.country.code) == ("Seoul", "KR")
    assert str(page.started) == "2020-03-03"
    assert page.contact_email == "kim@example.org"
    assert page.live_revision == page.latest_revision
    assert Revision.page_revisions.filter(object_id=str(page.pk)).count() == 1
    assert page.get_parent().specific.__class__.__name__ == "PracticeIndexPage"
    milan = City.objects.get(slug="milan")
    assert milan.country.code == "IT"


def test_the_structured_fields_are_imported_shown_and_exported(topic_areas, tmp_path, client):
    fields = {
        "ended": "2020-12-31",
        "practice_status": "ended",
        "outcome": "Some 30,000 people tested in the first month.",
        "target_group": "People with symptoms",
        "cost_band": "medium",
        "last_reviewed": "2026-12-01",
    }
    import_file(write_lines(tmp_path / "p.jsonl", practice(**fields)))

    page = live_practice("drive-through-screening")
    assert (str(page.ended), page.practice_status, page.cost_band) == (
        "2020-12-31",
        "ended",
        "medium",
    )
    assert (page.outcome, page.target_group) == (fields["outcome"], fields["target_group"])
    html = client.get(page.url).content.decode()
    for shown in ("Ended", "US$100,000 to 1 million", fields["outcome"], fields["target_group"]):
        assert shown in html
    exported = json.loads(
        b"".join(client.get("/open-data/practices.json").streaming_content).decode()
    )
    assert {key: exported[key] for key in fields} == fields
    assert exported["contact"] == {"name": "Kim", "organisation": page.contact_organisation}


def test_imported_practices_leave_the_page_tree_consistent(topic_areas, tmp_path):
    lines = [practice(slug=f"practice-{n}") for n in range(12)]
    lines.append(practice(slug="practice-1", locale="ko", translation_of="practice-1"))
    import_file(write_lines(tmp_path / "p.jsonl", *lines))
    import_file(write_lines(tmp_path / "q.jsonl", practice(slug="one-more")))

    assert Page.find_problems() == ([], [], [], [], [])
    english_index = live_practice("practice-0").get_parent()
    assert english_index.numchild == english_index.get_children().count() == 13
    paths = list(PracticePage.objects.order_by("path").values_list("slug", flat=True))
    assert paths[:3] == ["practice-0", "practice-1", "practice-2"]


def test_imported_practice_is_served_and_searchable_in_the_admin_index(
    topic_areas, tmp_path, client
):
    import_file(write_lines(tmp_path / "p.jsonl", practice()))
    page = live_practice("drive-through-screening")

    assert client.get(page.url).status_code == 200
    assert PracticePage.objects.search("drive-through").count() == 1


def test_every_bad_line_is_reported_and_nothing_is_written(topic_areas, tmp_path):
    cities_before = City.objects.count()
    path = write_lines(
        tmp_path / "bad.jsonl",
        practice(slug="good-one"),
        "{not json",
        practice(slug="no-title", title=None),
        {**practice(slug="extra"), "colour": "red"},
        practice(slug="Bad Slug!"),
        practice(slug="wrong-locale", locale="de"),
        practice(slug="wrong-kind", kind="poster"),
        practice(slug="wrong-topic", topics=["astrology"]),
        practice(slug="wrong-country", country="XX", city="Atlantis"),
        practice(slug="wrong-date", started="03/03/2020"),
        practice(slug="wrong-email", contact={"email": "not-an-address"}),
        practice(slug="good-one"),
        practice(slug="orphan", locale="ko", translation_of="nowhere"),
        "[1, 2]",
        practice(slug="not-a-list", topics="quarantine"),
        practice(slug="nul", summary="a\u0000b"),
    )

    reported = import_errors(path)
    errors = "\n".join(reported)

    assert "line 2: invalid JSON" in errors
    assert "line 3: missing required key(s): title" in errors
    assert "line 4: unknown key(s): colour" in errors
    assert "line 5: slug 'Bad Slug!'" in errors
    assert "line 6: locale 'de' is not one of: en, ko, " in errors
    assert "line 7: kind 'poster'" in errors
    assert "line 8: unknown topic area(s): astrology" in errors
    assert "line 9: country 'XX'" in errors
    assert "line 10: started '03/03/2020'" in errors
    assert "line 11: contact email 'not-an-address'" in errors
    assert "line 12: duplicate of line 1" in errors
    assert "line 13: translation_of 'nowhere'" in errors
    assert "line 14: expected a JSON object" in errors
    assert "line 15: topics must be a non-empty list" in errors
    assert "line 16: summary contains a NUL character" in errors
    assert not [line for line in reported if line.startswith("line 1:")]
    assert PracticePage.objects.count() == 0
    assert City.objects.count() == cities_before


def test_a_bad_last_line_stops_the_whole_import(topic_areas, tmp_path):
    lines = [practice(slug=f"practice-{n}") for n in range(20)]
    path = write_lines(tmp_path / "p.jsonl", *lines, practice(slug="last", kind="unknown"))

    errors = import_errors(path)

    assert errors == [
        "line 21: kind 'unknown' is not one of: "
        + ", ".join(
            ["countermeasure", "case_study", "guideline", "briefing_note", "dataset", "news"]
        )
    ]
    assert PracticePage.objects.count() == 0
    assert not City.objects.filter(slug="seoul").exists()


def test_an_invalid_file_fails_the_command_with_status_1(topic_areas, tmp_path):
    # CommandError.returncode is the process exit status manage.py ends with.
    path = write_lines(tmp_path / "p.jsonl", practice(), "oops")
    err = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_practices", str(path), stdout=io.StringIO(), stderr=err)

    assert raised.value.returncode == 1
    assert "1 problem(s)" in str(raised.value)
    assert "nothing was imported" in str(raised.value)
    assert err.getvalue().splitlines() == ["line 2: invalid JSON: Expecting value (column 1)"]
    assert PracticePage.objects.count() == 0


def test_json_that_python_cannot_read_is_a_line_error_not_a_crash(topic_areas, tmp_path):
    path = write_lines(
        tmp_path / "p.jsonl",
        practice(),
        "[" * 100_000 + "]" * 100_000,
        '{"slug": "deep", "topics": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"slug": "huge", "started": ' + "9" * 5000 + "}",
    )

    assert import_errors(path) == [
        "line 2: invalid JSON: too deeply nested",
        "line 3: invalid JSON: too deeply nested",
        "line 4: invalid JSON: Exceeds the limit (4300 digits) for integer string conversion",
    ]
    assert PracticePage.objects.count() == 0


@pytest.mark.parametrize("args", [(), ("--dry-run",)], ids=["import", "dry-run"])
def test_text_that_is_not_valid_unicode_is_refused_by_a_dry_run_and_an_import(
    topic_areas, tmp_path, args
):
    # json.dumps writes a lone surrogate as the escape "\ud800", which JSON allows.
    path = write_lines(
        tmp_path / "p.jsonl",
        practice(title="\ud800"),
        practice(slug="contact", contact={"name": "Kim \udc00"}),
        practice(slug="topics", topics=["quarantine", "\udfff"]),
        {**practice(slug="key"), "\ud800": "x"},
        practice(slug="fine"),
    )

    assert import_errors(path, *args) == [
        "line 1: title contains text that is not valid Unicode",
        "line 2: contact contains text that is not valid Unicode",
        "line 3: topics contains text that is not valid Unicode",
        "line 4: a key contains text that is not valid Unicode",
    ]
    assert PracticePage.objects.count() == 0


def test_a_body_or_summary_over_its_limit_is_refused_with_the_limit_and_nothing_written(
    topic_areas, tmp_path
):
    path = write_lines(
        tmp_path / "p.jsonl",
        practice(),
        practice(slug="long-body", body="word " * 40_001),  # 200,005 characters, stripped
        practice(slug="long-summary", summary="s" * 5_001),
        practice(slug="at-the-limits", body="b" * 200_000, summary="s" * 5_000),
    )

    assert import_errors(path) == [
        "line 2: body is longer than 200000 characters",
        "line 3: summary is longer than 5000 characters",
    ]
    assert PracticePage.objects.count() == 0


def test_the_import_limits_come_from_settings(topic_areas, tmp_path, settings):
    settings.IMPORT_MAX_BODY_CHARS = 100
    settings.IMPORT_MAX_SUMMARY_CHARS = 10
    settings.IMPORT_MAX_LINE_BYTES = 1_000
    path = write_lines(
        tmp_path / "p.jsonl",
        practice(summary="short", body="b" * 100),
        practice(slug="long-body", summary="short", body="b" * 101),
        practice(slug="long-summary", summary="s" * 11, body="b"),
        practice(slug="long-line", summary="short", body="b " * 50, contact={"name": "n" * 700}),
    )

    assert import_errors(path) == [
        "line 2: body is longer than 100 characters",
        "line 3: summary is longer than 10 characters",
        "line 4: the line is longer than 1000 bytes",
    ]
    assert PracticePage.objects.count() == 0


def test_an_over_long_line_is_refused_unparsed_and_the_lines_after_it_still_count(
    topic_areas, tmp_path, settings
):
    settings.IMPORT_MAX_LINE_BYTES = 4_096
    fits = json.dumps(practice(slug="fits"))
    fits += " " * (4_096 - len(fits.encode()) - 1)  # with its "\n": exactly the limit
    path = write_lines(
        tmp_path / "p.jsonl",
        practice(),
        practice(slug="huge", body="본문 " * 20_000),  # a line of 140 KB
        "{not json at all" + "x" * 10_000,  # too long, so never parsed
        fits,
        practice(slug="after", kind="poster"),
    )

    assert import_errors(path) == [
        "line 2: the line is longer than 4096 bytes",
        "line 3: the line is longer than 4096 bytes",
        "line 5: kind 'poster' is not one of: "
        "countermeasure, case_study, guideline, briefing_note, dataset, news",
    ]
    assert PracticePage.objects.count() == 0


def test_a_50_mb_line_is_refused_by_the_default_line_limit(topic_areas, tmp_path):
    path = tmp_path / "p.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(practice()) + "\n")
        handle.write(json.dumps(practice(slug="huge", body="x" * 50_000_000)) + "\n")

    assert import_errors(path) == ["line 2: the line is longer than 2097152 bytes"]
    assert PracticePage.objects.count() == 0


def test_reading_an_import_file_never_returns_more_of_a_line_than_its_limit_and_one_byte():
    handle = io.BytesIO(b"short\n" + b"x" * 10_000_000 + b"\n" + b"next\n" + b"y" * 20)

    lines = list(read_lines(handle, max_bytes=1_000))

    assert lines == [b"short\n", b"x" * 1_001, b"next\n", b"y" * 20]


def test_the_demo_loader_applies_the_same_limits(db, settings):
    settings.IMPORT_MAX_BODY_CHARS = 10

    with pytest.raises(InvalidPracticeFile) as raised:
        load_demo_practices()

    assert raised.value.errors
    assert all("body is longer than 10 characters" in str(e) for e in raised.value.errors)
    assert PracticePage.objects.count() == 0


def test_empty_lines_are_skipped_but_counted(topic_areas, tmp_path):
    path = write_lines(tmp_path / "p.jsonl", practice(), "", "   ", practice(slug="x", kind="?"))

    assert import_errors(path)[0].startswith("line 4: kind '?'")


def test_validation_reads_a_file_as_one_whole(topic_areas):
    # A translation may come before the record it translates.
    result = validate_practice_lines(
        [
            json.dumps(practice(locale="ko", translation_of="drive-through-screening")),
            json.dumps(practice()),
        ]
    )
    assert result.is_valid, result.errors


def test_dry_run_reports_what_would_change_and_writes_nothing(topic_areas, tmp_path):
    path = write_lines(
        tmp_path / "p.jsonl", practice(), practice(slug="other", city="Lima", country="PE")
    )

    output = import_file(path, "--dry-run")

    assert "2 would be created" in output
    assert PracticePage.objects.count() == 0
    assert not City.objects.filter(slug="lima").exists()


def test_reimporting_the_same_file_creates_no_duplicate_and_no_revision(topic_areas, tmp_path):
    lines = [practice(slug=f"practice-{n}") for n in range(5)]
    lines.append(
        practice(slug="practice-0", locale="ko", title="한국어", translation_of="practice-0")
    )
    lines.append(practice(slug="a-draft", status="draft"))
    path = write_lines(tmp_path / "p.jsonl", *lines)
    import_file(path)
    revisions = Revision.objects.count()

    output = import_file(path)

    assert "0 created, 0 updated, 7 unchanged" in output
    assert PracticePage.objects.count() == 7
    assert Revision.objects.count() == revisions


def test_a_changed_record_gets_exactly_one_new_revision(topic_areas, tmp_path):
    import_file(write_lines(tmp_path / "v1.jsonl", practice(), practice(slug="other")))
    page = live_practice("drive-through-screening")
    revisions_before = Revision.objects.count()

    changed = practice(title="Drive-through screening", topics=["quarantine", "smart-city"])
    output = import_file(write_lines(tmp_path / "v2.jsonl", changed, practice(slug="other")))

    assert "0 created, 1 updated, 1 unchanged" in output
    assert Revision.objects.count() == revisions_before + 1
    page.refresh_from_db()
    assert page.title == "Drive-through screening"
    assert sorted(page.topic_slugs) == ["quarantine", "smart-city"]
    assert page.live and not page.has_unpublished_changes
    assert Revision.page_revisions.filter(object_id=str(page.pk)).count() == 2


def test_a_changed_body_is_a_change_and_an_unchanged_one_is_not(topic_areas, tmp_path):
    import_file(write_lines(tmp_path / "v1.jsonl", practice()))
    # Same text, other whitespace: the same paragraphs.
    respaced = practice(body="People  stay in their car.\r\n\r\n\nA sample takes a few minutes.  ")
    assert "1 unchanged" in import_file(write_lines(tmp_path / "v2.jsonl", respaced))

    rewritten = practice(body="One paragraph only.")
    assert "1 updated" in import_file(write_lines(tmp_path / "v3.jsonl", rewritten))
    assert paragraphs_from_body(live_practice("drive-through-screening").body) == [
        "One paragraph only."
    ]


def test_translation_joins_the_translation_group_of_its_source(topic_areas, tmp_path):
    source = practice()
    translation = practice(
        slug="drive-through-screening",
        locale="ko",
        title="드라이브 스루 선별진료소",
        body="차에 탄 채로 검사를 받습니다.",
        translation_of="drive-through-screening",
    )
    import_file(write_lines(tmp_path / "p.jsonl", source, translation))

    english = live_practice("drive-through-screening", "en")
    korean = live_practice("drive-through-screening", "ko")
    assert korean.translation_key == english.translation_key
    assert english.get_translation(Locale.objects.get(language_code="ko")).pk == korean.pk
    assert korean.get_parent().locale.language_code == "ko"
    assert korean.url.startswith("/ko/")
    # Like every page, it links the default-locale topic area (shown localised).
    assert korean.topics.get().locale.language_code == "en"


def test_translation_of_a_practice_already_in_the_database(topic_areas, tmp_path):
    import_file(write_lines(tmp_path / "en.jsonl", practice()))
    translation = practice(
        slug="screening-ko", locale="ko", translation_of="drive-through-screening"
    )

    import_file(write_lines(tmp_path / "ko.jsonl", translation))

    assert (
        live_practice("screening-ko", "ko").translation_key
        == live_practice("drive-through-screening").translation_key
    )


def test_a_second_translation_into_the_same_language_is_refused(topic_areas, tmp_path):
    import_file(
        write_lines(
            tmp_path / "p.jsonl",
            practice(),
            practice(slug="first-ko", locale="ko", translation_of="drive-through-screening"),
        )
    )
    again = practice(slug="second-ko", locale="ko", translation_of="drive-through-screening")

    errors = import_errors(write_lines(tmp_path / "again.jsonl", again))

    assert errors == ["line 1: 'drive-through-screening' already has a ko translation: 'first-ko'"]


def test_a_city_cannot_change_country(topic_areas, tmp_path):
    import_file(write_lines(tmp_path / "p.jsonl", practice()))

    errors = import_errors(write_lines(tmp_path / "q.jsonl", practice(slug="x", country="JP")))

    assert errors == ["line 1: city Seoul is recorded in KR, not JP"]


def test_draft_status_saves_a_revision_that_is_never_live(topic_areas, tmp_path, client):
    import_file(write_lines(tmp_path / "p.jsonl", practice(status="draft")))

    page = live_practice("drive-through-screening")
    assert not page.live
    assert page.live_revision is None
    assert page.latest_revision is not None
    assert client.get("/en/practices/drive-through-screening/").status_code == 404
    assert "Drive-through" not in client.get("/en/practices/").content.decode()
    export = io.StringIO()
    call_command("export_practices", "--format", "json", stdout=export)
    assert export.getvalue() == ""


def test_a_draft_line_takes_a_published_practice_offline(topic_areas, tmp_path):
    import_file(write_lines(tmp_path / "p.jsonl", practice()))

    import_file(write_lines(tmp_path / "q.jsonl", practice(status="draft", title="Reworked")))

    page = live_practice("drive-through-screening")
    assert not page.live and page.live_revision is None
    assert page.latest_revision == Revision.objects.order_by("pk").last()
    assert page.get_latest_revision_as_object().title == "Reworked"


PENDING_DRAFT_ERROR = (
    'line 1: practice "drive-through-screening" (en) has unpublished changes in the admin; '
    "publish or discard them before importing"
)


def save_editors_draft() -> Revision:
    """An unpublished revision of the live practice: a new title and a related practice."""
    page = live_practice("drive-through-screening")
    page.title = "Editor's draft title"
    page.related_links = [RelatedPractice(related=live_practice("other"))]
    return page.save_revision()


def assert_live_page_and_draft_untouched(draft: Revision) -> None:
    page = live_practice("drive-through-screening")
    assert page.live and page.title == "Drive-through screening clinics"
    assert page.live_revision.content["title"] == "Drive-through screening clinics"
    assert not page.related_links.exists()
    assert page.has_unpublished_changes and page.latest_revision == draft
    draft_page = page.get_latest_revision_as_object()
    assert draft_page.title == "Editor's draft title"
    assert [link.related.slug for link in draft_page.related_links.all()] == ["other"]


@pytest.mark.parametrize(
    "line",
    [
        practice(title="Imported title"),
        practice(title="Editor's draft title"),
        practice(status="draft"),
    ],
    ids=["new-title", "the-drafts-title", "take-offline"],
)
def test_a_line_that_would_change_a_practice_with_an_unpublished_draft_is_refused(
    topic_areas, tmp_path, line
):
    import_file(write_lines(tmp_path / "p.jsonl", practice(), practice(slug="other")))
    draft = save_editors_draft()
    revisions = Revision.objects.count()
    path = write_lines(tmp_path / "q.jsonl", line, practice(slug="new-one"))

    assert import_errors(path, "--dry-run") == [PENDING_DRAFT_ERROR]
    assert import_errors(path) == [PENDING_DRAFT_ERROR]

    assert_live_page_and_draft_untouched(draft)
    assert Revision.objects.count() == revisions
    assert not PracticePage.objects.filter(slug="new-one").exists()


def test_a_line_matching_the_live_practice_leaves_its_unpublished_draft_alone(
    topic_areas, tmp_path
):
    import_file(write_lines(tmp_path / "p.jsonl", practice(), practice(slug="other")))
    draft = save_editors_draft()
    revisions = Revision.objects.count()

    output = import_file(write_lines(tmp_path / "q.jsonl", practice(), practice(slug="other")))

    assert "0 created, 0 updated, 2 unchanged" in output
    assert_live_page_and_draft_untouched(draft)
    assert Revision.objects.count() == revisions


def test_a_draft_saved_after_validation_still_stops_the_whole_import(topic_areas, tmp_path):
    import_file(write_lines(tmp_path / "p.jsonl", practice(), practice(slug="other")))
    validated = validate_practice_lines(
        [json.dumps(practice(slug="new-one")), json.dumps(practice(title="Imported title"))]
    )
    assert validated.is_valid, validated.errors
    draft = save_editors_draft()

    with pytest.raises(InvalidPracticeFile) as raised:
        apply_practice_records(validated.records)

    assert [str(error) for error in raised.value.errors] == [
        PENDING_DRAFT_ERROR.replace("line 1:", "line 2:")
    ]
    assert_live_page_and_draft_untouched(draft)
    assert not PracticePage.objects.filter(slug="new-one").exists()


def test_a_draft_only_practice_is_updated_from_its_latest_revision_and_published(
    topic_areas, tmp_path
):
    import_file(write_lines(tmp_path / "p.jsonl", practice(status="draft"), practice(slug="other")))
    page = live_practice("drive-through-screening")
    page.related_links = [RelatedPractice(related=live_practice("other"))]
    page.save_revision()

    output = import_file(write_lines(tmp_path / "q.jsonl", practice(title="Imported title")))

    assert "1 updated" in output
    page = live_practice("drive-through-screening")
    assert page.live and not page.has_unpublished_changes
    assert page.title == "Imported title"
    assert [link.related.slug for link in page.related_links.all()] == ["other"]


def test_an_update_keeps_the_blocks_an_editor_added_when_the_text_is_unchanged(
    topic_areas, tmp_path
):
    import_file(write_lines(tmp_path / "p.jsonl", practice()))
    page = live_practice("drive-through-screening")
    page.body.append(("embed", EmbedValue("https://www.youtube.com/watch?v=seoul")))
    page.save_revision().publish()

    output = import_file(write_lines(tmp_path / "q.jsonl", practice(title="Renamed")))

    assert "1 updated" in output
    page = live_practice("drive-through-screening")
    assert page.title == "Renamed"
    assert [block.block_type for block in page.body] == ["paragraph", "paragraph", "embed"]
    assert page.body[2].value.url == "https://www.youtube.com/watch?v=seoul"


def test_publishing_a_draft_needs_no_new_revision(topic_areas, tmp_path):
    import_file(write_lines(tmp_path / "p.jsonl", practice(status="draft")))
    revisions = Revision.objects.count()

    import_file(write_lines(tmp_path / "q.jsonl", practice()))

    page = live_practice("drive-through-screening")
    assert page.live and page.live_revision == page.latest_revision
    assert Revision.objects.count() == revisions


def test_progress_bar_only_when_asked_or_on_a_terminal(topic_areas, tmp_path, capsys):
    path = write_lines(tmp_path / "p.jsonl", practice())
    call_command("import_practices", str(path), stdout=io.StringIO())
    assert capsys.readouterr().err == ""

    call_command("import_practices", str(path), "--progress", stdout=io.StringIO())
    assert "1/1" in capsys.readouterr().err


def test_demo_practices_load_once_and_again_without_change(db):
    first = io.StringIO()
    call_command("load_demo_practices", stdout=first)
    revisions = Revision.objects.count()
    second = io.StringIO()
    call_command("load_demo_practices", stdout=second)

    assert "0 created, 0 updated" in second.getvalue()
    assert Revision.objects.count() == revisions
    assert PracticePage.objects.filter(live=False).count() == 1
    korean = PracticePage.objects.filter(locale__language_code="ko")
    assert korean.count() >= 5
    korean_text = " ".join(
        " ".join([page.title, page.summary, *paragraphs_from_body(page.body)]) for page in korean
    )
    for word in ["방역수칙", "자가격리자", "재난긴급생활비", "선별진료소", "역학조사"]:
        assert word in korean_text
    kinds = set(PracticePage.objects.values_list("kind", flat=True))
    assert kinds >= {
        "countermeasure",
        "case_study",
        "guideline",
        "briefing_note",
        "dataset",
        "news",
    }
    topics = set(PracticePage.objects.values_list("topics__slug", flat=True))
    assert len(topics) == 10


def test_loading_the_demo_again_keeps_an_editors_changes(db):
    call_command("load_demo_practices", stdout=io.StringIO())
    page = live_practice("seoul-green-new-deal")
    page.title = "Seoul Green New Deal (edited)"
    page.save_revision().publish()

    call_command("load_demo_practices", stdout=io.StringIO())

    assert live_practice("seoul-green-new-deal").title == "Seoul Green New Deal (edited)"


def test_loading_the_demo_again_keeps_an_editors_unpublished_draft(db):
    call_command("load_demo_practices", stdout=io.StringIO())
    page = live_practice("seoul-green-new-deal")
    page.title = "Seoul Green New Deal (draft)"
    draft = page.save_revision()

    call_command("load_demo_practices", stdout=io.StringIO())

    page = live_practice("seoul-green-new-deal")
    assert page.title != "Seoul Green New Deal (draft)"
    assert page.has_unpublished_changes and page.latest_revision == draft
