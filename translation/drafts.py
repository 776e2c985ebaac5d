"""A translated page's draft, saved without touching what the public sees.

wagtail-localize's ``save_target(publish=False)`` writes the translated fields into the page's
own row before it saves a revision. For a translation that is already live, that row is what
visitors are served, so an unreviewed draft (a machine translation, or the source's new text
after a sync) would go public at once. Here a live translation gets only a new revision; its
row changes when a person publishes that revision. New and unpublished translations, whose
row nobody sees, go through wagtail-localize unchanged.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils.text import slugify
from wagtail.coreutils import find_available_slug
from wagtail.models import Page
from wagtail_localize.fields import copy_synchronised_fields
from wagtail_localize.models import Translation
from wagtail_localize.segments.ingest import ingest_segments

from core.wagtail_internals import segments_for_translation


def save_translation_draft(translation: Translation, user=None) -> Page:
    """Save the translation of a page as a draft revision; the live page stays as it is."""
    source = translation.source
    locale = translation.target_locale
    try:
        target = source.get_translated_instance(locale)
    except ObjectDoesNotExist:
        target = None
    if target is None or not target.live:
        translation.save_target(user=user, publish=False)
        return source.get_translated_instance(locale)

    original = source.as_instance()
    copy_synchronised_fields(original, target)
    segments = segments_for_translation(source, locale)
    with transaction.atomic():
        ingest_segments(original, target, source.locale, locale, segments)
        # An alias becomes a page of its own when this revision is published.
        target.alias_of_id = None
        # As wagtail-localize does: a translated slug must still be a free, valid slug.
        slug = slugify(target.slug, allow_unicode=True) or original.slug
        target.slug = find_available_slug(target.get_parent(), slug, ignore_page_id=target.id)
        target.save_revision(user=user)
    return target
