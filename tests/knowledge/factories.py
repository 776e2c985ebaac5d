"""Builders for content pages, shared by the test packages."""

from wagtail.models import Locale

from knowledge.models import PracticePage, TopicArea


def add_practice(parent, title: str, *, topics=(), publish=True, **fields) -> PracticePage:
    """A practice under `parent`, published unless publish=False (then a never-live draft)."""
    fields.setdefault("summary", f"{title} summary")
    practice = PracticePage(title=title, **fields)
    parent.add_child(instance=practice)
    practice.topics.set(TopicArea.objects.filter(slug__in=topics, locale=Locale.get_default()))
    revision = practice.save_revision()
    if publish:
        revision.publish()
    else:
        PracticePage.objects.filter(pk=practice.pk).update(live=False)
    practice.refresh_from_db()
    return practice
