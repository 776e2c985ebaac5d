"""Odd input on every public URL gets a 400 or a 404 (or the page, when it is harmless): never
a 500. The requests go through the whole stack, and a server error is answered as a 500 here
rather than raised, as a visitor would see it."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from wagtail.models import Locale, Page, PageViewRestriction

from home.site_structure import practice_index_for
from tests.knowledge.factories import add_practice

pytestmark = pytest.mark.django_db

TOO_MANY_DIGITS = "9" * 5000  # past Python's limit for int() of a string
BEYOND_64_BITS = "9223372036854775808"
NESTED_FIELDS = quote("title(" * 3000 + ")" * 3000)
NOT_FOUND, BAD, FINE = {404}, {400}, {200}
FINE_OR_BAD = {200, 400}

# {root}, {public}, {draft} and {private} are the ids of the tree's root and of three practices.
ODD_REQUESTS = [
    # The language switcher's "not translated" notice, for every kind of page id.
    ("/en/untranslated/{root}/", NOT_FOUND),
    ("/ko/untranslated/{root}/", NOT_FOUND),
    ("/en/untranslated/0/", NOT_FOUND),
    ("/en/untranslated/999999999/", NOT_FOUND),
    (f"/en/untranslated/{BEYOND_64_BITS}/", NOT_FOUND),
    ("/en/untranslated/99999999999999999999999/", NOT_FOUND),
    ("/en/untranslated/{draft}/", NOT_FOUND),
    ("/ko/untranslated/{draft}/", NOT_FOUND),
    ("/en/untranslated/{private}/", NOT_FOUND),
    ("/ko/untranslated/{private}/", NOT_FOUND),
    # A public page now has an address in every language: the old notice sends it there.
    ("/ko/untranslated/{public}/", {302}),
    # Pages API: site, offset and limit.
    ("/api/v2/pages/?site=unknown", BAD),
    ("/api/v2/pages/?site=localhost:abc", BAD),
    ("/api/v2/pages/?site=localhost:99999999999999999999", BAD),
    ("/api/v2/pages/?site=:", BAD),
    ("/api/v2/pages/find/?html_path=/&site=unknown", BAD),
    (f"/api/v2/pages/?offset={BEYOND_64_BITS}", BAD),
    ("/api/v2/pages/?offset=2147483648", BAD),
    ("/api/v2/pages/?offset=2147483647", FINE),
    ("/api/v2/pages/?offset=-1", BAD),
    ("/api/v2/pages/?offset=1e30", BAD),
    (f"/api/v2/pages/?offset={TOO_MANY_DIGITS}", BAD),
    (f"/api/v2/pages/?limit={BEYOND_64_BITS}", BAD),
    ("/api/v2/pages/?limit=-1", BAD),
    ("/api/v2/pages/?limit=1e30", BAD),
    (f"/api/v2/pages/?limit={TOO_MANY_DIGITS}", BAD),
    ("/api/v2/pages/?limit=0", FINE),
    # type, fields, order.
    ("/api/v2/pages/?type=unknown", BAD),
    ("/api/v2/pages/?type=auth.User", BAD),
    ("/api/v2/pages/?type=a.b.c", BAD),
    ("/api/v2/pages/?type=", FINE),
    ("/api/v2/pages/?fields=nope", BAD),
    ("/api/v2/pages/?fields=title(", BAD),
    ("/api/v2/pages/?fields=title(nope)", BAD),
    ("/api/v2/pages/?fields=(((((", BAD),
    (f"/api/v2/pages/?fields={NESTED_FIELDS}", BAD),
    ("/api/v2/pages/?fields=*", FINE),
    ("/api/v2/pages/?type=knowledge.PracticePage&fields=*", FINE),
    ("/api/v2/pages/?order=nope", BAD),
    ("/api/v2/pages/?order=-", BAD),
    ("/api/v2/pages/?order=random&offset=1", BAD),
    ("/api/v2/pages/?order=random", FINE),
    # Tree and translation filters.
    (f"/api/v2/pages/?child_of={BEYOND_64_BITS}", BAD),
    ("/api/v2/pages/?child_of=-1", BAD),
    ("/api/v2/pages/?child_of=abc", BAD),
    ("/api/v2/pages/?child_of={root}", BAD),
    ("/api/v2/pages/?child_of={draft}", BAD),
    ("/api/v2/pages/?child_of=root", FINE),
    (f"/api/v2/pages/?descendant_of={BEYOND_64_BITS}", BAD),
    ("/api/v2/pages/?descendant_of=abc", BAD),
    ("/api/v2/pages/?descendant_of={private}", BAD),
    (f"/api/v2/pages/?ancestor_of={BEYOND_64_BITS}", BAD),
    ("/api/v2/pages/?ancestor_of=abc", BAD),
    (f"/api/v2/pages/?translation_of={BEYOND_64_BITS}", BAD),
    ("/api/v2/pages/?translation_of=abc", BAD),
    ("/api/v2/pages/?translation_of={draft}", BAD),
    ("/api/v2/pages/?locale=xx", NOT_FOUND),
    ("/api/v2/pages/?locale=%00", BAD),
    # Search.
    ("/api/v2/pages/?search=%00", BAD),
    ("/api/v2/pages/?search=%22", FINE_OR_BAD),
    ("/api/v2/pages/?search=a%20OR%20(b", FINE_OR_BAD),
    ("/api/v2/pages/?search=NEAR(a", FINE_OR_BAD),
    ("/api/v2/pages/?search=*", FINE_OR_BAD),
    ("/api/v2/pages/?search=x&search_operator=xor", BAD),
    ("/api/v2/pages/?search=x&search_operator=and", FINE),
    # Field filters: values their columns cannot hold.
    (f"/api/v2/pages/?alias_of={BEYOND_64_BITS}", BAD),
    ("/api/v2/pages/?alias_of=abc", BAD),
    (f"/api/v2/pages/?id={BEYOND_64_BITS}", BAD),
    ("/api/v2/pages/?first_published_at=abc", BAD),
    ("/api/v2/pages/?type=knowledge.PracticePage&started=notadate", BAD),
    ("/api/v2/pages/?type=knowledge.PracticePage&started=2020-02-30", BAD),
    ("/api/v2/pages/?type=knowledge.PracticePage&kind=%00", BAD),
    ("/api/v2/pages/?type=knowledge.PracticePage&started=2020-02-26", FINE),
    ("/api/v2/pages/?nope=1", BAD),
    # Pages API: detail and find.
    ("/api/v2/pages/{root}/", NOT_FOUND),
    ("/api/v2/pages/{draft}/", NOT_FOUND),
    ("/api/v2/pages/{private}/", NOT_FOUND),
    (f"/api/v2/pages/{BEYOND_64_BITS}/", NOT_FOUND),
    ("/api/v2/pages/{public}/?fields=nope", BAD),
    ("/api/v2/pages/{public}/?fields=title(", BAD),
    ("/api/v2/pages/{public}/?site=unknown", BAD),
    ("/api/v2/pages/find/?id=abc", BAD),
    (f"/api/v2/pages/find/?id={BEYOND_64_BITS}", BAD),
    ("/api/v2/pages/find/?id=999999999", NOT_FOUND),
    ("/api/v2/pages/find/?html_path=/nope/", NOT_FOUND),
    # Images and documents APIs.
    ("/api/v2/documents/?offset=1e30", BAD),
    (f"/api/v2/documents/?offset={BEYOND_64_BITS}", BAD),
    ("/api/v2/documents/?limit=-5", BAD),
    ("/api/v2/documents/?order=nope", BAD),
    ("/api/v2/documents/?fields=nope", BAD),
    ("/api/v2/documents/?search=%27", FINE_OR_BAD),
    ("/api/v2/documents/?search=x&search_operator=xor", BAD),
    (f"/api/v2/documents/{BEYOND_64_BITS}/", NOT_FOUND),
    ("/api/v2/documents/find/?id=abc", BAD),
    (f"/api/v2/images/?offset={BEYOND_64_BITS}", BAD),
    ("/api/v2/images/?offset=-1", BAD),
    ("/api/v2/images/?width=abc", BAD),
    (f"/api/v2/images/?width={BEYOND_64_BITS}", BAD),
    ("/api/v2/images/?search=a%20OR%20(b", FINE_OR_BAD),
    ("/api/v2/images/?fields=file(x)", BAD),
    ("/api/v2/images/find/?id=abc", BAD),
    # The search API.
    ("/api/v1/search/?q=%00", BAD),
    ("/api/v1/search/?q=a%20OR%20(b", FINE),
    ("/api/v1/search/?q=%22", FINE),
    ("/api/v1/search/?q=title:x", FINE),
    ("/api/v1/search/?q=*", FINE),
    (f"/api/v1/search/?page={BEYOND_64_BITS}", BAD),
    (f"/api/v1/search/?page={TOO_MANY_DIGITS}", BAD),
    ("/api/v1/search/?page=-1", BAD),
    ("/api/v1/search/?page=%C2%B2", BAD),  # "²": a digit to str.isdigit(), not to int()
    ("/api/v1/search/?page=%D9%A3", BAD),  # Arabic-Indic three
    ("/api/v1/search/?page_size=1e30", BAD),
    (f"/api/v1/search/?page_size={TOO_MANY_DIGITS}", BAD),
    ("/api/v1/search/?lang=xx", BAD),
    ("/api/v1/search/?sort=x", BAD),
    ("/api/v1/search/?topic=%00", BAD),
    ("/api/v1/search/suggest?q=%00", FINE),
    ("/api/v1/search/suggest?q=a%20OR%20(b", FINE),
    ("/api/v1/search/suggest?q=%22", FINE),
    ("/api/v1/search/suggest?lang=xx&q=a", FINE),
    # The search page forgives everything.
    ("/en/search/?q=%00", FINE),
    ("/en/search/?q=a%20OR%20(b", FINE),
    (f"/en/search/?page={BEYOND_64_BITS}", FINE),
    (f"/en/search/?page={TOO_MANY_DIGITS}", FINE),
    ("/en/search/?page=%C2%B2", FINE),
    ("/en/search/?page=-1", FINE),
    ("/en/search/?page_size=1e30", FINE),
    ("/en/search/?sort=x&lang=xx&topic=%00", FINE),
    # Listings, topics, cities, open data.
    (f"/en/practices/?page={BEYOND_64_BITS}", FINE),
    (f"/en/practices/?page={TOO_MANY_DIGITS}", FINE),
    ("/en/practices/?page=%C2%B2", FINE),
    ("/en/practices/?page=1e30", FINE),
    ("/en/practices/?page=-1", FINE),
    ("/en/practices/?page=0", FINE),
    ("/en/topics/nope/", NOT_FOUND),
    ("/en/topics/%00/", NOT_FOUND),
    ("/en/cities/nope/", NOT_FOUND),
    ("/en/cities/%00/", NOT_FOUND),
    # The compare page: the form again, with the reason (tests/network/test_compare.py).
    ("/en/compare/?topic=%00&cities=%00", BAD),
    (f"/en/compare/?topic=nope&cities={TOO_MANY_DIGITS}", BAD),
    ("/en/compare/?cities=a,b,c,d,e,f", BAD),
    ("/en/compare/?topic=&cities=,,,", {302}),
    ("/open-data/practices.xml", NOT_FOUND),
    ("/open-data/practices.%00", NOT_FOUND),
    ("/open-data/practices.csv?x=%00", FINE),
    ("/en/%00/", NOT_FOUND),
    # The sitemap's page number.
    ("/sitemap.xml?p=1", FINE),
    ("/sitemap.xml?p=0", NOT_FOUND),
    ("/sitemap.xml?p=-1", NOT_FOUND),
    ("/sitemap.xml?p=abc", NOT_FOUND),
    ("/sitemap.xml?p=%00", NOT_FOUND),
    (f"/sitemap.xml?p={BEYOND_64_BITS}", NOT_FOUND),
    (f"/sitemap.xml?p={TOO_MANY_DIGITS}", NOT_FOUND),
    ("/robots.txt?x=%00", FINE),
    # Wagtail's own public views for private pages and documents.
    (f"/en/_util/authenticate_with_password/{BEYOND_64_BITS}/1/", NOT_FOUND),
    (f"/en/_util/authenticate_with_password/1/{BEYOND_64_BITS}/", NOT_FOUND),
    (f"/documents/authenticate_with_password/{BEYOND_64_BITS}/", NOT_FOUND),
    (f"/documents/{BEYOND_64_BITS}/slides.pdf", NOT_FOUND),
]


@pytest.fixture
def page_ids(site_structure):
    index = practice_index_for(Locale.get_default())
    public = add_practice(index, "Drive-through screening", started="2020-02-26")
    draft = add_practice(index, "Unfinished draft", publish=False)
    private = add_practice(index, "Private briefing")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    root = Page.objects.get(depth=1)
    return {"root": root.pk, "public": public.pk, "draft": draft.pk, "private": private.pk}


def test_odd_requests_get_a_400_or_404_never_a_500(client, page_ids):
    # One site for every request: none of them writes, and building it was most of the time.
    client.raise_request_exception = False  # answer as a visitor would see it
    wrong: list[str] = []
    for url, expected in ODD_REQUESTS:
        shown = url[:80]
        response = client.get(url.format(**page_ids))
        if response.status_code not in expected:
            wrong.append(f"{shown}: {response.status_code} {response.content[:300]!r}")
        elif response.status_code == 400 and not _says_why(url, response):
            wrong.append(f"{shown}: a 400 that does not say why")
    assert not wrong, f"{len(wrong)} of {len(ODD_REQUESTS)} odd requests:\n" + "\n".join(wrong)


def _says_why(url: str, response) -> bool:
    """The APIs explain a refusal: v2 in "message", v1 in "errors"."""
    if url.startswith("/api/v2/"):
        return bool(response.json().get("message"))
    if url.startswith("/api/v1/"):
        return bool(response.json().get("errors"))
    return True
