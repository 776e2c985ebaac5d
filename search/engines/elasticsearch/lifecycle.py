"""The cluster side of the engine: the template, the synonyms set, versioned indices behind
the alias, bulk writes and the rebuild's alias swap.

Layout in the cluster:
- versioned indices `<prefix>-<timestamp>` built from one composable index template
  (`<prefix>-template`, pattern `<prefix>-2*`: its timestamped names only), read and written
  through the alias `<prefix>`;
- while `rebuild` loads a new index, that index also carries the alias `<prefix>-rebuilding`,
  and writes go through both aliases, so none is lost at the swap;
- a synonyms set `<prefix>-synonyms` (the Synonyms API) used by an updateable synonym_graph
  filter in the search analyzers only, so editors' synonyms apply without re-indexing or closing
  the index.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, Elasticsearch, TransportError, helpers

from search.engines.base import DocumentVectors, EngineUnavailable, SearchDocument, VectorLookup
from search.engines.elasticsearch.mapping import document_source, index_template_body, synonym_rules
from search.engines.elasticsearch.vectors import (
    VectorModel,
    VectorSpace,
    batches,
    missing_document,
    model_for,
    spaces_by_index,
    update_actions,
    vector_source,
)
from search.synonyms import synonym_groups as live_synonym_groups

logger = logging.getLogger(__name__)

BULK_CHUNK_SIZE = 500
# A rebuild's stream carries whole documents (extracted attachment text included), so it sends
# fewer at a time than the live writes' small batches.
REBUILD_CHUNK_SIZE = 100
# The bulk helper's own limit is 100 MiB, Elasticsearch's http.max_content_length: a chunk that
# large ties up the coordinating node's memory and makes a retry costly. The helper starts a new
# _bulk request before one would pass this many bytes.
BULK_MAX_CHUNK_BYTES = 10 * 1024 * 1024
# Requests that change the cluster's layout (create an index, the alias swap) are not retried
# after a timeout: the first try may have committed, and a second one would then fail
# (resource_already_exists_exception, or must_exist on the rebuilding alias). They get longer
# to answer instead; statuses sent before anything was done (429, 503) are still retried.
ADMIN_REQUEST_TIMEOUT = 60.0
ADMIN_RETRY_ON_STATUS = (429, 503)
# Rules per synonyms set at most (Synonyms APIs: "limited to a maximum of 10,000 synonym rules
# per set"); GET _synonyms/<set> reads them all in one page of this size.
MAX_SYNONYM_RULES = 10_000
# Documents whose vectors a rebuild asks for at once (`vectors_for`, one cache look-up each).
VECTOR_LOOKUP_BATCH = 200

# A rebuild's stream indexes with this external version; live writes (internal versions, >= 1)
# always outrank it (see IndexLifecycle.rebuild).
STREAM_VERSION = 1
# How long the index being built remembers deletes (index.gc_deletes; Elasticsearch's default is
# 60s): longer than any rebuild, so a page deleted during the rebuild is not streamed back in.
REBUILD_GC_DELETES_HOURS = 24
REBUILD_GC_DELETES = f"{REBUILD_GC_DELETES_HOURS}h"


def rules_by_id(rules: Iterable[dict[str, Any]] | None) -> dict[str, str]:
    """Synonym rules as a map of id to rule, however the list is ordered."""
    return {str(rule.get("id")): str(rule.get("synonyms")) for rule in rules or ()}


def call(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one client call; unreachable or failing clusters become EngineUnavailable."""
    try:
        return function(*args, **kwargs)
    except ApiError as error:
        raise EngineUnavailable(f"Elasticsearch refused the request: {error}") from error
    except TransportError as error:
        raise EngineUnavailable(f"Elasticsearch is unreachable: {error}") from error


