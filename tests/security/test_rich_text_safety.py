"""Script in rich text never reaches a reader, however the text got into the database:
set in code, imported, then shown on the page, in search snippets and in the APIs."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from wagtail.models import Locale

from core.rich_text_safety import clean_rich_text
from home.site_structure import practice_index_for
from knowledge.models import PracticePage
from search.documents import iter_search_documents
from search.engines.selection import get_engine
from tests.knowledge.factories import add_practice

WORD = "quincebanjo"  # in no summit content
HOSTILE = (
    f"<p onclick=\"alert('p')\">{WORD} safe words<script>alert('script')</script>"
    "<img src=x onerror=\"alert('img')\">"
    "<a href=\"javascript:alert('link')\">a link</a>"
    '<iframe src="https://evil.example/"></iframe></p>'
)


class _HostileMarkup(HTMLParser):
    """Collects what of HOSTILE survives as markup: its elements and handler attributes."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        self.in_script = tag == "script"
        if tag in {"img", "iframe"}:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{name}={value}")

    def handle_data(self, data):
        if self.in_script and "alert" in data:
            self.found.append(f"<script>{data}")

    def handle_endtag(self, tag):
        self.in_script = False


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _assert_no_markup(html: str):
    parser = _HostileMarkup()
    parser.feed(html)
    assert parser.found == []


def _public_everywhere(client, page):
    get_engine().rebuild(iter_search_documents())
    html = client.get(page.url).content.decode()
    assert f"{WORD} safe words" in html
    search_page = client.get("/en/search/", {"q": WORD}).content.decode()
    assert page.title in search_page
    api = client.get("/api/v1/search/", {"q": WORD}).json()
    assert api["total"] == 1
    # The APIs carry HTML in some strings (snippets, rich text): each is checked as HTML.
    # Plain-text fields (a summary) are text for the client to escape, like the page does.
    pages_api = client.get(f"/api/v2/pages/{page.pk}/").json()
    assert WORD in json.dumps(pages_api["body"])
    return html, search_page, *_strings(api["hits"]), *_strings(pages_api["body"])


def test_clean_keeps_wagtail_links_and_embeds_and_drops_script():
    stored = (
        '<p>Read <a linktype="page" id="3">this</a> and <a href="https://example.org/">that'
        '</a><br/>then</p><embed embedtype="image" id="7" format="left" alt="A clinic"/>'
    )
    assert clean_rich_text(stored) == stored.replace("<br/>", "<br>")
    assert clean_rich_text(HOSTILE) == (f"<p>{WORD} safe words<a>a link</a></p>")


def test_clean_keeps_the_editors_block_keys_that_comments_anchor_on():
    stored = '<h2 data-block-key="k1">Title</h2><p data-block-key="k2">Text</p>'
    assert clean_rich_text(stored) == stored
    assert clean_rich_text('<p data-other="x" data-block-key="k3">T</p>') == (
        '<p data-block-key="k3">T</p>'
    )


def test_rich_text_set_in_code_is_cleaned_on_save_and_shown_clean(client, summit):
    index = practice_index_for(Locale.get_default())
    page = add_practice(
        index,
        "Hostile body",
        topics=["quarantine"],
        summary="<script>alert('summary')</script> plain summary",
        body=json.dumps([{"type": "paragraph", "value": HOSTILE}]),
    )
    stored = PracticePage.objects.get(pk=page.pk).body.raw_data[0]["value"]
    assert "<script" not in stored and "onerror" not in stored

    for text in _public_everywhere(client, page):
        _assert_no_markup(text)
    html = client.get(page.url).content.decode()
    # The summary is plain text: shown, escaped.
    assert "&lt;script&gt;alert(&#x27;summary&#x27;)&lt;/script&gt; plain summary" in html


def test_a_rich_text_field_is_cleaned_too(client, summit):
    summit.description = HOSTILE
    summit.save_revision().publish()
    summit.refresh_from_db()

    assert "<script" not in summit.description
    html = client.get(summit.url).content.decode()
    assert f"{WORD} safe words" in html
    _assert_no_markup(html)


def test_imported_markup_is_text_never_markup(client, summit, tmp_path):
    record = {
        "slug": "hostile-import",
        "locale": "en",
        "title": "Hostile import",
        "summary": "<script>alert('summary')</script>",
        "body": f"{WORD} safe words <script>alert('script')</script>\n\n"
        "<img src=x onerror=\"alert('img')\">",
        "kind": "countermeasure",
        "topics": ["quarantine"],
        "city": "Seoul",
        "country": "KR",
    }
    path = tmp_path / "hostile.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    call_command("import_practices", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    page = PracticePage.objects.get(slug="hostile-import")

    for text in _public_everywhere(client, page):
        _assert_no_markup(text)
    html = client.get(page.url).content.decode()
    # The reader sees what the file said, as text.
    assert "&lt;script&gt;alert(" in html


@pytest.mark.parametrize("value", ["", None])
def test_empty_rich_text_stays_empty(value):
    assert clean_rich_text(value) == value
