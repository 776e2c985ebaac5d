"""The index template: analysis, the mapping of one SearchDocument, and its _source.

A template change (such as the `fingerprint` and `spelling` fields) reaches the cluster through
`rebuild`; indices made from an older template refuse documents that carry the new fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from elasticsearch.dsl import (
    Date,
    Document,
    Index,
    Keyword,
    Long,
    Text,
    analyzer,
    token_filter,
    tokenizer,
)

from search.engines.base import SearchDocument
from search.engines.common import date_order, facet_values
from search.engines.elasticsearch.vectors import VectorSpace, vector_meta, vector_properties

DEFAULT_PREFIX = "cac-knowledge"
AUTO_EXPAND_REPLICAS = "0-1"

# Each text field is analysed once per shipped language, in a sub-field named here. Chinese and
# Japanese share the built-in cjk analyzer (overlapping character pairs, as the embedded engine
# indexes them); French, Spanish and Arabic use their built-in analyzers.
LANGUAGE_SUBFIELDS = ("en", "ko", "cjk", "fr", "es", "ar")
SUBFIELD_FOR_LANGUAGE = {
    "en": "en",
    "ko": "ko",
    "zh-hans": "cjk",
    "ja": "cjk",
    "fr": "fr",
    "es": "es",
    "ar": "ar",
}
# Queried whatever the visitor's language: most content is English or Korean, and a query in
# Chinese or Japanese only matches as character pairs.
ALWAYS_QUERIED_SUBFIELDS = ("en", "ko", "cjk")


# --- Analysis -----------------------------------------------------------------------------------
# The synonym filter is a placeholder here: its synonyms_set name depends on the configured
# prefix, so the engine rewrites it in the template (see _analysis_filter_overrides).
SYNONYM_FILTER_NAME = "knowledge_synonyms"

english_possessive = token_filter(
    "english_possessive_stemmer", type="stemmer", language="possessive_english"
)
english_stop = token_filter("english_stop", type="stop", stopwords="_english_")
english_stemmer = token_filter("english_stemmer", type="stemmer", language="english")
synonym_filter = token_filter(
    SYNONYM_FILTER_NAME,
    type="synonym_graph",
    synonyms_set=f"{DEFAULT_PREFIX}-synonyms",
    updateable=True,  # only legal in search analyzers; reloadable without closing the index
    lenient=True,  # a rule the analyzer cannot parse is skipped, not a failed index creation
)

# Index side: the built-in english analyzer. Search side: the same chain (as documented for
# rebuilding "english") with the synonyms after lowercasing and before stemming.
english_search = analyzer(
    "english_search",
    tokenizer="standard",
    filter=[english_possessive, "lowercase", synonym_filter, english_stop, english_stemmer],
)

# Korean: nori splits compounds; "mixed" keeps the compound and its parts at index time, so
# 재난지원금 is findable as 재난지원금 and as 지원금. At search time "discard" emits only the
# parts (all of which the index holds), which also keeps the synonym parser away from the
# stacked tokens "mixed" produces.
nori_mixed = tokenizer("nori_mixed", type="nori_tokenizer", decompound_mode="mixed")
nori_discard = tokenizer("nori_discard", type="nori_tokenizer", decompound_mode="discard")
korean_pos = token_filter("korean_part_of_speech", type="nori_part_of_speech")
korean_index = analyzer(
    "korean_index", tokenizer=nori_mixed, filter=[korean_pos, "nori_readingform", "lowercase"]
)
korean_search = analyzer(
    "korean_search",
    tokenizer=nori_discard,
    filter=[korean_pos, "nori_readingform", "lowercase", synonym_filter],
)

# Fallback for any other language: standard tokens, synonyms at search time.
standard_search = analyzer(
    "standard_search", tokenizer="standard", filter=["lowercase", synonym_filter]
)

# Spelling suggestions: the phrase suggester's language model needs unstemmed words and their
# 2-3 word shingles (the Elasticsearch reference's "trigram" analyzer for the phrase suggester).
spelling_shingle = token_filter(
    "spelling_shingle", type="shingle", min_shingle_size=2, max_shingle_size=3
)
spelling_analyzer = analyzer(
    "spelling_shingles", tokenizer="standard", filter=["lowercase", spelling_shingle]
)

# Autocomplete: edge n-grams of each word at index time, the plain words at search time, cut to
# the longest n-gram: an uncut word longer than max_gram matches no indexed gram, so it would
# never complete (analysis-edgengram-tokenfilter.md, "Limitations of the max_gram parameter",
# advises a truncate filter at search time).
AUTOCOMPLETE_MAX_GRAM = 20
autocomplete_edge = token_filter(
    "autocomplete_edge", type="edge_ngram", min_gram=1, max_gram=AUTOCOMPLETE_MAX_GRAM
)
autocomplete_index = analyzer(
    "autocomplete_index", tokenizer="standard", filter=["lowercase", autocomplete_edge]
)
autocomplete_truncate = token_filter(
    "autocomplete_truncate", type="truncate", length=AUTOCOMPLETE_MAX_GRAM
)
autocomplete_search = analyzer(
    "autocomplete_search", tokenizer="standard", filter=["lowercase", autocomplete_truncate]
)


def _multilingual_text(*, spelling: bool = False, **extra_fields: Any) -> Text:
    """A text field analysed standard (the field) and once per language sub-field.

    `spelling` copies the text into the `spelling` field that "did you mean" learns words from.
    """
    fields: dict[str, Any] = {
        "en": Text(analyzer="english", search_analyzer=english_search),
        "ko": Text(analyzer=korean_index, search_analyzer=korean_search),
        "cjk": Text(analyzer="cjk"),
        "fr": Text(analyzer="french"),
        "es": Text(analyzer="spanish"),
        "ar": Text(analyzer="arabic"),
        **extra_fields,
    }
    options: dict[str, Any] = {"copy_to": "spelling"} if spelling else {}
    return Text(analyzer="standard", search_analyzer=standard_search, fields=fields, **options)


class KnowledgeDocument(Document):
    """The mapping of one SearchDocument; the index itself is chosen per engine (versioned)."""

    doc_id = Keyword()
    translation_key = Keyword()
    locale = Keyword()
    url = Keyword(index=False)
    content_type = Keyword()
    kind = Keyword()
    status = Keyword()
    title = _multilingual_text(
        spelling=True,
        autocomplete=Text(analyzer=autocomplete_index, search_analyzer=autocomplete_search),
        raw=Keyword(ignore_above=512),
    )
    summary = _multilingual_text(spelling=True)
    body = _multilingual_text(spelling=True)
    # Extracted attachment text is too noisy to learn spellings from.
    attachments_text = _multilingual_text()
    # Only filled by copy_to (never in _source): the phrase suggester's words and shingles.
    spelling = Text(analyzer=spelling_analyzer)
    topics = Keyword(multi=True)
    city = Keyword()
    country = Keyword()
    # common.document_year (the start's year, else the publication's): a keyword, so the year
    # facet is a plain terms aggregation.
    year = Keyword()
    # common.date_order (start, else publication; ties by id): what sort=date orders by.
    date_order = Long()
    started = Date(format="strict_date")
    published = Date()
    # SearchDocument.fingerprint: read back by indexed_versions, never searched.
    fingerprint = Keyword(index=False)


def document_source(document: SearchDocument) -> dict[str, Any]:
    """The _source stored for a SearchDocument.

    Facet fields and the date order come from search.engines.common, as the embedded engine's
    do. Empty values are left out (None), so facets never show an empty bucket.
    """
    facets = facet_values(document)

    def single(facet: str) -> str | None:
        return next(iter(facets[facet]), None)

    return {
        "doc_id": document.id,
        "translation_key": document.translation_key,
        "locale": document.locale,
        "url": document.url,
        "content_type": document.content_type,
        "kind": single("kind"),
        "status": single("status"),
        "title": document.title,
        "summary": document.summary,
        "body": document.body,
        "attachments_text": document.attachments_text,
        "topics": list(facets["topic"]),
        "city": single("city"),
        "country": single("country"),
        "year": single("year"),
        "date_order": date_order(document),
        "started": document.started.isoformat() if document.started else None,
        "published": document.published.isoformat() if document.published else None,
        "fingerprint": document.fingerprint,
    }


def index_pattern(alias: str) -> str:
    """The template's index pattern: only the versioned indices behind `alias`, named
    `<alias>-<UTC timestamp, %Y%m%d%H%M%S%f>` (lifecycle._new_index_name), so 20 digits from
    year 2000. `<alias>-*` would also match the indices of a deployment prefixed
    `<alias>-staging` on the same cluster, and a template whose patterns overlap another's at
    the same priority is refused (create or update index template API, "Multiple matching
    templates")."""
    return f"{alias}-2*"


def index_template_body(
    alias: str, template_name: str, synonyms_set: str, vector_space: VectorSpace | None = None
) -> dict[str, Any]:
    """The composable template every versioned index behind `alias` is created from.

    With a vector space (the configured embedders'), documents also hold passage vectors of
    each model, and the mapping's _meta names the models with their fields (vectors.py);
    without one, no vector fields. A change of models reaches the cluster through rebuild, as
    any template change does.
    """
    index = Index(alias)
    # One replica where a second data node can hold it, none on a single node (which would
    # otherwise stay yellow): index-modules.md, index.auto_expand_replicas.
    index.settings(number_of_shards=1, auto_expand_replicas=AUTO_EXPAND_REPLICAS)
    index.mapping(KnowledgeDocument._doc_type.mapping)
    body = index.as_composable_template(
        template_name, pattern=index_pattern(alias), priority=100
    ).to_dict()
    # The synonyms set is named after the prefix, so several deployments can share a cluster.
    filters = body["template"]["settings"]["analysis"]["filter"]
    filters[SYNONYM_FILTER_NAME]["synonyms_set"] = synonyms_set
    mappings = body["template"]["mappings"]
    mappings["dynamic"] = "strict"  # a typo in a field name fails loudly
    if vector_space:
        mappings["properties"].update(vector_properties(vector_space))
        mappings["_meta"] = vector_meta(vector_space)
    return body


def synonym_term(term: str) -> str:
    """A term as a Solr rule can hold it: the rule syntax it contains becomes spaces.

    A comma would split the term (a synonym term is a phrase, never a list), "=>" would make
    the rule a one-way mapping, a backslash escapes the next character, and a rule starting with
    "#" is a comment. The cluster refuses a whole set for one rule it cannot parse, so terms
    stored before the admin refused these (search.models.SynonymGroup.clean) are cleaned here.
    The analyzers drop those characters anyway: the term matches what it did.
    """
    for syntax in ("\\", ",", "=>"):
        term = term.replace(syntax, " ")
    return " ".join(term.split()).lstrip("# ").strip()


def synonym_rules(groups: Iterable[Sequence[str] | str]) -> list[dict[str, str]]:
    """Synonyms API rules ("a, b, c": all equivalent) with stable ids, one per group."""
    rules = []
    for number, group in enumerate(groups, start=1):
        terms = [group] if isinstance(group, str) else list(group)
        terms = [synonym_term(t) for t in terms]
        terms = [t for t in terms if t]
        if len(terms) > 1:
            rules.append({"id": f"group-{number}", "synonyms": ", ".join(terms)})
    return rules
