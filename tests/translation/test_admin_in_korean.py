"""A Korean editor's admin is in Korean: no interface string of ours shows in English.

Editors, moderators and rapporteurs whose admin language is Korean open the dashboard, the
explorer, the editor of every page type (a page in moderation too), workflow history, snippets,
reports and our own admin views. Every text on screen, every label and help text in the
StreamField data, is compared with the msgids of locale/ko: one shown as its msgid was left
untranslated. The workflow and its task, which are rows, read in Korean too.
"""

from __future__ import annotations

import contextlib
import json
import re
from datetime import timedelta
from pathlib import Path

import polib
import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import now
from wagtail.models import Locale, Page, TaskState
from wagtail.users.models import UserProfile

from editorial.roles import EDITORS, MODERATORS, assign_rapporteur, ensure_editorial_roles
from knowledge.models import City, PracticeIndexPage, SessionPage, TopicArea
from tests.editorial.factories import add_draft_summary, add_user
from tests.knowledge.factories import add_practice

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES" / "django.po"
# Keys of the JSON the admin's scripts render from (StreamField blocks, choosers, panels).
SHOWN_JSON_KEYS = {"label", "helpText", "help_text", "title", "heading", "description"}
SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "data-w-tooltip-content-value")


def _untranslated_when_shown() -> set[str]:
    """Our msgids whose Korean differs from them: seen on screen, they were not translated."""
    shown = set()
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete or entry.msgid_plural or "%" in entry.msgid or "{" in entry.msgid:
            continue
        if entry.msgstr and entry.msgstr.strip() != entry.msgid.strip():
            shown.add(entry.msgid.strip())
    return shown