class IndexLifecycle:
    """The alias, its versioned indices, the template and the synonyms set of one prefix."""

    def __init__(
        self,
        client: Elasticsearch,
        prefix: str,
        *,
        bulk_chunk_size: int = BULK_CHUNK_SIZE,
        bulk_max_retries: int = 5,
        bulk_initial_backoff: float = 2.0,
        bulk_request_timeout: float = 60.0,
        bulk_max_chunk_bytes: int = BULK_MAX_CHUNK_BYTES,
        rebuild_chunk_size: int = REBUILD_CHUNK_SIZE,
        admin_request_timeout: float = ADMIN_REQUEST_TIMEOUT,
        synonym_groups: Iterable[Sequence[str]]
        | Callable[[], Iterable[Sequence[str]]]
        | None = None,
        vector_space: Callable[[], VectorSpace] = VectorSpace,
    ) -> None:
        self.client = client
        self.alias = prefix
        # The models (and dimensions) new indices hold vectors of; empty: no vector fields.
        self.vector_space = vector_space
        self.template_name = f"{prefix}-template"
        self.synonyms_set = f"{prefix}-synonyms"
        # Carried by the index a rebuild is loading, and only while it loads (see rebuild).
        self.rebuilding_alias = f"{prefix}-rebuilding"
        self.bulk_chunk_size = bulk_chunk_size
        self.bulk_max_retries = bulk_max_retries
        self.bulk_initial_backoff = bulk_initial_backoff
        self.bulk_request_timeout = bulk_request_timeout
        self.bulk_max_chunk_bytes = bulk_max_chunk_bytes
        self.rebuild_chunk_size = rebuild_chunk_size
        self.admin_request_timeout = admin_request_timeout
        # Where the synonyms come from: by default the live list (base file + admin), pushed at
        # setup and when editors change it (search.tasks.sync_synonyms_task), never by a
        # search; a fixed list (tests, scripts) is pushed at setup only.
        self.live_synonyms = synonym_groups is None or callable(synonym_groups)
        if synonym_groups is None:
            self._synonym_source: Callable[[], Iterable[Sequence[str]]] = live_synonym_groups
        elif callable(synonym_groups):
            self._synonym_source = synonym_groups
        else:
            fixed = [tuple(group) for group in synonym_groups]
            self._synonym_source = lambda: fixed
        # The rules the cluster last refused (400): not sent again until they change.
        self._refused_rules: dict[str, str] | None = None

    def _admin(self) -> Elasticsearch:
        """The client for requests that must not be sent twice: create index, the alias swap
        (ADMIN_REQUEST_TIMEOUT)."""
        return self.client.options(
            request_timeout=self.admin_request_timeout,
            retry_on_timeout=False,
            retry_on_status=ADMIN_RETRY_ON_STATUS,
        )

    # Setup -------------------------------------------------------------------------------------
    def index_template_body(self) -> dict[str, Any]:
        """The composable template every versioned index of this engine is created from."""
        return index_template_body(
            self.alias, self.template_name, self.synonyms_set, self.vector_space()
        )

    def ensure_setup(self) -> None:
        """Put the synonyms set and the index template (both idempotent).

        A synonyms set the cluster refuses does not stop the setup: the set keeps the rules it
        had (see _put_synonyms).
        """
        self._put_synonyms(synonym_rules(self._synonym_source()))
        call(
            self.client.indices.put_index_template,
            name=self.template_name,
            **self.index_template_body(),
        )

    def update_synonyms(self, groups: Iterable[Sequence[str]] | None = None) -> None:
        """Replace the synonyms without closing any index.

        `groups` fixes the list from now on; without it the live list is read again.
        PUT _synonyms/<set> reloads the search analyzers that use the set itself ("equivalent to
        invoking Reload search analyzers API for all indices that use the synonyms set",
        put-synonyms-set); the request cache is cleared after, as the reload's reference
        advises, so that no cached response still reflects the old synonyms.
        """
        if groups is not None:
            fixed = [tuple(group) for group in groups]
            self._synonym_source = lambda: fixed
            self.live_synonyms = False
        if self._put_synonyms(synonym_rules(self._synonym_source())):
            self._clear_request_cache()

    def _clear_request_cache(self) -> None:
        tolerant = self.client.options(ignore_status=404)  # no index yet: nothing cached
        call(tolerant.indices.clear_cache, index=self.alias, request=True)

    def synonym_groups(self) -> list[tuple[str, ...]]:
        """The groups the synonyms set is made of (the live list, or the fixed one)."""
        return [tuple(group) for group in self._synonym_source()]

    def _put_synonyms(self, rules: list[dict[str, str]]) -> bool:
        """PUT the whole set; False when the cluster refused these rules, now or before.

        The cluster refuses the whole set (400) for one rule it cannot parse, and keeps the
        rules it had. Sending the same rules again would be refused again, on every call:
        the refusal is logged once and remembered, and the next change of the rules (an
        editor's fix) is sent again.
        """
        wanted = rules_by_id(rules)
        if wanted == self._refused_rules:
            return False
        try:
            call(self.client.synonyms.put_synonym, id=self.synonyms_set, synonyms_set=rules)
        except EngineUnavailable as error:
            refusal = error.__cause__
            if not (isinstance(refusal, ApiError) and refusal.meta.status == 400):
                raise
            self._refused_rules = wanted
            logger.error(
                "Elasticsearch refused the synonyms set %s; it keeps its previous rules until "
                "the synonyms change: %s",
                self.synonyms_set,
                refusal,
            )
            return False
        self._refused_rules = None
        return True

    def sync_synonyms(self) -> None:
        """Push the live synonym list if the cluster's set differs (editors edit it in the admin).

        Run by search.tasks.sync_synonyms_task after an editor saves or deletes a group, never
        by a search: every PUT reloads the search analyzers and clears the request cache.
        GET _synonyms/<set> answers the rules sorted by id (group-10 before group-2), so the
        two sets are compared as rules by id, not as lists.
        """
        rules = synonym_rules(self._synonym_source())
        wanted = rules_by_id(rules)
        if wanted == self._refused_rules:
            return
        stored = call(
            self.client.options(ignore_status=404).synonyms.get_synonym,
            id=self.synonyms_set,
            size=MAX_SYNONYM_RULES,
        )
        if stored.meta.status != 404 and rules_by_id(stored.body.get("synonyms_set")) == wanted:
            return
        if self._put_synonyms(rules):
            self._clear_request_cache()

    # Writes ------------------------------------------------------------------------------------
    def index(self, documents: Iterable[SearchDocument]) -> None:
        targets = self._write_targets(self.alias_holders())
        if not targets:
            self._create_first_index()
            targets = [self.alias]
        # require_alias: a write never auto-creates a concrete index (with a guessed mapping)
        # under an alias name, even if the alias is deleted behind our back. The rebuilding alias
        # may vanish between the lookup and the bulk (swap or failed rebuild): its items then
        # fail with index_not_found, and that is fine, because the swap already moved the live
        # alias (which got the same write) or the half-built index is gone.
        # refresh=wait_for: each bulk answers once its writes are searchable (as an explicit
        # refresh after it would, without forcing an extra refresh of the index).
        self._bulk(
            self._index_actions(documents, *targets),
            require_alias=True,
            ignore_item=self._rebuilding_alias_gone,
            refresh="wait_for",
        )

    def _create_first_index(self) -> None:
        """On a fresh cluster, create the first versioned index behind the alias."""
        self.ensure_setup()
        call(
            self._admin().indices.create,
            index=self._new_index_name(),
            aliases={self.alias: {"is_write_index": True}},
        )

    def _new_index_name(self) -> str:
        return f"{self.alias}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"

    def delete(self, ids: Iterable[str]) -> None:
        targets = self._write_targets(self.alias_holders())
        if not targets:
            return  # no index yet: nothing to delete
        # Plain (internally versioned) deletes: an externally versioned delete would auto-create
        # a missing target index ("delete requests should not attempt to create the index ...
        # unless an external versioning is used", TransportBulkAction), and the tombstone a plain
        # delete leaves (version >= 1) already outranks the rebuild stream's version 1.
        actions = ({"_op_type": "delete", "_index": t, "_id": i} for i in ids for t in targets)
        # 404: an unknown id is already deleted, and a vanished rebuilding alias (see index).
        self._bulk(actions, ignore_status=(404,), refresh="wait_for")

    def alias_holders(self) -> dict[str, list[str]]:
        """The indices behind the live alias and behind the rebuilding alias.

        One GET _alias/<live>,<rebuilding>. When either alias is missing Elasticsearch answers
        404 with an error entry next to the indices it did find (GET aliases returns 404 if
        any requested alias is missing, elastic/elasticsearch#25043; response shape as in
        elastic/elasticsearch#30536), so only the entries carrying "aliases" are read.
        """
        response = call(
            self.client.options(ignore_status=404).indices.get_alias,
            name=[self.alias, self.rebuilding_alias],
        )
        holders: dict[str, list[str]] = {self.alias: [], self.rebuilding_alias: []}
        for index_name, value in sorted(response.body.items()):
            if isinstance(value, dict) and isinstance(value.get("aliases"), dict):
                for alias in value["aliases"]:
                    if alias in holders:
                        holders[alias].append(index_name)
        return holders

    def _write_targets(self, holders: dict[str, list[str]]) -> list[str]:
        """Where a write batch goes: the live alias, plus the rebuilding one during a rebuild.

        Looked up once per write batch (a few hundred documents at most), never cached: a cached
        "no rebuild" answer could let a batch skip an index whose stream already read the older
        version of its documents, and the change would be lost at the swap. GET _alias is
        answered from the cluster state, cheap next to the bulk request itself.
        Writes name the aliases, not the indices behind them, so Elasticsearch resolves them when
        the bulk runs: a swap between the lookup and the bulk still lands the write in the index
        that is live by then.
        """
        return [alias for alias in (self.alias, self.rebuilding_alias) if holders[alias]]

    def _rebuilding_alias_gone(self, item: dict[str, Any]) -> bool:
        error = item.get("error") or {}
        return (
            item.get("_index") == self.rebuilding_alias
            and error.get("type") == "index_not_found_exception"
        )

    def rebuild(
        self, documents: Iterable[SearchDocument], vectors_for: VectorLookup | None = None
    ) -> int:
        """Load a new versioned index aside, then swap the alias to it in one _aliases request.

        Writes made meanwhile (index/delete from the outbox drain, in other processes) are not
        lost at the swap: the new index is created together with the alias `<prefix>-rebuilding`
        (one create-index request), and every write batch goes to the live alias and, while
        that alias exists, to the rebuilding one too.

        Ordering between those writes and the stream is settled by document versions rather
        than by replaying ids afterwards (the ids are written by other processes, so this one
        never sees them). The stream indexes with `version_type: external, version: 1`, which
        succeeds only if the new index holds no version of the document yet ("only index the
        document if the specified version is strictly higher than the version of the stored
        document or if there is no existing document": VersionType in the Elasticsearch
        specification; Index API, "Versioning"). A live write is a plain, internally versioned
        one, so it leaves the document, or the tombstone of a delete, at version >= 1: the
        stream's copy of that document is then refused with 409 and the live write stands,
        whichever came first.
        A delete's tombstone is kept only for `index.gc_deletes` (Delete API, "Versioning";
        default 60s), so the new index is created with REBUILD_GC_DELETES, longer than any
        rebuild, and set back to the default after the swap.

        The swap removes the rebuilding alias in the same atomic _aliases request that moves the
        live alias (with must_exist, so a rebuild whose index was discarded by a newer one fails
        instead of swapping). A failed rebuild deletes its index, which takes its aliases with
        it. A crashed rebuild leaves the alias behind on an orphan index: writes keep
        succeeding there (wasted, harmless), and the next rebuild deletes that index first.
        One rebuild at a time: a second one treats the first's index as such an orphan.
        Creating the index and the swap are sent once (no retry after a timeout, _admin); a
        swap whose answer is lost is judged by where the live alias points afterwards: if it
        points at the new index, the swap went through and the rebuild finishes.

        `vectors_for(batch)` gives the passage vectors it has of a batch of documents; those
        of the template's models go into the new index with their documents.
        """
        self.ensure_setup()
        self._discard_abandoned_rebuilds()
        new_index = self._new_index_name()
        old_indices: list[str] = []
        started = time.monotonic()
        try:
            # One request: the index appears with its rebuilding alias, so no write batch can see
            # one without the other. Create index API: `aliases` and `settings` in the body. Not
            # retried after a timeout (_admin): the retry would meet the index the first try made.
            call(
                self._admin().indices.create,
                index=new_index,
                aliases={self.rebuilding_alias: {"is_write_index": True}},
                settings={"index": {"gc_deletes": REBUILD_GC_DELETES}},
            )
            # Streamed through the rebuilding alias with require_alias, never to the index by
            # name: if another rebuild deletes this index meanwhile, the writes fail instead of
            # creating it again from the template (an externally versioned write may create its
            # index). 409: a live write reached this document first and is as new or newer.
            stream = self._stream_actions(
                documents, self.rebuilding_alias, vectors_for, self.vector_space()
            )
            loaded = self._bulk(
                stream,
                ignore_status=(409,),
                require_alias=True,
                chunk_size=self.rebuild_chunk_size,
            )
            if time.monotonic() - started > REBUILD_GC_DELETES_HOURS * 3600:
                logger.warning(
                    "The rebuild outlasted index.gc_deletes (%s): a page deleted early in it may "
                    "be back until the next reconcile.",
                    REBUILD_GC_DELETES,
                )
            call(self.client.indices.refresh, index=new_index)
            # Read now, not at the start: whatever carries the live alias at the swap goes.
            old_indices = [i for i in self.alias_holders()[self.alias] if i != new_index]
            # Aliases API (POST _aliases): "performs one or more alias actions in a single atomic
            # operation"; must_exist on remove: the alias must exist for the action to apply.
            actions: list[dict[str, Any]] = [
                {"remove": {"index": old, "alias": self.alias}} for old in old_indices
            ]
            actions.append(
                {"remove": {"index": new_index, "alias": self.rebuilding_alias, "must_exist": True}}
            )
            actions.append(
                {"add": {"index": new_index, "alias": self.alias, "is_write_index": True}}
            )
            try:
                # Not retried after a timeout (_admin): a retry of a swap that went through
                # fails on must_exist, the rebuilding alias being gone.
                call(self._admin().indices.update_aliases, actions=actions)
            except EngineUnavailable as error:
                # The answer may be lost while the swap went through: where the alias points
                # says which (the swap is atomic). If that cannot be read either, the swap's
                # own error is the one raised.
                swapped = False
                with contextlib.suppress(EngineUnavailable):
                    swapped = new_index in self.alias_holders()[self.alias]
                if not swapped:
                    raise
                logger.warning(
                    "The alias swap to %s went through though its answer failed (%s)",
                    new_index,
                    error,
                )
        except BaseException:
            # Never leave a half-built index behind; the old one still serves searches. Deleting
            # the index removes its aliases with it, the rebuilding alias included. Unless the
            # swap went through after all: then the index is live and stays. If the cluster is
            # gone, the orphan stays until the next rebuild deletes it.
            with contextlib.suppress(TransportError, ApiError, EngineUnavailable):
                if new_index not in self.alias_holders()[self.alias]:
                    self.client.options(ignore_status=404).indices.delete(index=new_index)
            raise
        try:
            # Update index settings API: null restores a setting's default.
            self.client.indices.put_settings(
                index=new_index, settings={"index": {"gc_deletes": None}}
            )
        except (TransportError, ApiError) as error:
            logger.warning("Could not reset index.gc_deletes on %s: %s", new_index, error)
        if old_indices:
            call(self.client.options(ignore_status=404).indices.delete, index=",".join(old_indices))
        return loaded

    def _discard_abandoned_rebuilds(self) -> None:
        """Delete the index a crashed rebuild left behind its alias (never a live index)."""
        holders = self.alias_holders()
        live = set(holders[self.alias])
        abandoned = [i for i in holders[self.rebuilding_alias] if i not in live]
        if abandoned:
            logger.warning("Deleting the index of an unfinished rebuild: %s", ", ".join(abandoned))
            call(self.client.options(ignore_status=404).indices.delete, index=",".join(abandoned))
        also_live = [i for i in holders[self.rebuilding_alias] if i in live]
        if also_live:  # only by hand: the swap removes the rebuilding alias atomically
            call(
                self.client.indices.update_aliases,
                actions=[
                    {"remove": {"index": i, "alias": self.rebuilding_alias}} for i in also_live
                ],
            )

    @staticmethod
    def _index_actions(
        documents: Iterable[SearchDocument],
        *targets: str,
        vectors: dict[str, list[tuple[DocumentVectors, VectorModel]]] | None = None,
    ) -> Iterator[dict[str, Any]]:
        for document in documents:
            source = document_source(document)
            for item, model in (vectors or {}).get(document.id, ()):
                source.update(vector_source(item, model))
            for target in targets:
                yield {"_op_type": "index", "_index": target, "_id": document.id, "_source": source}

    @staticmethod
    def _stream_actions(
        documents: Iterable[SearchDocument],
        index: str,
        vectors_for: VectorLookup | None = None,
        space: VectorSpace | None = None,
    ) -> Iterator[dict[str, Any]]:
        """The rebuild's index actions: version 1, external, so any live write outranks them.

        Bulk API: `version` and `version_type` are action metadata of every operation
        (OperationBase in the specification's bulk types); the helper moves them into the
        action line. Documents go in batches, each with the vectors `vectors_for` has of it
        (only those of the new index's models and dimensions).
        """
        for batch in batches(documents, VECTOR_LOOKUP_BATCH):
            found = vectors_for(batch) if vectors_for is not None and space else []
            vectors: dict[str, list[tuple[DocumentVectors, VectorModel]]] = {}
            left_out = set()
            for item in found:
                model = model_for(item, space) if space else None
                if model is None:
                    left_out.add(item.model_key)
                else:
                    vectors.setdefault(item.document.id, []).append((item, model))
            if left_out:
                logger.warning(
                    "Rebuild: vectors of %s left out: the index holds vectors of %s only",
                    ", ".join(sorted(left_out)),
                    ", ".join(space.keys()) if space else "no model",
                )
            for action in IndexLifecycle._index_actions(batch, index, vectors=vectors):
                yield {**action, "version": STREAM_VERSION, "version_type": "external"}

    # Vectors ------------------------------------------------------------------------------------
    def vector_spaces(self, indices: Sequence[str]) -> dict[str, VectorSpace]:
        """Each of these indices' (or aliases') vector models, from its mapping's _meta.

        Keyed by concrete index name, as GET <index>/_mapping answers; an index behind none of
        them (404) is left out, one without vectors has an empty space.
        """
        if not indices:
            return {}
        response = call(
            self.client.options(ignore_status=404).indices.get_mapping,
            index=list(indices),
            filter_path="*.mappings._meta",
        )
        if response.meta.status == 404:
            return {}
        return spaces_by_index(response.body)

    def index_vectors(self, items: Iterable[DocumentVectors]) -> int:
        """Replace the passage vectors of documents already indexed, through the live alias
        and, during a rebuild, the rebuilding one (as `index` writes). Returns how many
        document updates were applied or skipped as missing.

        Each alias gets only vectors of the models its index was made for: vectors of another
        model have no field there. A document missing from an index is skipped
        (update_actions: never created), and so is a rebuilding alias gone before the bulk (as
        in `index`).
        """
        items = list(items)
        if not items:
            return 0
        holders = self.alias_holders()
        targets = self._write_targets(holders)
        if not targets:
            return 0  # no index yet: nothing to add vectors to
        spaces = self.vector_spaces(sorted({i for alias in targets for i in holders[alias]}))
        updated = 0
        for target in targets:
            target_spaces = {spaces.get(index, VectorSpace()) for index in holders[target]}
            space = next(iter(target_spaces)) if len(target_spaces) == 1 else VectorSpace()
            matching = [(item, model_for(item, space)) for item in items]
            fitting = [(item, model) for item, model in matching if model is not None]
            if len(fitting) < len(items):
                logger.warning(
                    "Vectors of %s not kept in %s: it holds vectors of %s only "
                    "(run `manage.py search_rebuild`)",
                    ", ".join(sorted({item.model_key for item, model in matching if not model})),
                    target,
                    ", ".join(space.keys()) or "no model",
                )
            if fitting:
                updated += self._bulk(
                    update_actions(fitting, target),
                    require_alias=True,
                    ignore_item=lambda item: (
                        missing_document(item) or self._rebuilding_alias_gone(item)
                    ),
                    refresh="wait_for",
                )
        return updated

    def _bulk(
        self,
        actions: Iterable[dict[str, Any]],
        ignore_status: tuple[int, ...] = (),
        require_alias: bool = False,
        ignore_item: Callable[[dict[str, Any]], bool] | None = None,
        chunk_size: int | None = None,
        refresh: str | None = None,
    ) -> int:
        """Send actions in chunks; items refused with 429 are retried with exponential backoff.

        raise_on_error stays off in the helper: with it on, the helper raises on the first
        rejected (429) item instead of retrying it. Failures left after the retries are collected
        here and raised together, so a caller never acknowledges a half-applied batch.
        """
        ok_count = 0
        failures: list[dict[str, Any]] = []
        # Extra query parameters of every _bulk request (Bulk API `refresh`).
        parameters: dict[str, Any] = {"refresh": refresh} if refresh else {}
        try:
            for ok, item in helpers.streaming_bulk(
                self.client.options(request_timeout=self.bulk_request_timeout),
                actions,
                chunk_size=chunk_size or self.bulk_chunk_size,
                max_chunk_bytes=self.bulk_max_chunk_bytes,
                max_retries=self.bulk_max_retries,
                initial_backoff=self.bulk_initial_backoff,
                max_backoff=60,
                raise_on_error=False,
                require_alias=require_alias,
                **parameters,
            ):
                result = next(iter(item.values()))
                if (
                    ok
                    or result.get("status") in ignore_status
                    or (ignore_item is not None and ignore_item(result))
                ):
                    ok_count += 1
                else:
                    failures.append(result)
        except (TransportError, ApiError) as error:
            raise EngineUnavailable(f"bulk request failed: {error}") from error
        if failures:
            reasons = "; ".join(
                f"{f.get('_id')}: {f.get('error', {}).get('reason', f.get('status'))}"
                for f in failures[:3]
            )
            raise EngineUnavailable(f"{len(failures)} document(s) refused: {reasons}")
        return ok_count
