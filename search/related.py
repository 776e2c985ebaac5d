"""Practices related to a practice page: the editors' picks, then what the engine finds similar."""

from __future__ import annotations

import logging

from django.db.models import Exists, OuterRef, Q, Subquery

from knowledge.models import PracticePage, RelatedPractice
from knowledge.visibility import visible_pages
from search.documents import page_document_id, page_id_from_document_id
from search.engines.base import EngineUnavailable, SearchHit
from search.engines.selection import get_engine

logger = logging.getLogger(__name__)

RELATED_LIMIT = 5


def _similar_practice_hits(page: PracticePage, limit: int) -> list[SearchHit]:
    try:
        # Asks for more than it shows: sessions and summaries come back too, and are left out.
        hits = get_engine().more_like_this(page_document_id(page.pk), limit=limit * 2)
    except EngineUnavailable:
        logger.warning("Related practices: search engine unavailable", exc_info=True)
        return []
    own_group = str(page.translation_key)
    return [h for h in hits if h.content_type == "practice" and h.translation_key != own_group]


def _pick_translation(
    hit: SearchHit, members: dict[int, PracticePage], locale_id: int
) -> PracticePage:
    """The translation in the visitor's locale, else the page the engine found, else any."""
    in_locale = next((p for p in members.values() if p.locale_id == locale_id), None)
    found = members.get(page_id_from_document_id(hit.id))
    return in_locale or found or next(iter(members.values()))


def related_practices(page: PracticePage, limit: int = RELATED_LIMIT) -> list[PracticePage]:
    """The editors' picks, then practices the engine finds similar, until there are `limit`.

    Similar practices show in the page's language when they have a visible translation.
    One engine call and one page query (plus visible_pages' own look-ups); the engine's hits
    are re-checked against visible_pages, since the index can lag behind an unpublish.
    A page the engine does not know, or an engine that is down, leaves only the editors' picks.
    """
    hits = _similar_practice_hits(page, limit)
    picks = RelatedPractice.objects.filter(page=page, related=OuterRef("pk"))
    candidates = (
        visible_pages(
            PracticePage.objects.filter(
                Q(pk__in=RelatedPractice.objects.filter(page=page).values("related_id"))
                | Q(translation_key__in=[hit.translation_key for hit in hits])
            )
        )
        .exclude(translation_key=page.translation_key)
        .annotate(is_pick=Exists(picks), pick_order=Subquery(picks.values("sort_order")[:1]))
        .select_related("city")
    )
    chosen, groups = [], {}
    for practice in candidates:
        if practice.is_pick:
            chosen.append(practice)
        groups.setdefault(str(practice.translation_key), {})[practice.pk] = practice
    chosen.sort(key=lambda practice: (practice.pick_order or 0, practice.pk))
    shown_groups = {str(practice.translation_key) for practice in chosen}
    for hit in hits:
        if len(chosen) >= limit:
            break
        members = groups.get(hit.translation_key)
        if members and hit.translation_key not in shown_groups:
            chosen.append(_pick_translation(hit, members, page.locale_id))
            shown_groups.add(hit.translation_key)
    return chosen
