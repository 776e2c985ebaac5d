"""Translations follow their source: a published change reaches every translation as a draft.

wagtail-localize keeps a frozen copy of the source (TranslationSource) and only refreshes it
when someone clicks "Sync translated pages". Here publishing a page (or saving a topic area
or city) that has translations refreshes that copy in a background job and saves each
translation again: segments already translated keep their translation, new or changed
ones show the source text until a person (or a machine-translation job) translates them.
Pages get a draft for review; snippets, which have no drafts, are saved as they are.
"""

from __future__ import annotations

from wagtail.models import DraftStateMixin
from wagtail_localize.models import TranslationSource

from knowledge.models import City, TopicArea
from translation.drafts import save_translation_draft

SYNCED_SNIPPETS = (TopicArea, City)


def source_of(instance) -> TranslationSource | None:
    return TranslationSource.objects.filter(
        object_id=instance.translation_key, locale_id=instance.locale_id
    ).first()


def sync_translations(source_id: int) -> int:
    """The job: refresh the source's segments and save each enabled translation. How many."""
    source = TranslationSource.objects.filter(pk=source_id).first()
    if source is None:
        return 0
    try:
        source.update_from_db()
    except source.specific_content_type.model_class().DoesNotExist:
        return 0  # the source was deleted after the job was queued
    is_page_like = issubclass(source.specific_content_type.model_class(), DraftStateMixin)
    count = 0
    for translation in source.translations.filter(enabled=True):
        if is_page_like:
            save_translation_draft(translation)
        else:
            translation.save_target()
        count += 1
    return count
