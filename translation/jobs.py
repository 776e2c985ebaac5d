"""Machine translation of pages as background jobs, for a person to review.

An editor asks for a page (or a subtree) in some languages; one job per page and language is
queued and never runs in the request. The job brings wagtail-localize's segments up to date
with the page, sends only the segments nobody has translated yet to the configured provider
with the glossary, stores the results as machine translations and saves a draft of the
translated page. Segments a person translated or edited are never touched.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from celery import current_app
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Locale, Page
from wagtail_localize.models import StringTranslation, Translation, TranslationSource
from wagtail_localize.strings import StringValue

from translation.drafts import save_translation_draft
from translation.models import GlossaryTerm, MachineTranslationJob
from translation.providers import GlossaryEntry, ProviderError, provider_from_settings

logger = logging.getLogger(__name__)
Status = MachineTranslationJob.Status


class MachineTranslationUnavailable(Exception):
    """Why no job can be queued; the message is for the editor."""


def check_available() -> str:
    """The configured provider's name, or MachineTranslationUnavailable saying what is missing."""
    app = current_app
    try:
        provider = provider_from_settings()
    except ImproperlyConfigured as problem:
        logger.error("Machine translation is misconfigured: %s", problem)
        raise MachineTranslationUnavailable(
            _(
                "Machine translation is not set up correctly, so no job was queued. An "
                "administrator can find the reason in the server log."
            )
        ) from problem
    if provider is None:
        raise MachineTranslationUnavailable(
            _(
                "Machine translation is not set up: no provider is configured. An administrator "
                "sets MT_PROVIDER (deepl, google or libretranslate) and its key."
            )
        )
    if app.conf.task_always_eager:
        raise MachineTranslationUnavailable(
            _(
                "Machine translation needs a background worker: this site runs its tasks "
                "in-process. An administrator sets CELERY_BROKER_URL and starts a worker."
            )
        )
    return provider.name


def pages_to_translate(page: Page, include_subtree: bool) -> list[Page]:
    pages = [page]
    if include_subtree:
        pages += list(page.get_descendants().order_by("path"))
    return pages


def create_machine_translation_jobs(
    page: Page, locales: Iterable[Locale], user, *, include_subtree: bool = False
) -> list[MachineTranslationJob]:
    """One queued job per page and language (translation.tasks sends them). Raises
    MachineTranslationUnavailable."""
    provider_name = check_available()
    jobs = [
        MachineTranslationJob(
            page=each, target_locale=locale, requested_by=user, provider=provider_name
        )
        for each in pages_to_translate(page, include_subtree)
        for locale in locales
        if locale.pk != each.locale_id
    ]
    MachineTranslationJob.objects.bulk_create(jobs)
    return jobs


def _start(job_id: int) -> MachineTranslationJob | None:
    with transaction.atomic():
        job = MachineTranslationJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (Status.DONE, Status.FAILED):
            return None
        job.status = Status.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["status", "attempts", "started_at"])
    return job


def finish(job_id: int, status: str, error: str = "") -> None:
    MachineTranslationJob.objects.filter(pk=job_id).update(
        status=status, error=error[:2000], finished_at=timezone.now()
    )


def run_machine_translation(job_id: int) -> MachineTranslationJob | None:
    """The job's body. Raises ProviderError for the task to retry or record."""
    job = _start(job_id)
    if job is None:
        return None
    provider = provider_from_settings()
    if provider is None:
        finish(job_id, Status.FAILED, _("No machine-translation provider is configured."))
        return job
    page = job.page.specific
    source, _created = TranslationSource.update_or_create_from_instance(page)
    translation, _created = Translation.objects.get_or_create(
        source=source, target_locale=job.target_locale, defaults={"enabled": True}
    )
    wanted, kept, left = _untranslated_segments(source, job.target_locale)
    source_language = source.locale.language_code
    target_language = job.target_locale.language_code
    if wanted:
        if not provider.supports(source_language, target_language):
            finish(
                job_id,
                Status.FAILED,
                _("%(provider)s does not translate from %(source)s into %(target)s.")
                % {"provider": provider.name, "source": source_language, "target": target_language},
            )
            return job
        texts = list(wanted)
        results = provider.translate(
            texts,
            source=source_language,
            target=target_language,
            glossary=glossary_for(source_language, target_language),
        )
        _store(wanted, dict(zip(texts, results, strict=True)), job, provider.name)
    # A draft of the translated page, for a person to review in wagtail-localize's editor.
    save_translation_draft(translation, user=job.requested_by)
    MachineTranslationJob.objects.filter(pk=job_id).update(
        status=Status.DONE,
        segments_translated=len(sum(wanted.values(), [])),
        segments_kept=kept,
        segments_left=left,
        error="",
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


# A page's address stays as the source's unless a person translates it.
MACHINE_SKIPPED_PATHS = {"slug"}


def _untranslated_segments(source: TranslationSource, locale: Locale):
    """Plain-text segments with no translation yet, by text; and the counts kept and left."""
    translated = set(
        StringTranslation.objects.filter(locale=locale).values_list(
            "translation_of_id", "context_id"
        )
    )
    wanted: dict[str, list[tuple[int, int]]] = defaultdict(list)
    kept = left = 0
    for segment in source.stringsegment_set.select_related("string", "context"):
        if segment.context.path in MACHINE_SKIPPED_PATHS:
            continue
        if (segment.string_id, segment.context_id) in translated:
            kept += 1
            continue
        value = segment.string.as_value()
        if "<" in value.data:
            # Links and formatting need their markup kept in place: a person does these.
            left += 1
            continue
        wanted[value.render_text()].append((segment.string_id, segment.context_id))
    return wanted, kept, left


def glossary_for(source_language: str, target_language: str) -> list[GlossaryEntry]:
    return [
        GlossaryEntry(source=term.source_term, target=term.target_term)
        for term in GlossaryTerm.objects.filter(
            source_language=source_language, target_language=target_language
        )
    ]


@transaction.atomic
def _store(wanted, results: dict[str, str], job: MachineTranslationJob, tool_name: str) -> None:
    for text, places in wanted.items():
        translated = results.get(text)
        if not translated:
            continue
        data = StringValue.from_plaintext(translated).data
        for string_id, context_id in places:
            # get_or_create: a person who translated this meanwhile keeps their words.
            StringTranslation.objects.get_or_create(
                translation_of_id=string_id,
                locale=job.target_locale,
                context_id=context_id,
                defaults={
                    "data": data,
                    "translation_type": StringTranslation.TRANSLATION_TYPE_MACHINE,
                    "tool_name": tool_name,
                    "last_translated_by": job.requested_by,
                    "has_error": False,
                    "field_error": "",
                },
            )


def record_provider_error(job_id: int, error: ProviderError, *, will_retry: bool) -> None:
    if will_retry:
        MachineTranslationJob.objects.filter(pk=job_id).update(
            status=Status.RETRYING, error=str(error)[:2000]
        )
    else:
        finish(job_id, Status.FAILED, str(error))
