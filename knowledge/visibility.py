"""What the public may see. Every public listing, API and export goes through here."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from wagtail.models import Page


def hidden_branch_paths() -> list[str]:
    """Tree paths of unpublished pages that have children: their whole branch is hidden."""
    return list(Page.objects.filter(live=False, numchild__gt=0).values_list("path", flat=True))


def visible_pages(queryset: QuerySet) -> QuerySet:
    """Live, public pages with no unpublished ancestor and no view restriction.

    Never the tree's root: it has no URL and is no page anyone reads.
    """
    queryset = queryset.live().public().filter(depth__gt=1)
    hidden = hidden_branch_paths()
    if hidden:
        under_hidden = Q()
        for path in hidden:
            under_hidden |= Q(path__startswith=path)
        queryset = queryset.exclude(under_hidden)
    return queryset


def is_publicly_visible(page: Page) -> bool:
    """The same rule as visible_pages, for one page being served."""
    if not page.live or page.depth <= 1:
        return False
    if page.get_ancestors().filter(live=False, depth__gt=1).exists():
        return False
    return not page.get_view_restrictions().exists()
