"""Check an Elasticsearch cluster once: the contract suite, a rebuild, synonyms and a hybrid query.

    .venv/bin/python bench/elasticsearch_smoke.py [--prefix PREFIX] [--skip-suite] [--no-meaning]

The cluster is the deployment's: ELASTICSEARCH_URL, with ELASTICSEARCH_CA_CERTS,
ELASTICSEARCH_SSL_FINGERPRINT and ELASTICSEARCH_API_KEY as the site reads them
(cac/settings/base.py). Everything this script writes is named under its own prefix (by default
cac-knowledge-smoke-<pid>, which the app's role in docs/scale-out.md covers; refused if anything
already exists under it or if it could reach the deployment's alias or indices), and is deleted
at the end, whatever failed:
1. the contract suite (tests/search/test_engine_contract.py, its Elasticsearch cases) in a
   pytest subprocess on SQLite (never the deployment's database or broker), its engines'
   prefixes under <prefix>-contract (ELASTICSEARCH_CONTRACT_PREFIX);
2. setup (synonyms set, index template), a rebuild of a handful of documents, and a second
   rebuild: the alias moves to a new index and the old one is deleted;
3. a new synonym group: a search for the new word finds the document with the other;
4. a hybrid query: passage vectors of the configured embedders (SEARCH_EMBEDDERS) indexed
   through the engine's index_vectors, and a search with the query's vectors that does not
   fall back to words only. Skipped, and said so, with no embedder configured.
Progress goes to stderr; the checklist (✓/✗) to stdout. Exits 1 when any check failed, 2 when
no cluster is configured.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

CONTRACT_SUITE = "tests/search/test_engine_contract.py"
# A word no document holds, made a synonym of one that a document does (step 3).
NEW_WORD = "cacsmokeword"
KNOWN_WORD = "ventilation"
FIRST_GROUPS = [("fever scanner", "thermal camera")]
SUITE_TIMEOUT_SECONDS = 1800


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", file=sys.stderr, flush=True)


class Checklist:
    def __init__(self) -> None:
        self.items: list[tuple[bool | None, str, str]] = []  # (ok, None: skipped; what; detail)

    def add(self, ok: bool | None, what: str, detail: str = "") -> bool:
        self.items.append((ok, what, detail))
        mark = {True: "ok", False: "FAILED", None: "skipped"}[ok]
        progress(f"{what}: {mark} {detail}".rstrip())
        return bool(ok)

    def run(self, what: str, check: Callable[[], tuple[bool, str]]) -> bool:
        try:
            ok, detail = check()
        except Exception as error:  # a check that raised failed; the others still run
            ok, detail = False, f"{type(error).__name__}: {error}"
        return self.add(ok, what, detail)

    def print(self) -> None:
        for ok, what, detail in self.items:
            mark = {True: "✓", False: "✗", None: "–"}[ok]
            print(f"{mark} {what}" + (f" — {detail}" if detail else ""), flush=True)

    @property
    def failed(self) -> bool:
        return any(ok is False for ok, _what, _detail in self.items)


def documents() -> list[Any]:
    from search.engines.base import SearchDocument

    texts = [
        ("Walk-through testing booths", "Booths let staff test visitors without contact."),
        ("Thermal cameras at stations", "Cameras screen travellers for fever at the gates."),
        ("Masks for every household", "Face masks were delivered to each home by post."),
        ("Hospital ventilation upgrade", "Wards got new ventilation to cut airborne spread."),
        ("Contact tracing app", "Phones warned people who had been near a case."),
    ]
    return [
        SearchDocument(
            id=f"smoke-{number}",
            translation_key=f"smoke-group-{number}",
            locale="en",
            url=f"/en/smoke/{number}/",
            title=title,
            content_type="practice",
            kind="policy",
            summary=summary,
            body=summary,
            city="Seoul",
            country="KR",
            started=date(2020, 3, number),
        )
        for number, (title, summary) in enumerate(texts, start=1)
    ]


# The cluster's objects under a prefix -------------------------------------------------------------
def indices_of(client: Any, pattern: str) -> list[str]:
    """Concrete indices matching a wildcard (GET <pattern>; deletes go by name, since clusters
    refuse wildcard deletes by default, action.destructive_requires_name)."""
    found = client.options(ignore_status=404).indices.get(
        index=pattern, expand_wildcards="all", filter_path="*.settings.index.provided_name"
    )
    return sorted(found.body or {}) if found.meta.status != 404 else []


def templates_of(client: Any, pattern: str) -> list[str]:
    found = client.options(ignore_status=404).indices.get_index_template(name=pattern)
    if found.meta.status == 404:
        return []
    return sorted(t["name"] for t in found.body.get("index_templates", []))


def synonyms_sets_of(client: Any, prefix: str) -> list[str]:
    found = client.synonyms.get_synonyms_sets(size=10_000)
    return sorted(
        s["synonyms_set"]
        for s in found.body.get("results", [])
        if s.get("synonyms_set", "").startswith(prefix)
    )


def under_prefix(client: Any, start: str) -> tuple[list[str], list[str], list[str]]:
    """The indices, index templates and synonyms sets whose names start with `start`."""
    return (
        indices_of(client, f"{start}*"),
        templates_of(client, f"{start}*"),
        synonyms_sets_of(client, start),
    )


def under(client: Any, prefix: str, separator: str) -> list[str]:
    """Everything named `<prefix><separator>…` ("*": anything starting with the prefix)."""
    start = prefix if separator == "*" else f"{prefix}{separator}"
    return [name for names in under_prefix(client, start) for name in names]


def own_prefix(prefix: str, deployment: str) -> bool:
    """Whether nothing under `prefix` can be the deployment's: not its alias, its rebuilding
    alias, its versioned indices (`<deployment>-2*`), nor a start of their names."""
    return bool(prefix) and not (
        deployment.startswith(prefix)
        or prefix.startswith(f"{deployment}-2")
        or prefix == f"{deployment}-rebuilding"
    )


def delete_everything(
    client: Any, indices: list[str], templates: list[str], sets: list[str]
) -> list[str]:
    """Indices first (their aliases go with them), then templates, then the synonyms sets (a set
    an index uses cannot be deleted). Each is tried whatever failed before; returns the
    failures."""
    tolerant = client.options(ignore_status=404)
    deletes: list[tuple[str, Callable[[], Any]]] = []
    if indices:
        deletes.append(
            (", ".join(indices), lambda: tolerant.indices.delete(index=",".join(indices)))
        )
    for name in templates:
        deletes.append((name, lambda name=name: tolerant.indices.delete_index_template(name=name)))
    for name in sets:
        deletes.append((name, lambda name=name: tolerant.synonyms.delete_synonym(id=name)))
    failures = []
    for what, delete in deletes:
        try:
            delete()
        except Exception as error:
            failures.append(f"{what}: {type(error).__name__}: {error}")
            progress(f"could not delete {what}: {error}")
    return failures


# The steps ---------------------------------------------------------------------------------------
def cluster_environment(settings: Any) -> dict[str, str]:
    """The pytest subprocess's environment: this cluster, SQLite and in-process tasks (never the
    deployment's database or broker), the test settings."""
    environment = dict(os.environ)
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        environment.pop(name, None)
    environment.pop("DJANGO_SETTINGS_MODULE", None)  # pyproject.toml's: cac.settings.test
    for name in (
        "ELASTICSEARCH_URL",
        "ELASTICSEARCH_CA_CERTS",
        "ELASTICSEARCH_SSL_FINGERPRINT",
        "ELASTICSEARCH_API_KEY",
        "ELASTICSEARCH_FUSION",
        "SEARCH_EMBEDDERS",
    ):
        value = getattr(settings, name, None)
        if value:
            environment[name] = str(value)
    return environment


