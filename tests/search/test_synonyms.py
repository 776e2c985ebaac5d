"""The synonym list both engines share: the shipped file plus the editors' groups."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from search.models import SynonymGroup
from search.synonyms import base_synonym_groups, parse_solr_synonyms, synonym_groups


def test_solr_lines_become_groups_and_comments_are_skipped():
    text = "# comment\n\nmask, face covering\nmetro, subway => underground\nlonely\n"
    assert parse_solr_synonyms(text) == [
        ("mask", "face covering"),
        ("metro", "subway", "underground"),
    ]


def test_shipped_list_holds_the_domain_groups():
    groups = [set(group) for group in base_synonym_groups()]
    for required in [
        {"COVID-19", "coronavirus", "SARS-CoV-2"},
        {"quarantine", "self-isolation"},
        {"mask", "face covering"},
        {"contact tracing", "epidemiological investigation"},
        {"subway", "metro", "underground"},
        {"remote learning", "online classes", "distance education"},
    ]:
        assert any(required <= group for group in groups), required


@pytest.mark.django_db
def test_groups_added_by_editors_are_merged_after_the_shipped_ones():
    SynonymGroup.objects.create(terms=" thermal camera , fever scanner ,")
    SynonymGroup.objects.create(terms="alone")  # one term is not a group
    groups = synonym_groups()
    assert groups[-1] == ("thermal camera", "fever scanner")
    assert ("alone",) not in groups


@pytest.mark.django_db
def test_the_editors_groups_are_kept_between_searches_and_forgotten_when_they_change():
    """Searches read the editors' groups from the cache; saving or deleting one forgets
    them, so the next search expands with what the editor just wrote."""
    assert ("thermal camera", "fever scanner") not in synonym_groups()  # now cached
    group = SynonymGroup.objects.create(terms="thermal camera, fever scanner")
    assert synonym_groups()[-1] == ("thermal camera", "fever scanner")
    group.terms = "thermal camera, fever scanner, heat camera"
    group.save()
    assert synonym_groups()[-1] == ("thermal camera", "fever scanner", "heat camera")
    group.delete()
    assert ("thermal camera", "fever scanner", "heat camera") not in synonym_groups()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("term", "syntax"), [("covid => corona", "=>"), ("sars\\cov", "\\"), ("#covid", "#")]
)
def test_a_term_holding_synonym_rule_syntax_is_refused_with_a_message(term, syntax):
    # Elasticsearch refuses the whole synonyms set for one rule it cannot parse.
    group = SynonymGroup(terms=f"coronavirus, {term}")
    with pytest.raises(ValidationError) as refused:
        group.full_clean()
    (message,) = refused.value.message_dict["terms"]
    assert f"“{term}” contains “{syntax}”" in message
    SynonymGroup(terms="coronavirus, C#, a=b, x > y").full_clean()  # only the syntax is refused


@pytest.mark.django_db
def test_the_admin_refuses_a_term_holding_synonym_rule_syntax(admin_client):
    response = admin_client.post(
        "/admin/snippets/search/synonymgroup/add/", {"terms": "coronavirus, covid => corona"}
    )
    assert response.status_code == 200  # the form again, with the error
    assert "“covid =&gt; corona” contains “=&gt;”" in response.content.decode()
    assert not SynonymGroup.objects.exists()
