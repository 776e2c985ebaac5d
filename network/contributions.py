"""A representative's practices: their state in moderation, and saving the guided form.

The practice is a PracticePage like every other, filed under the practice index of the
language it is written in, with the representative's city and `shared_by_city` set here and
nowhere else: the form never offers another city. It ends in Wagtail's moderation workflow,
where moderators review it with everything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import slugify
from wagtail.images import get_image_model
from wagtail.models import Locale
from wagtail.rich_text import RichText

from documents.services import store_checked_uploads
from editorial.models import representative_cities
from editorial.roles import ensure_city_access
from editorial.summaries import SummaryStatus, submit_for_moderation, summary_status
from home.site_structure import practice_index_for
from knowledge.models import City, PracticeAttachment, PracticePage, TopicArea


def own_practices(user) -> QuerySet[PracticePage]:
    """The practices this representative started, for their own cities only: a practice of
    a city they no longer represent is left to the editors."""
    keys = representative_cities(user).values("translation_key")
    return (
        PracticePage.objects.filter(owner=user, city__translation_key__in=keys)
        .select_related("city", "locale")
        .order_by("-latest_revision_created_at", "-pk")
    )


def own_practice(user, page_id: int) -> PracticePage | None:
    # id, not pk (see editorial.summaries.assigned_session): any digits may come in the URL.
    return own_practices(user).filter(id=page_id).first()


def practice_status(page: PracticePage | None) -> SummaryStatus:
    """Where the practice stands, in the same words as a rapporteur's summary."""
    return summary_status(page)


@dataclass
class PracticeContent:
    title: str
    summary: str
    body_html: str | None  # None: leave the stored body as it is
    kind: str
    topics: list[TopicArea]
    practice_status: str
    started: date | None
    ended: date | None
    outcome: str
    target_group: str
    cost_band: str
    source_url: str
    contact_name: str
    contact_organisation: str
    contact_email: str
    keep_document_ids: list[int] = field(default_factory=list)
    new_files: list = field(default_factory=list)
    new_image: object | None = None
    image_alt_text: str = ""


def _in_locale(objects, locale: Locale) -> list:
    """Each topic area or city in the practice's language where it has a translation."""
    return [item.get_translation_or_none(locale) or item for item in objects]


def _store_image(uploaded, alt_text: str, city: City, user):
    image = get_image_model()(
        title=alt_text[:255] or Path(uploaded.name).stem[:255],
        file=uploaded,
        collection=ensure_city_access(city).collection,
        uploaded_by_user=user,
    )
    image._set_image_file_metadata()
    image.save()
    return image


def save_practice(
    user,
    city: City,
    content: PracticeContent,
    *,
    page: PracticePage | None,
    locale: Locale,
    submit: bool,
) -> PracticePage:
    """Write a new revision of the representative's practice (creating it if `page` is None);
    optionally submit it for moderation.

    All or nothing: if anything fails, no page, revision, document or image row is left, and
    the files already written to storage are deleted again.
    """
    if not representative_cities(user).filter(translation_key=city.translation_key).exists():
        raise PermissionError("not a representative of this city")
    stored_files = []
    try:
        with transaction.atomic():
            collection = ensure_city_access(city).collection
            documents = store_checked_uploads(content.new_files, collection, user)
            stored_files.extend(document.file for document in documents)
            image = None
            if content.new_image is not None:
                image = _store_image(content.new_image, content.image_alt_text, city, user)
                stored_files.append(image.file)
            if page is not None:
                locale = page.locale
                draft = page.get_latest_revision_as_object()
            else:
                draft = PracticePage(locale=locale, owner=user, live=False, slug="")
            _fill(draft, content, city, locale, documents, image)
            if page is None:
                index = practice_index_for(locale)
                draft.slug = _free_slug(index, content.title)
                index.add_child(instance=draft)
            elif not draft.live:
                # As Wagtail's editor does: a page never published keeps its fields in its row.
                draft.save()
            draft.save_revision(user=user, log_action=True)
            if submit:
                submit_for_moderation(draft, user)
    except BaseException:
        for stored in stored_files:
            stored.storage.delete(stored.name)
        raise
    return draft


def _fill(page, content: PracticeContent, city, locale, documents, image) -> None:
    page.title = content.title
    page.summary = content.summary
    page.kind = content.kind
    page.city = city.get_translation_or_none(locale) or city
    page.shared_by_city = True
    page.practice_status = content.practice_status
    page.started = content.started
    page.ended = content.ended
    page.outcome = content.outcome
    page.target_group = content.target_group
    page.cost_band = content.cost_band
    page.source_url = content.source_url
    page.contact_name = content.contact_name
    page.contact_organisation = content.contact_organisation
    page.contact_email = content.contact_email
    page.topics = _in_locale(content.topics, locale)
    blocks = [(block.block_type, block.value) for block in page.body]
    if content.body_html is not None:
        # The form edits the text; images and anything an editor added stay as they were.
        blocks = [block for block in blocks if block[0] != "paragraph"]
        if content.body_html:
            blocks.insert(0, ("paragraph", RichText(content.body_html)))
    if image is not None:
        blocks.append(
            ("image", {"image": image, "alt_text": content.image_alt_text, "caption": ""})
        )
    page.body = blocks
    keep = {
        attachment.document_id
        for attachment in page.attachments.all()
        if attachment.document_id in content.keep_document_ids
    }
    page.attachments = [
        PracticeAttachment(document_id=document_id)
        for document_id in content.keep_document_ids
        if document_id in keep
    ] + [PracticeAttachment(document=document) for document in documents]


def _free_slug(index, title: str) -> str:
    base = slugify(title, allow_unicode=True)[:200] or "practice"
    taken = set(index.get_children().values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug
