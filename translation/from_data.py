"""Translations that arrive as data (a loader's file), through wagtail-localize's workflow.

A translation made here is the same as one made in the translation editor or by a PO upload:
a Translation of the object's TranslationSource, with one manual StringTranslation per
segment. So it is listed, editable and synced like any other (translation/sync.py), and an
editor who corrects it in the admin is not overwritten by the next load.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Model
from wagtail.models import Locale
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)
from wagtail_localize.strings import StringValue

# Fields whose value is an address part, the same in every language: a topic area or city
# is found by its slug in the visitor's language (knowledge/localized.py).
KEPT_AS_SOURCE = frozenset({"slug"})


def _translation(instance: Model, locale: Locale) -> Translation | None:
    return (
        Translation.objects.select_related("source")
        .filter(
            source__object_id=instance.translation_key,
            source__locale_id=instance.locale_id,
            target_locale=locale,
        )
        .first()
    )


def _untranslated(translation: Translation, locale: Locale) -> list[StringSegment]:
    segments = list(
        StringSegment.objects.filter(source=translation.source).select_related("string", "context")
    )
    done = set(
        StringTranslation.objects.filter(
            locale=locale, translation_of__in=[segment.string for segment in segments]
        ).values_list("translation_of_id", "context_id")
    )
    return [segment for segment in segments if (segment.string_id, segment.context_id) not in done]


@transaction.atomic
def translate_from_data(instance: Model, locale: Locale, texts: dict[str, str], user=None) -> bool:
    """Translate `instance` into `locale`, each field named in `texts` given that text.

    Every other segment must be one of KEPT_AS_SOURCE; a field the data does not translate
    raises ValueError rather than publishing source text as a translation. A segment that
    already has a translation (an editor's) keeps it. Returns whether anything was written:
    a translation that is complete already is left alone, so loaders can run again.
    """
    translation = _translation(instance, locale)
    if (
        translation is not None
        and instance.get_translation_or_none(locale) is not None
        and not _untranslated(translation, locale)
    ):
        return False
    # What TranslationCreator sets up, without its first save of a target in source text:
    # the target is saved once, below, with every string in place.
    source, _created = TranslationSource.get_or_create_from_instance(instance)
    translation, _created = Translation.objects.update_or_create(
        source=source, target_locale=locale, defaults={"enabled": True}
    )
    for segment in _untranslated(translation, locale):
        field = segment.context.path.split(".")[0]
        if field in texts:
            # Segments hold plain text as escaped HTML, as the editor saves it.
            text = StringValue.from_plaintext(texts[field]).data
        elif field in KEPT_AS_SOURCE:
            text = segment.string.data
        else:
            raise ValueError(f"no {locale.language_code} text for {field} of {instance!r}")
        StringTranslation.objects.create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            data=text,
            translation_type=StringTranslation.TRANSLATION_TYPE_MANUAL,
            last_translated_by=user,
        )
    translation.save_target(user=user, publish=True)
    return True