def run_contract_suite(checks: Checklist, settings: Any, prefix: str) -> None:
    """The suite's Elasticsearch cases, their engines' prefixes under `<prefix>-contract`
    (ELASTICSEARCH_CONTRACT_PREFIX), deleted with the rest at the end."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "-k",
        "elasticsearch",
        CONTRACT_SUITE,
    ]
    what = "contract suite on this cluster"
    if importlib.util.find_spec("pytest") is None:
        checks.add(
            False,
            what,
            "pytest is not installed here (the app image has no test tools): run from a "
            "checkout with requirements-dev.lock, or pass --skip-suite",
        )
        return
    environment = cluster_environment(settings)
    environment["ELASTICSEARCH_CONTRACT_PREFIX"] = f"{prefix}-contract"
    progress(f"contract suite: {' '.join(command[2:])} (a few minutes)")
    try:
        done = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
            command,
            cwd=PROJECT_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=SUITE_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        checks.add(False, what, f"still running after {SUITE_TIMEOUT_SECONDS} s")
        return
    counts = {
        word: int(number)
        for number, word in re.findall(r"(\d+) (passed|failed|errors?|skipped)", done.stdout)
    }
    summary = ", ".join(f"{n} {w}" for w, n in counts.items()) or "no summary"
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-2000:])
    checks.add(done.returncode == 0 and counts.get("passed", 0) > 0, what, summary)


def meaning_setup(no_meaning: bool) -> tuple[tuple[Any, ...], str]:
    """The configured embedders, or none and why."""
    if no_meaning:
        return (), "--no-meaning"
    from search.semantic.embedders import configured_embedder_names, get_embedders

    if not configured_embedder_names():
        return (), "SEARCH_EMBEDDERS is empty (words only)"
    try:
        return get_embedders(), ""
    except Exception as error:  # a model that does not load: the rest is still checked
        return (), f"the embedders did not load: {type(error).__name__}: {error}"


def check_engine(checks: Checklist, engine: Any, embedders: tuple[Any, ...], why_not: str) -> None:
    from search.engines.base import DocumentVectors, QueryVector, SearchRequest
    from search.semantic.passages import document_passages

    lifecycle = engine.lifecycle
    client = engine.client
    docs = documents()

    def setup() -> tuple[bool, str]:
        engine.ensure_setup()
        template = client.indices.exists_index_template(name=lifecycle.template_name).body
        synonyms = client.options(ignore_status=404).synonyms.get_synonym(id=lifecycle.synonyms_set)
        ok = bool(template) and synonyms.meta.status == 200
        return ok, f"template {lifecycle.template_name}, synonyms set {lifecycle.synonyms_set}"

    def not_run(why: str) -> None:
        checks.add(None, "rebuilds, synonyms, hybrid query", f"not run: {why}")

    if not checks.run("setup: synonyms set and index template", setup):
        return not_run("the setup failed")
    first: list[str] = []

    def first_rebuild() -> tuple[bool, str]:
        loaded = engine.rebuild(docs)
        first[:] = lifecycle.alias_holders()[engine.alias]
        count = engine.count()
        ok = loaded == len(docs) and count == len(docs) and len(first) == 1
        return ok, f"{loaded} loaded, {count} counted behind {engine.alias} -> {', '.join(first)}"

    if not checks.run("rebuild: documents loaded behind the alias", first_rebuild):
        return not_run("the first rebuild failed")

    def second_rebuild() -> tuple[bool, str]:
        time.sleep(0.01)  # index names are timestamped to the microsecond
        engine.rebuild(docs)
        holders = lifecycle.alias_holders()
        now = holders[engine.alias]
        old_gone = not client.indices.exists(index=first[0]).body
        ok = (
            len(now) == 1
            and now != first
            and old_gone
            and not holders[lifecycle.rebuilding_alias]
            and engine.count() == len(docs)
        )
        return ok, (
            f"alias -> {', '.join(now)}; old index {first[0]} "
            f"{'deleted' if old_gone else 'still there'}"
        )

    checks.run("rebuild again: alias swapped to a new index, the old one deleted", second_rebuild)

    def synonyms() -> tuple[bool, str]:
        def found(query: str) -> list[str]:
            return [hit.id for hit in engine.search(SearchRequest(query=query)).hits]

        before = found(NEW_WORD)
        engine.update_synonyms([*FIRST_GROUPS, (NEW_WORD, KNOWN_WORD)])
        after = found(NEW_WORD)
        ok = before == [] and after == ["smoke-4"]
        return ok, f"{NEW_WORD!r} found {before or 'nothing'} before, {after or 'nothing'} after"

    checks.run(f"synonyms: a new group ({NEW_WORD}, {KNOWN_WORD}) expands searches", synonyms)

    if not embedders:
        checks.add(None, "hybrid query: words and meaning", f"meaning skipped: {why_not}")
        return

    def hybrid() -> tuple[bool, str]:
        items = [
            DocumentVectors(
                doc,
                embedder.key,
                embedder.embed_passages(document_passages(doc, embedder.passage_chars)),
            )
            for embedder in embedders
            for doc in docs
        ]
        engine.index_vectors(items)
        stored = engine.indexed_vector_versions()
        with_vectors = sum(1 for doc in docs if stored.get(doc.id))
        query = "face coverings"
        vectors = tuple(
            QueryVector(e.key, e.embed_query(query), e.min_similarity, e.fusion_weight)
            for e in embedders
        )
        response = engine.search(SearchRequest(query=query, query_vectors=vectors))
        # The engine falls back to words only when the search by meaning fails, and pauses it.
        fell_back = engine._hybrid_paused_until > 0
        ids = [hit.id for hit in response.hits]
        # Words alone match "face" at most; "coverings" only by meaning (information only:
        # whether it clears the similarity floors depends on the model).
        downgraded = engine._fusion_in_use != engine.fusion_method
        ok = with_vectors == len(docs) and not fell_back
        return ok, (
            f"{', '.join(e.key for e in embedders)}: vectors for {with_vectors}/{len(docs)} "
            f"documents; {query!r} -> {ids or 'nothing'}, fused {engine._fusion_in_use}"
            + (
                f" (ELASTICSEARCH_FUSION={engine.fusion_method} refused by the cluster, "
                "see the log above)"
                if downgraded
                else ""
            )
            + ("; FELL BACK to words only (see the log above)" if fell_back else "")
        )

    checks.run("hybrid query: words and meaning, no fallback", hybrid)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--prefix",
        help="the prefix of everything this script creates (default <the deployment's "
        "prefix>-smoke-<pid>, cac-knowledge-smoke-<pid>: the app's role covers "
        "cac-knowledge-*, docs/scale-out.md)",
    )
    parser.add_argument("--skip-suite", action="store_true", help="leave out the contract suite")
    parser.add_argument(
        "--no-meaning", action="store_true", help="leave out the hybrid query's embedders"
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cac.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    url = settings.ELASTICSEARCH_URL
    if not url:
        print(
            "ELASTICSEARCH_URL is not set: nothing to check. Set it (and ELASTICSEARCH_CA_CERTS "
            "or ELASTICSEARCH_SSL_FINGERPRINT, ELASTICSEARCH_API_KEY) as for the site.",
            file=sys.stderr,
        )
        return 2
    deployment = getattr(settings, "ELASTICSEARCH_INDEX_PREFIX", "cac-knowledge")
    prefix = args.prefix or f"{deployment}-smoke-{os.getpid()}"
    if not own_prefix(prefix, deployment):
        print(
            f"--prefix {prefix} would reach the deployment's indices ({deployment}, "
            f"{deployment}-2*, {deployment}-rebuilding): choose another.",
            file=sys.stderr,
        )
        return 2

    from search.engines.elasticsearch import ElasticsearchEngine
    from search.engines.elasticsearch.vectors import VectorSpace

    embedders, why_not = meaning_setup(args.no_meaning)
    engine = ElasticsearchEngine(
        url,
        prefix=prefix,
        ca_certs=settings.ELASTICSEARCH_CA_CERTS,
        ssl_assert_fingerprint=settings.ELASTICSEARCH_SSL_FINGERPRINT,
        api_key=settings.ELASTICSEARCH_API_KEY,
        synonym_groups=FIRST_GROUPS,
        vector_space=VectorSpace.from_embedders(embedders),
    )
    client = engine.client
    checks = Checklist()
    progress(f"cluster {url.split('@')[-1]}, prefix {prefix}")
    try:
        existing = under(client, prefix, "*")
    except Exception as error:
        checks.add(False, "cluster reachable", f"{type(error).__name__}: {error}")
        checks.print()
        return 1
    if existing:
        print(
            f"{prefix} is in use ({', '.join(existing)}): choose another --prefix.",
            file=sys.stderr,
        )
        return 2
    try:
        if args.skip_suite:
            checks.add(None, "contract suite on this cluster", "--skip-suite")
        else:
            run_contract_suite(checks, settings, prefix)
        check_engine(checks, engine, embedders, why_not)
    finally:

        def cleanup() -> tuple[bool, str]:
            indices, templates, sets = under_prefix(client, f"{prefix}-")
            failures = delete_everything(client, indices, templates, sets)
            left = under(client, prefix, "-")
            return not left and not failures, (
                f"deleted {len(indices)} indices, {len(templates)} templates, {len(sets)} "
                "synonyms sets"
                + (f"; left: {', '.join(left)}" if left else "")
                + (f"; failed: {'; '.join(failures)}" if failures else "")
            )

        checks.run(f"cleanup: nothing left under {prefix}", cleanup)
    checks.print()
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