def _json_texts(value, found: list[str]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in SHOWN_JSON_KEYS and isinstance(inner, str):
                found.append(inner)
            else:
                _json_texts(inner, found)
    elif isinstance(value, list):
        for inner in value:
            _json_texts(inner, found)


def visible_texts(html: str) -> list[str]:
    """Text nodes, the attributes people and screen readers read, and JSON-rendered labels."""
    soup = BeautifulSoup(html, "lxml")
    found: list[str] = []
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            if not isinstance(value, str):
                continue
            if name in SHOWN_ATTRIBUTES:
                found.append(value)
            elif name.startswith("data-") and value[:1] in "[{":
                with contextlib.suppress(ValueError):
                    _json_texts(json.loads(value), found)
    for script in soup.find_all("script", type="application/json"):
        with contextlib.suppress(ValueError):
            _json_texts(json.loads(script.string or "null"), found)
    for hidden in soup(["script", "style", "noscript", "svg"]):
        hidden.decompose()
    found.extend(soup.stripped_strings)
    return [" ".join(text.split()) for text in found if text.strip()]


def _korean_admin_user(username: str, *groups: Group):
    user = add_user(username, f"{username.title()} Kim", *groups)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "ko"
    profile.save()
    return user


@pytest.fixture
def site(summit):
    roles = ensure_editorial_roles()
    english = Locale.get_default()
    editor = _korean_admin_user("editor", Group.objects.get(name=EDITORS))
    moderator = _korean_admin_user("moderator", Group.objects.get(name=MODERATORS))
    rapporteur = _korean_admin_user("rapporteur")
    education = SessionPage.objects.get(slug="education", locale=english)
    assign_rapporteur(rapporteur, education)
    practices = PracticeIndexPage.objects.get(locale=english)
    practice = add_practice(practices, "Drive-through clinics", topics=["quarantine"])
    in_moderation = add_practice(practices, "Office guidance", publish=False)
    state = in_moderation.get_workflow().start(in_moderation, editor)
    # Submitted a while ago, so the status panel says how long ("25 분 전").
    TaskState.objects.filter(workflow_state=state).update(started_at=now() - timedelta(minutes=25))
    summary = add_draft_summary(education, rapporteur, "Education summary")
    return {
        "editor": editor,
        "moderator": moderator,
        "rapporteur": rapporteur,
        "home": roles.home_pages[0],
        "summit": summit,
        "session": education,
        "practices": practices,
        "practice": practice,
        "in_moderation": in_moderation,
        "summary": summary,
    }


def _screens(site) -> dict[str, list[str]]:
    page_ids = {name: site[name].pk for name in ("home", "summit", "session", "practices")}
    editor_urls = [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore", args=[page_ids["practices"]]),
        reverse("wagtailadmin_explore", args=[page_ids["summit"]]),
        *(
            reverse("wagtailadmin_pages:edit", args=[site[name].pk])
            for name in ("home", "practices", "practice", "summit", "session", "in_moderation")
        ),
        reverse(
            "wagtailadmin_pages:add", args=["knowledge", "practicepage", page_ids["practices"]]
        ),
        reverse("wagtailadmin_pages:add", args=["knowledge", "sessionpage", page_ids["summit"]]),
        reverse("wagtailadmin_pages:workflow_history", args=[site["in_moderation"].pk]),
        reverse("wagtailadmin_pages:history", args=[site["in_moderation"].pk]),
        reverse("wagtailsnippets_knowledge_city:list"),
        reverse("wagtailsnippets_knowledge_topicarea:list"),
        reverse("wagtailsnippets_knowledge_city:add"),
        reverse("wagtaildocs:index"),
        reverse("wagtailimages:index"),
        reverse("wagtailadmin_reports:workflow"),
        reverse("document_text_report"),
        reverse("search_query_report"),
        reverse("machine_translation", args=[site["practice"].pk]),
        reverse("wagtailadmin_account"),
    ]
    return {
        "editor": editor_urls,
        "moderator": [
            reverse("wagtailadmin_home"),
            reverse("wagtailadmin_pages:edit", args=[site["in_moderation"].pk]),
            reverse("wagtailadmin_reports:workflow_tasks"),
            reverse("search_index_status"),
        ],
        "rapporteur": [
            reverse("my_sessions:index"),
            reverse("my_sessions:summary", args=[site["session"].pk]),
            reverse("wagtailadmin_pages:edit", args=[site["summary"].pk]),
        ],
    }


def _content_names() -> set[str]:
    """What editors wrote, not the interface: titles and names may equal a msgid
    (the English practice index is called "Practices")."""
    return (
        set(Page.objects.values_list("title", flat=True))
        | set(City.objects.values_list("name", flat=True))
        | set(TopicArea.objects.values_list("name", flat=True))
    )


@pytest.mark.django_db
def test_korean_editors_see_no_interface_string_of_ours_in_english(client, site):
    untranslated = _untranslated_when_shown() - _content_names()
    english_on_screen = {}
    for role, urls in _screens(site).items():
        client.force_login(site[role])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (role, url, response.status_code)
            shown = set(visible_texts(response.content.decode())) & untranslated
            if shown:
                english_on_screen[f"{role} {url}"] = sorted(shown)
    assert english_on_screen == {}


def test_no_korean_translation_is_left_in_english():
    # A msgstr equal to its msgid is invisible to the screens above, and it outranks Wagtail's
    # own translation of the same msgid ("slug" hid Wagtail's "슬러그" on every page form).
    same = [
        entry.msgid
        for entry in polib.pofile(str(CATALOGUE))
        if not entry.obsolete
        and entry.msgstr
        and entry.msgstr.strip() == entry.msgid.strip()
        and re.search(r"[a-z]{3}", entry.msgid)  # a word, not a code such as "CSV"
    ]
    assert same == []


@pytest.mark.django_db
def test_the_moderation_workflow_reads_in_korean(client, site):
    client.force_login(site["editor"])
    editing = client.get(reverse("wagtailadmin_pages:edit", args=[site["practice"].pk]))
    texts = visible_texts(editing.content.decode())
    assert "검토 요청" in texts
    assert not [text for text in texts if "Moderation" in text or "Moderators" in text]

    client.force_login(site["moderator"])
    reviewing = client.get(reverse("wagtailadmin_pages:edit", args=[site["in_moderation"].pk]))
    texts = visible_texts(reviewing.content.decode())
    assert any("검토자 승인" in text for text in texts)
    # "Sent to … 25 minutes ago": Django's naturaltime, translated once humanize is installed.
    assert not [text for text in texts if " ago" in text]
    assert any("25 분 전" in text for text in texts)
    assert not [text for text in texts if "Moderation" in text or "Moderators" in text]


@pytest.mark.django_db
def test_names_stay_stored_in_english_when_saved_from_a_korean_screen(site):
    workflow = site["in_moderation"].get_workflow()
    with translation.override("ko"):
        workflow.refresh_from_db()
        shown = type(workflow).objects.get(pk=workflow.pk)
        assert shown.name == "검토"
        shown.save()
    assert type(workflow).objects.filter(pk=workflow.pk, name="Moderation").exists()


@pytest.mark.django_db
def test_a_refusal_in_the_admin_reads_in_korean(client, site):
    # Wagtail answers a view's PermissionDenied after it has put the editor's language away.
    client.force_login(site["editor"])
    refused = client.get(reverse("search_index_status"), follow=True)
    texts = visible_texts(refused.content.decode())
    assert "Sorry, you do not have permission to access this area." not in texts
    assert "죄송합니다, 해당 영역에 접근할 권한이 없습니다." in texts


@pytest.mark.django_db
def test_snippet_choosers_and_breadcrumbs_read_in_korean(client, site):
    # Wagtail formats these once, at start-up, in the default language.
    client.force_login(site["editor"])
    editing = client.get(reverse("wagtailadmin_pages:edit", args=[site["practice"].pk]))
    english = ("Choose city", "Choose another city", "Edit this city")
    assert not set(visible_texts(editing.content.decode())) & set(english)
    listing = client.get(reverse("wagtailsnippets_knowledge_city:list"))
    assert "Home" not in visible_texts(listing.content.decode())


def test_the_reports_menu_reads_in_korean_after_an_english_editor_built_it(client, site):
    # Wagtail builds the reports menu once per process: its first reader's language stuck.
    english = add_user("english-editor", "Ed English", Group.objects.get(name=EDITORS))
    client.force_login(english)
    assert "Translations" in visible_texts(client.get("/admin/").content.decode())
    client.force_login(site["editor"])
    korean = client.get("/admin/").content.decode()
    assert "Translations" not in visible_texts(korean)
    assert "번역" in visible_texts(korean)
